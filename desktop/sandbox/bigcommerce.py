"""The BigCommerce store emulator: ``/stores/{store_hash}/v3/...`` and ``/v2/...`` over real HTTP.

Built from the official OpenAPI files (``tests/contract/specs/bigcommerce``) and the contract notes
(API-NOTES.md), never from the sync client: it imports nothing from ``desktop.sync``. The routes live in
``bigcommerce_catalog.py`` (products, variants, images, options), ``bigcommerce_taxonomy.py`` (brands,
categories and category trees),
``bigcommerce_orders.py`` (v2 store, tax classes, payment methods, order statuses, orders; v3 transactions),
``bigcommerce_metafields.py`` (v3 order metafields),
``bigcommerce_customers.py`` and ``bigcommerce_inventory.py`` (inventory items, adjustments, locations),
``bigcommerce_pages.py`` (not API: the sandbox's control panel and storefront pages the app's links open); the
state and its renderers in ``bigcommerce_store.py``; seeds in ``bigcommerce_seed.py``.

What this module adds:

- auth: ``X-Auth-Token`` must be the store's token (401 otherwise); a store hash other than this store's is
  404, as the real gateway answers for a store it does not know;
- rate limiting on every authenticated API response: ``X-Rate-Limit-Requests-Left``, ``-Requests-Quota``,
  ``-Time-Reset-Ms``, ``-Time-Window-Ms``; a spent quota is 429 with the same headers and ``X-Retry-After``
  (seconds). The window (default 150 requests per 30 s) runs on the emulated clock; the millisecond and
  second headers tell how long a client really has to wait, so a time scale shortens the waits too;
- controls under ``/__emulator/`` besides those of ``server.py``: ``POST reset`` (back to the last loaded
  seed, with the request log, faults, paging quirks and the rate window cleared), ``POST seed`` (body: a seed dict),
  ``GET state`` (the whole store, in the seed format), ``GET/POST settings`` (``quota``, ``window_s``,
  ``time_scale``, and ``access_token`` on POST: the old token stops working at once). The token is never
  echoed back.
"""
from __future__ import annotations

import math
import threading
from datetime import datetime
from typing import Any, Callable

from desktop.sandbox import bigcommerce_seed
from desktop.sandbox.bigcommerce_catalog import CatalogRoutes
from desktop.sandbox.bigcommerce_customers import CustomerRoutes
from desktop.sandbox.bigcommerce_http import BCError, error_body, render_error
from desktop.sandbox.bigcommerce_inventory import InventoryRoutes
from desktop.sandbox.bigcommerce_metafields import MetafieldRoutes
from desktop.sandbox.bigcommerce_checkout import CheckoutRoutes
from desktop.sandbox.bigcommerce_options import OptionRoutes
from desktop.sandbox.bigcommerce_query import check_query
from desktop.sandbox.bigcommerce_orders import OrderRoutes
from desktop.sandbox.bigcommerce_pages import PageRoutes
from desktop.sandbox.bigcommerce_store import BCStore, now_iso
from desktop.sandbox.bigcommerce_taxonomy import TaxonomyRoutes
from desktop.sandbox.server import NORMAL_PAGING, Clock, EmulatorApp, Request, Response

UNAUTHORIZED = ("Unauthorized - the v3 Auth client ID or token in the request are not a valid combination "
                "for this store.")
TOO_MANY = "Too many requests"


