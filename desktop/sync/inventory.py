"""Stock from Hike to BigCommerce (S1, S4, S13).

Hike is where stock is managed: the level of the chosen outlet (S1), or the sum over the chosen outlets (S4), is
set on the BigCommerce location with absolute adjustments, 2000 items per call. Absolute levels are idempotent,
so a pass that crashed after sending simply sends the same level again: nothing is ever applied twice (N2).
Manual stock edits in BigCommerce never flow back. BigCommerce counts whole units: a fractional Hike level is
rounded down and flagged in the log. An incremental pass sends only levels that differ from the last one pushed
(``Link.stock_pushed``), so a quiet pass costs no inventory call at all.

BigCommerce's real level can leave the last one pushed behind without Hike's moving, and comparing with
``stock_pushed`` would then never see it:
- BigCommerce moves its own stock for orders (one the app created from a Hike sale, S15; a shopper's checkout,
  S9/S10), so the pass that wrote the order sets those items level again (``resync_levels``). A crash or a stopped
  pass between the order and that follow-up would leave BigCommerce off for good, so the follow-up is an outbox
  row (``expect_resync``), written in the transaction that links the order; ``recover`` at the next pass start
  runs what is left and only then ends the rows.
- Stock edited in BigCommerce (by hand, another app): the daily reconciliation pass reads BigCommerce's real levels
  at the location (``read_levels``: one call per 1000 items) and sets those that differ from Hike's.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable, Iterable, Mapping, Sequence

from desktop.storage.db import database_proxy
from desktop.storage.models import Link, PendingWork
from desktop.sync import errors, match_decisions, refusals
from desktop.sync.bigcommerce import BigCommerceClient
from desktop.sync.hike_models import HikeProduct
from desktop.sync.journal import CURSOR_OVERLAP, Journal, begin_work, end_work, links_by_hike, unfinished_work
from desktop.sync.mapping import hike_stock_level
from desktop.sync.money import bc_inventory_level

log = logging.getLogger(__name__)
ENTITY = "inventory"
RESYNC = "resync_levels"  # outbox action: these Hike items' BigCommerce levels must be set to Hike's again


# the mapping's rules, under the names this module reads best with
hike_level = hike_stock_level
whole_units = bc_inventory_level


@dataclass
class StockChange:
    link: Link  # the product link, or the variant link for a variant
    item: dict  # the absolute-adjustment item
    level: Decimal  # Hike's level
    units: int  # what BigCommerce gets
    name: str
    sku: str | None
    bc_level: int | None = None  # BigCommerce's real level, when a reconciliation read it
    refusal: dict | None = None  # what a refusal of it is remembered by (``refusals.hold_back_stock``)
    buffer: int = 0  # units held back from BigCommerce (safety stock, issue 20)

    @property
    def in_step(self) -> bool:
        """BigCommerce already holds Hike's level: nothing to send, only ``stock_pushed`` to note."""
        return self.bc_level == self.units


def item_key(item: Mapping[str, Any]) -> tuple[str, int]:
    """An adjustment item's identity: a variant by its id, else the product."""
    return ("variant", int(item["variant_id"])) if "variant_id" in item else ("product", int(item["product_id"]))


def read_levels(bc: BigCommerceClient, location_id: int) -> dict[tuple[str, int], int]:
    """BigCommerce's real on-hand levels at the location, keyed like ``item_key``: one call per 1000 items (the
    read's page cap). A product tracked per variant has one item per variant, so only a product with a single item
    is known by its product id."""
    levels: dict[tuple[str, int], int] = {}
    per_product: dict[int, list[int]] = defaultdict(list)
    for row in bc.location_inventory(location_id):
        if row.variant_id:
            levels[("variant", int(row.variant_id))] = row.on_hand
        per_product[row.product_id].append(row.on_hand)
    for product_id, on_hand in per_product.items():
        if len(on_hand) == 1:
            levels[("product", product_id)] = on_hand[0]
    return levels


