"""Manage: the wizard's pages as tabs over the saved settings (C4). Save keeps a new ``SettingsVersion`` (older
ones stay as history) and emits ``settingsSaved(Settings)``; "Disconnect" (C6) warns, removes the tokens from the
keyring and keeps the local history unless the manager also asks to wipe it (``disconnected(wiped)``)."""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QHBoxLayout, QMessageBox, QPushButton,
                               QTabWidget, QVBoxLayout, QWidget)

from desktop import APP_NAME
from desktop.storage.credentials import Credentials
from desktop.sync.connections import HikeApp, disconnect
from desktop.sync.settings import Settings
from desktop.views.setup.connect_bigcommerce import ConnectBigCommercePage
from desktop.views.setup.connect_hike import ConnectHikePage
from desktop.views.setup.context import SetupContext, describe_error
from desktop.views.setup.fields import FieldsPage
from desktop.views.setup.matches import MatchesPage
from desktop.views.setup.page import SetupPage
from desktop.views.setup.preflight import PreflightPage
from desktop.views.setup.save import SaveBar
from desktop.views.setup.widgets import Banner, WrapLabel, button, heading
from desktop.views.setup.wizard import SETTINGS_PAGES

DISCONNECT_WARNING = (
    QT_TRANSLATE_NOOP("DisconnectDialog", "Disconnecting removes the sign-in of both stores (their tokens) from this "
                                          "computer's keyring, and the app "
    "stops syncing. Re-integrating later starts from scratch: the stores are connected again and the first sync "
    "links every record again.\n\nThe local history (links, sync runs, the log and the saved settings) is kept "
    "unless you tick the box below."))

TAB_TITLES = {"ConnectHikePage": QT_TRANSLATE_NOOP("ManageDialog", "Hike"),
              "ConnectBigCommercePage": QT_TRANSLATE_NOOP("ManageDialog", "BigCommerce"),
              "DirectionsPage": QT_TRANSLATE_NOOP("ManageDialog", "What syncs"),
              "MatchesPage": QT_TRANSLATE_NOOP("ManageDialog", "Matches"),
              "PreflightPage": QT_TRANSLATE_NOOP("ManageDialog", "Pre-flight")}


class DisconnectDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("disconnectDialog")
        self.setWindowTitle(self.tr("Disconnect both stores?"))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Disconnect both stores?"), 1.15))
        layout.addWidget(WrapLabel(self.tr(DISCONNECT_WARNING)))  # full-strength text: this is the warning itself
        # Alt+H: Alt+D is Disconnect's
        self.wipe = QCheckBox(self.tr("Also delete the local &history (links, runs, log and settings)"))
        self.wipe.setObjectName("wipeHistory")
        layout.addWidget(self.wipe)
        buttons = QDialogButtonBox()
        self.confirm = buttons.addButton(self.tr("&Disconnect"), QDialogButtonBox.ButtonRole.DestructiveRole)
        self.confirm.setObjectName("confirmDisconnect")
        self.cancel = cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.confirm.setAutoDefault(False)
        cancel.setDefault(True)  # Enter must not disconnect by accident
        self.confirm.clicked.connect(self.accept)
        cancel.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def showEvent(self, event: QShowEvent) -> None:
        """Focus starts on Cancel, the safe button (given before showing, it went to the check box)."""
        super().showEvent(event)
        self.cancel.setFocus()


