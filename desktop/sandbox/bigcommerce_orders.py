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

from typing import Any

from desktop.sandbox.bigcommerce_http import (BCError, body_object, page_args, page_v2, paginate, parse_date,
                                              rfc2822)
from desktop.sandbox.server import Request, Response

ORDER_DATES = ("date_created", "date_modified", "date_shipped")
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
        v2("GET", r"/store", self.get_store)
        v2("GET", r"/time", self.get_time)
        v2("GET", r"/tax_classes", self.list_tax_classes)
        v2("GET", r"/tax_classes/(?P<tid>\d+)", self.get_tax_class)
        v2("GET", r"/payments/methods", self.list_payment_methods)
        v2("GET", r"/order_statuses", self.list_order_statuses)
        v2("GET", r"/order_statuses/(?P<sid>\d+)", self.get_order_status)
        v2("GET", r"/orders", self.list_orders)
        v2("GET", r"/orders/count", self.count_orders)
        v2("GET", r"/orders/(?P<oid>\d+)", self.get_order)
        v2("PUT", r"/orders/(?P<oid>\d+)", self.update_order)
        v2("DELETE", r"/orders/(?P<oid>\d+)", self.archive_order)
        v2("GET", r"/orders/(?P<oid>\d+)/products", self.list_order_products)
        v2("GET", r"/orders/(?P<oid>\d+)/products/(?P<lid>\d+)", self.get_order_product)
        for name in ("shipping_addresses", "shippingaddresses"):  # the spec's path and the resource links' one
            v2("GET", rf"/orders/(?P<oid>\d+)/{name}", self.list_shipping_addresses)
            v2("GET", rf"/orders/(?P<oid>\d+)/{name}/(?P<aid>\d+)", self.get_shipping_address)
        v3("GET", r"/orders/(?P<oid>\d+)/transactions", self.list_transactions)

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
        return out

    def _filtered_orders(self, request: Request) -> list[dict[str, Any]]:
        now = self.now_dt()  # type: ignore[attr-defined]
        orders = list(self.store.orders.values())

        def arg_int(name: str) -> int | None:
            raw = request.arg(name)
            if raw is None or raw == "":
                return None
            try:
                return int(raw)
            except ValueError:
                raise BCError(400, f"The field '{name}' is invalid.") from None

        def arg_money(name: str) -> float | None:
            raw = request.arg(name)
            if raw is None or raw == "":
                return None
            try:
                return float(raw)
            except ValueError:
                raise BCError(400, f"The field '{name}' is invalid.") from None

        status_id = arg_int("status_id")
        if status_id is None:
            orders = [o for o in orders if o["status_id"] != 0]
        else:
            orders = [o for o in orders if o["status_id"] == status_id]
        deleted = (request.arg("is_deleted") or "false").lower() == "true"
        orders = [o for o in orders if bool(o.get("is_deleted")) == deleted]
        for name, test in (("min_id", lambda o, v: o["id"] >= v), ("max_id", lambda o, v: o["id"] <= v),
                           ("customer_id", lambda o, v: o["customer_id"] == v),
                           ("channel_id", lambda o, v: o.get("channel_id", 1) == v)):
            value = arg_int(name)
            if value is not None:
                orders = [o for o in orders if test(o, value)]
        for name, test in (("min_total", lambda o, v: float(o["total_inc_tax"]) >= v),
                           ("max_total", lambda o, v: float(o["total_inc_tax"]) <= v)):
            value = arg_money(name)
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
        page, limit = page_args(request)
        chunk = orders[(page - 1) * limit: page * limit]
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

