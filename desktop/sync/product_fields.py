"""The product field table (D2, D10, S6, S7, S16, S17, S19): every synced product and variant field, declared once.

``PRODUCT_TABLE`` and ``VARIANT_TABLE`` (``field_table.Field`` entries) say for each field how it is compared, which
setting governs it, how it is read from each store (when the neutral record does not read it itself) and how it is
written to BigCommerce and to Hike on create and on update. ``synced_fields``, ``fingerprint`` and ``diff`` are
derived from them here; the request bodies in ``product_bodies``. Adding a synced field is one entry here (plus its
test): see "The field table" in ``docs/ARCHITECTURE.md``.

Canonical values (D10): money as text at 4 dp (12.5 and 12.50 are one price), text trimmed, descriptions as
normalised plain text (HTML compared by its text), categories as a sorted set, variants sorted by SKU. The price is
the one the stores are entered in (inc-tax when "tax inclusive"). Never compared: ids, dates, stock (inventory
rules, S9 and S13), the active and eCommerce flags (they decide whether a product is sent, not what).

Rules the entries encode: S7 (BigCommerce's price field is the chosen one when the product uses it, else ``price``;
a new product gets ``price`` and the chosen field), S16 (with "BigCommerce -> Hike only" a description goes to
BigCommerce once, on create; Hike always gets plain text), S17 (images go to BigCommerce once on create; uploads
to Hike are the engine's, ``hike_images``), S19 (categories are only added in BigCommerce, never taken away), S6
(weight and dimensions only with "shipping details"; a new BigCommerce product still needs a weight: 0), S18 (a
missing SKU is made up, ``skus``).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields as dc_fields
from decimal import Decimal
from typing import Any, Iterable, Mapping

from desktop.sync import ownership
from desktop.sync.field_table import (OUTLET_ROWS, Direct, Field, Write, anything, both_ways_when, equal,
                                      read_values, same_value, synced_values, text_value, to_bc_when)
from desktop.sync.hike_models import Fields
from desktop.sync.mapping_context import MappingContext, MappingError, name_key, options_of
from desktop.sync.money import money_text
from desktop.sync.plain_text import html_to_text, normalize_text, text_to_html
from desktop.sync.records import PRODUCT_FIELDS, ProductRecord, VariantRecord, jsonable
from desktop.sync.settings import ResolvedSettings, Settings
from desktop.sync.skus import product_sku, variant_sku
from desktop.sync.vocabulary import Direction, Side

HIKE_TO_BC = Direction.HIKE_TO_BC
BC_TO_HIKE = Direction.BC_TO_HIKE
DIRECTIONS = (HIKE_TO_BC, BC_TO_HIKE)
FINGERPRINT_VERSION = 1


@dataclass(frozen=True)
class Source:
    """What a write reads: the record being written, the context, and for a variant's fields the variant."""

    record: ProductRecord
    ctx: MappingContext
    variant: VariantRecord | None = None

    @property
    def item(self) -> ProductRecord | VariantRecord:
        return self.variant if self.variant is not None else self.record

    def value(self, name: str) -> Any:
        return self.item.get(name)


# -- canonical values ----------------------------------------------------------------------------------------------
def _text_of(name: str) -> Any:
    return lambda item, settings, direction: text_value(item.get(name))


def _money_of(name: str) -> Any:
    return lambda item, settings, direction: money_text(item.get(name))


def _price(item: ProductRecord | VariantRecord, settings: Settings, direction: str) -> str | None:
    ex, inc = item.price_ex_tax, item.price_inc_tax
    return money_text((inc if inc is not None else ex) if settings.tax_inclusive else (ex if ex is not None else inc))


def _categories(record: ProductRecord, settings: Settings, direction: str) -> list[str]:
    return sorted({c.strip() for c in record.categories if c and c.strip()}, key=str.casefold)


