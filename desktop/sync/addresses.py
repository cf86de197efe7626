"""Where this app's secrets may go: the one place that checks a store's address before anything is sent there.

A BigCommerce access token goes only to ``https://api.bigcommerce.com/stores/HASH/``; the Hike client secret, the
sign-in code and Hike's tokens only to ``https://api.hikeup.com`` (Hike's one documented API host, API-NOTES A2).
Plain http is accepted for the built-in sandbox stores alone: ``http://127.0.0.1|localhost|[::1]:PORT``, which
never leaves this computer. Everything else is refused with what it would have done, in plain words.

Used by both clients, ``connections.py``, the CLI and the wizard before anything is sent or saved, and by the
transport on every request (``require_api_origin``), so a caller that forgot cannot send a token elsewhere.
The checked parts are rebuilt into the address the app uses: a quirk that two URL parsers read differently never
reaches httpx.
"""
from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

BIGCOMMERCE_API_HOST = "api.bigcommerce.com"
HIKE_API_HOST = "api.hikeup.com"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
API_HOSTS = {"BigCommerce": BIGCOMMERCE_API_HOST, "Hike": HIKE_API_HOST}

_BC_PATH = re.compile(r"^/stores/(?P<hash>[A-Za-z0-9]+)/v[23]/?$")
_BC_SHAPE = ("The API path should look like https://api.bigcommerce.com/stores/abc123/v3/ : copy it from the API "
             "account page in your BigCommerce control panel.")


class UnsafeAddress(ValueError):
    """An address this app will not send a secret to; ``message`` says why, for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def bigcommerce_api_base(api_path: str) -> tuple[str, str]:
    """``https://api.bigcommerce.com/stores/{hash}/v3/`` → (``https://api.bigcommerce.com/stores/{hash}/``, hash).

    The base is also the identity the BigCommerce token is kept under (host and store hash)."""
    parts = _split(api_path)
    match = _BC_PATH.match(parts.path) if parts is not None else None
    if not _web_address(parts) or not match or parts.query or parts.fragment:
        raise UnsafeAddress(_BC_SHAPE)
    _refuse_elsewhere(parts, BIGCOMMERCE_API_HOST, "The API path must start with https://api.bigcommerce.com/stores/…",
                      "your token")
    return f"{_origin(parts)}/stores/{match.group('hash')}/", match.group("hash")


def hike_api_base(base_url: str) -> str:
    """``https://api.hikeup.com`` (or the loopback sandbox), checked and rebuilt without a trailing slash.

    Also the identity Hike's tokens and the client secret are kept under."""
    parts = _split(base_url)
    if not _web_address(parts) or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise UnsafeAddress("The Hike API address should be https://api.hikeup.com (no path after it); leave it as "
                            "the app filled it in unless Hike support says otherwise.")
    _refuse_elsewhere(parts, HIKE_API_HOST, "The Hike API address must be https://api.hikeup.com",
                      "this app's Hike secret and your sign-in")
    return _origin(parts)


def is_sandbox_address(url: str) -> bool:
    """Plain http to this computer: the built-in sandbox stores (a real store is never there)."""
    parts = _split(url)
    return parts is not None and _loopback_http(parts)


def require_api_origin(store: str, url: str) -> None:
    """The transport's own check, on its base address and on every request: the store's API host over https on
    the default port, or the loopback sandbox, and no user info. A second line behind the checks above."""
    parts = _split(url)
    host = API_HOSTS.get(store)
    if parts is None or host is None:
        raise UnsafeAddress(f"{store}: the address {_shown(url)} is not one this app sends tokens to.")
    _refuse_elsewhere(parts, host, f"{store}: the app only sends tokens over https to https://{host}",
                      "the token")


# -- the single checks -----------------------------------------------------------------------------------------
def _split(text: str | None) -> SplitResult | None:
    """The address without surrounding blanks; None when it has blanks, control characters or backslashes inside
    (parsers disagree on those, and no real address has them)."""
    text = (text or "").strip()
    if not text or any(c.isspace() or ord(c) < 32 or c == "\\" for c in text):
        return None
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    return parts


def _web_address(parts: SplitResult | None) -> bool:
    return parts is not None and parts.scheme in ("http", "https") and bool(parts.hostname)


def _loopback_http(parts: SplitResult) -> bool:
    """The sandbox rule: http, a loopback host, no user info (which would make the host something else)."""
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS and "@" not in parts.netloc


def _official_https(parts: SplitResult, host: str) -> bool:
    """The store's own API host over https, on the default port, with nothing before the host."""
    return (parts.scheme == "https" and parts.hostname == host and parts.port in (None, 443)
            and "@" not in parts.netloc)


def _refuse_elsewhere(parts: SplitResult, host: str, rule: str, what: str) -> None:
    if _official_https(parts, host) or _loopback_http(parts):
        return
    shown = _shown_parts(parts)
    if parts.scheme == "http" and "@" not in parts.netloc:
        raise UnsafeAddress(f"{rule}; {shown} is plain http, which anyone on the network can read (plain http is "
                            "only for the built-in sandbox stores on this computer).")
    raise UnsafeAddress(f"{rule}; {shown} sends {what} to {_destination(parts)}.")


def _origin(parts: SplitResult) -> str:
    """scheme://host[:port] rebuilt from checked parts (the official hosts on their default port)."""
    if parts.scheme == "https":
        return f"https://{parts.hostname}"
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
    return f"http://{host}" + (f":{parts.port}" if parts.port else "")


def _destination(parts: SplitResult) -> str:
    """Where a request would really go: the host after any user info, and a port that is not the default."""
    host = parts.hostname or "an unknown host"
    default = {"https": 443, "http": 80}.get(parts.scheme)
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


def _shown_parts(parts: SplitResult) -> str:
    """The address as a person typed it, up to the host; a password in the user info is never repeated."""
    netloc = parts.netloc
    if "@" in netloc:
        user, _, rest = netloc.rpartition("@")
        netloc = f"{user.split(':', 1)[0]}{':…' if ':' in user else ''}@{rest}"
    return f"'{parts.scheme}://{netloc}/…'"


def _shown(url: str) -> str:
    parts = _split(url)
    return _shown_parts(parts) if parts is not None else "given"
