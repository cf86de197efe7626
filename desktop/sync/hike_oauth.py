"""Signing in to Hike: OAuth 2.0 authorization code for a desktop app (rule C1 in docs/RULES.md), without Qt.

What is public (API-NOTES A3): the merchant is sent to ``GET /oauth/authorize?response_type=code&client_id&
redirect_uri&state&scope=all`` [D]; Hike redirects back with ``code`` and ``state`` (or ``error``) [D]/[C]; the
code is exchanged by a form POST to ``/oauth/token`` with ``grant_type=authorization_code`` [C], and refreshed
with ``grant_type=refresh_token`` [C]. The token answer has ``access_token``, ``token_type``, ``expires_in`` and
``refresh_token``, but a refresh may come back without a new ``refresh_token`` (keep the old one) [C]. Failures
are RFC 6749 style (``invalid_grant``, ``invalid_client``) [C]; their exact shape is not documented, so they are
read defensively (JSON, form-encoded or plain text).

The desktop redirect is a loopback listener on 127.0.0.1 on a free port (RFC 8252 §7.3), as one public project
did with ``http://localhost:8080/`` [C]. A desktop app has to keep the client secret locally; no PKCE was seen
anywhere [I]. If a Hike app registration only accepts its exact Return URI, pass that URI as ``redirect_uri``
(for example ``http://localhost:8080/``) and the receiver listens there instead of on a random port.
"""
from __future__ import annotations

import html
import json
import logging
import secrets
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from desktop import APP_NAME
from desktop.storage.credentials import HikeTokens
from desktop.storage.logs import register_secret
from desktop.sync import errors
from desktop.sync.addresses import hike_api_base
from desktop.sync.http import USER_AGENT
from desktop.sync.vocabulary import ErrorKind

log = logging.getLogger(__name__)

APP_DISPLAY_NAME = APP_NAME
STORE = "Hike"
DEFAULT_EXPIRES_IN_S = 3600  # [I] the lifetime is undocumented; only used when a token answer omits expires_in
TOKEN_TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=30.0, pool=10.0)
RECONNECT_MESSAGE = "Hike sign-in expired or was revoked. Reconnect Hike."


# ---------------------------------------------------------------------------------------------------------
# errors
class OAuthError(errors.SyncError):
    """The sign-in did not complete; the message says why in plain words."""

    kind = ErrorKind.OAUTH
    title = "Hike sign-in failed"

    def __init__(self, message: str, **kwargs: Any):
        kwargs.setdefault("store", STORE)
        super().__init__(message, **kwargs)


class OAuthDenied(OAuthError):
    kind = ErrorKind.OAUTH_DENIED
    title = "Access not allowed"


class OAuthTimeout(OAuthError):
    kind = ErrorKind.OAUTH_TIMEOUT
    title = "Sign-in not finished"


class OAuthCancelled(OAuthError):
    kind = ErrorKind.OAUTH_CANCELLED
    title = "Sign-in cancelled"


class InvalidClient(OAuthError):
    """Hike does not know this app's client id, or the secret is wrong: reconnecting will not help."""

    kind = ErrorKind.INVALID_CLIENT
    title = "Wrong Hike app id or secret"


INVALID_CLIENT_MESSAGE = ("Hike refused this app's Hike client id or client secret (invalid_client). Check the Hike "
                          "App Id and App Secret in the app's settings (Partner Dashboard, developer.hikeup.com).")


# ---------------------------------------------------------------------------------------------------------
# step 1: the consent page
def new_state() -> str:
    return secrets.token_urlsafe(24)


def authorization_url(base_url: str, client_id: str, redirect_uri: str, state: str) -> str:
    """The page the merchant opens to allow access: ``scope=all`` is required and the only scope [D]."""
    query = urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
                       "scope": "all", "state": state})
    return f"{base_url.rstrip('/')}/oauth/authorize?{query}"


