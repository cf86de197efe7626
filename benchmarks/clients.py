"""``python -m benchmarks clients --products N``: fetch N products with variants from a ``large`` sandbox of exactly N products at
the BigCommerce Standard plan quota (150 requests per 30 s, time-compressed), and count the requests against
the floor the page size allows (N / 250, rounded up)."""
from __future__ import annotations

import argparse
import math
import time

import httpx

from benchmarks.report import emit, machine
from desktop.sandbox import bigcommerce_seed, hike_seed
from desktop.sandbox.stores import start_sandbox
from desktop.sync.bigcommerce import PAGE_LIMIT, BigCommerceClient
from desktop.sync.http import RetryPolicy


def seed_with(n: int) -> dict:
    """A ``large`` BigCommerce catalog cut to exactly ``n`` products (about half the neutral shop is on
    BigCommerce, so the shop is generated twice as big first)."""
    bc = bigcommerce_seed.large(2 * n + 100)
    bc["products"] = bc["products"][:n]
    assert len(bc["products"]) == n
    return {"bigcommerce": bc, "hike": hike_seed.empty()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks clients")
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--quota", default="150/30", help="BigCommerce quota REQUESTS/SECONDS (Standard: 150/30)")
    parser.add_argument("--time-scale", type=float, default=30.0,
                        help="emulated seconds per real second (30: a 30 s quota window lasts 1 s)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    sandbox = start_sandbox(seed_with(args.products), bc_quota=args.quota, time_scale=args.time_scale)
    seed_s = time.perf_counter() - started
    info = sandbox.info["bigcommerce"]
    client = BigCommerceClient(info["api_path"], info["access_token"], retry=RetryPolicy(base_delay_s=0.05))
    try:
        httpx.get(f"{sandbox.bc_server.base_url}/__emulator/requests", params={"clear": 1})
        emu_start = sandbox.bigcommerce.clock.now()
        t0 = time.perf_counter()
        products = variants = 0
        for product in client.products():
            products += 1
            variants += len(product.variants)
        wall = time.perf_counter() - t0
        emulated = sandbox.bigcommerce.clock.now() - emu_start
    finally:
        client.close()
        sandbox.stop()
    quota, window = (float(x) for x in args.quota.split("/"))
    requests = client.http.stats["requests"]
    floor = max(1, math.ceil(args.products / PAGE_LIMIT))  # the store holds exactly N products
    allowed = quota * max(1.0, math.ceil(emulated / window))
    result = {
        "benchmark": "clients", "products": products, "variants": variants, "requests": requests, "floor": floor,
        "http_429": client.http.stats["http_429"], "retries": client.http.stats["retries"],
        "wall_s": round(wall, 3), "emulated_s": round(emulated, 1), "quota": args.quota,
        "time_scale": args.time_scale, "quota_utilization": round(requests / allowed, 3),
        "seed_s": round(seed_s, 2), "machine": machine(),
    }
    emit(f"clients: {products} products with variants from a sandbox of {args.products}", [
        ("products / variants", f"{products} / {variants}"),
        ("requests (floor)", f"{requests} ({floor})"),
        ("HTTP 429", result["http_429"]),
        ("wall time", f"{wall:.2f} s real, {emulated:.0f} s emulated at x{args.time_scale:g}"),
        ("quota utilization", f"{result['quota_utilization']:.0%} of {args.quota}"),
    ], result)
    return 0