def _variants(record: ProductRecord, settings: Settings, direction: str) -> list[dict[str, Any]]:
    items = [synced_values(VARIANT_TABLE, v, settings, direction) for v in record.variants]
    return sorted(items, key=lambda i: ((i["sku"] or "").casefold(), json.dumps(i["options"])))


# -- reading the stores (for the fields the records do not read themselves) -------------------------------------------
def _stripped_name(product: Any, ctx: MappingContext | None) -> str:
    return (product.name or "").strip()


def _hike_number(*keys: str) -> Any:
    # [I] Hike's "shipping details" field names are not public: read the obvious ones when present
    return lambda item, ctx: Fields(item.raw).dec(*keys)


def _bc_number(key: str) -> Any:
    def read(item: Any, ctx: MappingContext | None) -> Decimal | None:
        value = item.raw.get(key)
        if value is None or value == "" or isinstance(value, bool):
            return None
        return value if isinstance(value, Decimal) else Decimal(str(value))
    return read


def hike_variant_values(parent_name: str, variant: Any) -> list[str]:
    """A Hike variant's option values: its sub-values, else what its name holds after the parent's name."""
    values = [v.strip() for v in variant.options if v and v.strip()]
    if values:
        return values
    name = variant.name or ""
    if parent_name and name.startswith(parent_name + " / "):
        name = name[len(parent_name) + 3:]
    return [v.strip() for v in name.split(" / ") if v.strip()] or ([variant.sku] if variant.sku else [])


# -- writes shared by products and variants ------------------------------------------------------------------------
def _bc_value(src: Source) -> Decimal | None:
    """The BigCommerce price of the item: as BigCommerce's prices are entered (with tax or without)."""
    return src.item.price_inc_tax if src.ctx.bc_prices_inc_tax else src.item.price_ex_tax


def bc_new_product_price(record: ProductRecord, ctx: MappingContext) -> Decimal:
    """A new BigCommerce product's price (required): its own, else its first variant's; MappingError if none."""
    value = _bc_value(Source(record, ctx))
    if value is None and record.variants:
        value = _bc_value(Source(record, ctx, record.variants[0]))
    if value is None:
        raise MappingError(f"“{record.name}” has no price BigCommerce can take: map its Hike tax to a "
                           "BigCommerce tax class so the price can be converted.")
    return value


def _bc_price_create(src: Source) -> dict[str, Any]:
    value = _bc_value(src) if src.variant is not None else bc_new_product_price(src.record, src.ctx)
    if value is None:
        return {}
    body = {"price": value}
    if src.ctx.price_type != "price":
        body[src.ctx.price_type] = value
    return body


def _bc_price_update(src: Source, existing: Any) -> dict[str, Any]:
    """S7 on update: the chosen field when the product (or variant) uses it, else the overall price."""
    value, price_type = _bc_value(src), src.ctx.price_type
    chosen = getattr(existing, price_type) if price_type != "price" else None
    key = price_type if chosen is not None and chosen != 0 else "price"
    return {key: value} if value is not None and not same_value(value, getattr(existing, key)) else {}


def _hike_price_create(src: Source) -> dict[str, Any]:
    if src.item.price_ex_tax is not None:
        return {"price_ex_tax": src.item.price_ex_tax}
    if src.item.price_inc_tax is not None:
        return {"price_inc_tax": src.item.price_inc_tax}  # no rate known: Hike works the ex-tax price out [I]
    return {}


def _hike_price_update(src: Source, row: Any) -> dict[str, Any]:
    ex, inc = src.item.price_ex_tax, src.item.price_inc_tax
    if ex is not None and not same_value(ex, row.price_ex_tax):
        return {"price_ex_tax": ex}
    if ex is None and inc is not None and not same_value(inc, row.price_inc_tax):
        return {"price_inc_tax": inc}
    return {}


def bc_tax_class(src: Source) -> int | None:
    record, ctx = src.record, src.ctx
    if record.side == Side.BIGCOMMERCE:
        return record.tax_key if isinstance(record.tax_key, int) else None
    return ctx.settings.bc_tax_class_for(ctx.hike_tax_id(record.tax_key))


