"""N6, issue 14 findings 1 and 9: one writer per data folder, and runs a killed process left behind.

Finding 1: two ``hike-bc-sync-cli sync --once`` on one folder at the same moment each planned the same pass: with S15
and stock-only orders on, Hike sales became two BigCommerce orders each and orders moved Hike stock twice. Now every
writer holds the folder's lock; a second one says who holds it and leaves without touching anything.
Finding 9: a killed run stayed "running" for ever in ``status`` and the Log.

Real processes: the sandbox stores in one, the CLI in others, on the real keyring (as test_crash_restart).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from decimal import Decimal

import httpx

from desktop.sandbox import bigcommerce_seed, hike_seed
from desktop.storage.folder_lock import FolderLock
from tests.reliability.test_crash_restart import SETTINGS, App, Stores, keyring_usable

MAIN, REGISTER, CASH = 1, 1, 1
# S15 (Hike sales become BigCommerce orders) and stock-only orders (S9 on, S10 off): the finding's settings
S15_STOCK_ONLY = {"hike_to_bc": {"inventory": True, "new_products": True, "full_orders": True},
                  "bc_to_hike": {"inventory_on_order": True, "full_orders": False, "new_products": True}}


def configure(app: App, stores: Stores, tmp, overrides: dict) -> None:
    assert app.run("connect", "sandbox", "--info", str(stores.info_file)).returncode == 0
    template = json.loads(app.run("configure", "--print-template").stdout)
    path = tmp / f"{app.profile}-settings.json"
    path.write_text(json.dumps({**template, **SETTINGS, **overrides}))
    result = app.run("configure", "--settings", str(path))
    assert result.returncode == 0, result.stderr


def sell(hike, product_id: int) -> int:
    """A completed, paid sale of one unit at the till in Main Street."""
    parked = hike.create_sale({"outletId": MAIN, "registerId": REGISTER, "status": 1, "doCalculation": True,
                               "invoiceLineItems": [{"invoiceItemValue": product_id, "quantity": 1}]})
    hike.update_sale(parked.id, status=2, payments=[
        {"paymentOptionId": CASH, "paymentOptionName": "Cash", "amount": parked.net_amount}])
    return parked.id


def simple_twins(stores: Stores) -> list[tuple[int, int]]:
    """(BigCommerce id, Hike id) of simple, tracked products both stores hold by SKU, in stock in Main Street."""
    bc = httpx.get(f"{stores.bc}/__emulator/state", timeout=60).json()
    hike = httpx.get(f"{stores.hike}/__emulator/state", timeout=60).json()
    by_sku = {(p.get("sku") or "").lower(): p for p in hike["products"]
              if p.get("sku") and not p.get("has_variants") and not p.get("parentId") and p.get("track_inventory")}
    out = []
    for product in bc["products"]:
        twin = by_sku.get((product.get("sku") or "").lower())
        if twin is None or len(product.get("variants", [])) != 1:
            continue
        row = next((r for r in twin["product_outlets"] if r["outlet_id"] == MAIN), None)
        if row is not None and row["available_inventory"] >= 5:
            out.append((product["id"], twin["id"]))
    return out


def hike_available(stores: Stores, hike_id: int) -> Decimal:
    state = httpx.get(f"{stores.hike}/__emulator/state", timeout=60).json()
    product = next(p for p in state["products"] if p["id"] == hike_id)
    return Decimal(str(next(r for r in product["product_outlets"] if r["outlet_id"] == MAIN)["available_inventory"]))


def test_n6_finding1_two_writers_at_once_double_nothing(tmp_path):
    seed_file = tmp_path / "seed.json"
    seed_file.write_text(json.dumps({"bigcommerce": bigcommerce_seed.large(40), "hike": hike_seed.large(40)}))
    app = App(tmp_path, "twice")
    keyring_usable(app)
    stores = Stores(seed_file, tmp_path, "twice")
    try:
        configure(app, stores, tmp_path, S15_STOCK_ONLY)
        assert app.run("sync", "--once", "--json").returncode == 0  # links, activates orders and sales
        twins = simple_twins(stores)
        assert len(twins) >= 8
        bc, hike, _ = stores.clients()
        try:
            sales = [sell(hike, hike_id) for _, hike_id in twins[:4]]
        finally:
            bc.close()
            hike.close()
        ordered = twins[4:8]
        before = {hike_id: hike_available(stores, hike_id) for _, hike_id in ordered}
        for bc_id, _ in ordered:
            httpx.post(f"{stores.bc}/__emulator/orders", timeout=30,
                       json={"lines": [{"product_id": bc_id, "quantity": 1}]}).raise_for_status()

        first, second = app.start_captured("sync", "--once", "--json"), app.start_captured("sync", "--once", "--json")
        outcomes = [proc.communicate(timeout=300) + (proc.returncode,) for proc in (first, second)]
        refused = [err for _, err, code in outcomes if code == 1]
        assert all(code in (0, 1) for _, _, code in outcomes), outcomes
        for err in refused:  # the one that found the folder busy says who holds it, and nothing else happened
            assert "is already working on the data folder" in err and "process" in err, err
        assert app.run("sync", "--once", "--json").returncode == 0  # whatever the loser left, done now

        bc_state = httpx.get(f"{stores.bc}/__emulator/state", timeout=60).json()
        references = Counter(o.get("external_order_id") for o in bc_state["orders"] if o.get("external_order_id"))
        for sale_id in sales:
            assert references[f"hike-sale-{sale_id}"] == 1, (sale_id, references)
        for _, hike_id in ordered:  # each order moved Hike's stock once
            assert hike_available(stores, hike_id) == before[hike_id] - 1, hike_id
    finally:
        app.run("disconnect", "--wipe-history")
        stores.stop()


def test_n6_a_writer_finding_the_folder_held_says_who_and_touches_nothing(tmp_path):
    app = App(tmp_path, "held")
    keyring_usable(app)
    with FolderLock(app.data, "the app window"):
        result = app.run("sync", "--once", "--json")
        assert result.returncode == 1
        assert f"the app window (process {os.getpid()}" in result.stderr
        assert json.loads(result.stdout)["exit_code"] == 1
        other = app.run("disconnect")
        assert other.returncode == 1 and "already working" in other.stderr
        assert app.run("status", "--json").returncode == 0  # readers never wait for the lock
    assert app.run("sync", "--once", "--json").returncode == 1  # free again: now it fails only for not connected


def test_finding9_a_killed_run_is_interrupted_not_running_for_ever(tmp_path):
    seed_file = tmp_path / "seed.json"
    seed_file.write_text(json.dumps({"bigcommerce": bigcommerce_seed.large(60), "hike": hike_seed.large(60)}))
    app = App(tmp_path, "killed")
    keyring_usable(app)
    stores = Stores(seed_file, tmp_path, "killed")
    try:
        configure(app, stores, tmp_path, {})
        proc = app.start("sync", "--once", "--json")
        target = stores.answered() + 40
        deadline = time.monotonic() + 120
        while proc.poll() is None and stores.answered() < target and time.monotonic() < deadline:
            time.sleep(0.01)  # watching another process's progress, not waiting for a thread of ours
        assert proc.poll() is None, "the pass must still be running to be killed mid-way"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        status = json.loads(app.run("status", "--json").stdout)
        killed = status["last_runs"][0]
        assert killed["status"] == "interrupted", killed
        assert killed["finished_at"] and "stopped during this pass" in killed["message"]
        assert app.run("sync", "--once", "--json").returncode == 0
        runs = json.loads(app.run("status", "--json").stdout)["last_runs"]
        assert runs[0]["status"] in ("ok", "partial") and runs[1]["status"] == "interrupted", runs[:2]
    finally:
        app.run("disconnect", "--wipe-history")
        stores.stop()
