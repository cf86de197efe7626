"""Check my stores (issue 18): read a small page of every endpoint the sync uses on both stores, never write, and
say per endpoint whether the answer has the shape the clients expect (``store_shapes``).

Each check ends as ``ok``, ``unexpected_shape`` (which field, what came, what was expected), ``missing_permission``
(which scope of the BigCommerce API account, or Hike's access) or ``error`` (the store did not answer). The report
is one JSON document (``hike-bc-sync-cli diagnose --json``) and words for people (the window's Help → Check my
stores); its latest copy is kept in the data folder (``LATEST``) for the support bundle.

It costs one request per endpoint (about 25) and a token refresh: read-only, but not free against Hike's 60 a
minute, so it runs when a person asks, never on a schedule.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping

from desktop.sync import capture, errors
from desktop.sync import store_shapes as S
from desktop.sync.shapes import Finding, RecordShape, check, describe

log = logging.getLogger(__name__)

LATEST = "diagnose-latest.json"  # in the data folder: the support bundle carries it
SAMPLE = 5  # records read per endpoint
OK, UNEXPECTED, PERMISSION, ERROR = "ok", "unexpected_shape", "missing_permission", "error"
BC_RATE_HEADERS = ("X-Rate-Limit-Requests-Left", "X-Rate-Limit-Requests-Quota", "X-Rate-Limit-Time-Reset-Ms",
                   "X-Rate-Limit-Time-Window-Ms")


@dataclass(frozen=True)
class Endpoint:
    store: str  # "hike" | "bigcommerce"
    label: str  # for people: "Products"
    path: str  # relative to the client's base: "products/get_all", "v3/catalog/products"
    envelope: str  # "hike_list" | "v3_list" | "v2_list" | "v2_object"
    shape: RecordShape
    scope: str  # what a refusal means is missing: a BigCommerce API account scope, or Hike's access
    params: Mapping[str, Any] = field(default_factory=dict)
    needs_order: bool = False  # the path has ``{order_id}``: the first order the orders check saw

    @property
    def name(self) -> str:
        prefix = "/api/v1/" if self.store == "hike" else "/"
        return f"GET {prefix}{self.path}"


HIKE_ACCESS = "the app's access to the Hike store (sign in again)"
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("hike", "Products with their variant rows", "products/get_all", "hike_list", S.HIKE_PRODUCT,
             HIKE_ACCESS),
    Endpoint("hike", "Outlets", "outlets/get_all_active", "hike_list", S.HIKE_OUTLET, HIKE_ACCESS),
    Endpoint("hike", "Registers", "outlets/get_Registers_all", "hike_list", S.HIKE_REGISTER, HIKE_ACCESS),
    Endpoint("hike", "Taxes", "taxes/get_all", "hike_list", S.HIKE_TAX, HIKE_ACCESS),
    Endpoint("hike", "Payment types", "payment_types/get_all", "hike_list", S.HIKE_PAYMENT_TYPE, HIKE_ACCESS),
    Endpoint("hike", "Customers", "customers/get_all", "hike_list", S.HIKE_CUSTOMER, HIKE_ACCESS),
    Endpoint("hike", "Sales", "sales/get_all", "hike_list", S.HIKE_SALE, HIKE_ACCESS,
             {"Sorting": "transactionDate"}),
    Endpoint("hike", "Brands", "brands/get_all", "hike_list", S.HIKE_BRAND, HIKE_ACCESS),
    Endpoint("hike", "Product types", "product_types/get_all", "hike_list", S.HIKE_PRODUCT_TYPE, HIKE_ACCESS),
    Endpoint("bigcommerce", "Store information", "v2/store", "v2_object", S.BC_STORE, "Information & settings"),
    Endpoint("bigcommerce", "Tax classes", "v2/tax_classes", "v2_list", S.BC_TAX_CLASS, "Information & settings"),
    Endpoint("bigcommerce", "Payment methods", "v2/payments/methods", "v2_list", S.BC_PAYMENT_METHOD,
             "Payment methods"),
    Endpoint("bigcommerce", "Products (catalog)", "v3/catalog/products", "v3_list", S.BC_PRODUCT, "Products",
             {"include": "variants,images"}),
    Endpoint("bigcommerce", "Variants", "v3/catalog/variants", "v3_list", S.BC_VARIANT, "Products"),
    Endpoint("bigcommerce", "Brands", "v3/catalog/brands", "v3_list", S.BC_BRAND, "Products"),
    Endpoint("bigcommerce", "Categories", "v3/catalog/trees/categories", "v3_list", S.BC_CATEGORY, "Products"),
    Endpoint("bigcommerce", "Customers", "v3/customers", "v3_list", S.BC_CUSTOMER, "Customers",
             {"include": "addresses"}),
    Endpoint("bigcommerce", "Orders with their lines", "v2/orders", "v2_list", S.BC_ORDER, "Orders",
             {"include": "consignments.line_items", "consignment_structure": "object", "sort": "id:desc"}),
    Endpoint("bigcommerce", "Order products", "v2/orders/{order_id}/products", "v2_list", S.BC_ORDER_PRODUCT,
             "Orders", needs_order=True),
    Endpoint("bigcommerce", "Order transactions", "v3/orders/{order_id}/transactions", "v3_list",
             S.BC_TRANSACTION, "Order transactions", needs_order=True),
    Endpoint("bigcommerce", "Inventory locations", "v3/inventory/locations", "v3_list", S.BC_LOCATION,
             "Store locations"),
    Endpoint("bigcommerce", "Inventory", "v3/inventory/items", "v3_list", S.BC_INVENTORY_ITEM, "Store inventory"),
)


@dataclass
class Check:
    store: str
    endpoint: str
    label: str
    status: str = OK
    details: list[dict[str, Any]] = field(default_factory=list)
    # what ``diagnose --capture`` needs and the report never carries: the endpoint and the records read
    source: Endpoint | None = field(default=None, repr=False, compare=False)
    records: list[Any] = field(default_factory=list, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {"store": self.store, "endpoint": self.endpoint, "label": self.label, "status": self.status,
                "details": self.details}

    def add(self, status: str, **detail: Any) -> None:
        """A difference; the worst one decides the status (an error over a permission over a shape)."""
        order = (OK, UNEXPECTED, PERMISSION, ERROR)
        if order.index(status) > order.index(self.status):
            self.status = status
        self.details.append(detail)

    def words(self) -> list[str]:
        store = "Hike" if self.store == "hike" else "BigCommerce"
        head = {OK: "ok", UNEXPECTED: "unexpected shape", PERMISSION: "missing permission", ERROR: "error"}
        lines = [f"{store} · {self.label} ({self.endpoint}): {head[self.status]}"]
        lines += [f"    {d['words']}" for d in self.details if d.get("words")]
        return lines


@dataclass
class Report:
    checks: list[Check]
    checked_at: str
    version: str = ""
    notes: list[str] = field(default_factory=list)  # the clients' shape notes of earlier passes (``ShapeWatch``)

    @property
    def ok(self) -> bool:
        return all(c.status == OK for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked_at": self.checked_at, "version": self.version,
                "checks": [c.as_dict() for c in self.checks], "notes": self.notes}

    def lines(self) -> list[str]:
        bad = [c for c in self.checks if c.status != OK]
        summary = (f"Both stores answered as expected ({len(self.checks)} checks)." if not bad else
                   f"{len(bad)} of {len(self.checks)} checks found a difference. Send the support bundle "
                   f"(Help) to support with this report.")
        lines = [summary, ""]
        for c in sorted(self.checks, key=lambda c: c.status == OK):  # the differences first, then in order
            lines += c.words()
        return lines


def diagnose(hike: Any, bc: Any, *, version: str = "", now: Callable[[], datetime] | None = None) -> Report:
    """Every check, in order, on the connected clients. Nothing is written to either store."""
    checked_at = (now or (lambda: datetime.now(timezone.utc)))().isoformat(timespec="seconds")
    checks: list[Check] = [_token_refresh(hike)]
    first_order: list[Any] = []
    for endpoint in ENDPOINTS:
        client = hike if endpoint.store == "hike" else bc
        checks.append(_check_endpoint(client, endpoint, first_order))
    return Report(checks, checked_at, version)


def save_latest(report: Report, data_dir: Path) -> Path:
    """The report, and the stores' shapes it read (``capture``: made-up values only), kept in the data folder for
    the support bundle: support can replay a shop's store shapes in the sandbox without asking for more."""
    path = data_dir / LATEST
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(report.as_dict(), indent=2), encoding="utf-8")
    temporary.replace(path)
    capture.write(report, data_dir / capture.LATEST)
    return path


