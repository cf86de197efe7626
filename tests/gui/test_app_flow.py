"""The app's flow between windows (C4, C6, M5), on the sandbox stores over real HTTP: first start opens the wizard;
its Save starts the sync and the window becomes the monitor; Manage's Disconnect stops the sync and goes back to
the set-up screen and the wizard."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from desktop.sandbox.stores import start_sandbox
from desktop.storage.credentials import Credentials
from desktop.storage.models import Run, SettingsVersion
from desktop.sync.connections import connect_sandbox
from desktop.sync.service import save_sandbox_settings_if_none
from desktop.views.app_flow import AppFlow
from desktop.views.setup import ManageDialog, SetupWizard
from tests.gui.monitor_world import fast_clients
from tests.keyrings import MemoryKeyring

WAIT_MS = 120_000


@pytest.fixture
def sandbox():
    stores = start_sandbox("demo", bc_quota="100000/30", hike_rate_limit=False)
    yield stores
    stores.stop()


@pytest.fixture
def flow(db, sandbox, qtbot):
    credentials = Credentials("flow-test", backend=MemoryKeyring())
    flow = AppFlow(credentials, wizard_options={"start_sandbox": lambda: sandbox},
                   controller_options={"open_clients": fast_clients})
    yield flow
    flow.shutdown()
    QApplication.instance().setQuitOnLastWindowClosed(True)


def test_c4_first_start_opens_the_wizard_and_its_save_starts_the_sync_in_the_monitor(flow, sandbox, qtbot):
    flow.start()
    assert flow.controller is None and flow.window.isVisible()
    assert flow.window.findChild(object, "setupButton") is not None, "the set-up screen"
    wizard = flow.dialog
    assert isinstance(wizard, SetupWizard) and wizard.isVisible(), "first start: the wizard opens by itself"

    # what the wizard's pages do (walked for real in test_wizard.py): connect, then Save the settings
    connect_sandbox(sandbox.info, flow.credentials, sandbox.person())
    save_sandbox_settings_if_none()
    saved = SettingsVersion.select().order_by(SettingsVersion.id.desc()).first()
    setup_window = flow.window
    wizard.setupSaved.emit(saved.data)

    assert flow.controller is not None and flow.window is not setup_window
    assert flow.window.findChild(object, "setupButton") is None, "the monitor now"
    assert not QApplication.instance().quitOnLastWindowClosed(), "closing the window keeps syncing (M5)"
    qtbot.waitUntil(lambda: Run.select().where(Run.finished_at.is_null(False)).count() >= 1, timeout=WAIT_MS)
    assert Run.select().order_by(Run.id).first().status in ("ok", "partial")


def test_c6_disconnect_in_manage_stops_the_sync_and_goes_back_to_setting_up(flow, sandbox, qtbot):
    connect_sandbox(sandbox.info, flow.credentials, sandbox.person())
    save_sandbox_settings_if_none()
    flow.start()
    assert flow.controller is not None and flow.dialog is None, "set up: the monitor, no wizard"
    qtbot.waitUntil(lambda: flow.controller.service.started, timeout=WAIT_MS)
    flow.open_manage()
    manage = flow.dialog
    assert isinstance(manage, ManageDialog)
    manage.disconnected.emit(False)  # what its Disconnect button does once confirmed (tested in test_wizard.py)
    manage.accept()
    qtbot.waitUntil(lambda: flow.controller is None and isinstance(flow.dialog, SetupWizard), timeout=WAIT_MS)
    assert flow.window.findChild(object, "setupButton") is not None
    assert QApplication.instance().quitOnLastWindowClosed()
