"""N2: kill the app with SIGKILL at random points of a first sync and of later incremental passes (each after
the same changes to both runs' stores), restart it each time, and end with the same stores as an uninterrupted
run: no duplicate product, customer or order, no stock applied twice or lost (BigCommerce's levels of products
and variants, Hike's on hand and available in the inventory outlet), nothing left pending. Once with the default
settings, once with S15 and stock-only orders (the steps then also sell at the till).

Real processes throughout: the sandbox stores in one process, ``hike-bc-sync-cli sync --once`` in another, killed
when the stores have answered a random number of requests (a seeded random, so a failure can be replayed). The
full-size version (large:2000, 20 kills) is ``python -m benchmarks crash``; CI runs a smaller one.
"""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from desktop.sandbox import bigcommerce_seed, hike_seed

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {"inventory_outlet": "Main Street", "bigcommerce_location_id": 1, "shipping_tax": "GST",
            "tax_map": {"GST": "Default Tax Class", "No Tax": "Non-Taxable Products"}}
MAIN_STREET = 1  # the inventory outlet's id in the seeds
# what ``Stores.state`` compares: views that count records (a key held more often than by the uninterrupted run is
# a duplicate; ``ONCE_ONLY`` ones are duplicates at 2 in either run) and views of values (stock, prices, orders)
COUNTED = ("bc_skus", "bc_names", "bc_variant_skus", "hike_skus", "hike_names", "customers", "sale_orders_held")
VALUED = ("bc_stock", "bc_variant_stock", "hike_stock", "bc_prices", "hike_sales", "sale_orders")
ONCE_ONLY = ("sale_orders_held",)  # one BigCommerce order per Hike sale (S15)


