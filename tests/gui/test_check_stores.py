"""Issue 18: Help → Check my stores, driven with pytest-qt over the sandbox stores on real HTTP (the check itself:
tests/integration/test_diagnose.py)."""
from __future__ import annotations

import json

import httpx
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from desktop.sync.connections import connect_sandbox
from desktop.sync.diagnose import LATEST
from desktop.sync.service import SyncService
from desktop.views.check_stores import CheckStoresDialog
from tests.gui.test_wizard import credentials, sandbox  # noqa: F401

WAIT_MS = 60_000


def test_issue18_check_my_stores_shows_every_check_then_names_a_difference(qtbot, db, data_dir, credentials,
                                                                          sandbox):
    connect_sandbox(sandbox.info, credentials, sandbox.person())
    dialog = CheckStoresDialog(SyncService(credentials).check_stores)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start()
    assert not dialog.again.isEnabled()  # one check at a time
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=WAIT_MS)
    assert dialog.summary.text().startswith("Both stores answered as expected")
    text = dialog.details.toPlainText()
    assert "Hike · Products with their variant rows" in text and "BigCommerce · Order transactions" in text
    assert json.loads((data_dir / LATEST).read_text())["ok"] is True  # kept for the support bundle

    httpx.post(f"{sandbox.hike_server.base_url}/__emulator/reshape", timeout=10,
               json={"rules": [{"path": "customers/get_all", "field": "id", "rename": "customer_id"}]})
    first = dialog.report
    qtbot.keyClick(dialog.again, Qt.Key.Key_Space)  # by keyboard: the button has the focus after a check
    qtbot.waitUntil(lambda: dialog.report is not first, timeout=WAIT_MS)
    assert "1 of" in dialog.summary.text() and "found a difference" in dialog.summary.text()
    assert "no `id` (an unknown field `customer_id` came instead): the sync needs it" in dialog.details.toPlainText()
    dialog.copy.click()
    copied = QGuiApplication.clipboard().text()
    assert "Hike · Customers (GET /api/v1/customers/get_all): unexpected shape" in copied
