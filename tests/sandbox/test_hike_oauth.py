"""OAuth 2.0 authorization code flow of the Hike emulator, over real HTTP (notes A3, B2)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx

from .conftest import (
    CLIENT_ID, PASSWORD, REDIRECT, USERNAME, Sandbox, authorize_params, exchange, get_code, html_text, redirect_query,
    refresh,
)


def _hidden(html: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert m, f"no hidden {name} in the page"
    return m.group(1)


def test_full_flow_through_the_html_pages(hike: Sandbox) -> None:
    page = hike.anon.get("/oauth/authorize", params=authorize_params(state="abc 123"))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    text = html_text(page)
    assert "<form" in text and 'name="username"' in text and 'type="password"' in text
    assert "Hike" in text and "Hike \u2194 BigCommerce Sync" in text
    # the sign-in form carries the OAuth parameters as hidden fields
    form = {k: _hidden(page.text, k) for k in ("response_type", "client_id", "redirect_uri", "scope", "state")}
    assert form["state"] == "abc 123" and form["redirect_uri"] == REDIRECT

    consent = hike.anon.post("/oauth/authorize", data={**form, "username": USERNAME.upper(), "password": PASSWORD})
    assert consent.status_code == 200
    text = html_text(consent)
    assert "Allow access" in text and "Deny" in text and "Hike \u2194 BigCommerce Sync" in text
    ticket = _hidden(consent.text, "ticket")

    query = redirect_query(hike.anon.post("/oauth/authorize", data={"ticket": ticket, "decision": "allow"}))
    assert query["state"] == "abc 123" and query["code"]
    token = exchange(hike.anon, query["code"])
    assert token.status_code == 200
    body = token.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert body["access_token"] and body["refresh_token"]
    assert hike.anon.get("/api/v1/outlets/get_all", headers={"Authorization": f"Bearer {body['access_token']}"}
                         ).status_code == 200
    # a consent ticket is single-use
    again = hike.anon.post("/oauth/authorize", data={"ticket": ticket, "decision": "allow"})
    assert again.status_code == 400


def test_redirect_keeps_the_path_and_lands_on_the_loopback_uri(hike: Sandbox) -> None:
    form = {**authorize_params("http://localhost:49152/oauth/done?x=1"), "username": USERNAME,
            "password": PASSWORD, "decision": "allow"}
    response = hike.anon.post("/oauth/authorize", data=form)
    location = urlsplit(response.headers["location"])
    assert (location.hostname, location.port, location.path) == ("localhost", 49152, "/oauth/done")
    assert "x=1" in location.query and "code=" in location.query


def test_wrong_password_is_shown_on_the_page(hike: Sandbox) -> None:
    form = {**authorize_params(), "username": USERNAME, "password": "wrong"}
    response = hike.anon.post("/oauth/authorize", data=form)
    assert response.status_code == 200
    assert "incorrect" in response.text and 'role="alert"' in response.text
    assert 'name="password"' in response.text  # still the sign-in form, username kept
    assert f'value="{USERNAME}"' in response.text
    form["decision"] = "allow"  # a decision does not skip the password check
    assert hike.anon.post("/oauth/authorize", data=form).status_code == 200


def test_deny_redirects_with_access_denied(hike: Sandbox) -> None:
    form = {**authorize_params(state="s1"), "username": USERNAME, "password": PASSWORD, "decision": "deny"}
    assert redirect_query(hike.anon.post("/oauth/authorize", data=form)) == {"error": "access_denied", "state": "s1"}
    hike.settings(deny_authorize=True)
    query = redirect_query(hike.anon.get("/oauth/authorize", params=authorize_params(state="s2")))
    assert query == {"error": "access_denied", "state": "s2"}


def test_authorize_refuses_unknown_client_and_foreign_redirect(hike: Sandbox) -> None:
    bad_client = hike.anon.get("/oauth/authorize", params={**authorize_params(), "client_id": "nope"})
    assert bad_client.status_code == 400 and "location" not in bad_client.headers
    for uri in ("https://evil.example/cb", "http://127.0.0.1.evil.example/cb", "https://127.0.0.1:5000/cb"):
        response = hike.anon.get("/oauth/authorize", params=authorize_params(uri))
        assert response.status_code == 400 and "location" not in response.headers, uri
    # the registered Return URI works even though it is not a random loopback port
    assert hike.anon.get("/oauth/authorize", params=authorize_params("http://localhost:8080/")).status_code == 200
    scope = redirect_query(hike.anon.get("/oauth/authorize", params={**authorize_params(), "scope": "read"}))
    assert scope["error"] == "invalid_scope"


def test_code_exchange_errors_and_single_use(hike: Sandbox) -> None:
    code = get_code(hike.anon)
    bad = exchange(hike.anon, "not-a-code")
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"
    secret = exchange(hike.anon, code, client_secret="wrong")
    assert secret.status_code == 400 and secret.json()["error"] == "invalid_client"
    redirect = exchange(hike.anon, code, redirect_uri="http://127.0.0.1:9/other")
    assert redirect.status_code == 400 and redirect.json()["error"] == "invalid_grant"
    assert "redirect_uri" in redirect.json()["error_description"]
    first = exchange(hike.anon, code)
    assert first.status_code == 200
    second = exchange(hike.anon, code)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    # reusing a code revokes what it gave [I] (RFC 6749 4.1.2)
    api = hike.anon.get("/api/v1/outlets/get_all", headers={"Authorization": f"Bearer {first.json()['access_token']}"})
    assert api.status_code == 401


def test_code_expires_after_ten_minutes(hike: Sandbox) -> None:
    code = get_code(hike.anon)
    hike.advance(601)
    response = exchange(hike.anon, code)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_refresh_with_rotation(hike: Sandbox) -> None:
    old = hike.token["refresh_token"]
    response = refresh(hike.anon, old)
    assert response.status_code == 200
    body = response.json()
    assert body["refresh_token"] != old and body["access_token"] != hike.token["access_token"]
    again = refresh(hike.anon, old)  # the rotated-out refresh token is dead
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert refresh(hike.anon, body["refresh_token"]).status_code == 200


def test_refresh_without_rotation_keeps_the_old_refresh_token(hike: Sandbox) -> None:
    hike.settings(rotate_refresh=False, access_expiry_s=120)
    first = refresh(hike.anon, hike.token["refresh_token"])
    assert first.status_code == 200
    assert "refresh_token" not in first.json() and first.json()["expires_in"] == 120
    second = refresh(hike.anon, hike.token["refresh_token"])
    assert second.status_code == 200


def test_revoked_and_expired_refresh_tokens_are_invalid_grant(hike: Sandbox) -> None:
    hike.ctl("POST", "tokens/revoke", {"token": hike.token["refresh_token"]})
    response = refresh(hike.anon, hike.token["refresh_token"])
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
    # revoking the refresh token also revoked the access token minted with it
    api = hike.api.get("/api/v1/outlets/get_all")
    assert api.status_code == 401 and 'error_description="revoked"' in api.headers["www-authenticate"]
    fresh = exchange(hike.anon, get_code(hike.anon)).json()
    hike.ctl("POST", "tokens/expire", {"which": "refresh"})
    response = refresh(hike.anon, fresh["refresh_token"])
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_expired_access_token_gives_401_with_www_authenticate(hike: Sandbox) -> None:
    assert hike.api.get("/api/v1/outlets/get_all").status_code == 200
    assert hike.ctl("POST", "tokens/expire")["expired"] >= 1
    response = hike.api.get("/api/v1/outlets/get_all")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token", error_description="expired"'
    body = response.json()
    assert body["unAuthorizedRequest"] is True and body["success"] is False and body["__abp"] is True
    new = refresh(hike.anon, hike.token["refresh_token"]).json()
    ok = hike.api.get("/api/v1/outlets/get_all", headers={"Authorization": f"Bearer {new['access_token']}"})
    assert ok.status_code == 200


def test_access_token_expiry_follows_the_clock(hike: Sandbox) -> None:
    hike.advance(3599)
    assert hike.api.get("/api/v1/taxes/get_all").status_code == 200
    hike.advance(2)
    assert hike.api.get("/api/v1/taxes/get_all").status_code == 401


def test_missing_and_unknown_tokens(hike: Sandbox) -> None:
    missing = hike.anon.get("/api/v1/products/get_all")
    assert missing.status_code == 401 and 'error_description="missing"' in missing.headers["www-authenticate"]
    unknown = hike.anon.get("/api/v1/products/get_all", headers={"Authorization": "Bearer nope"})
    assert unknown.status_code == 401 and 'error_description="invalid"' in unknown.headers["www-authenticate"]


def test_token_endpoint_needs_a_form_and_known_grant(hike: Sandbox) -> None:
    as_json = hike.anon.post("/oauth/token", json={"grant_type": "authorization_code"})
    assert as_json.status_code == 400 and as_json.json()["error"] == "invalid_request"
    grant = hike.anon.post("/oauth/token", data={"grant_type": "password", "client_id": CLIENT_ID,
                                                 "client_secret": "sandbox-hike-secret"})
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"


def test_basic_client_authentication_is_accepted(hike: Sandbox) -> None:
    code = get_code(hike.anon)
    response = hike.anon.post("/oauth/token", auth=httpx.BasicAuth(CLIENT_ID, "sandbox-hike-secret"),
                              data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT})
    assert response.status_code == 200
