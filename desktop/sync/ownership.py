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
Hike receives them through their own path, not through the table.

Customers have rules of their own (``CUSTOMER_OWNED``, keys ``customer.*``, so none can collide with a product's):
name (first and last), phone, company and the address. Their email is the link key (D7): it always syncs both
ways and has no rule. A field-table field says whose rules govern it (``Field.entity``), so a customer's "name" is
never ruled by the products' "name". Without a rule a customer field syncs both ways (the newest change wins).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from desktop.sync.vocabulary import Direction

HIKE, BIGCOMMERCE, NEWEST, NONE = "hike", "bigcommerce", "newest", "none"
PRODUCT, CUSTOMER = "product", "customer"  # whose fields a rule governs (``Field.entity``)
RULES = (HIKE, BIGCOMMERCE, NEWEST, NONE)
RULE_WORDS = {HIKE: "Hike owns it", BIGCOMMERCE: "BigCommerce owns it", NEWEST: "The newest change wins",
              NONE: "Don't sync"}


@dataclass(frozen=True)
class OwnedField:
    """A field a rule can be set for: its settings key, how people see it, the field-table names it governs."""

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
CUSTOMER_OWNED: tuple[OwnedField, ...] = (
    OwnedField("customer.name", "Name", ("first_name", "last_name")),
    OwnedField("customer.phone", "Phone", ("phone",)),
    OwnedField("customer.company", "Company", ("company",)),
    OwnedField("customer.address", "Address", ("address",)),
)
BY_ENTITY: dict[str, tuple[OwnedField, ...]] = {PRODUCT: OWNED, CUSTOMER: CUSTOMER_OWNED}
KEYS = tuple(f.key for owned in BY_ENTITY.values() for f in owned)  # every key ``field_ownership`` may hold
_BY_NAME = {(entity, name): f.key for entity, owned in BY_ENTITY.items() for f in owned for name in f.names}


def owned_of(entity: str) -> tuple[OwnedField, ...]:
    """The fields with a rule of ``entity`` (``PRODUCT``: products and variants, or ``CUSTOMER``)."""
    return BY_ENTITY[entity]


def keys_of(entity: str) -> tuple[str, ...]:
    return tuple(f.key for f in BY_ENTITY[entity])


def rule_of(settings: Any, name: str, entity: str = PRODUCT) -> str | None:
    """The shop's rule for ``entity``'s field-table field ``name`` (None: as the table declares it).
    ``settings``: the ``Settings``, their resolved form, or None."""
    settings = getattr(settings, "settings", settings)  # ResolvedSettings holds the Settings
    rules: Mapping[str, str] = getattr(settings, "field_ownership", None) or {}
    key = _BY_NAME.get((entity, name))
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


def decided_by(settings: Any, names: set[str] | list[str] | tuple[str, ...], entity: str = PRODUCT) -> str:
    """The log's words for the shop's own rules among the fields a write of ``entity`` carried ("" when none has
    one): so the record log says which rule decided."""
    said = []
    for f in BY_ENTITY[entity]:
        rule = next((r for n in f.names if n in names and (r := rule_of(settings, n, entity))), None)
        if rule:
            said.append(f"{f.label}: {RULE_WORDS[rule]}")
    return f" (your field rules: {'; '.join(said)})" if said else ""
