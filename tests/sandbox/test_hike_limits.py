"""Rate limits, injected faults, request validation (Content-Type, JSON, size) of the Hike emulator (A4, A5, B3)."""
from __future__ import annotations

import httpx
import pytest

from desktop.sandbox.hike import HikeEmulator
from desktop.sandbox.server import RunningServer

from .conftest import Sandbox, abp_message, login, refresh

RATE_BODY = "oauth_problem=rate limit exceeded&oauth_problem_advice=please wait before retrying the Hike api"


def _assert_429(response: httpx.Response, problem: str) -> int:
    assert response.status_code == 429
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == RATE_BODY
    assert response.headers["x-rate-limit-problem"] == problem
    retry = int(response.headers["retry-after"])
    assert retry >= 1
    return retry


def test_minute_limit_is_rolling_and_refused_calls_count(hike: Sandbox) -> None:
    hike.settings(rate_limit=True, minute_quota=3, daily_quota=1000)
    for _ in range(3):
        assert hike.api.get("/api/v1/taxes/get_all").status_code == 200
    hike.advance(30)
    retry = _assert_429(hike.api.get("/api/v1/taxes/get_all"), "Minute")
    assert 29 <= retry <= 31  # the first call leaves the window 60 s after it was made
    hike.advance(31)  # the first three calls have left the window, but the refused one has not
    assert hike.api.get("/api/v1/taxes/get_all").status_code == 200
    assert hike.api.get("/api/v1/taxes/get_all").status_code == 200
    _assert_429(hike.api.get("/api/v1/taxes/get_all"), "Minute")  # refused call + 2 + this one
    hike.advance(61)
    assert hike.api.get("/api/v1/taxes/get_all").status_code == 200
    # the emulator's own controls and OAuth are never limited
    assert hike.anon.get("/__emulator/state?summary=1").status_code == 200


def test_daily_limit(hike: Sandbox) -> None:
    hike.settings(rate_limit=True, minute_quota=100, daily_quota=4, access_expiry_s=10 * 86400)
    token = refresh(hike.anon, hike.token["refresh_token"]).json()  # a token that outlives the day
    assert token["expires_in"] == 10 * 86400
    hike.api.headers["Authorization"] = f"Bearer {token['access_token']}"
    for _ in range(4):
        hike.advance(120)
        assert hike.api.get("/api/v1/outlets/get_all").status_code == 200
    hike.advance(120)
    retry = _assert_429(hike.api.get("/api/v1/outlets/get_all"), "Daily")
    # calls at 120, 240, 360, 480 s and the refused one at 600 s: a slot opens when the 240 s call leaves
    assert retry == 240 + 86400 - 600
    hike.advance(retry - 2)
    _assert_429(hike.api.get("/api/v1/outlets/get_all"), "Daily")
    hike.advance(2 + 120)  # the refused call above counts too, so one more call must leave the window
    assert hike.api.get("/api/v1/outlets/get_all").status_code == 200
    assert hike.ctl("GET", "state", summary=1)["rate"]["day_used"] == 4


def test_time_scale_compresses_the_window_and_retry_after() -> None:
    app = HikeEmulator(minute_quota=2, daily_quota=100)
    server = RunningServer(app)
    try:
        with httpx.Client(base_url=server.base_url, timeout=5) as client:
            token = login(client)["access_token"]
            client.post("/__emulator/clock", json={"time_scale": 120})
            headers = {"Authorization": f"Bearer {token}"}
            page = {"page_size": 50}  # as every client sends it (A5: refused without)
            client.get("/api/v1/taxes/get_all", headers=headers, params=page)
            client.get("/api/v1/taxes/get_all", headers=headers, params=page)
            limited = client.get("/api/v1/taxes/get_all", headers=headers, params=page)
            assert limited.status_code == 429 and limited.headers["retry-after"] == "1"  # 60 s / 120 -> 1 real s
    finally:
        server.stop()


