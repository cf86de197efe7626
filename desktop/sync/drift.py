"""The drift report (issue 20, B4): linked products and customers whose synced fields differ between the stores
right now.

A field differs when a write would carry it: the update body to BigCommerce made from Hike's record, or the one
to Hike made from BigCommerce's, names it (``product_bodies`` / ``customer_fields``, the same builders the sync
writes with, so "differs" means exactly "a fix would write it", value formats and tax included). The field's rule
(``ownership``: the shop's own, else Hike's article's; a customer field's default is "the newest change wins")
says which fixes it allows and is shown with it.

Found on the full passes (the daily reconciliation, "Check everything now", ``sync --once --full``) without a call
of their own: a linked record the pass leaves alone (neither store changed it since the last pass) is compared
from the records the pass read anyway. A record the pass writes is not drift: the write levels it.

One mechanism for both entities: a ``Kind`` (``PRODUCTS``, ``CUSTOMERS``) says how a pair is compared, what its
row is called and how a fix reads the store it changes; ``note_part``, ``request_fix``, ``apply_requests``,
``prepare_fix`` and ``rows`` take it, or find it from the link.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Callable, Iterator

from desktop.storage.db import database_proxy
from desktop.storage.models import DriftRow
from desktop.sync import mapping, ownership
from desktop.sync.bigcommerce import BCProduct
from desktop.sync.hike_models import HikeProduct
from desktop.sync.journal import begin_work, end_work, links_by_hike, unfinished_work
from desktop.sync.mapping_context import MappingContext, MappingError
from desktop.sync.product_fields import PRODUCT_TABLE, declared_rule, field_label
from desktop.sync.settings import Settings
from desktop.sync.skus import product_sku
from desktop.sync.vocabulary import Direction

TO_BIGCOMMERCE, TO_HIKE = "bigcommerce", "hike"  # a fix: make that store match the other
ENTITY = "product"  # the products' link entity (``PRODUCTS.entity``)
MONEY = re.compile(r"^-?\d+\.\d{4}$")  # ``money_text``'s form
CENT = Decimal("0.01")


@dataclass(slots=True)
class FieldDrift:
    """One field that differs: both stores' values as the sync compares them, its rule and the fixes it allows."""

    field: str
    label: str
    hike: Any
    bc: Any
    rule: str  # ownership.HIKE, BIGCOMMERCE, NEWEST or NONE
    own_rule: bool  # the shop's rule (else Hike's article's)
    fixes: tuple[str, ...]  # TO_BIGCOMMERCE (make BigCommerce match Hike) and/or TO_HIKE


def product_drift(hike: HikeProduct, bc: BCProduct, ctx: MappingContext) -> list[FieldDrift]:
    """The fields of a linked pair that differ, in the table's order (a variant's fields count as "variants")."""
    hike_record, bc_record = mapping.product_from_hike(hike, ctx), mapping.product_from_bc(bc, ctx)
    to_bc: set[str] = set()
    to_hike: set[str] = set()
    mapping.bc_product_body(hike_record, ctx, bc, to_bc)
    mapping.hike_product_body(bc_record, ctx, hike, to_hike)
    settings = ctx.settings
    out: list[FieldDrift] = []
    for field in PRODUCT_TABLE:
        name = field.name
        if name not in to_bc and name not in to_hike or name == "sku" and _made_up_sku(hike_record, bc_record):
            continue
        own = ownership.rule_of(settings, name)
        rule = own or declared_rule(name, settings)
        fixes = tuple(fix for fix, written in ((TO_BIGCOMMERCE, to_bc), (TO_HIKE, to_hike)) if name in written)
        out.append(FieldDrift(name, _label(name, settings), _shown(hike_record, field, settings, Direction.HIKE_TO_BC),
                              _shown(bc_record, field, settings, Direction.BC_TO_HIKE), rule, own is not None, fixes))
    return out


def _made_up_sku(hike: Any, bc: Any) -> bool:
    """A product one store has without a SKU carries the SKU the app made up for it (S18) in the other; the store
    without one gets it with the product's next update from the other. Nobody changed anything: no difference."""
    hike_sku, bc_sku = (hike.sku or "").strip(), (bc.sku or "").strip()
    if not hike_sku:
        return bc_sku == product_sku(hike)
    return not bc_sku and hike_sku == product_sku(bc)


def _shown(record: Any, field: Any, settings: Any, direction: str) -> Any:
    """A value as the report shows it: as the sync compares it (prices both with or both without tax, as Hike's
    "tax inclusive prices" says: ``_label`` says which; descriptions as plain text), money to the cent when exact."""
    value = field.canonical(record, mapping.options_of(settings), direction)
    if isinstance(value, str) and MONEY.match(value) and Decimal(value) == Decimal(value).quantize(CENT):
        return str(Decimal(value).quantize(CENT))
    return value


