"""``python -m desktop.sandbox``: serve both sandbox stores until interrupted.

Prints exactly one JSON line on stdout (everything a client needs to connect), then serves:
``{"bigcommerce": {"api_path", "store_hash", "access_token"}, "hike": {"base_url", "client_id", "client_secret",
"username", "password"}}``
"""
from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from desktop.sandbox.stores import parse_quota, start_sandbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop.sandbox", description="Serve the sandbox stores")
    parser.add_argument("--seed", default="demo", help="demo (default), empty, large:N, or a JSON file")
    parser.add_argument("--bc-port", type=int, default=0, help="BigCommerce port (default: any free port)")
    parser.add_argument("--hike-port", type=int, default=0, help="Hike port (default: any free port)")
    parser.add_argument("--bc-quota", default="150/30", help="BigCommerce requests/seconds (Standard plan: 150/30)")
    parser.add_argument("--hike-quota", default="60/60", help="Hike requests/seconds (60/60)")
    parser.add_argument("--hike-daily", type=int, default=5000, help="Hike requests per rolling day (5000)")
    parser.add_argument("--time-scale", type=float, default=1.0, help="emulated seconds per real second")
    args = parser.parse_args(argv)
    try:
        parse_quota(args.bc_quota)
        parse_quota(args.hike_quota)
        sandbox = start_sandbox(args.seed, bc_port=args.bc_port, hike_port=args.hike_port, bc_quota=args.bc_quota,
                                hike_quota=args.hike_quota, hike_daily=args.hike_daily, time_scale=args.time_scale)
    except (ValueError, OSError) as exc:
        print(f"python -m desktop.sandbox: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print(json.dumps(sandbox.info), flush=True)
    try:
        stop.wait()
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
