"""N7 (issue 14 finding 2b): "Where orders start" — asked when this app's database is new but the stores show it
synced orders before (``desktop.sync.order_start``). Nothing is decided for the person: the question says what
each answer brings in, the recommended one is the default button, and "Decide later" leaves everything as it is
(the orders part of each pass waits; products and customers go on syncing). The same dialog opens from
Sync → Where orders start… while the question is open.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

LAST_SYNCED, NOW = "last-synced", "now"


class OrdersStartDialog(QDialog):
    def __init__(self, question: str, choose: Callable[[str], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ordersStartDialog")
        self.setWindowTitle(self.tr("Where orders start"))
        self.setMinimumWidth(520)
        self._choose = choose
        self.choice: str | None = None
        # the question without its opening (the heading says it) and without the CLI hint (for the headless face)
        body = question.split(" In the app:")[0]
        text = QLabel(body.split(": ", 1)[1] if body.startswith("This app's database is new") else body)
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox()
        self.last_synced_button = QPushButton(self.tr("From the last order synced (recommended)"))
        self.last_synced_button.setToolTip(self.tr("Orders and sales placed since then are brought over; those "
                                                   "already there "
                                           "are found in the stores and linked, never sent twice."))
        self.now_button = QPushButton(self.tr("From now on"))
        self.now_button.setToolTip(self.tr("Orders and sales placed since the last one synced are never synced."))
        later = QPushButton(self.tr("Decide later"))
        buttons.addButton(self.last_synced_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.now_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.addButton(later, QDialogButtonBox.ButtonRole.RejectRole)
        self.last_synced_button.setDefault(True)
        self.last_synced_button.clicked.connect(lambda: self._answer(LAST_SYNCED))
        self.now_button.clicked.connect(lambda: self._answer(NOW))
        later.clicked.connect(self.reject)
        heading = QLabel(self.tr("<b>This app synced orders before its data was started again</b>"))
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(text)
        layout.addWidget(buttons)

    def _answer(self, choice: str) -> None:
        self.choice = choice
        self._choose(choice)
        self.accept()
