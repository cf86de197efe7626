"""``python -m benchmarks crash --products 2000 --kills 20``: the SIGKILL/restart proof at full size.

Runs ``tests/reliability/test_crash_restart.crash_run``: a first sync of ``large:N`` killed with SIGKILL at
``--kills`` random points (requests answered by the stores), restarted each time; then ``--incremental-kills``
passes (default: as many), each after the same changes to both runs' stores, killed the same way; then compared
with an uninterrupted run of the same seed and changes, view by view (``COUNTED`` and ``VALUED`` there: stock in both
stores included). ``--settings s15`` turns on Hike sales to BigCommerce and stock-only orders, and the steps then
sell at the till too. Needs a usable system keyring (run it under ``scripts/test``'s harness or a
desktop session).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.exactly_once import SETTINGS as PRESETS
from benchmarks.report import emit, machine


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks crash")
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--incremental-kills", type=int, default=None)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--settings", choices=sorted(PRESETS), default="defaults",
                        help="s15: Hike sales to BigCommerce and stock-only orders (and sales at the till)")
    args = parser.parse_args(argv)
    from tests.reliability.test_crash_restart import COUNTED, VALUED, compare, crash_run

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        outcome = crash_run(Path(tmp), args.products, args.kills, args.seed, args.incremental_kills, args.settings)
    crashed, clean = outcome["crashed"], outcome["clean"]
    differing, duplicates = compare(crashed, clean)
    differences = sum(len(found) for found in differing.values())
    views = len(COUNTED + VALUED)
    result = {"benchmark": "crash", "products": args.products, "settings": args.settings, "kills_asked": args.kills,
              "kills_landed": outcome["killed"], "incremental_kills_landed": outcome["killed_later"],
              "kill_points": outcome["kill_points"], "till_sales": outcome["till_sales"],
              "orders_from_sales": len(clean["sale_orders"]), "sale_ids_identical": outcome["sale_ids_identical"],
              "records_compared": sum(len(clean[v]) for v in COUNTED + VALUED),
              "views_differing": len(differing), "differences": differences,
              "difference_examples": {view: found[:3] for view, found in differing.items()},
              "duplicates": duplicates, "unfinished_outbox": outcome["status"]["outbox"]["unfinished"],
              "wall_s": round(time.perf_counter() - t0, 1), "machine": machine()}
    emit(f"crash: large:{args.products}, SIGKILLs during the first sync and incremental passes, "
         f"settings {args.settings}", [
        ("kills that landed mid-sync (first sync)", outcome["killed"]),
        ("kills that landed mid-pass (incremental)", outcome["killed_later"]),
        ("killed passes by the last record they logged", outcome["kill_points"]),
        ("sales at the till / BigCommerce orders made from them (S15)",
         f"{outcome['till_sales']} / {len(clean['sale_orders'])}"),
        ("records compared", result["records_compared"]),
        (f"views differing from an uninterrupted run (of {views})", len(differing)),
        ("differences (records)", f"{differences} {result['difference_examples']}"),
        ("extra duplicates", duplicates),
        ("outbox left unfinished", result["unfinished_outbox"]),
        ("wall time", f"{result['wall_s']} s"),
    ], result)
    return 0 if differences == 0 and duplicates == 0 and result["unfinished_outbox"] == 0 else 1
