"""The setup wizard (issue #7): Welcome, connect both stores, the settings pages, pre-flight, the product matches
(issue 20: a review; nothing to fill in), Save.

The app opens it on first start. On Save the settings become a new ``SettingsVersion`` and ``setupSaved(Settings)``
is emitted: the app starts the first sync in the background and shows the main window (the wizard starts no
sync itself).
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QStackedWidget, QVBoxLayout, QWidget)

from desktop import APP_NAME
from desktop.storage.credentials import Credentials
from desktop.storage.models import Preference, get_preference, set_preference
from desktop.sync.connections import HikeApp
from desktop.sync.settings import Settings, SettingsError
from desktop.sync.words import plural
from desktop.views.setup.connect_bigcommerce import ConnectBigCommercePage
from desktop.views.setup.connect_hike import ConnectHikePage
from desktop.views.setup.context import SetupContext
from desktop.views.setup.directions import DirectionsPage
from desktop.views.setup.inventory import InventoryPage
from desktop.views.setup.matches import MatchesPage
from desktop.views.setup.page import SetupPage
from desktop.views.setup.payments import PaymentsPage
from desktop.views.setup.preferences import PreferencesPage
from desktop.views.setup.preflight import PreflightPage
from desktop.views.setup.prices import PricesPage
from desktop.views.setup.save import SavePage
from desktop.views.setup.taxes import TaxesPage
from desktop.views.setup.welcome import WelcomePage

log = logging.getLogger(__name__)

SETTINGS_PAGES = (InventoryPage, TaxesPage, PaymentsPage, PricesPage, DirectionsPage, PreferencesPage)

# which step holds a setting (a Problem's key starts with it): the Save page's missing items link there
STEP_OF_SETTING = {"inventory_outlet": InventoryPage, "ecommerce_outlet": InventoryPage,
                   "combined_inventory_outlets": InventoryPage, "bigcommerce_location_id": InventoryPage,
                   "tax_map": TaxesPage, "shipping_tax": TaxesPage, "tax_inclusive": TaxesPage,
                   "payment_mapping": PaymentsPage, "payment_register": PaymentsPage, "price_type": PricesPage,
                   "bc_to_hike": DirectionsPage, "hike_to_bc": DirectionsPage, "schedule_minutes": PreferencesPage}

# issue 17, finding 4: what Cancel keeps (the step and the choices; never a secret: those are in the keyring)
DRAFT_KEY = "setup_draft"


def load_draft() -> tuple[str, Settings, bool] | None:
    """The wizard's kept draft: the step it was on, the settings chosen so far and whether its tax rule was seen
    against the stores (else the stores' guess still applies); None when there is none."""
    draft = get_preference(DRAFT_KEY)
    if not isinstance(draft, dict):
        return None
    try:
        return (str(draft.get("page", "")), Settings.from_json(draft.get("settings")),
                bool(draft.get("tax_rule_chosen")))
    except (SettingsError, TypeError, ValueError, AttributeError) as exc:
        log.warning("The kept setup draft can't be read; starting afresh: %s", type(exc).__name__)
        return None


def clear_draft() -> None:
    Preference.delete().where(Preference.key == DRAFT_KEY).execute()


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
        self.setWindowTitle(self.tr("Set up {APP_NAME}").format(APP_NAME=APP_NAME))
        self.setMinimumSize(860, 600)
        self.resize(980, 700)
        draft = load_draft()
        self.ctx = SetupContext(credentials, hike_app=hike_app, sandbox=sandbox, start_sandbox=start_sandbox,
                                open_url=open_url, choose_folder=choose_folder,
                                settings=draft[1] if draft else None, parent=self)
        self.ctx.tax_rule_chosen = bool(draft and draft[2])
        self.saved: Settings | None = None

        self.pages: list[SetupPage] = self._make_pages()

        self.steps = QListWidget()
        self.steps.setObjectName("wizardSteps")
        self.steps.setFixedWidth(200)
        self.steps.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Back/Next move between steps; the list only shows
        self.steps.setAccessibleName(self.tr("Setup steps"))
        self.stack = QStackedWidget()
        self.steps.setSpacing(4)
        for number, page in enumerate(self.pages, start=1):
            title = self.tr("Welcome") if page is self.welcome else \
                QCoreApplication.translate("SetupPage", page.title).format(app=APP_NAME)
            item = QListWidgetItem(self.tr("{number}. {title}").format(number=number, title=title))
            self.steps.addItem(item)
            self.stack.addWidget(page)
            page.completeChanged.connect(self._update_buttons)
        self.steps.currentRowChanged.connect(self._step_clicked)

        self.back = QPushButton(self.tr("< &Back"))
        self.back.setObjectName("wizardBack")
        self.next = QPushButton(self.tr("&Next >"))
        self.next.setObjectName("wizardNext")
        self.next.setDefault(True)
        self.cancel = QPushButton(self.tr("Cancel"))
        self.cancel.setObjectName("wizardCancel")
        self.cancel.setToolTip(self.tr("Close without saving; the connections and the choices made so far are kept "
                               "for next time."))
        # issue 17, finding 3: the last step's action sits in this row, is the default button, says why not yet
        self.finish = self.save_page.bar.save
        self.finish_reason = QLabel()
        self.finish_reason.setObjectName("wizardFinishReason")
        self.back.clicked.connect(lambda: self.go(self.stack.currentIndex() - 1))
        self.next.clicked.connect(self.go_next)
        self.cancel.clicked.connect(self.reject)

        buttons = QHBoxLayout()
        buttons.addWidget(self.finish_reason, 1)
        buttons.addWidget(self.back)
        buttons.addWidget(self.next)
        buttons.addWidget(self.finish)
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
        self.save_page.bar.problemActivated.connect(self.go_to_problem)
        self.ctx.connectionsChanged.connect(self._update_buttons)
        self.ctx.settingsChanged.connect(self._update_buttons)
        self.ctx.factsChanged.connect(self._update_buttons)
        if self.ctx.both_connected:
            self.ctx.load_facts()
        self.go(self._draft_step(draft[0]) if draft else 0)

    def _make_pages(self) -> list[SetupPage]:
        self.welcome = WelcomePage(self.ctx)
        self.hike_page = ConnectHikePage(self.ctx)
        self.bc_page = ConnectBigCommercePage(self.ctx)
        self.settings_pages = [cls(self.ctx) for cls in SETTINGS_PAGES]
        self.preflight = PreflightPage(self.ctx)
        self.matches = MatchesPage(self.ctx)  # issue 20: a review; it never holds back Next or Save
        self.save_page = SavePage(self.ctx)
        return [self.welcome, self.hike_page, self.bc_page, *self.settings_pages, self.preflight, self.matches,
                self.save_page]

    def _draft_step(self, name: str) -> int:
        """Where a kept draft was, or the furthest step before it that can be entered now."""
        index = next((i for i, page in enumerate(self.pages) if page.objectName() == name), 0)
        while index > 0 and not self._can_enter(index):
            index -= 1
        return index

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
        if self.next.isVisible() and self.next.isEnabled():
            self.next.setFocus()
        elif self.finish.isVisible() and self.finish.isEnabled():
            self.finish.setFocus()
        else:
            self.page().setFocus()

    def go_to_problem(self, key: str) -> None:
        """A missing item on the Save page was activated: open the step where it is set."""
        top = key.split(".")[0].split("[")[0]
        if top == "stores":
            if self.ctx.hike is None:
                target: SetupPage = self.hike_page
            elif self.ctx.bigcommerce is None:
                target = self.bc_page
            else:
                target = self.settings_pages[0]  # the lists load (or offer Retry) there
        else:
            cls = STEP_OF_SETTING.get(top)
            target = next((p for p in self.settings_pages if cls is not None and isinstance(p, cls)),
                          self.settings_pages[0])
        self.go(self._draft_step(target.objectName()))

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
        self.next.setDefault(not last)
        self.finish.setVisible(last)
        self.finish.setDefault(last)
        missing = len(self.ctx.missing()) if last else 0
        self.finish_reason.setText(
            self.tr("{plural} still needed (listed above)").format(plural=plural(missing, 'item')) if missing else "")
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
        clear_draft()
        self.saved = Settings.from_json(self.ctx.settings.to_json())
        self.setupSaved.emit(self.saved)
        self.accept()

    def keep_draft(self) -> None:
        """Cancel (or closing the app) keeps the step and the choices for the next time the wizard opens."""
        set_preference(DRAFT_KEY, {"page": self.page().objectName(), "settings": self.ctx.settings.to_json(),
                                   "tax_rule_chosen": self.ctx.tax_rule_chosen or self.ctx.facts is not None})

    def done(self, result: int) -> None:
        if self.saved is None and (self.stack.currentIndex() > 0 or self.ctx.hike or self.ctx.bigcommerce):
            self.keep_draft()  # (closed at Welcome with nothing connected: nothing to continue)
        self.hike_page.cancel_sign_in()  # a sign-in waiting for the browser would hold the pool
        self.ctx.shutdown()
        super().done(result)
