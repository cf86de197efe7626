"""Small building blocks the setup pages share: headings, help text, banners, a busy row, store-object combos.

Colours come from the palette except in banners, whose light background always carries dark text, so every
block reads the same in light and dark palettes.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QBoxLayout, QButtonGroup, QComboBox, QFormLayout, QFrame, QHBoxLayout, QLabel, QProgressBar,
                               QPushButton, QRadioButton, QSizePolicy, QTableWidget, QTableWidgetItem, QWidget)

from desktop.sync.settings import Ref

NO_CHOICE = "— none —"

_BANNER_COLOURS = {  # (background, border, text)
    "error": ("#fdecea", "#e0a19b", "#7a1c14"),
    "warning": ("#fff4ce", "#e6c65c", "#5c4300"),
    "ok": ("#e6f4ea", "#9fcfad", "#1d4d2b"),
    "info": ("#e8f0fe", "#a8c2ef", "#1a3a6b"),
}


class WrapLabel(QLabel):
    """A word-wrapped label as tall as its text at its real width.

    A plain wrapped QLabel reserves the height its text needs at a guessed (narrow) width, and layouts inside a
    scroll area keep that: the text then floats in a tall empty box. This one follows its actual width."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def _fit(self) -> None:
        if self.width() <= 0:
            return
        held = self.minimumHeight()
        self.setMinimumHeight(0)  # QLabel's heightForWidth never goes below the minimum: a text first set at a
        height = self.heightForWidth(self.width())  # narrow width (a hidden page) would keep its tall box
        self.setMinimumHeight(held)
        if height > 0 and height != held:
            self.setFixedHeight(height)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._fit()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt name
        super().setText(text)
        self._fit()


def heading(text: str, scale: float = 1.35) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    return label


