"""Screenshots of every setup wizard page and Manage tab, on the sandbox stores.

Run on a (virtual) screen:
    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshots_wizard.py [--dark]
Writes docs/screenshots/wizard-*.png and manage-*.png (``--dark``: a dark palette, files end in -dark).
Both stores are connected for real (the Hike sign-in is completed by the sandbox's stand-in browser); every
page is grabbed once its lists have loaded.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"


def wait_until(app, condition, timeout_s: float = 60) -> None:
    """Let the event loop run (the pages load off the GUI thread) until ``condition`` holds."""
    from PySide6.QtCore import QDeadlineTimer
    from PySide6.QtTest import QTest

    deadline = QDeadlineTimer(int(timeout_s * 1000))
    while not condition():
        if deadline.hasExpired():
            raise TimeoutError("the page did not finish loading")
        QTest.qWait(20)


def dark_palette():
    from PySide6.QtGui import QColor, QPalette

    p = QPalette()
    roles = {QPalette.ColorRole.Window: "#2b2d31", QPalette.ColorRole.WindowText: "#e8e8e8",
             QPalette.ColorRole.Base: "#1f2023", QPalette.ColorRole.AlternateBase: "#2b2d31",
             QPalette.ColorRole.Text: "#e8e8e8", QPalette.ColorRole.Button: "#3a3c42",
             QPalette.ColorRole.ButtonText: "#e8e8e8", QPalette.ColorRole.Highlight: "#4a7dd8",
             QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.PlaceholderText: "#a0a0a8",
             QPalette.ColorRole.ToolTipBase: "#3a3c42", QPalette.ColorRole.ToolTipText: "#e8e8e8",
             QPalette.ColorRole.Link: "#8ab4f8"}
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#7a7a80"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#7a7a80"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#7a7a80"))
    return p


def slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-").replace("--", "-")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dark", action="store_true")
    args = parser.parse_args()
    suffix = "-dark" if args.dark else ""

    from PySide6.QtWidgets import QApplication

    from desktop.sandbox.browser import SandboxPerson
    from desktop.sandbox.stores import start_sandbox
    from desktop.storage.credentials import Credentials
    from desktop.storage.db import close_db, init_db
    from desktop.sync.connections import HikeApp
    from desktop.views.setup import ManageDialog, SetupWizard
    from desktop.views.setup.inventory import InventoryPage
    from desktop.views.setup.taxes import TaxesPage
    from desktop.views.setup.wizard import clear_draft
    from tests.keyrings import MemoryKeyring

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    if args.dark:
        app.setPalette(dark_palette())
    OUT.mkdir(parents=True, exist_ok=True)
    sandbox = start_sandbox("demo", hike_rate_limit=False, bc_quota="100000/30")
    info = sandbox.info
    folder = Path(tempfile.mkdtemp(prefix="wizard-shots-"))
    init_db(folder / "sync.sqlite3")
    credentials = Credentials("screenshots", backend=MemoryKeyring())
    person = SandboxPerson(info["hike"]["username"], info["hike"]["password"])

    def browser(url: str) -> bool:
        threading.Thread(target=person, args=(url,), daemon=True).start()
        return True

    written = []

    def grab(widget, name: str) -> None:
        app.processEvents()
        path = OUT / f"{name}{suffix}.png"
        app.processEvents()  # the layout settles (a note's height follows its width)
        widget.grab().save(str(path))
        written.append(path)

    try:
        hike = info["hike"]
        # a build made without this app's Hike registration (issue 17, finding 2), then Advanced opened
        os.environ["HIKEBC_HIKE_APP_FILE"] = str(folder / "no-hike-app.json")
        for name in ("HIKEBC_HIKE_CLIENT_ID", "HIKEBC_HIKE_CLIENT_SECRET"):
            os.environ.pop(name, None)
        bare = SetupWizard(credentials, open_url=browser, choose_folder=lambda *_: str(folder / "backup"))
        bare.show()
        bare.go(1)
        grab(bare, "wizard-02d-connect-hike-no-registration")
        bare.hike_page.advanced_toggle.setChecked(True)
        grab(bare, "wizard-02e-connect-hike-advanced")
        bare.reject()
        clear_draft()
        wizard = SetupWizard(credentials, hike_app=HikeApp(hike["base_url"], hike["client_id"], hike["client_secret"]),
                             open_url=browser, choose_folder=lambda *_: str(folder / "backup"))
        wizard.show()
        grab(wizard, "wizard-01-welcome")
        wizard.go(1)
        grab(wizard, "wizard-02-connect-hike")
        wizard.hike_page.start_sign_in()
        grab(wizard, "wizard-02b-connect-hike-waiting")
        wait_until(app, lambda: wizard.ctx.hike is not None and not wizard.hike_page.waiting)
        grab(wizard, "wizard-02c-connect-hike-connected")
        wizard.go(2)
        wizard.bc_page.api_path.setText(info["bigcommerce"]["api_path"])
        wizard.bc_page.token.setText("not-the-right-token")
        wizard.bc_page.start_check()
        wait_until(app, lambda: not wizard.bc_page.checking)
        grab(wizard, "wizard-03b-connect-bigcommerce-bad-token")
        wizard.bc_page.token.setText(info["bigcommerce"]["access_token"])
        wizard.bc_page.start_check()
        wait_until(app, lambda: not wizard.bc_page.checking)
        grab(wizard, "wizard-03-connect-bigcommerce")
        wait_until(app, lambda: wizard.ctx.facts_state == "loaded")
        for number, page in enumerate(wizard.settings_pages, start=4):
            wizard.go(wizard.pages.index(page))
            if isinstance(page, InventoryPage):
                grab(wizard, f"wizard-{number:02d}a-{slug(page.title)}-empty")
                page.outlet.setCurrentIndex(page.outlet.findText("Main Street"))
            if isinstance(page, TaxesPage):
                for combo in page.combos.values():
                    combo.setCurrentIndex(combo.findText("Default Tax Class"))
                page.shipping.setCurrentIndex(page.shipping.findText("GST"))
            grab(wizard, f"wizard-{number:02d}-{slug(page.title)}")
        wizard.go(wizard.pages.index(wizard.preflight))
        wait_until(app, lambda: wizard.preflight.result is not None)
        grab(wizard, "wizard-10-preflight")
        wizard.go(wizard.pages.index(wizard.matches))
        wait_until(app, lambda: wizard.matches.loaded)
        wizard.matches.table.selectRow(0)  # a row chosen: its details and the actions that apply to it
        grab(wizard, "wizard-11-matches")
        wizard.go(wizard.pages.index(wizard.save_page))
        grab(wizard, "wizard-12-save")
        inventory = wizard.settings_pages[0]
        inventory.outlet.setCurrentIndex(-1)
        grab(wizard, "wizard-12b-save-disabled")
        inventory.outlet.setCurrentIndex(inventory.outlet.findText("Main Street"))
        wizard.save()

        manage = ManageDialog(credentials)
        manage.show()
        wait_until(app, lambda: manage.ctx.facts_state == "loaded")
        for index, page in enumerate(manage.pages):
            manage.tabs.setCurrentIndex(index)
            if page is manage.preflight:
                wait_until(app, lambda: manage.preflight.result is not None)
            if page is manage.matches:
                wait_until(app, lambda: manage.matches.loaded)
                manage.matches.table.selectRow(0)
            grab(manage, f"manage-{index + 1:02d}-{slug(manage.tabs.tabText(index))}")
        manage.ask_disconnect()
        wait_until(app, manage.disconnect_dialog.isVisible)
        grab(manage.disconnect_dialog, "manage-99-disconnect")
        manage.disconnect_dialog.reject()
        manage.close()
        for window in (wizard, manage):
            window.deleteLater()
        from PySide6.QtTest import QTest

        QTest.qWait(50)  # let the windows go before the interpreter tears Qt down
    finally:
        close_db()
        sandbox.stop()
    for path in written:
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
