"""Product records from the stores, and what is sent at all (D2, D5, S1, S4, S7, S14, S18, S19): pure, no I/O.

``product_from_hike`` / ``product_from_bc`` turn the clients' dataclasses into neutral ``ProductRecord``s; the
fields the field table can read itself (``product_fields``: name, SKU, barcode, weight and dimensions, and any
field only the table knows) are read by its entries, the rest here where they need the context: prices (D3, by the
price outlet's tax in Hike; S7's chosen field in BigCommerce), cost, tax, stock (S1, S4), categories, brand,
description (S16: Hike's plain text, BigCommerce's HTML), images, variants and their option names.
``skip_reason_to_bc`` / ``skip_reason_to_hike`` say why a product is not sent (S14, S18); ``missing_bc_refs`` what
BigCommerce must create first (S19).

The engine's mapping functions are named here, where it has always found them: the bodies, synced fields,
fingerprints and diffs come from the field table (``product_fields``, ``product_bodies``), money from ``money``,
text from ``plain_text``, the context from ``mapping_context``.

- D5: gift cards, offers, loyalty points, suppliers, purchase orders and third-party fields are never read or
  written (``NEVER_MAPPED``).
- S14: composite Hike products are not sent (their parts are ordinary products and are); a Hike product without
  the eCommerce channel is not sent; an inactive one with the channel still is.
- Stock is not part of a product body on update or of a fingerprint: it moves through the inventory rules
  (S9, S13), compared as quantities.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Mapping, Sequence

from desktop.sync.bigcommerce import BCProduct, BCVariant
from desktop.sync.hike_models import Fields, HikeOutletStock, HikeProduct
from desktop.sync.mapping_context import MappingContext, MappingError, name_key, options_of
from desktop.sync.money import ex_from_inc, inc_from_ex
from desktop.sync import product_fields
from desktop.sync.plain_text import html_to_text, normalize_text, text_to_html
from desktop.sync.product_bodies import bc_product_body, bc_variant_create_bodies, hike_product_body
from desktop.sync.product_fields import (BC_TO_HIKE, DIRECTIONS, HIKE_TO_BC, diff, fingerprint, hike_variant_values,
                                         record_values, synced_fields)
from desktop.sync.records import PRODUCT_FIELDS, VARIANT_FIELDS, ProductRecord, VariantRecord
from desktop.sync.settings import ResolvedSettings, Settings
from desktop.sync.skus import auto_sku, needs_auto_sku
from desktop.sync.vocabulary import Side

__all__ = [  # what the engine and its tests use from here
    "BC_TO_HIKE", "DIRECTIONS", "HIKE_TO_BC", "NEVER_MAPPED", "PRODUCT_FIELDS", "MappingContext", "MappingError",
    "MissingRefs", "auto_sku", "bc_product_body", "bc_variant_create_bodies", "diff", "fingerprint",
    "hike_product_body", "hike_stock_level", "is_composite", "missing_bc_refs", "product_from_bc",
    "product_from_hike", "skip_reason_to_bc", "skip_reason_to_hike", "synced_fields"]

# D5: never read from either side, never written to either side
NEVER_MAPPED = frozenset({
    # Hike: loyalty, suppliers / purchase orders, custom and plug-in fields, gift cards, offers
    "additional_reward_points", "product_suppliers", "supplier_code", "purchase_code", "customField",
    "loyalty_points", "gift_card", "offers",
    # BigCommerce: third-party and plug-in data, gift wrapping, price rules and offers
    "custom_fields", "metafields", "bulk_pricing_rules", "gift_wrapping_options_type", "gift_wrapping_options_list",
    "modifiers", "reviews",
})


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


def product_from_hike(product: HikeProduct, ctx: MappingContext) -> ProductRecord:
    row = _price_row(product.outlets, ctx)
    ex, inc = _hike_prices(row, ctx)
    tax_id = row.tax_id if row else None
    tax_key: str | int | None = (row.tax_name if row else None) or ctx.hike_tax_names.get(tax_id) or tax_id
    variants: list[VariantRecord] = []
    value_lists = [hike_variant_values(product.name, v) for v in product.variants]
    names = _hike_option_names(product, max((len(v) for v in value_lists), default=0))
    for variant, values in zip(product.variants, value_lists):
        vrow = _price_row(variant.outlets, ctx)
        vex, vinc = _hike_prices(vrow, ctx)
        if vex is None and vinc is None:
            vex, vinc = ex, inc
        option_names = names if len(names) == len(values) else (
            ["Option"] if len(values) == 1 else [f"Option {i + 1}" for i in range(len(values))])
        variants.append(VariantRecord(
            id=variant.id, options=tuple(zip(option_names, values)), price_ex_tax=vex, price_inc_tax=vinc,
            cost=vrow.cost_price if vrow else None, stock=_hike_stock(variant.outlets, ctx),
            **record_values(product_fields.VARIANT_TABLE, Side.HIKE, variant, ctx, VARIANT_FIELDS)))
    if variants and not ex and not inc:  # a variant parent's own row often has no price (0): the first variant's
        ex, inc = variants[0].price_ex_tax, variants[0].price_inc_tax
    categories = list(product.product_type_names) or [
        ctx.hike_product_type_names[t] for t in product.product_type_ids if t in ctx.hike_product_type_names]
    text = normalize_text(product.description)
    return ProductRecord(
        side=Side.HIKE, id=product.id, description_html=text_to_html(text), description_text=text,
        price_ex_tax=ex, price_inc_tax=inc, cost=row.cost_price if row else None, tax_key=tax_key,
        track_inventory=product.track_inventory,
        stock=sum((v.stock for v in variants), Decimal(0)) if variants else _hike_stock(product.outlets, ctx),
        categories=tuple(c for c in categories if c),
        brand=product.brand_name or (ctx.hike_brand_names.get(product.brand_id) if product.brand_id else None),
        active=product.is_active, ecommerce=product.is_ecommerce, composite=is_composite(product),
        image_urls=tuple(product.image_urls), variants=tuple(variants), modified_at=product.last_modified,
        **record_values(product_fields.PRODUCT_TABLE, Side.HIKE, product, ctx, PRODUCT_FIELDS))


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
                id=v.id, options=tuple((str(n), str(label)) for n, label in v.option_values), price_ex_tax=vex,
                price_inc_tax=vinc, cost=v.cost_price if v.cost_price is not None else product.cost_price,
                stock=Decimal(v.inventory_level),
                **record_values(product_fields.VARIANT_TABLE, Side.BIGCOMMERCE, v, ctx, VARIANT_FIELDS)))
    if product.inventory_tracking == "variant" and variants:
        stock = sum((v.stock for v in variants), Decimal(0))
    else:
        stock = Decimal(product.inventory_level)
    text = html_to_text(product.description)
    return ProductRecord(
        side=Side.BIGCOMMERCE, id=product.id, description_html=product.description or "", description_text=text,
        price_ex_tax=ex, price_inc_tax=inc, cost=product.cost_price, tax_key=product.tax_class_id,
        track_inventory=product.inventory_tracking != "none", stock=stock,
        categories=tuple(ctx.bc_category_names[c] for c in product.categories if c in ctx.bc_category_names),
        brand=ctx.bc_brand_names.get(product.brand_id) if product.brand_id else None, active=product.is_visible,
        ecommerce=True, composite=False, image_urls=_bc_image_urls(product), variants=tuple(variants),
        modified_at=product.date_modified,
        **record_values(product_fields.PRODUCT_TABLE, Side.BIGCOMMERCE, product, ctx, PRODUCT_FIELDS))


# ---------------------------------------------------------------------------------------------------------------
# what is sent at all
def skip_reason_to_bc(record: ProductRecord, settings: Settings | ResolvedSettings) -> str | None:
    """Why a Hike product is not sent to BigCommerce, or None when it is (S14, S18)."""
    s = options_of(settings)
    if record.composite:
        return "Composite products are not sent to BigCommerce; the products they are made of are."
    if not record.ecommerce:
        return "The product is not on Hike's eCommerce sales channel."
    if s.non_sku_products == "skip" and needs_auto_sku(record):
        return "The product has no SKU, and products without a SKU are set to be skipped."
    return None  # an inactive product on the eCommerce channel still syncs (Hike FAQ 5)


def skip_reason_to_hike(record: ProductRecord, settings: Settings | ResolvedSettings) -> str | None:
    """Why a BigCommerce product is not sent to Hike, or None when it is (S18)."""
    if options_of(settings).non_sku_products == "skip" and needs_auto_sku(record):
        return "The product has no SKU, and products without a SKU are set to be skipped (their orders too)."
    return None


@dataclass(frozen=True)
class MissingRefs:
    """Names a BigCommerce body needs an id for, that the store does not have yet (create them first, S19)."""

    categories: tuple[str, ...] = ()
    brand: str | None = None


def missing_bc_refs(record: ProductRecord, ctx: MappingContext) -> MissingRefs:
    categories = () if ctx.options.category_sync == "none" else tuple(
        c for c in dict.fromkeys(record.categories) if name_key(c) not in ctx.bc_category_ids)
    brand = record.brand if record.brand and name_key(record.brand) not in ctx.bc_brand_ids else None
    return MissingRefs(categories, brand)
