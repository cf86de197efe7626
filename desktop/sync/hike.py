"""Hike POS client: the only code that speaks to Hike's public API (``https://api.hikeup.com``).

Built on ``desktop.sync.http.ApiTransport`` (pacing by ``HikeGovernor``: 60 calls a rolling minute and 5000 a
rolling day per store [D]; bounded retries; one error taxonomy). On top of it this module adds:

- OAuth tokens from the keyring (``Credentials``), refreshed shortly before they expire and once on a 401, then
  the call is repeated (C1 in docs/RULES.md). A refresh Hike refuses raises ``ReconnectNeeded``. New tokens are saved
  through ``Credentials``; when a refresh answer has no new refresh token the old one is kept [C].
- Lists paged lazily with ``page_size`` (up to 500 [D]) and ``Skip_count``, read to the end Hike states (N5:
  ``next``, else ``totalCount``; a short page is not the end, a full one is never the last). The query is
  rebuilt for every page, because ``next`` drops the other filters such as ``Sync_From`` [C]; ``Skip_count``
  advances by the rows served. A read whose rows disagree with ``totalCount`` is logged and counted in
  ``incomplete_reads``. ``page_size`` and ``Skip_count`` are sent with the documented spelling (names are
  case-insensitive on Hike's ASP.NET side anyway [C]).
- Products: ``get_all`` returns variant parents (with ``product_variants[]``) and each variant again as its own
  row with ``parentId`` [C]; the client yields each parent once with its variants and never the child rows.
- Writes in batches of at most 50 [D], and never a blind resend of a write whose answer was lost: the record
  is looked up first (product by SKU, customer by email, sale by number, brand by name) and only sent again
  when it is not there (N2 in docs/RULES.md).
- Hike's error bodies are undocumented (ABP-style, an ``errors`` list, or text): ``describe_hike_error`` reads
  them all; a duplicate SKU or barcode becomes ``errors.Conflict`` naming the value.

What is thin in the public material is marked ``[I]`` (our inference) with the choice made.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence, TypeVar

import httpx

from desktop.storage.credentials import CredentialError, CredentialMissingError, Credentials, HikeTokens
from desktop.storage.logs import register_secret
from desktop.sync import errors, hike_oauth
from desktop.sync.addresses import hike_api_base
from desktop.sync.hike_models import (
    Fields, HikeBrand, HikeCustomer, HikeOutlet, HikeOutletStock, HikePaymentType, HikeProduct, HikeProductType,
    HikeRegister, HikeRegisterClosure, HikeSale, HikeTax, describe_hike_error, format_net_datetime, to_int,
)
from desktop.sync.shapes import ShapeWatch, TolerantReading
from desktop.sync.store_shapes import HIKE_CUSTOMER, HIKE_PRODUCT, HIKE_SALE
from desktop.sync.http import DEFAULT_TIMEOUT, ApiTransport, Budget, HikeGovernor, RetryPolicy, encode_json

log = logging.getLogger(__name__)

STORE = "Hike"
MAX_PAGE_SIZE = 500  # [D] page_size 1..500
MAX_BATCH = 50  # [D] "batches of <= 50 elements are recommended"
# bytes of JSON per product save: images travel inside the body as data URIs (S17), and Hike takes at most
# 4 MB per request [D]; the margin covers the encoding's overhead
MAX_BODY_BYTES = 3_000_000
UNAUTHORIZED_MESSAGE = "Hike no longer accepts this app's sign-in. Reconnect Hike."

T = TypeVar("T")
R = TypeVar("R", HikeCustomer, HikeSale)  # a record listed with offset paging


def hike_governor(*, per_minute: int = 60, per_day: int = 5000, time_scale: float = 1.0,
                  margin: float = 0.03, **kwargs: Any) -> HikeGovernor:
    """Hike's pacing with windows ``margin`` longer than Hike's own (61.8 s instead of 60 by default).

    We stamp a call when we send it; Hike counts it when it arrives. Waiting to the exact edge of the window
    lets network jitter put one call too many into Hike's window (a 429 and a wait); a slightly longer window
    costs under 3 % of the allowance and removes that. [I]
    """
    return HikeGovernor(per_minute=per_minute, per_day=per_day, time_scale=time_scale / (1 + margin), **kwargs)


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _same(a: Any, b: Any) -> bool:
    return a is not None and b is not None and str(a).strip().lower() == str(b).strip().lower()


# ---------------------------------------------------------------------------------------------------------
# write inputs and results
@dataclass(frozen=True)
class InventoryChange:
    """One row of ``products/inventory_update`` [D] (body shape [I]): a product (or variant) by id or SKU in one
    outlet, either an absolute ``on_hand`` or a signed ``adjustment``."""

    outlet_id: int
    product_id: int | None = None
    sku: str | None = None
    on_hand: Decimal | None = None
    adjustment: Decimal | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        if (self.product_id is None) == (self.sku is None):
            raise ValueError("an inventory change needs exactly one of product_id or sku")
        if (self.on_hand is None) == (self.adjustment is None):
            raise ValueError("an inventory change needs exactly one of on_hand (absolute) or adjustment (delta)")

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"outlet_id": self.outlet_id}
        if self.product_id is not None:
            body["product_id"] = self.product_id
        else:
            body["sku"] = self.sku
        if self.on_hand is not None:
            body["on_hand_inventory"] = Decimal(self.on_hand)
        else:
            body["adjustment"] = Decimal(self.adjustment)
        if self.reason:
            body["reason"] = self.reason
        return body


@dataclass
class InventoryLevel:
    """What Hike reports back for one updated row."""

    product_id: int | None
    sku: str | None
    stock: HikeOutletStock
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class ProductSaveResult:
    """The outcome for one product sent to ``save_products``: ``product`` when saved, else ``error``."""

    payload: Mapping[str, Any]
    product: HikeProduct | None = None
    error: errors.SyncError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.product is not None


# Failures that stop a whole run rather than belong to one record
_RUN_STOPPERS = (errors.ReconnectNeeded, errors.RateLimited, errors.Transient, errors.PlanNotSupported,
                 errors.MissingPermission, errors.UntrustedCertificate)


class HikeClient(TolerantReading):
    """The Hike API for one store. Thread-safe: one connection pool, token refresh under a lock."""

    STORE = STORE  # for people, in the messages of records it cannot read

    def __init__(self, base_url: str, client_id: str, client_secret: str, credentials: Credentials, *,
                 governor: HikeGovernor | None = None, retry: RetryPolicy | None = None,
                 transport: httpx.BaseTransport | None = None, refresh_margin_s: float = 300,
                 timeout: httpx.Timeout | None = None, page_size: int = MAX_PAGE_SIZE, call_log: Any = None,
                 tokens: HikeTokens | None = None):
        register_secret(client_secret)
        # https://api.hikeup.com or the loopback sandbox, checked before anything is sent; also the identity the
        # tokens are loaded and saved under (``tokens`` given: a fresh sign-in, not saved yet)
        self.base_url = self.store = hike_api_base(base_url)
        self.client_id = client_id
        self._client_secret = client_secret
        self.credentials = credentials
        self.refresh_margin_s = refresh_margin_s
        self.page_size = max(1, min(MAX_PAGE_SIZE, page_size))
        self.governor = governor or hike_governor()
        # saves the calls as they are made (``budget.HikeCallLog``): the daily count survives a restart or a kill
        self.call_log = call_log
        if call_log is not None:
            self.governor.on_call = call_log.note
        self._token_transport = transport
        self._tokens: HikeTokens | None = tokens
        self._token_lock = threading.RLock()
        self._local = threading.local()
        self.refresh_count = 0
        # N5: lists read to the end whose row count disagreed with Hike's totalCount (see ``_pages``). A caller
        # compares it before and after a read to know whether that read may be incomplete.
        self.incomplete_reads = 0
        self._count_lock = threading.Lock()
        # issue 18: each record read is checked against its shape (``store_shapes``); gaps in optional fields are
        # noted once per run, records without a field the sync needs are left out and failed by the engine
        self.shapes = ShapeWatch()
        # told of each page of a list as it is read (pages read, pages Hike states or None; 0 pages: a list
        # starts): the engine sets it during a pass to show "page 3 of 12"
        self.on_page: Callable[[int, int | None], None] | None = None
        self.http = ApiTransport(
            STORE, self.base_url + "/api/v1/", self.governor, auth_headers=self._auth_headers,
            refresh=self._refresh_after_401, describe=describe_hike_error, retry=retry or RetryPolicy(),
            timeout=timeout or DEFAULT_TIMEOUT, transport=transport, unauthorized_message=UNAUTHORIZED_MESSAGE)

    # -- life cycle ------------------------------------------------------------------------------------------
    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "HikeClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def budget(self) -> Budget:
        """Calls left this minute and today, as this app has counted them (other apps share the store's quota)."""
        return self.governor.budget()

    def save_calls(self) -> None:
        """Save the calls the call log holds (at the end of a pass); without a call log nothing is kept."""
        if self.call_log is not None:
            self.call_log.flush()

    @property
    def stats(self) -> dict[str, int]:
        return {**self.http.stats, "token_refreshes": self.refresh_count}

    # -- tokens (C1) -------------------------------------------------------------------------------------------
    @property
    def tokens(self) -> HikeTokens | None:
        """The tokens in use (after a refresh, the new ones)."""
        with self._token_lock:
            return self._tokens

    def _load_tokens(self) -> HikeTokens:
        try:
            return self.credentials.load_hike_tokens(self.store)
        except CredentialMissingError as exc:
            raise errors.ReconnectNeeded(exc.message, store=STORE) from None

    def _auth_headers(self) -> dict[str, str]:
        with self._token_lock:
            if self._tokens is None:
                self._tokens = self._load_tokens()
            if self._tokens.expires_within(self.refresh_margin_s):
                stored = self._stored_tokens()
                if stored is not None and stored.refresh_token != self._tokens.refresh_token \
                        and not stored.expires_within(self.refresh_margin_s):
                    # another client of this store renewed them (the window's Check my stores, a CLI command): a
                    # refresh with the old refresh token could be refused once Hike has rotated it
                    self._tokens = stored
                else:
                    log.info("Hike access token expires soon; refreshing it first")
                    self._refresh(self._tokens)
            access = self._tokens.access_token
        self._local.access = access  # which token this thread sent, for the 401 handler
        return {"Authorization": f"Bearer {access}"}

    def _refresh_after_401(self) -> None:
        """Called by the transport once per call on a 401; it repeats the call afterwards."""
        sent = getattr(self._local, "access", None)
        with self._token_lock:
            if self._tokens is not None and self._tokens.access_token != sent:
                return  # another thread refreshed meanwhile: just repeat the call with the new token
            stored = self._stored_tokens()
            if stored is not None and stored.access_token != sent and not stored.expires_within(0):
                self._tokens = stored  # another client of this store and folder refreshed and saved: take them
                return
            log.info("Hike answered 401; refreshing the access token")
            self._refresh(self._tokens or stored or self._load_tokens())

    def _stored_tokens(self) -> HikeTokens | None:
        try:
            return self.credentials.load_hike_tokens(self.store)
        except CredentialError:
            return None

    def refresh_now(self) -> None:
        """Renew the access token now, the way a pass does when it runs out (``diagnose`` proves it works)."""
        with self._token_lock:
            self._refresh(self._tokens or self._load_tokens())

    def _refresh(self, tokens: HikeTokens) -> None:
        new = hike_oauth.refresh(self.base_url, self.client_id, self._client_secret, tokens.refresh_token,
                                 transport=self._token_transport)
        self._tokens = new
        self.refresh_count += 1
        try:
            self.credentials.save_hike_tokens(new, self.store)
        except CredentialError as exc:  # keep working with the tokens in memory; the next start may ask again
            log.warning("The refreshed Hike sign-in could not be saved to the keyring: %s", exc.message)

    # -- plumbing ---------------------------------------------------------------------------------------------
    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.http.request("GET", path, params=params).data

    def _post(self, path: str, body: Any, *, idempotent: bool = False) -> Any:
        try:
            return self.http.request("POST", path, json_body=body, idempotent=idempotent).data
        except errors.ValidationFailed as exc:
            raise _refine_validation(exc) from None

    def _get_or_none(self, path: str) -> Any:
        try:
            return self._get(path)
        except errors.NotFound:
            return None

    def _pages(self, path: str, params: Mapping[str, Any] | None = None,
               page_size: int | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a ``get_all`` list, page by page (lazily), to the end Hike states (N5). The next page is
        read while the page was not empty and either Hike says there is more (a ``next`` link [D]; without one,
        rows read < ``totalCount``) or the page was full; a page shorter than asked is not the end by itself.
        The query is rebuilt each page from the caller's filters, because ``next`` drops them [C]; ``Skip_count``
        advances by the rows served, so rows a short page left out are never skipped. Read to the end, the rows
        are checked against ``totalCount``."""
        size = max(1, min(MAX_PAGE_SIZE, page_size or self.page_size))
        skip, total, pages = 0, None, 0
        self._page_read(0, None)
        while True:
            data = self._get(path, {**(params or {}), "page_size": size, "Skip_count": skip})
            items, says_more, total = _envelope(data, skip, total)
            skip += len(items)
            pages += 1
            self._page_read(pages, None if total is None else max(pages, -(-total // size)))
            yield from items
            if not items or not (says_more or len(items) >= size):
                break
        if total is not None and total != skip:
            log.warning("Hike listed %s of %s records at %s: the list may be incomplete, or its count wrong",
                        skip, total, path)
            with self._count_lock:
                self.incomplete_reads += 1

    def _page_read(self, pages: int, total: int | None) -> None:
        hook = self.on_page
        if hook is not None:
            hook(pages, total)

    def _write_or_find(self, send: Callable[[], T], find: Callable[[], T | None], what: str) -> T:
        """Send a create; when its answer is lost, look the record up and send again only if it is not there
        (at most once more, so a flaky link cannot turn into a loop) (N2)."""
        for attempt in (1, 2):
            try:
                return send()
            except errors.AmbiguousWrite:
                found = find()
                if found is not None:
                    log.info("%s was not confirmed, but Hike has it: using it", what)
                    return found
                if attempt == 2:
                    raise
                log.info("%s was not confirmed and Hike does not have it: sending it again", what)
        raise AssertionError("unreachable")

    # -- small lists ------------------------------------------------------------------------------------------
    def outlets(self, *, include_inactive: bool = False) -> list[HikeOutlet]:
        """Active outlets (``outlets/get_all_active`` [D]); all of them with ``include_inactive``."""
        path = "outlets/get_all" if include_inactive else "outlets/get_all_active"
        return [HikeOutlet.from_api(d) for d in self._pages(path)]

    def registers(self) -> list[HikeRegister]:
        return [HikeRegister.from_api(d) for d in self._pages("outlets/get_Registers_all")]  # [C] spelled so

    def taxes(self) -> list[HikeTax]:
        return [HikeTax.from_api(d) for d in self._pages("taxes/get_all")]

    def payment_types(self) -> list[HikePaymentType]:
        return [HikePaymentType.from_api(d) for d in self._pages("payment_types/get_all")]

    def product_types(self) -> list[HikeProductType]:
        return [HikeProductType.from_api(d) for d in self._pages("product_types/get_all")]

    def brands(self) -> list[HikeBrand]:
        return [HikeBrand.from_api(d) for d in self._pages("brands/get_all")]  # [I] path (docs: page names only)

    def find_brand(self, name: str) -> HikeBrand | None:
        return next((b for b in self.brands() if _same(b.name, name)), None)

    def create_brand(self, name: str) -> HikeBrand:
        name = name.strip()

        def send() -> HikeBrand:
            try:
                return HikeBrand.from_api(self._post("brands/create", {"name": name}))
            except errors.Conflict:
                found = self.find_brand(name)
                if found is None:
                    raise
                return found

        return self._write_or_find(send, lambda: self.find_brand(name), f"Brand {name!r}")

    # -- products ---------------------------------------------------------------------------------------------
    def products(self, *, since: datetime | None = None, filter: str | None = None,
                 page_size: int | None = None) -> Iterator[HikeProduct]:
        """Every product (changed since ``since`` via ``Sync_From`` [C]), variant parents with their variants.

        Variant rows (``parentId`` set) are never yielded on their own: a parent carries them. A variant that
        changed while its parent is not in the list [I] makes the client fetch and yield the parent once at the
        end. A parent that lists no ``product_variants`` gets them built from its child rows [I].
        """
        params = _query(Sync_From=since, Filter=filter)
        yielded: set[int] = set()
        orphans: dict[int, list[dict]] = {}  # parent id -> child rows seen before (or without) their parent
        bare_parents: dict[int, dict] = {}  # has_variants but no product_variants embedded
        for row in self._pages("products/get_all", params, page_size):
            f = Fields(row)
            pid, parent_id = f.int("id"), f.int("parentId", "parent_id") or None
            if parent_id:
                if parent_id not in yielded:
                    orphans.setdefault(parent_id, []).append(row)
                continue
            if not self._readable(HIKE_PRODUCT, "product", row):
                yielded.add(pid)  # its variant rows are not fetched on their own either
                continue
            if pid in yielded or pid in bare_parents:
                continue  # the same row twice: offset paging over a list that changed meanwhile
            if f.bool("has_variants") and not f.list("product_variants"):
                bare_parents[pid] = row
                continue
            yielded.add(pid)
            orphans.pop(pid, None)
            yield HikeProduct.from_api(row)
        for pid, row in bare_parents.items():
            yielded.add(pid)
            yield HikeProduct.from_api(row, children=orphans.pop(pid, []))
        for parent_id, kids in orphans.items():
            if parent_id in yielded:
                continue
            raw = self._get_or_none(f"products/get/{parent_id}")
            if isinstance(raw, Mapping) and self._readable(HIKE_PRODUCT, "product", raw):
                yielded.add(parent_id)
                yield HikeProduct.from_api(raw, children=kids)

    def product(self, product_id: int) -> HikeProduct | None:
        """One product row by id (``products/get/{id}`` [C]); a variant id gives the variant's own row."""
        raw = self._get_or_none(f"products/get/{int(product_id)}")
        return HikeProduct.from_api(self._required(HIKE_PRODUCT, raw)) if isinstance(raw, Mapping) else None

    def find_product_by_sku(self, sku: str, *, page_size: int | None = None) -> HikeProduct | None:
        """The product that owns ``sku`` (for a variant SKU: its parent, carrying the variant), or None.

        [C]/[I] choice: ``Filter`` (free text over name, SKU and barcode, used by public clients) with an exact,
        case-insensitive match here, rather than ``products/by_sku`` whose parameter name is unknown.
        """
        wanted = (sku or "").strip()
        if not wanted:
            return None
        for row in self._pages("products/get_all", {"Filter": wanted}, page_size):
            f = Fields(row)
            parent_id = f.int("parentId", "parent_id") or None
            if _same(f.str("sku"), wanted):
                if parent_id:
                    return self.product(parent_id) or HikeProduct.from_api(row)
                return HikeProduct.from_api(self._required(HIKE_PRODUCT, row))
            if any(isinstance(v, Mapping) and _same(Fields(v).str("sku"), wanted)
                   for v in f.list("product_variants")):
                return HikeProduct.from_api(self._required(HIKE_PRODUCT, row))
        return None

    def save_product(self, payload: Mapping[str, Any]) -> HikeProduct:
        """Create (no ``id``) or update (with ``id``) one product through ``products/create`` [D]; raises."""
        result = self.save_products([payload])[0]
        if result.error is not None:
            raise result.error
        assert result.product is not None
        return result.product

    def save_products(self, payloads: Sequence[Mapping[str, Any]]) -> list[ProductSaveResult]:
        """Create or update products in batches of at most 50 [D]; one result per payload, in order.

        A batch Hike refuses as invalid (422) is sent again one product at a time, so one bad record (say, a
        duplicate SKU) does not hold back the others and each gets its own error [I: whether Hike applies part
        of a refused batch is unknown; SKUs are unique in Hike, so a resent create cannot double]. A batch whose
        answer was lost is resolved by looking each new product up by SKU before anything is resent (N2). A
        failure that stops the run (sign-in, API limits, network) is recorded on every product not yet saved.
        """
        results = [ProductSaveResult(p) for p in payloads]
        for batch in _by_body_size(results):
            try:
                self._save_batch(batch, resends_left=1)
            except _RUN_STOPPERS as exc:
                for r in results:
                    if r.product is None and r.error is None:
                        r.error = exc
                break
        return results

    def _save_batch(self, batch: list[ProductSaveResult], resends_left: int) -> None:
        bodies = [dict(r.payload) for r in batch]
        try:
            data = self._post("products/create", bodies[0] if len(bodies) == 1 else bodies)
        except errors.AmbiguousWrite as exc:
            self._resolve_lost_batch(batch, exc, resends_left)
            return
        except (errors.ValidationFailed, errors.NotFound) as exc:
            if len(batch) == 1:
                batch[0].error = _name_record(exc, batch[0].payload)
                return
            log.info("Hike refused a batch of %d products (%s); saving them one by one", len(batch), exc.message)
            for r in batch:
                self._save_batch([r], resends_left)
            return
        saved = data if isinstance(data, list) else [data]
        rows = [HikeProduct.from_api(d) for d in saved if isinstance(d, Mapping)]
        for i, r in enumerate(batch):
            r.product = _match_saved(r.payload, rows, i)
            if r.product is None:
                r.error = errors.SyncError("Hike accepted the product but did not send it back; it will be checked "
                                           "on the next sync pass.", store=STORE)

    def _resolve_lost_batch(self, batch: list[ProductSaveResult], exc: errors.AmbiguousWrite,
                            resends_left: int) -> None:
        resend: list[ProductSaveResult] = []
        for r in batch:
            if to_int(r.payload.get("id")):
                resend.append(r)  # an update: sending the same values again changes nothing more
                continue
            skus = _payload_skus(r.payload)
            if not skus:
                r.error = exc  # nothing to look it up by: leave it for a person rather than risk a duplicate
                continue
            found = self.find_product_by_sku(skus[0])
            if found is not None:
                log.info("Create of SKU %s was not confirmed, but Hike has it (id %s)", skus[0], found.id)
                r.product = found
            else:
                resend.append(r)
        if not resend:
            return
        if resends_left <= 0:
            for r in resend:
                r.error = exc
            return
        self._save_batch(resend, resends_left - 1)

    # -- inventory --------------------------------------------------------------------------------------------
    def inventory_update(self, rows: Iterable[InventoryChange | Mapping[str, Any]]) -> list[InventoryLevel]:
        """``products/inventory_update`` [D] in batches of at most 50. Absolute rows are safe to resend after a
        lost answer; a batch with deltas is not (it raises ``AmbiguousWrite``: check the outlet's stock first).
        Hike refuses it with weighted-average cost on (422) [D]."""
        bodies = [r.to_body() if isinstance(r, InventoryChange) else dict(r) for r in rows]
        out: list[InventoryLevel] = []
        for chunk in chunks(bodies, MAX_BATCH):
            absolute = all(b.get("on_hand_inventory") is not None and b.get("adjustment") is None for b in chunk)
            data = self._post("products/inventory_update", list(chunk), idempotent=absolute)
            for d in data if isinstance(data, list) else [data] if isinstance(data, Mapping) else []:
                f = Fields(d)
                out.append(InventoryLevel(f.int("product_id"), f.str("sku"), HikeOutletStock.from_api(d), dict(d)))
        return out

    # -- customers --------------------------------------------------------------------------------------------
    def customers(self, *, since: datetime | None = None, filter: str | None = None,
                  page_size: int | None = None) -> Iterator[HikeCustomer]:
        """Every customer; ``since`` sends ``Sync_From`` ([I] for customers: documented for products only, so
        callers must not rely on it to see every change)."""
        params = _query(Sync_From=since, Filter=filter)
        rows = self._pages("customers/get_all", params, page_size)
        # a search (``filter``) is a lookup before a create: a match it cannot read fails that record instead
        readable = (self._required(HIKE_CUSTOMER, d) for d in rows) if filter else \
            (d for d in rows if self._readable(HIKE_CUSTOMER, "customer", d))
        yield from _once_each(HikeCustomer.from_api(d) for d in readable)

    def customer(self, customer_id: int) -> HikeCustomer | None:
        raw = self._get_or_none(f"customers/get/{int(customer_id)}")
        return HikeCustomer.from_api(self._required(HIKE_CUSTOMER, raw)) if isinstance(raw, Mapping) else None

    def find_customers_by_email(self, email: str) -> list[HikeCustomer]:
        """Customers whose email equals ``email`` (case-insensitive), via a ``Filter`` search [C]. Email is not
        unique in Hike [I], so this may return several."""
        wanted = (email or "").strip()
        if not wanted:
            return []
        return [c for c in self.customers(filter=wanted) if _same(c.email, wanted)]

    def find_customer_by_email(self, email: str) -> HikeCustomer | None:
        """The one customer with this email, or None; several raise ``Conflict`` (C.8: never merge them)."""
        found = self.find_customers_by_email(email)
        if len(found) > 1:
            ids = ", ".join(str(c.id) for c in found)
            raise errors.Conflict(f"{len(found)} Hike customers have the email {email.strip()} (ids {ids}); merge "
                                  "them in Hike or give them different emails.", store=STORE, field="email",
                                  value=email.strip())
        return found[0] if found else None

    def save_customer(self, payload: Mapping[str, Any]) -> HikeCustomer:
        """``customers/createOrUpdate`` [C]: create without ``id``, update with it. A create whose answer was
        lost is looked up by email (and first name) before it is sent again."""
        body = dict(payload)
        if to_int(body.get("id")):
            # [I] an update sends the same values again safely, so a lost answer may be retried
            return HikeCustomer.from_api(self._post("customers/createOrUpdate", body, idempotent=True))

        def find() -> HikeCustomer | None:
            if not body.get("email"):
                return None
            matches = [c for c in self.find_customers_by_email(str(body["email"]))
                       if _same(c.first_name, body.get("first_name"))]
            return matches[0] if len(matches) == 1 else None

        def send() -> HikeCustomer:
            return HikeCustomer.from_api(self._post("customers/createOrUpdate", body))

        if not body.get("email"):
            return send()
        return self._write_or_find(send, find, "Customer create")

    # -- sales ------------------------------------------------------------------------------------------------
    def sales(self, since: datetime | None = None, until: datetime | None = None, *,
              modified_since: datetime | None = None, filter: str | None = None,
              page_size: int | None = None) -> Iterator[HikeSale]:
        """Sales by transaction time (``invoice_range_from``/``_to`` [C]), oldest first (``Sorting=
        transactionDate`` [C]); ``modified_since`` sends ``Sync_From`` instead ([I] for sales), to see status
        changes of older sales."""
        params = _query(Sorting="transactionDate", invoice_range_from=since, invoice_range_to=until,
                        Sync_From=modified_since, Filter=filter)
        rows = self._pages("sales/get_all", params, page_size)
        readable = (self._required(HIKE_SALE, d) for d in rows) if filter else \
            (d for d in rows if self._readable(HIKE_SALE, "sale", d))
        yield from _once_each(HikeSale.from_api(d) for d in readable)

    def sale(self, sale_id: int) -> HikeSale | None:
        raw = self._get_or_none(f"sales/get/{int(sale_id)}")  # [I] path
        return HikeSale.from_api(self._required(HIKE_SALE, raw)) if isinstance(raw, Mapping) else None

    def find_sale_by_number(self, number: str) -> HikeSale | None:
        wanted = str(number).strip()
        if not wanted:
            return None
        return next((s for s in self.sales(filter=wanted) if _same(s.number, wanted)), None)

    def create_sale(self, payload: Mapping[str, Any]) -> HikeSale:
        """``sales/create`` [C] without ``id``. Give it a ``number`` (the BigCommerce order number): a create whose
        answer was lost is looked up by that number before it is sent again (N2); without one it raises
        ``AmbiguousWrite``."""
        body = dict(payload)
        body.pop("id", None)

        def send() -> HikeSale:
            return HikeSale.from_api(self._post("sales/create", body))

        number = str(body.get("number") or "").strip()
        if not number:
            return send()
        return self._write_or_find(send, lambda: self.find_sale_by_number(number), f"Sale {number}")

    def update_sale(self, sale_id: int, *, status: int | None = None,
                    payments: Sequence[Mapping[str, Any]] | None = None, **fields: Any) -> HikeSale:
        """Change a sale's status and/or payments (``sales/create`` with ``id`` [C]). A lost answer is checked by
        reading the sale back; it is sent again only when the change is not there."""
        body: dict[str, Any] = {"id": int(sale_id), **fields}
        if status is not None:
            body["status"] = int(status)
        if payments is not None:
            body["invoicePayments"] = [dict(p) for p in payments]

        def applied() -> HikeSale | None:
            sale = self.sale(sale_id)
            if sale is None or (status is not None and sale.status != int(status)):
                return None
            if payments is not None:
                wanted = sum((Decimal(str(p.get("amount", 0))) for p in payments), Decimal(0))
                if sum((p.amount for p in sale.payments), Decimal(0)) != wanted:
                    return None
            return sale

        return self._write_or_find(lambda: HikeSale.from_api(self._post("sales/create", body)), applied,
                                   f"Update of sale {sale_id}")

    def register_closures(self, since: datetime | None = None, until: datetime | None = None, *,
                          page_size: int | None = None) -> Iterator[HikeRegisterClosure]:
        """Register closures (shift reports) closed in the range (``closure_range_from``/``_to`` [C])."""
        params = _query(closure_range_from=since, closure_range_to=until)
        for d in self._pages("registerClosures/get_all", params, page_size):
            yield HikeRegisterClosure.from_api(d)


# ---------------------------------------------------------------------------------------------------------
# helpers
def _query(**params: Any) -> dict[str, Any]:
    """A list's query: the parameters given (None and "" left out), times in the form Hike reads."""
    return {name: format_net_datetime(value) if isinstance(value, datetime) else value
            for name, value in params.items() if value is not None and value != ""}


def _once_each(records: Iterable[R]) -> Iterator[R]:
    """Each record once: offset paging over a list that changes meanwhile can serve a row twice."""
    seen: set[int] = set()
    for record in records:
        if record.id not in seen:
            seen.add(record.id)
            yield record


def _envelope(data: Any, skip: int, total: int | None) -> tuple[list[dict], bool, int | None]:
    """``{"items", "totalCount", "next"}`` [C] (also inside ABP's ``result``, or a bare list [I]) -> the items,
    whether Hike says more follow (``next``; without the key, ``totalCount`` beyond the rows read so far), and the
    total (the last one seen)."""
    if isinstance(data, Mapping) and isinstance(data.get("result"), (Mapping, list)) and "items" not in data:
        data = data["result"]
    if isinstance(data, list):
        return [d for d in data if isinstance(d, Mapping)], False, total
    if not isinstance(data, Mapping):
        raise errors.Transient("Hike sent a list in a shape this app does not know; the next sync pass will try "
                               "again.", store=STORE)
    f = Fields(data)
    items = [d for d in f.list("items") if isinstance(d, Mapping)]
    reported = f.int("totalCount", "total_count")
    total = reported if reported is not None else total
    if any(str(k).lower() == "next" for k in data):
        return items, bool(f.get("next")), total
    return items, total is not None and skip + len(items) < total, total


def _by_body_size(results: list[ProductSaveResult]) -> list[list[ProductSaveResult]]:
    """Batches of at most ``MAX_BATCH`` products and ``MAX_BODY_BYTES`` of JSON (a product larger than that alone
    goes in a batch of its own, for Hike to accept or name)."""
    batches: list[list[ProductSaveResult]] = [[]]
    size = 0
    for r in results:
        length = len(encode_json(r.payload))
        if batches[-1] and (len(batches[-1]) == MAX_BATCH or size + length > MAX_BODY_BYTES):
            batches.append([])
            size = 0
        batches[-1].append(r)
        size += length
    return [b for b in batches if b]


def _payload_skus(payload: Mapping[str, Any]) -> list[str]:
    skus = [str(payload.get("sku") or "").strip()]
    for v in payload.get("product_variants") or []:
        if isinstance(v, Mapping):
            skus.append(str(v.get("sku") or "").strip())
    return [s for s in skus if s]


def _match_saved(payload: Mapping[str, Any], rows: list[HikeProduct], index: int) -> HikeProduct | None:
    pid = to_int(payload.get("id"))
    if pid:
        hit = next((r for r in rows if r.id == pid), None)
        if hit is not None:
            return hit
    skus = _payload_skus(payload)
    if skus:
        hit = next((r for r in rows if any(_same(s, skus[0]) for s in r.skus)), None)
        if hit is not None:
            return hit
    return rows[index] if index < len(rows) else None  # [I] answers come in request order


def _refine_validation(exc: errors.ValidationFailed) -> errors.ValidationFailed:
    """A duplicate SKU or barcode (C.1: Hike allows neither) becomes ``Conflict`` naming the value."""
    text = exc.message
    if isinstance(exc, errors.Conflict) or "duplicate" not in text.lower():
        return exc
    label = "barcode" if "barcode" in text.lower() and "sku" not in text.lower() else "SKU"
    value = exc.value
    message = text if value is None or str(value) in text else f"{text} ({label} {value})"
    return errors.Conflict(f"Hike already has this {label}: {message}", store=STORE, status=exc.status,
                           field=exc.field or label.lower(), value=value)


def _name_record(exc: errors.SyncError, payload: Mapping[str, Any]) -> errors.SyncError:
    """Make sure a per-record error says which product it is about."""
    sku = str(payload.get("sku") or "").strip()
    name = str(payload.get("name") or "").strip()
    label = f"SKU {sku}" if sku else (f"'{name}'" if name else "")
    if not label or (sku and sku in exc.message) or (not sku and name in exc.message):
        return exc
    kind = type(exc)
    return kind(f"{label}: {exc.message}", store=exc.store, status=exc.status, field=exc.field, value=exc.value,
                retry_after_s=exc.retry_after_s)

