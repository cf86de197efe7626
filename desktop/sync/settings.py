"""The sync settings (S1-S20): one dataclass, its JSON file, and the checks the wizard's Save button and the CLI share.

The JSON form is fixed (``Settings.to_json()`` writes exactly these keys, in this order)::

    {"inventory_outlet": "Main Street", "ecommerce_outlet": null, "combined_inventory_outlets": [],
     "bigcommerce_location_id": 1, "tax_map": {"GST": "Default Tax Class"}, "shipping_tax": "GST",
     "payment_mapping": {"mode": "all_as_bigcommerce", "map": {}}, "price_type": "price", "tax_inclusive": true,
     "payment_register": null, "bc_to_hike": {"inventory_on_order": true, "full_orders": true, "new_products": true},
     "product_visibility_all_outlets": true, "hike_to_bc": {"inventory": true, "new_products": true,
     "full_orders": false}, "description_sync": "bc_to_hike", "image_sync": "bc_to_hike",
     "non_sku_products": "auto_assign", "category_sync": "match_or_create", "shipping_details": false,
     "schedule_minutes": 5, "safety_stock": {"buffer": 0, "skus": {}}, "field_ownership": {}}

Where a setting names a store object (an outlet, register, tax, payment type, tax class, location) it accepts
the object's name or its id. A JSON number is an id; a string is matched by name first (ignoring case and
surrounding spaces) and, when no name matches and it is all digits, as an id. ``tax_map`` keys are always
strings (JSON), so ``{"3": 2}`` means "Hike tax 3 (unless a tax is named "3") -> BigCommerce tax class 2".

Three layers:

- ``Settings.from_json`` / ``load`` check the *shape* (unknown keys, wrong types, bad enum values, a file that
  is not JSON) and raise ``SettingsError`` listing every problem with its key path. A missing key takes its
  recommended default, so a file written by an older version still loads.
- ``Settings.validate(facts=None)`` says what is missing or contradictory, as ``Problem`` rows a shop manager
  can act on; ``mandatory`` ones block Save (C5), the others are warnings. With ``StoreFacts`` (what the two
  stores hold) it also resolves every name/id and says which one is unknown.
- ``Settings.resolve(facts)`` gives ``ResolvedSettings`` (ids in place of names) for the engine, or raises
  ``SettingsError`` with the mandatory problems.

No Qt, no network: pure data.
"""
from __future__ import annotations

import json
import logging
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping, Sequence, Union

from desktop.sync import ownership
from desktop.sync.bigcommerce import BCLocation, BCTaxClass
from desktop.sync.hike_models import HikeOutlet, HikePaymentType, HikeRegister, HikeTax

log = logging.getLogger(__name__)

Ref = Union[str, int]  # a store object named by its name or its id

PRICE_TYPES = ("price", "retail_price", "sale_price")
SYNC_DIRECTIONS = ("bc_to_hike", "two_way")
NON_SKU_CHOICES = ("auto_assign", "skip")
CATEGORY_CHOICES = ("match_or_create", "match_only", "none")
PAYMENT_MODES = ("all_as_bigcommerce", "per_method")

BIGCOMMERCE_PAYMENT_TYPE = "BigCommerce"  # the Hike payment type every BigCommerce payment becomes (S5)
DEFAULT_TAX_CLASS_ID = 0  # BigCommerce's built-in "Default Tax Class" (id 0, not always listed by the API)
DEFAULT_TAX_CLASS_NAME = "Default Tax Class"
DEFAULT_LOCATION_ID = 1  # BigCommerce's default location always has id 1

# --- schedule and Hike's API budget (S20, N3) -----------------------------------------------------------------
# Hike allows 5000 calls a day per store, and that budget is shared with every other app on the store (API-NOTES
# A4, A9). A scheduled pass that finds nothing new still costs Hike calls: one page each of products and customers
# changed since the last pass, one of sales when a sales rule needs them (S3 status back to BigCommerce, S15), and
# one for the payment register's closures when S8 is on: at most 4 calls for an idle pass.
# We let that idle polling use at most a quarter of the day (1250 calls), so three quarters stay for the changes
# themselves, the first sync, retries and the other apps on the store. 1440 / m passes x 4 calls <= 1250 gives
# m >= 4.6: five minutes is the shortest interval, and a pass that needs more calls needs a longer interval.
HIKE_CALLS_PER_DAY = 5000
HIKE_POLLING_SHARE = 4  # idle polling may use 1/4 of the daily budget
HIKE_POLLING_BUDGET = HIKE_CALLS_PER_DAY // HIKE_POLLING_SHARE
MIN_SCHEDULE_MINUTES = 5
# At least once a day: stock left longer is out of date, and a huge value (10**10) overflowed the scheduler's
# dates (issue 14 finding 8). Older versions saved a longer schedule with a warning: ``Settings.from_saved``.
MAX_SCHEDULE_MINUTES = 24 * 60


