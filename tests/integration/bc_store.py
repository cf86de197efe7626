"""A BigCommerce sandbox store on 127.0.0.1 for client tests, with helpers for its /__emulator/ controls."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from desktop.sandbox import bigcommerce_seed
from desktop.sandbox.bigcommerce import BigCommerceEmulator
from desktop.sandbox.server import Clock, RunningServer
from desktop.sync.bigcommerce import BigCommerceClient
from desktop.sync.http import RetryPolicy

FAST_RETRY = RetryPolicy(base_delay_s=0.01, max_delay_s=0.05)


@dataclass
class BCStore:
    emulator: BigCommerceEmulator
    server: RunningServer

    @property
    def api_path(self) -> str:
        return f"{self.server.base_url}/stores/{self.emulator.store_hash}/v3/"

    def control(self, method: str, name: str, **kwargs: Any) -> Any:
        response = httpx.request(method, f"{self.server.base_url}/__emulator/{name}", **kwargs)
        response.raise_for_status()
        return response.json()

    def fault(self, path: str, *responses: str, method: str | None = None, delay_s: float = 5.0) -> None:
        self.control("POST", "faults", json={"path": path, "responses": list(responses), "method": method,
                                             "delay_s": delay_s})

    def requests(self, clear: bool = False) -> list[dict[str, Any]]:
        return self.control("GET", "requests", params={"clear": 1} if clear else None)["requests"]

    def api_requests(self, method: str | None = None, path_contains: str = "") -> list[dict[str, Any]]:
        return [r for r in self.requests() if not r["path"].startswith("/__emulator/")
                and (method is None or r["method"] == method) and path_contains in r["path"]]

    def client(self, token: str | None = None, **kwargs: Any) -> BigCommerceClient:
        kwargs.setdefault("retry", FAST_RETRY)
        return BigCommerceClient(self.api_path, token or self.emulator.access_token, **kwargs)

    def stop(self) -> None:
        self.server.stop()


def start_bc_store(seed: dict[str, Any] | None = None, *, quota: int = 100_000, window_s: float = 30.0,
                   time_scale: float = 1.0) -> BCStore:
    emulator = BigCommerceEmulator(clock=Clock(time_scale), quota=quota, window_s=window_s)
    emulator.load_seed(seed if seed is not None else bigcommerce_seed.demo())
    return BCStore(emulator, RunningServer(emulator))
