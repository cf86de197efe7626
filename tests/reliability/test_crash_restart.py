"""N2: kill the app with SIGKILL at random points of a first sync, restart it each time, and end with the same
stores as an uninterrupted run: no duplicate product, no stock applied twice, nothing left pending.

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
            "bc_skus": Counter((p.get("sku") or "").lower() for p in bc["products"]),
            "bc_names": Counter(p["name"] for p in bc["products"]),
            "bc_variant_skus": Counter((v.get("sku") or "").lower() for p in bc["products"]
                                       for v in p.get("variants", []) if v.get("option_values")),
            "bc_stock": {(p.get("sku") or "").lower(): p.get("inventory_level") for p in bc["products"]},
            "hike_skus": Counter((p.get("sku") or "").lower() for p in hike["products"]),
            "hike_names": Counter(p["name"] for p in hike["products"] if not p.get("parentId")),
        }

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


def crash_run(tmp: Path, products: int, kills: int, seed: int = 20261127) -> dict[str, Any]:
    seed_file = tmp / "seed.json"
    seed_file.write_text(json.dumps({"bigcommerce": bigcommerce_seed.large(products),
                                     "hike": hike_seed.large(products)}))
    crashed, clean = App(tmp, "crashed"), App(tmp, "clean")
    keyring_usable(crashed)
    crashed_stores, clean_stores = Stores(seed_file, tmp, "crashed"), Stores(seed_file, tmp, "clean")
    rng = random.Random(seed)
    killed = 0
    try:
        for app, stores in ((crashed, crashed_stores), (clean, clean_stores)):
            prepare(app, stores, tmp)
        for _ in range(kills):
            target = crashed_stores.answered() + rng.randint(2, 60)
            proc = crashed.start("sync", "--once", "--json")
            deadline = time.monotonic() + 120
            while proc.poll() is None and crashed_stores.answered() < target and time.monotonic() < deadline:
                time.sleep(0.01)  # watching another process's progress, not waiting for a thread of ours
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed += 1
            proc.wait(timeout=60)
        for app in (crashed, clean):
            for _ in range(2):  # finish, then a pass that must find nothing left to do
                result = app.run("sync", "--once", "--json")
                assert result.returncode == 0, result.stderr
        status = json.loads(crashed.run("status", "--json").stdout)
        return {"crashed": crashed_stores.state(), "clean": clean_stores.state(), "killed": killed,
                "status": status}
    finally:
        for app in (crashed, clean):
            app.run("disconnect", "--wipe-history")
        crashed_stores.stop()
        clean_stores.stop()


def test_n2_sigkill_at_random_points_of_a_first_sync_then_restart(tmp_path):
    outcome = crash_run(tmp_path, products=120, kills=6)
    crashed, clean = outcome["crashed"], outcome["clean"]
    assert outcome["killed"] >= 3, "the kills must land mid-sync to prove anything"
    for key in ("bc_skus", "bc_names", "bc_variant_skus", "hike_skus", "hike_names"):
        duplicates = {k: n for k, n in crashed[key].items() if n > 1 and k}
        assert duplicates == {k: n for k, n in clean[key].items() if n > 1 and k}, (key, duplicates)
        assert crashed[key] == clean[key], key
    assert crashed["bc_stock"] == clean["bc_stock"], "no stock applied twice or lost"
    assert outcome["status"]["outbox"]["unfinished"] == 0, outcome["status"]["outbox"]
