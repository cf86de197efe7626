"""Sales, stock reservations and movements, registers and customers of the Hike emulator (notes A8, B4)."""
from __future__ import annotations

from typing import Any

from .conftest import DEMO, Sandbox, abp_message


def _product(stock_at_least: float = 5, outlet: int = 1, continue_selling: bool = False) -> dict:
    """A simple demo product with enough stock and no open reservation in the outlet."""
    reserved = {li["invoiceItemValue"] for s in DEMO["sales"] for li in s["invoiceLineItems"]}
    return next(p for p in DEMO["products"] if not p["product_variants"] and not p["product_extras"] and p["sku"]
                and p["isActive"] and p["continue_selling_no_inventory"] == continue_selling
                and p["id"] not in reserved
                and next(r for r in p["product_outlets"] if r["outlet_id"] == outlet)["on_hand_inventory"]
                >= stock_at_least)


def _sale(product: dict, quantity: float, status: int, paid: float | None = None, outlet: int = 1,
          register: int = 1, **extra: Any) -> dict:
    row = next(r for r in product["product_outlets"] if r["outlet_id"] == outlet)
    price = round(row["price_ex_tax"] * 1.1, 2) if row["tax_id"] == 1 else row["price_ex_tax"]
    total = round(price * quantity, 2)
    body = {"outletId": outlet, "registerId": register, "status": status, "taxInclusive": True,
            "invoiceLineItems": [{"invoiceItemValue": product["id"], "quantity": quantity, "soldPrice": price}],
            "invoicePayments": ([{"paymentOptionId": 3, "amount": total if paid is None else paid}]
                                if (paid is None or paid) else []), **extra}
    return body


def _moves(hike: Sandbox, pid: int, outlet: int = 1) -> list[tuple]:
    return [(h["action"], h["adjustment"], h["reserved_adjustment"]) for h in hike.history(pid, outlet)]


def test_parked_then_completed_then_voided(hike: Sandbox) -> None:
    p = _product()
    start = hike.stock(p["id"], 1)
    parked = hike.post("sales/create", _sale(p, 2, 1, paid=0))
    assert parked.status_code == 201
    sale = parked.json()
    assert sale["status"] == 1 and sale["financialStatus"] == 0 and sale["registerid"] == 1
    s = hike.stock(p["id"], 1)
    assert (s["on_hand_inventory"], s["reserved_inventory"], s["available_inventory"]) == (
        start["on_hand_inventory"], 2, start["on_hand_inventory"] - 2)
    done = hike.post("sales/create", {"id": sale["id"], "status": 2, "invoicePayments": [
        {"paymentOptionId": 3, "amount": sale["netAmount"]}]})
    assert done.status_code == 202 and done.json()["financialStatus"] == 2 and done.json()["finalizeDate"]
    s = hike.stock(p["id"], 1)
    assert (s["on_hand_inventory"], s["reserved_inventory"]) == (start["on_hand_inventory"] - 2, 0)
    void = hike.post("sales/create", {"id": sale["id"], "status": 4})
    assert void.status_code == 202 and void.json()["financialStatus"] == 5
    assert hike.stock(p["id"], 1)["on_hand_inventory"] == start["on_hand_inventory"]
    assert _moves(hike, p["id"]) == [("Parked sale", 0, 2), ("Sale", -2, -2), ("Void", 2, 0)]
    rows = hike.history(p["id"], 1)
    assert all(r["reference"] == sale["number"] for r in rows)
    assert [r["on_hand"] for r in rows] == [start["on_hand_inventory"], start["on_hand_inventory"] - 2,
                                            start["on_hand_inventory"]]
    again = hike.post("sales/create", {"id": sale["id"], "status": 2})  # voided is final
    assert again.status_code == 422


