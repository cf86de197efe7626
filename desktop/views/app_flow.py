"""Which window the app shows, and how a person moves between them (C4, C6, M5).

- Not set up (a store not connected, or no settings saved): the window's set-up screen, and on first start the
  setup wizard opens by itself. The wizard's Save starts the sync in the background (its first pass runs at once)
  and the window becomes the monitor.
- Set up: the monitor, with **Manage…** opening the same pages as tabs; a saved change reaches the next pass;
  **Disconnect** stops the sync and goes back to the set-up screen and the wizard.

Sandbox stores the wizard started ("Try the sandbox stores") belong to the app from then on: they stop when the app
stops. A data folder connected to sandbox stores gets fresh ones at the next start (their addresses change), as
``--sandbox`` does.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject
from shiboken6 import isValid

from desktop.storage.credentials import Credentials
from desktop.storage.models import Connection

log = logging.getLogger(__name__)


class AppFlow(QObject):
    def __init__(self, credentials: Credentials, *, sandbox: Any = None, wizard_options: dict | None = None,
                 controller_options: dict | None = None, on_window: Callable[[Any], None] | None = None,
                 minimized: bool = False, parent: QObject | None = None):
        super().__init__(parent)
        self._minimized = minimized  # --minimized (start at login): the first window starts in the tray
        self.credentials = credentials
        self.sandbox = sandbox
        self.controller = None
        self.window = None
        self.dialog = None  # the wizard or Manage, while open
        self._wizard_options = dict(wizard_options or {})
        self._controller_options = dict(controller_options or {})  # tests: faster clients
        self._on_window = on_window  # app.py: the single-instance activation follows the current window
        self._owned_sandboxes: list[Any] = []

    # ---- start and stop ---------------------------------------------------------------------------------------
    def start(self, *, open_wizard_if_needed: bool = True) -> None:
        from desktop.sync.service import readiness

        ready = readiness()
        if ready.ready or self.sandbox is not None:
            self._show_monitor()
        else:
            self._show_setup(ready.reason)
            if open_wizard_if_needed:
                self.open_wizard()

    def shutdown(self) -> None:
        if self.dialog is not None and isValid(self.dialog):
            self.dialog.close()
        self.dialog = None
        self._stop_controller()
        if self.window is not None and isValid(self.window):
            self.window._quitting = True
            if self.window.tray is not None:
                self.window.tray.icon.hide()
            self.window.close()
        for sandbox in self._owned_sandboxes:
            sandbox.stop()
        self._owned_sandboxes.clear()

    # ---- windows ------------------------------------------------------------------------------------------------
    def _show_monitor(self) -> None:
        from desktop.views.sync_controller import SyncController

        self.controller = SyncController(self.credentials, sandbox=self.sandbox, **self._controller_options)
        self._replace_window(self.controller, "")
        self.controller.start()

    def _show_setup(self, reason: str) -> None:
        self._replace_window(None, reason)

    def _replace_window(self, controller: Any, reason: str) -> None:
        from PySide6.QtWidgets import QApplication

        from desktop.views.main_window import MainWindow

        old = self.window
        self.window = MainWindow(store_summary(self.sandbox is not None), controller, setup_reason=reason,
                                 setup_started=controller is None and setup_started(), credentials=self.credentials)
        self.window.setupRequested.connect(self.open_wizard)
        self.window.manageRequested.connect(self.open_manage)
        # closing the window keeps syncing once a sync runs (M5); before that, closing it ends the app
        QApplication.instance().setQuitOnLastWindowClosed(controller is None)
        if self._on_window is not None:
            self._on_window(self.window)
        self._show_first(self.window, first=old is None)
        if old is not None:
            old._quitting = True  # its close is a swap, not the person quitting
            if old.tray is not None:
                old.tray.icon.hide()
            old.close()
            old.deleteLater()

    def _show_first(self, window: Any, *, first: bool) -> None:
        """--minimized: hidden in the tray when there is one, else a minimised window (never invisible with no way
        back). Only the first window, and only once a sync runs (setup still to do shows the window)."""
        from desktop.views import tray

        if not (first and self._minimized and window.controller is not None):
            window.show()
        elif window.tray is not None and tray.system_tray_available():
            window.tray.show()
        else:
            window.showMinimized()

    # ---- the wizard and Manage ------------------------------------------------------------------------------
    def open_wizard(self) -> None:
        from desktop.views.setup import SetupWizard

        if self.dialog is not None:
            self.dialog.raise_()
            return
        wizard = SetupWizard(self.credentials, sandbox=self.sandbox, parent=self.window, **self._wizard_options)
        wizard.setupSaved.connect(lambda _settings: self._setup_saved(wizard))
        self._open(wizard)

    def open_manage(self) -> None:
        from desktop.views.setup import ManageDialog

        if self.dialog is not None:
            self.dialog.raise_()
            return
        options = {k: v for k, v in self._wizard_options.items() if k in ("hike_app", "open_url", "choose_folder")}
        dialog = ManageDialog(self.credentials, parent=self.window, **options)
        dialog.settingsSaved.connect(lambda _settings: self._settings_saved())
        # acted on once the dialog has closed: the window it belongs to is about to be replaced
        dialog.disconnected.connect(lambda _wiped: setattr(dialog, "disconnect_done", True))
        self._open(dialog)

    def _open(self, dialog: Any) -> None:
        self.dialog = dialog
        dialog.finished.connect(lambda _result: self._closed(dialog))
        dialog.open()  # window-modal: the monitor keeps updating behind it

    def _closed(self, dialog: Any) -> None:
        if self.dialog is dialog:
            self.dialog = None
        disconnected = getattr(dialog, "disconnect_done", False)
        cancelled_setup = getattr(dialog, "saved", "") is None  # the wizard closed without Save
        if isValid(dialog):
            dialog.deleteLater()
        if disconnected:
            self._disconnected()
        elif cancelled_setup and self.controller is None:
            # issue 17, finding 4: the window shows the connections the wizard made, and "Continue setup"
            from desktop.sync.service import readiness

            self._show_setup(readiness().reason)

    def _setup_saved(self, wizard: Any) -> None:
        """C4/C5: Save starts the first sync in the background and the monitor shows it."""
        if wizard.ctx.sandbox_started_here and wizard.ctx.sandbox is not None:
            self._owned_sandboxes.append(wizard.ctx.sandbox)  # it must outlive the wizard
        if self.controller is not None:
            self.controller.reload_settings()
            return
        log.info("Setup saved: starting the sync")
        self._show_monitor()

    def _settings_saved(self) -> None:
        if self.controller is not None:
            self.controller.reload_settings()  # takes effect on the next pass

    def _disconnected(self) -> None:
        """C6: tokens are gone; the sync stops and the app goes back to setting up."""
        self._stop_controller()
        self._show_setup(QCoreApplication.translate("AppFlow", "The stores were disconnected."))
        self.open_wizard()  # re-integrating starts from scratch (C6): straight to the first step

    def _stop_controller(self) -> None:
        if self.controller is not None:
            self.controller.shutdown()
            self.controller = None


def store_summary(sandbox: bool):
    from desktop.views.main_window import StoreSummary

    if sandbox:
        return StoreSummary(QCoreApplication.translate("AppFlow", "Hike sandbox store"),
                            QCoreApplication.translate("AppFlow", "BigCommerce sandbox store"), True)
    names = {c.side: c.store_name for c in Connection.select()}
    return StoreSummary(names.get("hike", ""), names.get("bigcommerce", ""), connected_to_sandbox())


def setup_started() -> bool:
    """A store is connected or the wizard kept a draft: the set-up screen offers to continue."""
    from desktop.storage.models import get_preference
    from desktop.views.setup.wizard import DRAFT_KEY

    return Connection.select().exists() or get_preference(DRAFT_KEY) is not None


def connected_to_sandbox() -> bool:
    """Both stores are sandbox stores (connected by the wizard's "Try the sandbox stores")."""
    rows = list(Connection.select())
    return len(rows) == 2 and all(c.is_sandbox for c in rows)
