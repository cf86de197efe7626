"""``python -m benchmarks ui --products N``: does the window stay responsive during a first sync (M1 "the UI never
freezes")?

A ``large:N`` sandbox at the real plan quotas (time-compressed like the sync benchmarks), the real controller,
service, engine and scheduler, and the real main window shown (offscreen or under Xvfb). A heartbeat ``QTimer``
on the GUI thread fires every 10 ms; a *stall* is how much later than due a beat arrives (the GUI thread was busy
or starved). After the pass: ``products_view_open_ms`` (switch to the Products tab with the filter reset: the first
page and the count read again), ``log_dialog_open_ms`` (a product's sync log dialog built and shown). With
``--log-rows M`` that many extra log rows are written first (spread over the products), to measure the dialog
over a big log.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.report import emit, machine

HEARTBEAT_MS = 10


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def add_log_rows(count: int) -> None:
    """Synthetic history: ``count`` log rows on the linked products, in batches (one transaction each)."""
    from desktop.storage.db import database_proxy
    from desktop.storage.models import Link, LogEntry, Run, utcnow

    links = list(Link.select(Link.hike_id, Link.bc_id, Link.sku).where(Link.entity == "product").tuples())
    run = Run.create(trigger="benchmark", scope="products", status="ok", finished_at=utcnow())
    rng = random.Random(8)
    now = utcnow()
    batch: list[dict[str, Any]] = []
    for i in range(count):
        hike_id, bc_id, sku = links[i % len(links)]
        batch.append({"run": run.id, "entity": "product", "hike_id": hike_id, "bc_id": bc_id, "sku": sku,
                      "direction": "hike_to_bc", "action": "update", "result": "ok", "message": "benchmark",
                      "diff": {"price": [str(rng.randint(1, 99)), str(rng.randint(1, 99))]},
                      "created_at": now})
        if len(batch) == 5000:
            with database_proxy.atomic():
                LogEntry.insert_many(batch).execute()
            batch.clear()
    if batch:
        with database_proxy.atomic():
            LogEntry.insert_many(batch).execute()


class StoresInfo:
    """What the controller needs of a sandbox running in another process: the JSON line it printed."""

    def __init__(self, info: dict[str, Any]):
        self.info = info

    def person(self) -> Any:
        """Who completes the Hike sign-in, as ``SandboxStores.person`` (the controller connects through it)."""
        from desktop.sandbox.browser import person_for

        return person_for(self.info)


def start_stores(args: argparse.Namespace) -> tuple[Any, Any]:
    """(sandbox, process): the stores in this process (``process`` None) or in ``python -m desktop.sandbox``."""
    if args.in_process_sandbox:
        from desktop.sandbox.stores import start_sandbox

        sandbox = start_sandbox(f"large:{args.products}", bc_quota="150/30", hike_quota="60/60", hike_daily=5000,
                                time_scale=args.time_scale)
        sandbox.hike.settings["access_expiry_s"] = 10**8  # see benchmarks.sync: no refresh artefacts
        return sandbox, None
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop.sandbox", "--seed", f"large:{args.products}", "--bc-quota", "150/30",
         "--hike-quota", "60/60", "--hike-daily", "5000", "--time-scale", str(args.time_scale)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in process.stdout:  # logs first, then the JSON line
        if line.startswith("{"):
            # stderr is no longer read: the sandbox's own log must not fill the pipe and block it
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return StoresInfo(json.loads(line)), process
    raise RuntimeError(f"the sandbox process ended before printing its JSON line: {process.stderr.read()[-2000:]}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks ui")
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--time-scale", type=float, default=60.0)
    parser.add_argument("--log-rows", type=int, default=0, help="extra log rows written before the dialog is timed")
    parser.add_argument("--in-process-sandbox", action="store_true",
                        help="run the stores in this process, as --sandbox mode does (default: a separate process, "
                             "as real stores are: their heap and threads then do not compete with the window)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.storage.credentials import Credentials
    from desktop.storage.db import close_db, init_db
    from desktop.storage.models import Link, LogEntry
    from desktop.sync.connections import open_clients
    from desktop.sync.hike import hike_governor
    from desktop.views.responsiveness import GuiThreadCollector, favour_the_gui_thread, freeze_start_up_heap
    from desktop.views.main_window import MainWindow, StoreSummary
    from desktop.views.sync_controller import SyncController
    from tests.keyrings import MemoryKeyring

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as data:
        init_db(Path(data) / "bench.sqlite3")
        sandbox, stores_process = start_stores(args)

        def clients(credentials):
            bc, hike = open_clients(credentials)
            hike.governor = hike.http.governor = hike_governor(time_scale=args.time_scale)
            return bc, hike

        controller = SyncController(Credentials("bench", backend=MemoryKeyring()), sandbox=sandbox,
                                    open_clients=clients)
        window = MainWindow(StoreSummary("Hike sandbox store", "BigCommerce sandbox store", True), controller)
        window.show()
        favour_the_gui_thread()
        freeze_start_up_heap()  # as desktop.app does
        GuiThreadCollector(app)

        stalls: list[float] = []
        clock = QElapsedTimer()
        beat = QTimer()
        beat.setInterval(HEARTBEAT_MS)
        last = [0.0]

        worst: list[tuple[float, float]] = []  # (seconds since start, stall ms) of stalls over 50 ms

        def on_beat() -> None:
            now = clock.nsecsElapsed() / 1e6
            if last[0]:
                stall = max(0.0, now - last[0] - HEARTBEAT_MS)
                stalls.append(stall)
                if stall > 50:
                    worst.append((round(now / 1000, 2), round(stall, 1)))
            last[0] = now

        beat.timeout.connect(on_beat)
        result: dict[str, Any] = {}

        def finished(run_id: Any, status: str, counts: dict) -> None:
            result.update(run_id=run_id, status=status, counts=counts, wall_s=round(time.perf_counter() - t0, 2))
            # exit(), not quit(): Qt 6's quit() first asks every window to close, and the main window, asked while
            # the app runs without a tray, stays open (it asks how to close instead), so the loop never ended
            QTimer.singleShot(0, lambda: app.exit(0))

        controller.bridge.runFinished.connect(finished)
        t0 = time.perf_counter()
        clock.start()
        beat.start()
        # the person looks around while it syncs: tabs switched every half second
        tour = QTimer()
        tour.setInterval(500)
        tour.timeout.connect(lambda: window.tabs.setCurrentIndex((window.tabs.currentIndex() + 1) % window.tabs.count()))
        tour.start()
        controller.start()
        app.exec()
        beat.stop()
        tour.stop()
        app.processEvents()
        sync_stalls = list(stalls)

        if args.log_rows:
            add_log_rows(args.log_rows)
        # Products tab after the pass, as a person opens it: the list is stale, so its first page and its count
        # are read again when the tab comes forward
        window.tabs.setCurrentWidget(window.dashboard)
        window.refresh_views()
        app.processEvents()
        t = time.perf_counter()
        window.tabs.setCurrentWidget(window.products_view)
        window.products_view.table.viewport().repaint()
        products_view_open_ms = (time.perf_counter() - t) * 1000
        link = (Link.select().where(Link.entity == "product", Link.status == "linked").order_by(Link.id.desc())
                .first())
        t = time.perf_counter()
        window.open_record_log(link.id)
        window.log_dialog.repaint()
        log_dialog_open_ms = (time.perf_counter() - t) * 1000
        entries_shown = window.log_dialog.table.rowCount()
        scroll_ms = []
        view = window.products_view
        for _ in range(20):  # scrolling to the end fetches the next pages
            t = time.perf_counter()
            view.table.scrollToBottom()
            app.processEvents()
            scroll_ms.append((time.perf_counter() - t) * 1000)
        rows_loaded = view.model.rowCount()
        log_rows = LogEntry.select().count()
        products = Link.select().where(Link.entity == "product").count()
        window.quit_app()
        controller.shutdown()
        if stores_process is None:
            sandbox.stop()
        else:
            stores_process.terminate()
            stores_process.wait(timeout=30)
        close_db()

    out = {"benchmark": "ui", "products": args.products,
           "stores": "in-process" if args.in_process_sandbox else "separate process", "status": result.get("status"),
           "counts": result.get("counts"), "wall_s": result.get("wall_s"), "time_scale": args.time_scale,
           "heartbeats": len(sync_stalls), "max_stall_ms": round(max(sync_stalls, default=0.0), 1),
           "p99_stall_ms": round(percentile(sync_stalls, 99), 1),
           "median_stall_ms": round(statistics.median(sync_stalls), 2) if sync_stalls else 0.0,
           "stalls_over_100ms": sum(s > 100 for s in sync_stalls),
           "worst_stalls_at_s": sorted(worst, key=lambda w: -w[1])[:8],
           "products_view_open_ms": round(products_view_open_ms, 1), "log_dialog_open_ms": round(log_dialog_open_ms, 1),
           "log_dialog_entries": entries_shown, "max_scroll_page_ms": round(max(scroll_ms), 1),
           "rows_loaded_after_scrolling": rows_loaded, "product_links": products, "log_rows": log_rows,
           "machine": machine()}
    emit(f"ui: first sync of large:{args.products} with the main window open, stores {out['stores']}, "
         f"time x{args.time_scale:g}", [
        ("run", f"{out['status']} in {out['wall_s']} s"),
        ("GUI heartbeats (10 ms)", out["heartbeats"]),
        ("max stall", f"{out['max_stall_ms']} ms"),
        ("p99 stall", f"{out['p99_stall_ms']} ms"),
        ("stalls over 100 ms", out["stalls_over_100ms"]),
        ("products view open", f"{out['products_view_open_ms']} ms ({products:,} product links)"),
        ("log dialog open", f"{out['log_dialog_open_ms']} ms ({entries_shown} entries of {log_rows:,} log rows)"),
        ("slowest scroll page", f"{out['max_scroll_page_ms']} ms"),
    ], out)
    return 0 if out["status"] not in (None, "error") else 1
