"""One status summary (M1) that the dashboard, the window's title and status bar, and the tray all bind to
(Nextcloud desktop's habit): one place decides what "the state" is, so the three never disagree.

The state follows the one rule in ``desktop.sync.sync_status.sync_state``, which the scheduler (and so the CLI's
``run``) uses too. The engine and the scheduler each send ``on_state``; their last word is not always the whole
story (the engine says "idle" after a pass even when the schedule is paused), so the summary keeps the facts the
rule needs (a pass running, the paused schedule, a refused sign-in, the last run's status) and asks the rule.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, QTimer, Signal

from desktop.storage.models import Run
from desktop.sync.events import ERROR, IDLE, PAUSED, PLANNING, READING, RECONNECT_NEEDED, SYNCING, WRITING
from desktop.sync.registry import ENTITY_LABELS
from desktop.views.sync_words import registry_words
from desktop.sync.sync_status import sync_state
from desktop.sync.vocabulary import ErrorKind, RunStatus
from desktop.views.sync_bridge import SyncBridge, read_facts
from desktop.sync.words import plural

STATE_LABELS = {IDLE: QT_TRANSLATE_NOOP("StatusSummary", "Idle"),
                SYNCING: QT_TRANSLATE_NOOP("StatusSummary", "Syncing"),
                PAUSED: QT_TRANSLATE_NOOP("StatusSummary", "Paused"),
                ERROR: QT_TRANSLATE_NOOP("StatusSummary", "Error"),
                RECONNECT_NEEDED: QT_TRANSLATE_NOOP("StatusSummary", "Reconnect needed")}
FIRST_SYNC_LABELS = {IDLE: QT_TRANSLATE_NOOP("StatusSummary", "First sync not run yet"),
                     SYNCING: QT_TRANSLATE_NOOP("StatusSummary", "First sync in progress")}
STORE_NAMES = {"hike": "Hike", "bigcommerce": "BigCommerce"}
PROGRESS_MS = 250


def describe_phase(entity: str, phase: str, done: int, total: int, detail: str) -> str:
    """One phase of a pass in plain words: "Reading products from Hike: page 3 of 12", "Planning products…",
    "Writing products: 40 of 263"."""
    what = registry_words(ENTITY_LABELS.get(entity, entity).lower()) if entity else \
        StatusSummary.tr("the stores' details")
    if phase == READING:
        store = STORE_NAMES.get(detail)
        if not done:
            text = StatusSummary.tr("Reading {what} from {store}…") if store else \
                StatusSummary.tr("Reading {what}…")
        elif total:
            text = StatusSummary.tr("Reading {what} from {store}: page {done:,} of {total:,}") if store else \
                StatusSummary.tr("Reading {what}: page {done:,} of {total:,}")
        else:
            text = StatusSummary.tr("Reading {what} from {store}: page {done:,}") if store else \
                StatusSummary.tr("Reading {what}: page {done:,}")
        return text.format(what=what, store=store, done=done, total=total)
    if phase == PLANNING:
        return StatusSummary.tr("Planning {what}…").format(what=what)
    if phase == WRITING:
        return StatusSummary.tr("Writing {what}: {done:,} of {total:,}").format(what=what, done=done, total=total)
    return ""


@dataclass(frozen=True)
class RunSummary:
    id: int
    trigger: str
    scope: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    counts: dict[str, Any]
    message: str

    @classmethod
    def of(cls, run: Run) -> "RunSummary":
        return cls(run.id, run.trigger, run.scope, run.started_at, run.finished_at, run.status, dict(run.counts or {}),
                   run.message)


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    if moment is None:
        return StatusSummary.tr("never")
    seconds = ((now or datetime.now(timezone.utc)) - moment).total_seconds()
    if seconds < 0:
        return in_(moment, now)
    if seconds < 60:
        return StatusSummary.tr("just now")
    if seconds < 3600:
        return StatusSummary.tr("{minutes} min ago").format(minutes=int(seconds // 60))
    if seconds < 86400:
        return StatusSummary.tr("{hours} h ago").format(hours=int(seconds // 3600))
    return moment.astimezone().strftime("%d %b %H:%M")


def in_(moment: datetime | None, now: datetime | None = None) -> str:
    if moment is None:
        return StatusSummary.tr("not scheduled")
    seconds = (moment - (now or datetime.now(timezone.utc))).total_seconds()
    if seconds < 60:
        return StatusSummary.tr("in less than a minute")
    if seconds < 3600:
        return StatusSummary.tr("in {minutes} min").format(minutes=int(seconds // 60) + 1)
    return StatusSummary.tr("at {time}").format(time=moment.astimezone().strftime("%H:%M"))


class StatusSummary(QObject):
    """Bound to a ``SyncBridge`` and (once started) a ``SyncService``; emits ``changed`` when anything shown moved."""

    changed = Signal()
    stateChanged = Signal(str)
    newErrors = Signal(int, str)  # how many records failed in the pass just finished, and the first message
    reconnectNeeded = Signal(str)  # message
    ordersStartNeeded = Signal(str)  # N7: a new database on stores this app synced: where do orders start? ("" = decided)

    def __init__(self, bridge: SyncBridge, service: Any = None, parent: QObject | None = None, *,
                 poll_ms: int = 1000):
        super().__init__(parent)
        self.bridge = bridge
        self.service = service
        self._raw = IDLE
        self._paused = False
        self._reconnect_message: str | None = None
        self.orders_start_question: str | None = None  # the open N7 question, until answered
        self._last_status: str | None = None
        self._state = IDLE
        self.progress: dict[str, tuple[int, int]] = {}
        self.phase: tuple[str, str, int, int, str] | None = None  # what the running pass does (``on_phase``)
        self.waiting: tuple[str, int, float] | None = None  # a wait for a store's allowance under way
        self.last_run: RunSummary | None = None
        self.next_run: datetime | None = None
        self.budgets: dict[str, Any] = {}
        self.error_count = 0
        self._run_failures: list[tuple[str, str]] = []
        self._run_failed = 0
        bridge.progressChanged.connect(self._on_progress)
        bridge.phaseChanged.connect(self._on_phase)
        bridge.recordsChanged.connect(self._on_records)
        bridge.runStarted.connect(self._on_run_started)
        bridge.runFinished.connect(self._on_run_finished)
        bridge.errorRaised.connect(self._on_error)
        bridge.stateChanged.connect(self._on_state)
        # next run and API budget are read from memory (no network, no DB) once a second
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self.poll)
        self._timer.start()
        self._progress_timer = QTimer(self)
        self._progress_timer.setSingleShot(True)
        self._progress_timer.setInterval(PROGRESS_MS)
        self._progress_timer.timeout.connect(self.changed)
        self.reload_from_db()

    # ---- facts ------------------------------------------------------------------------------------------------
    @property
    def state(self) -> str:
        return self._state

    @property
    def paused(self) -> bool:
        return self._paused

    def set_service(self, service: Any) -> None:
        self.service = service
        self.poll()

    def reload_from_db(self, facts: dict[str, Any] | None = None) -> None:
        """Last run and error count: read here at start-up; after a pass the bridge has read them on the sync's
        thread already (``facts``)."""
        facts = facts or read_facts()
        run = facts["last_run"]
        self.last_run = RunSummary.of(run) if run else None
        if run is not None and self._last_status is None:
            self._last_status = run.status
        self.error_count = facts["error_count"]
        self._update()

    def poll(self) -> None:
        service = self.service
        if service is None or not getattr(service, "started", False):
            return
        self.next_run = service.next_run_time()
        self.budgets = service.budgets()
        self._paused = service.paused
        self._update(force=True)

    # ---- bridge slots -----------------------------------------------------------------------------------------
    def _on_progress(self) -> None:
        self.progress.update(self.bridge.take_progress())
        # "x of y" moves once per record: the views are redrawn at most every PROGRESS_MS, not per record (each
        # redraw is dozens of Qt calls, and each may wait for the GIL behind the sync's threads)
        if not self._progress_timer.isActive():
            self._progress_timer.start()

    def _on_phase(self) -> None:
        self.phase, self.waiting = self.bridge.take_phase()
        if not self._progress_timer.isActive():  # redrawn with the progress, at most every PROGRESS_MS
            self._progress_timer.start()

    def _on_records(self) -> None:
        counts, failures = self.bridge.take_records()
        self._run_failed += counts["failed"]
        self._run_failures.extend(failures[: max(0, 50 - len(self._run_failures))])

    def _on_run_started(self, run_id: Any, trigger: str, entities: list) -> None:
        self.progress = {}
        self.phase = self.waiting = None
        self._run_failed, self._run_failures = 0, []
        self._raw = SYNCING
        self._update()

    def _on_run_finished(self, run_id: Any, status: str, counts: dict) -> None:
        self._on_records()  # what the bridge still holds belongs to this run
        self.progress = {}  # a finished pass's "x of y" must not show as the next one's
        self.phase = self.waiting = None
        self._last_status = status
        if status != "error":
            self._reconnect_message = None
        self.reload_from_db(self.bridge.take_facts())
        if self._run_failed:
            first = self._run_failures[0][1] if self._run_failures else ""
            self.newErrors.emit(self._run_failed, first)

    def _on_error(self, kind: str, title: str, message: str) -> None:
        if kind == ErrorKind.RECONNECT:
            self._reconnect_message = message
            self.reconnectNeeded.emit(message)
        if kind == ErrorKind.ORDERS_START:
            self.set_orders_start_needed(message)
        self._update()

    def set_orders_start_needed(self, message: str | None) -> None:
        """Asked once per question (each pass asks again until the person answers): ``None`` once answered."""
        if message != self.orders_start_question:
            self.orders_start_question = message
            self.ordersStartNeeded.emit(message or "")

    def _on_state(self, state: str) -> None:
        self._raw = state
        if state == PAUSED:
            self._paused = True
        self._update()

    def set_paused(self, paused: bool) -> None:
        """The person pressed pause/resume: shown at once, before the scheduler confirms."""
        self._paused = paused
        self._update()

    def set_reconnect_needed(self, message: str) -> None:
        """The service could not start (a token is missing or refused)."""
        self._reconnect_message = message
        self.reconnectNeeded.emit(message)
        self._update()

    # ---- derived ----------------------------------------------------------------------------------------------
    def _derive(self) -> str:
        return sync_state(running=self._raw == SYNCING, reconnect_needed=self._reconnect_message is not None,
                          paused=self._paused, last_pass_failed=self._last_status == RunStatus.ERROR)

    def _update(self, force: bool = False) -> None:
        state = self._derive()
        moved = state != self._state
        self._state = state
        self.changed.emit()  # first: whatever binds to changed (tray, title) is up to date for stateChanged
        if moved:
            self.stateChanged.emit(state)

    @property
    def first_sync(self) -> bool:
        """No pass has finished yet: "idle" would claim the stores are in step before anything was compared."""
        return self.last_run is None

    def state_label(self) -> str:
        if self.first_sync and self._state in (IDLE, SYNCING):
            return self.tr(FIRST_SYNC_LABELS[self._state])
        return self.tr(STATE_LABELS[self._state])

    def phase_text(self) -> str:
        """What the running pass does, in plain words ("" when it has not said yet)."""
        if self._state != SYNCING:
            return ""
        if self.waiting is not None:
            store, seconds, told = self.waiting
            left = max(1, math.ceil(seconds - (time.monotonic() - told)))
            return self.tr("Waiting for {store}'s allowance: {left} s").format(store=STORE_NAMES.get(store, store),
                                                                               left=left)
        if self.phase is None:
            return ""
        entity, phase, done, total, detail = self.phase
        if phase == WRITING:
            done, total = self.progress.get(entity, (done, total))
        return describe_phase(entity, phase, done, total, detail)

    def progress_lines(self) -> list[str]:
        return [self.tr("{what}: {done:,} of {total:,}").format(what=registry_words(ENTITY_LABELS.get(e, e.title())), done=done,
                                                               total=total)
                for e, (done, total) in self.progress.items()]

    def headline(self) -> str:
        """One line for the status bar and the tray tooltip."""
        parts = [self.state_label()]
        if self._state == SYNCING and (self.phase_text() or self.progress):
            parts.append(self.phase_text() or ", ".join(self.progress_lines()))
        elif self._state == RECONNECT_NEEDED and self._reconnect_message:
            parts.append(self._reconnect_message)
        else:
            parts.append(self.tr("last run {when}").format(
                when=ago(self.last_run.finished_at) if self.last_run else self.tr("never")))
            if not self._paused and self.next_run is not None:
                parts.append(self.tr("next {when}").format(when=in_(self.next_run)))
        if self.error_count:
            parts.append(self.tr("{records} with errors").format(
                records=plural(self.error_count, self.tr("record"), self.tr("records"))))
        return " · ".join(parts)

    def budget_lines(self) -> list[str]:
        lines = []
        bc = self.budgets.get("bigcommerce")
        if bc is not None:
            lines.append(self.tr("BigCommerce: {left} of {quota} requests left in this window").format(
                left=bc.requests_left, quota=bc.quota) if bc.requests_left is not None else
                self.tr("BigCommerce: no request made yet"))
        hike = self.budgets.get("hike")
        if hike is not None:
            lines.append(self.tr("Hike: {left} of {quota} calls left this minute, {today:,} left today").format(
                left=hike.requests_left, quota=hike.quota, today=hike.calls_left_today))
        return lines