class SettingsError(ValueError):
    """Settings that cannot be read or used; ``problems`` lists every problem with its key path."""

    def __init__(self, problems: "Sequence[Problem] | str", headline: str = "The sync settings have problems"):
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        self.problems: list[Problem] = list(problems)
        lines = [f"{headline}:"] + [f"- {p.key}: {p.message}" if p.key else f"- {p.message}" for p in self.problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Problem:
    """One thing missing or contradictory. ``key`` is the JSON key path (``tax_map.GST``,
    ``combined_inventory_outlets[1]``); ``mandatory`` problems keep Save disabled (C5), others are warnings."""

    key: str
    message: str
    mandatory: bool = True


@dataclass(frozen=True)
class StoreFacts:
    """What the two stores hold, for resolving names/ids and the checks that need the stores (``validate``)."""

    hike_outlets: Sequence[HikeOutlet] = ()
    hike_registers: Sequence[HikeRegister] = ()
    hike_taxes: Sequence[HikeTax] = ()
    hike_payment_types: Sequence[HikePaymentType] = ()
    bc_tax_classes: Sequence[BCTaxClass] = ()
    bc_locations: Sequence[BCLocation] = ()
    bc_payment_methods: Sequence[str] = ()
    # ids of the Hike taxes products and outlets actually use; None = every active tax is "in use"
    hike_taxes_in_use: frozenset[int] | None = None
    # StoreInfo.is_price_entered_with_tax, for the tax-inclusive mismatch warning (P2); None = unknown
    bc_prices_inc_tax: bool | None = None


# ---------------------------------------------------------------------------------------------------------------
# the settings
@dataclass
class PaymentMapping:
    mode: str = "all_as_bigcommerce"  # all_as_bigcommerce | per_method
    map: dict[str, Ref | None] = field(default_factory=dict)  # BigCommerce method name -> Hike payment type


@dataclass
class BcToHike:
    inventory_on_order: bool = True  # S9
    full_orders: bool = True  # S10
    new_products: bool = True  # S11


@dataclass
class HikeToBc:
    inventory: bool = True  # S13
    new_products: bool = True  # S14
    full_orders: bool = False  # S15: "not recommended"


@dataclass
class SafetyStock:
    """Units held back from BigCommerce (issue 20): it gets Hike's available stock less the buffer, never below
    zero, so the last few items are not sold online too. ``buffer`` for every product; ``skus`` a product's (or a
    variant's) own buffer by SKU, 0 included, instead of it (SKUs compared as linking compares them: letter case and
    surrounding spaces aside)."""

    buffer: int = 0
    skus: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"buffer": self.buffer, "skus": dict(self.skus)}

    def own(self, sku: str) -> int | None:
        """The SKU's own buffer (as linking compares SKUs), or None: the default applies."""
        return self.lookup_own().get(sku.strip().lower())

    def lookup_own(self) -> dict[str, int]:
        return {key.strip().lower(): units for key, units in self.skus.items()}

    def set_sku(self, sku: str, units: int | None) -> None:
        """Give ``sku`` its own buffer (None: back to the default), replacing it however it was typed before."""
        sku = sku.strip()
        for key in [k for k in self.skus if k.strip().lower() == sku.lower()]:
            del self.skus[key]
        if units is not None:
            self.skus[sku] = units

    def lookup(self) -> Callable[[str | None], int]:
        """A SKU's buffer, read from one index built now (a pass asks for every product's)."""
        own = self.lookup_own()
        return lambda sku: own.get((sku or "").strip().lower(), self.buffer)


