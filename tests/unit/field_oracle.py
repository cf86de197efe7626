"""A frozen copy of the product and customer field code as it was before the field table (issue 15, part 2).

Test-only oracle: ``tests/unit/test_field_table.py`` checks that the table's derived functions give exactly what this
copy gives (records, synced fields, fingerprints, bodies). Copied verbatim from ``desktop/sync/mapping.py`` and
``desktop/sync/customers.py`` at commit ea53d56; never edit it to make a test pass.
"""
# flake8: noqa
from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import asdict, dataclass, fields as dc_fields
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from html.parser import HTMLParser
from typing import Any, Iterable, Mapping, Sequence

from desktop.sync.bigcommerce import BCCustomer, BCProduct, BCVariant
from desktop.sync.hike_models import Fields, HikeAddress, HikeCustomer, HikeOutletStock, HikeProduct, HikeVariant
from desktop.sync.mapping import MappingContext
from desktop.sync.records import BIGCOMMERCE, HIKE, PRODUCT_FIELDS as _NOW, ProductRecord, VariantRecord, jsonable
from desktop.sync.settings import DEFAULT_LOCATION_ID, ResolvedSettings, Settings

PRODUCT_FIELDS = tuple(n for n in _NOW if n != "extra")  # the record's fields before the table added ``extra``


HIKE_TO_BC = "hike_to_bc"
BC_TO_HIKE = "bc_to_hike"
DIRECTIONS = (HIKE_TO_BC, BC_TO_HIKE)

CENT = Decimal("0.01")
EX_TAX_QUANTUM = Decimal("0.0001")  # ex-tax prices derived from inc-tax ones keep 4 dp
BC_MAX_INVENTORY = 2147483647
HIKE_POS_CHANNEL = "1"
HIKE_ECOMMERCE_CHANNEL = "2"

# D5: never read from either side, never written to either side
NEVER_MAPPED = frozenset({
    # Hike: loyalty, suppliers / purchase orders, custom and plug-in fields, gift cards, offers
    "additional_reward_points", "product_suppliers", "supplier_code", "purchase_code", "customField",
    "loyalty_points", "gift_card", "offers",
    # BigCommerce: third-party and plug-in data, gift wrapping, price rules and offers
    "custom_fields", "metafields", "bulk_pricing_rules", "gift_wrapping_options_type", "gift_wrapping_options_list",
    "modifiers", "reviews",
})


class MappingError(ValueError):
    """A record that can't be mapped as it is (per-record error for the log, D4)."""


# ---------------------------------------------------------------------------------------------------------------
# D3: money and tax
def _dec(value: Any, what: str = "amount") -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"{what} must be a Decimal, not a float (money is never float)")
    if isinstance(value, bool):
        raise TypeError(f"{what} must be a Decimal")
    result = value if isinstance(value, Decimal) else Decimal(str(value))
    if not result.is_finite():
        raise ValueError(f"{what} must be a finite number")
    return result


def _rate(rate: Any) -> Decimal:
    r = _dec(rate, "tax rate")
    if r < 0:
        raise ValueError("a tax rate can't be negative")
    return r


def round_money(value: Decimal) -> Decimal:
    """Half-up to the cent: how a price is shown and stored at 2 dp."""
    with localcontext() as ctx:
        ctx.prec = 34
        return _dec(value).quantize(CENT, rounding=ROUND_HALF_UP)


def inc_from_ex(ex: Decimal, rate: Decimal) -> Decimal:
    """The tax-inclusive price (2 dp, half-up) of an ex-tax price at ``rate`` percent."""
    with localcontext() as ctx:
        ctx.prec = 34
        return (_dec(ex, "price") * (100 + _rate(rate)) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def ex_from_inc(inc: Decimal, rate: Decimal) -> Decimal:
    """The ex-tax price of an inc-tax price: 2 dp when that converts back to ``inc``, else 4 dp (see above)."""
    inc, r = _dec(inc, "price"), _rate(rate)
    with localcontext() as ctx:
        ctx.prec = 34
        exact = inc * 100 / (100 + r)
        two = exact.quantize(CENT, rounding=ROUND_HALF_UP)
        if inc_from_ex(two, r) == inc:
            return two
        return exact.quantize(EX_TAX_QUANTUM, rounding=ROUND_HALF_UP)


def bc_inventory_level(stock: Decimal | None) -> int:
    """BigCommerce stock is whole units from 0 (S13): a fraction is rounded down, never oversold."""
    if stock is None:
        return 0
    level = int(_dec(stock, "stock").to_integral_value(rounding=ROUND_FLOOR))
    return max(0, min(level, BC_MAX_INVENTORY))


def is_fractional(quantity: Decimal | None) -> bool:
    """A quantity BigCommerce can't hold (S13 flags fractional sales)."""
    return quantity is not None and quantity != quantity.to_integral_value()


# ---------------------------------------------------------------------------------------------------------------
# S16: descriptions
_WS = re.compile(r"\s+")
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "header", "footer", "aside", "nav", "main", "h1", "h2", "h3", "h4", "h5", "h6",
    "dl", "table", "thead", "tbody", "tfoot", "blockquote", "pre", "figure", "figcaption", "hr", "address", "form",
    "fieldset", "details", "summary", "center"})
_LINE_TAGS = frozenset({"tr", "dt", "dd", "caption"})
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript", "iframe", "object"})
_LINE_BREAK, _PARAGRAPH_BREAK = 1, 2  # break markers between blocks: consecutive ones merge into the largest


