"""What an entity pass is, and what the entity syncs share.

``EntityPass`` is the shape the engine runs, one per engine entity (products, inventory, customers, orders, sales;
``desktop.sync.registry`` lists them in order): what it is called and where it belongs (``entity``, ``group``,
``link_entities``, ``label``, ``reads``), whether the settings switch it on, and its steps ``recover`` → ``read``
→ ``plan`` → ``apply`` (once per part of a read, ``passes.parts``) → ``finish`` →
``advance``. Every pass of one run gets the same ``PassRun``: the clients, the stores'
facts, the journal, the read scope and the records asked for.

``EntitySync`` is the one base of ``ProductSync``, ``CustomerSync``, ``OrderSync`` and ``SaleSync``: one record's
failure is logged and the pass goes on (D4) while a failure of the store or the connection stops it, "x of y"
progress, and the row a record not linked (yet) is remembered by.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Protocol

from desktop.storage.db import database_proxy
from desktop.storage.models import Link, get_preference, set_preference
from desktop.sync import errors, passes, refusals
from desktop.sync.events import WRITING
from desktop.sync.mapping import MappingError
from desktop.sync.passes import Snapshot
from desktop.sync.vocabulary import ReadScope, Result

if TYPE_CHECKING:
    from desktop.sync.bigcommerce import BigCommerceClient
    from desktop.sync.hike import HikeClient
    from desktop.sync.journal import Journal
    from desktop.sync.mapping import MappingContext
    from desktop.sync.own_writes import OwnWrites
    from desktop.sync.settings import Settings

RECONCILED_AT = "last_reconcile"  # preference: when a pass last read every product (D11, the daily reconciliation)
# the same for each entity a pass reads whole or by what changed (orders and sales read their own way): its own
# date, so a pass of customers alone (``sync --once --entities customers`` from cron) is not a full read every time
RECONCILED_KEYS = {"products": RECONCILED_AT, "customers": f"{RECONCILED_AT}:customers"}


def reconciled_at(entity: str) -> str | None:
    """When ``entity`` (a key of ``RECONCILED_KEYS``) was last read whole (ISO time), or None. Customers read
    before they had a date of their own were read whole with the products: the products' date stands for theirs."""
    return get_preference(RECONCILED_KEYS[entity]) or (get_preference(RECONCILED_AT) if entity == "customers"
                                                       else None)


def note_reconciled(entity: str, now: Any) -> None:
    set_preference(RECONCILED_KEYS[entity], now.isoformat())
# preference: the safety stock (issue 20) the last full stock pass sent levels under; another one makes the next pass
# read everything, so every level is sent again under the new buffer
SAFETY_STOCK_SENT = "safety_stock_sent"


@dataclass
class PassRun:
    """What the passes of one run share."""

    hike: HikeClient
    bc: BigCommerceClient
    mapping: MappingContext  # the stores' facts; the products pass replaces it when it creates brands or categories
    journal: Journal
    events: Any
    scope: ReadScope
    records: list[Link] = field(default_factory=list)  # ``ReadScope.RECORDS``: the links asked for
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
    stock_settled: bool = False  # the stock follow-ups a crash left were run (once per run)
    hike_products_read: set[int] = field(default_factory=set)  # Hike product and variant ids read this run
    one_field_fixes: dict[int, str] = field(default_factory=dict)  # drift fixes of one field: link id -> rule key

    @property
    def records_only(self) -> bool:
        return self.scope == ReadScope.RECORDS


class EntityPass(Protocol):
    """One engine entity's part of a sync pass. The engine runs the passes that share a read together: all their
    ``recover``, one ``read``, then each one's ``plan`` and ``apply``, then each one's ``advance``."""

    entity: ClassVar[str]  # the engine entity, as a pass is asked for (``run_pass(entities=...)``)
    group: ClassVar[str]  # what a person asks for ("Sync now" / "Retry this group"): products, customers, sales
    link_entities: ClassVar[tuple[str, ...]]  # the ``Link.entity`` (and log entity) values of its records
    listed: ClassVar[tuple[str, ...]]  # those of them its group's view lists (a variant shows as its product)
    label: ClassVar[str]  # for people: "Products", "Stock", ...
    reads: ClassVar[str]  # whose read it works on: its own entity, or another's (stock is pushed for products read)

    def __init__(self, run: PassRun) -> None: ...

    def enabled(self, settings: Settings) -> bool:
        """Whether the settings switch it on."""

    def when_off(self) -> None:
        """What it still does in a run that asks for it while its setting is off."""

    def recover(self) -> None:
        """Work a crash or a stopped pass left (N2)."""

    def read(self, scope: ReadScope, records: list[Link]) -> Snapshot[Any, Any] | None:
        """What to work on (None: nothing); ``records`` are the links of a ``ReadScope.RECORDS`` run."""

    def plan(self, snapshot: Snapshot[Any, Any]) -> list[Any]: ...

    def apply(self, plans: list[Any]) -> None: ...

    def finish(self, snapshot: Snapshot[Any, Any]) -> None:
        """After the read's last part: the writes it kept back to fill a call (a read in parts, issue 19), or
        work over the whole read (the stock pass)."""

    def advance(self, snapshot: Snapshot[Any, Any]) -> None:
        """Move the cursors past what was read (not after a records-only read)."""


