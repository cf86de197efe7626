"""Keeps CPython's cyclic garbage collector and the GIL from freezing the window during a sync pass (M1: "the UI never
freezes").

Measured with ``python -m benchmarks ui``: the GUI's worst stalls (100–180 ms at 1 000 products, more at 10 000)
were full (generation 2) collections. A collection holds the GIL, so it stops the GUI thread whichever thread
triggered it, and a pass holds a large heap (both stores' snapshots), so a full collection walks all of it. Almost
everything a pass allocates is freed by reference counting when the pass ends; cycles are few.

So: objects alive after start-up (Qt wrappers, the sandbox seed in --sandbox mode) are frozen out of every later
collection (``gc.freeze``), and no full collection runs while a pass runs (young ones still do); after the pass
the snapshots are freed by reference counting and the next full collection is small again.

And every collection runs on the GUI thread (``GuiThreadCollector``). CPython collects on whichever thread happens
to allocate, so a closed window's widgets (Python-owned, kept alive by a reference cycle) could be destroyed on a
sync or background thread. Qt widgets must be destroyed on the GUI thread: a destroyed widget that had focus makes
Qt emit ``focusChanged(old, None)`` from that thread, queued to the GUI thread, where ``old`` is gone by then. That
crashed a test run (a segmentation fault in PySide's wrapper lookup of ``old``, seed 2656376586). The automatic
collector is off; a timer on the GUI thread runs the collection CPython's own rule would have run (pyqtgraph's
and Spyder's habit for Qt apps), every ``GUI_COLLECT_MS``.
"""
from __future__ import annotations

import gc
import logging
import sys
import threading
from contextlib import contextmanager
from typing import Iterator

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)


GUI_SWITCH_INTERVAL_S = 0.001
GUI_COLLECT_MS = 100  # short, so a young generation holds at most this long's allocations of the sync's threads


def favour_the_gui_thread() -> None:
    """The sync's threads (and, in --sandbox mode, the emulators) are CPU-bound Python; the GUI thread gives up
    the GIL on every Qt call and then waits up to the switch interval (5 ms by default) to get it back, so a redraw
    of a few dozen calls could take 100 ms. At 1 ms it gets it back sooner (measured: worst stall 206 → 71 ms at
    1 000 products), for a little more switching in the workers."""
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)


def freeze_start_up_heap() -> None:
    """Call once the app is built: what exists now lives as long as the app, and is never walked again."""
    gc.collect()
    gc.freeze()
    log.debug("Start-up heap frozen out of the cyclic collector (%d objects)", gc.get_freeze_count())


@contextmanager
def no_full_collection_during_pass() -> Iterator[None]:
    """Wraps one pass (``SyncService(around_pass=...)``): no full (generation 2) collection inside it.

    Young collections still run: they are small (a few thousand objects) and free the pass's short-lived cycles
    (every HTTP response is one) while they are young. Turning collection off altogether was tried first and
    measured worse: everything the pass allocated piled up in generation 0 and the first collection after the
    pass walked all of it (0.85 s after a first sync of 10 000 products)."""
    with _lock:
        if _running[0] == 0:
            _saved[:] = gc.get_threshold()
            gc.set_threshold(_saved[0], _saved[1], NO_FULL_COLLECTION)
        _running[0] += 1
    try:
        yield
    finally:
        with _lock:
            _running[0] -= 1
            if _running[0] == 0:
                gc.set_threshold(*_saved)


NO_FULL_COLLECTION = 1_000_000  # generation-1 collections before a full one: never, within a pass
_lock = threading.Lock()
_running = [0]
_saved: list[int] = []


class GuiThreadCollector(QObject):
    """``GuiThreadCollector(app)``: from now on the cyclic collector runs on the GUI thread only (the module's
    docstring says why), until the app quits."""

    def __init__(self, parent: QObject):
        super().__init__(parent)
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(GUI_COLLECT_MS)
        self.timer.timeout.connect(collect_due)
        self.timer.start()


def collect_due() -> int | None:
    """The collection CPython's own rule would have run by now, run here: the oldest generation whose count passed
    its threshold (the thresholds as set now: a pass's "no full collection" holds), and a full one only once the
    oldest generation grew by a quarter since the last full one (CPython's ``long_lived_pending`` rule: a big heap
    is not walked again and again; without it a 10 000-product window stalled 0.4 s once). Returns the generation
    collected (None: none was due)."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    generation = None
    for number in range(3):
        if counts[number] <= thresholds[number]:
            break
        generation = number
    if generation == 2 and len(gc.get_objects(2)) - _long_lived[0] <= _long_lived[0] // 4:
        generation = 1
    if generation is not None:
        gc.collect(generation)
        if generation == 2:
            _long_lived[0] = len(gc.get_objects(2))
    return generation


_long_lived = [0]  # objects in the oldest generation after the last full collection (CPython's long_lived_total)
