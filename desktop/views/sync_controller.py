"""The GUI's owner of the running sync: a ``SyncService`` started on a worker thread, its Qt bridge and the one
status summary everything binds to.

Start-up does keyring reads (they may wait on an unlock prompt) and, in --sandbox mode, connects the sandbox
stores over loopback HTTP: none of that may run on the GUI thread, so ``start()`` runs it on a plain thread and
reports back with queued signals (``started`` / ``startFailed``).
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Iterable

from PySide6.QtCore import QObject, Signal

from desktop.storage.credentials import CredentialError, Credentials
from desktop.sync import errors
from desktop.sync.service import SyncService, readiness, save_sandbox_settings_if_none
from desktop.views.jobs import Jobs
from desktop.views.responsiveness import no_full_collection_during_pass
from desktop.views.status_summary import StatusSummary
from desktop.views.sync_bridge import SyncBridge

log = logging.getLogger(__name__)


class SyncController(QObject):
    started = Signal()
    startFailed = Signal(str)  # a message for people
    notConfigured = Signal(str)

    def __init__(self, credentials: Credentials, *, sandbox: Any = None,
                 open_clients: Callable[[Credentials], tuple[Any, Any]] | None = None,
                 scheduler_options: dict[str, Any] | None = None, startup_pass: bool = True,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.bridge = SyncBridge(self)
        self.service = SyncService(credentials, open_clients=open_clients, scheduler_options=scheduler_options,
                                   around_pass=no_full_collection_during_pass)
        self.service.events.add(self.bridge)
        self.summary = StatusSummary(self.bridge, None, self)
        self.sandbox = sandbox
        self._startup_pass = startup_pass
        self.jobs = Jobs(self)  # the service's start, pause and resume: off the GUI thread, waited for at quit
        self.started.connect(lambda: self.summary.set_service(self.service))
        self.startFailed.connect(self.summary.set_reconnect_needed)

    def start(self) -> None:
        self.jobs.run(self._start, name="sync service start")

    def _start(self) -> None:
        try:
            if self.sandbox is not None:
                from desktop.sync.connections import connect_sandbox

                # the sandbox listens on new ports each start: connect afresh, keep the history
                connect_sandbox(self.sandbox.info, self.service.credentials, self.sandbox.person())
                save_sandbox_settings_if_none()
            ready = readiness()
            if not ready.ready:
                self.notConfigured.emit(ready.reason)
                return
            self.service.start(startup_pass=self._startup_pass)
        except (errors.SyncError, CredentialError) as exc:
            log.warning("The sync could not start: %s", exc)
            self.startFailed.emit(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - shown, logged, the window stays usable
            log.exception("The sync could not start")
            self.startFailed.emit(self.tr("The sync could not start: {kind}: {error}").format(
                kind=type(exc).__name__, error=exc))
            return
        self.started.emit()

    def wait_started(self, timeout: float | None = None) -> None:
        """For tests and the benchmark: the start-up job has finished (started or failed), with what else the
        controller had running."""
        self.jobs.wait(-1 if timeout is None else int(timeout * 1000))

    # ---- what the views call ------------------------------------------------------------------------------------
    def sync_now(self, groups: Iterable[str] | None = None) -> bool:
        return self.service.sync_now(groups)

    def check_everything(self) -> bool:
        return self.service.check_everything()

    def check_stores(self) -> Any:
        """Help → Check my stores: blocking (run it in a job); the ``diagnose.Report``."""
        return self.service.check_stores()

    def retry(self, groups: Iterable[str] | None = None) -> bool:
        return self.service.retry(groups)

    def retry_records(self, link_ids: Iterable[int]) -> bool:
        return self.service.retry_records(link_ids)

    def choose_orders_start(self, choice: str) -> None:
        self.summary.set_orders_start_needed(None)
        self._off_gui(lambda: self.service.choose_orders_start(choice))

    def pause(self) -> None:
        self.summary.set_paused(True)
        self._off_gui(self.service.pause)

    def resume(self) -> None:
        self.summary.set_paused(False)
        self._off_gui(self.service.resume)

    def _off_gui(self, work: Callable[[], None]) -> None:
        """Pause and resume write a preference: a write may wait behind a pass's transaction, the GUI must not."""
        self.jobs.run(work, name="sync service call")

    def toggle_pause(self) -> None:
        self.resume() if self.summary.paused else self.pause()

    def reload_settings(self) -> None:
        self.service.reload_settings()

    def shutdown(self) -> None:
        self.wait_started()
        self.service.shutdown(wait=True)
