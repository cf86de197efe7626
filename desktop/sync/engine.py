"""One sync pass over the entities asked for, recorded from start to finish.

``SyncEngine.run_pass`` reads the stores' facts, resolves the settings against them, runs the product sync (plan
then apply), pushes stock, moves the cursors and closes the run. The first pass (no cursor yet) and a
reconciliation pass (once a day, D11: BigCommerce does not bump a product's ``date_modified`` when only a
variant changes) read everything; other passes read what changed since the cursors. ``dry_run`` plans and
returns the counts without writing anything (P3). Customers (D7, ``desktop.sync.customers``) follow the products,
both ways, with their own cursors; then BigCommerce orders (``desktop.sync.orders``) when either order setting
(S9 stock, S10 full orders) is on; then, when "Send full Hike sales to BigCommerce" is on (S15), Hike sales
become BigCommerce orders (``desktop.sync.sales``). A pass given ``only`` (link ids, "Retry this record", M4)
reads just those products and customers, plans and applies them the same way, and moves no cursor.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from desktop.storage.models import Link, Run, get_preference, set_preference
from desktop.sync import errors, inventory, mapping, passes
from desktop.sync.bigcommerce import BigCommerceClient
from desktop.sync.customers import CustomerSync
from desktop.sync.events import Listeners
from desktop.sync.hike import HikeClient
from desktop.sync.inventory import plan_stock, push_stock, read_levels
from desktop.sync.journal import Journal, links_by_hike
from desktop.sync.orders import OrderSync
from desktop.sync.products import Action, ProductSync
from desktop.sync.register_shift import note_shift, payment_register
from desktop.sync.sales import SaleSync, deactivate as deactivate_sales
from desktop.sync.settings import Settings, StoreFacts

log = logging.getLogger(__name__)

ENGINE_ENTITIES = ("products", "inventory", "customers", "orders", "sales")
RECONCILE_EVERY = timedelta(hours=24)
# link entities whose retry reads their product (a variant's and a stock error's record is its product)
PRODUCT_LINK_ENTITIES = ("product", "variant", "inventory")


@dataclass
class DryRun:
    """P3: what the first (or next) pass would do, per store, with the list."""

    counts: dict[str, dict[str, int]]
    actions: list[dict[str, Any]] = field(default_factory=list)


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
            facts = store_facts(self.hike, self.bc)
            resolved = self.settings.resolve(facts)
            self._registers_read = facts.hike_registers  # S8: noted by the next pass (a dry run writes nothing)
            self._ctx = mapping.MappingContext.build(
                resolved, hike_taxes=facts.hike_taxes, store_info=self.bc.store_info(),
                bc_tax_classes=facts.bc_tax_classes, bc_brands=self.bc.brands(), bc_categories=self.bc.categories(),
                hike_brands=self.hike.brands(), hike_product_types=self.hike.product_types())
        return self._ctx

    def _note_register_shift(self, resolved: Any) -> None:
        """S8: when the payment register's shift began, from the registers the store facts just read (no call)."""
        registers, self._registers_read = self._registers_read, None
        if registers is not None and resolved.settings.bc_to_hike.full_orders:
            note_shift(payment_register(registers, resolved.payment_register_id, resolved.order_outlet_id))

    def reconcile_due(self) -> bool:
        last = get_preference("last_reconcile")
        return last is None or self._now() - datetime.fromisoformat(last) >= RECONCILE_EVERY

    # -- passes -----------------------------------------------------------------------------------------------
    def dry_run(self) -> DryRun:
        """P3: plan a pass and write nothing (no run row, no link, no cursor)."""
        sync = ProductSync(self.hike, self.bc, self.context(), journal=Journal("dry_run", ()))
        actions = sync.plan(sync.read(full=self.reconcile_due()))
        counts: dict[str, Counter[str]] = {"hike": Counter(), "bigcommerce": Counter(), "both": Counter()}
        for action in actions:
            counts[action.side][_verb(action)] += 1
        return DryRun({side: dict(c) for side, c in counts.items() if c},
                      [_describe(a) for a in actions])

    def run_pass(self, trigger: str = "manual", entities: Iterable[str] | None = None,
                 only: Iterable[int] | None = None) -> Run:
        """``only``: link ids (``Link.id``) to retry alone (M4 "Retry this record"): products and customers read
        just those records (a variant's or its stock's link: its product) and plan and apply them as usual; the
        cursors and the reconciliation date stay where they are, since reading a few records says nothing about
        the others. Orders and sales, when asked for, run their normal pass (it reads their waiting and refused
        records again anyway). ``entities`` still says which parts run."""
        wanted = set(entities or ENGINE_ENTITIES) & set(ENGINE_ENTITIES)
        records = None if only is None else list(Link.select().where(Link.id.in_(list(only))))
        journal = Journal(trigger, wanted, self.events)
        run = journal.start()
        self.events.on_run_started(run.id, trigger, sorted(wanted))
        self.events.on_state("syncing")
        status, message, end_state = None, "", "idle"
        try:
            full = records is None and (trigger == "reconcile" or self.reconcile_due())
            ctx = self.context(refresh=full)
            resolved = ctx.settings
            self._note_register_shift(resolved)
            sync = ProductSync(self.hike, self.bc, ctx, journal, self.events)
            if records is not None:  # a retry of records: theirs only (recovery waits for the next normal pass)
                product_links = [l for l in records if l.entity in PRODUCT_LINK_ENTITIES]
                snap = sync.read_records(product_links) if product_links and wanted & {"products", "inventory"} \
                    else None
            else:
                if "products" in wanted:
                    sync.recover()
                if wanted & {"inventory", "orders", "sales"}:
                    inventory.recover(self.hike, self.bc, journal, resolved)  # stock follow-ups a crash left (N2)
                # stock is pushed for the products read, so inventory alone still reads them
                snap = sync.read(full=full) if wanted & {"products", "inventory"} else None
            if "products" in wanted and snap is not None:
                sync.apply(sync.plan(snap))
                self._ctx = sync.ctx  # brands and categories created during the pass
            if "inventory" in wanted and snap is not None and resolved.settings.hike_to_bc.inventory:
                # a full read compares BigCommerce's real levels (edited there, or an order's stock never set
                # back); other passes the level last pushed, which costs no call
                levels = read_levels(self.bc, resolved.bc_location_id) if snap.full else None
                changes = plan_stock(snap.hike, links_by_hike("product"), links_by_hike("variant"),
                                     resolved.stock_outlet_ids, resolved.bc_location_id, bc_levels=levels)
                self.events.on_progress("inventory", 0, len(changes))
                push_stock(self.bc, journal, changes)
                self.events.on_progress("inventory", len(changes), len(changes))
            if "products" in wanted and records is None:
                sync.advance_cursors(snap)
                if snap.full and not snap.incomplete:  # a short read is not a reconciliation: again next pass
                    set_preference("last_reconcile", self._now().isoformat())
            if snap is not None:
                passes.release(snap)
            if "customers" in wanted:  # D7: both ways whenever customers are asked for (no separate setting)
                customers = CustomerSync(self.hike, self.bc, journal, self.events)
                if records is None:
                    customers.recover()
                    csnap = customers.read(full=full)
                    customers.apply(customers.plan(csnap))
                    customers.advance_cursors(csnap)
                    passes.release(csnap)
                elif customer_links := [l for l in records if l.entity == "customer"]:
                    customers.apply(customers.plan(customers.read_records(customer_links)))
            bc_to_hike = resolved.settings.bc_to_hike
            if "orders" in wanted and (bc_to_hike.full_orders or bc_to_hike.inventory_on_order):
                orders = OrderSync(self.hike, self.bc, ctx, journal, self.events)
                orders.recover()
                osnap = orders.read()
                orders.apply(orders.plan(osnap))
                orders.advance_cursors(osnap)
            if "sales" in wanted and resolved.settings.hike_to_bc.full_orders:  # S15: off by default
                sales = SaleSync(self.hike, self.bc, self.context(), journal, self.events)
                sales.recover()
                ssnap = sales.read(retry=[int(l.hike_id) for l in records or () if l.entity == "sale" and l.hike_id])
                sales.apply(sales.plan(ssnap))
                sales.advance_cursors(ssnap)
            elif "sales" in wanted:
                deactivate_sales()  # switched on again later, only the sales made from then on go
        except errors.SyncError as exc:
            status, message = "error", str(exc)
            end_state = "reconnect_needed" if isinstance(exc, errors.ReconnectNeeded) else "error"
            log.warning("Sync pass stopped: %s", exc)
            self.events.on_error(exc.kind, exc.title, str(exc))
        except Exception as exc:  # a bug: the run is closed and reported, never left "running"
            status, message, end_state = "error", f"Unexpected error: {type(exc).__name__}: {exc}", "error"
            log.exception("Sync pass failed")
            self.events.on_error("internal", "Unexpected error", message)
            raise
        finally:
            self.hike.save_calls()  # the last calls of the pass join the daily count (N3)
            run = journal.finish(status, message)
            self.events.on_run_finished(run.id, run.status, run.counts)
            self.events.on_state(end_state)
        return run


def _verb(action: Action) -> str:
    return {"create_bc": "create", "create_hike": "create", "update_bc": "update", "update_hike": "update",
            "link": "link", "skip": "skip", "fail": "fail"}[action.kind]


def _describe(action: Action) -> dict[str, Any]:
    return {"action": _verb(action), "store": action.side, "name": action.name, "sku": action.sku,
            "hike_id": action.hike.id if action.hike else None, "bc_id": action.bc.id if action.bc else None,
            "message": action.message}
