"""What every entity's sync pass shares (products, customers, and orders to come): the snapshot a pass read,
where the next read starts, which failures stop a pass, and how a planned action is described."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Generic, Iterable, Iterator, TypeVar

from desktop.sync import errors
from desktop.sync.journal import read_from, set_cursor

H = TypeVar("H")
B = TypeVar("B")

DIRECTIONS = {"create_bc": "hike_to_bc", "update_bc": "hike_to_bc", "create_hike": "bc_to_hike",
              "update_hike": "bc_to_hike", "link": "both"}


@dataclass
class Snapshot(Generic[H, B]):
    """What a pass read from each store."""

    hike: list[H] = field(default_factory=list)
    bc: list[B] = field(default_factory=list)
    full: bool = False
    hike_started: datetime | None = None  # each store's own clock when the read began
    bc_started: datetime | None = None
    # N5: the sides whose list did not add up to the total the store stated (a short read: what is missing from it
    # may exist): a full plan looks records up on that side before creating there, as an incremental one does
    incomplete: frozenset[str] = frozenset()
    # issue 19: a large read is kept in SQLite (``read_store.ReadStore``) and worked on in ``parts``; ``hike`` and
    # ``bc`` are then empty, and each part carries the links of a full read whose record is gone (None: look)
    store: Any = None
    gone_links: list[Any] | None = None


def incomplete_sides(hike: Any, bc: Any, before: tuple[int, int]) -> frozenset[str]:
    """Which clients counted a short read since ``before`` (``reads_so_far``)."""
    sides = []
    if hike.incomplete_reads > before[0]:
        sides.append("hike")
    if bc.incomplete_reads > before[1]:
        sides.append("bigcommerce")
    return frozenset(sides)


def read_both(entity: str, full: bool, hike: Any, bc: Any, read_hike: Callable[[datetime | None], Iterable[Any]],
              read_bc: Callable[[datetime | None], Iterable[Any]], store: Any = None) -> Snapshot[Any, Any]:
    """An entity's read of both stores: since each side's cursor (less the overlap), or everything when ``full`` or
    when either side has no cursor yet; each store's own clock noted as its read begins; short reads noted (N5).
    With a ``store`` (``read_store.ReadStore``) the records stream into it instead of lists (``parts``)."""
    hike_since = None if full else read_from(entity, "hike")
    bc_since = None if full else read_from(entity, "bigcommerce")
    full = full or hike_since is None or bc_since is None
    before = reads_so_far(hike, bc)
    hike.http.mark_time()
    hike_records = _kept(store, "hike", read_hike(None if full else hike_since))
    bc.http.mark_time()
    bc_records = _kept(store, "bigcommerce", read_bc(None if full else bc_since))
    return Snapshot(hike=hike_records, bc=bc_records, full=full, hike_started=hike.http.first_date,
                    bc_started=bc.http.first_date, incomplete=incomplete_sides(hike, bc, before), store=store)


def _kept(store: Any, side: str, records: Iterable[Any]) -> list[Any]:
    """The records read, as a list; or streamed into ``store``, leaving the list empty."""
    if store is None:
        return list(records)
    store.add(side, records)
    return []


def parts(snap: Snapshot[Any, Any]) -> Iterator[Snapshot[Any, Any]]:
    """What a pass plans and writes in turn: a read kept in a store in its parts, else the read itself."""
    if snap.store is None:
        yield snap
    else:
        yield from snap.store.parts(snap)


def reads_so_far(hike: Any, bc: Any) -> tuple[int, int]:
    return hike.incomplete_reads, bc.incomplete_reads


def records_of(snap: Snapshot[Any, Any], side: str) -> Iterator[list[Any]]:
    """One store's records of a whole read, a few hundred at a time (all at once when it is not kept in a store),
    in the order read; ``side``: hike or bigcommerce."""
    if snap.store is not None:
        yield from snap.store.each(side)
    else:
        yield snap.hike if side == "hike" else snap.bc


def release(snap: Snapshot[Any, Any]) -> None:
    """Drop what a pass read in slices. Freeing 10 000 products in one go holds the interpreter for ~150 ms, a
    visible stall of the window's thread (benchmarks ui); slices of 500 let it run in between. A read kept in a
    store drops its tables."""
    if snap.store is not None:
        snap.store.close()
    for records in (snap.hike, snap.bc):
        while records:
            del records[-500:]


def filled_call(waiting: list[Any], size: int, counts: Callable[[Any], Any], final: bool) -> int:
    """How many of the writes ``waiting`` to send now: up to the ``size``-th that ``counts`` (one full call), or,
    when ``final`` (the read's last part is applied), all of them; 0: wait for the next part's."""
    seen = 0
    for index, item in enumerate(waiting):
        seen += bool(counts(item))
        if seen == size:
            return index + 1
    return len(waiting) if final else 0


class ReadAgain:
    """The records of this pass that failed for a passing reason (an answer lost mid-write, the store briefly
    unwell) must be read again by the next pass, or nothing would: the cursor moves past them otherwise.
    This keeps, per side, the earliest change time of such a record; the cursor stops there."""

    def __init__(self) -> None:
        self.hike: datetime | None = None
        self.bc: datetime | None = None

    def note(self, cause: BaseException | None, hike_time: datetime | None, bc_time: datetime | None) -> None:
        if not worth_retrying(cause):
            return
        if hike_time is not None:
            self.hike = min(self.hike, hike_time) if self.hike else hike_time
        if bc_time is not None:
            self.bc = min(self.bc, bc_time) if self.bc else bc_time


def worth_retrying(cause: BaseException | None) -> bool:
    """A lost answer or a store that stayed unwell through the retries: the same work may well succeed next pass.
    (A refusal, such as a duplicate SKU, is not retried until the record changes.)"""
    return isinstance(cause, errors.SyncError) and cause.read_again


def advance_cursors(entity: str, snap: Snapshot[Any, Any], hike_modified: Callable[[Any], datetime | None],
                    bc_modified: Callable[[Any], datetime | None], read_again: ReadAgain | None = None) -> None:
    """The next read starts where this one began, on each store's own clock (less the overlap); without a
    ``Date`` header, at the newest change read. Records to read again hold it back to their own change time."""
    stored = snap.store.newest if snap.store is not None else {}
    newest_hike = snap.hike_started or max(filter(None, map(hike_modified, snap.hike)), default=stored.get("hike"))
    newest_bc = snap.bc_started or max(filter(None, map(bc_modified, snap.bc)), default=stored.get("bigcommerce"))
    if read_again is not None and read_again.hike and newest_hike:
        newest_hike = min(newest_hike, read_again.hike)
    if read_again is not None and read_again.bc and newest_bc:
        newest_bc = min(newest_bc, read_again.bc)
    if newest_hike:
        set_cursor(entity, "hike", newest_hike)
    if newest_bc:
        set_cursor(entity, "bigcommerce", newest_bc)


def stops_the_pass(exc: errors.SyncError) -> bool:
    """Failures of the store or the connection, not of one record: the pass stops and the next one resumes."""
    return exc.stops_pass


def hike_is_newer(hike_time: datetime | None, bc_time: datetime | None) -> bool:
    """When both sides changed: True when the Hike change is the newer one (ties go to Hike, where stock and
    prices are managed)."""
    if hike_time is None or bc_time is None:
        return bc_time is None
    return hike_time >= bc_time


def direction_of(kind: str) -> str:
    return DIRECTIONS.get(kind, "none")


def side_of(kind: str, has_hike_record: bool) -> str:
    """Which store a planned action writes to (for the dry-run counts, P3)."""
    if kind in ("create_bc", "update_bc"):
        return "bigcommerce"
    if kind in ("create_hike", "update_hike"):
        return "hike"
    return "both" if kind == "link" else ("hike" if has_hike_record else "bigcommerce")
