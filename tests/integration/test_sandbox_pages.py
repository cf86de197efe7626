"""The sandbox's control panel and storefront pages (issue 17, finding 8), over real HTTP on 127.0.0.1: the app's
"Open in BigCommerce" and "View on storefront" links on a sandbox connection land on these."""
from __future__ import annotations

import re

import httpx
import pytest

from desktop.sandbox.stores import start_sandbox


@pytest.fixture(scope="module")
def sandbox():
    stores = start_sandbox("demo")
    yield stores
    stores.stop()


def _product_with_variants(sandbox) -> dict:
    return next(p for p in sandbox.bigcommerce.store.products.values()
                if any(v.get("option_values") for v in p["variants"]) and p.get("images"))


def test_m2_the_control_panel_page_shows_the_product(sandbox):
    product = _product_with_variants(sandbox)
    base = sandbox.bc_server.base_url
    page = httpx.get(f"{base}/manage/products/{product['id']}/edit")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert product["name"] in text and product["sku"] in text
    assert f"{product['price']:.2f}" in text
    for variant in product["variants"]:
        assert variant["sku"] in text
    assert "This is the sandbox store. On a real store this link opens the product in BigCommerce&#x27;s control " \
           "panel." in text
    # plain: nothing from elsewhere (no script, no external stylesheet or font); the picture is the emulator's own
    sources = re.findall(r'(?:src|href)="([^"]+)"', text)
    assert sources and all(s.startswith(base + "/cdn/") for s in sources), sources
    assert "<script" not in text
    assert httpx.get(sources[0]).status_code == 200


def test_m2_the_storefront_page_is_at_the_products_custom_url(sandbox):
    product = _product_with_variants(sandbox)
    page = httpx.get(sandbox.bc_server.base_url + product["custom_url"]["url"])
    assert page.status_code == 200
    assert product["name"] in page.text and product["sku"] in page.text
    assert "On a real store this link opens the product on your storefront." in page.text


def test_m2_a_product_that_is_gone_has_a_404_page_saying_so(sandbox):
    base = sandbox.bc_server.base_url
    gone = httpx.get(f"{base}/manage/products/999999/edit")
    assert gone.status_code == 404 and gone.headers["content-type"].startswith("text/html")
    assert "not in the sandbox store" in gone.text
    nowhere = httpx.get(f"{base}/no-such-product/")
    assert nowhere.status_code == 404 and "No product in the sandbox store has this address" in nowhere.text


def test_m2_a_product_deleted_in_the_store_has_a_404_page_on_both_addresses():
    stores = start_sandbox("demo")
    try:
        product = next(iter(stores.bigcommerce.store.products.values()))
        base, pid, path = stores.bc_server.base_url, product["id"], product["custom_url"]["url"]
        assert httpx.get(f"{base}/manage/products/{pid}/edit").status_code == 200
        deleted = httpx.delete(f"{base}/stores/{stores.bigcommerce.store_hash}/v3/catalog/products/{pid}",
                               headers={"X-Auth-Token": stores.bigcommerce.access_token})
        assert deleted.status_code == 204
        gone = httpx.get(f"{base}/manage/products/{pid}/edit")
        assert gone.status_code == 404 and f"Product {pid} is not in the sandbox store" in gone.text
        assert product["name"] not in gone.text
        assert httpx.get(base + path).status_code == 404
    finally:
        stores.stop()


def test_the_api_still_answers_its_own_404_and_405_as_json(sandbox):
    """The pages take only GETs the API does not answer: an unknown API path is still the API's JSON error."""
    base, token = sandbox.bc_server.base_url, {"X-Auth-Token": sandbox.bigcommerce.access_token}
    path = f"{base}/stores/{sandbox.bigcommerce.store_hash}/v3/catalog/no-such-thing"
    for response in (httpx.get(path, headers=token), httpx.post(path, headers=token)):
        assert response.status_code == 404 and response.headers["content-type"].startswith("application/json")
        assert response.json()["title"] == "The requested resource was not found."