def hike_tax(src: Source) -> int | None:
    record, ctx = src.record, src.ctx
    if record.side == Side.HIKE:
        return ctx.hike_tax_id(record.tax_key)
    return ctx.settings.hike_tax_for(record.tax_key if isinstance(record.tax_key, int) else None)


def bc_tracking(record: ProductRecord) -> str:
    if not record.track_inventory:
        return "none"
    return "variant" if record.variants else "product"


BC_BARCODE = Direct("upc", create_if=bool, update_if=anything, blank="")
HIKE_BARCODE = Direct("barcode", create_if=bool, update_if=anything, blank="")
BC_PRICE = Write(_bc_price_create, _bc_price_update)
HIKE_PRICE = Write(_hike_price_create, _hike_price_update, place=OUTLET_ROWS)
BC_COST = Direct("cost_price", theirs=lambda item: item.cost_price)
# a product with variants: Hike keeps its costs on the variants and none of its own (its parent rows read 0), so
# BigCommerce's product-level cost is never updated from it (issue 20, found by the drift report: any change of the
# product in Hike set BigCommerce's own cost to 0). Created as before.
BC_PRODUCT_COST = Direct("cost_price", theirs=lambda item: item.cost_price,
                         mine=lambda src: None if src.record.variants else src.record.cost,
                         create=lambda src: {} if src.record.cost is None else {"cost_price": src.record.cost})
# cost is only sent when it differs: Hike refuses cost edits under weighted average cost (API-NOTES A9)
HIKE_COST = Direct("cost_price", theirs=lambda row: row.cost_price, place=OUTLET_ROWS)


# -- product-only writes -------------------------------------------------------------------------------------------
def _sku_update(src: Source, existing: Any) -> dict[str, Any]:
    """A changed SKU; a made-up one (S18) only when the store has none either."""
    sku = src.record.sku
    if sku and sku.strip():
        return {} if same_value(sku, existing.sku) else {"sku": sku.strip()}
    return {} if existing.sku else {"sku": product_sku(src.record)}


def _bc_brand_create(src: Source) -> dict[str, Any]:
    brand_id = src.ctx.bc_brand_ids.get(name_key(src.record.brand)) if src.record.brand else None
    return {"brand_id": brand_id} if brand_id is not None else {}


def _bc_brand_update(src: Source, existing: Any) -> dict[str, Any]:
    if src.record.brand:
        brand_id = src.ctx.bc_brand_ids.get(name_key(src.record.brand))
        return {"brand_id": brand_id} if brand_id is not None and brand_id != existing.brand_id else {}
    return {"brand_id": 0} if existing.brand_id else {}  # the brand was taken off in Hike


def _hike_brand_create(src: Source) -> dict[str, Any]:
    brand = src.record.brand
    if not brand:
        return {}
    brand_id = src.ctx.hike_brand_ids.get(name_key(brand))
    return {"brand_id": brand_id} if brand_id is not None else {"bran_name": brand}  # [D] sic


def _hike_brand_update(src: Source, existing: Any) -> dict[str, Any]:
    if src.record.brand:
        return _hike_brand_create(src) if name_key(src.record.brand) != name_key(existing.brand_name) else {}
    return {"brand_id": None} if existing.brand_id or existing.brand_name else {}  # taken off in BigCommerce


def bc_category_ids(record: ProductRecord, ctx: MappingContext) -> list[int]:
    ids = [ctx.bc_category_ids.get(name_key(c)) for c in record.categories]
    return list(dict.fromkeys(i for i in ids if i is not None))


def _bc_categories_create(src: Source) -> dict[str, Any]:
    categories = bc_category_ids(src.record, src.ctx)
    return {"categories": categories} if categories else {}


