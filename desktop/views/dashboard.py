"""The Dashboard tab (M1, S20): the state, the running pass "x of y" per entity, last and next run, API budget
left on each side, "Sync now" for Products / Customers / Sales, pause/resume, and the last runs with counts.
Everything shown comes from the one ``StatusSummary``."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QProgressBar, QPushButton,
                               QTableView, QVBoxLayout, QWidget)

from desktop.sync.events import ERROR, IDLE, PAUSED, RECONNECT_NEEDED, SYNCING
from desktop.views.record_models import RunTableModel, setup_run_columns
from desktop.sync.registry import ENTITY_LABELS, SYNC_GROUPS
from desktop.views.sync_words import registry_words
from desktop.views.status_summary import StatusSummary, ago, in_
from desktop.sync.words import plural

STATE_COLORS = {IDLE: "#2da44e", SYNCING: "#1f6feb", PAUSED: "#8c959f", ERROR: "#cf222e",
                RECONNECT_NEEDED: "#bf8700"}
ATTENTION_COLOR = "#d4a72c"


class Dashboard(QWidget):
    syncRequested = Signal(list)  # groups: products / customers / sales
    checkRequested = Signal()  # "Check everything now": a full pass (D9, D11)
    pauseToggled = Signal()
    manageRequested = Signal()
    errorsRequested = Signal()

    def __init__(self, summary: StatusSummary, parent: QWidget | None = None):
        super().__init__(parent)
        self.summary = summary
        layout = QVBoxLayout(self)

        head = QHBoxLayout()
        self.state_dot = QLabel("●")
        self.state_dot.setObjectName("stateDot")
        head.addWidget(self.state_dot)
        self.state_label = QLabel()
        self.state_label.setObjectName("stateLabel")
        font = self.state_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.state_label.setFont(font)
        self.state_dot.setFont(font)
        head.addWidget(self.state_label)
        head.addStretch(1)
        self.pause_button = QPushButton(self.tr("Pause"))
        self.pause_button.setObjectName("pauseButton")
        self.pause_button.clicked.connect(self.pauseToggled)
        head.addWidget(self.pause_button)
        self.manage_button = QPushButton(self.tr("Manage…"))
        self.manage_button.setObjectName("manageButton")
        self.manage_button.clicked.connect(self.manageRequested)
        head.addWidget(self.manage_button)
        layout.addLayout(head)
        self.detail = QLabel()
        self.detail.setObjectName("stateDetail")
        self.detail.setWordWrap(True)
        layout.addWidget(self.detail)

        row = QHBoxLayout()
        row.addWidget(self._sync_box(), 2)

        pass_box = QGroupBox(self.tr("Current pass"))
        self.pass_layout = QGridLayout(pass_box)
        self.no_pass = QLabel(self.tr("No pass running."))
        self.pass_layout.addWidget(self.no_pass, 0, 0, 1, 2)
        self.bars: dict[str, tuple[QLabel, QProgressBar]] = {}
        row.addWidget(pass_box, 3)
        layout.addLayout(row)

        facts = QGroupBox(self.tr("Schedule and API budget"))
        grid = QGridLayout(facts)
        self.last_label, self.next_label, self.budget_label, self.errors_label = QLabel(), QLabel(), QLabel(), QLabel()
        self.errors_label.setObjectName("dashboardErrors")
        self.errors_label.setTextFormat(Qt.TextFormat.RichText)
        self.errors_label.linkActivated.connect(lambda _: self.errorsRequested.emit())
        self.budget_label.setObjectName("budgetLabel")
        for r, (name, label) in enumerate(((self.tr("Last run"), self.last_label),
                                           (self.tr("Next run"), self.next_label),
                                           (self.tr("API left"), self.budget_label),
                                           (self.tr("Errors"), self.errors_label))):
            grid.addWidget(QLabel(f"<b>{name}</b>"), r, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(label, r, 1)
        grid.setColumnStretch(1, 1)
        layout.addWidget(facts)

        runs_box = QGroupBox(self.tr("Last runs"))
        runs_layout = QVBoxLayout(runs_box)
        self.runs = RunTableModel(self, limit=8)
        self.runs_table = QTableView()
        self.runs_table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move in it: no keyboard trap
        self.runs_table.setObjectName("dashboardRuns")
        self.runs_table.setModel(self.runs)
        self.runs_table.verticalHeader().setVisible(False)
        self.runs_table.verticalHeader().setDefaultSectionSize(22)
        setup_run_columns(self.runs_table)
        self.runs_table.setFrameShape(QFrame.Shape.NoFrame)
        runs_layout.addWidget(self.runs_table)
        layout.addWidget(runs_box, 1)

        summary.changed.connect(self.update_view)
        summary.bridge.runFinished.connect(lambda *_: self.runs.reload())
        summary.bridge.runStarted.connect(lambda *_: self.runs.reload())
        self.update_view()

    def _sync_box(self) -> QGroupBox:
        """One "Sync now" button per group of the registry, and one for them all."""
        box = QGroupBox(self.tr("Sync now"))
        grid = QGridLayout(box)
        self.sync_buttons: dict[str, QPushButton] = {}
        for col, group in enumerate(SYNC_GROUPS):
            button = QPushButton(registry_words(group.label))
            button.setObjectName(f"syncNow_{group.name}")
            button.setToolTip(self.tr("Sync {what} now (also while paused)").format(what=registry_words(group.what)))
            button.clicked.connect(lambda _=False, g=group.name: self.syncRequested.emit([g]))
            grid.addWidget(button, 0, col)
            self.sync_buttons[group.name] = button
        everything = QPushButton(self.tr("Everything"))
        everything.setObjectName("syncNow_all")
        everything.clicked.connect(lambda: self.syncRequested.emit([g.name for g in SYNC_GROUPS]))
        grid.addWidget(everything, 0, len(SYNC_GROUPS))
        check = QPushButton(self.tr("Check everything now"))
        check.setObjectName("checkEverything")
        check.setToolTip(self.tr("Read every record of both stores, as the daily check does: catches what the quick "
                                 "passes "
                         "miss and says which linked products were deleted in one store"))
        check.clicked.connect(self.checkRequested)
        grid.addWidget(check, 1, 0, 1, len(SYNC_GROUPS) + 1)
        self.check_button = check
        return box

    def update_view(self) -> None:
        s = self.summary
        state = s.state
        self.state_label.setText(s.state_label())
        # idle with records in error: amber, not green (the pass ran, but something needs a person)
        color = ATTENTION_COLOR if state == IDLE and s.error_count else STATE_COLORS[state]
        self.state_dot.setStyleSheet(f"color: {color};")
        errors = s.error_count
        if errors == 1:
            idle_text = self.tr("The last pass finished; 1 record needs attention (see Errors).")
        elif errors:
            idle_text = self.tr("The last pass finished; {count:,} records need attention (see Errors).").format(
                count=errors)
        else:
            idle_text = self.tr("Both stores are in step as of the last run.")
        if s.first_sync:  # nothing compared yet: never "in step"
            idle_text = self.tr("Nothing has been synced yet. The first pass compares both stores; \"Sync now\" "
                                "starts it.")
        running = self.tr("The first pass is running.") if s.first_sync else self.tr("A sync pass is running.")
        detail = {IDLE: idle_text,
                  SYNCING: self.tr("{doing}\nThe app stays usable; you can close the window.").format(
                      doing=s.phase_text() or running),
                  PAUSED: self.tr("Scheduled passes are paused. \"Sync now\" still works."),
                  ERROR: self.tr("The last pass stopped: {reason}").format(
                      reason=s.last_run.message if s.last_run else ""),
                  RECONNECT_NEEDED: self.tr("A store needs to be connected again: {reason} Use Manage… to "
                                            "reconnect.").format(reason=s._reconnect_message or "")}[state]
        self.detail.setText(detail)
        self.pause_button.setText(self.tr("Resume") if s.paused else self.tr("Pause"))
        self._show_progress(s.progress if state == SYNCING else {})
        run = s.last_run
        self.last_label.setText(self.tr("{ago} — {status}").format(ago=ago(run.finished_at), status=run.status)
                                if run else self.tr("never"))
        self.next_label.setText(self.tr("paused") if s.paused else in_(s.next_run))
        self.budget_label.setText("\n".join(s.budget_lines()) or "—")
        n = s.error_count
        self.errors_label.setText(self.tr("<a href='#errors'>{records} in error</a>").format(
            records=plural(n, self.tr("record"), self.tr("records"))) if n else self.tr("none"))

    def _show_progress(self, progress: dict[str, tuple[int, int]]) -> None:
        self.no_pass.setVisible(not progress)
        for entity, (label, bar) in self.bars.items():
            visible = entity in progress
            label.setVisible(visible)
            bar.setVisible(visible)
        for entity, (done, total) in progress.items():
            if entity not in self.bars:
                label, bar = QLabel(registry_words(ENTITY_LABELS.get(entity, entity.title()))), QProgressBar()
                bar.setObjectName(f"progress_{entity}")
                row = len(self.bars) + 1
                self.pass_layout.addWidget(label, row, 0)
                self.pass_layout.addWidget(bar, row, 1)
                self.bars[entity] = (label, bar)
            label, bar = self.bars[entity]
            label.setVisible(True)
            bar.setVisible(True)
            bar.setMaximum(max(total, 1))
            bar.setValue(min(done, max(total, 1)))
            bar.setFormat(f"{done:,} of {total:,}")
