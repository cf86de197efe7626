"""Where orders start counting on a database that has never run them, when the stores say this app ran them before
(S10, S15, N7; issue 14 finding 2b).

A first pass only notes the moment orders (and Hike sales, S15) start to count: the shop's history is never
brought over. That is right for a new installation, and wrong after "move the damaged database away and start
again": the orders placed while the app was down, or not synced yet when it broke, would then never sync, and
every run would say ok. So before a database activates orders it asks the stores whether this app brought orders
over before: the newest BigCommerce order carrying this app's note (``orders.NOTE_KEY``), and, with S15 on, the
newest order this app made for a Hike sale (its ``external_order_id``). When there is such an order the person
chooses (GUI) or must say (``--orders-from`` in the CLI):

- ``last-synced`` (the default the GUI offers): orders count from the last one already brought over, so nothing
  placed since is lost; the ones already there are found by the store look-ups and linked, never sent again;
- ``now``: only orders from now on (the ones in between are never synced: the person was told how many);
- a moment (ISO 8601): orders from then on.

The choice is kept as preference ``orders_start`` until the orders are activated.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from desktop.storage.models import Link, get_preference, set_preference
from desktop.sync import errors
from desktop.sync.bigcommerce import PAGE_LIMIT
from desktop.sync.journal import read_from
from desktop.sync.vocabulary import ErrorKind

log = logging.getLogger(__name__)

CHOICE = "orders_start"
LAST_SYNCED, NOW = "last-synced", "now"
SCAN_PAGES = 4  # newest orders read to find the last one this app made for a sale (S15): 1 000 orders


class StartChoiceNeeded(errors.SyncError):
    """This database has never run orders, but the stores hold orders this app brought over: the person must say
    where orders start counting. Stops the pass (products and customers have synced already)."""

    kind = ErrorKind.ORDERS_START
    title = "Choose where orders start"
    stops_pass = True


@dataclass(frozen=True)
class Resume:
    """What the stores say this app brought over before this database existed."""

    order_id: int | None = None  # newest BigCommerce order brought into Hike (S9/S10)
    order_at: datetime | None = None
    orders_since: int = 0  # BigCommerce orders created after it: what "last-synced" brings in
    sale_id: int | None = None  # newest Hike sale sent to BigCommerce as an order (S15)
    sale_at: datetime | None = None
    sales_since: int = 0

    @property
    def found(self) -> bool:
        return self.order_id is not None or self.sale_id is not None

    def describe(self) -> str:
        parts = []
        if self.order_id is not None:
            parts.append(f"BigCommerce order #{self.order_id} ({_when(self.order_at)}) was the last brought into Hike; "
                         f"{_count(self.orders_since, 'order')} placed since")
        if self.sale_id is not None:
            parts.append(f"Hike sale {self.sale_id} ({_when(self.sale_at)}) was the last sent to BigCommerce; "
                         f"{_count(self.sales_since, 'sale')} made since")
        return "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {"order_id": self.order_id, "order_at": self.order_at.isoformat() if self.order_at else None,
                "orders_since": self.orders_since, "sale_id": self.sale_id,
                "sale_at": self.sale_at.isoformat() if self.sale_at else None, "sales_since": self.sales_since}


def choose(choice: str) -> None:
    """Remember where orders start (``last-synced``, ``now`` or an ISO 8601 moment); raises ``ValueError``."""
    set_preference(CHOICE, parse_choice(choice))


def parse_choice(choice: str) -> str:
    text = (choice or "").strip().lower()
    if text in (LAST_SYNCED, NOW):
        return text
    try:
        moment = datetime.fromisoformat(choice.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"'{choice}' is not last-synced, now or a date and time such as 2026-12-01T09:00") from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # the person's local time
    return moment.astimezone(timezone.utc).isoformat()


def chosen() -> str | None:
    return get_preference(CHOICE)


def find_resume(bc: Any, hike: Any, *, orders: bool, sales: bool) -> Resume:
    """Ask the stores (a few reads) what this app brought over before; ``orders``/``sales``: which directions are
    being activated on a database that has no link of them. Counts what each start would bring in, for the person
    deciding."""
    from desktop.sync.orders import ENTITY as ORDERS
    from desktop.sync.orders import NOTE_KEY, made_for_a_sale  # here, not at the top: orders imports this module
    from desktop.sync.sales import ENTITY as SALES

    # a database with links of its own is not new: it was switched off and on again, and starts from now
    orders = orders and not Link.select().where(Link.entity == ORDERS).exists()
    sales = sales and not Link.select().where(Link.entity == SALES).exists()
    order_id = order_at = sale_id = sale_at = None
    orders_since = sales_since = 0
    if orders:
        newest = next(iter(bc.order_notes(NOTE_KEY, newest_first=True)), None)
        if newest is not None:
            order_id = newest.order_id
            try:
                order_at = bc.order(order_id).date_created
            except errors.NotFound:
                order_at = newest.created  # deleted since: the note's own time is as good a start
            if order_at is not None:
                orders_since = sum(1 for o in bc.orders(created_since=order_at)
                                   if o.id > order_id and not o.is_incomplete and not made_for_a_sale(o))
    if sales:
        made = _newest_order_for_a_sale(bc)
        if made is not None:
            sale_id = int(str(made.raw.get("external_order_id")).rsplit("-", 1)[-1])
            sale = hike.sale(sale_id)
            sale_at = (sale.created or sale.transaction_date) if sale is not None else made.date_created
            if sale_at is not None:
                sales_since = sum(1 for s in hike.sales(modified_since=sale_at)
                                  if s.id != sale_id and (s.created or s.transaction_date or sale_at) > sale_at)
    return Resume(order_id, order_at, orders_since, sale_id, sale_at, sales_since)


def _newest_order_for_a_sale(bc: Any) -> Any:
    from desktop.sync.orders import made_for_a_sale

    for index, order in enumerate(bc.orders(newest_first=True)):
        if made_for_a_sale(order):
            return order
        if index >= SCAN_PAGES * PAGE_LIMIT:
            return None
    return None


def undecided(bc: Any, hike: Any, settings: Any) -> Resume | None:
    """The stores' evidence when this database is about to activate orders or sales (``settings``: the sync
    settings) and nobody chose where they start; else ``None``. For the CLI, before its pass."""
    from desktop.sync.orders import ACTIVATED_AT
    from desktop.sync.sales import ENTITY as SALES

    if chosen() is not None:
        return None
    orders = (settings.bc_to_hike.full_orders or settings.bc_to_hike.inventory_on_order) \
        and get_preference(ACTIVATED_AT) is None
    sales = settings.hike_to_bc.full_orders and read_from(SALES, "hike") is None
    if not orders and not sales:
        return None
    resume = find_resume(bc, hike, orders=orders, sales=sales)
    return resume if resume.found else None


def needed_message(resume: Resume) -> str:
    return ("This app's database is new, but the stores show that it synced orders before: " + resume.describe()
            + ". Choose where orders start counting: from the last one synced (nothing placed since is lost; "
            "what is already there is linked, never sent twice), or from now (those are never synced). "
            "In the app: Sync → Where orders start. Headless: hike-bc-sync-cli sync --once --orders-from "
            "last-synced (or now, or a date and time).")


def start_from(resume: Resume, which: str) -> datetime | None:
    """The moment orders (``which`` = "orders") or sales ("sales") start to count, by the choice made; ``None`` for
    "now". Raises ``StartChoiceNeeded`` when the stores hold this app's orders and nobody chose."""
    last = resume.order_at if which == "orders" else resume.sale_at
    if not resume.found:
        return None  # a new installation: from now on, as always
    choice = chosen()
    if choice is None:
        raise StartChoiceNeeded(needed_message(resume))
    if choice == NOW:
        return None
    if choice == LAST_SYNCED:
        return last
    return datetime.fromisoformat(choice)


def _when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "time unknown"


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")