def _label(name: str, settings: Any) -> str:
    if name == "price":
        return "Price incl. tax" if mapping.options_of(settings).tax_inclusive else "Price excl. tax"
    return field_label(name)


def _settings_of(ctx: Any) -> Any:
    """The settings in a mapping context, or the settings given as they are (a customer pass has no context)."""
    return ctx.settings if isinstance(ctx, MappingContext) else ctx


def customer_drift(hike: Any, bc: Any, ctx: Any) -> list[FieldDrift]:
    """The fields of a linked customer pair that differ, in the table's order (``customer_fields``' bodies, the
    address as the sync writes it to each store)."""
    from desktop.sync import customer_fields as cf

    settings = _settings_of(ctx)
    to_bc: set[str] = set()
    to_hike: set[str] = set()
    cf.bc_update_body(hike, bc, settings, to_bc)
    if cf.bc_address_body(hike, bc, settings) is not None:
        to_bc.add("address")
    cf.hike_update_body(hike, bc, settings, to_hike)
    hike_values, bc_values = cf.from_hike(hike).as_dict(), cf.from_bc(bc).as_dict()
    out = []
    for field in cf.CUSTOMER_TABLE:
        name = field.name
        if name not in to_bc and name not in to_hike:
            continue
        own = ownership.rule_of(settings, name, ownership.CUSTOMER)
        fixes = tuple(fix for fix, written in ((TO_BIGCOMMERCE, to_bc), (TO_HIKE, to_hike)) if name in written)
        out.append(FieldDrift(name, field.label, hike_values[name], bc_values[name], own or ownership.NEWEST,
                              own is not None, fixes))
    return out


def _product_seen(links: list[Any], to: str, hike: Any, bc: Any, ctx: Any) -> dict[int, str]:
    """The fingerprints of the products the fix changes, as their store has them now (by that store's id)."""
    settings = ctx.settings
    if to == TO_BIGCOMMERCE:
        return {p.id: mapping.fingerprint(mapping.product_from_bc(p, ctx), Direction.BC_TO_HIKE, settings)
                for p in bc.products(ids=[int(link.bc_id) for link in links])}
    seen = {}
    for link in links:
        product = hike.product(int(link.hike_id))
        if product is not None:
            seen[product.id] = mapping.fingerprint(mapping.product_from_hike(product, ctx), Direction.HIKE_TO_BC,
                                                   settings)
    return seen


def _customer_seen(links: list[Any], to: str, hike: Any, bc: Any, ctx: Any) -> dict[int, str]:
    """The fingerprints of the customers the fix changes, as their store has them now (by that store's id)."""
    from desktop.sync.customer_fields import bc_fingerprint, hike_fingerprint

    settings = _settings_of(ctx)
    if to == TO_BIGCOMMERCE:
        return {c.id: bc_fingerprint(c, settings) for c in bc.customers(ids=[int(link.bc_id) for link in links])}
    found = (hike.customer(int(link.hike_id)) for link in links)
    return {c.id: hike_fingerprint(c, settings) for c in found if c is not None}


@dataclass(frozen=True)
class Kind:
    """What the drift report needs of an entity: its link entity, whose field rules govern it (``ownership``),
    the pass that writes it, how a pair is compared, what a row shows as its name and key, and how a fix reads
    the fingerprints of the store it changes."""

    entity: str
    owner: str
    sync_entity: str  # the engine's entity a fix's records-only pass runs
    compare: Callable[[Any, Any, Any], list[FieldDrift]]
    title: Callable[[Any, Any], tuple[str, str | None]]
    seen: Callable[[list[Any], str, Any, Any, Any], dict[int, str]]


PRODUCTS = Kind(ENTITY, ownership.PRODUCT, "products", product_drift, lambda h, b: (h.name, h.sku or b.sku),
                _product_seen)
CUSTOMERS = Kind("customer", ownership.CUSTOMER, "customers", customer_drift,
                 lambda h, b: (f"{h.first_name} {h.last_name}".strip(), (h.email or b.email or "").strip().lower()
                               or None), _customer_seen)
KINDS = {kind.entity: kind for kind in (PRODUCTS, CUSTOMERS)}


# -- kept in the database: found by the full passes, shown by the Differences tab and ``drift`` ---------------------
def clear(kind: Kind = PRODUCTS) -> None:
    """A full read starts: what it finds replaces what was found before."""
    DriftRow.delete().where(DriftRow.entity == kind.entity).execute()


