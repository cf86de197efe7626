"""Keeps CPython's cyclic garbage collector and the GIL from freezing the window during a sync pass (M1: "the UI never
freezes").

Measured with ``python -m benchmarks ui``: the GUI's worst stalls (100–180 ms at 1 000 products, more at 10 000)
were full (generation 2) collections. A collection holds the GIL, so it stops the GUI thread whichever thread
triggered it, and a pass holds a large heap (both stores' snapshots), so a full collection walks all of it. Almost
everything a pass allocates is freed by reference counting when the pass ends; cycles are few.

So: objects alive after start-up (Qt wrappers, the sandbox seed in --sandbox mode) are frozen out of every later
collection (``gc.freeze``), and automatic collection is off while a pass runs and back on when it ends, when the
snapshots are gone and a collection is small again. Cycles made during a pass wait for its end: bounded by one
pass.
"""
from __future__ import annotations

import gc
import logging
import sys
import threading
from contextlib import contextmanager
from typing import Iterator

log = logging.getLogger(__name__)


GUI_SWITCH_INTERVAL_S = 0.001


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
def no_collection_during_pass() -> Iterator[None]:
    """Wraps one pass (``SyncService(around_pass=...)``): automatic cyclic collection is off inside it and back on
    once the engine's call has returned, i.e. once its snapshots are garbage for reference counting already."""
    with _lock:
        _running[0] += 1
        gc.disable()
    try:
        yield
    finally:
        with _lock:
            _running[0] -= 1
            if _running[0] == 0:
                gc.enable()


_lock = threading.Lock()
_running = [0]
