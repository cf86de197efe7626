"""What every BigCommerce emulator handler shares: errors, bodies, dates, paging and v3 filter syntax.

The shapes follow the official OpenAPI files and the contract notes (API-NOTES.md):

- v3 errors ``{"status", "title", "type", "errors": {...}}`` (404: ``{"status", "title", "type", "instance"}``);
  inventory/locations errors are ``application/problem+json``;
- v2 errors are a JSON array ``[{"status", "message"}]``;
- v3 collections ``{"data": [...], "meta": {"pagination": {...links as query strings...}}}``;
- v2 collections are bare arrays, and an empty page is ``204 No Content`` with an empty body.
"""
from __future__ import annotations

import math
import re
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, Callable, Iterable
from urllib.parse import quote

from desktop.sandbox.server import Request, Response

STATUS_TYPE = "/api-docs/getting-started/api-status-codes"
STATUS_TYPE_URL = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
PROBLEM_JSON = "application/problem+json"
MAX_LIMIT = 250  # "The maximum number of products returned is 250" (common-query-params); the general rule


class BCError(Exception):
    """A handler's error; rendered as the v3 or v2 body the real API would send."""

    def __init__(self, status: int, title: str, errors: dict[str, Any] | None = None, *,
                 extra: dict[str, Any] | None = None, problem: bool = False, body: Any = None,
                 headers: dict[str, str] | None = None):
        super().__init__(title)
        self.status = status
        self.title = title
        self.errors = errors
        self.extra = extra or {}
        self.problem = problem
        self.body = body  # a complete body that replaces the usual shape
        self.headers = headers or {}


def is_v2(path: str) -> bool:
    return "/v2/" in path or path.endswith("/v2")


def error_body(status: int, title: str, path: str, errors: dict[str, Any] | None = None,
               extra: dict[str, Any] | None = None, *, url_type: bool = False) -> Any:
    if is_v2(path):
        item: dict[str, Any] = {"status": status, "message": title}
        item.update(extra or {})
        return [item]
    body: dict[str, Any] = {"status": status, "title": title, "type": STATUS_TYPE_URL if url_type else STATUS_TYPE}
    if status == 404 and errors is None:
        body["instance"] = ""
    else:
        body["errors"] = errors or {}
    body.update(extra or {})
    return body


def render_error(exc: BCError, request: Request) -> Response:
    if exc.body is not None:
        body = exc.body
    else:
        body = error_body(exc.status, exc.title, request.path, exc.errors, exc.extra, url_type=exc.problem)
    ctype = PROBLEM_JSON if exc.problem and not is_v2(request.path) else "application/json"
    return Response.json(body, exc.status, {"Content-Type": ctype, **exc.headers})


def ok(data: Any, status: int = 200, meta: dict[str, Any] | None = None) -> Response:
    """A v3 single-object (or batch) body ``{"data": ..., "meta": {...}}``."""
    return Response.json({"data": data, "meta": meta if meta is not None else {}}, status)


def body_json(request: Request) -> Any:
    ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if ctype and ctype not in ("application/json", "text/json") and not ctype.endswith("+json"):
        raise BCError(415, "The request Content-Type must be application/json", {})
    try:
        return request.json()
    except ValueError as exc:
        # the catalog's answer to a missing or broken body (a 422 with its documented error_Base; the files document
        # no 400 of this kind, and their v3 400 bodies carry an array, found by the schema fuzzer)
        raise BCError(422, "JSON data is missing or invalid", {"body": str(exc)}) from None


def body_array(request: Request, limit: int, what: str = "items") -> list[Any]:
    data = body_json(request)
    if not isinstance(data, list):
        raise BCError(422, "JSON data is missing or invalid", {"body": f"expected an array of {what}"})
    if len(data) > limit:
        raise BCError(413, f"The request payload is too large. The maximum items allowed in the array is {limit}.",
                      {})
    if not data:
        raise BCError(422, "JSON data is missing or invalid", {"body": "the array is empty"})
    return data


def body_object(request: Request) -> dict[str, Any]:
    data = body_json(request)
    if not isinstance(data, dict):
        raise BCError(422, "JSON data is missing or invalid", {"body": "expected a JSON object"})
    return data


