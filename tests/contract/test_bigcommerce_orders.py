"""Store, tax classes, payment methods, order statuses, v2 orders and v3 transactions, over HTTP, each response
checked against the official schema."""
from __future__ import annotations

import copy
import json
import re
from email.utils import parsedate_to_datetime
from typing import Any

import pytest

pytestmark = pytest.mark.contract

MONEY = re.compile(r"^-?\d+\.\d{4}$")
RFC2822 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                     r"\d{4} \d{2}:\d{2}:\d{2} \+0000$")


def _all_orders(bc: Any, **params: Any) -> list[dict[str, Any]]:
    r = bc.get("/v2/orders", params={"limit": 250, **params})
    return [] if r.status_code == 204 else r.json()


def test_store_information(bc):
    store = bc.get("/v2/store").json()
    documented = bc.specs.raw["store_information.v2.yml"]["components"]["schemas"]
    schema = next(s for s in documented.values() if "control_panel_base_url" in s.get("properties", {}))
    assert set(schema["properties"]) <= set(store), set(schema["properties"]) - set(store)
    assert store["id"] == "sbx1hike" and store["name"] == "Sandbox Shop"
    assert store["secure_url"] == "https://sandbox-shop.example"
    assert store["control_panel_base_url"] == "https://store-sbx1hike.mybigcommerce.com"
    assert store["is_price_entered_with_tax"] is False
    assert store["currency"] == "AUD" and store["currency_symbol"] == "$" and store["decimal_places"] == 2
    assert store["weight_units"] == "KGS" and store["dimension_units"] == "Centimeters"
    assert store["timezone"]["name"] == "Australia/Sydney" and store["default_channel_id"] == 1
    assert isinstance(bc.get("/v2/time").json()["time"], int)


def test_tax_classes_payment_methods_and_order_statuses(bc):
    classes = bc.get("/v2/tax_classes").json()
    assert [(c["id"], c["name"]) for c in classes] == [("1", "Non-Taxable Products"), ("2", "Shipping")]
    assert bc.get("/v2/tax_classes/2").json()["name"] == "Shipping"
    assert bc.get("/v2/tax_classes/9").status_code == 404
    methods = bc.get("/v2/payments/methods").json()
    assert [m["name"] for m in methods] == ["Bank Deposit", "Cash on Delivery", "Credit Card", "PayPal"]
    statuses = bc.get("/v2/order_statuses").json()
    assert [s["id"] for s in statuses] == list(range(15)) and statuses[0]["name"] == "Incomplete"
    assert bc.get("/v2/order_statuses/11").json()["name"] == "Awaiting Fulfillment"


def test_order_list_shape_money_and_dates(bc):
    orders = _all_orders(bc)
    assert len(orders) == 39  # 42 seeded, 3 incomplete ones left out unless asked for
    assert [o["id"] for o in orders] == sorted(o["id"] for o in orders)
    order = orders[0]
    for key in ("subtotal_ex_tax", "subtotal_inc_tax", "total_inc_tax", "shipping_cost_inc_tax", "total_tax"):
        assert MONEY.match(order[key]), (key, order[key])
    assert RFC2822.match(order["date_created"]) and RFC2822.match(order["date_modified"])
    assert order["products"]["resource"] == f"/orders/{order['id']}/products"
    assert order["products"]["url"].startswith(bc.server.base_url)
    shipped = next(o for o in orders if o["status_id"] == 2)
    assert RFC2822.match(shipped["date_shipped"]) and shipped["items_shipped"] == shipped["items_total"]
    assert {o["payment_method"] for o in orders} == {"Credit Card", "PayPal", "Cash on Delivery"}
    assert {o["status_id"] for o in orders} == set(range(1, 15))


def test_incomplete_orders_only_on_request(bc):
    incomplete = _all_orders(bc, status_id=0)
    assert len(incomplete) == 3 and all(o["status"] == "Incomplete" for o in incomplete)
    assert all(o["payment_status"] == "" for o in incomplete)


