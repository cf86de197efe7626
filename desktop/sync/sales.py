"""Hike sales → BigCommerce orders (S15, D5, D8, N2), when "Send full Hike sales to BigCommerce" is on (off by
default, "not recommended").

A pass runs ``recover()``, ``read()``, ``plan()``, ``apply()`` and ``advance_cursors()`` with the pass's ``Journal``
(entity "sale": links ``Link(entity="sale", hike_id=<sale id>, bc_id=<order id>)``, log rows, run counts).

- **Which sales.** Sales of every outlet, made after the setting was switched on (the first pass only notes the
  time on Hike's clock, as Hike's own integration sends sales "at transaction time" and never the history; a pass
  with the setting off forgets it again, see ``deactivate``). A
  sale is read when it changed since the cursor (``Sync_From`` [I] for sales), so later status changes are seen.
  Sales that came from BigCommerce (the other direction's ``Link(entity="order")``, or Hike's source 5
  "BigCommerce" [A]) are never sent back (D10).
- **Status (D8).** Completed → Completed; Lay-by and On-account → Pending; Voided → Cancelled (an order already
  sent is set to Cancelled; a sale voided before it was sent is never sent). Other statuses (parked, quote, ...)
  are not orders yet; such a sale is sent when it reaches one of those statuses.
- **What is sent.** Lines of linked products (variant lines as the BigCommerce variant), custom lines as custom
  products; gift cards and discount lines never (D5; loyalty and discount offers are not lines of their own and
  never sync either). A line of a product that is not linked holds the whole sale back: the log names the
  product, a marker link ("waiting") remembers the sale, and each later pass reads it again, so it goes once the
  product is linked. A fractional quantity holds the sale back the same way (BigCommerce orders take whole units).
  Exchanges (status Exchange, or a sale with a returned line) are not sent as orders (S15); their stock effect
  reaches BigCommerce with the stock sync, like any Hike stock change. An order BigCommerce refuses leaves a
  marker link ("failed", listed in the Errors tab, M4); the sale goes again when it changes in Hike or when it is
  retried, not on every pass.
- **Money** is Decimal throughout: unit prices are the lines' own totals (discounts included) per unit, and the
  order's totals are set to the sale's (less the lines that are never sent), so BigCommerce shows what was paid.
- **Stock.** BigCommerce takes an order's quantities off its stock when the order is created, and may put them
  back when it is cancelled, but Hike is where stock is managed and only the mapped inventory outlet(s) count
  (S1, S15). So after creating or cancelling orders the pass sets the absolute levels of the products involved to
  Hike's level again (the same absolute, idempotent adjustments as the inventory pass): a sale in the mapped outlet
  leaves BigCommerce at Hike's new level, a sale in another outlet leaves it where it was. Only while "Update
  inventory in BigCommerce" is on; with it off, BigCommerce's own stock keeps BigCommerce's deduction.
- **Exactly once (N2).** Each create goes through the outbox (key ``create_order:<sale id>``, committed before
  the request) and carries the reference ``hike-sale-<sale id>`` in ``external_order_id`` (a writable, filterable
  field of v2 orders). A lost answer is looked up by that reference before anything is sent again (the client),
  and ``recover()`` after a crash links the order it finds or plans the sale again. Status changes are absolute
  (PUT), safe to repeat. A pass with sales to send first reads the orders created since the oldest of them and
  links those that already carry a sale's reference (N7): a database restored from an older copy, or a new one,
  cannot prove an order was never sent, so the store is asked.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from email.utils import format_datetime
from typing import Any, Iterable

from desktop import APP_NAME
from desktop.storage.db import database_proxy
from desktop.storage.models import Cursor, Link, Preference, get_preference, set_preference
from desktop.sync import errors, mapping, order_start, passes
from desktop.sync.bigcommerce import BCOrder, BigCommerceClient
from desktop.sync.hike import HikeClient
from desktop.sync.hike_models import HikeSale, HikeSaleLine, SaleStatus
from desktop.sync.entity_pass import EntitySync
from desktop.sync.inventory import expect_resync, resync_levels
from desktop.sync.journal import (CURSOR_OVERLAP, LOOKUP_MARGIN, Journal, begin_work, end_work, links_by_hike,
                                  read_from, save_link, unfinished_work)
from desktop.sync.order_mapping import CANCELLED as BC_CANCELLED
from desktop.sync.order_mapping import COMPLETED as BC_COMPLETED
from desktop.sync.order_mapping import HIKE_SOURCE_BIGCOMMERCE
from desktop.sync.order_mapping import PENDING as BC_PENDING
from desktop.sync.orders import SALE_REFERENCE_PREFIX
from desktop.sync.passes import Snapshot

log = logging.getLogger(__name__)

ENTITY = "sale"
FROM_BC = "order"  # links of BigCommerce orders brought into Hike as sales (the other direction)
EXTERNAL_SOURCE = "Hike POS"  # the spec recommends naming the system that made the order
ACTIVATED_PREFERENCE = "hike_sales_to_bc_from"
BEFORE_PREFERENCE = "hike_sales_to_bc_before"  # sales seen at activation: made before it, never sent

STATUS_MAP = {SaleStatus.COMPLETED: BC_COMPLETED, SaleStatus.LAYBY: BC_PENDING, SaleStatus.ON_ACCOUNT: BC_PENDING,
              SaleStatus.VOIDED: BC_CANCELLED}  # D8 Hike → BigCommerce
BC_STATUS_NAMES = {BC_PENDING: "Pending", BC_CANCELLED: "Cancelled", BC_COMPLETED: "Completed"}
NEVER_SENT = {1: "gift card", 5: "discount"}  # InvoiceItemType [A]: D5
CUSTOM_LINES = {2, 4, 100}  # custom item, appointment, other [A]: sent as custom products [I]
COMPOSITE_LINES = {3, 7}
FOUR = Decimal("0.0001")
NO_POSTCODE = "0000"  # [I] BigCommerce needs a billing ZIP; a walk-in POS sale has none


def reference(sale_id: Any) -> str:
    return f"{SALE_REFERENCE_PREFIX}{sale_id}"


def _m4(value: Decimal) -> Decimal:
    return value.quantize(FOUR, rounding=ROUND_HALF_UP)


def _money(value: Decimal) -> str:
    """v2 order money is a string with 4 decimals."""
    return str(_m4(value))


def is_exchange(sale: HikeSale) -> bool:
    return sale.status == SaleStatus.EXCHANGE or any(line.quantity < 0 for line in sale.lines)


def _who(line: HikeSaleLine) -> str:
    return f"{line.title or 'a product'}" + (f" (SKU {line.sku})" if line.sku else "")


@dataclass
class SaleAction:
    kind: str  # create | status | wait | skip
    sale: HikeSale
    message: str = ""
    link: Link | None = None
    status_id: int | None = None
    lines: list[dict[str, Any]] = field(default_factory=list)
    customer_id: int = 0  # the linked BigCommerce customer, 0 for a guest
    product_ids: set[int] = field(default_factory=set)

    @property
    def name(self) -> str:
        return f"Sale {self.sale.number}" if self.sale.number else f"Sale {self.sale.id}"


class SaleSync(EntitySync):
    record_entity = ENTITY

    def __init__(self, hike: HikeClient, bc: BigCommerceClient, ctx: mapping.MappingContext, journal: Journal,
                 events: Any = None):
        super().__init__(hike, bc, journal, events)
        self.ctx = ctx
        self._replan: set[int] = set()  # sales to read again (recovered creates that were not found)
        self._retry: set[int] = set()  # refused sales asked for again ("Retry this record")
        self._outlets: dict[int, str] | None = None
        self._touched: list[SaleAction] = []
        self._in_store: dict[str, BCOrder] = {}  # reference -> order BigCommerce already holds (``_orders_in_store``)

    # -- read -----------------------------------------------------------------------------------------------------
    def read(self, retry: Iterable[int] = ()) -> Snapshot[HikeSale, Any]:
        """What changed since the cursor, the sales held back ("waiting": read on every pass until they go), and
        ``retry``: Hike sale ids asked for again ("Retry this record" on a refused one)."""
        since = read_from(ENTITY, "hike")
        self.hike.http.mark_time()
        start = None
        if since is None:  # a new database on stores this app synced: from where the person chose (N7)
            start = order_start.start_from(order_start.find_resume(self.bc, self.hike, orders=False, sales=True),
                                           "sales")
        if start is not None:
            set_preference(ACTIVATED_PREFERENCE, start.isoformat())
            set_preference(BEFORE_PREFERENCE, [])
            since = start - CURSOR_OVERLAP
        if since is None:
            # activation: note Hike's clock (the answer's Date header, whole seconds) and the sales of the last
            # moments, which the next read's overlap brings back: none of them is sent, only sales from now on
            recent = list(self.hike.sales(modified_since=datetime.now(timezone.utc) - CURSOR_OVERLAP))
            started = self.hike.http.first_date or datetime.now(timezone.utc)
            set_preference(ACTIVATED_PREFERENCE, started.isoformat())
            set_preference(BEFORE_PREFERENCE, sorted(s.id for s in recent))
            return Snapshot(hike=[], full=True, hike_started=started)
        sales = list(self.hike.sales(modified_since=since))
        seen = {s.id for s in sales}
        waiting = {int(l.hike_id) for l in Link.select().where(Link.entity == ENTITY, Link.status == "waiting")}
        self._retry = set(retry)
        for sale_id in sorted((waiting | self._replan | self._retry) - seen):
            sale = self.hike.sale(sale_id)
            if sale is not None:
                sales.append(sale)
        return Snapshot(hike=sales, full=False, hike_started=self.hike.http.first_date)

    def advance_cursors(self, snap: Snapshot[HikeSale, Any]) -> None:
        passes.advance_cursors(ENTITY, snap, lambda s: s.last_modified, lambda _: None)
        self._replan.clear()

    # -- plan -----------------------------------------------------------------------------------------------------
    def plan(self, snap: Snapshot[HikeSale, Any]) -> list[SaleAction]:
        from_bc = links_by_hike(FROM_BC)
        mine = links_by_hike(ENTITY)
        activated = get_preference(ACTIVATED_PREFERENCE)
        start = datetime.fromisoformat(activated) if activated else None
        before = set(get_preference(BEFORE_PREFERENCE) or [])
        products, variants = links_by_hike("product"), links_by_hike("variant")
        customers = links_by_hike("customer")
        actions: list[SaleAction] = []
        for sale in snap.hike:
            if str(sale.id) in from_bc or sale.source == HIKE_SOURCE_BIGCOMMERCE:
                continue  # it came from BigCommerce: never sent back (D10)
            target = STATUS_MAP.get(sale.status)  # type: ignore[call-overload]
            link = mine.get(str(sale.id))
            if link is not None and link.status == "failed" and link.hike_fingerprint == _changed(sale) \
                    and sale.id not in self._retry:
                continue  # refused as it is: sent again once it changes in Hike, or when retried
            if link is not None and link.status == "linked":
                if target is not None and link.bc_fingerprint != str(target):
                    actions.append(SaleAction("status", sale, link=link, status_id=target,
                                              product_ids=_product_ids(sale)))
                continue
            if target is None or target == BC_CANCELLED:
                if link is not None and target == BC_CANCELLED:
                    actions.append(SaleAction("skip", sale, "Voided in Hike before it was sent: not sent to "
                                                            "BigCommerce.", link=link))
                elif link is not None and link.status == "waiting" and sale.status != SaleStatus.PARKED:
                    actions.append(SaleAction("skip", sale, f"Not sent: the sale is now {sale.status_name} in Hike.",
                                              link=link))  # no longer re-read on every pass
                continue  # not an order (yet): parked, quote, refunded, ...
            when = sale.created or sale.transaction_date
            if link is None and (sale.id in before or (start is not None and when is not None and when < start)):
                continue  # made before full sales were switched on
            if is_exchange(sale):
                actions.append(SaleAction("skip", sale, "An exchange is not sent to BigCommerce as an order (S15); "
                                                        "its stock change goes with the stock sync.", link=link))
                continue
            lines, problem = self._order_lines(sale, products, variants)
            if problem:
                actions.append(SaleAction("wait", sale, problem, link=link))
                continue
            if not lines:
                actions.append(SaleAction("skip", sale, "Nothing to send: the sale has only gift card or discount "
                                                        "lines, which never sync (D5).", link=link))
                continue
            customer = customers.get(str(sale.customer_id)) if sale.customer_id else None
            actions.append(SaleAction("create", sale, link=link, status_id=target, lines=lines,
                                      product_ids=_product_ids(sale),
                                      customer_id=int(customer.bc_id) if customer and customer.bc_id else 0))
        return actions

    def _order_lines(self, sale: HikeSale, products: dict[str, Link],
                     variants: dict[str, Link]) -> tuple[list[dict[str, Any]], str]:
        out: list[dict[str, Any]] = []
        blocked: list[str] = []
        for line in sale.lines:
            if line.item_type in NEVER_SENT:
                continue  # D5
            if line.quantity != line.quantity.to_integral_value():
                return [], (f"Not sent: {_who(line)} was sold in a fractional quantity "
                            f"({line.quantity.normalize()}); BigCommerce orders take whole units.")
            quantity = int(line.quantity)
            ex_total = line.tax_exclusive_total if line.tax_exclusive_total is not None else (line.total or Decimal(0))
            inc_total = ex_total + (line.tax_amount or Decimal(0))
            prices = {"quantity": quantity, "price_ex_tax": _m4(ex_total / quantity),
                      "price_inc_tax": _m4(inc_total / quantity)}
            if line.item_type in CUSTOM_LINES:
                out.append({"name": line.title or "Custom item", **({"sku": line.sku} if line.sku else {}), **prices})
                continue
            variant = variants.get(str(line.product_id))
            product = products.get(str(line.parent_product_id)) if variant is not None else \
                products.get(str(line.product_id))
            if product is None or product.status != "linked" or not product.bc_id or (
                    variant is not None and not variant.bc_id):
                why = " (composite products are not sent to BigCommerce)" if line.item_type in COMPOSITE_LINES else ""
                blocked.append(_who(line) + why)
                continue
            item: dict[str, Any] = {"product_id": int(product.bc_id), **prices}
            if variant is not None:
                item["variant_id"] = int(variant.bc_id)
            out.append(item)
        if blocked:
            return [], ("Not sent yet: these products are not linked to BigCommerce: " + "; ".join(blocked) +
                        ". The sale goes on a later pass once they are linked.")
        return out, ""

    # -- apply ----------------------------------------------------------------------------------------------------
    def apply(self, actions: list[SaleAction]) -> None:
        self._start(len(actions))
        self._touched = []
        self._in_store = self._orders_in_store(actions)
        handlers = {"create": self._create, "status": self._set_status, "wait": self._note, "skip": self._note}
        try:
            for action in actions:
                self._guard(handlers[action.kind], action)
        finally:
            self._restore_stock()

    def _orders_in_store(self, actions: list[SaleAction]) -> dict[str, BCOrder]:
        """N7: orders BigCommerce already holds for the sales about to be sent, by their reference. A database
        restored from an older copy, or a new one, does not know them; the store does. One paged read of the
        orders created since the oldest of these sales (less a margin for the two stores' clocks), only on a
        pass that has sales to send."""
        wanted = {reference(a.sale.id): a.sale for a in actions if a.kind == "create"}
        if not wanted:
            return {}
        times = [s.created or s.transaction_date for s in wanted.values()]
        if any(t is None for t in times):  # [I] a sale without dates: look each one up by its reference
            return {ref: o for ref in wanted if (o := self.bc.find_order_by_reference(ref)) is not None}
        since = min(t for t in times if t is not None) - LOOKUP_MARGIN
        return {ref: o for o in self.bc.orders(created_since=since)
                if (ref := str(o.raw.get("external_order_id") or "")) in wanted}

    def _failed(self, action: SaleAction, message: str, cause: BaseException | None = None) -> None:
        """One sale's failure (``EntitySync._guard``): a refused create leaves a marker; an unconfirmed create
        stays in the outbox for ``recover()``."""
        if action.kind == "create" and not isinstance(cause, errors.AmbiguousWrite):
            self._refused(action, message)
        else:
            self._record(action, "error", message)

    def _record(self, action: SaleAction, result: str, message: str, *, kind: str | None = None,
                diff: dict | None = None) -> None:
        with database_proxy.atomic():
            self.journal.record(ENTITY, action=kind or action.kind, result=result, direction="hike_to_bc",
                                message=message, link=action.link, hike_id=action.sale.id, diff=diff,
                                name=action.name)

    def _refused(self, action: SaleAction, message: str) -> None:
        """BigCommerce refused the order: a marker link (``failed``) lists the sale in the Errors tab (M4). The
        cursor moves on, so it is sent again when the sale changes in Hike or when it is retried (``read``), not
        on every pass (the same refusal would repeat)."""
        with database_proxy.atomic():
            link = action.link or Link.create(entity=ENTITY, hike_id=str(action.sale.id), name=action.name,
                                              status="failed")
            link.status = "failed"
            link.hike_fingerprint = _changed(action.sale)  # the sale as refused
            action.link = link
            self._record(action, "error", message)

    def _note(self, action: SaleAction) -> None:
        """A sale held back or not sent, logged once per reason: a marker link remembers it (and, for a sale held
        back, brings it back to be read on every pass until it goes)."""
        status = "waiting" if action.kind == "wait" else "skipped"
        link = action.link
        if link is not None and link.status == status and link.last_message == action.message:
            return
        with database_proxy.atomic():
            if link is None:
                link = Link.create(entity=ENTITY, hike_id=str(action.sale.id), name=action.name, status=status)
            link.status = status
            action.link = link
            self.journal.record(ENTITY, action="skip", result="skipped" if status == "skipped" else "error",
                                direction="hike_to_bc", message=action.message, link=link, name=action.name)

    def _body(self, action: SaleAction) -> dict[str, Any]:
        sale = action.sale
        lines = action.lines
        sub_ex = sum((Decimal(str(li["price_ex_tax"])) * li["quantity"] for li in lines), Decimal(0))
        sub_inc = sum((Decimal(str(li["price_inc_tax"])) * li["quantity"] for li in lines), Decimal(0))
        # the sale's own line totals (exact), not unit price x quantity (rounded to 4 places per unit)
        sent = [li for li in sale.lines if li.item_type not in NEVER_SENT]
        if all(li.tax_exclusive_total is not None for li in sent):
            sub_ex = sum((li.tax_exclusive_total for li in sent), Decimal(0))  # type: ignore[misc]
            sub_inc = sub_ex + sum((li.tax_amount or Decimal(0) for li in sent), Decimal(0))
        ship_inc = sale.shipping or Decimal(0)
        ship_tax = Decimal(str(sale.raw.get("shippingTaxAmount") or 0))
        ship_ex = ship_inc - ship_tax if sale.tax_inclusive else ship_inc
        if not sale.tax_inclusive:
            ship_inc = ship_ex + ship_tax
        payments = list(dict.fromkeys(p.payment_type_name for p in sale.payments if p.payment_type_name))
        body: dict[str, Any] = {
            "status_id": action.status_id, "customer_id": action.customer_id,
            "billing_address": self._billing(sale), "products": lines,
            "external_source": EXTERNAL_SOURCE, "external_order_id": reference(sale.id),
            "staff_notes": f"Hike sale {sale.number} at {self._outlet_name(sale.outlet_id)}, sent by "
                           f"{APP_NAME}.",
            "payment_method": ", ".join(payments) or "Hike POS",
            "subtotal_ex_tax": _money(sub_ex), "subtotal_inc_tax": _money(sub_inc),
            "base_shipping_cost": _money(ship_ex), "shipping_cost_ex_tax": _money(ship_ex),
            "shipping_cost_inc_tax": _money(ship_inc),
            "total_ex_tax": _money(sub_ex + ship_ex), "total_inc_tax": _money(sub_inc + ship_inc),
        }
        when = sale.transaction_date or sale.created
        if when is not None:
            body["date_created"] = format_datetime(when.astimezone(timezone.utc))
        return body

    def _billing(self, sale: HikeSale) -> dict[str, Any]:
        customer = self.hike.customer(sale.customer_id) if sale.customer_id else None
        if customer is None:
            return {"first_name": "Walk-in", "last_name": "customer", "zip": NO_POSTCODE}
        address = customer.billing_address or customer.shipping_address
        out = {"first_name": customer.first_name or "", "last_name": customer.last_name or "",
               "email": customer.email or "", "zip": (address.postcode if address else "") or NO_POSTCODE}
        if len(out["zip"].strip()) < 2:
            out["zip"] = NO_POSTCODE
        if address is not None:
            out.update({"street_1": address.address1, "street_2": address.address2, "city": address.city,
                        "state": address.state, "country_iso2": address.country_code,
                        "country": address.country_name})
        return {k: v for k, v in out.items() if v not in (None, "") or k == "zip"}

    def _outlet_name(self, outlet_id: int | None) -> str:
        if self._outlets is None:
            self._outlets = {o.id: o.name for o in self.hike.outlets(include_inactive=True)}
        return self._outlets.get(outlet_id or 0) or f"outlet {outlet_id}"

    def _create(self, action: SaleAction) -> None:
        sale = action.sale
        found = self._in_store.get(reference(sale.id))
        if found is not None:  # made before: this database was restored or is new (N7)
            self._linked(sale, found, None, action, found=True)
            return
        body = self._body(action)
        work = begin_work(ENTITY, f"create_order:{sale.id}", "create_bc",
                          {"hike_id": sale.id, "reference": reference(sale.id)})
        try:
            order = self.bc.create_order(body)
        except errors.SyncError as exc:
            # a refusal closes the outbox row; an unconfirmed write or a stopped pass leaves it for recover()
            if not passes.stops_the_pass(exc) and not isinstance(exc, errors.AmbiguousWrite):
                with database_proxy.atomic():
                    end_work(work, "failed", exc.message)
            raise
        self._linked(sale, order, work, action)

    def _linked(self, sale: HikeSale, order: BCOrder, work: Any, action: SaleAction | None, *,
                found: bool = False) -> None:
        name = f"Sale {sale.number}" if sale.number else f"Sale {sale.id}"
        status = BC_STATUS_NAMES.get(order.status_id, order.status)
        message = (f"Order {order.id} was already in BigCommerce for this sale (this app's database did not know "
                   f"it: restored or new): linked, not sent again ({status}, total {order.total_inc_tax})") if found \
            else f"Order {order.id} created in BigCommerce ({status}, total {order.total_inc_tax})"
        with database_proxy.atomic():
            link = save_link(ENTITY, hike_id=sale.id, bc_id=order.id, name=name,
                             hike_fingerprint=str(sale.status), bc_fingerprint=str(order.status_id))
            if work is not None:
                end_work(work)
            expect_resync(f"{ENTITY}:{sale.id}", _product_ids(sale))  # BigCommerce took the order's stock (N2)
            self.journal.record(ENTITY, action="link" if found else "create", result="ok", direction="hike_to_bc",
                                link=link, name=name, message=message,
                                diff=None if found else {"status": [None, order.status],
                                                         "total": [None, str(order.total_inc_tax)]})
        if action is not None:
            self._touched.append(action)

    def _set_status(self, action: SaleAction) -> None:
        link = action.link
        assert link is not None and action.status_id is not None
        order = self.bc.update_order_status(int(link.bc_id), action.status_id)  # absolute: safe to repeat
        before = BC_STATUS_NAMES.get(int(link.bc_fingerprint or 0), link.bc_fingerprint)
        after = BC_STATUS_NAMES.get(order.status_id, order.status)
        with database_proxy.atomic():
            link.bc_fingerprint = str(order.status_id)
            link.hike_fingerprint = str(action.sale.status)
            expect_resync(f"{ENTITY}:{action.sale.id}", action.product_ids)  # a cancel may restock it (N2)
            self.journal.record(ENTITY, action="update", result="ok", direction="hike_to_bc", link=link,
                                name=action.name, diff={"status": [before, after]},
                                message=f"Order {link.bc_id} set to {after} in BigCommerce "
                                        f"(the sale is {action.sale.status_name} in Hike)")
        self._touched.append(action)

    def _restore_stock(self) -> None:
        """BigCommerce moved stock for the orders created or cancelled: set Hike's levels again (S1, S15)."""
        touched, self._touched = self._touched, []
        resync_levels(self.hike, self.bc, self.journal, self.ctx.settings,
                      {pid for action in touched for pid in action.product_ids})

    # -- crash recovery (N2) --------------------------------------------------------------------------------------
    def recover(self) -> None:
        """Creates that were sent but never confirmed: the order found by its reference is linked; a sale whose
        order is not there is read again and planned on this pass."""
        for work in unfinished_work(ENTITY):
            payload = work.payload or {}
            sale_id = payload.get("hike_id")
            order = self.bc.find_order_by_reference(payload.get("reference") or reference(sale_id)) \
                if sale_id else None
            sale = self.hike.sale(int(sale_id)) if order is not None else None
            if order is not None and sale is not None:
                action = SaleAction("create", sale, product_ids=_product_ids(sale))
                self._linked(sale, order, work, action)
                continue
            if sale_id:
                self._replan.add(int(sale_id))
            with database_proxy.atomic():
                end_work(work, "failed", "not found after a restart; planned again")
        self._restore_stock()


def deactivate() -> None:
    """Full sales are off: forget where reading stopped, so switching them on again starts from that moment.
    Sales made while the setting was off are never sent (Hike's own integration sends a sale at transaction time,
    never afterwards). Orders already sent keep their links, and follow their sales' status once it is on again."""
    Cursor.delete().where(Cursor.entity == ENTITY).execute()
    Preference.delete().where(Preference.key.in_([ACTIVATED_PREFERENCE, BEFORE_PREFERENCE])).execute()


def _changed(sale: HikeSale) -> str:
    return sale.last_modified.isoformat() if sale.last_modified else ""


def _product_ids(sale: HikeSale) -> set[int]:
    """The Hike products (variant parents for variant lines) a sale moves."""
    return {line.parent_product_id or line.product_id for line in sale.lines
            if line.product_id and line.item_type not in NEVER_SENT and line.item_type not in CUSTOM_LINES}
