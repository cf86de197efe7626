"""The headless CLI with orders (S10): ``sync --once --entities customers,orders``, then ``status`` and ``log`` show
the order. Uses ``test_cli``'s sandbox, keyring and runner fixtures."""
from __future__ import annotations

import httpx

from tests.integration.test_cli import (  # noqa: F401  (fixtures)
    connect_and_configure, info_file, memory_keyring, run_cli, sandbox, seed,
)


def sellable_bc_product(sandbox) -> int:
    """A simple BigCommerce product whose Hike twin (same SKU) has stock in Main Street (outlet 1)."""
    hike_by_sku = {(p["sku"] or "").lower(): p for p in sandbox.hike.products.values() if p["sku"]}
    for product in sandbox.bigcommerce.store.products.values():
        twin = hike_by_sku.get((product.get("sku") or "").lower())
        if len(product["variants"]) == 1 and twin is not None and not sandbox.hike._children.get(twin["id"]):
            row = twin["outlets"].get(1)
            if row is not None and row["on_hand"] - row["reserved"] >= 5:
                return product["id"]
    raise AssertionError("the seed has a linked simple product in stock")


def test_r_s10_cli_sync_entities_customers_orders_then_status_and_log_show_the_order(run_cli, info_file, sandbox,
                                                                                    tmp_path):
    connect_and_configure(run_cli, info_file, tmp_path)
    first = run_cli.json("sync", "--once")  # links products and customers, activates orders
    assert first["status"] in ("ok", "partial"), first
    response = httpx.post(f"{sandbox.bc_server.base_url}/__emulator/orders", timeout=10,
                          json={"lines": [{"product_id": sellable_bc_product(sandbox), "quantity": 1}]})
    (order_id,) = response.json()["orders"]
    result = run_cli.json("sync", "--once", "--entities", "customers,orders")
    assert result["status"] in ("ok", "partial") and result["counts"]["order"] == {"create": 1}, result
    status = run_cli.json("status")
    assert status["links"]["by_entity"]["order"] == 1
    (entry,) = [e for e in run_cli.json("log", "--limit", "50")["entries"] if e["entity"] == "order"]
    assert (entry["bc_id"], entry["action"], entry["result"]) == (str(order_id), "create", "ok")
    assert [s for s in sandbox.hike.sales.values() if s["number"] == str(order_id)]
