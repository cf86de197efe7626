"""Auth, rate limiting, injected faults, the emulator's controls and the seeds."""
from __future__ import annotations

import json

import httpx
import pytest

from desktop.sandbox import bigcommerce_seed
from desktop.sandbox.bigcommerce import BigCommerceEmulator

pytestmark = pytest.mark.contract

RATE_HEADERS = ("X-Rate-Limit-Requests-Left", "X-Rate-Limit-Requests-Quota", "X-Rate-Limit-Time-Reset-Ms",
                "X-Rate-Limit-Time-Window-Ms")


# -- auth ------------------------------------------------------------------------------------------------------
def test_missing_or_wrong_token_is_401(bc):
    r = bc.get("/v3/catalog/products", headers={"X-Auth-Token": "not-the-token"})
    assert r.status_code == 401
    assert r.json()["status"] == 401 and r.json()["title"].startswith("Unauthorized")
    assert "X-Rate-Limit-Requests-Left" not in r.headers
    r = bc.get("/v2/orders", headers={"X-Auth-Token": ""})
    assert r.status_code == 401 and r.json()[0]["status"] == 401
    anonymous = httpx.get(f"{bc.server.base_url}/stores/sbx1hike/v3/catalog/brands")
    assert anonymous.status_code == 401
    bc.specs.assert_valid_response("GET", "/stores/sbx1hike/v3/catalog/brands", 401, anonymous.headers,
                                   anonymous.content)


def test_wrong_store_hash_is_404(bc):
    r = bc.get("/stores/otherstore/v3/catalog/products")
    assert r.status_code == 404 and r.json()["status"] == 404
    r = bc.get("/stores/otherstore/v2/store")
    assert r.status_code == 404 and r.json()[0]["status"] == 404


def test_unknown_route_404_and_wrong_method_405(bc):
    r = bc.get("/v3/catalog/nothing-here")
    assert r.status_code == 404 and r.json()["title"] == "The requested resource was not found."
    r = bc.request("PATCH", "/v3/catalog/products")
    assert r.status_code == 405 and r.json()["status"] == 405
    # issue 18: a 405 says which methods the resource has (RFC 9110)
    assert {m.strip() for m in r.headers["Allow"].split(",")} >= {"GET", "POST", "PUT", "DELETE"}


def test_issue18_v2_resources_answer_at_their_json_address_too(bc):
    order = bc.get("/v2/orders", params={"limit": 1}).json()[0]
    plain, suffixed = bc.get(f"/v2/orders/{order['id']}"), bc.get(f"/v2/orders/{order['id']}.json")
    assert suffixed.status_code == 200 and suffixed.json() == plain.json()
    assert bc.get("/v2/store.json").json()["id"] == bc.get("/v2/store").json()["id"]
    listed = bc.get("/v2/orders.json", params={"limit": 2})
    assert listed.status_code == 200 and [o["id"] for o in listed.json()] == \
        [o["id"] for o in bc.get("/v2/orders", params={"limit": 2}).json()]
    assert bc.get("/v3/catalog/products.json").status_code == 404  # v3 has no such address


def test_access_token_can_be_changed_and_the_old_one_stops_working(bc):
    bc.control("POST", "settings", json={"access_token": "rotated-token"})
    assert bc.get("/v2/store").status_code == 401
    assert bc.get("/v2/store", headers={"X-Auth-Token": "rotated-token"}).status_code == 200
    settings = bc.control("GET", "settings").json()
    assert "access_token" not in settings and settings["quota"] == 150


# -- rate limiting ---------------------------------------------------------------------------------------------
def test_rate_limit_headers_on_every_response(bc):
    first = bc.get("/v3/catalog/brands")
    second = bc.get("/v2/orders/99999")
    for r in (first, second):
        assert all(h in r.headers for h in RATE_HEADERS)
    assert first.headers["X-Rate-Limit-Requests-Quota"] == "150"
    assert first.headers["X-Rate-Limit-Time-Window-Ms"] == "30000"
    assert int(first.headers["X-Rate-Limit-Requests-Left"]) - int(second.headers["X-Rate-Limit-Requests-Left"]) == 1
    assert 0 < int(first.headers["X-Rate-Limit-Time-Reset-Ms"]) <= 30000


