"""Exactly once, whatever the person or the machine does (issue 14 findings 1 and 2; N6, N7).

``python -m benchmarks concurrent [--products N] [--steps S] [--settings s15|defaults] [--kill-chance P]``
  One data folder, the sandbox stores in their own process, and at every step the shop's orders, sales and new
  customers flowing; then two writers start at the same moment: two ``hike-bc-sync-cli sync --once``, or one and
  the headless service ``hike-bc-sync-cli run`` (the GUI's scheduler without a window). With chance P the one
  still running (the other found the folder busy) is SIGKILLed after a random number of store requests. At the end two settling passes run and the stores are
  checked: ``duplicates`` (a BigCommerce order twice for one Hike sale, a Hike sale twice for one order, a new
  customer twice), ``double_stock_moves`` (a product's Hike stock moved more than its orders and sales say) and
  ``lost`` (less).

``python -m benchmarks restore [--products N] [--rounds R] [--settings s15|defaults]``
  Sync, keep a copy of the database, go on selling and syncing, then put the older copy back (as
  ``restore-database --copy``) and sync again; then, separately, move the database away as "start again" advises,
  sell while the app is down, reconnect, configure and sync ``--orders-from last-synced``. Checked: ``duplicates``,
  ``orders_lost`` (an order or sale placed that never reached the other store) and ``stock_differences``
  (BigCommerce's level of a product sold differs from Hike's, or Hike's moved more or less than its orders say).

Both print a table and, as the last line, one JSON object. They need a usable system keyring (run them under
``scripts/test``'s harness: ``HIKEBC_TEST_HARNESS=1 ... python -m benchmarks concurrent``, or a desktop session).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from benchmarks.report import emit, machine

MAIN = 1
SETTINGS = {
    # S15 and stock-only orders: the settings under which finding 1 doubled orders and stock moves
    "s15": {"hike_to_bc": {"inventory": True, "new_products": True, "full_orders": True},
            "bc_to_hike": {"inventory_on_order": True, "full_orders": False, "new_products": True}},
    "defaults": {},  # BigCommerce orders become Hike sales; new customers both ways
}


class Shop:
    """The stores and one app folder, and everything the shop did (to check against at the end)."""

    def __init__(self, tmp: Path, products: int, settings: str, name: str):
        from desktop.sandbox import bigcommerce_seed, hike_seed
        from tests.reliability.test_crash_restart import App, Stores, keyring_usable
        from tests.reliability.test_one_writer import configure, simple_twins

        seed_file = tmp / "seed.json"
        seed_file.write_text(json.dumps({"bigcommerce": bigcommerce_seed.large(products),
                                         "hike": hike_seed.large(products)}))
        self.tmp, self.settings = tmp, SETTINGS[settings]
        self.app = App(tmp, name)
        keyring_usable(self.app)
        self.stores = Stores(seed_file, tmp, name)
        configure(self.app, self.stores, tmp, self.settings)
        self.sync()  # links the catalog, activates orders and sales
        self.twins = simple_twins(self.stores)
        self.expected: Counter[int] = Counter()  # Hike product id -> units its orders and sales take
        self.levels = {h: self.hike_level(h) for _, h in self.twins}
        self.sales: list[int] = []
        self.orders: list[int] = []
        self.emails: list[str] = []
        self.bc, self.hike, _ = self.stores.clients()
        self.rng = random.Random(20261204)

    def sync(self, *extra: str) -> None:
        result = self.app.run("sync", "--once", "--json", *extra)
        assert result.returncode == 0, (result.stdout, result.stderr)

    def hike_level(self, hike_id: int) -> Decimal:
        from tests.reliability.test_one_writer import hike_available

        return hike_available(self.stores, hike_id)

    def step(self, orders: int = 2, sales: int = 2, customers: int = 1) -> None:
        """The shop's own changes between two passes: storefront orders, sales at the till, new customers."""
        from tests.reliability.test_one_writer import sell

        for _ in range(sales):
            _, hike_id = self.rng.choice(self.twins)
            self.sales.append(sell(self.hike, hike_id))
            self.expected[hike_id] += 1
        for _ in range(orders):
            bc_id, hike_id = self.rng.choice(self.twins)
            response = httpx.post(f"{self.stores.bc}/__emulator/orders", timeout=30,
                                  json={"lines": [{"product_id": bc_id, "quantity": 1}]})
            self.orders.extend(response.json()["orders"])
            self.expected[hike_id] += 1
        for _ in range(customers):
            email = f"shopper{len(self.emails)}-{self.rng.randrange(10**6)}@example.net"
            self.bc.create_customers([{"email": email, "first_name": "New", "last_name": f"Shopper {len(self.emails)}"}])
            self.emails.append(email)

    def check(self) -> dict[str, Any]:
        bc = httpx.get(f"{self.stores.bc}/__emulator/state", timeout=120).json()
        hike = httpx.get(f"{self.stores.hike}/__emulator/state", timeout=120).json()
        references = Counter(o.get("external_order_id") for o in bc["orders"] if o.get("external_order_id"))
        numbers = Counter(str(s.get("number")) for s in hike["sales"])
        hike_emails = Counter((c.get("email") or "").lower() for c in hike.get("customers", []))
        bc_emails = Counter((c.get("email") or "").lower() for c in bc.get("customers", []))
        s15 = self.settings.get("hike_to_bc", {}).get("full_orders", False)
        full_orders = self.settings.get("bc_to_hike", {}).get("full_orders", True)
        duplicates = {
            "orders_for_a_sale": sum(n - 1 for ref, n in references.items() if n > 1),
            "sales_for_an_order": sum(numbers[str(o)] - 1 for o in self.orders if numbers[str(o)] > 1),
            "customers": sum(max(hike_emails[e] - 1, 0) + max(bc_emails[e] - 1, 0) for e in self.emails),
        }
        lost = {
            "sales": sum(1 for s in self.sales if s15 and references[f"hike-sale-{s}"] == 0),
            "orders": sum(1 for o in self.orders if full_orders and numbers[str(o)] == 0),
            "customers": sum(1 for e in self.emails if hike_emails[e] == 0),
        }
        moved_more = moved_less = 0
        bc_differences = 0
        bc_levels = {(p.get("sku") or "").lower(): p.get("inventory_level") for p in bc["products"]}
        skus = {p["id"]: (p.get("sku") or "").lower() for p in hike["products"]}
        for _, hike_id in self.twins:
            now = self.hike_level(hike_id)
            wanted = self.levels[hike_id] - self.expected[hike_id]
            moved_more += now < wanted
            moved_less += now > wanted
            if bc_levels.get(skus.get(hike_id)) != max(int(now), 0):
                bc_differences += 1
        return {"duplicates": sum(duplicates.values()), "duplicate_kinds": duplicates,
                "double_stock_moves": moved_more, "stock_moves_lost": moved_less,
                "orders_lost": lost["sales"] + lost["orders"], "lost_kinds": lost,
                "bc_stock_differences": bc_differences}

    def close(self) -> None:
        self.bc.close()
        self.hike.close()
        self.app.run("disconnect", "--wipe-history")
        self.stores.stop()