# ---------------------------------------------------------------------------------------------------------
# step 2: the loopback redirect
_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:-apple-system,"Segoe UI",Roboto,Arial,sans-serif;background:#f3f5f9;color:#1c2434;
margin:0;display:flex;justify-content:center}}main{{max-width:460px;margin:64px 16px;background:#fff;
border:1px solid #e3e7ef;border-radius:14px;padding:28px 32px}}h1{{font-size:21px;margin:0 0 12px}}
p{{line-height:1.5;color:#4a5568}}</style></head>
<body><main><h1>{title}</h1><p>{message}</p></main></body></html>"""


def _page(title: str, message: str) -> bytes:
    return _PAGE.format(title=html.escape(title), message=html.escape(message)).encode("utf-8")


class LoopbackReceiver:
    """A one-shot HTTP listener on the loopback interface that receives Hike's redirect.

    It answers exactly one sign-in redirect on ``path`` (a request without ``code`` or ``error`` is answered
    but not taken, and so is anything on another path, e.g. a browser's favicon request), shows the browser a
    short page, and hands the result to ``wait``. ``state`` is compared in constant time; a mismatch ends the
    sign-in with ``OAuthError("state mismatch")`` (a forged redirect must not be able to plant a code).
    """

    def __init__(self, state: str | None = None, *, host: str = "127.0.0.1", port: int = 0,
                 path: str = "/callback", app_name: str = APP_DISPLAY_NAME):
        self.state = state or new_state()
        self.path = path if path.startswith("/") else "/" + path
        self.app_name = app_name
        self._done = threading.Event()
        self._result: str | None = None
        self._error: OAuthError | None = None
        self._result_lock = threading.Lock()
        try:
            self._server = ThreadingHTTPServer((host, port), self._handler_class())
        except OSError as exc:
            raise OAuthError(f"Could not listen on {host}:{port} for the Hike sign-in answer ({exc.strerror or exc}). "
                             "Another program may be using that port; close it or choose another Return URI.") from None
        self._server.daemon_threads = True
        self.host = host
        self.port = int(self._server.server_address[1])
        self._closed = False
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="hike-oauth-loopback", daemon=True)
        self._thread.start()

    @property
    def redirect_uri(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{self.path}"

    # -- the one request ------------------------------------------------------------------------------------
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one answer per connection, then close
            server_version = "HikeBCSync-SignIn"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
                pass  # the query carries the code: never print it

            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                status, body, finish = receiver._answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.send_header("Referrer-Policy", "no-referrer")
                self.end_headers()
                try:
                    self.wfile.write(body)
                    self.wfile.flush()
                except OSError:
                    pass  # the browser went away; the result still counts
                if finish is not None:
                    finish()

            def do_HEAD(self) -> None:  # noqa: N802
                self.send_response(405)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler

    def _answer(self, raw_path: str) -> tuple[int, bytes, Callable[[], None] | None]:
        split = urlsplit(raw_path)
        if split.path != self.path:
            return 404, _page("Not found", "This address only receives the Hike sign-in answer."), None
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        code, error = query.get("code"), query.get("error")
        if not code and not error:
            return 400, _page("Nothing to do here", "This address only receives the Hike sign-in answer. Start "
                              f"the sign-in from {self.app_name}."), None
        with self._result_lock:
            if self._done.is_set():
                return 200, _page("Sign-in already finished", "You can close this window and return to "
                                  f"{self.app_name}."), None
            if not secrets.compare_digest(query.get("state", "").encode(), self.state.encode()):
                outcome: str | OAuthError = OAuthError("state mismatch")
                page = _page("Sign-in not accepted", "The answer from Hike did not belong to this sign-in "
                             "(state mismatch), so it was ignored. Close this window and choose 'Sign in with "
                             f"Hike' again in {self.app_name}.")
                status = 400
            elif error:
                outcome = _redirect_error(error, query.get("error_description"))
                page = _page("Hike was not connected", f"{outcome.message} You can close this window and return "
                             f"to {self.app_name}.")
                status = 200
            else:
                register_secret(code)
                outcome = code
                page = _page("Signed in to Hike", f"You can close this window and return to {self.app_name}.")
                status = 200
        return status, page, lambda: self._finish(outcome)

    def _finish(self, outcome: str | OAuthError) -> None:
        with self._result_lock:
            if self._done.is_set():
                return
            if isinstance(outcome, OAuthError):
                self._error = outcome
            else:
                self._result = outcome
            self._done.set()

    # -- the app's side ---------------------------------------------------------------------------------------
    def wait(self, timeout_s: float | None = 300) -> str:
        """Block until the redirect arrives; returns the authorization code.

        Raises ``OAuthTimeout`` when nothing arrives in time, ``OAuthCancelled`` after ``cancel``,
        ``OAuthDenied`` when the merchant chose Deny, ``OAuthError`` for a state mismatch or another error.
        The listener is closed either way.
        """
        try:
            if not self._done.wait(timeout_s):
                raise OAuthTimeout("The Hike sign-in was not finished in time. Choose 'Sign in with Hike' again "
                                   "and complete it in the browser window that opens.")
        finally:
            self.close()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def cancel(self) -> None:
        """Stop waiting (from any thread): ``wait`` raises ``OAuthCancelled``."""
        self._finish(OAuthCancelled("The Hike sign-in was cancelled."))
        self.close()

    def close(self) -> None:
        with self._result_lock:
            if self._closed:
                return
            self._closed = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "LoopbackReceiver":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _redirect_error(error: str, description: str | None) -> OAuthError:
    if error == "access_denied":
        return OAuthDenied("Access was not allowed in Hike, so the app was not connected. Choose 'Sign in with "
                           "Hike' again and allow access to connect.")
    words = f" ({description})" if description else ""
    return OAuthError(f"Hike did not complete the sign-in: {error}{words}.")


# ---------------------------------------------------------------------------------------------------------
# step 3: tokens
def exchange_code(base_url: str, client_id: str, client_secret: str, code: str, redirect_uri: str, *,
                  transport: httpx.BaseTransport | None = None, now: datetime | None = None) -> HikeTokens:
    """Trade the authorization code for tokens (form POST, as every public client does [C])."""
    register_secret(code)
    form = {"grant_type": "authorization_code", "client_id": client_id, "client_secret": client_secret,
            "code": code, "redirect_uri": redirect_uri}
    data = _token_call(base_url, form, client_secret, transport, grant="authorization_code")
    return tokens_from_response(data, now=now)


def refresh(base_url: str, client_id: str, client_secret: str, refresh_token: str, *,
            transport: httpx.BaseTransport | None = None, now: datetime | None = None) -> HikeTokens:
    """A new access token from the refresh token; the old refresh token is kept when none comes back [C]."""
    register_secret(refresh_token)
    form = {"grant_type": "refresh_token", "client_id": client_id, "client_secret": client_secret,
            "refresh_token": refresh_token}
    data = _token_call(base_url, form, client_secret, transport, grant="refresh_token")
    return tokens_from_response(data, old_refresh_token=refresh_token, now=now)


def tokens_from_response(data: Any, *, old_refresh_token: str | None = None,
                         now: datetime | None = None) -> HikeTokens:
    if not isinstance(data, dict) or not isinstance(data.get("access_token"), str) or not data["access_token"]:
        raise OAuthError("Hike's answer to the sign-in could not be read (no access token in it). Try again; "
                         "if it keeps happening, Hike may be having problems.")
    access = data["access_token"]
    register_secret(access)
    new_refresh = data.get("refresh_token")
    refresh_token = new_refresh if isinstance(new_refresh, str) and new_refresh else old_refresh_token
    if not refresh_token:
        raise OAuthError("Hike's answer to the sign-in had no refresh token, so the connection could not be kept. "
                         "Try signing in again.")
    register_secret(refresh_token)
    try:
        expires_in = float(data.get("expires_in"))
        if expires_in <= 0:
            raise ValueError
    except (TypeError, ValueError):
        expires_in = DEFAULT_EXPIRES_IN_S  # [I] undocumented; a 401 refreshes anyway
    now = now or datetime.now(timezone.utc)
    return HikeTokens(access, refresh_token, now + timedelta(seconds=expires_in))


def _token_call(base_url: str, form: dict[str, str], client_secret: str, transport: httpx.BaseTransport | None,
                *, grant: str) -> Any:
    register_secret(client_secret)
    # the form carries the client secret and the code or refresh token: only to Hike's API host (or the sandbox)
    url = f"{hike_api_base(base_url)}/oauth/token"
    host = urlsplit(url).hostname or base_url
    try:
        with httpx.Client(timeout=TOKEN_TIMEOUT, transport=_Borrowed(transport) if transport else None,
                          headers={"Accept": "application/json", "User-Agent": USER_AGENT}) as client:
            response = client.post(url, data=form)
    except httpx.TimeoutException:
        raise errors.Transient(f"Hike ({host}) took too long to answer the sign-in request. Check the internet "
                               "connection and try again.", store=STORE) from None
    except httpx.TransportError:
        raise errors.Transient(f"Could not reach Hike at {host}: no network connection, or the address is wrong. "
                               "Check the internet connection and try again.", store=STORE) from None
    log.debug("POST /oauth/token (%s) -> %d", grant, response.status_code)
    if response.status_code == 200:
        try:
            return response.json()
        except ValueError:
            raise OAuthError("Hike's answer to the sign-in could not be read. Try again; if it keeps happening, "
                             "Hike may be having problems.", status=200) from None
    raise _token_failure(response, grant)


class _Borrowed(httpx.BaseTransport):
    """A transport lent by the caller (shared with its API client): closing our short-lived client must not
    close it."""

    def __init__(self, inner: httpx.BaseTransport):
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.inner.handle_request(request)

    def close(self) -> None:
        pass


def oauth_error_code(response: httpx.Response) -> tuple[str, str]:
    """``(error, error_description)`` from a token failure: JSON, form-encoded, or words in plain text."""
    text = response.text or ""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):  # an ABP-style body
            return str(error.get("code") or ""), str(error.get("message") or error.get("details") or "")
        if error:
            return str(error), str(data.get("error_description") or "")
    if "=" in text and "<" not in text:
        parsed = {k: v[-1] for k, v in parse_qs(text).items()}
        if parsed.get("error"):
            return parsed["error"], parsed.get("error_description", "")
    lowered = text.lower()
    for known in ("invalid_grant", "invalid_client", "unauthorized_client", "invalid_request",
                  "unsupported_grant_type", "invalid_scope"):
        if known in lowered:
            return known, ""
    return "", text.strip()[:200]


def _token_failure(response: httpx.Response, grant: str) -> errors.SyncError:
    status = response.status_code
    error, description = oauth_error_code(response)
    if error == "invalid_grant":
        if grant == "authorization_code":
            return errors.ReconnectNeeded("Hike did not accept the sign-in code (it expired or was already used). "
                                          "Choose 'Sign in with Hike' again.", store=STORE, status=status)
        return errors.ReconnectNeeded(RECONNECT_MESSAGE, store=STORE, status=status)
    if error in ("invalid_client", "unauthorized_client"):
        return InvalidClient(INVALID_CLIENT_MESSAGE, status=status)
    if status in (500, 502, 503, 504):
        return errors.Transient(f"Hike answered {status} to the sign-in request; try again in a few minutes.",
                                store=STORE, status=status)
    if status == 429:
        return errors.RateLimited("Hike refused the sign-in request for going over its API limit; try again in "
                                  "a minute.", store=STORE, status=status)
    words = ": ".join(w for w in (error, description) if w) or f"answer {status}"
    return OAuthError(f"Hike refused the sign-in request ({words}).", status=status)


# ---------------------------------------------------------------------------------------------------------
# the whole flow
def sign_in(base_url: str, client_id: str, client_secret: str, open_browser: Callable[[str], Any],
            timeout_s: float = 300, *, redirect_uri: str | None = None, transport: httpx.BaseTransport | None = None,
            on_waiting: Callable[[LoopbackReceiver], Any] | None = None) -> HikeTokens:
    """Run the authorization-code flow end to end and return the tokens (the caller saves them).

    ``open_browser(url)`` shows Hike's consent page: the GUI opens the system browser; tests complete the page
    with an HTTP client. ``on_waiting(receiver)`` gets the listener before waiting, so a Cancel button can call
    ``receiver.cancel()`` from another thread. ``redirect_uri`` pins the loopback address to a registered Return
    URI (``http://localhost:8080/``); by default a free port on 127.0.0.1 is used.
    """
    register_secret(client_secret)
    # checked before the browser opens: a stranger's page could hand back a code, and the exchange that follows
    # carries the client secret (UnsafeAddress, a ValueError, says where it would have gone)
    base_url = hike_api_base(base_url)
    host, port, path = "127.0.0.1", 0, "/callback"
    if redirect_uri:
        parts = urlsplit(redirect_uri)
        if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise OAuthError("The Hike Return URI must be a loopback address such as http://localhost:8080/ for a "
                             "desktop app.")
        host = "127.0.0.1" if parts.hostname == "localhost" else parts.hostname
        port, path = parts.port or 80, parts.path or "/"
    receiver = LoopbackReceiver(host=host, port=port, path=path)
    try:
        uri = redirect_uri or receiver.redirect_uri
        url = authorization_url(base_url, client_id, uri, receiver.state)
        if on_waiting is not None:
            on_waiting(receiver)
        try:
            open_browser(url)
        except Exception as exc:  # noqa: BLE001 - any browser failure becomes a plain message
            raise OAuthError(f"Could not open a web browser for the Hike sign-in ({type(exc).__name__}: {exc}).") \
                from None
        code = receiver.wait(timeout_s)
    finally:
        receiver.close()
    return exchange_code(base_url, client_id, client_secret, code, uri, transport=transport)