# -- one endpoint ----------------------------------------------------------------------------------------------
def _check_endpoint(client: Any, endpoint: Endpoint, first_order: list[Any]) -> Check:
    path = endpoint.path
    check_ = Check(endpoint.store, endpoint.name, endpoint.label, source=endpoint)
    if endpoint.needs_order:
        if not first_order:
            check_.details.append({"words": "No order in the store yet: nothing to look at."})
            return check_
        path = path.format(order_id=first_order[0])
        check_.endpoint = GET_PREFIX[endpoint.store] + path
    params = dict(endpoint.params)
    if endpoint.envelope == "hike_list":
        params.update(page_size=SAMPLE, Skip_count=0)
    elif endpoint.envelope in ("v3_list", "v2_list"):
        params.update(limit=SAMPLE, page=1)
    try:
        response = client.http.request("GET", path, params=params)
    except errors.MissingPermission as exc:
        check_.add(PERMISSION, scope=endpoint.scope,
                   words=f"Refused: the {'API account' if endpoint.store == 'bigcommerce' else 'app'} lacks "
                         f"“{endpoint.scope}”. ({exc.message})")
        return check_
    except errors.NotFound as exc:
        check_.add(ERROR, words=f"The store does not know this address: {exc.message}")
        return check_
    except errors.SyncError as exc:
        check_.add(PERMISSION if isinstance(exc, errors.ReconnectNeeded) else ERROR, scope=endpoint.scope,
                   words=exc.message)
        return check_
    items = check_.records = _envelope(check_, endpoint, response)
    if endpoint.store == "bigcommerce" and endpoint.envelope.startswith("v3"):
        missing = [h for h in BC_RATE_HEADERS if h not in response.headers]
        if missing:
            check_.add(UNEXPECTED, field="headers", problem="missing", came="", expected=", ".join(missing),
                       needed=False, words=f"No rate-limit headers ({', '.join(missing)}): the app paces itself "
                                           f"by guesswork, which is slower")
    for finding in _findings(endpoint.shape, items):
        check_.add(UNEXPECTED, **finding.as_dict(), words=finding.words())
    if endpoint.path == "v2/orders" and items and isinstance(items[0], Mapping) and "id" in items[0]:
        first_order.append(items[0]["id"])
    return check_


