"""Matches (issue 20, B2: match review): how the products of both stores are, or will be, linked, and the person's
decisions about it. A step of the wizard right after Pre-flight and a tab of Manage.

One full read of both stores (``setup_checks.review_matches``, on the context's ``Jobs``) gives the review's rows;
the table shows them through ``MatchTableModel``, a plain list model (no widget per row: 50 000 rows open in a
fraction of a second, ``python -m benchmarks match-review-ui``). A decision on the selected rows (refuse, link by
hand, exclude, include again, forget) is recorded on a worker (``setup_checks.decide_matches``), then the review
is read again; the outcome shows in the page's banner. Nothing is written to either store here: the next pass
(during setup, the first sync) follows the decisions.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import (QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QItemSelection,
                            QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal)
from PySide6.QtGui import QAction, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QTableView, QWidget)

from desktop.sync.setup_checks import (AMBIGUOUS, EXCLUDE, EXCLUDED, FORGET, INCLUDE, KIND_MISMATCH, KINDS, LINK,
                                       LINKED, LINKED_BY_YOU, ONLY_BC, ONLY_HIKE, PROPOSED, REFUSE, REFUSED, Decided,
                                       ReviewRow, after_decision, decide_matches, only, review_matches)
from desktop.views.setup.context import describe_error
from desktop.views.setup.page import SetupPage
from desktop.views.setup.widgets import WrapLabel, button, help_text

CONTEXT = "MatchesPage"
SEARCH_DELAY_MS = 250  # the list is filtered when typing stops, not at every key
MOST_PAIRS = 50  # refused at once: each pair is read from both stores first (Hike allows 60 calls a minute)
# "What" for each kind of row (a proposed link by barcode has words of its own)
KIND_WORDS = {PROPOSED: QT_TRANSLATE_NOOP("MatchesPage", "Will be linked by SKU"),
              AMBIGUOUS: QT_TRANSLATE_NOOP("MatchesPage", "Several candidates"),
              KIND_MISMATCH: QT_TRANSLATE_NOOP("MatchesPage", "Simple product \u21c4 product with variants"),
              ONLY_HIKE: QT_TRANSLATE_NOOP("MatchesPage", "Only in Hike (will be created in BigCommerce)"),
              ONLY_BC: QT_TRANSLATE_NOOP("MatchesPage", "Only in BigCommerce (will be created in Hike)"),
              LINKED: QT_TRANSLATE_NOOP("MatchesPage", "Linked"),
              REFUSED: QT_TRANSLATE_NOOP("MatchesPage", "You refused this match"),
              LINKED_BY_YOU: QT_TRANSLATE_NOOP("MatchesPage", "You linked these"),
              EXCLUDED: QT_TRANSLATE_NOOP("MatchesPage", "Excluded by you")}
BY_BARCODE = QT_TRANSLATE_NOOP("MatchesPage", "Will be linked by barcode \u21c4 UPC")
# the filter's entry for proposed links (by SKU or by barcode: both)
PROPOSED_FILTER = QT_TRANSLATE_NOOP("MatchesPage", "Will be linked (by SKU or barcode)")
# the list's order by "What" (and the filter's): what needs a look first, what is settled last
ORDER = (AMBIGUOUS, KIND_MISMATCH, ONLY_HIKE, ONLY_BC, PROPOSED, REFUSED, LINKED_BY_YOU, EXCLUDED, LINKED)
HEADERS = (QT_TRANSLATE_NOOP("MatchesPage", "What"), QT_TRANSLATE_NOOP("MatchesPage", "Hike product"),
           QT_TRANSLATE_NOOP("MatchesPage", "BigCommerce product"), QT_TRANSLATE_NOOP("MatchesPage", "Note"))


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def product_text(name: str, sku: str, record_id: int | None) -> str:
    """A product in a cell: its name and SKU; a decision about a SKU no product has shows the SKU alone."""
    if name and sku:
        return f"{name} \u00b7 {sku}"
    if name:
        return name
    if sku:
        return _tr("SKU {sku}").format(sku=sku)
    return "\u2014" if record_id is None else str(record_id)


def can_refuse(rows: list[ReviewRow]) -> bool:
    return bool(rows) and all(r.kind in (PROPOSED, LINKED) and r.hike_id is not None and r.bc_id is not None
                              for r in rows)


def link_pair(rows: list[ReviewRow]) -> tuple[ReviewRow, ReviewRow] | None:
    """(the Hike row, the BigCommerce row) when the selection is one product of each store with no partner: an
    only-in-Hike or ambiguous Hike row and an only-in-BigCommerce or ambiguous BigCommerce row."""
    if len(rows) != 2:
        return None
    hike = [r for r in rows if r.kind in (ONLY_HIKE, AMBIGUOUS) and r.hike_id is not None and r.bc_id is None]
    bc = [r for r in rows if r.kind in (ONLY_BC, AMBIGUOUS) and r.bc_id is not None and r.hike_id is None]
    return (hike[0], bc[0]) if len(hike) == 1 and len(bc) == 1 else None


def can_exclude(rows: list[ReviewRow]) -> bool:
    return bool(rows) and all(r.kind != EXCLUDED for r in rows) and any(r.hike_sku or r.bc_sku for r in rows)


def can_include(rows: list[ReviewRow]) -> bool:
    return bool(rows) and all(r.kind == EXCLUDED for r in rows)


def can_forget(rows: list[ReviewRow]) -> bool:
    return bool(rows) and all(r.kind in (REFUSED, LINKED_BY_YOU) for r in rows)


ALLOWED: dict[str, Callable[[list[ReviewRow]], bool]] = {
    REFUSE: can_refuse, LINK: lambda rows: link_pair(rows) is not None, EXCLUDE: can_exclude,
    INCLUDE: can_include, FORGET: can_forget}


def row_key(row: ReviewRow) -> tuple[Any, ...]:
    """Which records a row is about, whatever its kind (a refused proposal keeps its pair's ids)."""
    return (row.hike_id, row.bc_id) if row.hike_id is not None or row.bc_id is not None else \
        (None, None, row.hike_sku or row.bc_sku)


class MatchTableModel(QAbstractTableModel):
    """The review's rows, filtered (``search``, ``kind``) and sorted, as a table. Each cell is made when painted
    from the row's own fields: nothing is built per row beforehand."""

    WHAT, HIKE, BC, NOTE = range(4)

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.all_rows: list[ReviewRow] = []
        self.rows: list[ReviewRow] = []
        self._counts: dict[str, int] = {}
        self.search = ""
        self.kind: str | None = None
        self.sort_column, self.sort_order = self.WHAT, Qt.SortOrder.AscendingOrder
        self.words = {kind: _tr(KIND_WORDS[kind]) for kind in KINDS}  # translated once, not per cell
        self.by_barcode = _tr(BY_BARCODE)
        self.headers = [_tr(h) for h in HEADERS]

    # -- contents --------------------------------------------------------------------------------------------
    def set_rows(self, rows: list[ReviewRow]) -> None:
        self.all_rows = rows
        self._counts: dict[str, int] = {}
        for row in rows:
            self._counts[row.kind] = self._counts.get(row.kind, 0) + 1
        self._apply()

    def set_filter(self, *, search: str | None = None, kind: str | None | bool = False) -> None:
        """``kind``: one of ``KINDS``, or None for every kind (False: leave it as it is)."""
        if search is not None:
            self.search = search.strip()
        if kind is not False:
            self.kind = kind  # type: ignore[assignment]
        self._apply()

    def _apply(self) -> None:
        self.beginResetModel()
        shown = only(self.all_rows, search=self.search, kind=self.kind) if self.search or self.kind else \
            list(self.all_rows)
        self.rows = self._sorted(shown)
        self.endResetModel()

    def _sorted(self, rows: list[ReviewRow]) -> list[ReviewRow]:
        if self.sort_column < 0:
            return rows
        keys: dict[int, Callable[[ReviewRow], Any]] = {
            self.WHAT: lambda r: (ORDER.index(r.kind), r.how),
            self.HIKE: lambda r: (r.hike_name.casefold(), r.hike_sku.casefold()),
            self.BC: lambda r: (r.bc_name.casefold(), r.bc_sku.casefold()),
            self.NOTE: lambda r: r.message.casefold()}
        return sorted(rows, key=keys[self.sort_column],
                      reverse=self.sort_order == Qt.SortOrder.DescendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_column, self.sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        self.rows = self._sorted(self.rows)
        self.layoutChanged.emit()

    def counts(self) -> dict[str, int]:
        """How many rows of each kind the review has (whatever the filter)."""
        return dict(self._counts)

    def what(self, row: ReviewRow) -> str:
        return self.by_barcode if row.kind == PROPOSED and row.how == "barcode" else self.words[row.kind]

    # -- Qt's model --------------------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.WHAT:
                return self.what(row)
            if column == self.HIKE:
                return product_text(row.hike_name, row.hike_sku, row.hike_id)
            if column == self.BC:
                return product_text(row.bc_name, row.bc_sku, row.bc_id)
            return row.message
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(row, column)
        return None

    def _tip(self, row: ReviewRow, column: int) -> str | None:
        if column == self.HIKE and row.hike_id is not None:
            return _tr("Hike product id {id}").format(id=row.hike_id)
        if column == self.BC and row.bc_id is not None:
            return _tr("BigCommerce product id {id}").format(id=row.bc_id)
        return (row.message or None) if column in (self.NOTE, self.WHAT) else None

    def row_at(self, index: int) -> ReviewRow:
        return self.rows[index]


class MatchTable(QTableView):
    """The review's table: Enter on a row is the page's (it goes to the first action that applies), never the
    window's default button (the wizard's Next)."""

    rowActivated = Signal()
    widthChanged = Signal()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.widthChanged.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if plain and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            self.rowActivated.emit()
            return
        super().keyPressEvent(event)


class MatchesPage(SetupPage):
    title = QT_TRANSLATE_NOOP("SetupPage", "Product matches")
    intro = QT_TRANSLATE_NOOP("SetupPage", "How the products of both stores are matched: by SKU first, then barcode "
                                           "\u21c4 UPC. Refuse a match, link two products by hand or exclude a "
                                           "product from syncing, and every sync follows your decision. This is a "
                                           "review: nothing is written to either store until the first sync (once "
                                           "syncing, the next one), and you can go on without changing anything.")

    reviewLoaded = Signal()  # the rows are shown (after each read of the stores)

    def build(self) -> None:
        self.loaded = False  # the review was read (once per connection; "Check again" reads it anew)
        self.model = MatchTableModel(self)
        self._wanted: set[tuple[Any, ...]] = set()  # rows to select once the review is read again
        # the table takes the page's room: the page's closing stretch goes, the body stretches instead
        self.layout_.takeAt(self.layout_.count() - 1)
        self.layout_.setStretchFactor(self.body, 1)
        self.body.addLayout(self._filter_bar())
        self.table = self._make_table()
        self.body.addWidget(self.table, 1)
        self.details = WrapLabel()  # the selected row in full (the table's cells may be cut short)
        self.details.setObjectName("matchDetails")
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(self.details)
        self.body.addLayout(self._action_bar())
        self.body.addWidget(help_text(self.tr(
            "Arrow keys select a row (Shift or Ctrl: more rows); Enter goes to the first action that applies. To "
            "link by hand, select one product only in Hike and one only in BigCommerce.")))
        for first, second in ((self.search, self.show_kind), (self.show_kind, self.check_button),
                              (self.check_button, self.table), (self.table, self.buttons[REFUSE])):
            QWidget.setTabOrder(first, second)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self._filter)
        self.search.textChanged.connect(self._debounce.start)
        self.show_kind.currentIndexChanged.connect(self._filter)
        self.ctx.connectionsChanged.connect(self._connections_changed)
        self._update_counts()
        self._update_actions()

    def _filter_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("matchSearch")
        self.search.setPlaceholderText(self.tr("Name, SKU or id"))
        self.search.setClearButtonEnabled(True)
        self.show_kind = QComboBox()
        self.show_kind.setObjectName("matchKind")
        # as wide as a short entry (the wizard's page is narrow); its list opens as wide as the longest
        self.show_kind.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.show_kind.setMinimumContentsLength(18)
        self.search.setMinimumWidth(150)
        self.show_kind.addItem(self.tr("All"), None)
        for kind in ORDER:
            self.show_kind.addItem(_tr(PROPOSED_FILTER if kind == PROPOSED else KIND_WORDS[kind]), kind)
        for text, field, stretch in ((self.tr("&Find:"), self.search, 1), (self.tr("Sho&w:"), self.show_kind, 0)):
            label = QLabel(text)
            label.setBuddy(field)
            bar.addWidget(label)
            bar.addWidget(field, stretch)
        self.count = QLabel()
        self.count.setObjectName("matchCount")
        bar.addWidget(self.count)
        self.check_button = button(self.tr("Check &again"), "checkMatches", self.check_again,
                                   self.tr("Read both stores again and review the matches (nothing is written)."))
        bar.addWidget(self.check_button)
        return bar

    def _make_table(self) -> MatchTable:
        table = MatchTable()
        table.setObjectName("matchTable")
        table.setAccessibleName(self.tr("Product matches"))
        table.setModel(self.model)
        table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move in it: no keyboard trap
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setMinimumHeight(240)
        rows = table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no row measured: 50 000 rows cost nothing
        rows.setDefaultSectionSize(table.fontMetrics().height() + 8)
        head = table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        head.setStretchLastSection(True)
        # the header never shows the rows' selection: with every row selected (Ctrl+A) Qt's header would ask, at
        # each selection change, whether each column is selected in every row (0.3 s at 50 000 rows)
        head.setHighlightSections(False)
        head.setSelectionModel(QItemSelectionModel(self.model, head))
        head.sectionResized.connect(self._column_resized)
        table.widthChanged.connect(self._fit_columns)
        head.setSortIndicator(MatchTableModel.WHAT, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
        table.selectionModel().selectionChanged.connect(self._update_actions)
        table.rowActivated.connect(self._go_to_action)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)  # the menu key: the same actions
        return table

    def _action_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        specs = ((REFUSE, self.tr("&Refuse this match"), "refuseMatch",
                  self.tr("Never link these two (a link they have is undone); neither is created in the other store.")),
                 (LINK, self.tr("&Link these two by hand"), "linkByHand",
                  self.tr("Link the selected product only in Hike with the one only in BigCommerce.")),
                 (EXCLUDE, self.tr("E&xclude from syncing"), "excludeMatch",
                  self.tr("Products with this SKU are not synced at all, in either store.")),
                 (INCLUDE, self.tr("&Include again"), "includeMatch",
                  self.tr("Sync the excluded products again from the next pass.")),
                 (FORGET, self.tr("Forget &my decision"), "forgetMatch",
                  self.tr("Drop your refusal or link: SKUs and barcodes decide again.")))
        self.buttons: dict[str, QPushButton] = {}
        self.menu_actions: dict[str, QAction] = {}
        for decision, text, name, tip in specs:
            self.buttons[decision] = button(text, name, lambda _checked=False, d=decision: self.decide(d), tip)
            bar.addWidget(self.buttons[decision])
            action = QAction(text.replace("&", ""), self.table)
            action.triggered.connect(lambda _checked=False, d=decision: self.decide(d))
            self.table.addAction(action)
            self.menu_actions[decision] = action
        bar.addStretch(1)
        return bar

    # -- the table's columns ------------------------------------------------------------------------------------
    _fitting = False
    _fitted_by_hand = False  # the person dragged a column's edge: their widths stay

    def _fit_columns(self) -> None:
        """The columns share the table's width: "What" as wide as its longest words (at most 36 %), the two
        products the same, the note the rest (at least a little of it). Cut cells show whole below the table."""
        if self._fitted_by_hand:
            return
        width = self.table.viewport().width()
        metrics = self.table.fontMetrics()
        widest = max(metrics.horizontalAdvance(w) for w in (*self.model.words.values(), self.model.by_barcode))
        what = min(widest + 16, int(width * 0.36))
        product = max(140, (width - what - min(150, width // 6)) // 2)
        self._fitting = True
        try:
            for column, size in ((MatchTableModel.WHAT, what), (MatchTableModel.HIKE, product),
                                 (MatchTableModel.BC, product)):
                self.table.setColumnWidth(column, size)
        finally:
            self._fitting = False

    def _column_resized(self, column: int, _old: int, _new: int) -> None:
        if not self._fitting and column != MatchTableModel.NOTE and self.table.isVisible():
            self._fitted_by_hand = True

    def _show_details(self, rows: list[ReviewRow]) -> None:
        if len(rows) == 1:
            row = rows[0]
            text = self.tr("{what}. Hike: {hike}. BigCommerce: {bigcommerce}.").format(
                what=self.model.what(row), hike=self._record(row.hike_name, row.hike_sku, row.hike_id),
                bigcommerce=self._record(row.bc_name, row.bc_sku, row.bc_id))
            note = row.message.strip()
            self.details.setText(f"{text} {note}" + ("" if note.endswith(".") else ".") if note else text)
        elif rows:
            self.details.setText(self.tr("{count} rows selected.").format(count=len(rows)))
        else:
            self.details.setText(self.tr("Select a row to see it in full here."))

    def _record(self, name: str, sku: str, record_id: int | None) -> str:
        if record_id is None and not sku:
            return self.tr("no product")
        parts = [f"“{name}”" if name else "", self.tr("SKU {sku}").format(sku=sku) if sku else "",
                 self.tr("id {id}").format(id=record_id) if record_id is not None else ""]
        return ", ".join(p for p in parts if p)

    # -- reading the review ------------------------------------------------------------------------------------
    def entered(self) -> None:
        if not self.loaded and self.ctx.both_connected:
            self.check_again()

    def _connections_changed(self) -> None:
        self.loaded = False  # another store: the rows are someone else's now
        if self.isVisible() and self.ctx.both_connected:
            self.check_again()

    def check_again(self, *, keep_banner: bool = False) -> None:
        if self.busy.busy or not self.ctx.both_connected:
            return
        if not keep_banner:
            self.banner.clear_message()
        self._set_busy(self.tr("Reading both stores to review the matches (nothing is written)\u2026"))
        credentials = self.ctx.credentials
        self.ctx.background.run(lambda: review_matches(credentials), self._shown, self._read_failed, owner=self,
                                name="match review")

    def _set_busy(self, text: str) -> None:
        self.busy.start(text)
        self.check_button.setEnabled(False)
        self._update_actions()

    def _done(self) -> None:
        self.busy.stop()
        self.check_button.setEnabled(True)
        self._update_actions()

    def _shown(self, rows: list[ReviewRow]) -> None:
        self.loaded = True
        self.model.set_rows(rows)
        self._update_counts()
        self._reselect()
        self._done()
        self.reviewLoaded.emit()

    def _read_failed(self, exc: BaseException) -> None:
        self._done()
        text = self.tr("The matches could not be read: {reason}").format(reason=describe_error(exc))
        if self.banner.kind == "error":  # a decision's error stays in view above it
            text = f"{self.banner.text()}\n{text}"
        self.banner.show_message("error", text)

    # -- filtering -----------------------------------------------------------------------------------------------
    def _filter(self) -> None:
        self._debounce.stop()
        wanted = {row_key(r) for r in self.chosen()} or self._wanted  # a decided row the filter hid, when shown
        self.model.set_filter(search=self.search.text(), kind=self.show_kind.currentData())
        self._wanted = set() if self._select(wanted) else wanted
        self._update_counts()
        self._update_actions()

    def _update_counts(self) -> None:
        counts = self.model.counts()
        total = len(self.model.all_rows)
        self.show_kind.setItemText(0, self.tr("All ({count})").format(count=total))
        for index, kind in enumerate(ORDER, start=1):
            words = _tr(PROPOSED_FILTER if kind == PROPOSED else KIND_WORDS[kind])
            self.show_kind.setItemText(index, self.tr("{kind} ({count})").format(kind=words,
                                                                                 count=counts.get(kind, 0)))
        view = self.show_kind.view()
        view.setMinimumWidth(view.sizeHintForColumn(0) + 2 * view.frameWidth() + 8)  # the list: every entry whole
        if not self.loaded:
            self.count.setText(self.tr("Not read yet") if self.ctx.both_connected else
                               self.tr("Connect both stores first"))
        else:
            self.count.setText(self.tr("{shown} of {total} shown").format(shown=len(self.model.rows), total=total))

    # -- selection and actions -----------------------------------------------------------------------------------
    def chosen(self) -> list[ReviewRow]:
        """The selected rows, in the list's order (read by ranges: Ctrl+A over 50 000 rows is one range)."""
        numbers: set[int] = set()
        for selected in self.table.selectionModel().selection():
            numbers.update(range(selected.top(), selected.bottom() + 1))
        return [self.model.row_at(number) for number in sorted(numbers)]

    def _select(self, keys: set[tuple[Any, ...]]) -> bool:
        """Select (and show) the rows about these records, e.g. the row a decision changed; False when the list
        (as filtered) has none of them."""
        selection = QItemSelection()
        first = None
        if keys:
            last_column = self.model.columnCount() - 1
            for number, row in enumerate(self.model.rows):
                if row_key(row) in keys:
                    selection.select(self.model.index(number, 0), self.model.index(number, last_column))
                    first = number if first is None else first
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.table.selectionModel().select(selection, flags)
        if first is not None:
            self.table.selectionModel().setCurrentIndex(self.model.index(first, 0),
                                                        QItemSelectionModel.SelectionFlag.NoUpdate)
            self.table.scrollTo(self.model.index(first, 0))
        return first is not None

    def _reselect(self) -> None:
        if self._select(self._wanted):
            self._wanted = set()

    def _update_actions(self) -> None:
        chosen = self.chosen()
        self._show_details(chosen)
        rows = [] if self.busy.busy else chosen
        for decision, allowed in ALLOWED.items():
            ok = allowed(rows)
            self.buttons[decision].setEnabled(ok)
            self.menu_actions[decision].setEnabled(ok)

    def _go_to_action(self) -> None:
        """Enter on a row: the first action that applies takes the focus (Space or Enter then makes it)."""
        for decision in (REFUSE, LINK, INCLUDE, FORGET, EXCLUDE):
            if self.buttons[decision].isEnabled():
                self.buttons[decision].setFocus()
                return

    # -- deciding ------------------------------------------------------------------------------------------------
    def decide(self, decision: str) -> None:
        rows = self.chosen()
        if self.busy.busy or not ALLOWED[decision](rows):
            return
        if decision == REFUSE and len(rows) > MOST_PAIRS:
            self.banner.show_message("warning", self.tr(
                "Refuse at most {most} matches at a time: each is read from both stores first.").format(
                most=MOST_PAIRS))
            return
        self._wanted = {row_key(r) for r in rows}
        pair = link_pair(rows) if decision == LINK else None
        if pair is not None:
            self._wanted = {(pair[0].hike_id, pair[1].bc_id)}  # the two become one row: "You linked these"
        self.banner.clear_message()
        self._set_busy(self.tr("Recording your decision\u2026"))
        credentials = self.ctx.credentials
        self.ctx.background.run(lambda: decide_matches(credentials, decision, rows),
                                lambda done: self._decided(done, decision, rows),
                                self._decision_failed, owner=self, name="match decision")

    def _decided(self, done: Decided, decision: str = "", rows: list[ReviewRow] | None = None) -> None:
        self.busy.stop()
        lines = [o.message for o in done.outcomes] + done.refused
        kind = "error" if done.refused and not done.changed else "warning" if done.refused else \
            "ok" if done.changed else "info"
        self.banner.show_message(kind, "\n".join(lines))
        # a refusal, a hand link or an exclusion changes rows the page can tell itself: no new read of both stores
        # (about 100 Hike calls at 50 000 products); include again and forget need a new plan, so a read
        after = after_decision(self.model.all_rows, decision, rows or []) if done.changed and not done.refused \
            else None
        if after is None:
            self.check_again(keep_banner=True)
        else:
            self._shown(after)

    def _decision_failed(self, exc: BaseException) -> None:
        self.busy.stop()
        self.banner.show_message("error", self.tr("Your decision could not be recorded: {reason}").format(
            reason=describe_error(exc)))
        self.check_again(keep_banner=True)  # what was recorded before the failure shows
