"""The neutral records the sync engine works in: one product shape for both stores (D2).

``desktop.sync.mapping`` builds them from the clients' dataclasses (``product_from_hike``, ``product_from_bc``);
the field table (``desktop.sync.product_fields``) compares them and turns them into request bodies. Records are
frozen; lists are tuples. Money and quantities are ``Decimal`` (never float); stock may be fractional (Hike sells
fractions, S13).

The attributes are the fields the engine itself works with (SKUs to link by, stock, images, prices for D3, ...).
A synced field only the table knows (one that declares how each store's record is read) keeps its value in
``extra``, so adding one is one table entry and no change here; ``get(name)`` reads either kind.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Mapping

HIKE = "hike"
BIGCOMMERCE = "bigcommerce"
SIDES = (HIKE, BIGCOMMERCE)


@dataclass(frozen=True)
class VariantRecord:
    id: int | None
    sku: str | None
    barcode: str | None
    options: tuple[tuple[str, str], ...] = ()  # ((option name, value), ...), e.g. (("Size", "30"),)
    price_ex_tax: Decimal | None = None
    price_inc_tax: Decimal | None = None
    cost: Decimal | None = None
    stock: Decimal = Decimal(0)
    weight: Decimal | None = None
    extra: tuple[tuple[str, Any], ...] = ()  # (field name, value) of the table's fields that are not attributes

    def get(self, name: str) -> Any:
        return _get(self, name)

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(value for _, value in self.options)


@dataclass(frozen=True)
class ProductRecord:
    side: str  # "hike" | "bigcommerce"
    id: int | None
    name: str
    sku: str | None = None
    barcode: str | None = None  # Hike barcode / BigCommerce UPC
    description_html: str = ""
    description_text: str = ""
    price_ex_tax: Decimal | None = None
    price_inc_tax: Decimal | None = None
    cost: Decimal | None = None
    tax_key: str | int | None = None  # Hike: the tax's name; BigCommerce: the tax class id
    track_inventory: bool = True
    stock: Decimal = Decimal(0)  # available to sell (Hike: summed over the stock outlets, S1/S4)
    categories: tuple[str, ...] = ()  # Hike product type names / BigCommerce category names
    brand: str | None = None
    active: bool = True  # Hike isActive / BigCommerce is_visible
    ecommerce: bool = True  # Hike: on the eCommerce sales channel ("2"); BigCommerce: always
    composite: bool = False  # Hike composite product (S14: never sent)
    weight: Decimal | None = None
    width: Decimal | None = None
    height: Decimal | None = None
    depth: Decimal | None = None
    image_urls: tuple[str, ...] = ()
    variants: tuple[VariantRecord, ...] = ()
    modified_at: datetime | None = None
    extra: tuple[tuple[str, Any], ...] = ()  # (field name, value) of the table's fields that are not attributes

    def get(self, name: str) -> Any:
        return _get(self, name)

    @property
    def has_variants(self) -> bool:
        return bool(self.variants)

    @property
    def skus(self) -> tuple[str, ...]:
        return tuple(s for s in (self.sku, *(v.sku for v in self.variants)) if s)

    def variant_by_sku(self, sku: str | None) -> VariantRecord | None:
        if not sku:
            return None
        wanted = sku.strip().lower()
        return next((v for v in self.variants if v.sku and v.sku.strip().lower() == wanted), None)


def _get(record: ProductRecord | VariantRecord, name: str) -> Any:
    """A field's value: the attribute of that name, else the table-only value in ``extra`` (None when absent)."""
    if name != "extra" and name in _ATTRIBUTES[type(record)]:
        return getattr(record, name)
    return next((value for key, value in record.extra if key == name), None)


_ATTRIBUTES = {cls: frozenset(f.name for f in fields(cls)) for cls in (ProductRecord, VariantRecord)}
PRODUCT_FIELDS = tuple(f.name for f in fields(ProductRecord))
VARIANT_FIELDS = tuple(f.name for f in fields(VariantRecord))


def jsonable(value: Any) -> Any:
    """A JSON-safe copy: Decimal as its string (``"12.50"``), datetimes as ISO 8601, tuples as lists, records as
    objects. Never a float."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):  # not expected anywhere; never let one through as a binary float
        return str(Decimal(repr(value)))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, (VariantRecord, ProductRecord)):  # table-only fields as if they were attributes
        return {**{f.name: jsonable(getattr(value, f.name)) for f in fields(value) if f.name != "extra"},
                **{name: jsonable(v) for name, v in value.extra}}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    return str(value)
