"""The customer field table (D7, D10): name, email, phone, company and address, declared once for both stores.

``CUSTOMER_TABLE`` (``field_table.Field`` entries) says for each field how each store's customer is read (that value
is the one compared and fingerprinted) and how it is written to the other store on create and on update. The
customers' ``from_hike`` / ``from_bc``, ``fingerprint``, ``diff`` and bodies are derived from it. The shop's field
rules (``ownership.CUSTOMER_OWNED``, issue 20) govern updates and each side's fingerprint (``hike_fingerprint``:
the fields that sync Hike → BigCommerce, ``bc_fingerprint`` the other way); without them both are today's.

Addresses: Hike keeps a billing and a shipping address, BigCommerce a list. A new BigCommerce customer gets the Hike
billing address (and the shipping address when it differs); a new Hike customer gets the first BigCommerce address
as billing address and the second (or the first again) as shipping address. Updates from BigCommerce carry the first
address to Hike's billing address (and to the shipping address when that was the same). Hike's primary address (the
billing address, else the shipping address) goes to BigCommerce's first address through its own endpoint
(``bc_address_body``): BigCommerce's customer update takes no addresses.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from desktop.sync import ownership
from desktop.sync.bigcommerce import BCCustomer
from desktop.sync.field_table import Field, Write, create_keys, read_values, update_keys
from desktop.sync.hike_models import HikeAddress, HikeCustomer
from desktop.sync.vocabulary import Direction, Side

FINGERPRINT_VERSION = 1
HIKE_SOURCE_BIGCOMMERCE = 5  # ``InvoiceFrom`` [A]: the customer came from BigCommerce


# -- addresses -----------------------------------------------------------------------------------------------------
def _address(*parts: str | None) -> tuple[str, ...] | None:
    cleaned = tuple((p or "").strip() for p in parts)
    cleaned = cleaned[:-1] + (cleaned[-1].upper(),)
    return cleaned if any(cleaned[:5]) else None


def hike_primary_address(c: HikeCustomer) -> HikeAddress | None:
    for address in (c.billing_address, c.shipping_address):
        if address is not None and _hike_address_key(address) is not None:
            return address
    return None


def _hike_address_key(a: HikeAddress | None) -> tuple[str, ...] | None:
    if a is None:
        return None
    return _address(a.address1, a.address2, a.city, a.state, a.postcode, a.country_code)


def bc_addresses(c: BCCustomer) -> list[dict[str, Any]]:
    return sorted((a for a in c.addresses if isinstance(a, dict)), key=lambda a: a.get("id") or 0)


def _bc_address_key(a: dict[str, Any] | None) -> tuple[str, ...] | None:
    if not a:
        return None
    return _address(a.get("address1"), a.get("address2"), a.get("city"), a.get("state_or_province"),
                    a.get("postal_code"), a.get("country_code"))


def _bc_address_body(a: HikeAddress, c: HikeCustomer) -> dict[str, Any] | None:
    """Only an address BigCommerce can hold (street, city and a two-letter country) goes across."""
    country = a.country_code.strip().upper()
    if not a.address1.strip() or not a.city.strip() or len(country) != 2:
        return None
    out = {"first_name": c.first_name.strip(), "last_name": c.last_name.strip(), "address1": a.address1.strip(),
           "address2": a.address2.strip(), "city": a.city.strip(), "state_or_province": a.state.strip(),
           "postal_code": a.postcode.strip(), "country_code": country, "address_type": "residential"}
    if c.company_name.strip():
        out["company"] = c.company_name.strip()
    phone = (a.receiver_phone or c.phone).strip()
    if phone:
        out["phone"] = phone
    return out


def _hike_address_body(a: dict[str, Any], address_id: int | None) -> dict[str, Any]:
    name = f"{a.get('first_name') or ''} {a.get('last_name') or ''}".strip()
    return {"id": address_id or 0, "address1": a.get("address1") or "", "address2": a.get("address2") or "",
            "city": a.get("city") or "", "state": a.get("state_or_province") or "",
            "postcode": a.get("postal_code") or "", "country_code": (a.get("country_code") or "").upper(),
            "country_name": a.get("country") or "", "receiverName": name, "receiverPhone": a.get("phone") or ""}


def _read_hike_address(c: HikeCustomer, ctx: Any = None) -> tuple[str, ...] | None:
    return _hike_address_key(hike_primary_address(c))


def _read_bc_address(c: BCCustomer, ctx: Any = None) -> tuple[str, ...] | None:
    addresses = bc_addresses(c)
    return _bc_address_key(addresses[0]) if addresses else None


def _bc_addresses_create(c: HikeCustomer) -> dict[str, Any]:
    addresses = []
    seen: set[tuple[str, ...]] = set()
    for address in (c.billing_address, c.shipping_address):
        key = _hike_address_key(address)
        if address is None or key is None or key in seen:
            continue
        seen.add(key)
        converted = _bc_address_body(address, c)
        if converted is not None:
            addresses.append(converted)
    return {"addresses": addresses} if addresses else {}


def _hike_addresses_create(c: BCCustomer) -> dict[str, Any]:
    addresses = bc_addresses(c)
    if not addresses:
        return {}
    return {"billing_address": _hike_address_body(addresses[0], None),
            "shipping_address": _hike_address_body(addresses[1] if len(addresses) > 1 else addresses[0], None)}


def _hike_addresses_update(bc_c: BCCustomer, hike_c: HikeCustomer) -> dict[str, Any]:
    addresses = bc_addresses(bc_c)
    if not addresses or _read_hike_address(hike_c) == _read_bc_address(bc_c):
        return {}
    billing, shipping = hike_c.billing_address, hike_c.shipping_address
    body = {"billing_address": _hike_address_body(addresses[0], billing.id if billing else None)}
    if shipping is None or _hike_address_key(shipping) == _hike_address_key(hike_primary_address(hike_c)):
        body["shipping_address"] = _hike_address_body(addresses[0], shipping.id if shipping else None)
    return body


def bc_address_body(hike_c: HikeCustomer, bc_c: BCCustomer, settings: Any = None) -> dict[str, Any] | None:
    """Hike's primary address for BigCommerce's first one when the two differ: an update of that address (the body
    has its ``id``) or, when the customer has none there, a new one (the body has ``customer_id``). None when they
    agree, when the address does not sync to BigCommerce (the shop's field rule), or when Hike has no address or
    one BigCommerce cannot hold (an address is never cleared there)."""
    if not FIELD["address"].synced(settings, Direction.HIKE_TO_BC):
        return None
    primary = hike_primary_address(hike_c)
    addresses = bc_addresses(bc_c)
    first = addresses[0] if addresses else None
    if primary is None or _hike_address_key(primary) == _bc_address_key(first):
        return None
    body = _bc_address_body(primary, hike_c)
    if body is None:
        return None
    # an address needs both names in BigCommerce; a Hike customer linked by email may lack one: the customer's own
    for name in ("first_name", "last_name"):
        body[name] = body[name] or getattr(bc_c, name).strip()
    return {"id": first["id"], **body} if first is not None else {"customer_id": bc_c.id, **body}


# -- the table -----------------------------------------------------------------------------------------------------
Read = Callable[[Any, Any], str]


def _copied(name: str, label: str, read_hike: Read, read_bc: Read, *, bc_key: str, hike_key: str,
            required: bool) -> Field:
    """A text field copied as each store reads it. ``required`` (names, email: BigCommerce needs them): always on
    create and never cleared by an update; otherwise (phone, company) sent to a new BigCommerce customer only when
    set, and an update may clear it."""
    def writes(key: str, read_source: Read, read_target: Read, every_create: bool) -> Write:
        def create(source: Any) -> dict[str, Any]:
            value = read_source(source, None)
            return {key: value} if value or required or every_create else {}

        def update(source: Any, existing: Any) -> dict[str, Any]:
            want = read_source(source, None)
            return {key: want} if read_target(existing, None) != want and (want or not required) else {}
        return Write(create, update)

    return Field(name, label, read_hike=read_hike, read_bc=read_bc,
                 bc=writes(bc_key, read_hike, read_bc, False), hike=writes(hike_key, read_bc, read_hike, True),
                 entity=ownership.CUSTOMER)


CUSTOMER_TABLE: tuple[Field, ...] = (
    _copied("first_name", "First name", lambda c, ctx: c.first_name.strip(), lambda c, ctx: c.first_name.strip(),
            bc_key="first_name", hike_key="first_name", required=True),
    _copied("last_name", "Last name", lambda c, ctx: c.last_name.strip(), lambda c, ctx: c.last_name.strip(),
            bc_key="last_name", hike_key="last_name", required=True),
    _copied("email", "Email", lambda c, ctx: (c.email or "").strip(), lambda c, ctx: c.email.strip(),
            bc_key="email", hike_key="email", required=True),
    _copied("phone", "Phone", lambda c, ctx: c.phone.strip(), lambda c, ctx: c.phone.strip(),
            bc_key="phone", hike_key="phone", required=False),
    _copied("company", "Company", lambda c, ctx: c.company_name.strip(), lambda c, ctx: c.company.strip(),
            bc_key="company", hike_key="company_name", required=False),
    # BigCommerce's address is updated through its own endpoint (bc_address_body), not the customer's body
    Field("address", "Address", read_hike=_read_hike_address, read_bc=_read_bc_address,
          bc=Write(_bc_addresses_create), hike=Write(_hike_addresses_create, _hike_addresses_update),
          show=lambda a: ", ".join(p for p in a if p) if a else None, entity=ownership.CUSTOMER),
)
FIELD = {f.name: f for f in CUSTOMER_TABLE}


# -- derived -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CustomerFields:
    """One customer's synced fields as one store has them, by the table's names (compared and fingerprinted)."""

    values: Mapping[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def as_dict(self) -> dict[str, Any]:
        """As the log shows them (the address as one line)."""
        return {f.name: f.show(self.values[f.name]) if f.show else self.values[f.name] for f in CUSTOMER_TABLE}


def from_hike(c: HikeCustomer) -> CustomerFields:
    return CustomerFields(read_values(CUSTOMER_TABLE, Side.HIKE, c, None))


def from_bc(c: BCCustomer) -> CustomerFields:
    return CustomerFields(read_values(CUSTOMER_TABLE, Side.BIGCOMMERCE, c, None))


def synced(fields: CustomerFields, direction: str | None, settings: Any) -> dict[str, Any]:
    """The values of the fields that sync from this store's side in ``direction`` under the shop's field rules
    (``ownership``, issue 20); every field when ``direction`` is None. Email has no rule: it always syncs (D7)."""
    return {name: value for name, value in fields.values.items()
            if direction is None or FIELD[name].synced(settings, direction)}


def fingerprint(fields: CustomerFields, direction: str | None = None, settings: Any = None) -> str:
    """sha256 over the canonical JSON of the fields that sync from this side in ``direction`` (D10: equal means
    nothing that syncs that way changed): Hike's customer in ``Direction.HIKE_TO_BC``, BigCommerce's in
    ``BC_TO_HIKE``. Without field rules every field syncs both ways, and the fingerprint is the one of every field
    (the same text as before the rules existed, so an upgrade sends nothing again)."""
    text = json.dumps({"v": FINGERPRINT_VERSION, "fields": synced(fields, direction, settings)}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hike_fingerprint(c: HikeCustomer, settings: Any) -> str:
    """The link's fingerprint of Hike's customer: over the fields that sync Hike → BigCommerce."""
    return fingerprint(from_hike(c), Direction.HIKE_TO_BC, settings)


def bc_fingerprint(c: BCCustomer, settings: Any) -> str:
    """The link's fingerprint of BigCommerce's customer: over the fields that sync BigCommerce → Hike."""
    return fingerprint(from_bc(c), Direction.BC_TO_HIKE, settings)


def expected_fingerprint(target: CustomerFields, source: CustomerFields, direction: str, settings: Any,
                         sent_under: Any = None) -> str:
    """The fingerprint the target store's customer will show once it holds the source's values of the fields that
    sync in ``direction`` (under ``sent_under``, a drift fix's rules, else ``settings``): ``own_writes`` tells our
    own write from a person's by it after a crash. The target's fingerprint is over the fields that sync the other
    way under ``settings``, as the link keeps it."""
    sent = settings if sent_under is None else sent_under
    values = {name: source[name] if FIELD[name].synced(sent, direction) else value
              for name, value in target.values.items()}
    back = Direction.BC_TO_HIKE if direction == Direction.HIKE_TO_BC else Direction.HIKE_TO_BC
    return fingerprint(CustomerFields(values), back, settings)


def diff(before: CustomerFields | None, after: CustomerFields) -> dict[str, list[Any]]:
    old = before.as_dict() if before else {}
    return {k: [old.get(k), v] for k, v in after.as_dict().items() if before is None or old.get(k) != v}


def bc_create_body(c: HikeCustomer) -> dict[str, Any]:
    return create_keys(CUSTOMER_TABLE, Side.BIGCOMMERCE, c)


def hike_create_body(c: BCCustomer) -> dict[str, Any]:
    return {**create_keys(CUSTOMER_TABLE, Side.HIKE, c), "customerFrom": HIKE_SOURCE_BIGCOMMERCE}


def hike_update_body(hike_c: HikeCustomer, bc_c: BCCustomer, settings: Any = None,
                     written: set[str] | None = None) -> dict[str, Any]:
    """BigCommerce's values for what differs and syncs to Hike (the shop's field rules); empty when Hike already
    has them. ``written`` gains the names of the fields the body carries."""
    body = update_keys(CUSTOMER_TABLE, Side.HIKE, bc_c, hike_c, settings, written=written)
    return {**body, "id": hike_c.id} if body else {}


def bc_update_body(hike_c: HikeCustomer, bc_c: BCCustomer, settings: Any = None,
                   written: set[str] | None = None) -> dict[str, Any]:
    """Hike's values for what differs and syncs to BigCommerce (never an empty name or email: BigCommerce needs
    them). The address is not in it: ``bc_address_body``."""
    body = update_keys(CUSTOMER_TABLE, Side.BIGCOMMERCE, hike_c, bc_c, settings, written=written)
    return {**body, "id": bc_c.id} if body else {}
