"""Orders placed through the emulator's storefront checkout (``/__emulator/orders``) read back through v2 orders and
v3 transactions, each response checked against the official schema (the sync tests place their orders this way)."""
from __future__ import annotations

from decimal import Decimal

import pytest

pytestmark = pytest.mark.contract


def _place(bc, **spec) -> int:
    (order_id,) = bc.control("POST", "orders", json=spec).json()["orders"]
    return order_id


def test_checkout_orders_read_back_on_schema(bc):
    products = bc.get("/v3/catalog/products", params={"include": "variants", "limit": 5}).json()["data"]
    variant = products[0]["variants"][-1]
    customer = bc.get("/v3/customers", params={"limit": 1}).json()["data"][0]
    paid = _place(bc, customer_id=customer["id"], shipping="10.00",
                  lines=[{"variant_id": variant["id"], "quantity": 2}, {"product_id": products[1]["id"]},
                         {"gift_certificate": "25.00"}])
    unpaid = _place(bc, status_id=7, payment_method=None, email="guest@example.org",
                    lines=[{"product_id": products[2]["id"]}])
    order = bc.get(f"/v2/orders/{paid}").json()
    assert order["customer_id"] == customer["id"] and order["status_id"] == 11
    lines = bc.get(f"/v2/orders/{paid}/products").json()
    assert [li["type"] for li in lines] == ["physical", "physical", "giftcertificate"]
    assert lines[0]["variant_id"] == variant["id"] and lines[0]["quantity"] == 2
    total = sum(Decimal(li["total_inc_tax"]) for li in lines) + Decimal(order["shipping_cost_inc_tax"])
    assert Decimal(order["total_inc_tax"]) == total
    assert bc.get(f"/v2/orders/{paid}/shipping_addresses").json()[0]["cost_inc_tax"] == "11.0000"
    (txn,) = bc.get(f"/v3/orders/{paid}/transactions").json()["data"]
    assert (txn["event"], Decimal(str(txn["amount"]))) == ("purchase", total)
    guest = bc.get(f"/v2/orders/{unpaid}").json()
    assert guest["customer_id"] == 0 and guest["billing_address"]["email"] == "guest@example.org"
    assert guest["payment_status"] == "pending"
    assert bc.get(f"/v3/orders/{unpaid}/transactions").status_code == 204
    listed = bc.get("/v2/orders", params={"min_id": paid, "limit": 250}).json()
    assert [o["id"] for o in listed] == [paid, unpaid]


def test_checkout_refuses_unknown_payment_methods(bc):
    product = bc.get("/v3/catalog/products", params={"limit": 1}).json()["data"][0]
    r = bc.http.post("/__emulator/orders", json={"lines": [{"product_id": product["id"]}], "payment_method": "Barter"})
    assert r.status_code == 400 and "unknown payment method 'Barter'" in r.json()["error"]
