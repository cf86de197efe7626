"""Field ownership (issue 20): per synced field, which store's changes count.

A shop manager can give a field one of four rules (settings key ``field_ownership``, Manage → Fields):

- ``hike``: Hike owns it. Hike's changes go to BigCommerce; BigCommerce's changes to it are not sent to Hike.
- ``bigcommerce``: BigCommerce owns it, the other way round.
- ``newest``: the newest change wins: either store's change goes to the other (when both changed the record, the
  newer change's store wins, as for every record).
- ``none``: don't sync it: neither store's change to it is written to the other.

A field without a rule of its own syncs as the field table declares (``Field.syncs``: S6, S16, S19), which is the
behaviour of Hike's article; so an empty ``field_ownership`` changes nothing. A rule decides what a *change* does:
a record created in the other store is still a copy of the whole record (a store needs its name, price and SKU to
create one). A store's change to a field it does not own shows in the drift report, not in the other store.

Product and variant fields share names (a variant's price is "price"). Images follow "What syncs which way" (S17):
Hike receives them through their own path, not through the table. Customers' fields have no rules yet: their
fingerprint is one for both directions (``customer_fields``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from desktop.sync.vocabulary import Direction

HIKE, BIGCOMMERCE, NEWEST, NONE = "hike", "bigcommerce", "newest", "none"
RULES = (HIKE, BIGCOMMERCE, NEWEST, NONE)
RULE_WORDS = {HIKE: "Hike owns it", BIGCOMMERCE: "BigCommerce owns it", NEWEST: "The newest change wins",
              NONE: "Don't sync"}


@dataclass(frozen=True)
class OwnedField:
    """A product field a rule can be set for: its settings key, how people see it, the field-table names it
    governs."""

    key: str
    label: str
    names: tuple[str, ...]


OWNED: tuple[OwnedField, ...] = (
    OwnedField("name", "Name", ("name",)),
    OwnedField("description", "Description", ("description",)),
    OwnedField("price", "Price", ("price",)),
    OwnedField("cost", "Cost", ("cost",)),
    OwnedField("barcode", "Barcode / UPC", ("barcode",)),
    OwnedField("tax", "Tax", ("tax",)),
    OwnedField("weight", "Weight and size", ("weight", "width", "height", "depth")),
    OwnedField("brand", "Brand", ("brand",)),
    OwnedField("categories", "Categories", ("categories",)),
    OwnedField("track_inventory", "Track inventory", ("track_inventory",)),
)
KEYS = tuple(f.key for f in OWNED)
_BY_NAME = {name: f.key for f in OWNED for name in f.names}


def rule_of(settings: Any, name: str) -> str | None:
    """The shop's rule for the field-table field ``name`` (None: as the table declares it). ``settings``: the
    ``Settings``, their resolved form, or None."""
    settings = getattr(settings, "settings", settings)  # ResolvedSettings holds the Settings
    rules: Mapping[str, str] = getattr(settings, "field_ownership", None) or {}
    key = _BY_NAME.get(name)
    return rules.get(key) if key else None


def allows(rule: str, direction: str) -> bool:
    """Whether a field under ``rule`` syncs in ``direction``."""
    if rule == NEWEST:
        return True
    if rule == HIKE:
        return direction == Direction.HIKE_TO_BC
    if rule == BIGCOMMERCE:
        return direction == Direction.BC_TO_HIKE
    return False


def rule_for(to_bc: bool, to_hike: bool) -> str:
    """The rule that syncs a field exactly these ways."""
    return {(True, True): NEWEST, (True, False): HIKE, (False, True): BIGCOMMERCE, (False, False): NONE}[
        (to_bc, to_hike)]


def decided_by(settings: Any, names: set[str] | list[str]) -> str:
    """The log's words for the shop's own rules among the fields a write carried ("" when none has one): so the
    record log says which rule decided."""
    said = []
    for f in OWNED:
        rule = next((r for n in f.names if n in names and (r := rule_of(settings, n))), None)
        if rule:
            said.append(f"{f.label}: {RULE_WORDS[rule]}")
    return f" (your field rules: {'; '.join(said)})" if said else ""
