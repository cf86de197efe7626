"""One record's sync log (M2): every log entry of that record, newest first, with the fields each pass changed
(before → after, from ``LogEntry.diff``), and buttons to the record in the BigCommerce control panel and on the
storefront. Links go through ``open_store_url`` only (M6).

The entries are read by the record's ids through the ``(entity, hike_id, created_at)`` and ``(entity, bc_id,
created_at)`` indexes, newest 500 of each, so a million log rows cost what ten do. The storefront path is not
stored; it is read from BigCommerce on a worker thread when the button is pressed.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QSize, QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QScrollArea, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from desktop.storage.models import Link, LogEntry
from desktop.sync import store_links
from desktop.sync.log_words import action_text, field_label
from desktop.views.sync_words import action_words, field_words
from desktop.sync.plain_text import html_to_text, looks_like_html
from desktop.sync.service import newest_settings
from desktop.sync.settings import MAX_SAFETY_STOCK, SafetyStock
from desktop.views.jobs import shared_jobs
from desktop.views.open_links import open_store_url
from desktop.views.record_models import local_time, state_text, status_icon, sync_status

log = logging.getLogger(__name__)

ENTRY_LIMIT = 500
DIRECTION_TEXT = {"hike_to_bc": QT_TRANSLATE_NOOP("RecordLogDialog", "Hike → BigCommerce"),
                  "bc_to_hike": QT_TRANSLATE_NOOP("RecordLogDialog", "BigCommerce → Hike"),
                  "both": QT_TRANSLATE_NOOP("RecordLogDialog", "Both ways"),
                  "none": ""}
RESULT_TEXT = {"ok": QT_TRANSLATE_NOOP("RecordLogDialog", "OK"),
               "error": QT_TRANSLATE_NOOP("RecordLogDialog", "Error"),
               "skipped": QT_TRANSLATE_NOOP("RecordLogDialog", "Skipped"),
               "conflict": QT_TRANSLATE_NOOP("RecordLogDialog", "Conflict")}


def entries_for(link: Link, limit: int = ENTRY_LIMIT) -> list[LogEntry]:
    """The record's log entries, newest first (two indexed reads merged; an entry may match both ids)."""
    found: dict[int, LogEntry] = {}
    for column, value in ((LogEntry.hike_id, link.hike_id), (LogEntry.bc_id, link.bc_id)):
        if value:
            query = (LogEntry.select().where(LogEntry.entity == link.entity, column == value)
                     .order_by(LogEntry.created_at.desc()).limit(limit))
            found.update((e.id, e) for e in query)
    return sorted(found.values(), key=lambda e: (e.created_at, e.id), reverse=True)[:limit]


def format_value(value: Any, limit: int = 40) -> str:
    if value is None or value == "" or value == [] or value == ():
        return "(empty)"
    if isinstance(value, (list, tuple)):  # image addresses and the like: one short name each
        value = ", ".join(_short_item(v) for v in value)
    elif isinstance(value, str) and looks_like_html(value):  # a description's HTML: its words, not its tags
        value = html_to_text(value) or "(empty)"
    text = " ".join(str(value).split())  # one line: descriptions carry newlines and indentation
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _short_item(value: Any) -> str:
    """An address by its file name (``.../products/111/501/mug__1701993600.jpg`` → ``mug__1701993600.jpg``)."""
    text = str(value)
    if text.startswith(("http://", "https://")):
        return text.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or text
    return text


def format_diff(diff: dict[str, Any] | None, limit: int = 40, entity: str = "") -> str:
    """``{"price_inc_tax": ["10.00", "12.00"]}`` → ``Price incl. tax: 10.00 → 12.00``, one field a line: each
    field by its label (the diff stays keyed by field name in the database), in the labels' order."""
    if not diff:
        return ""
    lines = []
    for field, _, change in sorted(((field_words(field_label(entity, k)), k, v) for k, v in diff.items()),
                                   key=lambda item: item[:2]):
        if isinstance(change, (list, tuple)) and len(change) == 2:
            lines.append(f"{field}: {format_value(change[0], limit)} → {format_value(change[1], limit)}")
        else:
            lines.append(f"{field}: {format_value(change, limit)}")
    return "\n".join(lines)


