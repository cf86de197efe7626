"""Help → Check my stores (issue 18): the read-only diagnosis of both stores, for a person and for support.

The check runs in a job (about 25 requests); the dialog says what it is doing, then one line per endpoint with its
result, the differences under it, and a summary on top. "Copy report" puts the words on the clipboard; the JSON
report is kept in the data folder and the support bundle carries it.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from desktop.views.jobs import Jobs


class CheckStoresDialog(QDialog):
    """``check`` is blocking (``SyncController.check_stores``) and returns a ``diagnose.Report``."""

    def __init__(self, check: Callable[[], Any], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("checkStoresDialog")
        self.setWindowTitle(self.tr("Check my stores"))
        self._check = check
        self._jobs = Jobs(self, max_threads=1)
        self.report: Any = None

        self.summary = QLabel()
        self.summary.setObjectName("checkSummary")
        self.summary.setWordWrap(True)
        explain = QLabel(self.tr("Reads a few records of every kind the sync uses from both stores and compares "
                                 "them with what this app expects. Nothing is written to either store."))
        explain.setWordWrap(True)
        self.details = QPlainTextEdit()
        self.details.setObjectName("checkDetails")
        self.details.setReadOnly(True)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setTabChangesFocus(True)

        buttons = QDialogButtonBox()
        self.again = QPushButton(self.tr("Check &again"))
        self.copy = QPushButton(self.tr("&Copy report"))
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.again, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.copy, QDialogButtonBox.ButtonRole.ActionRole)
        self.again.clicked.connect(self.start)
        self.copy.clicked.connect(self._copy)
        close.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(explain)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.resize(760, 520)

    def start(self) -> None:
        self.again.setEnabled(False)
        self.copy.setEnabled(False)
        self.summary.setText(self.tr("Checking both stores…"))
        self.details.clear()
        self._jobs.run(self._check, self._show, self._failed, name="check my stores")

    def _show(self, report: Any) -> None:
        self.report = report
        lines = report.lines()
        if report.ok:
            self.summary.setText(self.tr("Both stores answered as expected ({count} checks).").format(
                count=len(report.checks)))
        else:
            bad = sum(1 for c in report.checks if c.status != "ok")
            self.summary.setText(self.tr("<b>{bad} of {count} checks found a difference.</b> The sync goes on "
                                         "with what it can read; send a support bundle (Help) with this report.")
                                 .format(bad=bad, count=len(report.checks)))
        self.details.setPlainText("\n".join(lines[2:]))  # the summary line is shown above
        self.again.setEnabled(True)
        self.copy.setEnabled(True)
        self.again.setFocus()

    def _failed(self, exc: BaseException) -> None:
        message = getattr(exc, "message", None) or str(exc)
        self.summary.setText(self.tr("The check could not run: {reason}").format(reason=message))
        self.again.setEnabled(True)

    def _copy(self) -> None:
        if self.report is not None:
            QGuiApplication.clipboard().setText("\n".join(self.report.lines()))

    def done(self, result: int) -> None:
        self._jobs.shutdown()  # the check finishes (a few seconds at most) before the dialog goes
        super().done(result)
