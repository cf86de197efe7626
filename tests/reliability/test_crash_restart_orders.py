"""N2 for orders: kill ``hike-bc-sync-cli sync --once --entities orders`` with SIGKILL at random points while it
sends new BigCommerce orders to Hike, restart it each time, and end with exactly one Hike sale per order and one
stock movement per order line, nothing left pending.

Real processes, as ``test_crash_restart``: the sandbox stores in one process, the CLI in another, killed when the
stores have answered a random number of requests (seeded, so a failure can be replayed).
"""
from __future__ import annotations

import json
import os
import random
import signal
import time
from collections import Counter

import httpx

from desktop.sandbox import bigcommerce_seed, hike_seed
from tests.reliability.test_crash_restart import App, Stores, keyring_usable, prepare

ORDERS = 12
MAIN = 1


def sellable(stores: Stores) -> list[tuple[int, int]]:
    """(BigCommerce product id, Hike product id) of simple products both stores hold by SKU, in stock in Main
    Street."""
    bc = httpx.get(f"{stores.bc}/__emulator/state", timeout=60).json()
    hike = httpx.get(f"{stores.hike}/__emulator/state", timeout=60).json()
    hike_by_sku = {(p.get("sku") or "").lower(): p for p in hike["products"]
                   if p.get("sku") and not p.get("has_variants") and not p.get("parentId")}
    out = []
    for product in bc["products"]:
        twin = hike_by_sku.get((product.get("sku") or "").lower())
        if twin is None or len(product.get("variants", [])) != 1:
            continue
        row = next((r for r in twin["product_outlets"] if r["outlet_id"] == MAIN), None)
        if row is not None and twin.get("track_inventory") and row["available_inventory"] >= 5:
            out.append((product["id"], twin["id"]))
    return out


def test_n2_sigkill_while_sending_orders_then_restart_makes_each_sale_and_movement_once(tmp_path):
    seed_file = tmp_path / "seed.json"
    seed_file.write_text(json.dumps({"bigcommerce": bigcommerce_seed.large(60), "hike": hike_seed.large(60)}))
    app = App(tmp_path, "orders")
    keyring_usable(app)
    stores = Stores(seed_file, tmp_path, "orders")
    rng = random.Random(20261127)
    killed = 0
    try:
        prepare(app, stores, tmp_path)
        assert app.run("sync", "--once", "--json").returncode == 0  # links products, activates orders
        items = sellable(stores)
        assert len(items) >= 4, "the seed has linked simple products in stock"
        placed: dict[int, list[int]] = {}  # order id -> Hike products sold
        for n in range(ORDERS):
            picked = [items[(n + j) % len(items)] for j in range(1 + n % 2)]
            response = httpx.post(f"{stores.bc}/__emulator/orders", timeout=30,
                                  json={"lines": [{"product_id": bc_id, "quantity": 1} for bc_id, _ in picked]})
            (order_id,) = response.json()["orders"]
            placed[order_id] = [hike_id for _, hike_id in picked]
        for _ in range(8):  # within the first ten requests of each pass: the work left shrinks as orders go in
            target = stores.answered() + rng.randint(2, 10)
            proc = app.start("sync", "--once", "--entities", "orders", "--json")
            deadline = time.monotonic() + 120
            while proc.poll() is None and stores.answered() < target and time.monotonic() < deadline:
                time.sleep(0.01)  # watching another process's progress, not waiting for a thread of ours
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed += 1
            proc.wait(timeout=60)
        for _ in range(2):  # finish, then a pass that must find nothing left to do
            result = app.run("sync", "--once", "--entities", "orders", "--json")
            assert result.returncode == 0, result.stderr
        hike = httpx.get(f"{stores.hike}/__emulator/state", timeout=60).json()
        numbers = Counter(s["number"] for s in hike["sales"])
        for order_id, products in placed.items():
            assert numbers[str(order_id)] == 1, (order_id, numbers[str(order_id)])
            for product_id in products:
                rows = httpx.get(f"{stores.hike}/__emulator/inventory_history", timeout=30,
                                 params={"product_id": product_id, "outlet_id": MAIN}).json()["items"]
                assert len([r for r in rows if r["reference"] == str(order_id)]) == 1, (order_id, product_id)
        status = json.loads(app.run("status", "--json").stdout)
        assert status["outbox"]["unfinished"] == 0, status["outbox"]
        assert status["links"]["by_entity"]["order"] == ORDERS
        assert killed >= 3, "the kills must land mid-pass to prove anything"
    finally:
        app.run("disconnect", "--wipe-history")
        stores.stop()
