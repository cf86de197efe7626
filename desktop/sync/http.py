"""The HTTP layer both clients share: rate-limit governors, bounded retries, error classification.

- A governor per store waits *before* the limit instead of after it: BigCommerce from its ``X-Rate-Limit-*``
  headers, Hike from its published 60-a-minute and 5000-a-day rules (its 429 says which one was hit).
- Retries are bounded, exponential with jitter, for 429, 5xx, timeouts, dropped connections and malformed
  bodies. A write whose answer was lost is never blindly repeated: it raises ``AmbiguousWrite`` so the caller
  can look the record up first (no duplicate product or order after a timeout).
- Every failure becomes one of the ``desktop.sync.errors`` kinds with a message a person understands. Log lines
  carry method, path and status only; the log formatter masks any secret that slips through anyway.
"""
from __future__ import annotations

import json
import logging
import random
import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Mapping

import httpx

from desktop import __version__
from desktop.sync import errors
from desktop.sync.addresses import require_api_origin

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=60.0, pool=10.0)
USER_AGENT = f"hike-bc-sync/{__version__}"
RETRYABLE_STATUSES = {500, 502, 503, 504}


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5  # per call, for network faults and 5xx
    max_rate_limit_waits: int = 8  # per call, for 429s (they are waited out, not failures)
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    max_rate_limit_wait_s: float = 300.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Equal jitter: half the exponential step for sure, the other half random (no synchronized storms)."""
        step = min(self.max_delay_s, self.base_delay_s * (2 ** (attempt - 1)))
        return step / 2 + rng.uniform(0, step / 2)


@dataclass(frozen=True)
class Budget:
    """What the monitor shows of a store's API allowance."""

    requests_left: int | None = None
    quota: int | None = None
    resets_in_s: float | None = None
    calls_left_today: int | None = None


@dataclass(frozen=True)
class ErrorDetail:
    message: str
    field: str | None = None
    value: Any = None


@dataclass
class ApiResponse:
    status: int
    headers: httpx.Headers
    data: Any  # parsed JSON, or None for an empty body