def normalize_text(text: str | None) -> str:
    """Plain text as it syncs: one space for any run of spaces, no spaces at line ends, at most one blank line
    between paragraphs, none at the start or end."""
    if not text:
        return ""
    lines = [_WS.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out: list[str] = []
    gap = False
    for line in lines:
        if not line:
            gap = bool(out)
            continue
        if gap:
            out.append("")
            gap = False
        out.append(line)
    return "\n".join(out)


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str | int] = []  # text, or a break marker
        self.skipping = 0
        self.lists: list[list[Any]] = []  # [tag, items so far]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif self.skipping:
            return
        elif tag == "br":
            self.parts.append("\n")  # text, not a marker: two <br> make a blank line
        elif tag in ("ul", "ol"):
            self.lists.append([tag, 0])
            self.parts.append(_LINE_BREAK if len(self.lists) > 1 else _PARAGRAPH_BREAK)
        elif tag == "li":
            self.parts.append(_LINE_BREAK)
            if self.lists and self.lists[-1][0] == "ol":
                self.lists[-1][1] += 1
                self.parts.append(f"{self.lists[-1][1]}. ")
            else:
                self.parts.append("- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag in _BLOCK_TAGS:
            self.parts.append(_PARAGRAPH_BREAK)
        elif tag in _LINE_TAGS:
            self.parts.append(_LINE_BREAK)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif self.skipping:
            return
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self.parts.append(_LINE_BREAK if self.lists else _PARAGRAPH_BREAK)
        elif tag == "li" or tag in _LINE_TAGS:
            self.parts.append(_LINE_BREAK)
        elif tag in _BLOCK_TAGS:
            self.parts.append(_PARAGRAPH_BREAK)

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(_WS.sub(" ", data))

    def text(self) -> str:
        out: list[str] = []
        pending = 0
        for part in self.parts:
            if isinstance(part, int):
                pending = max(pending, part)
            elif pending and not part.strip():
                continue  # layout whitespace between blocks
            else:
                if pending:
                    out.append("\n" * pending)
                    pending = 0
                out.append(part)
        return normalize_text("".join(out))


def html_to_text(markup: str | None) -> str:
    """BigCommerce's HTML description as the plain text Hike gets (S16): paragraphs and headings separated by a
    blank line, ``<br>`` as a line break, list items as ``- item`` (``1. item`` when numbered) on their own
    lines, entities unescaped, scripts and styles dropped."""
    if not markup:
        return ""
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    return parser.text()


def text_to_html(text: str | None) -> str:
    """Plain text as simple HTML: a ``<p>`` per paragraph, ``<br>`` per line break, everything escaped.
    ``html_to_text(text_to_html(t)) == normalize_text(t)``."""
    norm = normalize_text(text)
    if not norm:
        return ""
    return "\n".join("<p>" + "<br>\n".join(html.escape(line, quote=False) for line in para.split("\n")) + "</p>"
                     for para in norm.split("\n\n"))


# ---------------------------------------------------------------------------------------------------------------
# S18
def auto_sku(product_id: int, *, side: str = HIKE, variant_id: int | None = None) -> str:
    """A SKU for a product that has none (S18): stable (made only of the product's id), unique (ids are unique
    per store, and the two stores' prefixes differ) and recognisable. Hike variants are rows with their own
    ids, so ``auto_sku(variant.id)``; a BigCommerce variant is ``BC-<product>-<variant>``."""
    if side == HIKE:
        return f"HK-{int(product_id)}"
    if side == BIGCOMMERCE:
        return f"BC-{int(product_id)}" + (f"-{int(variant_id)}" if variant_id is not None else "")
    raise ValueError(f"unknown side {side!r}")


# ---------------------------------------------------------------------------------------------------------------
# context (the live MappingContext is used: its lookups are not what is compared)
def _key(name: str | None) -> str:
    return " ".join((name or "").split()).casefold()


# ---------------------------------------------------------------------------------------------------------------
# records from the stores
def _hike_rate(row: HikeOutletStock | None, ctx: MappingContext) -> Decimal | None:
    if row is None:
        return None
    if row.tax_rate is not None:
        return row.tax_rate
    if row.tax_id is not None:
        return ctx.hike_tax_rates.get(row.tax_id)
    return Decimal(0)  # a row without any tax


def _price_row(rows: Sequence[HikeOutletStock], ctx: MappingContext) -> HikeOutletStock | None:
    wanted = ctx.settings.price_outlet_id
    return next((r for r in rows if r.outlet_id == wanted), rows[0] if rows else None)


def _hike_prices(row: HikeOutletStock | None, ctx: MappingContext) -> tuple[Decimal | None, Decimal | None]:
    if row is None:
        return None, None
    rate = _hike_rate(row, ctx)
    ex, inc = row.price_ex_tax, row.price_inc_tax
    if ex is not None and rate is not None:
        inc = inc_from_ex(ex, rate)
    elif ex is None and inc is not None and rate is not None:
        ex = ex_from_inc(inc, rate)
    return ex, inc


def hike_stock_level(rows: Iterable[HikeOutletStock], outlet_ids: Iterable[int]) -> Decimal:
    """Available stock (on hand less reserved for parked, lay-by and on-account sales) over the outlets: one
    outlet (S1) or several (S4)."""
    wanted = set(outlet_ids)
    return sum((r.available for r in rows if r.outlet_id in wanted), Decimal(0))


def _hike_stock(rows: Sequence[HikeOutletStock], ctx: MappingContext) -> Decimal:
    return hike_stock_level(rows, ctx.stock_outlet_ids)


def _hike_dims(raw: Mapping[str, Any]) -> dict[str, Decimal | None]:
    # [I] Hike's "shipping details" field names are not public: read the obvious ones when present
    f = Fields(raw)
    return {"weight": f.dec("weight"), "width": f.dec("width"), "height": f.dec("height"),
            "depth": f.dec("depth", "length")}


def is_composite(product: HikeProduct) -> bool:
    """[A] ProductType Composite = 5; the emulator [I] models a composite as a product with ``product_extras``."""
    f = Fields(product.raw)
    extras = f.list("product_extras")
    return bool(extras) or f.int("product_kind", "productKind") == 5 or f.bool("is_composite", "isComposite")


def _hike_option_names(product: HikeProduct, count: int) -> list[str]:
    """Hike's API does not expose variant option names (API-NOTES A8); use ``product_attributes`` when it has
    one name per value [C], else "Option" (one value) or "Option 1", "Option 2", ..."""
    names = []
    for item in Fields(product.raw).list("product_attributes"):
        if isinstance(item, Mapping):
            name = Fields(item).str("attribute_name", "name", "attributeName")
            if name and name.strip():
                names.append(name.strip())
    if len(names) == count:
        return names
    return ["Option"] if count == 1 else [f"Option {i + 1}" for i in range(count)]


def _hike_variant_values(parent_name: str, variant: HikeVariant) -> list[str]:
    values = [v.strip() for v in variant.options if v and v.strip()]
    if values:
        return values
    name = variant.name or ""
    if parent_name and name.startswith(parent_name + " / "):
        name = name[len(parent_name) + 3:]
    return [v.strip() for v in name.split(" / ") if v.strip()] or ([variant.sku] if variant.sku else [])


def product_from_hike(product: HikeProduct, ctx: MappingContext) -> ProductRecord:
    row = _price_row(product.outlets, ctx)
    ex, inc = _hike_prices(row, ctx)
    tax_id = row.tax_id if row else None
    tax_key: str | int | None = (row.tax_name if row else None) or ctx.hike_tax_names.get(tax_id) or tax_id
    variants: list[VariantRecord] = []
    value_lists = [_hike_variant_values(product.name, v) for v in product.variants]
    names = _hike_option_names(product, max((len(v) for v in value_lists), default=0))
    for variant, values in zip(product.variants, value_lists):
        vrow = _price_row(variant.outlets, ctx)
        vex, vinc = _hike_prices(vrow, ctx)
        if vex is None and vinc is None:
            vex, vinc = ex, inc
        option_names = names if len(names) == len(values) else (
            ["Option"] if len(values) == 1 else [f"Option {i + 1}" for i in range(len(values))])
        variants.append(VariantRecord(
            id=variant.id, sku=variant.sku, barcode=variant.barcode, options=tuple(zip(option_names, values)),
            price_ex_tax=vex, price_inc_tax=vinc, cost=vrow.cost_price if vrow else None,
            stock=_hike_stock(variant.outlets, ctx), weight=_hike_dims(variant.raw)["weight"]))
    if variants and not ex and not inc:  # a variant parent's own row often has no price (0): the first variant's
        ex, inc = variants[0].price_ex_tax, variants[0].price_inc_tax
    categories = list(product.product_type_names) or [
        ctx.hike_product_type_names[t] for t in product.product_type_ids if t in ctx.hike_product_type_names]
    text = normalize_text(product.description)
    return ProductRecord(
        side=HIKE, id=product.id, name=(product.name or "").strip(), sku=product.sku, barcode=product.barcode,
        description_html=text_to_html(text), description_text=text, price_ex_tax=ex, price_inc_tax=inc,
        cost=row.cost_price if row else None, tax_key=tax_key, track_inventory=product.track_inventory,
        stock=sum((v.stock for v in variants), Decimal(0)) if variants else _hike_stock(product.outlets, ctx),
        categories=tuple(c for c in categories if c),
        brand=product.brand_name or (ctx.hike_brand_names.get(product.brand_id) if product.brand_id else None),
        active=product.is_active, ecommerce=product.is_ecommerce, composite=is_composite(product),
        **_hike_dims(product.raw), image_urls=tuple(product.image_urls), variants=tuple(variants),
        modified_at=product.last_modified)


def _bc_price_value(item: BCProduct | BCVariant, price_type: str) -> Decimal | None:
    """S7: the chosen field when the product uses it, else ``price``."""
    chosen = getattr(item, price_type)
    if price_type != "price" and chosen is not None and chosen != 0:
        return chosen
    return item.price


def _bc_prices(value: Decimal | None, rate: Decimal | None,
               ctx: MappingContext) -> tuple[Decimal | None, Decimal | None]:
    if value is None:
        return None, None
    if ctx.bc_prices_inc_tax:
        return (ex_from_inc(value, rate) if rate is not None else None), value
    return value, (inc_from_ex(value, rate) if rate is not None else None)


def _bc_image_urls(product: BCProduct) -> tuple[str, ...]:
    images = sorted((i for i in product.images if isinstance(i, Mapping)),
                    key=lambda i: (not i.get("is_thumbnail"), i.get("sort_order") or 0, i.get("id") or 0))
    urls = [i.get("url_zoom") or i.get("url_standard") or i.get("image_url") or "" for i in images]
    return tuple(u for u in urls if u)


def _raw_dec(raw: Mapping[str, Any], key: str) -> Decimal | None:
    value = raw.get(key)
    if value is None or value == "" or isinstance(value, bool):
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def product_from_bc(product: BCProduct, ctx: MappingContext) -> ProductRecord:
    rate = ctx.rate_of_bc_class(product.tax_class_id)
    value = _bc_price_value(product, ctx.price_type)
    ex, inc = _bc_prices(value, rate, ctx)
    variants: list[VariantRecord] = []
    if product.has_options:
        for v in product.variants:
            if not v.option_values:
                continue
            vvalue = _bc_price_value(v, ctx.price_type)
            vex, vinc = _bc_prices(vvalue if vvalue is not None else value, rate, ctx)
            variants.append(VariantRecord(
                id=v.id, sku=v.sku or None, barcode=v.upc or None,
                options=tuple((str(n), str(label)) for n, label in v.option_values), price_ex_tax=vex,
                price_inc_tax=vinc, cost=v.cost_price if v.cost_price is not None else product.cost_price,
                stock=Decimal(v.inventory_level), weight=v.weight))
    if product.inventory_tracking == "variant" and variants:
        stock = sum((v.stock for v in variants), Decimal(0))
    else:
        stock = Decimal(product.inventory_level)
    text = html_to_text(product.description)
    return ProductRecord(
        side=BIGCOMMERCE, id=product.id, name=(product.name or "").strip(), sku=product.sku or None,
        barcode=product.upc or None, description_html=product.description or "", description_text=text,
        price_ex_tax=ex, price_inc_tax=inc, cost=product.cost_price, tax_key=product.tax_class_id,
        track_inventory=product.inventory_tracking != "none", stock=stock,
        categories=tuple(ctx.bc_category_names[c] for c in product.categories if c in ctx.bc_category_names),
        brand=ctx.bc_brand_names.get(product.brand_id) if product.brand_id else None, active=product.is_visible,
        ecommerce=True, composite=False, weight=product.weight, width=_raw_dec(product.raw, "width"),
        height=_raw_dec(product.raw, "height"), depth=_raw_dec(product.raw, "depth"),
        image_urls=_bc_image_urls(product), variants=tuple(variants), modified_at=product.date_modified)


# ---------------------------------------------------------------------------------------------------------------
# what is sent at all
def _needs_auto_sku(record: ProductRecord) -> bool:
    if record.variants:
        return any(not (v.sku or "").strip() for v in record.variants)
    return not (record.sku or "").strip()


def skip_reason_to_bc(record: ProductRecord, settings: Settings | ResolvedSettings) -> str | None:
    """Why a Hike product is not sent to BigCommerce, or None when it is (S14, S18)."""
    s = _plain(settings)
    if record.composite:
        return "Composite products are not sent to BigCommerce; the products they are made of are."
    if not record.ecommerce:
        return "The product is not on Hike's eCommerce sales channel."
    if s.non_sku_products == "skip" and _needs_auto_sku(record):
        return "The product has no SKU, and products without a SKU are set to be skipped."
    return None  # an inactive product on the eCommerce channel still syncs (Hike FAQ 5)


def skip_reason_to_hike(record: ProductRecord, settings: Settings | ResolvedSettings) -> str | None:
    """Why a BigCommerce product is not sent to Hike, or None when it is (S18)."""
    if _plain(settings).non_sku_products == "skip" and _needs_auto_sku(record):
        return "The product has no SKU, and products without a SKU are set to be skipped (their orders too)."
    return None


def _plain(settings: Settings | ResolvedSettings) -> Settings:
    return settings.settings if isinstance(settings, ResolvedSettings) else settings


def _sku(record: ProductRecord) -> str:
    if record.sku and record.sku.strip():
        return record.sku.strip()
    if record.id is None:
        raise MappingError(f"“{record.name}” has no SKU and no id to make one from.")
    return auto_sku(record.id, side=record.side)


def _variant_sku(record: ProductRecord, variant: VariantRecord) -> str:
    if variant.sku and variant.sku.strip():
        return variant.sku.strip()
    if variant.id is None:
        raise MappingError(f"A variant of “{record.name}” has no SKU and no id to make one from.")
    if record.side == HIKE:
        return auto_sku(variant.id)
    return auto_sku(record.id or 0, side=BIGCOMMERCE, variant_id=variant.id)


def _same(a: Any, b: Any) -> bool:
    """Equal as synced values: numbers by value (12.5 == 12.50), text ignoring surrounding spaces."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() == b.strip()
    return a == b


# ---------------------------------------------------------------------------------------------------------------
# BigCommerce bodies
@dataclass(frozen=True)
class MissingRefs:
    """Names a BigCommerce body needs an id for, that the store does not have yet (create them first, S19)."""

    categories: tuple[str, ...] = ()
    brand: str | None = None


def missing_bc_refs(record: ProductRecord, ctx: MappingContext) -> MissingRefs:
    categories = () if ctx.options.category_sync == "none" else tuple(
        c for c in dict.fromkeys(record.categories) if _key(c) not in ctx.bc_category_ids)
    brand = record.brand if record.brand and _key(record.brand) not in ctx.bc_brand_ids else None
    return MissingRefs(categories, brand)


def _bc_value(ctx: MappingContext, ex: Decimal | None, inc: Decimal | None) -> Decimal | None:
    return inc if ctx.bc_prices_inc_tax else ex


def _bc_tax_class(record: ProductRecord, ctx: MappingContext) -> int | None:
    if record.side == BIGCOMMERCE:
        return record.tax_key if isinstance(record.tax_key, int) else None
    return ctx.settings.bc_tax_class_for(ctx.hike_tax_id(record.tax_key))


def _bc_tracking(record: ProductRecord) -> str:
    if not record.track_inventory:
        return "none"
    return "variant" if record.variants else "product"


def _bc_category_ids(record: ProductRecord, ctx: MappingContext) -> list[int]:
    ids = [ctx.bc_category_ids.get(_key(c)) for c in record.categories]
    return list(dict.fromkeys(i for i in ids if i is not None))


def _bc_stock_in_body(ctx: MappingContext) -> bool:
    """The Catalog API writes the default location's stock only; other locations go through the Inventory API."""
    return ctx.options.hike_to_bc.inventory and ctx.settings.bc_location_id == DEFAULT_LOCATION_ID


def _bc_price_field(item: BCProduct | BCVariant | None, price_type: str) -> str:
    """S7 on update: the chosen field when the product uses it, else the overall price."""
    if price_type == "price" or item is None:
        return "price"
    chosen = getattr(item, price_type)
    return price_type if chosen is not None and chosen != 0 else "price"


def _option_values(options: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"option_display_name": name, "label": value} for name, value in options]