def test_completed_then_refunded_with_and_without_restock(hike: Sandbox) -> None:
    p = _product()
    on_hand = hike.stock(p["id"], 1)["on_hand_inventory"]
    first = hike.post("sales/create", _sale(p, 1, 2)).json()
    second = hike.post("sales/create", _sale(p, 2, 2)).json()
    assert hike.stock(p["id"], 1)["on_hand_inventory"] == on_hand - 3
    hike.post("sales/create", {"id": first["id"], "status": 3, "isReStockWhenRefund": True})
    keep = hike.post("sales/create", {"id": second["id"], "status": 3, "isReStockWhenRefund": False})
    assert keep.json()["financialStatus"] == 4
    assert hike.stock(p["id"], 1)["on_hand_inventory"] == on_hand - 2
    assert _moves(hike, p["id"]) == [("Sale", -1, 0), ("Sale", -2, 0), ("Refund", 1, 0)]
    assert hike.post("sales/create", {"id": first["id"], "status": 1}).status_code == 422


def test_layby_and_on_account_reserve_and_void_releases(hike: Sandbox) -> None:
    p = _product(stock_at_least=6)
    layby = hike.post("sales/create", _sale(p, 1, 5, paid=5)).json()
    account = hike.post("sales/create", _sale(p, 2, 7, paid=0, customerId=3)).json()
    assert layby["financialStatus"] == 1 and account["customerName"]
    assert hike.stock(p["id"], 1)["reserved_inventory"] == 3
    hike.post("sales/create", {"id": layby["id"], "status": 4})
    assert hike.stock(p["id"], 1)["reserved_inventory"] == 2
    assert _moves(hike, p["id"]) == [("Lay-by", 0, 1), ("On-account", 0, 2), ("Void", 0, -1)]


def test_changing_lines_of_an_open_sale_applies_the_difference(hike: Sandbox) -> None:
    p = _product(stock_at_least=6)
    sale = hike.post("sales/create", _sale(p, 1, 1, paid=0)).json()
    hike.post("sales/create", {"id": sale["id"], "doCalculation": True, "invoiceLineItems": [
        {"invoiceItemValue": p["id"], "quantity": 4}]})
    assert hike.stock(p["id"], 1)["reserved_inventory"] == 4
    assert _moves(hike, p["id"]) == [("Parked sale", 0, 1), ("Parked sale", 0, 3)]


def test_completion_needs_full_payment(hike: Sandbox) -> None:
    p = _product()
    short = hike.post("sales/create", _sale(p, 1, 2, paid=1))
    assert short.status_code == 422 and "paid in full" in abp_message(short)
    assert hike.history(p["id"], 1) == []
    unpaid_account = hike.post("sales/create", _sale(p, 1, 7, paid=0))
    assert unpaid_account.status_code == 201


def test_stock_check_and_continue_selling(hike: Sandbox) -> None:
    p = _product(stock_at_least=1)
    available = hike.stock(p["id"], 1)["available_inventory"]
    too_many = hike.post("sales/create", _sale(p, available + 1, 2))
    assert too_many.status_code == 422 and "Not enough stock" in abp_message(too_many)
    oversell = _product(stock_at_least=0, continue_selling=True)
    level = hike.stock(oversell["id"], 1)["on_hand_inventory"]
    ok = hike.post("sales/create", _sale(oversell, level + 2, 2))
    assert ok.status_code == 201
    assert hike.stock(oversell["id"], 1)["on_hand_inventory"] == -2


def test_composite_sale_takes_its_parts(hike: Sandbox) -> None:
    composite = next(p for p in DEMO["products"] if p["product_extras"] and p["isActive"])
    parts = {e["product_id"]: e["quantity"] for e in composite["product_extras"]}
    body = _sale(composite, 1, 2, outlet=2, register=1)
    response = hike.post("sales/create", body)
    assert response.status_code == 422  # register 1 is in Main Street, not Harbour Mall
    body.update(outletId=1)
    before = {pid: hike.stock(pid, 1)["on_hand_inventory"] for pid in parts}
    response = hike.post("sales/create", body)
    assert response.status_code == 201 and response.json()["invoiceLineItems"][0]["invoiceItemType"] == 3
    for pid, amount in parts.items():
        assert hike.stock(pid, 1)["on_hand_inventory"] == before[pid] - amount
        assert hike.history(pid, 1)[-1]["action"] == "Sale"
    assert hike.history(composite["id"]) == []


