"""Issue 17, start at login: the Preferences page's switch is on by default in a first setup and Save writes the
system's entry; in Manage it shows the entry as it is, and unticking it and saving removes the entry."""
from __future__ import annotations

from PySide6.QtCore import Qt

from desktop import autostart
from desktop.sync.connections import connect_sandbox
from desktop.views.setup import ManageDialog
from desktop.views.setup.preferences import PreferencesPage
from tests.gui.monitor_world import WAIT_MS
from tests.gui.test_wizard import (credentials, event_loops_run, fill_mandatory, make_wizard,  # noqa: F401
                                   sandbox)


def entry() -> autostart.Status:
    return autostart.status()


def preferences(pages) -> PreferencesPage:
    return next(p for p in pages if isinstance(p, PreferencesPage))


def test_issue17_a_first_setup_starts_at_login_unless_unticked(qtbot, make_wizard, sandbox, credentials,
                                                                monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    connect_sandbox(sandbox.info, credentials, sandbox.person())
    wizard = make_wizard()
    qtbot.waitUntil(lambda: wizard.ctx.facts_state == "loaded", timeout=WAIT_MS)
    fill_mandatory(wizard)
    page = preferences(wizard.settings_pages)
    assert page.start_at_login.isChecked(), "on by default once setup is saved"
    wizard.go(wizard.pages.index(wizard.save_page))
    assert "Starts when you log in: yes" in wizard.save_page.summary.text()
    assert not entry().on, "nothing is written before Save"
    with qtbot.waitSignal(wizard.setupSaved, timeout=WAIT_MS):
        qtbot.mouseClick(wizard.finish, Qt.MouseButton.LeftButton)
    found = entry()
    assert found.on and found.ours and found.command[-1] == "--minimized"
    assert found.where.startswith(str(tmp_path / "config"))


def test_issue17_manage_shows_the_entry_and_unticking_it_removes_it(qtbot, db, sandbox, credentials, monkeypatch,
                                                                   tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    connect_sandbox(sandbox.info, credentials, sandbox.person())
    from desktop.storage.models import SettingsVersion
    from desktop.sync.settings import Settings

    SettingsVersion.create(data=Settings.template().to_json(), note="test")
    autostart.enable()
    dialog = ManageDialog(credentials)
    qtbot.addWidget(dialog)
    dialog.show()
    page = preferences(dialog.settings_pages)
    assert page.start_at_login.isChecked(), "Manage shows the entry as it is"
    assert not dialog.unsaved()
    page.start_at_login.setChecked(False)
    assert dialog.unsaved(), "an untouched Save would lose it: Close asks"
    dialog.ctx.save("manage")  # what Save does once the settings are complete
    assert not entry().on and not page.start_at_login.isChecked()
