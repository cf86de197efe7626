"""``python -m benchmarks soak --minutes M --fault-rate P``: sync through random faults and still end right (N2–N4).

Two identical pairs of sandbox stores run the same script, step by step: each step changes products, stock and
customers on both sides and places a BigCommerce order (the same changes in both pairs), then runs one sync pass in
each pair. In the "faulty" pair every API request of a pass gets a random fault with chance P (429, 5xx, timeouts,
dropped connections, answers lost after the write, malformed bodies); the "clean" pair has none. After the last step
the faults stop and each pair runs one more pass. A checker then reads both pairs' stores through the APIs and
compares them record by record (products and variants by SKU, customers by email, Hike sales by number = order id,
the shopper's BigCommerce orders by email): ``differences`` must be 0 and so must ``duplicates`` (a SKU or email the
faulty pair holds more often than the clean one).

Script rules that keep the comparison fair: a product is only ever changed on one side (Hike changes the even
ones of the seed, BigCommerce the odd ones), because when both sides change one record between two passes the
newer change wins, and a pass delayed by faults can make a different change the newer one. The changes
themselves are made with faults off (they are the shop's doing, not the app's).

``--settings s15`` puts Hike sales to BigCommerce (S15) and stock-only orders (S9 without S10) over the soak's
settings (``benchmarks.exactly_once.SETTINGS``), and each step also makes Hike sales at the till, so S15 has work
and the shopper's order moves Hike stock. The checker then also compares the BigCommerce orders made from those
sales, named by the sale their ``external_order_id`` points to ("SKU@step": Hike numbers the sales itself), and
one held twice is a duplicate. Stock is compared on both sides in either case: BigCommerce's level of every product
and variant, Hike's on hand and available in the inventory outlet.

The whole pair runs in this process (emulators on threads, one SQLite file per pair); passes run at the API's
speed (no plan quotas: the soak is about faults, ``initial-sync`` about quotas). Bounded: ``--minutes`` of
wall time and ``--max-steps`` steps, retries bounded by the clients' retry policy.
"""
from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from benchmarks.exactly_once import SETTINGS as PRESETS
from benchmarks.report import emit, machine
from desktop.sandbox.server import FAULT_KINDS
from desktop.sandbox.stores import SandboxStores, start_sandbox
from desktop.storage.credentials import Credentials
from desktop.storage.db import close_db, init_db
from desktop.storage.models import LogEntry, PendingWork, Run
from desktop.sync.addresses import hike_api_base
from desktop.sync.bigcommerce import BigCommerceClient
from desktop.sync import mapping
from desktop.sync.engine import SyncEngine
from desktop.sync.hike import HikeClient, InventoryChange, hike_governor
from desktop.sync.hike_oauth import tokens_from_response
from desktop.sync.http import RetryPolicy
from desktop.sync.settings import Settings
from tests.keyrings import MemoryKeyring
from tests.reliability.test_one_writer import MAIN, sell

SETTINGS = {"inventory_outlet": "Main Street", "bigcommerce_location_id": 1, "shipping_tax": "GST",
            "tax_map": {"GST": "Default Tax Class", "No Tax": "Non-Taxable Products"}}
# faults every request may meet, the kind that pass by themselves (a 403 would be a real permission problem, not a
# fault to ride out); "timeout" answers after delay_s then drops, like a stalled proxy
SOAK_FAULTS = ["429", "500", "502", "503", "timeout", "drop", "drop_after", "malformed"]  # passing faults only
assert set(SOAK_FAULTS) <= FAULT_KINDS
TILL_SALES = 2  # with S15: Hike sales at the till per step (Hike's own products), each of 1 unit
RETRY = RetryPolicy(max_attempts=8, base_delay_s=0.005, max_delay_s=0.05)
TIME_SCALE = 30.0
STEP_CLOCK_S = 90  # store time between two passes: past the cursors' overlap, like a scheduled pass