class Governor:
    """Base: no limit known. Subclasses pace requests and interpret 429s."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        # told of each wait for the allowance (seconds; 0 once it is over), so a running pass can say it waits
        self.on_wait: Callable[[float], None] | None = None

    def pause(self, seconds: float, sleep: Callable[[float], None] | None = None) -> None:
        """Wait for the allowance, telling ``on_wait`` before and after."""
        hook = self.on_wait
        if hook is not None and seconds > 0:
            hook(seconds)
        try:
            (sleep or self._sleep)(seconds)
        finally:
            if hook is not None and seconds > 0:
                hook(0.0)

    def before_request(self) -> None:
        pass

    def after_response(self, response: httpx.Response) -> None:
        pass

    def wait_after_429(self, response: httpx.Response) -> float:
        return _retry_after(response) or 1.0

    def budget(self) -> Budget:
        return Budget()


def _retry_after(response: httpx.Response) -> float | None:
    for name in ("Retry-After", "X-Retry-After"):
        value = response.headers.get(name)
        if value:
            try:
                return max(0.0, float(value))
            except ValueError:
                continue
    return None


class BigCommerceGovernor(Governor):
    """Paces from ``X-Rate-Limit-Requests-Left`` / ``-Time-Reset-Ms``: when the window's requests are spent,
    wait for the reset instead of collecting a 429. The quota is shared with every other app on the store, so
    the headers (not a local count) are the truth."""

    def __init__(self, *, reserve: int = 0, **kwargs: Any):
        super().__init__(**kwargs)
        self.reserve = reserve
        self._left: int | None = None
        self._quota: int | None = None
        self._reset_at: float | None = None

    def before_request(self) -> None:
        with self._lock:
            wait = 0.0
            now = self._clock()
            if self._left is not None and self._left <= self.reserve and self._reset_at is not None:
                wait = max(0.0, self._reset_at - now)
            if self._left is not None:
                self._left -= 1  # count this request until the response tells the real figure
        if wait > 0:
            log.debug("BigCommerce quota spent; waiting %.2fs for the window to reset", wait)
            self.pause(wait)
            with self._lock:
                self._left = None  # unknown until the next response

    def after_response(self, response: httpx.Response) -> None:
        left = _int_header(response, "X-Rate-Limit-Requests-Left")
        reset_ms = _int_header(response, "X-Rate-Limit-Time-Reset-Ms")
        quota = _int_header(response, "X-Rate-Limit-Requests-Quota")
        with self._lock:
            if left is not None:
                self._left = left
            if quota is not None:
                self._quota = quota
            if reset_ms is not None:
                self._reset_at = self._clock() + reset_ms / 1000

    def wait_after_429(self, response: httpx.Response) -> float:
        reset_ms = _int_header(response, "X-Rate-Limit-Time-Reset-Ms")
        if reset_ms is not None:
            with self._lock:
                self._left = 0
                self._reset_at = self._clock() + reset_ms / 1000
            return reset_ms / 1000
        # "A 429 may arrive without the rate headers when the platform is under load" (API notes §4)
        return _retry_after(response) or 2.0

    def budget(self) -> Budget:
        with self._lock:
            resets = None if self._reset_at is None else max(0.0, self._reset_at - self._clock())
            return Budget(requests_left=self._left, quota=self._quota, resets_in_s=resets)


class HikeGovernor(Governor):
    """Hike publishes its limits instead of sending headers: 60 calls per rolling minute and 5000 per rolling
    day, per store, refused calls included. We count our own calls against both and wait before the minute
    limit; the day limit is never waited out (hours), it raises ``DailyLimitReached`` with the time it frees up.
    Other apps on the same store use the same allowance, so a 429 still may come: its
    ``X-Rate-Limit-Problem`` says which limit and ``Retry-After`` how long."""

    MINUTE_S = 60.0
    DAY_S = 86_400.0

    def __init__(self, *, per_minute: int = 60, per_day: int = 5000, time_scale: float = 1.0,
                 calls_before_start: list[float] | None = None, on_call: Callable[[], None] | None = None,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.per_minute = per_minute
        self.per_day = per_day
        self._minute_s = self.MINUTE_S / time_scale
        self._day_s = self.DAY_S / time_scale
        self._calls: deque[float] = deque(sorted(calls_before_start or []))
        self.on_call = on_call  # told of every call counted (``budget.HikeCallLog`` saves them)

    def _prune(self, now: float) -> None:
        while self._calls and self._calls[0] <= now - self._day_s:
            self._calls.popleft()

    def _in_last_minute(self, now: float) -> list[float]:
        return [t for t in self._calls if t > now - self._minute_s]

    def before_request(self) -> None:
        while True:
            with self._lock:
                now = self._clock()
                self._prune(now)
                if len(self._calls) >= self.per_day:
                    frees_in = self._calls[0] + self._day_s - now
                    raise errors.DailyLimitReached(
                        f"This app has used Hike's {self.per_day} API calls for the last 24 hours. Syncing "
                        f"resumes by itself in {human_duration(frees_in)}.", store="Hike", retry_after_s=frees_in)
                recent = self._in_last_minute(now)
                if len(recent) < self.per_minute:
                    self._calls.append(now)
                    break
                wait = recent[0] + self._minute_s - now
            log.debug("Hike minute limit reached locally; waiting %.2fs", wait)
            self.pause(max(wait, 0.0))
        if self.on_call is not None:
            self.on_call()  # outside the lock: it may write to the database

    def wait_after_429(self, response: httpx.Response) -> float:
        problem = response.headers.get("X-Rate-Limit-Problem", "").lower()
        wait = _retry_after(response)
        if problem == "daily":
            raise errors.DailyLimitReached(
                "Hike's daily API limit for this store is used up (other apps on the store share it). Syncing "
                "resumes by itself when it frees up.", store="Hike", status=429, retry_after_s=wait)
        return wait if wait is not None else self._minute_s

    def budget(self) -> Budget:
        with self._lock:
            now = self._clock()
            self._prune(now)
            minute = self._in_last_minute(now)
            resets = (minute[0] + self._minute_s - now) if minute else 0.0
            return Budget(requests_left=self.per_minute - len(minute), quota=self.per_minute, resets_in_s=resets,
                          calls_left_today=self.per_day - len(self._calls))


def _int_header(response: httpx.Response, name: str) -> int | None:
    value = response.headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def human_duration(seconds: float) -> str:
    """A wait as a person reads it: "2 h 5 min", "12 min", "40 s"."""
    seconds = max(0, int(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    if seconds >= 60:
        return f"{seconds // 60} min"
    return f"{seconds} s"


Describer = Callable[[httpx.Response], ErrorDetail]


def default_describer(response: httpx.Response) -> ErrorDetail:
    text = response.text.strip()
    return ErrorDetail(text[:300] or response.reason_phrase)


IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE"})  # safe to send again when the answer is lost


@dataclass
class _Call:
    """One API call's tries so far (``ApiTransport.request``)."""

    method: str
    url: str
    idempotent: bool
    attempts: int = 0
    rate_waits: int = 0  # 429s waited out: pacing, not failed tries
    refreshed: bool = False  # the token was refreshed once after a 401


