"""Records a read left out because the app cannot read them (``shapes``, issue 18): each fails on its own row with
the field named, once per message, like a record the plan fails (D4); the pass goes on, and nothing is written for
it. The row is the record's link when it has one, else a ``failed`` marker the monitor lists in red (M2), which
becomes the real link when the record later links."""
from __future__ import annotations

import logging
from typing import Any, Iterable

from desktop.storage.db import database_proxy
from desktop.storage.models import Link
from desktop.sync.journal import Journal
from desktop.sync.shapes import ShapeWatch, Unreadable
from desktop.sync.vocabulary import Action, Result

log = logging.getLogger(__name__)

# the Link.entity values a record of each read may be linked under (a Hike product's row may be a variant's)
LINKED_AS = {"product": ("product", "variant"), "customer": ("customer",), "sale": ("sale",), "order": ("order",)}


def fail_left_out(journal: Journal, shapes: ShapeWatch, entities: Iterable[str]) -> int:
    """Fail every record of ``entities`` the client left out since the last call; how many."""
    count = 0
    for entity in entities:
        for record in shapes.take(entity):
            _fail(journal, record)
            count += 1
    return count


def _fail(journal: Journal, record: Unreadable) -> None:
    message = record.message
    with database_proxy.atomic():
        row = _row(record)
        if row is not None and row.last_result == Result.ERROR and row.last_message == message:
            return  # failed for the same reason before: one log entry, not one per pass
        ids = {"bc_id" if record.store == "bigcommerce" else "hike_id": record.record_id}
        journal.record(record.entity, action=Action.FAIL, result=Result.ERROR, message=message, link=row,
                       sku=record.sku, name=record.name or None, **ids)


def _row(record: Unreadable) -> Any:
    if not record.record_id:
        return None  # no id to remember it by: the log entry and the run's count say it
    own_id = Link.bc_id if record.store == "bigcommerce" else Link.hike_id
    row = Link.get_or_none(Link.entity.in_(LINKED_AS.get(record.entity, (record.entity,))),
                           own_id == record.record_id)
    if row is None:
        store = "BigCommerce" if record.store == "bigcommerce" else "Hike"
        row = Link.create(entity=record.entity, sku=record.sku, status="failed",
                          name=record.name or f"{store} {record.entity} {record.record_id}",
                          **{own_id.name: record.record_id})
    return row
