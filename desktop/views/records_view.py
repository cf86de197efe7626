"""Products, Customers and Sales tabs (M2, M3): one lazy table of links with search and filters; the status
icon (or a double-click, or Enter or Space on the selected row) opens the record's sync log."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QTableView, QVBoxLayout,
                               QWidget)

from desktop.views.jobs import shared_jobs
from desktop.views.record_models import LinkTableModel
from desktop.sync.words import plural

SEARCH_DELAY_MS = 250  # one query when typing stops, not one per key
OPEN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)  # on the selected row: open its sync log
LIVE_MS = 1000  # while a pass runs the list is read again at most once a second (records arrive by the hundred)


class RecordsView(QWidget):
    recordActivated = Signal(int)  # link id

    def __init__(self, entities: tuple[str, ...], noun: str, key_label: str = "SKU",
                 parent: QWidget | None = None, empty_text: str = ""):
        super().__init__(parent)
        # the plural, for the count and the sentences: its singular is the same without the "s" ("products"),
        # or the plural when there is none ("orders and sales"); both are marked where the views are made
        self.noun = noun
        self.model = LinkTableModel(entities, key_label, self)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("recordSearch")
        key = self.tr(key_label)
        self.search.setPlaceholderText(self.tr("Search {noun} by {key}, name or id").format(
            noun=self.tr(noun), key=key if key_label.isupper() else key.lower()))
        self.search.setClearButtonEnabled(True)
        bar.addWidget(self.search, 1)
        self.errors_only = QCheckBox(self.tr("Errors only"))
        self.errors_only.setObjectName("errorsOnly")
        self.not_linked = QCheckBox(self.tr("Not linked"))
        self.not_linked.setObjectName("notLinkedOnly")
        bar.addWidget(self.errors_only)
        bar.addWidget(self.not_linked)
        self.count = QLabel()
        self.count.setObjectName("recordCount")
        bar.addWidget(self.count)
        layout.addLayout(bar)
        self.table = QTableView()
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move in it: no keyboard trap
        self.table.setObjectName("recordTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setWordWrap(False)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(0, 32)
        key_width = 230 if key_label == "Email" else 150  # emails are longer than SKUs
        for col, width in ((1, key_width), (2, 230 if key_label == "Email" else 260), (3, 90), (4, 110), (5, 130)):
            self.table.setColumnWidth(col, width)
        head.setStretchLastSection(True)
        self.empty = QLabel(empty_text or self.tr("No {noun} synced yet.").format(noun=self.tr(noun)))
        self.empty.setObjectName("recordsEmpty")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("QLabel { color: #57606a; padding: 12px; }")
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self._apply_filter)
        self.search.textChanged.connect(self._debounce.start)
        self.errors_only.toggled.connect(self._apply_filter)
        self.not_linked.toggled.connect(self._apply_filter)
        self.table.clicked.connect(self._clicked)
        self.table.doubleClicked.connect(lambda index: self._open(index))
        self.table.installEventFilter(self)  # Enter / Space open the log as a double-click does
        self._update_count()

    def _apply_filter(self) -> None:
        self.model.set_filter(search=self.search.text(), errors_only=self.errors_only.isChecked(),
                              not_linked_only=self.not_linked.isChecked())
        self._update_count()

    def _counted(self, total: int) -> str:
        one = self.noun.removesuffix("s") if " " not in self.noun else self.noun
        return plural(total, self.tr(one), self.tr(self.noun))  # "1 product", "2 products"

    def _update_count(self, total: int | None = None) -> None:
        total = self.model.total() if total is None else total
        self.count.setText(self._counted(total))
        filtered = bool(self.search.text().strip()) or self.errors_only.isChecked() or self.not_linked.isChecked()
        self.empty.setVisible(total == 0 and not filtered)

    def refresh(self) -> None:
        """After a pass, and while one runs: rows already shown are read again, new ones fill in; the count too."""
        self._live_stale = False
        self.model.refresh()
        self._update_count()

    def follow(self, bridge: Any) -> None:
        """Fill as a pass links and logs records (issue 16): each record the bridge tells of starts a read at most
        every ``LIVE_MS``; a list not in view is read when it is next shown."""
        self._live_stale = False
        self._live = QTimer(self)
        self._live.setSingleShot(True)
        self._live.setInterval(LIVE_MS)
        self._live.timeout.connect(self._live_refresh)
        bridge.recordsChanged.connect(self._record_seen)

    def _record_seen(self) -> None:
        if not self.isVisible():
            self._live_stale = True  # read when shown
        elif not self._live.isActive():
            self._live.start()

    def _live_refresh(self) -> None:
        """The list's read runs on a worker while the pass writes; the GUI thread only shows the rows it read."""
        if not self.isVisible():
            self._live_stale = True
            return
        self._live_stale = False
        shared_jobs().run(self.model.live_read, self._show_live, name="live list read", owner=self.count)

    def _show_live(self, read: tuple) -> None:
        if self.model.apply_live(read) and self.count.text() != self._counted(read[2]):
            self._update_count(read[2])

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if getattr(self, "_live_stale", False):
            self._live_refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if plain and event.key() in OPEN_KEYS and self.table.currentIndex().isValid():
                self._open(self.table.currentIndex())
                return True
        return super().eventFilter(watched, event)

    def _clicked(self, index: QModelIndex) -> None:
        if index.column() == LinkTableModel.STATUS:
            self._open(index)

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.recordActivated.emit(self.model.row_at(index.row()).id)
