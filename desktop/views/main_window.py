"""The main window: title, status bar and the tabs of the monitor (Dashboard, Products, Customers, Sales, Errors,
Differences, Log), all bound to one ``StatusSummary``.

Without a running sync (stores not connected or settings not saved) the window shows what each tab will hold and
a "Set up…" button: it emits ``setupRequested`` (the setup wizard connects to it); "Manage…" emits
``manageRequested``. Closing the window while the sync runs only hides it: the sync goes on, the tray (or a
second launch) brings it back, and "Quit" in the menu or the tray is what stops the app (M5). Without a system tray
closing asks first: keep syncing in the background (a second launch brings the window back), quit, or cancel.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (QApplication, QLabel, QMainWindow, QMessageBox, QPushButton, QTabWidget, QVBoxLayout,
                               QWidget)

from desktop import APP_NAME
from desktop.resources import resource
from desktop.sync.registry import LINK_ENTITIES
from desktop.views.help_menu import HelpMenu

log = logging.getLogger(__name__)

TABS = (QT_TRANSLATE_NOOP("MainWindow", "Dashboard"),
        QT_TRANSLATE_NOOP("MainWindow", "Products"),
        QT_TRANSLATE_NOOP("MainWindow", "Customers"),
        QT_TRANSLATE_NOOP("MainWindow", "Sales"),
        QT_TRANSLATE_NOOP("MainWindow", "Errors"),
        QT_TRANSLATE_NOOP("MainWindow", "Differences"),
        QT_TRANSLATE_NOOP("MainWindow", "Log"))


@dataclass(frozen=True)
class StoreSummary:
    """What the window shows about the two connections (names only, never secrets)."""

    hike_name: str = ""
    bigcommerce_name: str = ""
    sandbox: bool = False


_TAB_HINTS = {
    "Dashboard": QT_TRANSLATE_NOOP("MainWindow", "Sync status, the current pass and the last runs will show here."),
    "Products": QT_TRANSLATE_NOOP("MainWindow", "Every product with its sync status, both ids and its sync history."),
    "Customers": QT_TRANSLATE_NOOP("MainWindow", "Every customer matched by email between Hike and BigCommerce."),
    "Sales": QT_TRANSLATE_NOOP("MainWindow", "BigCommerce orders sent to Hike and Hike sales sent to BigCommerce."),
    "Errors": QT_TRANSLATE_NOOP("MainWindow", "Records that could not be synced, grouped by cause, with the fix."),
    "Differences": QT_TRANSLATE_NOOP("MainWindow", "Linked products whose fields differ between the stores, with a "
                                                   "fix for each."),
    "Log": QT_TRANSLATE_NOOP("MainWindow", "One row per sync pass, with the errors of each."),
}


class EmptyState(QWidget):
    def __init__(self, title: str, text: str, parent: QWidget | None = None, button: QPushButton | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        icon = QLabel()
        icon.setPixmap(QIcon(str(resource("icons", "app.svg"))).pixmap(64, 64))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(icon)
        heading = QLabel(title)
        heading.setObjectName("emptyTitle")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        body = QLabel(text)
        body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        body.setWordWrap(True)
        body.setObjectName("emptyText")
        layout.addWidget(heading)
        layout.addWidget(body)
        if button is not None:
            layout.addSpacing(12)
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(2)


KEEP_SYNCING, QUIT, STAY = "keep syncing", "quit", "stay"


def ask_how_to_close(parent: QWidget) -> str:
    """Issue 17: closing the window while syncing on a desktop without a tray (plain GNOME, Xvfb) would leave no
    icon to come back from, so the person chooses: keep syncing in the background (and learns that launching the app
    again brings the window back), quit, or Cancel/Escape to keep the window."""
    box = QMessageBox(parent)
    box.setObjectName("closeWithoutTrayBox")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(APP_NAME)
    box.setText(QCoreApplication.translate("MainWindow", "Keep syncing with the window closed?"))
    box.setInformativeText(
        QCoreApplication.translate("MainWindow", "This desktop has no system tray, so no icon will stay behind to "
                                                 "reopen the window from. To get this window back, launch {APP_NAME} "
                                                 "again: it brings this window forward instead of starting a second "
                                                 "copy.\n\nQuit stops syncing until you start the app again.").format(
                                                     APP_NAME=APP_NAME))
    keep = box.addButton(QCoreApplication.translate("MainWindow", "&Keep syncing in the background"),
                         QMessageBox.ButtonRole.AcceptRole)
    quit_button = box.addButton(QCoreApplication.translate("MainWindow", "&Quit"),
                                QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    cancel.setText(QCoreApplication.translate("MainWindow", "&Cancel"))
    box.setDefaultButton(keep)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    return KEEP_SYNCING if clicked is keep else QUIT if clicked is quit_button else STAY


class MainWindow(QMainWindow):
    setupRequested = Signal()  # the integrator connects the setup wizard here
    manageRequested = Signal()  # connections and settings of a configured app

    def __init__(self, stores: StoreSummary | None = None, controller: Any = None, *, setup_reason: str = "",
                 setup_started: bool = False, credentials: Any = None,
                 choose_file: Callable[[QWidget, str, str], str] | None = None):
        super().__init__()
        self.credentials = credentials  # the keyring profile of this folder (Help's support bundle names none)
        self._choose_file = choose_file
        self.stores = stores or StoreSummary()
        self.setup_started = setup_started  # a store connected or the wizard's draft kept: "Continue setup"
        self.controller = controller
        self.summary = controller.summary if controller is not None else None
        self.tray = None
        self.log_dialog = None
        self._quitting = False
        self._told_still_syncing = False
        self.setObjectName("mainWindow")
        self.setWindowIcon(QIcon(str(resource("icons", "app.svg"))))
        self.resize(1100, 720)
        self.setMinimumSize(800, 560)  # fits a 1024 × 600 screen with its panel
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self.status_label = QLabel()
        self.status_label.setObjectName("statusSummary")
        self.statusBar().addWidget(self.status_label, 1)
        if self.stores.sandbox:
            badge = QLabel(self.tr("SANDBOX STORES"))
            badge.setObjectName("sandboxBadge")
            badge.setToolTip(self.tr("Built-in practice stores on this computer: nothing reaches a real store."))
            badge.setStyleSheet("QLabel { background: #fff3c4; color: #6b4e00; border: 1px solid #e6c65c;"
                                " border-radius: 4px; padding: 1px 8px; font-weight: bold; }")
            self.statusBar().addPermanentWidget(badge)
        self._build_menu()
        if controller is None:
            self._build_empty(setup_reason)
        else:
            self._build_monitor()
        self._update_status()

    # ---- building -------------------------------------------------------------------------------------------------
    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu(self.tr("&Sync"))
        self.sync_action = QAction(self.tr("Sync &now"), self)
        self.sync_action.setShortcut(QKeySequence("F5"))
        self.check_action = QAction(self.tr("&Check everything now"), self)  # a full pass (D9, D11)
        self.check_action.setObjectName("checkEverythingAction")
        self.pause_action = QAction(self.tr("&Pause"), self)
        self.manage_action = QAction(self.tr("&Manage…"), self)
        self.manage_action.setObjectName("manageAction")
        # N7: shown only while the question is open
        self.orders_start_action = QAction(self.tr("&Where orders start…"), self)
        self.orders_start_action.setObjectName("ordersStartAction")
        self.orders_start_action.setVisible(False)
        self.quit_action = QAction(self.tr("&Quit"), self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        for action in (self.sync_action, self.check_action, self.pause_action):
            menu.addAction(action)
        menu.addAction(self.orders_start_action)
        menu.addSeparator()
        menu.addAction(self.manage_action)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        self.manage_action.triggered.connect(self.manageRequested)
        self.quit_action.triggered.connect(self.quit_app)
        enabled = self.controller is not None
        self.sync_action.setEnabled(enabled)
        self.check_action.setEnabled(enabled)
        self.pause_action.setEnabled(enabled)
        if enabled:
            self.sync_action.triggered.connect(lambda: self.controller.sync_now(None))
            self.check_action.triggered.connect(lambda: self.controller.check_everything())
            self.pause_action.triggered.connect(self.controller.toggle_pause)
        options = {"choose_file": self._choose_file} if self._choose_file is not None else {}
        self.help_menu = HelpMenu(self, self._folder_credentials,
                                  self.controller.check_stores if enabled else None, **options)

    def _folder_credentials(self) -> Any:
        """This folder's keyring profile: the one the window was given, the sync's, or the usual one."""
        if self.credentials is not None:
            return self.credentials
        if self.controller is not None:
            return self.controller.service.credentials
        from desktop.storage.credentials import Credentials

        return Credentials()

    def _orders_start_needed(self, question: str) -> None:
        self.orders_start_action.setVisible(bool(question))
        if question:
            self.ask_orders_start()

    def ask_orders_start(self) -> None:
        """N7: the open "where do orders start" question, non-modal (the monitor stays usable meanwhile)."""
        from desktop.views.orders_start import OrdersStartDialog

        question = self.summary.orders_start_question
        if not question or (self.orders_start_dialog is not None and self.orders_start_dialog.isVisible()):
            return
        self.orders_start_dialog = OrdersStartDialog(question, self.controller.choose_orders_start, self)
        self.orders_start_dialog.show()

    def _build_empty(self, reason: str) -> None:
        for name in TABS:
            if name == "Dashboard":
                started = self.setup_started
                self.setup_button = QPushButton(self.tr("Continue setup…") if started else self.tr("Set up…"))
                self.setup_button.setObjectName("setupButton")
                self.setup_button.setDefault(True)
                self.setup_button.clicked.connect(self.setupRequested)
                text = (reason + " " if reason else "") + (
                    self.tr("The connections and the choices made so far are kept: continue where you left off.")
                    if started else self.tr("Connect Hike and BigCommerce and choose what to sync."))
                self.tabs.addTab(EmptyState(self.tr("Setup not finished") if started else self.tr("Ready to set up"),
                                            text, button=self.setup_button), self.tr(name))
            else:
                self.tabs.addTab(EmptyState(self.tr("Nothing synced yet"), self.tr(_TAB_HINTS[name])), self.tr(name))

    def _build_monitor(self) -> None:
        from desktop.views.dashboard import Dashboard
        from desktop.views.drift_view import DriftView
        from desktop.views.errors_view import ErrorsView
        from desktop.views.records_view import RecordsView
        from desktop.views.runs_view import RunsView
        from desktop.views.tray import Tray

        c = self.controller
        self.dashboard = Dashboard(self.summary)
        self.dashboard.syncRequested.connect(c.sync_now)
        self.dashboard.checkRequested.connect(lambda: c.check_everything())
        self.dashboard.pauseToggled.connect(c.toggle_pause)
        self.dashboard.manageRequested.connect(self.manageRequested)
        self.dashboard.errorsRequested.connect(lambda: self.tabs.setCurrentWidget(self.errors_view))
        # the nouns and key names each list uses (RecordsView translates them)
        QT_TRANSLATE_NOOP("RecordsView", "product"), QT_TRANSLATE_NOOP("RecordsView", "customer")
        QT_TRANSLATE_NOOP("RecordsView", "SKU"), QT_TRANSLATE_NOOP("RecordsView", "Email")
        QT_TRANSLATE_NOOP("RecordsView", "Number")
        self.products_view = RecordsView(LINK_ENTITIES["products"], QT_TRANSLATE_NOOP("RecordsView", "products"),
                                         "SKU")
        self.customers_view = RecordsView(LINK_ENTITIES["customers"], QT_TRANSLATE_NOOP("RecordsView", "customers"),
                                          "Email")
        self.sales_view = RecordsView(
            LINK_ENTITIES["sales"], QT_TRANSLATE_NOOP("RecordsView", "orders and sales"), "Number",
            empty_text=self.tr("No orders or sales synced yet. BigCommerce orders sent to Hike and Hike sales sent "
                               "to BigCommerce will be listed here, each with its sync log."))
        self.errors_view = ErrorsView(c.retry, c.retry_records)
        self.drift_view = DriftView(lambda: c.check_everything(), c.retry_records)
        self.runs_view = RunsView()
        for name, widget in zip(TABS, (self.dashboard, self.products_view, self.customers_view, self.sales_view,
                                       self.errors_view, self.drift_view, self.runs_view)):
            self.tabs.addTab(widget, self.tr(name))  # TABS are marked where they are defined
        for view in (self.products_view, self.customers_view, self.sales_view, self.errors_view, self.drift_view):
            view.recordActivated.connect(self.open_record_log)
        for view in (self.products_view, self.customers_view, self.sales_view):
            view.follow(c.bridge)  # the lists fill while a pass runs, not only at its end
        self.summary.changed.connect(self._update_status)
        self.summary.ordersStartNeeded.connect(self._orders_start_needed)
        self.orders_start_action.triggered.connect(self.ask_orders_start)
        self.orders_start_dialog = None
        self._stale: set = set()
        self.summary.bridge.runFinished.connect(lambda *_: self.refresh_views())
        self.tabs.currentChanged.connect(lambda _: self._refresh_current())
        self.tray = Tray(self.summary, self)
        self.tray.openRequested.connect(self.bring_to_front)
        self.tray.syncRequested.connect(lambda: c.sync_now(None))
        self.tray.pauseToggled.connect(c.toggle_pause)
        self.tray.quitRequested.connect(self.quit_app)
        self.tray.show()

    # ---- behaviour ------------------------------------------------------------------------------------------------
    def refresh_views(self) -> None:
        """After each pass the lists are read again: the tab in view now, the others when they are next shown (one
        view's reads at the end of a pass, not five)."""
        self._stale = {self.products_view, self.customers_view, self.sales_view, self.errors_view, self.drift_view,
                       self.runs_view}
        self._refresh_current()

    def _refresh_current(self) -> None:
        view = self.tabs.currentWidget()
        if view in self._stale:
            self._stale.discard(view)
            view.refresh()

    def open_record_log(self, link_id: int) -> None:
        from desktop.views.record_log import RecordLogDialog

        service = self.controller.service if self.controller is not None else None
        fetch = service.product_url_path if service is not None and service.started else None
        if self.log_dialog is not None:
            self.log_dialog.close()
        self.log_dialog = RecordLogDialog(link_id, storefront_path=fetch, save_safety_stock=self.save_safety_stock,
                                          parent=self)
        self.log_dialog.show()
        self.log_dialog.activateWindow()  # opened from the keyboard: the keys (Escape, Tab) now go to the log

    def save_safety_stock(self, units_by_sku: Mapping[str, int | None]) -> None:
        """A product's own safety stock, or its variants', from its sync log (issue 20): one new settings version,
        used from the next pass."""
        from desktop.sync.service import save_safety_stock

        save_safety_stock(units_by_sku)
        if self.controller is not None:
            self.controller.reload_settings()

    def _title(self) -> str:
        suffix = self.tr(" — sandbox stores") if self.stores.sandbox else ""
        state = f" — {self.summary.state_label()}" if self.summary is not None else ""
        return f"{APP_NAME}{state}{suffix}"

    def _status_text(self) -> str:
        if self.summary is None and self.setup_started:  # the real connections, not "not connected"
            hike = self.tr("Hike: connected") if self.stores.hike_name else self.tr("Hike: not connected")
            bc = self.tr("BigCommerce: connected") if self.stores.bigcommerce_name else \
                self.tr("BigCommerce: not connected")
            return self.tr("{hike}   ·   {bigcommerce}   ·   Setup not finished").format(hike=hike, bigcommerce=bc)
        hike = self.stores.hike_name or self.tr("Hike: not connected")
        bc = self.stores.bigcommerce_name or self.tr("BigCommerce: not connected")
        state = self.summary.headline() if self.summary is not None else self.tr("Not set up")
        return f"{hike}  ⇄  {bc}   ·   {state}"  # names and states, each translated

    def _update_status(self) -> None:
        self.setWindowTitle(self._title())
        self.status_label.setText(self._status_text())
        if self.summary is not None:
            self.pause_action.setText(self.tr("&Resume") if self.summary.paused else self.tr("&Pause"))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.controller is not None and not self._quitting:
            if not self.controller.service.started:  # nothing runs in the background: closing means quitting
                event.accept()
                self.quit_app()
                return
            has_tray = self._has_tray()
            choice = KEEP_SYNCING if has_tray else ask_how_to_close(self)
            if choice == QUIT:
                event.accept()
                self.quit_app()
                return
            if choice != KEEP_SYNCING:  # Escape or Cancel: the window stays
                event.ignore()
                return
            # M5: the window goes, the sync stays; the tray or a second launch brings the window back
            log.info("Window closed; syncing goes on in the background (quit from the tray or the Sync menu)")
            self.hide()
            if has_tray and not self._told_still_syncing:
                self._told_still_syncing = True  # once a session is enough
                self.tray.notify(self.tr("Still syncing"),
                                 self.tr("The sync goes on in the background. Quit from this icon's menu."))
            event.ignore()
            return
        super().closeEvent(event)

    def _has_tray(self) -> bool:
        from desktop.views import tray

        return self.tray is not None and tray.system_tray_available()

    def quit_app(self) -> None:
        """The one way out while syncing: the window closes for real and the event loop ends (app.py then shuts
        the sync down, letting the running pass finish)."""
        self._quitting = True
        if self.tray is not None:
            self.tray.icon.hide()
        self.close()
        app = QApplication.instance()
        if app is not None:
            app.quit()

    def bring_to_front(self) -> None:
        """Called when a second launch (or the tray) asks the running app to show itself."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()
