"""Helpers shared by the Hike emulator's modules: errors, timestamps, numbers, query parsing.

Evidence tags follow ``/work/shared/reference/hike/API-NOTES.md``; ``[I]`` marks our own inference.
"""
from __future__ import annotations

import math
import re
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator

from .server import Request, Response

MAX_BODY_BYTES = 4 * 1024 * 1024  # [D] "a single POST may be at most 4 MB"; [I] 4 MiB, and 413 past it
JSON_CONTENT_TYPES = {"application/json", "text/json"}  # [C] clients send both
MAX_PAGE_SIZE = 500  # [D] page_size must be 1..500
DEFAULT_PAGE_SIZE = 100  # [I] the lenient default when page_size is missing
MAX_BATCH = 50  # [D] recommends <= 50 elements per POST; [I] the emulator refuses more

RATE_LIMIT_BODY = ("oauth_problem=rate limit exceeded&oauth_problem_advice="
                   "please wait before retrying the Hike api")  # [D] the documented 429 body


class ApiError(Exception):
    """An error answered with the ABP-style body (see ``abp_error``)."""

    def __init__(self, status: int, message: str, validation: Iterable[tuple[str, str]] | None = None,
                 details: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.validation = list(validation or [])  # (member, message)
        self.details = details
        self.headers = headers or {}


def abp_body(status: int, message: str, validation: list[tuple[str, str]] | None = None,
             details: str | None = None, unauthorized: bool = False) -> dict[str, Any]:
    """ABP's ``AjaxResponse`` error shape [A]; that the public API uses it is [I].

    On 422 a top-level ``errors`` copy is added because the docs say details are "in the errors parameter" [D].
    """
    validation = validation or []
    body: dict[str, Any] = {
        "success": False,
        "error": {
            "code": 0,
            "message": message,
            "details": details,
            "validationErrors": [{"message": m, "members": [f] if f else []} for f, m in validation] or None,
        },
        "unAuthorizedRequest": unauthorized,
        "targetUrl": None,
        "__abp": True,
    }
    if status == 422:
        body["errors"] = [{"field": f, "message": m} for f, m in validation] or [{"field": None, "message": message}]
    return body


def abp_response(err: ApiError) -> Response:
    return Response.json(abp_body(err.status, err.message, err.validation, err.details,
                                  unauthorized=err.status == 401), err.status, err.headers)


# -- time ---------------------------------------------------------------------------------------------------
def net_ts(epoch: float | None) -> str | None:
    """.NET round-trip UTC format with 7 fractional digits: ``2024-05-01T03:04:05.1234567Z`` [S]."""
    if epoch is None:
        return None
    ticks = int(round(epoch * 10_000_000))
    secs, frac = divmod(ticks, 10_000_000)
    return f"{datetime.fromtimestamp(secs, tz=timezone.utc):%Y-%m-%dT%H:%M:%S}.{frac:07d}Z"


_TS = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?)?\s*(Z|z|[+\- ]\d{2}:?\d{2})?")


def parse_ts(text: str) -> float:
    """An ISO-8601 date or datetime as epoch seconds. No zone means UTC [I]. A ``+`` that arrived
    unencoded in a query string (decoded to a space) still counts as ``+``."""
    m = _TS.fullmatch(text.strip())
    if not m:
        raise ValueError(f"not an ISO-8601 date/time: {text!r}")
    date, clock, frac, zone = m.groups()
    iso = f"{date}T{clock or '00:00:00'}"
    if clock and len(clock) == 5:
        iso += ":00"
    if frac:
        iso += "." + frac[:6].ljust(6, "0")
    if zone and zone not in ("Z", "z"):
        sign = "-" if zone[0] == "-" else "+"
        digits = zone[1:].replace(":", "")
        iso += f"{sign}{digits[:2]}:{digits[2:]}"
    else:
        iso += "+00:00"
    return datetime.fromisoformat(iso).timestamp()


def ts_or_epoch(value: Any, default: float) -> float:
    if value in (None, ""):
        return default
    if isinstance(value, (int, float)):
        return float(value)
    return parse_ts(str(value))


# -- numbers ------------------------------------------------------------------------------------------------
def num(x: Any, places: int = 4) -> int | float | None:
    """A JSON number: money and stock are plain numbers in Hike's payloads [S]; integral values as ints."""
    if x is None:
        return None
    f = round(float(x), places)
    if f == 0:
        return 0
    return int(f) if f.is_integer() else f


def money(x: Any) -> int | float | None:
    return num(x, 2)


def r2(x: float) -> float:
    return round(float(x) + 0.0, 2)


def qty(x: float) -> float:
    return round(float(x), 4)


def as_number(value: Any, field: str, errors: list[tuple[str, str]], *, minimum: float | None = None,
              default: float | None = None) -> float | None:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        errors.append((field, f"The field {field} must be a number."))
        return default
    try:
        f = float(value)
    except (TypeError, ValueError):
        errors.append((field, f"The field {field} must be a number."))
        return default
    if math.isnan(f) or math.isinf(f):
        errors.append((field, f"The field {field} must be a finite number."))
        return default
    if minimum is not None and f < minimum:
        errors.append((field, f"The field {field} must be at least {num(minimum)}."))
    return f


def as_int(value: Any) -> int | None:
    """An id from JSON or a query string; ``None``/``0``/"" mean none."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"not an integer id: {value!r}") from None
    if not f.is_integer():
        raise ValueError(f"not an integer id: {value!r}")
    return int(f) or None


def id_or_none(value: Any) -> int | None:
    """An id as ``as_int`` reads it, or None when it is no whole number: the caller then answers "there is no
    ... with id ..." as it does for an unknown id."""
    try:
        return as_int(value)
    except ValueError:
        return None


def upsert_id(body: dict) -> int | None:
    """The ``id`` of a createOrUpdate body (none: a create); one that is no whole number is refused (422)."""
    try:
        return as_int(body.get("id"))
    except ValueError:
        raise ApiError(422, "Your request is not valid!", [("id", "id must be an integer.")]) from None


def as_bool(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def object_items(rows: Iterable[Any], member: str,
                 errors: list[tuple[str, str]]) -> Iterator[tuple[int, str, dict]]:
    """The objects of a body's array with their index and member prefix (``member[j].``); an entry that is not an
    object is an error of its own and is skipped."""
    for j, row in enumerate(rows):
        prefix = f"{member}[{j}]."
        if isinstance(row, dict):
            yield j, prefix, row
        else:
            errors.append((prefix.rstrip("."), "must be an object"))


# -- requests -----------------------------------------------------------------------------------------------
def qarg(request: Request, name: str, default: str | None = None) -> str | None:
    """Query names are case-insensitive (ABP model binding) [I] [C]."""
    return request.arg(name, default, case_insensitive=True)


def media_type(request: Request) -> str:
    return (request.headers.get("content-type") or "").split(";")[0].strip().lower()


def body_json(request: Request) -> Any:
    try:
        return request.json()
    except ValueError as exc:
        raise ApiError(400, "Bad Request: the request body could not be read as JSON.", details=str(exc)) from None
