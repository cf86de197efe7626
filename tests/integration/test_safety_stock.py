"""Issue 20, safety stock: BigCommerce gets Hike's available stock less a buffer, never below zero; orders still
move Hike's stock by what was sold; a changed buffer sends every level again. On the demo stores, over real HTTP."""
from __future__ import annotations

from decimal import Decimal

import httpx

from desktop.storage import models
from desktop.sync.engine import SyncEngine
from desktop.sync.mapping import hike_stock_level
from desktop.sync.vocabulary import ReadScope
from tests.integration.stores import connect
from tests.integration.test_cli import (connect_and_configure, info_file, memory_keyring, run_cli,  # noqa: F401
                                        sandbox, seed)
from tests.integration.test_engine_settings import (bc_by_sku, db, gst, main_outlet, new_hike_product,  # noqa: F401
                                                    open_up, settings)

ENTITIES = ("products", "inventory", "customers", "orders")


def hike_level(connected, hike_id: int, outlet: int) -> Decimal:
    """Hike's available stock in the outlet, as the stock pass reads it."""
    return hike_stock_level(connected.hike.product(hike_id).outlets, [outlet])


def stock_messages(sku: str) -> list[str]:
    return [e.message for e in models.LogEntry.select().where(models.LogEntry.entity == "inventory",
                                                               models.LogEntry.sku == sku).order_by(models.LogEntry.id)]


def test_issue20_a_buffer_of_2_sends_hike_7_as_5_and_after_a_sale_of_1_sends_4(db):
    connected = open_up(connect("demo"))
    try:
        outlet = main_outlet(connected)
        lantern = new_hike_product(connected, "Safety Lantern", "SAFE-1", product_outlets=[
            {"outlet_id": outlet, "price_ex_tax": Decimal("20.00"), "tax_id": gst(connected),
             "on_hand_inventory": 7}])
        engine = SyncEngine(connected.bc, connected.hike, settings(safety_stock={"buffer": 2, "skus": {}}))
        assert engine.run_pass("first_sync", ENTITIES).status in ("ok", "partial")
        made = bc_by_sku(connected, "SAFE-1")
        assert made.inventory_level == 5
        assert any("(Hike 7, buffer 2 → BigCommerce 5)" in m for m in stock_messages("SAFE-1")), \
            stock_messages("SAFE-1")

        # one sold online: BigCommerce takes it at checkout, the order becomes a Hike sale (S10) that moves Hike's
        # stock by what was sold, and BigCommerce then gets Hike's 6 less the buffer
        httpx.post(f"{connected.sandbox.bc_server.base_url}/__emulator/orders", timeout=10,
                   json={"lines": [{"product_id": made.id, "quantity": 1}]}).raise_for_status()
        assert engine.run_pass("schedule", ENTITIES).status in ("ok", "partial")
        assert hike_level(connected, lantern.id, outlet) == 6, "the parked sale holds one: 6 available"
        assert connected.bc.product(made.id).inventory_level == 4

        # its own buffer of 0 (the SKU as typed by hand): the next pass reads everything and sends the level again
        engine = SyncEngine(connected.bc, connected.hike,
                            settings(safety_stock={"buffer": 2, "skus": {" safe-1": 0}}))
        assert engine.read_scope() == ReadScope.FULL, "a changed buffer sends every level again"
        assert engine.run_pass("schedule", ENTITIES).status in ("ok", "partial")
        assert connected.bc.product(made.id).inventory_level == 6
        assert engine.read_scope() == ReadScope.INCREMENTAL, "sent: the passes after it read what changed"

        # a buffer larger than the stock: BigCommerce gets 0, never less
        engine = SyncEngine(connected.bc, connected.hike, settings(safety_stock={"buffer": 2, "skus": {"SAFE-1": 9}}))
        assert engine.run_pass("schedule", ENTITIES).status in ("ok", "partial")
        assert connected.bc.product(made.id).inventory_level == 0
    finally:
        connected.close()


# -- the CLI ------------------------------------------------------------------------------------------------------


def test_issue20_cli_safety_stock_sets_the_default_and_one_skus_as_new_settings_versions(run_cli, info_file,
                                                                                          tmp_path):
    connect_and_configure(run_cli, info_file, tmp_path)
    assert run_cli.json("safety-stock") == {"buffer": 0, "skus": {}, "saved": False, "version": None,
                                            "skus_not_linked": []}
    shown = run_cli.json("safety-stock", "--default", "2")
    assert (shown["buffer"], shown["saved"]) == (2, True)
    shown = run_cli.json("safety-stock", "NOT-A-SKU", "1")
    assert shown["skus"] == {"NOT-A-SKU": 1} and shown["skus_not_linked"] == ["NOT-A-SKU"]
    shown = run_cli.json("safety-stock", "not-a-sku ", "3")  # the same SKU, typed otherwise: replaced, not added
    assert shown["skus"] == {"not-a-sku": 3}
    assert run_cli.json("safety-stock", "NOT-A-SKU", "--clear")["skus"] == {}
    code, _, err = run_cli("safety-stock", "SOME-SKU", "-1")
    assert code == 2 and "from 0 to 1,000,000, not -1" in err
    code, _, err = run_cli("safety-stock", "SOME-SKU")
    assert code == 2 and "safety-stock SOME-SKU N" in err
    status = run_cli.json("status")
    assert status["settings"]["saved"] is True