@dataclass
class Pair:
    """Two sandbox stores, the app's clients and engine, and the app's own database."""

    name: str
    sandbox: SandboxStores
    bc: BigCommerceClient
    hike: HikeClient
    engine: SyncEngine
    database: Path
    targets: Targets | None = None
    sold: dict[int, str] = field(default_factory=dict)  # Hike sale id -> "SKU@step" of the script's till sales
    passes: int = 0
    passes_not_ok: int = 0
    raised: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, name: str, seed: str, folder: Path, preset: str = "defaults") -> "Pair":
        # store time runs TIME_SCALE times faster: a BigCommerce 429 that asks to wait out its 30 s window costs
        # 1 s of real time instead (the headers give real seconds; the client obeys them as it would for real)
        sandbox = start_sandbox(seed, bc_quota="100000/30", hike_rate_limit=False, time_scale=TIME_SCALE)
        info = sandbox.info
        sandbox.hike.settings["access_expiry_s"] = 10**8  # token refresh has its own tests
        credentials = Credentials(f"soak-{name}", backend=MemoryKeyring())
        credentials.save_hike_tokens(tokens_from_response(sandbox.hike.issue_token()),
                                     hike_api_base(info["hike"]["base_url"]))
        bc = BigCommerceClient(info["bigcommerce"]["api_path"], info["bigcommerce"]["access_token"], retry=RETRY)
        hike = HikeClient(info["hike"]["base_url"], info["hike"]["client_id"], info["hike"]["client_secret"],
                          credentials, retry=RETRY, governor=hike_governor(per_minute=10**6, per_day=10**9))
        settings = Settings.from_json({**Settings.template().to_json(), **SETTINGS, **PRESETS[preset]})
        pair = cls(name, sandbox, bc, hike, SyncEngine(bc, hike, settings), folder / f"{name}.sqlite3")
        pair.targets = choose_targets(bc, hike)  # from the seed, before any sync
        return pair

    def faults(self, rate: float, seed: int = 0) -> None:
        for app in (self.sandbox.bigcommerce, self.sandbox.hike):
            app.set_fault_rate(rate, SOAK_FAULTS, seed=seed, delay_s=0.2)
            seed += 1

    def faults_injected(self) -> int:
        return self.sandbox.bigcommerce.faults_injected + self.sandbox.hike.faults_injected

    def run_pass(self, trigger: str) -> str:
        init_db(self.database)  # one process, two apps: each pass binds its own pair's database
        try:
            self.passes += 1
            try:
                run = self.engine.run_pass(trigger)
                status = run.status
            except Exception as exc:  # a pass stopped by faults it could not retry through: logged, next pass resumes
                status = "raised"
                self.raised.append(f"{type(exc).__name__}: {exc}")
            if status != "ok":
                self.passes_not_ok += 1
            return status
        finally:
            close_db()

    def advance(self, seconds: float) -> None:
        self.sandbox.bigcommerce.clock.advance(seconds)  # one clock for both stores of a pair

    def close(self) -> None:
        self.bc.close()
        self.hike.close()
        self.sandbox.stop()


@dataclass(frozen=True)
class Targets:
    """The records the script changes, chosen once from the seed, before any sync: identical in every pair of
    stores however far each pair's syncing has got (a list read later would differ between a pair that lags
    behind and one that does not, and the script would then change different records)."""

    hike_ids: tuple[int, ...]  # Hike's own simple stocked products (even ones of the seed): Hike changes these
    bc_ids: tuple[int, ...]  # BigCommerce's own simple products (odd ones): BigCommerce renames and sells these
    till_ids: tuple[int, ...] = ()  # those of hike_ids on Hike's eCommerce channel (in BigCommerce): sold at the till


def choose_targets(bc: BigCommerceClient, hike: HikeClient) -> Targets:
    hike_products = sorted((p for p in hike.products() if p.sku and p.track_inventory and not p.has_variants
                            and not p.parent_id and not mapping.is_composite(p)), key=lambda p: p.sku)
    mine = [p for i, p in enumerate(hike_products) if i % 2 == 0]
    skus = {p.sku for p in mine}
    bc_products = sorted((p for p in bc.products() if p.sku and not p.has_options), key=lambda p: p.sku)
    theirs = [p for i, p in enumerate(bc_products) if i % 2 == 1 and p.sku not in skus]
    return Targets(tuple(p.id for p in mine), tuple(p.id for p in theirs),
                   tuple(p.id for p in mine if p.is_ecommerce))