def help_text(text: str, *, rich: bool = False) -> QLabel:
    """A wrapped explanation under a setting (Hike's own wording where it has some)."""
    label = WrapLabel()
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    if rich:
        label.setOpenExternalLinks(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction if rich
                                  else Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    label.setText(text)
    label.setObjectName("helpText")
    return label


class Banner(WrapLabel):
    """A message box inside a page: errors, warnings, success. Hidden while empty."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("", parent)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind = ""
        self.hide()

    def show_message(self, kind: str, text: str) -> None:
        if not text:
            self.clear_message()
            return
        self.kind = kind
        bg, border, fg = _BANNER_COLOURS[kind]
        self.setStyleSheet(f"QLabel {{ background: {bg}; color: {fg}; border: 1px solid {border};"
                           " border-radius: 6px; padding: 8px 10px; }")
        self.setText(text)
        self.setAccessibleName(self.tr("{kind}: {text}").format(kind=kind, text=text))
        self.show()

    def clear_message(self) -> None:
        self.kind = ""
        self.setText("")
        self.hide()


class BusyRow(QWidget):
    """An endless progress bar and what is being waited for; hidden when nothing is."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(120)
        self.bar.setMaximumHeight(14)
        self.label = QLabel()
        self.label.setWordWrap(True)
        layout.addWidget(self.bar)
        layout.addWidget(self.label, 1)
        self.hide()

    def start(self, text: str) -> None:
        self.label.setText(text)
        self.show()

    def stop(self) -> None:
        self.hide()

    @property
    def busy(self) -> bool:
        return not self.isHidden()


def find_id(items: Iterable[tuple[int, str]], ref: Ref | None) -> int | None:
    """The id a saved reference means: a number is an id; a string is a name (letter case aside) or an id."""
    if ref is None:
        return None
    items = list(items)
    if isinstance(ref, int) and not isinstance(ref, bool):
        return ref if any(i == ref for i, _ in items) else None
    wanted = str(ref).strip().casefold()
    for ident, name in items:
        if name.strip().casefold() == wanted:
            return ident
    if wanted.isdigit() and any(i == int(wanted) for i, _ in items):
        return int(wanted)
    return None


class RefCombo(QComboBox):
    """A choice among store objects (outlets, taxes, ...), kept by id; optionally with a "none" entry."""

    def __init__(self, none_label: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.none_label = none_label
        self.items: list[tuple[int, str]] = []
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.setMinimumContentsLength(18)
        self.setMaximumWidth(460)  # a store object's name, not a sentence: no need to span the page
        if none_label is None:
            self.setPlaceholderText(self.tr("— choose —"))

    def set_items(self, items: Sequence[tuple[int, str]]) -> None:
        current = self.ref()
        self.blockSignals(True)
        self.clear()
        self.items = list(items)
        if self.none_label is not None:
            self.addItem(self.none_label, None)
        elif not self.items:
            self.addItem(self.tr("(nothing to choose yet)"), None)
        for ident, name in self.items:
            self.addItem(name, ident)
        self.set_ref(current)
        self.blockSignals(False)

    def set_ref(self, ref: Ref | None) -> None:
        ident = find_id(self.items, ref)
        index = self.findData(ident) if ident is not None else -1
        if index < 0:
            index = 0 if self.none_label is not None else -1
        self.setCurrentIndex(index)

    def ref(self) -> int | None:
        return self.currentData() if self.currentIndex() >= 0 else None


def add_row(form: QFormLayout, label: str, field: QWidget, tip: str = "") -> QLabel:
    """A form row whose label is the field's buddy (Alt+letter jumps to it) and shares its tooltip."""
    caption = QLabel(label)
    caption.setBuddy(field)
    if tip:
        field.setToolTip(tip)
        caption.setToolTip(tip)
    form.addRow(caption, field)
    return caption


def button(text: str, name: str, slot: Callable[[], Any], tip: str) -> QPushButton:
    """A push button with its object name (tests and screen readers find it by it), tooltip and action."""
    widget = QPushButton(text)
    widget.setObjectName(name)
    widget.setToolTip(tip)
    widget.clicked.connect(slot)
    return widget


def action_row(layout: QBoxLayout, text: str, name: str, slot: Callable[[], Any], tip: str) -> QPushButton:
    """A page's action: a button alone on its row, at the left."""
    widget = button(text, name, slot, tip)
    row = QHBoxLayout()
    row.addWidget(widget)
    row.addStretch(1)
    layout.addLayout(row)
    return widget


def mapping_row(table: QTableWidget, row: int, label: str, combo_name: str, accessible_name: str,
                items: Sequence[tuple[int, str]], ref: Ref | None, changed: Callable[[], Any]) -> RefCombo:
    """One row of a "this store's X is that store's Y" table: the label, read-only, and a choice of the other
    store's records (taxes to tax classes, payment methods to payment types)."""
    item = QTableWidgetItem(label)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    table.setItem(row, 0, item)
    combo = RefCombo("— choose —")
    combo.setObjectName(combo_name)
    combo.setAccessibleName(accessible_name)
    combo.set_items(items)
    combo.set_ref(ref)
    combo.currentIndexChanged.connect(changed)
    table.setCellWidget(row, 1, combo)
    return combo


def radio_choices(owner: QWidget, layout: QBoxLayout, name: str, choices: Iterable[tuple[str, str, str]],
                  gap: int = 4) -> tuple[QButtonGroup, dict[str, QRadioButton]]:
    """One radio button per (value, label, meaning), each with its meaning underneath (also its tooltip); named
    ``<name>-<value>``."""
    group = QButtonGroup(owner)
    buttons: dict[str, QRadioButton] = {}
    for value, label, meaning in choices:
        # a page's constant choices are marked with the page's context (QT_TRANSLATE_NOOP), its inline ones are
        # translated already (translating a translated text again changes nothing)
        label, meaning = owner.tr(label), owner.tr(meaning) if meaning else meaning
        button = QRadioButton(label)
        button.setObjectName(f"{name}-{value}")
        button.setToolTip(meaning)
        group.addButton(button)
        buttons[value] = button
        layout.addWidget(button)
        if meaning:
            text = help_text(meaning)
            text.setContentsMargins(24, 0, 0, gap)
            layout.addWidget(text)
    return group, buttons


def separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


def fit_rows(table: QTableWidget, minimum_rows: int = 2) -> None:
    """A short table as tall as its rows (no empty box under three rows); long ones scroll."""
    table.resizeRowsToContents()
    rows = max(table.rowCount(), minimum_rows)
    row_height = table.rowHeight(0) if table.rowCount() else table.verticalHeader().defaultSectionSize()
    height = table.horizontalHeader().height() + rows * row_height + 2 * table.frameWidth() + 2
    table.setFixedHeight(min(height, 320))
