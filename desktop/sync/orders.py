"""BigCommerce orders into Hike (S3, S5, S8, S9, S10, S18, D5, D6, D7, D8, N2): plan, then apply.

A pass runs ``recover()``, ``read()``, ``plan()``, ``apply()`` and ``advance_cursors()`` with the pass's ``Journal``
(entity "order" in links, log and run counts), the shape of ``CustomerSync``.

Which orders
- Only orders *created after activation* (S10): the first pass that runs orders records BigCommerce's own clock
  (``GET /v2/time``) as preference ``orders_activated_at`` and reads nothing else; later passes read the orders
  changed since the cursor (``min_date_modified``) and created since activation (``min_date_created``).
- Never incomplete orders (status 0: abandoned checkouts; BigCommerce leaves them out of lists anyway).
- Never an order that came from Hike: S15 records those as links of entity "sale" (bc_id = the BigCommerce
  order); they are passed over without a word, so nothing echoes.

Full orders (``bc_to_hike.full_orders``, S10)
- A new order becomes one Hike sale, numbered with the BigCommerce order id, source BigCommerce (``invoiceFrom``
  5 [A]), dated with the order's own time (C.2), in the eCommerce outlet when one is set, else the inventory
  outlet (S3), on the payment register (S8; without one, the first register of that outlet).
- Only when every product line is linked (variant link by BigCommerce variant id, else the product link) and the
  customer is linked (customer link by BigCommerce customer id). Otherwise the order does not sync: the log says
  which items or customer blocked it (result "skipped", once per reason) and the order waits in the outbox as
  ``waiting``; every pass checks, in the database only, whether what it waits for is linked now, and then reads
  and syncs it.
- Guest orders (customer id 0) are not blocked, and the guest's name and email go into the sale note, so the shop
  still knows who bought. D7: when the order's billing email is exactly one Hike customer's (trimmed, letter case
  aside), the sale is that customer's and the log says it was matched by email. The customer is found in the
  customer links (``Link.sku`` holds the normalized email) without a call, else asked of Hike (``HikeClient.
  find_customers_by_email``): one lookup per distinct email per pass, when the sale is about to be sent, and none
  for an order without an email. Several Hike customers with that email (a D7 conflict, never merged): the sale
  has no customer (Hike's walk-in sale), as it has when none matches, and the log entry says why.
- An order Hike refuses (short of stock, say) waits in the outbox the same way, logged as an error once per reason,
  and is sent again when something that could make Hike take it changed (``order_refusals``: the order in
  BigCommerce, the settings, one of its items in Hike, such as its stock put right) or a person presses Retry; never
  by every pass unchanged, each one a Hike call (issue 16).
- S18: with ``non_sku_products`` = "skip", an order with a line whose SKU is empty is skipped with that reason.
- D5: gift certificates bought in the order are not sale lines (Hike's gift cards never sync), and the payments
  recorded stop at the sale's total; coupons and discounts are not sent as Hike offers (each line carries the
  amount the shopper paid for it); loyalty is never touched.
- D6: the shipping charge is the sale's shipping line (``totalShippingCost`` with ``shippingTaxId`` and
  ``shippingTaxAmount`` [A]: Hike's sale keeps shipping as its own line, not as a product line): its total only,
  taxed with the shipping tax of S2 (the tax is worked out from that tax's rate, not copied from BigCommerce).
- S5: each BigCommerce payment (v3 transactions: purchases and captures that went through) becomes a Hike
  payment of type "BigCommerce" (``all_as_bigcommerce``) or of the type ``payment_mapping.map`` gives the order's
  payment method (``per_method``; an unmapped method blocks the order with that reason). An order with no
  transaction that BigCommerce treats as paid gets one payment of its total.
- S8: the register is read before the sales are sent; when it is closed, sending the sale re-opens it (Hike opens
  a new shift for a sale posted to a closed register [I]) and the log entry says so.

Status, both ways (D8), for orders linked to a sale
- BigCommerce Awaiting Fulfillment/Awaiting Payment/Pending (and the other not-yet-fulfilled ones: Partially
  Shipped, Awaiting Pickup, Awaiting Shipment, Manual Verification Required, Disputed [I]) → Parked;
  Shipped/Completed (and Partially Refunded: paid and not wholly refunded [I]) → Completed; Cancelled/Declined →
  Voided; Refunded (whole) → Refunded.
- A sale only moves forward (Parked → Completed → Refunded or Voided): a change that would move it back is not
  sent. A sale the manager turned into another kind in Hike (lay-by, on-account, ...) is left as it is on both
  sides [I]. The other way, a sale the manager completed in Hike makes the BigCommerce order Completed, or Shipped when
  BigCommerce already records shipped items; a sale voided in Hike makes it Cancelled.
- The last status seen on each side is kept on the link (``status:N``), so a status this app wrote is not sent back
  (D10), and Hike's sales are read (``Sync_From``, one call) only while some linked sale can still change.
- An order cancelled, declined or wholly refunded before it ever reached Hike is skipped (nothing to record).

Inventory only (``bc_to_hike.inventory_on_order`` without full orders, S9)
- The order's lines move Hike stock in the inventory outlet (``inventory_update`` with adjustments, reason
  "BigCommerce order N"); no sale is created. The link (hike_id empty) remembers it was done.

Exactly once (N2)
- A sale's create is recorded in the outbox (key ``order:<id>``) and committed before it is sent; the link, the log
  entry and the end of the outbox row are one transaction after it. A lost answer is looked up by the sale number
  before anything is sent again (``HikeClient.create_sale``), and so is a create that a crash left open
  (``recover()``). Hike refuses a second sale with the same number [I], which catches overlapping passes too.
- Stock moves (S9) are adjustments, which cannot be looked up: each item's stock is read before the move (one
  Hike call per item) and kept in the outbox row. When the answer is lost, or a crash interrupted it, the items are
  read again: all at their level before less the order's quantity means it was made; all unchanged means it was
  not, and it is sent once more (when that answer is lost too and the items are still unchanged, the outbox row
  stays open and the next pass looks again); anything else (a sale in the shop at the same moment) is never
  repeated, even when the order is read again, and the log asks the manager to check the products' history in
  Hike. A move Hike refuses on the second try ends like one refused on the first: the order waits and is tried
  again on later passes, and the rest of the pass goes on.
- Looked up in the store, not only in this database (N7): once Hike took an order (a sale made, or its stock
  moved), this app notes it on the BigCommerce order (a private metafield, ``NOTE_KEY``): the note waits in the
  outbox from the link's own transaction and the pass writes its notes in batches of 50 at its end (a kill before
  that leaves them to ``recover()``). A pass with orders to bring in first reads the notes made since the oldest
  of them, and links a noted order instead of sending it: a database restored from an older copy, or a new one,
  never makes a sale or moves stock twice. Orders this app made for Hike sales (S15) carry a ``hike-sale-``
  reference and never come back, links or not. Where orders start on a new database is ``order_start``'s question.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from desktop.storage.db import database_proxy
from desktop.storage.models import Link, LogEntry, PendingWork, get_preference, set_preference, utcnow
from desktop.sync import errors, order_refusals, order_start, passes, refusals
from desktop.sync.bigcommerce import BCOrder, BCOrderLine, BigCommerceClient
from desktop.sync.customers import ENTITY as CUSTOMER_ENTITY, norm_email
from desktop.sync.hike import HikeClient
from desktop.sync.hike_models import HikeRegister, HikeSale
from desktop.sync.entity_pass import EntitySync
from desktop.sync.inventory import expect_resync, resync_levels
from desktop.sync.journal import (LOOKUP_MARGIN, Journal, begin_work, end_work, read_from, save_link, set_cursor,
                                  unfinished_work)
from desktop.sync.mapping import MappingContext
from desktop.sync.order_mapping import (DONE, FINAL, RANK, SaleTarget, bc_status_for, hike_status_for,
                                        is_gift_certificate, moves_forward, order_label, payments, sale_body,
                                        status_name)
from desktop.sync.passes import Snapshot
from desktop.sync.register_shift import note_shift, payment_register

log = logging.getLogger(__name__)

ENTITY = "order"
SALE_ENTITY = "sale"  # S15: Hike sales sent to BigCommerce as orders (another pass writes these links)
SALE_REFERENCE_PREFIX = "hike-sale-"  # their ``external_order_id`` (sales.reference)
ACTIVATED_AT = "orders_activated_at"
NOTE_ACTION = "note_order"  # outbox rows of the notes waiting to be written (``_note_later``)
NOTE_KEY = "hike"  # this app's note on an order it brought to Hike (``BigCommerceClient.note_order``)
UNCONFIRMED = "unconfirmed"  # a stock move's outbox row ended so: it may have been made, it is never sent again


def _status_mark(n: int) -> str:
    """The last status seen on one side, kept on the link (``hike_fingerprint`` / ``bc_fingerprint``)."""
    return f"status:{n}"


def _status_of(mark: str | None) -> int | None:
    if mark and mark.startswith("status:"):
        return int(mark.split(":", 1)[1])
    return None


# -- plan ----------------------------------------------------------------------------------------------------------
@dataclass
class OrderPlan:
    kind: str  # create_sale | move_stock | update_hike | update_bc | wait | skip | fail
    order: BCOrder
    lines: list[BCOrderLine] = field(default_factory=list)
    message: str = ""
    needs: list[str] = field(default_factory=list)  # what a waiting order waits for ("item:7:12", "customer:3")
    link: Link | None = None
    sale: HikeSale | None = None
    status: int | None = None  # the status to write


@dataclass
class OrderSnapshot(Snapshot):
    """Orders (BigCommerce) and linked sales (Hike) read by a pass; ``activated`` is set on the first pass."""

    activated: bool = False


class OrderSync(EntitySync):
    record_entity = ENTITY

    def __init__(self, hike: HikeClient, bc: BigCommerceClient, ctx: MappingContext, journal: Journal,
                 events: Any = None):
        super().__init__(hike, bc, journal, events)
        self.ctx = ctx
        self.settings = ctx.settings
        self._replan: set[int] = set()  # orders to read again by id (crash recovery, waiting orders now linked)
        self.items_changed: set[order_refusals.Item] = set()  # items whose Hike product this run read as changed
        self._registers_checked: dict[int, bool] = {}  # register id -> was open before this pass wrote to it
        self._register_list: list[HikeRegister] | None = None
        self._reopened: dict[int, datetime] = {}  # register id -> when this pass's sale re-opened it (S8)
        self._moved_items: set[int] = set()  # Hike items whose stock this pass moved: BigCommerce is set level after
        self._noted: dict[int, dict[str, Any]] = {}  # order id -> this app's note on it in BigCommerce (N7)
        self._by_email: dict[str, list[int]] = {}  # a guest's email -> the Hike customers with it (D7), this pass

    @property
    def full_orders(self) -> bool:
        return self.settings.settings.bc_to_hike.full_orders

    # -- read -----------------------------------------------------------------------------------------------------
    def activated_at(self) -> datetime | None:
        value = get_preference(ACTIVATED_AT)
        return datetime.fromisoformat(value) if value else None

    def read(self) -> OrderSnapshot:
        activated = self.activated_at()
        if activated is None:  # S10: the first pass only records when orders start to count
            resume = order_start.find_resume(self.bc, self.hike, orders=True, sales=False)
            start = order_start.start_from(resume, "orders")  # a new database on stores this app synced (N7)
            now = self.bc.store_time()
            set_preference(ACTIVATED_AT, (start or now).isoformat())
            set_cursor(ENTITY, "bigcommerce", start or now)
            set_cursor(ENTITY, "hike", start or now)
            if start is None:
                return OrderSnapshot(activated=True)
            log.info("Orders count from %s (the last one synced before this database): %s", start, resume.describe())
            activated = start
        since = read_from(ENTITY, "bigcommerce") or activated
        self.bc.http.mark_time()
        orders = {o.id: o for o in self.bc.orders(modified_since=since, created_since=activated)}
        bc_started = self.bc.http.first_date
        self._replan |= self._waiting_now_linked()
        for order_id in sorted(self._replan - set(orders)):
            try:
                orders[order_id] = self.bc.order(order_id)
            except errors.NotFound:
                log.info("%s is gone from BigCommerce", order_label(order_id))
        sales: list[HikeSale] = []
        hike_started = None
        if self._linked_sales_can_change():
            self.hike.http.mark_time()
            linked = {l.hike_id for l in Link.select(Link.hike_id).where(Link.entity == ENTITY,
                                                                         Link.hike_id.is_null(False))}
            sales = [s for s in self.hike.sales(modified_since=read_from(ENTITY, "hike") or activated)
                     if str(s.id) in linked]
            hike_started = self.hike.http.first_date
        return OrderSnapshot(hike=sales, bc=sorted(orders.values(), key=lambda o: o.id), full=False,
                             hike_started=hike_started, bc_started=bc_started)

    @staticmethod
    def _linked_sales_can_change() -> bool:
        return Link.select().where(Link.entity == ENTITY, Link.hike_id.is_null(False), Link.status == "linked",
                                   Link.hike_fingerprint.not_in([_status_mark(s) for s in FINAL])).exists()

    def _waiting_now_linked(self) -> set[int]:
        """Waiting orders whose products and customer are all linked now, less those Hike refused that wait for
        a change (``order_refusals``): checked in the database only."""
        ready = set()
        for row in PendingWork.select().where(PendingWork.entity == ENTITY, PendingWork.status == "waiting"):
            needs = (row.payload or {}).get("needs") or []
            if all(_is_linked(need) for need in needs):
                ready.add(int(row.payload["bc_id"]))
        held = Link.select().where(Link.entity == ENTITY, Link.bc_id.in_([str(i) for i in ready]),
                                   Link.refused.is_null(False)) if ready else []
        return ready - {int(m.bc_id) for m in held
                        if order_refusals.held(m, None, self.settings, self.items_changed)}

    # -- plan -----------------------------------------------------------------------------------------------------
    def plan(self, snap: OrderSnapshot) -> list[OrderPlan]:
        from_hike = {l.bc_id for l in Link.select(Link.bc_id).where(Link.entity == SALE_ENTITY,
                                                                    Link.bc_id.is_null(False))}
        links = {l.bc_id: l for l in Link.select().where(Link.entity == ENTITY, Link.bc_id.is_null(False))}
        sales = {s.id: s for s in snap.hike}
        activated = self.activated_at()
        plans: list[OrderPlan] = []
        seen_links: set[str] = set()
        for order in snap.bc:
            key = str(order.id)
            if key in from_hike or made_for_a_sale(order) or order.is_incomplete:
                continue  # from Hike (S15: no echo), or an abandoned checkout (S10)
            if activated is not None and order.date_created is not None and order.date_created < activated:
                continue  # created before activation (S10)
            link = links.get(key)
            if order_refusals.held(link, order.date_modified, self.settings, self.items_changed):
                continue  # Hike refused it as it is: it waits for a change (issue 16)
            if link is not None and link.status == "linked":
                seen_links.add(key)
                if link.hike_id:
                    plans.extend(self._planned(self._plan_status, order, link, sales.get(int(link.hike_id))))
                continue  # stock already moved (S9) or the sale is in step
            plans.extend(self._planned(lambda o: [self._plan_new(o)], order))
        # sales changed in Hike whose orders did not change in BigCommerce
        by_hike = {l.hike_id: l for l in links.values() if l.hike_id}
        for sale in snap.hike:
            link = by_hike.get(str(sale.id))
            if link is not None and link.bc_id not in seen_links:
                plans.extend(self._planned(self._plan_status, None, link, sale))
        return plans

    @staticmethod
    def _planned(fn: Any, *args: Any) -> list[OrderPlan]:
        """Planning reads an order's lines (and sometimes the order): an order deleted meanwhile is left alone
        (deletes are never propagated, D9); a failure of the store or the connection stops the pass."""
        try:
            return fn(*args)
        except errors.NotFound as exc:
            log.info("Order left alone: %s", exc.message)
            return []

    def _plan_new(self, order: BCOrder) -> OrderPlan:
        if not self.full_orders:
            lines = self.bc.order_lines(order)
            return self._resolve(OrderPlan("move_stock", order, lines))
        hike_status = hike_status_for(order.status_id)
        if hike_status in FINAL:
            return OrderPlan("skip", order, message=f"{order_label(order.id)} was {order.status.lower()} in "
                                                    "BigCommerce before it reached Hike: nothing to record.")
        if hike_status is None:
            return OrderPlan("skip", order, message=f"{order_label(order.id)} has status '{order.status}', which "
                                                    "has no Hike sale status.")
        lines = self.bc.order_lines(order)
        return self._resolve(OrderPlan("create_sale", order, lines, status=hike_status))

    def _resolve(self, plan: OrderPlan) -> OrderPlan:
        """Every line's Hike product (and the customer) must be linked; S18 and D5 are applied here."""
        order = plan.order
        products = [li for li in plan.lines if not is_gift_certificate(li)]
        if self.settings.settings.non_sku_products == "skip":
            no_sku = [li for li in products if not li.sku.strip()]
            if no_sku:
                names = ", ".join(f"'{li.name}'" for li in no_sku)
                return OrderPlan("skip", order, message=f"{order_label(order.id)} contains products without a SKU "
                                                        f"({names}); the settings skip such products and their "
                                                        "orders (S18).")
        if not products:
            return OrderPlan("skip", order, message=f"{order_label(order.id)} has no product lines to record in "
                                                    "Hike (gift certificates do not sync).")
        blockers, needs = [], []
        for li in products:
            if _hike_item_for(li) is None:
                needs.append(_line_need(li))
                blockers.append(f"'{li.name}'" + (f" (SKU {li.sku})" if li.sku else ""))
        if plan.kind == "create_sale" and order.customer_id:
            if not _is_linked(f"customer:{order.customer_id}"):
                needs.append(f"customer:{order.customer_id}")
                email = order.billing_address.get("email") or ""
                blockers.append(f"customer {email or order.customer_id} (BigCommerce customer {order.customer_id})")
        if blockers:
            plan.kind, plan.needs = "wait", needs
            plan.message = (f"{order_label(order.id)} is waiting: not linked to Hike yet: " + ", ".join(blockers)
                            + ". It syncs on the first pass after they are linked.")
            return plan
        if plan.kind == "create_sale" and self.settings.payment_mode == "per_method" \
                and self.settings.payment_type_for(order.payment_method) is None:
            return OrderPlan("fail", order, message=f"{order_label(order.id)}: the payment method "
                                                    f"'{order.payment_method}' has no Hike payment type in the "
                                                    "payment mapping (S5). Map it in the settings.")
        return plan

    def _plan_status(self, order: BCOrder | None, link: Link, sale: HikeSale | None) -> list[OrderPlan]:
        """D8 for a linked order: the side that moved forward brings the other one along."""
        hike_now = sale.status if sale is not None else _status_of(link.hike_fingerprint)
        bc_now = order.status_id if order is not None else _status_of(link.bc_fingerprint)
        if hike_now is None or bc_now is None:
            return []
        if hike_now not in RANK:
            # the manager made it a lay-by, on-account, ... sale in Hike: neither side is changed [I]
            _remember(link, hike_now, bc_now)
            return []
        wanted_in_hike = hike_status_for(bc_now)
        if moves_forward(hike_now, wanted_in_hike):
            order = order or self.bc.order(int(link.bc_id))
            return [OrderPlan("update_hike", order, link=link, sale=sale, status=wanted_in_hike)]
        if moves_forward(wanted_in_hike, hike_now):
            order = order or self.bc.order(int(link.bc_id))
            wanted_in_bc = bc_status_for(hike_now, int(order.raw.get("items_shipped") or 0))
            if wanted_in_bc is not None and wanted_in_bc != order.status_id:
                return [OrderPlan("update_bc", order, link=link, sale=sale, status=wanted_in_bc)]
        if _status_mark(hike_now) != link.hike_fingerprint or _status_mark(bc_now) != link.bc_fingerprint:
            _remember(link, hike_now, bc_now)  # in step: only what was seen moves (no log line for a non-event)
        return []

    # -- apply ----------------------------------------------------------------------------------------------------
    def apply(self, plans: list[OrderPlan]) -> None:
        self._start(len(plans))
        self.hike.http.mark_time()  # Hike's own clock at its first answer: where the stock moves began
        handlers = {"create_sale": self._create_sale, "move_stock": self._move_stock, "wait": self._wait,
                    "skip": self._skip, "fail": self._fail, "update_hike": self._update_hike,
                    "update_bc": self._update_bc}
        self._noted = self._noted_in_store(plans)
        for plan in plans:
            self._guard(handlers[plan.kind], plan)
        self._write_notes()
        moved, self._moved_items = self._moved_items, set()
        if moved:  # BigCommerce took the orders' stock at checkout; Hike's level after the sale is what counts
            resync_levels(self.hike, self.bc, self.journal, self.settings, moved, since=self.hike.http.first_date)
        if self._register_list is not None:  # read for this pass's sales: when the payment register's shift began
            register = payment_register(self._register_list, self.settings.payment_register_id,
                                        self.settings.order_outlet_id)
            note_shift(register, reopened_at=self._reopened.get(register.id) if register else None)

    def _failed(self, plan: OrderPlan, message: str, cause: BaseException | None = None) -> None:
        """One order's failure (``EntitySync._guard``): its outbox rows stay open for the next pass's
        ``recover()``; a new order waits in the outbox and is read again on every pass (the cursor moves on)."""
        if plan.kind in ("create_sale", "move_stock"):
            self._hold(plan, [], message, "error")
            if refusals.is_refusal(cause):
                with database_proxy.atomic():
                    order_refusals.note(self._record_row(None, str(plan.order.id)), plan.order, plan.lines,
                                        self.settings)
        else:
            self._record(plan, action=_action_of(plan.kind), result="error", message=message)

    def _record(self, plan: OrderPlan, *, action: str, result: str, message: str, link: Link | None = None,
                direction: str = "bc_to_hike", hike_id: Any = None, diff: dict | None = None) -> LogEntry:
        with database_proxy.atomic():
            return self.journal.record(ENTITY, action=action, result=result, direction=direction, message=message,
                                       link=link or plan.link, bc_id=plan.order.id, hike_id=hike_id,
                                       sku=str(plan.order.id), name=order_label(plan.order.id), diff=diff)

    def _fail(self, plan: OrderPlan) -> None:
        self._hold(plan, [], plan.message, "error")

    def _skip(self, plan: OrderPlan) -> None:
        """Logged once: a marker link remembers the reason (an order that stays skipped adds no line per pass)."""
        marker = self._record_row(None, str(plan.order.id))
        if marker is not None and marker.last_message == plan.message:
            return
        with database_proxy.atomic():
            if marker is None:
                marker = Link.create(entity=ENTITY, bc_id=str(plan.order.id), sku=str(plan.order.id),
                                     name=order_label(plan.order.id), status="skipped")
            elif marker.status != "linked":
                marker.status = "skipped"  # it was waiting or failed before
            self._end_waiting(plan.order.id)
            self.journal.record(ENTITY, action="skip", result="skipped", direction="bc_to_hike",
                                message=plan.message, link=marker, bc_id=plan.order.id)

    def _wait(self, plan: OrderPlan) -> None:
        """S10: the order waits in the outbox for its products and customer."""
        self._hold(plan, plan.needs, plan.message, "skipped")

    def _hold(self, plan: OrderPlan, needs: list[str], message: str, result: str) -> None:
        """The order waits in the outbox (``waiting``): until ``needs`` are linked, or, with nothing named (Hike
        refused it), to be read and tried again on every pass. The reason is logged once, and again when it
        changes."""
        key = f"waiting:{plan.order.id}"
        row = PendingWork.get_or_none(PendingWork.key == key)
        if row is not None and row.status == "waiting" and row.last_error == message:
            return
        with database_proxy.atomic():
            payload = {"bc_id": plan.order.id, "needs": needs}
            if row is None:
                row = PendingWork.create(entity=ENTITY, key=key, action="wait", payload=payload, status="waiting",
                                         attempts=1, last_error=message)
            else:
                row.status, row.payload, row.last_error, row.updated_at = "waiting", payload, message, utcnow()
                row.attempts += 1
                row.save()
            # a marker row (status "failed", or "waiting" for what is not linked yet) lists the order in the Sales
            # view and its error in Errors (M3, M4); it becomes the link once the sale is made
            marker = self._record_row(None, str(plan.order.id))
            if marker is None or marker.status != "linked":
                status = "failed" if result == "error" else "waiting"
                if marker is None:
                    marker = Link.create(entity=ENTITY, bc_id=str(plan.order.id), sku=str(plan.order.id),
                                         name=order_label(plan.order.id), status=status)
                elif marker.status != status:
                    marker.status = status
            else:
                marker = None  # a linked order's later failure (a status change) is logged on its link elsewhere
            self.journal.record(ENTITY, action=_action_of(plan.kind), result=result, direction="bc_to_hike",
                                message=message, bc_id=plan.order.id, sku=str(plan.order.id), link=marker)

    @staticmethod
    def _end_waiting(order_id: int) -> None:
        PendingWork.update(status="done", updated_at=utcnow()).where(
            PendingWork.key == f"waiting:{order_id}", PendingWork.status == "waiting").execute()

    # -- this app's note on each order it brought to Hike, kept in BigCommerce (N7) ----------------------------
    def _noted_in_store(self, plans: list[OrderPlan]) -> dict[int, dict[str, Any]]:
        """Orders about to reach Hike that BigCommerce says already did: a database restored from an older copy,
        or a new one, does not know them, and a stock move cannot be looked up in Hike. One paged read of this
        app's notes made since the oldest of these orders, only on a pass that has orders to bring in."""
        new = [p.order for p in plans if p.kind in ("create_sale", "move_stock")]
        if not new:
            return {}
        created = [o.date_created for o in new if o.date_created is not None]
        since = min(created) - LOOKUP_MARGIN if len(created) == len(new) else None
        wanted = {o.id for o in new}
        out: dict[int, dict[str, Any]] = {}
        for note in self.bc.order_notes(NOTE_KEY, created_since=since):
            if note.order_id in wanted:
                try:
                    value = json.loads(note.value)
                except ValueError:
                    value = {}
                out[note.order_id] = value if isinstance(value, dict) else {}
        return out

    @staticmethod
    def _note_later(order_id: int, sale_id: int | None) -> None:
        """In the transaction that links the order: the note it gets in BigCommerce waits in the outbox and goes
        with the pass's others in one batch (``_write_notes``); a kill before that leaves the row for ``recover()``.
        {"sale": id} for a sale made; {"sale": null} for stock taken without one (S9)."""
        begin_work(ENTITY, f"note:{order_id}", NOTE_ACTION, {"bc_id": order_id, "sale": sale_id})

    def _write_notes(self) -> None:
        """Every note waiting in the outbox, in batches. A refusal only costs the evidence for a future restore:
        logged, the row closed as failed; a failure of the store stops the pass and the rows wait for the next."""
        rows = [w for w in unfinished_work(ENTITY) if w.action == NOTE_ACTION]
        if not rows:
            return
        notes = [(int(w.payload["bc_id"]), json.dumps({"sale": w.payload.get("sale")})) for w in rows]
        refused = ""
        try:
            self.bc.note_orders(NOTE_KEY, notes)
        except errors.SyncError as exc:
            if passes.stops_the_pass(exc):
                raise
            refused = exc.message
            log.warning("Could not note on BigCommerce's orders that they reached Hike: %s", exc.message)
        with database_proxy.atomic():
            for row in rows:
                end_work(row, "failed" if refused else "done", refused)

    def _adopt(self, plan: OrderPlan, noted: dict[str, Any]) -> None:
        """An order BigCommerce says reached Hike before: linked, never sent or moved again."""
        order = plan.order
        sale_id = noted.get("sale")
        if sale_id:
            sale = self.hike.sale(int(sale_id)) or self.hike.find_sale_by_number(str(order.id))
            if sale is not None:
                self._linked(plan, sale, None, f"Already in Hike as sale {sale.number} (noted on the order in "
                                               "BigCommerce; this app's database did not know it): linked, not sent "
                                               "again.", noted=True)
                return
        with database_proxy.atomic():
            link = _link_order(order, sale_id)
            self._end_waiting(order.id)
            what = "its sale was made" if sale_id else "its stock was taken from Hike"
            self.journal.record(ENTITY, action="link", result="ok", direction="bc_to_hike", link=link,
                                name=order_label(order.id),
                                message=f"Already brought into Hike ({what}, noted on the order in BigCommerce; this "
                                        "app's database did not know it): not sent again.")

    # full orders
    def _create_sale(self, plan: OrderPlan) -> None:
        order = plan.order
        key = f"order:{order.id}"
        done = PendingWork.get_or_none(PendingWork.key == key)
        if done is not None and done.status == "done":
            return  # another pass made it (its link is there): never twice
        if order.id in self._noted:
            self._adopt(plan, self._noted[order.id])
            return
        body, note = self.sale_body(plan)
        register_was_open = self._register_open(body["registerId"])
        work = begin_work(ENTITY, key, "create_sale", {"bc_id": order.id, "number": body["number"]})
        try:
            sale = self.hike.create_sale(body)  # a lost answer is looked up by number before a resend (N2)
        except errors.ValidationFailed as exc:
            found = self.hike.find_sale_by_number(body["number"]) if "number" in exc.message.lower() else None
            if found is None:
                with database_proxy.atomic():
                    end_work(work, "failed", exc.message)
                raise
            sale = found  # another pass sent it first: Hike refuses the number twice [I]
        if not register_was_open:
            self._registers_checked[body["registerId"]] = True
            self._reopened.setdefault(body["registerId"], utcnow())
            note += f" Register '{self._register_name(body['registerId'])}' was closed: the sale re-opened it (S8)."
        self._linked(plan, sale, work, note)

    def _linked(self, plan: OrderPlan, sale: HikeSale, work: PendingWork | None, message: str, *,
                noted: bool = False) -> None:
        order = plan.order
        moved = {line.product_id for line in sale.lines if line.product_id}
        self._moved_items |= moved
        with database_proxy.atomic():
            expect_resync(f"{ENTITY}:{order.id}", moved)  # BigCommerce took the order's stock at checkout (N2)
            link = _link_order(order, sale.id, hike_fingerprint=_status_mark(sale.status))
            if work is not None:
                end_work(work)
            if not noted:
                self._note_later(order.id, sale.id)
            self._end_waiting(order.id)
            self.journal.record(ENTITY, action="link" if noted else "create", result="ok", direction="bc_to_hike",
                                link=link, name=order_label(order.id), message=message,
                                diff=None if noted else {
                                    "sale": [None, sale.number], "status": [None, sale.status_name],
                                    "total": [None, str(sale.net_amount) if sale.net_amount is not None else None]})

    def sale_body(self, plan: OrderPlan) -> tuple[dict[str, Any], str]:
        """The Hike sale for an order (``order_mapping.sale_body`` with its payments), and the log message."""
        order, s = plan.order, self.settings
        customer_id, guest = self._customer_for(order)
        target = SaleTarget(
            outlet_id=s.order_outlet_id, register_id=self._register_for(s.order_outlet_id), status=plan.status,
            tax_inclusive=s.settings.tax_inclusive, shipping_tax_id=s.shipping_tax_id,
            shipping_tax_rate=self.ctx.hike_tax_rates.get(s.shipping_tax_id or -1, Decimal(0)),
            customer_id=customer_id)
        body, skipped = sale_body(order, plan.lines, _hike_item_for, target)
        body["invoicePayments"] = self.payments(order, body["netAmount"])
        message = f"Created in Hike as a {status_name(plan.status)} sale numbered {order.id}"
        if skipped:
            message += f"; not sent (gift certificates never sync, D5): {', '.join(skipped)}"
        return body, message + "." + (f" {guest}" if guest else "")

    def _customer_for(self, order: BCOrder) -> tuple[int | None, str]:
        """The sale's Hike customer, and what the log says of a guest's. A registered customer's is its link (the
        order waited for it); a guest's is the one Hike customer with the order's billing email (D7), if any."""
        if order.customer_id:
            return _hike_customer_for(order), ""
        email = norm_email(order.billing_address.get("email"))
        if not email:
            return None, ""
        if email not in self._by_email:
            self._by_email[email] = _linked_customers_with(email) or \
                [c.id for c in self.hike.find_customers_by_email(email)]
        found = self._by_email[email]
        if len(found) == 1:
            return found[0], f"Guest order put on the Hike customer {email} (matched by email)."
        if found:
            return None, (f"{len(found)} Hike customers have the email {email}: left as a guest sale; merge them in "
                          "Hike to put future orders on the customer.")
        return None, ""

    def payments(self, order: BCOrder, net: Decimal) -> list[dict[str, Any]]:
        """S5: the order's payments as Hike payments of the mapped type (``order_mapping.payments``)."""
        type_id = self.settings.payment_type_for(order.payment_method)
        if type_id is None:
            raise errors.ValidationFailed(
                f"{order_label(order.id)}: Hike has no payment type 'BigCommerce' to record its payments (S5). "
                "Add one in Hike or map the payment methods in the settings.", store="Hike")
        return payments(order, self.bc.order_transactions(order.id), net, type_id)

    def _register_for(self, outlet_id: int) -> int:
        if self.settings.payment_register_id is not None:
            return self.settings.payment_register_id
        register = payment_register(self._registers(), None, outlet_id)
        if register is None:
            raise errors.ValidationFailed(f"Hike outlet {outlet_id} has no register to record BigCommerce sales "
                                          "on. Choose a payment register in the settings (S8).", store="Hike")
        return register.id

    def _registers(self) -> list[HikeRegister]:
        """Hike's registers, read once per pass and only when a sale is sent."""
        if self._register_list is None:
            self._register_list = self.hike.registers()
        return self._register_list

    def _register_open(self, register_id: int) -> bool:
        """Whether the register was open before this pass posted to it ([I] ``isOpen`` of the emulator's
        register; a register without the field is taken as open, so nothing false is logged)."""
        if register_id in self._registers_checked:
            return self._registers_checked[register_id]
        register = next((r for r in self._registers() if r.id == register_id), None)
        is_open = True if register is None else bool(register.raw.get("isOpen", True))
        self._registers_checked[register_id] = is_open
        return is_open

    def _register_name(self, register_id: int) -> str:
        return next((r.name for r in self._registers() if r.id == register_id), str(register_id))

    # status both ways (D8)
    def _update_hike(self, plan: OrderPlan) -> None:
        link, order = plan.link, plan.order
        sale = plan.sale or self.hike.sale(int(link.hike_id))
        if sale is None:
            raise errors.NotFound(f"{order_label(order.id)}: its Hike sale {link.hike_id} is gone.", store="Hike")
        payments = None
        if plan.status == DONE and (sale.total_paid or 0) < (sale.net_amount or 0):
            payments = [*(p.raw for p in sale.payments), *self.payments(order, (sale.net_amount or Decimal(0))
                                                                         - (sale.total_paid or Decimal(0)))]
        register_id = sale.register_id
        was_open = self._register_open(register_id) if register_id else True
        updated = self.hike.update_sale(sale.id, status=plan.status, payments=payments)
        moved = {line.product_id for line in updated.lines if line.product_id}
        self._moved_items |= moved
        message = f"Hike sale {sale.number}: {sale.status_name} → {updated.status_name} (BigCommerce: {order.status})"
        if not was_open:
            self._registers_checked[register_id] = True
            message += f". Register '{self._register_name(register_id)}' was closed: the change re-opened it (S8)"
        with database_proxy.atomic():
            _remember(link, updated.status, order.status_id)
            expect_resync(f"{ENTITY}:{order.id}", moved)  # Hike's stock moved with the sale's status (N2)
            self._record(plan, action="status", result="ok", message=message + ".", hike_id=sale.id,
                         diff={"hike_status": [sale.status_name, updated.status_name]})

    def _update_bc(self, plan: OrderPlan) -> None:
        link, order = plan.link, plan.order
        updated = self.bc.update_order_status(order.id, plan.status)
        hike_status = plan.sale.status if plan.sale is not None else _status_of(link.hike_fingerprint)
        with database_proxy.atomic():
            _remember(link, hike_status, updated.status_id)
            self._record(plan, action="status", result="ok", direction="hike_to_bc", hike_id=link.hike_id,
                         message=f"BigCommerce order #{order.id}: {order.status} → {updated.status} (the Hike sale "
                                 f"is {status_name(hike_status)}).",
                         diff={"bc_status": [order.status, updated.status]})

    # inventory only (S9)
    def _move_stock(self, plan: OrderPlan) -> None:
        order = plan.order
        key = f"stock:{order.id}"
        existing = PendingWork.get_or_none(PendingWork.key == key)
        if existing is not None and (existing.status in ("done", "in_progress") or _unconfirmed(existing)):
            return  # moved already, being settled by recover(), or reported unconfirmed: never twice
        if order.id in self._noted:
            self._adopt(plan, self._noted[order.id])
            return
        quantities: dict[int, int] = {}
        for li in plan.lines:
            if not is_gift_certificate(li):
                item = int(_hike_item_for(li))
                quantities[item] = quantities.get(item, 0) + li.quantity
        outlet = self.settings.inventory_outlet_id
        rows = [{"product_id": pid, "outlet_id": outlet, "adjustment": -q, "reason": order_label(order.id)}
                for pid, q in sorted(quantities.items())]
        # what each item holds before the move: a lost answer is settled by comparing (adjustments can't be
        # looked up, and Hike applies a batch whole or not at all [I])
        before = {str(pid): str(self._on_hand(pid, outlet)) for pid in sorted(quantities)}
        work = begin_work(ENTITY, key, "move_stock", {"bc_id": order.id, "rows": rows, "before": before})
        if not self._send_move(work, rows):
            self._settle_stock(work, order)
            return
        self._stock_moved(work, order, "")

    def _send_move(self, work: PendingWork, rows: list[dict[str, Any]]) -> bool:
        """Send a stock move; False when its answer was lost. A refusal ends its outbox row and is raised (the
        order waits and is tried again); a failure that stops the pass leaves the row open for ``recover()``."""
        try:
            self.hike.inventory_update(rows)
        except errors.AmbiguousWrite:
            return False
        except errors.SyncError as exc:
            if not passes.stops_the_pass(exc):
                with database_proxy.atomic():
                    end_work(work, "failed", exc.message)
            raise
        return True

    def _on_hand(self, item_id: int, outlet_id: int) -> Decimal:
        product = self.hike.product(item_id)
        row = next((o for o in product.outlets if o.outlet_id == outlet_id), None) if product else None
        return row.on_hand if row is not None else Decimal(0)

    def _settle_stock(self, work: PendingWork, order: BCOrder, resend: bool = True) -> None:
        """A stock move whose answer was lost (or that a crash interrupted): moved when every item is at its
        level before less the order's quantity; not moved when every item is still where it was (then sent once
        more); anything else can't be told apart from a sale in the shop, so it is reported, never repeated.

        When the answer to that second try is lost too and the items are still where they were, the row stays
        open and the next pass's ``recover()`` looks again (a move that did not arrive must not be given up: it
        was lost for good that way, the soak found). When Hike refuses the second try (a product that does not
        track inventory, say), the row ends and the refusal is raised like a first try's, so the order waits and
        is tried again on later passes (it used to stay open and stop every later pass in ``recover()``)."""
        payload = work.payload or {}
        rows, before = payload.get("rows") or [], payload.get("before") or {}
        outlet = rows[0]["outlet_id"] if rows else self.settings.inventory_outlet_id
        now = {str(r["product_id"]): self._on_hand(int(r["product_id"]), outlet) for r in rows}
        moved = all(now[str(r["product_id"])] == Decimal(before.get(str(r["product_id"]), "nan")) + r["adjustment"]
                    for r in rows)
        untouched = all(now[str(r["product_id"])] == Decimal(before.get(str(r["product_id"]), "nan")) for r in rows)
        if moved:
            self._stock_moved(work, order, " (Hike's answer was lost; its stock shows the move was made)")
            return
        if untouched and resend:
            if not self._send_move(work, rows):
                self._settle_stock(work, order, resend=False)
                return
            self._stock_moved(work, order, " (sent again: Hike's stock showed the first try did not arrive)")
            return
        if untouched:  # the second try's answer was lost too, and it has not arrived (yet): left to recover()
            with database_proxy.atomic():
                self.journal.record(ENTITY, action="stock", result="error", direction="bc_to_hike", bc_id=order.id,
                                    sku=str(order.id), message=_not_arrived_yet(order.id))
            return
        with database_proxy.atomic():
            end_work(work, "failed", UNCONFIRMED)
            self._end_waiting(order.id)  # reported, never repeated: no longer read again on every pass
            self.journal.record(ENTITY, action="stock", result="error", direction="bc_to_hike", bc_id=order.id,
                                sku=str(order.id), message=_unconfirmed_stock(order.id))

    def _stock_moved(self, work: PendingWork, order: BCOrder, note: str) -> None:
        rows = (work.payload or {}).get("rows") or []
        moved = {int(r["product_id"]) for r in rows}
        self._moved_items |= moved
        with database_proxy.atomic():
            expect_resync(f"{ENTITY}:{order.id}", moved)  # BigCommerce took the order's stock at checkout (N2)
            link = _link_order(order, None)
            end_work(work)
            self._note_later(order.id, None)
            self._end_waiting(order.id)
            moved = ", ".join(f"{-r['adjustment']} × product {r['product_id']}" for r in rows)
            outlet = rows[0]["outlet_id"] if rows else self.settings.inventory_outlet_id
            self.journal.record(ENTITY, action="stock", result="ok", direction="bc_to_hike", link=link,
                                name=order_label(order.id),
                                message=f"Stock taken from Hike outlet {outlet} for the order (no sale, S9): "
                                        f"{moved}{note}.")

    # -- crash recovery (N2) --------------------------------------------------------------------------------------
    def recover(self) -> None:
        """Work a crash left open: a sale that Hike has (found by its number) is linked; one it does not have is
        read and planned again on this pass. A stock move is settled by comparing the items' stock with what they
        held before it (``_settle_stock``)."""
        for work in unfinished_work(ENTITY):
            payload = work.payload or {}
            bc_id = int(payload.get("bc_id") or 0)
            if work.action == "create_sale" and bc_id:
                sale = self.hike.find_sale_by_number(str(payload.get("number") or bc_id))
                if sale is not None:
                    plan = OrderPlan("create_sale", self.bc.order(bc_id))
                    self._linked(plan, sale, work, f"Found in Hike after a restart as sale {sale.number}: linked, "
                                                   "not sent again.")
                    continue
                self._replan.add(bc_id)
                with database_proxy.atomic():
                    end_work(work, "failed", "not in Hike after a restart; planned again")
            elif work.action == "move_stock" and bc_id:
                order = self.bc.order(bc_id)
                try:
                    self._settle_stock(work, order)
                except errors.SyncError as exc:
                    if passes.stops_the_pass(exc):
                        raise
                    # Hike refused it (the row has ended): the order waits, tried again on later passes
                    self._hold(OrderPlan("move_stock", order), [], exc.message, "error")
            elif work.action == NOTE_ACTION:
                continue  # written below, with any this loop adds
            else:
                with database_proxy.atomic():
                    end_work(work, "failed", "interrupted; not repeated")
        self._write_notes()

    # -- cursors --------------------------------------------------------------------------------------------------
    def advance_cursors(self, snap: OrderSnapshot) -> None:
        if snap.activated:
            return
        passes.advance_cursors(ENTITY, snap, lambda s: s.last_modified, lambda o: o.date_modified)
        self._replan.clear()


