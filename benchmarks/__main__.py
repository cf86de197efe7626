"""``python -m benchmarks NAME [options]``; ``python -m benchmarks --list`` names them."""
from __future__ import annotations

import importlib
import sys

BENCHMARKS = {
    "clients": ("benchmarks.clients", "main"),
    "initial-sync": ("benchmarks.sync", "initial_sync"),
    "noop-sync": ("benchmarks.sync", "noop_sync"),
    "reconcile": ("benchmarks.sync", "reconcile"),
    "crash": ("benchmarks.crash", "main"),
    "concurrent": ("benchmarks.exactly_once", "concurrent"),
    "restore": ("benchmarks.exactly_once", "restore"),
    "orders": ("benchmarks.orders", "main"),
    "soak": ("benchmarks.soak", "main"),
    "ui": ("benchmarks.ui", "main"),
    "ui-queries": ("benchmarks.ui_queries", "main"),
    "match-review-ui": ("benchmarks.match_review_ui", "main"),
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "--list"}:
        print("usage: python -m benchmarks NAME [options]\n\nbenchmarks: " + ", ".join(sorted(BENCHMARKS)))
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in BENCHMARKS:
        print(f"unknown benchmark {name!r}; choose from {', '.join(sorted(BENCHMARKS))}", file=sys.stderr)
        return 2
    module, function = BENCHMARKS[name]
    return getattr(importlib.import_module(module), function)(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
