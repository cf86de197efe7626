"""Connect BigCommerce (C2, C3): API path and access token of a store-level API account, how to create one and the
scopes it needs, and a live check that shows the store's name or the precise problem."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QFormLayout, QLineEdit

from desktop.storage.models import Connection
from desktop.sync.addresses import UnsafeAddress, bigcommerce_api_base, is_sandbox_address
from desktop.sync.bigcommerce import REQUIRED_SCOPES
from desktop.sync.connections import connect_bigcommerce
from desktop.sync.setup_checks import CHECK_RETRY
from desktop.views.setup.connect_hike import _escape
from desktop.views.setup.context import describe_error
from desktop.views.setup.page import SetupPage
from desktop.views.setup.widgets import WrapLabel, action_row, add_row, help_text

API_PATH_HINT = QT_TRANSLATE_NOOP("ConnectBigCommercePage", "https://api.bigcommerce.com/stores/{store hash}/v3/")


def how_to_html() -> str:
    # the scopes' names are BigCommerce's own words (its control panel shows them in English)
    scopes = "".join(f"<li><b>{_escape(name)}</b>: {_escape(level)}</li>" for name, level, _ in REQUIRED_SCOPES)
    return QCoreApplication.translate(
        "ConnectBigCommercePage",
        "<b>How to create the API account</b><ol>"
        "<li>In BigCommerce, open <i>Settings \u203a Store-level API accounts</i> and choose "
        "<i>Create API account</i> (type: V2/V3 API token).</li>"
        "<li>Give it a name such as \u201cHike sync\u201d and set these OAuth scopes:"
        "<ul>{scopes}</ul></li>"
        "<li>Save. Copy the <i>API path</i> and the <i>Access token</i> shown (BigCommerce shows the token "
        "only once) and paste them here.</li></ol>").format(scopes=scopes)


class ConnectBigCommercePage(SetupPage):
    title = QT_TRANSLATE_NOOP("SetupPage", "Connect BigCommerce")
    intro = (QT_TRANSLATE_NOOP("SetupPage", "Paste the API path and access token of a store-level API account. The "
                                            "app checks them with your "
             "store right away and shows the store's name."))

    def build(self) -> None:
        self.checking = False
        self.retry_policy = CHECK_RETRY
        self.status = WrapLabel()
        self.status.setObjectName("bigcommerceStatus")
        self.body.addWidget(self.status)

        form = QFormLayout()
        self.api_path = QLineEdit(self.ctx.bigcommerce.api_path if self.ctx.bigcommerce else "")
        self.api_path.setObjectName("apiPath")
        self.api_path.setPlaceholderText(self.tr(API_PATH_HINT))
        self.api_path.setMinimumWidth(380)
        self.token = QLineEdit()
        self.token.setObjectName("accessToken")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText(self.tr("paste the access token"))
        add_row(form, self.tr("API &path:"), self.api_path,
                self.tr("Shown when the API account is created: {path}").format(path=self.tr(API_PATH_HINT)))
        add_row(form, self.tr("Access &token:"), self.token,
                self.tr("Kept only in the system keyring; never shown again."))
        self.body.addLayout(form)

        self.check = action_row(
            self.body, self.tr("C&heck and connect"), "checkBigCommerce", self.start_check,
            self.tr("Asks BigCommerce for the store's name and tries each permission the sync needs."))
        self.body.addWidget(help_text(how_to_html(), rich=True))

        for field in (self.api_path, self.token):
            field.textChanged.connect(self._fields_changed)
            field.returnPressed.connect(self.start_check)
        self.ctx.connectionsChanged.connect(self._show_state)
        self._show_state()

    def is_complete(self) -> bool:
        return self.ctx.bigcommerce is not None and not self.checking

    def _fields_changed(self) -> None:
        self.check.setEnabled(bool(self.api_path.text().strip() and self.token.text().strip()) and not self.checking)

    def _show_state(self) -> None:
        row = self.ctx.bigcommerce
        if row is not None:
            self.status.setText(self.tr("✔ Connected to <b>{escape}</b> (store {store_hash}).").format(
                escape=_escape(row.store_name), store_hash=row.store_hash))
        else:
            self.status.setText(self.tr("Not connected yet."))
        self._fields_changed()
        self.completeChanged.emit()

    def start_check(self) -> None:
        api_path, token = self.api_path.text().strip(), self.token.text().strip()
        if not api_path or not token or self.checking:
            return
        try:  # before the token goes anywhere
            bigcommerce_api_base(api_path)
        except UnsafeAddress as exc:
            self.banner.show_message("error", exc.message)
            return
        self.checking = True
        self._fields_changed()
        self.banner.clear_message()
        self.busy.start(self.tr("Checking the API path and token with BigCommerce…"))
        self.completeChanged.emit()
        sandbox = is_sandbox_address(api_path)
        credentials, retry = self.ctx.credentials, self.retry_policy

        def work() -> Connection:
            return connect_bigcommerce(api_path, token, credentials, sandbox=sandbox, retry=retry)

        self.ctx.background.run(work, self._connected, self._failed)

    def _finish(self) -> None:
        self.checking = False
        self.busy.stop()
        self._fields_changed()

    def _connected(self, row: Connection) -> None:
        self._finish()
        self.token.clear()  # it is in the keyring now; the field should not keep it
        self.banner.show_message("ok", self.tr("Connected to {store_name}.").format(store_name=row.store_name))
        self.ctx.refresh_connections()
        self.ctx.load_facts()

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        self.banner.show_message("error", describe_error(exc))
        self.completeChanged.emit()
