"""The Save button and, beside it, why it is disabled (C5): every mandatory setting still missing, in words.

Used as the wizard's last step (``SavePage``) and at the bottom of Manage (``SaveBar`` alone).
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.views.setup.context import SetupContext
from desktop.views.setup.page import SetupPage
from desktop.views.setup.widgets import Banner, WrapLabel


class SaveBar(QWidget):
    saveRequested = Signal()

    def __init__(self, ctx: SetupContext, label: str = "&Save", parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.missing = WrapLabel()
        self.missing.setObjectName("missingList")
        self.missing.setTextFormat(Qt.TextFormat.RichText)
        self.missing.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save = QPushButton(label)
        self.save.setObjectName("saveSettings")
        self.save.clicked.connect(self.saveRequested)
        layout.addWidget(self.missing, 1)
        layout.addWidget(self.save, 0, Qt.AlignmentFlag.AlignTop)
        ctx.settingsChanged.connect(self.refresh)
        ctx.factsChanged.connect(self.refresh)
        ctx.connectionsChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        missing = self.ctx.missing()
        self.save.setEnabled(not missing)
        if missing:
            items = "".join(f"<li>{escape(p.message)}</li>" for p in missing)
            self.missing.setText(f"<b>Save is not available yet:</b><ul style=\"margin:0\">{items}</ul>")
            self.save.setToolTip("Complete the items listed beside this button first.")
        else:
            self.missing.setText("Everything needed is set.")
            self.save.setToolTip("Save these settings; the first sync then starts in the background.")

    def missing_messages(self) -> list[str]:
        return [p.message for p in self.ctx.missing()]


class SavePage(SetupPage):
    title = "Save and start syncing"
    intro = ("Saving stores these settings and starts the first sync in the background. Depending on how many "
             "products and customers each store has, it may take a while; you can follow it on the main window.")

    def __init__(self, ctx: SetupContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.warnings = Banner()
        self.warnings.setObjectName("settingsWarnings")
        self.body.addWidget(self.warnings)
        self.bar = SaveBar(ctx, "&Save and start syncing")
        column = QVBoxLayout()
        column.addWidget(self.bar)
        self.body.addLayout(column)
        ctx.settingsChanged.connect(self._warnings)
        ctx.factsChanged.connect(self._warnings)
        self._warnings()

    def entered(self) -> None:
        self.bar.refresh()
        self._warnings()

    def _warnings(self) -> None:
        notes = [p.message for p in self.ctx.problems() if not p.mandatory]
        if notes:
            self.warnings.show_message("warning", "Worth a look before saving:\n\u2022 " + "\n\u2022 ".join(notes))
        else:
            self.warnings.clear_message()