def _bc_new_variant(record: ProductRecord, variant: VariantRecord, ctx: MappingContext,
                    with_stock: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"sku": _variant_sku(record, variant), "option_values": _option_values(variant.options)}
    value = _bc_value(ctx, variant.price_ex_tax, variant.price_inc_tax)
    if value is not None:
        body["price"] = value
        if ctx.price_type != "price":
            body[ctx.price_type] = value
    if variant.cost is not None:
        body["cost_price"] = variant.cost
    if variant.barcode:
        body["upc"] = variant.barcode
    if ctx.options.shipping_details and variant.weight is not None:
        body["weight"] = variant.weight
    if with_stock and record.track_inventory:
        body["inventory_level"] = bc_inventory_level(variant.stock)
    return body


def _match_bc_variant(variant: VariantRecord, existing: Sequence[BCVariant]) -> BCVariant | None:
    if variant.sku:
        wanted = variant.sku.strip().lower()
        found = next((v for v in existing if v.sku and v.sku.strip().lower() == wanted), None)
        if found is not None:
            return found
    labels = tuple(_key(value) for _, value in variant.options)
    return next((v for v in existing if labels and tuple(_key(lbl) for _, lbl in v.option_values) == labels), None)


def _check_shape(record: ProductRecord, has_variants_there: bool, there: str) -> None:
    """D2: simple stays simple, variant stays variant."""
    if bool(record.variants) != has_variants_there:
        here = "a product with variants" if record.variants else "a simple product"
        other = "a product with variants" if has_variants_there else "a simple product"
        raise MappingError(f"“{record.name}” is {here} on one side but {other} in {there}: a simple product stays "
                           "simple and a variant product stays a variant product. Make them the same kind by "
                           "hand, then sync again.")


