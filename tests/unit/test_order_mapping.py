"""BigCommerce order ⇄ Hike sale mapping (D5, D6, D8, S5), no network."""
from __future__ import annotations

from decimal import Decimal

import pytest

from desktop.sync import order_mapping as om
from desktop.sync.bigcommerce import BCOrder, BCOrderLine


def line(n: int, price: str, qty: int = 1, *, tax_rate: str = "0.10", **raw) -> BCOrderLine:
    ex = Decimal(price)
    inc = (ex * (1 + Decimal(tax_rate))).quantize(Decimal("0.01"))
    return BCOrderLine.from_api({"id": n, "product_id": n, "variant_id": 100 + n, "name": f"Item {n}", "sku": f"SKU{n}",
                                 "quantity": qty, "price_ex_tax": str(ex), "price_inc_tax": str(inc),
                                 "total_ex_tax": str(ex * qty), "total_inc_tax": str(inc * qty),
                                 "type": "physical", **raw})


def gift(n: int, amount: str) -> BCOrderLine:
    return BCOrderLine.from_api({"id": n, "product_id": 0, "variant_id": 0, "name": "Gift Certificate", "sku": "",
                                 "quantity": 1, "price_ex_tax": amount, "price_inc_tax": amount,
                                 "total_ex_tax": amount, "total_inc_tax": amount, "type": "giftcertificate",
                                 "gift_certificate_id": n})


def order(lines, shipping_ex: str = "10.00", status_id: int = 11, customer_id: int = 7, **extra) -> BCOrder:
    ship_ex = Decimal(shipping_ex)
    ship_inc = (ship_ex * Decimal("1.1")).quantize(Decimal("0.01"))
    total = sum((li.total_inc_tax for li in lines), Decimal(0)) + ship_inc
    return BCOrder.from_api({"id": 321, "customer_id": customer_id, "status_id": status_id, "status": "x",
                             "date_created": "Tue, 01 Dec 2026 10:00:00 +0000", "shipping_cost_ex_tax": str(ship_ex),
                             "shipping_cost_inc_tax": str(ship_inc), "total_inc_tax": str(total),
                             "payment_method": "Credit Card", "currency_code": "AUD",
                             "billing_address": {"first_name": "Wanda", "last_name": "Guest",
                                                 "email": "w@example.org"}, **extra})


def target(inclusive: bool = True, rate: str = "10", customer: int | None = 55) -> om.SaleTarget:
    return om.SaleTarget(outlet_id=3, register_id=9, status=om.PARKED, tax_inclusive=inclusive, shipping_tax_id=1,
                         shipping_tax_rate=Decimal(rate), customer_id=customer)


@pytest.mark.parametrize("bc_status, hike", [(11, 1), (7, 1), (1, 1), (2, 2), (10, 2), (5, 4), (6, 4), (4, 3),
                                             (0, None)])
def test_r_d8_bigcommerce_status_to_hike(bc_status, hike):
    assert om.hike_status_for(bc_status) == hike


def test_r_d8_hike_status_to_bigcommerce_and_only_forward():
    assert om.bc_status_for(om.DONE) == om.COMPLETED
    assert om.bc_status_for(om.DONE, items_shipped=2) == om.SHIPPED
    assert om.bc_status_for(om.VOIDED) == om.CANCELLED
    assert om.bc_status_for(om.PARKED) is None and om.bc_status_for(om.REFUNDED_SALE) is None
    assert om.moves_forward(om.PARKED, om.DONE) and om.moves_forward(om.DONE, om.VOIDED)
    assert not om.moves_forward(om.DONE, om.PARKED) and not om.moves_forward(om.VOIDED, om.REFUNDED_SALE)


def test_r_d6_shipping_line_takes_the_total_and_the_shipping_taxs_rate():
    o = order([line(1, "20.00")], shipping_ex="10.00")
    assert om.shipping_line(o, Decimal("10")) == (Decimal("11.00"), Decimal("1.00"))
    assert om.shipping_line(o, Decimal("0")) == (Decimal("11.00"), Decimal("0"))
    assert om.shipping_line(o, Decimal("15")) == (Decimal("11.00"), Decimal("1.43"))  # Hike's rate, not BigCommerce's


@pytest.mark.parametrize("inclusive", [True, False])
def test_r_d6_d5_sale_body_totals_add_up_and_gift_certificates_are_left_out(inclusive):
    lines = [line(1, "20.00", 2), line(2, "5.55"), gift(3, "50.00")]
    o = order(lines)
    body, skipped = om.sale_body(o, lines, lambda li: 1000 + li.product_id, target(inclusive))
    assert skipped == ["Gift Certificate"]
    assert [(i["invoiceItemValue"], i["quantity"]) for i in body["invoiceLineItems"]] == [(1001, 2), (1002, 1)]
    expected_net = o.total_inc_tax - Decimal("50.00")
    assert body["netAmount"] == expected_net
    tax = body["totalTax"]
    assert body["subTotal"] + body["totalShippingCost"] + (0 if inclusive else tax) == body["netAmount"]
    assert body["totalShippingCost"] == (Decimal("11.00") if inclusive else Decimal("10.00"))
    assert (body["number"], body["invoiceFrom"], body["outletId"], body["registerId"]) == ("321", 5, 3, 9)
    assert (body["status"], body["shippingTaxId"], body["customerId"]) == (om.PARKED, 1, 55)
    assert body["transactionDate"].startswith("2026-12-01T10:00:00")
    assert all(isinstance(v, Decimal) for v in (body["netAmount"], body["subTotal"], body["totalTax"]))


def test_r_s10_guest_is_named_in_the_note_and_has_no_customer():
    lines = [line(1, "20.00")]
    body, _ = om.sale_body(order(lines, customer_id=0), lines, lambda li: 1, target(customer=None))
    assert "customerId" not in body
    assert body["note"] == "BigCommerce order #321 (guest: Wanda Guest, w@example.org)"
    assert om.guest_note(order([line(1, "1.00")], customer_id=7)) == "BigCommerce order #321"


def test_r_s5_payments_one_per_transaction_capped_at_the_sales_total():
    o = order([line(1, "20.00")])
    txns = [{"event": "purchase", "status": "ok", "amount": Decimal("30.00"), "date_created": "2026-12-01T10:00:00Z"},
            {"event": "capture", "status": "ok", "amount": Decimal("15.00"), "date_created": None},
            {"event": "purchase", "status": "error", "amount": Decimal("99.00")},
            {"event": "refund", "status": "ok", "amount": Decimal("5.00")}]
    paid = om.payments(o, txns, Decimal("40.00"), payment_type_id=3)
    assert [(p["paymentOptionId"], p["amount"]) for p in paid] == [(3, Decimal("30.00")), (3, Decimal("10.00"))]
    assert paid[0]["paymentDate"] == "2026-12-01T10:00:00Z" and "paymentDate" not in paid[1]


def test_r_s5_paid_order_without_transactions_gets_one_payment_and_an_unpaid_one_none():
    paid = order([line(1, "20.00")], status_id=11)
    assert [p["amount"] for p in om.payments(paid, [], paid.total_inc_tax, 3)] == [paid.total_inc_tax]
    unpaid = order([line(1, "20.00")], status_id=7)
    assert om.payments(unpaid, [], unpaid.total_inc_tax, 3) == []
