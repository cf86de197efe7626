"""Fixtures for the sandbox emulators' tests: a real HTTP server on 127.0.0.1, real httpx clients."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from desktop.sandbox import hike_seed
from desktop.sandbox.hike import HikeEmulator
from desktop.sandbox.server import RunningServer

DEMO = hike_seed.demo()
CLIENT_ID, CLIENT_SECRET = "sandbox-hike-app", "sandbox-hike-secret"
USERNAME, PASSWORD = "manager@sandbox.hike", "sandbox"
REDIRECT = "http://127.0.0.1:53682/callback"  # a desktop app's loopback listener on some port


def authorize_params(redirect_uri: str = REDIRECT, state: str = "st-123", **extra: str) -> dict[str, str]:
    return {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": redirect_uri, "scope": "all",
            "state": state, **extra}


def redirect_query(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    return {k: v[-1] for k, v in parse_qs(urlsplit(location).query).items()}


def get_code(client: httpx.Client, redirect_uri: str = REDIRECT, state: str = "st-123") -> str:
    """Sign in and allow in one form POST (what a test without a browser does)."""
    form = {**authorize_params(redirect_uri, state), "username": USERNAME, "password": PASSWORD,
            "decision": "allow"}
    query = redirect_query(client.post("/oauth/authorize", data=form))
    assert query["state"] == state
    return query["code"]


def exchange(client: httpx.Client, code: str, redirect_uri: str = REDIRECT, **override: str) -> httpx.Response:
    data = {"grant_type": "authorization_code", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "code": code, "redirect_uri": redirect_uri, **override}
    return client.post("/oauth/token", data=data)


def refresh(client: httpx.Client, refresh_token: str) -> httpx.Response:
    return client.post("/oauth/token", data={"grant_type": "refresh_token", "client_id": CLIENT_ID,
                                             "client_secret": CLIENT_SECRET, "refresh_token": refresh_token})


def login(client: httpx.Client) -> dict[str, Any]:
    response = exchange(client, get_code(client))
    assert response.status_code == 200, response.text
    return response.json()


@dataclass
class Sandbox:
    app: HikeEmulator
    base_url: str
    api: httpx.Client  # sends the bearer token
    anon: httpx.Client  # no token: OAuth pages and /__emulator/ controls
    token: dict[str, Any]

    def ctl(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        response = self.anon.request(method, f"/__emulator/{path}", json=body, params=params or None)
        assert response.status_code == 200, response.text
        return response.json()

    def settings(self, **values: Any) -> dict[str, Any]:
        return self.ctl("POST", "settings", values)

    def advance(self, seconds: float) -> None:
        self.ctl("POST", "clock", {"advance_s": seconds})

    def history(self, product_id: int, outlet_id: int | None = None) -> list[dict[str, Any]]:
        params = {"product_id": product_id}
        if outlet_id is not None:
            params["outlet_id"] = outlet_id
        return self.ctl("GET", "inventory_history", **params)["items"]

    def product(self, product_id: int) -> dict[str, Any]:
        response = self.api.get(f"/api/v1/products/get/{product_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def stock(self, product_id: int, outlet_id: int) -> dict[str, Any]:
        product = self.product(product_id)
        rows = product["product_outlets"]
        return next(r for r in rows if r["outlet_id"] == outlet_id)

    def post(self, path: str, body: Any) -> httpx.Response:
        return self.api.post(f"/api/v1/{path}", json=body)


@pytest.fixture(scope="session")
def hike_server() -> Iterator[RunningServer]:
    server = RunningServer(HikeEmulator(rate_limit=False))
    yield server
    server.stop()


@pytest.fixture
def hike(hike_server: RunningServer) -> Iterator[Sandbox]:
    """The demo store, default settings (rate limit off), and a token from a real OAuth flow."""
    app: HikeEmulator = hike_server.app  # type: ignore[assignment]
    app.reset()
    app.load_seed(DEMO)
    # these tests read lists without page_size to test other things, so they set the lenient mode explicitly;
    # the emulator refuses such a call by default, as Hike does (A5; test_page_size_limits checks both)
    app.settings["strict_page_size"] = False
    with httpx.Client(base_url=hike_server.base_url, timeout=10) as anon:
        token = login(anon)
        with httpx.Client(base_url=hike_server.base_url, timeout=10,
                          headers={"Authorization": f"Bearer {token['access_token']}"}) as api:
            yield Sandbox(app, hike_server.base_url, api, anon, token)


def abp_message(response: httpx.Response) -> str:
    body = response.json()
    assert body["success"] is False and body["__abp"] is True
    return body["error"]["message"] + " " + " ".join(
        v["message"] for v in body["error"].get("validationErrors") or [])


def html_text(response: httpx.Response) -> str:
    return re.sub(r"\s+", " ", response.text)