def bc_product_body(record: ProductRecord, ctx: MappingContext, existing: BCProduct | None) -> dict[str, Any]:
    """The body that creates ``record`` in BigCommerce (``existing`` None; variants inline) or updates
    ``existing`` (only the fields that differ; ``{}`` when nothing does). New variants of an existing product
    are created with ``bc_variant_create_bodies``."""
    s = ctx.options
    value = _bc_value(ctx, record.price_ex_tax, record.price_inc_tax)
    tax_class = _bc_tax_class(record, ctx)
    if existing is None:
        if value is None and record.variants:
            first = record.variants[0]
            value = _bc_value(ctx, first.price_ex_tax, first.price_inc_tax)
        if value is None:
            raise MappingError(f"“{record.name}” has no price BigCommerce can take: map its Hike tax to a "
                               "BigCommerce tax class so the price can be converted.")
        body: dict[str, Any] = {"name": record.name, "type": "physical", "sku": _sku(record), "price": value}
        if ctx.price_type != "price":
            body[ctx.price_type] = value
        if record.barcode:
            body["upc"] = record.barcode
        if record.cost is not None:
            body["cost_price"] = record.cost
        if tax_class is not None:
            body["tax_class_id"] = tax_class
        body["inventory_tracking"] = _bc_tracking(record)
        if _bc_stock_in_body(ctx) and body["inventory_tracking"] == "product":
            body["inventory_level"] = bc_inventory_level(record.stock)
        if s.category_sync != "none":
            categories = _bc_category_ids(record, ctx)
            if categories:
                body["categories"] = categories
        if record.brand and _key(record.brand) in ctx.bc_brand_ids:
            body["brand_id"] = ctx.bc_brand_ids[_key(record.brand)]
        description = record.description_html or text_to_html(record.description_text)
        if description:
            body["description"] = description  # S16: even with "BigCommerce -> Hike only", once on create
        body["weight"] = record.weight if s.shipping_details and record.weight is not None else Decimal(0)
        if s.shipping_details:
            for key in ("width", "height", "depth"):
                if getattr(record, key) is not None:
                    body[key] = getattr(record, key)
        body["is_visible"] = record.active
        if record.image_urls:  # S17: a new product's images go to BigCommerce once
            body["images"] = [{"image_url": url, "is_thumbnail": i == 0, "sort_order": i}
                              for i, url in enumerate(record.image_urls)]
        if record.variants:
            body["variants"] = [_bc_new_variant(record, v, ctx, _bc_stock_in_body(ctx)) for v in record.variants]
        return body

    _check_shape(record, existing.has_options, "BigCommerce")
    body = {}
    if not _same(record.name, existing.name):
        body["name"] = record.name
    if record.sku and record.sku.strip():
        if not _same(record.sku, existing.sku):
            body["sku"] = record.sku.strip()
    elif not existing.sku:
        body["sku"] = _sku(record)
    if not _same(record.barcode or "", existing.upc or ""):
        body["upc"] = record.barcode or ""
    field_name = _bc_price_field(existing, ctx.price_type)
    if value is not None and not _same(value, getattr(existing, field_name)):
        body[field_name] = value
    # changed on purpose since the copy (issue 20): a product with variants has no cost of its own in Hike, so an
    # update leaves BigCommerce's product-level cost alone (``product_fields.BC_PRODUCT_COST``)
    if record.cost is not None and not record.variants and not _same(record.cost, existing.cost_price):
        body["cost_price"] = record.cost
    if tax_class is not None and tax_class != existing.tax_class_id:
        body["tax_class_id"] = tax_class
    tracking = _bc_tracking(record)
    if tracking != existing.inventory_tracking:
        body["inventory_tracking"] = tracking
    if s.category_sync != "none":
        # additive: BigCommerce's category tree is usually richer than Hike's one product type, and a PUT with
        # ``categories`` replaces them all, so categories are added, never taken away
        wanted = [c for c in _bc_category_ids(record, ctx) if c not in existing.categories]
        if wanted:
            body["categories"] = list(existing.categories) + wanted
    if record.brand:
        brand_id = ctx.bc_brand_ids.get(_key(record.brand))
        if brand_id is not None and brand_id != existing.brand_id:
            body["brand_id"] = brand_id
    elif existing.brand_id:
        body["brand_id"] = 0
    if s.description_sync == "two_way" and record.description_text != html_to_text(existing.description):
        body["description"] = text_to_html(record.description_text)
    if s.shipping_details:
        for key in ("weight", "width", "height", "depth"):
            mine = getattr(record, key)
            theirs = existing.weight if key == "weight" else _raw_dec(existing.raw, key)
            if mine is not None and not _same(mine, theirs):
                body[key] = mine
    variants = []
    for variant in record.variants:
        match = _match_bc_variant(variant, existing.variants)
        if match is None:
            continue  # a new variant: bc_variant_create_bodies
        change: dict[str, Any] = {}
        vvalue = _bc_value(ctx, variant.price_ex_tax, variant.price_inc_tax)
        vfield = _bc_price_field(match, ctx.price_type)
        if vvalue is not None and not _same(vvalue, getattr(match, vfield)):
            change[vfield] = vvalue
        if variant.cost is not None and not _same(variant.cost, match.cost_price):
            change["cost_price"] = variant.cost
        if not _same(variant.barcode or "", match.upc or ""):
            change["upc"] = variant.barcode or ""
        if s.shipping_details and variant.weight is not None and not _same(variant.weight, match.weight):
            change["weight"] = variant.weight
        if change:
            variants.append({"id": match.id, **change})
    if variants:
        body["variants"] = variants
    return body


