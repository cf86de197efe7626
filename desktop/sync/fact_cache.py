"""The stores' facts, kept in the database with their read time (issue 19), so a pass started on its own (cron's
``sync --once``, a service's ``run``) costs what the scheduler's pass costs.

Facts are what the passes look names and ids up in and what changes rarely: Hike's outlets, registers, taxes,
payment types, brands and product types; BigCommerce's store information, tax classes, locations, payment methods,
brands and categories. They cost a dozen requests to read (Hike's six against its 5 000 a day), so they are read:

- on a pass with no facts kept, or kept for the other stores (a reconnection to another store);
- on the daily reconciliation and on "Check everything now" (a full read: ``forget`` first);
- after a pass in which a store refused a write, since a stale fact may explain it (an outlet, a register or a
  tax removed since): the engine ``forget``s them, and the next pass reads them again;
- when they are older than ``MAX_AGE`` (a day: the reconciliation's period).

A brand or category the app created since is not in the kept list; the passes find it before making another
(``create_brand`` looks a refused name up; categories are read again once a pass before one is taken as missing).
"""
from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, TypeVar

from desktop.storage.models import Preference, get_preference, set_preference
from desktop.sync.bigcommerce import BCBrand, BCCategory, BCLocation, BCTaxClass, StoreInfo
from desktop.sync.hike_models import (HikeBrand, HikeOutlet, HikePaymentType, HikeProductType, HikeRegister,
                                      HikeTax)
from desktop.sync.settings import StoreFacts

log = logging.getLogger(__name__)

KEY = "store_facts"
MAX_AGE = timedelta(hours=24)
T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Codec:
    """How a fact's value is kept as JSON and made again."""

    encode: Callable[[Any], Any]
    decode: Callable[[Any], Any]


def hike_records(cls: Any) -> Codec:
    """Hike records keep the raw dict they were read from: kept as read, made again the same way."""
    return Codec(lambda rows: [r.raw for r in rows], lambda data: [cls.from_api(d) for d in data])


def flat_records(cls: Any) -> Codec:
    """BigCommerce's small fact records (plain fields)."""
    return Codec(lambda rows: [dataclasses.asdict(r) for r in rows], lambda data: [cls(**d) for d in data])


def flat_record(cls: Any) -> Codec:
    return Codec(dataclasses.asdict, lambda data: cls(**data))


PLAIN = Codec(lambda value: value, lambda data: data)


class FactCache:
    """The facts of one pair of stores (``identity``), kept under the ``store_facts`` preference."""

    def __init__(self, identity: str, *, now: Callable[[], datetime] | None = None):
        self.identity = identity
        self._now = now or (lambda: datetime.now(timezone.utc))
        kept = get_preference(KEY) or {}
        self._facts: dict[str, Any] = kept.get("facts", {}) if kept.get("stores") == identity else {}
        self.read_from_stores: set[str] = set()  # the facts this cache read from the stores, not from the kept ones

    def read(self, name: str, reader: Callable[[], T], codec: Codec) -> T:
        """The kept value of ``name`` when fresh, else ``reader()`` (then kept)."""
        entry = self._facts.get(name)
        if entry is not None and self._fresh(entry.get("read_at")):
            try:
                return codec.decode(entry["value"])
            except (KeyError, TypeError, ValueError) as exc:  # kept by another version: read it again
                log.info("Store fact %s could not be used (%s): read again", name, exc)
        value = reader()
        self.read_from_stores.add(name)
        self._facts[name] = {"read_at": self._now().isoformat(), "value": codec.encode(value)}
        set_preference(KEY, {"stores": self.identity, "facts": self._facts})
        return value

    def forget(self) -> None:
        """Read every fact again when next asked."""
        self._facts = {}
        forget_facts()

    def _fresh(self, read_at: Any) -> bool:
        try:
            return self._now() - datetime.fromisoformat(str(read_at)) < MAX_AGE
        except ValueError:
            return False


def forget_facts() -> None:
    """Read the facts again on the next pass, whoever starts it (a store refused a write)."""
    Preference.delete().where(Preference.key == KEY).execute()


@dataclasses.dataclass(frozen=True)
class Facts:
    """What a pass looks up in: the settings' facts and the names of brands, categories and product types."""

    store: StoreFacts
    registers_read: bool  # the registers come from the store now, not from the kept facts (their shifts, S8)
    store_info: StoreInfo
    bc_brands: list[Any]
    bc_categories: list[Any]
    hike_brands: list[Any]
    hike_product_types: list[Any]


def read_facts(hike: Any, bc: Any, cache: FactCache) -> Facts:
    """Every fact, from ``cache`` where fresh, else from the stores (then kept)."""
    read = cache.read
    store_info = read("bigcommerce.store_info", bc.store_info, flat_record(StoreInfo))
    store = StoreFacts(
        hike_outlets=read("hike.outlets", lambda: hike.outlets(include_inactive=True), hike_records(HikeOutlet)),
        hike_registers=read("hike.registers", hike.registers, hike_records(HikeRegister)),
        hike_taxes=read("hike.taxes", hike.taxes, hike_records(HikeTax)),
        hike_payment_types=read("hike.payment_types", hike.payment_types, hike_records(HikePaymentType)),
        bc_tax_classes=read("bigcommerce.tax_classes", bc.tax_classes, flat_records(BCTaxClass)),
        bc_locations=read("bigcommerce.locations", bc.locations, flat_records(BCLocation)),
        bc_payment_methods=read("bigcommerce.payment_methods", bc.payment_methods, PLAIN),
        bc_prices_inc_tax=store_info.is_price_entered_with_tax)
    return Facts(store, "hike.registers" in cache.read_from_stores, store_info,
                 bc_brands=read("bigcommerce.brands", bc.brands, flat_records(BCBrand)),
                 bc_categories=read("bigcommerce.categories", bc.categories, flat_records(BCCategory)),
                 hike_brands=read("hike.brands", hike.brands, hike_records(HikeBrand)),
                 hike_product_types=read("hike.product_types", hike.product_types, hike_records(HikeProductType)))
