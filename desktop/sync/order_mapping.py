"""BigCommerce order ⇄ Hike sale, as pure functions (no store calls, no database): the D8 status map both ways and
the sale a BigCommerce order becomes (S5 payments, D5 gift certificates, D6 shipping line). ``orders.py`` decides
which orders sync and does the writing.

Amounts stay ``Decimal`` rounded to the cent; ``http.py`` writes them as JSON numbers.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable, Iterable, Mapping

from desktop.sync.bigcommerce import BCOrder, BCOrderLine
from desktop.sync.hike_models import SaleStatus, format_net_datetime

HIKE_SOURCE_BIGCOMMERCE = 5  # ``InvoiceFrom`` [A]
CENT = Decimal("0.01")

# BigCommerce order status ids (v2 order_statuses)
PENDING, SHIPPED, PARTIALLY_SHIPPED, REFUNDED, CANCELLED, DECLINED, AWAITING_PAYMENT = 1, 2, 3, 4, 5, 6, 7
AWAITING_PICKUP, AWAITING_SHIPMENT, COMPLETED, AWAITING_FULFILLMENT, MANUAL_VERIFICATION = 8, 9, 10, 11, 12
DISPUTED, PARTIALLY_REFUNDED = 13, 14
UNPAID = {PENDING, AWAITING_PAYMENT}

PARKED, DONE, REFUNDED_SALE, VOIDED = (int(SaleStatus.PARKED), int(SaleStatus.COMPLETED), int(SaleStatus.REFUNDED),
                                       int(SaleStatus.VOIDED))

# D8 BigCommerce -> Hike. Not in D8, our reading [I]: Partially Shipped, Awaiting Pickup, Awaiting Shipment, Manual
# Verification Required and Disputed are not fulfilled yet (Parked); Partially Refunded was paid and is not wholly
# refunded (Completed).
BC_TO_HIKE = {PENDING: PARKED, AWAITING_PAYMENT: PARKED, AWAITING_FULFILLMENT: PARKED,
              PARTIALLY_SHIPPED: PARKED, AWAITING_PICKUP: PARKED, AWAITING_SHIPMENT: PARKED,
              MANUAL_VERIFICATION: PARKED, DISPUTED: PARKED,
              SHIPPED: DONE, COMPLETED: DONE, PARTIALLY_REFUNDED: DONE,
              CANCELLED: VOIDED, DECLINED: VOIDED, REFUNDED: REFUNDED_SALE}
RANK = {PARKED: 1, DONE: 2, REFUNDED_SALE: 3, VOIDED: 3}  # how far along a sale is: it only moves forward
FINAL = {REFUNDED_SALE, VOIDED}


def hike_status_for(bc_status_id: int) -> int | None:
    """D8 BigCommerce → Hike (None: a status with no Hike sale status, such as Incomplete)."""
    return BC_TO_HIKE.get(bc_status_id)


def bc_status_for(hike_status: int, items_shipped: int = 0) -> int | None:
    """D8 Hike → BigCommerce for a sale that came from BigCommerce: Completed → Completed (Shipped when the order
    already records shipped items), Voided → Cancelled; nothing else goes back."""
    if hike_status == DONE:
        return SHIPPED if items_shipped > 0 else COMPLETED
    if hike_status == VOIDED:
        return CANCELLED
    return None


def moves_forward(current: int | None, wanted: int | None) -> bool:
    return wanted is not None and RANK.get(wanted, 0) > RANK.get(current or 0, 0)


def status_name(hike_status: int) -> str:
    return SaleStatus(hike_status).name.lower()


def order_label(order_id: int | str) -> str:
    return f"BigCommerce order #{order_id}"


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def is_gift_certificate(line: BCOrderLine) -> bool:
    """D5: a gift certificate bought in the order (no product behind it)."""
    return line.raw.get("type") == "giftcertificate" or \
        (not line.product_id and bool(line.raw.get("gift_certificate_id")))


def shipping_line(order: BCOrder, tax_rate: Decimal) -> tuple[Decimal, Decimal]:
    """D6: the shipping total (inc. tax, "Hike takes only its total") and its tax at the rate of the shipping tax
    of S2, worked out from that rate rather than copied from BigCommerce."""
    total = cents(order.shipping_cost_inc_tax)
    tax = cents(total * tax_rate / (Decimal(100) + tax_rate)) if tax_rate else Decimal(0)
    return total, tax


def guest_note(order: BCOrder) -> str:
    """The sale's note; a guest (no customer account) is named in it: the sale has no customer, or the Hike
    customer with the guest's email (D7), and the shop still sees it was a guest checkout."""
    note = order_label(order.id)
    if not order.customer_id:
        a = order.billing_address
        name = f"{a.get('first_name') or ''} {a.get('last_name') or ''}".strip()
        note += f" (guest: {name}" + (f", {a['email']}" if a.get("email") else "") + ")"
    return note


