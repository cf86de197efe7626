"""A local emulator of the Hike POS public API (``api.hikeup.com``), for the app's tests and sandbox mode.

The contract is part B of ``/work/shared/reference/hike/API-NOTES.md``; comments tagged ``[I]`` mark what we
inferred where the public material is silent. The module is split by concern:

- ``hike.py`` (this file): the app, settings, auth and rate-limit hooks, paging, small resources (outlets,
  registers, taxes, payment types, product types, brands, suppliers), customers and the ``/__emulator/`` controls
- ``hike_oauth.py``: ``/oauth/authorize`` (HTML sign-in and consent) and ``/oauth/token``
- ``hike_products.py``: products, variants, composites and ``inventory_update``, plus the stock movement log
- ``hike_sales.py``: sales (invoices), register state and register closures
- ``hike_seed.py``: the ``demo``, ``large`` and ``empty`` fixtures

It imports nothing from ``desktop.sync``: the emulator must not share the client's reading of the API.
"""
from __future__ import annotations

import copy
import gc
import math
from collections import deque
from typing import Any, Callable

from desktop import APP_NAME

from . import hike_seed
from .hike_common import (
    DEFAULT_PAGE_SIZE, JSON_CONTENT_TYPES, MAX_BODY_BYTES, MAX_PAGE_SIZE, RATE_LIMIT_BODY, ApiError, abp_body,
    abp_response, as_bool, as_int, body_json, id_or_none, media_type, net_ts, parse_ts, qarg, text_or_none,
    ts_or_epoch, upsert_id,
)
from .hike_oauth import OAuthMixin
from .hike_products import ProductsMixin
from .hike_sales import SalesMixin
from .server import NORMAL_PAGING, Clock, EmulatorApp, Request, Response, _Fault

API = r"(?i)/api/v1/"  # [I] ASP.NET routing is case-insensitive (a client writes get_Registers_all)

SETTING_TYPES: dict[str, type] = {
    "minute_quota": int, "daily_quota": int, "rate_limit": bool, "access_expiry_s": int,
    "refresh_expiry_s": int, "code_expiry_s": int, "rotate_refresh": bool, "weighted_average_cost": bool,
    "strict_page_size": bool, "deny_authorize": bool,
}


# everything a seed replaces (restored if loading a seed fails)
_DATA_ATTRS = ("store_name", "outlets", "registers", "closures", "taxes", "payment_types", "product_types", "brands",
               "suppliers", "customers", "sales", "_ids", "products", "_children", "_sku_index", "_barcode_index",
               "history", "images")


