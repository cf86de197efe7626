"""``python -m benchmarks crash --products 2000 --kills 20``: the SIGKILL/restart proof at full size.

Runs ``tests/reliability/test_crash_restart.crash_run``: a first sync of ``large:N`` killed with SIGKILL at
``--kills`` random points (requests answered by the stores), restarted each time; then ``--incremental-kills``
passes (default: as many), each after the same changes to both runs' stores, killed the same way; then compared
with an uninterrupted run of the same seed and changes. Needs a usable system keyring (run it under ``scripts/test``'s harness or a
desktop session).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.report import emit, machine


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks crash")
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--incremental-kills", type=int, default=None)
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args(argv)
    from tests.reliability.test_crash_restart import crash_run

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        outcome = crash_run(Path(tmp), args.products, args.kills, args.seed, args.incremental_kills)
    crashed, clean = outcome["crashed"], outcome["clean"]
    keys = ("bc_skus", "bc_names", "bc_variant_skus", "hike_skus", "hike_names", "customers")
    differing = [k for k in keys + ("bc_stock", "bc_prices") if crashed[k] != clean[k]]
    differences = len(differing)
    examples = {k: sorted(str((key, crashed[k].get(key), clean[k].get(key)))
                          for key in set(crashed[k]) | set(clean[k]) if crashed[k].get(key) != clean[k].get(key))[:3]
                for k in differing}
    duplicates = sum(n - 1 for k in keys for key, n in crashed[k].items() if key and n > 1) - \
        sum(n - 1 for k in keys for key, n in clean[k].items() if key and n > 1)
    result = {"benchmark": "crash", "products": args.products, "kills_asked": args.kills,
              "kills_landed": outcome["killed"], "incremental_kills_landed": outcome["killed_later"],
              "differences": differences, "difference_examples": examples, "duplicates": duplicates,
              "unfinished_outbox": outcome["status"]["outbox"]["unfinished"],
              "wall_s": round(time.perf_counter() - t0, 1), "machine": machine()}
    emit(f"crash: large:{args.products}, SIGKILLs during the first sync and incremental passes", [
        ("kills that landed mid-sync (first sync)", outcome["killed"]),
        ("kills that landed mid-pass (incremental)", outcome["killed_later"]),
        ("differences from an uninterrupted run (of 8 views)", differences),
        ("extra duplicates", duplicates),
        ("outbox left unfinished", result["unfinished_outbox"]),
        ("wall time", f"{result['wall_s']} s"),
    ], result)
    return 0 if differences == 0 and duplicates == 0 else 1