class ApiTransport:
    """One ``httpx.Client`` (connection reuse, timeouts on every call) with pacing, retries and classification."""

    def __init__(self, store: str, base_url: str, governor: Governor, *,
                 auth_headers: Callable[[], Mapping[str, str]],
                 refresh: Callable[[], None] | None = None,
                 describe: Describer = default_describer,
                 retry: RetryPolicy = RetryPolicy(),
                 timeout: httpx.Timeout = DEFAULT_TIMEOUT,
                 transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None,
                 unauthorized_message: str = "The store no longer accepts this app's sign-in. Reconnect it."):
        self.store = store
        self.governor = governor
        self.retry = retry
        self._auth_headers = auth_headers
        self._refresh = refresh
        self._describe = describe
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._unauthorized_message = unauthorized_message
        # tokens go only to the store's own API host (or the loopback sandbox): checked here and again on every
        # request, so an absolute URL or a new caller cannot send the auth headers anywhere else
        require_api_origin(store, base_url)
        # verify=True spelled out: certificates are always checked; nothing in the app turns that off
        self.client = httpx.Client(base_url=base_url, timeout=timeout, transport=transport, verify=True,
                                   headers={"Accept": "application/json", "User-Agent": USER_AGENT},
                                   event_hooks={"request": [self._check_destination]})
        self.stats = {"requests": 0, "http_429": 0, "retries": 0}
        # the store's own clock (``Date`` header) at the first answer since ``mark_time()``: where the next
        # incremental read can start, immune to differences between our clock and the store's
        self.first_date: datetime | None = None

    def mark_time(self) -> None:
        self.first_date = None

    def _check_destination(self, request: httpx.Request) -> None:
        """httpx calls this before a request leaves: raising here means nothing was sent."""
        require_api_origin(self.store, str(request.url))

    def close(self) -> None:
        self.client.close()

    def budget(self) -> Budget:
        return self.governor.budget()

    def request(self, method: str, url: str, *, params: Mapping[str, Any] | None = None, json_body: Any = None,
                form: Mapping[str, str] | None = None, idempotent: bool | None = None,
                headers: Mapping[str, str] | None = None) -> ApiResponse:
        """Send one API call; returns the parsed answer or raises a ``desktop.sync.errors`` kind. Each step below
        either gives the answer, raises, or returns None: try again (it has backed off or refreshed already)."""
        call = _Call(method, url, method.upper() in IDEMPOTENT_METHODS if idempotent is None else idempotent)
        while True:
            call.attempts += 1
            response = self._send(call, params, json_body, form, headers)
            answer = None if response is None else self._answer(call, response)
            if answer is not None:
                return answer

    def _send(self, call: "_Call", params: Mapping[str, Any] | None, json_body: Any,
              form: Mapping[str, str] | None, headers: Mapping[str, str] | None) -> httpx.Response | None:
        self.governor.before_request()
        call_headers = dict(self._auth_headers())
        call_headers.update(headers or {})
        self.stats["requests"] += 1
        if json_body is not None:
            call_headers.setdefault("Content-Type", "application/json")
        try:
            return self.client.request(call.method, call.url, params=params, data=form, headers=call_headers,
                                       content=encode_json(json_body) if json_body is not None else None)
        except httpx.TransportError as exc:
            self._network_fault(call, exc)
            return None

    def _network_fault(self, call: "_Call", exc: httpx.TransportError) -> None:
        if _certificate_refused(exc):  # not a passing fault: retrying would only knock again
            raise errors.UntrustedCertificate(
                "its security certificate could not be verified, so nothing was sent (your token "
                "included). Check the address, this computer's date and time, and any proxy or antivirus "
                "that inspects https traffic.", store=self.store) from None
        reason = _network_reason(exc)
        sent = not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
        if sent and not call.idempotent:
            raise errors.AmbiguousWrite(
                f"{reason} while saving; the change may or may not have been applied, so it was not "
                "sent again.", store=self.store) from None
        if call.attempts >= self.retry.max_attempts:
            raise errors.Transient(f"{reason}; gave up after {call.attempts} tries. The next sync pass will "
                                   "try again.", store=self.store) from None
        self._backoff(call.attempts, f"{call.method} {_path(call.url)}: {reason}")

    def _answer(self, call: "_Call", response: httpx.Response) -> ApiResponse | None:
        self.governor.after_response(response)
        if self.first_date is None and response.headers.get("Date"):
            try:
                self.first_date = parsedate_to_datetime(response.headers["Date"])
            except (TypeError, ValueError):
                pass
        status = response.status_code
        log.debug("%s %s -> %d (try %d)", call.method, _path(call.url), status, call.attempts)
        if status == 401:
            return self._unauthorized(call)
        if status == 429:
            return self._rate_limited(call, response)
        if status in RETRYABLE_STATUSES:
            return self._server_fault(call, status)
        if 200 <= status < 300:
            return self._parsed(call, response)
        raise self.classify(response)

    def _unauthorized(self, call: "_Call") -> None:
        if self._refresh is None or call.refreshed:
            raise errors.ReconnectNeeded(self._unauthorized_message, store=self.store, status=401)
        call.refreshed = True
        self._refresh()  # raises ReconnectNeeded when the store refuses the refresh
        call.attempts -= 1

    def _rate_limited(self, call: "_Call", response: httpx.Response) -> None:
        self.stats["http_429"] += 1
        call.rate_waits += 1
        wait = self.governor.wait_after_429(response)  # Hike's daily limit raises here
        if call.rate_waits > self.retry.max_rate_limit_waits:
            raise errors.RateLimited("The store kept refusing calls for going over its API limit. The "
                                     "next sync pass will continue.", store=self.store, status=429,
                                     retry_after_s=wait)
        log.info("%s rate limit hit on %s %s; waiting %.1fs", self.store, call.method, _path(call.url), wait)
        self.governor.pause(min(wait, self.retry.max_rate_limit_wait_s), self._sleep)
        call.attempts -= 1  # waiting out a 429 is pacing, not a failed try

    def _server_fault(self, call: "_Call", status: int) -> None:
        if not call.idempotent and status != 503:
            raise errors.AmbiguousWrite(
                f"the store answered {status} while saving; the change may or may not have been applied, "
                "so it was not sent again.", store=self.store, status=status)
        if call.attempts >= self.retry.max_attempts:
            raise errors.Transient(f"the store answered {status} ({_reason(status)}) {call.attempts} times; the "
                                   "next sync pass will try again.", store=self.store, status=status)
        self._backoff(call.attempts, f"{call.method} {_path(call.url)} -> {status}")

    def _parsed(self, call: "_Call", response: httpx.Response) -> ApiResponse | None:
        status = response.status_code
        try:
            return ApiResponse(status, response.headers, _parse_json(response))
        except ValueError:
            if not call.idempotent:
                raise errors.AmbiguousWrite("the store's answer to a change could not be read; it may or "
                                            "may not have been applied, so it was not sent again.",
                                            store=self.store, status=status) from None
            if call.attempts >= self.retry.max_attempts:
                raise errors.Transient(f"the store's answers could not be read {call.attempts} times; the next "
                                       "sync pass will try again.", store=self.store, status=status) from None
            self._backoff(call.attempts, f"{call.method} {_path(call.url)}: unreadable body")
            return None

    def classify(self, response: httpx.Response) -> errors.SyncError:
        status = response.status_code
        try:
            detail = self._describe(response)
        except Exception:  # noqa: BLE001 - a body we cannot parse still gets a message
            detail = default_describer(response)
        kwargs = dict(store=self.store, status=status, field=detail.field, value=detail.value)
        if status == 403:
            return errors.MissingPermission(
                f"this app's access is missing a permission ({detail.message}). Check the API account's scopes.",
                **kwargs)
        if status == 404:
            return errors.NotFound(detail.message, **kwargs)
        if status == 409:
            return errors.Conflict(detail.message, **kwargs)
        if status in (400, 413, 415, 422):
            return errors.ValidationFailed(detail.message, **kwargs)
        if status == 501:
            return errors.PlanNotSupported(
                "this feature is not on the store's plan. Check the plan includes API access.", **kwargs)
        return errors.SyncError(f"unexpected answer {status}: {detail.message}", **kwargs)

    def _backoff(self, attempt: int, what: str) -> None:
        delay = self.retry.backoff(attempt, self._rng)
        self.stats["retries"] += 1
        log.info("%s: %s; retrying in %.2fs", self.store, what, delay)
        self._sleep(delay)


