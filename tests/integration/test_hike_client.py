"""The Hike client over real HTTP against the local Hike emulator (desktop.sandbox.hike).

Rule ids: C1 sign-in and token refresh, N2 no duplicate after a lost answer, N3 rate limits, N4 faults.
The module shares one emulator server on a free port; each test gets a fresh store (the demo seed loads in a
few ms) and an in-memory keyring. The sign-in tests complete the emulator's HTML pages with httpx, as a person
would in a browser. Nothing sleeps to wait for a thread: the loopback redirect completes before the client
waits for it, and rate-limit windows run on the emulator's compressed clock.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

from desktop.sandbox import hike_seed
from desktop.sandbox.browser import forms_of
from desktop.sandbox.hike import HikeEmulator
from desktop.sandbox.server import RunningServer
from desktop.storage.credentials import Credentials, HikeTokens
from desktop.sync import errors
from desktop.sync.addresses import hike_api_base
from desktop.sync.hike import HikeClient, InventoryChange, hike_governor
from desktop.sync.hike_models import (
    HikeProduct, SaleStatus, describe_hike_error, format_net_datetime, parse_net_datetime, to_decimal,
)
from desktop.sync.hike_oauth import RECONNECT_MESSAGE, OAuthDenied, OAuthError, sign_in, tokens_from_response
from desktop.sync.http import HikeGovernor, RetryPolicy
from tests.keyrings import MemoryKeyring

CLIENT_ID, CLIENT_SECRET = "sandbox-hike-app", "sandbox-hike-secret"
USERNAME, PASSWORD = "manager@sandbox.hike", "sandbox"
FAST_RETRY = RetryPolicy(max_attempts=6, base_delay_s=0.01, max_delay_s=0.05)


# ---------------------------------------------------------------------------------------------------------
# fixtures
class Sandbox:
    """One emulator server for the module (a server takes half a second to stop); ``fresh`` gives each test a
    clean store: default settings, no faults, an empty request log, the demo seed and a real-time clock."""

    def __init__(self):
        self.emulator = HikeEmulator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, username=USERNAME,
                                     password=PASSWORD, rate_limit=False)
        self.server = RunningServer(self.emulator)
        self.url = self.server.base_url
        self.ctl = httpx.Client(base_url=self.url + "/__emulator/", timeout=10)

    def fresh(self) -> "Sandbox":
        self.emulator.reset()
        self.emulator.load_seed(hike_seed.demo())
        self.control("clock", {"time_scale": 1})
        return self

    def control(self, path: str, body: dict | None = None) -> dict:
        response = self.ctl.post(path, json=body or {})
        assert response.status_code == 200, response.text
        return response.json()

    def requests(self, clear: bool = False) -> list[dict]:
        return self.ctl.get("requests", params={"clear": 1} if clear else None).json()["requests"]

    def api_requests(self, fragment: str = "/api/") -> list[dict]:
        return [r for r in self.requests() if fragment in r["path"]]

    def issue_tokens(self, credentials: Credentials) -> HikeTokens:
        tokens = tokens_from_response(self.control("tokens/issue"))
        credentials.save_hike_tokens(tokens, store(self))
        return tokens

    def now(self) -> datetime:
        return datetime.fromisoformat(self.ctl.get("clock").json()["now"])

    def stop(self) -> None:
        self.ctl.close()
        self.server.stop()


def store(box: Sandbox) -> str:
    """The identity the client keeps its tokens under: its checked base address."""
    return hike_api_base(box.url)


@pytest.fixture(scope="module")
def shared_sandbox():
    box = Sandbox()
    yield box
    box.stop()


@pytest.fixture
def sandbox(shared_sandbox):
    return shared_sandbox.fresh()


@pytest.fixture
def credentials() -> Credentials:
    return Credentials("test", backend=MemoryKeyring())


def make_client(box: Sandbox, credentials: Credentials, **kwargs) -> HikeClient:
    kwargs.setdefault("governor", HikeGovernor(per_minute=100_000, per_day=1_000_000))
    kwargs.setdefault("retry", FAST_RETRY)
    return HikeClient(box.url, CLIENT_ID, CLIENT_SECRET, credentials, **kwargs)


@pytest.fixture
def client(sandbox, credentials):
    sandbox.issue_tokens(credentials)
    c = make_client(sandbox, credentials)
    yield c
    c.close()


def new_product(sku: str, name: str | None = None, price: str = "20.00") -> dict:
    return {"name": name or f"Test {sku}", "sku": sku, "track_inventory": True,
            "product_outlets": [{"outlet_id": 1, "price_ex_tax": Decimal(price), "cost_price": Decimal("8.50"),
                                 "on_hand_inventory": 5}],
            "sales_channels": [{"sales_channels": "1"}, {"sales_channels": "2"}]}


def rows_with_sku(box: Sandbox, sku: str) -> list[int]:
    return [p["id"] for p in box.emulator.products.values() if (p["sku"] or "").lower() == sku.lower()]


# ---------------------------------------------------------------------------------------------------------
# a person in a browser
class Person:
    """Completes Hike's sign-in and consent pages the way a person would, then follows the redirect home."""

    def __init__(self, decision: str = "allow", tamper_state: bool = False):
        self.decision = decision
        self.tamper_state = tamper_state
        self.final_page: httpx.Response | None = None
        self.seen_url: str | None = None

    def __call__(self, url: str) -> None:
        self.seen_url = url
        if self.tamper_state:  # an attacker's link: same app, someone else's state
            url = url.replace("state=", "state=forged")
        with httpx.Client(timeout=10, follow_redirects=False) as browser:
            page = browser.get(url)
            assert page.status_code == 200, page.text
            (login,) = forms_of(page)
            fields = dict(login["fields"], username=USERNAME, password=PASSWORD)
            page = browser.post(urljoin(url, login["action"]), data=fields)
            assert page.status_code == 200 and "Allow access?" in page.text
            choice = next(f for f in forms_of(page) if f["fields"].get("decision") == self.decision)
            page = browser.post(urljoin(url, choice["action"]), data=choice["fields"])
            assert page.status_code == 302
            self.final_page = browser.get(page.headers["Location"])  # the browser lands on our loopback page