@dataclass
class Settings:
    """The dataclass defaults are the recommended settings of Hike's article (``template()``)."""

    inventory_outlet: Ref | None = None  # S1 (mandatory)
    ecommerce_outlet: Ref | None = None  # S3
    combined_inventory_outlets: list[Ref] = field(default_factory=list)  # S4
    bigcommerce_location_id: Ref | None = DEFAULT_LOCATION_ID
    tax_map: dict[str, Ref | None] = field(default_factory=dict)  # S2: Hike tax -> BigCommerce tax class
    shipping_tax: Ref | None = None  # S2/D6: the Hike tax of the shipping line
    payment_mapping: PaymentMapping = field(default_factory=PaymentMapping)  # S5
    price_type: str = "price"  # S7: price | retail_price | sale_price
    tax_inclusive: bool = True  # Hike's "Tax inclusive prices" (must agree with BigCommerce, P2)
    payment_register: Ref | None = None  # S8
    bc_to_hike: BcToHike = field(default_factory=BcToHike)
    product_visibility_all_outlets: bool = True  # S12
    hike_to_bc: HikeToBc = field(default_factory=HikeToBc)
    description_sync: str = "bc_to_hike"  # S16 (recommended)
    image_sync: str = "bc_to_hike"  # S17 (recommended)
    non_sku_products: str = "auto_assign"  # S18
    category_sync: str = "match_or_create"  # S19
    shipping_details: bool = False  # S6
    schedule_minutes: int = MIN_SCHEDULE_MINUTES  # S20
    safety_stock: SafetyStock = field(default_factory=SafetyStock)  # issue 20: held back from BigCommerce
    # issue 20: a field's rule (``ownership``: hike, bigcommerce, newest, none) by its key; a field not named syncs
    # as Hike's article has it
    field_ownership: dict[str, str] = field(default_factory=dict)

    # -- files and JSON -------------------------------------------------------------------------------------
    @classmethod
    def template(cls) -> "Settings":
        """The recommended defaults (Hike's article): description and images BigCommerce -> Hike only, full Hike
        sales not sent, every BigCommerce payment as "BigCommerce", SKUs auto-assigned, categories matched or
        created, the default location, a 5-minute schedule. The outlet, tax map and shipping tax are left for the
        manager (they are the store's own)."""
        return cls()

    @classmethod
    def from_json(cls, data: Any) -> "Settings":
        reader = _Reader()
        settings = reader.settings(data)
        if reader.problems:
            raise SettingsError(reader.problems, "The sync settings are not valid")
        return settings

    @classmethod
    def from_saved(cls, data: Any) -> "Settings":
        """A version saved in the database, to run on. ``validate`` refuses a schedule outside 5 minutes to a day,
        but an older version saved longer ones with a warning (and a hand edit may hold anything): such a schedule
        is held within range, and the log says so, instead of stopping the sync (10**10 minutes overflowed the
        scheduler, issue 14 finding 8). Saving the settings again stores the value in use."""
        settings = cls.from_json(data)
        held = min(max(settings.schedule_minutes, MIN_SCHEDULE_MINUTES), MAX_SCHEDULE_MINUTES)
        if held != settings.schedule_minutes:
            log.warning("The saved schedule (every %d minutes) is outside %d minutes to a day: syncing every %d "
                        "minutes. Save the settings again to choose another.", settings.schedule_minutes,
                        MIN_SCHEDULE_MINUTES, held)
            settings.schedule_minutes = held
        return settings

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> "Settings":
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SettingsError(f"There is no settings file at {path}.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError(f"The settings file {path} can't be read ({exc}).") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SettingsError(
                [Problem("", f"{path.name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}. "
                             "Fix the file by hand or save the settings again from the app.")],
                "The settings file can't be read") from None
        except RecursionError:  # [[[[... 100 000 deep: Python's JSON reader gives up (issue 14 finding 10)
            raise SettingsError(
                [Problem("", f"{path.name} is nested too deeply (lists or objects inside each other thousands of "
                             "levels deep): it is not a settings file. Write one from configure --print-template.")],
                "The settings file can't be read") from None
        return cls.from_json(data)

    def to_json(self) -> dict[str, Any]:
        return {
            "inventory_outlet": self.inventory_outlet,
            "ecommerce_outlet": self.ecommerce_outlet,
            "combined_inventory_outlets": list(self.combined_inventory_outlets),
            "bigcommerce_location_id": self.bigcommerce_location_id,
            "tax_map": dict(self.tax_map),
            "shipping_tax": self.shipping_tax,
            "payment_mapping": {"mode": self.payment_mapping.mode, "map": dict(self.payment_mapping.map)},
            "price_type": self.price_type,
            "tax_inclusive": self.tax_inclusive,
            "payment_register": self.payment_register,
            "bc_to_hike": {"inventory_on_order": self.bc_to_hike.inventory_on_order,
                           "full_orders": self.bc_to_hike.full_orders,
                           "new_products": self.bc_to_hike.new_products},
            "product_visibility_all_outlets": self.product_visibility_all_outlets,
            "hike_to_bc": {"inventory": self.hike_to_bc.inventory, "new_products": self.hike_to_bc.new_products,
                           "full_orders": self.hike_to_bc.full_orders},
            "description_sync": self.description_sync,
            "image_sync": self.image_sync,
            "non_sku_products": self.non_sku_products,
            "category_sync": self.category_sync,
            "shipping_details": self.shipping_details,
            "schedule_minutes": self.schedule_minutes,
            "safety_stock": self.safety_stock.to_json(),
            "field_ownership": dict(self.field_ownership),
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"

    def save(self, path: str | os.PathLike[str]) -> None:
        """Atomic: a temp file in the same folder, flushed to disk, then ``os.replace`` over the old one."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(self.dumps())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise

    # -- derived ----------------------------------------------------------------------------------------------
    @property
    def order_outlet(self) -> Ref | None:
        """Where BigCommerce orders land (S3): the eCommerce outlet if set, else the inventory outlet."""
        return self.ecommerce_outlet if self.ecommerce_outlet is not None else self.inventory_outlet

    def hike_calls_per_idle_pass(self) -> int:
        """Hike calls a scheduled pass costs when nothing changed (see the budget note at the top)."""
        calls = 2  # products and customers changed since the last pass
        if self.bc_to_hike.full_orders or self.hike_to_bc.full_orders:
            calls += 1  # sales: parked BigCommerce orders completed in Hike (S3), Hike sales to send (S15)
        if self.payment_register is not None:
            calls += 1  # the register's closures, for the 5-day reminder (S8)
        return calls

    def hike_polling_calls_per_day(self) -> int:
        minutes = max(int(self.schedule_minutes), 1)
        return math.ceil(24 * 60 / minutes) * self.hike_calls_per_idle_pass()

    # -- checks -------------------------------------------------------------------------------------------------
    def validate(self, facts: StoreFacts | None = None) -> list[Problem]:
        """Everything missing or contradictory; with ``facts`` also every name/id the stores do not know."""
        return _Checker(self, facts).run()

    def missing_mandatory(self, facts: StoreFacts | None = None) -> list[Problem]:
        return [p for p in self.validate(facts) if p.mandatory]

    def resolve(self, facts: StoreFacts) -> "ResolvedSettings":
        checker = _Checker(self, facts)
        problems = [p for p in checker.run() if p.mandatory]
        if problems:
            raise SettingsError(problems, "The sync settings can't be used yet")
        return checker.resolved()


@dataclass(frozen=True)
class ResolvedSettings:
    """The settings with ids in place of names, for the engine (``Settings.resolve``)."""

    settings: Settings
    inventory_outlet_id: int
    ecommerce_outlet_id: int | None
    combined_outlet_ids: tuple[int, ...]
    bc_location_id: int
    tax_map: Mapping[int, int]  # Hike tax id -> BigCommerce tax class id, in the settings' order
    shipping_tax_id: int | None
    payment_mode: str
    payment_map: Mapping[str, int]  # BigCommerce payment method name -> Hike payment type id (per_method)
    bigcommerce_payment_type_id: int | None  # the Hike payment type named "BigCommerce", if there is one
    payment_register_id: int | None
    hike_outlet_ids: tuple[int, ...]  # every active Hike outlet (S12 visibility)

    @property
    def order_outlet_id(self) -> int:
        """Where BigCommerce orders land (S3)."""
        return self.ecommerce_outlet_id if self.ecommerce_outlet_id is not None else self.inventory_outlet_id

    @property
    def stock_outlet_ids(self) -> tuple[int, ...]:
        """The outlets whose stock BigCommerce shows: one (S1) or the sum of several (S4)."""
        return self.combined_outlet_ids or (self.inventory_outlet_id,)

    @property
    def price_outlet_id(self) -> int:
        """Prices are per outlet in Hike (A9): the inventory outlet's row is the one that syncs."""
        return self.inventory_outlet_id

    @property
    def visible_outlet_ids(self) -> tuple[int, ...]:
        """Outlets a product created from BigCommerce is visible in (S12)."""
        if self.settings.product_visibility_all_outlets:
            return self.hike_outlet_ids or (self.inventory_outlet_id,)
        ids = [self.inventory_outlet_id]
        if self.ecommerce_outlet_id is not None and self.ecommerce_outlet_id not in ids:
            ids.append(self.ecommerce_outlet_id)
        return tuple(ids)

    def bc_tax_class_for(self, hike_tax_id: int | None) -> int | None:
        return None if hike_tax_id is None else self.tax_map.get(hike_tax_id)

    def hike_tax_for(self, bc_tax_class_id: int | None) -> int | None:
        """The first Hike tax (in the settings' order) mapped to this tax class."""
        return next((h for h, b in self.tax_map.items() if b == bc_tax_class_id), None)

    def payment_type_for(self, bc_method: str) -> int | None:
        """The Hike payment type a BigCommerce payment becomes (S5)."""
        if self.payment_mode == "per_method":
            wanted = (bc_method or "").strip().lower()
            return next((v for k, v in self.payment_map.items() if k.strip().lower() == wanted), None)
        return self.bigcommerce_payment_type_id


# ---------------------------------------------------------------------------------------------------------------
# reading the JSON form
_KEYS = tuple(Settings().to_json())
_PAYMENT_KEYS = ("mode", "map")
_BC_TO_HIKE_KEYS = ("inventory_on_order", "full_orders", "new_products")
_HIKE_TO_BC_KEYS = ("inventory", "new_products", "full_orders")
_SAFETY_STOCK_KEYS = ("buffer", "skus")
MAX_SAFETY_STOCK = 1_000_000  # units: more is a typing slip, not a buffer


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def bad(self, key: str, message: str) -> None:
        self.problems.append(Problem(key, message))

    def obj(self, data: Any, path: str, keys: Sequence[str]) -> Mapping[str, Any] | None:
        if not isinstance(data, Mapping):
            self.bad(path, f"must be a JSON object, not {_type_name(data)}")
            return None
        for key in data:
            if key not in keys:
                where = f"{path}.{key}" if path else str(key)
                self.bad(where, f"unknown setting {key!r} (known: {', '.join(keys)})")
        return data

    def boolean(self, data: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.bad(path, f"must be true or false, not {_type_name(value)}")
            return default
        return value

    def choice(self, data: Mapping[str, Any], key: str, path: str, choices: Sequence[str], default: str) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or value not in choices:
            shown = repr(value) if isinstance(value, str) else _type_name(value)
            self.bad(path, f"must be one of {', '.join(choices)} (found {shown})")
            return default
        return value

    def ref(self, value: Any, path: str, *, nullable: bool = True) -> Ref | None:
        if isinstance(value, str) and not value.strip():
            value = None  # a blank name is "not chosen"
        if value is None:
            if not nullable:
                self.bad(path, "must be a name or an id, not null")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.bad(path, f"must be a name (text) or an id (a whole number), not {_type_name(value)}")
            return None
        return value.strip() if isinstance(value, str) else value

    def ref_map(self, value: Any, path: str) -> dict[str, Ref | None]:
        if not isinstance(value, Mapping):
            self.bad(path, f"must be a JSON object, not {_type_name(value)}")
            return {}
        out: dict[str, Ref | None] = {}
        for key, item in value.items():
            name = str(key).strip()
            if not name:
                self.bad(path, "has an empty name as a key")
                continue
            out[name] = self.ref(item, f"{path}.{key}")
        return out

    def settings(self, data: Any) -> Settings:
        d = Settings()
        top = self.obj(data, "", _KEYS)
        if top is None:
            self.problems[-1] = Problem("", f"The settings must be a JSON object, not {_type_name(data)}.")
            return d
        s = Settings()
        s.inventory_outlet = self.ref(top.get("inventory_outlet", d.inventory_outlet), "inventory_outlet")
        s.ecommerce_outlet = self.ref(top.get("ecommerce_outlet", d.ecommerce_outlet), "ecommerce_outlet")
        combined = top.get("combined_inventory_outlets", [])
        if not isinstance(combined, list):
            self.bad("combined_inventory_outlets", f"must be a list of outlets, not {_type_name(combined)}")
            combined = []
        s.combined_inventory_outlets = [
            r for i, v in enumerate(combined)
            if (r := self.ref(v, f"combined_inventory_outlets[{i}]", nullable=False)) is not None]
        s.bigcommerce_location_id = self.ref(top.get("bigcommerce_location_id", d.bigcommerce_location_id),
                                             "bigcommerce_location_id")
        s.tax_map = self.ref_map(top.get("tax_map", {}), "tax_map")
        s.shipping_tax = self.ref(top.get("shipping_tax", d.shipping_tax), "shipping_tax")
        pm = self.obj(top.get("payment_mapping", {"mode": d.payment_mapping.mode, "map": {}}), "payment_mapping",
                      _PAYMENT_KEYS)
        if pm is not None:
            s.payment_mapping = PaymentMapping(
                self.choice(pm, "mode", "payment_mapping.mode", PAYMENT_MODES, d.payment_mapping.mode),
                self.ref_map(pm.get("map", {}), "payment_mapping.map"))
        s.price_type = self.choice(top, "price_type", "price_type", PRICE_TYPES, d.price_type)
        s.tax_inclusive = self.boolean(top, "tax_inclusive", "tax_inclusive", d.tax_inclusive)
        s.payment_register = self.ref(top.get("payment_register", d.payment_register), "payment_register")
        b2h = self.obj(top.get("bc_to_hike", {}), "bc_to_hike", _BC_TO_HIKE_KEYS)
        if b2h is not None:
            s.bc_to_hike = BcToHike(*(self.boolean(b2h, k, f"bc_to_hike.{k}", getattr(d.bc_to_hike, k))
                                      for k in _BC_TO_HIKE_KEYS))
        s.product_visibility_all_outlets = self.boolean(top, "product_visibility_all_outlets",
                                                        "product_visibility_all_outlets",
                                                        d.product_visibility_all_outlets)
        h2b = self.obj(top.get("hike_to_bc", {}), "hike_to_bc", _HIKE_TO_BC_KEYS)
        if h2b is not None:
            s.hike_to_bc = HikeToBc(*(self.boolean(h2b, k, f"hike_to_bc.{k}", getattr(d.hike_to_bc, k))
                                      for k in _HIKE_TO_BC_KEYS))
        s.description_sync = self.choice(top, "description_sync", "description_sync", SYNC_DIRECTIONS,
                                         d.description_sync)
        s.image_sync = self.choice(top, "image_sync", "image_sync", SYNC_DIRECTIONS, d.image_sync)
        s.non_sku_products = self.choice(top, "non_sku_products", "non_sku_products", NON_SKU_CHOICES,
                                         d.non_sku_products)
        s.category_sync = self.choice(top, "category_sync", "category_sync", CATEGORY_CHOICES, d.category_sync)
        s.shipping_details = self.boolean(top, "shipping_details", "shipping_details", d.shipping_details)
        minutes = top.get("schedule_minutes", d.schedule_minutes)
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            self.bad("schedule_minutes", f"must be a whole number of minutes, not {_type_name(minutes)}")
        else:
            s.schedule_minutes = minutes
        s.safety_stock = self.safety_stock(top.get("safety_stock", {}))
        s.field_ownership = self.field_ownership(top.get("field_ownership", {}))
        return s

    def field_ownership(self, value: Any) -> dict[str, str]:
        if not isinstance(value, Mapping):
            self.bad("field_ownership", f"must be a JSON object of field: rule, not {_type_name(value)}")
            return {}
        out: dict[str, str] = {}
        for key, rule in value.items():
            if key not in ownership.KEYS:
                self.bad(f"field_ownership.{key}",
                         f"is not a field with a rule; the fields are {', '.join(ownership.KEYS)}")
            elif rule not in ownership.RULES:
                shown = repr(rule) if isinstance(rule, str) else _type_name(rule)
                self.bad(f"field_ownership.{key}", f"must be one of {', '.join(ownership.RULES)} (found {shown})")
            else:
                out[key] = rule
        return out

    def safety_stock(self, value: Any) -> SafetyStock:
        out = SafetyStock()
        data = self.obj(value, "safety_stock", _SAFETY_STOCK_KEYS)
        if data is None:
            return out
        out.buffer = self.units(data.get("buffer", 0), "safety_stock.buffer")
        skus = data.get("skus", {})
        if not isinstance(skus, Mapping):
            self.bad("safety_stock.skus", f"must be a JSON object of SKU: units, not {_type_name(skus)}")
            return out
        for key, units in skus.items():
            sku = str(key).strip()
            if not sku:
                self.bad("safety_stock.skus", "has an empty SKU as a key")
                continue
            out.skus[sku] = self.units(units, f"safety_stock.skus.{sku}")
        return out

    def units(self, value: Any, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SAFETY_STOCK:
            shown = value if isinstance(value, int) and not isinstance(value, bool) else _type_name(value)
            self.bad(path, f"must be a whole number of units from 0 to {MAX_SAFETY_STOCK:,}, not {shown}")
            return 0
        return value


# ---------------------------------------------------------------------------------------------------------------
# names or ids
def _norm(text: str) -> str:
    return " ".join(str(text).split()).lower()


def _show(ref: Ref) -> str:
    return f"id {ref}" if isinstance(ref, int) else f"“{ref}”"


def _same_ref(a: Ref | None, b: Ref | None) -> bool:
    return a is not None and b is not None and _norm(str(a)) == _norm(str(b))


class _Lookup:
    """Find a store object by name (case-insensitive) or by id; says why when it can't."""

    def __init__(self, what: str, store: str, items: Iterable[tuple[int, str]]):
        self.what, self.store = what, store
        self.items = [(int(i), n or "") for i, n in items if i is not None]
        self.names = {i: n for i, n in self.items}

    def find(self, ref: Ref) -> tuple[int | None, str | None]:
        if isinstance(ref, int):
            if ref in self.names:
                return ref, None
            return None, f"There is no {self.what} with id {ref} in {self.store}."
        wanted = _norm(ref)
        matches = [i for i, n in self.items if _norm(n) == wanted]
        if len(matches) == 1:
            return matches[0], None
        if len(matches) > 1:
            return None, (f"{self.store} has {len(matches)} {self.what}s named “{ref}” (ids "
                          f"{', '.join(map(str, matches))}): rename one, or choose it by its id.")
        if wanted.isdigit() and int(wanted) in self.names:
            return int(wanted), None
        known = ", ".join(f"“{n}”" for _, n in self.items[:8]) or "none"
        return None, f"There is no {self.what} named “{ref}” in {self.store} (it has: {known})."

    def name(self, ident: int | None) -> str:
        return self.names.get(ident, f"#{ident}") if ident is not None else ""


# ---------------------------------------------------------------------------------------------------------------
# the checks
class _Checker:
    def __init__(self, settings: Settings, facts: StoreFacts | None):
        self.s = settings
        self.facts = facts
        self.problems: list[Problem] = []
        self.ids: dict[str, Any] = {}
        if facts is not None:
            self.outlets = _Lookup("outlet", "Hike", ((o.id, o.name) for o in facts.hike_outlets))
            self.registers = _Lookup("register", "Hike", ((r.id, r.name) for r in facts.hike_registers))
            self.taxes = _Lookup("tax", "Hike", ((t.id, t.name) for t in facts.hike_taxes))
            self.payment_types = _Lookup("payment type", "Hike",
                                         ((p.id, p.name) for p in facts.hike_payment_types))
            classes = [(c.id, c.name) for c in facts.bc_tax_classes]
            # BigCommerce's default class (id 0) is not in its list (the v2 spec's example lists 1, 2, 3)
            if not any(i == DEFAULT_TAX_CLASS_ID or _norm(n) == _norm(DEFAULT_TAX_CLASS_NAME) for i, n in classes):
                classes.insert(0, (DEFAULT_TAX_CLASS_ID, DEFAULT_TAX_CLASS_NAME))
            self.tax_classes = _Lookup("tax class", "BigCommerce", classes)
            self.locations = _Lookup("location", "BigCommerce",
                                     ((loc.id, loc.label or loc.code) for loc in facts.bc_locations))

    def add(self, key: str, message: str, mandatory: bool = True) -> None:
        self.problems.append(Problem(key, message, mandatory))

    def find(self, lookup: _Lookup, ref: Ref | None, key: str) -> int | None:
        if ref is None or self.facts is None:
            return None
        ident, error = lookup.find(ref)
        if error:
            self.add(key, error)
        return ident

    def run(self) -> list[Problem]:
        self.required()
        self.contradictions()
        self.schedule()
        if self.facts is not None:
            self.against_stores()
        return self.problems

    # -- what must be filled -------------------------------------------------------------------------------
    def required(self) -> None:
        s = self.s
        if s.inventory_outlet is None:
            self.add("inventory_outlet", "Choose the Hike outlet for inventory sync: BigCommerce stock is taken "
                                         "from, and deducted from, this outlet.")
        if s.bigcommerce_location_id is None:
            self.add("bigcommerce_location_id", "Choose the BigCommerce location whose stock the app keeps up to "
                                                "date (the default location is usually the right one).")
        if not s.tax_map and self.facts is None:
            self.add("tax_map", "Map each Hike tax to a BigCommerce tax class, so orders carry the right tax.")
        for hike_tax, tax_class in s.tax_map.items():
            if tax_class is None:
                self.add(f"tax_map.{hike_tax}", f"Choose the BigCommerce tax class for the Hike tax “{hike_tax}”.")
        if s.bc_to_hike.full_orders and s.shipping_tax is None:
            self.add("shipping_tax", "Choose the Hike tax for the shipping line of orders from BigCommerce "
                                     "(needed because full orders are sent to Hike).")
        pm = s.payment_mapping
        if pm.mode == "per_method":
            if not pm.map and self.facts is None:
                self.add("payment_mapping.map", "Map each BigCommerce payment method to a Hike payment type, or "
                                                "choose to record every payment as “BigCommerce”.")
            for method, payment_type in pm.map.items():
                if payment_type is None:
                    self.add(f"payment_mapping.map.{method}",
                             f"Choose the Hike payment type for BigCommerce payments by “{method}”.")

    # -- what contradicts itself --------------------------------------------------------------------------------
    def contradictions(self) -> None:
        s = self.s
        if self.facts is None and _same_ref(s.ecommerce_outlet, s.inventory_outlet):
            self.add("ecommerce_outlet", "The separate online outlet can't be the inventory outlet itself: "
                                         "choose another outlet, or no separate online outlet.")
        seen: set[str] = set()
        for i, ref in enumerate(s.combined_inventory_outlets):
            if _norm(str(ref)) in seen:
                self.add(f"combined_inventory_outlets[{i}]", f"The outlet {_show(ref)} is listed twice.",
                         mandatory=False)
            seen.add(_norm(str(ref)))
        if (self.facts is None and s.combined_inventory_outlets and s.inventory_outlet is not None
                and not any(_same_ref(r, s.inventory_outlet) for r in s.combined_inventory_outlets)):
            self.add("combined_inventory_outlets", "Combined inventory must include the inventory outlet "
                                                   f"{_show(s.inventory_outlet)}: orders are deducted from it.")
        if s.combined_inventory_outlets and not s.hike_to_bc.inventory:
            self.add("combined_inventory_outlets", "Combined inventory has no effect while “Update inventory in "
                                                   "BigCommerce” is off.", mandatory=False)
        if s.bc_to_hike.full_orders and s.hike_to_bc.full_orders:
            self.add("hike_to_bc.full_orders",
                     "Full orders go both ways: BigCommerce orders land in the outlet "
                     f"{_show(s.order_outlet) if s.order_outlet is not None else '(not chosen)'} while Hike sends "
                     "every outlet's sales, that one included, to BigCommerce. The app never sends back an order "
                     "it brought in, but the two sales histories get harder to reconcile; Hike recommends leaving "
                     "“Send full Hike sales to BigCommerce” off.", mandatory=False)

    def schedule(self) -> None:
        s = self.s
        if s.schedule_minutes < MIN_SCHEDULE_MINUTES:
            self.add("schedule_minutes", f"Sync every {MIN_SCHEDULE_MINUTES} minutes or less often: Hike allows "
                                         f"{HIKE_CALLS_PER_DAY} API calls a day, shared with the other apps on "
                                         "your store.")
            return
        calls = s.hike_polling_calls_per_day()
        if calls > HIKE_POLLING_BUDGET:
            per_pass = s.hike_calls_per_idle_pass()
            shortest = math.ceil(24 * 60 * per_pass / HIKE_POLLING_BUDGET)
            self.add("schedule_minutes", f"Every {s.schedule_minutes} minutes would use about {calls} of Hike's "
                                         f"{HIKE_CALLS_PER_DAY} daily API calls just to look for changes; sync "
                                         f"every {shortest} minutes or less often.")
        if s.schedule_minutes > MAX_SCHEDULE_MINUTES:
            self.add("schedule_minutes", f"Sync at least once a day (every {MAX_SCHEDULE_MINUTES} minutes or more "
                                         "often): stock in BigCommerce would be out of date for too long.")

    # -- against what the stores hold ---------------------------------------------------------------------------
    def against_stores(self) -> None:
        s, facts = self.s, self.facts
        assert facts is not None
        ids = self.ids
        inv = ids["inventory_outlet"] = self.find(self.outlets, s.inventory_outlet, "inventory_outlet")
        eco = ids["ecommerce_outlet"] = self.find(self.outlets, s.ecommerce_outlet, "ecommerce_outlet")
        active = {o.id: o.is_active for o in facts.hike_outlets}
        for key, ident in (("inventory_outlet", inv), ("ecommerce_outlet", eco)):
            if ident is not None and not active.get(ident, True):
                self.add(key, f"The Hike outlet “{self.outlets.name(ident)}” is inactive.", mandatory=False)
        if inv is not None and eco is not None and inv == eco:
            self.add("ecommerce_outlet", "The separate online outlet can't be the inventory outlet itself: "
                                         "choose another outlet, or no separate online outlet.")
        combined = [self.find(self.outlets, r, f"combined_inventory_outlets[{i}]")
                    for i, r in enumerate(s.combined_inventory_outlets)]
        ids["combined"] = tuple(dict.fromkeys(c for c in combined if c is not None))
        if combined and inv is not None and all(c is not None for c in combined) and inv not in combined:
            self.add("combined_inventory_outlets", "Combined inventory must include the inventory outlet "
                                                   f"“{self.outlets.name(inv)}”: orders are deducted from it.")
        ids["location"] = self.find(self.locations, s.bigcommerce_location_id, "bigcommerce_location_id")
        loc = next((x for x in facts.bc_locations if x.id == ids["location"]), None)
        if loc is not None and not loc.enabled:
            self.add("bigcommerce_location_id", f"The BigCommerce location “{loc.label}” is disabled.")
        self.check_taxes()
        self.check_payments()
        self.check_register()
        if facts.bc_prices_inc_tax is not None and facts.bc_prices_inc_tax != s.tax_inclusive:
            bc = "with tax" if facts.bc_prices_inc_tax else "without tax"
            self.add("tax_inclusive",
                     f"BigCommerce prices are entered {bc}, but Hike's “Tax inclusive prices” is "
                     f"{'ticked' if s.tax_inclusive else 'unticked'} here: make them agree, or prices will differ "
                     "by the tax between the two stores.", mandatory=False)

    def check_taxes(self) -> None:
        s, facts = self.s, self.facts
        assert facts is not None
        tax_map: dict[int, int] = {}
        for hike_ref, class_ref in s.tax_map.items():
            hike_id = self.find(self.taxes, hike_ref, f"tax_map.{hike_ref}")
            class_id = self.find(self.tax_classes, class_ref, f"tax_map.{hike_ref}") if class_ref is not None \
                else None
            if hike_id is not None and class_id is not None:
                tax_map.setdefault(hike_id, class_id)
        in_use = facts.hike_taxes_in_use
        for tax in facts.hike_taxes:
            used = tax.id in in_use if in_use is not None else tax.is_active
            mentioned = any(self.taxes.find(r)[0] == tax.id for r in s.tax_map)
            if used and not mentioned:
                self.add(f"tax_map.{tax.name}", f"Choose the BigCommerce tax class for the Hike tax “{tax.name}”.")
        self.ids["tax_map"] = tax_map
        self.ids["shipping_tax"] = self.find(self.taxes, s.shipping_tax, "shipping_tax")

    def check_payments(self) -> None:
        s, facts = self.s, self.facts
        assert facts is not None
        pm = s.payment_mapping
        bc_type = next((p.id for p in facts.hike_payment_types
                        if _norm(p.name) == _norm(BIGCOMMERCE_PAYMENT_TYPE) and p.is_active), None)
        self.ids["bigcommerce_payment_type"] = bc_type
        payment_map: dict[str, int] = {}
        if pm.mode == "all_as_bigcommerce":
            if bc_type is None and s.bc_to_hike.full_orders:
                self.add("payment_mapping.mode",
                         f"Hike has no active payment type named “{BIGCOMMERCE_PAYMENT_TYPE}”: add it in Hike "
                         "(Setup > Payment types), or map each BigCommerce payment method to a Hike payment type.")
        else:
            for method, ref in pm.map.items():
                if ref is not None:
                    ident = self.find(self.payment_types, ref, f"payment_mapping.map.{method}")
                    if ident is not None:
                        payment_map[method] = ident
            mapped = {_norm(k) for k in pm.map}
            for method in facts.bc_payment_methods:
                if method and _norm(method) not in mapped:
                    self.add(f"payment_mapping.map.{method}",
                             f"Choose the Hike payment type for BigCommerce payments by “{method}”.")
            known = {_norm(m) for m in facts.bc_payment_methods}
            if facts.bc_payment_methods:
                for method in pm.map:
                    if _norm(method) not in known:
                        self.add(f"payment_mapping.map.{method}",
                                 f"BigCommerce has no payment method “{method}” (any more); this line is ignored.",
                                 mandatory=False)
        self.ids["payment_map"] = payment_map

    def check_register(self) -> None:
        s, facts = self.s, self.facts
        assert facts is not None
        reg = self.ids["register"] = self.find(self.registers, s.payment_register, "payment_register")
        if reg is None:
            return
        register = next(r for r in facts.hike_registers if r.id == reg)
        order_outlet = self.ids["ecommerce_outlet"] if s.ecommerce_outlet is not None else self.ids["inventory_outlet"]
        if order_outlet is not None and register.outlet_id != order_outlet:
            self.add("payment_register",
                     f"The register “{register.name}” belongs to the outlet "
                     f"“{self.outlets.name(register.outlet_id)}”, but BigCommerce orders land in "
                     f"“{self.outlets.name(order_outlet)}”: choose one of that outlet's registers.")
        if not register.is_active:
            self.add("payment_register", f"The register “{register.name}” is inactive.", mandatory=False)

    def resolved(self) -> ResolvedSettings:
        s, ids, facts = self.s, self.ids, self.facts
        assert facts is not None
        return ResolvedSettings(
            settings=s, inventory_outlet_id=ids["inventory_outlet"], ecommerce_outlet_id=ids["ecommerce_outlet"],
            combined_outlet_ids=ids["combined"], bc_location_id=ids["location"],
            tax_map=MappingProxyType(dict(ids["tax_map"])), shipping_tax_id=ids["shipping_tax"],
            payment_mode=s.payment_mapping.mode, payment_map=MappingProxyType(dict(ids["payment_map"])),
            bigcommerce_payment_type_id=ids["bigcommerce_payment_type"], payment_register_id=ids["register"],
            hike_outlet_ids=tuple(o.id for o in facts.hike_outlets if o.is_active))
