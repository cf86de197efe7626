"""SKUs as they are sent (S18): the record's own, or one made from its id when it has none."""
from __future__ import annotations

from desktop.sync.mapping_context import MappingError
from desktop.sync.records import ProductRecord, VariantRecord
from desktop.sync.vocabulary import Side


def auto_sku(product_id: int, *, side: str = Side.HIKE, variant_id: int | None = None) -> str:
    """A SKU for a product that has none (S18): stable (made only of the product's id), unique (ids are unique
    per store, and the two stores' prefixes differ) and recognisable. Hike variants are rows with their own
    ids, so ``auto_sku(variant.id)``; a BigCommerce variant is ``BC-<product>-<variant>``."""
    if side == Side.HIKE:
        return f"HK-{int(product_id)}"
    if side == Side.BIGCOMMERCE:
        return f"BC-{int(product_id)}" + (f"-{int(variant_id)}" if variant_id is not None else "")
    raise ValueError(f"unknown side {side!r}")


def needs_auto_sku(record: ProductRecord) -> bool:
    """Whether sending ``record`` takes a made-up SKU: its own, or one of its variants'."""
    if record.variants:
        return any(not (v.sku or "").strip() for v in record.variants)
    return not (record.sku or "").strip()


def product_sku(record: ProductRecord) -> str:
    """The SKU a product is sent with."""
    if record.sku and record.sku.strip():
        return record.sku.strip()
    if record.id is None:
        raise MappingError(f"“{record.name}” has no SKU and no id to make one from.")
    return auto_sku(record.id, side=record.side)


def variant_sku(record: ProductRecord, variant: VariantRecord) -> str:
    """The SKU a variant of ``record`` is sent with."""
    if variant.sku and variant.sku.strip():
        return variant.sku.strip()
    if variant.id is None:
        raise MappingError(f"A variant of “{record.name}” has no SKU and no id to make one from.")
    if record.side == Side.HIKE:
        return auto_sku(variant.id)
    return auto_sku(record.id or 0, side=Side.BIGCOMMERCE, variant_id=variant.id)