def bc_variant_create_bodies(record: ProductRecord, ctx: MappingContext,
                             existing: BCProduct) -> list[dict[str, Any]]:
    """Bodies for ``POST /catalog/products/{id}/variants``: the record's variants BigCommerce does not have yet."""
    _check_shape(record, existing.has_options, "BigCommerce")
    return [_bc_new_variant(record, v, ctx, False) for v in record.variants
            if _match_bc_variant(v, existing.variants) is None]


# ---------------------------------------------------------------------------------------------------------------
# Hike bodies
def _hike_tax_from(record: ProductRecord, ctx: MappingContext) -> int | None:
    if record.side == HIKE:
        return ctx.hike_tax_id(record.tax_key)
    return ctx.settings.hike_tax_for(record.tax_key if isinstance(record.tax_key, int) else None)


def _hike_price_fields(ex: Decimal | None, inc: Decimal | None) -> dict[str, Any]:
    if ex is not None:
        return {"price_ex_tax": ex}
    if inc is not None:
        return {"price_inc_tax": inc}  # no rate known: Hike works the ex-tax price out from its own tax [I]
    return {}


def _hike_outlet_rows(ctx: MappingContext, *, prices: Mapping[str, Any], tax_id: int | None,
                      cost: Decimal | None, stock: Decimal | None) -> list[dict[str, Any]]:
    r = ctx.settings
    outlets = list(r.hike_outlet_ids) or [r.inventory_outlet_id]
    for extra in (r.inventory_outlet_id, r.ecommerce_outlet_id):
        if extra is not None and extra not in outlets:
            outlets.append(extra)
    visible = set(r.visible_outlet_ids)
    rows = []
    for oid in outlets:
        row: dict[str, Any] = {"outlet_id": oid, **prices}
        if tax_id is not None:
            row["tax_id"] = tax_id
        if cost is not None:
            row["cost_price"] = cost
        if stock is not None and oid == r.inventory_outlet_id:
            row["on_hand_inventory"] = stock  # BigCommerce's stock lands in the inventory outlet (S1)
        row["visible_or_not"] = oid in visible  # S12
        rows.append(row)
    return rows


def _hike_brand(record: ProductRecord, ctx: MappingContext) -> dict[str, Any]:
    if not record.brand:
        return {}
    brand_id = ctx.hike_brand_ids.get(_key(record.brand))
    return {"brand_id": brand_id} if brand_id is not None else {"bran_name": record.brand}  # [D] sic


def _hike_product_type(record: ProductRecord, ctx: MappingContext) -> list[dict[str, Any]]:
    """Hike shows one product type: the first category; an unknown name is created by Hike [I]."""
    if not record.categories:
        return []
    name = record.categories[0]
    type_id = ctx.hike_product_type_ids.get(_key(name))
    return [{"type_id": type_id}] if type_id is not None else [{"type_name": name}]


def _variant_label(record: ProductRecord, variant: VariantRecord) -> str:
    values = [value for _, value in variant.options] or [variant.sku or ""]
    return f"{record.name} / {' / '.join(values)}"


def _hike_dims_body(record: ProductRecord | VariantRecord, ctx: MappingContext) -> dict[str, Any]:
    if not ctx.options.shipping_details:
        return {}
    keys = ("weight", "width", "height", "depth") if isinstance(record, ProductRecord) else ("weight",)
    return {k: getattr(record, k) for k in keys if getattr(record, k) is not None}  # [I] field names


