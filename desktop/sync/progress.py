"""What a running pass is doing, told as ``on_phase`` events (issue 16): reading (which store, page x of y),
planning, writing (``EntitySync._start``; ``on_progress`` counts the writes) and waiting for a store's allowance.

The clients know nothing of the views or the engine: each has an ``on_page`` hook (pages of a list as they are
read) and its governor an ``on_wait`` hook (a wait for the allowance, before and after). ``PassProgress`` sets
them for the length of one pass and turns them into events for the entity the engine says it works on.
"""
from __future__ import annotations

import math
import threading
from typing import Any

from desktop.sync.events import PLANNING, READING, WAITING

SIDES = ("hike", "bigcommerce")


class PassProgress:
    """Set on both clients while one pass runs (``attach`` / ``detach``); ``phase`` is called by the engine."""

    def __init__(self, events: Any, hike: Any, bc: Any):
        self.events = events
        self.clients = {"hike": hike, "bigcommerce": bc}
        self._lock = threading.Lock()
        self._entity = ""
        self._phase = ""

    def attach(self) -> "PassProgress":
        for side, client in self.clients.items():
            client.on_page = lambda done, total, side=side: self._page(side, done, total)
            client.http.governor.on_wait = lambda seconds, side=side: self._wait(side, seconds)
        return self

    def detach(self) -> None:
        for client in self.clients.values():
            client.on_page = None
            client.http.governor.on_wait = None

    def phase(self, entity: str, phase: str, done: int = 0, total: int = 0, detail: str = "") -> None:
        with self._lock:
            self._entity, self._phase = entity, phase
        self._send(entity, phase, done, total, detail)

    def reading(self, entity: str) -> None:
        self.phase(entity, READING)

    def planning(self, entity: str) -> None:
        self.phase(entity, PLANNING)

    # -- from the clients (the pass's thread, or a worker of its own: images are read 4 at a time) ------------
    def _page(self, side: str, done: int, total: int | None) -> None:
        with self._lock:
            entity, phase = self._entity, self._phase
        if phase == READING:  # lists read while planning or writing are look-ups, not the pass's read
            self._send(entity, READING, done, total or 0, side)

    def _wait(self, side: str, seconds: float) -> None:
        with self._lock:
            entity = self._entity
        self._send(entity, WAITING, max(1, math.ceil(seconds)) if seconds > 0 else 0, 0, side)

    def _send(self, entity: str, phase: str, done: int, total: int, detail: str) -> None:
        on_phase = getattr(self.events, "on_phase", None)
        if on_phase is not None:
            on_phase(entity, phase, done, total, detail)
