"""Customers between Hike and BigCommerce, both ways: plan, then apply (D7, D9, D10, N2, N5).

A pass runs ``recover()``, ``read(full=...)``, ``plan()``, ``apply()`` and ``advance_cursors()`` with the pass's
``Journal`` (entity "customer" in links, log and run counts), the same shape as ``ProductSync``.

There is no separate customer setting: whenever a pass runs the "customers" entity, customers sync both
ways (new ones are created on the other side, changes of linked ones go across). A pass reads what changed on
each side since its cursor (Hike ``Sync_From``, BigCommerce ``date_modified:min``; everything on the first
activation and on a reconciliation pass) and plans:

- *link*: customers not linked yet whose emails are equal, trimmed and letter case aside (D7). On the first
  activation every existing customer is linked this way; later, a new customer is looked up by email on the other
  side before anything is created, so nothing is created twice. Linking writes nothing: both stores keep what they
  have until one of them changes it.
- *create* in BigCommerce: a Hike customer with a first name, a last name and an email (BigCommerce needs all
  three), 10 per call; in Hike: a new BigCommerce customer, one per call (Hike has no batch customer endpoint).
  Name, email, phone, company and the addresses both sides can hold go across.
- *update*: a linked customer whose synced fields (name, email, phone, company, first address) changed since we
  last saw or wrote them on that side (its per-side fingerprint differs, so our own writes do not echo, D10); when
  both sides changed, the newer change wins and the log says so. The shop's customer field rules (issue 20,
  ``ownership``: name, phone, company, address) decide which fields each side's fingerprint covers and which an
  update carries; when both sides changed, the losing side's fingerprint is kept, so the next pass sends its change
  to a field only it may send. Creates copy the whole customer.
- *skip*: a Hike customer without first name, last name and email is not sent to BigCommerce, with the reason,
  logged once (a marker row remembers it).
- *conflict*: two or more Hike customers sharing one email (letter case aside) are never merged and none of them is
  sent; the log names them all (result "conflict", logged once). A new BigCommerce customer with that email is not
  created in Hike either.

Addresses: Hike keeps a billing and a shipping address, BigCommerce a list. A new BigCommerce customer gets the
Hike billing address (and the shipping address when it differs); a new Hike customer gets the first BigCommerce
address as billing address and the second (or the first again) as shipping address. Updates from BigCommerce carry
the first address to Hike's billing address (and to the shipping address when that was the same). Updates from Hike
carry Hike's primary address (the billing address, else the shipping address) to BigCommerce's first address (lowest
id): BigCommerce's customer update takes no addresses, so after it that address is updated through its own endpoint
(``PUT /customers/addresses``, by id), or created (``POST``) when the customer has none there, 10 per call. Only an
address that differs is sent, and never an empty one (an address is not cleared in BigCommerce). A refused address
fails that customer only, and its Hike change is sent again when the customer is next read.

Creates use the outbox (N2): the pending row is committed before the request is sent, and the link, the log entry
and the end of the pending row are written in one transaction after it. ``recover()`` looks a customer whose create
was never confirmed up by email and links it; one that is not there is planned again on the next read. Deletes are
never propagated (D9).
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

from desktop.storage.db import database_proxy
from desktop.storage.models import Link
from desktop.sync import errors, ownership, passes, refusals
from desktop.sync.bigcommerce import ADDRESS_BATCH, CUSTOMER_BATCH, BCCustomer, BigCommerceClient
from desktop.sync.customer_fields import (CustomerFields, bc_address_body, bc_create_body, bc_fingerprint,
                                         bc_update_body, diff, expected_fingerprint, from_bc, from_hike,
                                         hike_create_body, hike_fingerprint, hike_update_body)
from desktop.sync.hike import HikeClient
from desktop.sync.hike_models import HikeCustomer
from desktop.sync.journal import (Journal, begin_work, end_work, links_by_bc, links_by_hike, save_link,
                                  unfinished_work)
from desktop.sync.entity_pass import EntitySync
from desktop.sync.own_writes import OwnWrites
from desktop.sync.read_store import ReadStore
from desktop.sync.passes import Snapshot, side_of
from desktop.sync.vocabulary import Direction

log = logging.getLogger(__name__)

ENTITY = "customer"
EMAIL_LOOKUP_CHUNK = 50


def norm_email(value: str | None) -> str:
    """D7: emails match trimmed and letter case aside."""
    return (value or "").strip().lower()


def missing_for_bc(c: HikeCustomer) -> list[str]:
    """What BigCommerce needs that this Hike customer lacks (C.2: first name, last name and email)."""
    return [label for label, value in (("first name", c.first_name), ("last name", c.last_name),
                                       ("email", c.email)) if not (value or "").strip()]


# -- plan ----------------------------------------------------------------------------------------------------------
@dataclass
class Action:
    kind: str  # link | create_bc | create_hike | update_bc | update_hike | skip | conflict | fail
    hike: HikeCustomer | None = None
    bc: BCCustomer | None = None
    message: str = ""
    link: Link | None = None
    # an update whose customer the other store changed too (the newer change won): that store's change is not taken
    # as seen, so the next pass sends what of it the update did not carry (fields only it syncs, by the shop's rules)
    other_changed: bool = False
    written: set[str] = field(default_factory=set)  # the fields the update carried (for the log's rule words)

    @property
    def name(self) -> str:
        c = self.hike or self.bc
        return f"{c.first_name} {c.last_name}".strip() if c is not None else ""

    @property
    def email(self) -> str | None:
        return norm_email((self.hike.email if self.hike else None) or (self.bc.email if self.bc else None)) or None

    @property
    def sku(self) -> str | None:  # a customer link's key column holds the email
        return self.email

    @property
    def side(self) -> str:
        return side_of(self.kind, self.hike is not None)




def _label(c: HikeCustomer) -> str:
    name = f"{c.first_name} {c.last_name}".strip() or "(no name)"
    return f"{name} (id {c.id})"


def _names(customers: Iterable[HikeCustomer]) -> str:
    labels = [_label(c) for c in sorted(customers, key=lambda c: c.id)]
    return " and ".join(labels) if len(labels) < 3 else ", ".join(labels[:-1]) + " and " + labels[-1]


@dataclass
class _Candidates:
    """What a customer plan links or creates from: the customers not linked yet, and who has each email."""

    unlinked_hike: list[HikeCustomer]
    unlinked_bc: dict[int, BCCustomer]
    hike_by_email: dict[str, list[HikeCustomer]]
    bc_by_email: dict[str, BCCustomer]


class CustomerSync(EntitySync):
    record_entity = ENTITY

    def __init__(self, hike: HikeClient, bc: BigCommerceClient, journal: Journal, events: Any = None,
                 settings: Any = None):
        super().__init__(hike, bc, journal, events)
        self.settings = settings  # the shop's field rules (``ownership``, issue 20); None: none
        self.one_field_fixes: dict[int, str] = {}  # drift fixes of one field: link id -> rule key (issue 20)
        self.read_again = passes.ReadAgain()  # failed records the next pass must read again
        self._replan_hike: dict[int, HikeCustomer] = {}  # creates not confirmed before a crash: planned again
        self._replan_bc: dict[int, BCCustomer] = {}
        self.own = OwnWrites(ENTITY)  # the pass's updates in flight (its parts share it)
        self._to_update_bc: list[Action] = []  # BigCommerce writes waiting for a fuller call (``_send_waiting``)
        self._to_create_bc: list[Action] = []

    # -- read -----------------------------------------------------------------------------------------------------
    def read(self, *, full: bool) -> Snapshot:
        """What changed since the cursors (everything when ``full``), kept in SQLite and planned in parts
        (``read_store``, issue 19), with the customers whose create a crash left unsure."""
        store = ReadStore(ENTITY, lambda c: [norm_email(c.email)], {"hike": lambda c: c.last_modified,
                                                                  "bigcommerce": lambda c: c.date_modified},
                          linked_keys=True)
        snap = passes.read_both(ENTITY, full, self.hike, self.bc, lambda since: self.hike.customers(since=since),
                                lambda since: self.bc.customers(modified_since=since), store=store)
        store.add("hike", self._replan_hike.values(), if_missing=True)
        store.add("bigcommerce", self._replan_bc.values(), if_missing=True)
        return snap

    def read_records(self, links: Iterable[Link]) -> Snapshot:
        """Just these customers, as they are now, for "Retry this record" (M4): each Hike customer by id and the
        BigCommerce customers in one ``id:in`` read. The snapshot is not full, so the plan looks emails up on both
        sides as for a new customer (a shared email is still a conflict); no cursor moves from it."""
        links = list(links)
        hike_ids = sorted({int(l.hike_id) for l in links if l.hike_id})
        bc_ids = sorted({int(l.bc_id) for l in links if l.bc_id})
        hike = [c for c in (self.hike.customer(i) for i in hike_ids) if c is not None]
        bc = list(self.bc.customers(ids=bc_ids)) if bc_ids else []
        return Snapshot(hike=hike, bc=bc, full=False)

    # -- plan -----------------------------------------------------------------------------------------------------
    def plan(self, snap: Snapshot) -> list[Action]:
        """The actions for what ``snap`` read (a whole read, or one part of it), over its records' links."""
        by_hike = links_by_hike(ENTITY, [c.id for c in snap.hike])
        by_bc = links_by_bc(ENTITY, [c.id for c in snap.bc])
        pool = self._candidates(snap, by_hike, by_bc)
        actions: list[Action] = []
        used_bc: set[int] = set()
        used_hike: set[int] = set()
        for c in pool.unlinked_hike:
            actions.append(self._plan_from_hike(c, pool, by_bc, used_bc, used_hike))
        for c in sorted(pool.unlinked_bc.values(), key=lambda c: c.id):
            if c.id not in used_bc:
                actions += self._plan_from_bc(c, pool, by_hike, used_hike)
        actions += self._plan_updates(snap, by_hike, by_bc)
        return refusals.hold_back(actions, ENTITY, self._refusal_key)  # refused writes wait for a change

    def _refusal_key(self, action: Action) -> dict[str, Any] | None:
        return refusals.customer_key(action)

    def _failure_link(self, action: Action) -> Link | None:
        """A customer a store refused to create gets a ``failed`` marker row (as a product does), so the Errors tab
        lists it, Retry finds it and its refusal is remembered (``refusals``); it becomes the link once the
        customer links or is created."""
        if action.link is not None or action.kind not in ("create_bc", "create_hike"):
            return action.link
        hike_id = str(action.hike.id) if action.hike else None
        bc_id = None if hike_id else str(action.bc.id)
        marker = self._record_row(hike_id, bc_id)
        if marker is None:
            marker = Link.create(entity=ENTITY, hike_id=hike_id, bc_id=bc_id, sku=action.email, name=action.name,
                                 status="failed")
        return marker

    def _candidates(self, snap: Snapshot, by_hike: dict[str, Link], by_bc: dict[str, Link]) -> _Candidates:
        """The customers not linked yet on each side, and every customer each email names."""
        unlinked_hike = sorted((c for c in snap.hike if not _linked(by_hike.get(str(c.id)))), key=lambda c: c.id)
        unlinked_bc = {c.id: c for c in snap.bc if not _linked(by_bc.get(str(c.id)))}
        hike_pool: dict[int, HikeCustomer] = {c.id: c for c in snap.hike}
        bc_by_email: dict[str, BCCustomer] = {norm_email(c.email): c for c in snap.bc if norm_email(c.email)}
        # a new customer may match one the other side did not report as changed (or that a short read of a full
        # pass missed, N5), and a new Hike customer may share its email with a Hike customer that did not change:
        # look them up before linking or creating
        emails = {norm_email(c.email) for c in unlinked_hike if norm_email(c.email)}
        if not snap.full or "bigcommerce" in snap.incomplete:
            wanted = sorted(e for e in emails if e not in bc_by_email)
            if wanted:
                for c in self.bc.customers(emails=wanted):
                    bc_by_email.setdefault(norm_email(c.email), c)
                    if not _linked(by_bc.get(str(c.id))):
                        unlinked_bc.setdefault(c.id, c)
        if not snap.full or "hike" in snap.incomplete:
            for email in sorted(emails | {norm_email(c.email) for c in unlinked_bc.values() if norm_email(c.email)}):
                for c in self.hike.find_customers_by_email(email):
                    hike_pool.setdefault(c.id, c)
        if not snap.full:
            # a customer of a conflict that changed its email may have settled it: its former partners are
            # planned again (they did not change, so this read did not bring them)
            in_snapshot = {c.id for c in snap.hike}
            for email in sorted(_settled_conflicts(snap.hike, by_hike)):
                for c in self.hike.find_customers_by_email(email):
                    hike_pool.setdefault(c.id, c)
                    if c.id not in in_snapshot and not _linked(by_hike.get(str(c.id))):
                        unlinked_hike.append(c)
                        in_snapshot.add(c.id)
            unlinked_hike.sort(key=lambda c: c.id)
        hike_by_email: dict[str, list[HikeCustomer]] = defaultdict(list)
        for c in hike_pool.values():
            if norm_email(c.email):
                hike_by_email[norm_email(c.email)].append(c)
        return _Candidates(unlinked_hike, unlinked_bc, hike_by_email, bc_by_email)

    @staticmethod
    def _plan_from_hike(c: HikeCustomer, pool: _Candidates, by_bc: dict[str, Link], used_bc: set[int],
                        used_hike: set[int]) -> Action:
        """A Hike customer not linked yet: linked by email, created in BigCommerce, skipped or a conflict."""
        email = norm_email(c.email)
        group = pool.hike_by_email.get(email, []) if email else []
        twin = pool.bc_by_email.get(email) if email else None
        if len(group) > 1:
            return Action("conflict", c, None, (
                f"Hike customers {_names(group)} share the email {email} (letter case aside): they are not "
                "merged and none of them is sent to BigCommerce. Merge them in Hike or give each its own "
                "email, then sync again."))
        if twin is not None and twin.id not in used_bc:
            other = by_bc.get(str(twin.id))
            if _linked(other):
                return Action("conflict", c, twin, (
                    f"The BigCommerce customer with the email {email} is already linked to Hike customer "
                    f"{other.hike_id}: {_label(c)} is not linked or sent. Give it its own email, or merge the "
                    "two in Hike."))
            used_bc.add(twin.id)
            used_hike.add(c.id)
            return Action("link", c, twin, "Linked by email")
        if missing_for_bc(c):
            return Action("skip", c, None, (
                "Not sent to BigCommerce: BigCommerce needs a first name, last name and email, and this customer "
                f"has no {' or '.join(missing_for_bc(c))}."))
        return Action("create_bc", c, None)

    @staticmethod
    def _plan_from_bc(c: BCCustomer, pool: _Candidates, by_hike: dict[str, Link],
                      used_hike: set[int]) -> list[Action]:
        """A BigCommerce customer not linked yet: linked by email, created in Hike, or a conflict."""
        email = norm_email(c.email)
        group = pool.hike_by_email.get(email, []) if email else []
        if len(group) > 1:
            return [Action("conflict", None, c, (
                f"Not created in Hike: Hike customers {_names(group)} already share the email {email}. Merge "
                "them in Hike or give each its own email, then sync again."))]
        if not group:
            return [Action("create_hike", None, c)]
        twin_h = group[0]
        other = by_hike.get(str(twin_h.id))
        if twin_h.id in used_hike:
            return []
        if _linked(other):
            return [Action("conflict", None, c, (
                f"Not created in Hike: Hike customer {_label(twin_h)} has the email {email} and is already "
                f"linked to BigCommerce customer {other.bc_id}. Give one of them another email."))]
        used_hike.add(twin_h.id)
        return [Action("link", twin_h, c, "Linked by email")]

    def _plan_updates(self, snap: Snapshot, by_hike: dict[str, Link], by_bc: dict[str, Link]) -> list[Action]:
        hike_changed: dict[int, tuple[Link, HikeCustomer]] = {}
        for c in snap.hike:
            link = by_hike.get(str(c.id))
            if _linked(link) and link.bc_id and self.own.changed(link, "hike", hike_fingerprint(c, self.settings)):
                hike_changed[link.id] = (link, c)
        bc_changed: dict[int, tuple[Link, BCCustomer]] = {}
        for c in snap.bc:
            link = by_bc.get(str(c.id))
            if _linked(link) and link.hike_id and self.own.changed(link, "bigcommerce",
                                                                  bc_fingerprint(c, self.settings)):
                bc_changed[link.id] = (link, c)
        notes: dict[int, str] = {}
        both = set(hike_changed) & set(bc_changed)
        for link_id in both:
            hike_c, bc_c = hike_changed[link_id][1], bc_changed[link_id][1]
            if passes.hike_is_newer(hike_c.last_modified, bc_c.date_modified):
                del bc_changed[link_id]
                notes[link_id] = "Changed in both stores since the last sync; kept the newer change, from Hike."
            else:
                del hike_changed[link_id]
                notes[link_id] = "Changed in both stores since the last sync; kept the newer change, from BigCommerce."

        actions: list[Action] = []
        bc_current = {c.id: c for c in snap.bc}
        missing = {link.sku for link, _ in hike_changed.values()
                   if int(link.bc_id) not in bc_current and link.sku}
        if missing:
            bc_current.update({c.id: c for c in self.bc.customers(emails=sorted(missing))})
        for link, hike_c in hike_changed.values():
            bc_c = bc_current.get(int(link.bc_id))
            if bc_c is None:
                actions.append(Action("fail", hike_c, None, "The linked BigCommerce customer was not found (deleted in "
                                      "BigCommerce, or its email changed there?). Deletes are not synced: link or "
                                      "recreate it by hand.", link=link))
                continue
            actions.append(Action("update_bc", hike_c, bc_c, notes.get(link.id, ""), link=link,
                                  other_changed=link.id in both))
        hike_current = {c.id: c for c in snap.hike}
        for link, bc_c in bc_changed.values():
            hike_c = hike_current.get(int(link.hike_id)) or self.hike.customer(int(link.hike_id))
            if hike_c is None:
                actions.append(Action("fail", None, bc_c, "The linked Hike customer no longer exists (deleted in "
                                      "Hike?). Deletes are not synced: link or recreate it by hand.", link=link))
                continue
            actions.append(Action("update_hike", hike_c, bc_c, notes.get(link.id, ""), link=link,
                                  other_changed=link.id in both))
        return actions

    # -- apply ----------------------------------------------------------------------------------------------------
    def apply(self, actions: list[Action]) -> None:
        """BigCommerce creates and updates 10 per call (N5); Hike takes one customer per call."""
        groups: dict[str, list[Action]] = defaultdict(list)
        for action in actions:
            groups[action.kind].append(action)
        self.own.save_read()
        self._start(len(actions))
        for action in groups["fail"]:
            self._guard(self._fail, action)
        for action in groups["skip"] + groups["conflict"]:
            self._guard(self._apply_marker, action)
        for action in groups["link"]:
            self._guard(self._apply_link, action)
        self._to_update_bc += groups["update_bc"]
        for action in groups["update_hike"]:
            self._guard(self._apply_update_hike, action)
        self._to_create_bc += groups["create_bc"]
        for action in groups["create_hike"]:
            self._guard(self._apply_create_hike, action)
        self._send_waiting(final=False)

    def finish(self) -> None:
        """The BigCommerce writes still waiting once the pass's last part is applied."""
        self._send_waiting(final=True)

    def _send_waiting(self, *, final: bool) -> None:
        """BigCommerce's updates and creates wait until ``WAITING`` of them fill 10-customer calls (some updates
        send nothing), or the read's last part is applied: a read in parts then makes about the calls a read in
        one piece would, and a read in one part exactly those."""
        while len(self._to_update_bc) >= WAITING or final and self._to_update_bc:
            batch, self._to_update_bc = self._to_update_bc[:WAITING], self._to_update_bc[WAITING:]
            self._update_bc(batch)
        while len(self._to_create_bc) >= WAITING or final and self._to_create_bc:
            batch, self._to_create_bc = self._to_create_bc[:WAITING], self._to_create_bc[WAITING:]
            self._create_bc(batch)

    def _apply_marker(self, action: Action) -> None:
        """Skips and conflicts are logged once per reason: a marker row remembers it, so a customer that stays
        skipped does not add a log line every pass. The marker becomes a real link once the customer qualifies."""
        status = "skipped" if action.kind == "skip" else "conflict"
        hike_id = str(action.hike.id) if action.hike else None
        bc_id = None if hike_id else str(action.bc.id)
        marker = self._record_row(hike_id, bc_id)
        if marker is not None and marker.status == status and marker.last_message == action.message:
            return
        with database_proxy.atomic():
            if marker is None:
                marker = Link.create(entity=ENTITY, hike_id=hike_id, bc_id=bc_id, sku=action.email, name=action.name,
                                     status=status)
            else:
                marker.status, marker.sku = status, action.email
            self.journal.record(ENTITY, action="skip", result="skipped" if status == "skipped" else "conflict",
                                message=action.message, link=marker, name=action.name,
                                bc_id=action.bc.id if action.bc else None,
                                direction="hike_to_bc" if action.hike else "bc_to_hike")

    def _save_link(self, hike_c: HikeCustomer, bc_c: BCCustomer) -> Link:
        """The link with both fingerprints; a marker the BigCommerce side had on its own gives way."""
        Link.delete().where(Link.entity == ENTITY, Link.bc_id == str(bc_c.id), Link.status != "linked",
                            (Link.hike_id.is_null()) | (Link.hike_id != str(hike_c.id))).execute()
        return save_link(ENTITY, hike_id=hike_c.id, bc_id=bc_c.id, sku=norm_email(hike_c.email or bc_c.email),
                         name=f"{hike_c.first_name} {hike_c.last_name}".strip(),
                         hike_fingerprint=hike_fingerprint(hike_c, self.settings),
                         bc_fingerprint=bc_fingerprint(bc_c, self.settings))

    def _apply_link(self, action: Action) -> None:
        hike_c, bc_c = action.hike, action.bc
        assert hike_c is not None and bc_c is not None
        with database_proxy.atomic():
            link = self._save_link(hike_c, bc_c)
            self.journal.record(ENTITY, action="link", result="ok", direction="both", link=link, name=action.name,
                                message=f"{action.message}: {_label(hike_c)} ⇄ BigCommerce customer {bc_c.id}")
        action.link = link

    # updates to BigCommerce, 10 per call
    def _update_bc(self, actions: list[Action]) -> None:
        sending: list[tuple[Action, dict[str, Any]]] = []
        updated: list[tuple[Action, BCCustomer, bool]] = []  # (action, the customer there now, written?)
        # BigCommerce will hold Hike's fields that sync there, its first address included (``own_writes``)
        self.own.expect("bigcommerce", {a.link.id: expected_fingerprint(
            from_bc(a.bc), from_hike(a.hike), Direction.HIKE_TO_BC, self.settings, self.rules(a)) for a in actions})
        for action in actions:
            body = bc_update_body(action.hike, action.bc, self.rules(action), action.written)
            if body:
                sending.append((action, body))
            else:  # BigCommerce already has these fields: the address may still differ
                updated.append((action, action.bc, False))
        for start in range(0, len(sending), CUSTOMER_BATCH):
            chunk = sending[start:start + CUSTOMER_BATCH]
            results: dict[int, BCCustomer | errors.SyncError] = {}
            try:
                for customer in self.bc.update_customers([body for _, body in chunk]):
                    results[customer.id] = customer
            except errors.ValidationFailed:
                for action, body in chunk:  # one bad customer fails its batch: find it, keep the others
                    try:
                        (customer,) = self.bc.update_customers([body])
                        results[customer.id] = customer
                    except errors.ValidationFailed as exc:
                        results[action.bc.id] = exc
            for action, body in chunk:
                result = results.get(action.bc.id)
                if isinstance(result, errors.SyncError) or result is None:
                    self._record_failure(action, result.message if result else "BigCommerce did not confirm it.",
                                         result)
                    self._tick()
                else:
                    # the update's answer has no addresses: BigCommerce keeps the ones it had
                    updated.append((action, replace(result, addresses=action.bc.addresses), True))
        self._update_bc_addresses(updated)

    def _update_bc_addresses(self, updated: list[tuple[Action, BCCustomer, bool]]) -> None:
        """Hike's address goes to BigCommerce's first one after the customer update, which takes no addresses there:
        that address is updated by id, or created when the customer has none; 10 per call (N5). A refused address
        fails its customer only; Hike's fingerprint then stays as it was, so the address is sent again when the
        customer is next read."""
        pending: list[tuple[Action, BCCustomer, bool, dict[str, Any]]] = []
        for action, bc_c, wrote in updated:
            body = bc_address_body(action.hike, bc_c, self.rules(action))
            if body is not None:
                action.written.add("address")
                pending.append((action, bc_c, wrote, body))
            elif wrote:
                self._settle(action, action.hike, bc_c, from_bc(action.bc), "hike_to_bc")
                self._tick()
            else:  # nothing to write: only the fingerprints move (no log line for a non-event)
                self._settle(action, action.hike, bc_c, None, "")
                self._tick()
        for creating, send in ((False, self.bc.update_customer_addresses),
                               (True, self.bc.create_customer_addresses)):
            items = [p for p in pending if ("customer_id" in p[3]) == creating]
            key = "customer_id" if creating else "id"
            for start in range(0, len(items), ADDRESS_BATCH):
                chunk = items[start:start + ADDRESS_BATCH]
                answers = self._send_addresses(send, [body for *_, body in chunk], key)
                for (action, bc_c, wrote, body), answer in zip(chunk, answers):
                    if isinstance(answer, errors.SyncError):
                        also = " (its other changes were sent)" if wrote else ""
                        if wrote:  # BigCommerce's side as written, so it is not read back as a change there (D10);
                            # Hike's fingerprint stays, so the address is sent when the customer is read again
                            with database_proxy.atomic():
                                if not action.other_changed:
                                    action.link.bc_fingerprint = bc_fingerprint(bc_c, self.settings)
                                action.link.save()
                        self._record_failure(action, f"The address from Hike was not sent to BigCommerce{also}: "
                                                     f"{answer.message}", answer)
                    elif answer is None:
                        # BigCommerce leaves an address as it was when the change would make it a copy of another
                        # of the customer's addresses (customers.v3.yml); the fingerprints record it as it is
                        action.message = action.message or ("BigCommerce already has this address among the "
                                                             "customer's others: its first address was left as is.")
                        self._settle(action, action.hike, bc_c, from_bc(action.bc), "hike_to_bc")
                    else:
                        kept = [a for a in bc_c.addresses if not (isinstance(a, dict) and a.get("id") == answer["id"])]
                        after = replace(bc_c, addresses=kept + [answer])
                        self._settle(action, action.hike, after, from_bc(action.bc), "hike_to_bc")
                    self._tick()

    @staticmethod
    def _send_addresses(send: Any, bodies: list[dict[str, Any]],
                        key: str) -> list[dict[str, Any] | None | errors.SyncError]:
        """One answer per body, in order: the address written, None when BigCommerce left it out of its answer,
        or the error that failed it. A failure of the store or the connection stops the pass."""
        try:
            answered = {a.get(key): a for a in send(bodies)}
            return [answered.get(body[key]) for body in bodies]
        except errors.SyncError as exc:
            if passes.stops_the_pass(exc):
                raise
            # a lost answer may have been applied: not sent again now (the next pass reads the customers again)
            if len(bodies) == 1 or isinstance(exc, errors.AmbiguousWrite):
                return [exc] * len(bodies)
        out: list[dict[str, Any] | None | errors.SyncError] = []
        for body in bodies:  # one bad address fails its batch: find it, keep the others
            out += CustomerSync._send_addresses(send, [body], key)
        return out

    def rules(self, action: Action) -> Any:
        """The settings an update's bodies are built with: the shop's field rules, or for a drift fix of one field
        that field alone (``drift.restricted_rules``)."""
        from desktop.sync import drift

        key = self.one_field_fixes.get(action.link.id) if action.link is not None else None
        return self.settings if key is None else drift.restricted_rules(self.settings, ownership.CUSTOMER, key)

    def _apply_update_hike(self, action: Action) -> None:
        body = hike_update_body(action.hike, action.bc, self.rules(action), action.written)
        if not body:
            self._settle(action, action.hike, action.bc, None, "")
            return
        # Hike will hold BigCommerce's values of the fields that sync there
        self.own.expect("hike", {action.link.id: expected_fingerprint(
            from_hike(action.hike), from_bc(action.bc), Direction.BC_TO_HIKE, self.settings, self.rules(action))})
        updated = self.hike.save_customer(body)
        self._settle(action, updated, action.bc, from_hike(action.hike), "bc_to_hike")

    def _settle(self, action: Action, hike_c: HikeCustomer, bc_c: BCCustomer, before: CustomerFields | None,
                direction: str) -> None:
        """Both fingerprints as the stores now are (but the one of a store whose change lost to the other's newer
        one, ``Action.other_changed``); a log line, with the shop's rules that decided, when something was
        written."""
        link = action.link
        with database_proxy.atomic():
            self.own.settle(link.id, "hike")
            self.own.settle(link.id, "bigcommerce")
            if not (action.other_changed and action.kind == "update_hike"):
                link.hike_fingerprint = hike_fingerprint(hike_c, self.settings)
            if not (action.other_changed and action.kind == "update_bc"):
                link.bc_fingerprint = bc_fingerprint(bc_c, self.settings)
            link.sku = norm_email(hike_c.email or bc_c.email) or link.sku
            if before is None:
                link.save()
                return
            after = from_bc(bc_c) if direction == "hike_to_bc" else from_hike(hike_c)
            store = "BigCommerce" if direction == "hike_to_bc" else "Hike"
            self.journal.record(ENTITY, action="update", result="ok", direction=direction, link=link,
                                message=(action.message or f"Updated in {store}")
                                + ownership.decided_by(self.settings, action.written, ownership.CUSTOMER),
                                diff=diff(before, after),
                                name=f"{hike_c.first_name} {hike_c.last_name}".strip())

    # creates
    def _create_bc(self, actions: list[Action]) -> None:
        """New BigCommerce customers, 10 per call; each recorded as pending before its batch is sent (N2)."""
        prepared = [(action, bc_create_body(action.hike)) for action in actions]
        for start in range(0, len(prepared), CUSTOMER_BATCH):
            chunk = prepared[start:start + CUSTOMER_BATCH]
            works = [begin_work(ENTITY, f"create_bc:{a.hike.id}", "create_bc",
                                {"hike_id": a.hike.id, "email": body["email"]}) for a, body in chunk]
            created: dict[str, BCCustomer] = {}
            refused: dict[int, errors.ValidationFailed] = {}
            unconfirmed: dict[int, str] = {}  # the answer was lost and the lookup did not settle it
            try:
                created = {norm_email(c.email): c for c in self.bc.create_customers([b for _, b in chunk])}
            except errors.ValidationFailed:
                for action, body in chunk:  # one bad customer fails its batch: find it, keep the others
                    try:
                        created.update({norm_email(c.email): c for c in self.bc.create_customers([body])})
                    except errors.ValidationFailed as exc:
                        refused[action.hike.id] = exc
                    except errors.AmbiguousWrite as exc:
                        unconfirmed[action.hike.id] = exc.message
            except errors.AmbiguousWrite as exc:
                unconfirmed = {a.hike.id: exc.message for a, _ in chunk}
            # any other failure stops the pass with the outbox rows open: the next pass's recover() looks them up
            for (action, body), work in zip(chunk, works):
                bc_c = created.get(norm_email(body["email"]))
                if bc_c is not None:
                    self._linked_after_create(action.hike, bc_c, work, "create_bc")
                elif action.hike.id in unconfirmed:  # the outbox row stays open for recover()
                    self._record_failure(action, f"{unconfirmed[action.hike.id]} It is looked up by email on the "
                                                 "next pass.", errors.AmbiguousWrite(unconfirmed[action.hike.id]))
                else:
                    cause = refused.get(action.hike.id)
                    message = cause.message if cause is not None else "BigCommerce did not return it."
                    with database_proxy.atomic():
                        end_work(work, "failed", message)
                    self._record_failure(action, message, cause)
                self._tick()

    def _apply_create_hike(self, action: Action) -> None:
        bc_c = action.bc
        body = hike_create_body(bc_c)
        work = begin_work(ENTITY, f"create_hike:{bc_c.id}", "create_hike", {"bc_id": bc_c.id, "email": body["email"]})
        try:
            created = self.hike.save_customer(body)  # a lost answer is looked up by email before a resend
        except errors.SyncError as exc:
            # a refusal closes the outbox row; an unconfirmed write or a stopped pass leaves it for recover()
            if not passes.stops_the_pass(exc) and not isinstance(exc, errors.AmbiguousWrite):
                with database_proxy.atomic():
                    end_work(work, "failed", exc.message)
            raise
        self._linked_after_create(created, bc_c, work, "create_hike")

    def _linked_after_create(self, hike_c: HikeCustomer, bc_c: BCCustomer, work: Any, kind: str) -> None:
        with database_proxy.atomic():
            link = self._save_link(hike_c, bc_c)
            end_work(work)
            store, source = ("BigCommerce", from_hike(hike_c)) if kind == "create_bc" else ("Hike", from_bc(bc_c))
            self.journal.record(ENTITY, action="create", result="ok", link=link,
                                direction=passes.direction_of(kind),
                                message=f"Created in {store}", diff=diff(None, source),
                                name=f"{hike_c.first_name} {hike_c.last_name}".strip())

    # -- crash recovery (N2) --------------------------------------------------------------------------------------
    def recover(self) -> None:
        """Creates that were sent but never confirmed: link what exists (found by email); the rest is read again
        and planned on this pass."""
        for work in unfinished_work(ENTITY):
            if work.action not in ("create_bc", "create_hike"):
                continue  # updates in flight are told apart when their record is read (``own_writes``)
            payload = work.payload or {}
            email = norm_email(payload.get("email"))
            if work.action == "create_bc" and payload.get("hike_id"):
                hike_c = self.hike.customer(int(payload["hike_id"]))
                found = [c for c in self.bc.customers(emails=[email])] if email else []
                if hike_c is not None and len(found) == 1:
                    self._linked_after_create(hike_c, found[0], work, "create_bc")
                    continue
                if hike_c is not None:
                    self._replan_hike[hike_c.id] = hike_c
            elif work.action == "create_hike" and payload.get("bc_id"):
                found_bc = [c for c in self.bc.customers(emails=[email])] if email else []
                bc_c = next((c for c in found_bc if c.id == int(payload["bc_id"])), None)
                if bc_c is not None:
                    linked = links_by_hike(ENTITY)
                    matches = [c for c in self.hike.find_customers_by_email(email)
                               if not _linked(linked.get(str(c.id)))
                               and c.first_name.strip().lower() == bc_c.first_name.strip().lower()]
                    if len(matches) == 1:
                        self._linked_after_create(matches[0], bc_c, work, "create_hike")
                        continue
                    self._replan_bc[bc_c.id] = bc_c
            with database_proxy.atomic():
                end_work(work, "failed", "not found after a restart; planned again")

    # -- cursors --------------------------------------------------------------------------------------------------
    def advance_cursors(self, snap: Snapshot) -> None:
        passes.advance_cursors(ENTITY, snap, lambda r: r.last_modified, lambda r: r.date_modified, self.read_again)
        self._replan_hike.clear()
        self._replan_bc.clear()


WAITING = 25 * CUSTOMER_BATCH  # BigCommerce writes a read in parts gathers before sending


def _settled_conflicts(changed: Iterable[HikeCustomer], by_hike: dict[str, Link]) -> set[str]:
    """The emails of conflicts one of whose customers now has another email."""
    out = set()
    for c in changed:
        marker = by_hike.get(str(c.id))
        if marker is not None and marker.status == "conflict" and marker.sku and marker.sku != norm_email(c.email):
            out.add(marker.sku)
    return out


def _linked(link: Link | None) -> bool:
    return link is not None and link.status == "linked"


