"""Inventory items, adjustments and locations over HTTP, each response checked against the official schema."""
from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.contract


def _products(bc: Any, **params: Any) -> list[dict[str, Any]]:
    return bc.get("/v3/catalog/products", params={"limit": 250, "include": "variants", **params}).json()["data"]


def _by_product(bc: Any) -> dict[str, Any]:
    return next(p for p in _products(bc) if p["inventory_tracking"] == "product" and p["base_variant_id"])


def _by_variant(bc: Any) -> dict[str, Any]:
    return next(p for p in _products(bc) if p["inventory_tracking"] == "variant")


def _absolute(bc: Any, items: list[dict[str, Any]]) -> Any:
    return bc.put("/v3/inventory/adjustments/absolute", json={"reason": "count", "items": items})


def _relative(bc: Any, items: list[dict[str, Any]]) -> Any:
    return bc.post("/v3/inventory/adjustments/relative", json={"reason": "sale", "items": items})


def test_inventory_items_match_the_catalog(bc):
    items = bc.get("/v3/inventory/items", params={"limit": 1000}).json()["data"]
    products = {p["id"]: p for p in _products(bc)}
    variant_items = [i for i in items if "sku_id" in i["identity"]]
    product_items = [i for i in items if "sku_id" not in i["identity"]]
    assert len(product_items) + len({i["identity"]["product_id"] for i in variant_items}) == len(products)
    for item in product_items:
        product = products[item["identity"]["product_id"]]
        location = item["locations"][0]
        assert location["location_id"] == 1 and location["location_name"] == "Main warehouse"
        assert location["total_inventory_onhand"] == product["inventory_level"]
    item = variant_items[0]
    variant = next(v for v in products[item["identity"]["product_id"]]["variants"]
                   if v["id"] == item["identity"]["variant_id"])
    assert item["locations"][0]["total_inventory_onhand"] == variant["inventory_level"]
    filtered = bc.get("/v3/inventory/items", params={"sku:in": item["identity"]["sku"]}).json()["data"]
    assert [i["identity"] for i in filtered] == [item["identity"]]
    at_location = bc.get("/v3/inventory/locations/1/items", params={"product_id:in": item["identity"]["product_id"]})
    assert {i["identity"]["variant_id"] for i in at_location.json()["data"]} == \
        {v["id"] for v in products[item["identity"]["product_id"]]["variants"]}
    r = bc.get("/v3/inventory/locations/77/items")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


def test_absolute_adjustments_set_catalog_levels(bc):
    product, complex_ = _by_product(bc), _by_variant(bc)
    variant = complex_["variants"][1]
    r = _absolute(bc, [{"location_id": 1, "product_id": product["id"], "quantity": 17},
                       {"location_id": 1, "sku": variant["sku"].lower(), "quantity": 5}])
    assert r.status_code == 200 and r.json()["transaction_id"]
    assert bc.get(f"/v3/catalog/products/{product['id']}").json()["data"]["inventory_level"] == 17
    again = bc.get(f"/v3/catalog/products/{complex_['id']}", params={"include": "variants"}).json()["data"]
    assert next(v for v in again["variants"] if v["id"] == variant["id"])["inventory_level"] == 5
    assert again["inventory_level"] == sum(v["inventory_level"] for v in again["variants"])
    assert again["date_modified"] == complex_["date_modified"]  # inventory is not a product change
    r = _relative(bc, [{"location_id": 1, "product_id": product["id"], "quantity": -4}])
    assert r.status_code == 200
    assert bc.get(f"/v3/catalog/products/{product['id']}").json()["data"]["inventory_level"] == 13


def test_tracking_mode_decides_the_identity(bc):
    product, complex_ = _by_product(bc), _by_variant(bc)
    r = _absolute(bc, [{"location_id": 1, "variant_id": product["base_variant_id"], "quantity": 1}])
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["title"] == (f"[Item with variant_id {product['base_variant_id']} is tracked by product, "
                                 "please update stock by product id]")
    r = _absolute(bc, [{"location_id": 1, "product_id": complex_["id"], "quantity": 1}])
    assert r.status_code == 422 and "is tracked by variant, please update stock by variant id" in r.json()["title"]
    r = _absolute(bc, [{"location_id": 1, "sku": "NO-SUCH-SKU", "quantity": 1}])
    assert r.status_code == 422 and "does not exist" in r.json()["title"]
    r = _absolute(bc, [{"location_id": 1, "product_id": product["id"]}])
    assert r.status_code == 422 and "items.0.quantity" in r.json()["errors"]
    r = _absolute(bc, [{"location_id": 42, "product_id": product["id"], "quantity": 1}])
    assert r.status_code == 422


