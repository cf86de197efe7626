"""The Errors tab (M4): records in error grouped by cause, each group with a hint of the fix; retry one record,
a group, or everything. "Retry this record" asks for a pass that reads that record alone (its product, for a
variant or a stock error) and moves no cursor, so it costs a few calls, not a read of the whole catalog (N3);
"Retry this group" and "Retry all" ask for a pass that reads every record of those entities. A record leaves the
list when its newest result is ok (the tab is read again after every pass).

A linked product deleted in one store (D9) offers two choices instead of a retry: "Re-create it in BigCommerce"
(or Hike: the link forgets the deleted record, then that record alone is retried, which creates it there) and
"Unlink" (the link is forgotten and the product left is not created again). Both are database actions of
``desktop.sync.deleted_links``, run off the window's thread."""
from __future__ import annotations

from typing import Callable, Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
                               QWidget)

from desktop.sync import deleted_links
from desktop.sync.error_groups import error_groups, records_of
from desktop.sync.registry import GROUP_OF_LINK_ENTITY
from desktop.views.jobs import shared_jobs
from desktop.views.record_models import FAILED, status_icon
from desktop.sync.words import plural

GROUP_ROLE = Qt.ItemDataRole.UserRole
LINK_ROLE = Qt.ItemDataRole.UserRole + 1
CHOICES_ROLE = Qt.ItemDataRole.UserRole + 2  # D9: the choices of a link deleted in one store, with their labels


