"""The four entity passes (products, customers, orders, sales) through the ``EntityPass`` protocol, with small fakes
of the two clients in place of the sandbox stores: what each one plans for a new record on one side and for a
linked record that changed, and that a refusal or a record held back is written down once (D4, D7, D8, D10, S10,
S15). The end-to-end behaviour is covered against the emulators in ``tests/integration/test_engine_*.py``."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any

from desktop.storage.models import Cursor, Link, LogEntry, PendingWork, set_preference
from desktop.sync import errors, mapping, orders, passes, sales
from desktop.sync.bigcommerce import BCCustomer, BCOrder, BCOrderLine, BCProduct
from desktop.sync.entity_pass import EntityPass, PassRun
from desktop.sync.hike_models import HikeCustomer, HikeProduct, HikeSale
from desktop.sync.journal import Journal, set_cursor
from desktop.sync.registry import CustomerPass, OrderPass, ProductPass, SalePass
from desktop.sync.settings import HikeToBc
from desktop.sync.vocabulary import ReadScope
from tests.unit.test_mapping import bc_product, ctx, hike_simple, settings

T0 = datetime(2024, 5, 1, tzinfo=timezone.utc)


# -- fakes of the two clients ----------------------------------------------------------------------------------
class FakeHttp:
    first_date = None

    def mark_time(self) -> None:
        pass

    @staticmethod
    def budget() -> Any:
        return SimpleNamespace(calls_left_today=5000)


class FakeStore:
    """What a pass asks a store, with the calls it made (``calls``: method, argument) and failures to raise once
    for a method (``refuse``)."""

    incomplete_reads = 0

    def __init__(self) -> None:
        self.http = FakeHttp()
        self.calls: list[tuple[str, Any]] = []
        self.refuse: dict[str, errors.SyncError] = {}

    def _call(self, name: str, arg: Any = None) -> None:
        self.calls.append((name, arg))
        if name in self.refuse:
            raise self.refuse.pop(name)

    def writes(self) -> list[str]:
        return [name for name, _ in self.calls if not name.startswith(("read", "find"))]


class FakeHike(FakeStore):
    def __init__(self, products=(), customers=(), sales_=()) -> None:
        super().__init__()
        self.product_rows: dict[int, HikeProduct] = {p.id: p for p in products}
        self.customer_rows: dict[int, HikeCustomer] = {c.id: c for c in customers}
        self.sale_rows: dict[int, HikeSale] = {s.id: s for s in sales_}

    def products(self, *, since=None, filter=None):
        self._call("read_products", since)
        return list(self.product_rows.values())

    def product(self, product_id):
        return self.product_rows.get(product_id)

    def find_product_by_sku(self, sku):
        self._call("find_product", sku)
        return next((p for p in self.product_rows.values() if p.sku == sku), None)

    def customers(self, *, since=None):
        self._call("read_customers", since)
        return list(self.customer_rows.values())

    def customer(self, customer_id):
        return self.customer_rows.get(customer_id)

    def find_customers_by_email(self, email):
        self._call("find_customers", email)
        return [c for c in self.customer_rows.values() if (c.email or "").lower() == email]

    def save_customer(self, body):
        self._call("save_customer", body)
        customer = HikeCustomer.from_api({"id": body.get("id") or 900 + len(self.customer_rows), **body})
        self.customer_rows[customer.id] = customer
        return customer

    def sales(self, modified_since=None):
        self._call("read_sales", modified_since)
        return list(self.sale_rows.values())

    def sale(self, sale_id):
        return self.sale_rows.get(sale_id)

    def update_sale(self, sale_id, *, status, payments=None):
        self._call("update_sale", (sale_id, status))
        updated = replace(self.sale_rows[sale_id], status=status)
        self.sale_rows[sale_id] = updated
        return updated

    def outlets(self, *, include_inactive=False):
        return [SimpleNamespace(id=1, name="Main Street")]


class FakeBC(FakeStore):
    def __init__(self, products=(), customers=(), orders_=(), changed_products=None) -> None:
        super().__init__()
        self.product_rows: dict[int, BCProduct] = {p.id: p for p in products}
        self.changed_products = changed_products  # the ids an incremental read reports (None: all)
        self.customer_rows: dict[int, BCCustomer] = {c.id: c for c in customers}
        self.order_rows: dict[int, BCOrder] = {o.id: o for o in orders_}
        self.lines: dict[int, list[BCOrderLine]] = {}

    def products(self, *, modified_since=None, ids=None, skus=None):
        self._call("read_products", skus)
        rows = list(self.product_rows.values())
        if skus is not None:
            return [p for p in rows if p.sku in set(skus)]
        if ids is not None:
            return [p for p in rows if p.id in set(ids)]
        return [p for p in rows if self.changed_products is None or p.id in self.changed_products]

    def categories(self):
        return []

    def create_product(self, body):
        self._call("create_product", body)
        made = bc_product(id=1000 + len(self.product_rows), name=body["name"], sku=body["sku"], variants=[],
                          images=[])
        self.product_rows[made.id] = made
        return made

    def customers(self, *, modified_since=None, emails=None, ids=None):
        self._call("read_customers", emails)
        rows = list(self.customer_rows.values())
        return [c for c in rows if emails is None or c.email.lower() in emails]

    def update_customers(self, bodies):
        self._call("update_customers", bodies)
        out = []
        for body in bodies:
            current = self.customer_rows[body["id"]]
            self.customer_rows[current.id] = BCCustomer.from_api({**current.raw, **body})
            out.append(self.customer_rows[current.id])
        return out

    def update_customer_addresses(self, bodies):
        self._call("update_customer_addresses", bodies)
        return []

    def create_customer_addresses(self, bodies):
        self._call("create_customer_addresses", bodies)
        return []

    def orders(self, *, modified_since=None, created_since=None):
        self._call("read_orders", created_since)
        return list(self.order_rows.values())

    def order(self, order_id):
        return self.order_rows[order_id]

    def order_lines(self, order):
        return self.lines.get(order.id, [])

    def order_notes(self, key, *, created_since=None):
        return []

    def create_order(self, body):
        self._call("create_order", body)
        made = bc_order(9000 + len(self.order_rows), status_id=body["status_id"])
        self.order_rows[made.id] = made
        return made

    def update_order_status(self, order_id, status_id):
        self._call("update_order_status", (order_id, status_id))
        self.order_rows[order_id] = replace(self.order_rows[order_id], status_id=status_id)
        return self.order_rows[order_id]


def bc_simple(product_id: int, sku: str, upc: str) -> BCProduct:
    """A BigCommerce product without options (its base variant only)."""
    return bc_product(id=product_id, sku=sku, upc=upc, variants=[
        {"id": product_id * 10, "product_id": product_id, "sku": sku, "upc": upc, "price": "22.00",
         "inventory_level": 9, "option_values": []}])


def bc_order(order_id: int, *, status_id: int = 11, customer_id: int = 0) -> BCOrder:
    return BCOrder.from_api({"id": order_id, "status_id": status_id, "customer_id": customer_id,
                             "date_created": "2024-05-02T10:00:00+00:00", "date_modified": "2024-05-02T10:00:00+00:00",
                             "total_inc_tax": "20.00", "payment_method": "Credit Card",
                             "billing_address": {"email": "guest@example.com"}})


def hike_customer(customer_id: int, email: str | None, **extra: Any) -> HikeCustomer:
    return HikeCustomer.from_api({"id": customer_id, "first_name": "Ann", "last_name": f"Lee {customer_id}",
                                  "email": email, "last_modified": "2024-05-01T00:00:00Z", **extra})


def bc_customer(customer_id: int, email: str, **extra: Any) -> BCCustomer:
    return BCCustomer.from_api({"id": customer_id, "email": email, "first_name": "Ann",
                                "last_name": f"Lee {customer_id}", "date_modified": "2024-05-01T00:00:00+00:00",
                                **extra})


def hike_sale(sale_id: int, *, status: int = 2, product_id: int = 101) -> HikeSale:
    return HikeSale.from_api({
        "id": sale_id, "number": f"S{sale_id}", "status": status, "outletId": 1, "taxInclusive": True,
        "creationTime": "2024-05-03T09:00:00Z", "transactionDate": "2024-05-03T09:00:00Z",
        "last_modified": "2024-05-03T09:00:00Z", "netAmount": "11.00", "totalPaid": "11.00",
        "invoiceLineItems": [{"id": 1, "invoiceItemValue": product_id, "invoiceItemType": 0, "sku": "SH-1",
                              "title": "Linen Shirt", "quantity": 1, "totalAmount": "10.00",
                              "taxExclusiveTotalAmount": "10.00", "taxAmount": "1.00"}]})


def run_of(hike: FakeHike, bc: FakeBC, scope: ReadScope = ReadScope.INCREMENTAL, records=(), **setting) -> PassRun:
    journal = Journal("test", ["products", "customers", "orders", "sales"])
    journal.start()
    return PassRun(hike, bc, ctx(settings(**setting)), journal, None, scope, list(records))


def one_pass(entity_pass: EntityPass, scope: ReadScope = ReadScope.INCREMENTAL, records=()) -> list[Any]:
    """recover, read, plan and apply each part, finish, advance: as the engine runs a pass; the plan it applied."""
    entity_pass.recover()
    snapshot = entity_pass.read(scope, list(records))
    plans: list[Any] = []
    for part in passes.parts(snapshot) if snapshot is not None else []:
        planned = entity_pass.plan(part)
        entity_pass.apply(planned)
        plans += planned
    if snapshot is not None:
        entity_pass.finish(snapshot)
        entity_pass.advance(snapshot)
        passes.release(snapshot)
    return plans


def plan_of(entity_pass: EntityPass, scope: ReadScope) -> list[Any]:
    """What a pass would plan for everything it reads (every part), writing nothing."""
    snapshot = entity_pass.read(scope, [])
    try:
        return [action for part in passes.parts(snapshot) for action in entity_pass.plan(part)]
    finally:
        passes.release(snapshot)


def log_of(entity: str) -> list[tuple[str, str, str]]:
    return [(e.action, e.result, e.hike_id or e.bc_id) for e in LogEntry.select().where(LogEntry.entity == entity)
            .order_by(LogEntry.id)]


def since_cursors(entity: str) -> None:
    """An incremental read: both cursors set, as after a first pass."""
    set_cursor(entity, "hike", T0)
    set_cursor(entity, "bigcommerce", T0)


# -- products --------------------------------------------------------------------------------------------------
def test_products_a_new_record_is_looked_up_on_the_other_side_before_anything_is_created(db):
    """D4/N2: a Hike product new since the cursor whose SKU BigCommerce has (but did not report as changed) is
    linked, not created twice; a new BigCommerce product with nothing to match is created in Hike."""
    since_cursors("product")
    twin, tote = bc_simple(77, "SH-1", "9300001"), bc_simple(78, "TOTE-NEW", "9400002")
    hike, bc = FakeHike([hike_simple()]), FakeBC([twin, tote], changed_products={78})
    products = ProductPass(run_of(hike, bc))

    plan = plan_of(products, ReadScope.INCREMENTAL)

    assert sorted((a.kind, a.sku) for a in plan) == [("create_hike", "TOTE-NEW"), ("link", "SH-1")]
    assert ("read_products", {"SH-1"}) in bc.calls, "looked up by SKU before planning a create"
    assert bc.writes() == [] and hike.writes() == [], "planning writes nothing"


def test_products_a_linked_product_changed_on_both_sides_keeps_the_newer_change(db):
    """D10: a fingerprint that differs from the link's is a change; changed in both stores since the last sync,
    the newer change wins (BigCommerce's, a day later) and the plan says so."""
    context = ctx(settings())
    hp, bp = hike_simple(), bc_product(id=77)
    Link.create(entity="product", hike_id=str(hp.id), bc_id=str(bp.id), sku="SH-1", hike_fingerprint="before",
                bc_fingerprint="before")
    products = ProductPass(run_of(FakeHike([hp]), FakeBC([bp])))

    [action] = plan_of(products, ReadScope.FULL)

    assert (action.kind, action.hike.id, action.bc.id) == ("update_hike", hp.id, bp.id)
    assert "kept the newer change, from BigCommerce" in action.message

    Link.update(bc_fingerprint=mapping.fingerprint(mapping.product_from_bc(bp, context), mapping.BC_TO_HIKE,
                                                   context.settings)).execute()
    [action] = plan_of(products, ReadScope.FULL)
    assert (action.kind, action.message) == ("update_bc", ""), "only Hike changed: Hike's change goes across"


def test_products_a_refused_create_is_written_down_once_on_a_marker_and_the_pass_goes_on(db):
    """D4: BigCommerce refuses one product: one error in the log, on a ``failed`` marker row the Products tab
    lists; its outbox row ends as failed; the pass goes on and moves its cursors."""
    other = hike_simple(id=102, sku="SH-2", name="Wool Shirt", barcode="9300002")
    hike, bc = FakeHike([hike_simple(), other]), FakeBC()
    bc.refuse["create_product"] = errors.ValidationFailed("The SKU is taken.", store="BigCommerce")
    products = ProductPass(run_of(hike, bc))

    plan = one_pass(products, ReadScope.FULL)

    assert [a.kind for a in plan] == ["create_bc", "create_bc"]
    assert log_of("product") == [("create_bc", "error", "101"), ("create", "ok", "102")]
    marker = Link.get(Link.entity == "product", Link.hike_id == "101")
    assert (marker.status, marker.last_result, marker.last_message) == ("failed", "error", "The SKU is taken.")
    assert Link.get(Link.entity == "product", Link.hike_id == "102").status == "linked"
    assert [w.status for w in PendingWork.select().order_by(PendingWork.id)] == ["failed", "done"]
    hike_cursor = Cursor.get(Cursor.entity == "product", Cursor.side == "hike")
    assert hike_cursor.value == hike_simple().last_modified.isoformat(), "the cursor moved past what was read"
    assert products.run.journal.counts["product"] == {"error": 1, "create": 1}


# -- customers -------------------------------------------------------------------------------------------------
def test_customers_a_new_customer_links_by_email_and_one_without_a_match_is_created_in_hike(db):
    """D7: a new Hike customer whose email BigCommerce has is linked (looked up, letter case aside); a new
    BigCommerce customer with no Hike match is created in Hike through the outbox (N2)."""
    since_cursors("customer")
    hike = FakeHike(customers=[hike_customer(1, "Ann@Example.com")])
    bc = FakeBC(customers=[bc_customer(50, "ann@example.com"), bc_customer(51, "bo@example.com")])
    customers = CustomerPass(run_of(hike, bc))

    plan = one_pass(customers)

    assert sorted((a.kind, a.email) for a in plan) == [("create_hike", "bo@example.com"),
                                                        ("link", "ann@example.com")]
    assert [name for name, _ in hike.calls if name == "save_customer"] == ["save_customer"]
    links = {(l.hike_id, l.bc_id, l.sku) for l in Link.select().where(Link.entity == "customer")}
    made = next(c for c in hike.customer_rows.values() if c.id != 1)
    assert links == {("1", "50", "ann@example.com"), (str(made.id), "51", "bo@example.com")}
    assert PendingWork.get().status == "done"


def test_customers_a_linked_customer_changed_in_hike_is_updated_in_bigcommerce(db):
    """D10: linked on a first pass; the Hike customer's phone changes; the next pass sends it to BigCommerce and
    nothing back (BigCommerce's side did not change)."""
    since_cursors("customer")
    hike = FakeHike(customers=[hike_customer(1, "ann@example.com")])
    bc = FakeBC(customers=[bc_customer(50, "ann@example.com")])
    one_pass(CustomerPass(run_of(hike, bc)))
    hike.customer_rows[1] = hike_customer(1, "ann@example.com", phone="0400 000 000",
                                          last_modified="2024-05-04T00:00:00Z")
    bc.calls.clear()

    [action] = one_pass(CustomerPass(run_of(hike, bc)))

    assert action.kind == "update_bc"
    [(_, bodies)] = [c for c in bc.calls if c[0] == "update_customers"]
    assert bodies[0]["id"] == 50 and bodies[0]["phone"] == "0400 000 000"
    assert hike.writes() == []
    assert log_of("customer")[-1] == ("update", "ok", "1")


def test_customers_a_skip_and_a_shared_email_are_written_down_once(db):
    """D7: a Hike customer without an email is skipped, two sharing one are a conflict, none is sent; each is
    logged once (a marker row remembers why), not again on the next pass."""
    hike = FakeHike(customers=[hike_customer(1, None), hike_customer(2, "twin@example.com"),
                               hike_customer(3, "TWIN@example.com")])
    bc = FakeBC()

    for _ in range(2):
        plan = one_pass(CustomerPass(run_of(hike, bc)), ReadScope.FULL)
        assert sorted(a.kind for a in plan) == ["conflict", "conflict", "skip"]

    assert sorted(log_of("customer")) == [("skip", "conflict", "2"), ("skip", "conflict", "3"),
                                          ("skip", "skipped", "1")]
    assert {(l.hike_id, l.status) for l in Link.select()} == {("1", "skipped"), ("2", "conflict"), ("3", "conflict")}
    assert bc.writes() == [] and hike.writes() == []


# -- orders (BigCommerce → Hike) -------------------------------------------------------------------------------
def orders_activated() -> None:
    set_preference(orders.ACTIVATED_AT, T0.isoformat())


def test_orders_a_new_order_whose_products_are_not_linked_waits_and_is_logged_once(db):
    """S10: a new order with a product not linked to Hike waits in the outbox (what it needs named), shown by a
    ``waiting`` marker, logged once however many passes read it; nothing is sent to Hike meanwhile."""
    orders_activated()
    order = bc_order(7)
    hike, bc = FakeHike(), FakeBC(orders_=[order])
    bc.lines[7] = [BCOrderLine.from_api({"id": 1, "product_id": 77, "name": "Linen Shirt", "sku": "SH-1",
                                         "quantity": 2})]

    for _ in range(2):
        [plan] = one_pass(OrderPass(run_of(hike, bc)))
        assert (plan.kind, plan.needs) == ("wait", ["item:77:0"])

    assert log_of("order") == [("create", "skipped", "7")]
    waiting = PendingWork.get(PendingWork.key == "waiting:7")
    assert waiting.status == "waiting" and waiting.payload["needs"] == ["item:77:0"]
    assert Link.get(Link.entity == "order", Link.bc_id == "7").status == "waiting"
    assert hike.writes() == []


def test_orders_a_linked_order_completed_in_bigcommerce_completes_its_hike_sale(db):
    """D8: the order's side moved forward (Awaiting Fulfillment → Completed): its parked Hike sale is completed,
    and the link remembers both statuses so the change does not echo back (D10)."""
    orders_activated()
    since_cursors("order")
    sale = hike_sale(500, status=1)
    Link.create(entity="order", hike_id="500", bc_id="7", sku="7", hike_fingerprint="status:1",
                bc_fingerprint="status:11")
    hike, bc = FakeHike(sales_=[sale]), FakeBC(orders_=[bc_order(7, status_id=10)])

    [plan] = one_pass(OrderPass(run_of(hike, bc)))

    assert (plan.kind, plan.status) == ("update_hike", 2)
    assert ("update_sale", (500, 2)) in hike.calls
    link = Link.get(Link.entity == "order", Link.bc_id == "7")
    assert (link.hike_fingerprint, link.bc_fingerprint) == ("status:2", "status:10")
    assert log_of("order") == [("status", "ok", "500")]
    again = OrderPass(run_of(hike, bc))
    assert again.plan(again.read(ReadScope.INCREMENTAL, [])) == [], "in step: nothing more to do"


# -- sales (Hike → BigCommerce, S15) ---------------------------------------------------------------------------
SALES_ON = {"hike_to_bc": HikeToBc(inventory=False, new_products=True, full_orders=True)}


def sales_activated() -> None:
    set_preference(sales.ACTIVATED_PREFERENCE, T0.isoformat())
    set_preference(sales.BEFORE_PREFERENCE, [])
    set_cursor(sales.ENTITY, "hike", T0)


def test_sales_a_completed_sale_of_a_linked_product_becomes_a_bigcommerce_order(db):
    """S15: a new completed sale becomes one Completed order carrying the sale's reference (N2), with the linked
    BigCommerce product; a sale whose product is not linked waits, logged once."""
    sales_activated()
    Link.create(entity="product", hike_id="101", bc_id="77", sku="SH-1")
    hike, bc = FakeHike(sales_=[hike_sale(600), hike_sale(601, product_id=999)]), FakeBC()

    for _ in range(2):
        plan = one_pass(SalePass(run_of(hike, bc, **SALES_ON)))

    assert [(a.kind, a.sale.id) for a in plan] == [("wait", 601)], "sent once; the waiting one is read again"
    [(_, body)] = [c for c in bc.calls if c[0] == "create_order"]
    assert body["external_order_id"] == "hike-sale-600" and body["status_id"] == 10
    assert [(li["product_id"], li["quantity"]) for li in body["products"]] == [(77, 1)]
    assert log_of("sale") == [("create", "ok", "600"), ("skip", "error", "601")]
    assert Link.get(Link.entity == "sale", Link.hike_id == "601").status == "waiting"


def test_sales_an_order_bigcommerce_refuses_is_recorded_once_and_sent_again_only_when_retried(db):
    """S15/M4: a refused order leaves a ``failed`` marker and one error; the unchanged sale is not sent again on
    later passes, only when the sale changes or its record is retried ("Retry this record")."""
    sales_activated()
    Link.create(entity="product", hike_id="101", bc_id="77", sku="SH-1")
    hike, bc = FakeHike(sales_=[hike_sale(600)]), FakeBC()
    bc.refuse["create_order"] = errors.ValidationFailed("The billing address is incomplete.", store="BigCommerce")

    one_pass(SalePass(run_of(hike, bc, **SALES_ON)))
    assert one_pass(SalePass(run_of(hike, bc, **SALES_ON))) == [], "refused as it is: not sent on every pass"

    marker = Link.get(Link.entity == "sale", Link.hike_id == "600")
    assert (marker.status, marker.last_message) == ("failed", "The billing address is incomplete.")
    assert log_of("sale") == [("create", "error", "600")]
    [action] = one_pass(SalePass(run_of(hike, bc, ReadScope.RECORDS, [marker], **SALES_ON)), ReadScope.RECORDS,
                        [marker])
    assert action.kind == "create" and Link.get_by_id(marker.id).status == "linked"
    assert [name for name, _ in bc.calls].count("create_order") == 2


def test_sales_a_sent_sale_voided_in_hike_cancels_its_order(db):
    """D8: an order already sent follows its sale: voided in Hike, it is set to Cancelled in BigCommerce."""
    sales_activated()
    Link.create(entity="sale", hike_id="600", bc_id="9001", hike_fingerprint="2", bc_fingerprint="10")
    hike, bc = FakeHike(sales_=[hike_sale(600, status=4)]), FakeBC(orders_=[bc_order(9001, status_id=10)])

    [action] = one_pass(SalePass(run_of(hike, bc, **SALES_ON)))

    assert (action.kind, action.status_id) == ("status", 5)
    assert ("update_order_status", (9001, 5)) in bc.calls
    assert Link.get(Link.entity == "sale").bc_fingerprint == "5"


def test_customers_a_retried_record_is_read_alone_and_moves_no_cursor(db):
    """M4 "Retry this record": a skipped customer, given an email since, is read by id (not the customer lists),
    looked up by email in BigCommerce and linked; the cursors stay where they were (a few records say nothing
    about the others)."""
    since_cursors("customer")
    hike, bc = FakeHike(customers=[hike_customer(1, None)]), FakeBC()
    one_pass(CustomerPass(run_of(hike, bc)))
    marker = Link.get(Link.entity == "customer", Link.hike_id == "1")
    assert marker.status == "skipped"
    hike.customer_rows[1] = hike_customer(1, "ann@example.com")
    bc.customer_rows[50] = bc_customer(50, "ann@example.com")
    hike.calls.clear()
    cursors = {(c.entity, c.side): c.value for c in Cursor.select()}

    [action] = one_pass(CustomerPass(run_of(hike, bc, ReadScope.RECORDS, [marker])), ReadScope.RECORDS, [marker])

    assert action.kind == "link" and Link.get_by_id(marker.id).status == "linked"
    assert not [c for c in hike.calls if c[0] == "read_customers"], "the record alone, not the lists"
    assert {(c.entity, c.side): c.value for c in Cursor.select()} == cursors