# ---------------------------------------------------------------------------------------------------------
# C1: sign-in
def test_c1_sign_in_through_the_loopback_receiver_completes_the_hike_form(sandbox, credentials):
    person = Person()
    tokens = sign_in(sandbox.url, CLIENT_ID, CLIENT_SECRET, person, timeout_s=10)
    query = {k: v[0] for k, v in parse_qs(urlsplit(person.seen_url).query).items()}
    assert query["redirect_uri"].startswith("http://127.0.0.1:") and query["scope"] == "all"
    assert len(query["state"]) >= 30
    assert person.final_page.status_code == 200
    assert "You can close this window and return to Hike \u2194 BigCommerce Sync" in person.final_page.text
    assert tokens.expires_at > datetime.now(timezone.utc) + timedelta(minutes=50)
    credentials.save_hike_tokens(tokens, store(sandbox))
    with make_client(sandbox, credentials) as client:
        assert [o.name for o in client.outlets()] == ["Main Street", "Harbour Mall", "Online Store"]
    token_calls = [r for r in sandbox.requests() if r["path"] == "/oauth/token"]
    assert len(token_calls) == 1 and token_calls[0]["content_type"] == "application/x-www-form-urlencoded"


def test_c1_denied_consent_raises_oauth_denied(sandbox):
    person = Person(decision="deny")
    with pytest.raises(OAuthDenied):
        sign_in(sandbox.url, CLIENT_ID, CLIENT_SECRET, person, timeout_s=10)
    assert "not allowed" in person.final_page.text
    assert not [r for r in sandbox.requests() if r["path"] == "/oauth/token"]


