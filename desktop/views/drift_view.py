"""The Differences tab (issue 20, B4): linked products and customers whose synced fields differ between the stores
right now, as the last full pass found them (``desktop.sync.drift``), one row per record with its fields
underneath: both values and the field's rule. "Make BigCommerce match Hike" / "Make Hike match BigCommerce" ask for
an ordinary sync write of the selected record (of the selected field only, when a field's row is selected) or of
every record listed (``drift.request_fix``, then a records-only pass on the scheduler: logged, in the outbox, safe
after a crash). "Check now" runs the full pass that finds them again."""
from __future__ import annotations

import json
from typing import Any, Callable, Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QMessageBox, QPushButton, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from desktop.sync import drift
from desktop.sync.words import plural
from desktop.views.jobs import shared_jobs
from desktop.views.setup.fields import rule_words

LINK_ROLE = Qt.ItemDataRole.UserRole
FIXES_ROLE = Qt.ItemDataRole.UserRole + 1
FIELD_ROLE = Qt.ItemDataRole.UserRole + 2  # a field's row: its field (a fix then writes that field only)
ENTITY_ROLE = Qt.ItemDataRole.UserRole + 3  # a record's row: "product" or "customer"
LONGEST = 80  # characters of a value shown in its cell (all of it in the tooltip)


def records(entities: Iterable[str], before: str = "") -> str:
    """How many products and customers, in words: "2 products", "1 product and 3 customers" (``before`` each
    noun: "linked ")."""
    entities = list(entities)
    said = [plural(entities.count(entity), before + entity) for entity in ("product", "customer")
            if entity in entities]
    return " and ".join(said) or plural(0, before + "product")


