"""What the Hike client returns: plain dataclasses parsed defensively from Hike's JSON, plus its error describer.

Hike's payloads mix snake_case (products, customers: ``product_outlets``, ``first_name``) and camelCase (sales,
outlets: ``transactionDate``, ``outletId``; ``isActive`` everywhere), and spell some keys oddly (``outletID``
in registers, ``registerid`` in sales, ``bran_name``) (API-NOTES A2, A8, A9). Every field is therefore read
through ``Fields``, which tries the documented name first and then any key equal to it ignoring case and
underscores. Money and quantities are ``Decimal`` (``Decimal(str(x))``; the transport already parses JSON
floats as ``Decimal``), timestamps are aware UTC datetimes parsed from .NET strings with up to 7 fractional
digits (``2020-10-15T10:53:20.2559969Z`` [S]). Every record keeps the raw dict it came from.
"""
from __future__ import annotations

import enum
import html
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping
from urllib.parse import parse_qs

import httpx

from desktop.sync.http import ErrorDetail


# ---------------------------------------------------------------------------------------------------------
# enums from Hike's app models [A]; the [S] sample's status 2 = Completed agrees
class SaleStatus(enum.IntEnum):
    PENDING = 0
    PARKED = 1
    COMPLETED = 2
    REFUNDED = 3
    VOIDED = 4
    LAYBY = 5
    BACKORDER = 6
    ON_ACCOUNT = 7
    EXCHANGE = 8
    QUOTE = 11


class FinancialStatus(enum.IntEnum):
    PENDING = 0
    PARTIALLY_PAID = 1
    PAID = 2
    PARTIALLY_REFUNDED = 3
    REFUNDED = 4
    VOIDED = 5
    CLOSED = 6


ECOMMERCE_CHANNEL = "2"  # [C] sales_channels "2" is the eCommerce channel (the QA scripts tick salesChannel_2)


# ---------------------------------------------------------------------------------------------------------
# values
def _norm(key: str) -> str:
    return key.replace("_", "").lower()


class Fields:
    """Field access by the documented name, then by the same name ignoring case and underscores."""

    __slots__ = ("raw", "_index")

    def __init__(self, raw: Mapping[str, Any] | None):
        self.raw: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        self._index: dict[str, str] | None = None

    def get(self, *names: str, default: Any = None) -> Any:
        for name in names:
            value = self.raw.get(name)
            if value is not None:
                return value
        if self._index is None:
            self._index = {}
            for key in self.raw:
                self._index.setdefault(_norm(str(key)), key)
        for name in names:
            key = self._index.get(_norm(name))
            if key is not None and self.raw[key] is not None:
                return self.raw[key]
        return default

    def dec(self, *names: str) -> Decimal | None:
        return to_decimal(self.get(*names))

    def int(self, *names: str) -> int | None:
        return to_int(self.get(*names))

    def str(self, *names: str) -> str | None:
        value = self.get(*names)
        return None if value is None else str(value)

    def bool(self, *names: str, default: bool = False) -> bool:
        return to_bool(self.get(*names), default)

    def date(self, *names: str) -> datetime | None:
        return parse_net_datetime(self.get(*names))

    def list(self, *names: str) -> list[Any]:
        value = self.get(*names)
        if isinstance(value, list):
            return value
        if isinstance(value, Mapping):
            return [value]
        return []


def to_decimal(value: Any) -> Decimal | None:
    """Money and quantities: never through float arithmetic (``Decimal(str(x))`` for JSON numbers)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def to_int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return int(number) if number.is_finite() and number == number.to_integral_value() else None


def to_bool(value: Any, default: bool = False) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y", "on")
    return bool(value)


_NET_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:[.,](\d+))?)?\s*(Z|z|[+-]\d{2}:?\d{2})?")


def parse_net_datetime(value: Any) -> datetime | None:
    """A .NET ISO string (``2024-05-01T03:04:05.1234567Z``; 7 fractional digits, or none, or a zone offset) as an
    aware UTC datetime. No zone means UTC [I]. .NET's ``DateTime.MinValue`` (year 1) means "no date"."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc) if value.tzinfo else value.replace(tzinfo=timezone.utc)
    match = _NET_DATE.fullmatch(str(value).strip())
    if not match:
        return None
    day, clock, fraction, zone = match.groups()
    text = f"{day}T{clock or '00:00:00'}"
    if clock and len(clock) == 5:
        text += ":00"
    if fraction:
        text += "." + fraction[:6].ljust(6, "0")  # microseconds: the 7th digit (100 ns) is dropped
    if zone and zone not in ("Z", "z"):
        digits = zone[1:].replace(":", "")
        text += f"{zone[0]}{digits[:2]}:{digits[2:]}"
    else:
        text += "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.year <= 1:
        return None
    return parsed.astimezone(timezone.utc)


