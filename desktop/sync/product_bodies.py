"""Product request bodies for both stores, assembled from the field table (``product_fields``).

``bc_product_body`` / ``hike_product_body`` create a record on the other side (``existing`` None) or update only
what differs there (``{}`` when nothing does); ``bc_variant_create_bodies`` adds the variants BigCommerce lacks.
Every synced key comes from a table entry (``create_keys`` / ``update_keys``); what is written here is only what
no field owns: BigCommerce's product type and visibility, Hike's active flag and sales channels, stock on create
(afterwards it moves by the inventory rules, S9 and S13), Hike's outlet rows (S12) and matching variants.
Simple stays simple and variant stays variant (D2): an update that would turn one into the other raises
``MappingError``.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from desktop.sync import product_fields as table
from desktop.sync.bigcommerce import BCProduct, BCVariant
from desktop.sync.field_table import OUTLET_ROWS, Field, create_keys, update_keys
from desktop.sync.hike_models import Fields, HikeOutletStock, HikeProduct, HikeVariant
from desktop.sync.mapping_context import MappingContext, MappingError, name_key
from desktop.sync.money import bc_inventory_level
from desktop.sync.product_fields import Source, bc_new_product_price, bc_tracking, hike_variant_values
from desktop.sync.records import ProductRecord, VariantRecord
from desktop.sync.settings import DEFAULT_LOCATION_ID
from desktop.sync.vocabulary import Side

HIKE_POS_CHANNEL = "1"
HIKE_ECOMMERCE_CHANNEL = "2"
BC, HIKE = Side.BIGCOMMERCE, Side.HIKE


def _check_shape(record: ProductRecord, has_variants_there: bool, there: str) -> None:
    """D2: simple stays simple, variant stays variant."""
    if bool(record.variants) != has_variants_there:
        here = "a product with variants" if record.variants else "a simple product"
        other = "a product with variants" if has_variants_there else "a simple product"
        raise MappingError(f"“{record.name}” is {here} on one side but {other} in {there}: a simple product stays "
                           "simple and a variant product stays a variant product. Make them the same kind by "
                           "hand, then sync again.")


def _product_wide() -> tuple[Field, ...]:
    """Product fields its variants do not declare (tax): a variant product writes them in every variant's rows."""
    per_variant = {f.name for f in table.VARIANT_TABLE}
    return tuple(f for f in table.PRODUCT_TABLE if f.name not in per_variant)


# -- BigCommerce ---------------------------------------------------------------------------------------------------
def _bc_stock_in_body(ctx: MappingContext) -> bool:
    """The Catalog API writes the default location's stock only; other locations go through the Inventory API."""
    return ctx.options.hike_to_bc.inventory and ctx.settings.bc_location_id == DEFAULT_LOCATION_ID


def _bc_new_variant(record: ProductRecord, variant: VariantRecord, ctx: MappingContext,
                    with_stock: bool) -> dict[str, Any]:
    body = create_keys(table.VARIANT_TABLE, BC, Source(record, ctx, variant), ctx.options)
    if with_stock and record.track_inventory:
        body["inventory_level"] = bc_inventory_level(variant.stock)
    return body


def _match_variant(variant: VariantRecord, existing: Sequence[Any],
                   option_values: Callable[[Any], Iterable[str]]) -> Any:
    """The existing variant with this variant's SKU (letter case and spaces aside), else the one with its option
    values; None when neither is there (a new variant)."""
    if variant.sku:
        wanted = variant.sku.strip().lower()
        found = next((v for v in existing if v.sku and v.sku.strip().lower() == wanted), None)
        if found is not None:
            return found
    labels = tuple(name_key(value) for _, value in variant.options)
    return next((v for v in existing if labels and tuple(name_key(x) for x in option_values(v)) == labels), None)


def _match_bc_variant(variant: VariantRecord, existing: Sequence[BCVariant]) -> BCVariant | None:
    return _match_variant(variant, existing, lambda v: (label for _, label in v.option_values))