def sent_units(level: Decimal, buffer: int) -> int:
    """What BigCommerce gets for Hike's ``level``: whole units, less the safety stock ``buffer``, never below 0."""
    return max(0, whole_units(level) - buffer)


def plan_stock(products: Iterable[HikeProduct], product_links: dict[str, Link], variant_links: dict[str, Link],
               outlet_ids: Sequence[int], location_id: int, *, force: bool = False,
               bc_levels: Mapping[tuple[str, int], int] | None = None,
               buffer_of: Callable[[str | None], int] = lambda sku: 0) -> list[StockChange]:
    """The levels to set: linked, tracked products whose level differs from the last one pushed (every one with
    ``force``: after BigCommerce itself moved stock, e.g. for an order the app created). With ``bc_levels``
    (BigCommerce's real levels, ``read_levels``, on a reconciliation pass): those that differ from BigCommerce's
    real level; one BigCommerce already holds comes back ``in_step`` when its ``stock_pushed`` is stale, so it is
    noted without a call; one BigCommerce did not list is compared with the last one pushed. ``buffer_of``: a
    SKU's safety stock (``SafetyStock.lookup``), held back from what BigCommerce gets."""
    changes: list[StockChange] = []
    for product in products:
        link = product_links.get(str(product.id))
        if link is None or link.status != "linked" or not link.bc_id or not product.track_inventory:
            continue
        if product.variants:
            for variant in product.variants:
                vlink = variant_links.get(str(variant.id))
                if vlink is None or not vlink.bc_id:
                    continue
                level, buffer = hike_level(variant.outlets, outlet_ids), buffer_of(variant.sku)
                units = sent_units(level, buffer)
                changes.append(StockChange(vlink, {"location_id": location_id, "variant_id": int(vlink.bc_id),
                                                   "quantity": units}, level, units,
                                           variant.name or product.name, variant.sku, buffer=buffer))
        else:
            level, buffer = hike_level(product.outlets, outlet_ids), buffer_of(product.sku)
            units = sent_units(level, buffer)
            changes.append(StockChange(link, {"location_id": location_id, "product_id": int(link.bc_id),
                                              "quantity": units}, level, units, product.name, product.sku,
                                       buffer=buffer))
    if force:
        return changes
    if bc_levels is None:
        return [c for c in changes if c.link.stock_pushed != str(c.units)]
    out = []
    for change in changes:
        change.bc_level = bc_levels.get(item_key(change.item))
        stale = change.link.stock_pushed != str(change.units)
        if (change.bc_level is None and stale) or (change.bc_level is not None and (not change.in_step or stale)):
            out.append(change)
    return out


def plan_levels(resolved: Any, products: Iterable[HikeProduct], levels: Mapping[tuple[str, int], int] | None,
                excluded: Callable[[HikeProduct, Link | None], bool] | None = None) -> list[StockChange]:
    """A stock pass's levels for the Hike ``products`` read, over the saved links: on a full read, compared with
    BigCommerce's real levels (``levels``, ``read_levels``: edited there, or an order's stock never set back),
    otherwise with the level last pushed, which costs no call (``levels`` None). The database only. Levels
    BigCommerce refused wait for a change (``refusals``). Products the person excluded from syncing get none
    (``excluded``: ``match_decisions.Decisions.excludes``, loaded now when not given)."""
    excluded = excluded or match_decisions.Decisions.load().excludes
    products = list(products)
    ids = [p.id for p in products]
    product_links = links_by_hike("product", ids)
    products = [p for p in products if not excluded(p, product_links.get(str(p.id)))]
    variant_links = links_by_hike("variant", [v.id for p in products for v in p.variants])
    note_parents(products, variant_links)
    changes = plan_stock(products, product_links, variant_links,
                         resolved.stock_outlet_ids, resolved.bc_location_id, bc_levels=levels,
                         buffer_of=resolved.settings.safety_stock.lookup())
    return refusals.hold_back_stock(changes, resolved)