def format_net_datetime(moment: datetime) -> str:
    """A query value Hike reads: UTC, ISO 8601 with a ``Z`` (a naive datetime is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


# ---------------------------------------------------------------------------------------------------------
# records
@dataclass
class HikeRecord:
    """What every record below keeps: the raw dict it was read from (keyword-only, so it never shifts the
    positional fields)."""

    raw: dict[str, Any] = field(default_factory=dict, repr=False, kw_only=True)


@dataclass
class HikeOutlet(HikeRecord):
    id: int
    name: str
    tax_id: int | None
    is_active: bool

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> "HikeOutlet":
        f = Fields(d)
        return cls(f.int("id"), f.str("title", "name", "outlet_name") or "", f.int("taxId", "tax_id"),
                   f.bool("isActive", default=True), raw=dict(d))


@dataclass
class HikeRegister(HikeRecord):
    id: int
    name: str
    outlet_id: int | None
    default_tax_id: int | None
    prefix: str
    suffix: str
    is_active: bool

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> "HikeRegister":
        f = Fields(d)
        return cls(f.int("id"), f.str("name") or "", f.int("outletID", "outletId", "outlet_id"),
                   f.int("defaultTax", "default_tax"), f.str("prefix") or "", f.str("suffix") or "",
                   f.bool("isActive", default=True), raw=dict(d))


@dataclass
class HikeTax(HikeRecord):
    id: int
    name: str
    rate: Decimal  # percent, e.g. 10
    is_active: bool

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> "HikeTax":
        f = Fields(d)
        return cls(f.int("id"), f.str("name") or "", f.dec("rate", "tax_rate") or Decimal(0),
                   f.bool("isActive", default=True), raw=dict(d))


@dataclass
class HikePaymentType(HikeRecord):
    id: int
    name: str
    option_type: int | None
    option_name: str
    is_active: bool

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> "HikePaymentType":
        f = Fields(d)
        return cls(f.int("id"), f.str("payment_name", "name") or "", f.int("payment_option_type"),
                   f.str("payment_option_name") or "", f.bool("isActive", default=True), raw=dict(d))


@dataclass
class HikeProductType(HikeRecord):
    id: int
    name: str
    description: str | None
    parent_id: int | None
    is_active: bool

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> "HikeProductType":
        f = Fields(d)
        return cls(f.int("id", "type_id"), f.str("name", "type_name") or "", f.str("description"),
                   f.int("parent_id", "parentId", "parent_type_id") or None, f.bool("isActive", default=True),
                   raw=dict(d))


@dataclass
class HikeBrand(HikeRecord):
    id: int
    name: str
    is_active: bool

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> "HikeBrand":
        f = Fields(d)
        return cls(f.int("id"), f.str("name") or "", f.bool("isActive", default=True), raw=dict(d))


@dataclass
class HikeOutletStock(HikeRecord):
    """One outlet's row of a product or variant: prices are per outlet in Hike (A9)."""

    outlet_id: int
    outlet_name: str | None
    cost_price: Decimal | None
    average_cost: Decimal | None
    price_ex_tax: Decimal | None
    price_inc_tax: Decimal | None
    tax_id: int | None
    tax_name: str | None
    tax_rate: Decimal | None
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    to_receive: Decimal
    visible: bool

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> "HikeOutletStock":
        f = Fields(d)
        on_hand = f.dec("on_hand_inventory") or Decimal(0)
        reserved = f.dec("reserved_inventory") or Decimal(0)
        available = f.dec("available_inventory")
        return cls(f.int("outlet_id", "outletId"), f.str("outlet_name"), f.dec("cost_price"),
                   f.dec("avgCost_price", "avg_cost_price"), f.dec("price_ex_tax"), f.dec("price_inc_tax"),
                   f.int("tax_id"), f.str("tax_name"), f.dec("tax_rate"), on_hand, reserved,
                   available if available is not None else on_hand - reserved,
                   f.dec("inventory_to_receive") or Decimal(0), f.bool("visible_or_not", default=True), raw=dict(d))


