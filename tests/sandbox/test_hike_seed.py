"""The Hike fixtures (demo, large, empty) and the emulator-only controls that load and show them."""
from __future__ import annotations

import json

from desktop.sandbox import catalog, hike_seed
from desktop.sandbox.hike import HikeEmulator

from .conftest import DEMO, Sandbox


def test_demo_is_json_and_deterministic() -> None:
    assert json.loads(json.dumps(DEMO)) == hike_seed.demo()
    assert [o["title"] for o in DEMO["outlets"]] == ["Main Street", "Harbour Mall", "Online Store"]
    assert sorted(r["outletID"] for r in DEMO["registers"]) == [1, 1, 3]
    assert {(t["name"], t["rate"]) for t in DEMO["taxes"]} == {("GST", 10), ("No Tax", 0)}
    assert [p["payment_name"] for p in DEMO["payment_types"]] == ["Cash", "Card", "BigCommerce", "Store Credit"]
    assert {t["name"] for t in DEMO["product_types"]} == set(catalog.PRODUCT_TYPES)
    assert {b["name"] for b in DEMO["brands"]} == set(catalog.BRANDS)


def test_demo_products_follow_the_catalog() -> None:
    items = [i for i in catalog.shop_items(300) if catalog.in_hike(i)]
    assert [p["name"] for p in DEMO["products"]] == [i.name for i in items]
    by_name = {p["name"]: p for p in DEMO["products"]}
    for item in items:
        p = by_name[item.name]
        assert p["sku"] == item.sku
        assert [v["sku"] for v in p["product_variants"]] == [v.sku for v in item.variants]
        assert bool(p["product_extras"]) == bool(item.composite_of)
    skus = [s for p in DEMO["products"] for s in [p["sku"], *(v["sku"] for v in p["product_variants"])] if s]
    assert len(skus) == len(set(skus))


def test_demo_customers_keep_the_awkward_ones() -> None:
    people = catalog.people(100)
    assert len(DEMO["customers"]) == 100
    assert sum(1 for c in DEMO["customers"] if not c["email"]) == sum(1 for p in people if not p.email)
    emails = [c["email"].lower() for c in DEMO["customers"] if c["email"]]
    assert len(emails) - len(set(emails)) == 1


def test_demo_sales_cover_the_statuses() -> None:
    assert sorted({s["status"] for s in DEMO["sales"]}) == [1, 2, 3, 4, 5, 7]


def test_empty_store_is_usable(hike: Sandbox) -> None:
    hike.ctl("POST", "seed", {"seed": "empty"})
    assert hike.api.get("/api/v1/products/get_all").json() == {"items": [], "totalCount": 0, "next": None}
    product = hike.post("products/create", {"name": "First", "sku": "FIRST", "product_outlets": [
        {"outlet_id": 3, "price_inc_tax": 11, "on_hand_inventory": 2}]}).json()
    sale = hike.post("sales/create", {"outletId": 3, "registerId": 3, "status": 2, "invoiceLineItems": [
        {"invoiceItemValue": product["id"], "quantity": 1}], "invoicePayments": [{"paymentOptionId": 3,
                                                                                   "amount": 11}]})
    assert sale.status_code == 201 and sale.json()["netAmount"] == 11 and sale.json()["number"] == "000001"
    assert hike.stock(product["id"], 3)["on_hand_inventory"] == 1


def test_seed_reset_and_state_controls(hike: Sandbox) -> None:
    small = hike_seed.large(40)
    counts = hike.ctl("POST", "seed", small)
    assert counts["product_rows"] == len(small["products"]) + sum(len(p["product_variants"])
                                                                  for p in small["products"])
    state = hike.ctl("GET", "state")
    assert len(state["products"]) == counts["product_rows"] and state["settings"]["rate_limit"] is False
    hike.settings(weighted_average_cost=True)
    hike.ctl("POST", "reset")
    state = hike.ctl("GET", "state", summary=1)
    assert state["counts"]["product_rows"] == 0 and state["counts"]["outlets"] == 3
    assert state["settings"]["weighted_average_cost"] is False
    # tokens survive a reset (and the settings go back to their defaults: page_size is required again)
    assert hike.api.get("/api/v1/outlets/get_all", params={"page_size": 10}).status_code == 200
    bad = hike.anon.post("/__emulator/settings", json={"no_such_setting": 1})
    assert bad.status_code == 400


def test_large_50000_generates_and_loads_whole() -> None:
    """Its speed is a benchmark figure (docs/PERFORMANCE.md, sandbox start-up), not asserted here."""
    data = hike_seed.large(50_000)
    app = HikeEmulator()
    app.load_seed(data)
    assert app.counts()["product_rows"] > 70_000


def test_a_bad_seed_leaves_the_store_as_it_was(hike: Sandbox) -> None:
    before = hike.ctl("GET", "state", summary=1)["counts"]
    for bad in ([1, 2], {"outlets": [{"id": 1}]}, {"seed": "large:many"}):
        response = hike.anon.post("/__emulator/seed", json=bad)
        assert response.status_code == 400 and response.json()["error"]
    assert hike.ctl("GET", "state", summary=1)["counts"] == before
    dup = hike_seed.empty() | {"products": [{"id": 1, "name": "A", "sku": "X"}, {"id": 2, "name": "B", "sku": "x"}]}
    response = hike.anon.post("/__emulator/seed", json=dup)
    assert response.status_code == 400 and "duplicate SKU" in response.json()["error"]
    assert hike.ctl("GET", "state", summary=1)["counts"] == before


def test_values_of_the_wrong_type_are_400(hike: Sandbox) -> None:
    response = hike.post("customers/createOrUpdate", {"first_name": "A", "customer_group_id": "gold"})
    assert response.status_code == 400 and response.json()["__abp"] is True
    assert hike.post("products/create", "just a string").status_code == 400
