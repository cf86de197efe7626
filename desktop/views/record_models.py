"""Lazy table models over indexed peewee queries (M2, M3): nothing is loaded whole.

``LinkTableModel`` shows the ``link`` rows of some entities, a page at a time: Qt asks ``canFetchMore`` /
``fetchMore`` as the view scrolls, and each page is one keyset query (``id > last id ORDER BY id LIMIT n``), so
the 200th page costs what the first did (an OFFSET would re-read every row before it). Only the columns shown are
read, as tuples. ``RunTableModel`` does the same for the run log, newest first.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import (QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QModelIndex,
                            QPersistentModelIndex, Qt)
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from desktop.storage.models import Link, Run
from desktop.sync.error_groups import ERROR_RESULTS
from desktop.sync.registry import ENGINE_ENTITIES, ENTITY_LABELS
from desktop.views.sync_words import registry_words
from desktop.sync.words import describe_counts, duration

PAGE = 500
LIVE_ROWS = 100  # while a pass runs, the list fills up to a screenful or two; the rest comes at its end
SYNCED, FAILED, NOT_LINKED = "synced", "error", "not_linked"


def _tr(text: str) -> str:
    return QCoreApplication.translate("RecordModels", text)


STATUS_COLORS = {SYNCED: "#2da44e", FAILED: "#cf222e", NOT_LINKED: "#8c959f"}
STATUS_TEXT = {SYNCED: QT_TRANSLATE_NOOP("RecordModels", "Synced"),
               FAILED: QT_TRANSLATE_NOOP("RecordModels", "Error"),
               NOT_LINKED: QT_TRANSLATE_NOOP("RecordModels", "Not linked")}
LINK_STATUS_TEXT = {"skipped": QT_TRANSLATE_NOOP("RecordModels", "Skipped"),
                    "failed": QT_TRANSLATE_NOOP("RecordModels", "Not linked (failed)"),
                    "waiting": QT_TRANSLATE_NOOP("RecordModels", "Waiting for links"),
                    "unlinked_deleted_hike": QT_TRANSLATE_NOOP("RecordModels", "Deleted in Hike"),
                    "unlinked_deleted_bc": QT_TRANSLATE_NOOP("RecordModels", "Deleted in BigCommerce")}
DELETED_STATUSES = ("unlinked_deleted_hike", "unlinked_deleted_bc")  # D9: shown by their state, not "Error"

_icons: dict[str, QIcon] = {}


def status_icon(status: str) -> QIcon:
    """A filled dot per sync status, painted once (needs a QGuiApplication)."""
    if status not in _icons:
        pixmap = QPixmap(32, 32)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(STATUS_COLORS[status]))
        painter.drawEllipse(5, 5, 22, 22)
        painter.end()
        _icons[status] = QIcon(pixmap)
    return _icons[status]


def sync_status(link_status: str, last_result: str | None) -> str:
    if last_result in ERROR_RESULTS:
        return FAILED
    if link_status != "linked" or last_result == "skipped":
        return NOT_LINKED
    return SYNCED


def state_text(link_status: str, status: str) -> str:
    """A record's state in words: the link's own state for one not linked or deleted in a store (D9)."""
    if status == NOT_LINKED or link_status in DELETED_STATUSES:
        return _tr(LINK_STATUS_TEXT.get(link_status, STATUS_TEXT[status]))
    return _tr(STATUS_TEXT[status])


def local_time(value: datetime | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class LinkRow:
    id: int
    entity: str
    sku: str
    name: str
    hike_id: str
    bc_id: str
    status: str  # the link's own status
    last_result: str | None
    last_message: str
    last_synced_at: str | None

    @property
    def sync_status(self) -> str:
        return sync_status(self.status, self.last_result)


LINK_FIELDS = (Link.id, Link.entity, Link.sku, Link.name, Link.hike_id, Link.bc_id, Link.status, Link.last_result,
               Link.last_message, Link.last_synced_at)


class PagedTableModel(QAbstractTableModel):
    """What the lazy lists share: ``rows`` loaded a page at a time (``fetchMore`` in the subclasses), ``headers``."""

    headers: list[str]

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.rows: list[Any] = []
        self._exhausted = False

    def _append(self, more: list[Any]) -> None:
        if more:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
            self.rows.extend(more)
            self.endInsertRows()

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.headers[section])  # marked where each model names them
        return None


class LinkTableModel(PagedTableModel):
    STATUS, KEY, NAME, HIKE, BC, SYNCED_AT, MESSAGE = range(7)

    def __init__(self, entities: tuple[str, ...], key_label: str = "SKU", parent: Any = None, page: int = PAGE):
        super().__init__(parent)
        self.entities = entities
        self.headers = ["", QCoreApplication.translate("RecordsView", key_label), self.tr("Name"),
                        self.tr("Hike id"), self.tr("BigCommerce id"), self.tr("Last sync"), self.tr("Message")]
        self.page = page
        self.search = ""
        self.errors_only = False
        self.not_linked_only = False
        self.generation = 0  # counts reloads (``apply_live``)
        self.reload()

    # ---- queries --------------------------------------------------------------------------------------------------
    def _query(self):
        query = Link.select(*LINK_FIELDS).where(Link.entity.in_(self.entities))
        if self.errors_only:
            query = query.where(Link.last_result.in_(ERROR_RESULTS))
        if self.not_linked_only:
            query = query.where(Link.status != "linked")
        text = self.search.strip()
        if text:
            like = f"%{text}%"
            query = query.where(Link.sku ** like | Link.name ** like | (Link.hike_id == text) | (Link.bc_id == text))
        return query

    def _page(self, after_id: int, limit: int) -> list[LinkRow]:
        query = self._query().where(Link.id > after_id).order_by(Link.id).limit(limit)
        return [LinkRow(*(v if v is not None or i in (7, 9) else "" for i, v in enumerate(row)))
                for row in query.tuples()]

    def total(self) -> int:
        """Every matching row (one COUNT over the index), for the "n products" label."""
        return self._query().count()

    def set_filter(self, *, search: str | None = None, errors_only: bool | None = None,
                   not_linked_only: bool | None = None) -> None:
        if search is not None:
            self.search = search
        if errors_only is not None:
            self.errors_only = errors_only
        if not_linked_only is not None:
            self.not_linked_only = not_linked_only
        self.reload()

    def reload(self) -> None:
        """Back to the first page (after a filter change)."""
        self.generation += 1  # a live read begun before this is not applied
        self.beginResetModel()
        self.rows = self._page(0, self.page)
        self._exhausted = len(self.rows) < self.page
        self.endResetModel()

    def refresh(self) -> None:
        """After a pass, and while one runs: the rows already loaded are read again (one query), in place when the
        same records are still there; new records fill the first page (added below, so the view keeps its place),
        the rest is left for ``fetchMore`` (a pass may add some after the last row loaded)."""
        if not self.rows:
            self.reload()
            return
        self._reread()
        if len(self.rows) < self.page:
            self._append(self._page(self.rows[-1].id if self.rows else 0, self.page - len(self.rows)))
        self._exhausted = False

    def live_read(self) -> tuple[int, list[LinkRow], int]:
        """While a pass runs (issue 16), on a worker: the rows ``refresh`` would show (those loaded, read again, the
        first page filled) and the count, as (generation, rows, total). The GUI thread only applies them
        (``apply_live``): reading on it while the pass writes stalled the window (benchmarks ui: 137 ms)."""
        return self.generation, self._page(0, max(len(self.rows), LIVE_ROWS)), self.total()

    def apply_live(self, read: tuple[int, list[LinkRow], int]) -> bool:
        """Show a ``live_read`` unless a filter changed since (False: dropped). Only new rows are added, up to
        ``LIVE_ROWS``: rows already shown keep their values until the pass's end refreshes the list. Anything more
        stalled the window while a pass ran (benchmarks ui: 100-400 ms at 10 000 products): every repaint and every
        page the view fetches on its own calls back into Python, each call waiting for the interpreter the pass
        keeps busy."""
        generation, rows, _total = read
        if generation != self.generation:
            return False
        if [r.id for r in rows[:len(self.rows)]] == [r.id for r in self.rows]:
            self._append(rows[len(self.rows):LIVE_ROWS])
        return True

    def _reread(self) -> None:
        fresh = self._page(0, len(self.rows))
        if [r.id for r in fresh] != [r.id for r in self.rows]:
            self.beginResetModel()
            self.rows = fresh
            self.endResetModel()
        else:
            self.rows = fresh
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(self.headers) - 1))

    # ---- Qt -----------------------------------------------------------------------------------------------------
    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        if parent.isValid() or self._exhausted:
            return
        after = self.rows[-1].id if self.rows else 0
        more = self._page(after, self.page)
        if len(more) < self.page:
            self._exhausted = True
        self._append(more)

    def row_at(self, row: int) -> LinkRow:
        return self.rows[row]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        col = index.column()
        if col == self.STATUS:
            status = r.sync_status
            if role == Qt.ItemDataRole.DecorationRole:
                return status_icon(status)
            if role == Qt.ItemDataRole.ToolTipRole:
                what = state_text(r.status, status)
                if r.last_message and status != SYNCED:
                    what = self.tr("{state}: {message}").format(state=what, message=r.last_message)
                return self.tr("{state}\nClick to see its sync log.").format(state=what)
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return state_text(r.status, status)
            if role == Qt.ItemDataRole.UserRole:
                return status
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return {self.KEY: r.sku, self.NAME: r.name, self.HIKE: r.hike_id, self.BC: r.bc_id,
                    self.SYNCED_AT: local_time(r.last_synced_at), self.MESSAGE: r.last_message}.get(col)
        if role == Qt.ItemDataRole.ToolTipRole and col == self.MESSAGE and r.last_message:
            return r.last_message
        return None


RUN_FIELDS = (Run.id, Run.trigger, Run.scope, Run.started_at, Run.finished_at, Run.status, Run.counts, Run.message)
RUN_ERROR_STATUSES = ("error", "partial", "interrupted")
TRIGGER_TEXT = {"schedule": QT_TRANSLATE_NOOP("RecordModels", "Scheduled"),
                "manual": QT_TRANSLATE_NOOP("RecordModels", "Sync now"),
                "catch_up": QT_TRANSLATE_NOOP("RecordModels", "Catch-up"),
                "startup": QT_TRANSLATE_NOOP("RecordModels", "At start-up"),
                "reconcile": QT_TRANSLATE_NOOP("RecordModels", "Full check"),
                "first_sync": QT_TRANSLATE_NOOP("RecordModels", "First sync"),
                "retry": QT_TRANSLATE_NOOP("RecordModels", "Retry"),
                "cli": QT_TRANSLATE_NOOP("RecordModels", "Command line")}


SCOPE_TEXT = {entity: ENTITY_LABELS[entity] for entity in ENGINE_ENTITIES}  # a run's entities, in pass order


def describe_scope(scope: str | None) -> str:
    parts = [p for p in (scope or "").split(",") if p]
    order = list(SCOPE_TEXT)
    parts.sort(key=lambda p: order.index(p) if p in order else len(order))
    return ", ".join(registry_words(SCOPE_TEXT.get(p, p)) for p in parts) or "—"


def setup_run_columns(table: Any) -> None:
    """Widths that fit the usual values; the counts take the room left (they are the longest)."""
    from PySide6.QtWidgets import QHeaderView

    for col, width in enumerate((50, 130, 70, 95, 230, 115, 300, 160)):
        table.setColumnWidth(col, width)
    head = table.horizontalHeader()
    head.setStretchLastSection(False)
    head.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)


class RunTableModel(PagedTableModel):
    """The run log (M3), newest first, a page at a time; "errors only" keeps passes that stopped or had errors."""

    headers = [QT_TRANSLATE_NOOP("RunTableModel", "Run"),
               QT_TRANSLATE_NOOP("RunTableModel", "Started"),
               QT_TRANSLATE_NOOP("RunTableModel", "Duration"),
               QT_TRANSLATE_NOOP("RunTableModel", "Trigger"),
               QT_TRANSLATE_NOOP("RunTableModel", "Entities"),
               QT_TRANSLATE_NOOP("RunTableModel", "Result"),
               QT_TRANSLATE_NOOP("RunTableModel", "Counts"),
               QT_TRANSLATE_NOOP("RunTableModel", "Message")]

    def __init__(self, parent: Any = None, page: int = 200, limit: int | None = None):
        super().__init__(parent)
        self.page = page if limit is None else min(page, limit)
        self.limit = limit  # the dashboard shows only the last few
        self.errors_only = False
        self.reload()

    def _page(self, before_id: int | None) -> list[tuple]:
        query = Run.select(*RUN_FIELDS)
        if before_id is not None:
            query = query.where(Run.id < before_id)
        if self.errors_only:
            query = query.where(Run.status.in_(RUN_ERROR_STATUSES))
        return list(query.order_by(Run.id.desc()).limit(self.page).tuples())

    def set_errors_only(self, on: bool) -> None:
        self.errors_only = on
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = self._page(None)
        self._exhausted = len(self.rows) < self.page or self.limit is not None
        self.endResetModel()

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        if parent.isValid() or self._exhausted or not self.rows:
            return
        more = self._page(self.rows[-1][0])
        self._exhausted = len(more) < self.page
        self._append(more)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        run_id, trigger, scope, started, finished, status, counts, message = self.rows[index.row()]
        started_dt = datetime.fromisoformat(started) if isinstance(started, str) else started
        finished_dt = datetime.fromisoformat(finished) if isinstance(finished, str) and finished else finished
        counts = counts if isinstance(counts, dict) else Run.counts.python_value(counts)
        col = index.column()
        if role == Qt.ItemDataRole.DecorationRole and col == 5:
            return status_icon(FAILED if status in RUN_ERROR_STATUSES else SYNCED if status == "ok" else NOT_LINKED)
        if role == Qt.ItemDataRole.ToolTipRole and col in (6, 7):
            return describe_counts(counts) if col == 6 else message or None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == 0:
            return str(run_id)
        if col == 1:
            return local_time(started_dt)
        if col == 2:
            return duration((finished_dt - started_dt).total_seconds()) if finished_dt else "running"
        if col == 3:
            return _tr(TRIGGER_TEXT.get(trigger, trigger))
        if col == 4:
            return describe_scope(scope)
        if col == 5:
            return {"ok": self.tr("OK"), "partial": self.tr("Some errors"), "error": self.tr("Stopped"),
                    "running": self.tr("Running"), "interrupted": self.tr("Interrupted")}.get(status, status)
        if col == 6:
            return self.tr("in progress") if status == "running" else describe_counts(counts)
        return message