def test_order_filters(bc):
    orders = _all_orders(bc)
    pivot = orders[20]["date_modified"]
    newer = _all_orders(bc, min_date_modified=pivot)
    assert newer and all(parsedate_to_datetime(o["date_modified"]) >= parsedate_to_datetime(pivot) for o in newer)
    iso = parsedate_to_datetime(pivot).isoformat()
    assert [o["id"] for o in _all_orders(bc, min_date_modified=iso)] == [o["id"] for o in newer]
    older = _all_orders(bc, max_date_modified=pivot)
    assert all(parsedate_to_datetime(o["date_modified"]) <= parsedate_to_datetime(pivot) for o in older)
    created = _all_orders(bc, min_date_created=orders[30]["date_created"])
    assert [o["id"] for o in created] == [o["id"] for o in orders[30:]]
    assert {o["status_id"] for o in _all_orders(bc, status_id=11)} == {11}
    assert [o["id"] for o in _all_orders(bc, sort="id:desc")] == [o["id"] for o in reversed(orders)]
    assert bc.get("/v2/orders", params={"min_date_modified": "not a date"}).status_code == 400


def test_v2_paging_empty_page_is_204_and_limit_above_250_is_413(bc):
    first = bc.get("/v2/orders", params={"limit": 10, "page": 1})
    assert first.status_code == 200 and len(first.json()) == 10
    r = bc.get("/v2/orders", params={"limit": 10, "page": 99})
    assert r.status_code == 204 and r.content == b""
    assert bc.get("/v2/orders", params={"min_date_created": "2100-01-01T00:00:00+00:00"}).status_code == 204
    assert bc.get("/v2/orders", params={"limit": 250}).status_code == 200
    r = bc.get("/v2/orders", params={"limit": 251})
    assert r.status_code == 413
    assert r.json() == [{"status": 413, "message": "The specified limit exceeds the maximum allowed.",
                         "details": {"max_limit": 250}}]


def test_get_order_and_404(bc):
    order = _all_orders(bc)[5]
    assert bc.get(f"/v2/orders/{order['id']}").json() == order
    r = bc.get("/v2/orders/99999")
    assert r.status_code == 404 and r.json() == [{"status": 404, "message": "The requested resource was not found."}]


def test_order_products_reference_the_catalog(bc):
    order = _all_orders(bc)[3]
    lines = bc.get(f"/v2/orders/{order['id']}/products").json()
    assert sum(li["quantity"] for li in lines) == order["items_total"]
    for line in lines:
        assert MONEY.match(line["price_inc_tax"]) and line["order_id"] == order["id"]
        variant = bc.get(f"/v3/catalog/products/{line['product_id']}/variants/{line['variant_id']}").json()["data"]
        assert variant["sku"] == line["sku"]
    one = bc.get(f"/v2/orders/{order['id']}/products/{lines[0]['id']}").json()
    assert one == lines[0]
    with_options = next(li for o in _all_orders(bc) for li in bc.get(f"/v2/orders/{o['id']}/products").json()
                        if li["product_options"])
    assert with_options["product_options"][0]["display_name"] in ("Size", "Colour")


def test_order_products_page_at_50_by_default(bc, demo_seed):
    seed = copy.deepcopy(demo_seed)
    order = seed["orders"][1]
    template = order["products"][0]
    order["products"] = [dict(template, id=5000 + n) for n in range(60)]
    bc.control("POST", "seed", json=seed)
    first = bc.get(f"/v2/orders/{order['id']}/products").json()
    assert len(first) == 50 and first[0]["id"] == 5000
    second = bc.get(f"/v2/orders/{order['id']}/products", params={"page": 2}).json()
    assert [li["id"] for li in second] == list(range(5050, 5060))
    assert bc.get(f"/v2/orders/{order['id']}/products", params={"page": 3}).status_code == 204
    assert len(bc.get(f"/v2/orders/{order['id']}/products", params={"limit": 60}).json()) == 60


