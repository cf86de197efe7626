"""``python -m benchmarks match-review-ui --rows 50000``: how long the match review (Manage → Matches, issue 20 B2)
takes to open, filter and sort a big review on the GUI thread.

The real ``MatchesPage`` on a real ``SetupContext`` (a temporary database, a private in-memory keyring), shown
offscreen (or under Xvfb) at Manage's size. The stores' read is replaced by ``--rows`` synthetic review rows of
every kind (what ``setup_checks.review_matches`` returns on its worker), so what is timed is the window's part
alone: from the rows arriving to the table painted (``open``; again for ``open again``, as "Check again" and every
decision do), a search typed, a kind chosen in the filter, a sort by another column, all rows selected. Target:
``open`` under a second at 50 000 rows. Best of ``--tries``.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from benchmarks.report import emit, machine


def synthetic_rows(count: int) -> list[Any]:
    """``count`` review rows, every kind represented in about the share a real review has (mostly proposed)."""
    from desktop.sync.setup_checks import (AMBIGUOUS, EXCLUDED, KIND_MISMATCH, LINKED, LINKED_BY_YOU, ONLY_BC,
                                           ONLY_HIKE, PROPOSED, REFUSED, ReviewRow)

    cycle = [PROPOSED] * 10 + [LINKED] * 4 + [ONLY_HIKE] * 2 + [ONLY_BC, AMBIGUOUS, KIND_MISMATCH, REFUSED,
                                                               LINKED_BY_YOU, EXCLUDED]
    rows = []
    for i in range(count):
        kind = cycle[i % len(cycle)]
        hike = kind not in (ONLY_BC,)
        bc = kind not in (ONLY_HIKE, AMBIGUOUS)
        sku = f"SKU-{i:06d}"
        rows.append(ReviewRow(kind, 100000 + i if hike else None, f"Classic Merino Tee {i:06d}" if hike else "",
                              sku if hike else "", 500000 + i if bc else None,
                              f"Classic Merino Tee {i:06d}" if bc else "", sku if bc else "",
                              "barcode" if i % 7 == 0 else "sku", "Linked by SKU on the next pass"))
    return rows


def best_ms(func: Callable[[], Any], tries: int) -> float:
    best = float("inf")
    for _ in range(tries):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 1)


def open_page(rows_count: int) -> tuple[Any, Any, list[Any]]:
    """(application, page, rows): the page shown, its stores' read standing in for the real one."""
    from PySide6.QtWidgets import QApplication

    from desktop.storage.credentials import Credentials
    from desktop.storage.memory_keyring import MemoryKeyring
    from desktop.views.setup import matches
    from desktop.views.setup.context import SetupContext

    app = QApplication.instance() or QApplication(sys.argv[:1])
    rows = synthetic_rows(rows_count)
    matches.review_matches = lambda _credentials: rows  # the worker's read: the synthetic review
    ctx = SetupContext(Credentials("benchmark", backend=MemoryKeyring()))
    ctx.hike = ctx.bigcommerce = object()  # "both connected": the page reads on entering
    page = matches.MatchesPage(ctx)
    page.resize(980, 720)
    page.show()
    app.processEvents()
    return app, page, rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks match-review-ui")
    parser.add_argument("--rows", type=int, default=50000)
    parser.add_argument("--tries", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from desktop.storage.db import close_db, init_db

    with tempfile.TemporaryDirectory() as data:
        init_db(Path(data) / "bench.sqlite3")
        app, page, rows = open_page(args.rows)

        def shown() -> None:
            """Rows handed over (as the worker's answer is) until the table has painted them."""
            page.loaded = False
            page.check_again()
            while not page.loaded:
                app.processEvents()
            page.table.viewport().repaint()

        first = best_ms(shown, 1)
        timings = {"open_ms": first, "open_again_ms": best_ms(shown, args.tries)}
        search_text = f"{args.rows // 2:06d}"
        timings["search_ms"] = best_ms(lambda: _filtered(app, page, search_text, None), args.tries)
        timings["filter_kind_ms"] = best_ms(lambda: _filtered(app, page, "", "only_hike"), args.tries)
        timings["show_all_again_ms"] = best_ms(lambda: _filtered(app, page, "", None), args.tries)
        timings["sort_by_hike_product_ms"] = best_ms(lambda: _sorted(app, page), args.tries)
        timings["select_all_ms"] = best_ms(lambda: _select_all(app, page), args.tries)
        page.close()
        page.ctx.shutdown()
        close_db()
    out = {"benchmark": "match-review-ui", "rows": args.rows, **timings, "machine": machine()}
    emit(f"match-review-ui: {args.rows:,} review rows (best of {args.tries}; open: the first time)",
         [(k.replace("_ms", "").replace("_", " "), f"{v} ms") for k, v in timings.items()], out)
    return 0


def _filtered(app: Any, page: Any, text: str, kind: str | None) -> None:
    page.search.blockSignals(True)  # set both, then filter once (as the debounced search does)
    page.search.setText(text)
    page.search.blockSignals(False)
    page.show_kind.blockSignals(True)
    page.show_kind.setCurrentIndex(page.show_kind.findData(kind))
    page.show_kind.blockSignals(False)
    page._filter()
    page.table.viewport().repaint()
    app.processEvents()


def _sorted(app: Any, page: Any) -> None:
    from PySide6.QtCore import Qt

    column = 1 if page.model.sort_column != 1 else 0
    page.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    page.table.viewport().repaint()
    app.processEvents()


def _select_all(app: Any, page: Any) -> None:
    page.table.clearSelection()
    page.table.selectAll()  # the actions' states are worked out over the whole selection
    page.table.viewport().repaint()
    app.processEvents()
