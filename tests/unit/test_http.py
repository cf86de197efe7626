"""The shared HTTP layer with httpx.MockTransport: pacing, retries, classification (N3, N4)."""
from __future__ import annotations

import random

import httpx
import pytest

from desktop.sync import errors
from desktop.sync.http import (ApiTransport, BigCommerceGovernor, ErrorDetail, Governor, HikeGovernor,
                               RetryPolicy)


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def make(handler, governor=None, t=None, **kwargs):
    t = t or FakeTime()
    governor = governor or Governor(clock=t.clock, sleep=t.sleep)
    return ApiTransport("BigCommerce", "https://api.bigcommerce.com/stores/abc123/", governor, auth_headers=lambda: {"X-Auth-Token": "tkn"},
                        transport=httpx.MockTransport(handler), sleep=t.sleep, rng=random.Random(1),
                        retry=RetryPolicy(base_delay_s=0.1), **kwargs), t


def test_n4_transient_5xx_timeouts_and_drops_are_retried_then_succeed():
    answers = iter(["500", "timeout", "drop", "503", "ok"])

    def handler(request):
        kind = next(answers)
        if kind == "timeout":
            raise httpx.ReadTimeout("slow", request=request)
        if kind == "drop":
            raise httpx.RemoteProtocolError("Server disconnected", request=request)
        if kind == "ok":
            return httpx.Response(200, json={"data": [1]})
        return httpx.Response(int(kind), text="oops")

    api, t = make(handler)
    api.retry = RetryPolicy(max_attempts=6, base_delay_s=0.1)
    assert api.request("GET", "/x").data == {"data": [1]}
    assert len(t.slept) == 4 and all(0.05 <= s <= 1.6 for s in t.slept)
    assert api.stats["retries"] == 4


def test_n4_retries_are_bounded():
    api, t = make(lambda r: httpx.Response(502))
    with pytest.raises(errors.Transient, match="502") as info:
        api.request("GET", "/x")
    assert api.stats["requests"] == api.retry.max_attempts
    assert info.value.retryable


def test_n4_malformed_body_is_retried_for_reads():
    answers = iter([b'{"data": [', b'{"data": []}'])
    api, _ = make(lambda r: httpx.Response(200, content=next(answers), headers={"Content-Type": "application/json"}))
    assert api.request("GET", "/x").data == {"data": []}


@pytest.mark.parametrize("failure", ["timeout", "drop", "500", "malformed"])
def test_n2_lost_answer_to_a_write_is_never_blindly_resent(failure):
    calls = []

    def handler(request):
        calls.append(request)
        if failure == "timeout":
            raise httpx.ReadTimeout("slow", request=request)
        if failure == "drop":
            raise httpx.RemoteProtocolError("dropped", request=request)
        if failure == "malformed":
            return httpx.Response(201, content=b"{", headers={"Content-Type": "application/json"})
        return httpx.Response(500)

    api, _ = make(handler)
    with pytest.raises(errors.AmbiguousWrite, match="may or may not"):
        api.request("POST", "/products", json_body={"sku": "A"})
    assert len(calls) == 1


def test_write_that_never_left_is_retried():
    answers = iter(["connect", "ok"])

    def handler(request):
        if next(answers) == "connect":
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(201, json={"data": {"id": 5}})

    api, _ = make(handler)
    assert api.request("POST", "/products", json_body={}).data["data"]["id"] == 5


def test_401_refreshes_once_then_retries():
    tokens = iter(["old", "new"])
    current = {"token": next(tokens)}
    seen = []

    def handler(request):
        seen.append(request.headers["Authorization"])
        return httpx.Response(200, json={}) if request.headers["Authorization"] == "Bearer new" else httpx.Response(401)

    def refresh():
        current["token"] = next(tokens)

    t = FakeTime()
    api = ApiTransport("Hike", "https://api.hikeup.com/api/v1/", Governor(clock=t.clock, sleep=t.sleep),
                       auth_headers=lambda: {"Authorization": f"Bearer {current['token']}"}, refresh=refresh,
                       transport=httpx.MockTransport(handler), sleep=t.sleep)
    api.request("GET", "/api/v1/outlets/get_all")
    assert seen == ["Bearer old", "Bearer new"]


def test_401_after_refresh_is_reconnect_needed():
    api, _ = make(lambda r: httpx.Response(401), refresh=lambda: None)
    with pytest.raises(errors.ReconnectNeeded):
        api.request("GET", "/x")


def test_refresh_failure_propagates_as_reconnect():
    def refresh():
        raise errors.ReconnectNeeded("Hike sign-in expired", store="Hike")

    api, _ = make(lambda r: httpx.Response(401), refresh=refresh)
    with pytest.raises(errors.ReconnectNeeded, match="expired"):
        api.request("GET", "/x")


def describe(response):
    body = response.json()
    field = next(iter(body.get("errors", {})), None)
    return ErrorDetail(body["title"], field, body.get("errors", {}).get(field))


@pytest.mark.parametrize("status,kind", [(403, errors.MissingPermission), (404, errors.NotFound),
                                         (409, errors.Conflict), (422, errors.ValidationFailed),
                                         (413, errors.ValidationFailed), (501, errors.PlanNotSupported),
                                         (418, errors.SyncError)])
