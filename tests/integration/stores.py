"""Both sandbox stores with connected clients, for engine and CLI tests over real HTTP."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from desktop.sandbox.stores import SandboxStores, start_sandbox
from desktop.storage.credentials import Credentials
from desktop.sync.addresses import bigcommerce_api_base, hike_api_base
from desktop.sync.bigcommerce import BigCommerceClient
from desktop.sync.hike import HikeClient
from desktop.sync.hike_oauth import tokens_from_response
from desktop.sync.http import RetryPolicy
from tests.keyrings import MemoryKeyring

FAST_RETRY = RetryPolicy(max_attempts=6, base_delay_s=0.01, max_delay_s=0.05)


@dataclass
class Connected:
    sandbox: SandboxStores
    bc: BigCommerceClient
    hike: HikeClient
    credentials: Credentials

    def control(self, side: str, method: str, name: str, **kwargs: Any) -> Any:
        server = self.sandbox.bc_server if side == "bigcommerce" else self.sandbox.hike_server
        response = httpx.request(method, f"{server.base_url}/__emulator/{name}", timeout=30, **kwargs)
        response.raise_for_status()
        return response.json()

    def requests(self, side: str, clear: bool = False) -> list[dict[str, Any]]:
        log = self.control(side, "GET", "requests", params={"clear": 1} if clear else None)["requests"]
        return [r for r in log if not r["path"].startswith("/__emulator/")]

    def close(self) -> None:
        self.bc.close()
        self.hike.close()
        self.sandbox.stop()


def connect(seed: str | dict = "demo", **kwargs: Any) -> Connected:
    """Both stores running, the BigCommerce token and fresh Hike tokens in an in-memory keyring."""
    kwargs.setdefault("bc_quota", "100000/30")
    kwargs.setdefault("hike_rate_limit", False)
    sandbox = start_sandbox(seed, **kwargs)
    info = sandbox.info
    credentials = Credentials("test", backend=MemoryKeyring())
    bc_store = bigcommerce_api_base(info["bigcommerce"]["api_path"])[0]  # the identities secrets are kept under
    hike_store = hike_api_base(info["hike"]["base_url"])
    credentials.save_bigcommerce_token(info["bigcommerce"]["access_token"], bc_store)
    credentials.save_hike_tokens(tokens_from_response(sandbox.hike.issue_token()), hike_store)
    bc = BigCommerceClient(info["bigcommerce"]["api_path"], credentials.load_bigcommerce_token(bc_store),
                           retry=FAST_RETRY)
    hike = HikeClient(info["hike"]["base_url"], info["hike"]["client_id"], info["hike"]["client_secret"],
                      credentials, retry=FAST_RETRY)
    return Connected(sandbox, bc, hike, credentials)
