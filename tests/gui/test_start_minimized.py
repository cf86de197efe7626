"""--minimized (start at login, issue 17): the first window starts hidden in the tray when the desktop has one,
else as a minimised window (never invisible with no way back). The tray's availability is its one seam."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from desktop.sandbox.stores import start_sandbox
from desktop.storage.credentials import Credentials
from desktop.views import tray
from desktop.views.app_flow import AppFlow
from tests.gui.monitor_world import fast_clients
from tests.keyrings import MemoryKeyring


@pytest.fixture
def sandbox():
    stores = start_sandbox("demo", bc_quota="100000/30", hike_rate_limit=False)
    yield stores
    stores.stop()


def started(db, sandbox, qtbot, minimized):
    flow = AppFlow(Credentials("minimized-test", backend=MemoryKeyring()), sandbox=sandbox, minimized=minimized,
                   controller_options={"open_clients": fast_clients})
    flow.start()
    return flow


@pytest.mark.parametrize("has_tray", [True, False])
def test_minimized_start(db, sandbox, qtbot, monkeypatch, has_tray):
    monkeypatch.setattr(tray, "system_tray_available", lambda: has_tray)
    flow = started(db, sandbox, qtbot, minimized=True)
    try:
        window = flow.window
        assert window.controller is not None and window.tray is not None
        if has_tray:
            assert not window.isVisible()
        else:
            qtbot.waitUntil(window.isVisible)
            assert window.isMinimized()
    finally:
        flow.shutdown()
        QApplication.instance().setQuitOnLastWindowClosed(True)


def test_without_minimized_the_window_shows(db, sandbox, qtbot, monkeypatch):
    monkeypatch.setattr(tray, "system_tray_available", lambda: True)
    flow = started(db, sandbox, qtbot, minimized=False)
    try:
        qtbot.waitUntil(flow.window.isVisible)
        assert not flow.window.isMinimized()
    finally:
        flow.shutdown()
        QApplication.instance().setQuitOnLastWindowClosed(True)