def _bc_categories_update(src: Source, existing: Any) -> dict[str, Any]:
    # additive: BigCommerce's category tree is usually richer than Hike's one product type, and a PUT with
    # ``categories`` replaces them all, so categories are added, never taken away
    wanted = [c for c in bc_category_ids(src.record, src.ctx) if c not in existing.categories]
    return {"categories": list(existing.categories) + wanted} if wanted else {}


def _hike_product_type_create(src: Source) -> dict[str, Any]:
    """Hike shows one product type: the first category; an unknown name is created by Hike [I]."""
    if not src.record.categories:
        return {}
    name = src.record.categories[0]
    type_id = src.ctx.hike_product_type_ids.get(name_key(name))
    return {"product_type": [{"type_id": type_id}] if type_id is not None else [{"type_name": name}]}


def _hike_product_type_update(src: Source, existing: Any) -> dict[str, Any]:
    categories = src.record.categories
    if categories and name_key(categories[0]) not in {name_key(n) for n in existing.product_type_names}:
        return _hike_product_type_create(src)
    return {}


def _bc_description_create(src: Source) -> dict[str, Any]:
    description = src.record.description_html or text_to_html(src.record.description_text)
    return {"description": description} if description else {}


def _bc_description_update(src: Source, existing: Any) -> dict[str, Any]:
    text = src.record.description_text
    return {"description": text_to_html(text)} if text != html_to_text(existing.description) else {}


def _bc_images_create(src: Source) -> dict[str, Any]:
    urls = src.record.image_urls
    return {"images": [{"image_url": url, "is_thumbnail": i == 0, "sort_order": i}
                       for i, url in enumerate(urls)]} if urls else {}


def _bc_weight_create(src: Source) -> dict[str, Any]:
    """BigCommerce requires a weight: the record's with "shipping details" on, else 0."""
    weight = src.record.weight
    return {"weight": weight if src.ctx.options.shipping_details and weight is not None else Decimal(0)}


def _variant_label(src: Source) -> str:
    values = [value for _, value in src.variant.options] or [src.variant.sku or ""]  # type: ignore[union-attr]
    return f"{src.record.name} / {' / '.join(values)}"


def _variant_sku_create(src: Source) -> dict[str, Any]:
    return {"sku": variant_sku(src.record, src.variant)}  # type: ignore[arg-type]


# -- the tables ----------------------------------------------------------------------------------------------------
SHIPPING_DETAILS = both_ways_when(lambda s: s.shipping_details)  # S6

VARIANT_TABLE: tuple[Field, ...] = (
    Field("sku", "SKU", _text_of("sku"), read_hike=lambda v, ctx: v.sku, read_bc=lambda v, ctx: v.sku or None,
          bc=Write(_variant_sku_create), hike=Write(_variant_sku_create)),
    Field("barcode", "Barcode", _text_of("barcode"), read_hike=lambda v, ctx: v.barcode,
          read_bc=lambda v, ctx: v.upc or None, bc=BC_BARCODE, hike=HIKE_BARCODE),
    Field("options", "Options", lambda v, s, d: [[n, value] for n, value in v.options],
          bc=Write(lambda src: {"option_values": [{"option_display_name": n, "label": value}
                                                  for n, value in src.variant.options]}),
          hike=Write(lambda src: {"variant_name": _variant_label(src), "variant_sub_values": [
              {"variant_sub_value_name": value} for _, value in src.variant.options]})),
    Field("price", "Price", _price, bc=BC_PRICE, hike=HIKE_PRICE),
    Field("cost", "Cost", _money_of("cost"), bc=BC_COST, hike=HIKE_COST),
    Field("weight", "Weight", _money_of("weight"), SHIPPING_DETAILS, read_hike=_hike_number("weight"),
          read_bc=lambda v, ctx: v.weight, bc=Direct("weight"), hike=Direct("weight")),
)

