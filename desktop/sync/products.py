"""Products and variants between Hike and BigCommerce: plan, then apply (D1, D2, D4, D9, D10, S11, S14, S18, S19).

A pass reads what changed on each side since its cursor (everything on the first activation and on a
reconciliation pass, D11), and plans:

- *link*: records not linked yet that match by SKU, then barcode (first activation, and new records on later
  passes, looked up on the other side before anything is created, so nothing is created twice);
- *create* on the other side: Hike products on the eCommerce channel (S14) when "new products Hike → BigCommerce"
  is on; BigCommerce products when "new products BigCommerce → Hike" is on (S11);
- *update*: a linked product whose synced fields changed since we last saw or wrote them on that side (its
  fingerprint differs, D10); when both sides changed, the newer change wins and the log says so;
- *skip* and *fail*, each with the reason (D4: a duplicate fails that record alone).

Applying writes the outbox row before sending a create, and the link, the log entry and the end of the outbox
row in one transaction after it (N2). Deletes are never propagated (D9): a product deleted on one side keeps its
link, shown as such, and is never recreated.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any, Iterable

from desktop.storage.db import database_proxy
from desktop.storage.models import Link
from desktop.sync import (deleted_links, drift, errors, hike_images, mapping, match_decisions, ownership,
                          passes, product_writes, refusals)
from desktop.sync.bigcommerce import BCProduct, BigCommerceClient
from desktop.sync.hike import HikeClient
from desktop.sync.hike_models import HikeProduct
from desktop.sync.entity_pass import EntitySync
from desktop.sync.own_writes import OwnWrites
from desktop.sync.passes import Snapshot, side_of
from desktop.sync.journal import (Journal, begin_work, end_work, links_by_bc, links_by_hike,
                                  save_link, unfinished_work)
from desktop.sync.linking import ProductMatch, match_keys, match_variants, plan_links
from desktop.sync.log_words import linked_by
from desktop.sync.read_store import ReadStore
from desktop.sync.records import ProductRecord
from desktop.sync.vocabulary import LinkStatus

log = logging.getLogger(__name__)

ENTITY = "product"
VARIANT = "variant"
H2B, B2H = mapping.HIKE_TO_BC, mapping.BC_TO_HIKE


@dataclass
class Action:
    kind: str  # link | create_bc | create_hike | update_bc | update_hike | skip | fail
    hike: HikeProduct | None = None
    bc: BCProduct | None = None
    message: str = ""
    match: ProductMatch | None = None
    link: Link | None = None
    # an update whose product the other store changed too (the newer change won): that store's change is not taken
    # as seen, so the next pass sends what of it the update did not carry (fields only it syncs, its own by rule)
    other_changed: bool = False

    @property
    def name(self) -> str:
        return (self.hike.name if self.hike else self.bc.name if self.bc else "")

    @property
    def sku(self) -> str | None:
        return (self.hike.sku if self.hike else None) or (self.bc.sku if self.bc else None)

    @property
    def side(self) -> str:
        return side_of(self.kind, self.hike is not None)




class ProductSync(EntitySync):
    record_entity = ENTITY

    def __init__(self, hike: HikeClient, bc: BigCommerceClient, ctx: mapping.MappingContext, journal: Journal,
                 events: Any = None):
        super().__init__(hike, bc, journal, events)
        self.ctx = ctx
        self.settings = ctx.settings
        self.options = ctx.options
        self.read_again = passes.ReadAgain()  # failed records the next pass must read again
        self.retrying = False  # a person's retry of records (M4): their failures are logged again
        self._categories_reread = False  # S19: BigCommerce's categories read again this pass
        self.hike_images = hike_images.HikeImagePlanner(lambda: hike.http.budget().calls_left_today)
        self.asked_for: set[int] = set()  # ``read_records``: the links a person asked to retry
        self.own = OwnWrites(ENTITY)  # the pass's updates in flight (its parts share it)
        self.one_field_fixes: dict[int, str] = {}  # drift fixes of one field: link id -> rule key (issue 20)
        self._to_bc: list[_BCWrite] = []  # batched writes waiting for a fuller call (``_send_waiting``)
        self._to_hike: list[Action] = []
        self._new_in_hike: list[Action] = []
        self._decisions: match_decisions.Decisions | None = None

    # -- read -----------------------------------------------------------------------------------------------------
    def read(self, *, full: bool) -> Snapshot:
        """What changed since the cursors (everything when ``full``), kept in SQLite and planned in parts
        (``read_store``): a whole catalog is never held in memory (issue 19)."""
        return read_products(self.hike, self.bc, full=full, decisions=self.decisions)

    @property
    def decisions(self) -> match_decisions.Decisions:
        """The person's match decisions (B2), loaded once for the pass."""
        if self._decisions is None:
            self._decisions = match_decisions.Decisions.load()
        return self._decisions

    def read_records(self, links: Iterable[Link]) -> Snapshot:
        """Just these records, as they are now, for "Retry this record" (M4): each Hike product by id and the
        BigCommerce products in one ``id:in`` read; a variant's link (or its stock's) brings its parent product.
        A record not linked yet also brings the other unlinked products sharing its SKU on the same side, so a
        duplicate that is still there fails again (D4) instead of being sent. The snapshot is not full, so the plan
        looks the other side up by SKU before creating, as for a new record; no cursor moves from it."""
        links = list(links)
        self.asked_for = {link.id for link in links}  # a retry of these records may create what was unlinked
        hike_ids: set[int] = set()
        bc_ids: set[int] = set()
        for link in links:
            if link.entity == VARIANT:
                row = self.hike.product(int(link.hike_id)) if link.hike_id else None
                if row is not None and row.parent_id:
                    hike_ids.add(row.parent_id)
                    parent = Link.get_or_none(Link.entity == ENTITY, Link.hike_id == str(row.parent_id))
                    if parent is not None and parent.bc_id:
                        bc_ids.add(int(parent.bc_id))
                continue
            if link.hike_id:
                hike_ids.add(int(link.hike_id))
            if link.bc_id:
                bc_ids.add(int(link.bc_id))
        hike: dict[int, HikeProduct] = {}
        for hike_id in sorted(hike_ids):
            product = self.hike.product(hike_id)
            if product is not None and product.parent_id:
                product = self.hike.product(product.parent_id)
            if product is not None:
                hike[product.id] = product
        bc = {p.id: p for p in self.bc.products(ids=bc_ids)} if bc_ids else {}
        by_hike, by_bc = links_by_hike(ENTITY), links_by_bc(ENTITY)
        unlinked_skus = {s.lower(): s for p in hike.values() if not _linked(by_hike.get(str(p.id))) for s in p.skus}
        for key, sku in sorted(unlinked_skus.items()):
            for other in self.hike.products(filter=sku):
                if other.id not in hike and key in {s.lower() for s in other.skus} \
                        and not _linked(by_hike.get(str(other.id))):
                    hike[other.id] = other
        skus = {p.sku for p in bc.values() if p.sku and not _linked(by_bc.get(str(p.id)))}
        if skus:
            for other in self.bc.products(skus=skus):
                if other.id not in bc and not _linked(by_bc.get(str(other.id))):
                    bc[other.id] = other
        return Snapshot(hike=list(hike.values()), bc=list(bc.values()), full=False)

    # -- plan -----------------------------------------------------------------------------------------------------
    def plan(self, snap: Snapshot) -> list[Action]:
        """The actions for what ``snap`` read (a whole read, or one part of it), over its records' links, with the
        person's match decisions honoured (B2, ``match_decisions``)."""
        by_hike = links_by_hike(ENTITY, [p.id for p in snap.hike])
        by_bc = links_by_bc(ENTITY, [p.id for p in snap.bc])
        unlinked_hike, unlinked_bc = self._unlinked(snap, by_hike, by_bc)
        aside = self.decisions.set_aside(unlinked_hike, unlinked_bc)
        links, refused = self.decisions.refused_in(plan_links(aside.hike, aside.bc), aside.hike, aside.bc)
        actions: list[Action] = [Action("link", m.hike, m.bc, linked_by(m.by), match=m)
                                 for m in aside.by_hand + links.matches]
        failures = aside.failures + links.failures
        failed_hike = {f.record_id for f in failures if f.side == "hike"}
        failed_bc = {f.record_id for f in failures if f.side == "bigcommerce"}
        for failure in failures:
            hike_p = next((p for p in unlinked_hike if str(p.id) == failure.record_id), None) \
                if failure.side == "hike" else None
            bc_p = next((p for p in unlinked_bc if str(p.id) == failure.record_id), None) \
                if failure.side == "bigcommerce" else None
            actions.append(Action("fail", hike_p, bc_p, failure.message))
        actions += [Action("skip", hike_p, bc_p, message) for hike_p, bc_p, message in aside.skips + refused]
        actions += self._plan_creates(links.hike_only, links.bc_only, failed_hike, failed_bc)
        held, synced = self._held_back(snap, by_hike, by_bc)
        actions += held + self._plan_updates(synced, by_hike, by_bc)
        actions = self._plan_deleted(snap, actions, by_hike, by_bc)
        return refusals.hold_back(actions, ENTITY, self._refusal_key)  # refused writes wait for a change

    def _unlinked(self, snap: Snapshot, by_hike: dict[str, Link],
                  by_bc: dict[str, Link]) -> tuple[list[HikeProduct], list[BCProduct]]:
        """The records of ``snap`` not linked yet, with what a read that was not whole may have missed of their
        matches: looked up by SKU, and their partners linked by hand by id (``by_*`` gain their links)."""
        unlinked_hike = [p for p in snap.hike if not _linked(by_hike.get(str(p.id)))]
        unlinked_bc = [p for p in snap.bc if not _linked(by_bc.get(str(p.id)))]
        # a new record may match one the other side did not report as changed (or that a short read of a full
        # pass missed, N5): look it up before creating
        if not snap.full or "bigcommerce" in snap.incomplete:
            unlinked_bc += self._lookup_bc([p for p in unlinked_hike if p.skus], {p.id for p in unlinked_bc}, by_bc)
        if not snap.full or "hike" in snap.incomplete:
            unlinked_hike += self._lookup_hike([p for p in unlinked_bc if p.sku], {p.id for p in unlinked_hike},
                                               by_hike)
        if self.decisions and (not snap.full or snap.incomplete):
            hike_ids, bc_ids = self.decisions.partners_missing(unlinked_hike, unlinked_bc)
            unlinked_bc += self._partners_bc(bc_ids, by_bc)
            unlinked_hike += self._partners_hike(hike_ids, by_hike)
        return unlinked_hike, unlinked_bc

    def _partners_bc(self, ids: set[int], by_bc: dict[str, Link]) -> list[BCProduct]:
        """BigCommerce products linked by hand with a record read, not read themselves (one ``id:in`` read)."""
        if not ids:
            return []
        found = list(self.bc.products(ids=ids))
        by_bc.update(links_by_bc(ENTITY, [p.id for p in found]))
        return [p for p in found if not _linked(by_bc.get(str(p.id)))]

    def _partners_hike(self, ids: set[int], by_hike: dict[str, Link]) -> list[HikeProduct]:
        found = [p for p in (self.hike.product(i) for i in sorted(ids)) if p is not None and not p.parent_id]
        by_hike.update(links_by_hike(ENTITY, [p.id for p in found]))
        return [p for p in found if not _linked(by_hike.get(str(p.id)))]

    def _held_back(self, snap: Snapshot, by_hike: dict[str, Link],
                   by_bc: dict[str, Link]) -> tuple[list[Action], Snapshot]:
        """Linked records the person excluded (or whose match they refused): a skip each, nothing written for
        them; and ``snap`` without them, for the updates."""
        if not self.decisions:
            return [], snap
        hike_of = {p.id: p for p in snap.hike}
        bc_of = {p.id: p for p in snap.bc}
        held: dict[int, Action] = {}
        for records, links, partner_of, partner_id in ((snap.hike, by_hike, bc_of, "bc_id"),
                                                       (snap.bc, by_bc, hike_of, "hike_id")):
            for p in records:
                link = links.get(str(p.id))
                if link is None or link.status != LinkStatus.LINKED or link.id in held:
                    continue
                partner = partner_of.get(int(getattr(link, partner_id) or 0))
                hike_p, bc_p = (p, partner) if partner_id == "bc_id" else (partner, p)
                message = self.decisions.held_back(link, hike_p, bc_p)
                if message:
                    held[link.id] = Action("skip", hike_p, bc_p, message, link=link)
        if not held:
            return [], snap
        kept = replace(snap, hike=[p for p in snap.hike if _link_id(by_hike, p) not in held],
                       bc=[p for p in snap.bc if _link_id(by_bc, p) not in held])
        return list(held.values()), kept

    def _refusal_key(self, action: Action) -> dict[str, Any] | None:
        return refusals.product_key(action, self.ctx)

    def _lookup_bc(self, hike_products: list[HikeProduct], have: set[int], by_bc: dict[str, Link]) -> list[BCProduct]:
        found: dict[int, BCProduct] = {}
        skus = {s for p in hike_products for s in p.skus}
        if skus:
            products = list(self.bc.products(skus=skus))
            by_bc.update(links_by_bc(ENTITY, [p.id for p in products]))
            for product in products:
                if product.id not in have and not _linked(by_bc.get(str(product.id))):
                    found[product.id] = product
        return list(found.values())

    def _lookup_hike(self, bc_products: list[BCProduct], have: set[int], by_hike: dict[str, Link]) -> list[HikeProduct]:
        found: dict[int, HikeProduct] = {}
        for product in bc_products:
            other = self.hike.find_product_by_sku(product.sku)
            if other is not None:
                by_hike.update(links_by_hike(ENTITY, [other.id]))
            if other is not None and other.id not in have and not _linked(by_hike.get(str(other.id))):
                found[other.id] = other
        return list(found.values())

    def _plan_creates(self, hike_only: Iterable[HikeProduct], bc_only: Iterable[BCProduct], failed_hike: set[str],
                      failed_bc: set[str]) -> list[Action]:
        """A create for each product only one side has, or a skip with its reason (S14, S18, the settings)."""
        hike_side = (hike_only, failed_hike, mapping.product_from_hike, mapping.skip_reason_to_bc,
                     self.options.hike_to_bc.new_products, "New Hike products are not sent to BigCommerce (setting).",
                     lambda p, reason: Action("skip", p, None, reason) if reason else Action("create_bc", p, None))
        bc_side = (bc_only, failed_bc, mapping.product_from_bc, mapping.skip_reason_to_hike,
                   self.options.bc_to_hike.new_products, "New BigCommerce products are not sent to Hike (setting).",
                   lambda p, reason: Action("skip", None, p, reason) if reason else Action("create_hike", None, p))
        actions: list[Action] = []
        for products, failed, record_of, skip_reason, new_products_go, off, action in (hike_side, bc_side):
            for p in products:
                if str(p.id) in failed:
                    continue
                reason = skip_reason(record_of(p, self.ctx), self.settings)
                actions.append(action(p, reason if reason or new_products_go else off))
        return actions

    def _changed(self, products: Iterable[Any], links: dict[str, Link], record_of: Any, direction: str,
                 side: str) -> dict[int, tuple[Link, Any, ProductRecord]]:
        """The linked products of one side whose synced fields differ from what the link last saw or wrote there
        (D10; our own write a crash left unconfirmed is not a change, ``own_writes``)."""
        changed = {}
        for p in products:
            link = links.get(str(p.id))
            if link is None or link.status != "linked":
                continue
            record = record_of(p, self.ctx)
            if self.own.changed(link, side, mapping.fingerprint(record, direction, self.settings)):
                changed[link.id] = (link, p, record)
        return changed

    def _plan_updates(self, snap: Snapshot, by_hike: dict[str, Link], by_bc: dict[str, Link]) -> list[Action]:
        hike_changed = self._changed(snap.hike, by_hike, mapping.product_from_hike, H2B, "hike")
        bc_changed = self._changed(snap.bc, by_bc, mapping.product_from_bc, B2H, "bigcommerce")

        actions: list[Action] = []
        both = set(hike_changed) & set(bc_changed)
        for link_id in both:
            link, hp, hrec = hike_changed[link_id]
            bc_link, bp, brec = bc_changed[link_id]  # the same row, read by its BigCommerce id
            if passes.hike_is_newer(hp.last_modified, bp.date_modified):
                del bc_changed[link_id]
                hike_changed[link_id] = (link, hp, hrec)
                note = "Changed in both stores since the last sync; kept the newer change, from Hike."
            else:
                del hike_changed[link_id]
                link = bc_link  # the update to Hike carries this row: the note goes on it
                note = "Changed in both stores since the last sync; kept the newer change, from BigCommerce."
            link.last_message = note

        # the other side's current record is needed to send only what differs
        bc_current = {p.id: p for p in snap.bc}
        missing = [int(link.bc_id) for link, _, _ in hike_changed.values() if int(link.bc_id) not in bc_current]
        if missing:
            bc_current.update({p.id: p for p in self.bc.products(ids=missing)})
        for link, hp, _ in hike_changed.values():
            bp = bc_current.get(int(link.bc_id))
            if bp is None:  # asked for by id and not there: deleted (D9), marked as a full pass would
                actions.append(Action("mark_deleted", hp, None, deleted_links.gone_message(
                    LinkStatus.UNLINKED_DELETED_BC, None), link=link))
                continue
            actions.append(Action("update_bc", hp, bp, link.last_message if link.id in both else "", link=link,
                                  other_changed=link.id in both))
        hike_current = {p.id: p for p in snap.hike}
        for link, bp, _ in bc_changed.values():
            hp = hike_current.get(int(link.hike_id)) or self.hike.product(int(link.hike_id))
            if hp is None:
                actions.append(Action("mark_deleted", None, bp, deleted_links.gone_message(
                    LinkStatus.UNLINKED_DELETED_HIKE, None), link=link))
                continue
            actions.append(Action("update_hike", hp, bp, link.last_message if link.id in both else "", link=link,
                                  other_changed=link.id in both))
        return actions

    def _plan_deleted(self, snap: Snapshot, actions: list[Action], by_hike: dict[str, Link],
                      by_bc: dict[str, Link]) -> list[Action]:
        """D9: a full read marks the links whose record a store no longer has (``deleted_links.find_gone``), and
        nothing else is planned for them this pass (no update, no "no longer exists" failure); a record the person
        unlinked is skipped, not created, unless that record is being retried."""
        if snap.full:
            links = links_by_hike(ENTITY).values() if snap.gone_links is None else snap.gone_links
            gone = deleted_links.find_gone(links, snap.hike, snap.bc, snap.incomplete,
                                           snap.hike_started, snap.bc_started)
            marked = {g.link.id for g in gone}
            actions = [a for a in actions if a.link is None or a.link.id not in marked]
            actions += [Action("mark_deleted", g.hike, g.bc, g.message, link=g.link) for g in gone]
        planned: list[Action] = []
        for action in actions:
            row = None
            if action.kind in ("create_bc", "create_hike", "skip"):
                row = by_hike.get(str(action.hike.id)) if action.hike else by_bc.get(str(action.bc.id))
            if deleted_links.unlinked_by_person(row) and row.id not in self.asked_for:
                action = Action("skip", action.hike, action.bc, deleted_links.UNLINKED_BY_YOU)
            planned.append(action)
        return planned

    def _mark_deleted(self, action: Action) -> None:
        """One log entry, and the link (with its variants' links) marked: later passes leave it alone (D9)."""
        link = action.link
        assert link is not None
        status = LinkStatus.UNLINKED_DELETED_HIKE if action.hike is None and action.bc is not None \
            else LinkStatus.UNLINKED_DELETED_BC
        with database_proxy.atomic():
            link.status = status
            deleted_links.mark_variants(status, [v.id for v in action.hike.variants] if action.hike else [],
                                        [v.id for v in action.bc.variants] if action.bc else [])
            self.journal.record(ENTITY, action="fail", result="error", message=action.message, link=link,
                                name=action.name)

    # -- apply ----------------------------------------------------------------------------------------------------
    def apply(self, actions: list[Action]) -> None:
        """Apply a plan, batched to the APIs' limits (N5): BigCommerce updates 10 per call, Hike creates and updates
        50 per call; BigCommerce creates one per call (its API takes one product per POST)."""
        groups: dict[str, list[Action]] = {}
        for action in actions:
            groups.setdefault(action.kind, []).append(action)
        self.own.save_read()
        self._start(len(actions) + 2 * len(groups.get("link", [])))  # a first link also updates both stores
        for action in groups.get("fail", []):
            self._guard(self._fail, action)
        for action in groups.get("skip", []):
            self._guard(self._apply_skip, action)
        for action in groups.get("mark_deleted", []):
            self._guard(self._mark_deleted, action)
        links = groups.get("link", [])
        for action in links:
            self._guard(self._record_link, action)
        linked = [a for a in links if a.link is not None]
        self._fewer(2 * (len(links) - len(linked)))
        ready = self._prepare_bc(linked + groups.get("update_bc", []))
        prepared = {id(w.action) for w in ready}
        self._to_hike += [_first_to_hike(a, a.bc) for a in linked if id(a) not in prepared]
        self._to_bc += ready
        self._to_hike += groups.get("update_hike", [])
        for action in groups.get("create_bc", []):
            self._guard(self._apply_create_bc, action)
        self._new_in_hike += groups.get("create_hike", [])
        self._send_waiting(final=False)

    def finish(self) -> None:
        """The batched writes still waiting once the pass's last part is applied."""
        self._send_waiting(final=True)

    def _send_waiting(self, *, final: bool) -> None:
        """Send the batched writes that fill a call: BigCommerce updates 10 bodies per call, Hike updates and
        creates 50 products per call. The rest waits for the next part's (``final``: goes now), so a pass in parts
        makes the calls a pass in one piece would (N5)."""
        while cut := passes.filled_call(self._to_bc, BC_BATCH, lambda w: bool(w.body), final):
            batch, self._to_bc = self._to_bc[:cut], self._to_bc[cut:]
            updated_bc = self._update_bc(batch)
            # a first link then gives Hike what BigCommerce owns (its description, S16, and its images, S17: a
            # batch update's answer lists none, so they are taken from the product as read)
            self._to_hike += [_first_to_hike(w.action, updated_bc.get(w.action.link.id, w.action.bc))
                              for w in batch if w.action.kind == "link"]
        while cut := passes.filled_call(self._to_hike, HIKE_SLICE, bool, final):
            batch, self._to_hike = self._to_hike[:cut], self._to_hike[cut:]
            self._update_hike_slice(batch)
        while cut := passes.filled_call(self._new_in_hike, HIKE_SLICE, bool, final):
            batch, self._new_in_hike = self._new_in_hike[:cut], self._new_in_hike[cut:]
            self._create_hike_slice(batch)

    def _failure_link(self, action: Action) -> Link | None:
        """A record that failed before it was linked (a duplicate SKU, D4) still gets a row in ``link`` with status
        ``failed``, so the monitor lists it in red with its message (M2, M4); like the skip marker it becomes the
        real link when the record later links or is created (``save_link`` finds it by its id)."""
        if action.link is not None:
            return action.link
        hike_id = str(action.hike.id) if action.hike else None
        bc_id = str(action.bc.id) if action.bc else None
        marker = self._record_row(hike_id, bc_id)
        if marker is None and (hike_id or bc_id):
            marker = Link.create(entity=ENTITY, hike_id=hike_id, bc_id=bc_id if not hike_id else None,
                                 sku=action.sku, name=action.name, status="failed")
        return marker

    def _record_failure(self, action: Action, message: str, cause: BaseException | None = None) -> None:
        """A failure of our own making is logged once: one the plan found (a duplicate, a kind mismatch) or a record
        the mapping cannot write (D2). The stores refused nothing, so a later pass that fails it again for the same
        reason adds no row; a person's Retry logs it again, as they asked."""
        if not self.retrying and (cause is None or isinstance(cause, mapping.MappingError)):
            row = Link.get_or_none(Link.id == action.link.id) if action.link is not None else self._record_row(
                str(action.hike.id) if action.hike else None, str(action.bc.id) if action.bc else None)
            if row is not None and row.last_result == "error" and row.last_message == message:
                return  # (the row as stored: a plan notes "changed in both stores" on the link it carries)
        super()._record_failure(action, message, cause)

    def _apply_skip(self, action: Action) -> None:
        """Logged once per reason: a marker row remembers it, so a product that stays skipped does not add a
        log line every pass. The marker becomes a real link if the product later qualifies."""
        hike_id = str(action.hike.id) if action.hike else None
        bc_id = str(action.bc.id) if action.bc else None
        marker = action.link or self._record_row(hike_id, bc_id)  # a link the person excluded keeps its row (B2)
        if marker is not None and marker.last_message == action.message and \
                (marker.status == "skipped" or marker.last_result == "skipped"):
            return
        with database_proxy.atomic():
            if marker is None:
                marker = Link.create(entity=ENTITY, hike_id=hike_id, bc_id=bc_id, sku=action.sku, name=action.name,
                                     status="skipped")
            self.journal.record(ENTITY, action="skip", result="skipped", message=action.message, link=marker,
                                direction="hike_to_bc" if action.hike else "bc_to_hike", name=action.name)

    def _record_link(self, action: Action) -> None:
        """First link: Hike's details win (stock and prices are managed in Hike); BigCommerce keeps its own
        description and images (S16, S17) and gives them to Hike."""
        hike_p, bc_p = action.hike, action.bc
        assert hike_p is not None and bc_p is not None and action.match is not None
        kept = product_writes.kept_note(self._first_link_to_hike(action)[1], self._first_link_to_bc(action)[1])
        with database_proxy.atomic():
            link = link_pair(hike_p, bc_p)
            self._save_variant_links(action.match)
            self.journal.record(ENTITY, action="link", result="ok", direction="both", link=link,
                                message=f"{action.message}: {hike_p.name} ⇄ {bc_p.name}" + (f". {kept}" if kept
                                                                                            else ""),
                                name=hike_p.name)
        action.link = link

    def _first_link_to_bc(self, action: Action) -> tuple[ProductRecord, list[str]]:
        """What a first link writes to BigCommerce: Hike's record, less what Hike has empty and BigCommerce not."""
        return product_writes.keep_filled(mapping.product_from_hike(action.hike, self.ctx),
                                          mapping.product_from_bc(action.bc, self.ctx), self.options, H2B)

    def _first_link_to_hike(self, action: Action) -> tuple[ProductRecord, list[str]]:
        """What a first link writes to Hike: the Hike record with what BigCommerce owns (its description, S16),
        unless BigCommerce's is empty and Hike's is not."""
        hike_record = mapping.product_from_hike(action.hike, self.ctx)
        bc_record, kept = product_writes.keep_filled(mapping.product_from_bc(action.bc, self.ctx), hike_record,
                                                     self.options, B2H)
        return _only_bc_owned(bc_record, hike_record), [n for n in kept if n == "description"]

    def _save_variant_links(self, match: ProductMatch) -> None:
        for v in match.variants:
            save_link(VARIANT, hike_id=v.hike.id, bc_id=v.bc.id, sku=v.hike.sku or v.bc.sku, name=v.hike.name,
                      parent_hike_id=match.hike.id)

    # updates to BigCommerce, 10 per call
    def bc_write(self, action: Action, *, create_refs: bool) -> tuple[ProductRecord, ProductRecord, dict[str, Any],
                                                                      list[dict[str, Any]], set[str]]:
        """A link's or an update's write to BigCommerce: (Hike's record, the record sent, the update body, the new
        variants' bodies, the fields written). The preview (P3) asks the same, without ``create_refs`` (S19: the
        brands and categories a write needs are created first)."""
        record = mapping.product_from_hike(action.hike, self.ctx)
        sent = self._first_link_to_bc(action)[0] if action.kind == "link" else record
        if create_refs:
            self._ensure_bc_refs(sent)
        fields: set[str] = set()
        ctx, one_field = self._write_ctx(action)
        body = mapping.bc_product_body(sent, ctx, action.bc, fields)
        new_variants = mapping.bc_variant_create_bodies(sent, ctx, action.bc) if sent.variants and not one_field \
            else []
        if new_variants:
            fields.add("variants")
        return record, sent, body, new_variants, fields

    def hike_write(self, action: Action, first: bool) -> tuple[ProductRecord, dict[str, Any], set[str]]:
        """A first link's or an update's write to Hike: (the record sent, the body, the fields written)."""
        record = self._first_link_to_hike(action)[0] if first else mapping.product_from_bc(action.bc, self.ctx)
        fields: set[str] = set()
        return record, mapping.hike_product_body(record, self._write_ctx(action)[0], action.hike, fields), fields

    def _write_ctx(self, action: Action) -> tuple[mapping.MappingContext, bool]:
        """The context a write's body is built with, and whether it is a drift fix of one field (issue 20: only
        that field is written, no new variant; ``drift.restricted``)."""
        key = self.one_field_fixes.get(action.link.id) if action.link is not None else None
        return (self.ctx, False) if key is None else (drift.restricted(self.ctx, key), True)

    def _prepare_bc(self, actions: list[Action]) -> list[_BCWrite]:
        """Each action's write to BigCommerce (``bc_write``); one that cannot be written fails alone."""
        ready: list[_BCWrite] = []
        for action in actions:
            try:
                ready.append(_BCWrite(action, *self.bc_write(action, create_refs=True)))
            except (errors.SyncError, mapping.MappingError) as exc:
                if isinstance(exc, errors.SyncError) and passes.stops_the_pass(exc):
                    raise
                self._record_failure(action, getattr(exc, "message", str(exc)), exc)
                self._tick()
        return ready

    def _update_bc(self, ready: list[_BCWrite]) -> dict[int, BCProduct]:
        """Send prepared writes; returns the BigCommerce product as it now is, per link id."""
        to_send = [(w.action, w.body) for w in ready if w.body]
        written = {id(w.action): (w.sent, w.fields) for w in ready}  # per action: the record sent, its fields
        self.own.expect("bigcommerce", {a.link.id: product_writes.expected_fingerprint(
            mapping.product_from_bc(a.bc, self.ctx), *written[id(a)], self.settings, B2H) for a, _ in to_send})
        results, failed = self._send_bc_updates(to_send)
        out: dict[int, BCProduct] = {}
        for action, record, body, new_variants in ((w.action, w.record, w.body, w.new_variants) for w in ready):
            link = action.link
            if link.id in failed:
                self._record_failure(action, failed[link.id].message, failed[link.id])
                self._tick()
                continue
            updated = results.get(link.id, action.bc)
            try:
                for variant_body in new_variants:
                    self.bc.create_variant(action.bc.id, variant_body)
                if new_variants or "variants" in body:
                    updated = self.bc.product(action.bc.id)
            except errors.SyncError as exc:
                if passes.stops_the_pass(exc):
                    raise
                self._record_failure(action, exc.message, exc)
                self._tick()
                continue
            try:
                added_images = self._send_new_images(action, record)
            except errors.SyncError as exc:
                if passes.stops_the_pass(exc):
                    raise
                self._record_failure(action, f"An image could not be added in BigCommerce: {exc.message}", exc)
                self._tick()
                continue
            before, after = mapping.product_from_bc(action.bc, self.ctx), mapping.product_from_bc(updated, self.ctx)
            with database_proxy.atomic():
                link.hike_fingerprint = mapping.fingerprint(record, H2B, self.settings)
                if not action.other_changed:
                    link.bc_fingerprint = mapping.fingerprint(after, B2H, self.settings)
                self.own.settle(link.id, "bigcommerce")
                if new_variants:
                    self._save_variant_links(match_variants(ProductMatch(action.hike, updated, "sku")))
                if body or new_variants or added_images:
                    # what the request carried, not what the answer echoes (a batch update's answer lists no
                    # images or variants, which would read as "every one removed")
                    changes = product_writes.field_changes(written[id(action)][1], written[id(action)][0], before,
                                                           self.settings, H2B)
                    if added_images:
                        changes["images"] = [None, added_images]
                    said = action.message if action.kind != "link" and action.message else "Updated in BigCommerce"
                    said += ownership.decided_by(self.settings, written[id(action)][1])
                    self.journal.record(ENTITY, action="update", result="ok", direction="hike_to_bc", link=link,
                                        message=said, diff=changes, name=action.hike.name)
                else:
                    link.save()  # nothing to write: only the fingerprints move (no log line for a non-event)
            out[link.id] = updated
            self._tick()
        return out

    def _send_bc_updates(self, to_send: list[tuple[Action, dict[str, Any]]]) -> tuple[
            dict[int, BCProduct], dict[int, errors.ValidationFailed]]:
        """10 per call; a refused batch is sent again one by one, so one bad product fails alone. Returns the
        products as updated and the refusals, per link id."""
        results: dict[int, BCProduct] = {}
        failed: dict[int, errors.ValidationFailed] = {}
        for start in range(0, len(to_send), 10):
            chunk = to_send[start:start + 10]
            try:
                for (action, _), product in zip(chunk, self.bc.update_products([{"id": a.bc.id, **b} for a, b in chunk])):
                    results[action.link.id] = product
            except errors.ValidationFailed:
                for action, body in chunk:
                    try:
                        results[action.link.id] = self.bc.update_product(action.bc.id, body)
                    except errors.ValidationFailed as exc:
                        failed[action.link.id] = exc
        return results, failed

    def _send_new_images(self, action: Action, record: ProductRecord) -> list[str]:
        """S17: with two-way images, Hike images BigCommerce has not been sent yet are added (by URL). On a first
        link, and with BigCommerce → Hike only, Hike's current images only become the baseline (and, on a first
        link, BigCommerce's too). Every address now accounted for on both sides is remembered in
        ``images_sent``: the Hike URL sent and the CDN address BigCommerce serves its copy from, so the copy does
        not come back to Hike as a new image (D10)."""
        link = action.link
        sent = list(link.images_sent or [])
        new = [url for url in record.image_urls if url not in sent]
        known: list[str] = []
        if action.kind == "link" and record.image_urls:
            # Hike keeps its own images: BigCommerce's, as read (a batch update's answer carries none), are the
            # baseline. A Hike product without images gets BigCommerce's instead (``hike_images.wanted``).
            known = [url for url in mapping.product_from_bc(action.bc, self.ctx).image_urls if url not in sent]
        if not new and not known:
            return []
        added: list[str] = []
        copies: list[str] = []
        if action.kind != "link" and self.options.image_sync == "two_way":
            for url in new:
                image = self.bc.add_image(action.bc.id, url, is_thumbnail=not sent and url == record.image_urls[0])
                copy = image.get("url_zoom") or image.get("url_standard") or image.get("image_url")
                if copy:
                    copies.append(copy)
            added = new
        link.images_sent = list(dict.fromkeys(sent + new + known + copies))
        return added

    # updates to Hike, 50 per call (fewer when images fill the body); a slice's images are held until it is saved
    def _update_hike_slice(self, actions: list[Action]) -> None:
        prepared: list[tuple[Action, dict[str, Any], ProductRecord]] = []  # with BigCommerce's record
        written: dict[int, tuple[ProductRecord, set[str]]] = {}  # per action: the record sent, its fields
        for action in actions:
            try:
                bc_record = mapping.product_from_bc(action.bc, self.ctx)
                record, body, fields = self.hike_write(action, first=action.message == "first")
                written[id(action)] = (record, fields)
            except mapping.MappingError as exc:
                self._record_failure(action, str(exc))
                self._tick()
                continue
            prepared.append((action, body, bc_record))
        pictures = self.hike_images.prepare([
            (bc.image_urls, action.hike, hike_images.wanted(bc.image_urls, action.hike, action.link.images_sent or [],
                                                             first_link=action.message == "first"))
            for action, _, bc in prepared])
        bodies: list[dict[str, Any]] = []
        for (action, body, _), images_plan in zip(prepared, pictures):
            if images_plan.additional_images is not None:
                body = {**(body or {"id": action.hike.id}), "additional_images": images_plan.additional_images}
            bodies.append(body)
        sent = [(action, body) for (action, _, _), body in zip(prepared, bodies) if body]
        self.own.expect("hike", {a.link.id: product_writes.expected_fingerprint(
            mapping.product_from_hike(a.hike, self.ctx), *written[id(a)], self.settings, H2B) for a, _ in sent})
        saved = {id(a): r for (a, _), r in zip(sent, self.hike.save_products([b for _, b in sent]))} if sent else {}
        for (action, body, bc_record), images_plan in zip(prepared, pictures):
            first = action.message == "first"
            result = saved.get(id(action))
            if result is not None and result.error is not None:
                if passes.stops_the_pass(result.error):
                    raise result.error
                self._record_failure(action, result.error.message, result.error)
                self._tick()
                continue
            updated = result.product if result is not None and result.product is not None else action.hike
            link = action.link
            if images_plan.sent:  # the BigCommerce addresses sent and the ones Hike serves its copies from
                copies = [url for url in updated.image_urls if url not in action.hike.image_urls]
                link.images_sent = list(dict.fromkeys([*(link.images_sent or []), *images_plan.sent, *copies]))
            before, after = mapping.product_from_hike(action.hike, self.ctx), mapping.product_from_hike(updated, self.ctx)
            with database_proxy.atomic():
                if not action.other_changed:
                    link.hike_fingerprint = mapping.fingerprint(after, H2B, self.settings)
                self.own.settle(link.id, "hike")
                if images_plan.complete:  # otherwise the product is sent again the next time it is read
                    link.bc_fingerprint = mapping.fingerprint(bc_record, B2H, self.settings)
                if body or images_plan.sent:
                    sent, fields = written[id(action)]
                    changes = product_writes.field_changes(fields if body else (), sent, before, self.settings, B2H)
                    if images_plan.sent:
                        changes["images"] = [None, images_plan.sent]
                    message = "Updated in Hike" if first or not action.message else action.message
                    message += ownership.decided_by(self.settings, fields if body else ())
                    self.journal.record(ENTITY, action="update", result="ok", direction="bc_to_hike", link=link,
                                        message=message + images_plan.note(), diff=changes, name=action.hike.name)
                else:
                    link.save()
                if images_plan.error:
                    self.journal.record(ENTITY, action="update", result="error", direction="bc_to_hike", link=link,
                                        message=f"The product's images were not sent to Hike: {images_plan.error}",
                                        name=action.hike.name)
            self._tick()

    # creates
    def _apply_create_bc(self, action: Action) -> None:
        hike_p = action.hike
        assert hike_p is not None
        record = mapping.product_from_hike(hike_p, self.ctx)
        self._ensure_bc_refs(record)
        body = mapping.bc_product_body(record, self.ctx, None)
        work = begin_work(ENTITY, f"create_bc:{hike_p.id}", "create_bc", {"hike_id": hike_p.id, "sku": body["sku"]})
        try:
            created = self.bc.create_product(body)
        except errors.SyncError as exc:
            with database_proxy.atomic():
                end_work(work, "failed", exc.message)
            raise
        self._linked_after_create(hike_p, created, work, "create_bc", record)

    def _create_hike_slice(self, actions: list[Action]) -> None:
        """New Hike products, 50 per call (fewer when images fill the body), with their BigCommerce images (S17);
        each recorded as pending before its batch is sent (N2). A slice's images are held until it is saved."""
        prepared: list[tuple[Action, dict[str, Any], ProductRecord]] = []
        for action in actions:
            try:
                record = mapping.product_from_bc(action.bc, self.ctx)
                body = mapping.hike_product_body(record, self.ctx, None)
            except mapping.MappingError as exc:
                self._record_failure(action, str(exc))
                self._tick()
                continue
            prepared.append((action, body, record))
        if not prepared:
            return
        pictures = self.hike_images.prepare([(r.image_urls, None, r.image_urls) for _, _, r in prepared])
        works = []
        for (action, body, _), images_plan in zip(prepared, pictures):
            if images_plan.additional_images is not None:
                body["additional_images"] = images_plan.additional_images
            works.append(begin_work(ENTITY, f"create_hike:{action.bc.id}", "create_hike",
                                    {"bc_id": action.bc.id, "sku": body["sku"]}))
        results = self.hike.save_products([body for _, body, _ in prepared])
        for (action, _, record), images_plan, work, result in zip(prepared, pictures, works, results):
            if result.error is not None:
                with database_proxy.atomic():
                    end_work(work, "failed", result.error.message)
                if passes.stops_the_pass(result.error):
                    raise result.error
                self._record_failure(action, result.error.message, result.error)
            else:
                self._linked_after_create(result.product, action.bc, work, "create_hike", record,
                                          images_plan=images_plan)
            self._tick()

    def _linked_after_create(self, hike_p: HikeProduct, bc_p: BCProduct, work: Any, kind: str,
                             source: ProductRecord, images_plan: hike_images.ImagesForHike | None = None) -> None:
        """``images_plan``: the BigCommerce images a new Hike product was created with; without it (a product
        created in BigCommerce, or one found after a restart), both sides' images count as sent."""
        hrec, brec = mapping.product_from_hike(hike_p, self.ctx), mapping.product_from_bc(bc_p, self.ctx)
        complete = images_plan is None or images_plan.complete
        with database_proxy.atomic():
            link = save_link(ENTITY, hike_id=hike_p.id, bc_id=bc_p.id, sku=hike_p.sku or bc_p.sku, name=hike_p.name,
                             hike_fingerprint=mapping.fingerprint(hrec, H2B, self.settings),
                             # images still waiting: a stale fingerprint sends them the next time it is read
                             bc_fingerprint=mapping.fingerprint(brec, B2H, self.settings) if complete else "")
            # a new product's images went with it (S17) and each store serves its copies from its own CDN: every
            # address now on both sides is accounted for, except BigCommerce images still waiting for Hike
            bc_sent = brec.image_urls if images_plan is None else images_plan.sent
            link.images_sent = list(dict.fromkeys([*hrec.image_urls, *bc_sent]))
            match = match_variants(ProductMatch(hike_p, bc_p, "sku"))
            self._save_variant_links(match)
            if kind == "create_hike":  # Hike starts with BigCommerce's stock: nothing to push back next pass
                link.stock_pushed = str(bc_p.inventory_level) if not match.variants else None
                for v in match.variants:
                    Link.update(stock_pushed=str(v.bc.inventory_level)).where(
                        Link.entity == VARIANT, Link.hike_id == str(v.hike.id)).execute()
                link.save()
            end_work(work)
            store = "BigCommerce" if kind == "create_bc" else "Hike"
            self.journal.record(ENTITY, action="create", result="ok", link=link,
                                direction=passes.direction_of(kind),
                                message=f"Created in {store}" + (images_plan.note() if images_plan else ""),
                                diff=mapping.diff(None, source), name=hike_p.name)
            if images_plan is not None and images_plan.error:
                self.journal.record(ENTITY, action="create", result="error", direction="bc_to_hike", link=link,
                                    message=f"The product's images were not sent to Hike: {images_plan.error}",
                                    name=hike_p.name)

    def _ensure_bc_refs(self, record: ProductRecord) -> None:
        """S19: brands and categories a BigCommerce product names are matched by name, or created."""
        missing = mapping.missing_bc_refs(record, self.ctx)
        if missing.categories and not self._categories_reread:
            # the context's categories are read once and again only on reconciliation passes: a category added
            # in BigCommerce since then would be created a second time (refused) instead of matched. Read them
            # again, once a pass, before taking a category as missing.
            self._categories_reread = True
            self.ctx = _with(self.ctx, bc_category_names={c.id: c.name for c in self.bc.categories()})
            missing = mapping.missing_bc_refs(record, self.ctx)
        if missing.brand:
            brand = self.bc.create_brand(missing.brand)
            self.ctx = _with(self.ctx, bc_brand_names={**self.ctx.bc_brand_names, brand.id: brand.name})
        if missing.categories and self.options.category_sync == "match_or_create":
            trees = self.bc.category_trees()
            tree_id = trees[0]["id"] if trees else 1
            made = self.bc.create_categories([{"name": name, "tree_id": tree_id} for name in missing.categories])
            self.ctx = _with(self.ctx, bc_category_names={**self.ctx.bc_category_names,
                                                          **{c.id: c.name for c in made}})

    # -- crash recovery (N2) --------------------------------------------------------------------------------------
    def recover(self) -> None:
        """Creates that were sent but never confirmed: link what exists, leave the rest to be planned again."""
        for work in unfinished_work(ENTITY):
            if work.action not in ("create_bc", "create_hike"):
                continue  # updates in flight are told apart when their record is read (``own_writes``)
            sku = (work.payload or {}).get("sku")
            found_bc = self.bc.find_product_by_sku(sku) if work.action == "create_bc" and sku else None
            found_hike = self.hike.find_product_by_sku(sku) if work.action == "create_hike" and sku else None
            if found_bc is not None:
                hike_p = self.hike.product(int(work.payload["hike_id"]))
                if hike_p is not None:
                    self._linked_after_create(hike_p, found_bc, work, "create_bc",
                                              mapping.product_from_hike(hike_p, self.ctx))
                    continue
            if found_hike is not None:
                bc_p = self.bc.product(int(work.payload["bc_id"]))
                self._linked_after_create(found_hike, bc_p, work, "create_hike",
                                          mapping.product_from_bc(bc_p, self.ctx))
                continue
            with database_proxy.atomic():
                end_work(work, "failed", "not found after a restart; planned again")

    # -- cursors --------------------------------------------------------------------------------------------------
    def advance_cursors(self, snap: Snapshot) -> None:
        passes.advance_cursors(ENTITY, snap, lambda r: r.last_modified, lambda r: r.date_modified, self.read_again)