def _match_hike_variant(product_name: str, variant: VariantRecord,
                        existing: Sequence[HikeVariant]) -> HikeVariant | None:
    if variant.sku:
        wanted = variant.sku.strip().lower()
        found = next((v for v in existing if v.sku and v.sku.strip().lower() == wanted), None)
        if found is not None:
            return found
    labels = tuple(_key(value) for _, value in variant.options)
    return next((v for v in existing
                 if labels and tuple(_key(x) for x in _hike_variant_values(product_name, v)) == labels), None)


def hike_product_body(record: ProductRecord, ctx: MappingContext, existing: HikeProduct | None) -> dict[str, Any]:
    """The body for Hike's ``products/create``: a new product (``existing`` None) or the changed fields of
    ``existing`` with its ``id`` (``{}`` when nothing differs). Stock is only set on create (afterwards it moves
    with orders, S9); images are added by the engine (S17, ``hike_images``)."""
    tax_id = _hike_tax_from(record, ctx)
    stock = record.stock if record.track_inventory else None
    if existing is None:
        body: dict[str, Any] = {"name": record.name, "sku": _sku(record)}
        if record.barcode:
            body["barcode"] = record.barcode
        body["description"] = record.description_text  # S16: plain text
        body.update(_hike_brand(record, ctx))
        product_type = _hike_product_type(record, ctx)
        if product_type:
            body["product_type"] = product_type
        body["track_inventory"] = record.track_inventory
        body["isActive"] = True
        body["has_variants"] = bool(record.variants)
        body["sales_channels"] = [{"sales_channels": HIKE_POS_CHANNEL}, {"sales_channels": HIKE_ECOMMERCE_CHANNEL}]
        if record.variants:
            body["product_outlets"] = _hike_outlet_rows(ctx, prices={}, tax_id=tax_id, cost=None, stock=None)
            body["product_variants"] = [{
                "variant_name": _variant_label(record, v), "sku": _variant_sku(record, v),
                **({"barcode": v.barcode} if v.barcode else {}),
                "variant_sub_values": [{"variant_sub_value_name": value} for _, value in v.options],
                "variant_outlets": _hike_outlet_rows(
                    ctx, prices=_hike_price_fields(v.price_ex_tax, v.price_inc_tax), tax_id=tax_id, cost=v.cost,
                    stock=v.stock if record.track_inventory else None),
                **_hike_dims_body(v, ctx)} for v in record.variants]
        else:
            body["product_outlets"] = _hike_outlet_rows(
                ctx, prices=_hike_price_fields(record.price_ex_tax, record.price_inc_tax), tax_id=tax_id,
                cost=record.cost, stock=stock)
        body.update(_hike_dims_body(record, ctx))
        return body

    _check_shape(record, bool(existing.variants), "Hike")
    body = {}
    if not _same(record.name, existing.name):
        body["name"] = record.name
    if record.sku and record.sku.strip() and not _same(record.sku, existing.sku):
        body["sku"] = record.sku.strip()
    elif not (record.sku and record.sku.strip()) and not existing.sku:
        body["sku"] = _sku(record)
    if not _same(record.barcode or "", existing.barcode or ""):
        body["barcode"] = record.barcode or ""
    if record.description_text != normalize_text(existing.description):
        body["description"] = record.description_text  # BigCommerce -> Hike in both S16 modes
    if record.brand and _key(record.brand) != _key(existing.brand_name):
        body.update(_hike_brand(record, ctx))
    elif not record.brand and (existing.brand_id or existing.brand_name):
        body["brand_id"] = None  # the brand was taken off in BigCommerce
    if record.categories and _key(record.categories[0]) not in {_key(n) for n in existing.product_type_names}:
        body["product_type"] = _hike_product_type(record, ctx)
    if record.track_inventory != existing.track_inventory:
        body["track_inventory"] = record.track_inventory
    by_outlet = bool(Fields(existing.raw).bool("isPricingDifferentByOutlet"))
    if not record.variants:
        rows = _hike_price_changes(existing.outlets, ctx, record.price_ex_tax, record.price_inc_tax, tax_id,
                                   record.cost, by_outlet)
        if rows:
            body["product_outlets"] = rows
    variants = []
    for v in record.variants:
        match = _match_hike_variant(existing.name, v, existing.variants)
        if match is None:
            variants.append({
                "variant_name": _variant_label(record, v), "sku": _variant_sku(record, v),
                **({"barcode": v.barcode} if v.barcode else {}),
                "variant_sub_values": [{"variant_sub_value_name": value} for _, value in v.options],
                "variant_outlets": _hike_outlet_rows(
                    ctx, prices=_hike_price_fields(v.price_ex_tax, v.price_inc_tax), tax_id=tax_id, cost=v.cost,
                    stock=v.stock if record.track_inventory else None), **_hike_dims_body(v, ctx)})
            continue
        change: dict[str, Any] = {}
        if not _same(v.barcode or "", match.barcode or ""):
            change["barcode"] = v.barcode or ""
        rows = _hike_price_changes(match.outlets, ctx, v.price_ex_tax, v.price_inc_tax, tax_id, v.cost, by_outlet)
        if rows:
            change["variant_outlets"] = rows
        if ctx.options.shipping_details and v.weight is not None and not _same(
                v.weight, _hike_dims(match.raw)["weight"]):
            change["weight"] = v.weight
        if change:
            variants.append({"prod_variant_id": match.id, **change})
    if variants:
        body["product_variants"] = variants
    if ctx.options.shipping_details:
        theirs = _hike_dims(existing.raw)
        for key, mine in _hike_dims_body(record, ctx).items():
            if not _same(mine, theirs.get(key)):
                body[key] = mine
    return {"id": existing.id, **body} if body else {}


def _hike_price_changes(rows: Sequence[HikeOutletStock], ctx: MappingContext, ex: Decimal | None,
                        inc: Decimal | None, tax_id: int | None, cost: Decimal | None,
                        by_outlet: bool) -> list[dict[str, Any]]:
    """Changed price/tax/cost per outlet row: every outlet, or only the inventory outlet when the product is priced
    differently per outlet. Cost is only sent when it differs (Hike refuses cost edits under weighted average
    cost, API-NOTES A9)."""
    price_outlet = ctx.settings.price_outlet_id
    changes = []
    for row in rows:
        if by_outlet and row.outlet_id != price_outlet:
            continue
        change: dict[str, Any] = {}
        if ex is not None and not _same(ex, row.price_ex_tax):
            change["price_ex_tax"] = ex
        elif ex is None and inc is not None and not _same(inc, row.price_inc_tax):
            change["price_inc_tax"] = inc
        if tax_id is not None and tax_id != row.tax_id:
            change["tax_id"] = tax_id
        if cost is not None and not _same(cost, row.cost_price):
            change["cost_price"] = cost
        if change:
            changes.append({"outlet_id": row.outlet_id, **change})
    return changes


