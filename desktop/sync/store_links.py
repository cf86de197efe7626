"""Addresses in the connected BigCommerce store (M2) and the one rule every link the app opens obeys (M6).

Built here, not in the views (the views never build URLs): the control panel's product and customer pages from
``Connection.control_panel_base_url``, storefront pages from ``Connection.storefront_url``. ``is_store_url``
accepts only https addresses on the connected store's own control panel or storefront host; the views open
nothing else.
"""
from __future__ import annotations

from urllib.parse import quote, urlsplit

from desktop.storage.models import Connection


def _bc() -> Connection | None:
    return Connection.get_or_none(Connection.side == "bigcommerce")


def store_hosts() -> set[str]:
    """The https hosts of the connected BigCommerce store (control panel and storefront)."""
    row = _bc()
    hosts: set[str] = set()
    if row is None:
        return hosts
    for base in (row.control_panel_base_url, row.storefront_url):
        parts = urlsplit(base or "")
        if parts.scheme == "https" and parts.hostname:
            hosts.add(parts.hostname.lower())
    return hosts


def is_store_url(url: str) -> tuple[bool, str]:
    """(allowed, reason). Only https, no user/password part, and a host of the connected store."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return False, "not a valid address"
    if parts.scheme != "https":
        return False, f"not https ({parts.scheme or 'no scheme'})"
    if parts.username or parts.password:
        return False, "carries a user name or password"
    if port not in (None, 443):
        return False, f"unexpected port {port}"
    if host not in store_hosts():
        return False, f"{host or 'no host'} is not the connected BigCommerce store"
    return True, ""


def _base(value: str | None) -> str | None:
    return value.rstrip("/") if value else None


def control_panel_product_url(bc_id: str | int) -> str | None:
    row = _bc()
    base = _base(row.control_panel_base_url) if row else None
    return f"{base}/manage/products/{int(bc_id)}/edit" if base and bc_id else None


def control_panel_customer_url(bc_id: str | int) -> str | None:
    row = _bc()
    base = _base(row.control_panel_base_url) if row else None
    return f"{base}/manage/customers/{int(bc_id)}/edit" if base and bc_id else None


def control_panel_order_url(bc_id: str | int) -> str | None:
    row = _bc()
    base = _base(row.control_panel_base_url) if row else None
    return f"{base}/manage/orders/{int(bc_id)}" if base and bc_id else None


def storefront_page_url(path: str) -> str | None:
    """The storefront page for a product's ``custom_url`` path (``/shirt/``)."""
    row = _bc()
    base = _base(row.storefront_url) if row else None
    if not base or not path:
        return None
    return base + "/" + quote(path.lstrip("/"), safe="/-_.~%")
