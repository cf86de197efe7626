"""Guards against a Qt binding that breaks the monitor: PySide6 6.12.0 on CPython 3.11 drops a reference to
``True`` on every ``Signal.emit()``, so an app that emits a few hundred signals (a sync pass does) aborts with
"Fatal Python error: bool_dealloc". pyproject.toml excludes that version; this test fails on any version that
has the bug.

``True``'s count is process-wide, so other threads (a previous test's background job finishing) move it by a
few dozen while this runs; the emits are many and the margin wide so only a per-emit loss can fail it."""
from __future__ import annotations

import sys
import threading

from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    ping = Signal(str)


def test_signal_emit_keeps_reference_counts(qapp):
    emitter = Emitter()
    seen = []
    emitter.ping.connect(seen.append)
    emits = 5_000
    before = sys.getrefcount(True)
    for _ in range(emits):
        emitter.ping.emit("x")
    worker = threading.Thread(target=lambda: [emitter.ping.emit("y") for _ in range(emits)])
    worker.start()
    worker.join()
    qapp.processEvents()
    # The bug loses one reference per emit (10 000 here); unrelated threads move the count by tens.
    assert abs(sys.getrefcount(True) - before) < emits // 5, "this PySide6 leaks a reference per emit: pin another version"
    assert len(seen) == 2 * emits
