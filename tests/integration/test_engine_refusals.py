"""Refusals wait for a change (D4, N3): a write a store refused for a reason that does not pass by itself (a
duplicate barcode, stock "tracked by variant") is logged once and not sent again until the record changes on either
side, the settings change, or a person presses Retry (M4). A quiet pass, incremental or full, writes nothing.

Over real HTTP against both sandbox stores, one demo sandbox per module.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from desktop.sandbox.bigcommerce_inventory import InventoryRoutes
from desktop.storage import models
from desktop.sync.vocabulary import ReadScope
from tests.integration.test_engine_products import PRODUCTS
from tests.integration.worlds import clear_requests, store_writes, synced_world


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    with synced_world(tmp_path_factory.mktemp("refusals")) as world:
        yield world


writes, clear = store_writes, clear_requests


def errors_since(entry_id):
    return list(models.LogEntry.select().where(models.LogEntry.id > entry_id, models.LogEntry.result == "error"))


def last_entry_id():
    last = models.LogEntry.select().order_by(models.LogEntry.id.desc()).first()
    return last.id if last else 0


def quiet_passes_write_nothing(connected, engine):
    """An incremental pass and a full one (the daily reconciliation): no write on either store, no new log entry."""
    for scope in (ReadScope.INCREMENTAL, ReadScope.FULL):
        before = last_entry_id()
        clear(connected)
        engine.run_pass("schedule", PRODUCTS, scope=scope)
        assert writes(connected, "hike") == [], scope
        assert writes(connected, "bigcommerce") == [], scope
        assert errors_since(before) == [], scope


def hike_creates(connected):
    return [r for r in writes(connected, "hike") if r["path"].endswith("products/create")]


def test_d4_a_refused_create_waits_for_a_change(synced):
    connected, engine = synced
    clock = connected.sandbox.bigcommerce.clock
    taken = next(p for p in connected.hike.products() if p.barcode and not p.parent_id and not p.variants)
    bp = connected.bc.create_product({"name": "Refused Barcode Bag", "type": "physical", "weight": 1,
                                      "price": Decimal("12.00"), "sku": "REFUSED-BAG-1", "upc": taken.barcode,
                                      "categories": []})
    before = last_entry_id()
    clear(connected)
    engine.run_pass("schedule", PRODUCTS)
    assert len(hike_creates(connected)) == 1, "sent once"
    refused = [e for e in errors_since(before) if e.bc_id == str(bp.id)]
    assert len(refused) == 1 and "barcode" in refused[0].message.lower(), [e.message for e in refused]
    row = models.Link.get(models.Link.entity == "product", models.Link.bc_id == str(bp.id))
    assert row.last_result == "error", "the Errors tab still lists it"

    clock.advance(600)
    quiet_passes_write_nothing(connected, engine)
    assert models.Link.get_by_id(row.id).last_result == "error"

    # the record changes: sent again (and refused again: the barcode is still taken)
    clock.advance(60)
    connected.bc.update_product(bp.id, {"name": "Refused Barcode Bag II"})
    clear(connected)
    engine.run_pass("schedule", PRODUCTS)
    assert len(hike_creates(connected)) == 1, "a change sends it again"
    clock.advance(600)
    quiet_passes_write_nothing(connected, engine)

    # Retry of the record sends it again, unchanged
    clear(connected)
    engine.run_pass("retry", PRODUCTS, only=[row.id])
    assert len(hike_creates(connected)) == 1, "Retry sends it again"
    clock.advance(600)
    quiet_passes_write_nothing(connected, engine)

    # its own barcode: created
    clock.advance(60)
    connected.bc.update_product(bp.id, {"upc": "998877665544"})
    engine.run_pass("schedule", PRODUCTS)
    assert connected.hike.find_product_by_sku("REFUSED-BAG-1") is not None


def test_d4_a_refused_stock_level_waits_for_a_change(synced, monkeypatch):
    connected, engine = synced
    clock = connected.sandbox.bigcommerce.clock
    outlet = engine.context().settings.inventory_outlet_id
    hp = connected.hike.save_product({
        "name": "Refused Stock Stool", "sku": "REFUSED-STOOL-1", "track_inventory": True,
        "sales_channels": [{"sales_channels": "1"}, {"sales_channels": "2"}],
        "product_outlets": [{"outlet_id": outlet, "price_ex_tax": Decimal("30.00"), "on_hand_inventory": 5}]})
    engine.run_pass("schedule", PRODUCTS)
    link = models.Link.get(models.Link.entity == "product", models.Link.hike_id == str(hp.id))
    assert link.status == "linked" and link.stock_pushed == "5"
    # BigCommerce now refuses a product-level stock adjustment for it, in the platform's words (the emulator's own
    # refusal of a product tracked by variant, for this product alone)
    resolve = InventoryRoutes._resolve

    def tracked_by_variant(self, identity):
        if identity.get("product_id") == int(link.bc_id):
            return None, f"Item with product_id {link.bc_id} is tracked by variant, please update stock by variant id"
        return resolve(self, identity)

    monkeypatch.setattr(InventoryRoutes, "_resolve", tracked_by_variant)

    def set_level(level):
        connected.hike.save_product({"id": hp.id, "product_outlets": [{"outlet_id": outlet,
                                                                       "on_hand_inventory": level}]})

    clock.advance(60)
    set_level(7)
    before = last_entry_id()
    clear(connected)
    engine.run_pass("schedule", PRODUCTS)
    adjustments = [r for r in writes(connected, "bigcommerce") if "inventory/adjustments" in r["path"]]
    assert adjustments, "sent"
    refused = [e for e in errors_since(before) if e.entity == "inventory"]
    assert len(refused) == 1 and "tracked by variant" in refused[0].message, [e.message for e in refused]

    clock.advance(600)
    quiet_passes_write_nothing(connected, engine)

    # the level changes: sent again
    clock.advance(60)
    set_level(8)
    clear(connected)
    engine.run_pass("schedule", PRODUCTS)
    assert [r for r in writes(connected, "bigcommerce") if "inventory/adjustments" in r["path"]]
    clock.advance(600)
    quiet_passes_write_nothing(connected, engine)

    # Retry of the record sends it again, unchanged
    clear(connected)
    engine.run_pass("retry", PRODUCTS, only=[link.id])
    assert [r for r in writes(connected, "bigcommerce") if "inventory/adjustments" in r["path"]], "Retry sends it"
    clock.advance(600)
    quiet_passes_write_nothing(connected, engine)