class ErrorsView(QWidget):
    recordActivated = Signal(int)

    def __init__(self, retry: Callable[[Iterable[str]], object],
                 retry_records: Callable[[Iterable[int]], object] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._retry = retry
        self._retry_records = retry_records
        self.groups = []
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("errorsSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.tree = QTreeWidget()
        self.tree.setObjectName("errorTree")
        self.tree.setHeaderLabels([self.tr("Cause / record"), self.tr("SKU or email"), self.tr("Message")])
        self.tree.setColumnWidth(0, 380)
        self.tree.setColumnWidth(1, 170)
        self.tree.setWordWrap(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.itemDoubleClicked.connect(self._activated)
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        layout.addWidget(self.tree, 1)
        bar = QHBoxLayout()
        self.open_button = QPushButton(self.tr("Open record…"))
        self.open_button.setObjectName("openRecord")
        self.retry_one = QPushButton(self.tr("Retry this record"))
        self.retry_one.setObjectName("retryOne")
        self.retry_group = QPushButton(self.tr("Retry this group"))
        self.retry_group.setObjectName("retryGroup")
        self.retry_all = QPushButton(self.tr("Retry all"))
        self.retry_all.setObjectName("retryAll")
        self.recreate_button = QPushButton(self.tr("Re-create it"))
        self.recreate_button.setObjectName("recreateRecord")
        self.unlink_button = QPushButton(self.tr("Unlink"))
        self.unlink_button.setObjectName("unlinkRecord")
        for button in (self.open_button, self.retry_one, self.recreate_button, self.unlink_button, self.retry_group):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.retry_all)
        layout.addLayout(bar)
        self.open_button.clicked.connect(lambda: self._activated(self.tree.currentItem()))
        self.retry_one.clicked.connect(self._retry_record)
        self.retry_group.clicked.connect(self._retry_current)
        self.retry_all.clicked.connect(self.retry_everything)
        self.recreate_button.clicked.connect(lambda: self._choose(deleted_links.RECREATE))
        self.unlink_button.clicked.connect(lambda: self._choose(deleted_links.UNLINK))
        self.refresh()

    def refresh(self) -> None:
        self.groups = error_groups()
        self.tree.clear()
        total = sum(g.count for g in self.groups)
        self.summary.setText(self.tr("No records in error. Records that fail to sync show up here, grouped by cause.")
                             if not total else
                             self.tr("<b>{records} in error</b>, in {groups}. Fix the cause, then retry: a record "
                                     "leaves this list once it syncs.").format(
                                 records=plural(total, self.tr("record"), self.tr("records")),
                                 groups=plural(len(self.groups), self.tr("group"), self.tr("groups"))))
        for index, group in enumerate(self.groups):
            top = QTreeWidgetItem([group.title, "", ""])
            top.setData(0, GROUP_ROLE, index)
            hint = QTreeWidgetItem([self.tr("How to fix: {hint}").format(hint=group.hint)])
            hint.setData(0, GROUP_ROLE, index)
            hint.setToolTip(0, group.hint)
            hint_font = hint.font(0)
            hint_font.setItalic(True)
            hint.setFont(0, hint_font)
            top.addChild(hint)
            top.setIcon(0, status_icon(FAILED))
            top.setToolTip(2, group.hint)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            for link in records_of(group):
                child = QTreeWidgetItem([link.name or link.sku or f"#{link.hike_id or link.bc_id}", link.sku or "",
                                         link.last_message])
                child.setToolTip(2, link.last_message)
                child.setData(0, GROUP_ROLE, index)
                child.setData(0, LINK_ROLE, link.id)
                child.setData(0, CHOICES_ROLE, {c: deleted_links.choice_label(link, c)
                                                for c in deleted_links.choices(link)})
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            hint.setFirstColumnSpanned(True)  # the hint reads across the whole width
            top.setExpanded(index < 5)
        self.retry_all.setEnabled(bool(self.groups))
        self._update_buttons()

    def _update_buttons(self) -> None:
        item = self.tree.currentItem()
        is_record = item is not None and item.data(0, LINK_ROLE) is not None
        self.open_button.setEnabled(is_record)
        self.retry_one.setEnabled(is_record)
        self.retry_group.setEnabled(item is not None)
        choices = (item.data(0, CHOICES_ROLE) if is_record else None) or {}
        for choice, button in ((deleted_links.RECREATE, self.recreate_button),
                               (deleted_links.UNLINK, self.unlink_button)):
            button.setVisible(choice in choices)
            button.setText(choices.get(choice, button.text()))
        self.retry_one.setVisible(not choices)  # a deleted record is re-created or unlinked, not retried

    def _choose(self, choice: str) -> None:
        """D9: re-create the deleted record (then retry that record alone, which creates it) or unlink it."""
        item = self.tree.currentItem()
        if item is None or item.data(0, LINK_ROLE) is None:
            return
        link_id = int(item.data(0, LINK_ROLE))
        action = deleted_links.recreate if choice == deleted_links.RECREATE else deleted_links.unlink

        def done(link: object) -> None:
            if link is not None and choice == deleted_links.RECREATE and self._retry_records is not None:
                self._retry_records([link_id])
            self.refresh()
        shared_jobs().run(lambda: action(link_id), done, name=f"D9 {choice}", owner=self)

    def _activated(self, item: QTreeWidgetItem | None, _column: int = 0) -> None:
        if item is not None and item.data(0, LINK_ROLE) is not None:
            self.recordActivated.emit(int(item.data(0, LINK_ROLE)))

    def _retry_current(self) -> None:
        item = self.tree.currentItem()
        if item is None:
            return
        group = self.groups[int(item.data(0, GROUP_ROLE))]
        self._retry([GROUP_OF_LINK_ENTITY.get(group.entity, "products")])

    def _retry_record(self) -> None:
        item = self.tree.currentItem()
        if item is None or item.data(0, LINK_ROLE) is None:
            return
        if self._retry_records is None:  # no records-only path given: the record's group
            self._retry_current()
            return
        self._retry_records([int(item.data(0, LINK_ROLE))])

    def retry_everything(self) -> None:
        wanted = {GROUP_OF_LINK_ENTITY.get(g.entity, "products") for g in self.groups}
        if wanted:
            self._retry(sorted(wanted))
