"""Engine and scheduler callbacks (worker threads) → Qt signals (delivered on the GUI thread, queued).

A first sync of 50 000 products sends one progress and one record callback per product. Emitting a queued
signal for each would flood the GUI's event queue (each carries a copy of its arguments and a slot call), so the
chatty ones are coalesced: the worker thread only updates a dict under a lock and, if no delivery is pending,
posts one ``progressChanged`` / ``recordsChanged``. The GUI drains the latest values when it gets to it. Rare
events (run started/finished, error, state) are signals of their own, one per callback.
"""
from __future__ import annotations

import threading
import time
from typing import Any, Collection, Mapping

from PySide6.QtCore import QObject, Signal

from desktop.sync.error_groups import ERROR_RESULTS
from desktop.sync.events import WAITING


def read_facts() -> dict[str, Any]:
    """The last finished run and the number of records in error (two indexed reads)."""
    from desktop.storage.models import Link, Run

    run = Run.select().where(Run.finished_at.is_null(False)).order_by(Run.id.desc()).first()
    return {"last_run": run, "error_count": Link.select().where(Link.last_result.in_(ERROR_RESULTS)).count()}


class SyncBridge(QObject):
    """An ``EngineEvents`` listener living in the GUI thread; register it on the service's ``Listeners``."""

    progressChanged = Signal()  # drain with take_progress()
    phaseChanged = Signal()  # drain with take_phase()
    recordsChanged = Signal()  # drain with take_records()
    runStarted = Signal(object, str, list)
    runFinished = Signal(object, str, dict)
    errorRaised = Signal(str, str, str)  # kind, title, message
    stateChanged = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._lock = threading.Lock()
        self._progress: dict[str, tuple[int, int]] = {}
        self._progress_posted = False
        self._records = {"done": 0, "failed": 0}
        self._failures: list[tuple[str, str]] = []
        self._records_posted = False
        self._facts: dict[str, Any] | None = None
        # the pass's phase (entity, phase, done, total, detail), and apart from it a wait for an allowance (store,
        # seconds, when it was told on the monotonic clock), so the phase shows again once the wait is over
        self._phase: tuple[str, str, int, int, str] | None = None
        self._waiting: tuple[str, int, float] | None = None
        self._phase_posted = False

    # ---- callbacks (worker threads) ---------------------------------------------------------------------------
    def on_progress(self, entity: str, done: int, total: int) -> None:
        with self._lock:
            self._progress[entity] = (done, total)
            post, self._progress_posted = not self._progress_posted, True
        if post:
            self.progressChanged.emit()

    def on_record(self, entity: str, result: str, message: str, record: Mapping[str, Any] | Any = None) -> None:
        with self._lock:
            self._records["done"] += 1
            if result in ERROR_RESULTS:
                self._records["failed"] += 1
                if len(self._failures) < 50:  # enough to name them in a notification
                    self._failures.append((entity, message))
            post, self._records_posted = not self._records_posted, True
        if post:
            self.recordsChanged.emit()

    def on_phase(self, entity: str, phase: str, done: int, total: int, detail: str) -> None:
        with self._lock:
            if phase == WAITING:
                self._waiting = (detail, done, time.monotonic()) if done > 0 else None
            else:
                self._phase = (entity, phase, done, total, detail)
            post, self._phase_posted = not self._phase_posted, True
        if post:
            self.phaseChanged.emit()

    def on_run_started(self, run_id: Any, trigger: str, entities: Collection[str]) -> None:
        with self._lock:
            self._progress.clear()
            self._phase = self._waiting = None
        self.runStarted.emit(run_id, trigger, list(entities))

    def on_run_finished(self, run_id: Any, status: str, counts: Mapping[str, Any]) -> None:
        # what the summary shows after a pass is read here, on the sync's thread: after a big pass the first
        # reads took 0.2 s, which the GUI thread must not wait for
        facts = read_facts()
        with self._lock:
            self._facts = facts
        self.runFinished.emit(run_id, status, dict(counts or {}))

    def on_error(self, kind: str, title: str, message: str) -> None:
        self.errorRaised.emit(kind, title, message)

    def on_state(self, state: str) -> None:
        self.stateChanged.emit(state)

    # ---- GUI thread -------------------------------------------------------------------------------------------
    def take_facts(self) -> dict[str, Any] | None:
        """The facts read after the last pass (``read_facts``), or None when there are none new."""
        with self._lock:
            facts, self._facts = self._facts, None
        return facts

    def take_phase(self) -> tuple[tuple[str, str, int, int, str] | None, tuple[str, int, float] | None]:
        """The pass's latest phase, and the wait for an allowance under way (None: none)."""
        with self._lock:
            self._phase_posted = False
            return self._phase, self._waiting

    def take_progress(self) -> dict[str, tuple[int, int]]:
        with self._lock:
            self._progress_posted = False
            return dict(self._progress)

    def take_records(self) -> tuple[dict[str, int], list[tuple[str, str]]]:
        """Records seen since the last call (counts, and up to 50 failures with their messages)."""
        with self._lock:
            self._records_posted = False
            counts, failures = dict(self._records), list(self._failures)
            self._records = {"done": 0, "failed": 0}
            self._failures.clear()
        return counts, failures
