"""A tiny HTTP framework shared by the two store emulators.

Real HTTP on 127.0.0.1 (stdlib ``ThreadingHTTPServer``, HTTP/1.1 keep-alive) so the clients are exercised
exactly as they would be against the real stores. Each emulator registers its routes on an ``EmulatorApp``;
this module adds what both need and what is not part of either real API, under ``/__emulator/``:

- ``GET  /__emulator/requests``            the log of requests received (``?clear=1`` empties it)
- ``POST /__emulator/faults``              queue faulty answers: ``{"path": regex, "method": "GET"|null,
                                           "responses": ["403", "429", "500", "502", "503", "timeout", "drop",
                                           "drop_after", "malformed", "pass"], "delay_s": 5}`` ("pass" answers
                                           normally, to aim the next ones at a later request); ``DELETE`` clears the queue
                                           and the random rate. ``{"rate": 0.1, "kinds": [...], "seed": 7}``
                                           instead makes each API request faulty with that chance (the soak)
- ``GET/POST /__emulator/clock``           the emulated clock: ``{"advance_s": n}`` or ``{"time_scale": x}``
- ``GET/POST /__emulator/paging``          lists that misbehave on purpose (N5, ``Paging``): ``{"page_cap": 100,
                                           "total_offset": -72, "total_pages": 1, "links": false, "path": regex}``;
                                           a POST replaces the whole setting, ``{}`` puts the defaults back

It imports nothing from ``desktop.sync`` on purpose: the emulators must not share the client's
understanding of the APIs.
"""
from __future__ import annotations

import json
import random
import re
import socket
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from desktop.sandbox.reshape import Reshape

JSON = "application/json"


class Clock:
    """Emulated time: real time run ``time_scale`` times faster, plus a manual offset.

    Rate-limit windows and token expiries are measured on this clock, so benchmarks can compress time and
    tests can jump past an expiry without sleeping.
    """

    def __init__(self, time_scale: float = 1.0):
        self._lock = threading.Lock()
        self._real0 = time.monotonic()
        self._emu0 = time.time()
        self._scale = float(time_scale)

    def now(self) -> float:
        with self._lock:
            return self._emu0 + (time.monotonic() - self._real0) * self._scale

    def now_dt(self) -> datetime:
        return datetime.fromtimestamp(self.now(), tz=timezone.utc)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._emu0 += seconds

    @property
    def time_scale(self) -> float:
        return self._scale

    def set_time_scale(self, scale: float) -> None:
        if scale <= 0:
            raise ValueError("time_scale must be positive")
        with self._lock:
            now_real = time.monotonic()
            self._emu0 += (now_real - self._real0) * self._scale
            self._real0 = now_real
            self._scale = float(scale)

    def real_seconds(self, emulated_seconds: float) -> float:
        """How long a client really waits for ``emulated_seconds`` to pass."""
        return emulated_seconds / self._scale


@dataclass(frozen=True)
class Paging:
    """How an emulator's lists misbehave on purpose, so a client's paging can be tested against stores that serve
    fewer items than asked or report wrong totals (N5). The defaults change nothing.

    - ``page_cap``: at most this many items a page, whatever ``limit`` / ``page_size`` asked (pages then start at
      multiples of the cap, as on a store whose page size is smaller than the client thinks)
    - ``total_offset``: added to the total a list reports (BigCommerce ``total``, Hike ``totalCount``), never below 0
    - ``total_pages``: the ``total_pages`` BigCommerce v3 reports (otherwise derived from the reported total)
    - ``links``: False leaves BigCommerce v3's ``links`` and Hike's ``next`` out of every page
    - ``path``: a regex; only lists whose path it finds misbehave (None: every list)

    What follows a wrong count is each emulator's business: BigCommerce's links are built from the reported page
    count (as in the platform's brand bug, bigcommerce/api#43), Hike's ``next`` from the real list.
    """

    page_cap: int | None = None
    total_offset: int = 0
    total_pages: int | None = None
    links: bool = True
    path: str | None = None

    def per_page(self, asked: int) -> int:
        return min(asked, self.page_cap) if self.page_cap else asked

    def total(self, real: int) -> int:
        return max(0, real + self.total_offset)

    @classmethod
    def from_json(cls, spec: Any) -> "Paging":
        """A control body, checked: a wrong setting is refused rather than half applied."""
        if not isinstance(spec, dict):
            raise ValueError("paging must be a JSON object")
        unknown = sorted(set(spec) - {"page_cap", "total_offset", "total_pages", "links", "path"})
        if unknown:
            raise ValueError(f"unknown paging settings {unknown}")
        for name, least in (("page_cap", 1), ("total_pages", 0)):
            value = spec.get(name)
            if value is not None and not (_whole(value) and value >= least):
                raise ValueError(f"{name} must be a whole number >= {least}, or null")
        offset = spec.get("total_offset", 0)
        if not _whole(offset):
            raise ValueError("total_offset must be a whole number")
        if not isinstance(spec.get("links", True), bool):
            raise ValueError("links must be true or false")
        path = spec.get("path")
        if path is not None:
            re.compile(path)
        return cls(spec.get("page_cap"), offset, spec.get("total_pages"), spec.get("links", True), path)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