PRODUCT_TABLE: tuple[Field, ...] = (
    Field("name", "Name", _text_of("name"), read_hike=_stripped_name, read_bc=_stripped_name,
          bc=Direct("name", create_if=anything, update_if=anything),
          hike=Direct("name", create_if=anything, update_if=anything)),
    Field("sku", "SKU", _text_of("sku"), read_hike=lambda p, ctx: p.sku, read_bc=lambda p, ctx: p.sku or None,
          bc=Write(lambda src: {"sku": product_sku(src.record)}, _sku_update),
          hike=Write(lambda src: {"sku": product_sku(src.record)}, _sku_update)),
    Field("barcode", "Barcode", _text_of("barcode"), read_hike=lambda p, ctx: p.barcode,
          read_bc=lambda p, ctx: p.upc or None, bc=BC_BARCODE, hike=HIKE_BARCODE),
    Field("price", "Price", _price, bc=BC_PRICE, hike=HIKE_PRICE),
    Field("cost", "Cost", _money_of("cost"), bc=BC_PRODUCT_COST, hike=HIKE_COST),
    Field("tax", "Tax", lambda p, s, d: jsonable(p.tax_key),
          bc=Direct("tax_class_id", mine=bc_tax_class, theirs=lambda p: p.tax_class_id),
          hike=Direct("tax_id", mine=hike_tax, theirs=lambda row: row.tax_id, place=OUTLET_ROWS)),
    Field("track_inventory", "Track inventory", lambda p, s, d: p.track_inventory,
          bc=Direct("inventory_tracking", anything, anything, equal, mine=lambda src: bc_tracking(src.record),
                    theirs=lambda p: p.inventory_tracking),
          hike=Direct("track_inventory", anything, anything, equal, theirs=lambda p: p.track_inventory)),
    Field("brand", "Brand", _text_of("brand"), bc=Write(_bc_brand_create, _bc_brand_update),
          hike=Write(_hike_brand_create, _hike_brand_update)),
    Field("categories", "Categories", _categories, to_bc_when(lambda s: s.category_sync != "none"),  # S19
          bc=Write(_bc_categories_create, _bc_categories_update),
          hike=Write(_hike_product_type_create, _hike_product_type_update)),
    Field("description", "Description", lambda p, s, d: normalize_text(p.description_text),
          to_bc_when(lambda s: s.description_sync == "two_way"),  # S16
          bc=Write(_bc_description_create, _bc_description_update, on_every_create=True),
          hike=Direct("description", anything, anything, equal, mine=lambda src: src.record.description_text,
                      theirs=lambda p: normalize_text(p.description))),  # S16: plain text
    Field("images", "Images", lambda p, s, d: list(p.image_urls),
          to_bc_when(lambda s: s.image_sync == "two_way"),  # S17: to Hike by the engine (hike_images)
          bc=Write(_bc_images_create, on_every_create=True)),
    Field("weight", "Weight", _money_of("weight"), SHIPPING_DETAILS, read_hike=_hike_number("weight"),
          read_bc=lambda p, ctx: p.weight, bc=Direct("weight", create=_bc_weight_create, on_every_create=True),
          hike=Direct("weight")),
    Field("width", "Width", _money_of("width"), SHIPPING_DETAILS, read_hike=_hike_number("width"),
          read_bc=_bc_number("width"), bc=Direct("width"), hike=Direct("width")),
    Field("height", "Height", _money_of("height"), SHIPPING_DETAILS, read_hike=_hike_number("height"),
          read_bc=_bc_number("height"), bc=Direct("height"), hike=Direct("height")),
    Field("depth", "Depth", _money_of("depth"), SHIPPING_DETAILS, read_hike=_hike_number("depth", "length"),
          read_bc=_bc_number("depth"), bc=Direct("depth"), hike=Direct("depth")),
    Field("variants", "Variants", _variants),  # written variant by variant (VARIANT_TABLE, product_bodies)
)


