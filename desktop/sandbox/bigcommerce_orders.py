"""Orders and store-level routes of the BigCommerce emulator (mostly v2).

From ``orders.v2.oas2.yml``, ``orders.v3.yml``, ``store_information.v2.yml``, ``tax_classes.v2.yml``,
``methods_payments.v2.yml`` and the contract notes:

- v2 bodies are bare JSON; money is a 4-decimal string (``"12.5000"``); order dates are RFC 2822
  (``Tue, 20 Nov 2012 00:00:00 +0000``); an empty page is ``204`` with an empty body; errors are
  ``[{"status", "message"}]``.
- ``GET /orders`` sorts by id ascending, 50 a page by default (250 at most), and leaves out archived
  (``is_deleted``) orders and incomplete ones (status 0) unless ``status_id=0`` asks for them — the specs
  are silent on this (notes §13); the emulator takes the cautious reading so a client cannot depend on
  seeing abandoned checkouts without asking for them.
- ``PUT /orders/{id}`` changes the status (and a few writable fields); writing a read-only field is the
  v2 400 ``The field 'x' cannot be written to...``.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from desktop.sandbox.bigcommerce_http import (BCError, body_object, chunk_v2, page_v2, paginate, parse_date,
                                              rfc2822)
from desktop.sandbox.bigcommerce_store import DEFAULT_LOCATION
from desktop.sandbox.server import Request, Response

ORDER_DATES = ("date_created", "date_modified", "date_shipped")
# POST /orders: what a new order may say (order_Post: its own properties and order_Shared's writable ones)
ORDER_POST_FIELDS = {
    "billing_address", "products", "shipping_addresses", "status_id", "customer_id", "customer_message",
    "staff_notes", "payment_method", "external_source", "external_id", "external_order_id", "channel_id",
    "date_created", "discount_amount", "default_currency_code", "customer_locale", "base_shipping_cost",
    "shipping_cost_ex_tax", "shipping_cost_inc_tax", "subtotal_ex_tax", "subtotal_inc_tax", "total_ex_tax",
    "total_inc_tax", "order_source", "ip_address", "geoip_country", "geoip_country_iso2", "is_email_opt_in",
    "tax_provider_id", "payment_provider_id", "refunded_amount", "handling_cost_ex_tax", "handling_cost_inc_tax",
    "wrapping_cost_ex_tax", "wrapping_cost_inc_tax", "base_handling_cost", "base_wrapping_cost", "ebay_order_id",
    "items_total", "items_shipped", "fees", "consignments", "order_is_digital", "ip_address_v6",
    "external_merchant_id"}
# The platform embeds at most 50 lines per consignment (the v2 products page size), API notes §12.5
CONSIGNMENT_LINE_CAP = 50
ORDER_WRITABLE = {"status_id", "staff_notes", "customer_message", "is_deleted", "payment_method",
                  "external_source", "external_id", "external_order_id", "customer_locale"}


def _order_id(request: Request) -> int:
    try:
        return int(request.params["oid"])
    except (KeyError, ValueError):
        raise BCError(404, "The requested resource was not found.") from None


class OrderRoutes:
    """Mixed into ``BigCommerceEmulator``."""

    def register_orders(self) -> None:
        v2, v3 = self.v2, self.v3  # type: ignore[attr-defined]
        v2(r"/store", GET=self.get_store)
        v2(r"/time", GET=self.get_time)
        v2(r"/tax_classes", GET=self.list_tax_classes)
        v2(r"/tax_classes/(?P<tid>\d+)", GET=self.get_tax_class)
        v2(r"/payments/methods", GET=self.list_payment_methods)
        v2(r"/order_statuses", GET=self.list_order_statuses)
        v2(r"/order_statuses/(?P<sid>\d+)", GET=self.get_order_status)
        v2(r"/orders", GET=self.list_orders, POST=self.create_order)
        v2(r"/orders/count", GET=self.count_orders)
        v2(r"/orders/(?P<oid>\d+)", GET=self.get_order, PUT=self.update_order, DELETE=self.archive_order)
        v2(r"/orders/(?P<oid>\d+)/products", GET=self.list_order_products)
        v2(r"/orders/(?P<oid>\d+)/products/(?P<lid>\d+)", GET=self.get_order_product)
        for name in ("shipping_addresses", "shippingaddresses"):  # the spec's path and the resource links' one
            v2(rf"/orders/(?P<oid>\d+)/{name}", GET=self.list_shipping_addresses)
            v2(rf"/orders/(?P<oid>\d+)/{name}/(?P<aid>\d+)", GET=self.get_shipping_address)
        # the order's own resource links name coupons; the file documents shipments too: the sandbox makes neither,
        # so both lists are empty (v2's empty list: 204)
        v2(r"/orders/(?P<oid>\d+)/coupons", GET=self.list_nothing_of_order)
        v2(r"/orders/(?P<oid>\d+)/shipments", GET=self.list_nothing_of_order)
        v2(r"/orders/(?P<oid>\d+)/taxes", GET=self.list_order_taxes)
        v3(r"/orders/(?P<oid>\d+)/transactions", GET=self.list_transactions)

    # -- store -----------------------------------------------------------------------------------------------
    def get_store(self, request: Request) -> Response:
        settings = self.store.data["store"]
        store_hash = self.store.store_hash
        body = {
            "id": store_hash,
            "account_uuid": "6f0c3e3c-8a1f-4a8e-9b7e-5d2f0c1a9e11",
            "domain": settings.get("domain", "sandbox-shop.example"),
            "secure_url": settings.get("secure_url", "https://sandbox-shop.example"),
            # the spec's example form; control-panel pages hang off it (/manage/...)
            "control_panel_base_url": f"https://store-{store_hash}.mybigcommerce.com",
            "infrastructure_region": "australia-southeast1",
            "favicon_url": f"https://cdn11.bigcommerce.com/s-{store_hash}/product_images/favicon.ico",
            "logo": [],
            "active_comparison_modules": [],
            "features": {"stencil_enabled": True, "sitewidehttps_enabled": True, "facebook_catalog_id": "",
                         "checkout_type": "optimized", "wishlists_enabled": True,
                         "graphql_storefront_api_enabled": True, "shopper_consent_tracking_enabled": True,
                         "multi_storefront_enabled": True,
                         "storefront_limits": {"active": 1, "total_including_inactive": 1}},
        }
        for key, value in settings.items():
            if key not in ("id", "control_panel_base_url"):
                body[key] = value
        return Response.json(body)

    def get_time(self, request: Request) -> Response:
        return Response.json({"time": int(self.clock.now())})  # type: ignore[attr-defined]

    def list_tax_classes(self, request: Request) -> Response:
        return page_v2(request, [self._tax_class(t) for t in self.store.data["tax_classes"]])

    @staticmethod
    def _tax_class(t: dict[str, Any]) -> dict[str, Any]:
        return {"id": str(t["id"]), "name": t["name"], "created_at": t.get("created_at"),
                "updated_at": t.get("updated_at")}

    def get_tax_class(self, request: Request) -> Response:
        wanted = request.params["tid"]
        found = next((t for t in self.store.data["tax_classes"] if str(t["id"]) == wanted), None)
        if found is None:
            raise BCError(404, "The requested resource was not found.")
        return Response.json(self._tax_class(found))

    def list_payment_methods(self, request: Request) -> Response:
        methods = sorted(self.store.data["payment_methods"], key=lambda m: m["name"].lower())
        return page_v2(request, methods)

    def list_order_statuses(self, request: Request) -> Response:
        return Response.json(self.store.data["order_statuses"])

    def get_order_status(self, request: Request) -> Response:
        sid = int(request.params["sid"])
        found = next((s for s in self.store.data["order_statuses"] if s["id"] == sid), None)
        if found is None:
            raise BCError(404, "The requested resource was not found.")
        return Response.json(found)

    # -- orders ------------------------------------------------------------------------------------------------
    def _order(self, request: Request) -> dict[str, Any]:
        order = self.store.orders.get(_order_id(request))
        if order is None:
            raise BCError(404, "The requested resource was not found.")
        return order

    def _base_url(self, request: Request) -> str:
        host = request.headers.get("host") or "127.0.0.1"
        return f"http://{host}/stores/{self.store.store_hash}/v2"

    def render_order(self, order: dict[str, Any], request: Request) -> dict[str, Any]:
        out = {k: v for k, v in order.items() if k not in ("products", "shipping_addresses", "transactions")}
        for key in ORDER_DATES:
            out[key] = rfc2822(order.get(key) or "")
        base = self._base_url(request)
        oid = order["id"]
        out["products"] = {"url": f"{base}/orders/{oid}/products", "resource": f"/orders/{oid}/products"}
        out["shipping_addresses"] = {"url": f"{base}/orders/{oid}/shippingaddresses",
                                     "resource": f"/orders/{oid}/shippingaddresses"}
        out["coupons"] = {"url": f"{base}/orders/{oid}/coupons", "resource": f"/orders/{oid}/coupons"}
        includes = {part.strip() for part in (request.arg("include") or "").split(",")}
        if includes & {"consignments", "consignments.line_items"}:
            if request.arg("consignment_structure") != "object":  # [I] the legacy array structure is not emulated
                raise BCError(400, "The sandbox returns consignments only with consignment_structure=object.")
            out["consignments"] = self.render_consignments(order, request, "consignments.line_items" in includes)
        return out

    def render_consignments(self, order: dict[str, Any], request: Request, with_lines: bool) -> dict[str, Any]:
        """``include=consignments[.line_items]&consignment_structure=object`` (orderConsignment_Get): a shipping
        consignment per shipping address holding the lines sent there; gift certificates go in
        ``email.gift_certificates`` and every other line (digital, or an order with no shipping address — nothing
        is shipped, as the spec's "order with digital consignments" example) in the one ``downloads``
        consignment, so each line appears exactly once. ``line_items`` are the ``/orders/{id}/products`` items
        with ``.line_items``, their resource links without. Like the platform, a consignment lists at most
        ``CONSIGNMENT_LINE_CAP`` lines and then says so in an (undocumented) ``__warning__`` (API notes §12.5,
        bigcommerce/docs#960): the rest must be read from ``/orders/{id}/products``.
        [I] the legacy array structure (no ``consignment_structure=object``) is not emulated."""
        base, oid = self._base_url(request), order["id"]

        def items(lines: list[dict[str, Any]]) -> dict[str, Any]:
            shown = lines[:CONSIGNMENT_LINE_CAP]
            out: dict[str, Any] = {"line_items": list(shown) if with_lines else [
                {"url": f"{base}/orders/{oid}/products/{li['id']}", "resource": f"/orders/{oid}/products/{li['id']}"}
                for li in shown]}
            if len(lines) > CONSIGNMENT_LINE_CAP:
                out["__warning__"] = {"message": f"Not all line items of this consignment are returned with this "
                                                 f"response, only {CONSIGNMENT_LINE_CAP} are included. Please use "
                                                 "the `/v2/orders/{order_id}/products` endpoint to fetch all line "
                                                 "items."}
            return out

        addresses = {a["id"]: a for a in order["shipping_addresses"]}
        gifts = [li for li in order["products"] if li.get("type") == "giftcertificate"]
        shipped = {aid: [li for li in order["products"] if li not in gifts and li.get("type") != "digital"
                         and li.get("order_address_id") == aid] for aid in addresses}
        if len(addresses) == 1:  # the one address ships every physical line, whatever its order_address_id says
            only = next(iter(addresses))
            shipped[only] = [li for li in order["products"] if li not in gifts and li.get("type") != "digital"]
        placed = {id(li) for lines in shipped.values() for li in lines} | {id(li) for li in gifts}
        downloads = [li for li in order["products"] if id(li) not in placed]
        number = lambda v: float(v or 0)  # noqa: E731  (consignment costs are numbers, not v2 money strings)
        shipping = []
        for aid, address in addresses.items():
            quotes = f"/orders/{oid}/consignments/shipping/{aid}/shipping_quotes"
            shipping.append({
                "id": aid, **{k: str(address.get(k) or "") for k in (
                    "first_name", "last_name", "company", "street_1", "street_2", "city", "state", "zip", "country",
                    "country_iso2", "phone", "email")},
                "form_fields": address.get("form_fields") or [], "shipping_method": address.get("shipping_method", ""),
                **items(shipped[aid]), "items_total": address.get("items_total", 0),
                "items_shipped": address.get("items_shipped", 0),
                **{k: number(address.get(k)) for k in (
                    "base_cost", "cost_ex_tax", "cost_inc_tax", "cost_tax", "base_handling_cost",
                    "handling_cost_ex_tax", "handling_cost_inc_tax", "handling_cost_tax")},
                "cost_tax_class_id": address.get("cost_tax_class_id", 0),
                "handling_cost_tax_class_id": address.get("handling_cost_tax_class_id", 0),
                "shipping_zone_id": address.get("shipping_zone_id", 0),
                "shipping_zone_name": address.get("shipping_zone_name", ""),
                "shipping_quotes": {"url": base + quotes, "resource": quotes}})
        email = order["billing_address"].get("email") or ""
        return {"pickups": [], "shipping": shipping,
                "downloads": [{"recipient_email": email, **items(downloads)}] if downloads else [],
                "email": {"gift_certificates": [{"recipient_email": email, **items(gifts)}] if gifts else []}}

    def _filtered_orders(self, request: Request) -> list[dict[str, Any]]:
        now = self.now_dt()  # type: ignore[attr-defined]
        orders = list(self.store.orders.values())

        def number(name: str, kind: type[int] | type[float]) -> Any:
            """A numeric filter read as ``kind``; None when absent, 400 when not a number."""
            raw = request.arg(name)
            if raw is None or raw == "":
                return None
            try:
                return kind(raw)
            except ValueError:
                raise BCError(400, f"The field '{name}' is invalid.") from None

        status_id = number("status_id", int)
        if status_id is None:
            orders = [o for o in orders if o["status_id"] != 0]
        else:
            orders = [o for o in orders if o["status_id"] == status_id]
        deleted = (request.arg("is_deleted") or "false").lower() == "true"
        orders = [o for o in orders if bool(o.get("is_deleted")) == deleted]
        for name, kind, test in (("min_id", int, lambda o, v: o["id"] >= v), ("max_id", int, lambda o, v: o["id"] <= v),
                                 ("customer_id", int, lambda o, v: o["customer_id"] == v),
                                 ("channel_id", int, lambda o, v: o.get("channel_id", 1) == v),
                                 ("min_total", float, lambda o, v: float(o["total_inc_tax"]) >= v),
                                 ("max_total", float, lambda o, v: float(o["total_inc_tax"]) <= v)):
            value = number(name, kind)
            if value is not None:
                orders = [o for o in orders if test(o, value)]
        for name, field, op in (("min_date_created", "date_created", "ge"), ("max_date_created", "date_created", "le"),
                                ("min_date_modified", "date_modified", "ge"),
                                ("max_date_modified", "date_modified", "le")):
            raw = request.arg(name)
            if raw:
                bound = parse_date(raw, now, name=name, v2=True)
                orders = [o for o in orders if (o[field] >= bound if op == "ge" else o[field] <= bound)]
        for name, field in (("email", None), ("payment_method", "payment_method"), ("cart_id", "cart_id"),
                            ("external_order_id", "external_order_id")):
            raw = request.arg(name)
            if raw:
                if field is None:
                    orders = [o for o in orders if (o["billing_address"].get("email") or "").lower() == raw.lower()]
                else:
                    orders = [o for o in orders if str(o.get(field) or "").lower() == raw.lower()]
        sort = request.arg("sort") or "id:asc"
        key, _, direction = sort.partition(":")
        fields = {"id": "id", "customer_id": "customer_id", "date_created": "date_created",
                  "date_modified": "date_modified", "status_id": "status_id", "channel_id": "channel_id",
                  "external_id": "external_id"}
        if key not in fields or direction not in ("", "asc", "desc"):
            raise BCError(400, f"The field 'sort' is invalid: '{sort}'.")
        orders.sort(key=lambda o: (o.get(fields[key]) is None, o.get(fields[key]) or 0, o["id"]),
                    reverse=direction == "desc")
        return orders

    def list_orders(self, request: Request) -> Response:
        orders = self._filtered_orders(request)
        chunk = chunk_v2(request, orders)
        if not chunk:
            return Response.empty(204)
        return Response.json([self.render_order(o, request) for o in chunk])

    def count_orders(self, request: Request) -> Response:
        orders = [o for o in self.store.orders.values() if not o.get("is_deleted")]
        statuses = []
        for status in self.store.data["order_statuses"]:
            count = sum(1 for o in orders if o["status_id"] == status["id"])
            statuses.append({"id": status["id"], "name": status["name"], "system_label": status["system_label"],
                             "custom_label": status["custom_label"], "system_description":
                             status["system_description"], "count": count, "sort_order": status["id"]})
        return Response.json({"statuses": statuses, "count": len(orders)})

    def get_order(self, request: Request) -> Response:
        return Response.json(self.render_order(self._order(request), request))

    def update_order(self, request: Request) -> Response:
        order = self._order(request)
        body = body_object(request)
        for key in body:
            if key not in ORDER_WRITABLE:
                raise BCError(400, f"The field '{key}' cannot be written to. Please remove it from your request "
                                   "before trying again.")
        if "status_id" in body:
            status_id = body["status_id"]
            statuses = {s["id"]: s for s in self.store.data["order_statuses"]}
            if isinstance(status_id, bool) or not isinstance(status_id, int) or status_id not in statuses:
                raise BCError(400, f"The field 'status_id' is invalid: {status_id!r} is not an order status.")
            order["status_id"] = status_id
            order["status"] = order["custom_status"] = statuses[status_id]["name"]
            if status_id == 2 and not order.get("date_shipped"):
                order["date_shipped"] = self.now()  # type: ignore[attr-defined]
                order["items_shipped"] = order["items_total"]
                for line in order["products"]:
                    line["quantity_shipped"] = line["quantity"]
                for address in order["shipping_addresses"]:
                    address["items_shipped"] = address["items_total"]
        for key in ("staff_notes", "customer_message", "payment_method", "external_source", "external_id",
                    "external_order_id", "customer_locale"):
            if key in body:
                nullable = key in ("external_source", "external_id")
                if not isinstance(body[key], str) and not (nullable and body[key] is None):
                    raise BCError(400, f"The field '{key}' is invalid.")
                order[key] = body[key]
        if "is_deleted" in body:
            if not isinstance(body["is_deleted"], bool):
                raise BCError(400, "The field 'is_deleted' is invalid.")
            order["is_deleted"] = body["is_deleted"]
        order["date_modified"] = self.now()  # type: ignore[attr-defined]
        return Response.json(self.render_order(order, request))

    # -- create (POST /orders) -------------------------------------------------------------------------------
    def create_order(self, request: Request) -> Response:
        """An order from the API (``order_Post``): catalog lines (``product_id``, ``variant_id`` for a product with
        options) or custom lines (``name``), a billing address with a ZIP. Prices default to the catalog's; the
        totals are the lines' (less ``discount_amount``) unless overridden. Creating the order takes the ordered
        quantities from the default location's stock, as the platform does for orders placed; [I] the emulator
        floors stock at 0 rather than refusing an order for lack of stock."""
        body = body_object(request)
        for key in body:
            if key not in ORDER_POST_FIELDS:
                raise BCError(400, f"The field '{key}' cannot be written to. Please remove it from your request "
                                   "before trying again.")
        if "consignments" in body or "fees" in body:
            raise BCError(400, "The sandbox takes orders with products and shipping_addresses only.")
        billing = body.get("billing_address")
        if not isinstance(billing, dict):
            raise BCError(400, "The field 'billing_address' is invalid.")
        if len(str(billing.get("zip") or "").strip()) < 2:
            raise BCError(400, "The field 'zip' is invalid. The ZIP code must be two or more characters.")
        raw_lines = body.get("products")
        if not isinstance(raw_lines, list) or not raw_lines:
            raise BCError(400, "The field 'products' is invalid. An order needs at least one product.")
        statuses = {st["id"]: st for st in self.store.data["order_statuses"]}
        status_id = body.get("status_id", 1)
        if isinstance(status_id, bool) or not isinstance(status_id, int) or status_id not in statuses:
            raise BCError(400, f"The field 'status_id' is invalid: {status_id!r} is not an order status.")
        customer_id = body.get("customer_id", 0)
        if customer_id not in (0, None) and int(customer_id) not in self.store.customers:
            raise BCError(400, f"The field 'customer_id' is invalid: there is no customer {customer_id}.")
        store = self.store
        order_id = store.next_id("order")
        lines, moves = [], []
        for n, item in enumerate(raw_lines):
            line, move = self._v2_order_line(item, n, order_id)
            lines.append(line)
            if move is not None:
                moves.append(move)
        four = Decimal("0.0001")
        sub_ex = sum((Decimal(li["total_ex_tax"]) for li in lines), Decimal(0))
        sub_inc = sum((Decimal(li["total_inc_tax"]) for li in lines), Decimal(0))
        discount = _money(body.get("discount_amount", 0), "discount_amount")
        ship_ex = _money(body.get("shipping_cost_ex_tax", body.get("base_shipping_cost", 0)), "shipping_cost_ex_tax")
        ship_inc = _money(body.get("shipping_cost_inc_tax", ship_ex), "shipping_cost_inc_tax")
        total_ex = _money(body["total_ex_tax"], "total_ex_tax") if "total_ex_tax" in body else sub_ex + ship_ex - discount
        total_inc = _money(body["total_inc_tax"], "total_inc_tax") if "total_inc_tax" in body else \
            sub_inc + ship_inc - discount
        if "subtotal_ex_tax" in body:
            sub_ex = _money(body["subtotal_ex_tax"], "subtotal_ex_tax")
            sub_inc = _money(body.get("subtotal_inc_tax", sub_ex), "subtotal_inc_tax")
        if min(total_ex, total_inc, discount, ship_ex, ship_inc) < 0:
            raise BCError(400, "The order totals can't be negative.")
        now = self.now()  # type: ignore[attr-defined]
        created = now
        if body.get("date_created"):
            created = parse_date(str(body["date_created"]), self.now_dt(), name="date_created",  # type: ignore[attr-defined]
                                 v2=True)
        items_total = sum(li["quantity"] for li in lines)
        status_name = statuses[status_id]["name"]
        m4 = lambda v: str(Decimal(v).quantize(four, ROUND_HALF_UP))  # noqa: E731
        address = {k: str(billing.get(k) or "") for k in ("first_name", "last_name", "company", "street_1",
                                                          "street_2", "city", "state", "zip", "country",
                                                          "country_iso2", "phone", "email")}
        shipped = status_id in (2, 10)
        order = {
            "id": order_id, "customer_id": int(customer_id or 0), "date_created": created, "date_modified": now,
            "date_shipped": now if shipped else "", "status_id": status_id, "status": status_name,
            "custom_status": status_name, "subtotal_ex_tax": m4(sub_ex), "subtotal_inc_tax": m4(sub_inc),
            "subtotal_tax": m4(sub_inc - sub_ex), "base_shipping_cost": m4(ship_ex),
            "shipping_cost_ex_tax": m4(ship_ex), "shipping_cost_inc_tax": m4(ship_inc),
            "shipping_cost_tax": m4(ship_inc - ship_ex), "shipping_cost_tax_class_id": 2,
            "base_handling_cost": "0.0000", "handling_cost_ex_tax": "0.0000", "handling_cost_inc_tax": "0.0000",
            "handling_cost_tax": "0.0000", "handling_cost_tax_class_id": 0, "base_wrapping_cost": "0.0000",
            "wrapping_cost_ex_tax": "0.0000", "wrapping_cost_inc_tax": "0.0000", "wrapping_cost_tax": "0.0000",
            "wrapping_cost_tax_class_id": 0, "total_ex_tax": m4(total_ex), "total_inc_tax": m4(total_inc),
            "total_tax": m4(total_inc - total_ex), "is_tax_inclusive_pricing": False, "items_total": items_total,
            "items_shipped": items_total if shipped else 0, "payment_method": str(body.get("payment_method") or
                                                                                 "Manual"),
            "payment_provider_id": "", "payment_status": "captured" if shipped else "",
            "refunded_amount": "0.0000", "order_is_digital": False, "store_credit_amount": "0.0000",
            "gift_certificate_amount": "0.0000", "ip_address": "", "ip_address_v6": "", "geoip_country": "",
            "geoip_country_iso2": "", "currency_id": 1, "currency_code": "AUD", "currency_exchange_rate":
            "1.0000000000", "default_currency_id": 1, "default_currency_code": "AUD",
            "store_default_currency_code": "AUD", "store_default_to_transactional_exchange_rate": "1.0000000000",
            "staff_notes": str(body.get("staff_notes") or ""), "customer_message":
            str(body.get("customer_message") or ""), "discount_amount": m4(discount), "coupon_discount": "0.0000",
            "shipping_address_count": 0, "is_deleted": False, "ebay_order_id": "0", "cart_id": "",
            "billing_address": dict(address, form_fields=[]), "is_email_opt_in": False, "credit_card_type": None,
            "order_source": "external", "channel_id": int(body.get("channel_id") or 1),
            "external_source": body.get("external_source"), "external_id": None, "external_merchant_id": None,
            "tax_provider_id": "BasicTaxProvider", "customer_locale": str(body.get("customer_locale") or "en"),
            "external_order_id": str(body.get("external_order_id") or ""), "products": lines,
            "shipping_addresses": [], "transactions": [],
        }
        for kind, item_id, quantity in moves:  # the platform's stock adjustment for an order placed
            store.set_level(DEFAULT_LOCATION, kind, item_id, max(0, store.level(DEFAULT_LOCATION, kind, item_id) -
                                                                 quantity))
        store.data["orders"].append(order)
        store.orders[order_id] = order
        return Response.json(self.render_order(order, request))

    def _v2_order_line(self, item: Any, n: int, order_id: int) -> tuple[dict[str, Any], tuple[str, int, int] | None]:
        if not isinstance(item, dict):
            raise BCError(400, f"The field 'products[{n}]' is invalid.")
        quantity = item.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise BCError(400, f"The field 'quantity' is invalid: products[{n}] needs a whole quantity of 1 or more.")
        store = self.store
        product = variant = None
        if item.get("product_id") is not None:
            product = store.products.get(item["product_id"]) if isinstance(item["product_id"], int) else None
            if product is None:
                raise BCError(400, f"The product with ID {item['product_id']} was not found.")
            vid = item.get("variant_id")
            if vid is not None:
                variant = next((v for v in product["variants"] if v["id"] == vid), None)
                if variant is None:
                    raise BCError(400, f"The variant with ID {vid} does not belong to product {product['id']}.")
            elif product.get("base_variant_id") is None:
                raise BCError(400, f"Product {product['id']} has options: give variant_id or product_options.")
            else:
                variant = next(v for v in product["variants"] if v["id"] == product["base_variant_id"])
            name = str(item.get("name") or product["name"])
        else:
            name = str(item.get("name") or item.get("name_customer") or item.get("name_merchant") or "")
            if not name or "price_ex_tax" not in item or "price_inc_tax" not in item:
                raise BCError(400, f"products[{n}]: a custom product needs name, quantity, price_ex_tax and "
                                   "price_inc_tax.")
        catalog = (variant or {}).get("price")
        catalog = catalog if catalog is not None else (product or {}).get("price", 0)
        ex = _money(item.get("price_ex_tax", catalog), "price_ex_tax")
        inc = _money(item.get("price_inc_tax", ex), "price_inc_tax")
        four = Decimal("0.0001")
        m4 = lambda v: str(Decimal(v).quantize(four, ROUND_HALF_UP))  # noqa: E731
        line_id = store.next_id("order_product")
        line = {
            "id": line_id, "order_id": order_id, "product_id": product["id"] if product else 0,
            "variant_id": variant["id"] if variant else 0, "order_address_id": 0, "name": name,
            "sku": str((variant or {}).get("sku") or (product or {}).get("sku") or item.get("sku") or ""),
            "upc": str((variant or {}).get("upc") or item.get("upc") or ""), "type": "physical",
            "base_price": m4(ex), "price_ex_tax": m4(ex), "price_inc_tax": m4(inc), "price_tax": m4(inc - ex),
            "base_total": m4(ex * quantity), "total_ex_tax": m4(ex * quantity), "total_inc_tax": m4(inc * quantity),
            "total_tax": m4((inc - ex) * quantity), "quantity": quantity, "base_cost_price": "0.0000",
            "cost_price_inc_tax": "0.0000", "cost_price_ex_tax": "0.0000", "cost_price_tax": "0.0000",
            "weight": "0.0000", "width": "0.0000", "height": "0.0000", "depth": "0.0000", "is_refunded": False,
            "quantity_refunded": 0, "refund_amount": "0.0000", "return_id": 0, "wrapping_id": 0,
            "wrapping_name": "", "base_wrapping_cost": "0.0000", "wrapping_cost_ex_tax": "0.0000",
            "wrapping_cost_inc_tax": "0.0000", "wrapping_cost_tax": "0.0000", "wrapping_message": "",
            "quantity_shipped": 0, "event_name": None, "event_date": None, "fixed_shipping_cost": "0.0000",
            "ebay_item_id": "", "ebay_transaction_id": "", "option_set_id": None, "parent_order_product_id": None,
            "is_bundled_product": False, "bin_picking_number": "", "external_id": None, "brand": "",
            "applied_discounts": [], "product_options": [], "configurable_fields": [], "name_customer": name,
            "name_merchant": name, "gift_certificate_id": None, "discounted_total_inc_tax": m4(inc * quantity),
        }
        move = None
        if product is not None and product.get("inventory_tracking") in ("product", "variant"):
            kind, item_id = store.item_of(product, variant)
            move = (kind, item_id, quantity)
        return line, move

    def archive_order(self, request: Request) -> Response:
        order = self._order(request)
        order["is_deleted"] = True
        order["date_modified"] = self.now()  # type: ignore[attr-defined]
        return Response.empty(204)

    def list_order_products(self, request: Request) -> Response:
        return page_v2(request, self._order(request)["products"])

    def get_order_product(self, request: Request) -> Response:
        lid = int(request.params["lid"])
        line = next((li for li in self._order(request)["products"] if li["id"] == lid), None)
        if line is None:
            raise BCError(404, "The requested resource was not found.")
        return Response.json(line)

    def render_address(self, address: dict[str, Any], request: Request) -> dict[str, Any]:
        base = self._base_url(request)
        path = f"/orders/{address['order_id']}/shippingaddresses/{address['id']}/shippingquotes"
        return {**address, "shipping_quotes": {"url": base + path, "resource": path}}

    def list_order_taxes(self, request: Request) -> Response:
        """orderTaxes_Base: one tax line per taxed product line and for taxed shipping, from the order's own
        amounts ([I] the sandbox has one tax, named "Tax", in the default class)."""
        order = self._order(request)
        four = Decimal("0.0001")
        address_id = next((a["id"] for a in order.get("shipping_addresses", [])), 0)
        lines = []

        def tax_line(amount: Decimal, base: Decimal, kind: str, product_line: int | None) -> None:
            rate = (amount / base * 100).quantize(four, ROUND_HALF_UP) if base else Decimal(0)
            line = {"id": len(lines) + 1, "order_id": order["id"], "order_address_id": address_id, "tax_rate_id": 1,
                    "sales_tax_id": "sandbox-tax", "tax_class_id": 0, "name": "Tax", "class": "Default Tax Class",
                    "rate": str(rate), "priority": 0, "priority_amount": str(amount.quantize(four)),
                    "line_amount": str(amount.quantize(four)), "order_pickup_method_id": 0, "line_item_type": kind}
            if product_line is not None:
                line["order_product_id"] = str(product_line)  # a string in the file
            lines.append(line)

        for item in order.get("products", []):
            amount = Decimal(str(item.get("total_tax") or 0))
            if amount > 0:
                tax_line(amount, Decimal(str(item.get("total_ex_tax") or 0)), "item", item["id"])
        shipping = Decimal(str(order.get("shipping_cost_tax") or 0))
        if shipping > 0:
            tax_line(shipping, Decimal(str(order.get("shipping_cost_ex_tax") or 0)), "shipping", None)
        return page_v2(request, lines)

    def list_nothing_of_order(self, request: Request) -> Response:
        self._order(request)  # an unknown order is still a 404
        return page_v2(request, [])

    def list_shipping_addresses(self, request: Request) -> Response:
        order = self._order(request)
        return page_v2(request, [self.render_address(a, request) for a in order["shipping_addresses"]])

    def get_shipping_address(self, request: Request) -> Response:
        aid = int(request.params["aid"])
        address = next((a for a in self._order(request)["shipping_addresses"] if a["id"] == aid), None)
        if address is None:
            raise BCError(404, "The requested resource was not found.")
        return Response.json(self.render_address(address, request))

    # -- v3 transactions -----------------------------------------------------------------------------------------
    def list_transactions(self, request: Request) -> Response:
        order = self._order(request)
        transactions = order.get("transactions") or []
        if not transactions:
            return Response.empty(204)
        page, meta = paginate(request, transactions)
        return Response.json({"data": page, "meta": meta})



def _money(value: Any, name: str) -> Decimal:
    """v2 money: a number or a number-as-string ("Float, Float-As-String, Integer")."""
    if isinstance(value, bool):
        raise BCError(400, f"The field '{name}' is invalid.")
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise BCError(400, f"The field '{name}' is invalid.") from None
