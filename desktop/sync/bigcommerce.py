"""BigCommerce client: the only code that speaks to a BigCommerce store (v2 and v3 REST APIs).

Built from the API path and access token of a store-level API account. Returns plain dataclasses (with the raw
dict kept for fields we do not model), pages lazily to the end the store states (N5: never cut at a page shorter
than asked; a read whose count is not the store's total is logged and counted in ``incomplete_reads``), batches
to the API's limits (N5: 250 per page, 10 products, 50 variants, 10 customers, 2000 inventory items per call),
and leaves pacing, retries and error classification to ``desktop.sync.http``. Money is ``Decimal`` (v3 JSON
numbers are parsed as Decimal; v2 sends 4-decimal strings); dates are aware UTC datetimes from both formats the
API uses (ISO 8601 in v3, RFC 2822 in v2).
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar

import httpx

from desktop import APP_NAME
from desktop.sync import errors
from desktop.sync.addresses import bigcommerce_api_base
from desktop.sync.http import ApiTransport, BigCommerceGovernor, Budget, ErrorDetail, RetryPolicy
from desktop.sync.shapes import ShapeWatch, TolerantReading
from desktop.sync.store_shapes import BC_CUSTOMER, BC_ORDER, BC_PRODUCT

log = logging.getLogger(__name__)

PAGE_LIMIT = 250
PRODUCT_BATCH = 10
VARIANT_BATCH = 50
CUSTOMER_BATCH = 10
ADDRESS_BATCH = 10  # customer addresses per POST/PUT /v3/customers/addresses: see create_customer_addresses
INVENTORY_BATCH = 2000
INVENTORY_PAGE = 1000  # items per page of an inventory read (inventory.v3.yml: "Limit of 1000 items")
ORDER_PRODUCTS_PAGE = 50
# Order lists ask for each order's lines embedded in its consignments (orders.v2.oas2.yml ``order_includes``), so
# the orders pass needs no /orders/{id}/products read per order; see ``BCOrder.embedded_lines`` for the fallback.
ORDER_LINES_INCLUDE = {"include": "consignments.line_items", "consignment_structure": "object"}
ID_FILTER_CHUNK = 50  # ids per `id:in` filter: keeps URLs short
NOTES_NAMESPACE = "hike_bc_sync"  # the metafield namespace of this app's notes on orders (``note_order``)
NOTES_BATCH = 50  # notes per batch create [I]: the spec states no limit; 50 as the other batch writes

# The scopes the app needs, for the Connect page and the README (C2).
REQUIRED_SCOPES = [
    ("Products", "modify", "store_v2_products"),
    ("Orders", "modify", "store_v2_orders"),
    ("Order transactions", "read-only", "store_v2_transactions_read_only"),
    ("Customers", "modify", "store_v2_customers"),
    ("Information & settings", "read-only", "store_v2_information_read_only"),
    ("Store inventory", "modify", "store_inventory"),
    ("Store locations", "read-only", "store_locations_read_only"),
    ("Payment methods", "read-only", "store_payments_methods_read"),
]

ORDER_STATUS_NAMES = {
    0: "Incomplete", 1: "Pending", 2: "Shipped", 3: "Partially Shipped", 4: "Refunded", 5: "Cancelled",
    6: "Declined", 7: "Awaiting Payment", 8: "Awaiting Pickup", 9: "Awaiting Shipment", 10: "Completed",
    11: "Awaiting Fulfillment", 12: "Manual Verification Required", 13: "Disputed", 14: "Partially Refunded",
}

T = TypeVar("T")


# --------------------------------------------------------------------------------------------------------
# values
def money(value: Any) -> Decimal | None:
    """v2 sends ``"12.5000"``, v3 sends numbers (already Decimal from the transport)."""
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def parse_date(value: str | None) -> datetime | None:
    """ISO 8601 (v3: ``2018-08-15T14:49:05+00:00``) or RFC 2822 (v2: ``Tue, 20 Nov 2012 00:00:00 +0000``)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            raise ValueError(f"unrecognised BigCommerce date {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def iso_filter(moment: datetime) -> str:
    """A v3 date filter with its time part: a bare date would get "now" appended by the API (pitfall 9)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc2822_filter(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc))


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _note_body(key: str, value: str) -> dict[str, str]:
    """An order metafield of this app's (``note_order``): private to it."""
    return {"permission_set": "app_only", "namespace": NOTES_NAMESPACE, "key": key, "value": value,
            "description": APP_NAME}


def _int(value: Any, default: int) -> int:
    """A pagination number, or ``default`` when it is missing or not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# --------------------------------------------------------------------------------------------------------
# records
@dataclass(frozen=True)
class StoreInfo:
    store_hash: str
    name: str
    secure_url: str
    control_panel_base_url: str
    is_price_entered_with_tax: bool
    currency: str
    weight_units: str
    dimension_units: str
    timezone: str
    plan_name: str


@dataclass
class BCVariant:
    id: int
    product_id: int
    sku: str
    upc: str
    price: Decimal | None
    sale_price: Decimal | None
    retail_price: Decimal | None
    cost_price: Decimal | None
    weight: Decimal | None
    inventory_level: int
    option_values: list[tuple[str, str]]  # (option display name, value label); empty for the base variant
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_api(cls, d: dict[str, Any]) -> "BCVariant":
        return cls(
            id=d["id"], product_id=d.get("product_id", 0), sku=d.get("sku") or "", upc=d.get("upc") or "",
            price=money(d.get("price")), sale_price=money(d.get("sale_price")),
            retail_price=money(d.get("retail_price")), cost_price=money(d.get("cost_price")),
            weight=money(d.get("weight")), inventory_level=int(d.get("inventory_level") or 0),
            option_values=[(o.get("option_display_name", ""), o.get("label", "")) for o in d.get("option_values") or []],
            raw=d,
        )


@dataclass
class BCProduct:
    id: int
    name: str
    sku: str
    upc: str
    type: str
    price: Decimal | None
    retail_price: Decimal | None
    sale_price: Decimal | None
    cost_price: Decimal | None
    weight: Decimal | None
    description: str
    inventory_level: int
    inventory_tracking: str  # none | product | variant
    categories: list[int]
    brand_id: int
    tax_class_id: int
    is_visible: bool
    url_path: str
    date_modified: datetime | None
    variants: list[BCVariant]
    images: list[dict[str, Any]]
    raw: dict[str, Any] = field(repr=False)

    @property
    def has_options(self) -> bool:
        """A product whose variants carry option values (a "variant product" in Hike's words)."""
        return any(v.option_values for v in self.variants)

    @classmethod
    def from_api(cls, d: dict[str, Any]) -> "BCProduct":
        return cls(
            id=d["id"], name=d.get("name", ""), sku=d.get("sku") or "", upc=d.get("upc") or "",
            type=d.get("type", "physical"), price=money(d.get("price")), retail_price=money(d.get("retail_price")),
            sale_price=money(d.get("sale_price")), cost_price=money(d.get("cost_price")),
            weight=money(d.get("weight")), description=d.get("description") or "",
            inventory_level=int(d.get("inventory_level") or 0), inventory_tracking=d.get("inventory_tracking", "none"),
            categories=list(d.get("categories") or []), brand_id=int(d.get("brand_id") or 0),
            tax_class_id=int(d.get("tax_class_id") or 0), is_visible=bool(d.get("is_visible", True)),
            url_path=(d.get("custom_url") or {}).get("url", ""), date_modified=parse_date(d.get("date_modified")),
            variants=[BCVariant.from_api(v) for v in d.get("variants") or []], images=list(d.get("images") or []),
            raw=d,
        )


@dataclass(frozen=True)
class BCBrand:
    id: int
    name: str


@dataclass(frozen=True)
class BCCategory:
    id: int
    tree_id: int
    parent_id: int
    name: str

    @classmethod
    def from_api(cls, d: dict[str, Any]) -> "BCCategory":
        """A category of a tree (``/v3/catalog/trees/categories``, where its id is ``category_id``)."""
        return cls(d["category_id"], d.get("tree_id", 0), d.get("parent_id", 0), d.get("name", ""))


@dataclass(frozen=True)
class BCTaxClass:
    id: int
    name: str


@dataclass
class BCCustomer:
    id: int
    email: str
    first_name: str
    last_name: str
    company: str
    phone: str
    date_modified: datetime | None
    addresses: list[dict[str, Any]]
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_api(cls, d: dict[str, Any]) -> "BCCustomer":
        return cls(id=d["id"], email=d.get("email") or "", first_name=d.get("first_name") or "",
                   last_name=d.get("last_name") or "", company=d.get("company") or "", phone=d.get("phone") or "",
                   date_modified=parse_date(d.get("date_modified")), addresses=list(d.get("addresses") or []), raw=d)


@dataclass
class BCOrderLine:
    id: int
    product_id: int
    variant_id: int | None
    name: str
    sku: str
    quantity: int
    price_ex_tax: Decimal
    price_inc_tax: Decimal
    total_ex_tax: Decimal
    total_inc_tax: Decimal
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_api(cls, d: dict[str, Any]) -> "BCOrderLine":
        return cls(id=d["id"], product_id=int(d.get("product_id") or 0), variant_id=d.get("variant_id"),
                   name=d.get("name", ""), sku=d.get("sku") or "", quantity=int(d.get("quantity") or 0),
                   price_ex_tax=money(d.get("price_ex_tax")) or Decimal(0),
                   price_inc_tax=money(d.get("price_inc_tax")) or Decimal(0),
                   total_ex_tax=money(d.get("total_ex_tax")) or Decimal(0),
                   total_inc_tax=money(d.get("total_inc_tax")) or Decimal(0), raw=d)


@dataclass(frozen=True)
class OrderNote:
    """One of this app's notes on an order (an order metafield in ``NOTES_NAMESPACE``)."""

    order_id: int
    key: str
    value: str
    created: datetime | None

    @classmethod
    def from_api(cls, d: dict[str, Any]) -> "OrderNote":
        return cls(int(d.get("resource_id") or 0), str(d.get("key") or ""), str(d.get("value") or ""),
                   parse_date(d.get("date_created")))


@dataclass
class BCOrder:
    id: int
    customer_id: int
    status_id: int
    status: str
    date_created: datetime | None
    date_modified: datetime | None
    subtotal_ex_tax: Decimal
    subtotal_inc_tax: Decimal
    shipping_cost_ex_tax: Decimal
    shipping_cost_inc_tax: Decimal
    total_ex_tax: Decimal
    total_inc_tax: Decimal
    total_tax: Decimal
    refunded_amount: Decimal
    payment_method: str
    currency_code: str
    is_tax_inclusive_pricing: bool
    billing_address: dict[str, Any]
    raw: dict[str, Any] = field(repr=False)

    @property
    def is_incomplete(self) -> bool:
        """Status 0: an abandoned checkout, never a real order to sync (S10)."""
        return self.status_id == 0

    def embedded_lines(self) -> list[BCOrderLine] | None:
        """The lines embedded in ``consignments`` (``ORDER_LINES_INCLUDE``), or None when they may not be all of
        them: no object-structure consignments, links instead of lines, a consignment at the platform's cap of 50
        embedded lines or carrying its ``__warning__`` that some were left out (API notes §12.5), or quantities that
        do not add up to the order's ``items_total``."""
        consignments = self.raw.get("consignments")
        if not isinstance(consignments, dict):
            return None
        groups = [*(consignments.get("shipping") or []), *(consignments.get("pickups") or []),
                  *(consignments.get("downloads") or []),
                  *((consignments.get("email") or {}).get("gift_certificates") or [])]
        lines: dict[int, BCOrderLine] = {}
        for group in groups:
            items = group.get("line_items") if isinstance(group, dict) else None
            if not isinstance(items, list) or "__warning__" in group or len(items) >= ORDER_PRODUCTS_PAGE:
                return None
            for d in items:
                if not isinstance(d, dict) or "quantity" not in d or "id" not in d:
                    return None  # a resource link (include=consignments), not the line itself
                lines.setdefault(int(d["id"]), BCOrderLine.from_api(d))
        if sum(li.quantity for li in lines.values()) != int(self.raw.get("items_total") or 0) or not lines:
            return None
        return list(lines.values())

    @classmethod
    def from_api(cls, d: dict[str, Any]) -> "BCOrder":
        def m(key: str) -> Decimal:
            return money(d.get(key)) or Decimal(0)

        return cls(id=d["id"], customer_id=int(d.get("customer_id") or 0), status_id=int(d.get("status_id") or 0),
                   status=d.get("status") or ORDER_STATUS_NAMES.get(int(d.get("status_id") or 0), ""),
                   date_created=parse_date(d.get("date_created")), date_modified=parse_date(d.get("date_modified")),
                   subtotal_ex_tax=m("subtotal_ex_tax"), subtotal_inc_tax=m("subtotal_inc_tax"),
                   shipping_cost_ex_tax=m("shipping_cost_ex_tax"), shipping_cost_inc_tax=m("shipping_cost_inc_tax"),
                   total_ex_tax=m("total_ex_tax"), total_inc_tax=m("total_inc_tax"), total_tax=m("total_tax"),
                   refunded_amount=m("refunded_amount"), payment_method=d.get("payment_method") or "",
                   currency_code=d.get("currency_code") or "",
                   is_tax_inclusive_pricing=bool(d.get("is_tax_inclusive_pricing")),
                   billing_address=dict(d.get("billing_address") or {}), raw=d)


@dataclass(frozen=True)
class BCLocation:
    id: int
    code: str
    label: str
    enabled: bool


@dataclass(frozen=True)
class BCInventoryLevel:
    sku: str
    product_id: int
    variant_id: int | None
    location_id: int
    available_to_sell: int
    on_hand: int


# --------------------------------------------------------------------------------------------------------
# errors
def describe_error(response: httpx.Response) -> ErrorDetail:
    """v3 ``{status, title, errors: {field: message}}``, v2 ``[{status, message, details}]``, or text."""
    try:
        body = response.json()
    except ValueError:
        return ErrorDetail(response.text.strip()[:300] or response.reason_phrase)
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return ErrorDetail(str(body[0].get("message") or body[0]))
    if isinstance(body, dict):
        title = str(body.get("title") or body.get("message") or response.reason_phrase)
        field_errors = body.get("errors") or {}
        if isinstance(field_errors, dict) and field_errors:
            name, text = next(iter(field_errors.items()))
            return ErrorDetail(f"{title} ({name}: {text})", str(name), text)
        return ErrorDetail(title)
    return ErrorDetail(str(body)[:300])


def parse_api_path(api_path: str) -> tuple[str, str]:
    """``https://api.bigcommerce.com/stores/{hash}/v3/`` → (``https://api.bigcommerce.com/stores/{hash}/``, hash).

    Only api.bigcommerce.com over https, or the loopback sandbox: the rules live in ``desktop.sync.addresses``.
    """
    return bigcommerce_api_base(api_path)


# --------------------------------------------------------------------------------------------------------
class BigCommerceClient(TolerantReading):
    STORE = "BigCommerce"  # for people, in the messages of records it cannot read

    def __init__(self, api_path: str, access_token: str, *, governor: BigCommerceGovernor | None = None,
                 retry: RetryPolicy | None = None, transport: httpx.BaseTransport | None = None,
                 timeout: httpx.Timeout | None = None):
        if not access_token or not access_token.strip():
            raise ValueError("The BigCommerce access token is empty.")
        base_url, self.store_hash = parse_api_path(api_path)
        token = access_token.strip()
        kwargs: dict[str, Any] = {}
        if timeout is not None:
            kwargs["timeout"] = timeout
        self.http = ApiTransport(
            "BigCommerce", base_url, governor or BigCommerceGovernor(),
            auth_headers=lambda: {"X-Auth-Token": token}, describe=describe_error,
            retry=retry or RetryPolicy(), transport=transport,
            unauthorized_message="BigCommerce refused the access token (it was revoked, or belongs to another "
                                 "store). Create a new API account token and reconnect BigCommerce.",
            **kwargs)
        # N5: lists read to the end whose count disagreed with the platform's total (see ``_check_count``). A
        # caller compares it before and after a read to know whether that read may be incomplete.
        self.incomplete_reads = 0
        self._count_lock = threading.Lock()
        self.shapes = ShapeWatch()  # issue 18: the records it cannot read, the optional fields it did not get
        # told of each page of a list as it is read (pages read, pages the platform states or None; 0 pages: a
        # list starts): the engine sets it during a pass to show "page 3 of 12"
        self.on_page: Callable[[int, int | None], None] | None = None

    def close(self) -> None:
        self.http.close()

    def budget(self) -> Budget:
        return self.http.budget()

    # -- paging helpers ------------------------------------------------------------------------------------
    # N5: a list ends where the platform says it ends, never at a page merely shorter than asked (a store may serve
    # fewer than asked). Its counts have been wrong before (API notes §12.4: brands reported 1 page and no ``next``
    # on a full page), so a full page is never taken for the last one, and the total only checks the read after.
    def _v3_pages(self, path: str, params: dict[str, Any], limit: int = PAGE_LIMIT) -> Iterator[dict[str, Any]]:
        """Every item of a v3 collection, a page at a time. The next page is read while the page was not empty
        and either the platform says there is more (``links.next``; without ``links``, ``current_page <
        total_pages``) or the page was full (``per_page`` items), so an empty page ends it too. Read to the end,
        the count is checked against ``meta.pagination.total`` (``_check_count``)."""
        page, read, total = 1, 0, None
        self._page_read(0, None)
        while True:
            response = self.http.request("GET", f"v3/{path}", params={**params, "page": page, "limit": limit})
            body = response.data or {}
            items = body.get("data") or []
            read += len(items)
            pagination = (body.get("meta") or {}).get("pagination") or {}
            stated = _int(pagination.get("total_pages"), 0)
            self._page_read(page, max(page, stated) if stated else None)
            yield from items
            total = pagination.get("total", total)
            links = pagination.get("links")
            if isinstance(links, dict):
                says_more = bool(links.get("next"))
            else:
                says_more = _int(pagination.get("current_page"), page) < _int(pagination.get("total_pages"), 0)
            full = len(items) >= min(limit, max(1, _int(pagination.get("per_page"), limit)))
            if not items or not (says_more or full):
                break
            page += 1
        self._check_count(path, read, total)

    def _v2_pages(self, path: str, params: dict[str, Any], limit: int) -> Iterator[dict[str, Any]]:
        """A v2 collection: bare arrays, read until an empty page or 204 with no body (pitfall 2). v2 pages say
        nothing of the list's length, so a page shorter than asked is read past, and there is no total to check."""
        page = 1
        self._page_read(0, None)
        while True:
            response = self.http.request("GET", f"v2/{path}", params={**params, "page": page, "limit": limit})
            items = response.data if response.status != 204 and isinstance(response.data, list) else []
            if not items:
                return
            self._page_read(page, None)
            yield from items
            page += 1

    def _page_read(self, pages: int, total: int | None) -> None:
        hook = self.on_page
        if hook is not None:
            hook(pages, total)

    def _v3_pages_where(self, path: str, params: dict[str, Any], name: str,
                        values: Iterable[Any]) -> Iterator[dict[str, Any]]:
        """The items whose ``name`` is one of ``values``: ``name:in`` filters of ``ID_FILTER_CHUNK`` values each, so
        no query string grows past what the platform reads."""
        for chunk in chunks(sorted(set(values)), ID_FILTER_CHUNK):
            yield from self._v3_pages(path, {**params, f"{name}:in": ",".join(map(str, chunk))})

    def _write_batches(self, method: str, path: str, bodies: Sequence[dict[str, Any]],
                       size: int) -> Iterator[dict[str, Any]]:
        """Send ``bodies`` ``size`` a call to a batch endpoint; yields what each answer's ``data`` holds."""
        for chunk in chunks(list(bodies), size):
            response = self.http.request(method, path, json_body=list(chunk))
            yield from (response.data or {}).get("data") or []

    def _check_count(self, path: str, read: int, total: Any) -> None:
        """A list read to its end whose count is not the platform's total may have missed records (or the count is
        wrong): say so, and count it in ``incomplete_reads``. A record missing from such a read is not gone: the
        sync never treats absence as deletion."""
        if total is None or _int(total, read) == read:
            return
        log.warning("BigCommerce listed %s of %s records at %s: the list may be incomplete, or its count wrong",
                    read, total, path)
        with self._count_lock:
            self.incomplete_reads += 1

    # -- store -----------------------------------------------------------------------------------------------
    def store_info(self) -> StoreInfo:
        d = self.http.request("GET", "v2/store").data or {}
        return StoreInfo(
            store_hash=str(d.get("id") or self.store_hash), name=d.get("name", ""),
            secure_url=d.get("secure_url", ""), control_panel_base_url=d.get("control_panel_base_url", ""),
            is_price_entered_with_tax=bool(d.get("is_price_entered_with_tax")), currency=d.get("currency", ""),
            weight_units=d.get("weight_units", ""), dimension_units=d.get("dimension_units", ""),
            timezone=(d.get("timezone") or {}).get("name", "") if isinstance(d.get("timezone"), dict)
            else str(d.get("timezone") or ""), plan_name=d.get("plan_name", ""))

    def tax_classes(self) -> list[BCTaxClass]:
        response = self.http.request("GET", "v2/tax_classes")
        return [BCTaxClass(int(t["id"]), t.get("name", "")) for t in response.data or []]

    def order_statuses(self) -> dict[int, str]:
        response = self.http.request("GET", "v2/order_statuses")
        return {int(s["id"]): s.get("custom_label") or s.get("name", "") for s in response.data or []}

    def store_time(self) -> datetime:
        """The store's own clock (``GET /v2/time``, Unix seconds): where "after activation" starts (S10)."""
        data = self.http.request("GET", "v2/time").data or {}
        return datetime.fromtimestamp(int(data["time"]), tz=timezone.utc)

    def payment_methods(self) -> list[str]:
        """Names of the store's payment methods (v2; the API says not every provider may appear)."""
        response = self.http.request("GET", "v2/payments/methods")
        return [m.get("name") or m.get("code", "") for m in response.data or [] if isinstance(m, dict)]

    # -- catalog ---------------------------------------------------------------------------------------------
    def products(self, *, modified_since: datetime | None = None, ids: Iterable[int] | None = None,
                 skus: Iterable[str] | None = None, include: str = "variants,images") -> Iterator[BCProduct]:
        base: dict[str, Any] = {"include": include} if include else {}
        if modified_since is not None:
            base["date_modified:min"] = iso_filter(modified_since)
        if ids is not None:
            rows = self._v3_pages_where("catalog/products", base, "id", ids)
        elif skus is not None:
            rows = self._v3_pages_where("catalog/products", base, "sku", skus)
        else:
            rows = self._v3_pages("catalog/products", base)
        asked = set(include.split(",")) if include else set()
        shape = BC_PRODUCT.without(*({"variants", "images"} - asked))  # what was not asked for is not missed
        for d in rows:
            if ids is None and skus is None:
                if self._readable(shape, "product", d):
                    yield BCProduct.from_api(d)
            else:
                yield BCProduct.from_api(self._required(shape, d))  # a lookup (N7): never a silent miss

    def product(self, product_id: int) -> BCProduct:
        response = self.http.request("GET", f"v3/catalog/products/{product_id}", params={"include": "variants,images"})
        return BCProduct.from_api(response.data["data"])

    def find_product_by_sku(self, sku: str) -> BCProduct | None:
        """The product whose own SKU, or one of whose variants' SKU, equals ``sku`` (case-insensitive)."""
        for product in self.products(skus=[sku]):
            return product
        response = self.http.request("GET", "v3/catalog/variants", params={"sku": sku})
        for variant in (response.data or {}).get("data") or []:
            return self.product(variant["product_id"])
        return None

    def create_product(self, body: dict[str, Any]) -> BCProduct:
        """One product per call (variants inline). A lost answer is resolved by looking the SKU up, so a
        retry never creates the product twice (N2)."""
        try:
            response = self.http.request("POST", "v3/catalog/products", json_body=body)
        except errors.AmbiguousWrite:
            sku = body.get("sku")
            found = self.find_product_by_sku(sku) if sku else None
            if found is None:
                raise
            log.info("Create of SKU %s was not confirmed, but the product exists (id %s): using it", sku, found.id)
            return found
        except errors.Conflict as exc:
            raise self._explain_conflict(exc, body) from None
        return BCProduct.from_api(response.data["data"])

    def update_product(self, product_id: int, body: dict[str, Any]) -> BCProduct:
        try:
            response = self.http.request("PUT", f"v3/catalog/products/{product_id}", json_body=body)
        except errors.Conflict as exc:
            raise self._explain_conflict(exc, body) from None
        return BCProduct.from_api(response.data["data"])

    def update_products(self, bodies: Sequence[dict[str, Any]]) -> list[BCProduct]:
        """Batch update, 10 per call; every body needs its ``id``."""
        return [BCProduct.from_api(d) for d in self._write_batches("PUT", "v3/catalog/products", bodies, PRODUCT_BATCH)]

    def update_variants(self, bodies: Sequence[dict[str, Any]]) -> list[BCVariant]:
        """Batch update, 50 per call; every body needs its ``id``."""
        return [BCVariant.from_api(d) for d in self._write_batches("PUT", "v3/catalog/variants", bodies, VARIANT_BATCH)]

    def variants(self, product_id: int) -> list[BCVariant]:
        return [BCVariant.from_api(d) for d in self._v3_pages(f"catalog/products/{product_id}/variants", {})]

    def create_variant(self, product_id: int, body: dict[str, Any]) -> BCVariant:
        """A new variant of an existing product. Its option values are named by id (``{id, option_id}``), as
        BigCommerce documents for ``POST …/variants``: values given by label are found, or made first."""
        if any("option_display_name" in ov for ov in body.get("option_values") or []):
            body = {**body, "option_values": self._option_value_ids(product_id, body["option_values"])}
        try:
            response = self.http.request("POST", f"v3/catalog/products/{product_id}/variants", json_body=body)
        except errors.AmbiguousWrite:
            sku = (body.get("sku") or "").lower()
            for variant in self.variants(product_id):
                if sku and variant.sku.lower() == sku:
                    return variant
            raise
        except errors.Conflict as exc:
            raise self._explain_conflict(exc, body) from None
        return BCVariant.from_api(response.data["data"])

    def _option_value_ids(self, product_id: int, named: list[dict[str, Any]]) -> list[dict[str, int]]:
        """``[{option_display_name, label}]`` as ``[{id, option_id}]``: each option and value is looked up in the
        product's options first and made only when missing (a value whose creation answer was lost is found on the
        next look, never made twice)."""
        options = self._options(product_id)
        ids = []
        for ov in named:
            name, label = str(ov["option_display_name"]).strip(), str(ov["label"]).strip()
            option = options.get(name.lower())
            if option is None:
                option = self._write_or_find_option(product_id, name, label)
                options[name.lower()] = option
            value = _value_labelled(option, label)
            if value is None:
                value = self._write_or_find_value(product_id, option, label)
                option["option_values"].append(value)
            ids.append({"id": int(value["id"]), "option_id": int(option["id"])})
        return ids

    def _options(self, product_id: int) -> dict[str, dict[str, Any]]:
        return {str(o.get("display_name", "")).strip().lower(): o
                for o in self._v3_pages(f"catalog/products/{product_id}/options", {})}

    def _write_or_find_option(self, product_id: int, name: str, label: str) -> dict[str, Any]:
        body = {"display_name": name, "type": "rectangles", "option_values": [{"label": label, "sort_order": 0}]}
        try:
            return self.http.request("POST", f"v3/catalog/products/{product_id}/options", json_body=body).data["data"]
        except (errors.AmbiguousWrite, errors.Conflict):
            found = self._options(product_id).get(name.lower())  # made by the lost answer, or by someone else
            if found is None:
                raise
            return found

    def _write_or_find_value(self, product_id: int, option: dict[str, Any], label: str) -> dict[str, Any]:
        path = f"v3/catalog/products/{product_id}/options/{option['id']}/values"
        body = {"label": label, "sort_order": len(option.get("option_values") or [])}
        try:
            return self.http.request("POST", path, json_body=body).data["data"]
        except (errors.AmbiguousWrite, errors.ValidationFailed):
            fresh = self._options(product_id).get(str(option.get("display_name", "")).strip().lower()) or {}
            found = _value_labelled(fresh, label)
            if found is None:
                raise
            return found

    def add_image(self, product_id: int, image_url: str, *, is_thumbnail: bool = False) -> dict[str, Any]:
        response = self.http.request("POST", f"v3/catalog/products/{product_id}/images",
                                     json_body={"image_url": image_url, "is_thumbnail": is_thumbnail})
        return response.data["data"]

    def brands(self) -> list[BCBrand]:
        return [BCBrand(d["id"], d.get("name", "")) for d in self._v3_pages("catalog/brands", {})]

    def create_brand(self, name: str) -> BCBrand:
        try:
            response = self.http.request("POST", "v3/catalog/brands", json_body={"name": name})
        except (errors.AmbiguousWrite, errors.Conflict):
            for brand in self._v3_pages("catalog/brands", {"name": name}):
                if brand.get("name", "").lower() == name.lower():
                    return BCBrand(brand["id"], brand["name"])
            raise
        d = response.data["data"]
        return BCBrand(d["id"], d.get("name", name))

    def category_trees(self) -> list[dict[str, Any]]:
        return list((self.http.request("GET", "v3/catalog/trees").data or {}).get("data") or [])

    def categories(self, tree_id: int | None = None) -> list[BCCategory]:
        params = {"tree_id:in": tree_id} if tree_id is not None else {}
        return [BCCategory.from_api(d) for d in self._v3_pages("catalog/trees/categories", params)]

    def create_categories(self, bodies: Sequence[dict[str, Any]]) -> list[BCCategory]:
        """Each body: ``name`` and ``tree_id``; ``parent_id`` defaults to 0 (top level), as the official
        schema requires both ids."""
        payload = [{"parent_id": 0, **body} for body in bodies]
        response = self.http.request("POST", "v3/catalog/trees/categories", json_body=payload)
        return [BCCategory.from_api(d) for d in (response.data or {}).get("data") or []]

    # -- customers -------------------------------------------------------------------------------------------
    def customers(self, *, modified_since: datetime | None = None,
                  emails: Iterable[str] | None = None, ids: Iterable[int] | None = None) -> Iterator[BCCustomer]:
        base: dict[str, Any] = {"include": "addresses"}
        if modified_since is not None:
            base["date_modified:min"] = iso_filter(modified_since)
        if ids is not None:
            rows = self._v3_pages_where("customers", base, "id", ids)
        elif emails is not None:
            rows = self._v3_pages_where("customers", base, "email", {e.strip().lower() for e in emails if e})
        else:
            rows = self._v3_pages("customers", base)
        for d in rows:
            if ids is None and emails is None:
                if self._readable(BC_CUSTOMER, "customer", d, names=("email", "last_name")):
                    yield BCCustomer.from_api(d)
            else:
                yield BCCustomer.from_api(self._required(BC_CUSTOMER, d))

    def create_customers(self, bodies: Sequence[dict[str, Any]]) -> list[BCCustomer]:
        """10 per call. A lost answer is resolved by looking the emails up (N2)."""
        out: list[BCCustomer] = []
        for chunk in chunks(list(bodies), CUSTOMER_BATCH):
            try:
                response = self.http.request("POST", "v3/customers", json_body=list(chunk))
            except errors.AmbiguousWrite:
                emails = [b.get("email", "") for b in chunk]
                found = list(self.customers(emails=emails))
                if len(found) < len(chunk):
                    raise
                out.extend(found)
                continue
            out.extend(BCCustomer.from_api(d) for d in (response.data or {}).get("data") or [])
        return out

    def update_customers(self, bodies: Sequence[dict[str, Any]]) -> list[BCCustomer]:
        return [BCCustomer.from_api(d) for d in self._write_batches("PUT", "v3/customers", bodies, CUSTOMER_BATCH)]

    # The address endpoints take arrays too. customers.v3.yml states no item limit for them (only concurrency), so
    # they are sent 10 per call like the customers they belong to (the sandbox refuses more with 413).
    def create_customer_addresses(self, bodies: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each body has ``customer_id``; returns the created addresses. An address identical to one the
        customer already has is not created and is absent from the answer (customers.v3.yml)."""
        return self._address_writes("POST", bodies)

    def update_customer_addresses(self, bodies: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each body has the address ``id``; returns the updated addresses. An update that would make an address
        identical to another of the customer's is not applied and is absent from the answer (customers.v3.yml)."""
        return self._address_writes("PUT", bodies)

    def _address_writes(self, method: str, bodies: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        return [d for d in self._write_batches(method, "v3/customers/addresses", bodies, ADDRESS_BATCH)
                if isinstance(d, dict)]

    # -- orders ----------------------------------------------------------------------------------------------
    def orders(self, *, modified_since: datetime | None = None, created_since: datetime | None = None,
               status_id: int | None = None, external_order_id: str | None = None,
               newest_first: bool = False) -> Iterator[BCOrder]:
        # ascending by date modified: a cursor can resume mid-way; ``newest_first`` for a look back (N7)
        params: dict[str, Any] = {"sort": "id:desc" if newest_first else "date_modified"}
        if external_order_id is not None:
            params["external_order_id"] = external_order_id
        if modified_since is not None:
            params["min_date_modified"] = rfc2822_filter(modified_since)
        if created_since is not None:
            params["min_date_created"] = rfc2822_filter(created_since)
        if status_id is not None:
            params["status_id"] = status_id
        for d in self._v2_pages("orders", {**params, **ORDER_LINES_INCLUDE}, PAGE_LIMIT):
            if external_order_id is not None:
                yield BCOrder.from_api(self._required(BC_ORDER, d))  # a lookup (N7)
            elif self._readable(BC_ORDER, "order", d, names=("id",), skus=()):
                yield BCOrder.from_api(d)

    def find_order_by_reference(self, reference: str) -> BCOrder | None:
        """The order whose ``external_order_id`` is ``reference`` (the app's own reference on orders it creates)."""
        return next((o for o in self.orders(external_order_id=reference)
                     if str(o.raw.get("external_order_id") or "") == reference), None)

    def create_order(self, body: dict[str, Any]) -> BCOrder:
        """v2 ``POST /orders``. Give the body an ``external_order_id``: a create whose answer was lost is looked up
        by it before anything is sent again, so an order is never created twice (N2); without one, or when the
        lookup finds nothing, ``AmbiguousWrite`` is raised."""
        try:
            return BCOrder.from_api(self.http.request("POST", "v2/orders", json_body=body).data)
        except errors.AmbiguousWrite:
            reference = str(body.get("external_order_id") or "")
            found = self.find_order_by_reference(reference) if reference else None
            if found is None:
                raise
            log.info("Create of order %s was not confirmed, but the order exists (id %s): using it", reference,
                     found.id)
            return found

    def order(self, order_id: int) -> BCOrder:
        return BCOrder.from_api(self.http.request("GET", f"v2/orders/{order_id}").data)

    # The app's own notes on an order, kept in the store (orders.v3.yml metafields, private to this app): which
    # orders reached Hike, so a fresh or restored database looks them up there instead of sending them again (N7).
    def order_notes(self, key: str, *, created_since: datetime | None = None,
                    newest_first: bool = False) -> Iterator[OrderNote]:
        params: dict[str, Any] = {"namespace": NOTES_NAMESPACE, "key": key,
                                  "direction": "desc" if newest_first else "asc"}
        if created_since is not None:
            params["date_created:min"] = iso_filter(created_since)
        for d in self._v3_pages("orders/metafields", params):
            yield OrderNote.from_api(d)

    def note_orders(self, key: str, notes: Sequence[tuple[int, str]]) -> None:
        """``note_order`` for many orders, ``NOTES_BATCH`` a call (``POST /v3/orders/metafields``). A batch the store
        takes only in part (422: some already noted, or refused) is sent again one note at a time, so the ones there
        already count as done and a refusal is named."""
        for chunk in chunks(list(notes), NOTES_BATCH):
            body = [{**_note_body(key, value), "resource_id": order_id} for order_id, value in chunk]
            try:
                self.http.request("POST", "v3/orders/metafields", json_body=body)
            except (errors.ValidationFailed, errors.AmbiguousWrite):
                for order_id, value in chunk:
                    self.note_order(order_id, key, value)

    def note_order(self, order_id: int, key: str, value: str) -> None:
        """Keep ``value`` on the order under ``key``; an order that has it already keeps the first one (a note is
        written once: the second try after a lost answer finds it there)."""
        try:
            self.http.request("POST", f"v3/orders/{order_id}/metafields", json_body=_note_body(key, value),
                              idempotent=True)
        except errors.ValidationFailed as exc:
            if exc.status != 409:
                raise
            # already there: the note this app wrote before (409: namespace and key exist on the order)

    def order_lines(self, order: BCOrder) -> list[BCOrderLine]:
        """The order's lines: those embedded in the order read with ``ORDER_LINES_INCLUDE`` when they are certainly
        all of them, else ``/orders/{id}/products`` (N5: one read per page of orders instead of one per order)."""
        embedded = order.embedded_lines()
        return embedded if embedded is not None else self.order_products(order.id)

    def order_products(self, order_id: int) -> list[BCOrderLine]:
        """Every line, paging at 50 (an order with more lines is not truncated)."""
        return [BCOrderLine.from_api(d)
                for d in self._v2_pages(f"orders/{order_id}/products", {}, ORDER_PRODUCTS_PAGE)]

    def order_shipping_addresses(self, order_id: int) -> list[dict[str, Any]]:
        return list(self._v2_pages(f"orders/{order_id}/shipping_addresses", {}, ORDER_PRODUCTS_PAGE))

    def update_order_status(self, order_id: int, status_id: int) -> BCOrder:
        response = self.http.request("PUT", f"v2/orders/{order_id}", json_body={"status_id": status_id})
        return BCOrder.from_api(response.data)

    def order_transactions(self, order_id: int) -> list[dict[str, Any]]:
        response = self.http.request("GET", f"v3/orders/{order_id}/transactions")
        return list((response.data or {}).get("data") or []) if response.status != 204 else []

    # -- inventory -------------------------------------------------------------------------------------------
    def locations(self) -> list[BCLocation]:
        return [BCLocation(d["id"], d.get("code", ""), d.get("label", ""), bool(d.get("enabled", True)))
                for d in self._v3_pages("inventory/locations", {})]

    def inventory_levels(self, *, location_id: int | None = None,
                         skus: Iterable[str] | None = None) -> Iterator[BCInventoryLevel]:
        params: dict[str, Any] = {}
        if location_id is not None:
            params["location_id:in"] = location_id
        batches = [None] if skus is None else list(chunks(sorted(set(skus)), ID_FILTER_CHUNK))
        for batch in batches:
            query = dict(params)
            if batch is not None:
                query["sku:in"] = ",".join(batch)
            for item in self._v3_pages("inventory/items", query):
                identity = item.get("identity") or {}
                for loc in item.get("locations") or []:
                    if location_id is not None and loc.get("location_id") != location_id:
                        continue
                    yield BCInventoryLevel(
                        sku=identity.get("sku") or "", product_id=int(identity.get("product_id") or 0),
                        variant_id=identity.get("variant_id"), location_id=int(loc.get("location_id") or 0),
                        available_to_sell=int(loc.get("available_to_sell") or 0),
                        on_hand=int(loc.get("total_inventory_onhand") or 0))

    def location_inventory(self, location_id: int) -> Iterator[BCInventoryLevel]:
        """Every item's stock at one location (``GET /v3/inventory/locations/{id}/items``), 1000 a page: the
        level an absolute adjustment sets there (``total_inventory_onhand``). The catalog's ``inventory_level`` is
        documented both as the default location's level and as the total, so it is not read for this."""
        for item in self._v3_pages(f"inventory/locations/{location_id}/items", {}, limit=INVENTORY_PAGE):
            identity = item.get("identity") or {}
            yield BCInventoryLevel(
                sku=identity.get("sku") or "", product_id=int(identity.get("product_id") or 0),
                variant_id=identity.get("variant_id"), location_id=location_id,
                available_to_sell=int(item.get("available_to_sell") or 0),
                on_hand=int(item.get("total_inventory_onhand") or 0))

    def set_inventory(self, items: Sequence[dict[str, Any]], reason: str = "Hike POS sync") -> list[str]:
        """Absolute adjustments, 2000 items per call. Each item: ``location_id``, one of ``sku`` /
        ``variant_id`` / ``product_id``, and ``quantity``. Setting a level is idempotent, so a lost answer
        is simply sent again. Returns the transaction ids."""
        out: list[str] = []
        for chunk in chunks(list(items), INVENTORY_BATCH):
            response = self.http.request("PUT", "v3/inventory/adjustments/absolute",
                                         json_body={"reason": reason, "items": list(chunk)})
            out.append(str((response.data or {}).get("transaction_id", "")))
        return out

    # -- helpers ---------------------------------------------------------------------------------------------
    @staticmethod
    def _explain_conflict(exc: errors.SyncError, body: dict[str, Any]) -> errors.SyncError:
        text = exc.message.lower()
        sku, name = body.get("sku"), body.get("name")
        if sku and "sku" in text:
            message = (f"SKU {sku} is already used by another product or variant in BigCommerce (SKUs are unique "
                       f"there regardless of letter case). {exc.message}")
            return errors.Conflict(message, store=exc.store, status=exc.status, field="sku", value=sku)
        if name and "name" in text:
            message = f"A product named \"{name}\" already exists in BigCommerce. {exc.message}"
            return errors.Conflict(message, store=exc.store, status=exc.status, field="name", value=name)
        return exc


def _value_labelled(option: dict[str, Any], label: str) -> dict[str, Any] | None:
    wanted = label.strip().lower()
    return next((v for v in option.get("option_values") or [] if str(v.get("label", "")).strip().lower() == wanted),
                None)
