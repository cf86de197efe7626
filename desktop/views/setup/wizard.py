"""The setup wizard (issue #7): Welcome, connect both stores, the settings pages, pre-flight, Save.

The app opens it on first start. On Save the settings become a new ``SettingsVersion`` and ``setupSaved(Settings)``
is emitted: the app starts the first sync in the background and shows the main window (the wizard starts no
sync itself).
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, QStackedWidget,
                               QVBoxLayout, QWidget)

from desktop import APP_NAME
from desktop.storage.credentials import Credentials
from desktop.sync.connections import HikeApp
from desktop.sync.settings import Settings
from desktop.views.setup.connect_bigcommerce import ConnectBigCommercePage
from desktop.views.setup.connect_hike import ConnectHikePage
from desktop.views.setup.context import SetupContext
from desktop.views.setup.directions import DirectionsPage
from desktop.views.setup.inventory import InventoryPage
from desktop.views.setup.page import SetupPage
from desktop.views.setup.payments import PaymentsPage
from desktop.views.setup.preferences import PreferencesPage
from desktop.views.setup.preflight import PreflightPage
from desktop.views.setup.prices import PricesPage
from desktop.views.setup.save import SavePage
from desktop.views.setup.taxes import TaxesPage
from desktop.views.setup.welcome import WelcomePage

SETTINGS_PAGES = (InventoryPage, TaxesPage, PaymentsPage, PricesPage, DirectionsPage, PreferencesPage)


class SetupWizard(QDialog):
    """``SetupWizard(credentials, hike_app=..., sandbox=...)``; ``setupSaved(Settings)`` on Save.

    ``sandbox``: already running sandbox stores (``--sandbox``) the Welcome page's sandbox choice connects;
    without it that choice starts its own (``self.ctx.sandbox`` then holds them: stop them at exit).
    ``open_url`` / ``choose_folder`` / ``start_sandbox`` stand in for the browser, the folder dialog and the
    sandbox in tests.
    """

    setupSaved = Signal(object)

    def __init__(self, credentials: Credentials, *, hike_app: HikeApp | None = None, sandbox: Any = None,
                 open_url: Callable[[str], Any] | None = None, choose_folder: Callable[..., str] | None = None,
                 start_sandbox: Callable[[], Any] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("setupWizard")
        self.setWindowTitle(f"Set up {APP_NAME}")
        self.setMinimumSize(860, 600)
        self.resize(980, 700)
        self.ctx = SetupContext(credentials, hike_app=hike_app, sandbox=sandbox, start_sandbox=start_sandbox,
                                open_url=open_url, choose_folder=choose_folder, parent=self)
        self.saved: Settings | None = None

        self.welcome = WelcomePage(self.ctx)
        self.hike_page = ConnectHikePage(self.ctx)
        self.bc_page = ConnectBigCommercePage(self.ctx)
        self.settings_pages = [cls(self.ctx) for cls in SETTINGS_PAGES]
        self.preflight = PreflightPage(self.ctx)
        self.save_page = SavePage(self.ctx)
        self.pages: list[SetupPage] = [self.welcome, self.hike_page, self.bc_page, *self.settings_pages,
                                       self.preflight, self.save_page]

        self.steps = QListWidget()
        self.steps.setObjectName("wizardSteps")
        self.steps.setFixedWidth(200)
        self.steps.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Back/Next move between steps; the list only shows
        self.steps.setAccessibleName("Setup steps")
        self.stack = QStackedWidget()
        self.steps.setSpacing(4)
        for number, page in enumerate(self.pages, start=1):
            title = "Welcome" if page is self.welcome else page.title
            item = QListWidgetItem(f"{number}. {title}")
            self.steps.addItem(item)
            self.stack.addWidget(page)
            page.completeChanged.connect(self._update_buttons)
        self.steps.currentRowChanged.connect(self._step_clicked)

        self.back = QPushButton("< &Back")
        self.back.setObjectName("wizardBack")
        self.next = QPushButton("&Next >")
        self.next.setObjectName("wizardNext")
        self.next.setDefault(True)
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName("wizardCancel")
        self.cancel.setToolTip("Close without saving; connections made so far are kept.")
        self.back.clicked.connect(lambda: self.go(self.stack.currentIndex() - 1))
        self.next.clicked.connect(self.go_next)
        self.cancel.clicked.connect(self.reject)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.back)
        buttons.addWidget(self.next)
        buttons.addWidget(self.cancel)
        right = QVBoxLayout()
        right.addWidget(self.stack, 1)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addWidget(self.steps)
        layout.addLayout(right, 1)

        self.welcome.realChosen.connect(lambda: self.go(self.pages.index(self.hike_page)))
        self.welcome.sandboxConnected.connect(lambda: self.go(self.pages.index(self.settings_pages[0])))
        self.save_page.bar.saveRequested.connect(self.save)
        self.ctx.connectionsChanged.connect(self._update_buttons)
        if self.ctx.both_connected:
            self.ctx.load_facts()
        self.go(0)

    # -- navigation ------------------------------------------------------------------------------------------
    def page(self) -> SetupPage:
        return self.pages[self.stack.currentIndex()]

    def go(self, index: int) -> None:
        index = max(0, min(index, len(self.pages) - 1))
        self.stack.setCurrentIndex(index)
        self.steps.blockSignals(True)
        self.steps.setCurrentRow(index)
        self.steps.blockSignals(False)
        self.page().entered()
        self._update_buttons()
        self.next.setFocus() if self.next.isVisible() and self.next.isEnabled() else self.page().setFocus()

    def go_next(self) -> None:
        if self.next.isEnabled():
            self.go(self.stack.currentIndex() + 1)

    def _can_enter(self, index: int) -> bool:
        """Connect pages gate what follows them (C2: proven before moving on)."""
        return all(self.pages[i].is_complete() for i in range(1, min(index, 3)))

    def _step_clicked(self, row: int) -> None:
        if row >= 0 and self._can_enter(row):
            self.go(row)
        else:
            self.steps.blockSignals(True)
            self.steps.setCurrentRow(self.stack.currentIndex())
            self.steps.blockSignals(False)

    def _update_buttons(self) -> None:
        index = self.stack.currentIndex()
        last = index == len(self.pages) - 1
        self.back.setEnabled(index > 0)
        self.next.setVisible(not last)
        self.next.setEnabled(not last and self.page().is_complete() and self._can_enter(index + 1))
        for row in range(self.steps.count()):
            item = self.steps.item(row)
            enabled = self._can_enter(row)
            flags = item.flags()
            item.setFlags(flags | Qt.ItemFlag.ItemIsEnabled if enabled else flags & ~Qt.ItemFlag.ItemIsEnabled)

    # -- save ------------------------------------------------------------------------------------------------
    def save(self) -> None:
        if self.ctx.missing():  # the button is disabled then; a keyboard shortcut must not get round it
            return
        self.ctx.save("wizard")
        self.saved = Settings.from_json(self.ctx.settings.to_json())
        self.setupSaved.emit(self.saved)
        self.accept()

    def done(self, result: int) -> None:
        self.hike_page.cancel_sign_in()  # a sign-in waiting for the browser would hold the pool
        self.ctx.shutdown()
        super().done(result)