HIKE_SLICE = 50  # products whose images are prepared and saved together (one Hike batch without images)
BC_BATCH = 10  # product updates per BigCommerce call


@dataclass
class _BCWrite:
    """A prepared write to BigCommerce (``bc_write``): Hike's record, the update body, the new variants' bodies,
    the record sent and the fields written."""

    action: Action
    record: ProductRecord
    sent: ProductRecord
    body: dict[str, Any]
    new_variants: list[dict[str, Any]]
    fields: set[str]


def _first_to_hike(action: Action, bc_now: BCProduct) -> Action:
    """A first link's update to Hike, with BigCommerce's product as it now is (its images as read)."""
    return Action("update_hike", action.hike, _with_images(bc_now, action.bc), link=action.link, message="first")


def link_pair(hike_p: HikeProduct, bc_p: BCProduct) -> Link:
    """The link of a first link (call inside its transaction): a marker the BigCommerce product had on its own (it
    was skipped or failed apart, e.g. a match the person refused, then forgot) gives way to it."""
    Link.delete().where(Link.entity == ENTITY, Link.bc_id == str(bc_p.id), Link.status != LinkStatus.LINKED,
                        Link.hike_id.is_null() | (Link.hike_id != str(hike_p.id))).execute()
    return save_link(ENTITY, hike_id=hike_p.id, bc_id=bc_p.id, sku=hike_p.sku or bc_p.sku, name=hike_p.name)


