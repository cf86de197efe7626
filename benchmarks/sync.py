"""``python -m benchmarks initial-sync --products N`` and ``python -m benchmarks noop-sync --products N``.

Both run the real engine against a ``large:N`` sandbox at the real plan quotas (BigCommerce Standard 150 requests
per 30 s; Hike 60 a minute and 5000 a day), time-compressed by ``--time-scale``. ``initial-sync`` measures a first
activation; ``noop-sync`` measures a scheduled pass when nothing changed (after the first sync, with the store
clocks moved past the cursor overlap).

``floor`` is the fewest requests the APIs allow for the work the pass did: reads at the page sizes (BigCommerce
250, Hike 500), BigCommerce creates one per call (the API takes one product per POST), updates 10 per call,
Hike creates and updates 50 per call, stock levels read 1000 items per call and set 2000 per call, plus the store
facts read once per pass on a first or reconciliation pass.

The stores run in their own process (``benchmarks.stores``), as real stores do: ``app_peak_rss_mb`` is the app's
process alone (this one), ``peak_rss_mb`` the app's and the stores' together. ``reconcile`` is the daily full pass
after a first sync (everything read again); ``--realtime`` runs at time scale 1 and reports ``wall_s`` against
``quota_floor_s``, the shortest time the plan quotas allow for the floor's requests. ``--fresh-process`` runs the
measured pass in a process of its own, as ``hike-bc-sync-cli sync --once`` started by cron does: its
``app_peak_rss_mb`` is then that process's, imports included, and holds nothing of the passes before it.
"""
from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.report import emit, machine
from benchmarks.stores import ROOT, OwnProcessStores, peak_rss_mb, reset_peak_rss
from desktop.sandbox.stores import start_sandbox
from desktop.storage.credentials import Credentials
from desktop.storage.db import close_db, init_db
from desktop.storage.models import LogEntry, Run
from desktop.sync.addresses import hike_api_base
from desktop.sync.bigcommerce import BigCommerceClient
from desktop.sync.engine import ENGINE_ENTITIES, SyncEngine
from desktop.sync.hike import HikeClient, hike_governor
from desktop.sync.hike_oauth import tokens_from_response
from desktop.sync.settings import Settings
from desktop.sync.vocabulary import ReadScope
from tests.keyrings import MemoryKeyring

SETTINGS = {"inventory_outlet": "Main Street", "bigcommerce_location_id": 1, "shipping_tax": "GST",
            "tax_map": {"GST": "Default Tax Class", "No Tax": "Non-Taxable Products"}}
# store info, tax classes, locations, payment methods, brands, categories; outlets, registers, taxes, payment types,
# brands, product types (each read once: the facts are kept, issue 19)
FACT_READS = {"bigcommerce": 6, "hike": 6}


NOT_API = ("/__emulator/", "/cdn/", "/hike-cdn/")  # the emulators' controls and image CDNs: no API quota


def _api_requests(server_app: Any) -> list[dict[str, Any]]:
    with server_app.lock:
        return [r for r in server_app.request_log if not r["path"].startswith(NOT_API)]


def _clear(app: Any) -> None:
    with app.lock:
        app.request_log.clear()


def setup(seed: str | dict[str, Any], time_scale: float):
    """Both sandbox stores of ``seed`` at the real plan quotas, the app's clients and an engine on them."""
    sandbox = start_sandbox(seed, bc_quota="150/30", hike_quota="60/60", hike_daily=5000, time_scale=time_scale)
    info = sandbox.info
    # the client's token clock is real time while the store's runs x time_scale: a long token life keeps
    # expiry refreshes (real, but an artefact of compressing time) out of the request counts
    sandbox.hike.settings["access_expiry_s"] = 10**8
    credentials = Credentials("bench", backend=MemoryKeyring())
    credentials.save_hike_tokens(tokens_from_response(sandbox.hike.issue_token()),
                                     hike_api_base(info["hike"]["base_url"]))
    bc = BigCommerceClient(info["bigcommerce"]["api_path"], info["bigcommerce"]["access_token"])
    hike = HikeClient(info["hike"]["base_url"], info["hike"]["client_id"], info["hike"]["client_secret"],
                      credentials, governor=hike_governor(time_scale=time_scale))
    settings = Settings.from_json({**Settings.template().to_json(), **SETTINGS})
    return sandbox, bc, hike, SyncEngine(bc, hike, settings)