LINES = {"include": "consignments.line_items", "consignment_structure": "object"}


def _consigned(order: dict[str, Any]) -> list[dict[str, Any]]:
    """Every consignment of an order's object-structure ``consignments``, of every kind."""
    c = order["consignments"]
    return c["shipping"] + c["pickups"] + c["downloads"] + c["email"]["gift_certificates"]


def test_n5_order_list_embeds_line_items_in_consignments(bc):
    """``include=consignments.line_items&consignment_structure=object``: each order's lines, shaped as
    ``/orders/{id}/products``, inside its consignments, every line exactly once (validated by the harness)."""
    orders = _all_orders(bc, **LINES)
    assert orders and all(set(o["consignments"]) == {"pickups", "shipping", "downloads", "email"} for o in orders)
    for order in orders[:8]:
        products = bc.get(f"/v2/orders/{order['id']}/products", params={"limit": 250}).json()
        embedded = [li for c in _consigned(order) for li in c["line_items"]]
        assert sorted(embedded, key=lambda li: li["id"]) == sorted(products, key=lambda li: li["id"])
        shipping = order["consignments"]["shipping"]
        assert len(shipping) == 1 and isinstance(shipping[0]["cost_inc_tax"], float)
        assert shipping[0]["shipping_quotes"]["resource"].startswith(f"/orders/{order['id']}/consignments/")
    one = bc.get(f"/v2/orders/{orders[0]['id']}", params=LINES).json()
    assert one["consignments"] == orders[0]["consignments"]
    links = bc.get(f"/v2/orders/{orders[0]['id']}", params={"include": "consignments",
                                                         "consignment_structure": "object"}).json()
    items = [li for c in _consigned(links) for li in c["line_items"]]
    assert items and all(set(li) == {"url", "resource"} for li in items)
    assert "consignments" not in bc.get(f"/v2/orders/{orders[0]['id']}").json(), "only on request"


def test_n5_embedded_line_items_are_capped_at_50_per_consignment(bc, demo_seed):
    """Like the platform (API notes §12.5), a consignment embeds 50 lines and warns; /products has them all."""
    seed = copy.deepcopy(demo_seed)
    order = seed["orders"][1]
    order["products"] = [dict(order["products"][0], id=5000 + n) for n in range(55)]
    bc.control("POST", "seed", json=seed)
    got = bc.get(f"/v2/orders/{order['id']}", params=LINES).json()
    shipping = got["consignments"]["shipping"][0]
    assert len(shipping["line_items"]) == 50 and "only 50" in shipping["__warning__"]["message"]


def test_consignment_exception_still_judges_the_consignments(bc):
    """The harness's narrow exception for the spec's overlapping oneOfs (conftest CONSIGNMENT_OPERATIONS) still
    rejects a consignment whose embedded line is not an orderProducts item, or links where lines were asked for."""
    r = bc.get("/v2/orders", params={**LINES, "limit": 1})
    body = r.json()
    body[0]["consignments"]["shipping"][0]["line_items"][0]["quantity"] = "many"
    path = r.request.url.raw_path.decode()
    with pytest.raises(pytest.fail.Exception, match="consignments/shipping/0/line_items/0"):
        bc.specs.assert_valid_response("GET", path, 200, r.headers, json.dumps(body))
    links = bc.get(f"/v2/orders/{body[0]['id']}", params={"include": "consignments",
                                                          "consignment_structure": "object"}).json()
    with pytest.raises(pytest.fail.Exception, match="line_items"):
        bc.specs.assert_valid_response("GET", path, 200, r.headers, json.dumps([links]))
    assert bc.get("/v2/orders", params={"include": "consignments"}).status_code == 400, "legacy structure"


