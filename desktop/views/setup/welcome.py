"""Welcome: connect the real stores, or try everything on the built-in sandbox stores first."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Signal
from PySide6.QtWidgets import QCommandLinkButton

from desktop import APP_NAME
from desktop.sync.connections import connect_sandbox
from desktop.views.setup.before_you_start import before_you_start
from desktop.views.setup.context import describe_error
from desktop.views.setup.page import SetupPage
from desktop.views.setup.widgets import help_text


class WelcomePage(SetupPage):
    title = QT_TRANSLATE_NOOP("SetupPage", "Welcome to {app}")  # {app}: APP_NAME, filled in where titles are shown
    intro = (QT_TRANSLATE_NOOP("SetupPage", "This app keeps your Hike POS store and your BigCommerce store in step: "
                                            "products, stock, customers "
             "and orders. First connect both stores, then choose how they sync. Nothing is written to either "
             "store until you save the settings."))

    realChosen = Signal()
    sandboxConnected = Signal()

    def build(self) -> None:
        self.real = QCommandLinkButton(self.tr("&Connect my stores"),
                                       self.tr("Sign in with Hike in your browser and paste a BigCommerce API "
                                               "token."))
        self.real.setObjectName("connectRealStores")
        self.real.setToolTip(self.tr("Connect your own Hike and BigCommerce stores."))
        self.real.clicked.connect(self.realChosen)
        self.sandbox = QCommandLinkButton(self.tr("&Try the sandbox stores"),
                                          self.tr("Two practice stores that run on this computer, filled with a "
                                                  "demo catalog. Nothing reaches a real store."))
        self.sandbox.setObjectName("trySandbox")
        self.sandbox.setToolTip(self.tr("Start the built-in Hike and BigCommerce practice stores and connect them."))
        self.sandbox.clicked.connect(self.try_sandbox)
        self.body.addWidget(self.real)
        self.body.addWidget(self.sandbox)
        self.body.addWidget(help_text(
            self.tr("You can come back to every setting later from \u201cManage\u201d. Disconnecting there removes the "
            "stores' sign-in from this computer.")))
        self.body.addWidget(before_you_start())

    def is_complete(self) -> bool:
        """Next stays off here: the person picks one of the two paths, so Enter alone (Next is the wizard's
        default button) takes neither, and never starts the real stores' sign-in by surprise."""
        return False

    def try_sandbox(self) -> None:
        self.banner.clear_message()
        self.real.setEnabled(False)
        self.sandbox.setEnabled(False)
        self.busy.start(self.tr("Starting the sandbox stores and connecting them…"))
        ctx = self.ctx

        def work() -> Any:
            stores = ctx.start_sandbox()
            connect_sandbox(stores.info, ctx.credentials, stores.person())
            return stores

        ctx.background.run(work, self._connected, self._failed)

    def _connected(self, _stores: Any) -> None:
        self.busy.stop()
        self.real.setEnabled(True)
        self.sandbox.setEnabled(True)
        self.ctx.refresh_connections()
        self.ctx.load_facts()
        self.sandboxConnected.emit()

    def _failed(self, exc: BaseException) -> None:
        self.busy.stop()
        self.real.setEnabled(True)
        self.sandbox.setEnabled(True)
        self.banner.show_message("error", self.tr("The sandbox stores could not be started: {describe_error}").format(
            describe_error=describe_error(exc)))
