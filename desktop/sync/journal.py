"""What a sync pass writes down: its run row, one log entry per record it touched, links, cursors and the outbox.

Crash safety (N2) rests on three habits kept here:
- work is recorded as pending (outbox) and committed *before* it is sent, so a restart knows what may have
  happened;
- the outcome, the link and the end of the pending row are written in one transaction, so no state exists where
  a record was created but not linked;
- cursors move only after every record up to them has an outcome.
"""
from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any, Iterable

from desktop.storage.db import database_proxy
from desktop.storage.models import Cursor, Link, LogEntry, PendingWork, Run, utcnow
from desktop.sync.vocabulary import Action, Direction, Result, RunStatus

log = logging.getLogger(__name__)

CURSOR_OVERLAP = timedelta(minutes=2)  # read a little before the cursor: clocks and commits are not instant
# N7 look-ups of what one store holds for records of the other: the two stores' clocks differ a little, and what
# this app made there was made after the record it came from
LOOKUP_MARGIN = timedelta(hours=1)


class Journal:
    """The bookkeeping of one pass."""

    def __init__(self, trigger: str, scope: Iterable[str], events: Any = None):
        self.trigger = trigger
        self.scope = ",".join(sorted(scope))
        self.events = events
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.run: Run | None = None

    # -- run ---------------------------------------------------------------------------------------------------
    def start(self) -> Run:
        self.run = Run.create(trigger=self.trigger, scope=self.scope)
        return self.run

    def finish(self, status: RunStatus | None = None, message: str = "") -> Run:
        assert self.run is not None
        errors = sum(c[Result.ERROR] + c[Result.CONFLICT] for c in self.counts.values())
        self.run.status = status or (RunStatus.PARTIAL if errors else RunStatus.OK)
        self.run.finished_at = utcnow()
        self.run.counts = {entity: dict(c) for entity, c in self.counts.items()}
        self.run.message = message
        self.run.save()
        return self.run

    # -- records -----------------------------------------------------------------------------------------------
    def record(self, entity: str, *, action: Action | str, result: Result | str,
               direction: Direction | str = Direction.NONE, message: str = "",
               hike_id: Any = None, bc_id: Any = None, sku: str | None = None, diff: dict | None = None,
               link: Link | None = None, name: str | None = None) -> LogEntry:
        """One record's outcome. Call inside the transaction that wrote the change it describes."""
        entry = LogEntry.create(
            run=self.run, entity=entity, hike_id=_id(hike_id if hike_id is not None else link and link.hike_id),
            bc_id=_id(bc_id if bc_id is not None else link and link.bc_id), sku=sku or (link.sku if link else None),
            direction=direction, action=action, result=result, message=message, diff=diff or None)
        if link is not None:
            link.last_result = result
            link.last_message = message
            if name:
                link.name = name
            if result == Result.OK:
                link.last_synced_at = entry.created_at
            link.save()
        self.counts[entity][str(action if result == Result.OK else result)] += 1
        if self.events is not None:
            self.events.on_record(entity, result, message, {
                "action": action, "hike_id": entry.hike_id, "bc_id": entry.bc_id, "sku": entry.sku,
                "direction": direction, "log_id": entry.id})
        return entry


def mark_interrupted_runs() -> int:
    """Runs left ``running`` by a process that was killed or crashed become ``interrupted``, with the counts of what
    they did write (issue 14, finding 9). Only call with the data folder's lock held: then no pass is running."""
    stale = list(Run.select().where(Run.status == RunStatus.RUNNING))
    with database_proxy.atomic():
        for run in stale:
            counts: dict[str, Counter[str]] = defaultdict(Counter)
            for entry in LogEntry.select(LogEntry.entity, LogEntry.action, LogEntry.result).where(LogEntry.run == run):
                counts[entry.entity][entry.action if entry.result == Result.OK else entry.result] += 1
            last = LogEntry.select(LogEntry.created_at).where(LogEntry.run == run) \
                .order_by(LogEntry.created_at.desc()).first()
            run.status = RunStatus.INTERRUPTED
            run.finished_at = last.created_at if last is not None else run.started_at
            run.counts = {entity: dict(c) for entity, c in counts.items()}
            run.message = ("The app stopped during this pass (closed, killed or crashed); the next pass picked up "
                           "where it left off and nothing it sent is sent twice.")
            run.save()
    if stale:
        log.info("Marked %d run(s) left running by a stopped process as interrupted", len(stale))
    return len(stale)


