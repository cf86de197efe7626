"""N3 (issue 14 finding 11): Hike's daily allowance is counted by this app, and the count must survive a pass that
is killed. The calls used to be saved only when a pass ended, so a killed pass's calls were lost from the count
(the app counted 423 where the store had seen about 620) and the 5 000-a-day guard could overrun.

Real processes, as ``test_crash_restart``: the sandbox stores in one, ``hike-bc-sync-cli sync --once`` in
another, killed with SIGKILL at an exact point: the Hike emulator holds the pass's one read of Hike's products (an
orders-only pass reads them once, after it has sent every sale) without answering, so the store's count of Hike
calls is final when the kill lands.
"""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import time

import httpx

from desktop.sandbox import bigcommerce_seed, hike_seed
from desktop.sync.budget import BATCH_CALLS, KEY
from tests.reliability.test_crash_restart import App, Stores, keyring_usable, prepare
from tests.reliability.test_crash_restart_orders import sellable

ORDERS = 25


def saved_calls(app: App) -> int:
    """The Hike calls the app has saved for its daily count, read from its database as a new process would."""
    with sqlite3.connect(app.data / "sync.sqlite3") as db:
        row = db.execute("SELECT value FROM preference WHERE key = ?", (KEY,)).fetchone()
    return len(json.loads(row[0])) if row else 0


def hike_api_calls(stores: Stores) -> list[dict]:
    log = httpx.get(f"{stores.hike}/__emulator/requests", timeout=30).json()["requests"]
    return [r for r in log if r["path"].startswith("/api/v1/")]


def test_n3_a_pass_killed_mid_way_has_saved_its_hike_calls_but_the_last_batch(tmp_path):
    seed_file = tmp_path / "seed.json"
    seed_file.write_text(json.dumps({"bigcommerce": bigcommerce_seed.large(60), "hike": hike_seed.large(60)}))
    app = App(tmp_path, "budget")
    keyring_usable(app)
    stores = Stores(seed_file, tmp_path, "budget")
    try:
        prepare(app, stores, tmp_path)
        assert app.run("sync", "--once", "--json").returncode == 0  # links products, activates orders
        bc_id, _ = sellable(stores)[0]
        httpx.post(f"{stores.bc}/__emulator/orders", timeout=30,
                   json={"lines": [{"product_id": bc_id, "quantity": 1}], "count": ORDERS})
        # the read of Hike's products that follows the sales (stock set level again) is held, unanswered
        httpx.post(f"{stores.hike}/__emulator/faults", timeout=30, json={
            "path": "/products/get_all$", "method": "GET", "responses": ["timeout"], "delay_s": 600}).raise_for_status()
        before = saved_calls(app)
        httpx.get(f"{stores.hike}/__emulator/requests", params={"clear": 1}, timeout=30)

        proc = app.start("sync", "--once", "--entities", "orders", "--json")
        deadline = time.monotonic() + 120
        while proc.poll() is None and not any(r["path"].endswith("/products/get_all") for r in hike_api_calls(stores)) \
                and time.monotonic() < deadline:
            time.sleep(0.01)  # watching another process's progress, not waiting for a thread of ours
        assert proc.poll() is None, "the pass must be held at the products read, not ended"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)

        store_count = len(hike_api_calls(stores))
        assert store_count > ORDERS, "every sale was sent before the kill"
        counted = saved_calls(app) - before
        assert 0 <= store_count - counted < BATCH_CALLS, (store_count, counted)
    finally:
        httpx.request("DELETE", f"{stores.hike}/__emulator/faults", timeout=30)
        app.run("disconnect", "--wipe-history")
        stores.stop()
