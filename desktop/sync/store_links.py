"""Addresses in the connected BigCommerce store (M2) and the one rule every link the app opens obeys (M6).

Built here, not in the views (the views never build URLs): the control panel's product and customer pages from
``Connection.control_panel_base_url``, storefront pages from ``Connection.storefront_url``. ``is_store_url``
accepts only https addresses on the connected store's own control panel or storefront host; the views open
nothing else.

A sandbox connection (``connect sandbox``: its API path is plain http on this computer, where no real store
ever is) has no real control panel or storefront: its ``store-….mybigcommerce.com`` and ``sandbox-shop.example``
addresses go nowhere (issue 17, finding 8). Its links are built on the BigCommerce emulator itself
(``http://127.0.0.1:PORT/manage/products/ID/edit``, ``http://127.0.0.1:PORT/CUSTOM-URL``), which serves a small
page for each, and M6 then accepts plain http to that emulator's own loopback address and port, and nothing else.
A real connection stays https-only.
"""
from __future__ import annotations

from urllib.parse import SplitResult, quote, urlsplit

from desktop.storage.models import Connection
from desktop.sync.addresses import LOOPBACK_HOSTS, is_sandbox_address


def _bc() -> Connection | None:
    return Connection.get_or_none(Connection.side == "bigcommerce")


def sandbox_origin(row: Connection | None = None) -> str | None:
    """``http://127.0.0.1:PORT`` of the BigCommerce emulator when the connection is the sandbox's, else None.

    A sandbox connection is one saved as the sandbox whose API path is plain http on this computer (the
    emulator's own address): both, so neither a real store nor a stray flag turns loopback links on."""
    row = row if row is not None else _bc()
    if row is None or not row.is_sandbox or not is_sandbox_address(row.api_path or ""):
        return None
    parts = urlsplit(row.api_path.strip())
    return f"http://{parts.netloc}"


def store_hosts() -> set[str]:
    """The https hosts of the connected BigCommerce store (control panel and storefront); none for the sandbox."""
    row = _bc()
    hosts: set[str] = set()
    if row is None or sandbox_origin(row) is not None:
        return hosts  # the sandbox's made-up control panel and storefront hosts go nowhere
    for base in (row.control_panel_base_url, row.storefront_url):
        parts = urlsplit(base or "")
        if parts.scheme == "https" and parts.hostname:
            hosts.add(parts.hostname.lower())
    return hosts


def _is_sandbox_page(parts: SplitResult, host: str, port: int | None) -> bool:
    """Plain http to the sandbox emulator's own loopback host and port, on a sandbox connection only."""
    origin = sandbox_origin()
    if origin is None or parts.scheme != "http" or host not in LOOPBACK_HOSTS:
        return False
    mine = urlsplit(origin)
    return host == (mine.hostname or "").lower() and port == mine.port


def is_store_url(url: str) -> tuple[bool, str]:
    """(allowed, reason). Only https, no user/password part, and a host of the connected store; on a sandbox
    connection also plain http to the emulator's own loopback address."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return False, "not a valid address"
    if parts.username or parts.password or "@" in parts.netloc:
        return False, "carries a user name or password"
    if _is_sandbox_page(parts, host, port):
        return True, ""
    if parts.scheme != "https":
        return False, f"not https ({parts.scheme or 'no scheme'})"
    if port not in (None, 443):
        return False, f"unexpected port {port}"
    if host not in store_hosts():
        return False, f"{host or 'no host'} is not the connected BigCommerce store"
    return True, ""


def _base(value: str | None) -> str | None:
    return value.rstrip("/") if value else None


def _control_panel() -> str | None:
    """Where control panel pages are: the emulator on a sandbox connection, else the store's control panel."""
    row = _bc()
    if row is None:
        return None
    return sandbox_origin(row) or _base(row.control_panel_base_url)


def control_panel_product_url(bc_id: str | int) -> str | None:
    base = _control_panel()
    return f"{base}/manage/products/{int(bc_id)}/edit" if base and bc_id else None


def control_panel_customer_url(bc_id: str | int) -> str | None:
    base = _control_panel()
    return f"{base}/manage/customers/{int(bc_id)}/edit" if base and bc_id else None


def control_panel_order_url(bc_id: str | int) -> str | None:
    base = _control_panel()
    return f"{base}/manage/orders/{int(bc_id)}" if base and bc_id else None


def storefront_page_url(path: str) -> str | None:
    """The storefront page for a product's ``custom_url`` path (``/shirt/``); on the emulator in the sandbox."""
    row = _bc()
    base = (sandbox_origin(row) or _base(row.storefront_url)) if row else None
    if not base or not path:
        return None
    return base + "/" + quote(path.lstrip("/"), safe="/-_.~%")