def note_parents(products: Iterable[HikeProduct], variant_links: Mapping[str, Link]) -> None:
    """Variant links without their product's Hike id (linked before schema v9, or moved to another product) are
    given it, so the window lists a product's variants (their safety stock, issue 20). Variants are linked with
    it; this only mends older links, one update per product whose links lack it, and none once they have it."""
    for product in products:
        stale = [vlink.id for v in product.variants
                 if (vlink := variant_links.get(str(v.id))) is not None and vlink.parent_hike_id != str(product.id)]
        if stale:
            Link.update(parent_hike_id=str(product.id)).where(Link.id.in_(stale)).execute()
            for v in product.variants:
                if (vlink := variant_links.get(str(v.id))) is not None:
                    vlink.parent_hike_id = str(product.id)


def push_stock(bc: BigCommerceClient, journal: Journal, changes: list[StockChange], *,
               settles: Sequence[PendingWork] = ()) -> None:
    """Send the levels (those not already ``in_step``), then record each one's outcome with the level pushed, and
    end the outbox rows these levels ``settles`` in the same transaction."""
    if not changes and not settles:
        return
    send = [c for c in changes if not c.in_step]
    failed: dict[int, str] = {}  # id(change) -> why BigCommerce refused it
    if send:
        _forget_pushed(send)
        try:
            bc.set_inventory([c.item for c in send])
        except errors.ValidationFailed:
            # one refused item fails its whole batch: send them one by one to find it, and keep the rest
            for change in send:
                try:
                    bc.set_inventory([change.item])
                except errors.ValidationFailed as exc:
                    failed[id(change)] = exc.message
                    refusals.note_refusal(change.link, refusals.STOCK, change.refusal)  # waits for a change
    with database_proxy.atomic():
        for change in changes:
            before = change.link.stock_pushed if change.bc_level is None else str(change.bc_level)
            if id(change) in failed:
                journal.record(ENTITY, action="stock", result="error", direction="hike_to_bc", link=change.link,
                               sku=change.sku, message=f"BigCommerce refused the stock level: {failed[id(change)]}")
                continue
            change.link.stock_pushed = str(change.units)
            refusals.clear(change.link, refusals.STOCK)
            if change.in_step:
                journal.record(ENTITY, action="stock", result="ok", direction="hike_to_bc", link=change.link,
                               sku=change.sku, message=f"Stock already {change.units} in BigCommerce")
                continue
            journal.record(ENTITY, action="stock", result="ok", direction="hike_to_bc", link=change.link,
                           sku=change.sku, message=_set_message(change), diff={"stock": [before, str(change.units)]})
        for row in settles:
            end_work(row)


def _forget_pushed(changes: Sequence[StockChange]) -> None:
    """Before levels are sent, their last pushed level is no longer known (committed before the call, the links in
    memory keep it for the log). A crash once BigCommerce has taken them, before their outcome is saved, would
    otherwise leave the older level recorded; Hike going back to that level would then look like no change, and
    BigCommerce would keep the level of the lost answer (found by the crash test, N2). Unknown, the next read of
    those products sends them again, which is harmless (absolute levels)."""
    ids = [c.link.id for c in changes]
    with database_proxy.atomic():
        for start in range(0, len(ids), 500):
            Link.update(stock_pushed=None).where(Link.id.in_(ids[start:start + 500])).execute()


def _set_message(change: StockChange) -> str:
    """The log line of a level set: with what BigCommerce had, the safety stock held back, and why the two stores'
    numbers differ when they do."""
    message = f"Stock set to {change.units}"
    if change.bc_level is not None:
        message += f" (BigCommerce had {change.bc_level})"
    level = change.level.normalize()
    if change.buffer:
        message += f" (Hike {level}, buffer {change.buffer} → BigCommerce {change.units})"
    elif change.level != change.units and change.level > 0:
        message += (f" (Hike has {level}: BigCommerce keeps whole units, so fractional sales in Hike make the two "
                    "differ)")
    elif change.level < 0:
        message += f" (Hike has {level}; BigCommerce cannot go below 0)"
    return message