def test_429_when_the_quota_is_spent_and_back_after_the_window(bc):
    bc.control("POST", "settings", json={"quota": 3, "window_s": 30})
    lefts = [bc.get("/v3/catalog/brands").headers["X-Rate-Limit-Requests-Left"] for _ in range(3)]
    assert lefts == ["2", "1", "0"]
    r = bc.get("/v3/catalog/brands")
    assert r.status_code == 429
    assert r.json() == {"status": 429, "title": "Too many requests", "type": "/api-docs/getting-started/api-status-codes",
                        "errors": {}}
    assert r.headers["X-Rate-Limit-Requests-Left"] == "0" and r.headers["X-Rate-Limit-Requests-Quota"] == "3"
    reset_ms = int(r.headers["X-Rate-Limit-Time-Reset-Ms"])
    assert 0 < reset_ms <= 30000 and int(r.headers["X-Retry-After"]) == -(-reset_ms // 1000)
    v2 = bc.get("/v2/store")
    assert v2.status_code == 429 and v2.json() == [{"status": 429, "message": "Too many requests"}]
    assert bc.control("GET", "requests").status_code == 200  # controls are not rate limited
    bc.control("POST", "clock", json={"advance_s": reset_ms / 1000 + 0.01})
    r = bc.get("/v3/catalog/brands")
    assert r.status_code == 200 and r.headers["X-Rate-Limit-Requests-Left"] == "2"


def test_time_scale_shortens_the_window_a_client_waits(bc):
    bc.control("POST", "settings", json={"time_scale": 10})
    r = bc.get("/v3/catalog/brands")
    assert r.headers["X-Rate-Limit-Time-Window-Ms"] == "3000"
    assert int(r.headers["X-Rate-Limit-Time-Reset-Ms"]) <= 3000


# -- injected faults -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["500", "503"])
def test_injected_server_errors(bc, kind):
    bc.control("POST", "faults", json={"path": "/catalog/products$", "method": "GET", "responses": [kind]})
    r = bc.get("/v3/catalog/products")
    assert r.status_code == int(kind) and r.json()["status"] == int(kind)
    assert bc.get("/v3/catalog/products").status_code == 200  # one fault, then the store again
    bc.control("POST", "faults", json={"path": "/v2/orders", "responses": [kind]})
    r = bc.get("/v2/orders")
    assert r.status_code == int(kind) and r.json()[0]["status"] == int(kind)


def test_injected_502_is_the_edges_html_page(bc):
    bc.control("POST", "faults", json={"path": "/catalog/brands", "responses": ["502"]})
    r = bc.get("/v3/catalog/brands", validate=False)  # not the API speaking: an HTML page, no schema applies
    assert r.status_code == 502 and r.headers["content-type"].startswith("text/html")


def test_injected_429_looks_like_a_real_one(bc):
    bc.control("POST", "faults", json={"path": "/catalog/products", "responses": ["429", "429"]})
    for _ in range(2):
        r = bc.get("/v3/catalog/products")
        assert r.status_code == 429 and r.json()["title"] == "Too many requests"
        assert r.headers["X-Rate-Limit-Requests-Left"] == "0" and "X-Retry-After" in r.headers
        assert all(h in r.headers for h in RATE_HEADERS)
    assert bc.get("/v3/catalog/products").status_code == 200
    assert bc.control("GET", "requests").json()["faults_injected"] == 2


def test_injected_timeout_drop_and_malformed(bc):
    bc.control("POST", "faults", json={"path": "/catalog/brands", "responses": ["timeout"], "delay_s": 0.5})
    with pytest.raises(httpx.TimeoutException):
        bc.http.get("/stores/sbx1hike/v3/catalog/brands", timeout=0.1)
    bc.control("POST", "faults", json={"path": "/catalog/brands", "responses": ["drop"]})
    with pytest.raises(httpx.TransportError):
        bc.http.get("/stores/sbx1hike/v3/catalog/brands")
    bc.control("POST", "faults", json={"path": "/catalog/brands", "responses": ["malformed"]})
    r = bc.http.get("/stores/sbx1hike/v3/catalog/brands")
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        r.json()
    assert bc.get("/v3/catalog/brands").status_code == 200


def test_injected_drop_after_applies_the_write_and_loses_the_answer(bc):
    bc.control("POST", "faults", json={"path": "/catalog/brands$", "method": "POST", "responses": ["drop_after"]})
    with pytest.raises(httpx.TransportError):
        bc.http.post("/stores/sbx1hike/v3/catalog/brands", json={"name": "Written But Unconfirmed"})
    found = bc.get("/v3/catalog/brands", params={"name": "Written But Unconfirmed"}).json()["data"]
    assert len(found) == 1
    assert bc.post("/v3/catalog/brands", json={"name": "Written But Unconfirmed"}).status_code == 409


# -- controls ----------------------------------------------------------------------------------------------------
def test_state_reset_and_seed(bc):
    r = bc.post("/v3/catalog/brands", json={"name": "Made In Test"})
    brand_id = r.json()["data"]["id"]
    state = bc.control("GET", "state").json()
    assert state["format"] == "bigcommerce-seed/1" and len(state["products"]) == 150
    assert any(b["id"] == brand_id for b in state["brands"])
    assert "sandbox-bc-token" not in json.dumps(state)
    bc.control("POST", "reset")
    assert bc.get(f"/v3/catalog/brands/{brand_id}").status_code == 404
    bc.control("POST", "seed", json=bigcommerce_seed.empty())
    products = bc.get("/v3/catalog/products").json()
    assert products["data"] == [] and products["meta"]["pagination"]["total"] == 0
    assert bc.get("/v2/orders").status_code == 204
    assert bc.get("/v2/store").json()["name"] == "Sandbox Shop"
    bc.control("POST", "seed", json=state)  # a saved state loads back as a seed
    assert bc.get(f"/v3/catalog/brands/{brand_id}").status_code == 200
    bad = bc.http.post("/__emulator/seed", content=b"[1, 2]")
    assert bad.status_code == 400


def test_state_round_trip_keeps_stock_and_changes(bc):
    product = bc.get("/v3/catalog/products", params={"limit": 1}).json()["data"][0]
    bc.put("/v3/inventory/adjustments/absolute",
           json={"items": [{"location_id": 1, "product_id": product["id"], "quantity": 31}]})
    state = bc.control("GET", "state").json()
    app = BigCommerceEmulator()
    app.load_seed(state)
    assert app.store.product_level(app.store.products[product["id"]]) == 31


# -- seeds ---------------------------------------------------------------------------------------------------------
def test_demo_seed_content(demo_seed):
    assert len(demo_seed["products"]) == 150 and len(demo_seed["orders"]) == 42
    assert {o["status_id"] for o in demo_seed["orders"]} == set(range(15))
    assert [(t["id"], t["name"]) for t in demo_seed["tax_classes"]] == [(1, "Non-Taxable Products"), (2, "Shipping")]
    assert [(loc["id"], loc["label"]) for loc in demo_seed["locations"]] == [(1, "Main warehouse")]
    upcs = [p["upc"] for p in demo_seed["products"] if p["upc"]]
    assert len(upcs) - len(set(upcs)) == 2  # two pairs share a UPC on purpose
    skus = [p["sku"].lower() for p in demo_seed["products"] if p["sku"]]
    skus += [v["sku"].lower() for p in demo_seed["products"] for v in p["variants"] if p["base_variant_id"] is None]
    assert len(skus) == len(set(skus))
    emails = [c["email"].lower() for c in demo_seed["customers"]]
    assert len(emails) == len(set(emails)) and all(emails)
    products = {p["id"]: p for p in demo_seed["products"]}
    for order in demo_seed["orders"]:
        for line in order["products"]:
            assert any(v["id"] == line["variant_id"] for v in products[line["product_id"]]["variants"])
    assert bigcommerce_seed.demo() == demo_seed  # deterministic


def test_large_seed_generates_and_loads_whole():
    """large(50000) loads whole (its speed is a benchmark figure, docs/PERFORMANCE.md, not asserted here)."""
    data = bigcommerce_seed.large(50_000)
    app = BigCommerceEmulator()
    app.load_seed(data)
    assert len(app.store.products) == 25_000 and len(app.store.variants) > 40_000


def test_empty_seed():
    data = bigcommerce_seed.empty()
    assert data["products"] == [] and data["orders"] == [] and data["customers"] == []
    assert data["locations"][0]["id"] == 1 and len(data["tax_classes"]) == 2