# -- derived: what syncs, its fingerprint, the log's before -> after -----------------------------------------------
def synced_fields(record: ProductRecord, direction: str, settings: Settings | ResolvedSettings) -> dict[str, Any]:
    """The canonical, JSON-safe values of exactly the fields that sync from ``record``'s side in ``direction``
    (``hike_to_bc`` or ``bc_to_hike``) under ``settings`` (see the module docstring)."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
    return synced_values(PRODUCT_TABLE, record, options_of(settings), direction)


def fingerprint(record: ProductRecord, direction: str, settings: Settings | ResolvedSettings) -> str:
    """sha256 (hex) over the canonical JSON of ``synced_fields``. Store it for each side after a write; on the
    next pass an equal fingerprint means "nothing that syncs changed" (the app's own write echoing back, or a
    change to stock, dates or fields that do not sync), D10."""
    return fingerprint_of(synced_fields(record, direction, settings), direction)


def fingerprint_of(values: Mapping[str, Any], direction: str) -> str:
    """``fingerprint`` of ``synced_fields`` values already taken (``product_writes.expected_fingerprint``)."""
    payload = {"v": FINGERPRINT_VERSION, "direction": direction, "fields": dict(values)}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Record attributes a diff may carry (a create lists the whole record) that no table row is named for
RECORD_LABELS = {
    "description_html": "Description", "description_text": "Description (plain text)",
    "price_ex_tax": "Price excl. tax", "price_inc_tax": "Price incl. tax", "tax_key": "Tax", "stock": "Stock",
    "active": "Visible", "ecommerce": "On the online store", "composite": "Composite product",
    "image_urls": "Images", "modified_at": "Last changed",
}


def field_label(name: str) -> str:
    """How people see a field ("Price"): the table's label, else the record attribute's (``price_inc_tax`` is
    "Price incl. tax"), else the name itself."""
    found = next((f for f in (*PRODUCT_TABLE, *VARIANT_TABLE) if f.name == name), None)
    return found.label if found is not None else RECORD_LABELS.get(name, name)


_DIFF_SKIP = {"side", "id", "modified_at", "extra"}


def diff(before: ProductRecord | Mapping[str, Any] | None, after: ProductRecord | Mapping[str, Any],
         fields: Iterable[str] | None = None) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for the fields that differ, JSON-safe (Decimal as text), for the per-record
    log (M2). Records or ``synced_fields`` dicts; ``before`` None (a create) lists every field. Numbers compare by
    value (12.5 == 12.50). ``fields`` defaults to every record field (the table-only ones too) except side, id
    and modified_at."""
    def get(item: Any, name: str) -> Any:
        return None if item is None else item.get(name)

    if fields is None:
        if isinstance(after, Mapping):
            names = list(dict.fromkeys([*(before if isinstance(before, Mapping) else {}), *after]))
        else:
            extra = [n for item in (before, after) if isinstance(item, ProductRecord) for n, _ in item.extra]
            names = list(dict.fromkeys([*(n for n in PRODUCT_FIELDS if n not in _DIFF_SKIP), *extra]))
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


def record_values(table: Iterable[Field], side: str, item: Any, ctx: MappingContext,
                  attributes: Iterable[str]) -> dict[str, Any]:
    """Keyword arguments for a record read from ``side``: the table's readable fields, each under its attribute,
    or in ``extra`` when the record has no attribute of that name."""
    values = read_values(table, side, item, ctx)
    own = set(attributes)
    return {**{k: v for k, v in values.items() if k in own},
            "extra": tuple((k, v) for k, v in values.items() if k not in own)}



def declared_rule(name: str, settings: Settings | ResolvedSettings | None) -> str:
    """The rule (``ownership``) the product field ``name`` follows when the shop set none: how the table declares
    it under the current options (S6, S16, S19), e.g. the description is BigCommerce's unless it syncs both ways."""
    field = next(f for f in PRODUCT_TABLE if f.name == name)
    options = options_of(settings) if settings is not None else None
    return ownership.rule_for(field.syncs(options, Direction.HIKE_TO_BC), field.syncs(options, Direction.BC_TO_HIKE))