def test_v2_order_without_shipping_address_embeds_its_lines_as_a_download(bc):
    """An API order with no shipping address ships nothing: its lines are the one ``downloads`` consignment."""
    line = bc.get(f"/v2/orders/{_all_orders(bc)[0]['id']}/products").json()[0]
    created = bc.post("/v2/orders", json={"billing_address": {"first_name": "A", "last_name": "B", "zip": "2000",
                                                              "email": "a@example.com"},
                                          "products": [{"product_id": line["product_id"],
                                                        "variant_id": line["variant_id"], "quantity": 2},
                                                       {"name": "Gift wrap", "quantity": 1, "price_ex_tax": 2,
                                                        "price_inc_tax": 2.2}]}).json()
    got = bc.get(f"/v2/orders/{created['id']}", params=LINES).json()["consignments"]
    assert got["shipping"] == [] and len(got["downloads"]) == 1
    assert got["downloads"][0]["recipient_email"] == "a@example.com"
    assert [li["quantity"] for li in got["downloads"][0]["line_items"]] == [2, 1]


def test_shipping_addresses(bc):
    order = next(o for o in _all_orders(bc) if o["base_shipping_cost"] != "0.0000")
    addresses = bc.get(f"/v2/orders/{order['id']}/shipping_addresses").json()
    assert len(addresses) == 1
    address = addresses[0]
    assert address["order_id"] == order["id"] and address["cost_inc_tax"] == order["shipping_cost_inc_tax"]
    assert address["shipping_method"] == "Flat Rate" and address["country_iso2"] == "AU"
    same = bc.get(f"/v2/orders/{order['id']}/shipping_addresses/{address['id']}").json()
    assert same == address
    assert bc.get(order["shipping_addresses"]["resource"].join(["/v2", ""])).json() == addresses


def test_status_update(bc):
    order = next(o for o in _all_orders(bc) if o["status_id"] == 11)
    bc.control("POST", "clock", json={"advance_s": 60})
    r = bc.put(f"/v2/orders/{order['id']}", json={"status_id": 2})
    assert r.status_code == 200
    updated = r.json()
    assert updated["status_id"] == 2 and updated["status"] == "Shipped"
    assert parsedate_to_datetime(updated["date_modified"]) > parsedate_to_datetime(order["date_modified"])
    assert updated["date_shipped"] and updated["items_shipped"] == updated["items_total"]
    since = _all_orders(bc, min_date_modified=updated["date_modified"])
    assert [o["id"] for o in since] == [order["id"]]
    r = bc.put(f"/v2/orders/{order['id']}", json={"status_id": 99})
    assert r.status_code == 400 and r.json()[0]["status"] == 400
    r = bc.put(f"/v2/orders/{order['id']}", json={"items_total": 1})
    assert r.status_code == 400 and "cannot be written to" in r.json()[0]["message"]
    assert bc.put("/v2/orders/99999", json={"status_id": 2}).status_code == 404
    incomplete = _all_orders(bc, status_id=0)[0]
    assert bc.put(f"/v2/orders/{incomplete['id']}", json={"status_id": 11}).status_code == 200
    assert incomplete["id"] in [o["id"] for o in _all_orders(bc)]


def test_archived_orders_are_left_out(bc):
    order = _all_orders(bc)[0]
    assert bc.delete(f"/v2/orders/{order['id']}").status_code == 204
    assert order["id"] not in [o["id"] for o in _all_orders(bc)]
    assert bc.get(f"/v2/orders/{order['id']}").json()["is_deleted"] is True