def _match_hike_variant(product_name: str, variant: VariantRecord,
                        existing: Sequence[HikeVariant]) -> HikeVariant | None:
    return _match_variant(variant, existing, lambda v: hike_variant_values(product_name, v))


def bc_product_body(record: ProductRecord, ctx: MappingContext, existing: BCProduct | None,
                    written: set[str] | None = None) -> dict[str, Any]:
    """The body that creates ``record`` in BigCommerce (``existing`` None; variants inline) or updates
    ``existing`` (only the fields that differ; ``{}`` when nothing does). New variants of an existing product
    are created with ``bc_variant_create_bodies``. ``written`` gains the names of the fields an update writes."""
    source = Source(record, ctx)
    if existing is None:
        bc_new_product_price(record, ctx)  # a product BigCommerce can't price is refused before anything else
        body: dict[str, Any] = {**create_keys(table.PRODUCT_TABLE, BC, source, ctx.options), "type": "physical"}
        if _bc_stock_in_body(ctx) and bc_tracking(record) == "product":
            body["inventory_level"] = bc_inventory_level(record.stock)
        body["is_visible"] = record.active
        if record.variants:
            body["variants"] = [_bc_new_variant(record, v, ctx, _bc_stock_in_body(ctx)) for v in record.variants]
        return body
    _check_shape(record, existing.has_options, "BigCommerce")
    body = update_keys(table.PRODUCT_TABLE, BC, source, existing, ctx.options, written=written)
    variants = []
    for variant in record.variants:
        match = _match_bc_variant(variant, existing.variants)
        if match is not None:  # a new variant: bc_variant_create_bodies
            change = update_keys(table.VARIANT_TABLE, BC, Source(record, ctx, variant), match, ctx.options)
            if change:
                variants.append({"id": match.id, **change})
    if variants:
        body["variants"] = variants
        _note(written, "variants")
    return body


def bc_variant_create_bodies(record: ProductRecord, ctx: MappingContext,
                             existing: BCProduct) -> list[dict[str, Any]]:
    """Bodies for ``POST /catalog/products/{id}/variants``: the record's variants BigCommerce does not have yet."""
    _check_shape(record, existing.has_options, "BigCommerce")
    return [_bc_new_variant(record, v, ctx, False) for v in record.variants
            if _match_bc_variant(v, existing.variants) is None]


# -- Hike ----------------------------------------------------------------------------------------------------------
def _hike_outlet_rows(ctx: MappingContext, parts: dict[str, Any], stock: Any) -> list[dict[str, Any]]:
    """One row per outlet (S12: visible in all or only the connected ones) with the fields' row keys; stock only
    in the inventory outlet, where BigCommerce's stock lands (S1)."""
    r = ctx.settings
    outlets = list(r.hike_outlet_ids) or [r.inventory_outlet_id]
    for extra in (r.inventory_outlet_id, r.ecommerce_outlet_id):
        if extra is not None and extra not in outlets:
            outlets.append(extra)
    visible = set(r.visible_outlet_ids)
    rows = []
    for oid in outlets:
        row: dict[str, Any] = {"outlet_id": oid, **parts}
        if stock is not None and oid == r.inventory_outlet_id:
            row["on_hand_inventory"] = stock
        row["visible_or_not"] = oid in visible
        rows.append(row)
    return rows


def _note(written: set[str] | None, name: str) -> None:
    if written is not None:
        written.add(name)


def _hike_row_changes(rows: Sequence[HikeOutletStock], writes: Iterable[tuple[Sequence[Field], Source]],
                      ctx: MappingContext, by_outlet: bool, written: set[str] | None = None) -> list[dict[str, Any]]:
    """The changed row keys per outlet row: every outlet, or only the price outlet when the product is priced
    differently per outlet."""
    writes = list(writes)
    changes = []
    for row in rows:
        if by_outlet and row.outlet_id != ctx.settings.price_outlet_id:
            continue
        change: dict[str, Any] = {}
        for fields, source in writes:
            change.update(update_keys(fields, HIKE, source, row, ctx.options, place=OUTLET_ROWS, written=written))
        if change:
            changes.append({"outlet_id": row.outlet_id, **change})
    return changes