def test_sale_on_a_closed_register_reopens_it(hike: Sandbox) -> None:
    registers = {r["id"]: r for r in hike.api.get("/api/v1/outlets/get_Registers_all").json()["items"]}
    assert registers[3]["isOpen"] is False and registers[3]["registerClosureId"] is None
    p = _product(outlet=3, stock_at_least=2)
    sale = hike.post("sales/create", _sale(p, 1, 2, outlet=3, register=3, number="BC-1001", invoiceFrom=5))
    assert sale.status_code == 201
    body = sale.json()
    assert body["number"] == "BC-1001" and body["source"] == 5 and body["registerName"] == "Web Register"
    reg = hike.api.get("/api/v1/registers/get_all").json()["items"][2]
    assert reg["isOpen"] is True and reg["registerClosureId"] == body["registerClosureId"]
    closed = hike.ctl("POST", "registers/close", {"register_id": 3})
    assert closed["total_sales"] == body["netAmount"] and closed["closureTime"] and closed["sales_count"] == 1
    closures = hike.api.get("/api/v1/registerClosures/get_all",
                            params={"closure_range_from": "2000-01-01", "page_size": 50}).json()
    assert [c["id"] for c in closures["items"]] == [closed["id"]]
    again = hike.post("sales/create", _sale(p, 1, 2, outlet=3, register=3)).json()
    assert again["registerClosureId"] != body["registerClosureId"]
    all_closures = hike.api.get("/api/v1/registerClosures/get_all").json()["items"]
    assert sum(1 for c in all_closures if c["registerId"] == 3) == 2


def test_sale_validation(hike: Sandbox) -> None:
    p = _product()
    cases = {
        "paymentOptionId": _sale(p, 1, 2) | {"invoicePayments": [{"paymentOptionId": 99, "amount": 1}]},
        "registerId": _sale(p, 1, 2, register=3),
        "status": _sale(p, 1, 2) | {"status": "Finalized"},
        "invoiceLineItems": _sale(p, 1, 2) | {"invoiceLineItems": []},
        "customerId": _sale(p, 1, 2) | {"customerId": 4242},
    }
    for field, body in cases.items():
        response = hike.post("sales/create", body)
        assert response.status_code == 422, field
        assert field in str(response.json()["errors"]), (field, response.json()["errors"])
    parent = next(x for x in DEMO["products"] if x["product_variants"])
    assert hike.post("sales/create", _sale(parent, 1, 1, paid=0)).status_code == 422
    first = hike.post("sales/create", _sale(p, 1, 1, paid=0, number="DUP-1"))
    assert first.status_code == 201
    assert hike.post("sales/create", _sale(p, 1, 1, paid=0, number="DUP-1")).status_code == 422
    assert hike.post("sales/create", {"id": 99999, "status": 4}).status_code == 404


def test_totals_as_sent_must_add_up(hike: Sandbox) -> None:
    p = _product()
    body = _sale(p, 1, 1, paid=0)
    price = body["invoiceLineItems"][0]["soldPrice"]
    wrong = hike.post("sales/create", body | {"subTotal": price, "totalShippingCost": 10, "netAmount": price})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "netAmount"
    right = hike.post("sales/create", body | {"subTotal": price, "totalShippingCost": 10,
                                              "netAmount": round(price + 10, 2)})
    assert right.status_code == 201 and right.json()["netAmount"] == round(price + 10, 2)
    calc = hike.post("sales/create", body | {"doCalculation": True, "netAmount": 1}).json()
    assert calc["netAmount"] == price and abs(calc["totalTax"] - round(price / 11, 2)) <= 0.01


def test_a_sale_by_sku_with_registerid_spelled_as_in_the_sample(hike: Sandbox) -> None:
    p = _product()
    body = _sale(p, 1, 2)
    body.pop("registerId")
    body["registerid"] = 1
    body["invoiceLineItems"] = [{"sku": p["sku"], "quantity": 1, "soldPrice": body["invoiceLineItems"][0]["soldPrice"]}]
    response = hike.post("sales/create", body)
    assert response.status_code == 201 and response.json()["invoiceLineItems"][0]["invoiceItemValue"] == p["id"]


