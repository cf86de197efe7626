"""Start both sandbox stores in-process (threads): used by ``--sandbox`` mode, the tests and
``python -m desktop.sandbox``."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.sandbox import bigcommerce_seed, hike_seed
from desktop.sandbox.browser import SandboxPerson, person_for
from desktop.sandbox.bigcommerce import BigCommerceEmulator
from desktop.sandbox.hike import HikeEmulator
from desktop.sandbox.server import Clock, RunningServer


def resolve_seed(spec: str) -> dict[str, Any]:
    """``empty`` | ``demo`` | ``large:N`` (``large:N:images``) | a JSON file with ``{"bigcommerce": {...}, "hike": {...}}``, or with
    ``{"base": "demo", "reshape": {...}}`` (what ``diagnose --capture`` writes: a built-in seed answered in a real
    store's shapes; any seed file may carry ``reshape``)."""
    if spec == "empty":
        return {"bigcommerce": bigcommerce_seed.empty(), "hike": hike_seed.empty()}
    if spec == "demo":
        return {"bigcommerce": bigcommerce_seed.demo(), "hike": hike_seed.demo()}
    if spec.startswith("large:"):
        count, _, extra = spec.removeprefix("large:").partition(":")
        try:
            n = int(count)
        except ValueError:
            raise ValueError(f"large:N needs a whole number of products, got {spec!r}") from None
        if n < 1 or extra not in ("", "images"):
            raise ValueError("large:N needs at least 1 product (large:N:images gives two in three BigCommerce "
                             "products a photo)")
        return {"bigcommerce": bigcommerce_seed.large(n, images=extra == "images"), "hike": hike_seed.large(n)}
    path = Path(spec)
    if not path.is_file():
        raise ValueError(f"unknown seed {spec!r}: use empty, demo, large:N or a JSON file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"seed file {spec!r} is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"seed file {spec!r} must hold an object")
    if data.get("base"):
        if str(data["base"]) not in ("empty", "demo") and not str(data["base"]).startswith("large:"):
            raise ValueError(f"seed file {spec!r}: base must be empty, demo or large:N")
        seed = resolve_seed(str(data["base"]))
    else:
        seed = {"bigcommerce": data.get("bigcommerce") or bigcommerce_seed.empty(),
                "hike": data.get("hike") or hike_seed.empty()}
    reshape = data.get("reshape") or {}
    if not isinstance(reshape, dict):
        raise ValueError(f"seed file {spec!r}: reshape must map hike and bigcommerce to lists of rules")
    return {**seed, "reshape": reshape}


def parse_quota(text: str) -> tuple[int, float]:
    """``"150/30"`` → (150 requests, 30 seconds)."""
    try:
        count, seconds = text.split("/", 1)
        return int(count), float(seconds)
    except ValueError:
        raise ValueError(f"quota must look like REQUESTS/SECONDS (e.g. 150/30), got {text!r}") from None


@dataclass
class SandboxStores:
    bigcommerce: BigCommerceEmulator
    hike: HikeEmulator
    bc_server: RunningServer
    hike_server: RunningServer

    @property
    def info(self) -> dict[str, Any]:
        """Everything a client needs to connect, as ``python -m desktop.sandbox`` prints it."""
        bc, hike = self.bigcommerce, self.hike
        return {
            "bigcommerce": {
                "api_path": f"{self.bc_server.base_url}/stores/{bc.store_hash}/v3/",
                "store_hash": bc.store_hash,
                "access_token": bc.access_token,
            },
            "hike": {
                "base_url": self.hike_server.base_url,
                "client_id": hike.client_id,
                "client_secret": hike.client_secret,
                "username": hike.username,
                "password": hike.password,
            },
        }

    def person(self) -> SandboxPerson:
        """Who completes this sandbox's Hike sign-in (``open_browser`` for ``connections.connect_sandbox``)."""
        return person_for(self.info)

    def stop(self) -> None:
        self.bc_server.stop()
        self.hike_server.stop()


def start_sandbox(seed: str | dict[str, Any] = "demo", *, bc_port: int = 0, hike_port: int = 0,
                  bc_quota: str = "150/30", hike_quota: str = "60/60", hike_daily: int = 5000,
                  time_scale: float = 1.0, hike_rate_limit: bool = True) -> SandboxStores:
    data = resolve_seed(seed) if isinstance(seed, str) else seed
    clock = Clock(time_scale)  # one clock: both stores see the same emulated time
    bc_count, bc_window = parse_quota(bc_quota)
    hike_count, hike_window = parse_quota(hike_quota)
    if hike_window != 60:
        # Hike's limit is per rolling minute; a different window is expressed by scaling the count
        hike_count = max(1, round(hike_count * 60 / hike_window))
    bigcommerce = BigCommerceEmulator(clock=clock, quota=bc_count, window_s=bc_window)
    bigcommerce.load_seed(data["bigcommerce"])
    hike = HikeEmulator(clock=clock, minute_quota=hike_count, daily_quota=hike_daily, rate_limit=hike_rate_limit)
    hike.load_seed(data["hike"])
    reshape = data.get("reshape") or {}
    bigcommerce.reshape.set(reshape.get("bigcommerce") or [])  # a captured store's shapes (``diagnose --capture``)
    hike.reshape.set(reshape.get("hike") or [])
    bc_server = RunningServer(bigcommerce, bc_port)
    try:
        hike_server = RunningServer(hike, hike_port)
    except OSError:
        bc_server.stop()
        raise
    return SandboxStores(bigcommerce, hike, bc_server, hike_server)
