"""The tray icon (M5): one icon per state (light and dark panels), a menu (open, sync now, pause/resume, mute,
quit) and desktop notifications for new record errors and "reconnect needed", unless muted (a preference).

Bound to the ``StatusSummary`` like the window; it keeps the app reachable while the window is closed and the
sync goes on. S8: when the payment register has been open more than 5 days (a fact the sales sync records as
the preference ``register_opened_at``, ISO time), a reminder is shown once a day.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktop import APP_NAME
from desktop.resources import resource
from desktop.storage.models import get_preference, set_preference
from desktop.sync import register_shift
from desktop.sync.events import PAUSED
from desktop.views.jobs import shared_jobs
from desktop.views.status_summary import StatusSummary

log = logging.getLogger(__name__)

MUTE_PREFERENCE = "notifications_muted"
REGISTER_OPENED_PREFERENCE = register_shift.PREFERENCE  # noted by the sync whenever it reads the registers
REGISTER_REMINDER_AFTER = timedelta(days=5)


def dark_panel() -> bool:
    """A dark theme: the window colour is darker than its text."""
    palette = QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < palette.color(QPalette.ColorRole.WindowText).lightness()


def system_tray_available() -> bool:
    """Whether this desktop shows tray icons (plain GNOME and Xvfb do not); the window asks before hiding without
    one (issue 17), and ``--minimized`` starts to it or to a minimised window. The one seam tests replace."""
    return QSystemTrayIcon.isSystemTrayAvailable()


def tray_icon_path(state: str, dark: bool) -> str:
    return str(resource("icons", f"tray-{state}-{'dark' if dark else 'light'}.svg"))


def register_open_too_long(now: datetime | None = None) -> timedelta | None:
    """How long the payment register has been open, when more than 5 days (S8); None otherwise or unknown."""
    opened = get_preference(REGISTER_OPENED_PREFERENCE)
    if not opened:
        return None
    try:
        since = (now or datetime.now(timezone.utc)) - datetime.fromisoformat(opened)
    except (TypeError, ValueError):
        return None
    return since if since > REGISTER_REMINDER_AFTER else None


class Tray(QObject):
    openRequested = Signal()
    syncRequested = Signal()
    pauseToggled = Signal()
    quitRequested = Signal()
    notified = Signal(str, str)  # title, message: every notification shown (tests and the log)

    def __init__(self, summary: StatusSummary, parent: QObject | None = None):
        super().__init__(parent)
        self.summary = summary
        self.icon = QSystemTrayIcon(self)
        self.icon.setObjectName("trayIcon")
        self.menu = QMenu()
        self.open_action = QAction(self.tr("Open {APP_NAME}").format(APP_NAME=APP_NAME), self.menu)
        self.sync_action = QAction(self.tr("Sync now"), self.menu)
        self.pause_action = QAction(self.tr("Pause syncing"), self.menu)
        self.mute_action = QAction(self.tr("Mute notifications"), self.menu)
        self.mute_action.setCheckable(True)
        self.mute_action.setChecked(bool(get_preference(MUTE_PREFERENCE, False)))
        self.quit_action = QAction(self.tr("Quit (stops syncing)"), self.menu)
        for action in (self.open_action, self.sync_action, self.pause_action):
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.menu.addAction(self.mute_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.icon.setContextMenu(self.menu)
        self.open_action.triggered.connect(self.openRequested)
        self.sync_action.triggered.connect(self.syncRequested)
        self.pause_action.triggered.connect(self.pauseToggled)
        self.quit_action.triggered.connect(self.quitRequested)
        self.mute_action.toggled.connect(self._set_muted)
        self.icon.activated.connect(self._activated)
        self._reminded_on: str | None = None
        summary.changed.connect(self.update_icon)
        summary.newErrors.connect(self._new_errors)
        summary.reconnectNeeded.connect(lambda message: self.notify("Reconnect needed", message,
                                                                     QSystemTrayIcon.MessageIcon.Warning))
        summary.bridge.runFinished.connect(lambda *_: self.remind_register())
        self.update_icon()

    @property
    def state(self) -> str:
        return self.icon.property("syncState")

    def show(self) -> None:
        if system_tray_available():
            self.icon.show()
        else:
            log.info("No system tray on this desktop: the window stays the way back to the app")

    def update_icon(self) -> None:
        state = self.summary.state
        if self.icon.property("syncState") != state:
            self.icon.setIcon(QIcon(tray_icon_path(state, dark_panel())))
            self.icon.setProperty("syncState", state)
        self.icon.setToolTip(self.tr("{APP_NAME}\n{headline}").format(
            APP_NAME=APP_NAME, headline=self.summary.headline()))
        paused = self.summary.paused or state == PAUSED
        self.pause_action.setText(self.tr("Resume syncing") if paused else self.tr("Pause syncing"))

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.openRequested.emit()

    @property
    def muted(self) -> bool:
        return self.mute_action.isChecked()

    def _set_muted(self, muted: bool) -> None:
        # a preference write may wait behind a pass's transaction: never on the GUI thread
        shared_jobs().run(lambda: set_preference(MUTE_PREFERENCE, muted), name="mute preference")

    def _new_errors(self, count: int, first: str) -> None:
        self.notify(self.tr("1 record could not be synced") if count == 1 else
                    self.tr("{count} records could not be synced").format(count=count),
                    (first + "\n" if first else "") + self.tr("Open the app's Errors tab for the fix."),
                    QSystemTrayIcon.MessageIcon.Warning)

    def notify(self, title: str, message: str,
               icon: QSystemTrayIcon.MessageIcon = QSystemTrayIcon.MessageIcon.Information) -> bool:
        if self.muted:
            log.info("Notification muted: %s", title)
            return False
        log.info("Notification: %s: %s", title, message)
        if self.icon.isVisible() and QSystemTrayIcon.supportsMessages():
            self.icon.showMessage(title, message, icon, 10000)
        self.notified.emit(title, message)
        return True

    def remind_register(self) -> None:
        """S8: at most once a day, when the register has stayed open more than 5 days."""
        open_for = register_open_too_long()
        today = datetime.now().date().isoformat()
        if open_for is None or self._reminded_on == today:
            return
        self._reminded_on = today
        self.notify(self.tr("Close the payment register"),
                    self.tr("The register BigCommerce payments go to has been open for {days} days. Reports "
                            "reconcile better when it is closed daily.").format(days=open_for.days))