def test_c1_state_mismatch_is_refused_and_no_code_is_exchanged(sandbox):
    person = Person(tamper_state=True)
    with pytest.raises(OAuthError, match="state mismatch"):
        sign_in(sandbox.url, CLIENT_ID, CLIENT_SECRET, person, timeout_s=10)
    assert person.final_page.status_code == 400
    assert not [r for r in sandbox.requests() if r["path"] == "/oauth/token"]


def test_c1_wrong_client_secret_is_named(sandbox):
    with pytest.raises(OAuthError, match="client id or client secret"):
        sign_in(sandbox.url, CLIENT_ID, "not-the-secret", Person(), timeout_s=10)


# C1: refresh
def test_c1_expired_access_token_401_refresh_then_retry(sandbox, credentials, client):
    old = credentials.load_hike_tokens(store(sandbox))
    sandbox.control("tokens/expire", {"which": "access"})
    assert len(client.taxes()) == 2
    assert client.stats["token_refreshes"] == 1
    statuses = [r["status"] for r in sandbox.api_requests("taxes")]
    assert statuses == [401, 200]
    saved = credentials.load_hike_tokens(store(sandbox))
    assert saved.access_token != old.access_token
    assert len(client.taxes()) == 2 and client.stats["token_refreshes"] == 1  # the new token is used from now on


def test_c1_concurrent_401s_refresh_once_even_with_rotation(sandbox, credentials, client):
    """Several sync threads meet the expired token at once: one refresh, everyone retries with its result
    (a second refresh with the rotated-away refresh token would be refused and force a reconnect)."""
    sandbox.control("tokens/expire", {"which": "access"})
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: len(client.taxes()), range(6)))
    assert answers == [2] * 6
    assert client.stats["token_refreshes"] == 1
    assert len([r for r in sandbox.requests() if r["path"] == "/oauth/token"]) == 1


def test_c1_refresh_over_a_transport_shared_with_the_api(sandbox, credentials):
    sandbox.issue_tokens(credentials)
    with make_client(sandbox, credentials, transport=httpx.HTTPTransport()) as client:
        for _ in range(2):
            sandbox.control("tokens/expire", {"which": "access"})
            assert len(client.taxes()) == 2
        assert client.stats["token_refreshes"] == 2


def test_c1_token_close_to_expiry_is_refreshed_before_the_call(sandbox, credentials):
    tokens = sandbox.issue_tokens(credentials)
    credentials.save_hike_tokens(HikeTokens(tokens.access_token, tokens.refresh_token,
                                            datetime.now(timezone.utc) + timedelta(seconds=60)), store(sandbox))
    with make_client(sandbox, credentials, refresh_margin_s=300) as client:
        client.outlets()
        assert client.stats["token_refreshes"] == 1
    assert [r["status"] for r in sandbox.api_requests()] == [200]  # no 401 first
    assert credentials.load_hike_tokens(store(sandbox)).expires_at > datetime.now(timezone.utc) + timedelta(minutes=50)


def test_c1_revoked_refresh_token_means_reconnect(sandbox, client):
    sandbox.control("tokens/revoke")
    with pytest.raises(errors.ReconnectNeeded) as info:
        client.outlets()
    assert info.value.message == RECONNECT_MESSAGE


def test_c1_missing_sign_in_means_reconnect(sandbox):
    with make_client(sandbox, Credentials("empty", backend=MemoryKeyring())) as client:
        with pytest.raises(errors.ReconnectNeeded, match="No Hike sign-in is stored"):
            client.outlets()
    assert sandbox.api_requests() == []


def test_c1_rotation_off_keeps_the_old_refresh_token(sandbox, credentials, client):
    sandbox.control("settings", {"rotate_refresh": False})
    first = credentials.load_hike_tokens(store(sandbox))
    for _ in range(2):  # refreshing twice with the same refresh token works when Hike does not rotate
        sandbox.control("tokens/expire", {"which": "access"})
        client.outlets()
    saved = credentials.load_hike_tokens(store(sandbox))
    assert client.stats["token_refreshes"] == 2
    assert saved.refresh_token == first.refresh_token and saved.access_token != first.access_token


