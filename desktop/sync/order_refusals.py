"""A BigCommerce order Hike refused (not enough stock, say) waits for a change (issue 16, finding 4).

Sending it again on every pass cost one Hike call each time (~290 of Hike's 5 000 a day at the 5-minute default)
and changed nothing. The order's marker row remembers the refusal (``Link.refused``, as ``refusals`` does for
products and customers) with what could make the next try pass: the order as BigCommerce last dated it, the
settings, and the order's items. It is sent again when the order changes in BigCommerce (it comes back in the
incremental read with another date), when the settings change, when one of its items changed in Hike (its stock
put right: Hike dates a product anew when its stock moves [I], so the products pass of the same run read it), or
when a person presses Retry (``refusals.forget`` clears the row).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from desktop.storage.models import Link
from desktop.sync import refusals

WRITE = "order"  # the write a refused order's marker remembers
Item = tuple[str, int]  # ("p", BigCommerce product id) or ("v", BigCommerce variant id)


def _item(product_id: int, variant_id: int | None) -> Item:
    return ("v", int(variant_id)) if variant_id else ("p", int(product_id))


def key_of(order: Any, lines: Iterable[Any], settings: Any) -> dict[str, Any]:
    return {"modified": _iso(order.date_modified), "settings": refusals.settings_key(settings),
            "items": sorted([list(_item(line.product_id, line.variant_id)) for line in lines])}


def note(marker: Link | None, order: Any, lines: Iterable[Any], settings: Any) -> None:
    """Remember on the order's marker that Hike refused it as it is now."""
    if marker is None or marker.status == "linked":
        return
    refusals.note_refusal(marker, WRITE, key_of(order, lines, settings))
    marker.save()


def changed_items(hike_ids: Iterable[int]) -> set[Item]:
    """The BigCommerce items whose Hike product or variant is among ``hike_ids`` (read as changed this run)."""
    wanted = [str(i) for i in hike_ids]
    if not wanted:
        return set()
    rows = Link.select(Link.entity, Link.bc_id).where(Link.entity.in_(["product", "variant"]),
                                                      Link.hike_id.in_(wanted), Link.bc_id.is_null(False))
    return {("v" if row.entity == "variant" else "p", int(row.bc_id)) for row in rows}


def held(marker: Link | None, modified: datetime | None, settings: Any, changed: set[Item]) -> bool:
    """Whether the order's refusal still holds: the same settings, the same order (``modified`` None: not read
    this pass, so not changed) and none of its items changed in Hike."""
    if marker is None or marker.status == "linked":
        return False
    key = (marker.refused or {}).get(WRITE)
    if not key or key.get("settings") != refusals.settings_key(settings):
        return False
    if modified is not None and key.get("modified") != _iso(modified):
        return False
    return not any(tuple(item) in changed for item in key.get("items", []))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