# -- dates -----------------------------------------------------------------------------------------------
def iso_ts(ts: float) -> str:
    """v3 date-time: ``2018-08-15T14:49:05+00:00``."""
    return datetime.fromtimestamp(int(ts), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def rfc2822(iso_text: str) -> str:
    """v2 date: ``Tue, 20 Nov 2012 00:00:00 +0000`` (an empty string stays empty)."""
    if not iso_text:
        return ""
    return format_datetime(datetime.fromisoformat(iso_text).astimezone(timezone.utc))


def parse_date(value: str, now: datetime, *, name: str = "date", v2: bool = False) -> str:
    """A filter date as the comparable ISO string the store keeps.

    Accepts ISO 8601, a Unix timestamp and (v2) RFC 2822. A date with no time part gets the request's current
    time of day appended, as the real API does (issue bigcommerce/api#94): incremental syncs that send bare
    dates silently skip records.
    """
    text = value.strip()
    try:
        if re.fullmatch(r"\d{9,11}", text):
            dt = datetime.fromtimestamp(int(text), tz=timezone.utc)
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            d = datetime.fromisoformat(text)
            dt = datetime.combine(d.date(), now.astimezone(timezone.utc).time().replace(microsecond=0),
                                  tzinfo=timezone.utc)
        elif re.match(r"\d{4}-\d{2}-\d{2}[T ]", text):
            dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=timezone.utc)
        else:
            dt = parsedate_to_datetime(text)
            if dt is None:
                raise ValueError(text)
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=timezone.utc)
    except (ValueError, TypeError, OverflowError):
        if v2:
            raise BCError(400, f"The field '{name}' is invalid: '{value}' is not a valid date.") from None
        raise BCError(422, f"The filter '{name}' is invalid", {name: f"'{value}' is not a valid date"}) from None
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


# -- paging ----------------------------------------------------------------------------------------------
def page_args(request: Request, *, default: int = 50, maximum: int = MAX_LIMIT) -> tuple[int, int]:
    v2 = is_v2(request.path)
    values = []
    for name, fallback in (("page", 1), ("limit", default)):
        raw = request.arg(name)
        if raw is None or raw == "":
            values.append(fallback)
            continue
        try:
            number = int(raw)
        except ValueError:
            number = 0
        if number < 1:
            if v2:
                raise BCError(400, f"The field '{name}' is invalid.")
            raise BCError(422, f"The filter '{name}' is invalid", {name: f"must be a positive integer, got {raw!r}"})
        values.append(number)
    page, limit = values
    if limit > maximum:
        raise BCError(413, "The specified limit exceeds the maximum allowed.", {},
                      extra={"details": {"max_limit": maximum}})
    return page, limit


def _links(request: Request, page: int, limit: int, total_pages: int) -> dict[str, str]:
    keep = [(k, v) for k, vs in request.query.items() if k not in ("page", "limit") for v in vs]

    def qs(p: int) -> str:
        parts = [f"{quote(k, safe=':')}={quote(v, safe=',:')}" for k, v in keep]
        parts += [f"page={p}", f"limit={limit}"]
        return "?" + "&".join(parts)

    links = {"current": qs(page)}
    if page > 1:
        links["previous"] = qs(page - 1)
    if page < total_pages:
        links["next"] = qs(page + 1)
    return links


def paginate(request: Request, items: list[Any], *, default: int = 50,
             maximum: int = MAX_LIMIT) -> tuple[list[Any], dict[str, Any]]:
    """A v3 page of ``items`` and its ``meta`` (``pagination`` exactly as ``pagination_Full``). The request's
    ``paging`` may cap the page and misreport the totals (N5); the links then follow the reported page count, as
    the platform's did when it under-reported brands (bigcommerce/api#43)."""
    page, limit = page_args(request, default=default, maximum=maximum)
    quirks = request.paging
    per_page = quirks.per_page(limit)
    total = quirks.total(len(items))
    total_pages = quirks.total_pages if quirks.total_pages is not None else math.ceil(total / per_page)
    chunk = items[(page - 1) * per_page: page * per_page]
    pagination: dict[str, Any] = {"total": total, "count": len(chunk), "per_page": per_page, "current_page": page,
                                  "total_pages": total_pages}
    if quirks.links:
        pagination["links"] = _links(request, page, per_page, total_pages)
    return chunk, {"pagination": pagination}


def chunk_v2(request: Request, items: list[Any], *, default: int = 50, maximum: int = MAX_LIMIT) -> list[Any]:
    """The items of a v2 page (the request's ``paging`` may serve fewer than asked, N5)."""
    page, limit = page_args(request, default=default, maximum=maximum)
    per_page = request.paging.per_page(limit)
    return items[(page - 1) * per_page: page * per_page]


def page_v2(request: Request, items: list[Any], *, default: int = 50, maximum: int = MAX_LIMIT) -> Response:
    """A v2 page: a bare array, or 204 with an empty body when the page is empty."""
    chunk = chunk_v2(request, items, default=default, maximum=maximum)
    if not chunk:
        return Response.empty(204)
    return Response.json(chunk)


# -- v3 filters ------------------------------------------------------------------------------------------
class Field:
    """One filterable attribute: how to read it from a record and what kind of value it holds."""

    def __init__(self, get: Callable[[Any], Any], kind: str = "int"):
        self.get = get
        self.kind = kind  # int | num | str | date | bool