def test_permanent_errors_are_classified_not_retried(status, kind):
    body = {"status": status, "title": "The product sku is a duplicate", "errors": {"sku": "ABC-1"}}
    api, _ = make(lambda r: httpx.Response(status, json=body), describe=describe)
    with pytest.raises(kind) as info:
        api.request("PUT", "/x", json_body={})
    assert type(info.value) is kind
    assert api.stats["requests"] == 1
    if status == 409:
        assert info.value.field == "sku" and info.value.value == "ABC-1"
        assert "duplicate" in str(info.value)


def test_n3_bigcommerce_governor_waits_for_reset_instead_of_429():
    t = FakeTime()
    left = {"n": 3}

    def handler(request):
        left["n"] -= 1
        return httpx.Response(200, json={}, headers={"X-Rate-Limit-Requests-Left": str(max(left["n"], 0)),
                                                     "X-Rate-Limit-Time-Reset-Ms": "5000",
                                                     "X-Rate-Limit-Requests-Quota": "3"})

    gov = BigCommerceGovernor(clock=t.clock, sleep=t.sleep)
    api, _ = make(handler, governor=gov, t=t)
    for _ in range(3):
        api.request("GET", "/x")
    assert t.slept == []
    assert gov.budget().requests_left == 0 and gov.budget().quota == 3
    api.request("GET", "/x")
    assert t.slept == [pytest.approx(5.0)]


def test_n3_bigcommerce_429_waits_the_reset_header():
    answers = iter([httpx.Response(429, headers={"X-Rate-Limit-Time-Reset-Ms": "1500"}),
                    httpx.Response(429), httpx.Response(200, json={})])
    t = FakeTime()
    api, _ = make(lambda r: next(answers), governor=BigCommerceGovernor(clock=t.clock, sleep=t.sleep), t=t)
    api.request("GET", "/x")
    assert t.slept[0] == pytest.approx(1.5)
    assert t.slept[1] == pytest.approx(2.0), "a 429 without headers waits a safe default"
    assert api.stats["http_429"] == 2


def test_n3_hike_governor_paces_60_a_minute_and_stops_at_the_daily_limit():
    t = FakeTime()
    gov = HikeGovernor(per_minute=60, per_day=130, clock=t.clock, sleep=t.sleep)
    for _ in range(60):
        gov.before_request()
    assert t.slept == []
    gov.before_request()
    assert t.slept == [pytest.approx(60.0)]
    for _ in range(69):
        gov.before_request()
    assert gov.budget().calls_left_today == 0
    with pytest.raises(errors.DailyLimitReached) as info:
        gov.before_request()
    assert info.value.retry_after_s > 0 and "resumes by itself" in info.value.message


def test_n3_hike_429_daily_raises_and_minute_waits():
    t = FakeTime()
    gov = HikeGovernor(clock=t.clock, sleep=t.sleep)
    minute = httpx.Response(429, headers={"X-Rate-Limit-Problem": "Minute", "Retry-After": "7"})
    assert gov.wait_after_429(minute) == 7
    daily = httpx.Response(429, headers={"X-Rate-Limit-Problem": "Daily", "Retry-After": "3600"})
    with pytest.raises(errors.DailyLimitReached):
        gov.wait_after_429(daily)


def test_hike_time_scale_compresses_the_windows():
    t = FakeTime()
    gov = HikeGovernor(per_minute=2, time_scale=60.0, clock=t.clock, sleep=t.sleep)
    for _ in range(3):
        gov.before_request()
    assert t.slept == [pytest.approx(1.0)]


def test_log_lines_carry_the_path_only(caplog):
    api, _ = make(lambda r: httpx.Response(500))
    api.retry = RetryPolicy(max_attempts=2, base_delay_s=0.01)
    with caplog.at_level("INFO"), pytest.raises(errors.Transient):
        api.request("GET", "/customers", params={"email:in": "karen@example.com"})
    assert "karen@example.com" not in caplog.text and "tkn" not in caplog.text
    assert "/customers" in caplog.text


@pytest.mark.parametrize("store, base", [("BigCommerce", "https://api.bigcommerce.com@127.0.0.1:8443/stores/a/"),
                                         ("BigCommerce", "https://evil.example/stores/a/"),
                                         ("Hike", "http://192.0.2.2:8099/api/v1/"),
                                         ("Test store", "https://store.test")])
def test_f5_the_transport_refuses_a_base_address_off_its_store_s_host(store, base):
    """Issue 14 finding 5 (defence in depth): even a caller that skipped the checks gets no transport there."""
    with pytest.raises(ValueError):
        ApiTransport(store, base, Governor(), auth_headers=lambda: {"X-Auth-Token": "tkn"},
                     transport=httpx.MockTransport(lambda r: httpx.Response(200)))


@pytest.mark.parametrize("url", ["https://evil.example/v3/catalog/products", "http://api.bigcommerce.com/v2/store",
                                 "https://api.bigcommerce.com:8443/v2/store",
                                 "https://x@api.bigcommerce.com.evil.example/v2/store"])
def test_f5_an_absolute_url_to_another_host_is_refused_before_it_is_sent(url):
    """Issue 14 finding 5 (defence in depth): httpx follows an absolute URL past the base; the transport checks
    every request before it leaves, so the auth header never goes there."""
    sent = []
    api, _ = make(lambda r: sent.append(r) or httpx.Response(200, json={}))
    with pytest.raises(ValueError, match="only sends tokens over https to https://api.bigcommerce.com"):
        api.request("GET", url)
    assert sent == []
    api.request("GET", "v2/store")
    assert [str(r.url) for r in sent] == ["https://api.bigcommerce.com/stores/abc123/v2/store"]
