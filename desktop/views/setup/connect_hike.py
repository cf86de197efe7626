"""Connect Hike (C1, C3): "Sign in with Hike" in the system browser, a visible wait that can be cancelled, and the
cause in plain words when it fails (access denied, cancelled, timed out, wrong app id or secret, no network)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLineEdit, QToolButton

from desktop.storage.models import Connection
from desktop.sync.addresses import UnsafeAddress, hike_api_base, is_sandbox_address
from desktop.sync.connections import HikeApp, connect_hike
from desktop.sync.hike_registration import REGISTRATION_FILE, REGISTRATION_FILE_ENV
from desktop.views.setup.context import describe_error
from desktop.views.setup.page import SetupPage
from desktop.views.setup.widgets import Banner, WrapLabel, add_row, button, help_text

SIGN_IN_TIMEOUT_S = 300.0


class ConnectHikePage(SetupPage):
    title = QT_TRANSLATE_NOOP("SetupPage", "Connect Hike")
    intro = (QT_TRANSLATE_NOOP("SetupPage", "Sign in to your Hike store in your web browser and allow this app "
                                            "access. The browser then hands the "
             "sign-in back to this app; your Hike password never passes through it."))

    # emitted from the sign-in thread, delivered on the GUI thread (queued): open the browser there
    _browserRequested = Signal(str)

    def build(self) -> None:
        self.timeout_s = SIGN_IN_TIMEOUT_S
        self._receiver: Any = None
        self.waiting = False

        self.status = WrapLabel()
        self.status.setObjectName("hikeStatus")
        self.body.addWidget(self.status)

        row = QHBoxLayout()
        self.sign_in = button(self.tr("&Sign in with Hike"), "signInWithHike", self.start_sign_in,
                              self.tr("Opens Hike's sign-in page in your web browser."))
        self.sign_in.setDefault(True)
        self.cancel = button(self.tr("&Cancel sign-in"), "cancelHikeSignIn", self.cancel_sign_in,
                             self.tr("Stop waiting for the browser."))
        self.cancel.hide()
        row.addWidget(self.sign_in)
        row.addWidget(self.cancel)
        row.addStretch(1)
        self.body.addLayout(row)

        self.link = WrapLabel()
        self.link.setObjectName("hikeSignInLink")
        self.link.setTextFormat(Qt.TextFormat.RichText)
        self.link.setOpenExternalLinks(True)
        self.link.hide()
        self.body.addWidget(self.link)

        # issue 17, finding 2: the registration ships with the build; a shop manager sees just Sign in
        self.no_registration = Banner()
        self.no_registration.setObjectName("hikeNoRegistration")
        self._say_if_built_without_registration()
        self.body.addWidget(self.no_registration)

        self.advanced_toggle = QToolButton()
        self.advanced_toggle.setObjectName("hikeAdvancedToggle")
        self.advanced_toggle.setText(self.tr("Ad&vanced (for developers)"))
        self.advanced_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_toggle.setCheckable(True)
        self.advanced_toggle.setAutoRaise(True)
        self.advanced_toggle.setToolTip(self.tr("This app's Hike registration: the API address, App Id and App "
                                                "Secret."))
        self.advanced_toggle.toggled.connect(self._show_advanced)
        self.body.addWidget(self.advanced_toggle, 0, Qt.AlignmentFlag.AlignLeft)

        box = QGroupBox(self.tr("This app's Hike registration"))
        box.setObjectName("hikeRegistration")
        form = QFormLayout(box)
        self.base_url = QLineEdit(self.ctx.hike_app.base_url)
        self.client_id = QLineEdit(self.ctx.hike_app.client_id)
        self.client_secret = QLineEdit(self.ctx.hike_app.client_secret)
        self.client_secret.setEchoMode(QLineEdit.EchoMode.Password)
        add_row(form, self.tr("Hike &API address:"), self.base_url,
                self.tr("Hike's API address; leave as it is for a real store."))
        add_row(form, self.tr("App &Id:"), self.client_id,
                self.tr("The App Id of this app in Hike's Partner Dashboard."))
        add_row(form, self.tr("App Sec&ret:"), self.client_secret,
                self.tr("The App Secret of this app (kept in the system keyring)."))
        form.addRow(help_text(self.tr("Comes with the app's build; change it only when developing the app or if Hike "
                              "support asks you to.")))
        for field in (self.base_url, self.client_id, self.client_secret):
            field.textChanged.connect(self._update_sign_in)
        self.advanced = box
        box.hide()
        self.body.addWidget(box)

        self._browserRequested.connect(self._open_browser)
        self.ctx.connectionsChanged.connect(self._show_state)
        self._show_state()

    # -- state -----------------------------------------------------------------------------------------------
    def _say_if_built_without_registration(self) -> None:
        if self.ctx.hike_app_missing:
            self.no_registration.show_message(
                "warning", self.tr("This copy of the app was built without Hike access, so it cannot sign in to "
                                   "Hike. The person who built it must put the app's Hike registration in "
                                   "{REGISTRATION_FILE} (or set {REGISTRATION_FILE_ENV} to such a file) and build "
                                   "the app again.").format(REGISTRATION_FILE=REGISTRATION_FILE,
                                                            REGISTRATION_FILE_ENV=REGISTRATION_FILE_ENV))

    def is_complete(self) -> bool:
        return self.ctx.hike is not None and not self.waiting

    def _show_state(self) -> None:
        row = self.ctx.hike
        if row is not None:
            self.status.setText(self.tr("✔ Connected to <b>{escape}</b>.").format(escape=_escape(row.store_name)))
            self.sign_in.setText(self.tr("&Sign in with Hike again"))
        else:
            self.status.setText(self.tr("Not connected yet."))
            self.sign_in.setText(self.tr("&Sign in with Hike"))
        self._update_sign_in()
        self.completeChanged.emit()

    def _show_advanced(self, shown: bool) -> None:
        self.advanced.setVisible(shown)
        self.advanced_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        if shown:
            self.base_url.setFocus()

    def _update_sign_in(self) -> None:
        """Sign in needs the app's registration; without it the button is disabled and says why."""
        app = self.app()
        ready = bool(app.base_url and app.client_id and app.client_secret)
        self.sign_in.setEnabled(ready and not self.waiting)
        self.sign_in.setToolTip(self.tr("Opens Hike's sign-in page in your web browser.") if ready else
                                self.tr("This copy of the app has no Hike registration: see the note above."))

    # -- sign-in ---------------------------------------------------------------------------------------------
    def app(self) -> HikeApp:
        return HikeApp(self.base_url.text().strip(), self.client_id.text().strip(), self.client_secret.text().strip())

    def start_sign_in(self) -> None:
        app = self.app()
        if not (app.base_url and app.client_id and app.client_secret):
            self.banner.show_message("error", self.tr("This app's Hike registration is incomplete: it needs the Hike "
                                                      "API "
                                              "address, App Id and App Secret (under Advanced)."))
            return
        try:  # before the browser opens: a wrong address would get the app secret and your sign-in
            hike_api_base(app.base_url)
        except UnsafeAddress as exc:
            self.banner.show_message("error", exc.message)
            return
        self.banner.clear_message()
        self.waiting = True
        self._receiver = None
        self.sign_in.setEnabled(False)
        self.cancel.show()
        self.busy.start(self.tr("Waiting for you to sign in to Hike and allow access in your browser…"))
        self.completeChanged.emit()
        sandbox = is_sandbox_address(app.base_url)
        credentials, timeout = self.ctx.credentials, self.timeout_s

        def work() -> Connection:
            return connect_hike(app, credentials, self._browserRequested.emit, sandbox=sandbox, timeout_s=timeout,
                                on_waiting=self._set_receiver)

        self.ctx.background.run(work, self._signed_in, self._failed)

    def _set_receiver(self, receiver: Any) -> None:  # sign-in thread
        self._receiver = receiver

    def _open_browser(self, url: str) -> None:
        self.link.setText(self.tr("If your browser did not open, open this address: <a href=\"{escape}\">Hike "
                                  "sign-in page</a>").format(escape=_escape(url)))
        self.link.show()
        if self.ctx.open_url(url) is False:
            self.banner.show_message("warning", self.tr("No web browser could be opened here: use the link below to "
                                                "open Hike's sign-in page yourself."))

    def cancel_sign_in(self) -> None:
        if self._receiver is not None:
            self._receiver.cancel()

    def _done(self) -> None:
        self.waiting = False
        self._receiver = None
        self._update_sign_in()
        self.cancel.hide()
        self.link.hide()
        self.busy.stop()

    def _signed_in(self, _row: Connection) -> None:
        self._done()
        self.banner.show_message("ok", self.tr("Hike is connected."))
        self.ctx.refresh_connections()
        self.ctx.load_facts()

    def _failed(self, exc: BaseException) -> None:
        self._done()
        self.banner.show_message("error", describe_error(exc))
        self._show_state()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