def _parse_json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    content_type = response.headers.get("Content-Type", "")
    if "json" not in content_type and not response.content.lstrip()[:1] in (b"{", b"["):
        return response.text
    # parse_float=Decimal: money never passes through a binary float on its way in
    return json.loads(response.content, parse_float=Decimal)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # JSON has one number type; float() of a Decimal with a few places prints the same digits
        # (shortest round-trip repr), so nothing is lost on the wire.
        as_float = float(value)
        if Decimal(repr(as_float)) != value:
            raise ValueError(f"{value} cannot be sent as a JSON number without losing precision")
        return as_float
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"cannot send {type(value).__name__} as JSON")


def encode_json(body: Any) -> bytes:
    return json.dumps(body, default=_json_default, ensure_ascii=False).encode("utf-8")


def _certificate_refused(exc: BaseException) -> bool:
    """The TLS handshake failed on the certificate (self-signed, expired, wrong name, intercepted)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(cause):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _network_reason(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "the store took too long to answer"
    if isinstance(exc, httpx.ConnectError):
        return "could not reach the store (no network, or the address is wrong)"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the connection to the store was dropped"
    return f"a network error ({type(exc).__name__})"


def _reason(status: int) -> str:
    return {500: "server error", 502: "bad gateway", 503: "store unavailable or in maintenance",
            504: "gateway timeout"}.get(status, "error")


def _path(url: str) -> str:
    """The path only: query strings can carry emails and filters that have no place in a log line."""
    return httpx.URL(url).path