def test_c1_rotation_on_saves_the_new_refresh_token(sandbox, credentials, client):
    first = credentials.load_hike_tokens(store(sandbox))
    sandbox.control("tokens/expire", {"which": "access"})
    client.outlets()
    saved = credentials.load_hike_tokens(store(sandbox))
    assert saved.refresh_token != first.refresh_token
    sandbox.control("tokens/expire", {"which": "access"})
    client.outlets()  # the rotated token refreshes again
    assert client.stats["token_refreshes"] == 2


# ---------------------------------------------------------------------------------------------------------
# lists
def test_paging_keeps_sync_from_on_every_page(sandbox, client):
    cutoff = sandbox.now() + timedelta(seconds=30)
    sandbox.control("clock", {"advance_s": 60})
    changed = [p for p in client.products() if not p.variants][:9]
    client.save_products([{"id": p.id, "description": "changed"} for p in changed])
    sandbox.requests(clear=True)
    listed = list(client.products(since=cutoff, page_size=2))
    assert sorted(p.id for p in listed) == sorted(p.id for p in changed)
    calls = sandbox.api_requests("products/get_all")
    assert len(calls) == 5
    for i, call in enumerate(calls):
        assert parse_net_datetime(call["query"]["Sync_From"]) == cutoff
        assert call["query"]["page_size"] == "2" and call["query"]["Skip_count"] == str(2 * i)


