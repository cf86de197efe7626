"""``python -m benchmarks orders --orders N [--products P]``: N new BigCommerce orders sent to Hike as parked sales
in one pass.

The stores hold the ``demo`` seed (or ``large:P`` with ``--products P``) at the real plan quotas (BigCommerce
Standard 150 requests per 30 s; Hike 60 a minute and 5000 a day), time-compressed by ``--time-scale``. A first pass
links products and customers and activates orders; then N orders (1-3 linked lines each, a registered customer or a
guest, shipping on most) are placed through the BigCommerce emulator's checkout, and one ``orders`` pass is measured.

``floor`` is the fewest requests the APIs allow for that pass: BigCommerce lists the orders at 250 a page (the
last, short or empty, page ends the list) with each order's lines embedded
(``include=consignments.line_items&consignment_structure=object``, which the client asks for), but no call returns
the payments of several orders, so each order costs one read of its transactions (v3). An order with 50 or more
lines in a consignment would cost its ``/orders/{id}/products`` pages too (the embedded lines stop at 50); the
benchmark places none. Hike has no batch sale create, so each sale is one ``sales/create``, plus one read of the
registers (S8: is the payment register open?). Since issue 14 (N7) each order brought in is also noted on the
BigCommerce order (metafields, written 50 a call at the end of the pass), and the pass reads the notes made since
the oldest of its orders first (one read here: none exist yet), so a restored or new database never sends it
again: ⌊N / 250⌋ + 1 + N + 1 + ⌈N / 50⌉ on BigCommerce.
"""
from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.report import emit, machine
from benchmarks.sync import _api_requests, _clear, setup
from desktop.sync.bigcommerce import NOTES_BATCH
from desktop.storage.db import close_db, init_db
from desktop.storage.models import Link

MAIN_OUTLET = 1
ORDERS_PAGE = 250


def checkout_lines(sandbox: Any) -> list[dict[str, int]]:
    """Linked simple products and variants the emulator's Hike store can sell in the main outlet. Their stock is
    topped up inside the emulator so a benchmark of any size is never refused for stock."""
    emu, bc_products = sandbox.hike, sandbox.bigcommerce.store.products
    lines = []
    for link in Link.select().where(Link.entity.in_(["product", "variant"]), Link.status == "linked",
                                    Link.hike_id.is_null(False)):
        hp = emu.products.get(int(link.hike_id))
        if hp is None or emu._children.get(hp["id"]) or hp.get("extras") or MAIN_OUTLET not in hp["outlets"]:
            continue
        if link.entity == "product":
            bp = bc_products.get(int(link.bc_id))
            if bp is None or len(bp["variants"]) > 1:
                continue
            line = {"product_id": bp["id"]}
        else:
            line = {"variant_id": int(link.bc_id)}
        hp["outlets"][MAIN_OUTLET]["on_hand"] += 10_000
        lines.append(line)
    return lines


def place_orders(sandbox: Any, n: int) -> None:
    lines = checkout_lines(sandbox)
    customers = [int(l.bc_id) for l in Link.select().where(Link.entity == "customer", Link.status == "linked",
                                                           Link.bc_id.is_null(False), Link.hike_id.is_null(False))]
    assert lines, "the seed has linked products to sell"
    bc = sandbox.bigcommerce
    with bc.lock:
        for i in range(n):
            picked = [{**lines[(i * 7 + j * 13) % len(lines)], "quantity": 1 + (i + j) % 2} for j in range(1 + i % 3)]
            bc.place_order({"lines": picked, "customer_id": customers[i % len(customers)] if i % 5 and customers else 0,
                            "shipping": "10.00" if i % 4 else "0", "payment_method": "Credit Card"})


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks orders")
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--products", type=int, default=None,
                        help="seed the stores with large:N (N products, with customers) instead of demo")
    parser.add_argument("--time-scale", type=float, default=60.0,
                        help="emulated seconds per real second (60: Hike's minute lasts 1 s)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as data:
        init_db(Path(data) / "bench.sqlite3")
        seed = f"large:{args.products}" if args.products else "demo"
        sandbox, bc, hike, engine = setup(seed, args.time_scale)
        try:
            first = engine.run_pass("first_sync", ("products", "inventory", "customers", "orders"))
            sandbox.bigcommerce.clock.advance(60)
            place_orders(sandbox, args.orders)
            sandbox.bigcommerce.clock.advance(60)
            _clear(sandbox.bigcommerce)
            _clear(sandbox.hike)
            emu0 = sandbox.bigcommerce.clock.now()
            t0 = time.perf_counter()
            run = engine.run_pass("schedule", ("orders",))
            wall = time.perf_counter() - t0
            emulated = sandbox.bigcommerce.clock.now() - emu0
            bc_log, hike_log = _api_requests(sandbox.bigcommerce), _api_requests(sandbox.hike)
            sales = sum(1 for s in sandbox.hike.sales.values() if s["invoiceFrom"] == 5)
        finally:
            bc.close()
            hike.close()
            sandbox.stop()
            close_db()
    created = (run.counts.get("order") or {}).get("create", 0)
    # BigCommerce: the order list and each order's transactions, and (N7) the read of this app's notes on the
    # orders before bringing them in and the note each one gets once Hike has it
    floor = {"bigcommerce": args.orders // ORDERS_PAGE + 1 + args.orders + 1 + -(-args.orders // NOTES_BATCH),
             "hike": created + 1}
    requests = {"bigcommerce": len(bc_log), "hike": len(hike_log)}
    http_429 = {"bigcommerce": sum(r["status"] == 429 for r in bc_log),
                "hike": sum(r["status"] == 429 for r in hike_log)}
    peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result = {"benchmark": "orders", "orders": args.orders, "seed": seed, "status": run.status,
              "first_pass": first.status,
              "counts": run.counts, "sales_in_hike": sales, "requests": requests, "floor": floor,
              "http_429": http_429, "wall_s": round(wall, 2), "emulated_s": round(emulated, 1),
              "time_scale": args.time_scale, "peak_rss_mb": peak_rss_mb, "machine": machine()}
    emit(f"orders: {args.orders} new BigCommerce orders into Hike ({seed} seed, real plan quotas, time "
         f"x{args.time_scale:g})", [
        ("run", f"{run.status} {run.counts}"),
        ("sales in Hike", sales),
        ("requests BigCommerce (floor)", f"{requests['bigcommerce']} ({floor['bigcommerce']})"),
        ("requests Hike (floor)", f"{requests['hike']} ({floor['hike']})"),
        ("HTTP 429", f"BigCommerce {http_429['bigcommerce']}, Hike {http_429['hike']}"),
        ("wall time", f"{wall:.2f} s real, {emulated:.0f} s emulated"),
        ("peak RSS", f"{peak_rss_mb} MB"),
    ], result)
    return 0 if run.status == "ok" and created == args.orders else 1


__all__ = ["main"]
