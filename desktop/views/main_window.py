"""The main window: title, status bar and the five tabs the monitor fills in (Dashboard, Products,
Customers, Sales, Log). Until the sync engine lands each tab says what it will show."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from desktop import APP_NAME
from desktop.resources import resource

TABS = ("Dashboard", "Products", "Customers", "Sales", "Log")


@dataclass(frozen=True)
class StoreSummary:
    """What the window shows about the two connections (names only, never secrets)."""

    hike_name: str = ""
    bigcommerce_name: str = ""
    sandbox: bool = False


_TAB_HINTS = {
    "Dashboard": "Sync status, the current pass and the last runs will show here.",
    "Products": "Every product with its sync status, both ids and its sync history.",
    "Customers": "Every customer matched by email between Hike and BigCommerce.",
    "Sales": "BigCommerce orders sent to Hike and Hike sales sent to BigCommerce.",
    "Log": "One row per sync pass, with the errors of each.",
}


class EmptyState(QWidget):
    def __init__(self, title: str, text: str, parent: QWidget | None = None):
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
        layout.addStretch(2)


class MainWindow(QMainWindow):
    def __init__(self, stores: StoreSummary | None = None):
        super().__init__()
        self.stores = stores or StoreSummary()
        self.setObjectName("mainWindow")
        self.setWindowIcon(QIcon(str(resource("icons", "app.svg"))))
        self.setWindowTitle(self._title())
        self.resize(1100, 720)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        for name in TABS:
            self.tabs.addTab(EmptyState(self._empty_title(name), _TAB_HINTS[name]), name)
        self.setCentralWidget(self.tabs)
        self.status_label = QLabel(self._status_text())
        self.status_label.setObjectName("statusSummary")
        self.statusBar().addWidget(self.status_label, 1)
        if self.stores.sandbox:
            badge = QLabel("SANDBOX STORES")
            badge.setObjectName("sandboxBadge")
            badge.setToolTip("Built-in practice stores on this computer: nothing reaches a real store.")
            badge.setStyleSheet("QLabel { background: #fff3c4; color: #6b4e00; border: 1px solid #e6c65c;"
                                " border-radius: 4px; padding: 1px 8px; font-weight: bold; }")
            self.statusBar().addPermanentWidget(badge)

    def _title(self) -> str:
        suffix = " — sandbox stores" if self.stores.sandbox else ""
        return f"{APP_NAME}{suffix}"

    def _empty_title(self, tab: str) -> str:
        return "Nothing synced yet" if tab != "Dashboard" else "Ready to set up"

    def _status_text(self) -> str:
        hike = self.stores.hike_name or "Hike: not connected"
        bc = self.stores.bigcommerce_name or "BigCommerce: not connected"
        return f"{hike}  ⇄  {bc}   ·   Idle"

    def bring_to_front(self) -> None:
        """Called when a second launch asks the running app to show itself."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()