def test_paging_walks_every_page_without_gaps_or_repeats(sandbox, client):
    total = len(sandbox.emulator.customers)
    ids = [c.id for c in client.customers(page_size=7)]
    assert len(ids) == len(set(ids)) == total > 7
    assert len(sandbox.api_requests("customers/get_all")) == -(-total // 7)


def test_n5_products_capped_with_a_wrong_total_count_are_read_to_the_end_and_flagged(sandbox, client, caplog):
    """N5 / finding 13: Hike serves 40 rows a page when 120 were asked and reports a totalCount 25 short: the
    client follows ``next`` to the end (advancing by the rows served, asking 120 every time), logs the mismatch
    and flags the read incomplete."""
    everything = sorted(p.id for p in client.products(page_size=120))
    rows = len(sandbox.emulator.products)
    sandbox.control("paging", {"page_cap": 40, "total_offset": -25, "path": "products/get_all"})
    sandbox.requests(clear=True)
    assert sorted(p.id for p in client.products(page_size=120)) == everything
    calls = sandbox.api_requests("products/get_all")
    assert [c["query"]["Skip_count"] for c in calls] == [str(40 * i) for i in range(len(calls))]
    assert all(c["query"]["page_size"] == "120" for c in calls) and len(calls) == -(-rows // 40)
    assert client.incomplete_reads == 1
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert f"{rows} of {rows - 25}" in warning and "products/get_all" in warning


def test_n5_without_next_a_short_page_is_not_the_end_while_total_count_says_more(sandbox, client):
    """N5 / finding 13: with no ``next`` in the answers, the read goes on while ``totalCount`` says there is more,
    whatever the page length; an honest count leaves the read unflagged."""
    total = len(sandbox.emulator.customers)
    sandbox.control("paging", {"page_cap": 7, "links": False})
    assert len({c.id for c in client.customers(page_size=50)}) == total > 7
    assert client.incomplete_reads == 0


def test_variant_products_are_merged_into_their_parents(sandbox, client):
    products = list(client.products(page_size=120))
    counts = sandbox.emulator.counts()
    child_ids = {p["id"] for p in sandbox.emulator.products.values() if p["parentId"]}
    assert len(products) == counts["product_rows"] - counts["variant_rows"]
    assert len({p.id for p in products}) == len(products)
    assert not child_ids & {p.id for p in products}
    assert sum(len(p.variants) for p in products) == counts["variant_rows"]
    parent = next(p for p in products if p.variants)
    assert parent.has_variants and all(v.name.startswith(parent.name + " / ") for v in parent.variants)
    variant = parent.variants[0]
    assert variant.sku and variant.outlets and isinstance(variant.outlets[0].price_inc_tax, Decimal)
    assert all(isinstance(o.on_hand, Decimal) for o in parent.outlets)
    (only_child,) = list(client.products(filter=variant.sku))  # the list holds the variant's row alone:
    assert only_child.id == parent.id and len(only_child.variants) == len(parent.variants)  # parent fetched
    found = client.find_product_by_sku(variant.sku.upper())  # SKUs match case-insensitively
    assert found.id == parent.id and found.variant_by_sku(variant.sku).id == variant.id
    assert client.find_product_by_sku("NO-SUCH-SKU-000") is None


def test_lookups_and_small_lists(sandbox, client):
    assert {t.name: t.rate for t in client.taxes()} == {"GST": Decimal("10"), "No Tax": Decimal("0")}
    assert [r.outlet_id for r in client.registers()] == [r["outletID"] for r in sandbox.emulator.registers.values()]
    assert "BigCommerce" in {p.name for p in client.payment_types()}
    assert {t.name for t in client.product_types()} == {t["name"] for t in sandbox.emulator.product_types.values()}
    brand = client.create_brand("Test Brand Zeta")
    assert client.find_brand("TEST BRAND ZETA").id == brand.id
    assert brand.name in {b.name for b in client.brands()}
    some = next(p for p in client.products() if not p.variants)
    assert client.product(some.id).sku == some.sku
    assert client.product(999_999) is None


# ---------------------------------------------------------------------------------------------------------
# writes
def test_save_products_in_batches_of_50_create_and_update(sandbox, client):
    payloads = [new_product(f"BATCH-{i:03d}") for i in range(60)]
    results = client.save_products(payloads)
    assert all(r.ok for r in results)
    assert [r.product.sku for r in results] == [p["sku"] for p in payloads]
    creates = [r for r in sandbox.api_requests("products/create")]
    assert [r["status"] for r in creates] == [201, 201]  # 50 + 10
    updated = client.save_product({"id": results[0].product.id, "name": "Renamed"})
    assert updated.name == "Renamed" and updated.sku == "BATCH-000"
    assert updated.outlet(1).price_ex_tax == Decimal("20")


def test_duplicate_sku_is_a_conflict_naming_the_sku(sandbox, client):
    taken = next(p for p in client.products() if p.variants).variants[0].sku
    with pytest.raises(errors.ValidationFailed) as info:
        client.save_product(new_product(taken))
    assert isinstance(info.value, errors.Conflict)
    assert taken in info.value.message and info.value.value == taken and info.value.field == "sku"


def test_one_duplicate_does_not_hold_back_the_rest_of_its_batch(sandbox, client):
    taken = next(p for p in client.products() if p.sku and not p.variants).sku
    results = client.save_products([new_product("FRESH-1"), new_product(taken), new_product("FRESH-2")])
    assert [r.ok for r in results] == [True, False, True]
    assert isinstance(results[1].error, errors.Conflict) and taken in results[1].error.message
    assert rows_with_sku(sandbox, "FRESH-1") and rows_with_sku(sandbox, "FRESH-2")


def test_inventory_update_absolute_and_delta_in_batches(sandbox, client):
    simple = [p for p in client.products() if not p.variants and p.track_inventory][:55]
    levels = client.inventory_update([InventoryChange(outlet_id=1, product_id=p.id, on_hand=Decimal(7))
                                      for p in simple])
    assert len(levels) == 55 and all(level.stock.on_hand == Decimal(7) for level in levels)
    assert len(sandbox.api_requests("inventory_update")) == 2
    (level,) = client.inventory_update([InventoryChange(outlet_id=1, sku=simple[0].sku, adjustment=Decimal(-2),
                                                        reason="Damaged")])
    assert level.stock.on_hand == Decimal(5) and level.product_id == simple[0].id


def test_customers_email_match_is_exact_and_case_insensitive(sandbox, client):
    first = next(iter(client.customers()))
    assert client.find_customer_by_email(first.email.upper()).id == first.id
    assert client.find_customer_by_email(first.email[1:]) is None  # Filter is a substring search; we are not
    twin = client.save_customer({"first_name": "Twin", "last_name": "Copy", "email": first.email.title()})
    assert twin.id != first.id
    assert {c.id for c in client.find_customers_by_email(first.email)} == {first.id, twin.id}
    with pytest.raises(errors.Conflict, match="2 Hike customers have the email"):
        client.find_customer_by_email(first.email)
    changed = client.save_customer({**twin.raw, "last_name": "Changed"})
    assert changed.id == twin.id and changed.last_name == "Changed"


def test_sales_create_update_and_list_since(sandbox, client):
    before = sandbox.now()
    product = next(p for p in client.products() if not p.variants and p.track_inventory)
    price = product.outlet(1).price_inc_tax
    sale = client.create_sale({
        "number": "BC-1001", "outletId": 1, "registerId": 1, "status": int(SaleStatus.PARKED),
        "doCalculation": True, "invoiceFrom": 5,
        "invoiceLineItems": [{"invoiceItemValue": product.id, "quantity": 2, "soldPrice": price}]})
    assert sale.number == "BC-1001" and sale.status == SaleStatus.PARKED and sale.net_amount == price * 2
    assert sale.lines[0].product_id == product.id and sale.lines[0].quantity == Decimal(2)
    done = client.update_sale(sale.id, status=SaleStatus.COMPLETED,
                              payments=[{"paymentOptionId": 3, "amount": sale.net_amount}])
    assert done.status_name == "Completed" and done.total_paid == sale.net_amount
    assert [s.number for s in client.sales(since=before)] == ["BC-1001"]
    assert client.find_sale_by_number("bc-1001").id == sale.id
    assert client.sale(sale.id).payments[0].amount == sale.net_amount
    assert isinstance(next(client.register_closures()).total_sales, Decimal)


# ---------------------------------------------------------------------------------------------------------
# N3: rate limits
def test_n3_burst_over_a_small_minute_quota_completes_with_few_429s(sandbox, credentials):
    sandbox.control("settings", {"rate_limit": True, "minute_quota": 5})
    sandbox.control("clock", {"time_scale": 120})  # one emulated minute passes in 0.5 s
    sandbox.issue_tokens(credentials)
    governor = hike_governor(per_minute=5, per_day=5000, time_scale=120)
    with make_client(sandbox, credentials, governor=governor) as client:
        for _ in range(16):  # over three minutes' worth of the quota, back to back
            assert len(client.taxes()) == 2
        assert client.stats["http_429"] <= 3
    statuses = [r["status"] for r in sandbox.api_requests()]
    assert statuses.count(200) == 16 and statuses.count(429) <= 3


def test_n3_daily_limit_from_hike_raises_daily_limit_reached(sandbox, client):
    sandbox.control("settings", {"rate_limit": True, "daily_quota": 3})
    for _ in range(3):
        client.taxes()
    with pytest.raises(errors.DailyLimitReached):
        client.taxes()
    assert [r["status"] for r in sandbox.api_requests()] == [200, 200, 200, 429]


def test_n3_local_daily_budget_stops_before_calling(sandbox, credentials):
    sandbox.issue_tokens(credentials)
    with make_client(sandbox, credentials, governor=HikeGovernor(per_day=3)) as client:
        for _ in range(3):
            client.taxes()
        assert client.budget().calls_left_today == 0
        with pytest.raises(errors.DailyLimitReached, match="resumes by itself"):
            client.taxes()
    assert len(sandbox.api_requests()) == 3


# ---------------------------------------------------------------------------------------------------------
# N4: faults
def test_n4_faults_on_reads_are_recovered(sandbox, credentials):
    sandbox.issue_tokens(credentials)
    sandbox.control("faults", {"path": "products/get_all", "method": "GET", "delay_s": 2,
                               "responses": ["500", "503", "timeout", "drop", "malformed"]})
    timeout = httpx.Timeout(connect=5.0, read=0.5, write=5.0, pool=5.0)
    with make_client(sandbox, credentials, timeout=timeout) as client:
        products = list(client.products(page_size=500))
        assert client.stats["retries"] == 5
    assert len(products) == sandbox.emulator.counts()["product_rows"] - sandbox.emulator.counts()["variant_rows"]


def test_n4_permanent_errors_are_not_retried(sandbox, client):
    with pytest.raises(errors.ValidationFailed, match="first_name|First name"):
        client.save_customer({"last_name": "NoFirst", "email": "nofirst@example.com"})
    assert len(sandbox.api_requests("customers/createOrUpdate")) == 1


# ---------------------------------------------------------------------------------------------------------
# N2: no duplicate after a lost answer
def test_n2_dropped_create_is_looked_up_by_sku_then_sent_once_more(sandbox, client):
    sandbox.control("faults", {"path": "products/create", "method": "POST", "responses": ["drop"]})
    product = client.save_product(new_product("LOST-ANSWER-1"))
    assert product.sku == "LOST-ANSWER-1"
    assert len(rows_with_sku(sandbox, "LOST-ANSWER-1")) == 1
    calls = [(r["method"], r["path"].rsplit("/", 1)[-1], r["status"]) for r in sandbox.api_requests()]
    assert calls == [("POST", "create", 0), ("GET", "get_all", 200), ("POST", "create", 201)]


class LoseAnswers(httpx.BaseTransport):
    """Delivers matching requests to the emulator, then loses the answer (a timeout after the server acted)."""

    def __init__(self, path_fragment: str, times: int = 1):
        self.inner = httpx.HTTPTransport()
        self.path_fragment = path_fragment
        self.left = times

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if self.left and request.method == "POST" and self.path_fragment in request.url.path:
            self.left -= 1
            response.read()
            response.close()
            raise httpx.ReadTimeout("answer lost after the server acted", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


def test_n2_create_applied_but_answer_lost_is_not_sent_again(sandbox, client):
    sandbox.control("faults", {"path": "products/create", "method": "POST", "responses": ["drop_after"]})
    results = client.save_products([new_product("APPLIED-1"), new_product("APPLIED-2")])
    assert all(r.ok for r in results) and [r.product.sku for r in results] == ["APPLIED-1", "APPLIED-2"]
    assert len(rows_with_sku(sandbox, "APPLIED-1")) == len(rows_with_sku(sandbox, "APPLIED-2")) == 1
    assert len(sandbox.api_requests("products/create")) == 1


def test_n2_create_answer_lost_to_a_client_timeout_is_not_sent_again(sandbox, credentials):
    sandbox.issue_tokens(credentials)
    with make_client(sandbox, credentials, transport=LoseAnswers("products/create")) as client:
        product = client.save_product(new_product("TIMED-OUT-1"))
    assert product.sku == "TIMED-OUT-1" and len(rows_with_sku(sandbox, "TIMED-OUT-1")) == 1
    assert len(sandbox.api_requests("products/create")) == 1


def test_n2_sale_whose_answer_was_lost_is_found_by_number(sandbox, client):
    product = next(p for p in client.products() if not p.variants and p.track_inventory)
    sandbox.control("faults", {"path": "sales/create", "method": "POST", "responses": ["drop_after", "drop_after"]})
    sale = client.create_sale({"number": "BC-2002", "outletId": 1, "registerId": 1, "status": 1,
                               "doCalculation": True,
                               "invoiceLineItems": [{"invoiceItemValue": product.id, "quantity": 1}]})
    assert sale.number == "BC-2002"
    done = client.update_sale(sale.id, status=SaleStatus.VOIDED)  # its answer is lost too: read back, not resent
    assert done.status == SaleStatus.VOIDED
    assert sum(1 for s in sandbox.emulator.sales.values() if s["number"] == "BC-2002") == 1
    assert len(sandbox.api_requests("sales/create")) == 2


def test_n2_customer_create_whose_answer_was_lost_is_found_by_email(sandbox, client):
    sandbox.control("faults", {"path": "customers/createOrUpdate", "method": "POST", "responses": ["drop_after"]})
    customer = client.save_customer({"first_name": "Lost", "last_name": "Answer", "email": "lost@example.com"})
    assert customer.email == "lost@example.com"
    assert sum(1 for c in sandbox.emulator.customers.values() if c["email"] == "lost@example.com") == 1


# ---------------------------------------------------------------------------------------------------------
# parsing (no emulator needed)
def test_net_timestamps_with_seven_digits_and_zones_become_aware_utc():
    assert parse_net_datetime("2020-10-15T10:53:20.2559969Z") == datetime(2020, 10, 15, 10, 53, 20, 255996,
                                                                          tzinfo=timezone.utc)
    assert parse_net_datetime("2020-10-15T20:53:20+10:00") == datetime(2020, 10, 15, 10, 53, 20, tzinfo=timezone.utc)
    assert parse_net_datetime("2020-10-15T10:53:20") == datetime(2020, 10, 15, 10, 53, 20, tzinfo=timezone.utc)
    assert parse_net_datetime("0001-01-01T00:00:00") is None and parse_net_datetime(None) is None
    assert format_net_datetime(datetime(2024, 5, 1, 13, 4, 5, tzinfo=timezone(timedelta(hours=10)))) == \
        "2024-05-01T03:04:05.000000Z"


def test_money_is_decimal_from_the_json_text():
    assert to_decimal(0.1) == Decimal("0.1") and to_decimal(Decimal("19.99")) == Decimal("19.99")
    assert to_decimal("12.50") == Decimal("12.50") and to_decimal(None) is None and to_decimal("n/a") is None
    product = HikeProduct.from_api({"id": 1, "name": "X", "isActive": True, "product_outlets": [
        {"outlet_id": 1, "price_inc_tax": 110.1, "on_hand_inventory": 3, "reserved_inventory": 1}]})
    assert product.outlet(1).price_inc_tax == Decimal("110.1") and product.outlet(1).available == Decimal(2)


def _response(status: int, **kwargs) -> httpx.Response:
    return httpx.Response(status, request=httpx.Request("POST", "https://api.hikeup.com/api/v1/x"), **kwargs)


def test_error_describer_reads_abp_errors_lists_and_text():
    abp = describe_hike_error(_response(422, json={"success": False, "error": {
        "code": 0, "message": "Your request is not valid!", "details": None, "validationErrors": [
            {"message": "Duplicate SKU: 'ABC-1' is already used by product 7 (Tee).", "members": ["[2].sku"]}]}}))
    assert (abp.field, abp.value) == ("sku", "ABC-1") and "ABC-1" in abp.message
    top = describe_hike_error(_response(422, json={"errors": [{"field": "barcode", "message": "Duplicate barcode"}]}))
    assert (top.message, top.field) == ("Duplicate barcode", "barcode")
    model_state = describe_hike_error(_response(400, json={"errors": {"Email": ["The Email field is not valid."]}}))
    assert model_state.field == "Email" and "not valid" in model_state.message
    limited = describe_hike_error(_response(429, text="oauth_problem=rate limit exceeded&oauth_problem_advice="
                                                      "please wait before retrying the Hike api"))
    assert limited.message.startswith("rate limit exceeded")
    page = describe_hike_error(_response(500, text="<html><body><h1>Server Error</h1></body></html>"))
    assert page.message == "Server Error"
    bare = describe_hike_error(_response(404, text=""))
    assert bare.message == "Not Found"
