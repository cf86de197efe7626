"""Stock from Hike to BigCommerce (S1, S4, S13).

Hike is where stock is managed: the level of the chosen outlet (S1), or the sum over the chosen outlets (S4), is
set on the BigCommerce location with absolute adjustments, 2000 items per call. Absolute levels are idempotent,
so a pass that crashed after sending simply sends the same level again: nothing is ever applied twice (N2).
Manual stock edits in BigCommerce never flow back. BigCommerce counts whole units: a fractional Hike level is
rounded down and flagged in the log. Only levels that differ from the last one pushed are sent, so a quiet pass
costs no inventory call at all.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Iterable, Sequence

from desktop.storage.db import database_proxy
from desktop.storage.models import Link
from desktop.sync import errors
from desktop.sync.bigcommerce import BigCommerceClient
from desktop.sync.hike_models import HikeProduct
from desktop.sync.journal import CURSOR_OVERLAP, Journal, links_by_hike
from desktop.sync.mapping import bc_inventory_level, hike_stock_level

log = logging.getLogger(__name__)
ENTITY = "inventory"


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


def plan_stock(products: Iterable[HikeProduct], product_links: dict[str, Link], variant_links: dict[str, Link],
               outlet_ids: Sequence[int], location_id: int, *, force: bool = False) -> list[StockChange]:
    """The levels to set: linked, tracked products whose level differs from the last one pushed (every one with
    ``force``: after BigCommerce itself moved stock, e.g. for an order the app created)."""
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
                level = hike_level(variant.outlets, outlet_ids)
                changes.append(StockChange(vlink, {"location_id": location_id, "variant_id": int(vlink.bc_id),
                                                   "quantity": whole_units(level)}, level, whole_units(level),
                                           variant.name or product.name, variant.sku))
        else:
            level = hike_level(product.outlets, outlet_ids)
            changes.append(StockChange(link, {"location_id": location_id, "product_id": int(link.bc_id),
                                              "quantity": whole_units(level)}, level, whole_units(level),
                                       product.name, product.sku))
    return [c for c in changes if force or c.link.stock_pushed != str(c.units)]


def push_stock(bc: BigCommerceClient, journal: Journal, changes: list[StockChange]) -> None:
    """Send the levels, then record each one's outcome with the level pushed."""
    if not changes:
        return
    try:
        bc.set_inventory([c.item for c in changes])
        failed: dict[int, str] = {}
    except errors.ValidationFailed:
        # one refused item fails its whole batch: send them one by one to find it, and keep the rest
        failed = {}
        for index, change in enumerate(changes):
            try:
                bc.set_inventory([change.item])
            except errors.ValidationFailed as exc:
                failed[index] = exc.message
    with database_proxy.atomic():
        for index, change in enumerate(changes):
            before = change.link.stock_pushed
            if index in failed:
                journal.record(ENTITY, action="stock", result="error", direction="hike_to_bc", link=change.link,
                               sku=change.sku, message=f"BigCommerce refused the stock level: {failed[index]}")
                continue
            change.link.stock_pushed = str(change.units)
            message = f"Stock set to {change.units}"
            if change.level != change.units and change.level > 0:
                message += (f" (Hike has {change.level.normalize()}: BigCommerce keeps whole units, so fractional "
                            "sales in Hike make the two differ)")
            elif change.level < 0:
                message += f" (Hike has {change.level.normalize()}; BigCommerce cannot go below 0)"
            journal.record(ENTITY, action="stock", result="ok", direction="hike_to_bc", link=change.link,
                           sku=change.sku, message=message, diff={"stock": [before, str(change.units)]})


def resync_levels(hike: Any, bc: BigCommerceClient, journal: Journal, resolved: Any, item_ids: Iterable[int], *,
                  since: datetime | None = None) -> None:
    """Set BigCommerce's levels of these Hike items (products or variants) to Hike's again, in the pass that moved
    them: when an order made it into Hike (S10) or came from a Hike sale (S15), BigCommerce moved its own stock at
    the same moment, so the two only agree once Hike's new level is pushed. Without this the next pass would push
    it; with it, one pass leaves both stores level.

    With ``since`` (Hike's own clock before the moves) the items are found in one paged read of what Hike changed
    since then, less the cursors' overlap (a stock move touches its product [I]); any not found there are read one
    by one. Without it, one read per item."""
    wanted = set(item_ids)
    if not wanted or not resolved.settings.hike_to_bc.inventory:
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
    if not parents:
        return
    changes = plan_stock(parents.values(), links_by_hike("product"), links_by_hike("variant"),
                         resolved.stock_outlet_ids, resolved.bc_location_id, force=True)
    push_stock(bc, journal, changes)
