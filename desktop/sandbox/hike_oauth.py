"""OAuth 2.0 authorization-code flow of the Hike emulator (notes A3, B2), plus bearer-token checks.

``GET /oauth/authorize`` serves a real sign-in page; a POST of the same form signs in (and, with ``decision``,
decides at once, so tests need no browser); the consent step redirects with ``code`` and ``state``.
``POST /oauth/token`` exchanges a code or a refresh token.
"""
from __future__ import annotations

import base64
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from . import hike_templates as pages
from .server import Request, Response

HTML = "text/html; charset=utf-8"
_OAUTH_PARAMS = ("response_type", "client_id", "redirect_uri", "scope", "state")


def _with_query(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = parts.query + ("&" if parts.query else "") + urlencode(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def is_loopback_uri(uri: str) -> bool:
    """[I] a desktop app listens on a random loopback port, so any ``http://127.0.0.1:<port>/...`` or
    ``http://localhost:<port>/...`` (and ``[::1]``) is accepted in addition to the registered Return URIs."""
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return False
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1") and not parts.fragment


class OAuthMixin:
    """Needs ``self.lock``, ``self.clock``, ``self.settings``, ``self.client_id`` ... (set by HikeEmulator)."""

    def _init_oauth(self) -> None:
        self._codes: dict[str, dict[str, Any]] = {}
        self._tickets: dict[str, dict[str, Any]] = {}
        self._access: dict[str, dict[str, Any]] = {}
        self._refresh: dict[str, dict[str, Any]] = {}
        self.route("GET", r"/oauth/authorize", self._authorize_get)
        self.route("POST", r"/oauth/authorize", self._authorize_post)
        self.route("POST", r"/oauth/token", self._token)

    # -- authorize -------------------------------------------------------------------------------------------
    def redirect_uri_allowed(self, uri: str) -> bool:
        return uri in self.redirect_uris or is_loopback_uri(uri)

    def _check_authorize(self, params: dict[str, str]) -> Response | None:
        """An error page (client or redirect_uri bad: never redirect there) or an error redirect, or None."""
        if params.get("client_id") != self.client_id:
            return Response.text(pages.error_page("Unknown app", "The app that sent you here is not registered "
                                                  "with Hike (unknown client_id)."), 400, HTML)
        uri = params.get("redirect_uri") or ""
        if not self.redirect_uri_allowed(uri):
            return Response.text(pages.error_page("Invalid redirect", "The app's Return URI does not match the "
                                                  "one registered for it (redirect_uri)."), 400, HTML)
        state = params.get("state") or ""
        if params.get("response_type") != "code":
            return self._redirect(uri, {"error": "unsupported_response_type", "state": state})
        if params.get("scope") != "all":  # [D] scope is required and only "all" exists
            return self._redirect(uri, {"error": "invalid_scope", "state": state})
        return None

    @staticmethod
    def _redirect(uri: str, params: dict[str, str]) -> Response:
        return Response(302, b"", {"Location": _with_query(uri, params), "Cache-Control": "no-store"})

    def _oauth_params(self, source: dict[str, str]) -> dict[str, str]:
        return {k: source.get(k, "") for k in _OAUTH_PARAMS}

    def _authorize_get(self, request: Request) -> Response:
        params = self._oauth_params({k: v[-1] for k, v in request.query.items()})
        with self.lock:
            bad = self._check_authorize(params)
            if bad is not None:
                return bad
            if self.settings["deny_authorize"]:
                return self._redirect(params["redirect_uri"], {"error": "access_denied", "state": params["state"]})
        return self._html(pages.signin_page(app_name=self.app_name, store_name=self.store_name,
                                            oauth_params=params))

    def _authorize_post(self, request: Request) -> Response:
        form = request.form()
        with self.lock:
            ticket_id = form.get("ticket")
            if ticket_id:  # the consent step
                ticket = self._tickets.pop(ticket_id, None)
                if ticket is None or ticket["expires"] < self.clock.now():
                    return Response.text(pages.error_page("Session expired", "This sign-in page has expired or "
                                                          "was already used. Start again from the app."), 400, HTML)
                return self._decide(ticket["params"], ticket["username"], form.get("decision", ""))
            params = self._oauth_params(form)
            bad = self._check_authorize(params)
            if bad is not None:
                return bad
            username = (form.get("username") or "").strip()
            if username.lower() != self.username.lower() or form.get("password") != self.password:
                return self._html(pages.signin_page(
                    app_name=self.app_name, store_name=self.store_name, oauth_params=params, username=username,
                    error="The email or password you entered is incorrect."), 200)
            if form.get("decision"):  # sign-in and decision in one POST: tests without a browser
                return self._decide(params, username, form["decision"])
            ticket_id = secrets.token_urlsafe(24)
            self._tickets[ticket_id] = {"params": params, "username": username,
                                        "expires": self.clock.now() + 600}
        return self._html(pages.consent_page(app_name=self.app_name, store_name=self.store_name,
                                             username=username, ticket=ticket_id))

    def _decide(self, params: dict[str, str], username: str, decision: str) -> Response:
        state = params.get("state", "")
        if decision.lower() not in ("allow", "approve", "yes") or self.settings["deny_authorize"]:
            return self._redirect(params["redirect_uri"], {"error": "access_denied", "state": state})
        code = secrets.token_urlsafe(24)
        self._codes[code] = {
            "client_id": params["client_id"], "redirect_uri": params["redirect_uri"], "scope": params["scope"],
            "username": username, "used": False, "tokens": [],
            "expires": self.clock.now() + self.settings["code_expiry_s"],  # [I]/[C] 10 minutes
        }
        return self._redirect(params["redirect_uri"], {"code": code, "state": state})

    @staticmethod
    def _html(text: str, status: int = 200) -> Response:
        return Response.text(text, status, HTML, {"Cache-Control": "no-store"})

    # -- token -----------------------------------------------------------------------------------------------
    @staticmethod
    def _oauth_error(error: str, description: str, status: int = 400) -> Response:
        return Response.json({"error": error, "error_description": description}, status,
                             {"Cache-Control": "no-store", "Pragma": "no-cache"})

    def _client_credentials(self, request: Request, form: dict[str, str]) -> tuple[str, str]:
        cid, secret = form.get("client_id", ""), form.get("client_secret", "")
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("basic ") and not cid:  # [I] RFC 6749 basic auth also accepted
            try:
                cid, _, secret = base64.b64decode(auth[6:]).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                pass
        return cid, secret

    def _token(self, request: Request) -> Response:
        ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":  # [C] every client posts a form
            return self._oauth_error("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        form = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8", "replace"),
                                               keep_blank_values=True).items()}
        cid, secret = self._client_credentials(request, form)
        with self.lock:
            if cid != self.client_id or secret != self.client_secret:
                return self._oauth_error("invalid_client", "Client authentication failed (client_id or "
                                         "client_secret is wrong).")  # [I] 400, as notes B2 say
            grant = form.get("grant_type", "")
            if grant == "authorization_code":
                return self._grant_code(form)
            if grant == "refresh_token":
                return self._grant_refresh(form)
            return self._oauth_error("unsupported_grant_type", f"grant_type {grant!r} is not supported")

    def _grant_code(self, form: dict[str, str]) -> Response:
        code = self._codes.get(form.get("code", ""))
        now = self.clock.now()
        if code is None:
            return self._oauth_error("invalid_grant", "The authorization code is invalid.")
        if code["used"]:
            # [I] RFC 6749 4.1.2: a reused code is refused and the tokens it gave are revoked
            for token in code["tokens"]:
                self._revoke_token(token)
            return self._oauth_error("invalid_grant", "The authorization code has already been used.")
        if code["expires"] < now:
            return self._oauth_error("invalid_grant", "The authorization code has expired.")
        if form.get("redirect_uri", "") != code["redirect_uri"]:
            return self._oauth_error("invalid_grant", "redirect_uri does not match the one used to authorize.")
        code["used"] = True
        body = self.issue_token(username=code["username"])
        code["tokens"] = [body["access_token"], body["refresh_token"]]
        return Response.json(body, 200, {"Cache-Control": "no-store", "Pragma": "no-cache"})

    def _grant_refresh(self, form: dict[str, str]) -> Response:
        token = form.get("refresh_token", "")
        rec = self._refresh.get(token)
        if rec is None or rec["revoked"]:
            return self._oauth_error("invalid_grant", "The refresh token is invalid or has been revoked.")
        if rec["expires"] < self.clock.now():
            return self._oauth_error("invalid_grant", "The refresh token has expired.")
        if self.settings["rotate_refresh"]:  # [I] with rotation the old refresh token stops working
            rec["revoked"] = True
            body = self.issue_token(username=rec["username"])
        else:  # the response has no refresh_token; the client keeps the old one [C]
            body = self.issue_token(username=rec["username"], refresh_token=token)
            body.pop("refresh_token")
        return Response.json(body, 200, {"Cache-Control": "no-store", "Pragma": "no-cache"})

    # -- tokens (also used by tests and by the app's integration tests via /__emulator/tokens/issue) -----------
    def issue_token(self, username: str | None = None, refresh_token: str | None = None) -> dict[str, Any]:
        """Mint tokens as a completed OAuth flow would; returns the token response body."""
        with self.lock:
            now = self.clock.now()
            if refresh_token is None:
                refresh_token = secrets.token_urlsafe(32)
                self._refresh[refresh_token] = {"revoked": False, "username": username or self.username,
                                                "expires": now + self.settings["refresh_expiry_s"]}
            access = secrets.token_urlsafe(32)
            expiry = int(self.settings["access_expiry_s"])
            self._access[access] = {"expires": now + expiry, "revoked": False, "refresh_token": refresh_token}
            return {"access_token": access, "token_type": "bearer", "expires_in": expiry,
                    "refresh_token": refresh_token}

    def _revoke_token(self, token: str) -> None:
        if token in self._access:
            self._access[token]["revoked"] = True
        if token in self._refresh:
            self._refresh[token]["revoked"] = True
            for rec in self._access.values():
                if rec["refresh_token"] == token:
                    rec["revoked"] = True

    def expire_tokens(self, token: str | None = None, which: str = "access") -> int:
        """Make access (or refresh, or all) tokens expire now; returns how many."""
        with self.lock:
            past = self.clock.now() - 1
            n = 0
            stores = {"access": [self._access], "refresh": [self._refresh],
                      "all": [self._access, self._refresh]}[which]
            for store in stores:
                for key, rec in store.items():
                    if token is None or key == token:
                        rec["expires"] = past
                        n += 1
            return n

    def revoke_tokens(self, token: str | None = None) -> int:
        """Revoke one token, or all of them (as when the merchant disconnects the app)."""
        with self.lock:
            if token is not None:
                known = token in self._access or token in self._refresh
                self._revoke_token(token)
                return int(known)
            for store in (self._access, self._refresh):
                for rec in store.values():
                    rec["revoked"] = True
            return len(self._access) + len(self._refresh)

    def check_bearer(self, request: Request) -> str | None:
        """None when the bearer token is good, else why not: missing | invalid | expired | revoked."""
        auth = request.headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return "missing"
        rec = self._access.get(token.strip())
        if rec is None:
            return "invalid"
        if rec["revoked"]:
            return "revoked"
        if rec["expires"] <= self.clock.now():
            return "expired"
        return None
