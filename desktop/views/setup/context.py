"""What the setup pages share: the connections, the store lists, the settings being edited, and how to reach
the outside world (browser, folder picker, sandbox), so tests can stand in for each of them.

The wizard and the Manage dialog each own one ``SetupContext``; every page reads and writes through it.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget

from desktop import autostart
from desktop.storage.credentials import CredentialError, Credentials
from desktop.storage.logs import redact
from desktop.storage.models import Connection, SettingsVersion
from desktop.sync import errors
from desktop.sync.connections import HikeApp, saved_hike_secret
from desktop.sync.hike_registration import HIKE_API_URL, load_registration
from desktop.sync.settings import Problem, Settings, SettingsError, StoreFacts
from desktop.sync.setup_checks import read_store_facts
from desktop.views.jobs import Jobs

log = logging.getLogger(__name__)

def open_in_system_browser(url: str) -> bool:
    return QDesktopServices.openUrl(QUrl(url))


def ask_for_folder(parent: QWidget | None, title: str) -> str:
    return QFileDialog.getExistingDirectory(parent, title)


def describe_error(exc: BaseException) -> str:
    """A failure in words a shop manager can act on; never a secret (everything is redacted)."""
    if isinstance(exc, errors.ReconnectNeeded):
        text = exc.message  # "Reconnect needed" reads oddly while connecting; the message says what to do
    elif isinstance(exc, errors.SyncError):
        text = f"{exc.title}: {exc.message}"
    elif isinstance(exc, CredentialError):
        text = f"{exc.title}: {exc.message}"
    elif isinstance(exc, SettingsError):
        text = str(exc)
    elif isinstance(exc, ValueError):  # our own input checks (an API path of the wrong shape, ...)
        text = str(exc)
    elif isinstance(exc, OSError):
        text = f"{exc.strerror or exc}"
    else:
        log.error("Unexpected setup failure: %s: %s", type(exc).__name__, redact(str(exc)))
        text = QCoreApplication.translate("SetupContext", "Unexpected error ({kind}): {error}").format(
            kind=type(exc).__name__, error=exc)
    return redact(text)


def newest_settings() -> Settings | None:
    """The settings in force: the newest saved version (None when nothing readable is saved)."""
    row = SettingsVersion.select().order_by(SettingsVersion.id.desc()).first()
    if row is None:
        return None
    try:
        return Settings.from_saved(row.data)
    except SettingsError as exc:
        log.warning("The saved settings can't be read; starting from the recommended ones: %s", exc)
        return None


class SetupContext(QObject):
    connectionsChanged = Signal()
    factsChanged = Signal()  # loading started, finished or failed: read ``facts_state``
    settingsChanged = Signal()

    def __init__(self, credentials: Credentials, *, hike_app: HikeApp | None = None, sandbox: Any = None,
                 start_sandbox: Callable[[], Any] | None = None, open_url: Callable[[str], Any] | None = None,
                 choose_folder: Callable[[QWidget | None, str], str] | None = None,
                 settings: Settings | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.credentials = credentials
        # the registration to sign in with: given (tests, sandbox), the one the connection was made with, the
        # build's own; ``hike_app_missing`` when there is none (a build made without it: the page says so)
        found = hike_app or self._connected_hike_app() or self._sandbox_hike_app(sandbox) or load_registration()
        self.hike_app_missing = found is None
        self.hike_app = found or HikeApp(HIKE_API_URL, "", "")
        self.sandbox = sandbox  # SandboxStores when running on the built-in stores
        self.sandbox_started_here = False
        self._start_sandbox = start_sandbox
        self.open_url = open_url or open_in_system_browser
        self.choose_folder = choose_folder or ask_for_folder
        self.background = Jobs(self)
        self.saved_settings = newest_settings()  # what is in force, to tell what an edit turns on or off
        self.settings = settings or (Settings.from_json(self.saved_settings.to_json()) if self.saved_settings
                                     else Settings.template())
        # start at login (issue 17): the entry itself is the truth; a first setup turns it on unless unticked
        self.login_entry = autostart.status()
        self.start_at_login = self.login_entry.ours if self.saved_settings else True
        self.tax_rule_chosen = False  # the wizard's kept draft: its tax rule is the person's choice, not a guess
        self.facts: StoreFacts | None = None
        self.facts_state = "idle"  # idle | loading | loaded | failed
        self.facts_error = ""
        self.hike: Connection | None = None
        self.bigcommerce: Connection | None = None
        self.refresh_connections()

    # -- connections -----------------------------------------------------------------------------------------
    def _connected_hike_app(self) -> HikeApp | None:
        """The registration the Hike connection was made with, so signing in again from Manage just works."""
        row = Connection.get_or_none(Connection.side == "hike")
        if row is None or not row.base_url or not row.client_id:
            return None
        try:
            secret = saved_hike_secret(self.credentials, row)
        except (CredentialError, errors.SyncError):
            build = load_registration()
            secret = build.client_secret if build and build.client_id == row.client_id else ""
        return HikeApp(row.base_url, row.client_id, secret)

    @staticmethod
    def _sandbox_hike_app(sandbox: Any) -> HikeApp | None:
        """The sandbox's Hike store has its own registration (``--sandbox``); the real one is not used there."""
        info = getattr(sandbox, "info", None)
        hike = info.get("hike") if isinstance(info, dict) else None
        if not hike:
            return None
        return HikeApp(hike["base_url"], hike["client_id"], hike["client_secret"])

    def refresh_connections(self) -> None:
        self.hike = Connection.get_or_none(Connection.side == "hike")
        self.bigcommerce = Connection.get_or_none(Connection.side == "bigcommerce")
        self.connectionsChanged.emit()

    @property
    def both_connected(self) -> bool:
        return self.hike is not None and self.bigcommerce is not None

    def start_sandbox(self) -> Any:
        """The built-in stores (started once, on a worker thread: binding and seeding takes a moment)."""
        if self.sandbox is None:
            if self._start_sandbox is None:  # the entry point (desktop.app) injects the starter
                raise RuntimeError(self.tr("This window was opened without the sandbox stores."))
            self.sandbox = self._start_sandbox()
            self.sandbox_started_here = True
        return self.sandbox

    # -- the store lists (outlets, registers, taxes, tax classes, payment types, locations) -------------------
    def load_facts(self) -> None:
        if not self.both_connected or self.facts_state == "loading":
            return
        self.facts_state, self.facts_error = "loading", ""
        self.factsChanged.emit()
        self.background.run(self._read_facts, self._facts_loaded, self._facts_failed)

    def _read_facts(self) -> StoreFacts:
        return read_store_facts(self.credentials)

    def _facts_loaded(self, facts: StoreFacts) -> None:
        self.facts, self.facts_state = facts, "loaded"
        if self.saved_settings is None and not self.tax_rule_chosen and facts.bc_prices_inc_tax is not None:
            # a new setup (issue 17, finding 5): Hike's API does not tell its "tax inclusive prices" rule, and the
            # stores must agree (P2), so the first guess is BigCommerce's own, not a default that warns at once
            self.settings.tax_inclusive = facts.bc_prices_inc_tax
        self.factsChanged.emit()
        self.settingsChanged.emit()  # the checks now run against the stores

    def _facts_failed(self, exc: BaseException) -> None:
        self.facts_state, self.facts_error = "failed", describe_error(exc)
        self.factsChanged.emit()

    # -- the settings ----------------------------------------------------------------------------------------
    def settings_changed(self) -> None:
        self.settingsChanged.emit()

    def problems(self) -> list[Problem]:
        """Every problem of the settings being edited; against the stores once their lists are loaded."""
        problems = self.settings.validate(self.facts)
        if self.facts is None:
            # without the stores' lists the tax map can't be checked per tax: say what is still needed
            reason = {"loading": "The stores' lists are still loading.",
                      "failed": f"The stores' lists could not be loaded: {self.facts_error}"}.get(
                self.facts_state, "Connect both stores first.")
            problems.insert(0, Problem("stores", reason))
        return problems

    def missing(self) -> list[Problem]:
        return [p for p in self.problems() if p.mandatory]

    def save(self, note: str) -> SettingsVersion:
        """A new SettingsVersion: the newest row is the settings in force; older ones stay as history."""
        newest = SettingsVersion.select().order_by(SettingsVersion.id.desc()).first()
        if newest is not None:  # a SKU's own safety stock is set from its sync log and the CLI, never here
            try:
                self.settings.safety_stock.skus = Settings.from_saved(newest.data).safety_stock.skus
            except SettingsError:
                pass  # a version that cannot be read: this one's own stand
        row = SettingsVersion.create(data=self.settings.to_json(), note=note)
        self.saved_settings = Settings.from_json(row.data)
        self._apply_start_at_login()
        return row

    def _apply_start_at_login(self) -> None:
        """Only a change is applied: an entry another install left is not removed because a box was left alone."""
        if self.start_at_login == self.login_entry.ours:
            return
        try:
            self.login_entry = autostart.enable() if self.start_at_login else autostart.disable()
        except OSError as exc:  # the settings are saved all the same; the switch shows what really happened
            log.warning("Could not change starting at login: %s", exc)
            self.start_at_login = self.login_entry.ours

    def shutdown(self) -> None:
        self.background.shutdown()