def kill_after(shop: Shop, procs: list[Any], requests: int) -> bool:
    """SIGKILL whichever of ``procs`` still runs once the stores have answered ``requests`` more (the writer that
    found the folder busy has left by then: the one holding it is killed mid-pass); False when all ended first."""
    target = shop.stores.answered() + requests
    deadline = time.monotonic() + 120
    while any(p.poll() is None for p in procs) and shop.stores.answered() < target and time.monotonic() < deadline:
        time.sleep(0.01)  # watching another process's progress
    alive = [p for p in procs if p.poll() is None]
    for proc in alive:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    return bool(alive)


def stop_service(proc: Any) -> None:
    """The headless service: its start-up pass, then SIGTERM (it lets a running pass finish)."""
    assert proc.stderr is not None
    for line in proc.stderr:
        if " finished: " in line:
            break
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=300)


def concurrent(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks concurrent")
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--settings", choices=sorted(SETTINGS), default="s15")
    parser.add_argument("--kill-chance", type=float, default=0.5)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    kills = refused = races = 0
    with tempfile.TemporaryDirectory() as tmp:
        shop = Shop(Path(tmp), args.products, args.settings, "concurrent")
        try:
            for _ in range(args.steps):
                shop.step()
                service = shop.rng.random() < 0.5
                first = shop.app.start_captured("sync", "--once", "--json")
                second = shop.app.start_captured("run") if service else shop.app.start_captured("sync", "--once")
                races += 1
                if shop.rng.random() < args.kill_chance:
                    kills += kill_after(shop, [first, second], shop.rng.randint(2, 40))
                for proc in (first, second):
                    if proc is second and service and proc.poll() is None:
                        stop_service(proc)
                    else:
                        out, err = proc.communicate(timeout=300)
                        refused += "is already working on the data folder" in (err or "")
            shop.sync()
            shop.sync()
            found = shop.check()
        finally:
            shop.close()
    result = {"benchmark": "concurrent", "products": args.products, "steps": args.steps, "settings": args.settings,
              "races": races, "kills": kills, "writers_refused": refused, "sales": len(shop.sales),
              "orders": len(shop.orders), "customers": len(shop.emails), **found,
              "wall_s": round(time.perf_counter() - t0, 1), "machine": machine()}
    emit(f"concurrent: large:{args.products}, {args.steps} steps, settings {args.settings}", [
        ("two writers started at once", races),
        ("SIGKILLs that landed", kills),
        ("writers refused (folder busy)", refused),
        ("sales / orders / new customers", f"{len(shop.sales)} / {len(shop.orders)} / {len(shop.emails)}"),
        ("duplicates", found["duplicates"]),
        ("double stock moves", found["double_stock_moves"]),
        ("stock moves lost", found["stock_moves_lost"]),
        ("orders or sales lost", found["orders_lost"]),
        ("wall time", f"{result['wall_s']} s"),
    ], result)
    return 0 if found["duplicates"] == found["double_stock_moves"] == found["orders_lost"] == 0 else 1


def restore(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks restore")
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="steps of selling and syncing after the copy")
    parser.add_argument("--settings", choices=sorted(SETTINGS), default="s15")
    args = parser.parse_args(argv)
    from tests.reliability.test_one_writer import configure
    from tests.reliability.test_restore import copy_database

    t0 = time.perf_counter()
    found: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case in ("older_copy", "fresh_database"):
            (Path(tmp) / case).mkdir()
            shop = Shop(Path(tmp) / case, args.products, args.settings, case)
            try:
                if case == "older_copy":
                    older = shop.tmp / "older.sqlite3"
                    copy_database(shop.app, older)
                    for _ in range(args.rounds):
                        shop.step()
                        shop.sync()
                    result = shop.app.run("restore-database", "--copy", str(older), "--json")
                    assert result.returncode == 0, result.stderr
                    shop.sync()
                else:
                    for _ in range(args.rounds):
                        shop.step()
                        shop.sync()
                    shop.step()  # while the app is down
                    for suffix in ("", "-wal", "-shm"):
                        (shop.app.data / f"sync.sqlite3{suffix}").unlink(missing_ok=True)
                    configure(shop.app, shop.stores, shop.tmp, shop.settings)
                    shop.sync("--orders-from", "last-synced")
                shop.sync()
                found[case] = shop.check()
            finally:
                shop.close()
    total = {key: sum(found[c][key] for c in found) for key in ("duplicates", "orders_lost")}
    total["stock_differences"] = sum(found[c]["double_stock_moves"] + found[c]["stock_moves_lost"]
                                     + found[c]["bc_stock_differences"] for c in found)
    result = {"benchmark": "restore", "products": args.products, "rounds": args.rounds, "settings": args.settings,
              **total, "cases": found, "wall_s": round(time.perf_counter() - t0, 1), "machine": machine()}
    rows = []
    for case, outcome in found.items():
        rows += [(f"{case}: duplicates", outcome["duplicates"]), (f"{case}: orders or sales lost", outcome["orders_lost"]),
                 (f"{case}: stock moved twice / lost / BigCommerce differs",
                  f"{outcome['double_stock_moves']} / {outcome['stock_moves_lost']} / {outcome['bc_stock_differences']}")]
    emit(f"restore: large:{args.products}, {args.rounds} rounds, settings {args.settings}",
         rows + [("wall time", f"{result['wall_s']} s")], result)
    return 0 if not any(total.values()) else 1
