"""The main window's Help menu (issue 18): "Check my stores…" (the read-only diagnosis, when the stores are
connected) and "Save a support bundle…" (always: a zip of the logs, settings, runs and errors for support, made off
the window's thread; see ``desktop.sync.support_bundle``)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QLibraryInfo, QObject, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QWidget

from desktop.storage.credentials import Credentials
from desktop.sync import support_bundle
from desktop.views.check_stores import CheckStoresDialog
from desktop.views.jobs import shared_jobs


def choose_bundle_file(parent: QWidget, title: str, suggested: str) -> str:
    """The file dialog (tests pass a chooser of their own)."""
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, HelpMenu.tr("Zip files (*.zip)"))
    return path


class HelpMenu(QObject):
    def __init__(self, window: QMainWindow, credentials: Callable[[], Credentials],
                 check_stores: Callable[[], Any] | None = None,
                 choose_file: Callable[[QWidget, str, str], str] = choose_bundle_file):
        super().__init__(window)
        self.window = window
        self._credentials = credentials
        self._check_stores = check_stores
        self._choose_file = choose_file
        self.check_dialog: CheckStoresDialog | None = None
        self.saved: Path | None = None  # the last bundle written
        menu = window.menuBar().addMenu(self.tr("&Help"))
        self.check_action = QAction(self.tr("&Check my stores…"), self)
        self.check_action.setObjectName("checkStoresAction")
        self.check_action.setEnabled(check_stores is not None)  # the stores must be connected first
        self.check_action.triggered.connect(self.check)
        self.bundle_action = QAction(self.tr("Save a &support bundle…"), self)
        self.bundle_action.setObjectName("supportBundleAction")
        self.bundle_action.triggered.connect(self.save_bundle)
        menu.addAction(self.check_action)
        menu.addAction(self.bundle_action)

    def check(self) -> None:
        if self._check_stores is None:
            return
        if self.check_dialog is None:
            self.check_dialog = CheckStoresDialog(self._check_stores, self.window)
        self.check_dialog.show()
        self.check_dialog.activateWindow()
        if self.check_dialog.report is None:
            self.check_dialog.start()

    def save_bundle(self) -> None:
        suggested = str(Path.home() / support_bundle.default_name(datetime.now()))
        chosen = self._choose_file(self.window, self.tr("Save a support bundle"), suggested)
        if not chosen:
            return
        out = Path(chosen if chosen.endswith(".zip") else chosen + ".zip")
        credentials = self._credentials()
        self.bundle_action.setEnabled(False)
        about = {"qt": QLibraryInfo.version().toString()}
        shared_jobs().run(lambda: support_bundle.build(out, credentials, about=about), self._saved, self._failed,
                          name="support bundle", owner=self.window)

    def _saved(self, made: support_bundle.Bundle) -> None:
        self.bundle_action.setEnabled(True)
        self.saved = made.path
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Support bundle saved"),
                          self.tr("Saved to {path}.").format(path=made.path), parent=self.window)
        box.setObjectName("supportBundleSaved")
        box.setInformativeText(self.tr("It holds the app's logs, settings, last runs and errors, and the last "
                                       "Check my stores report. It holds no password, token or app secret; "
                                       "customers' emails and names are masked. Send it to support."))
        open_folder = box.addButton(self.tr("Open its &folder"), QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Ok)
        open_folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(made.path.parent))))
        box.open()
        self.saved_box = box

    def _failed(self, exc: BaseException) -> None:
        self.bundle_action.setEnabled(True)
        QMessageBox.warning(self.window, self.tr("Support bundle not saved"),
                            self.tr("The support bundle could not be saved: {reason}").format(
                                reason=getattr(exc, "message", None) or str(exc)))
