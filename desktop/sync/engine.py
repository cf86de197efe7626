"""One sync pass over the entities asked for, recorded from start to finish.

``SyncEngine.run_pass`` reads the stores' facts, resolves the settings against them, then runs the entity passes
of ``desktop.sync.registry`` in order (products and their stock, customers (D7), BigCommerce orders (S9/S10),
Hike sales (S15)), each as ``desktop.sync.entity_pass.EntityPass`` describes, and closes the run. What the passes
read is the pass's ``ReadScope``, not who asked for it (the trigger): everything on the first pass (no cursor yet),
on the daily reconciliation (D11: BigCommerce does not bump a product's ``date_modified`` when only a variant
changes) and on a group's retry; what changed since the cursors otherwise; or only the records asked for (M4
"Retry this record", ``only``), moving no cursor. ``dry_run`` plans and returns the counts without writing
anything (P3).
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from desktop.storage.models import Link, Run, get_preference
from desktop.sync import drift, errors, mapping, match_decisions, passes, preview, refusals
from desktop.sync.bigcommerce import BigCommerceClient
from desktop.sync.entity_pass import RECONCILED_KEYS, SAFETY_STOCK_SENT, EntityPass, PassRun, reconciled_at
from desktop.sync.events import Listeners
from desktop.sync.fact_cache import FactCache, forget_facts, read_facts
from desktop.sync.hike import HikeClient
from desktop.sync.journal import Journal
from desktop.sync.left_out import fail_left_out
from desktop.sync.customers import CustomerSync
from desktop.sync.products import Action, ProductSync
from desktop.sync.progress import PassProgress
from desktop.sync.register_shift import note_shift, payment_register
from desktop.sync.registry import ENGINE_ENTITIES, link_entities_read_with, read_groups
from desktop.sync.settings import SafetyStock, Settings, StoreFacts
from desktop.sync.sync_status import sync_state
from desktop.sync.vocabulary import ErrorKind, ReadScope, RunStatus, SyncState, Trigger

log = logging.getLogger(__name__)

RECONCILE_EVERY = timedelta(hours=24)


@dataclass
class DryRun:
    """P3: what the first (or next) pass would do, per store, with the list; and every write it would make, per
    store and field (``desktop.sync.preview``)."""

    counts: dict[str, dict[str, int]]
    actions: list[dict[str, Any]] = field(default_factory=list)
    writes: list[preview.PlannedWrite] = field(default_factory=list)

    @property
    def fields(self) -> dict[str, dict[str, int]]:
        """``{store: {field: records written}}``."""
        return preview.per_field(self.writes)

    @property
    def samples(self) -> dict[str, dict[str, list[dict[str, Any]]]]:
        return preview.samples(self.writes)


def store_facts(hike: HikeClient, bc: BigCommerceClient) -> StoreFacts:
    """Everything the settings may name, read from both stores (names or ids are resolved against it)."""
    return StoreFacts(
        hike_outlets=hike.outlets(include_inactive=True), hike_registers=hike.registers(),
        hike_taxes=hike.taxes(), hike_payment_types=hike.payment_types(), bc_tax_classes=bc.tax_classes(),
        bc_locations=bc.locations(), bc_payment_methods=bc.payment_methods(),
        bc_prices_inc_tax=bc.store_info().is_price_entered_with_tax)


class SyncEngine:
    def __init__(self, bc: BigCommerceClient, hike: HikeClient, settings: Settings, *,
                 events: Listeners | None = None, now: Any = None):
        self.bc = bc
        self.hike = hike
        self.settings = settings
        self.events = events or Listeners()
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._ctx: mapping.MappingContext | None = None
        self._registers_read: list[Any] | None = None

    # -- context ----------------------------------------------------------------------------------------------
    def context(self, refresh: bool = False) -> mapping.MappingContext:
        """The stores' facts and lookups, read once and again on reconciliation passes: outlets, taxes and tax
        classes change rarely, and re-reading them every few minutes would spend Hike's daily calls (N3)."""
        if self._ctx is None or refresh:
            cache = FactCache(f"{self.hike.base_url} {self.bc.store_hash}", now=self._now)
            if refresh:
                cache.forget()
            facts = read_facts(self.hike, self.bc, cache)  # kept between processes: issue 19
            resolved = self.settings.resolve(facts.store)
            if facts.registers_read:  # S8: a shift noted by the next pass (a dry run writes nothing); never from
                self._registers_read = facts.store.hike_registers  # kept facts, whose shifts may have ended since
            self._ctx = mapping.MappingContext.build(
                resolved, hike_taxes=facts.store.hike_taxes, store_info=facts.store_info,
                bc_tax_classes=facts.store.bc_tax_classes, bc_brands=facts.bc_brands,
                bc_categories=facts.bc_categories, hike_brands=facts.hike_brands,
                hike_product_types=facts.hike_product_types)
        return self._ctx

    def _note_register_shift(self, resolved: Any) -> None:
        """S8: when the payment register's shift began, from the registers the store facts just read (no call)."""
        registers, self._registers_read = self._registers_read, None
        if registers is not None and resolved.settings.bc_to_hike.full_orders:
            note_shift(payment_register(registers, resolved.payment_register_id, resolved.order_outlet_id))

    def reconcile_due(self, entities: Iterable[str] | None = None) -> bool:
        """Whether one of ``entities`` (default: every entity read whole or by what changed) was last read whole a
        day ago or more (D11), or never."""
        due = [e for e in (entities or RECONCILED_KEYS) if e in RECONCILED_KEYS]
        return any((last := reconciled_at(e)) is None or self._now() - datetime.fromisoformat(last) >= RECONCILE_EVERY
                   for e in due)

    # -- passes -----------------------------------------------------------------------------------------------
    def dry_run(self, *, full: bool = False) -> DryRun:
        """P3: plan a pass and write nothing (no run row, no link, no cursor); ``full``: as a full pass would."""
        sync = ProductSync(self.hike, self.bc, self.context(), journal=Journal("dry_run", ()))
        snapshot = sync.read(full=full or self.reconcile_due(("products",)) or match_decisions.changed())
        counts: dict[str, Counter[str]] = {"hike": Counter(), "bigcommerce": Counter(), "both": Counter()}
        described: list[dict[str, Any]] = []  # each part's actions told, not kept: they hold both records
        writes: list[preview.PlannedWrite] = []
        try:
            levels = preview.bc_levels(sync, snapshot)
            for part in passes.parts(snapshot):
                planned = sync.plan(part)
                writes += preview.product_writes_of(sync, planned) + preview.stock_writes_of(sync, part, planned,
                                                                                            levels)
                for action in planned:
                    counts[action.side][_verb(action)] += 1
                described += [_describe(a) for a in planned]
        finally:
            passes.release(snapshot)
        customers = CustomerSync(self.hike, self.bc, Journal("dry_run", ()), settings=sync.settings)
        read = customers.read(full=full or self.reconcile_due(("customers",)))
        try:
            for part in passes.parts(read):
                writes += preview.customer_writes_of(customers.plan(part), customers.settings)
        finally:
            passes.release(read)
        return DryRun({side: dict(c) for side, c in counts.items() if c}, described, writes)

    def check_drift(self) -> int:
        """The drift report on demand (issue 20): one full read of the products and one of the customers, planned
        part by part as a pass would and written nowhere, finds what differs between the linked records the next
        pass would leave alone (``drift.note_part``). Returns the fields found."""
        sync = ProductSync(self.hike, self.bc, self.context(refresh=True), journal=Journal("drift", ()))
        customers = CustomerSync(self.hike, self.bc, Journal("drift", ()), settings=sync.settings)
        found = 0
        for kind, plan, ctx, read in ((drift.PRODUCTS, sync.plan, sync.ctx, sync.read),
                                      (drift.CUSTOMERS, customers.plan, customers.settings, customers.read)):
            snapshot = read(full=True)
            try:
                if not snapshot.incomplete:
                    drift.clear(kind)
                for part in passes.parts(snapshot):
                    found += drift.note_part(part, plan(part), ctx, kind=kind)
            finally:
                passes.release(snapshot)
        return found

    def fix_drift(self, link_ids: Iterable[int], to: str, trigger: str = Trigger.MANUAL,
                  field: str | None = None) -> Run | None:
        """Make ``to`` (``drift.TO_BIGCOMMERCE`` or ``TO_HIKE``) match the other store for these linked products
        (``field``: in that field only): the fix asked for (``drift.request_fix``), then an ordinary records-only
        pass, which carries it out."""
        ids = drift.request_fix(list(link_ids), to, field)
        return self.run_pass(trigger, drift.sync_entities(ids), only=ids) if ids else None

    def read_scope(self, only: Iterable[int] | None = None, entities: Iterable[str] | None = None) -> ReadScope:
        """What a pass of ``entities`` (default: all) reads when its caller does not say: the records asked for,
        everything when the daily reconciliation of one of them is due (D11), or, for products and their stock, the
        safety stock changed since levels were last sent (issue 20: every level then goes again) or a match
        decision changed (B2: a pair linked by hand may not have changed); else what changed since the cursors."""
        if only is not None:
            return ReadScope.RECORDS
        wanted = set(entities or ENGINE_ENTITIES)
        products = bool(wanted & {"products", "inventory"})  # the stock pass reads what the products pass read
        full = self.reconcile_due(wanted | ({"products"} if products else set())) or products and (
            self.safety_stock_changed() or match_decisions.changed())
        return ReadScope.FULL if full else ReadScope.INCREMENTAL

    def safety_stock_changed(self) -> bool:
        """Whether BigCommerce's levels were last sent under another safety stock (none counts as no buffer)."""
        if not self.settings.hike_to_bc.inventory:
            return False
        sent = get_preference(SAFETY_STOCK_SENT, SafetyStock().to_json())
        return sent != self.settings.safety_stock.to_json()

    def run_pass(self, trigger: str = Trigger.MANUAL, entities: Iterable[str] | None = None,
                 scope: ReadScope | None = None, only: Iterable[int] | None = None) -> Run:
        """``trigger``: who asked (the run log shows it); ``entities``: which passes run (default all);
        ``scope``: what they read (default ``read_scope``). ``only``: link ids (``Link.id``) to retry alone (M4
        "Retry this record", ``ReadScope.RECORDS``): products and customers read just those records (a variant's
        or its stock's link: its product) and plan and apply them as usual; the cursors and the reconciliation
        date stay where they are, since reading a few records says nothing about the others. Orders and sales
        run their normal pass (it reads their waiting and refused records again anyway)."""
        wanted = frozenset(entities or ENGINE_ENTITIES) & frozenset(ENGINE_ENTITIES)
        scope = scope or self.read_scope(only, wanted)
        records = [] if only is None else list(Link.select().where(Link.id.in_(list(only))))
        _forget_refusals(trigger, wanted, records if only is not None else None)
        journal = Journal(trigger, wanted, self.events)
        run = journal.start()
        self.events.on_run_started(run.id, trigger, sorted(wanted))
        self.events.on_state(SyncState.SYNCING)
        status, message, stopped_by = None, "", None
        refused_before = refusals.noted()
        progress = PassProgress(self.events, self.hike, self.bc).attach()
        try:
            progress.reading("")  # the stores' details (every one on a full pass), then each entity's records
            ctx = self.context(refresh=scope == ReadScope.FULL)
            self._note_register_shift(ctx.settings)
            # drift fixes asked for these records (issue 20), on the pass's own thread
            fixes = drift.apply_requests(only, self.hike, self.bc, ctx) if only is not None else {}
            work = PassRun(self.hike, self.bc, ctx, journal, self.events, scope, records, self._now,
                           one_field_fixes=fixes)
            try:
                self._run_entity_passes(work, wanted, progress)
            finally:
                if work.mapping is not ctx:
                    self._ctx = work.mapping  # brands and categories created during the pass
        except errors.SyncError as exc:
            status, message, stopped_by = RunStatus.ERROR, str(exc), exc.kind
            log.warning("Sync pass stopped: %s", exc)
            self.events.on_error(exc.kind, exc.title, str(exc))
        except Exception as exc:  # a bug: the run is closed and reported, never left "running"
            status, message, stopped_by = RunStatus.ERROR, f"Unexpected error: {type(exc).__name__}: {exc}", \
                ErrorKind.INTERNAL
            log.exception("Sync pass failed")
            self.events.on_error(ErrorKind.INTERNAL, "Unexpected error", message)
            raise
        finally:
            progress.detach()
            self.hike.save_calls()  # the last calls of the pass join the daily count (N3)
            # optional fields a store left out: said once per run (issue 18)
            notes = self.hike.shapes.take_notes() + self.bc.shapes.take_notes()
            run = journal.finish(status, "\n".join(filter(None, [message, *notes])))
            if refusals.noted() > refused_before:
                # a store refused a write: a fact changed since it was read (an outlet, register or tax gone) may
                # be why, so the next pass reads the facts again, here and in any other process
                forget_facts()
                self._ctx = None
            # what stopped the pass, for the scheduler's state (not stored: the run's status and message are)
            run.stopped_by = stopped_by
            self.events.on_run_finished(run.id, run.status, run.counts)
            self.events.on_state(sync_state(running=False, reconnect_needed=stopped_by == ErrorKind.RECONNECT,
                                            paused=False, last_pass_failed=stopped_by is not None))
        return run

    @staticmethod
    def _run_entity_passes(run: PassRun, wanted: frozenset[str], progress: PassProgress | None = None) -> None:
        """The registry's passes asked for, in order. Passes sharing a read run together: all their ``recover``,
        one ``read``, then for each part of it (``passes.parts``) each one's ``plan`` and ``apply``, then each
        one's ``finish`` and ``advance``, so the products' cursors move only once their stock is pushed too. A
        pass whose setting is off does only its ``when_off``.
        ``progress`` is told what each step does (reading, planning; writing comes from the syncs' own counts)."""
        progress = progress or PassProgress(run.events, run.hike, run.bc)
        settings = run.mapping.settings.settings
        for together in read_groups(wanted):
            active: list[EntityPass] = []
            for entity_pass in (make(run) for make in together):
                if entity_pass.enabled(settings):
                    entity_pass.recover()
                    active.append(entity_pass)
                else:
                    entity_pass.when_off()
            if active:
                progress.reading(active[0].entity)
            snapshot = active[0].read(run.scope, run.records) if active else None
            # records the read left out because the app cannot read them fail on their rows (issue 18)
            for client in (run.hike, run.bc):
                fail_left_out(run.journal, client.shapes, {e for p in active for e in p.link_entities})
            if snapshot is None:
                continue
            try:
                for part in passes.parts(snapshot):  # a large read a few hundred records at a time (issue 19)
                    for entity_pass in active:
                        progress.planning(entity_pass.entity)
                        entity_pass.apply(entity_pass.plan(part))
                    if part is not snapshot:
                        passes.release(part)
                for entity_pass in active:
                    entity_pass.finish(snapshot)
                for entity_pass in active:
                    entity_pass.advance(snapshot)
            finally:
                passes.release(snapshot)


def _forget_refusals(trigger: str, wanted: frozenset[str], records: list[Link] | None) -> None:
    """M4: Retry sends refused writes again, unchanged: a records-only pass those of its records, a group's Retry
    (``Trigger.RETRY``) every one of its group (``refusals``). Other passes leave them waiting for a change."""
    if records is not None:
        refusals.forget(records)
    elif trigger == Trigger.RETRY:
        refusals.forget_entities(link_entities_read_with(wanted))


def _verb(action: Action) -> str:
    return {"create_bc": "create", "create_hike": "create", "update_bc": "update", "update_hike": "update",
            "link": "link", "skip": "skip", "fail": "fail", "mark_deleted": "fail"}[action.kind]


def _describe(action: Action) -> dict[str, Any]:
    return {"action": _verb(action), "store": action.side, "name": action.name, "sku": action.sku,
            "hike_id": action.hike.id if action.hike else None, "bc_id": action.bc.id if action.bc else None,
            "message": action.message}