class BigCommerceEmulator(CatalogRoutes, OptionRoutes, TaxonomyRoutes, OrderRoutes, MetafieldRoutes, CustomerRoutes,
                         InventoryRoutes, CheckoutRoutes, PageRoutes, EmulatorApp):
    name = "bigcommerce"

    def __init__(self, store_hash: str = "sbx1hike", access_token: str = "sandbox-bc-token",
                 clock: Clock | None = None, quota: int = 150, window_s: float = 30.0):
        EmulatorApp.__init__(self, clock)
        self.store_hash = store_hash
        self.access_token = access_token
        self.quota = int(quota)
        self.window_s = float(window_s)
        self._rate_lock = threading.Lock()
        self._window_start: float | None = None
        self._used = 0
        self._seed: dict[str, Any] | None = None
        self.store = BCStore(store_hash)
        self.store.load(bigcommerce_seed.empty())
        self.register_catalog()
        self.register_options()
        self.register_taxonomy()
        self.register_orders()
        self.register_metafields()
        self.register_customers()
        self.register_inventory()
        self.register_checkout()
        self.register_pages()
        self.route("POST", r"/__emulator/reset", self._ctl_reset)
        self.route("POST", r"/__emulator/seed", self._ctl_seed)
        self.route("GET", r"/__emulator/state", self._ctl_state)
        self.route("GET", r"/__emulator/settings", self._ctl_settings)
        self.route("POST", r"/__emulator/settings", self._ctl_settings)

    # -- store lifecycle -------------------------------------------------------------------------------------
    def load_seed(self, data: dict[str, Any]) -> None:
        """Replace the whole store with ``data`` (a ``bigcommerce_seed`` dict); ``reset()`` comes back here."""
        if not isinstance(data, dict):
            raise ValueError("a seed must be a JSON object")
        with self.lock:
            self.store.load(data)
            self._seed = data

    def reset(self) -> None:
        with self.lock:
            self.store.load(self._seed if self._seed is not None else bigcommerce_seed.empty())
            self.request_log.clear()
            self._faults.clear()
            self.faults_injected = 0
            self.paging = NORMAL_PAGING
        with self._rate_lock:
            self._window_start, self._used = None, 0

    def now(self) -> str:
        return now_iso(self.clock.now())

    def now_dt(self) -> datetime:
        return self.clock.now_dt()

    # -- routing -------------------------------------------------------------------------------------------
    def _api(self, version: str, method: str, path: str, handler: Callable[[Request], Response]) -> None:
        def run(request: Request) -> Response:
            with self.lock:
                try:
                    check_query(version, path, request)
                    return handler(request)
                except BCError as exc:
                    return render_error(exc, request)
        # v2 resources also answer at their ``.json`` address (``/v2/orders/5.json``), as BigCommerce's docs show
        suffix = r"(?:\.json)?" if version == "v2" else ""
        self.route(method, rf"/stores/(?P<store_hash>[^/]+)/{version}{path}{suffix}/?", run)

    # One call a path, its operations by HTTP method, as the OpenAPI files list them: ``v3(r"/catalog/brands",
    # GET=self.list_brands, POST=self.create_brand)``. A method the path lacks is answered 405.
    def v3(self, path: str, **operations: Callable[[Request], Response]) -> None:
        for method, handler in operations.items():
            self._api("v3", method, path, handler)

    def v2(self, path: str, **operations: Callable[[Request], Response]) -> None:
        for method, handler in operations.items():
            self._api("v2", method, path, handler)

    def error_response(self, status: int, title: str, request: Request) -> Response:
        if self.is_control(request.path):
            return super().error_response(status, title, request)
        if status == 404:
            shown = self.storefront_page(request)  # a product's custom_url: its sandbox storefront page
            if shown is not None:
                return shown
            title = "The requested resource was not found."
        extra = None
        if status == 405:  # the catalog's MethodNotAllowedError requires a ``detail``
            extra = {"detail": f"{request.method} is not supported on {request.path}"}
        return Response.json(error_body(status, title, request.path, extra=extra), status)

    # -- auth and rate limiting ------------------------------------------------------------------------------
    def before(self, request: Request) -> Response | None:
        parts = request.path.split("/")
        if len(parts) < 3 or parts[1] != "stores":
            return None  # not an API path: dispatch answers 404
        if parts[2] != self.store_hash:
            return Response.json(error_body(404, "The requested store was not found.", request.path), 404)
        token = request.headers.get("x-auth-token")
        if not token or token != self.access_token:
            return Response.json(error_body(401, UNAUTHORIZED, request.path), 401)
        self.store.cdn_base = f"http://{request.headers.get('host') or '127.0.0.1'}/cdn"  # image URLs point here
        with self._rate_lock:
            now = self.clock.now()
            if self._window_start is None or now >= self._window_start + self.window_s:
                self._window_start, self._used = now, 0
            remaining_s = self._window_start + self.window_s - now
            if self._used >= self.quota:
                request._bc_rate = (0, remaining_s)  # type: ignore[attr-defined]
                return self._too_many(request, remaining_s)
            self._used += 1
            request._bc_rate = (self.quota - self._used, remaining_s)  # type: ignore[attr-defined]
        return None

    def _rate_headers(self, left: int, remaining_s: float) -> dict[str, str]:
        return {
            "X-Rate-Limit-Requests-Left": str(max(0, left)),
            "X-Rate-Limit-Requests-Quota": str(self.quota),
            "X-Rate-Limit-Time-Reset-Ms": str(max(0, math.ceil(self.clock.real_seconds(remaining_s) * 1000))),
            "X-Rate-Limit-Time-Window-Ms": str(math.ceil(self.clock.real_seconds(self.window_s) * 1000)),
        }

    def _too_many(self, request: Request, remaining_s: float) -> Response:
        headers = self._rate_headers(0, remaining_s)
        headers["X-Retry-After"] = str(max(1, math.ceil(self.clock.real_seconds(remaining_s))))
        return Response.json(error_body(429, TOO_MANY, request.path), 429, headers)

    def after(self, request: Request, response: Response) -> Response:
        rate = getattr(request, "_bc_rate", None)
        if rate is not None:
            for name, value in self._rate_headers(*rate).items():
                response.headers.setdefault(name, value)
        return response

    def fault_response(self, fault: Any, request: Request) -> Response:
        """Injected faults as the platform sends them: a 429 with its headers and body, JSON 500/503 bodies,
        and the edge's HTML page for a 502."""
        if fault.kind == "429":
            with self._rate_lock:
                now = self.clock.now()
                if self._window_start is None or now >= self._window_start + self.window_s:
                    remaining = self.window_s
                else:
                    remaining = self._window_start + self.window_s - now
            return self._too_many(request, remaining)
        status = int(fault.kind)
        if status == 502:
            return Response.text("<html><body><h1>502 Bad Gateway</h1></body></html>", 502,
                                 "text/html; charset=utf-8")
        # 403 is what BigCommerce answers a token whose API account lacks the endpoint's scope
        title = {403: "You don't have a required scope to access the endpoint", 422: "The request is not valid.",
                 500: "Internal Server Error", 503: "Service Unavailable"}.get(status, "Error")
        return Response.json(error_body(status, title, request.path), status)

    # -- controls ----------------------------------------------------------------------------------------------
    def _ctl_reset(self, request: Request) -> Response:
        self.reset()
        return Response.json({"reset": True, "products": len(self.store.products)})

    def _ctl_seed(self, request: Request) -> Response:
        try:
            data = request.json()
            self.load_seed(data)
        except (ValueError, KeyError, TypeError) as exc:
            return Response.json({"error": f"not a usable seed: {exc}"}, 400)
        with self._rate_lock:
            self._window_start, self._used = None, 0
        return Response.json({"loaded": True, "products": len(self.store.products),
                              "customers": len(self.store.customers), "orders": len(self.store.orders)})

    def _ctl_state(self, request: Request) -> Response:
        """The whole store as a seed; with ``summary=1`` only its counts (a benchmark in another process asks
        for them without copying the store)."""
        with self.lock:
            if request.arg("summary"):
                return Response.json({"counts": {
                    "products": len(self.store.products), "stock_items": len(self._items()),
                    "customers": len(self.store.customers), "orders": len(self.store.orders)}})
            return Response.json(self.store.export())

    def _ctl_settings(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                spec = request.json()
                if not isinstance(spec, dict):
                    raise ValueError("settings must be a JSON object")
                quota = int(spec["quota"]) if "quota" in spec else self.quota
                window = float(spec["window_s"]) if "window_s" in spec else self.window_s
                if quota < 1 or window <= 0:
                    raise ValueError("quota must be >= 1 and window_s > 0")
                if "time_scale" in spec:
                    self.clock.set_time_scale(float(spec["time_scale"]))
                if "access_token" in spec:
                    token = spec["access_token"]
                    if not isinstance(token, str) or not token:
                        raise ValueError("access_token must be a non-empty string")
                    self.access_token = token
            except (ValueError, TypeError) as exc:
                return Response.json({"error": str(exc)}, 400)
            with self._rate_lock:
                changed = quota != self.quota or window != self.window_s
                self.quota, self.window_s = quota, window
                if changed:
                    self._window_start, self._used = None, 0
        return Response.json({"store_hash": self.store_hash, "quota": self.quota, "window_s": self.window_s,
                              "time_scale": self.clock.time_scale,
                              "api_path": f"/stores/{self.store_hash}/v3/"})


__all__ = ["BigCommerceEmulator"]
