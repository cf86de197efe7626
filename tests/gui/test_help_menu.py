"""Issue 18: Help → Save a support bundle… and Check my stores…, driven with pytest-qt on a real database."""
from __future__ import annotations

import zipfile

from PySide6.QtWidgets import QMessageBox

from desktop.storage.credentials import Credentials
from desktop.storage.models import Link
from desktop.views.main_window import MainWindow, StoreSummary
from tests.keyrings import MemoryKeyring


def test_issue18_help_saves_a_support_bundle_off_the_windows_thread(qtbot, db, tmp_path):
    Link.create(entity="customer", hike_id="3", status="failed", name="Jack Thompson",
                sku="jack.thompson2@example.com", last_result="error", last_message="Refused")
    chosen: list[str] = []

    def choose(_parent, title, suggested):
        chosen.append(suggested)
        return str(tmp_path / "for-support")  # no .zip typed: the app adds it

    window = MainWindow(StoreSummary(), None, setup_reason="Not set up.",
                        credentials=Credentials("help-test", backend=MemoryKeyring()), choose_file=choose)
    qtbot.addWidget(window)
    window.show()
    menu = window.help_menu
    assert not menu.check_action.isEnabled()  # no stores to check before setup
    menu.bundle_action.trigger()
    qtbot.waitUntil(lambda: menu.saved is not None, timeout=30_000)
    assert chosen and chosen[0].endswith(".zip") and "hike-bc-sync-support-" in chosen[0]
    assert menu.saved == tmp_path / "for-support.zip"
    with zipfile.ZipFile(menu.saved) as archive:
        names = set(archive.namelist())
        text = "\n".join(archive.read(n).decode() for n in names)
    assert {"README.txt", "about.json", "errors.json"} <= names
    assert "jack.thompson2@example.com" not in text and "Jack Thompson" not in text
    assert '"qt": "6.' in text  # the window adds its Qt version
    box = window.findChild(QMessageBox, "supportBundleSaved")
    assert box is not None and str(menu.saved) in box.text()
    assert menu.bundle_action.isEnabled()
    box.close()
