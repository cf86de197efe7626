"""``store_links`` in both modes (M2, M6; issue 17, finding 8): a real connection's links go to its control panel
and storefront over https only; a sandbox connection's go to the BigCommerce emulator's own loopback address, and
plain http is accepted for that address alone, on a sandbox connection alone."""
from __future__ import annotations

import pytest

from desktop.storage.models import Connection
from desktop.sync import store_links

REAL_API = "https://api.bigcommerce.com/stores/abc123/v3/"
SANDBOX_API = "http://127.0.0.1:43210/stores/sbx1hike/v3/"


def connect(api_path: str, *, sandbox: bool) -> Connection:
    row = Connection.get_or_none(Connection.side == "bigcommerce") or Connection(side="bigcommerce")
    row.store_name, row.api_path, row.is_sandbox = "Shop", api_path, sandbox
    row.control_panel_base_url = "https://store-abc123.mybigcommerce.com"
    row.storefront_url = "https://shop.example"
    row.save()
    return row


def test_m2_a_real_connection_links_to_its_control_panel_and_storefront(db):
    connect(REAL_API, sandbox=False)
    assert store_links.sandbox_origin() is None
    assert store_links.control_panel_product_url(7) == "https://store-abc123.mybigcommerce.com/manage/products/7/edit"
    assert store_links.control_panel_customer_url("8") == \
        "https://store-abc123.mybigcommerce.com/manage/customers/8/edit"
    assert store_links.control_panel_order_url(9) == "https://store-abc123.mybigcommerce.com/manage/orders/9"
    assert store_links.storefront_page_url("/shirt/") == "https://shop.example/shirt/"
    for url in ("https://store-abc123.mybigcommerce.com/manage/products/7/edit", "https://shop.example/shirt/"):
        assert store_links.is_store_url(url) == (True, "")


def test_m2_a_sandbox_connection_links_to_the_emulator_pages(db):
    connect(SANDBOX_API, sandbox=True)
    assert store_links.sandbox_origin() == "http://127.0.0.1:43210"
    assert store_links.control_panel_product_url(7) == "http://127.0.0.1:43210/manage/products/7/edit"
    assert store_links.control_panel_customer_url(8) == "http://127.0.0.1:43210/manage/customers/8/edit"
    assert store_links.control_panel_order_url(9) == "http://127.0.0.1:43210/manage/orders/9"
    assert store_links.storefront_page_url("/shirt/") == "http://127.0.0.1:43210/shirt/"
    assert store_links.storefront_page_url("/tee & co/") == "http://127.0.0.1:43210/tee%20%26%20co/"
    for url in ("http://127.0.0.1:43210/manage/products/7/edit", "http://127.0.0.1:43210/shirt/"):
        assert store_links.is_store_url(url) == (True, "")
    # the sandbox's made-up https hosts (``/v2/store`` of the emulator) go nowhere: not opened either
    for url in ("https://store-abc123.mybigcommerce.com/manage/products/7/edit", "https://shop.example/shirt/"):
        assert store_links.is_store_url(url)[0] is False


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:43210/manage/products/7/edit",  # the very address a sandbox connection would open
    "http://localhost:43210/shirt/",
    "http://[::1]:43210/shirt/",
])
def test_m6_a_loopback_address_is_refused_for_a_real_connection(db, url):
    connect(REAL_API, sandbox=False)
    allowed, reason = store_links.is_store_url(url)
    assert not allowed and "not https" in reason


def test_m6_a_loopback_api_path_not_saved_as_the_sandbox_opens_no_loopback_link(db):
    """Both facts make a sandbox connection: the flag alone or a loopback API path alone does not."""
    connect(SANDBOX_API, sandbox=False)
    assert store_links.sandbox_origin() is None
    assert store_links.is_store_url("http://127.0.0.1:43210/manage/products/7/edit")[0] is False
    assert store_links.control_panel_product_url(7).startswith("https://store-abc123.mybigcommerce.com/")
    connect(REAL_API, sandbox=True)
    assert store_links.sandbox_origin() is None
    assert store_links.is_store_url("http://127.0.0.1:43210/manage/products/7/edit")[0] is False


@pytest.mark.parametrize("sandbox", [True, False])
@pytest.mark.parametrize("url", [
    "http://store-abc123.mybigcommerce.com/manage/products/7/edit",  # the store's own host, over plain http
    "http://shop.example/shirt/",
    "http://192.0.2.2:43210/manage/products/7/edit",  # a stranger on the network
    "http://127.0.0.2:43210/shirt/",  # loopback, but not the emulator's address
    "http://127.0.0.1.evil.example:43210/shirt/",
])
def test_m6_an_http_address_off_the_emulator_is_refused_always(db, url, sandbox):
    connect(SANDBOX_API if sandbox else REAL_API, sandbox=sandbox)
    assert store_links.is_store_url(url)[0] is False


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:43211/manage/products/7/edit",  # another port: another program on this computer
    "http://user:pw@127.0.0.1:43210/manage/products/7/edit",  # credentials in the address
    "http://127.0.0.1@evil.example:43210/x",
    "https://127.0.0.1:43210/manage/products/7/edit",  # https to loopback: not the emulator, not a store
    "ftp://127.0.0.1:43210/x",
])
def test_m6_a_sandbox_connection_accepts_only_the_emulators_own_address(db, url):
    connect(SANDBOX_API, sandbox=True)
    assert store_links.is_store_url(url)[0] is False