def _outlet_rows(rows: Iterable[Any]) -> list[HikeOutletStock]:
    return [HikeOutletStock.from_api(r) for r in rows if isinstance(r, Mapping)]


def _options(f: Fields) -> list[str]:
    """A variant's option values (``variant_sub_values``: objects with ``variant_sub_value_name``, or bare strings)."""
    return [str(Fields(v).get("variant_sub_value_name", default="")) if isinstance(v, Mapping) else str(v)
            for v in f.list("variant_sub_values")]


def _find_outlet(rows: list[HikeOutletStock], outlet_id: int) -> HikeOutletStock | None:
    return next((r for r in rows if r.outlet_id == outlet_id), None)


@dataclass
class HikeVariant(HikeRecord):
    id: int
    name: str  # "Parent / Option", as Hike names variant rows
    sku: str | None
    barcode: str | None
    is_active: bool
    options: list[str]
    outlets: list[HikeOutletStock]
    last_modified: datetime | None

    def outlet(self, outlet_id: int) -> HikeOutletStock | None:
        return _find_outlet(self.outlets, outlet_id)

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> "HikeVariant":
        """From a parent's ``product_variants[]`` entry [C]."""
        f = Fields(d)
        return cls(f.int("prod_variant_id", "id"), f.str("variant_name", "name") or "", f.str("sku") or None,
                   f.str("barcode") or None, f.bool("isActive", default=True), _options(f),
                   _outlet_rows(f.list("variant_outlets", "product_outlets")), f.date("last_modified"), raw=dict(d))

    @classmethod
    def from_child_row(cls, d: Mapping[str, Any]) -> "HikeVariant":
        """From a variant's own product row (``parentId`` set), when the parent did not embed it."""
        f = Fields(d)
        return cls(f.int("id"), f.str("name") or "", f.str("sku") or None, f.str("barcode") or None,
                   f.bool("isActive", default=True), _options(f), _outlet_rows(f.list("product_outlets")),
                   f.date("last_modified"), raw=dict(d))