class HikeEmulator(OAuthMixin, ProductsMixin, SalesMixin, EmulatorApp):
    """The Hike API on 127.0.0.1: serve it with ``RunningServer(HikeEmulator())``."""

    name = "hike"

    def __init__(self, client_id: str = "sandbox-hike-app", client_secret: str = "sandbox-hike-secret",
                 username: str = "manager@sandbox.hike", password: str = "sandbox",
                 redirect_uris: list[str] | None = None, clock: Clock | None = None, minute_quota: int = 60,
                 daily_quota: int = 5000, rate_limit: bool = True, access_expiry_s: int = 3600,
                 rotate_refresh: bool = True):
        super().__init__(clock)
        self.client_id, self.client_secret = client_id, client_secret
        self.username, self.password = username, password
        self.redirect_uris = list(redirect_uris or ["http://localhost:8080/"])  # [C] one project's Return URI
        self.app_name = APP_NAME
        self.store_name = "Sandbox Store"
        self._default_settings: dict[str, Any] = {
            "minute_quota": minute_quota,  # [D] 60 calls per rolling 60 s per store
            "daily_quota": daily_quota,  # [D] 5000 calls per rolling 24 h per store
            "rate_limit": rate_limit,
            "access_expiry_s": access_expiry_s,  # [I] lifetime is undocumented; clients assume 1 h or 7 d
            "refresh_expiry_s": 30 * 86400,  # [I] undocumented; 30 days
            "code_expiry_s": 600,  # [C]/[I] "valid for 10 minutes, per Hikeup docs"
            "rotate_refresh": rotate_refresh,  # [I] unknown whether Hike rotates; test both
            "weighted_average_cost": False,  # [D] WAC refuses inventory changes without a PO or sale
            # [D] A5: a list call without page_size is refused (500); lenient (100 a page) only when set so
            "strict_page_size": True,
            "deny_authorize": False,
        }
        self.settings: dict[str, Any] = dict(self._default_settings)
        self._minute_calls: deque[float] = deque()
        self._day_calls: deque[float] = deque()
        self._init_oauth()
        self._register_routes()
        self._clear_data()
        self.load_seed(hike_seed.empty())

    # -- routes ------------------------------------------------------------------------------------------------
    def api(self, method: str, path: str, handler: Callable[[Request], Response]) -> None:
        """Register ``/api/v1/<path>``; the handler runs under the store lock and ``ApiError`` becomes ABP JSON."""
        def wrapped(request: Request) -> Response:
            try:
                with self.lock:
                    return handler(request)
            except ApiError as err:
                return abp_response(err)
            except ValueError as err:  # a value of the wrong type (e.g. an id that is not a number)
                return abp_response(ApiError(400, "Your request is not valid!", details=str(err)))
        self.route(method, API + path, wrapped)

    def control(self, method: str, path: str, handler: Callable[[Request], Response]) -> None:
        def wrapped(request: Request) -> Response:
            try:
                with self.lock:
                    return handler(request)
            except (ApiError, ValueError, KeyError, TypeError, AttributeError) as err:
                return Response.json({"error": getattr(err, "message", None) or repr(err)}, 400)
            except Exception as err:  # noqa: BLE001 - control calls bypass the server's own safety net
                return Response.json({"error": f"emulator error: {err!r}"}, 500)
        self.route(method, "/__emulator/" + path, wrapped)

    def _register_routes(self) -> None:
        self.api("GET", r"outlets/get_all", lambda r: self._list(r, self.outlets, self.render_outlet))
        self.api("GET", r"outlets/get_all_active", lambda r: self._list(
            r, {k: v for k, v in self.outlets.items() if v["isActive"]}, self.render_outlet))
        registers = lambda r: self._list(r, self.registers, self.render_register)  # noqa: E731
        self.api("GET", r"outlets/get_Registers_all", registers)  # [C] spelled so by a client
        self.api("GET", r"registers/get_all", registers)  # [I] alias
        self.api("GET", r"taxes/get_all", lambda r: self._list(r, self.taxes, self.render_tax))
        self.api("GET", r"payment_types/get_all", lambda r: self._list(r, self.payment_types,
                                                                      self.render_payment_type))
        self.api("GET", r"product_types/get_all", lambda r: self._list(r, self.product_types,
                                                                      self.render_product_type))
        self.api("GET", r"suppliers/get_all", lambda r: self._list(r, self.suppliers, self.render_supplier))
        # [I] brand paths: the docs only name pages brand_getallbrands-1, brand_get-1, brand_createproduct-1
        self.api("GET", r"brands/get_all", lambda r: self._list(r, self.brands, self.render_brand))
        self.api("GET", r"brands/get/(?P<id>\d+)", lambda r: Response.json(
            self.render_brand(self._get(self.brands, r.params["id"], "brand"))))
        self.api("POST", r"brands/create", self._brands_create)
        self.api("GET", r"customers/get_all", self._customers_get_all)
        self.api("GET", r"customers/get/(?P<id>\d+)", lambda r: Response.json(
            self.render_customer(self._get(self.customers, r.params["id"], "customer"))))
        self.api("POST", r"customers/createOrUpdate", self._customers_upsert)
        self._register_product_routes()
        self._register_sales_routes()
        self.control("POST", "reset", lambda r: (self.reset(), Response.json({"reset": True}))[1])
        self.control("POST", "seed", self._ctl_seed)
        self.control("GET", "state", self._ctl_state)
        self.control("GET", "settings", lambda r: Response.json(self.settings))
        self.control("POST", "settings", self._ctl_settings)
        self.control("GET", "inventory_history", self._ctl_history)
        self.control("POST", "tokens/expire", self._ctl_tokens_expire)
        self.control("POST", "tokens/revoke", self._ctl_tokens_revoke)
        self.control("POST", "tokens/issue", lambda r: Response.json(self.issue_token()))
        self.control("POST", "registers/close", lambda r: Response.json(self.close_register(
            int(self._ctl_body(r)["register_id"]))))
        self.control("POST", "registers/open", lambda r: Response.json(self.render_register(self.open_register(
            int(self._ctl_body(r)["register_id"])))))

    # -- hooks: body size, auth, rate limit, content type ---------------------------------------------------
    def before(self, request: Request) -> Response | None:
        if not request.path.lower().startswith("/api/"):
            return None  # /oauth/* is neither authenticated nor rate limited [I]
        if len(request.body) > MAX_BODY_BYTES:  # [I] checked first, as a web server would
            return Response.json(abp_body(413, f"Request body is larger than the 4 MB limit "
                                          f"({len(request.body)} bytes)."), 413)
        with self.lock:
            why = self.check_bearer(request)
            if why is not None:
                return self._unauthorized(why)
            limited = self._rate_check()
        if limited is not None:
            return limited
        if request.method in ("POST", "PUT", "PATCH") and media_type(request) not in JSON_CONTENT_TYPES:
            return Response.json(abp_body(400, "Bad Request: Content-Type must be application/json (or text/json).",
                                          details=f"Content-Type was {request.headers.get('content-type')!r}"), 400)
        return None

    def _unauthorized(self, why: str) -> Response:
        details = {"missing": "No bearer access token was sent.", "invalid": "The access token is not valid.",
                   "expired": "The access token has expired.", "revoked": "The access token has been revoked."}[why]
        return Response.json(
            abp_body(401, "Current user did not login to the application!", details=details, unauthorized=True),
            401, {"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{why}"'})

    def _rate_check(self) -> Response | None:
        """Rolling per-store windows on ``self.clock``; refused calls count too [D]."""
        if not self.settings["rate_limit"]:
            return None
        now = self.clock.now()
        minute, day = self._minute_calls, self._day_calls
        minute.append(now)
        day.append(now)
        while minute and minute[0] <= now - 60:
            minute.popleft()
        while day and day[0] <= now - 86400:
            day.popleft()
        day_q, minute_q = max(0, self.settings["daily_quota"]), max(0, self.settings["minute_quota"])
        if len(day) > day_q:
            oldest = day[len(day) - day_q] if day_q else now
            return self.rate_limited("Daily", oldest + 86400 - now)
        if len(minute) > minute_q:
            oldest = minute[len(minute) - minute_q] if minute_q else now
            return self.rate_limited("Minute", oldest + 60 - now)
        return None

    def rate_limited(self, problem: str, wait_emulated_s: float) -> Response:
        # [I] Retry-After is in real seconds, so a client that obeys it benefits from a compressed clock
        retry = max(1, math.ceil(self.clock.real_seconds(max(0.0, wait_emulated_s))))
        return Response.text(RATE_LIMIT_BODY, 429, "text/plain; charset=utf-8",
                             {"X-Rate-Limit-Problem": problem, "Retry-After": str(retry)})

    def fault_response(self, fault: _Fault, request: Request) -> Response:
        if fault.kind == "429":  # an injected 429 looks exactly like a real minute breach; the fault's
            # delay_s (default 5) becomes its Retry-After
            return self.rate_limited("Minute", fault.delay_s if fault.delay_s > 0 else 60)
        if fault.kind == "500" and request.path.lower().startswith("/api/"):
            return Response.json(abp_body(500, "An internal error occurred during your request!"), 500)
        return super().fault_response(fault, request)

    def error_response(self, status: int, title: str, request: Request) -> Response:
        if request.path.lower().startswith("/api/"):
            return Response.json(abp_body(status, title), status)
        return super().error_response(status, title, request)

    # -- paging and lookups --------------------------------------------------------------------------------------
    def page_args(self, request: Request) -> tuple[int, int]:
        raw_size, raw_skip = qarg(request, "page_size"), qarg(request, "Skip_count")
        if raw_size in (None, ""):
            if self.settings["strict_page_size"]:
                raise ApiError(500, "page_size is required and must be between 1 and 500.")
            size = DEFAULT_PAGE_SIZE
        else:
            try:
                size = int(raw_size)
            except ValueError:
                size = -1
            if not 1 <= size <= MAX_PAGE_SIZE:  # [D] newer docs: 500 for page_size outside 1..500
                raise ApiError(500, f"page_size must be between 1 and {MAX_PAGE_SIZE} (got {raw_size!r}).")
        try:
            skip = int(raw_skip) if raw_skip not in (None, "") else 0
        except ValueError:
            skip = -1
        if skip < 0:
            raise ApiError(500, f"Skip_count must be a whole number of 0 or more (got {raw_skip!r}).")  # [I]
        return size, skip

    def page(self, request: Request, rows: list[Any], render: Callable[[Any], Any]) -> Response:
        size, skip = self.page_args(request)
        quirks = request.paging  # N5: a page may be shorter than asked, totalCount wrong, next left out
        served = rows[skip:skip + quirks.per_page(size)]
        items = [render(row) for row in served]
        # [C] `next` keeps only paging: other filters (Sync_From, Filter...) are dropped, as the real one does.
        # [I] It follows the real list from the rows served, even when totalCount is made wrong.
        end = skip + len(served)
        nxt = f"{request.path}?page_size={size}&Skip_count={end}" if end < len(rows) else None
        body: dict[str, Any] = {"items": items, "totalCount": quirks.total(len(rows))}
        if quirks.links:
            body["next"] = nxt
        return Response.json(body)

    def _list(self, request: Request, table: dict[int, dict], render: Callable[[dict], Any]) -> Response:
        rows = list(table.values())
        since = self.sync_from(request)
        if since is not None:
            rows = [r for r in rows if r["last_modified"] >= since]
        return self.page(request, rows, render)

    def sync_from(self, request: Request) -> float | None:
        raw = qarg(request, "Sync_From")
        if not raw:
            return None
        try:
            return parse_ts(raw)
        except ValueError as exc:
            raise ApiError(400, "Sync_From is not a valid date/time.", [("Sync_From", str(exc))]) from None

    @staticmethod
    def _get(table: dict[int, dict], raw_id: Any, what: str) -> dict:
        key = id_or_none(raw_id)
        row = table.get(key) if key is not None else None
        if row is None:
            raise ApiError(404, f"There is no {what} with id {raw_id}.")
        return row

    def next_id(self, table: str) -> int:
        self._ids[table] = self._ids.get(table, 0) + 1
        return self._ids[table]

    def _seen_id(self, table: str, key: int) -> None:
        if key > self._ids.get(table, 0):
            self._ids[table] = key

    def now(self) -> float:
        return self.clock.now()

    # -- renderers of the small resources --------------------------------------------------------------------
    @staticmethod
    def _stamps(row: dict) -> dict[str, Any]:
        return {"created_date_time": net_ts(row["created"]), "last_modified": net_ts(row["last_modified"])}

    def render_outlet(self, o: dict) -> dict[str, Any]:
        return {"id": o["id"], "title": o["title"], "taxId": o["taxId"], "isActive": o["isActive"], **self._stamps(o)}

    def render_tax(self, t: dict) -> dict[str, Any]:
        return {"id": t["id"], "name": t["name"], "rate": t["rate"], "isActive": t["isActive"], **self._stamps(t)}

    def render_payment_type(self, p: dict) -> dict[str, Any]:
        return {"id": p["id"], "payment_name": p["payment_name"], "payment_option_type": p["payment_option_type"],
                "payment_option_name": p["payment_option_name"], "isActive": p["isActive"], **self._stamps(p)}

    def render_product_type(self, t: dict) -> dict[str, Any]:
        return {"id": t["id"], "name": t["name"], "description": t.get("description"),
                "parent_id": t.get("parent_id"), "isActive": t["isActive"], **self._stamps(t)}

    def render_brand(self, b: dict) -> dict[str, Any]:
        return {"id": b["id"], "name": b["name"], "isActive": b["isActive"], **self._stamps(b)}

    def render_supplier(self, s: dict) -> dict[str, Any]:
        return {"id": s["id"], "name": s["name"], "supplier_code": s.get("supplier_code"),
                "isActive": s["isActive"], **self._stamps(s)}

    # -- brands ------------------------------------------------------------------------------------------------
    def _brands_create(self, request: Request) -> Response:
        body = body_json(request)
        if not isinstance(body, dict):
            raise ApiError(400, "The request body must be a JSON object.")
        key = as_int(body.get("id")) if body.get("id") is not None else None
        name = text_or_none(body.get("name"))
        if key is not None:
            brand = self._get(self.brands, key, "brand")
            if "name" in body and not name:
                raise ApiError(422, "Your request is not valid!", [("name", "The Name field is required.")])
            brand["name"] = name or brand["name"]
            brand["isActive"] = as_bool(body.get("isActive"), brand["isActive"])
            brand["last_modified"] = self.now()
            return Response.json(self.render_brand(brand), 202)
        if not name:
            raise ApiError(422, "Your request is not valid!", [("name", "The Name field is required.")])
        brand = self.add_simple("brands", {"name": name, "isActive": as_bool(body.get("isActive"), True)})
        return Response.json(self.render_brand(brand), 201)

    def add_simple(self, table: str, fields: dict[str, Any], key: int | None = None) -> dict:
        store: dict[int, dict] = getattr(self, table)
        if key is None:
            key = self.next_id(table)
        else:
            self._seen_id(table, key)
        now = self.now()
        row = {"id": key, "isActive": True, "created": now, "last_modified": now, **fields}
        store[key] = row
        return row

    def find_by_name(self, table: str, name: str) -> dict | None:
        lname = name.strip().lower()
        for row in getattr(self, table).values():
            if str(row.get("name", "")).lower() == lname:
                return row
        return None

    # -- customers ---------------------------------------------------------------------------------------------
    def render_customer(self, c: dict) -> dict[str, Any]:
        out = {k: c.get(k) for k in (
            "id", "first_name", "last_name", "email", "phone", "company_name", "customer_code", "notes",
            "customer_group_id", "isActive", "accepts_marketing", "loyalty_rewards_status", "billing_address_id",
            "delivery_address_id")}
        out["billing_address"] = copy.deepcopy(c.get("billing_address"))
        out["shipping_address"] = copy.deepcopy(c.get("shipping_address"))
        out["customerFrom"] = c.get("customerFrom", 3)  # [A] InvoiceFrom enum; 3 = Web
        out.update(self._stamps(c))
        return out

    def _customers_get_all(self, request: Request) -> Response:
        rows = list(self.customers.values())
        since = self.sync_from(request)  # [I] Sync_From is documented for products only
        if since is not None:
            rows = [c for c in rows if c["last_modified"] >= since]
        needle = (qarg(request, "Filter") or "").strip().lower()
        if needle:  # [C] a substring search; clients check the email match themselves
            rows = [c for c in rows if any(needle in str(c.get(k) or "").lower() for k in (
                "first_name", "last_name", "email", "phone", "customer_code", "company_name"))]
        return self.page(request, rows, self.render_customer)

    _ADDRESS_KEYS = ("address1", "address2", "city", "state", "country_code", "country_name", "postcode",
                     "receiverName", "receiverPhone")

    def _address(self, body: Any, current: dict | None, member: str, errors: list) -> dict | None:
        if body is None:
            return current
        if not isinstance(body, dict):
            errors.append((member, f"{member} must be an object."))
            return current
        key = as_int(body.get("id")) if body.get("id") not in (None, "") else None
        if key and current and current.get("id") == key:
            address = dict(current)
        else:  # [C] address id 0 creates a new address
            address = {"id": self.next_id("addresses"), **{k: "" for k in self._ADDRESS_KEYS}}
        for k in self._ADDRESS_KEYS:
            if k in body:
                address[k] = "" if body[k] is None else str(body[k])
        return address

    def _customers_upsert(self, request: Request) -> Response:
        body = body_json(request)
        if not isinstance(body, dict):
            raise ApiError(400, "The request body must be a JSON object.")
        key = upsert_id(body)
        existing = self._get(self.customers, key, "customer") if key else None
        errors: list[tuple[str, str]] = []
        cust = dict(existing) if existing else {
            "first_name": "", "last_name": "", "email": None, "phone": "", "company_name": "",
            "customer_code": None, "notes": "", "customer_group_id": 1, "isActive": True, "accepts_marketing": False,
            "loyalty_rewards_status": False, "billing_address": None, "shipping_address": None,
            "customerFrom": 3}
        for k in ("first_name", "last_name", "phone", "company_name", "notes", "customer_code"):
            if k in body:
                cust[k] = "" if body[k] is None else str(body[k]).strip()
        if "email" in body:
            cust["email"] = text_or_none(body["email"])
        for k in ("isActive", "accepts_marketing", "loyalty_rewards_status"):
            if k in body:
                cust[k] = as_bool(body[k], cust[k])
        if "customer_group_id" in body:
            cust["customer_group_id"] = as_int(body["customer_group_id"]) or 1
        if "customerFrom" in body:
            cust["customerFrom"] = as_int(body["customerFrom"]) or 0
        if not cust["first_name"]:  # [H] Hike requires a first name
            errors.append(("first_name", "The First name field is required."))
        email = cust["email"]
        if email and ("@" not in email or " " in email or email.startswith("@") or email.endswith("@")):
            errors.append(("email", "The Email field is not a valid e-mail address."))  # [I]
        # [I] email is NOT unique in Hike: duplicates are accepted so the client's matching gets tested
        cust["billing_address"] = self._address(body.get("billing_address"), cust["billing_address"],
                                                "billing_address", errors)
        cust["shipping_address"] = self._address(body.get("shipping_address"), cust["shipping_address"],
                                                 "shipping_address", errors)
        if errors:
            raise ApiError(422, "Your request is not valid!", errors)
        cust["billing_address_id"] = (cust["billing_address"] or {}).get("id")
        cust["delivery_address_id"] = (cust["shipping_address"] or {}).get("id")
        now = self.now()
        cust["last_modified"] = now
        if existing:
            existing.update(cust)
            return Response.json(self.render_customer(existing), 202)
        cust["id"] = self.next_id("customers")
        cust["created"] = now
        if not cust["customer_code"]:
            cust["customer_code"] = f"C{cust['id']:04d}"
        self.customers[cust["id"]] = cust
        return Response.json(self.render_customer(cust), 201)

    # -- seed, reset, state ------------------------------------------------------------------------------------
    def _clear_data(self) -> None:
        self.outlets: dict[int, dict] = {}
        self.registers: dict[int, dict] = {}
        self.closures: dict[int, dict] = {}
        self.taxes: dict[int, dict] = {}
        self.payment_types: dict[int, dict] = {}
        self.product_types: dict[int, dict] = {}
        self.brands: dict[int, dict] = {}
        self.suppliers: dict[int, dict] = {}
        self.customers: dict[int, dict] = {}
        self.sales: dict[int, dict] = {}
        self._ids: dict[str, int] = {}
        self._clear_products()

    def load_seed(self, data: dict) -> None:
        """Replace the whole store with ``data`` (the shape ``hike_seed`` produces; Hike's field names).

        The input is not modified. Timestamps missing from the seed are set to now. Sales in a reserving status
        add their quantities to ``reserved_inventory``; other sales are history and do not move stock.
        """
        if not isinstance(data, dict):
            raise ValueError("a seed must be a JSON object (see hike_seed)")
        with self.lock:
            saved = {name: getattr(self, name) for name in _DATA_ATTRS}
            gc_was_on = gc.isenabled()
            gc.disable()  # a large seed allocates millions of objects and no cycles: 2x faster without gc
            try:
                self._load_seed(data)
            except Exception:
                for name, value in saved.items():  # a bad seed leaves the store as it was
                    setattr(self, name, value)
                raise
            finally:
                if gc_was_on:
                    gc.enable()

    def _load_seed(self, data: dict) -> None:
        self._clear_data()
        now = self.now()
        self.store_name = data.get("store", {}).get("name", self.store_name)

        def stamps(src: dict) -> dict[str, float]:
            created = ts_or_epoch(src.get("created_date_time") or src.get("creationTime"), now)
            return {"created": created, "last_modified": ts_or_epoch(src.get("last_modified"), created)}

        for o in data.get("outlets", []):
            self.add_simple("outlets", {"title": o["title"], "taxId": o.get("taxId"),
                                        "isActive": o.get("isActive", True)}, int(o["id"]))
            self.outlets[int(o["id"])].update(stamps(o))
        for t in data.get("taxes", []):
            self.add_simple("taxes", {"name": t["name"], "rate": t["rate"], "isActive": t.get("isActive", True)},
                            int(t["id"]))
        for p in data.get("payment_types", []):
            self.add_simple("payment_types", {
                "payment_name": p["payment_name"], "payment_option_type": p.get("payment_option_type", 0),
                "payment_option_name": p.get("payment_option_name", p["payment_name"]),
                "isActive": p.get("isActive", True)}, int(p["id"]))
        for t in data.get("product_types", []):
            self.add_simple("product_types", {"name": t["name"], "description": t.get("description"),
                                              "parent_id": t.get("parent_id"),
                                              "isActive": t.get("isActive", True)}, int(t["id"]))
        for b in data.get("brands", []):
            self.add_simple("brands", {"name": b["name"], "isActive": b.get("isActive", True)}, int(b["id"]))
        for s in data.get("suppliers", []):
            self.add_simple("suppliers", {"name": s["name"], "supplier_code": s.get("supplier_code"),
                                          "isActive": s.get("isActive", True)}, int(s["id"]))
        for r in data.get("registers", []):
            self.seed_register(r)
        for p in data.get("products", []):
            self.seed_product(p, stamps(p))
        for c in data.get("customers", []):
            cust = {k: (dict(v) if isinstance(v, dict) else v) for k, v in c.items()
                    if k not in ("created_date_time", "last_modified")}
            cust.setdefault("customer_code", f"C{int(c['id']):04d}")
            for k, default in (("phone", ""), ("company_name", ""), ("notes", ""), ("customer_group_id", 1),
                               ("isActive", True), ("accepts_marketing", False),
                               ("loyalty_rewards_status", False), ("billing_address", None),
                               ("shipping_address", None), ("last_name", ""), ("email", None)):
                cust.setdefault(k, default)
            for addr in (cust["billing_address"], cust["shipping_address"]):
                if addr and addr.get("id"):
                    self._seen_id("addresses", int(addr["id"]))
            cust["billing_address_id"] = (cust["billing_address"] or {}).get("id")
            cust["delivery_address_id"] = (cust["shipping_address"] or {}).get("id")
            cust.update(stamps(c))
            self.customers[int(c["id"])] = cust
            self._seen_id("customers", int(c["id"]))
        for s in data.get("sales", []):
            self.seed_sale(s)

    def reset(self) -> None:
        """Back to a fresh, empty (but usable) store with default settings. OAuth tokens are kept [I], so a
        connected client stays connected; ``/__emulator/tokens/revoke`` drops them."""
        with self.lock:
            self.settings = dict(self._default_settings)
            self._minute_calls.clear()
            self._day_calls.clear()
            self._faults.clear()
            self.paging = NORMAL_PAGING
            self.request_log.clear()
            self.load_seed(hike_seed.empty())

    @staticmethod
    def _ctl_body(request: Request) -> dict:
        if not request.body:
            return {}
        body = request.json()
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        return body

    def _ctl_seed(self, request: Request) -> Response:
        body = request.json()
        if isinstance(body, str):  # {"seed": "demo"} style convenience: a named fixture
            body = {"seed": body}
        name = body.get("seed") if isinstance(body, dict) and len(body) <= 2 else None
        if isinstance(name, str):
            if name == "demo":
                body = hike_seed.demo()
            elif name == "empty":
                body = hike_seed.empty()
            elif name.startswith("large:"):
                body = hike_seed.large(int(name.split(":", 1)[1]))
            else:
                raise ValueError(f"unknown seed {name!r}; use demo, empty or large:N")
        self.load_seed(body)
        return Response.json(self.counts())

    def counts(self) -> dict[str, int]:
        return {"outlets": len(self.outlets), "registers": len(self.registers), "taxes": len(self.taxes),
                "payment_types": len(self.payment_types), "product_types": len(self.product_types),
                "brands": len(self.brands), "suppliers": len(self.suppliers), "product_rows": len(self.products),
                "variant_rows": sum(1 for p in self.products.values() if p["parentId"]),
                "customers": len(self.customers), "sales": len(self.sales), "register_closures": len(self.closures),
                "inventory_history": len(self.history), "images": len(self.images)}

    def state(self, summary: bool = False) -> dict[str, Any]:
        with self.lock:
            now = self.now()
            out: dict[str, Any] = {
                "store": {"name": self.store_name}, "settings": dict(self.settings), "counts": self.counts(),
                "now": net_ts(now),
                "rate": {"minute_used": sum(1 for t in self._minute_calls if t > now - 60),
                         "day_used": sum(1 for t in self._day_calls if t > now - 86400)},
                "tokens": {"access_active": sum(1 for t in self._access.values()
                                                if not t["revoked"] and t["expires"] > now),
                           "refresh_active": sum(1 for t in self._refresh.values()
                                                 if not t["revoked"] and t["expires"] > now)},
            }
            if summary:
                return out
            out.update({
                "outlets": [self.render_outlet(o) for o in self.outlets.values()],
                "registers": [self.render_register(r) for r in self.registers.values()],
                "register_closures": [self.render_closure(c) for c in self.closures.values()],
                "taxes": [self.render_tax(t) for t in self.taxes.values()],
                "payment_types": [self.render_payment_type(p) for p in self.payment_types.values()],
                "product_types": [self.render_product_type(t) for t in self.product_types.values()],
                "brands": [self.render_brand(b) for b in self.brands.values()],
                "suppliers": [self.render_supplier(s) for s in self.suppliers.values()],
                "products": [self.render_product(p) for p in self.products.values()],
                "customers": [self.render_customer(c) for c in self.customers.values()],
                "sales": [self.render_sale(s) for s in self.sales.values()],
            })
            return out

    def _ctl_state(self, request: Request) -> Response:
        return Response.json(self.state(summary=as_bool(request.arg("summary"), False)))

    def _ctl_settings(self, request: Request) -> Response:
        body = self._ctl_body(request)
        unknown = sorted(set(body) - set(SETTING_TYPES))
        if unknown:
            raise ValueError(f"unknown settings {unknown}; known: {sorted(SETTING_TYPES)}")
        for key, value in body.items():
            kind = SETTING_TYPES[key]
            if kind is bool:
                if not isinstance(value, bool):
                    raise ValueError(f"{key} must be true or false")
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{key} must be a number >= 0")
            self.settings[key] = kind(value)
        return Response.json(self.settings)

    def _ctl_history(self, request: Request) -> Response:
        rows = self.history
        pid, oid = request.arg("product_id"), request.arg("outlet_id")
        if pid:
            rows = [h for h in rows if h["product_id"] == int(pid)]
        if oid:
            rows = [h for h in rows if h["outlet_id"] == int(oid)]
        return Response.json({"items": [self.render_history(h) for h in rows], "totalCount": len(rows)})

    def _ctl_tokens_expire(self, request: Request) -> Response:
        body = self._ctl_body(request)
        which = body.get("which", "access")
        if which not in ("access", "refresh", "all"):
            raise ValueError("which must be access, refresh or all")
        return Response.json({"expired": self.expire_tokens(body.get("token"), which)})

    def _ctl_tokens_revoke(self, request: Request) -> Response:
        body = self._ctl_body(request)
        return Response.json({"revoked": self.revoke_tokens(body.get("token"))})
