"""N2/N4: a record that failed for a passing reason is read again by the next pass, even when nobody changes it.

Found by the soak (python -m benchmarks soak): a new BigCommerce product whose Hike create lost its connection
failed that pass, and the cursor then moved past it, so no later pass ever created it.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from desktop.storage import models
from desktop.sync import errors, passes
from desktop.sync.journal import get_cursor
from tests.integration.test_engine_products import PRODUCTS
from tests.integration.worlds import synced_world

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)


def test_n4_read_again_keeps_the_earliest_time_of_records_worth_retrying():
    again = passes.ReadAgain()
    again.note(errors.ValidationFailed("duplicate SKU"), T0, T0)  # a refusal waits for the record to change
    assert (again.hike, again.bc) == (None, None)
    again.note(errors.AmbiguousWrite("answer lost"), None, T0 + timedelta(minutes=5))
    again.note(errors.Transient("503"), T0 + timedelta(minutes=9), T0 + timedelta(minutes=2))
    assert again.hike == T0 + timedelta(minutes=9)
    assert again.bc == T0 + timedelta(minutes=2)


def test_n4_cursor_stops_at_a_record_to_read_again(db):
    snap = passes.Snapshot(hike_started=T0 + timedelta(hours=1), bc_started=T0 + timedelta(hours=1))
    again = passes.ReadAgain()
    again.note(errors.AmbiguousWrite("answer lost"), None, T0)
    passes.advance_cursors("product", snap, lambda r: None, lambda r: None, again)
    assert get_cursor("product", "bigcommerce") == T0
    assert get_cursor("product", "hike") == T0 + timedelta(hours=1)


@pytest.fixture
def synced(tmp_path):
    with synced_world(tmp_path) as world:
        yield world


def test_n2_a_create_whose_connection_dropped_is_made_on_the_next_pass(synced):
    connected, engine = synced
    connected.sandbox.bigcommerce.clock.advance(600)
    connected.bc.create_product({"name": "Soak Lamp", "type": "physical", "weight": Decimal("1"),
                                 "price": Decimal("35.00"), "sku": "SOAK-LAMP-1"})
    connected.sandbox.bigcommerce.clock.advance(600)  # the failing pass starts well after the product's change
    # the Hike create's connection drops before Hike applies it, on every retry the client may make
    connected.control("hike", "POST", "faults", json={"path": "products/create", "method": "POST",
                                                     "responses": ["drop"] * 10})
    failed = engine.run_pass("schedule", PRODUCTS)
    assert connected.hike.find_product_by_sku("SOAK-LAMP-1") is None
    entry = models.LogEntry.get(models.LogEntry.sku == "SOAK-LAMP-1", models.LogEntry.run == failed.id)
    assert entry.result == "error"
    # nobody touches the product again: its change is older than the cursor's overlap, only read-again finds it

    connected.control("hike", "DELETE", "faults")
    connected.sandbox.bigcommerce.clock.advance(600)
    engine.run_pass("schedule", PRODUCTS)
    assert connected.hike.find_product_by_sku("SOAK-LAMP-1") is not None
    link = models.Link.get(models.Link.entity == "product", models.Link.sku == "SOAK-LAMP-1")
    assert link.status == "linked" and link.hike_id