def floors(run: Any, hike_rows: int, bc_products: int, bc_stock_items: int) -> dict[str, int]:
    """The fewest requests for what this run did, from its own log entries. A first pass reads BigCommerce's
    stock levels (1000 items a page) and sends only the levels that differ."""
    def count(action: str, direction: str | None = None, entity: str = "product") -> int:
        query = LogEntry.select().where(LogEntry.run == run, LogEntry.entity == entity, LogEntry.action == action,
                                        LogEntry.result == "ok")
        if direction:
            query = query.where(LogEntry.direction == direction)
        if entity == "inventory":
            query = query.where(LogEntry.message.startswith("Stock set"))  # not "Stock already ..."
        return query.count()

    return {
        "bigcommerce": pages(bc_products, 250) + count("create", "hike_to_bc")
        + math.ceil(count("update", "hike_to_bc") / 10) + math.ceil(count("stock", entity="inventory") / 2000)
        + pages(bc_stock_items, 1000) + FACT_READS["bigcommerce"],
        "hike": pages(hike_rows, 500) + math.ceil(count("create", "bc_to_hike") / 50)
        + math.ceil(count("update", "bc_to_hike") / 50) + FACT_READS["hike"],
    }


def pages(records: int, size: int) -> int:
    """The pages a list read takes: a full last page is followed by one more (N5: a store's "no more" is not
    trusted from a full page), so ``records // size + 1``."""
    return records // size + 1


def connect(stores: OwnProcessStores, time_scale: float) -> tuple[BigCommerceClient, HikeClient]:
    """The app's clients on the stores of another process, signed in as the app would be."""
    info = stores.info
    # the client's token clock is real time while the store's runs x time_scale: a long token life keeps
    # expiry refreshes (real, but an artefact of compressing time) out of the request counts
    stores.control("hike", "POST", "settings", json={"access_expiry_s": 10**8})
    credentials = Credentials("bench", backend=MemoryKeyring())
    credentials.save_hike_tokens(tokens_from_response(stores.control("hike", "POST", "tokens/issue")),
                                 hike_api_base(info["hike"]["base_url"]))
    bc = BigCommerceClient(info["bigcommerce"]["api_path"], info["bigcommerce"]["access_token"])
    hike = HikeClient(info["hike"]["base_url"], info["hike"]["client_id"], info["hike"]["client_secret"],
                      credentials, governor=hike_governor(time_scale=time_scale))
    return bc, hike


def quota_floor_s(requests: dict[str, int]) -> float:
    """The shortest time the plan quotas allow for these requests: BigCommerce 150 at once then 150 per 30 s,
    Hike 60 at once then one a second (its rolling minute)."""
    return round(max(0.0, (requests["bigcommerce"] - 150) * 30 / 150, requests["hike"] - 60.0), 1)


