"""Run a blocking call (HTTP, keyring, database) off the GUI thread and get its result back on it.

Every store call the setup pages make goes through ``Background.run``: the window keeps painting and answering
while Hike or BigCommerce think, and the callbacks run on the GUI thread, so they may touch widgets.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives on the GUI thread. The worker emits its signals; being connected to the relay's own slots (a
    receiver on the GUI thread), they are queued there and the callbacks run on the GUI thread."""

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, parent: QObject, on_done: Callable[[Any], Any], on_failed: Callable[[Any], Any]):
        super().__init__(parent)
        self._on_done = on_done
        self._on_failed = on_failed
        self.done.connect(self._deliver_done)
        self.failed.connect(self._deliver_failed)

    @Slot(object)
    def _deliver_done(self, value: Any) -> None:
        self._on_done(value)

    @Slot(object)
    def _deliver_failed(self, value: Any) -> None:
        self._on_failed(value)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay):
        super().__init__()
        self.fn = fn
        self.relay = relay
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the page that asked
            self._emit(self.relay.failed, exc)
        else:
            self._emit(self.relay.done, result)

    @staticmethod
    def _emit(signal: Any, value: Any) -> None:
        try:
            signal.emit(value)
        except RuntimeError:
            pass  # the page was closed while the call ran: nobody is left to tell


class Background(QObject):
    """A small pool of its own, so closing the wizard can wait for what it started (``shutdown``)."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 3):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._relays: set[_Relay] = set()
        self.running = 0

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], Any],
            on_failed: Callable[[BaseException], Any]) -> None:
        def finish(callback: Callable[[Any], Any], value: Any) -> None:
            self.running -= 1
            self._relays.discard(relay)
            relay.deleteLater()
            callback(value)

        relay = _Relay(self, lambda value: finish(on_done, value), lambda exc: finish(on_failed, exc))
        self._relays.add(relay)
        self.running += 1
        self.pool.start(_Job(fn, relay))

    def shutdown(self, timeout_ms: int = 30000) -> None:
        if not self.pool.waitForDone(timeout_ms):
            log.warning("A setup call was still running when the window closed")