class ManageDialog(QDialog):
    """``ManageDialog(credentials)``: ``settingsSaved(Settings)`` after Save, ``disconnected(bool wiped)``."""

    settingsSaved = Signal(object)
    disconnected = Signal(bool)

    def __init__(self, credentials: Credentials, *, hike_app: HikeApp | None = None,
                 open_url: Callable[[str], Any] | None = None, choose_folder: Callable[..., str] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("manageDialog")
        self.setWindowTitle(self.tr("Manage {APP_NAME}").format(APP_NAME=APP_NAME))
        self.setMinimumSize(860, 600)
        self.resize(980, 720)
        self.ctx = SetupContext(credentials, hike_app=hike_app, open_url=open_url, choose_folder=choose_folder,
                                parent=self)
        self.hike_page = ConnectHikePage(self.ctx)
        self.bc_page = ConnectBigCommercePage(self.ctx)
        # Fields (issue 20) only here: a first setup keeps Hike's article's rules, changed later if wanted
        self.settings_pages = [cls(self.ctx) for cls in (*SETTINGS_PAGES, FieldsPage)]
        self.matches = MatchesPage(self.ctx)  # issue 20 (B2): the match review, after Fields
        self.preflight = PreflightPage(self.ctx)
        self.pages: list[SetupPage] = [self.hike_page, self.bc_page, *self.settings_pages, self.matches,
                                       self.preflight]
        self.tabs = QTabWidget()
        self.tabs.setObjectName("manageTabs")
        for page in self.pages:
            title = self.tr(TAB_TITLES[type(page).__name__]) if type(page).__name__ in TAB_TITLES else \
                QCoreApplication.translate("SetupPage", page.title)
            self.tabs.addTab(page, title)
        self.tabs.currentChanged.connect(lambda i: self.pages[i].entered())

        self.saved_note = Banner()
        self.saved_note.setObjectName("savedNote")
        self.bar = SaveBar(self.ctx, self.tr("Save chan&ges"))
        self.bar.saveRequested.connect(self.save)
        self.disconnect_button = button(self.tr("&Disconnect…"), "disconnectStores", self.ask_disconnect,
                                        self.tr("Remove both stores' sign-in from this computer."))
        close = QPushButton(self.tr("Close"))
        close.setObjectName("manageClose")
        close.clicked.connect(self.reject)
        self.disconnect_dialog: DisconnectDialog | None = None

        footer = QHBoxLayout()
        footer.addWidget(self.disconnect_button)
        footer.addWidget(self.bar, 1)
        footer.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.saved_note)
        layout.addLayout(footer)
        self.ctx.settingsChanged.connect(self._edited)
        self.ctx.load_facts()
        self.tabs.setCurrentIndex(self.pages.index(self.settings_pages[0]))

    def _edited(self) -> None:
        if self.saved_note.kind == "ok":
            self.saved_note.clear_message()

    def save(self) -> None:
        if self.ctx.missing():
            return
        row = self.ctx.save("manage")
        settings = Settings.from_json(self.ctx.settings.to_json())
        self.saved_note.show_message("ok", self.tr("Saved (settings version {id}). The next sync pass uses them.")
                                     .format(id=row.id))
        self.settingsSaved.emit(settings)

    # -- disconnect (C6) ---------------------------------------------------------------------------------------
    def ask_disconnect(self) -> None:
        self.disconnect_dialog = DisconnectDialog(self)
        self.disconnect_dialog.accepted.connect(self._disconnect)
        self.disconnect_dialog.open()  # window-modal, without a nested event loop

    def _disconnect(self) -> None:
        wipe = self.disconnect_dialog.wipe.isChecked() if self.disconnect_dialog else False
        try:
            disconnect(self.ctx.credentials, wipe_history=wipe)
        except Exception as exc:  # noqa: BLE001 - a keyring or database failure is shown, not raised
            self.saved_note.show_message("error", self.tr("Could not disconnect: {describe_error}").format(
                describe_error=describe_error(exc)))
            return
        self.ctx.refresh_connections()
        self.disconnected.emit(wipe)
        self.accept()

    # -- closing with unsaved edits (issue 17, finding 4) ------------------------------------------------------
    def unsaved(self) -> bool:
        """The settings as edited differ from the ones in force (or the start-at-login switch from the entry)."""
        saved = self.ctx.saved_settings
        login_changed = self.ctx.start_at_login != self.ctx.login_entry.ours
        return login_changed or (saved is not None and saved.to_json() != self.ctx.settings.to_json())

    def reject(self) -> None:
        """Close (the Close button, Escape, and the window's ×: QDialog's close event asks ``reject``): edits not
        saved are never dropped without asking."""
        if not self.unsaved():
            super().reject()
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Unsaved changes"),
                          self.tr("Your changes to the settings are not saved yet."), parent=self)
        box.setObjectName("unsavedChanges")
        box.setInformativeText(self.tr("Save them now, discard them, or go on editing."))
        save = box.addButton(self.tr("&Save changes"), QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton(self.tr("Disca&rd changes"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(self.tr("&Keep editing"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.buttonClicked.connect(lambda chosen: self._unsaved_answer(chosen, save, discard))
        self.unsaved_box = box
        box.open()  # window-modal, without a nested event loop

    def _unsaved_answer(self, chosen: Any, save: Any, discard: Any) -> None:
        if chosen is save:
            self.save()  # refused while mandatory settings are missing: the dialog stays, the bar says what
            if not self.unsaved():
                super().reject()
        elif chosen is discard:
            super().reject()

    def done(self, result: int) -> None:
        self.hike_page.cancel_sign_in()
        self.ctx.shutdown()
        super().done(result)