def shown(value: Any) -> str:
    """A value as its cell shows it: text as it is, anything else (a list of categories, variants) as JSON."""
    if value is None:
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class DriftView(QWidget):
    recordActivated = Signal(int)

    def __init__(self, check_now: Callable[[], object], retry_records: Callable[[Iterable[int]], object],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._check_now, self._retry_records = check_now, retry_records
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("driftSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.tree = QTreeWidget()
        self.tree.setObjectName("driftTree")
        self.tree.setHeaderLabels([self.tr("Product or customer / field"), self.tr("Hike"), self.tr("BigCommerce"),
                                   self.tr("Rule")])
        for column, width in enumerate((330, 230, 230)):
            self.tree.setColumnWidth(column, width)
        self.tree.setAlternatingRowColors(True)
        self.tree.itemDoubleClicked.connect(self._open)
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        layout.addWidget(self.tree, 1)
        bar = QHBoxLayout()
        self.to_bc = self._button(self.tr("Make &BigCommerce match Hike"), "fixToBigCommerce",
                                  lambda: self._fix(drift.TO_BIGCOMMERCE, everything=False))
        self.to_hike = self._button(self.tr("Make Hi&ke match BigCommerce"), "fixToHike",
                                    lambda: self._fix(drift.TO_HIKE, everything=False))
        self.all_to_bc = self._button(self.tr("&All: BigCommerce matches Hike"), "fixAllToBigCommerce",
                                      self.ask_fix_all)
        self.check = self._button(self.tr("&Check now"), "checkDrift", self._check)
        for button in (self.to_bc, self.to_hike, self.all_to_bc):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.check)
        layout.addLayout(bar)
        self.note = QLabel()
        self.note.setObjectName("driftNote")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.refresh()

    def _button(self, text: str, name: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    # -- reading ------------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """The rows found (a database read, small: only what differs)."""
        shared_jobs().run(drift.rows, self.show_rows, lambda exc: self.summary.setText(
            self.tr("The differences could not be read: {error}").format(error=exc)), owner=self)

    def show_rows(self, rows: list[Any]) -> None:
        self.tree.clear()
        products: dict[int, QTreeWidgetItem] = {}
        fixes: dict[int, set[str]] = {}
        for row in rows:
            parent = products.get(row.link_id)
            if parent is None:
                parent = QTreeWidgetItem([f"{row.name} ({row.sku})" if row.sku else row.name])
                parent.setData(0, LINK_ROLE, row.link_id)
                parent.setData(0, ENTITY_ROLE, row.entity)
                products[row.link_id] = parent
                self.tree.addTopLevelItem(parent)
            fixes.setdefault(row.link_id, set()).update(row.fixes)
            # item data holds plain text lists (Qt's own type), never a Python object Qt would have to free
            parent.setData(0, FIXES_ROLE, sorted(fixes[row.link_id]))
            rule = rule_words(row.rule)  # the words Manage → Fields uses
            child = QTreeWidgetItem([row.label, *(shown(v)[:LONGEST] for v in (row.hike_value, row.bc_value)),
                                     rule + ("" if row.own_rule else self.tr(" (default)"))])
            for column, value in ((1, row.hike_value), (2, row.bc_value)):
                child.setToolTip(column, shown(value))
            child.setData(0, LINK_ROLE, row.link_id)
            child.setData(0, FIXES_ROLE, sorted(row.fixes))
            child.setData(0, FIELD_ROLE, row.field)
            parent.addChild(child)
        self.tree.expandAll()
        fields = len(rows)
        linked = records((item.data(0, ENTITY_ROLE) for item in products.values()), "linked ")
        self.summary.setText(self.tr("{products} differ between the stores in {fields}, as the last full check "
                                     "found them.").format(products=linked, fields=plural(fields, "field"))
                             if rows else self.tr("No linked product or customer differs between the stores, as the "
                                                  "last full check found them. The daily check runs by itself; Check "
                                                  "now reads both stores again."))
        if self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self._update_buttons()

    def _selected(self) -> tuple[int | None, set[str], str | None]:
        """The product of the current row, the fixes it allows, and its field when the row is a field's (a fix
        then writes that field only)."""
        item = self.tree.currentItem()
        if item is None:
            return None, set(), None
        field = item.data(0, FIELD_ROLE) if item.parent() is not None else None
        return item.data(0, LINK_ROLE), set(item.data(0, FIXES_ROLE) or ()), field

    def _update_buttons(self) -> None:
        link, fixes, field = self._selected()
        self.to_bc.setEnabled(link is not None and drift.TO_BIGCOMMERCE in fixes)
        self.to_hike.setEnabled(link is not None and drift.TO_HIKE in fixes)
        self.all_to_bc.setEnabled(self.tree.topLevelItemCount() > 0)
        item = self.tree.currentItem()
        what = self.tr("this field only ({field})").format(field=item.text(0)) if field else \
            self.tr("every field of the record that differs")
        for button in (self.to_bc, self.to_hike):
            button.setToolTip(what)

    # -- acting -------------------------------------------------------------------------------------------------
    def _open(self, item: QTreeWidgetItem | None, _column: int = 0) -> None:
        if item is not None:
            self.recordActivated.emit(int(item.data(0, LINK_ROLE)))

    def ask_fix_all(self) -> None:
        """Every record listed is written in BigCommerce: asked first (No is the default and Escape)."""
        items = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        entities = [item.data(0, ENTITY_ROLE) for item in items
                    if drift.TO_BIGCOMMERCE in (item.data(0, FIXES_ROLE) or ())]
        if not entities:
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Make BigCommerce match Hike?"),
                          self.tr("BigCommerce gets Hike's values for {products}: every field listed for them that "
                                  "can go that way.").format(products=records(entities)), parent=self)
        box.setObjectName("fixAllQuestion")
        box.setInformativeText(self.tr("Each write is logged in the record's sync log."))
        yes = box.addButton(self.tr("&Write them"), QMessageBox.ButtonRole.AcceptRole)
        no = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(no)
        box.setEscapeButton(no)
        box.buttonClicked.connect(lambda chosen: chosen is yes and self._fix(drift.TO_BIGCOMMERCE, everything=True))
        self.fix_all_box = box
        box.open()  # window-modal, without a nested event loop

    def _fix(self, to: str, *, everything: bool) -> None:
        if everything:
            ids = [self.tree.topLevelItem(i).data(0, LINK_ROLE) for i in range(self.tree.topLevelItemCount())
                   if to in (self.tree.topLevelItem(i).data(0, FIXES_ROLE) or ())]
            field = None
        else:
            link, _, field = self._selected()
            ids = [link] if link is not None else []
        if not ids:
            return
        store = self.tr("BigCommerce") if to == drift.TO_BIGCOMMERCE else self.tr("Hike")
        kinds = {self.tree.topLevelItem(i).data(0, LINK_ROLE): self.tree.topLevelItem(i).data(0, ENTITY_ROLE)
                 for i in range(self.tree.topLevelItemCount())}
        what = records(kinds.get(i) or "product" for i in ids)
        shared_jobs().run(lambda: drift.request_fix(ids, to, field), lambda asked: self._fix_asked(asked, store, what),
                          lambda exc: self.note.setText(self.tr("The fix could not be asked for: {error}")
                                                        .format(error=exc)), owner=self)

    def _fix_asked(self, ids: list[int], store: str, what: str) -> None:
        self._retry_records(ids)
        self.note.setText(self.tr("Asked: {store} gets the other store's values for {products} in a sync pass now. "
                                  "The log of each record says what was written.").format(store=store, products=what))

    def _check(self) -> None:
        self._check_now()
        self.note.setText(self.tr("Checking every product and customer of both stores (a full pass): the list "
                                  "follows when it ends."))
