"""``python -m benchmarks ui-queries --links 50000 --log-rows 1000000``: the monitor's reads on a big database.

Writes a synthetic database (``--links`` product links, 1 in 97 in error, 1 in 10 skipped; 20 000 customer links;
``--log-rows`` log rows spread over the products) and times, best of three, what the views run on the GUI thread:
the first page of the products list and its count, a page deep in the list, search, "errors only", one product's
sync log, the error groups and the error count. Target: every read well under 100 ms (one GUI frame budget is
16 ms; a list page is read only when scrolling reaches it).
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from benchmarks.report import emit, machine


def build(links: int, log_rows: int) -> None:
    from desktop.storage.db import database_proxy
    from desktop.storage.models import Link, Run, utcnow

    now = utcnow()
    with database_proxy.atomic():
        rows = [{"entity": "product", "hike_id": str(i), "bc_id": str(100000 + i), "sku": f"SKU-{i:06d}",
                 "name": f"Product {i}", "status": "linked" if i % 10 else "skipped",
                 "last_result": "error" if i % 97 == 0 else "ok",
                 "last_message": "Duplicate SKU 'x' in Hike" if i % 97 == 0 else "", "last_synced_at": now}
                for i in range(links)]
        rows += [{"entity": "customer", "hike_id": str(i), "bc_id": str(i), "sku": f"c{i}@example.com",
                  "name": f"Customer {i}", "status": "linked", "last_result": "ok"} for i in range(20000)]
        for k in range(0, len(rows), 5000):
            Link.insert_many(rows[k:k + 5000]).execute()
    run = Run.create(trigger="benchmark", scope="products", status="ok", finished_at=now)
    rng = random.Random(8)
    sql = ("INSERT INTO log_entry (run_id, entity, hike_id, bc_id, sku, direction, action, result, message, diff, "
           "created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)")
    batch: list[tuple] = []
    for _ in range(log_rows):
        h = rng.randrange(links)
        batch.append((run.id, "product", str(h), str(100000 + h), f"SKU-{h:06d}", "hike_to_bc", "update", "ok",
                      "Updated in BigCommerce", '{"price": ["10.00", "12.00"]}', now.isoformat()))
        if len(batch) == 50000:
            with database_proxy.atomic():
                database_proxy.cursor().executemany(sql, batch)
            batch.clear()
    if batch:
        with database_proxy.atomic():
            database_proxy.cursor().executemany(sql, batch)


def best_ms(func: Callable[[], Any], tries: int = 3) -> float:
    best = float("inf")
    for _ in range(tries):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 1)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks ui-queries")
    parser.add_argument("--links", type=int, default=50000)
    parser.add_argument("--log-rows", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from desktop.storage.db import close_db, init_db
    from desktop.storage.models import Link
    from desktop.sync.error_groups import error_groups
    from desktop.views.record_log import entries_for
    from desktop.views.record_models import LinkTableModel

    QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as data:
        init_db(Path(data) / "big.sqlite3")
        t = time.perf_counter()
        build(args.links, args.log_rows)
        build_s = round(time.perf_counter() - t, 1)
        model = LinkTableModel(("product",))
        deep_after = model._page(0, args.links // 2)[-1].id
        one = Link.get(Link.entity == "product", Link.hike_id == "123")
        timings = {
            "first_page_ms": best_ms(lambda: model._page(0, 500)),
            "count_ms": best_ms(model.total),
            "page_mid_list_ms": best_ms(lambda: model._page(deep_after, 500)),
            "customers_first_page_ms": best_ms(lambda: LinkTableModel(("customer",))._page(0, 500)),
        }
        model.errors_only = True
        timings["errors_only_page_ms"] = best_ms(lambda: model._page(0, 500))
        model.errors_only, model.search = False, "no such product"
        timings["search_no_match_ms"] = best_ms(lambda: model._page(0, 500))
        model.search = "Product 4999"
        timings["search_ms"] = best_ms(lambda: model._page(0, 500))
        timings["product_log_ms"] = best_ms(lambda: entries_for(one))
        timings["error_groups_ms"] = best_ms(error_groups)
        timings["error_count_ms"] = best_ms(
            lambda: Link.select().where(Link.last_result.in_(("error", "conflict"))).count())
        entries = len(entries_for(one))
        close_db()
    out = {"benchmark": "ui-queries", "links": args.links, "log_rows": args.log_rows, "build_s": build_s,
           "product_log_entries": entries, **timings, "machine": machine()}
    emit(f"ui-queries: {args.links:,} product links, {args.log_rows:,} log rows (best of 3)",
         [(k.replace("_ms", "").replace("_", " "), f"{v} ms") for k, v in timings.items()], out)
    return 0
