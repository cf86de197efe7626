"""Linked products deleted in one store (D9: deletes are never propagated), and what a person does about them.

A full pass (the daily reconciliation, a group's retry, ``sync --once --full``, "Check everything now") reads every
product of both stores: a linked product missing from one store's complete read (never from a short one, N5) was
deleted there. ``find_gone`` says which; the products pass marks the link ``unlinked_deleted_bc`` or
``unlinked_deleted_hike`` with one error log entry (the link leaves the plan after that: it is neither updated nor
re-created, and the product that is left is not created again on the other side, since it is still linked).

The Errors tab then offers two choices, both database actions run off the window's thread:

- ``recreate``: the link forgets the deleted record; the next pass that reads the product left (the Errors tab asks
  for that record alone) creates it in the other store, looking it up there by SKU first (N7), and links it anew.
- ``unlink``: the link is forgotten; the product left stays as a record that is not linked, with a ``skipped``
  marker "Unlinked by you" that keeps passes from creating it, until the person retries that record.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable

from desktop.storage.db import database_proxy
from desktop.storage.models import Link, LogEntry
from desktop.sync.vocabulary import Action, LinkStatus, Result

DELETED = (LinkStatus.UNLINKED_DELETED_BC, LinkStatus.UNLINKED_DELETED_HIKE)
RECREATE, UNLINK = "recreate", "unlink"
UNLINKED_BY_YOU = "Unlinked by you"
STORE = {LinkStatus.UNLINKED_DELETED_BC: "BigCommerce", LinkStatus.UNLINKED_DELETED_HIKE: "Hike"}
BOTH_PREFIX = "Deleted in both stores"


@dataclass(frozen=True)
class Gone:
    """A link whose record one store (or both) no longer has."""

    link: Link
    status: LinkStatus
    message: str
    hike: Any = None  # the product left, as read (None when it is gone too)
    bc: Any = None


def gone_message(status: LinkStatus | None, when: datetime | None) -> str:
    """``status`` None: gone from both stores."""
    day = (when or datetime.now(timezone.utc)).strftime("%Y-%m-%d")
    if status is None:
        return (f"{BOTH_PREFIX} on or before {day} (deletes are not synced); there is nothing left to re-create: "
                "unlink it.")
    gone = STORE[status]
    left = "Hike" if gone == "BigCommerce" else "BigCommerce"
    return (f"Deleted in {gone} on or before {day}; not deleted in {left} (deletes are not synced). "
            f"Re-create it in {gone} or unlink it.")


def find_gone(links: Iterable[Link], hike: Iterable[Any], bc: Iterable[Any], incomplete: frozenset[str],
              hike_read_at: datetime | None = None, bc_read_at: datetime | None = None) -> list[Gone]:
    """The ``linked`` links of a full read whose record one store's read lacks. A store whose read came up short
    (``incomplete``, N5) says nothing: what is missing from it may exist."""
    hike_by_id = {str(p.id): p for p in hike}
    bc_by_id = {str(p.id): p for p in bc}
    hike_complete, bc_complete = "hike" not in incomplete, "bigcommerce" not in incomplete
    found: list[Gone] = []
    for link in links:
        if link.status != LinkStatus.LINKED or not link.hike_id or not link.bc_id:
            continue
        hp, bp = hike_by_id.get(link.hike_id), bc_by_id.get(link.bc_id)
        if hp is not None and bp is not None:
            continue
        if hp is None and bp is None:
            if hike_complete and bc_complete:
                found.append(Gone(link, LinkStatus.UNLINKED_DELETED_BC, gone_message(None, bc_read_at)))
        elif bp is None and bc_complete:
            status = LinkStatus.UNLINKED_DELETED_BC
            found.append(Gone(link, status, gone_message(status, bc_read_at), hike=hp))
        elif hp is None and hike_complete:
            status = LinkStatus.UNLINKED_DELETED_HIKE
            found.append(Gone(link, status, gone_message(status, hike_read_at), bc=bp))
    return found


def mark_variants(status: LinkStatus, hike_variant_ids: Iterable[Any], bc_variant_ids: Iterable[Any]) -> None:
    """A product's variants' links follow it (found by the ids of the product left)."""
    hike_ids = [str(i) for i in hike_variant_ids]
    bc_ids = [str(i) for i in bc_variant_ids]
    if hike_ids:
        Link.update(status=status).where(Link.entity == "variant", Link.hike_id.in_(hike_ids)).execute()
    if bc_ids:
        Link.update(status=status).where(Link.entity == "variant", Link.bc_id.in_(bc_ids)).execute()


def unlinked_by_person(row: Link | None) -> bool:
    """A record the person unlinked: passes do not create it (only a retry of that record does)."""
    return row is not None and row.status == LinkStatus.SKIPPED and row.last_message == UNLINKED_BY_YOU


# -- the person's choices (the Errors tab) ----------------------------------------------------------------------------
def choices(link: Link) -> list[str]:
    """What the Errors tab offers for a link: nothing for a link that is not marked deleted."""
    if link.status not in DELETED:
        return []
    if (link.last_message or "").startswith(BOTH_PREFIX):
        return [UNLINK]
    return [RECREATE, UNLINK]


def choice_label(link: Link, choice: str) -> str:
    if choice == RECREATE:
        return f"Re-create it in {STORE.get(link.status, 'the other store')}"
    return "Unlink"


def recreate(link_id: int) -> Link | None:
    """The link forgets the deleted side's record; the product left is planned as a new product by the next pass
    that reads it (ask for that record: ``retry_records([link_id])``). None: not a deleted link (any more)."""
    with database_proxy.atomic():
        link = Link.get_or_none(Link.id == link_id)
        if link is None or RECREATE not in choices(link):
            return None
        store = STORE[LinkStatus(link.status)]
        if link.status == LinkStatus.UNLINKED_DELETED_BC:
            link.bc_id, link.bc_fingerprint = None, None
        else:
            link.hike_id, link.hike_fingerprint = None, None
        link.images_sent, link.stock_pushed = None, None
        _forget(link, f"To be created again in {store} by the next pass (asked by you).")
    return link


def unlink(link_id: int) -> Link | None:
    """The link is forgotten: the product left becomes a record that is not linked, which passes leave alone
    ("Unlinked by you") until the person retries it. A product gone from both stores: the row goes."""
    with database_proxy.atomic():
        link = Link.get_or_none(Link.id == link_id)
        if link is None or UNLINK not in choices(link):
            return None
        if RECREATE not in choices(link):  # gone from both stores: nothing left to remember
            _note(link, UNLINKED_BY_YOU)
            link.delete_instance()
            return link
        if link.status == LinkStatus.UNLINKED_DELETED_BC:
            link.bc_id, link.bc_fingerprint = None, None
        else:
            link.hike_id, link.hike_fingerprint = None, None
        link.images_sent, link.stock_pushed = None, None
        _forget(link, UNLINKED_BY_YOU)
    return link


def _forget(link: Link, message: str) -> None:
    link.status = LinkStatus.SKIPPED
    link.last_result = Result.SKIPPED
    link.last_message = message
    link.save()
    _note(link, message)


def _note(link: Link, message: str) -> None:
    """The person's choice, in the record's log (no run: no pass did it)."""
    LogEntry.create(run=None, entity=link.entity, hike_id=link.hike_id, bc_id=link.bc_id, sku=link.sku,
                    action=Action.SKIP, result=Result.SKIPPED, message=message)
