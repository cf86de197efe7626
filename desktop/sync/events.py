"""What the engine tells the world, as plain callbacks (no Qt here).

- ``EngineEvents`` names every callback, each a no-op: subclass it and override what you need. Any object with
  some of these methods will do as a listener (duck typing); ``Callbacks`` wraps plain functions.
- ``Listeners`` is itself an ``EngineEvents``: the engine and the scheduler call it, and it calls every
  registered listener in turn. A listener that raises is logged and skipped; it never breaks a sync pass,
  and the listeners after it are still called.
- Callbacks arrive on the engine's worker threads. The Qt views adapt them to signals (queued connections),
  so no listener should touch a widget directly or block for long.

Who sends what: the scheduler sends ``on_state`` and ``on_error`` (a pass that raised); the engine sends
``on_run_started`` / ``on_run_finished`` (it owns the run row and its id, and the counts), ``on_progress`` and
``on_record``, ``on_phase`` (what the pass is doing: reading, planning, writing, waiting for an allowance), and
``on_error`` for the errors it reports itself.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Callable, Collection, Iterator, Mapping

from desktop.sync.vocabulary import SyncState

log = logging.getLogger(__name__)

# The engine's live state (M1), as the tray, the window and the dashboard show it.
# The engine's live state (M1) is ``vocabulary.SyncState``; these short names are kept for the many callers.
IDLE, SYNCING, PAUSED = SyncState.IDLE, SyncState.SYNCING, SyncState.PAUSED
ERROR, RECONNECT_NEEDED = SyncState.ERROR, SyncState.RECONNECT_NEEDED
STATES = frozenset(SyncState)
State = SyncState

# What a running pass is doing (``on_phase``), for people: "Reading products from Hike: page 3 of 12".
READING, PLANNING, WRITING, WAITING = "reading", "planning", "writing", "waiting"
PHASES = (READING, PLANNING, WRITING, WAITING)


class EngineEvents:
    """Every callback the engine may send, each a no-op here.

    - ``on_progress(entity, done, total)``: "x of y" for one entity of the running pass.
    - ``on_record(entity, result, message, record=None)``: one record's outcome, sent by ``Journal.record`` as it
      writes the log entry: ``entity`` is the link entity (``product``, ``variant``, ``inventory``, ``customer``,
      ``order``, ``sale``), ``result`` a ``vocabulary.Result`` (``ok`` / ``error`` / ``skipped`` / ``conflict``),
      ``record`` a dict with the entry's ``action``, ``hike_id``, ``bc_id``, ``sku``, ``direction`` and ``log_id``.
    - ``on_run_started(run_id, trigger, entities)``: ``trigger`` a ``vocabulary.Trigger`` (``schedule``,
      ``manual``, ``catch_up``, ``startup``, ``retry``, ``cli``); ``entities`` the engine entities asked for.
    - ``on_run_finished(run_id, status, counts)``: ``status`` a ``vocabulary.RunStatus``; ``counts`` per link
      entity, each action that succeeded or result that did not, e.g. ``{"product": {"create": 3, "error": 1}}``.
    - ``on_error(kind, title, message)``: ``kind`` a ``vocabulary.ErrorKind`` (stable for grouping), ``title``
      and ``message`` for people.
    - ``on_state(state)``: a ``vocabulary.SyncState``.
    - ``on_phase(entity, phase, done, total, detail)``: what the running pass does now. ``entity`` an engine or link
      entity (``""``: the stores' details the pass starts with); ``phase`` one of ``PHASES``:
      ``reading`` (``detail`` the store being read, ``hike`` or ``bigcommerce``, ``""`` before a list starts;
      ``done`` pages read, ``total`` the pages the store states, 0 when it states none), ``planning``,
      ``writing`` (``total`` the writes ahead; ``on_progress`` then counts them), ``waiting`` (``detail`` the store
      whose allowance is spent, ``done`` the seconds left; sent again with 0 when the wait is over).
    """

    def on_progress(self, entity: str, done: int, total: int) -> None:
        pass

    def on_record(self, entity: str, result: str, message: str, record: Mapping[str, Any] | Any = None) -> None:
        pass

    def on_run_started(self, run_id: Any, trigger: str, entities: Collection[str]) -> None:
        pass

    def on_run_finished(self, run_id: Any, status: str, counts: Mapping[str, int]) -> None:
        pass

    def on_error(self, kind: str, title: str, message: str) -> None:
        pass

    def on_state(self, state: State) -> None:
        pass

    def on_phase(self, entity: str, phase: str, done: int, total: int, detail: str) -> None:
        pass


EVENT_NAMES = ("on_progress", "on_record", "on_run_started", "on_run_finished", "on_error", "on_state", "on_phase")


@dataclass
class Callbacks:
    """A listener made of plain functions; a callback left as ``None`` is not called."""

    on_progress: Callable[[str, int, int], None] | None = None
    on_record: Callable[..., None] | None = None
    on_run_started: Callable[[Any, str, Collection[str]], None] | None = None
    on_run_finished: Callable[[Any, str, Mapping[str, int]], None] | None = None
    on_error: Callable[[str, str, str], None] | None = None
    on_state: Callable[[str], None] | None = None
    on_phase: Callable[[str, str, int, int, str], None] | None = None


class Listeners(EngineEvents):
    """Fan-out to every registered listener; one listener's exception is logged and never reaches the caller."""

    def __init__(self, *listeners: object):
        self._lock = threading.Lock()
        self._listeners: list[object] = list(listeners)

    def add(self, listener: object) -> object:
        """Register a listener (an ``EngineEvents``, a ``Callbacks`` or any object with some of the methods)."""
        with self._lock:
            self._listeners.append(listener)
        return listener

    def remove(self, listener: object) -> None:
        with self._lock:
            try:
                self._listeners.remove(listener)
            except ValueError:
                pass

    def __len__(self) -> int:
        with self._lock:
            return len(self._listeners)

    def __iter__(self) -> Iterator[object]:
        with self._lock:
            return iter(list(self._listeners))

    def _fan_out(self, name: str, *args: Any, **kwargs: Any) -> None:
        with self._lock:
            listeners = list(self._listeners)  # a listener may add or remove listeners while being called
        for listener in listeners:
            callback = getattr(listener, name, None)
            if callback is None:
                continue
            try:
                callback(*args, **kwargs)
            except Exception:  # noqa: BLE001 - a broken view must not stop the sync
                log.exception("Listener %s failed in %s; the other listeners and the sync carry on",
                              type(listener).__qualname__, name)

    def on_progress(self, entity: str, done: int, total: int) -> None:
        self._fan_out("on_progress", entity, done, total)

    def on_record(self, entity: str, result: str, message: str, record: Mapping[str, Any] | Any = None) -> None:
        self._fan_out("on_record", entity, result, message, record)

    def on_run_started(self, run_id: Any, trigger: str, entities: Collection[str]) -> None:
        self._fan_out("on_run_started", run_id, trigger, entities)

    def on_run_finished(self, run_id: Any, status: str, counts: Mapping[str, int]) -> None:
        self._fan_out("on_run_finished", run_id, status, counts)

    def on_error(self, kind: str, title: str, message: str) -> None:
        self._fan_out("on_error", kind, title, message)

    def on_phase(self, entity: str, phase: str, done: int, total: int, detail: str) -> None:
        self._fan_out("on_phase", entity, phase, done, total, detail)

    def on_state(self, state: State) -> None:
        if state not in STATES:  # the sender's bug, not a listener's: say so loudly
            raise ValueError(f"unknown engine state {state!r}; expected one of {sorted(STATES)}")
        self._fan_out("on_state", state)