@dataclass
class HikeProduct(HikeRecord):
    id: int
    parent_id: int | None  # set on a variant's own row
    name: str
    sku: str | None
    barcode: str | None
    description: str | None
    brand_id: int | None
    brand_name: str | None
    has_variants: bool
    track_inventory: bool
    continue_selling_no_inventory: bool
    is_active: bool
    product_type_ids: list[int]
    product_type_names: list[str]
    tags: list[str]
    sales_channels: list[str]
    image_urls: list[str]
    outlets: list[HikeOutletStock]
    variants: list[HikeVariant]
    created: datetime | None
    last_modified: datetime | None

    @property
    def is_ecommerce(self) -> bool:
        """On the eCommerce sales channel ("2") [C]/[I]: what the app offers to BigCommerce."""
        return ECOMMERCE_CHANNEL in self.sales_channels

    @property
    def skus(self) -> list[str]:
        """The product's own SKU and its variants' SKUs."""
        return [s for s in [self.sku, *(v.sku for v in self.variants)] if s]

    def outlet(self, outlet_id: int) -> HikeOutletStock | None:
        return _find_outlet(self.outlets, outlet_id)

    def variant_by_sku(self, sku: str) -> HikeVariant | None:
        wanted = sku.strip().lower()
        return next((v for v in self.variants if v.sku and v.sku.strip().lower() == wanted), None)

    @classmethod
    def from_api(cls, d: Mapping[str, Any], children: Iterable[Mapping[str, Any]] = ()) -> "HikeProduct":
        f = Fields(d)
        types = [Fields(t) for t in f.list("product_type") if isinstance(t, Mapping)]
        variants = [HikeVariant.from_api(v) for v in f.list("product_variants") if isinstance(v, Mapping)]
        known = {v.id for v in variants}
        variants += [HikeVariant.from_child_row(c) for c in children if to_int(c.get("id")) not in known]
        tags = [str(Fields(t).get("name", default="")) if isinstance(t, Mapping) else str(t)
                for t in f.list("product_tags")]
        channels = [str(Fields(c).get("sales_channels", "id", default="")) if isinstance(c, Mapping) else str(c)
                    for c in f.list("sales_channels")]
        images = [str(Fields(i).get("image_url")) for i in f.list("additional_images")
                  if isinstance(i, Mapping) and Fields(i).get("image_url")]
        return cls(
            id=f.int("id"), parent_id=f.int("parentId", "parent_id") or None, name=f.str("name") or "",
            sku=f.str("sku") or None, barcode=f.str("barcode") or None, description=f.str("description"),
            brand_id=f.int("brand_id") or None, brand_name=f.str("bran_name", "brand_name") or None,  # [D] sic
            has_variants=f.bool("has_variants") or bool(variants),
            track_inventory=f.bool("track_inventory", default=True),
            continue_selling_no_inventory=f.bool("continue_selling_no_inventory"),
            is_active=f.bool("isActive", default=True),
            product_type_ids=[i for i in (t.int("type_id", "id") for t in types) if i],
            product_type_names=[t.str("type_name", "name") or "" for t in types],
            tags=[t for t in tags if t], sales_channels=[c for c in channels if c], image_urls=images,
            outlets=_outlet_rows(f.list("product_outlets")), variants=variants, created=f.date("created_date_time"),
            last_modified=f.date("last_modified"), raw=dict(d))


@dataclass
class HikeAddress(HikeRecord):
    id: int | None
    address1: str
    address2: str
    city: str
    state: str
    postcode: str
    country_code: str
    country_name: str
    receiver_name: str
    receiver_phone: str

    @classmethod
    def from_api(cls, d: Any) -> "HikeAddress | None":
        if not isinstance(d, Mapping):
            return None
        f = Fields(d)
        return cls(f.int("id") or None, *(f.str(k) or "" for k in (
            "address1", "address2", "city", "state", "postcode", "country_code", "country_name", "receiverName",
            "receiverPhone")), raw=dict(d))


@dataclass
class HikeCustomer(HikeRecord):
    id: int
    first_name: str
    last_name: str
    email: str | None
    phone: str
    company_name: str
    customer_code: str | None
    notes: str
    group_id: int | None
    is_active: bool
    accepts_marketing: bool
    billing_address: HikeAddress | None
    shipping_address: HikeAddress | None
    source: int | None
    created: datetime | None
    last_modified: datetime | None

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> "HikeCustomer":
        f = Fields(d)
        return cls(
            id=f.int("id"), first_name=f.str("first_name") or "", last_name=f.str("last_name") or "",
            email=(f.str("email") or "").strip() or None, phone=f.str("phone") or "",
            company_name=f.str("company_name") or "", customer_code=f.str("customer_code"),
            notes=f.str("notes") or "", group_id=f.int("customer_group_id"), is_active=f.bool("isActive", default=True),
            accepts_marketing=f.bool("accepts_marketing"),
            billing_address=HikeAddress.from_api(f.get("billing_address")),
            shipping_address=HikeAddress.from_api(f.get("shipping_address", "delivery_address")),
            source=f.int("customerFrom", "customer_from"), created=f.date("created_date_time", "creationTime"),
            last_modified=f.date("last_modified"), raw=dict(d))