def test_limits_from_the_constructor() -> None:
    app = HikeEmulator(minute_quota=1, daily_quota=10)
    server = RunningServer(app)
    try:
        with httpx.Client(base_url=server.base_url, timeout=5) as client:
            token = login(client)["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            page = {"page_size": 50}  # as every client sends it (A5: refused without)
            assert client.get("/api/v1/taxes/get_all", headers=headers, params=page).status_code == 200
            _assert_429(client.get("/api/v1/taxes/get_all", headers=headers, params=page), "Minute")
            assert client.get("/__emulator/settings").json()["minute_quota"] == 1
    finally:
        server.stop()


def test_injected_429_looks_like_a_real_one(hike: Sandbox) -> None:
    hike.ctl("POST", "faults", {"path": "products/get_all", "responses": ["429"], "delay_s": 7})
    response = hike.api.get("/api/v1/products/get_all")
    assert _assert_429(response, "Minute") == 7
    assert hike.api.get("/api/v1/products/get_all").status_code == 200


@pytest.mark.parametrize("kind,status", [("500", 500), ("502", 502), ("503", 503)])
def test_injected_status_faults(hike: Sandbox, kind: str, status: int) -> None:
    hike.ctl("POST", "faults", {"path": "customers", "method": "GET", "responses": [kind]})
    assert hike.post("customers/createOrUpdate", {"first_name": "Not", "last_name": "Faulted"}).status_code == 201
    response = hike.api.get("/api/v1/customers/get_all")
    assert response.status_code == status
    if kind == "500":
        assert "internal error" in abp_message(response)
    assert hike.api.get("/api/v1/customers/get_all").status_code == 200


def test_injected_timeout_drop_and_malformed(hike: Sandbox) -> None:
    hike.ctl("POST", "faults", {"path": "taxes", "responses": ["timeout"], "delay_s": 0.5})
    with pytest.raises(httpx.ReadTimeout):
        hike.api.get("/api/v1/taxes/get_all", timeout=0.2)
    hike.ctl("POST", "faults", {"path": "taxes", "responses": ["drop"]})
    with pytest.raises(httpx.TransportError):
        hike.api.get("/api/v1/taxes/get_all")
    hike.ctl("POST", "faults", {"path": "taxes", "responses": ["malformed"]})
    response = hike.api.get("/api/v1/taxes/get_all")
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()
    assert hike.api.get("/api/v1/taxes/get_all").json()["totalCount"] == 2
    log = hike.ctl("GET", "requests")
    assert log["faults_injected"] >= 3


def test_wrong_content_type_and_bad_json_are_400(hike: Sandbox) -> None:
    form = hike.api.post("/api/v1/customers/createOrUpdate", data={"first_name": "Form"})
    assert form.status_code == 400 and "Content-Type" in abp_message(form)
    plain = hike.api.post("/api/v1/customers/createOrUpdate", content=b'{"first_name": "X"}',
                          headers={"Content-Type": "text/plain"})
    assert plain.status_code == 400
    text_json = hike.api.post("/api/v1/customers/createOrUpdate", content=b'{"first_name": "Text"}',
                              headers={"Content-Type": "text/json; charset=utf-8"})
    assert text_json.status_code == 201
    broken = hike.api.post("/api/v1/customers/createOrUpdate", content=b'{"first_name": ',
                           headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json()["__abp"] is True


def test_body_over_4_mb_is_413(hike: Sandbox) -> None:
    big = b'{"name": "' + b"x" * (4 * 1024 * 1024) + b'"}'
    response = hike.api.post("/api/v1/products/create", content=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    just_under = b'[' + b",".join([b'{"name": "n"}'] * 10) + b']'
    assert hike.api.post("/api/v1/products/create", content=just_under,
                         headers={"Content-Type": "application/json"}).status_code == 201


def test_request_log_and_405(hike: Sandbox) -> None:
    assert hike.api.delete("/api/v1/taxes/get_all").status_code == 405
    log = hike.ctl("GET", "requests")["requests"]
    assert log[-1]["path"] == "/api/v1/taxes/get_all" and log[-1]["status"] == 405


def test_random_fault_rate_hits_that_share_of_requests_and_turns_off(hike: Sandbox) -> None:
    """The soak's fault mode: each API request is faulty with the given chance (seeded); DELETE turns it off."""
    before = hike.ctl("GET", "requests")["faults_injected"]
    hike.ctl("POST", "faults", {"rate": 0.5, "kinds": ["503"], "seed": 3})
    statuses = [hike.api.get("/api/v1/taxes/get_all").status_code for _ in range(40)]
    assert set(statuses) == {200, 503}
    assert 8 <= statuses.count(503) <= 32
    assert hike.ctl("GET", "requests")["faults_injected"] - before == statuses.count(503)
    hike.ctl("DELETE", "faults")
    assert {hike.api.get("/api/v1/taxes/get_all").status_code for _ in range(10)} == {200}
    bad = hike.api.post("/__emulator/faults", json={"rate": 2})
    assert bad.status_code == 400
