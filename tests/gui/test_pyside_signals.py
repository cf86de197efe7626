"""Guards against a Qt binding that breaks the monitor: PySide6 6.12.0 on CPython 3.11 drops a reference to
``True`` on every ``Signal.emit()``, so an app that emits a few hundred signals (a sync pass does) aborts with
"Fatal Python error: bool_dealloc". pyproject.toml excludes that version; this test fails on any version that
has the bug."""
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
    before = sys.getrefcount(True)
    for _ in range(200):
        emitter.ping.emit("x")
    worker = threading.Thread(target=lambda: [emitter.ping.emit("y") for _ in range(200)])
    worker.start()
    worker.join()
    qapp.processEvents()
    assert abs(sys.getrefcount(True) - before) < 50, "this PySide6 leaks a reference per emit: pin another version"
    assert len(seen) == 400