class RecordLogDialog(QDialog):
    storefrontPathReady = Signal(str)
    storefrontPathFailed = Signal(str)
    COLUMNS = [QT_TRANSLATE_NOOP("RecordLogDialog", "Time"),
               QT_TRANSLATE_NOOP("RecordLogDialog", "Direction"),
               QT_TRANSLATE_NOOP("RecordLogDialog", "Action"),
               QT_TRANSLATE_NOOP("RecordLogDialog", "Result"),
               QT_TRANSLATE_NOOP("RecordLogDialog", "Message"),
               QT_TRANSLATE_NOOP("RecordLogDialog", "Fields changed")]

    def __init__(self, link_id: int, *, storefront_path: Callable[[str], str] | None = None,
                 save_safety_stock: Callable[[str, int | None], None] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.link = Link.get_by_id(link_id)
        self._storefront_path = storefront_path
        self._save_safety_stock = save_safety_stock
        noun = self.link.entity  # "product", "customer", "order", "sale"
        self.setObjectName("recordLogDialog")
        self.setWindowTitle(self.tr("Sync log — {elided}").format(
            elided=elided(self.link.name or self.link.sku or noun, 80)))
        layout = QVBoxLayout(self)

        self._add_header(layout)
        self._add_table(layout)
        self._add_safety_stock(layout)
        self._add_buttons(layout)
        self._fit_screen(parent)

    def _fit_screen(self, parent: QWidget | None) -> None:
        """960 × 520, never more than the screen it opens on (a long name wraps, elided, in the header)."""
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() if screen is not None else QSize(960, 520)
        room -= QSize(24, 64)  # the window manager's frame and title bar
        self.setMaximumSize(room)
        self.resize(min(960, room.width()), min(520, room.height()))

    def _add_header(self, layout: QVBoxLayout) -> None:
        """The record's icon, name, ids and state; its last message when it did not sync."""
        noun = self.link.entity  # "product", "customer", "order", "sale"
        status = sync_status(self.link.status, self.link.last_result)
        header = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(status_icon(status).pixmap(20, 20))
        header.addWidget(icon)
        what = state_text(self.link.status, status)
        title = QLabel(self.tr("<b>{name}</b>  ·  {kind} {key}  ·  Hike id {hike_id}  ·  BigCommerce id {bc_id}  ·  "
                               "{state}").format(
            name=_html(elided(self.link.name or noun.title(), 120)), kind=noun, key=_html(self.link.sku or ""),
            hike_id=_html(self.link.hike_id or "—"), bc_id=_html(self.link.bc_id or "—"), state=what))
        title.setObjectName("recordTitle")
        title.setTextFormat(Qt.TextFormat.RichText)
        title.setWordWrap(True)
        title.setToolTip(self.link.name or "")
        title.setMinimumWidth(200)
        header.addWidget(title, 1)
        layout.addLayout(header)
        if self.link.last_message and status != "synced":
            message = QLabel(self.link.last_message)
            message.setWordWrap(True)
            message.setObjectName("recordMessage")
            layout.addWidget(message)

    def _add_table(self, layout: QVBoxLayout) -> None:
        """One row per log entry: when, which way, what, how it ended, the message and the fields changed."""
        self.entries = entries_for(self.link)
        self.table = QTableWidget(len(self.entries), len(self.COLUMNS))
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move in it: no keyboard trap
        self.table.setObjectName("recordLogTable")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        # no wrapping: a row is as tall as its diff has lines (wrapping measured before the columns settle made
        # rows hundreds of pixels tall); the tooltip holds the whole text
        self.table.setWordWrap(False)
        for row, entry in enumerate(self.entries):
            values = [local_time(entry.created_at), self.tr(DIRECTION_TEXT.get(entry.direction, entry.direction)),
                      action_words(action_text(entry.action)), self.tr(RESULT_TEXT.get(entry.result, entry.result)),
                      entry.message, format_diff(entry.diff, entity=self.link.entity)]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 4 and value:
                    item.setToolTip(value)
                if col == 5 and value:
                    item.setToolTip(format_diff(entry.diff, limit=400, entity=self.link.entity))
                self.table.setItem(row, col, item)
        head = self.table.horizontalHeader()
        for col in range(4):
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(4, 220)
        head.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)  # the before → after lines need the room
        self.table.resizeRowsToContents()
        layout.addWidget(self.table, 1)
        if not self.entries:
            layout.addWidget(QLabel(self.tr("No sync log entries for this record yet (older ones may have been "
                                            "pruned).")))

    def _add_safety_stock(self, layout: QVBoxLayout) -> None:
        """A linked product's own safety stock (issue 20): units BigCommerce never gets. A product with variants
        keeps its stock per variant (``inventory.plan_stock`` reads each variant SKU's buffer and never the
        product's), so it lists its variants, each with its own, instead."""
        self.safety_stock: QSpinBox | None = None
        self.variant_safety: dict[str, QSpinBox] = {}
        self.save_safety: QPushButton | None = None
        if self.link.entity != "product" or self._save_safety_stock is None:
            return
        try:
            safety = newest_settings().safety_stock
        except LookupError:
            return
        variants = variants_of(self.link)
        if variants:
            self._add_variant_safety_stock(layout, safety, variants)
        elif self.link.sku:
            self._add_product_safety_stock(layout, safety)

    def _units_box(self, safety: SafetyStock, sku: str) -> QSpinBox:
        """A SKU's own buffer: -1 is "the default (N)", no buffer of its own."""
        box = QSpinBox()
        box.setRange(-1, MAX_SAFETY_STOCK)
        box.setSpecialValueText(self.tr("the default ({n})").format(n=safety.buffer))
        box.setSuffix(self.tr(" units"))
        own = safety.own(sku)
        box.setValue(-1 if own is None else own)
        return box

    def _save_button(self, tip: str) -> QPushButton:
        button = QPushButton(self.tr("Sa&ve"))
        button.setObjectName("saveSafetyStock")
        button.setAutoDefault(False)  # Enter elsewhere in the log must not change the settings
        button.setToolTip(tip)
        button.clicked.connect(self._store_safety_stock)
        return button

    def _add_product_safety_stock(self, layout: QVBoxLayout, safety: SafetyStock) -> None:
        """A product without variants (or whose variants no pass has listed yet): its own SKU's buffer."""
        row = QHBoxLayout()
        self.safety_stock = self._units_box(safety, self.link.sku)
        self.safety_stock.setObjectName("productSafetyStock")
        caption = QLabel(self.tr("Safety stoc&k of {sku}:").format(sku=self.link.sku))
        caption.setBuddy(self.safety_stock)
        tip = self.tr("Units of this SKU BigCommerce never gets: it gets Hike's stock less these, never below zero. "
                      "A product with variants keeps its stock per variant, so this does not apply to it: its "
                      "variants are listed here, each with its own, once a full sync has read them (or use "
                      "hike-bc-sync-cli safety-stock with the variant's SKU).")
        for widget in (caption, self.safety_stock):
            widget.setToolTip(tip)
        self.save_safety = self._save_button(tip)
        row.addWidget(caption)
        row.addWidget(self.safety_stock)
        row.addWidget(self.save_safety)
        row.addStretch(1)
        layout.addLayout(row)

    def _add_variant_safety_stock(self, layout: QVBoxLayout, safety: SafetyStock, variants: list[Link]) -> None:
        """One spin box per variant SKU, in a list that scrolls (a product may have dozens), saved together."""
        group = QGroupBox(self.tr("Safety stoc&k per variant"))
        group.setObjectName("variantSafetyStock")
        box = QVBoxLayout(group)
        words = self.tr("Stock is kept per variant: BigCommerce gets each variant's Hike stock less its own "
                        "buffer, or less the default ({n}) when it has none, never below zero.").format(n=safety.buffer)
        own = safety.own(self.link.sku) if self.link.sku else None
        if own is not None:
            words += " " + self.tr("The {n} units saved for {sku} itself are not used.").format(n=own,
                                                                                             sku=self.link.sku)
        note = QLabel(words)
        note.setObjectName("variantSafetyNote")
        note.setWordWrap(True)
        box.addWidget(note)
        rows = QWidget()
        form = QFormLayout(rows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        for variant in variants:
            spin = self._units_box(safety, variant.sku)
            spin.setObjectName("variantSafetyStock")
            options = option_text(variant.name, self.link.name)
            shown = f"{variant.sku} — {elided(options, 60)}" if options else variant.sku
            label = QLabel(self.tr("{variant}:").format(variant=shown.replace("&", "&&")))  # && shows one &
            label.setTextFormat(Qt.TextFormat.PlainText)  # a SKU is never markup
            label.setBuddy(spin)
            spin.setAccessibleName(self.tr("Safety stock of {variant}").format(variant=shown))
            form.addRow(label, spin)
            self.variant_safety[variant.sku] = spin
        self.variant_scroll = QScrollArea()
        self.variant_scroll.setObjectName("variantSafetyList")
        self.variant_scroll.setWidget(rows)
        self.variant_scroll.setWidgetResizable(True)
        self.variant_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the spin boxes in it
        self.variant_scroll.setMaximumHeight(min(rows.sizeHint().height() + 4, 130))  # four or five rows
        self.save_safety = self._save_button(self.tr("Saves the variants' buffers together, as one new settings version."))
        row = QHBoxLayout()
        row.addWidget(self.variant_scroll, 1)
        side = QVBoxLayout()
        side.addWidget(self.save_safety)
        side.addStretch(1)
        row.addLayout(side)
        box.addLayout(row)
        self._saved_units = self._variant_units()
        layout.addWidget(group)

    def _variant_units(self) -> dict[str, int | None]:
        return {sku: (None if spin.value() < 0 else spin.value()) for sku, spin in self.variant_safety.items()}

    def _store_safety_stock(self) -> None:
        assert self._save_safety_stock is not None
        if self.safety_stock is not None:
            units = self.safety_stock.value()
            self._save_safety_stock({self.link.sku: None if units < 0 else units})
            self.note.setText(self.tr("Saved: the next sync sends this product's level to BigCommerce again."))
            return
        units = self._variant_units()
        changed = {sku: n for sku, n in units.items() if n != self._saved_units.get(sku)}
        if not changed:
            self.note.setText(self.tr("Nothing to save: no variant's buffer was changed."))
            return
        self._save_safety_stock(changed)
        self._saved_units = units
        self.note.setText(self.tr("Saved: the next sync sends these variants' levels to BigCommerce again."))

    def _add_buttons(self, layout: QVBoxLayout) -> None:
        """Open the record in BigCommerce's control panel or on the storefront, and Close."""
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_bc = QPushButton(self.tr("Open in BigCommerce"))
        self.open_bc.setObjectName("openInBigCommerce")
        self.open_bc.setEnabled(self.control_panel_url() is not None)
        self.open_bc.clicked.connect(lambda: open_store_url(self.control_panel_url()))
        buttons.addButton(self.open_bc, QDialogButtonBox.ButtonRole.ActionRole)
        self.view_storefront = QPushButton(self.tr("View on storefront"))
        self.view_storefront.setObjectName("viewOnStorefront")
        self.view_storefront.setVisible(self.link.entity == "product")
        self.view_storefront.setEnabled(bool(self.link.bc_id) and self._storefront_path is not None)
        self.view_storefront.clicked.connect(self._fetch_storefront)
        buttons.addButton(self.view_storefront, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.note = QLabel("")
        self.note.setObjectName("dialogNote")
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.storefrontPathReady.connect(self._open_storefront)
        self.storefrontPathFailed.connect(self.note.setText)

    def control_panel_url(self) -> str | None:
        if not self.link.bc_id:
            return None
        build = {"product": store_links.control_panel_product_url, "customer": store_links.control_panel_customer_url,
                 "order": store_links.control_panel_order_url, "sale": store_links.control_panel_order_url}
        maker = build.get(self.link.entity)
        return maker(self.link.bc_id) if maker else None

    def _fetch_storefront(self) -> None:
        """The product's storefront path comes from BigCommerce: read on a worker thread, opened when it arrives."""
        self.view_storefront.setEnabled(False)
        self.note.setText(self.tr("Finding the product's page on the storefront…"))
        bc_id, fetch = self.link.bc_id, self._storefront_path

        def tell(signal: Any, value: str) -> None:
            try:
                signal.emit(value)
            except RuntimeError:
                pass  # the dialog was closed while BigCommerce answered

        def failed(exc: BaseException) -> None:
            log.warning("Storefront path of BigCommerce product %s: %s", bc_id, exc)
            tell(self.storefrontPathFailed, self.tr("Could not find the storefront page: {reason}").format(reason=exc))

        shared_jobs().run(lambda: fetch(bc_id), lambda path: tell(self.storefrontPathReady, path), failed,
                          name="storefront path")

    def _open_storefront(self, path: str) -> None:
        self.view_storefront.setEnabled(True)
        url = store_links.storefront_page_url(path)
        self.note.setText("" if url else self.tr("This product has no storefront page."))
        if url and not open_store_url(url):
            self.note.setText(self.tr("That link is not on the connected store, so it was not opened."))


def variants_of(link: Link) -> list[Link]:
    """A product's variant links with a SKU (the key of a buffer), in the order they were linked: those whose
    ``parent_hike_id`` is the product's Hike id (one indexed read)."""
    if not link.hike_id:
        return []
    return list(Link.select().where(Link.entity == "variant", Link.parent_hike_id == link.hike_id,
                                    Link.sku.is_null(False), Link.sku != "").order_by(Link.id))


def option_text(variant_name: str, product_name: str) -> str:
    """A variant's options as its Hike name holds them after its product's (``Tee / Red / S`` → ``Red / S``)."""
    name = (variant_name or "").strip()
    prefix = (product_name or "").strip() + " / "
    return name[len(prefix):] if product_name and name.startswith(prefix) else name


def elided(text: str, limit: int) -> str:
    """At most ``limit`` characters, the cut shown with "…"."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