def test_sales_list_filters(hike: Sandbox) -> None:
    all_sales = hike.api.get("/api/v1/sales/get_all").json()
    assert all_sales["totalCount"] == len(DEMO["sales"])
    statuses = {s["status"] for s in all_sales["items"]}
    assert {1, 2, 3, 4, 5, 7} <= statuses
    ranged = hike.api.get("/api/v1/sales/get_all", params={"invoice_range_from": "2025-02-04",
                                                           "invoice_range_to": "2025-02-06T23:59:59Z"}).json()
    assert [s["number"] for s in ranged["items"]] == ["000102", "000103", "000104"]
    by_number = hike.api.get("/api/v1/sales/get_all", params={"filter": "000105"}).json()
    assert [s["status"] for s in by_number["items"]] == [4]
    cut = hike.ctl("GET", "clock")["now"]
    assert hike.api.get("/api/v1/sales/get_all", params={"Sync_From": cut}).json()["totalCount"] == 0
    hike.post("sales/create", {"id": 2, "note": "call the customer"})
    assert hike.api.get("/api/v1/sales/get_all", params={"Sync_From": cut}).json()["totalCount"] == 1
    newest_first = hike.api.get("/api/v1/sales/get_all", params={"Sorting": "transactionDate desc"}).json()["items"]
    assert [s["id"] for s in newest_first] == [7, 6, 5, 4, 3, 2, 1]
    one = hike.api.get("/api/v1/sales/get/3").json()
    assert one["status"] == 5 and one["invoicePayments"][0]["paymentOptionName"] == "Card"


def test_seeded_reservations_are_in_stock(hike: Sandbox) -> None:
    parked = next(s for s in DEMO["sales"] if s["status"] == 1)
    line = parked["invoiceLineItems"][0]
    assert hike.stock(line["invoiceItemValue"], 1)["reserved_inventory"] == line["quantity"]


def test_customers_filter_and_duplicate_email(hike: Sandbox) -> None:
    shared = DEMO["customers"][-1]["email"]
    found = hike.api.get("/api/v1/customers/get_all", params={"Filter": shared.lower()}).json()
    assert found["totalCount"] == 2 and {c["email"].lower() for c in found["items"]} == {shared.lower()}
    no_email = [c for c in hike.api.get("/api/v1/customers/get_all?page_size=100").json()["items"] if not c["email"]]
    assert len(no_email) >= 5
    created = hike.post("customers/createOrUpdate", {"first_name": "Dup", "last_name": "Email", "email": shared,
                                                     "billing_address": {"id": 0, "address1": "9 Sandbox Rd",
                                                                         "city": "Perth"}})
    assert created.status_code == 201
    c = created.json()
    assert c["billing_address"]["id"] and c["billing_address_id"] == c["billing_address"]["id"]
    assert c["customer_code"].startswith("C")
    assert hike.api.get("/api/v1/customers/get_all", params={"Filter": shared}).json()["totalCount"] == 3
    updated = hike.post("customers/createOrUpdate", {**c, "phone": "0400000000"})
    assert updated.status_code == 202 and updated.json()["phone"] == "0400000000"
    assert updated.json()["billing_address"]["id"] == c["billing_address"]["id"]  # same address, updated in place
    assert hike.api.get(f"/api/v1/customers/get/{c['id']}").json()["phone"] == "0400000000"
    no_name = hike.post("customers/createOrUpdate", {"email": "x@example.com"})
    assert no_name.status_code == 422 and no_name.json()["errors"][0]["field"] == "first_name"
    assert hike.api.get("/api/v1/customers/get/4242").status_code == 404


def test_posting_back_a_parked_sale_to_complete_it(hike: Sandbox) -> None:
    sale = hike.api.get("/api/v1/sales/get/2").json()
    line = sale["invoiceLineItems"][0]
    sale["status"] = 2
    sale["invoicePayments"] = [{"paymentOptionId": 3, "amount": sale["netAmount"]}]
    done = hike.post("sales/create", sale)
    assert done.status_code == 202 and done.json()["financialStatus"] == 2
    assert _moves(hike, line["invoiceItemValue"]) == [("Sale", -line["quantity"], -line["quantity"])]
    assert hike.stock(line["invoiceItemValue"], 1)["reserved_inventory"] == 0