# ---------------------------------------------------------------------------------------------------------------
# D10: what syncs, its fingerprint, and the log's before -> after
def _money(value: Decimal | None) -> str | None:
    if value is None:
        return None
    with localcontext() as ctx:
        ctx.prec = 34
        return format(value.quantize(EX_TAX_QUANTUM, rounding=ROUND_HALF_UP), "f")


def _text(value: str | None) -> str | None:
    text = (value or "").strip()
    return text or None


def synced_fields(record: ProductRecord, direction: str, settings: Settings | ResolvedSettings) -> dict[str, Any]:
    """The canonical, JSON-safe values of exactly the fields that sync from ``record``'s side in ``direction``
    (``hike_to_bc`` or ``bc_to_hike``) under ``settings``. Money at 4 dp (12.5 and 12.50 are the same price),
    categories as a sorted set, variants sorted by SKU. The price is the one the stores are entered in (inc-tax
    when "tax inclusive"). Never: ids, dates, stock (inventory rules), active/eCommerce flags (they decide
    whether a product is sent, not what)."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
    s = _plain(settings)
    dims = s.shipping_details

    def price(ex: Decimal | None, inc: Decimal | None) -> str | None:
        chosen = (inc if inc is not None else ex) if s.tax_inclusive else (ex if ex is not None else inc)
        return _money(chosen)

    out: dict[str, Any] = {
        "name": _text(record.name), "sku": _text(record.sku), "barcode": _text(record.barcode),
        "price": price(record.price_ex_tax, record.price_inc_tax), "cost": _money(record.cost),
        "tax": jsonable(record.tax_key), "track_inventory": record.track_inventory,
        "brand": _text(record.brand),
    }
    to_bc = direction == HIKE_TO_BC
    if not to_bc or s.category_sync != "none":
        out["categories"] = sorted({c.strip() for c in record.categories if c and c.strip()}, key=str.casefold)
    if not to_bc or s.description_sync == "two_way":
        out["description"] = normalize_text(record.description_text)
    if not to_bc or s.image_sync == "two_way":
        out["images"] = list(record.image_urls)
    if dims:
        for key in ("weight", "width", "height", "depth"):
            out[key] = _money(getattr(record, key))
    variants = []
    for v in record.variants:
        item: dict[str, Any] = {"sku": _text(v.sku), "barcode": _text(v.barcode),
                                "options": [[n, value] for n, value in v.options],
                                "price": price(v.price_ex_tax, v.price_inc_tax), "cost": _money(v.cost)}
        if dims:
            item["weight"] = _money(v.weight)
        variants.append(item)
    out["variants"] = sorted(variants, key=lambda i: ((i["sku"] or "").casefold(), json.dumps(i["options"])))
    return out


FINGERPRINT_VERSION = 1


def fingerprint(record: ProductRecord, direction: str, settings: Settings | ResolvedSettings) -> str:
    """sha256 (hex) over the canonical JSON of ``synced_fields``. Store it for each side after a write; on the
    next pass an equal fingerprint means "nothing that syncs changed" (the app's own write echoing back, or a
    change to stock, dates or fields that do not sync), D10."""
    payload = {"v": FINGERPRINT_VERSION, "direction": direction, "fields": synced_fields(record, direction, settings)}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_DIFF_SKIP = {"side", "id", "modified_at"}


def diff(before: ProductRecord | Mapping[str, Any] | None, after: ProductRecord | Mapping[str, Any],
         fields: Iterable[str] | None = None) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for the fields that differ, JSON-safe (Decimal as text), for the per-record
    log (M2). Records or ``synced_fields`` dicts; ``before`` None (a create) lists every field. Numbers compare by
    value (12.5 == 12.50). ``fields`` defaults to every record field except side, id and modified_at."""
    def get(item: Any, name: str) -> Any:
        if item is None:
            return None
        if isinstance(item, Mapping):
            return item.get(name)
        return getattr(item, name)

    if fields is None:
        if isinstance(after, Mapping):
            names = list(dict.fromkeys([*(before if isinstance(before, Mapping) else {}), *after]))
        else:
            names = [n for n in PRODUCT_FIELDS if n not in _DIFF_SKIP]
    else:
        names = list(fields)
    out: dict[str, list[Any]] = {}
    for name in names:
        old, new = get(before, name), get(after, name)
        if before is None or not _values_equal(old, new):
            out[name] = [jsonable(old), jsonable(new)]
    return out


def _values_equal(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_values_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, VariantRecord) and isinstance(b, VariantRecord):
        return all(_values_equal(getattr(a, f.name), getattr(b, f.name)) for f in dc_fields(VariantRecord))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_values_equal(a[k], b[k]) for k in a)
    return a == b


# ---------------------------------------------------------------------------------------------------------------
# customers (desktop/sync/customers.py)
ENTITY = "customer"
FINGERPRINT_VERSION = 1
HIKE_SOURCE_BIGCOMMERCE = 5  # ``InvoiceFrom`` [A]: the customer came from BigCommerce
EMAIL_LOOKUP_CHUNK = 50


def norm_email(value: str | None) -> str:
    """D7: emails match trimmed and letter case aside."""
    return (value or "").strip().lower()


# -- the synced fields, the same shape for both stores -------------------------------------------------------------
@dataclass(frozen=True)
class CustomerFields:
    first_name: str
    last_name: str
    email: str
    phone: str
    company: str
    address: tuple[str, ...] | None  # address1, address2, city, state, postcode, country code

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["address"] = ", ".join(p for p in self.address if p) if self.address else None
        return out


def _address(*parts: str | None) -> tuple[str, ...] | None:
    cleaned = tuple((p or "").strip() for p in parts)
    cleaned = cleaned[:-1] + (cleaned[-1].upper(),)
    return cleaned if any(cleaned[:5]) else None


def hike_primary_address(c: HikeCustomer) -> HikeAddress | None:
    for address in (c.billing_address, c.shipping_address):
        if address is not None and _hike_address_key(address) is not None:
            return address
    return None


def _hike_address_key(a: HikeAddress | None) -> tuple[str, ...] | None:
    if a is None:
        return None
    return _address(a.address1, a.address2, a.city, a.state, a.postcode, a.country_code)


def bc_addresses(c: BCCustomer) -> list[dict[str, Any]]:
    return sorted((a for a in c.addresses if isinstance(a, dict)), key=lambda a: a.get("id") or 0)


def _bc_address_key(a: dict[str, Any] | None) -> tuple[str, ...] | None:
    if not a:
        return None
    return _address(a.get("address1"), a.get("address2"), a.get("city"), a.get("state_or_province"),
                    a.get("postal_code"), a.get("country_code"))