def note_part(part: Any, actions: list[Any], ctx: Any, one_field: dict[int, str] | None = None,
              kind: Kind = PRODUCTS) -> int:
    """After a part of a pass is planned: the records its actions write are not drift any more (the write levels
    them; a fix of one field, ``one_field``, only that field); on a full read, every linked pair the part leaves
    alone is compared again. ``ctx``: the mapping context (products) or the settings (customers). Returns the
    fields found."""
    entity = kind.entity
    touched = {a.link.id for a in actions if getattr(a, "link", None) is not None}
    one_field = {i: key for i, key in (one_field or {}).items() if key in ownership.keys_of(kind.owner)}
    touched_hike = {str(a.hike.id) for a in actions if getattr(a, "hike", None) is not None}
    compared: list[int] = []
    rows = list(_rows_of(part, ctx, touched, touched_hike, compared, kind)) if part.full else []
    gone = [*(touched - set(one_field)), *compared]
    with database_proxy.atomic():
        for link_id, key in one_field.items():
            names = next(f.names for f in ownership.owned_of(kind.owner) if f.key == key)
            DriftRow.delete().where(DriftRow.entity == entity, DriftRow.link_id == link_id,
                                    DriftRow.field.in_(list(names))).execute()
        for start in range(0, len(gone), 500):
            DriftRow.delete().where(DriftRow.entity == entity, DriftRow.link_id.in_(gone[start:start + 500])).execute()
        for start in range(0, len(rows), 200):
            DriftRow.insert_many(rows[start:start + 200]).execute()
    return len(rows)


def _rows_of(part: Any, ctx: Any, touched: set[int], touched_hike: set[str], compared: list[int],
             kind: Kind) -> Iterator[dict[str, Any]]:
    """The drift rows of the part's linked pairs that no action touches; ``compared`` gains their link ids."""
    links = links_by_hike(kind.entity, [p.id for p in part.hike])
    bc = {p.id: p for p in part.bc}
    for hike in part.hike:
        link = links.get(str(hike.id))
        if link is None or link.status != "linked" or not link.bc_id or link.id in touched \
                or str(hike.id) in touched_hike:
            continue
        other = bc.get(int(link.bc_id))
        if other is None:
            continue
        compared.append(link.id)
        try:
            found = kind.compare(hike, other, ctx)
        except MappingError:
            continue  # a record the mapping cannot write fails in the pass itself, with its message
        name, key = kind.title(hike, other)
        for field in found:
            yield {"entity": kind.entity, "link_id": link.id, "hike_id": str(hike.id), "bc_id": str(other.id),
                   "name": name, "sku": key, "field": field.field, "label": field.label,
                   "hike_value": field.hike, "bc_value": field.bc, "rule": field.rule, "own_rule": field.own_rule,
                   "fixes": list(field.fixes)}


# -- fixes: "make BigCommerce match Hike" / "make Hike match BigCommerce" -------------------------------------------
FIX = "fix_drift"  # outbox action: make a store match the other for this link, at the next records-only pass


def request_fix(link_ids: list[int], to: str, field: str | None = None) -> list[int]:
    """Ask for a fix (the window's thread may: only the database is written): one outbox row per product or
    customer (its link's entity), carried out by the next pass that reads it (``apply_requests``, on the pass's own
    thread, so no pass in flight can save the link over it). ``field``: only that field (a field with a rule: its
    ``ownership`` key, a customer's without ``customer.``, or a table name); None: every synced field that
    differs. Returns the ids asked for; the caller then asks for a records-only pass of them."""
    if to not in (TO_BIGCOMMERCE, TO_HIKE):
        raise ValueError(f"a fix makes 'bigcommerce' or 'hike' match the other, not {to!r}")
    ids = [int(i) for i in link_ids]
    kinds = kinds_of(ids)
    for kind in set(kinds.values()):
        if field is not None and owned_key(field, kind.owner) is None:
            keys = ", ".join(ownership.keys_of(kind.owner))
            raise ValueError(f"only a field with a rule can be fixed alone ({keys}), not {field!r}")
    with database_proxy.atomic():
        for link_id in ids:
            kind = kinds[link_id]
            begin_work(kind.entity, f"{FIX}:{link_id}", FIX, {
                "link": link_id, "to": to, "field": owned_key(field, kind.owner) if field else None})
    return ids


def kinds_of(link_ids: list[int]) -> dict[int, Kind]:
    """The drift kind of each link, read at once (a product's when the link is not a customer's, or is gone)."""
    from desktop.storage.models import Link

    entities: dict[int, str] = {}
    for start in range(0, len(link_ids), 500):
        query = Link.select(Link.id, Link.entity).where(Link.id.in_(link_ids[start:start + 500]))
        entities.update((link.id, link.entity) for link in query)
    return {i: KINDS.get(entities.get(i, ENTITY), PRODUCTS) for i in link_ids}


def sync_entities(link_ids: Any) -> tuple[str, ...]:
    """The engine entities whose records-only pass carries out fixes of these links."""
    return tuple(sorted({kind.sync_entity for kind in kinds_of([int(i) for i in link_ids]).values()}))


