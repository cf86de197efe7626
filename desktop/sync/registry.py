"""The entity passes in the order a sync pass runs them, and every list of entities derived from them.

``PASSES`` is the one place that says which engine entities exist, which group a person asks for them by, which
``Link.entity`` values their records use and what people call them. The engine's entities, the scheduler's, the
service's groups and retries, the views' lists and labels are all read from it, so a new pass (or a new kind of
record) cannot be left out of one of them: a hand-written group map once left out ``sales``, and a failed Hike
sale was never retried by its group.

Order matters: products before their stock (pushed for the products just read and linked), customers before
orders (an order waits for its customer's link), orders before sales. Passes that share a read run together
(``read_groups``). The passes import their sync modules when they are made: the views and the CLI's reading
commands import this module for its lists only.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Iterable

from desktop.storage.models import Link, set_preference
from desktop.sync import drift, match_decisions
from desktop.sync.entity_pass import SAFETY_STOCK_SENT, EntityPass, PassRun, note_reconciled
from desktop.sync.passes import Snapshot, filled_call, records_of
from desktop.sync.settings import Settings
from desktop.sync.vocabulary import ReadScope


@dataclass(frozen=True)
class Group:
    """What a person asks for by name (S20 "Sync now" per group; the Errors tab's "Retry this group")."""

    name: str
    label: str
    what: str  # what syncing it does, for people


SYNC_GROUPS = (Group("products", "Products", "products and stock"),
               Group("customers", "Customers", "customers both ways"),
               Group("sales", "Sales", "orders and sales"))


def settle_stock(run: PassRun) -> None:
    """Stock follow-ups a crash or a stopped pass left (``inventory.expect_resync``, written by the orders and
    sales passes): run once per run, before the first of stock, orders and sales, whether or not their settings
    are on (with stock off they only end). A records-only run leaves them to the next normal pass."""
    if run.records_only or run.stock_settled:
        return
    from desktop.sync import inventory

    inventory.recover(run.hike, run.bc, run.journal, run.mapping.settings)
    run.stock_settled = True


def _read_products(sync: Any, scope: ReadScope, records: list[Link]) -> Snapshot[Any, Any] | None:
    """The products (and their stock) a pass works on; a records-only run reads just the records asked for (a
    variant's or a stock error's record is its product), or nothing."""
    if scope == ReadScope.RECORDS:
        mine = records_read_by(ProductPass.reads, records)
        return sync.read_records(mine) if mine else None
    return sync.read(full=scope == ReadScope.FULL)


class _SyncPass:
    """An entity pass over one of the entity syncs (``EntitySync``): its plan and apply are the sync's own."""

    sync: Any

    def __init__(self, run: PassRun) -> None:
        self.run = run

    def enabled(self, settings: Settings) -> bool:
        return True

    def when_off(self) -> None:
        return None

    def plan(self, snapshot: Snapshot[Any, Any]) -> list[Any]:
        return self.sync.plan(snapshot)

    def apply(self, plans: list[Any]) -> None:
        self.sync.apply(plans)

    def finish(self, snapshot: Snapshot[Any, Any]) -> None:
        self.sync.finish()


class ProductPass(_SyncPass):
    """Products and variants both ways (``desktop.sync.products``)."""

    entity: ClassVar[str] = "products"
    group: ClassVar[str] = "products"
    link_entities: ClassVar[tuple[str, ...]] = ("product", "variant")
    listed: ClassVar[tuple[str, ...]] = ("product",)
    label: ClassVar[str] = "Products"
    reads: ClassVar[str] = "products"

    def __init__(self, run: PassRun) -> None:
        from desktop.sync.products import ProductSync

        super().__init__(run)
        self.sync = ProductSync(run.hike, run.bc, run.mapping, run.journal, run.events)
        self.sync.retrying = run.records_only
        self.sync.one_field_fixes = run.one_field_fixes  # drift fixes of one field (issue 20)

    def recover(self) -> None:
        if not self.run.records_only:  # a retry of records: theirs only (recovery waits for the next normal pass)
            self.sync.recover()

    def read(self, scope: ReadScope, records: list[Link]) -> Snapshot[Any, Any] | None:
        snapshot = _read_products(self.sync, scope, records)
        if snapshot is not None and snapshot.full and not snapshot.incomplete:
            drift.clear()  # this read finds the drift again (a short read would lose what it did not list)
        return snapshot

    def plan(self, snapshot: Snapshot[Any, Any]) -> list[Any]:
        # a refused order waits for its items to change (``order_refusals``)
        self.run.hike_products_read |= {i for p in snapshot.hike for i in (p.id, *(v.id for v in p.variants))}
        actions = self.sync.plan(snapshot)
        drift.note_part(snapshot, actions, self.sync.ctx, self.run.one_field_fixes)  # issue 20: no call of its own
        return actions

    def apply(self, plans: list[Any]) -> None:
        self.sync.apply(plans)
        self.run.mapping = self.sync.ctx  # brands and categories created during the pass

    def finish(self, snapshot: Snapshot[Any, Any]) -> None:
        self.sync.finish()
        self.run.mapping = self.sync.ctx

    def advance(self, snapshot: Snapshot[Any, Any]) -> None:
        if self.run.records_only:  # reading a few records says nothing about the others
            return
        self.sync.advance_cursors(snapshot)
        if snapshot.full and not snapshot.incomplete:  # a short read is not a reconciliation: again next pass
            note_reconciled(self.entity, self.run.now())
            match_decisions.note_read(self.sync.decisions.revision)  # B2: every record planned under them


class StockPass:
    """Hike's stock set on BigCommerce (``desktop.sync.inventory``) for the products the products pass read."""

    entity: ClassVar[str] = "inventory"
    group: ClassVar[str] = "products"
    link_entities: ClassVar[tuple[str, ...]] = ("inventory",)  # its log entries; its records are products'
    listed: ClassVar[tuple[str, ...]] = ()
    label: ClassVar[str] = "Stock"
    reads: ClassVar[str] = "products"

    def __init__(self, run: PassRun) -> None:
        self.run = run

    def enabled(self, settings: Settings) -> bool:
        return settings.hike_to_bc.inventory

    def when_off(self) -> None:
        settle_stock(self.run)

    def recover(self) -> None:
        settle_stock(self.run)

    def read(self, scope: ReadScope, records: list[Link]) -> Snapshot[Any, Any] | None:
        """Asked for without the products pass, it reads the products itself (their stock is what it sets)."""
        from desktop.sync.products import ProductSync

        return _read_products(ProductSync(self.run.hike, self.run.bc, self.run.mapping, self.run.journal,
                                          self.run.events), scope, records)

    def plan(self, snapshot: Snapshot[Any, Any]) -> list[Any]:
        """Nothing part by part: the levels are planned in ``finish``, once the products pass has written every
        product of the read (its new products, variants and links exist then)."""
        return []

    def apply(self, plans: list[Any]) -> None:
        return None

    def finish(self, snapshot: Snapshot[Any, Any]) -> None:
        """The levels of the Hike products read, a few hundred products at a time (``passes.records_of``). A full
        read compares BigCommerce's real levels, read once (edited there, or an order's stock never set back);
        other passes the level last pushed, which costs no call. Sent 2000 a call (levels BigCommerce already
        holds ride along, ``filled_call``)."""
        from desktop.sync.inventory import plan_levels, read_levels

        resolved = self.run.mapping.settings
        levels = read_levels(self.run.bc, resolved.bc_location_id) if snapshot.full else None
        excluded = match_decisions.Decisions.load().excludes  # B2: no level for a product the person excluded
        waiting: list[Any] = []
        for products in records_of(snapshot, "hike"):
            waiting = self._push(waiting + plan_levels(resolved, products, levels, excluded), final=False)
        self._push(waiting, final=True)
        if snapshot.full:  # every level read was sent under this safety stock (``SyncEngine.safety_stock_changed``)
            set_preference(SAFETY_STOCK_SENT, resolved.settings.safety_stock.to_json())

    def _push(self, waiting: list[Any], *, final: bool) -> list[Any]:
        """Send the levels that fill a call (all when ``final``); returns the rest."""
        from desktop.sync.bigcommerce import INVENTORY_BATCH
        from desktop.sync.inventory import push_stock

        events = self.run.events
        while cut := filled_call(waiting, INVENTORY_BATCH, lambda change: not change.in_step, final):
            batch, waiting = waiting[:cut], waiting[cut:]
            if events is not None:
                events.on_phase(self.entity, "writing", 0, len(batch), "")
                events.on_progress(self.entity, 0, len(batch))
            push_stock(self.run.bc, self.run.journal, batch)
            if events is not None:
                events.on_progress(self.entity, len(batch), len(batch))
        return waiting

    def advance(self, snapshot: Snapshot[Any, Any]) -> None:
        return None  # the products' cursors move with the products pass, after the stock is pushed


class CustomerPass(_SyncPass):
    """Customers both ways (D7, ``desktop.sync.customers``): whenever asked for, there is no separate setting."""

    entity: ClassVar[str] = "customers"
    group: ClassVar[str] = "customers"
    link_entities: ClassVar[tuple[str, ...]] = ("customer",)
    listed: ClassVar[tuple[str, ...]] = ("customer",)
    label: ClassVar[str] = "Customers"
    reads: ClassVar[str] = "customers"

    def __init__(self, run: PassRun) -> None:
        from desktop.sync.customers import CustomerSync

        super().__init__(run)
        self.sync = CustomerSync(run.hike, run.bc, run.journal, run.events, settings=run.mapping.settings)
        self.sync.one_field_fixes = run.one_field_fixes  # drift fixes of one field (issue 20)

    def recover(self) -> None:
        if not self.run.records_only:
            self.sync.recover()

    def read(self, scope: ReadScope, records: list[Link]) -> Snapshot[Any, Any] | None:
        if scope == ReadScope.RECORDS:
            mine = records_read_by(self.reads, records)
            return self.sync.read_records(mine) if mine else None
        snapshot = self.sync.read(full=scope == ReadScope.FULL)
        if snapshot.full and not snapshot.incomplete:
            drift.clear(drift.CUSTOMERS)  # this read finds the customers' drift again
        return snapshot

    def plan(self, snapshot: Snapshot[Any, Any]) -> list[Any]:
        actions = self.sync.plan(snapshot)
        drift.note_part(snapshot, actions, self.sync.settings, self.run.one_field_fixes, drift.CUSTOMERS)  # issue 20
        return actions

    def advance(self, snapshot: Snapshot[Any, Any]) -> None:
        if not self.run.records_only:
            self.sync.advance_cursors(snapshot)
            if snapshot.full and not snapshot.incomplete:
                note_reconciled(self.entity, self.run.now())


class OrderPass(_SyncPass):
    """BigCommerce orders into Hike (``desktop.sync.orders``), when S9 stock or S10 full orders is on. Its waiting
    and refused orders are read again on every pass, so a records-only run runs it as usual."""

    entity: ClassVar[str] = "orders"
    group: ClassVar[str] = "sales"
    link_entities: ClassVar[tuple[str, ...]] = ("order",)
    listed: ClassVar[tuple[str, ...]] = ("order",)
    label: ClassVar[str] = "Orders"
    reads: ClassVar[str] = "orders"

    def __init__(self, run: PassRun) -> None:
        from desktop.sync.orders import OrderSync

        super().__init__(run)
        self.sync = OrderSync(run.hike, run.bc, run.mapping, run.journal, run.events)

    def enabled(self, settings: Settings) -> bool:
        return settings.bc_to_hike.full_orders or settings.bc_to_hike.inventory_on_order

    def when_off(self) -> None:
        settle_stock(self.run)

    def recover(self) -> None:
        settle_stock(self.run)
        self.sync.recover()

    def read(self, scope: ReadScope, records: list[Link]) -> Snapshot[Any, Any] | None:
        from desktop.sync.order_refusals import changed_items

        self.sync.items_changed = changed_items(self.run.hike_products_read)
        return self.sync.read()

    def advance(self, snapshot: Snapshot[Any, Any]) -> None:
        self.sync.advance_cursors(snapshot)


class SalePass(_SyncPass):
    """Hike sales to BigCommerce orders (S15, off by default; ``desktop.sync.sales``). A records-only run reads its
    sales asked for again with the ones that changed."""

    entity: ClassVar[str] = "sales"
    group: ClassVar[str] = "sales"
    link_entities: ClassVar[tuple[str, ...]] = ("sale",)
    listed: ClassVar[tuple[str, ...]] = ("sale",)
    label: ClassVar[str] = "Sales"
    reads: ClassVar[str] = "sales"

    def __init__(self, run: PassRun) -> None:
        from desktop.sync.sales import SaleSync

        super().__init__(run)
        self.sync = SaleSync(run.hike, run.bc, run.mapping, run.journal, run.events)

    def enabled(self, settings: Settings) -> bool:
        return settings.hike_to_bc.full_orders

    def when_off(self) -> None:
        from desktop.sync.sales import deactivate

        settle_stock(self.run)
        deactivate()  # switched on again later, only the sales made from then on go

    def recover(self) -> None:
        settle_stock(self.run)
        self.sync.recover()

    def read(self, scope: ReadScope, records: list[Link]) -> Snapshot[Any, Any] | None:
        return self.sync.read(retry=[int(l.hike_id) for l in records_read_by(self.reads, records) if l.hike_id])

    def advance(self, snapshot: Snapshot[Any, Any]) -> None:
        self.sync.advance_cursors(snapshot)


PASSES: tuple[type[EntityPass], ...] = (ProductPass, StockPass, CustomerPass, OrderPass, SalePass)

# -- derived ---------------------------------------------------------------------------------------------------
ENGINE_ENTITIES: tuple[str, ...] = tuple(p.entity for p in PASSES)
# group → the engine entities a "Sync now" or "Retry this group" of it runs
GROUPS: dict[str, frozenset[str]] = {g.name: frozenset(p.entity for p in PASSES if p.group == g.name)
                                     for g in SYNC_GROUPS}
# group → the link entities its view lists
LINK_ENTITIES: dict[str, tuple[str, ...]] = {g.name: tuple(e for p in PASSES if p.group == g.name for e in p.listed)
                                             for g in SYNC_GROUPS}
GROUP_OF_LINK_ENTITY: dict[str, str] = {e: p.group for p in PASSES for e in p.link_entities}
# link entity → what "Retry this record" runs: its pass and the passes sharing its read (a product's stock, and a
# stock error's product)
RECORD_ENTITIES: dict[str, frozenset[str]] = {e: frozenset(q.entity for q in PASSES if q.reads == p.reads)
                                              for p in PASSES for e in p.link_entities}
# engine entity or link entity (as progress and run counts name them) → what people call it
ENTITY_LABELS: dict[str, str] = {key: p.label for p in PASSES for key in (p.entity, *p.link_entities)}


def link_entities_read_with(wanted: Iterable[str]) -> set[str]:
    """The link entities of these engine entities and of the passes sharing their read (a product's stock)."""
    reads = {p.reads for p in PASSES if p.entity in set(wanted)}
    return {e for p in PASSES if p.reads in reads for e in p.link_entities}


def records_read_by(reads: str, records: Iterable[Link]) -> list[Link]:
    """The records (links) the passes sharing this read work on."""
    mine = {e for p in PASSES if p.reads == reads for e in p.link_entities}
    return [link for link in records if link.entity in mine]


def read_groups(wanted: Iterable[str]) -> list[tuple[type[EntityPass], ...]]:
    """The passes asked for, in order, those sharing a read together."""
    chosen = [p for p in PASSES if p.entity in set(wanted)]
    out: list[tuple[type[EntityPass], ...]] = []
    for reads in dict.fromkeys(p.reads for p in chosen):
        out.append(tuple(p for p in chosen if p.reads == reads))
    return out


def entities_for(groups: Iterable[str] | None) -> frozenset[str] | None:
    """The engine entities of these groups (None: all)."""
    if groups is None:
        return None
    out: set[str] = set()
    for group in groups:
        if group not in GROUPS:
            raise ValueError(f"unknown sync group {group!r}; expected some of {sorted(GROUPS)}")
        out |= GROUPS[group]
    return frozenset(out)