def _id(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


# -- links ---------------------------------------------------------------------------------------------------------
def links_by_hike(entity: str, ids: Iterable[Any] | None = None) -> dict[str, Link]:
    """``entity``'s rows by Hike id: all of them, or those of ``ids`` (a part of a pass: issue 19)."""
    return _links_by(entity, Link.hike_id, ids)


def links_by_bc(entity: str, ids: Iterable[Any] | None = None) -> dict[str, Link]:
    """``entity``'s rows by BigCommerce id: all of them, or those of ``ids``."""
    return _links_by(entity, Link.bc_id, ids)


def _links_by(entity: str, column: Any, ids: Iterable[Any] | None) -> dict[str, Link]:
    if ids is None:
        return {getattr(l, column.name): l for l in Link.select().where(Link.entity == entity, column.is_null(False))}
    wanted = sorted({str(i) for i in ids})
    found: dict[str, Link] = {}
    for start in range(0, len(wanted), 500):
        found.update({getattr(l, column.name): l for l in Link.select().where(
            Link.entity == entity, column.in_(wanted[start:start + 500]))})
    return found


def save_link(entity: str, *, hike_id: Any, bc_id: Any, sku: str | None = None, name: str = "",
              hike_fingerprint: str | None = None, bc_fingerprint: str | None = None,
              parent_hike_id: Any = None) -> Link:
    """Create the link, or complete an existing one found by either id (``parent_hike_id``: a variant's product)."""
    hike_id, bc_id = _id(hike_id), _id(bc_id)
    link = (Link.get_or_none(Link.entity == entity, Link.hike_id == hike_id) if hike_id else None) or \
        (Link.get_or_none(Link.entity == entity, Link.bc_id == bc_id) if bc_id else None)
    if link is None:
        link = Link(entity=entity)
    link.hike_id, link.bc_id = hike_id or link.hike_id, bc_id or link.bc_id
    link.sku = sku or link.sku
    link.name = name or link.name
    link.hike_fingerprint = hike_fingerprint or link.hike_fingerprint
    link.bc_fingerprint = bc_fingerprint or link.bc_fingerprint
    link.parent_hike_id = _id(parent_hike_id) or link.parent_hike_id
    link.status = "linked"
    link.save()
    return link


# -- cursors -------------------------------------------------------------------------------------------------------
def get_cursor(entity: str, side: str) -> datetime | None:
    row = Cursor.get_or_none(Cursor.entity == entity, Cursor.side == side)
    return datetime.fromisoformat(row.value) if row else None


def read_from(entity: str, side: str) -> datetime | None:
    """Where the next incremental read starts: the cursor minus the overlap, or None for everything."""
    cursor = get_cursor(entity, side)
    return cursor - CURSOR_OVERLAP if cursor else None


def set_cursor(entity: str, side: str, value: datetime) -> None:
    Cursor.insert(entity=entity, side=side, value=value.isoformat(), updated_at=utcnow()).on_conflict(
        conflict_target=[Cursor.entity, Cursor.side],
        update={Cursor.value: value.isoformat(), Cursor.updated_at: utcnow()}).execute()


# -- outbox --------------------------------------------------------------------------------------------------------
def begin_work(entity: str, key: str, action: str, payload: Any) -> PendingWork:
    """Record work as in progress, committed before it is sent (a crash after this line is recoverable)."""
    with database_proxy.atomic():
        row = PendingWork.get_or_none(PendingWork.key == key)
        if row is None:
            row = PendingWork.create(entity=entity, key=key, action=action, payload=payload,
                                     status="in_progress", attempts=1)
        else:
            row.status, row.payload, row.action = "in_progress", payload, action
            row.attempts += 1
            row.updated_at = utcnow()
            row.save()
    return row


def end_work(row: PendingWork, status: str = "done", error: str = "") -> None:
    """Close the pending row; call inside the transaction that records the outcome."""
    row.status = status
    row.last_error = error
    row.updated_at = utcnow()
    row.save()


def unfinished_work(entity: str | None = None) -> list[PendingWork]:
    query = PendingWork.select().where(PendingWork.status == "in_progress")
    if entity:
        query = query.where(PendingWork.entity == entity)
    return list(query.order_by(PendingWork.id))