# -- helpers -------------------------------------------------------------------------------------------------------
def _link_order(order: BCOrder, hike_id: Any, *, hike_fingerprint: str | None = None) -> Link:
    """The order's link (``hike_id``: its sale, None for stock taken without one), in place of the marker row that
    listed it while it waited or failed. Call inside the transaction that records it."""
    Link.delete().where(Link.entity == ENTITY, Link.bc_id == str(order.id), Link.status != "linked").execute()
    return save_link(ENTITY, hike_id=hike_id, bc_id=order.id, sku=str(order.id), name=order_label(order.id),
                     hike_fingerprint=hike_fingerprint, bc_fingerprint=_status_mark(order.status_id))


def made_for_a_sale(order: BCOrder) -> bool:
    """An order this app made for a Hike sale (S15), known by the reference it carries even when this database has
    no link for it (restored or new, N7): never brought back into Hike (D10)."""
    return str(order.raw.get("external_order_id") or "").startswith(SALE_REFERENCE_PREFIX)


def _line_need(line: BCOrderLine) -> str:
    return f"item:{line.product_id}:{line.variant_id or 0}"


def _linked_hike_id(entity: str, bc_id: Any) -> str | None:
    link = Link.get_or_none(Link.entity == entity, Link.bc_id == str(bc_id), Link.status == "linked")
    return link.hike_id if link is not None and link.hike_id else None