def _convert(kind: str, raw: str, key: str, now: datetime) -> Any:
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise BCError(422, f"The filter '{key}' is invalid", {key: f"'{raw}' is not an integer"}) from None
    if kind == "num":
        try:
            return float(raw)
        except ValueError:
            raise BCError(422, f"The filter '{key}' is invalid", {key: f"'{raw}' is not a number"}) from None
    if kind == "bool":
        if raw.lower() in ("true", "1"):
            return True
        if raw.lower() in ("false", "0"):
            return False
        raise BCError(422, f"The filter '{key}' is invalid", {key: f"'{raw}' is not a boolean"})
    if kind == "date":
        return parse_date(raw, now, name=key)
    return raw.lower()  # strings compare case-insensitively, like the platform's database collation


def apply_filters(request: Request, records: Iterable[Any], fields: dict[str, Field], now: datetime) -> list[Any]:
    """Apply every ``attr``, ``attr:in``, ``attr:not_in``, ``attr:min|max|greater|less``, ``attr:like``
    query parameter whose attribute is in ``fields``; other parameters are ignored, as the API does."""
    tests: list[Callable[[Any], bool]] = []
    for key, values in request.query.items():
        name, _, op = key.partition(":")
        field = fields.get(name)
        if field is None or not values:
            continue
        raw = values[-1]
        kind, get = field.kind, field.get
        if op in ("in", "not_in"):
            wanted = {_convert(kind, part.strip(), key, now) for part in raw.split(",") if part.strip()}
            tests.append(_member(get, kind, wanted, op == "in"))
        elif op in ("min", "max", "greater", "less"):
            bound = _convert(kind, raw, key, now)
            tests.append(_compare(get, kind, bound, op))
        elif op == "like":
            needle = raw.lower().replace("%", "")
            tests.append(lambda r, g=get, n=needle: n in str(g(r) or "").lower())
        elif op in ("", "not"):
            value = _convert(kind, raw, key, now)
            tests.append(_equal(get, kind, value, op == "not"))
    result = list(records)
    for test in tests:
        result = [r for r in result if test(r)]
    return result


def _norm(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "str":
        return str(value).lower()
    return value


def _member(get: Callable[[Any], Any], kind: str, wanted: set[Any], include: bool) -> Callable[[Any], bool]:
    def test(record: Any) -> bool:
        value = get(record)
        if isinstance(value, list):
            hit = any(_norm(kind, v) in wanted for v in value)
        else:
            hit = _norm(kind, value) in wanted
        return hit if include else not hit
    return test


def _compare(get: Callable[[Any], Any], kind: str, bound: Any, op: str) -> Callable[[Any], bool]:
    def test(record: Any) -> bool:
        value = _norm(kind, get(record))
        if value is None or value == "":
            return False
        if op == "min":
            return value >= bound
        if op == "max":
            return value <= bound
        if op == "greater":
            return value > bound
        return value < bound
    return test


def _equal(get: Callable[[Any], Any], kind: str, wanted: Any, negate: bool) -> Callable[[Any], bool]:
    def test(record: Any) -> bool:
        value = get(record)
        if isinstance(value, list):
            hit = wanted in [_norm(kind, v) for v in value]
        else:
            hit = _norm(kind, value) == wanted
        return not hit if negate else hit
    return test


def select_fields(obj: dict[str, Any], request: Request, always: tuple[str, ...] = ("id",)) -> dict[str, Any]:
    """``include_fields`` / ``exclude_fields`` on one rendered record."""
    include = request.arg("include_fields")
    exclude = request.arg("exclude_fields")
    if include:
        keep = {f.strip() for f in include.split(",") if f.strip()} | set(always)
        keep |= {"variants", "images", "options", "custom_fields"} & set(obj)
        obj = {k: v for k, v in obj.items() if k in keep}
    if exclude:
        drop = {f.strip() for f in exclude.split(",") if f.strip()} - set(always)
        obj = {k: v for k, v in obj.items() if k not in drop}
    return obj


def sort_records(request: Request, records: list[Any], allowed: dict[str, Callable[[Any], Any]],
                 default: str = "id") -> list[Any]:
    """v3 ``sort`` + ``direction`` (asc|desc)."""
    key = request.arg("sort") or default
    direction = (request.arg("direction") or "asc").lower()
    if key not in allowed:
        raise BCError(422, "The filter 'sort' is invalid", {"sort": f"'{key}' is not one of {sorted(allowed)}"})
    if direction not in ("asc", "desc"):
        raise BCError(422, "The filter 'direction' is invalid", {"direction": "must be asc or desc"})
    getter = allowed[key]
    return sorted(records, key=lambda r: (getter(r) is None, getter(r) if getter(r) is not None else 0),
                  reverse=direction == "desc")