def owned_key(field: str, owner: str | None = None) -> str | None:
    """The rule key (``ownership``) of a field of ``owner`` (None: of any entity, products first) given by its key,
    a customer's key without ``customer.`` or a table name ("width" is "weight", "first_name" "customer.name")."""
    owners = (owner,) if owner else tuple(ownership.BY_ENTITY)
    return next((f.key for o in owners for f in ownership.owned_of(o)
                 if field in (f.key, f.key.removeprefix("customer.")) or field in f.names), None)


def apply_requests(link_ids: Any, hike: Any, bc: Any, ctx: MappingContext) -> dict[int, str]:
    """At the start of a pass reading these records: the fixes asked for them (``request_fix``) are prepared
    (``prepare_fix``) and their rows end; the pass then writes them. A crash before the rows end prepares them
    again, which is harmless. Returns the fixes of one field: link id -> its rule key (``restricted``)."""
    wanted = {int(i) for i in link_ids}
    out: dict[int, str] = {}
    for kind in KINDS.values():
        rows = [row for row in unfinished_work(kind.entity) if row.action == FIX and int(row.payload["link"]) in wanted]
        for to in (TO_BIGCOMMERCE, TO_HIKE):
            mine = [row for row in rows if row.payload["to"] == to]
            if mine:
                prepare_fix([int(row.payload["link"]) for row in mine], to, hike, bc, ctx, kind)
        with database_proxy.atomic():
            for row in rows:
                end_work(row)
        out.update({int(row.payload["link"]): row.payload["field"] for row in rows if row.payload.get("field")})
    return out


def restricted_rules(settings: Any, entity: str, key: str) -> Settings:
    """The settings a one-field fix of ``entity`` writes with: every other field of it with a rule does not sync,
    that one syncs both ways (the fields without one, a product's SKU and variant options, a customer's email,
    only write what differs, as always). Only the write's body uses them; the link's fingerprints are the
    ordinary ones, so the other differences stay in the report."""
    plain = getattr(settings, "settings", settings) or Settings()  # ResolvedSettings holds the Settings
    rules = {**plain.field_ownership, **{k: ownership.NONE for k in ownership.keys_of(entity)}, key: ownership.NEWEST}
    return replace(plain, field_ownership=rules)


def restricted(ctx: MappingContext, key: str) -> MappingContext:
    """The mapping context a one-field fix of a product writes with (``restricted_rules``)."""
    only = restricted_rules(mapping.options_of(ctx.settings), ownership.PRODUCT, key)
    return replace(ctx, settings=replace(ctx.settings, settings=only))


def prepare_fix(link_ids: list[int], to: str, hike: Any, bc: Any, ctx: MappingContext,
                kind: Kind = PRODUCTS) -> list[int]:
    """Make the store ``to`` match the other for these linked products (or customers: ``kind``), as an ordinary
    sync write: the store to change is read now and the link takes its record as seen, the other store's record is
    marked changed (its fingerprint forgotten), so the records-only pass the caller runs next
    (``SyncEngine.run_pass(only=...)``) plans an update to ``to`` with every synced field that differs (logged, in
    the outbox, safe after a crash: a pass that reads the record later does the same). Returns the link ids
    prepared (those still linked)."""
    from desktop.storage.models import Link

    if to not in (TO_BIGCOMMERCE, TO_HIKE):
        raise ValueError(f"a fix makes 'bigcommerce' or 'hike' match the other, not {to!r}")
    links = [link for link in Link.select().where(Link.id.in_(list(link_ids)), Link.entity == kind.entity,
                                                  Link.status == "linked")]
    if not links:
        return []
    seen = kind.seen(links, to, hike, bc, ctx)
    prepared = []
    with database_proxy.atomic():
        for link in links:
            target = int(link.bc_id if to == TO_BIGCOMMERCE else link.hike_id)
            if target not in seen:
                continue  # gone from that store: the pass marks it deleted (D9)
            if to == TO_BIGCOMMERCE:
                link.bc_fingerprint, link.hike_fingerprint = seen[target], ""
            else:
                link.hike_fingerprint, link.bc_fingerprint = seen[target], ""
            link.save()
            prepared.append(link.id)
    return prepared


def rows(search: str = "", entity: str | None = None) -> list[DriftRow]:
    """The drift found, by record then field (products, then customers); ``search``: in the name or SKU (a
    customer's: email), letter case aside; ``entity``: one entity's ("product", "customer")."""
    query = DriftRow.select()
    if entity is not None:
        query = query.where(DriftRow.entity == entity)
    if search:
        query = query.where(DriftRow.name.contains(search) | DriftRow.sku.contains(search))
    return list(query.order_by(DriftRow.entity.desc(), DriftRow.name, DriftRow.link_id, DriftRow.id))