class EntitySync:
    """What ``ProductSync``, ``CustomerSync``, ``OrderSync`` and ``SaleSync`` share. A subclass names its records'
    entity (``record_entity``) and may say what a failed record leaves behind (``_failed``, ``_failure_link``);
    its actions carry ``kind``, ``hike``, ``bc``, ``link``, ``message``, ``sku`` and ``name``."""

    record_entity: ClassVar[str]  # ``Link.entity`` and ``LogEntry.entity`` of its records
    journal: Journal
    events: Any
    read_again: passes.ReadAgain | None = None  # failed records the next pass must read again
    own: OwnWrites | None = None  # its updates in flight, where a crash could leave them (``own_writes``)
    _total = 0
    _done = 0

    def __init__(self, hike: Any, bc: Any, journal: Journal, events: Any = None):
        self.hike = hike
        self.bc = bc
        self.journal = journal
        self.events = events

    # -- progress -------------------------------------------------------------------------------------------------
    def _start(self, total: int) -> None:
        """The writes ahead (each then ``_tick``s once): the pass's "writing" phase begins, or, for the next part
        of a read in parts, goes on with more ahead."""
        self._total += total
        on_phase = getattr(self.events, "on_phase", None)
        if on_phase is not None:
            on_phase(self.record_entity, WRITING, self._done, self._total, "")

    def finish(self) -> None:
        """Writes kept back to fill a call, sent after the read's last part (``ProductSync``); none by default."""

    def _fewer(self, count: int) -> None:
        """Writes counted in ``_start`` that will not happen (a first link that failed sends nothing more)."""
        self._total = max(self._done, self._total - count)

    def _tick(self) -> None:
        self._done += 1
        if self.events is not None:
            self.events.on_progress(self.record_entity, min(self._done, self._total), self._total)

    # -- one record's work ----------------------------------------------------------------------------------------
    def _guard(self, fn: Callable[[Any], Any], item: Any, *, tick: bool = True) -> bool:
        """Run one record's work; its own failure is logged and the pass goes on (D4), while a failure of the
        store or the connection stops the pass (the next one resumes from the cursor; outbox rows stay open for
        its ``recover()``)."""
        try:
            fn(item)
            return True
        except errors.SyncError as exc:
            if passes.stops_the_pass(exc):
                raise
            self._failed(item, exc.message, exc)
        except MappingError as exc:
            self._failed(item, str(exc))
        finally:
            if tick:
                self._tick()
        return False

    def _failed(self, item: Any, message: str, cause: BaseException | None = None) -> None:
        """What a record's failure leaves: by default a log entry (``_record_failure``)."""
        self._record_failure(item, message, cause)

    def _fail(self, action: Any) -> None:
        """A failure the plan found (a duplicate, a record gone on the other side)."""
        self._record_failure(action, action.message)

    def _record_failure(self, action: Any, message: str, cause: BaseException | None = None) -> None:
        """One record failed: logged; when ``cause`` may pass by itself, the record is read again next pass; when it
        is a store's refusal, the row remembers it and the write waits for a change (``refusals``)."""
        if self.read_again is not None:
            self.read_again.note(cause, action.hike.last_modified if action.hike else None,
                                 action.bc.date_modified if action.bc else None)
        with database_proxy.atomic():
            link = self._failure_link(action)
            if refusals.is_refusal(cause):
                refusals.note_refusal(link, action.kind, self._refusal_key(action))
                if self.own is not None and action.link is not None:  # it never landed: nothing to expect
                    self.own.settle(action.link.id, "hike")
                    self.own.settle(action.link.id, "bigcommerce")
            self.journal.record(self.record_entity, action=action.kind, result=Result.ERROR, message=message,
                                link=link, hike_id=action.hike.id if action.hike else None,
                                bc_id=action.bc.id if action.bc else None, sku=action.sku,
                                direction=passes.direction_of(action.kind), name=action.name)

    def _refusal_key(self, action: Any) -> dict[str, Any] | None:
        """What a refused write of ``action`` is remembered by (``refusals``); None: not remembered."""
        return None

    def _failure_link(self, action: Any) -> Link | None:
        """The row a failure is logged on (inside its transaction): the record's link, if it has one."""
        return action.link

    # -- rows of records not linked (yet) -------------------------------------------------------------------------
    def _record_row(self, hike_id: str | None, bc_id: str | None) -> Link | None:
        """The row of one record, by its Hike id, else its BigCommerce id: its link, or the marker that remembers
        why it is not linked (skipped, failed, conflict, waiting)."""
        if not hike_id and not bc_id:
            return None
        return Link.get_or_none(Link.entity == self.record_entity,
                                (Link.hike_id == hike_id) if hike_id else (Link.bc_id == bc_id))