def test_relative_before_any_absolute_fails(bc):
    created = bc.post("/v3/catalog/products", json={"name": "Sandbox Untracked Mug", "type": "physical",
                                                    "weight": 0.4, "price": 12, "inventory_tracking": "product"})
    pid = created.json()["data"]["id"]
    r = _relative(bc, [{"location_id": 1, "product_id": pid, "quantity": 5}])
    assert r.status_code == 422
    assert r.json()["title"] == f"Items with identity: [product_id {pid}] requires absolute adjustment before relative"
    assert _absolute(bc, [{"location_id": 1, "product_id": pid, "quantity": 2}]).status_code == 200
    assert _relative(bc, [{"location_id": 1, "product_id": pid, "quantity": 5}]).status_code == 200
    assert bc.get(f"/v3/catalog/products/{pid}").json()["data"]["inventory_level"] == 7
    r = _relative(bc, [{"location_id": 1, "product_id": pid, "quantity": -8}])
    assert r.status_code == 422 and "safety stock" in r.json()["title"]


def test_adjustments_take_2000_items_and_413_above(bc):
    product = _by_product(bc)
    item = {"location_id": 1, "product_id": product["id"], "quantity": 3}
    assert _absolute(bc, [item] * 2000).status_code == 200
    r = _absolute(bc, [item] * 2001)
    assert r.status_code == 413 and "2000" in r.json()["title"]
    assert _relative(bc, [dict(item, quantity=1)] * 2001).status_code == 413
    assert bc.get(f"/v3/catalog/products/{product['id']}").json()["data"]["inventory_level"] == 3


def test_locations_and_stock_per_location(bc):
    locations = bc.get("/v3/inventory/locations").json()["data"]
    assert [(loc["id"], loc["label"]) for loc in locations] == [(1, "Main warehouse")]
    new = {"code": "POPUP", "label": "Pop-up store", "managed_by_external_source": False, "type_id": "PHYSICAL",
           "enabled": True, "time_zone": "Australia/Melbourne",
           "address": {"address1": "2 Lane", "city": "Melbourne", "state": "VIC", "zip": "3000",
                       "email": "popup@sandbox-shop.example", "country_code": "AU",
                       "geo_coordinates": {"latitude": -37.8, "longitude": 144.9}}}
    r = bc.post("/v3/inventory/locations", json=[new])
    assert r.status_code == 200 and r.json()["transaction_id"]
    assert bc.post("/v3/inventory/locations", json=[new]).status_code == 422  # code in use
    popup = bc.get("/v3/inventory/locations", params={"location_code:in": "POPUP"}).json()["data"][0]
    r = bc.put("/v3/inventory/locations", json=[{"id": popup["id"], "label": "Pop-up (Melbourne)"}])
    assert r.status_code == 200
    product = _by_product(bc)
    level = product["inventory_level"]
    r = _relative(bc, [{"location_id": popup["id"], "product_id": product["id"], "quantity": 1}])
    assert r.status_code == 422 and "requires absolute adjustment before relative" in r.json()["title"]
    assert _absolute(bc, [{"location_id": popup["id"], "product_id": product["id"], "quantity": 8}]).status_code == 200
    item = bc.get("/v3/inventory/items", params={"product_id:in": product["id"]}).json()["data"][0]
    assert [(loc["location_name"], loc["total_inventory_onhand"]) for loc in item["locations"]] == \
        [("Main warehouse", level), ("Pop-up (Melbourne)", 8)]
    assert bc.get(f"/v3/catalog/products/{product['id']}").json()["data"]["inventory_level"] == level
    r = bc.put(f"/v3/inventory/locations/{popup['id']}/items",
               json={"settings": [{"identity": {"product_id": product["id"]}, "safety_stock": 3}]})
    assert r.status_code == 200
    row = bc.get(f"/v3/inventory/locations/{popup['id']}/items", params={"product_id:in": product["id"]}).json()["data"][0]
    assert row["available_to_sell"] == 5 and row["settings"]["safety_stock"] == 3
    r = bc.put(f"/v3/inventory/locations/{popup['id']}/items", json={"settings": [{"identity": {"product_id": 1}}]})
    assert r.status_code == 422
    assert bc.delete("/v3/inventory/locations", params={"location_id:in": 1}).status_code == 422
    assert bc.delete("/v3/inventory/locations", params={"location_id:in": popup["id"]}).status_code == 204


def test_issue18_every_inventory_422_is_problem_json(bc):
    for method, path, body in (("PUT", "/v3/inventory/adjustments/absolute", [1, 2]),
                               ("POST", "/v3/inventory/adjustments/relative", "text"),
                               ("PUT", "/v3/inventory/adjustments/absolute", {"reason": "x"})):
        r = bc.request(method, path, json=body)
        assert r.status_code == 422, (path, body)
        assert r.headers["content-type"].startswith("application/problem+json"), (path, body)