def _hike_new_variant(record: ProductRecord, variant: VariantRecord, ctx: MappingContext) -> dict[str, Any]:
    source, s = Source(record, ctx, variant), ctx.options
    parts = {**create_keys(table.VARIANT_TABLE, HIKE, source, s, place=OUTLET_ROWS),
             **create_keys(_product_wide(), HIKE, source, s, place=OUTLET_ROWS)}
    stock = variant.stock if record.track_inventory else None
    return {**create_keys(table.VARIANT_TABLE, HIKE, source, s),
            "variant_outlets": _hike_outlet_rows(ctx, parts, stock)}


def _hike_create(record: ProductRecord, ctx: MappingContext) -> dict[str, Any]:
    source, s = Source(record, ctx), ctx.options
    body = create_keys(table.PRODUCT_TABLE, HIKE, source, s)
    body["isActive"] = True
    body["has_variants"] = bool(record.variants)
    body["sales_channels"] = [{"sales_channels": HIKE_POS_CHANNEL}, {"sales_channels": HIKE_ECOMMERCE_CHANNEL}]
    if record.variants:  # the product's own rows carry only what is product-wide; prices are the variants'
        parts = create_keys(_product_wide(), HIKE, source, s, place=OUTLET_ROWS)
        body["product_outlets"] = _hike_outlet_rows(ctx, parts, None)
        body["product_variants"] = [_hike_new_variant(record, v, ctx) for v in record.variants]
    else:
        parts = create_keys(table.PRODUCT_TABLE, HIKE, source, s, place=OUTLET_ROWS)
        body["product_outlets"] = _hike_outlet_rows(ctx, parts, record.stock if record.track_inventory else None)
    return body


def hike_product_body(record: ProductRecord, ctx: MappingContext, existing: HikeProduct | None,
                      written: set[str] | None = None) -> dict[str, Any]:
    """The body for Hike's ``products/create``: a new product (``existing`` None) or the changed fields of
    ``existing`` with its ``id`` (``{}`` when nothing differs). Stock is only set on create (afterwards it moves
    with orders, S9); images are added by the engine (S17, ``hike_images``). ``written`` gains the names of the
    fields an update writes (a variant's: "variants")."""
    if existing is None:
        return _hike_create(record, ctx)
    _check_shape(record, bool(existing.variants), "Hike")
    source = Source(record, ctx)
    body = update_keys(table.PRODUCT_TABLE, HIKE, source, existing, ctx.options, written=written)
    by_outlet = bool(Fields(existing.raw).bool("isPricingDifferentByOutlet"))
    if not record.variants:
        rows = _hike_row_changes(existing.outlets, [(table.PRODUCT_TABLE, source)], ctx, by_outlet, written)
        if rows:
            body["product_outlets"] = rows
    variants = []
    for v in record.variants:
        match = _match_hike_variant(existing.name, v, existing.variants)
        if match is None:
            variants.append(_hike_new_variant(record, v, ctx))
            continue
        vsource = Source(record, ctx, v)
        change = update_keys(table.VARIANT_TABLE, HIKE, vsource, match, ctx.options)
        rows = _hike_row_changes(match.outlets, [(table.VARIANT_TABLE, vsource), (_product_wide(), vsource)], ctx,
                                 by_outlet)
        if rows:
            change["variant_outlets"] = rows
        if change:
            variants.append({"prod_variant_id": match.id, **change})
    if variants:
        body["product_variants"] = variants
        _note(written, "variants")
    return {"id": existing.id, **body} if body else {}