def change_stores(bc: BigCommerceClient, hike: HikeClient, outlet: int, targets: Targets, step: int,
                  seed: int, *, till_sales: bool = False, sold: dict[int, str] | None = None) -> dict[str, int]:
    """The shop's own changes for one step: the same in every pair of stores (seeded by the step).

    ``till_sales`` (for S15): also ``TILL_SALES`` completed, paid sales of 1 unit at the till, of Hike's own
    products that BigCommerce sells too (the Hike side's, like its price and stock changes), drawn from a random
    of their own so the other changes stay those of a run without them; ``sold`` gets each sale's id ->
    ``"SKU@step"``, a name that does not depend on the numbers Hike gives."""
    rng = random.Random(seed * 100_003 + step)
    counts = Counter()
    if till_sales:
        counts.update(sell_at_till(hike, outlet, targets, step, seed, sold if sold is not None else {}))
    for product_id in rng.sample(targets.hike_ids, min(3, len(targets.hike_ids))):
        product = hike.product(product_id)
        row = product.outlet(outlet) if product else None
        if row is None:
            continue
        price = Decimal(rng.randint(500, 9000)) / 100
        hike.save_product({"id": product.id, "product_outlets": [
            {"outlet_id": outlet, "price_ex_tax": price, "tax_id": row.tax_id}]})
        counts["hike_price"] += 1
    stock = [InventoryChange(outlet_id=outlet, product_id=pid, on_hand=Decimal(rng.randint(0, 80)))
             for pid in rng.sample(targets.hike_ids, min(4, len(targets.hike_ids)))]
    if stock:
        hike.inventory_update(stock)
        counts["hike_stock"] += len(stock)

    for product_id in rng.sample(targets.bc_ids, min(3, len(targets.bc_ids))):
        name = bc.product(product_id).name
        bc.update_product(product_id, {"name": f"{name.split(' ~')[0]} ~{step}"})
        counts["bc_name"] += 1
    if step % 3 == 0:
        bc.create_product({"name": f"Soak Lamp {step}", "type": "physical", "weight": Decimal("1"),
                           "price": Decimal("35.00"), "sku": f"SOAK-LAMP-{step}"})
        counts["bc_new_product"] += 1
    # a shopper's order (a guest) for one of BigCommerce's own products: it becomes a parked Hike sale (S10)
    ordered = rng.choice(targets.bc_ids) if targets.bc_ids else None
    if ordered is not None:
        root = str(bc.http.client.base_url).split("/stores/")[0]
        httpx.post(f"{root}/__emulator/orders", timeout=30, json={
            "lines": [{"product_id": ordered, "quantity": rng.randint(1, 3)}], "shipping": "7.50",
            "payment_method": "Credit Card", "email": f"soak.guest.{step}@example.com",
            "first_name": "Soak", "last_name": f"Guest{step}"}).raise_for_status()
        counts["bc_orders"] += 1
    if step % 2 == 0:
        hike.save_customer({"first_name": "Soak", "last_name": f"Hike{step}",
                            "email": f"soak.hike.{step}@example.com"})
        bc.create_customers([{"first_name": "Soak", "last_name": f"Bc{step}",
                              "email": f"soak.bc.{step}@example.com"}])
        counts["customers"] += 2
    return dict(counts)


def sell_at_till(hike: HikeClient, outlet: int, targets: Targets, step: int, seed: int,
                 sold: dict[int, str]) -> Counter:
    """``TILL_SALES`` sales at the till of one unit each (``test_one_writer.sell``: Main Street, cash), of
    products with a unit available (Hike refuses a sale short of stock; both pairs hold the same Hike stock of
    these products, which only the script changes, so both make the same sales)."""
    assert outlet == MAIN, "the till sales are made in Main Street, the inventory outlet"
    rng = random.Random(f"till:{seed}:{step}")
    counts: Counter = Counter()
    for product_id in rng.sample(targets.till_ids, min(TILL_SALES, len(targets.till_ids))):
        product = hike.product(product_id)
        row = product.outlet(outlet) if product else None
        if product is None or row is None or row.available < 1:
            counts["till_sales_short_of_stock"] += 1
            continue
        sold[sell(hike, product_id)] = f"{product.sku}@{step}"
        counts["till_sales"] += 1
    return counts


def sale_name(sold: dict[int, str], reference: str) -> str:
    """The script's name for the sale an S15 order's ``external_order_id`` (``hike-sale-<id>``) points to."""
    from desktop.sync.orders import SALE_REFERENCE_PREFIX as REFERENCE_PREFIX

    sale_id = reference[len(REFERENCE_PREFIX):] if reference.startswith(REFERENCE_PREFIX) else ""
    return sold.get(int(sale_id), reference) if sale_id.isdigit() else reference


