"""M4 "Retry this record" through ``SyncService`` and the real scheduler, with a fake engine (no store): the pass
reads only the records asked for (trigger "retry", scope "records", ``only``), records asked for meanwhile go in
one pass, and records merged into a pass for whole entities make that pass read every record (N3: the expensive
read happens only then). "Retry this group" is trigger "retry" reading everything (scope "full")."""
from __future__ import annotations

import threading

from desktop.storage.models import Link
from desktop.sync.scheduler import SyncScheduler
from desktop.sync.registry import GROUP_OF_LINK_ENTITY, GROUPS, RECORD_ENTITIES
from desktop.sync.service import SyncService, entities_for
from desktop.sync.vocabulary import ReadScope, Trigger

T = 5.0


class FakeEngine:
    def __init__(self):
        self.cond = threading.Condition()
        self.calls: list[tuple[str, frozenset[str], str | None, frozenset[int] | None]] = []
        self.hold = threading.Event()
        self.hold.set()
        self.started = threading.Event()

    def run_pass(self, trigger, entities, scope=None, only=None):
        with self.cond:
            self.calls.append((trigger, frozenset(entities), scope, None if only is None else frozenset(only)))
        self.started.set()
        assert self.hold.wait(T)


def service_with(engine: FakeEngine) -> SyncService:
    service = SyncService(credentials=None)
    service.engine = engine
    service.scheduler = SyncScheduler(service._run_pass, interval_minutes=30, wake_check_s=600)
    service.scheduler.start(startup_pass=False)
    return service


def test_M4_N3_retry_one_record_asks_for_that_record_only_and_merges_by_the_rules(db):
    product = Link.create(entity="product", hike_id="11", status="failed", last_result="error")
    variant = Link.create(entity="variant", hike_id="12", bc_id="112", last_result="error")
    customer = Link.create(entity="customer", hike_id="13", status="conflict", last_result="conflict")
    sale = Link.create(entity="sale", hike_id="14", status="waiting", last_result="error")
    engine = FakeEngine()
    service = service_with(engine)
    try:
        assert service.retry_records([product.id])
        assert service.scheduler.wait_idle(T)
        assert engine.calls == [("retry", frozenset({"products", "inventory"}), "records", frozenset({product.id}))]

        engine.calls.clear()
        engine.hold.clear()
        engine.started.clear()
        assert service.sync_now(["sales"])  # a running pass: what follows is queued
        assert engine.started.wait(T)
        assert service.retry_records([variant.id])
        assert service.retry_records([customer.id, sale.id])
        engine.hold.set()
        assert service.scheduler.wait_idle(T)
        assert engine.calls[1] == ("retry", frozenset({"products", "inventory", "customers", "sales"}), "records",
                                   frozenset({variant.id, customer.id, sale.id}))  # records-only: ids merged

        engine.calls.clear()
        engine.hold.clear()
        engine.started.clear()
        assert service.sync_now(["sales"])
        assert engine.started.wait(T)
        assert service.retry_records([product.id])
        assert service.sync_now(["customers"])  # merged with a whole request: the whole one, reading everything
        engine.hold.set()
        assert service.scheduler.wait_idle(T)
        assert engine.calls[1] == ("manual", frozenset({"products", "inventory", "customers"}), "full", None)

        engine.calls.clear()
        assert service.sync_now(["customers"])  # the records were read: the next normal pass is normal again
        assert service.scheduler.wait_idle(T)
        assert engine.calls == [("manual", frozenset({"customers"}), None, None)]
        assert service.retry_records([]) is False
    finally:
        service.scheduler.shutdown(wait=True)


def test_s20_s15_sync_now_sales_runs_orders_in_and_hike_sales_out():
    assert entities_for(["sales"]) == frozenset({"orders", "sales"})
    assert entities_for(["products"]) == frozenset({"products", "inventory"})


def test_M4_retry_a_group_is_a_retry_that_reads_everything_not_a_reconcile_trigger(db):
    """A group's retry reads every record (an unlinked record that failed is not read again by an incremental
    pass); the run log says "retry", as the person asked, not "reconcile"."""
    engine = FakeEngine()
    service = service_with(engine)
    try:
        assert service.retry(["sales"])
        assert service.scheduler.wait_idle(T)
        assert engine.calls == [(Trigger.RETRY, frozenset({"orders", "sales"}), ReadScope.FULL, None)]
    finally:
        service.scheduler.shutdown(wait=True)


def test_every_link_entity_has_a_group_and_its_group_retries_it():
    """Derived from the registry: a record's retry runs passes its group's retry runs too (a hand-written map once
    left ``sales`` out of the sales group, so a failed Hike sale was never retried by "Retry this group")."""
    from desktop.sync import customers, inventory, orders, products, sales

    used = {products.ENTITY, products.VARIANT, inventory.ENTITY, customers.ENTITY, orders.ENTITY, sales.ENTITY}
    assert used <= set(GROUP_OF_LINK_ENTITY), "every Link.entity the passes write belongs to a group"
    for entity, group in GROUP_OF_LINK_ENTITY.items():
        assert RECORD_ENTITIES[entity] <= GROUPS[group], entity
    assert entities_for(["sales"]) >= RECORD_ENTITIES[sales.ENTITY] | RECORD_ENTITIES[orders.ENTITY]
