"""Uncaught exceptions: logged (with secrets redacted by the log formatter) and shown in a dialog, instead
of the app vanishing. Exceptions from worker threads are carried to the GUI thread by a queued signal."""
from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.storage.logs import redact

log = logging.getLogger("desktop.crash")


class CrashReporter(QObject):
    crashed = Signal(str, str)  # summary, details

    def __init__(self, log_path: str = "", parent: QObject | None = None):
        super().__init__(parent)
        self.log_path = log_path
        self.dialogs_shown = 0
        self.last_summary = ""
        self._showing = False
        self.dialog: QMessageBox | None = None
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self.crashed.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_excepthook

    def uninstall(self) -> None:
        sys.excepthook = self._previous_hook
        threading.excepthook = self._previous_thread_hook

    def _excepthook(self, exc_type: type[BaseException], exc: BaseException,
                    tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_hook(exc_type, exc, tb)
            return
        self.report(exc_type, exc, tb)

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        self.report(args.exc_type, args.exc_value, args.exc_traceback)

    def report(self, exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None) -> None:
        log.critical("Unexpected error", exc_info=(exc_type, exc, tb))
        details = redact("".join(traceback.format_exception(exc_type, exc, tb)))
        summary = redact(f"{exc_type.__name__}: {exc}")
        self.crashed.emit(summary, details)

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        self.last_summary = summary
        if self._showing:  # one dialog at a time; the rest are in the log
            return
        self._showing = True
        self.dialogs_shown += 1
        box = QMessageBox(QMessageBox.Icon.Critical, self.tr("Something went wrong"),
                          self.tr("The app hit an unexpected problem and kept running."),
                          QMessageBox.StandardButton.Ok, _active_window())
        box.setObjectName("crashDialog")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        where = self.tr("\n\nThe full report is in the log file:\n{path}").format(path=self.log_path) \
            if self.log_path else ""
        box.setInformativeText(summary + where)
        box.setDetailedText(details)
        box.finished.connect(self._dialog_closed)
        self.dialog = box
        box.open()  # not exec(): a nested event loop inside an exception hook invites re-entrancy

    @Slot()
    def _dialog_closed(self) -> None:
        self._showing = False
        self.dialog = None


def _active_window() -> QWidget | None:
    from PySide6.QtWidgets import QApplication

    return QApplication.activeWindow()
