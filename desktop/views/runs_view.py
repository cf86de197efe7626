"""The run log tab (M3): one row per sync pass, newest first, with "Show errors only"."""
from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QTableView, QVBoxLayout, QWidget

from desktop.views.record_models import RunTableModel, setup_run_columns


class RunsView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = RunTableModel(self)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("One row per sync pass. Hover the counts or the message for the whole text.")), 1)
        self.errors_only = QCheckBox(self.tr("Show errors only"))
        self.errors_only.setObjectName("runErrorsOnly")
        self.errors_only.toggled.connect(self.model.set_errors_only)
        bar.addWidget(self.errors_only)
        layout.addLayout(bar)
        self.table = QTableView()
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move in it: no keyboard trap
        self.table.setObjectName("runTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        setup_run_columns(self.table)
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        self.model.reload()