@dataclass
class HikeSaleLine(HikeRecord):
    id: int | None
    product_id: int | None  # the product or variant sold (invoiceItemValue)
    parent_product_id: int | None
    item_type: int | None
    sku: str | None
    title: str
    quantity: Decimal
    sold_price: Decimal | None
    retail_price: Decimal | None
    total: Decimal | None
    tax_exclusive_total: Decimal | None
    tax_id: int | None
    tax_rate: Decimal | None
    tax_amount: Decimal | None
    discount: Decimal | None

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> "HikeSaleLine":
        f = Fields(d)
        return cls(f.int("id") or None, f.int("invoiceItemValue"), f.int("invoiceItemValueParent") or None,
                   f.int("invoiceItemType"), f.str("sku") or None, f.str("title") or "",
                   f.dec("quantity") or Decimal(0), f.dec("soldPrice"), f.dec("retailPrice"), f.dec("totalAmount"),
                   f.dec("taxExclusiveTotalAmount"), f.int("taxId") or None, f.dec("taxRate"), f.dec("taxAmount"),
                   f.dec("totalDiscount"), raw=dict(d))


@dataclass
class HikePayment(HikeRecord):
    id: int | None
    payment_type_id: int | None
    payment_type_name: str
    amount: Decimal
    tendered: Decimal | None
    is_paid: bool
    paid_at: datetime | None

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> "HikePayment":
        f = Fields(d)
        return cls(f.int("id") or None, f.int("paymentOptionId"), f.str("paymentOptionName") or "",
                   f.dec("amount") or Decimal(0), f.dec("tenderedAmount"), f.bool("isPaid", default=True),
                   f.date("paymentDate"), raw=dict(d))


@dataclass
class HikeSale(HikeRecord):
    id: int
    number: str
    status: int  # SaleStatus value (kept as int: Hike has more statuses than we name)
    financial_status: int | None
    source: int | None
    outlet_id: int | None
    register_id: int | None
    register_closure_id: int | None
    customer_id: int | None
    customer_name: str | None
    tax_inclusive: bool
    currency: str | None
    note: str
    transaction_date: datetime | None
    finalize_date: datetime | None
    created: datetime | None
    last_modified: datetime | None
    subtotal: Decimal | None
    total_tax: Decimal | None
    total_discount: Decimal | None
    shipping: Decimal | None
    net_amount: Decimal | None
    total_paid: Decimal | None
    lines: list[HikeSaleLine]
    payments: list[HikePayment]

    @property
    def status_name(self) -> str:
        try:
            return SaleStatus(self.status).name.replace("_", " ").title()
        except ValueError:
            return f"Status {self.status}"

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> "HikeSale":
        f = Fields(d)
        status = f.get("status")
        if isinstance(status, str) and not status.strip().lstrip("-").isdigit():
            # [C] low trust: one client sent names; map them onto the enum when they match
            status = SaleStatus.__members__.get(status.strip().upper().replace(" ", "_"), -1)
        return cls(
            id=f.int("id"), number=f.str("number") or "", status=to_int(status) if to_int(status) is not None else -1,
            financial_status=f.int("financialStatus", "financial_status"),
            source=f.int("invoiceFrom", "source"), outlet_id=f.int("outletId"),
            register_id=f.int("registerid", "registerId"),  # [S] lower-case "i" in the sample
            register_closure_id=f.int("registerClosureId") or None, customer_id=f.int("customerId") or None,
            customer_name=f.str("customerName"), tax_inclusive=f.bool("taxInclusive", default=True),
            currency=f.str("currency"), note=f.str("note") or "", transaction_date=f.date("transactionDate"),
            finalize_date=f.date("finalizeDate"), created=f.date("creationTime", "created_date_time"),
            last_modified=f.date("last_modified", "lastModificationTime"), subtotal=f.dec("subTotal"),
            total_tax=f.dec("totalTax"), total_discount=f.dec("totalDiscount"), shipping=f.dec("totalShippingCost"),
            net_amount=f.dec("netAmount"), total_paid=f.dec("totalPaid"),
            lines=[HikeSaleLine.from_api(x) for x in f.list("invoiceLineItems") if isinstance(x, Mapping)],
            payments=[HikePayment.from_api(x) for x in f.list("invoicePayments") if isinstance(x, Mapping)],
            raw=dict(d))