def _link_id(links: dict[str, Link], product: Any) -> int | None:
    link = links.get(str(product.id))
    return link.id if link is not None else None


def read_products(hike: HikeClient, bc: BigCommerceClient, *, full: bool,
                  decisions: match_decisions.Decisions) -> Snapshot:
    """Both stores' products (every one when ``full``, else what changed since the cursors) streamed into a
    ``ReadStore`` (issue 19), each matchable by its SKUs and barcodes and by the decisions that pair it by hand."""
    store = ReadStore(ENTITY, decisions.keys_with(match_keys), {"hike": lambda p: p.last_modified,
                                                                 "bigcommerce": lambda p: p.date_modified})
    return passes.read_both(ENTITY, full, hike, bc,
                            lambda since: (p for p in hike.products(since=since) if not p.parent_id),
                            lambda since: bc.products(modified_since=since), store=store)


def _linked(link: Link | None) -> bool:
    return link is not None and link.status not in ("skipped", "failed")  # markers, not links




def _with(ctx: mapping.MappingContext, **changes: Any) -> mapping.MappingContext:
    return replace(ctx, **changes)


def _with_images(product: BCProduct, as_read: BCProduct) -> BCProduct:
    return product if product.images or product is as_read else replace(product, images=as_read.images)


def _only_bc_owned(bc_record: ProductRecord, hike_record: ProductRecord) -> ProductRecord:
    """The Hike record with BigCommerce's description (S16); everything else stays as Hike has it."""
    return replace(hike_record, side=bc_record.side, description_html=bc_record.description_html,
                   description_text=bc_record.description_text)
