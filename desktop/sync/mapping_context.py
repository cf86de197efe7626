"""What mapping knows about the stores and the settings (``MappingContext``), and how a record fails to map.

Built once per pass by the engine from the store facts (taxes, tax classes, brands, categories, product types)
and the resolved settings; every reader and writer of the field table gets it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from types import MappingProxyType
from typing import Iterable, Mapping

from desktop.sync.bigcommerce import BCBrand, BCCategory, BCTaxClass, StoreInfo
from desktop.sync.hike_models import HikeBrand, HikeProductType, HikeTax
from desktop.sync.settings import ResolvedSettings, Settings


class MappingError(ValueError):
    """A record that can't be mapped as it is (per-record error for the log, D4)."""


def name_key(name: str | None) -> str:
    """A name as names are matched across the stores: spaces collapsed, letter case aside."""
    return " ".join((name or "").split()).casefold()


def options_of(settings: Settings | ResolvedSettings) -> Settings:
    """The person's settings, whether given as they are or resolved against the stores."""
    return settings.settings if isinstance(settings, ResolvedSettings) else settings


def _name_index(names: Mapping[int, str]) -> Mapping[str, int]:
    index: dict[str, int] = {}
    for ident in sorted(names):
        index.setdefault(name_key(names[ident]), ident)
    return MappingProxyType(index)


def _index_of(names: str) -> cached_property:
    """A lookup of one of the context's id -> name maps by name, built on first use."""
    return cached_property(lambda self: _name_index(getattr(self, names)))


@dataclass(frozen=True)
class MappingContext:
    """What mapping needs to know about the stores and the settings."""

    settings: ResolvedSettings
    hike_tax_rates: Mapping[int, Decimal] = field(default_factory=dict)  # Hike tax id -> rate (percent)
    hike_tax_names: Mapping[int, str] = field(default_factory=dict)
    bc_prices_inc_tax: bool = False  # StoreInfo.is_price_entered_with_tax
    bc_tax_class_names: Mapping[int, str] = field(default_factory=dict)
    bc_brand_names: Mapping[int, str] = field(default_factory=dict)
    bc_category_names: Mapping[int, str] = field(default_factory=dict)
    hike_brand_names: Mapping[int, str] = field(default_factory=dict)
    hike_product_type_names: Mapping[int, str] = field(default_factory=dict)

    @classmethod
    def build(cls, settings: ResolvedSettings, *, hike_taxes: Iterable[HikeTax] = (),
              store_info: StoreInfo | None = None, bc_tax_classes: Iterable[BCTaxClass] = (),
              bc_brands: Iterable[BCBrand] = (), bc_categories: Iterable[BCCategory] = (),
              hike_brands: Iterable[HikeBrand] = (), hike_product_types: Iterable[HikeProductType] = ()
              ) -> "MappingContext":
        taxes = list(hike_taxes)
        return cls(settings=settings, hike_tax_rates={t.id: t.rate for t in taxes},
                   hike_tax_names={t.id: t.name for t in taxes},
                   bc_prices_inc_tax=bool(store_info and store_info.is_price_entered_with_tax),
                   bc_tax_class_names={c.id: c.name for c in bc_tax_classes},
                   bc_brand_names={b.id: b.name for b in bc_brands},
                   bc_category_names={c.id: c.name for c in bc_categories},
                   hike_brand_names={b.id: b.name for b in hike_brands},
                   hike_product_type_names={t.id: t.name for t in hike_product_types})

    @property
    def options(self) -> Settings:
        return self.settings.settings

    @property
    def price_type(self) -> str:
        """S7: the BigCommerce field Hike's retail price maps to."""
        return self.options.price_type

    @property
    def stock_outlet_ids(self) -> tuple[int, ...]:
        return self.settings.stock_outlet_ids

    # name (as ``name_key`` has it) -> id, built once each from the id -> name maps above
    bc_brand_ids = _index_of("bc_brand_names")
    bc_category_ids = _index_of("bc_category_names")
    hike_brand_ids = _index_of("hike_brand_names")
    hike_product_type_ids = _index_of("hike_product_type_names")
    hike_tax_ids = _index_of("hike_tax_names")

    def hike_tax_id(self, tax_key: str | int | None) -> int | None:
        """A Hike record's ``tax_key`` (its tax name, or an id when the name is unknown) as the tax's id."""
        if tax_key is None:
            return None
        if isinstance(tax_key, int):
            return tax_key
        return self.hike_tax_ids.get(name_key(tax_key))

    def rate_of_bc_class(self, tax_class_id: int | None) -> Decimal | None:
        """The rate of the Hike tax mapped to this BigCommerce tax class (S2); None when unmapped."""
        hike_tax = self.settings.hike_tax_for(tax_class_id)
        return None if hike_tax is None else self.hike_tax_rates.get(hike_tax)