def _hike_item_for(line: BCOrderLine) -> str | None:
    """The Hike product or variant a line sells: the variant's link, else (a simple product, whose only variant
    is BigCommerce's base variant) the product's."""
    if line.variant_id:
        found = _linked_hike_id("variant", line.variant_id)
        if found:
            return found
    return _linked_hike_id("product", line.product_id) if line.product_id else None


def _hike_customer_for(order: BCOrder) -> int | None:
    found = _linked_hike_id("customer", order.customer_id) if order.customer_id else None
    return int(found) if found else None


def _linked_customers_with(email: str) -> list[int]:
    """The Hike customer linked under this email (D7), when the links tell it alone: exactly one link, and no
    customer of that email left out as a conflict or waiting; else [] (Hike is asked)."""
    rows = list(Link.select(Link.hike_id, Link.status).where(Link.entity == CUSTOMER_ENTITY, Link.sku == email))
    if len(rows) == 1 and rows[0].status == "linked" and rows[0].hike_id:
        return [int(rows[0].hike_id)]
    return []


def _is_linked(need: str) -> bool:
    kind, _, rest = need.partition(":")
    if kind == "item":  # a product line: its variant's link, or its product's
        product_id, _, variant_id = rest.partition(":")
        return _linked_hike_id("variant", variant_id) is not None or _linked_hike_id("product", product_id) is not None
    return _linked_hike_id(kind, rest) is not None


def _remember(link: Link, hike_status: int | None, bc_status: int | None) -> None:
    if hike_status is not None:
        link.hike_fingerprint = _status_mark(hike_status)
    if bc_status is not None:
        link.bc_fingerprint = _status_mark(bc_status)
    link.save()


def _action_of(kind: str) -> str:
    return {"create_sale": "create", "move_stock": "stock", "update_hike": "status", "update_bc": "status",
            "wait": "create", "skip": "skip", "fail": "create"}[kind]


def _unconfirmed(work: PendingWork) -> bool:
    """A stock move reported unconfirmed (``_settle_stock``): never sent again."""
    return work.status == "failed" and work.last_error == UNCONFIRMED


def _not_arrived_yet(order_id: int) -> str:
    return (f"Hike did not confirm the stock change for {order_label(order_id)} twice, and its stock shows it has "
            "not arrived: checked again on the next pass, and sent once more if it still has not.")


def _unconfirmed_stock(order_id: int) -> str:
    return (f"Hike did not confirm the stock change for {order_label(order_id)}; it is not sent again so stock "
            f"never moves twice. Check the products' history in Hike for reference '{order_label(order_id)}'.")