@dataclass
class HikeRegisterClosure(HikeRecord):
    id: int
    register_id: int | None
    register_name: str | None
    outlet_id: int | None
    opened_at: datetime | None
    closed_at: datetime | None
    total_sales: Decimal | None

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> "HikeRegisterClosure":
        f = Fields(d)
        return cls(f.int("id"), f.int("registerId"), f.str("registerName"), f.int("outletId"), f.date("openingTime"),
                   f.date("closureTime"), f.dec("total_sales", "totalSales"), raw=dict(d))


# ---------------------------------------------------------------------------------------------------------
# error bodies
_INDEX_PREFIX = re.compile(r"^(?:\[\d+\]\.?)+")
_QUOTED = re.compile(r"""['"\u2018\u201c]([^'"\u2019\u201d]+)['"\u2019\u201d]""")
_TAGS = re.compile(r"<[^>]+>")


def _member(member: Any) -> str | None:
    """``[0].product_variants[1].sku`` -> ``sku``; the last named part is what a person recognises."""
    if not member:
        return None
    text = _INDEX_PREFIX.sub("", str(member))
    last = re.split(r"[.\[]", text.rstrip("]"))[-1] if text else ""
    return last or str(member)


def describe_hike_error(response: httpx.Response) -> ErrorDetail:
    """Hike's error bodies are not documented (A5): read an ABP ``{"error": {"message", "details",
    "validationErrors": [{"message", "members"}]}}``, a top-level ``errors`` list or dict (the docs name an
    ``errors`` parameter on 422), an OAuth-style ``{"error": "...", "error_description"}``, a form-encoded
    ``oauth_problem=...`` (the documented 429 body) or plain text/HTML."""
    text = response.text or ""
    try:
        data = json.loads(text) if text.strip()[:1] in ("{", "[") else None
    except ValueError:
        data = None
    problems: list[tuple[str | None, str]] = []  # (field, message)
    headline = ""
    if isinstance(data, Mapping):
        error = data.get("error")
        if isinstance(error, Mapping):
            ef = Fields(error)
            headline = ef.str("message") or ""
            for item in ef.list("validationErrors"):
                if isinstance(item, Mapping):
                    members = Fields(item).list("members")
                    problems.append((_member(members[0]) if members else None, Fields(item).str("message") or ""))
            details = ef.str("details")
            if details and not problems:
                headline = f"{headline} {details}".strip() if headline and details not in headline else details
        elif isinstance(error, str):
            headline = " ".join(w for w in (error, str(data.get("error_description") or "")) if w)
        errs = Fields(data).get("errors")
        if not problems and isinstance(errs, list):
            for item in errs:
                if isinstance(item, Mapping):
                    fi = Fields(item)
                    problems.append((_member(fi.str("field", "member", "key")), fi.str("message", "error") or ""))
                elif item:
                    problems.append((None, str(item)))
        elif not problems and isinstance(errs, Mapping):  # ASP.NET ModelState: {"field": ["message"]}
            for key, messages in errs.items():
                for message in messages if isinstance(messages, list) else [messages]:
                    problems.append((_member(key), str(message)))
        if not headline:
            headline = Fields(data).str("message", "title", "Message") or ""
    elif isinstance(data, list):
        problems = [(None, str(x.get("message") if isinstance(x, Mapping) else x)) for x in data if x]
    elif text:
        if "oauth_problem=" in text and "<" not in text:
            parsed = {k: v[-1] for k, v in parse_qs(text.strip()).items()}
            headline = "; ".join(v for v in (parsed.get("oauth_problem"), parsed.get("oauth_problem_advice")) if v)
        else:
            headline = " ".join(html.unescape(_TAGS.sub(" ", text)).split())[:300]
    problems = [(f, m) for f, m in problems if m]
    if problems:
        message = "; ".join(m for _, m in problems)
        field_name = next((f for f, _ in problems if f), None)
        first = problems[0][1]
    else:
        message = headline or response.reason_phrase or f"HTTP {response.status_code}"
        field_name, first = None, message
    quoted = _QUOTED.search(first)
    return ErrorDetail(message, field_name, quoted.group(1) if quoted else None)