def run_benchmark(name: str, argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m benchmarks {name}")
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--breakdown", action="store_true", help="print the requests per endpoint")
    parser.add_argument("--images", action="store_true",
                        help="two in three BigCommerce products with a photo, which Hike gets in the same pass (S17)")
    parser.add_argument("--time-scale", type=float, default=60.0,
                        help="emulated seconds per real second (60: Hike's minute lasts 1 s)")
    parser.add_argument("--fresh-process", action="store_true",
                        help="the measured pass in a process of its own, as sync --once from cron (its own peak)")
    parser.add_argument("--realtime", action="store_true",
                        help="time scale 1: the pass takes the real time a shop would wait (wall_s against "
                             "quota_floor_s)")
    args = parser.parse_args(argv)
    time_scale = 1.0 if args.realtime else args.time_scale
    seed = f"large:{args.products}" + (":images" if args.images else "")
    t0 = time.perf_counter()
    stores = OwnProcessStores(seed, time_scale=time_scale)
    seed_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as data:
        db_path = Path(data) / "bench.sqlite3"
        init_db(db_path)
        bc, hike = connect(stores, time_scale)
        engine = SyncEngine(bc, hike, Settings.from_json({**Settings.template().to_json(), **SETTINGS}))
        try:
            if name in ("noop-sync", "reconcile"):
                engine.run_pass("first_sync")
                stores.advance(300)  # a scheduled pass 5 minutes later
                engine.run_pass("schedule")  # reads back what the first pass itself wrote (fingerprints: no-op)
                stores.advance(300)
            # what the measured pass reads: the catalogs as the passes before it left them (their creates too)
            hike_rows, bc_products = stores.counts("hike")["product_rows"], stores.counts("bigcommerce")["products"]
            for side in ("bigcommerce", "hike"):
                stores.api_requests(side, clear=True)
            reset_peak_rss()  # the measured pass alone (for noop-sync and reconcile: not the first sync before it)
            emu0 = stores.now()
            t1 = time.perf_counter()
            # initial-sync measures the catalog (its floor is modelled above); noop-sync a whole scheduled pass;
            # reconcile the daily full pass after a first sync (everything read again)
            if args.fresh_process:
                run, child_peak_mb = pass_in_own_process(name, db_path, stores.info, time_scale)
            else:
                run, child_peak_mb = measured_pass(name, engine), None
            wall = time.perf_counter() - t1
            emulated = stores.now() - emu0
            bc_log, hike_log = stores.api_requests("bigcommerce"), stores.api_requests("hike")
            if args.breakdown:
                print(Counter((r["method"], r["path"].split("/v3/")[-1].split("/v2/")[-1][:40]) for r in bc_log))
                print(Counter((r["method"], r["path"]) for r in hike_log))
            # one list read per entity type the default settings run: products, customers and orders on
            # BigCommerce; products and customers on Hike (orders read Hike's sales only while a sale linked to an
            # order can still change: none here). Hike sales to BigCommerce (S15) are off by default.
            run_types = [e for e in ENGINE_ENTITIES if e not in ("inventory", "sales")]
            images_to_hike = stores.counts("hike").get("images", 0)
            bc_stock_items = stores.counts("bigcommerce")["stock_items"]  # after the pass: its creates too
            if name == "noop-sync":
                floor = {"bigcommerce": len(run_types), "hike": len(run_types) - 1}
            else:
                floor = floors(run, hike_rows, bc_products, bc_stock_items)
            if name == "reconcile":  # everything else read again too: customers on both sides, BigCommerce's orders
                bc_counts, hike_counts = stores.counts("bigcommerce"), stores.counts("hike")
                # the orders read is one short page here (a handful of orders): the "no more" a short page says
                floor["bigcommerce"] += pages(bc_counts["customers"], 250) + pages(bc_counts["orders"], 250)
                floor["hike"] += pages(hike_counts["customers"], 500)
            stores_rss_mb = stores.peak_rss_mb()
            app_peak_rss_mb = peak_rss_mb() if child_peak_mb is None else child_peak_mb
        finally:
            bc.close()
            hike.close()
            stores.stop()
            close_db()
    requests = {"bigcommerce": len(bc_log), "hike": len(hike_log)}
    http_429 = {"bigcommerce": sum(r["status"] == 429 for r in bc_log), "hike": sum(r["status"] == 429 for r in hike_log)}
    result = {"benchmark": name, "products": args.products, "images_to_hike": images_to_hike,
              "status": run.status, "counts": run.counts,
              "requests": requests, "floor": floor, "http_429": http_429, "wall_s": round(wall, 2),
              "quota_floor_s": quota_floor_s(floor) if time_scale == 1 else None,
              "emulated_s": round(emulated, 1), "time_scale": time_scale, "app_peak_rss_mb": app_peak_rss_mb,
              "peak_rss_mb": round(app_peak_rss_mb + stores_rss_mb, 1), "stores_peak_rss_mb": stores_rss_mb,
              "seed_s": round(seed_s, 2), "fresh_process": args.fresh_process, "machine": machine()}
    emit(f"{name}: large:{args.products} at the real plan quotas, time x{time_scale:g}, stores in their own "
         f"process" + (", the pass in a fresh process" if args.fresh_process else ""), [
        ("run", f"{run.status} {run.counts}"),
        ("requests BigCommerce (floor)", f"{requests['bigcommerce']} ({floor['bigcommerce']})"),
        ("requests Hike (floor)", f"{requests['hike']} ({floor['hike']})"),
        ("images sent to Hike", images_to_hike),
        ("HTTP 429", f"BigCommerce {http_429['bigcommerce']}, Hike {http_429['hike']}"),
        ("wall time", f"{wall:.2f} s real, {emulated:.0f} s emulated"
                      + (f" (quota floor {result['quota_floor_s']} s)" if time_scale == 1 else "")),
        ("peak RSS, the app's process", f"{app_peak_rss_mb} MB"),
        ("peak RSS, app + stores", f"{result['peak_rss_mb']} MB"),
    ], result)
    return 0 if run.status != "error" else 1


def measured_pass(name: str, engine: SyncEngine) -> Run:
    """initial-sync measures the catalog (its floor is modelled above); noop-sync a whole scheduled pass; reconcile
    the daily full pass after a first sync (everything read again)."""
    if name == "initial-sync":
        return engine.run_pass("first_sync", ("products", "inventory"))
    return engine.run_pass("schedule", scope=ReadScope.FULL if name == "reconcile" else None)


def pass_in_own_process(name: str, db_path: Path, info: dict[str, Any], time_scale: float) -> tuple[Run, float]:
    """``measured_pass`` in a new Python process on the same database (this one waits): its run, read back, and
    that process's peak resident memory."""
    close_db()
    done = subprocess.run([sys.executable, "-m", "benchmarks.sync", name, str(db_path), json.dumps(info),
                           str(time_scale)], cwd=ROOT, capture_output=True, text=True, check=False)
    init_db(db_path)
    if done.returncode != 0:
        raise RuntimeError(f"the pass's own process failed: {done.stderr[-2000:]}")
    said = json.loads(done.stdout.strip().splitlines()[-1])
    return Run.get_by_id(said["run"]), said["peak_rss_mb"]


def _one_pass(argv: list[str]) -> int:
    """The child of ``pass_in_own_process``: NAME DB INFO TIME_SCALE; prints its run id and peak memory."""
    name, db_path, info, time_scale = argv[0], Path(argv[1]), json.loads(argv[2]), float(argv[3])
    init_db(db_path)
    stores = OwnProcessStores.attached(info)
    bc, hike = connect(stores, time_scale)
    try:
        engine = SyncEngine(bc, hike, Settings.from_json({**Settings.template().to_json(), **SETTINGS}))
        run = measured_pass(name, engine)
    finally:
        bc.close()
        hike.close()
        stores.stop()
        close_db()
    print(json.dumps({"run": run.id, "peak_rss_mb": peak_rss_mb()}))
    return 0


def initial_sync(argv: list[str]) -> int:
    return run_benchmark("initial-sync", argv)


def noop_sync(argv: list[str]) -> int:
    return run_benchmark("noop-sync", argv)


def reconcile(argv: list[str]) -> int:
    return run_benchmark("reconcile", argv)


if __name__ == "__main__":
    sys.exit(_one_pass(sys.argv[1:]))
