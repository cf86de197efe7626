"""Issue 20, Manage → Fields: each product field's rule, by keyboard. The default row names the rule Hike's article
gives it under the other tabs' choices; a rule chosen is saved as a new settings version, and the default saves
no key at all (so the default changes nothing)."""
from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.storage.models import SettingsVersion
from desktop.sync.settings import Settings
from desktop.views.setup.fields import FieldsPage
from desktop.views.setup.preferences import PreferencesPage
from tests.gui.test_wizard import credentials, event_loops_run, opened_manage, sandbox  # noqa: F401


def fields_tab(dialog) -> FieldsPage:
    page = next(p for p in dialog.settings_pages if isinstance(p, FieldsPage))
    dialog.tabs.setCurrentWidget(page)
    return page


def test_issue20_manage_fields_sets_a_rule_by_keyboard_and_saves_it(qtbot, db, sandbox, credentials):
    dialog = opened_manage(qtbot, sandbox, credentials)
    page = fields_tab(dialog)
    price, description = page.rules["price"], page.rules["description"]
    assert price.currentText() == "Default: The newest change wins"
    assert description.currentText() == "Default: BigCommerce owns it", "S16's recommended direction"

    qtbot.keyClick(page, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)  # Alt+P: the price's rule
    qtbot.waitUntil(price.hasFocus)
    qtbot.keyClick(price, Qt.Key.Key_Down)
    assert price.currentData() == "hike"
    with qtbot.waitSignal(dialog.settingsSaved) as saved:
        qtbot.mouseClick(dialog.bar.save, Qt.MouseButton.LeftButton)
    assert saved.args[0].field_ownership == {"price": "hike"}, "only the field given a rule is saved"
    newest = SettingsVersion.select().order_by(SettingsVersion.id.desc()).first()
    assert Settings.from_json(newest.data).field_ownership == {"price": "hike"}


def test_issue20_the_default_rule_follows_the_other_tabs(qtbot, db, sandbox, credentials):
    dialog = opened_manage(qtbot, sandbox, credentials)
    prefs = next(p for p in dialog.settings_pages if isinstance(p, PreferencesPage))
    prefs.description.buttons["two_way"].setChecked(True)
    page = fields_tab(dialog)
    assert page.rules["description"].currentText() == "Default: The newest change wins"
    assert dialog.ctx.settings.field_ownership == {}, "a default is no rule of the shop's"


def test_issue20_manage_fields_customer_rules_by_keyboard_are_saved(qtbot, db, sandbox, credentials):
    """The Customers group: one combo per customer field, defaulting to "the newest change wins", reached by its
    Alt shortcut like the product rows; a rule chosen is saved under its ``customer.*`` key."""
    from PySide6.QtWidgets import QGroupBox

    dialog = opened_manage(qtbot, sandbox, credentials)
    page = fields_tab(dialog)
    group = page.findChild(QGroupBox, "fieldRulesCustomers")
    assert group is not None and group.title() == "Customers"
    keys = ("customer.name", "customer.phone", "customer.company", "customer.address")
    for key in keys:
        assert page.rules[key].parent() is group
        assert page.rules[key].currentText() == "Default: The newest change wins"
    phone, name = page.rules["customer.phone"], page.rules["customer.name"]
    qtbot.keyClick(page, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)  # Alt+H: the phone's rule
    qtbot.waitUntil(phone.hasFocus)
    for _ in range(4):  # Hike owns it, BigCommerce owns it, the newest change wins, don't sync
        qtbot.keyClick(phone, Qt.Key.Key_Down)
    assert phone.currentData() == "none"
    qtbot.keyClick(page, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)  # Alt+M: the name's rule
    qtbot.waitUntil(name.hasFocus)
    qtbot.keyClick(name, Qt.Key.Key_Down)
    with qtbot.waitSignal(dialog.settingsSaved) as saved:
        qtbot.mouseClick(dialog.bar.save, Qt.MouseButton.LeftButton)
    assert saved.args[0].field_ownership == {"customer.phone": "none", "customer.name": "hike"}
    newest = SettingsVersion.select().order_by(SettingsVersion.id.desc()).first()
    assert Settings.from_json(newest.data).field_ownership == {"customer.phone": "none", "customer.name": "hike"}
    assert page.rules["name"].currentData() == "", "the product's name is another field"
