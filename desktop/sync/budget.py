"""Hike's daily allowance across restarts (N3).

The Hike governor counts this app's calls in the last 24 hours on the monotonic clock, which means nothing after
a restart, so the calls are also saved as wall-clock times (no secret: just times) in the preference
``hike_call_times``, and a new client starts with the ones still inside the day (``load_hike_calls``): a restart
never resets the count to zero.

They are saved as they are made (``HikeCallLog``), a batch at a time: saving only when a pass ended lost a killed
pass's calls from the count (the app counted 423 where the store had seen ~620), and the 5 000-a-day guard could
then overrun. A kill now loses at most the last batch.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from desktop.storage.db import database_proxy
from desktop.storage.models import get_preference, set_preference

log = logging.getLogger(__name__)

KEY = "hike_call_times"
DAY_S = 86_400.0
BATCH_CALLS = 10  # saved every 10 calls or every 5 s of calls, whichever comes first: one small write per batch
BATCH_S = 5.0


class HikeCallLog:
    """This process's Hike calls, saved a batch at a time (the Hike governor's ``on_call``).

    Any thread that makes a Hike call may complete a batch and save it (the scheduler's worker, a wizard page's
    worker), in a short transaction of its own: the saved list is read, pruned to the last day and extended under
    SQLite's write lock (``BEGIN IMMEDIATE``), so two clients on one data folder add to one count instead of
    overwriting each other's. A thread inside a transaction of its own waits for a later call (a rollback would
    take the batch with it), and so does one that finds another thread saving. A failed save keeps the batch for
    the next one: the count never fails a call."""

    def __init__(self, *, batch: int = BATCH_CALLS, every_s: float = BATCH_S,
                 monotonic: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time):
        self.batch = batch
        self.every_s = every_s
        self._monotonic = monotonic
        self._wall = wall
        self._lock = threading.Lock()
        self._unsaved: list[float] = []  # wall-clock times of calls not saved yet
        self._saved_at = monotonic()
        self._saving = False

    def note(self) -> None:
        """One Hike call, made now."""
        with self._lock:
            self._unsaved.append(round(self._wall(), 3))
            due = len(self._unsaved) >= self.batch or self._monotonic() - self._saved_at >= self.every_s
        if due:
            self.flush()

    def flush(self) -> None:
        """Save the calls not saved yet (the end of a pass calls it too)."""
        with self._lock:
            if self._saving or not self._unsaved:
                return
            batch, self._unsaved, self._saving = self._unsaved, [], True
        saved = False
        try:
            if not database_proxy.in_transaction():
                with database_proxy.atomic():
                    cutoff = self._wall() - DAY_S
                    kept = [t for t in get_preference(KEY, []) or [] if t > cutoff]
                    set_preference(KEY, kept + batch)
                saved = True
        except Exception:  # noqa: BLE001 - a database that is busy or gone must not fail the Hike call
            log.warning("Could not save Hike's call count yet; it is kept for the next try", exc_info=True)
        finally:
            with self._lock:
                self._saving = False
                if saved:
                    self._saved_at = self._monotonic()
                else:
                    self._unsaved[:0] = batch


def load_hike_calls(*, monotonic: Callable[[], float] = time.monotonic,
                    wall: Callable[[], float] = time.time) -> list[float]:
    """The saved calls still inside the last day, on this process's monotonic clock."""
    offset = wall() - monotonic()
    cutoff = wall() - DAY_S
    return [t - offset for t in get_preference(KEY, []) or [] if t > cutoff]