NORMAL_PAGING = Paging()


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # named groups of the route pattern
    paging: Paging = NORMAL_PAGING  # how this request's list misbehaves (set by the server from the app's setting)

    def arg(self, name: str, default: str | None = None, *, case_insensitive: bool = False) -> str | None:
        if case_insensitive:
            for key, values in self.query.items():
                if key.lower() == name.lower():
                    return values[-1]
            return default
        values = self.query.get(name)
        return values[-1] if values else default

    def json(self) -> Any:
        """The body as JSON; raises ``ValueError`` with a readable reason when it is not."""
        if not self.body:
            raise ValueError("request body is empty")
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"request body is not valid JSON: {exc}") from None

    def form(self) -> dict[str, str]:
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[-1] for k, v in parsed.items()}


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> "Response":
        h = {"Content-Type": JSON}
        h.update(headers or {})
        return cls(status, json.dumps(data, default=str).encode("utf-8"), h)

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain; charset=utf-8",
             headers: dict[str, str] | None = None) -> "Response":
        h = {"Content-Type": content_type}
        h.update(headers or {})
        return cls(status, text.encode("utf-8"), h)

    @classmethod
    def empty(cls, status: int = 204, headers: dict[str, str] | None = None) -> "Response":
        return cls(status, b"", dict(headers or {}))


Handler = Callable[[Request], Response]
# "drop_after": the request IS applied, then the answer is lost (a write that happened but was never confirmed)
# "422": the store refuses the record (scripted faults only: random faults are the network's and the store's
# passing troubles, never a refusal)
# "pass" serves the request normally: it lets a test aim the faults after it at a later request on the same path
FAULT_KINDS = {"403", "422", "429", "500", "502", "503", "timeout", "drop", "drop_after", "malformed", "pass"}
RANDOM_FAULT_KINDS = FAULT_KINDS - {"422", "pass"}


@dataclass
class _Fault:
    pattern: re.Pattern[str]
    method: str | None
    kind: str
    delay_s: float