def store_view(pair: Pair) -> dict[str, Any]:
    """What a person would compare, read through the APIs: products and variants by SKU (stock included: the
    BigCommerce level of each product and variant, Hike's on hand and available in the inventory outlet),
    customers by email, Hike sales, and BigCommerce orders: those made from Hike sales (S15) by the sale their
    ``external_order_id`` names, the shoppers' by their email."""
    outlet = pair.engine.context().settings.inventory_outlet_id
    view: dict[str, Any] = {}
    counts: Counter = Counter()
    for p in pair.bc.products():
        key = (p.sku or f"#name:{p.name}").lower()
        counts[("bc", key)] += 1
        view[("bc", key)] = (p.name, str(p.price), p.inventory_level)
        for v in p.variants if p.has_options else ():
            vkey = (v.sku or "").lower()
            counts[("bc", vkey)] += 1
            view[("bc", vkey)] = (str(v.price), v.inventory_level)
    for h in pair.hike.products():
        key = (h.sku or f"#name:{h.name}").lower()
        counts[("hike", key)] += 1
        row = h.outlet(outlet)
        view[("hike", key)] = (h.name, *_hike_stock(row))
        for v in h.variants:
            vkey = (v.sku or f"#name:{v.name}").lower()
            counts[("hike", vkey)] += 1
            view[("hike", vkey)] = (v.name, *_hike_stock(v.outlet(outlet)))
    for sale in pair.hike.sales():
        # the script's till sales by their own name (Hike numbers them), the others (BigCommerce orders as
        # sales, S10) by their number, which is the order's id
        name = pair.sold.get(sale.id) or sale.number
        if name:
            key = ("hike-sale", name)
            counts[key] += 1
            view[key] = (sale.status, str(sale.net_amount), len(sale.lines), str(sale.total_paid))
    for order in pair.bc.orders():
        reference = str(order.raw.get("external_order_id") or "")
        email = str((order.billing_address or {}).get("email") or "").lower()
        if reference:  # made by this app from a Hike sale (S15): held twice is a duplicate
            key = ("bc-order-for-sale", sale_name(pair.sold, reference))
        elif email.startswith("soak.guest."):  # the script's shopper orders
            key = ("bc-order", email)
        else:
            continue
        counts[key] += 1
        view[key] = (order.status, str(order.total_inc_tax), len(pair.bc.order_lines(order)))
    for c in pair.bc.customers():
        key = ("bc-customer", (c.email or "").lower())
        counts[key] += 1
        view[key] = (c.first_name, c.last_name)
    for c in pair.hike.customers():
        key = ("hike-customer", (c.email or "").lower())
        counts[key] += 1
        view[key] = (c.first_name, c.last_name)
    return {"view": view, "counts": counts}


def _hike_stock(row: Any) -> tuple[str | None, str | None, str | None]:
    """Price, on hand and available of a product or variant in the inventory outlet."""
    if row is None:
        return None, None, None
    return str(row.price_ex_tax), str(row.on_hand), str(row.available)


ONCE_ONLY = {"bc-order-for-sale"}  # held twice is a duplicate in either pair: one order per Hike sale


def compare(faulty: dict[str, Any], clean: dict[str, Any]) -> tuple[list[str], list[str]]:
    keys = set(faulty["view"]) | set(clean["view"])
    differences = [f"{k}: faulty {faulty['view'].get(k)!r} clean {clean['view'].get(k)!r}"
                   for k in sorted(keys, key=str) if faulty["view"].get(k) != clean["view"].get(k)]
    duplicates = [f"{k}: {n} (clean {clean['counts'][k]})" for k, n in faulty["counts"].items()
                  if n > 1 and n > clean["counts"][k]]
    duplicates += [f"{k}: {n} in the {side} pair" for side, found in (("faulty", faulty), ("clean", clean))
                   for k, n in found["counts"].items() if k[0] in ONCE_ONLY and n > 1
                   and not (side == "faulty" and n > clean["counts"][k])]  # not counted twice
    return differences, duplicates


def unaccounted_failures(pair: Pair) -> int:
    """Passes that did not end ok with no run row saying why (the log must account for every failure)."""
    init_db(pair.database)
    try:
        runs = list(Run.select())
        failed_runs = [r for r in runs if r.status != "ok"]
        silent = sum(1 for r in failed_runs if not r.message and not LogEntry.select().where(
            LogEntry.run == r, LogEntry.result != "ok").exists())
        return max(0, pair.passes_not_ok - len(failed_runs)) + silent
    finally:
        close_db()


def pending_left(pair: Pair) -> int:
    init_db(pair.database)
    try:
        return PendingWork.select().where(PendingWork.status.in_(("pending", "in_progress"))).count()
    finally:
        close_db()


