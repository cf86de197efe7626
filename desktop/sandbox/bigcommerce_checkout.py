"""A storefront checkout for the BigCommerce emulator: ``POST /__emulator/orders`` places an order the way a
shopper would, so tests and benchmarks can make orders *after* the sync was activated (the v2 API's own
``POST /orders`` is a back-office call, not how a shop gets its orders).

Body::

    {"customer_id": 12,               # 0 or absent: a guest (then "email", "first_name", "last_name" may be given)
     "status_id": 11,                 # Awaiting Fulfillment unless told otherwise
     "lines": [{"variant_id": 123, "quantity": 2},            # or {"product_id": 7} for its base variant
               {"gift_certificate": "25.00"}],               # a gift certificate bought in the order (D5)
     "shipping": "10.00",             # shipping ex tax; GST 10 % on top
     "payment_method": "Credit Card", # one of the store's payment methods; null: no transaction (unpaid)
     "count": 1}                      # place this many identical orders (benchmarks)

Prices are the variant's price (else the product's) ex tax, with GST 10 % unless the product's tax class is 1
("Non-Taxable Products") [I: a flat store-wide rate]. The order and its transactions have the shape the seed's
orders have (``bigcommerce_seed._orders``), so the contract tests' reading of the v2 and v3 specs holds. Like the
platform, a placed order takes its quantities from the stock of the default location.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from desktop.sandbox.bigcommerce_seed import PAYMENT_METHODS, money4, order_money, shipping_address
from desktop.sandbox.bigcommerce_store import DEFAULT_LOCATION
from desktop.sandbox.server import Request, Response

GST = Decimal("0.10")
CENT = Decimal("0.01")
AWAITING_FULFILLMENT = 11


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class CheckoutRoutes:
    """Mixed into ``BigCommerceEmulator``."""

    def register_checkout(self) -> None:
        self.route("POST", r"/__emulator/orders", self._ctl_place_orders)  # type: ignore[attr-defined]

    def _ctl_place_orders(self, request: Request) -> Response:
        try:
            spec = request.json()
            if not isinstance(spec, dict):
                raise ValueError("the body must be a JSON object")
            with self.lock:  # type: ignore[attr-defined]
                placed = [self.place_order(spec) for _ in range(int(spec.get("count", 1)))]
        except (ValueError, KeyError, TypeError) as exc:
            return Response.json({"error": f"can't place that order: {exc}"}, 400)
        return Response.json({"orders": [o["id"] for o in placed]})

    def place_order(self, spec: dict[str, Any]) -> dict[str, Any]:
        store = self.store  # type: ignore[attr-defined]
        now = self.now()  # type: ignore[attr-defined]
        order_id = store.next_id("order")
        address_id = store.next_id("order_address")
        customer = store.customers.get(int(spec.get("customer_id") or 0))
        status_id = int(spec.get("status_id", AWAITING_FULFILLMENT))
        status_name = next(s["name"] for s in store.data["order_statuses"] if s["id"] == status_id)
        lines = [self._order_line(store, order_id, address_id, raw, status_id) for raw in spec["lines"]]
        subtotal = sum((Decimal(li["total_ex_tax"]) for li in lines), Decimal(0))
        subtotal_tax = sum((Decimal(li["total_tax"]) for li in lines), Decimal(0))
        ship_ex = _cents(Decimal(str(spec.get("shipping", "0"))))
        ship_tax = _cents(ship_ex * GST)
        total = subtotal + subtotal_tax + ship_ex + ship_tax
        items_total = sum(li["quantity"] for li in lines)
        email = customer["email"] if customer else spec.get("email", f"guest{order_id}@example.net")
        address = {"first_name": customer["first_name"] if customer else spec.get("first_name", "Guest"),
                   "last_name": customer["last_name"] if customer else spec.get("last_name", "Shopper"),
                   "company": "", "street_1": "1 Checkout Lane", "street_2": "", "city": "Sydney",
                   "state": "New South Wales", "zip": "2000", "country": "Australia", "country_iso2": "AU",
                   "phone": "0400000000", "email": email}
        method_name = spec.get("payment_method", "Credit Card")
        method = next((m for m in PAYMENT_METHODS if m[1] == method_name), None) if method_name else None
        if method_name and method is None:
            raise ValueError(f"unknown payment method {method_name!r}")
        shipped = status_id in (2, 10)
        order = {
            "id": order_id, "customer_id": customer["id"] if customer else 0,
            "date_created": now, "date_modified": now, "date_shipped": now if shipped else "",
            "status_id": status_id, "status": status_name, "custom_status": status_name,
            **order_money(subtotal, subtotal_tax, ship_ex, ship_tax), "is_tax_inclusive_pricing": False,
            "items_total": items_total, "items_shipped": items_total if shipped else 0,
            "payment_method": method[1] if method else "", "payment_provider_id": "",
            "payment_status": "captured" if method else "pending", "refunded_amount": "0.0000",
            "order_is_digital": False, "store_credit_amount": "0.0000", "gift_certificate_amount": "0.0000",
            "ip_address": "203.0.113.200", "ip_address_v6": "", "geoip_country": "Australia",
            "geoip_country_iso2": "AU", "currency_id": 1, "currency_code": "AUD",
            "currency_exchange_rate": "1.0000000000", "default_currency_id": 1, "default_currency_code": "AUD",
            "store_default_currency_code": "AUD", "store_default_to_transactional_exchange_rate": "1.0000000000",
            "staff_notes": "", "customer_message": "", "discount_amount": "0.0000", "coupon_discount": "0.0000",
            "shipping_address_count": 1, "is_deleted": False, "ebay_order_id": "0",
            "cart_id": f"00000000-0000-4000-8000-{order_id:012d}",
            "billing_address": dict(address, form_fields=[]), "is_email_opt_in": False, "credit_card_type": None,
            "order_source": "www", "channel_id": 1, "external_source": None, "external_id": None,
            "external_merchant_id": None, "tax_provider_id": "BasicTaxProvider", "customer_locale": "en",
            "external_order_id": "", "products": lines,
            "shipping_addresses": [shipping_address(address, address_id, order_id, items_total, shipped, ship_ex,
                                                    ship_tax)],
            "transactions": [],
        }
        if method is not None:
            order["transactions"].append(self._purchase(store, order_id, method, total, now))
        if status_id != 0:  # an abandoned checkout (status 0) takes no stock
            self._take_stock(store, lines)
        store.data["orders"].append(order)
        store.orders[order_id] = order
        return order

    @staticmethod
    def _take_stock(store: Any, lines: list[dict[str, Any]]) -> None:
        """The platform takes a placed order's quantities from the default location's stock at checkout (as
        ``POST /v2/orders`` does here; floored at 0 the same way [I])."""
        for line in lines:
            product = store.products.get(line["product_id"])
            if product is None or product.get("inventory_tracking") not in ("product", "variant"):
                continue
            kind, item_id = store.item_of(product, store.variants.get(line["variant_id"]))
            store.set_level(DEFAULT_LOCATION, kind, item_id,
                            max(0, store.level(DEFAULT_LOCATION, kind, item_id) - line["quantity"]))

    @staticmethod
    def _order_line(store: Any, order_id: int, address_id: int, raw: dict[str, Any], status_id: int) -> dict:
        line_id = store.next_id("order_product")
        quantity = int(raw.get("quantity", 1))
        if "gift_certificate" in raw:  # a gift certificate bought in the order: no product, no tax
            price, tax, product, variant, name = Decimal(str(raw["gift_certificate"])), Decimal(0), None, None, \
                "Gift Certificate"
        else:
            variant = store.variants[int(raw["variant_id"])] if raw.get("variant_id") else None
            product = store.products[int(raw["product_id"]) if variant is None else variant["product_id"]]
            if variant is None:
                variant = next(v for v in product["variants"] if v["id"] == product.get("base_variant_id")) \
                    if product.get("base_variant_id") else product["variants"][0]
            base = variant["price"] if variant.get("price") is not None else product["price"]
            price = _cents(Decimal(str(base)))
            tax = Decimal(0) if product.get("tax_class_id") == 1 else _cents(price * GST)
            name = product["name"]
        return {
            "id": line_id, "order_id": order_id, "product_id": product["id"] if product else 0,
            "variant_id": variant["id"] if variant else 0, "order_address_id": address_id, "name": name,
            "sku": (variant.get("sku") or product.get("sku") or "") if product else "",
            "upc": (variant.get("upc") or "") if variant else "",
            "type": "giftcertificate" if product is None else "physical", "base_price": money4(price),
            "price_ex_tax": money4(price), "price_inc_tax": money4(price + tax), "price_tax": money4(tax),
            "base_total": money4(price * quantity), "total_ex_tax": money4(price * quantity),
            "total_inc_tax": money4((price + tax) * quantity), "total_tax": money4(tax * quantity),
            "quantity": quantity, "base_cost_price": "0.0000", "cost_price_inc_tax": "0.0000",
            "cost_price_ex_tax": "0.0000", "cost_price_tax": "0.0000", "weight": "0.0000", "width": "0.0000",
            "height": "0.0000", "depth": "0.0000", "is_refunded": False, "quantity_refunded": 0,
            "refund_amount": "0.0000", "return_id": 0, "wrapping_id": 0, "wrapping_name": "",
            "base_wrapping_cost": "0.0000", "wrapping_cost_ex_tax": "0.0000", "wrapping_cost_inc_tax": "0.0000",
            "wrapping_cost_tax": "0.0000", "wrapping_message": "",
            "quantity_shipped": quantity if status_id in (2, 10) else 0, "event_name": None, "event_date": None,
            "fixed_shipping_cost": "0.0000", "ebay_item_id": "", "ebay_transaction_id": "", "option_set_id": None,
            "parent_order_product_id": None, "is_bundled_product": False, "bin_picking_number": "",
            "external_id": None, "brand": "", "applied_discounts": [], "product_options": [],
            "configurable_fields": [], "name_customer": name, "name_merchant": name,
            "gift_certificate_id": line_id if product is None else None,
            "discounted_total_inc_tax": money4((price + tax) * quantity),
        }

    @staticmethod
    def _purchase(store: Any, order_id: int, method: tuple[str, str, str, str], amount: Decimal,
                  when: str) -> dict[str, Any]:
        tid = store.next_id("transaction")
        txn: dict[str, Any] = {
            "id": tid, "order_id": str(order_id), "event": "purchase", "method": method[3],
            "amount": float(amount), "currency": "AUD", "gateway": method[2],
            "gateway_transaction_id": f"gw-{order_id}-{tid}", "date_created": when, "test": False, "status": "ok",
            "fraud_review": False, "offline": {"display_name": method[1]} if method[3] == "offline" else None,
            "custom": None, "payment_method_id": f"{method[2]}.{method[3]}", "payment_instrument_token": None,
            "provider_instrument_token": None, "provider_customer_id": None,
            "avs_result": {"code": "", "message": "", "street_match": "", "postal_match": ""},
            "cvv_result": {"code": "", "message": ""}, "gift_certificate": None, "store_credit": None,
            "custom_provider_field_result": None,
        }
        return txn