def test_order_transactions(bc):
    orders = _all_orders(bc)
    paid = next(o for o in orders if o["payment_method"] == "Credit Card" and o["status_id"] in (2, 9, 10, 11))
    data = bc.get(f"/v3/orders/{paid['id']}/transactions").json()["data"]
    assert [t["event"] for t in data] == ["purchase"] and data[0]["gateway"] == "braintree"
    assert data[0]["amount"] == float(paid["total_inc_tax"]) and data[0]["credit_card"]["card_type"] in ("visa", "master")
    refunded = next(o for o in orders if o["status_id"] == 4)
    events = [t["event"] for t in bc.get(f"/v3/orders/{refunded['id']}/transactions").json()["data"]]
    assert events == ["purchase", "refund"]
    cod = next(o for o in orders if o["payment_method"] == "Cash on Delivery" and o["status_id"] not in (1, 6, 7))
    offline = bc.get(f"/v3/orders/{cod['id']}/transactions").json()["data"][0]
    assert offline["method"] == "offline" and offline["offline"] == {"display_name": "Cash on Delivery"}
    pending = next(o for o in orders if o["status_id"] == 1)
    r = bc.get(f"/v3/orders/{pending['id']}/transactions")
    assert r.status_code == 204 and r.content == b""
    assert bc.get("/v3/orders/99999/transactions").status_code == 404


def test_s15_create_order_validates_and_takes_stock(bc):
    """POST /v2/orders (order_Post → order_Resp): catalog and custom lines, totals, the reference filter, and the
    stock BigCommerce takes for an order placed."""
    product = next(p for p in bc.get("/v3/catalog/products", params={"limit": 250}).json()["data"]
                   if p["inventory_tracking"] == "product" and p["inventory_level"] >= 3)
    body = {"status_id": 10, "external_order_id": "hike-sale-42", "external_source": "Hike POS",
            "staff_notes": "Hike sale 000042", "billing_address": {"first_name": "Walk-in", "zip": "2000"},
            "products": [{"product_id": product["id"], "quantity": 2, "price_ex_tax": 10, "price_inc_tax": 11},
                         {"name": "Custom engraving", "quantity": 1, "price_ex_tax": 5, "price_inc_tax": 5.5}],
            "total_ex_tax": "25.0000", "total_inc_tax": "27.5000"}
    r = bc.post("/v2/orders", json=body)
    assert r.status_code == 200, r.text
    order = r.json()
    assert order["status"] == "Completed" and order["total_inc_tax"] == "27.5000" and order["items_total"] == 3
    assert order["subtotal_inc_tax"] == "27.5000" and order["external_order_id"] == "hike-sale-42"
    lines = bc.get(f"/v2/orders/{order['id']}/products").json()
    assert [(li["product_id"], li["quantity"], li["price_inc_tax"]) for li in lines] == [
        (product["id"], 2, "11.0000"), (0, 1, "5.5000")]
    assert [o["id"] for o in _all_orders(bc, external_order_id="hike-sale-42")] == [order["id"]]
    after = bc.get(f"/v3/catalog/products/{product['id']}").json()["data"]["inventory_level"]
    assert after == product["inventory_level"] - 2
    for bad in ({**body, "billing_address": {"zip": ""}}, {**body, "products": []},
                {**body, "products": [{"product_id": 999999, "quantity": 1}]},
                {**body, "products": [{"product_id": product["id"], "quantity": 0}]},
                {**body, "id": 5}, {**body, "status_id": 99}):
        r = bc.post("/v2/orders", json=bad)
        assert r.status_code == 400 and r.json()[0]["status"] == 400, bad


def test_n7_order_metafields_create_list_and_batch_read(bc):
    """Issue 14 finding 2: the sync keeps "this order's stock was taken from Hike" on the order itself. Create one
    (MetafieldBase_Post → MetafieldResponse), a duplicate namespace+key is refused, the order's list and the batch
    list filter by namespace and key and sort by id."""
    first, second = (o["id"] for o in _all_orders(bc)[:2])
    body = {"permission_set": "app_only", "namespace": "hike_bc_sync", "key": "hike", "value": '{"stock": true}',
            "description": "synced to Hike"}
    created = bc.post(f"/v3/orders/{first}/metafields", json=body).json()["data"]
    assert created["resource_type"] == "order" and created["resource_id"] == first and created["value"] == body["value"]
    assert bc.post(f"/v3/orders/{first}/metafields", json=body, validate=False).status_code == 409
    assert bc.post(f"/v3/orders/{first}/metafields", json={**body, "key": ""}, validate=False).status_code == 422
    assert bc.post("/v3/orders/99999/metafields", json=body, validate=False).status_code == 404
    bc.post(f"/v3/orders/{second}/metafields", json=body)
    bc.post(f"/v3/orders/{second}/metafields", json={**body, "namespace": "someone_else"})
    mine = bc.get(f"/v3/orders/{second}/metafields", params={"namespace": "hike_bc_sync"}).json()["data"]
    assert [m["namespace"] for m in mine] == ["hike_bc_sync"]
    batch = bc.get("/v3/orders/metafields", params={"namespace": "hike_bc_sync", "key": "hike",
                                                    "direction": "desc"}).json()
    assert [m["resource_id"] for m in batch["data"]] == [second, first]
    assert batch["meta"]["pagination"]["total"] == 2