def from_hike(c: HikeCustomer) -> CustomerFields:
    return CustomerFields(c.first_name.strip(), c.last_name.strip(), (c.email or "").strip(), c.phone.strip(),
                          c.company_name.strip(), _hike_address_key(hike_primary_address(c)))


def from_bc(c: BCCustomer) -> CustomerFields:
    addresses = bc_addresses(c)
    return CustomerFields(c.first_name.strip(), c.last_name.strip(), c.email.strip(), c.phone.strip(),
                          c.company.strip(), _bc_address_key(addresses[0]) if addresses else None)


def customer_fingerprint(fields: CustomerFields) -> str:
    """sha256 over the canonical JSON of the synced fields (D10: equal means nothing that syncs changed)."""
    text = json.dumps({"v": FINGERPRINT_VERSION, "fields": asdict(fields)}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def customer_diff(before: CustomerFields | None, after: CustomerFields) -> dict[str, list[Any]]:
    old = before.as_dict() if before else {}
    return {k: [old.get(k), v] for k, v in after.as_dict().items() if before is None or old.get(k) != v}


def missing_for_bc(c: HikeCustomer) -> list[str]:
    """What BigCommerce needs that this Hike customer lacks (C.2: first name, last name and email)."""
    return [label for label, value in (("first name", c.first_name), ("last name", c.last_name),
                                       ("email", c.email)) if not (value or "").strip()]


# -- bodies --------------------------------------------------------------------------------------------------------
def bc_create_body(c: HikeCustomer) -> dict[str, Any]:
    body: dict[str, Any] = {"first_name": c.first_name.strip(), "last_name": c.last_name.strip(),
                            "email": (c.email or "").strip()}
    if c.phone.strip():
        body["phone"] = c.phone.strip()
    if c.company_name.strip():
        body["company"] = c.company_name.strip()
    addresses = []
    seen: set[tuple[str, ...]] = set()
    for address in (c.billing_address, c.shipping_address):
        key = _hike_address_key(address)
        if address is None or key is None or key in seen:
            continue
        seen.add(key)
        converted = _bc_address_body(address, c)
        if converted is not None:
            addresses.append(converted)
    if addresses:
        body["addresses"] = addresses
    return body


def _bc_address_body(a: HikeAddress, c: HikeCustomer) -> dict[str, Any] | None:
    """Only an address BigCommerce can hold (street, city and a two-letter country) goes across."""
    country = a.country_code.strip().upper()
    if not a.address1.strip() or not a.city.strip() or len(country) != 2:
        return None
    out = {"first_name": c.first_name.strip(), "last_name": c.last_name.strip(), "address1": a.address1.strip(),
           "address2": a.address2.strip(), "city": a.city.strip(), "state_or_province": a.state.strip(),
           "postal_code": a.postcode.strip(), "country_code": country, "address_type": "residential"}
    if c.company_name.strip():
        out["company"] = c.company_name.strip()
    phone = (a.receiver_phone or c.phone).strip()
    if phone:
        out["phone"] = phone
    return out


def _hike_address_body(a: dict[str, Any], address_id: int | None) -> dict[str, Any]:
    name = f"{a.get('first_name') or ''} {a.get('last_name') or ''}".strip()
    return {"id": address_id or 0, "address1": a.get("address1") or "", "address2": a.get("address2") or "",
            "city": a.get("city") or "", "state": a.get("state_or_province") or "",
            "postcode": a.get("postal_code") or "", "country_code": (a.get("country_code") or "").upper(),
            "country_name": a.get("country") or "", "receiverName": name, "receiverPhone": a.get("phone") or ""}


def hike_create_body(c: BCCustomer) -> dict[str, Any]:
    body: dict[str, Any] = {"first_name": c.first_name.strip(), "last_name": c.last_name.strip(),
                            "email": c.email.strip(), "phone": c.phone.strip(), "company_name": c.company.strip(),
                            "customerFrom": HIKE_SOURCE_BIGCOMMERCE}
    addresses = bc_addresses(c)
    if addresses:
        body["billing_address"] = _hike_address_body(addresses[0], None)
        body["shipping_address"] = _hike_address_body(addresses[1] if len(addresses) > 1 else addresses[0], None)
    return body


def hike_update_body(hike_c: HikeCustomer, bc_c: BCCustomer) -> dict[str, Any]:
    """BigCommerce's values for what differs; empty when Hike already has them."""
    have, want = from_hike(hike_c), from_bc(bc_c)
    body: dict[str, Any] = {}
    for name, key in (("first_name", "first_name"), ("last_name", "last_name"), ("email", "email"),
                      ("phone", "phone"), ("company", "company_name")):
        if getattr(have, name) != getattr(want, name) and (getattr(want, name) or name in ("phone", "company")):
            body[key] = getattr(want, name)
    addresses = bc_addresses(bc_c)
    if addresses and have.address != want.address:
        old_primary = hike_primary_address(hike_c)
        billing = hike_c.billing_address
        body["billing_address"] = _hike_address_body(addresses[0], billing.id if billing else None)
        shipping = hike_c.shipping_address
        if shipping is None or _hike_address_key(shipping) == _hike_address_key(old_primary):
            body["shipping_address"] = _hike_address_body(addresses[0], shipping.id if shipping else None)
    if body:
        body["id"] = hike_c.id
    return body


def bc_update_body(hike_c: HikeCustomer, bc_c: BCCustomer) -> dict[str, Any]:
    """Hike's values for what differs (never an empty name or email: BigCommerce needs them)."""
    have, want = from_bc(bc_c), from_hike(hike_c)
    body: dict[str, Any] = {}
    for name in ("first_name", "last_name", "email", "phone", "company"):
        value = getattr(want, name)
        if getattr(have, name) != value and (value or name in ("phone", "company")):
            body[name] = value
    if body:
        body["id"] = bc_c.id
    return body


def bc_address_body(hike_c: HikeCustomer, bc_c: BCCustomer) -> dict[str, Any] | None:
    """Hike's primary address for BigCommerce's first one when the two differ: an update of that address (the body
    has its ``id``) or, when the customer has none there, a new one (the body has ``customer_id``). None when they
    agree, or when Hike has no address or one BigCommerce cannot hold (an address is never cleared there)."""
    primary = hike_primary_address(hike_c)
    addresses = bc_addresses(bc_c)
    first = addresses[0] if addresses else None
    if primary is None or _hike_address_key(primary) == _bc_address_key(first):
        return None
    body = _bc_address_body(primary, hike_c)
    if body is None:
        return None
    # an address needs both names in BigCommerce; a Hike customer linked by email may lack one: the customer's own
    for name in ("first_name", "last_name"):
        body[name] = body[name] or getattr(bc_c, name).strip()
    return {"id": first["id"], **body} if first is not None else {"customer_id": bc_c.id, **body}
