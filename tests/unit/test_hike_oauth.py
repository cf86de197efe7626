"""The Hike OAuth pieces that need no emulator (C1): consent URL, loopback receiver, token answers and failures.

The receiver is exercised over real loopback HTTP; token calls use ``httpx.MockTransport``. No test sleeps or
depends on timing: every request to the receiver completes before ``wait`` is called.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from desktop.storage.logs import redact
from desktop.sync import errors
from desktop.sync.hike_oauth import (
    APP_DISPLAY_NAME, InvalidClient, LoopbackReceiver, OAuthCancelled, OAuthDenied, OAuthError, OAuthTimeout,
    RECONNECT_MESSAGE, authorization_url, exchange_code, new_state, refresh, sign_in, tokens_from_response,
)

NOW = datetime(2026, 5, 1, 3, 4, 5, tzinfo=timezone.utc)


def _get(url: str) -> httpx.Response:
    return httpx.get(url, timeout=5)


# -- consent URL ---------------------------------------------------------------------------------------------
def test_c1_authorization_url_has_code_flow_scope_all_and_state():
    url = authorization_url("https://api.hikeup.com/", "app-1", "http://127.0.0.1:5123/callback", "st-xyz")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "api.hikeup.com", "/oauth/authorize")
    assert query == {"response_type": "code", "client_id": "app-1", "redirect_uri": "http://127.0.0.1:5123/callback",
                     "scope": "all", "state": "st-xyz"}


def test_c1_state_is_random_and_url_safe():
    states = {new_state() for _ in range(50)}
    assert len(states) == 50
    assert all(len(s) >= 30 and all(c.isalnum() or c in "-_" for c in s) for s in states)


# -- loopback receiver -----------------------------------------------------------------------------------------
def test_c1_receiver_listens_on_loopback_random_port_and_returns_the_code():
    with LoopbackReceiver() as rx:
        assert rx.redirect_uri.startswith("http://127.0.0.1:") and rx.port > 0
        page = _get(f"{rx.redirect_uri}?code=the-code-123&state={rx.state}")
        assert page.status_code == 200
        assert "You can close this window and return to Hike \u2194 BigCommerce Sync" in page.text
        assert page.headers["content-type"].startswith("text/html")
        assert rx.wait(5) == "the-code-123"


def test_c1_two_receivers_get_different_ports_and_states():
    with LoopbackReceiver() as a, LoopbackReceiver() as b:
        assert a.port != b.port and a.state != b.state


def test_c1_state_mismatch_is_refused_with_an_error_page():
    with LoopbackReceiver() as rx:
        page = _get(f"{rx.redirect_uri}?code=planted&state=not-{rx.state}")
        assert page.status_code == 400
        assert "state mismatch" in page.text and "planted" not in page.text
        with pytest.raises(OAuthError, match="state mismatch") as info:
            rx.wait(5)
        assert not isinstance(info.value, OAuthDenied)


def test_c1_missing_state_is_a_mismatch_too():
    with LoopbackReceiver() as rx:
        _get(f"{rx.redirect_uri}?code=abc")
        with pytest.raises(OAuthError, match="state mismatch"):
            rx.wait(5)


def test_c1_access_denied_becomes_oauth_denied_with_a_plain_page():
    with LoopbackReceiver() as rx:
        page = _get(f"{rx.redirect_uri}?error=access_denied&state={rx.state}")
        assert page.status_code == 200
        assert "not allowed" in page.text and "You can close this window" in page.text
        with pytest.raises(OAuthDenied, match="not allowed"):
            rx.wait(5)


def test_c1_other_redirect_errors_are_named():
    with LoopbackReceiver() as rx:
        _get(f"{rx.redirect_uri}?error=invalid_scope&error_description=scope+must+be+all&state={rx.state}")
        with pytest.raises(OAuthError, match="invalid_scope .scope must be all.") as info:
            rx.wait(5)
        assert not isinstance(info.value, OAuthDenied)


def test_c1_receiver_ignores_other_paths_and_empty_requests_then_takes_the_real_one():
    with LoopbackReceiver() as rx:
        base = f"http://127.0.0.1:{rx.port}"
        assert _get(base + "/favicon.ico").status_code == 404
        assert _get(rx.redirect_uri).status_code == 400  # no code, no error: not a sign-in answer
        assert _get(f"{rx.redirect_uri}?code=real&state={rx.state}").status_code == 200
        again = _get(f"{rx.redirect_uri}?code=second&state={rx.state}")
        assert "already finished" in again.text
        assert rx.wait(5) == "real"


def test_c1_receiver_times_out_when_nothing_arrives():
    rx = LoopbackReceiver()
    with pytest.raises(OAuthTimeout, match="not finished in time"):
        rx.wait(0.01)
    with pytest.raises(httpx.ConnectError):  # the listener is gone afterwards
        _get(rx.redirect_uri)


def test_c1_cancel_ends_the_wait():
    rx = LoopbackReceiver()
    rx.cancel()
    with pytest.raises(OAuthCancelled):
        rx.wait(5)


def test_c1_receiver_uses_the_given_path_and_fixed_port():
    probe = LoopbackReceiver()
    port = probe.port
    probe.close()
    with LoopbackReceiver(port=port, path="/") as rx:
        assert rx.redirect_uri == f"http://127.0.0.1:{port}/"
        _get(f"{rx.redirect_uri}?code=code-xq42&state={rx.state}")
        assert rx.wait(5) == "code-xq42"


def test_c1_busy_port_gives_a_plain_message():
    with LoopbackReceiver() as rx:
        with pytest.raises(OAuthError, match="Another program may be using that port"):
            LoopbackReceiver(port=rx.port)


# -- tokens ----------------------------------------------------------------------------------------------------
def _token_server(answer: httpx.Response | Exception, seen: list | None = None) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        if isinstance(answer, Exception):
            raise answer
        return answer
    return httpx.MockTransport(handler)


def test_c1_exchange_code_posts_a_form_and_computes_expiry():
    seen: list[httpx.Request] = []
    answer = httpx.Response(200, json={"access_token": "acc-111111", "token_type": "bearer", "expires_in": 3600,
                                       "refresh_token": "ref-111111"})
    tokens = exchange_code("https://api.hikeup.com", "app-1", "secret-1", "code-1", "http://127.0.0.1:1/callback",
                           transport=_token_server(answer, seen), now=NOW)
    assert (tokens.access_token, tokens.refresh_token) == ("acc-111111", "ref-111111")
    assert tokens.expires_at == NOW + timedelta(seconds=3600)
    request = seen[0]
    assert request.method == "POST" and request.url.path == "/oauth/token"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert {k: v[0] for k, v in parse_qs(request.content.decode()).items()} == {
        "grant_type": "authorization_code", "client_id": "app-1", "client_secret": "secret-1", "code": "code-1",
        "redirect_uri": "http://127.0.0.1:1/callback"}


def test_c1_refresh_keeps_the_old_refresh_token_when_none_comes_back():
    answer = httpx.Response(200, json={"access_token": "acc-222222", "token_type": "bearer", "expires_in": "600"})
    seen: list[httpx.Request] = []
    tokens = refresh("https://api.hikeup.com", "app-1", "secret-1", "old-refresh-1",
                     transport=_token_server(answer, seen), now=NOW)
    assert tokens.refresh_token == "old-refresh-1"
    assert tokens.expires_at == NOW + timedelta(seconds=600)
    assert parse_qs(seen[0].content.decode())["grant_type"] == ["refresh_token"]


def test_c1_refresh_takes_a_rotated_refresh_token():
    answer = httpx.Response(200, json={"access_token": "acc-333333", "refresh_token": "new-refresh-3"})
    tokens = refresh("https://api.hikeup.com", "a", "secret-1", "old-refresh-3", transport=_token_server(answer), now=NOW)
    assert tokens.refresh_token == "new-refresh-3"
    assert tokens.expires_at == NOW + timedelta(seconds=3600)  # expires_in missing: the documented default [I]


@pytest.mark.parametrize("answer", [
    httpx.Response(400, json={"error": "invalid_grant", "error_description": "The refresh token is revoked."}),
    httpx.Response(401, text="error=invalid_grant&error_description=expired",
                   headers={"Content-Type": "application/x-www-form-urlencoded"}),
    httpx.Response(400, text="Bad request: invalid_grant"),
])
def test_c1_refused_refresh_means_reconnect(answer):
    with pytest.raises(errors.ReconnectNeeded) as info:
        refresh("https://api.hikeup.com", "a", "secret-1", "ref-444444", transport=_token_server(answer))
    assert info.value.message == RECONNECT_MESSAGE


def test_c1_refused_code_asks_to_sign_in_again():
    answer = httpx.Response(400, json={"error": "invalid_grant", "error_description": "code already used"})
    with pytest.raises(errors.ReconnectNeeded, match="Sign in with Hike' again"):
        exchange_code("https://api.hikeup.com", "a", "secret-1", "code-5", "http://127.0.0.1:1/", transport=_token_server(answer))


def test_c1_invalid_client_names_the_client_id_and_secret():
    answer = httpx.Response(400, json={"error": "invalid_client"})
    with pytest.raises(InvalidClient, match="client id or client secret"):
        refresh("https://api.hikeup.com", "a", "secret-1", "ref-555555", transport=_token_server(answer))


def test_c1_no_network_is_a_clear_transient_error():
    with pytest.raises(errors.Transient, match="Could not reach Hike at api.hikeup.com") as info:
        refresh("https://api.hikeup.com", "a", "secret-1", "ref-666666",
                transport=_token_server(httpx.ConnectError("Name or service not known")))
    assert not isinstance(info.value, errors.AmbiguousWrite)


def test_c1_token_server_errors_are_transient_and_garbage_is_an_oauth_error():
    with pytest.raises(errors.Transient, match="503"):
        refresh("https://api.hikeup.com", "a", "secret-1", "ref-777777", transport=_token_server(httpx.Response(503)))
    with pytest.raises(OAuthError, match="could not be read"):
        refresh("https://api.hikeup.com", "a", "secret-1", "ref-777777",
                transport=_token_server(httpx.Response(200, text="<html>proxy login</html>")))
    with pytest.raises(OAuthError, match="no access token"):
        tokens_from_response({"token_type": "bearer"})


def test_n1_tokens_and_codes_are_masked_in_logs():
    tokens_from_response({"access_token": "acc-secret-888", "refresh_token": "ref-secret-888", "expires_in": 60})
    line = redact("got acc-secret-888 and ref-secret-888")
    assert "acc-secret-888" not in line and "ref-secret-888" not in line


# -- the whole flow without an emulator -------------------------------------------------------------------------
def test_c1_sign_in_runs_the_flow_end_to_end():
    def token_endpoint(request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        assert form["code"] == "flow-code-9" and form["redirect_uri"].startswith("http://127.0.0.1:")
        return httpx.Response(200, content=json.dumps({"access_token": "acc-999999", "expires_in": 60,
                                                       "refresh_token": "ref-999999"}))

    pages: list[str] = []

    def browser(url: str) -> None:  # Hike approves at once and redirects back, as the real page would
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        pages.append(_get(f"{query['redirect_uri']}?code=flow-code-9&state={query['state']}").text)

    tokens = sign_in("https://api.hikeup.com", "app-1", "secret-1", browser, timeout_s=5,
                     transport=httpx.MockTransport(token_endpoint))
    assert tokens.access_token == "acc-999999" and tokens.refresh_token == "ref-999999"
    assert APP_DISPLAY_NAME in pages[0]


def test_c1_sign_in_reports_a_browser_that_cannot_open():
    def browser(url: str) -> None:
        raise RuntimeError("no display")

    with pytest.raises(OAuthError, match="Could not open a web browser"):
        sign_in("https://api.hikeup.com", "app-1", "secret-1", browser, timeout_s=5)


def test_c1_sign_in_can_be_cancelled_from_the_waiting_hook():
    with pytest.raises(OAuthCancelled):
        sign_in("https://api.hikeup.com", "app-1", "secret-1", lambda url: None, timeout_s=5,
                on_waiting=lambda receiver: receiver.cancel())


def test_c1_sign_in_refuses_a_non_loopback_return_uri():
    with pytest.raises(OAuthError, match="loopback"):
        sign_in("https://api.hikeup.com", "a", "secret-1", lambda url: None, redirect_uri="https://example.com/cb")