def payments(order: BCOrder, transactions: Iterable[Mapping[str, Any]], net: Decimal,
             payment_type_id: int) -> list[dict[str, Any]]:
    """S5: one Hike payment per BigCommerce payment (v3 transactions: purchases and captures that went through),
    never more in all than the sale's total (D5: a gift certificate bought in the order is not on the sale). An
    order BigCommerce treats as paid without a recorded transaction gets one payment of its total."""
    paid = [t for t in transactions if t.get("event") in ("purchase", "capture") and t.get("status") == "ok"]
    amounts = [(Decimal(str(t.get("amount") or 0)), t.get("date_created")) for t in paid]
    if not amounts and order.status_id not in UNPAID:
        amounts = [(order.total_inc_tax, None)]
    out, left = [], net
    for amount, when in amounts:
        amount = min(amount, left)
        if amount <= 0:
            break
        left -= amount
        payment: dict[str, Any] = {"paymentOptionId": payment_type_id, "amount": cents(amount), "isPaid": True}
        if when:
            payment["paymentDate"] = when
        out.append(payment)
    return out


@dataclass(frozen=True)
class SaleTarget:
    """Where and how the sale is recorded in Hike."""

    outlet_id: int
    register_id: int
    status: int
    tax_inclusive: bool
    shipping_tax_id: int | None
    shipping_tax_rate: Decimal
    customer_id: int | None


def sale_body(order: BCOrder, lines: Iterable[BCOrderLine], item_for: Callable[[BCOrderLine], Any],
              target: SaleTarget) -> tuple[dict[str, Any], list[str]]:
    """The ``sales/create`` body an order becomes (payments not yet added), and the gift-certificate lines left out
    (D5). Each product line carries what the shopper paid for it (so coupons and discounts are in the line, never
    sent as Hike offers, D5); the totals are sent as computed here and add up the way Hike checks them."""
    inclusive = target.tax_inclusive
    items, skipped = [], []
    for li in lines:
        if is_gift_certificate(li):
            skipped.append(li.name or "gift certificate")
            continue
        items.append({"invoiceItemValue": int(item_for(li)), "quantity": li.quantity,
                      "soldPrice": cents(li.price_inc_tax if inclusive else li.price_ex_tax),
                      "totalAmount": cents(li.total_inc_tax if inclusive else li.total_ex_tax),
                      "taxAmount": cents(li.total_inc_tax - li.total_ex_tax), "title": li.name, "sku": li.sku})
    subtotal = sum((i["totalAmount"] for i in items), Decimal(0))
    line_tax = sum((i["taxAmount"] for i in items), Decimal(0))
    ship_total, ship_tax = shipping_line(order, target.shipping_tax_rate)
    shipping = ship_total if inclusive else ship_total - ship_tax
    net = subtotal + shipping + (Decimal(0) if inclusive else line_tax + ship_tax)
    body: dict[str, Any] = {
        "number": str(order.id), "outletId": target.outlet_id, "registerId": target.register_id,
        "status": target.status, "invoiceFrom": HIKE_SOURCE_BIGCOMMERCE, "taxInclusive": inclusive,
        "currency": order.currency_code or None, "invoiceLineItems": items,
        "totalShippingCost": cents(shipping), "shippingTaxAmount": ship_tax, "subTotal": cents(subtotal),
        "totalTax": cents(line_tax + ship_tax), "netAmount": cents(net), "note": guest_note(order),
    }
    if order.date_created is not None:
        body["transactionDate"] = format_net_datetime(order.date_created)  # C.2: the order's own time
    if target.shipping_tax_id is not None:
        body["shippingTaxId"] = target.shipping_tax_id  # [A] InvoiceDto.shippingTaxId
    if target.customer_id:
        body["customerId"] = target.customer_id
    return body, skipped