GET_PREFIX = {"hike": "GET /api/v1/", "bigcommerce": "GET /"}


def _findings(shape: RecordShape, items: list[Any]) -> list[Finding]:
    seen: dict[tuple[str, str], Finding] = {}
    for item in items:
        for finding in check(shape, item):
            seen.setdefault((finding.field, finding.problem), finding)
    return list(seen.values())


def _envelope(check_: Check, endpoint: Endpoint, response: Any) -> list[Any]:
    """The records of the answer, with any difference in the list's envelope noted on ``check_``."""
    data = response.data

    def wrong(field_: str, came: Any, expected: str) -> None:
        check_.add(UNEXPECTED, field=field_, problem="wrong_type" if came is not None else "missing",
                   came=describe(came) if came is not None else "", expected=expected, needed=True,
                   words=f"`{field_}` is {describe(came) if came is not None else 'missing'}, expected {expected}")

    if endpoint.envelope == "v2_object":
        if not isinstance(data, Mapping):
            wrong("(answer)", data, "an object")
            return []
        return [data]
    if endpoint.envelope == "v2_list":
        if response.status == 204 or data is None:
            return []
        if not isinstance(data, list):
            wrong("(answer)", data, "a list")
            return []
        return data
    if not isinstance(data, Mapping):
        wrong("(answer)", data, "an object")
        return []
    if endpoint.envelope == "hike_list":
        items = data.get("items")
        if not isinstance(items, list):
            wrong("items", items, "a list")
            items = []
        if not isinstance(data.get("totalCount"), int) or isinstance(data.get("totalCount"), bool):
            wrong("totalCount", data.get("totalCount"), "a whole number")
        if "next" not in data:
            check_.add(UNEXPECTED, field="next", problem="missing", came="", expected="a link or null",
                       needed=False, words="`next` is missing: pages are followed by `totalCount` alone")
        return items
    items = data.get("data")
    if not isinstance(items, list):
        wrong("data", items, "a list")
        items = []
    pagination = (data.get("meta") or {}).get("pagination") if isinstance(data.get("meta"), Mapping) else None
    if not isinstance(pagination, Mapping):
        wrong("meta.pagination", pagination, "an object")
    else:
        for key in ("total", "count", "per_page", "current_page", "total_pages"):
            value = pagination.get(key)
            if not isinstance(value, int) or isinstance(value, bool):
                wrong(f"meta.pagination.{key}", value, "a whole number")
    return items


def _token_refresh(hike: Any) -> Check:
    """Hike's access token is renewed the way a pass renews it when it runs out (the keyring keeps the new one)."""
    check_ = Check("hike", "POST /oauth/token (refresh_token)", "Signing in again by itself (token refresh)")
    try:
        hike.refresh_now()
    except errors.SyncError as exc:
        check_.add(PERMISSION if isinstance(exc, errors.ReconnectNeeded) else ERROR, scope=HIKE_ACCESS,
                   words=exc.message)
    return check_