class EmulatorApp:
    """Routes plus the shared ``/__emulator/`` controls. Subclasses register routes in ``__init__``."""

    name = "emulator"

    def __init__(self, clock: Clock | None = None):
        self.clock = clock or Clock()
        self.lock = threading.RLock()  # one store-wide lock: the emulators are small, correctness first
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._faults: deque[_Fault] = deque()
        self.request_log: list[dict[str, Any]] = []
        self.faults_injected = 0
        self._fault_rate = 0.0  # the chance that any API request gets a random fault (``set_fault_rate``)
        self._fault_kinds: tuple[str, ...] = ()
        self._fault_random = random.Random(0)
        self._fault_delay_s = 0.5
        self.paging = NORMAL_PAGING
        self.route("GET", r"/__emulator/requests", self._ctl_requests)
        self.route("POST", r"/__emulator/faults", self._ctl_faults)
        self.route("DELETE", r"/__emulator/faults", self._ctl_clear_faults)
        self.route("GET", r"/__emulator/clock", self._ctl_clock)
        self.route("POST", r"/__emulator/clock", self._ctl_clock)
        self.reshape = Reshape()
        self.route("POST", r"/__emulator/reshape", self._ctl_reshape)
        self.route("DELETE", r"/__emulator/reshape", self._ctl_reshape)
        self.route("GET", r"/__emulator/paging", self._ctl_paging)
        self.route("POST", r"/__emulator/paging", self._ctl_paging)

    # -- routing ---------------------------------------------------------------------------------------
    def route(self, method: str, pattern: str, handler: Handler) -> None:
        """Register ``handler`` for ``method`` and a full-match regex with named groups."""
        self._routes.append((method.upper(), re.compile(pattern), handler))

    def is_control(self, path: str) -> bool:
        return path.startswith("/__emulator/")

    def before(self, request: Request) -> Response | None:
        """Hook for auth and rate limiting on API paths; return a response to short-circuit."""
        return None

    def after(self, request: Request, response: Response) -> Response:
        """Hook to add headers (e.g. rate-limit headers) to every API response."""
        return response

    def dispatch(self, request: Request) -> Response:
        allowed: list[str] = []
        for method, pattern, handler in self._routes:
            m = pattern.fullmatch(request.path)
            if not m:
                continue
            if method != request.method:
                allowed.append(method)
                continue
            request.params = {k: v for k, v in m.groupdict().items() if v is not None}
            return handler(request)
        if allowed:
            response = self.error_response(405, "Method Not Allowed", request)
            response.headers["Allow"] = ", ".join(sorted(set(allowed)))  # RFC 9110 §15.5.6: a 405 says what is
            return response
        return self.error_response(404, "Not Found", request)

    def error_response(self, status: int, title: str, request: Request) -> Response:
        """The API's own error body; emulators override to match their platform."""
        return Response.json({"status": status, "title": title}, status)

    # -- faults ------------------------------------------------------------------------------------------
    def take_fault(self, request: Request) -> _Fault | None:
        with self.lock:
            for fault in self._faults:
                if fault.method and fault.method != request.method:
                    continue
                if fault.pattern.search(request.path):
                    self._faults.remove(fault)
                    self.faults_injected += 1
                    return fault
            if self._fault_rate and self._fault_random.random() < self._fault_rate:
                self.faults_injected += 1
                kind = self._fault_random.choice(self._fault_kinds)
                return _Fault(re.compile(""), None, kind, self._fault_delay_s)
        return None

    def set_fault_rate(self, rate: float, kinds: list[str] | None = None, seed: int = 0,
                       delay_s: float = 0.5) -> None:
        """Random faults: every API request gets one of ``kinds`` with chance ``rate`` (0 turns them off).
        Seeded, so a soak run that found a problem can be replayed request for request."""
        kinds = [str(k) for k in (kinds or sorted(RANDOM_FAULT_KINDS))]
        bad = [k for k in kinds if k not in FAULT_KINDS]
        if bad or not 0 <= rate <= 1:
            raise ValueError(f"rate must be 0..1 and kinds among {sorted(FAULT_KINDS)} (got {rate}, {bad})")
        with self.lock:
            self._fault_rate, self._fault_kinds = float(rate), tuple(kinds)
            self._fault_random, self._fault_delay_s = random.Random(seed), delay_s

    def add_faults(self, path: str, responses: list[str], method: str | None = None, delay_s: float = 5.0) -> None:
        bad = [r for r in responses if str(r) not in FAULT_KINDS]
        if bad:
            raise ValueError(f"unknown fault kinds {bad}; use {sorted(FAULT_KINDS)}")
        with self.lock:
            for kind in responses:
                self._faults.append(_Fault(re.compile(path), method.upper() if method else None, str(kind), delay_s))

    def fault_response(self, fault: _Fault, request: Request) -> Response:
        """The body a faulty status carries; emulators override 429 to give their real headers."""
        status = int(fault.kind)
        return Response.text(f"{status} injected fault", status, "text/html; charset=utf-8")

    # -- paging -----------------------------------------------------------------------------------------
    def set_paging(self, **settings: Any) -> Paging:
        """Lists misbehave as ``settings`` say (``Paging``'s fields); no argument puts the defaults back."""
        paging = Paging.from_json(settings)
        with self.lock:
            self.paging = paging
        return paging

    def paging_for(self, path: str) -> Paging:
        paging = self.paging
        if paging.path is not None and not re.search(paging.path, path):
            return NORMAL_PAGING
        return paging

    # -- controls ----------------------------------------------------------------------------------------
    def _ctl_paging(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                paging = Paging.from_json(request.json() if request.body else {})
            except (ValueError, re.error) as exc:
                return Response.json({"error": str(exc)}, 400)
            with self.lock:
                self.paging = paging
        return Response.json(self.paging.to_json())

    def _ctl_reshape(self, request: Request) -> Response:
        try:
            rules = request.json().get("rules", []) if request.method == "POST" and request.body else []
            self.reshape.set(rules)
        except (ValueError, TypeError, AttributeError, re.error) as exc:
            return Response.json({"error": str(exc)}, 400)
        return Response.json({"rules": len(rules)})

    def _ctl_requests(self, request: Request) -> Response:
        with self.lock:
            log = list(self.request_log)
            if request.arg("clear"):
                self.request_log.clear()
        return Response.json({"requests": log, "count": len(log), "faults_injected": self.faults_injected})

    def _ctl_faults(self, request: Request) -> Response:
        try:
            spec = request.json()
            if "rate" in spec:
                self.set_fault_rate(float(spec["rate"]), spec.get("kinds"), int(spec.get("seed", 0)),
                                    float(spec.get("delay_s", 0.5)))
            else:
                self.add_faults(spec["path"], [str(r) for r in spec["responses"]], spec.get("method"),
                                float(spec.get("delay_s", 5.0)))
        except (ValueError, KeyError, TypeError, re.error) as exc:
            return Response.json({"error": str(exc)}, 400)
        return Response.json({"queued": len(self._faults)})

    def _ctl_clear_faults(self, request: Request) -> Response:
        with self.lock:
            self._faults.clear()
            self._fault_rate = 0.0
        return Response.json({"queued": 0})

    def _ctl_clock(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                spec = request.json()
                if "advance_s" in spec:
                    self.clock.advance(float(spec["advance_s"]))
                if "time_scale" in spec:
                    self.clock.set_time_scale(float(spec["time_scale"]))
            except (ValueError, TypeError) as exc:
                return Response.json({"error": str(exc)}, 400)
        return Response.json({"now": self.clock.now_dt().isoformat(), "time_scale": self.clock.time_scale})

    def log_request(self, request: Request, status: int) -> None:
        entry = {
            "time": self.clock.now_dt().isoformat(),
            "method": request.method,
            "path": request.path,
            "query": {k: v if len(v) > 1 else v[0] for k, v in request.query.items()},
            "status": status,
            "content_type": request.headers.get("content-type"),
            "body": request.body.decode("utf-8", "replace") if request.body else None,
        }
        with self.lock:
            self.request_log.append(entry)


def _make_handler(app: EmulatorApp) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = f"{app.name}-sandbox"
        # headers and body go out in separate writes; with Nagle on, keep-alive clients wait ~40 ms per request
        # for the delayed ACK
        disable_nagle_algorithm = True

        def date_time_string(self, timestamp: float | None = None) -> str:
            """The ``Date`` header on the emulated clock, as a real store's would be on its own clock."""
            return super().date_time_string(app.clock.now() if timestamp is None else timestamp)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass  # the request log is the record; stderr noise helps nobody

        def _handle(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(
                method=self.command,
                path=split.path,
                query=parse_qs(split.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            if app.is_control(request.path):
                self._send(app.dispatch(request))
                return
            request.paging = app.paging_for(request.path)
            fault = app.take_fault(request)
            if fault is not None and fault.kind == "pass":
                fault = None
            if fault is not None and fault.kind != "drop_after":
                app.log_request(request, 0 if fault.kind in {"timeout", "drop"} else
                                200 if fault.kind == "malformed" else int(fault.kind))
                if fault.kind == "drop":
                    self._drop()
                    return
                if fault.kind == "timeout":
                    time.sleep(fault.delay_s)
                    self._drop()
                    return
                if fault.kind == "malformed":
                    self._send(Response(200, b'{"data": [{"id": 1, "name": "trunc', {"Content-Type": JSON}))
                    return
                self._send(app.after(request, app.fault_response(fault, request)))
                return
            response = app.before(request)
            if response is None:
                try:
                    response = app.dispatch(request)
                except Exception as exc:  # an emulator bug must show as a 500, not a hung client
                    response = Response.json({"status": 500, "title": f"emulator error: {exc!r}"}, 500)
            response = app.after(request, response)
            response.body = app.reshape.body(request.path, response.body)  # issue 18: a store shaped otherwise
            app.log_request(request, response.status)
            if fault is not None:  # drop_after: applied above, answer lost
                self._drop()
                return
            self._send(response)

        def _drop(self) -> None:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        def _send(self, response: Response) -> None:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD" and response.body:
                self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

    return _Handler


class RunningServer:
    """An emulator served on 127.0.0.1 from a daemon thread."""

    def __init__(self, app: EmulatorApp, port: int = 0, host: str = "127.0.0.1"):
        self.app = app
        self.httpd = ThreadingHTTPServer((host, port), _make_handler(app))
        self.httpd.daemon_threads = True
        self.host, self.port = self.httpd.server_address[:2]
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"{app.name}-sandbox",
                                        daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)
