"""The BigCommerce client over real HTTP against the sandbox store: paging, batch limits, quota, faults,
conflicts and tokens (N2, N3, N4, N5, C2, C3)."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from decimal import Decimal

import httpx
import pytest

from desktop.sandbox import bigcommerce_seed
from desktop.sync import errors
from desktop.sync.bigcommerce import BCOrder, parse_api_path
from tests.integration.bc_store import start_bc_store


@pytest.fixture
def store():
    s = start_bc_store()
    yield s
    s.stop()


@pytest.fixture
def big_store():
    s = start_bc_store(bigcommerce_seed.large(6000))
    yield s
    s.stop()


def test_c2_store_info_and_lookups(store):
    client = store.client()
    info = client.store_info()
    assert info.name and info.control_panel_base_url.startswith("https://")
    assert info.secure_url.startswith("https://")
    assert info.store_hash == store.emulator.store_hash
    assert {t.name for t in client.tax_classes()} >= {"Non-Taxable Products"}, "class 0 (default) is not listed"
    assert client.order_statuses()[11] == "Awaiting Fulfillment"
    assert client.locations()[0].id == 1
    client.close()


def test_c3_bad_token_is_reconnect_needed(store):
    client = store.client(token="not-the-token")
    with pytest.raises(errors.ReconnectNeeded, match="reconnect BigCommerce"):
        client.store_info()
    assert len(store.api_requests()) == 1, "a refused token is not retried"


def test_c3_api_path_must_be_a_bigcommerce_api_path():
    for bad in ["https://example.com/", "https://api.bigcommerce.com/stores//v3/", "ftp://x/stores/a/v3/"]:
        with pytest.raises(ValueError, match="should look like"):
            parse_api_path(bad)
    with pytest.raises(ValueError, match="must start with https://api.bigcommerce.com/stores/.*plain http"):
        parse_api_path("http://api.bigcommerce.com/stores/abc/v3/")
    assert parse_api_path(" https://api.bigcommerce.com/stores/abc123/v3 ")[1] == "abc123"


def test_n5_products_page_at_250_lazily(big_store):
    client = big_store.client()
    big_store.requests(clear=True)
    products = list(client.products())
    total = len(products)
    assert total > 1000
    assert len({p.id for p in products}) == total
    gets = big_store.api_requests("GET", "/catalog/products")
    # 3000 products fill their last page: a full page is never taken for the last one (N5), so one more is read
    assert total % 250 == 0 and len(gets) == total // 250 + 1
    assert all(r["query"]["limit"] == "250" for r in gets)
    with_variants = [p for p in products if p.variants]
    assert with_variants and all(v.sku for v in with_variants[0].variants)
    assert isinstance(products[0].price, Decimal)


def test_products_filters_by_ids_skus_and_modified_since(store):
    client = store.client()
    everything = list(client.products())
    picked = everything[:3]
    assert {p.id for p in client.products(ids=[p.id for p in picked])} == {p.id for p in picked}
    assert [p.id for p in client.products(skus=[picked[1].sku.lower()])] == [picked[1].id]
    later = max(p.date_modified for p in everything)
    recent = list(client.products(modified_since=later))
    assert recent and all(p.date_modified >= later for p in recent)
    q = store.api_requests("GET", "/catalog/products")[-1]["query"]
    assert q["date_modified:min"].endswith("Z") and "T" in q["date_modified:min"]


@pytest.mark.parametrize("count,calls", [(9, 1), (10, 1), (11, 2)])
def test_n5_product_batch_update_in_tens(store, count, calls):
    client = store.client()
    products = list(client.products(include=""))[:count]
    store.requests(clear=True)
    updated = client.update_products([{"id": p.id, "cost_price": Decimal("1.25")} for p in products])
    assert len(updated) == count and all(p.cost_price == Decimal("1.25") for p in updated)
    assert len(store.api_requests("PUT", "/catalog/products")) == calls


def _inventory_items(client, n):
    items = []
    for p in client.products():
        if p.variants and p.has_options:
            items += [{"location_id": 1, "variant_id": v.id, "quantity": 7} for v in p.variants]
        else:
            items.append({"location_id": 1, "product_id": p.id, "quantity": 7})
        if len(items) >= n:
            return items[:n]
    raise AssertionError(f"the seed has fewer than {n} stock items")


@pytest.mark.parametrize("count,calls", [(2000, 1), (2001, 2)])
def test_n5_inventory_absolute_in_2000s(big_store, count, calls):
    client = big_store.client()
    items = _inventory_items(client, count)
    big_store.requests(clear=True)
    transactions = client.set_inventory(items)
    assert len(transactions) == calls and all(transactions)
    assert len(big_store.api_requests("PUT", "/inventory/adjustments/absolute")) == calls


def test_variants_batch_in_fifties(big_store):
    client = big_store.client()
    variants = [v for p in client.products() for v in p.variants if v.option_values][:51]
    big_store.requests(clear=True)
    out = client.update_variants([{"id": v.id, "cost_price": Decimal("2.50")} for v in variants])
    assert len(out) == 51
    assert len(big_store.api_requests("PUT", "/catalog/variants")) == 2


def test_n3_burst_over_the_quota_waits_instead_of_storming():
    """150 requests per 30 s, run 30x faster: a burst of 400 calls finishes with a handful of 429s at most."""
    s = start_bc_store(bigcommerce_seed.empty(), quota=150, window_s=30, time_scale=30)
    try:
        client = s.client()
        for _ in range(400):
            client.store_info()
        assert client.http.stats["http_429"] <= 3
        statuses = [r["status"] for r in s.api_requests()]
        assert statuses.count(429) == client.http.stats["http_429"]
        budget = client.budget()
        assert budget.quota == 150 and budget.requests_left is not None
    finally:
        s.stop()


@pytest.mark.parametrize("kind", ["500", "502", "503", "drop", "malformed"])
def test_n4_injected_faults_on_reads_are_recovered(store, kind):
    client = store.client()
    store.fault("/catalog/products", kind, kind, delay_s=0.1)
    assert list(client.products())
    assert client.http.stats["retries"] + client.http.stats["http_429"] == 2


def test_n3_injected_429s_are_waited_out():
    s = start_bc_store(time_scale=60)  # the 30 s window lasts half a real second
    try:
        client = s.client()
        s.fault("/catalog/products", "429", "429")
        assert list(client.products())
        assert client.http.stats["http_429"] == 2 and client.http.stats["retries"] == 0
    finally:
        s.stop()


def test_n4_timeout_is_retried(store):
    client = store.client(timeout=httpx.Timeout(5.0, read=0.3))
    store.fault("/v2/store", "timeout", delay_s=1.0)
    assert client.store_info().name
    assert client.http.stats["retries"] == 1


def _new_product(sku: str) -> dict:
    return {"name": f"Test product {sku}", "type": "physical", "weight": 1, "price": Decimal("19.95"), "sku": sku,
            "categories": []}


def test_n2_create_whose_answer_is_lost_is_not_duplicated(store):
    client = store.client()
    store.fault("/catalog/products$", "drop_after", method="POST")
    created = client.create_product(_new_product("LOST-ANSWER-1"))
    assert created.sku == "LOST-ANSWER-1"
    assert len(store.api_requests("POST", "/catalog/products")) == 1
    assert len(list(client.products(skus=["LOST-ANSWER-1"]))) == 1


def test_n2_create_that_never_arrived_is_reported_not_resent(store):
    client = store.client()
    store.fault("/catalog/products$", "drop", method="POST")
    with pytest.raises(errors.AmbiguousWrite):
        client.create_product(_new_product("NEVER-ARRIVED-1"))
    assert list(client.products(skus=["NEVER-ARRIVED-1"])) == []
    assert client.create_product(_new_product("NEVER-ARRIVED-1")).sku == "NEVER-ARRIVED-1"


def test_d4_duplicate_sku_differing_in_case_is_a_conflict_naming_the_sku(store):
    client = store.client()
    existing = next(p for p in client.products() if p.sku)
    with pytest.raises(errors.Conflict) as info:
        client.create_product(_new_product(existing.sku.lower()))
    assert existing.sku.lower() in str(info.value)
    assert info.value.field == "sku"


def test_orders_parse_money_dates_and_skip_nothing_silently(store):
    client = store.client()
    orders = list(client.orders())
    assert orders and all(isinstance(o, BCOrder) for o in orders)
    assert not any(o.is_incomplete for o in orders), "the default listing leaves out incomplete orders"
    incomplete = list(client.orders(status_id=0))
    assert incomplete and all(o.is_incomplete for o in incomplete), "they exist: the engine must skip them"
    order = next(o for o in orders if not o.is_incomplete)
    assert isinstance(order.total_inc_tax, Decimal) and order.date_created.tzinfo is not None
    lines = client.order_products(order.id)
    assert lines and sum(line.quantity for line in lines) > 0
    assert isinstance(lines[0].price_inc_tax, Decimal)


def test_v2_empty_page_204_gives_no_orders(store):
    client = store.client()
    assert list(client.orders(modified_since=datetime(2100, 1, 1, tzinfo=timezone.utc))) == []
    assert store.api_requests("GET", "/v2/orders")[-1]["status"] == 204


def test_order_status_update(store):
    client = store.client()
    order = next(o for o in client.orders(status_id=11))
    assert client.update_order_status(order.id, 2).status_id == 2


def test_customers_page_and_create_in_tens(store):
    client = store.client()
    existing = list(client.customers())
    assert existing and all(c.email for c in existing)
    found = list(client.customers(emails=[existing[0].email.upper()]))
    assert [c.id for c in found] == [existing[0].id]
    store.requests(clear=True)
    bodies = [{"first_name": "New", "last_name": f"Person{i}", "email": f"new.person{i}@example.com"}
              for i in range(11)]
    created = client.create_customers(bodies)
    assert len(created) == 11
    assert len(store.api_requests("POST", "/v3/customers")) == 2


def test_customer_addresses_are_created_and_updated_in_tens(store):
    client = store.client()
    customers = list(client.customers())[:11]
    store.requests(clear=True)
    bodies = [{"customer_id": c.id, "first_name": c.first_name, "last_name": c.last_name, "address1": f"{i} Bay Rd",
               "city": "Geelong", "state_or_province": "Victoria", "postal_code": "3220", "country_code": "AU"}
              for i, c in enumerate(customers)]
    created = client.create_customer_addresses(bodies)
    assert sorted(a["customer_id"] for a in created) == sorted(c.id for c in customers)
    updated = client.update_customer_addresses([{"id": a["id"], "city": "Torquay"} for a in created])
    assert len(updated) == 11 and {a["city"] for a in updated} == {"Torquay"}
    assert len(store.api_requests("POST", "/v3/customers/addresses")) == 2
    assert len(store.api_requests("PUT", "/v3/customers/addresses")) == 2


def test_brand_create_is_idempotent_by_name(store):
    client = store.client()
    first = client.create_brand("Sandbox Test Brand")
    again = client.create_brand("sandbox test brand")
    assert again.id == first.id


# -- N5 / finding 13: paging ends only where the platform says the list ends ------------------------------------
def _paging(store, **quirks) -> None:
    store.control("POST", "paging", json=quirks)


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_n5_products_capped_at_100_a_page_when_250_are_asked_are_all_read(caplog):
    """N5 / finding 13: a store that serves 100 products a page when 250 were asked (meta: 3 pages) is read to
    the end, asking 250 every time; the read agrees with the total, so nothing is flagged."""
    s = start_bc_store(bigcommerce_seed.large(500))
    try:
        client = s.client()
        everything = {p.id for p in client.products(include="")}
        assert len(everything) == 250
        _paging(s, page_cap=100)
        s.requests(clear=True)
        read = [p.id for p in client.products(include="")]
        assert len(read) == len(set(read)) and set(read) == everything
        gets = s.api_requests("GET", "/catalog/products")
        assert len(gets) == 3 and all(r["query"]["limit"] == "250" for r in gets)
        assert client.incomplete_reads == 0 and not _warnings(caplog)
    finally:
        s.stop()


def test_n5_brands_with_total_pages_under_reported_as_1_on_a_full_page_are_all_read():
    """N5 / finding 13: 322 brands, the first page full (250) but ``total_pages`` 1 and so no ``next`` link (the
    platform's brand bug, bigcommerce/api#43): the client does not take a full page for the last one."""
    seed = bigcommerce_seed.demo()
    extra = [{**seed["brands"][0], "id": 1000 + i, "name": f"Paging Brand {i:03d}", "page_title": f"Paging Brand {i}",
              "custom_url": {"url": f"/brands/paging-brand-{i:03d}/", "is_customized": False}}
             for i in range(322 - len(seed["brands"]))]
    seed["brands"] += extra
    s = start_bc_store(seed)
    try:
        _paging(s, total_pages=1, path="/catalog/brands")
        client = s.client()
        brands = client.brands()
        assert len(brands) == 322 and len({b.id for b in brands}) == 322
        assert client.incomplete_reads == 0, "the total (322) was right: the read is complete"
    finally:
        s.stop()


def test_n5_products_without_links_fall_back_to_total_pages_not_to_short_pages(store):
    """N5 / finding 13: without ``links`` the pages go on while ``current_page < total_pages``; a page shorter
    than asked (60 of 250) is not the end by itself."""
    client = store.client()
    everything = {p.id for p in client.products(include="")}
    _paging(store, page_cap=60, links=False)
    assert {p.id for p in client.products(include="")} == everything
    assert client.incomplete_reads == 0


def test_n5_over_reported_total_reads_everything_served_logs_and_flags_the_read(store, caplog):
    """N5 / finding 13: a total 5 above what the store serves: every product served is read, the mismatch is
    logged (without the token) and the read is flagged incomplete, for the engine to ask."""
    client = store.client()
    everything = {p.id for p in client.products(include="")}
    _paging(store, total_offset=5, path="/catalog/products")
    assert {p.id for p in client.products(include="")} == everything
    assert client.incomplete_reads == 1
    (warning,) = _warnings(caplog)
    assert f"{len(everything)} of {len(everything) + 5}" in warning and "catalog/products" in warning
    assert store.emulator.access_token not in caplog.text
    client.brands()  # a list that adds up does not touch the counter
    assert client.incomplete_reads == 1


def test_n5_v2_orders_capped_at_10_a_page_are_all_read(store):
    """N5 / finding 13: v2 lists end at an empty page (204), never at a page shorter than asked."""
    client = store.client()
    everything = [o.id for o in client.orders()]
    assert len(everything) > 10
    _paging(store, page_cap=10, path="/v2/orders")
    store.requests(clear=True)
    assert [o.id for o in client.orders()] == everything
    gets = store.api_requests("GET", "/v2/orders")
    assert gets[-1]["status"] == 204 and all(r["query"]["limit"] == "250" for r in gets)


def test_issue18_a_variant_added_to_an_existing_product_names_option_values_made_first(store):
    """BigCommerce documents POST …/variants with option values that exist: the client finds or makes each one
    first (the option with its first value, or the value in the option), and a value whose creation answer was
    lost is found, not made twice."""
    client = store.client()
    product = next(p for p in client.products() if p.has_options)
    name = product.variants[0].option_values[0][0]
    added = client.create_variant(product.id, {"sku": "SBX-ISSUE18-A", "price": 5.0, "option_values": [
        {"option_display_name": name, "label": "Issue18"}]})
    assert added.option_values == [(name, "Issue18")]
    # a lost answer on the next value: it was made; the client finds it instead of making a second one
    store.fault(rf"/catalog/products/{product.id}/options/\d+/values$", "drop_after", method="POST")
    again = client.create_variant(product.id, {"sku": "SBX-ISSUE18-B", "option_values": [
        {"option_display_name": name, "label": "Issue18-B"}]})
    assert again.option_values == [(name, "Issue18-B")]
    options = httpx.get(f"{store.api_path}catalog/products/{product.id}/options",
                        headers={"X-Auth-Token": store.emulator.access_token}).json()["data"]
    labels = [v["label"] for o in options if o["display_name"] == name for v in o["option_values"]]
    assert labels.count("Issue18") == 1 and labels.count("Issue18-B") == 1
    # an option the product does not have yet is made with its first value
    other = client.create_variant(product.id, {"sku": "SBX-ISSUE18-C", "option_values": [
        {"option_display_name": "Finish", "label": "Matte"}]})
    assert other.option_values == [("Finish", "Matte")]