def soak(*, products: int, minutes: float, fault_rate: float, max_steps: int, seed: int,
         keep: Path | None = None, settings: str = "defaults") -> dict[str, Any]:
    """``settings``: a preset of ``benchmarks.exactly_once.SETTINGS`` over the soak's own; with Hike sales sent
    to BigCommerce (S15) the script also sells at the till (``sell_at_till``)."""
    till_sales = PRESETS[settings].get("hike_to_bc", {}).get("full_orders", False)
    with tempfile.TemporaryDirectory() as scratch:
        folder = keep or scratch
        faulty = Pair.start("faulty", f"large:{products}", Path(folder), settings)
        clean = Pair.start("clean", f"large:{products}", Path(folder), settings)
        t0 = time.perf_counter()
        changes: Counter = Counter()
        steps = 0
        try:
            for pair in (faulty, clean):
                pair.run_pass("first_sync")  # the first activation runs fault-free: the soak is about what follows
            deadline = time.perf_counter() + minutes * 60  # the soak's minutes start after the first syncs
            while steps < max_steps and time.perf_counter() < deadline:
                for pair in (faulty, clean):
                    pair.faults(0)
                    step_changes = change_stores(pair.bc, pair.hike, pair.engine.context().settings.inventory_outlet_id,
                                                 pair.targets, steps, seed, till_sales=till_sales, sold=pair.sold)
                    pair.advance(STEP_CLOCK_S)
                changes.update(step_changes)
                faulty.faults(fault_rate, seed=seed + steps)
                faulty.run_pass("schedule")
                clean.run_pass("schedule")
                steps += 1
            faulty.faults(0)
            for pair in (faulty, clean):
                pair.advance(STEP_CLOCK_S)
                pair.run_pass("schedule")  # faults off: one more pass must bring everything level
            wall = time.perf_counter() - t0
            clean_view = store_view(clean)
            differences, duplicates = compare(store_view(faulty), clean_view)
            requests = {side: len([r for r in app.request_log if not r["path"].startswith("/__emulator/")])
                        for side, app in (("bigcommerce", faulty.sandbox.bigcommerce), ("hike", faulty.sandbox.hike))}
            result = {
                "benchmark": "soak", "products": products, "minutes": minutes, "fault_rate": fault_rate,
                "settings": settings, "seed": seed, "steps": steps, "changes": dict(changes),
                # Hike numbered the script's till sales alike in both pairs (it numbers only sales made, and the app
                # makes none with stock-only orders): the views name them "SKU@step" all the same
                "sale_ids_identical": faulty.sold == clean.sold, "faults_injected": faulty.faults_injected(),
                "passes": faulty.passes, "passes_not_ok": faulty.passes_not_ok,
                "unaccounted_failures": unaccounted_failures(faulty), "pending_left": pending_left(faulty),
                "records_compared": len(clean_view["view"]), "differences": len(differences),
                "duplicates": len(duplicates), "requests": requests, "wall_s": round(wall, 1),
                "difference_examples": differences[:5], "duplicate_examples": duplicates[:5],
                "machine": machine(),
            }
        finally:
            faulty.close()
            clean.close()
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks soak")
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--max-steps", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--keep", type=Path, help="keep both apps' databases in this folder, to read their logs")
    parser.add_argument("--settings", choices=sorted(PRESETS), default="defaults",
                        help="s15: Hike sales to BigCommerce and stock-only orders (and sales at the till)")
    args = parser.parse_args(argv)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    result = soak(products=args.products, minutes=args.minutes, fault_rate=args.fault_rate,
                  max_steps=args.max_steps, seed=args.seed, keep=args.keep, settings=args.settings)
    emit(f"soak: large:{args.products}, {args.fault_rate:.0%} of requests faulty, {args.minutes:g} min, "
         f"settings {args.settings}", [
        ("steps (passes)", f"{result['steps']} ({result['passes']}, {result['passes_not_ok']} not ok)"),
        ("faults injected", str(result["faults_injected"])),
        ("changes made", str(result["changes"])),
        *([("Hike numbered the till sales alike in both pairs", str(result["sale_ids_identical"]))]
          if result["changes"].get("till_sales") else []),
        ("records compared", str(result["records_compared"])),
        ("differences", f"{result['differences']} {result['difference_examples']}"),
        ("duplicates", f"{result['duplicates']} {result['duplicate_examples']}"),
        ("failures not in the log", str(result["unaccounted_failures"])),
        ("outbox left unfinished", str(result["pending_left"])),
        ("wall time", f"{result['wall_s']} s"),
    ], result)
    return 0 if not result["differences"] and not result["duplicates"] else 1
