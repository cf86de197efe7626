"""N7, issue 14 finding 2: the app's own recovery advice must never double or lose.

(a) ``restore-database`` to an older copy, then sync: the sales synced since that copy became a second BigCommerce
order each, and the orders moved Hike stock a second time. Now a pass looks its creates up in the store first.
(b) "Move the damaged file away and start again": the orders placed before the damage never synced, and every run
said ok. Now a new database that finds this app's orders in the stores asks where orders start counting
(``--orders-from``), defaulting to the last order already brought in.

Real processes: the sandbox stores in one, ``hike-bc-sync-cli`` in others, on the real keyring.
"""
from __future__ import annotations

import json
import sqlite3
from collections import Counter

import httpx

from desktop.sandbox import bigcommerce_seed, hike_seed
from tests.reliability.test_crash_restart import App, Stores, keyring_usable
from tests.reliability.test_one_writer import S15_STOCK_ONLY, configure, hike_available, sell, simple_twins


def copy_database(app: App, to) -> None:
    """An older copy, as a person keeps one (SQLite's online backup: whole even with a WAL beside it)."""
    source, dest = sqlite3.connect(str(app.data / "sync.sqlite3")), sqlite3.connect(str(to))
    try:
        source.backup(dest)
    finally:
        source.close()
        dest.close()


def shop(stores: Stores, twins, sales_at: slice, orders_at: slice) -> tuple[list[int], dict[int, int]]:
    """Hike sales of some products and BigCommerce orders of others: (sale ids, {order id: Hike product id})."""
    bc, hike, _ = stores.clients()
    try:
        sales = [sell(hike, hike_id) for _, hike_id in twins[sales_at]]
    finally:
        bc.close()
        hike.close()
    orders = {}
    for bc_id, hike_id in twins[orders_at]:
        response = httpx.post(f"{stores.bc}/__emulator/orders", timeout=30,
                              json={"lines": [{"product_id": bc_id, "quantity": 1}]})
        (order_id,) = response.json()["orders"]
        orders[order_id] = hike_id
    return sales, orders


def order_references(stores: Stores) -> Counter:
    state = httpx.get(f"{stores.bc}/__emulator/state", timeout=60).json()
    return Counter(o.get("external_order_id") for o in state["orders"] if o.get("external_order_id"))


def sync(app: App, *extra: str) -> dict:
    result = app.run("sync", "--once", "--json", *extra)
    assert result.returncode == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def started(tmp_path, name: str) -> tuple[App, Stores, list]:
    seed_file = tmp_path / "seed.json"
    seed_file.write_text(json.dumps({"bigcommerce": bigcommerce_seed.large(40), "hike": hike_seed.large(40)}))
    app = App(tmp_path, name)
    keyring_usable(app)
    stores = Stores(seed_file, tmp_path, name)
    configure(app, stores, tmp_path, S15_STOCK_ONLY)
    sync(app)  # links the catalog, activates orders and sales
    twins = simple_twins(stores)
    assert len(twins) >= 12
    return app, stores, twins


def test_n7_finding2a_a_restored_older_database_doubles_nothing(tmp_path):
    app, stores, twins = started(tmp_path, "restored")
    try:
        older = tmp_path / "older.sqlite3"
        copy_database(app, older)
        sales, orders = shop(stores, twins, slice(0, 3), slice(3, 6))
        sold = [hike_id for _, hike_id in twins[0:3]]
        before = {hike_id: hike_available(stores, hike_id) for hike_id in [*orders.values(), *sold]}
        sync(app)
        assert all(order_references(stores)[f"hike-sale-{s}"] == 1 for s in sales)
        assert all(hike_available(stores, h) == before[h] - 1 for h in orders.values())

        restored = app.run("restore-database", "--copy", str(older), "--json")
        assert restored.returncode == 0, restored.stderr
        sync(app)
        sync(app)

        references = order_references(stores)
        for sale_id in sales:
            assert references[f"hike-sale-{sale_id}"] == 1, (sale_id, references)
        for order_id, hike_id in orders.items():
            assert hike_available(stores, hike_id) == before[hike_id] - 1, (order_id, "stock moved twice")
        for hike_id in sold:  # the sale's own unit only: its BigCommerce order never comes back to move it (D10)
            assert hike_available(stores, hike_id) == before[hike_id], (hike_id, "an S15 order came back to Hike")
        log = json.loads(app.run("log", "--json", "--limit", "200").stdout)["entries"]
        relinked = [e for e in log if e["action"] == "link" and e["entity"] in ("order", "sale")]
        assert len(relinked) == len(sales) + len(orders), "each one found in the store and linked, and said so"
        assert all("not sent again" in e["message"] for e in relinked)
    finally:
        app.run("disconnect", "--wipe-history")
        stores.stop()


def test_n7_finding2b_starting_again_on_a_new_database_loses_no_order_and_doubles_none(tmp_path):
    app, stores, twins = started(tmp_path, "again")
    try:
        synced_sales, synced_orders = shop(stores, twins, slice(0, 2), slice(2, 4))
        sync(app)
        # the database breaks; while the app is down the shop goes on
        down_sales, down_orders = shop(stores, twins, slice(4, 6), slice(6, 8))
        orders = {**synced_orders, **down_orders}
        before = {h: hike_available(stores, h) for h in down_orders.values()}
        after_first = {h: hike_available(stores, h) for h in synced_orders.values()}
        for suffix in ("", "-wal", "-shm"):
            damaged = app.data / f"sync.sqlite3{suffix}"
            if damaged.exists():
                damaged.rename(tmp_path / f"damaged.sqlite3{suffix}")
        configure(app, stores, tmp_path, S15_STOCK_ONLY)  # reconnect and configure, as the advice says

        asked = app.run("sync", "--once", "--json")
        assert asked.returncode == 2, (asked.stdout, asked.stderr)
        message = json.loads(asked.stdout)["error"]
        assert "--orders-from" in message and "2 orders placed since" in message and "2 sales made since" in message, \
            message
        assert order_references(stores) == Counter({f"hike-sale-{s}": 1 for s in synced_sales}), "nothing sent yet"
        assert app.run("sync", "--once", "--orders-from", "tomorrow-ish").returncode == 2
        preview = json.loads(app.run("preflight", "--json").stdout)["orders_start"]  # the preview says it too
        assert preview["orders_since"] == 2 and preview["sales_since"] == 2

        sync(app, "--orders-from", "last-synced")
        sync(app)

        references = order_references(stores)
        for sale_id in synced_sales + down_sales:
            assert references[f"hike-sale-{sale_id}"] == 1, (sale_id, references)
        for hike_id in down_orders.values():
            assert hike_available(stores, hike_id) == before[hike_id] - 1, "an order placed while down moved stock once"
        for hike_id in synced_orders.values():
            assert hike_available(stores, hike_id) == after_first[hike_id], "an order synced before: not moved again"
        assert len(orders) == 4
    finally:
        app.run("disconnect", "--wipe-history")
        stores.stop()
