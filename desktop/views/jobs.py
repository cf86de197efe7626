"""The one way the views run background work (Vorta's habit: one jobs manager for all of it): a blocking call
(HTTP, keyring, database) runs on a worker of a ``Jobs`` pool and its result or exception comes back on the GUI
thread, so the callbacks may touch widgets while the window keeps painting and answering.

- The setup pages share their context's ``Jobs`` (``SetupContext.background``): closing the wizard waits for what
  it started. ``SyncController`` has its own (the service's start, pause and resume), so quitting waits too.
- Small calls of other views (the record log's storefront path, the tray's mute preference) use ``shared_jobs()``,
  one pool for the whole app that quitting waits for.
- No view starts a thread of its own. (``threading`` elsewhere in the views is a lock, in the bridge and the
  collector guard, or the crash reporter's hook for threads' uncaught errors.)
"""
from __future__ import annotations

import logging
from typing import Any, Callable

import shiboken6
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


class Jobs(QObject):
    """A small pool of its own, so its owner can wait for what it started (``shutdown``, ``wait``)."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 3):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._relays: set[_Relay] = set()
        self.running = 0

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], Any] | None = None,
            on_failed: Callable[[BaseException], Any] | None = None, *, name: str = "",
            owner: QObject | None = None) -> None:
        """``fn()`` on a worker; then ``on_done(result)`` or ``on_failed(exception)`` on the GUI thread (a failure
        without ``on_failed`` is logged with ``name``). ``owner``: the widget the callbacks touch; when it is gone
        by the time the answer comes (a window closed, a test's world torn down), they are not called."""
        on_done = on_done or (lambda _result: None)
        on_failed = on_failed or (lambda exc: log.error("Background job %s failed: %s", name or fn, exc))

        def finish(callback: Callable[[Any], Any], value: Any) -> None:
            self.running -= 1
            self._relays.discard(relay)
            relay.deleteLater()
            if owner is not None and not shiboken6.isValid(owner):
                return  # nobody is left to show it
            callback(value)

        relay = _Relay(self, lambda value: finish(on_done, value), lambda exc: finish(on_failed, exc))
        self._relays.add(relay)
        self.running += 1
        self.pool.start(_Job(fn, relay))

    def wait(self, timeout_ms: int = -1) -> bool:
        """True once every job started here has finished (``-1``: wait as long as it takes)."""
        return self.pool.waitForDone(timeout_ms)

    def shutdown(self, timeout_ms: int = 30000) -> None:
        if not self.wait(timeout_ms):
            log.warning("A background call was still running when its window closed")


_shared: Jobs | None = None


def shared_jobs() -> Jobs:
    """The app's pool for small calls of views that have no pool of their own (created on first use, owned by the
    application, so it lives as long as the app and quitting waits for it)."""
    global _shared
    if _shared is None:
        from PySide6.QtCore import QCoreApplication

        _shared = Jobs(QCoreApplication.instance())
        _shared.destroyed.connect(_forget_shared)
    return _shared


def _forget_shared() -> None:
    global _shared
    _shared = None