def test_n7_order_metafields_batch_create_and_partial_success(bc):
    """POST /v3/orders/metafields: every note made → 200; one already there or for no such order → 422 with the
    others made (MetaFieldCollectionResponsePartialSuccess_POST_PUT); more than 50 → 413."""
    first, second, third = (o["id"] for o in _all_orders(bc)[:3])
    note = {"permission_set": "app_only", "namespace": "hike_bc_sync", "key": "hike", "value": '{"sale": null}'}
    made = bc.post("/v3/orders/metafields", json=[{**note, "resource_id": first},
                                                  {**note, "resource_id": second}])
    assert made.status_code == 200 and [m["resource_id"] for m in made.json()["data"]] == [first, second]
    partial = bc.post("/v3/orders/metafields", json=[{**note, "resource_id": second},
                                                     {**note, "resource_id": third},
                                                     {**note, "resource_id": 99999}])
    body = partial.json()
    assert partial.status_code == 422 and [m["resource_id"] for m in body["data"]] == [third]
    assert [e["status"] for e in body["errors"]] == [409, 422] and body["meta"] == {"total": 3, "success": 1,
                                                                                     "failed": 2}
    too_many = [{**note, "key": f"k{i}", "resource_id": first} for i in range(51)]
    assert bc.post("/v3/orders/metafields", json=too_many, validate=False).status_code == 413


def test_issue18_an_orders_coupons_shipments_and_taxes_lists_answer(bc):
    order = bc.get("/v2/orders", params={"limit": 1}).json()[0]
    assert order["coupons"]["resource"] == f"/orders/{order['id']}/coupons"  # the link the order gives
    for name in ("coupons", "shipments"):
        r = bc.get(f"/v2/orders/{order['id']}/{name}")
        assert r.status_code == 204 and r.content == b""  # none made in the sandbox: v2's empty list
    assert bc.get("/v2/orders/999999/coupons").status_code == 404
    taxed = next(o for o in bc.get("/v2/orders", params={"limit": 50}).json() if float(o["total_tax"]) > 0)
    taxes = bc.get(f"/v2/orders/{taxed['id']}/taxes")
    assert taxes.status_code == 200
    assert abs(sum(float(t["line_amount"]) for t in taxes.json()) - float(taxed["total_tax"])) < 0.01


def test_issue18_an_unknown_value_of_an_enumerated_query_parameter_is_refused(bc):
    assert bc.get("/v3/catalog/products", params={"type": "AAA"}).status_code == 422
    assert bc.get("/v3/catalog/products", params={"type": "physical"}).status_code == 200
    assert bc.get("/v3/catalog/brands", params={"sort": "AAA"}).status_code == 422
    assert bc.get("/v3/catalog/brands", params={"sort": "name"}).status_code == 200
    assert bc.get("/v2/orders", params={"consignment_structure": "AAA"}).status_code == 400
    assert bc.get("/v2/orders", params={"sort": "date_created:desc", "limit": 1}).status_code == 200
    assert bc.get("/v2/orders", params={"sort": "AAA:desc"}).status_code == 400