class App:
    """The CLI as its own process, on one data folder and keyring profile."""

    def __init__(self, tmp: Path, name: str):
        self.data = tmp / name
        self.profile = f"crash-{name}-{uuid.uuid4().hex[:6]}"
        self.env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.env.pop("HIKEBC_DATA_DIR", None)

    def args(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "desktop.cli", "--data-dir", str(self.data), "--profile", self.profile, *args]

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        result = subprocess.run(self.args(*args), cwd=ROOT, env=self.env, capture_output=True, text=True,
                                timeout=timeout)
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(self.args(*args), cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    def start_captured(self, *args: str) -> subprocess.Popen:
        """Started now, its output kept (``communicate()``)."""
        return subprocess.Popen(self.args(*args), cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)


class Stores:
    """Both sandbox stores as a separate process."""

    def __init__(self, seed_file: Path, tmp: Path, name: str):
        self.proc = subprocess.Popen([sys.executable, "-m", "desktop.sandbox", "--seed", str(seed_file),
                                      "--bc-quota", "100000/30", "--hike-quota", "100000/60"], cwd=ROOT,
                                     env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        self.info = json.loads(line)
        self.info_file = tmp / f"{name}-info.json"
        self.info_file.write_text(line)
        self.bc = self.info["bigcommerce"]["api_path"].split("/stores/")[0]
        self.hike = self.info["hike"]["base_url"]

    def answered(self) -> int:
        return sum(httpx.get(f"{base}/__emulator/requests", timeout=30).json()["count"]
                   for base in (self.bc, self.hike))

    def state(self, sold: dict[int, str] | None = None) -> dict[str, Any]:
        """The stores as compared (``COUNTED``, ``VALUED``). ``sold``: the script's till sales, Hike sale id ->
        "SKU@step" (``benchmarks.soak.sell_at_till``), by which their sales and S15 orders are named."""
        from benchmarks.soak import sale_name

        sold = sold or {}
        bc = httpx.get(f"{self.bc}/__emulator/state", timeout=60).json()
        hike = httpx.get(f"{self.hike}/__emulator/state", timeout=60).json()
        for_sales = [(sale_name(sold, o["external_order_id"]), o) for o in bc["orders"] if o.get("external_order_id")]
        return {
            "bc_prices": {(p.get("sku") or "").lower(): str(p.get("price")) for p in bc["products"]},
            "customers": Counter((c.get("email") or "").lower() for c in bc.get("customers", []))
            + Counter((c.get("email") or "").lower() for c in hike.get("customers", [])),
            "bc_skus": Counter((p.get("sku") or "").lower() for p in bc["products"]),
            "bc_names": Counter(p["name"] for p in bc["products"]),
            "bc_variant_skus": Counter((v.get("sku") or "").lower() for p in bc["products"]
                                       for v in p.get("variants", []) if v.get("option_values")),
            "bc_stock": {(p.get("sku") or "").lower(): p.get("inventory_level") for p in bc["products"]},
            "bc_variant_stock": {(v.get("sku") or "").lower(): v.get("inventory_level") for p in bc["products"]
                                 for v in p.get("variants", []) if v.get("option_values")},
            "hike_skus": Counter((p.get("sku") or "").lower() for p in hike["products"]),
            "hike_names": Counter(p["name"] for p in hike["products"] if not p.get("parentId")),
            # products and variants (their own rows): on hand and available in the inventory outlet
            "hike_stock": {(p.get("sku") or f"#{p['id']}").lower(): next(
                ((r["on_hand_inventory"], r["available_inventory"]) for r in p["product_outlets"]
                 if r["outlet_id"] == MAIN_STREET), None) for p in hike["products"]},
            # the script's till sales by name (Hike numbers them), BigCommerce's orders as sales by number (= id)
            "hike_sales": {sold.get(s["id"]) or s["number"]: (s["status"], s["netAmount"], len(s["invoiceLineItems"]),
                                                             s["totalPaid"]) for s in hike["sales"]},
            "sale_orders": {name: (o["status"], o["total_inc_tax"], len(o.get("products", [])))
                            for name, o in for_sales},
            "sale_orders_held": Counter(name for name, _ in for_sales),
        }

    def clients(self) -> tuple[Any, Any, int]:
        """API clients of our own (not the app's), to make the shop's changes; and the inventory outlet's id."""
        from desktop.storage.credentials import Credentials
        from desktop.sync.bigcommerce import BigCommerceClient
        from desktop.sync.hike import HikeClient, hike_governor
        from desktop.sync.hike_oauth import tokens_from_response
        from tests.keyrings import MemoryKeyring

        credentials = Credentials("crash-shop", backend=MemoryKeyring())
        issued = httpx.post(f"{self.hike}/__emulator/tokens/issue", timeout=30).json()
        bc = BigCommerceClient(self.info["bigcommerce"]["api_path"], self.info["bigcommerce"]["access_token"])
        hike = HikeClient(self.hike, self.info["hike"]["client_id"], self.info["hike"]["client_secret"], credentials,
                          governor=hike_governor(per_minute=10**6, per_day=10**9))
        credentials.save_hike_tokens(tokens_from_response(issued), hike.store)
        outlet = next(o.id for o in hike.outlets() if o.name == SETTINGS["inventory_outlet"])
        return bc, hike, outlet

    def stop(self) -> None:
        self.info_file.unlink(missing_ok=True)  # it holds the sandbox's tokens
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def prepare(app: App, stores: Stores, tmp: Path, preset: str = "defaults") -> None:
    """Connect and configure: ``SETTINGS`` and the preset (``benchmarks.exactly_once.SETTINGS``) over the template."""
    from benchmarks.exactly_once import SETTINGS as PRESETS

    assert app.run("connect", "sandbox", "--info", str(stores.info_file)).returncode == 0
    settings = tmp / f"{app.profile}-settings.json"
    template = json.loads(app.run("configure", "--print-template").stdout)
    settings.write_text(json.dumps({**template, **SETTINGS, **PRESETS[preset]}))
    assert app.run("configure", "--settings", str(settings)).returncode == 0


def compare(crashed: dict[str, Any], clean: dict[str, Any]) -> tuple[dict[str, list[str]], int]:
    """The views that differ (with every key that differs) and how many duplicates the crashed run holds beyond
    the uninterrupted one's (plus, for ``ONCE_ONLY`` views, any key either run holds twice)."""
    differing = {}
    for view in COUNTED + VALUED:
        keys = sorted(set(crashed[view]) | set(clean[view]), key=str)
        found = [f"{key!r}: crashed {crashed[view].get(key)!r} clean {clean[view].get(key)!r}"
                 for key in keys if crashed[view].get(key) != clean[view].get(key)]
        if found:
            differing[view] = found

    def extra(counts: Counter) -> int:
        return sum(n - 1 for key, n in counts.items() if key and n > 1)

    duplicates = sum(max(extra(crashed[v]) - extra(clean[v]), 0) for v in COUNTED if v not in ONCE_ONLY)
    duplicates += sum(extra(crashed[v]) + extra(clean[v]) for v in ONCE_ONLY)
    return differing, duplicates


def keyring_usable(app: App) -> None:
    found = json.loads(app.run("info", "--json").stdout)
    if found["keyring_state"] != "ok":
        pytest.skip(f"no usable system keyring for the CLI processes ({found['keyring_backend']})")


def kill_somewhere(app: App, stores: Stores, rng: random.Random, most: int = 60) -> bool:
    """Start a pass and SIGKILL it once the stores have answered a random number (up to ``most``) of its requests."""
    target = stores.answered() + rng.randint(2, most)
    proc = app.start("sync", "--once", "--json")
    deadline = time.monotonic() + 120
    while proc.poll() is None and stores.answered() < target and time.monotonic() < deadline:
        time.sleep(0.01)  # watching another process's progress, not waiting for a thread of ours
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    return killed


def crash_run(tmp: Path, products: int, kills: int, seed: int = 20261127,
              incremental_kills: int | None = None, settings: str = "defaults") -> dict[str, Any]:
    """``kills`` SIGKILLs during the first sync, then ``incremental_kills`` (default: as many) during passes that
    each follow one step of the soak's changes (benchmarks/soak.py), made identically in the clean run's stores.
    ``settings``: a preset of ``benchmarks.exactly_once.SETTINGS``; with S15 the steps also sell at the till."""
    from benchmarks.exactly_once import SETTINGS as PRESETS
    from benchmarks.soak import change_stores, choose_targets

    till_sales = PRESETS[settings].get("hike_to_bc", {}).get("full_orders", False)

    incremental_kills = kills if incremental_kills is None else incremental_kills
    seed_file = tmp / "seed.json"
    seed_file.write_text(json.dumps({"bigcommerce": bigcommerce_seed.large(products),
                                     "hike": hike_seed.large(products)}))
    crashed, clean = App(tmp, "crashed"), App(tmp, "clean")
    keyring_usable(crashed)
    crashed_stores, clean_stores = Stores(seed_file, tmp, "crashed"), Stores(seed_file, tmp, "clean")
    rng = random.Random(seed)
    killed = killed_later = 0
    try:
        shops = [stores.clients() for stores in (crashed_stores, clean_stores)]
        targets = [choose_targets(bc, hike) for bc, hike, _ in shops]  # from the seed, before any sync
        sold: list[dict[int, str]] = [{}, {}]  # each run's till sales: Hike sale id -> "SKU@step"
        for app, stores in ((crashed, crashed_stores), (clean, clean_stores)):
            prepare(app, stores, tmp, settings)
        for _ in range(kills):
            killed += kill_somewhere(crashed, crashed_stores, rng)
        finish(crashed, clean)
        try:
            for step in range(incremental_kills):
                for (bc, hike, outlet), chosen, run_sold in zip(shops, targets, sold):
                    change_stores(bc, hike, outlet, chosen, step, seed, till_sales=till_sales, sold=run_sold)
                answered = clean_stores.answered()
                clean.run("sync", "--once", "--json")
                # the same pass uninterrupted took this many requests; S15's sales go last in it, so with S15 the
                # kill may land anywhere in it (between an order's create, its link and its stock follow-up too)
                reach = max(12, clean_stores.answered() - answered) if till_sales else 12
                killed_later += kill_somewhere(crashed, crashed_stores, rng, most=reach)
        finally:
            for bc, hike, _ in shops:
                bc.close()
                hike.close()
        finish(crashed, clean)
        status = json.loads(crashed.run("status", "--json").stdout)
        return {"crashed": crashed_stores.state(sold[0]), "clean": clean_stores.state(sold[1]), "killed": killed,
                "killed_later": killed_later, "kill_points": kill_points(crashed), "status": status,
                "till_sales": len(sold[1]), "sale_ids_identical": sold[0] == sold[1]}
    finally:
        for app in (crashed, clean):
            app.run("disconnect", "--wipe-history")
        crashed_stores.stop()
        clean_stores.stop()


def kill_points(app: App) -> dict[str, int]:
    """How far each killed pass had got: the kind of record it logged last (its run is "interrupted")."""
    con = sqlite3.connect(f"file:{app.data / 'sync.sqlite3'}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT (SELECT entity FROM log_entry WHERE run_id = run.id ORDER BY id DESC LIMIT 1) "
                           "FROM run WHERE status = 'interrupted'").fetchall()
    finally:
        con.close()
    return dict(Counter(entity or "nothing logged yet" for (entity,) in rows))


def finish(*apps: App) -> None:
    for app in apps:
        for _ in range(2):  # finish, then a pass that must find nothing left to do
            result = app.run("sync", "--once", "--json")
            assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("settings, products, kills, incremental_kills", [
    ("defaults", 120, 4, 4),
    # S15 and stock-only orders: Hike sales at the till become BigCommerce orders, storefront orders move Hike
    # stock. Smaller: its passes make more Hike calls, and the app keeps to Hike's 60 a minute (one wait here)
    ("s15", 30, 1, 3),
])
def test_n2_sigkill_at_random_points_of_first_and_incremental_passes_then_restart(tmp_path, settings, products, kills,
                                                                                 incremental_kills):
    outcome = crash_run(tmp_path, products=products, kills=kills, incremental_kills=incremental_kills,
                        settings=settings)
    crashed, clean = outcome["crashed"], outcome["clean"]
    assert outcome["killed"] >= min(kills, 3), "the kills must land mid-sync to prove anything"
    assert outcome["killed_later"] >= 2, "and some in the incremental passes"
    differing, duplicates = compare(crashed, clean)
    assert not differing, differing  # stock in both stores, prices, names, sales, orders: none applied twice or lost
    assert duplicates == 0
    assert outcome["status"]["outbox"]["unfinished"] == 0, outcome["status"]["outbox"]
    if settings == "s15":
        assert len(clean["sale_orders"]) >= 4, "S15 must have had work: orders made from the till sales"
