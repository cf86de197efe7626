"""Pre-flight: duplicate SKUs and barcodes on each side (P1), what the first sync would do (P3, the engine's dry run:
nothing is written), and a CSV backup of both catalogs to a folder the manager picks (C7)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (QGroupBox, QHBoxLayout, QHeaderView, QLabel, QListWidget, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)

from desktop.sync.preview import STORES, describe_fields, describe_plan, sample_line
from desktop.sync.settings import Settings
from desktop.sync.setup_checks import PreflightResult, back_up_catalogs, run_preflight
from desktop.views.setup.context import describe_error
from desktop.views.setup.page import SetupPage
from desktop.views.setup.widgets import Banner, BusyRow, WrapLabel, action_row, help_text



def describe_samples(samples: dict[str, dict[str, list[dict]]]) -> str:
    """A few before → after examples per store and field, so "Description changed on 120" can be judged."""
    lines = []
    for side, fields in samples.items():
        for name, found in fields.items():
            for sample in found[:2]:
                lines.append(f"{STORES.get(side, side)} · {sample_line(name, sample)}")
    if not lines:
        return ""
    return QCoreApplication.translate("PreflightPage", "Examples:\n{examples}").format(examples="\n".join(lines))


class PreflightPage(SetupPage):
    title = QT_TRANSLATE_NOOP("SetupPage", "Pre-flight checks")
    intro = (QT_TRANSLATE_NOOP("SetupPage", "Before the first sync: records that will fail because they share a SKU "
                                            "or barcode, a preview of what "
             "the first sync will do (nothing is written yet), and a backup of both catalogs."))

    def build(self) -> None:
        self.ran_once = False
        self._ran_with: dict | None = None
        self.result: PreflightResult | None = None
        self.backup_paths: tuple[Path, Path] | None = None
        self.run_button = action_row(
            self.body, self.tr("&Run the checks"), "runPreflight", self.run,
            self.tr("Read both catalogs again and preview the first sync."))

        # first, above the fold: Hike advises a backup before the first sync (issue 17 finding 9)
        backup = QGroupBox(self.tr("Backup"))
        box = QVBoxLayout(backup)
        box.addWidget(help_text(self.tr("Both catalogs as CSV files (they open in any spreadsheet program). "
                                        "Recommended "
                                "before the first sync.")))
        self.backup_button = action_row(
            box, self.tr("Back &up both catalogs…"), "backupCatalogs", self.backup,
            self.tr("Choose a folder; two CSV files are written there."))
        self.backup_busy = BusyRow()
        box.addWidget(self.backup_busy)
        self.backup_note = Banner()
        self.backup_note.setObjectName("backupNote")
        box.addWidget(self.backup_note)
        self.body.addWidget(backup)

        dupes = QGroupBox(self.tr("Duplicate SKUs and barcodes"))
        box = QVBoxLayout(dupes)
        box.addWidget(help_text(self.tr("SKUs compare without letter case, across products and variants, as "
                                        "BigCommerce "
                                "enforces them. Fix these before the first sync, or those records will not sync.")))
        lists = QHBoxLayout()
        self.hike_list = QListWidget()
        self.hike_list.setObjectName("hikeDuplicates")
        self.bc_list = QListWidget()
        self.bc_list.setObjectName("bigcommerceDuplicates")
        for title, widget in ((self.tr("In &Hike"), self.hike_list), (self.tr("In BigCo&mmerce"), self.bc_list)):
            column = QVBoxLayout()
            label = QLabel(title)
            label.setBuddy(widget)
            widget.setFixedHeight(110)
            widget.setWordWrap(True)
            column.addWidget(label)
            column.addWidget(widget)
            lists.addLayout(column)
        box.addLayout(lists)
        self.body.addWidget(dupes)

        preview = QGroupBox(self.tr("Preview of the first sync"))
        box = QVBoxLayout(preview)
        self.counts = WrapLabel(self.tr("Not run yet."))
        self.counts.setObjectName("dryRunCounts")
        box.addWidget(self.counts)
        self.samples = WrapLabel("")
        self.samples.setObjectName("dryRunSamples")
        self.samples.setVisible(False)
        box.addWidget(self.samples)
        self.actions = QTableWidget(0, 4)
        self.actions.setTabKeyNavigation(False)  # Tab leaves the table, arrows move in it: no keyboard trap
        self.actions.setObjectName("dryRunActions")
        self.actions.setHorizontalHeaderLabels([self.tr("Action"), self.tr("Store"), self.tr("SKU"),
                                                self.tr("Product")])
        self.actions.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.actions.verticalHeader().hide()
        self.actions.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.actions.verticalHeader().setDefaultSectionSize(self.actions.fontMetrics().height() + 8)
        self.actions.setMinimumHeight(220)
        self.actions.setAlternatingRowColors(True)
        box.addWidget(self.actions)
        self.body.addWidget(preview)

    def entered(self) -> None:
        # run on arrival, and again when the settings changed since (the preview depends on them)
        if self.ctx.both_connected and self._ran_with != self.ctx.settings.to_json():
            self.run()

    # -- checks ----------------------------------------------------------------------------------------------
    def run(self) -> None:
        if self.busy.busy:
            return
        self.ran_once = True
        self._ran_with = self.ctx.settings.to_json()
        self.banner.clear_message()
        self.run_button.setEnabled(False)
        self.busy.start(self.tr("Reading both catalogs and planning the first sync (nothing is written)…"))
        settings = Settings.from_json(self.ctx.settings.to_json())  # a copy: the pages may change meanwhile
        ctx = self.ctx
        ctx.background.run(lambda: run_preflight(ctx.credentials, settings, ctx.facts), self._shown, self._failed)

    def _shown(self, result: PreflightResult) -> None:
        self.busy.stop()
        self.run_button.setEnabled(True)
        self.result = result
        for widget, found in ((self.hike_list, result.hike), (self.bc_list, result.bigcommerce)):
            widget.clear()
            widget.addItems([d.message for d in found] or [self.tr("No duplicates.")])
        if result.dry_run is None:
            self.counts.setText(result.dry_run_problem)
            self.actions.setRowCount(0)
            return
        self.counts.setText("\n".join([describe_plan(result.dry_run.counts),
                                        *describe_fields(result.dry_run.fields)]))
        self.samples.setText(describe_samples(result.dry_run.samples))
        self.samples.setVisible(bool(result.dry_run.samples))
        rows = result.dry_run.actions
        self.actions.setRowCount(len(rows))
        for i, action in enumerate(rows):
            cells = [action["action"], STORES.get(action["store"], action["store"]), action["sku"] or "",
                     action["name"] + (f" ({action['message']})" if action.get("message") else "")]
            for column, text in enumerate(cells):
                self.actions.setItem(i, column, QTableWidgetItem(str(text)))
        for column in range(3):
            self.actions.resizeColumnToContents(column)

    def _failed(self, exc: BaseException) -> None:
        self.busy.stop()
        self.run_button.setEnabled(True)
        self.banner.show_message("error", self.tr("The checks could not run: {reason}").format(
            reason=describe_error(exc)))

    # -- backup ----------------------------------------------------------------------------------------------
    def backup(self) -> None:
        folder = self.ctx.choose_folder(self, self.tr("Folder for the catalog backup"))
        if not folder:
            return
        self.backup_button.setEnabled(False)
        self.backup_note.clear_message()
        self.backup_busy.start(self.tr("Exporting both catalogs…"))
        credentials = self.ctx.credentials
        self.ctx.background.run(lambda: back_up_catalogs(credentials, Path(folder)), self._backed_up,
                                self._backup_failed)

    def _backed_up(self, paths: tuple[Path, Path]) -> None:
        self.backup_busy.stop()
        self.backup_button.setEnabled(True)
        self.backup_paths = paths
        self.backup_note.show_message("ok", self.tr("Backup written:\n{files}").format(
            files="\n".join(str(p) for p in paths)))

    def _backup_failed(self, exc: BaseException) -> None:
        self.backup_busy.stop()
        self.backup_button.setEnabled(True)
        self.backup_note.show_message("error", self.tr("The backup could not be written: {describe_error}").format(
            describe_error=describe_error(exc)))