def expect_resync(source: str, item_ids: Iterable[int]) -> None:
    """Note in the outbox that BigCommerce's levels of these Hike items (products or variants) must be set to
    Hike's again, because BigCommerce moved its own stock for an order (``source``: ``"sale:<id>"``, ...). Call it
    inside the transaction that links that order, so no state exists where the order is recorded and its
    follow-up is not; ``resync_levels`` later in the pass, or ``recover`` at the next one, ends the row."""
    items = {int(i) for i in item_ids}
    if not items:
        return
    key = f"resync:{source}"
    row = PendingWork.get_or_none(PendingWork.key == key)
    if row is not None and row.status == "in_progress":  # not settled yet: keep what it already holds
        items |= set((row.payload or {}).get("items") or [])
    begin_work(ENTITY, key, RESYNC, {"items": sorted(items)})


def recover(hike: Any, bc: BigCommerceClient, journal: Journal, resolved: Any) -> None:
    """Stock follow-ups a crash or a stopped pass left (``expect_resync``): BigCommerce moved stock for an order
    and was not set to Hike's level again. Set them now (one Hike read per item: there are few), then end the rows;
    a crash before that runs them again, which is harmless (absolute levels)."""
    rows = _pending_resyncs()
    if rows:
        resync_levels(hike, bc, journal, resolved, {i for row in rows for i in row.payload.get("items") or []})


def _pending_resyncs() -> list[PendingWork]:
    return [row for row in unfinished_work(ENTITY) if row.action == RESYNC]


def resync_levels(hike: Any, bc: BigCommerceClient, journal: Journal, resolved: Any, item_ids: Iterable[int], *,
                  since: datetime | None = None) -> None:
    """Set BigCommerce's levels of these Hike items (products or variants) to Hike's again, in the pass that moved
    them: when an order made it into Hike (S10) or came from a Hike sale (S15), BigCommerce moved its own stock at
    the same moment, so the two only agree once Hike's new level is pushed, and one pass leaves both stores level.
    Without it, nothing later would see the difference when Hike's level is still the one last pushed (an order
    in another outlet than the mapped one, S3/S15).

    With ``since`` (Hike's own clock before the moves) the items are found in one paged read of what Hike changed
    since then, less the cursors' overlap (a stock move touches its product [I]); any not found there are read one
    by one. Without it, one read per item.

    The outbox rows (``expect_resync``) whose items are all among these end with the levels pushed."""
    wanted = {int(i) for i in item_ids}
    settles = [row for row in _pending_resyncs() if set(row.payload.get("items") or []) <= wanted]
    if not wanted:
        return
    if not resolved.settings.hike_to_bc.inventory:  # BigCommerce keeps its own deduction (S13 is off)
        with database_proxy.atomic():
            for row in settles:
                end_work(row, "done", "not set: 'Update inventory in BigCommerce' is off")
        return
    rows: dict[int, HikeProduct] = {}
    if since is not None:
        for product in hike.products(since=since - CURSOR_OVERLAP):
            rows[product.id] = product
            for variant in product.variants:  # a variant's stock is read with its parent
                rows.setdefault(variant.id, product)
    parents: dict[int, HikeProduct] = {}
    for item_id in sorted(wanted):
        product = rows.get(item_id) or hike.product(item_id)
        if product is not None and product.parent_id:
            product = parents.get(product.parent_id) or rows.get(product.parent_id) or hike.product(product.parent_id)
        if product is not None:
            parents[product.id] = product
    excluded = match_decisions.Decisions.load().excludes  # B2: nothing is written for an excluded product
    product_links = links_by_hike("product")
    changes = plan_stock([p for p in parents.values() if not excluded(p, product_links.get(str(p.id)))],
                         product_links, links_by_hike("variant"),
                         resolved.stock_outlet_ids, resolved.bc_location_id, force=True,
                         buffer_of=resolved.settings.safety_stock.lookup())
    changes = refusals.hold_back_stock(changes, resolved)
    push_stock(bc, journal, changes, settles=settles)  # nothing to set (gone, not linked) settles them too
