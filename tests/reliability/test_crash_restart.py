"""N2: kill the app with SIGKILL at random points of a first sync and of later incremental passes (each after
the same changes to both runs' stores), restart it each time, and end with the same stores as an uninterrupted
run: no duplicate product or customer, no stock applied twice, nothing left pending.

Real processes throughout: the sandbox stores in one process, ``hike-bc-sync-cli sync --once`` in another, killed
when the stores have answered a random number of requests (a seeded random, so a failure can be replayed). The
full-size version (large:2000, 20 kills) is ``python -m benchmarks crash``; CI runs a smaller one.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from desktop.sandbox import bigcommerce_seed, hike_seed

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {"inventory_outlet": "Main Street", "bigcommerce_location_id": 1, "shipping_tax": "GST",
            "tax_map": {"GST": "Default Tax Class", "No Tax": "Non-Taxable Products"}}


class App:
    """The CLI as its own process, on one data folder and keyring profile."""

    def __init__(self, tmp: Path, name: str):
        self.data = tmp / name
        self.profile = f"crash-{name}-{uuid.uuid4().hex[:6]}"
        self.env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.env.pop("HIKEBC_DATA_DIR", None)

    def args(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "desktop.cli", "--data-dir", str(self.data), "--profile", self.profile, *args]

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        result = subprocess.run(self.args(*args), cwd=ROOT, env=self.env, capture_output=True, text=True,
                                timeout=timeout)
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(self.args(*args), cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    def start_captured(self, *args: str) -> subprocess.Popen:
        """Started now, its output kept (``communicate()``)."""
        return subprocess.Popen(self.args(*args), cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)


class Stores:
    """Both sandbox stores as a separate process."""

    def __init__(self, seed_file: Path, tmp: Path, name: str):
        self.proc = subprocess.Popen([sys.executable, "-m", "desktop.sandbox", "--seed", str(seed_file),
                                      "--bc-quota", "100000/30", "--hike-quota", "100000/60"], cwd=ROOT,
                                     env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        self.info = json.loads(line)
        self.info_file = tmp / f"{name}-info.json"
        self.info_file.write_text(line)
        self.bc = self.info["bigcommerce"]["api_path"].split("/stores/")[0]
        self.hike = self.info["hike"]["base_url"]

    def answered(self) -> int:
        return sum(httpx.get(f"{base}/__emulator/requests", timeout=30).json()["count"]
                   for base in (self.bc, self.hike))

    def state(self) -> dict[str, Any]:
        bc = httpx.get(f"{self.bc}/__emulator/state", timeout=60).json()
        hike = httpx.get(f"{self.hike}/__emulator/state", timeout=60).json()
        bc_levels = {}
        for item in bc.get("inventory", []):
            bc_levels[(item.get("sku") or "").lower()] = item.get("quantity", item.get("level"))
        return {
            "bc_prices": {(p.get("sku") or "").lower(): str(p.get("price")) for p in bc["products"]},
            "customers": Counter((c.get("email") or "").lower() for c in bc.get("customers", []))
            + Counter((c.get("email") or "").lower() for c in hike.get("customers", [])),
            "bc_skus": Counter((p.get("sku") or "").lower() for p in bc["products"]),
            "bc_names": Counter(p["name"] for p in bc["products"]),
            "bc_variant_skus": Counter((v.get("sku") or "").lower() for p in bc["products"]
                                       for v in p.get("variants", []) if v.get("option_values")),
            "bc_stock": {(p.get("sku") or "").lower(): p.get("inventory_level") for p in bc["products"]},
            "hike_skus": Counter((p.get("sku") or "").lower() for p in hike["products"]),
            "hike_names": Counter(p["name"] for p in hike["products"] if not p.get("parentId")),
        }

    def clients(self) -> tuple[Any, Any, int]:
        """API clients of our own (not the app's), to make the shop's changes; and the inventory outlet's id."""
        from desktop.storage.credentials import Credentials
        from desktop.sync.bigcommerce import BigCommerceClient
        from desktop.sync.hike import HikeClient, hike_governor
        from desktop.sync.hike_oauth import tokens_from_response
        from tests.keyrings import MemoryKeyring

        credentials = Credentials("crash-shop", backend=MemoryKeyring())
        issued = httpx.post(f"{self.hike}/__emulator/tokens/issue", timeout=30).json()
        bc = BigCommerceClient(self.info["bigcommerce"]["api_path"], self.info["bigcommerce"]["access_token"])
        hike = HikeClient(self.hike, self.info["hike"]["client_id"], self.info["hike"]["client_secret"], credentials,
                          governor=hike_governor(per_minute=10**6, per_day=10**9))
        credentials.save_hike_tokens(tokens_from_response(issued), hike.store)
        outlet = next(o.id for o in hike.outlets() if o.name == SETTINGS["inventory_outlet"])
        return bc, hike, outlet

    def stop(self) -> None:
        self.info_file.unlink(missing_ok=True)  # it holds the sandbox's tokens
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def prepare(app: App, stores: Stores, tmp: Path) -> None:
    assert app.run("connect", "sandbox", "--info", str(stores.info_file)).returncode == 0
    settings = tmp / f"{app.profile}-settings.json"
    template = json.loads(app.run("configure", "--print-template").stdout)
    settings.write_text(json.dumps({**template, **SETTINGS}))
    assert app.run("configure", "--settings", str(settings)).returncode == 0


def keyring_usable(app: App) -> None:
    found = json.loads(app.run("info", "--json").stdout)
    if found["keyring_state"] != "ok":
        pytest.skip(f"no usable system keyring for the CLI processes ({found['keyring_backend']})")


def kill_somewhere(app: App, stores: Stores, rng: random.Random, most: int = 60) -> bool:
    """Start a pass and SIGKILL it once the stores have answered a random number (up to ``most``) of its requests."""
    target = stores.answered() + rng.randint(2, most)
    proc = app.start("sync", "--once", "--json")
    deadline = time.monotonic() + 120
    while proc.poll() is None and stores.answered() < target and time.monotonic() < deadline:
        time.sleep(0.01)  # watching another process's progress, not waiting for a thread of ours
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    return killed


def crash_run(tmp: Path, products: int, kills: int, seed: int = 20261127,
              incremental_kills: int | None = None) -> dict[str, Any]:
    """``kills`` SIGKILLs during the first sync, then ``incremental_kills`` (default: as many) during passes that
    each follow one step of the soak's changes (benchmarks/soak.py), made identically in the clean run's stores."""
    from benchmarks.soak import change_stores, choose_targets

    incremental_kills = kills if incremental_kills is None else incremental_kills
    seed_file = tmp / "seed.json"
    seed_file.write_text(json.dumps({"bigcommerce": bigcommerce_seed.large(products),
                                     "hike": hike_seed.large(products)}))
    crashed, clean = App(tmp, "crashed"), App(tmp, "clean")
    keyring_usable(crashed)
    crashed_stores, clean_stores = Stores(seed_file, tmp, "crashed"), Stores(seed_file, tmp, "clean")
    rng = random.Random(seed)
    killed = killed_later = 0
    try:
        shops = [stores.clients() for stores in (crashed_stores, clean_stores)]
        targets = [choose_targets(bc, hike) for bc, hike, _ in shops]  # from the seed, before any sync
        for app, stores in ((crashed, crashed_stores), (clean, clean_stores)):
            prepare(app, stores, tmp)
        for _ in range(kills):
            killed += kill_somewhere(crashed, crashed_stores, rng)
        finish(crashed, clean)
        try:
            for step in range(incremental_kills):
                for (bc, hike, outlet), chosen in zip(shops, targets):
                    change_stores(bc, hike, outlet, chosen, step, seed)
                killed_later += kill_somewhere(crashed, crashed_stores, rng, most=12)  # an incremental pass is short
                clean.run("sync", "--once", "--json")
        finally:
            for bc, hike, _ in shops:
                bc.close()
                hike.close()
        finish(crashed, clean)
        status = json.loads(crashed.run("status", "--json").stdout)
        return {"crashed": crashed_stores.state(), "clean": clean_stores.state(), "killed": killed,
                "killed_later": killed_later,
                "status": status}
    finally:
        for app in (crashed, clean):
            app.run("disconnect", "--wipe-history")
        crashed_stores.stop()
        clean_stores.stop()


def finish(*apps: App) -> None:
    for app in apps:
        for _ in range(2):  # finish, then a pass that must find nothing left to do
            result = app.run("sync", "--once", "--json")
            assert result.returncode == 0, result.stderr


def test_n2_sigkill_at_random_points_of_first_and_incremental_passes_then_restart(tmp_path):
    outcome = crash_run(tmp_path, products=120, kills=4, incremental_kills=4)
    crashed, clean = outcome["crashed"], outcome["clean"]
    assert outcome["killed"] >= 3, "the kills must land mid-sync to prove anything"
    assert outcome["killed_later"] >= 2, "and some in the incremental passes"
    for key in ("bc_skus", "bc_names", "bc_variant_skus", "hike_skus", "hike_names", "customers"):
        duplicates = {k: n for k, n in crashed[key].items() if n > 1 and k}
        assert duplicates == {k: n for k, n in clean[key].items() if n > 1 and k}, (key, duplicates)
        assert crashed[key] == clean[key], key
    assert crashed["bc_stock"] == clean["bc_stock"], "no stock applied twice or lost"
    assert crashed["bc_prices"] == clean["bc_prices"], "every price change arrived"
    assert outcome["status"]["outbox"]["unfinished"] == 0, outcome["status"]["outbox"]
