"""M4 "Retry this record" through ``SyncService`` and the real scheduler, with a fake engine (no store): the pass
reads only the records asked for (trigger "retry", ``only``), records asked for meanwhile go in one pass, and
records merged into a pass for whole entities make that pass read every record (N3: the expensive read happens
only then)."""
from __future__ import annotations

import threading

from desktop.storage.models import Link
from desktop.sync.scheduler import SyncScheduler
from desktop.sync.service import FULL_READ_TRIGGER, SyncService, entities_for

T = 5.0


class FakeEngine:
    def __init__(self):
        self.cond = threading.Condition()
        self.calls: list[tuple[str, frozenset[str], frozenset[int] | None]] = []
        self.hold = threading.Event()
        self.hold.set()
        self.started = threading.Event()

    def run_pass(self, trigger, entities, only=None):
        with self.cond:
            self.calls.append((trigger, frozenset(entities), None if only is None else frozenset(only)))
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
        assert engine.calls == [("retry", frozenset({"products", "inventory"}), frozenset({product.id}))]

        engine.calls.clear()
        engine.hold.clear()
        engine.started.clear()
        assert service.sync_now(["sales"])  # a running pass: what follows is queued
        assert engine.started.wait(T)
        assert service.retry_records([variant.id])
        assert service.retry_records([customer.id, sale.id])
        engine.hold.set()
        assert service.scheduler.wait_idle(T)
        assert engine.calls[1] == ("retry", frozenset({"products", "inventory", "customers", "sales"}),
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
        assert engine.calls[1] == (FULL_READ_TRIGGER, frozenset({"products", "inventory", "customers"}), None)

        engine.calls.clear()
        assert service.sync_now(["customers"])  # the records were read: the next normal pass is normal again
        assert service.scheduler.wait_idle(T)
        assert engine.calls == [("manual", frozenset({"customers"}), None)]
        assert service.retry_records([]) is False
    finally:
        service.scheduler.shutdown(wait=True)


def test_s20_s15_sync_now_sales_runs_orders_in_and_hike_sales_out():
    assert entities_for(["sales"]) == frozenset({"orders", "sales"})
    assert entities_for(["products"]) == frozenset({"products", "inventory"})
