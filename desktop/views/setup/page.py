"""The frame every setup page shares, and the base of the settings pages (shown as wizard steps and as Manage tabs).

A page has a heading, a short introduction, a banner for its own errors, a busy row while it waits for a store,
and its content in a scroll area, so a long page never squeezes its text on a small screen. The scroll area is no
Tab stop of its own (nothing would show it has focus); it scrolls to whichever of its fields takes focus.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QApplication, QFrame, QPushButton, QScrollArea, QVBoxLayout, QWidget

from desktop import APP_NAME
from desktop.sync.settings import Settings, StoreFacts
from desktop.views.setup.context import SetupContext
from desktop.views.setup.widgets import Banner, BusyRow, heading, help_text


class SetupPage(QWidget):
    title = ""
    intro = ""
    # Next is allowed from this page (connect pages allow it only once the store is connected)
    completeChanged = Signal()

    def __init__(self, ctx: SetupContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName(type(self).__name__)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no invisible Tab stop: the page's fields take focus
        scroll.viewport().setFocusPolicy(Qt.FocusPolicy.NoFocus)
        outer.addWidget(scroll)
        self.scroll = scroll
        QApplication.instance().focusChanged.connect(self._follow_focus)
        inner = QWidget()
        scroll.setWidget(inner)
        self.layout_ = QVBoxLayout(inner)
        self.layout_.setContentsMargins(24, 20, 24, 20)
        self.layout_.setSpacing(10)
        # each page's title and intro are marked with the context "SetupPage" where the page defines them
        self.heading = heading(self.tr(self.title).format(app=APP_NAME))
        self.layout_.addWidget(self.heading)
        if self.intro:
            self.layout_.addWidget(help_text(self.tr(self.intro)))
        self.banner = Banner()
        self.banner.setObjectName("pageBanner")
        self.layout_.addWidget(self.banner)
        self.busy = BusyRow()
        self.busy.setObjectName("pageBusy")
        self.layout_.addWidget(self.busy)
        self.body = QVBoxLayout()
        self.body.setSpacing(12)
        self.layout_.addLayout(self.body)
        self.layout_.addStretch(1)
        self._add_page_controls()
        self.build()

    def _follow_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        """A field reached by Tab or its Alt shortcut is scrolled into view."""
        if new is not None and self.scroll.widget() is not None and self.scroll.widget().isAncestorOf(new):
            self.scroll.ensureWidgetVisible(new)

    def _add_page_controls(self) -> None:
        """What a kind of page shows above its body, added before the page builds (a settings page's Retry):
        added after, it changed how the Inventory page's form sized its fields in the wizard."""

    def build(self) -> None:
        """Subclasses add their widgets to ``self.body`` here (``self.ctx`` is set)."""

    def is_complete(self) -> bool:
        return True

    def entered(self) -> None:
        """Called when the page is shown (wizard step or tab)."""


class SettingsPage(SetupPage):
    """A page over part of the settings: ``fill`` shows them, ``store`` writes the widgets back.

    While the stores' lists load the page shows it is busy; if they fail, it says why with a Retry button.
    """

    def __init__(self, ctx: SetupContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        ctx.factsChanged.connect(self._facts_changed)
        self._facts_changed()

    def _add_page_controls(self) -> None:
        self.retry = QPushButton(self.tr("Retr&y loading"))
        self.retry.setToolTip(self.tr("Read the outlets, registers, taxes and payment types from both stores again."))
        self.retry.clicked.connect(self.ctx.load_facts)
        self.retry.hide()
        self.layout_.insertWidget(3, self.retry, 0, Qt.AlignmentFlag.AlignLeft)

    # -- subclasses ------------------------------------------------------------------------------------------
    _filling = False  # set while ``fill`` runs: its own widget changes are not the person's edits

    def fill(self, settings: Settings, facts: StoreFacts | None) -> None:
        raise NotImplementedError

    def store(self, settings: Settings) -> None:
        raise NotImplementedError

    # -- shared ----------------------------------------------------------------------------------------------
    def changed(self) -> None:
        """Connected to every field's change signal: write back, let Save re-check."""
        if self._filling:
            return
        self.store(self.ctx.settings)
        self.refresh_notes()
        self.ctx.settings_changed()

    def refresh_notes(self) -> None:
        """Warnings that depend on the current choices (subclasses override)."""

    def reload(self) -> None:
        self._filling = True
        try:
            self.fill(self.ctx.settings, self.ctx.facts)
        finally:
            self._filling = False
        self.refresh_notes()

    def _facts_changed(self) -> None:
        state = self.ctx.facts_state
        if state == "loading":
            self.busy.start(self.tr("Loading outlets, registers, taxes and payment types from both stores…"))
        else:
            self.busy.stop()
        self.retry.setVisible(state == "failed")
        if state == "failed":
            self.banner.show_message("error", self.tr("The stores' lists could not be loaded. {facts_error}").format(
                facts_error=self.ctx.facts_error))
        elif self.banner.kind == "error":
            self.banner.clear_message()
        self.reload()
