"""Issue 17, findings 2-4, under pytest-qt against both sandbox stores over real HTTP: Connect Hike with the
registration the build carries (finding 2), finishing the wizard from its button row (3), Cancel keeps the work (4).
"""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QWidget

from desktop.storage.models import Connection, Preference, SettingsVersion, get_preference
from desktop.sync import hike_registration
from desktop.sync.connections import connect_sandbox
from desktop.views.app_flow import AppFlow
from desktop.views.setup.inventory import InventoryPage
from desktop.views.setup.taxes import TaxesPage
from tests.gui.test_wizard import (WAIT_MS, Browser, connect_hike_for_real, credentials, event_loops_run,  # noqa: F401
                                   fill_mandatory, make_wizard, person, sandbox)


@pytest.fixture
def build_registration(monkeypatch, tmp_path):
    """The registration file the build carries (here: a file named by the developer override)."""
    for name in (hike_registration.CLIENT_ID_ENV, hike_registration.CLIENT_SECRET_ENV):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "hike_app.json"
    monkeypatch.setenv(hike_registration.REGISTRATION_FILE_ENV, str(path))
    yield path
    path.unlink(missing_ok=True)  # the build's file holds the app secret: it leaves nothing on disk (N1)


# -- finding 2: a shop manager sees just Sign in ------------------------------------------------------------------
def test_f2_hike_registration_from_the_build_signs_in_with_advanced_collapsed(qtbot, make_wizard, sandbox,
                                                                              build_registration):
    hike = sandbox.info["hike"]
    build_registration.write_text(json.dumps({"api_address": hike["base_url"], "app_id": hike["client_id"],
                                              "app_secret": hike["client_secret"]}))
    wizard = make_wizard(hike_app=None)
    page = wizard.hike_page
    qtbot.mouseClick(wizard.welcome.real, Qt.MouseButton.LeftButton)
    assert wizard.page() is page
    assert not page.advanced.isVisible() and not page.client_id.isVisible(), "the registration is tucked away"
    assert page.advanced_toggle.isVisible() and "Advanced" in page.advanced_toggle.text().replace("&", "")
    assert not page.no_registration.isVisible()
    assert page.sign_in.isEnabled()
    connect_hike_for_real(qtbot, wizard)
    assert wizard.ctx.hike is not None and page.banner.kind == "ok"

    qtbot.mouseClick(page.advanced_toggle, Qt.MouseButton.LeftButton)  # developers: prefilled from the build
    assert page.advanced.isVisible()
    assert (page.base_url.text(), page.client_id.text()) == (hike["base_url"], hike["client_id"])
    assert page.client_secret.text() == hike["client_secret"]


def test_f2_a_build_without_the_registration_says_so_and_sign_in_waits(qtbot, make_wizard, sandbox,
                                                                       build_registration):
    wizard = make_wizard(hike_app=None)  # no file where the build's registration belongs
    page = wizard.hike_page
    qtbot.mouseClick(wizard.welcome.real, Qt.MouseButton.LeftButton)
    text = page.no_registration.text()
    assert page.no_registration.isVisible() and "built without Hike access" in text
    assert hike_registration.REGISTRATION_FILE in text and hike_registration.REGISTRATION_FILE_ENV in text
    assert "Partner Dashboard" not in text
    assert not page.sign_in.isEnabled() and "no Hike registration" in page.sign_in.toolTip()

    # a developer opens Advanced and types the registration in
    qtbot.mouseClick(page.advanced_toggle, Qt.MouseButton.LeftButton)
    hike = sandbox.info["hike"]
    page.base_url.setText(hike["base_url"])
    qtbot.keyClicks(page.client_id, hike["client_id"])
    assert not page.sign_in.isEnabled()
    qtbot.keyClicks(page.client_secret, hike["client_secret"])
    assert page.sign_in.isEnabled()
    connect_hike_for_real(qtbot, wizard)
    assert wizard.ctx.hike is not None


def test_f2_the_sandbox_keeps_its_own_registration(qtbot, make_wizard, sandbox, build_registration):
    wizard = make_wizard(hike_app=None, sandbox=sandbox)
    page = wizard.hike_page
    assert not page.no_registration.isVisible() and page.sign_in.isEnabled()
    assert page.client_id.text() == sandbox.info["hike"]["client_id"]


# -- finding 3: finishing the wizard -------------------------------------------------------------------------------
def test_f3_save_and_start_syncing_is_the_default_button_of_the_last_step(qtbot, make_wizard, sandbox, credentials):
    connect_sandbox(sandbox.info, credentials, sandbox.person())
    wizard = make_wizard()
    qtbot.waitUntil(lambda: wizard.ctx.facts_state == "loaded", timeout=WAIT_MS)
    assert not wizard.finish.isVisible(), "only on the last step"
    wizard.go(len(wizard.pages) - 1)
    assert wizard.page() is wizard.save_page
    finish = wizard.finish
    assert finish.isVisible() and "Save and start syncing" in finish.text() and finish.isDefault()
    assert finish.parentWidget() is not wizard.save_page.bar, "in the wizard's button row, not mid-page"
    assert abs(finish.mapTo(wizard, finish.rect().center()).y() - wizard.cancel.mapTo(
        wizard, wizard.cancel.rect().center()).y()) <= 2, "on the row of Back and Cancel"
    assert not finish.isEnabled() and "4 items still needed" in wizard.finish_reason.text()
    assert "Complete the items" in finish.toolTip()
    qtbot.keyClick(wizard, Qt.Key.Key_Return)  # disabled: Enter does nothing
    assert SettingsVersion.select().count() == 0

    fill_mandatory(wizard)
    assert finish.isEnabled() and wizard.finish_reason.text() == ""
    wizard.finish_reason.setFocus()
    with qtbot.waitSignal(wizard.setupSaved, timeout=WAIT_MS):
        qtbot.keyClick(wizard, Qt.Key.Key_Return)  # Enter presses it
    assert SettingsVersion.select().count() == 1 and not wizard.isVisible()


def test_f3_each_missing_item_opens_its_step_by_keyboard(qtbot, make_wizard, sandbox, credentials):
    connect_sandbox(sandbox.info, credentials, sandbox.person())
    wizard = make_wizard()
    qtbot.waitUntil(lambda: wizard.ctx.facts_state == "loaded", timeout=WAIT_MS)
    last = len(wizard.pages) - 1
    wizard.go(last)
    label = wizard.save_page.bar.missing
    assert label.text().count("<a href=") == 4  # outlet, shipping tax, a class for each of two taxes
    assert label.textInteractionFlags() & Qt.TextInteractionFlag.LinksAccessibleByKeyboard

    label.setFocus(Qt.FocusReason.OtherFocusReason)
    assert label.hasFocus(), "the list takes keyboard focus"
    qtbot.keyClick(label, Qt.Key.Key_Tab)  # Tab reaches its first link; Enter follows it
    with qtbot.waitSignal(label.linkActivated, timeout=2000) as link:
        qtbot.keyClick(label, Qt.Key.Key_Return)
    assert link.args[0] == "inventory_outlet" and isinstance(wizard.page(), InventoryPage)

    wizard.go(last)
    links = [part.split('"')[1] for part in label.text().split("<a href=")[1:]]
    label.linkActivated.emit(links[-1])  # a tax's class: the Taxes step
    assert isinstance(wizard.page(), TaxesPage)


def test_f3_shipping_tax_offers_no_none_and_the_tax_rule_follows_bigcommerce(qtbot, make_wizard, sandbox,
                                                                             credentials):
    connect_sandbox(sandbox.info, credentials, sandbox.person())
    wizard = make_wizard()
    qtbot.waitUntil(lambda: wizard.ctx.facts_state == "loaded", timeout=WAIT_MS)
    taxes = next(p for p in wizard.settings_pages if isinstance(p, TaxesPage))
    assert "none" not in [taxes.shipping.itemText(i).lower() for i in range(taxes.shipping.count())]
    assert wizard.ctx.settings.tax_inclusive is False and not taxes.inclusive.isChecked()


# -- finding 4: Cancel keeps the work ---------------------------------------------------------------------------
def test_f4_cancel_keeps_the_step_and_the_choices_and_save_clears_them(qtbot, make_wizard, sandbox, credentials):
    connect_sandbox(sandbox.info, credentials, sandbox.person())
    wizard = make_wizard()
    qtbot.waitUntil(lambda: wizard.ctx.facts_state == "loaded", timeout=WAIT_MS)
    wizard.go(wizard.pages.index(wizard.settings_pages[0]))
    fill_mandatory(wizard)
    taxes = next(p for p in wizard.settings_pages if isinstance(p, TaxesPage))
    taxes.inclusive.setChecked(True)
    wizard.go(wizard.pages.index(taxes))
    qtbot.mouseClick(wizard.cancel, Qt.MouseButton.LeftButton)
    assert not wizard.isVisible()
    draft = get_preference("setup_draft")
    assert draft["page"] == "TaxesPage" and draft["settings"]["inventory_outlet"] == 1
    stored = json.dumps(draft)
    for secret in (sandbox.info["hike"]["client_secret"], sandbox.info["bigcommerce"]["access_token"]):
        assert secret not in stored, "nothing secret goes into the draft"

    again = make_wizard()  # opened again (or after the app was closed: the draft is in the database)
    assert again.page() is next(p for p in again.settings_pages if isinstance(p, TaxesPage)), "where it was"
    qtbot.waitUntil(lambda: again.ctx.facts_state == "loaded", timeout=WAIT_MS)
    inventory = next(p for p in again.settings_pages if isinstance(p, InventoryPage))
    assert inventory.outlet.currentText() == "Main Street"
    again_taxes = next(p for p in again.settings_pages if isinstance(p, TaxesPage))
    assert again_taxes.inclusive.isChecked() and again.ctx.settings.tax_inclusive, "the choice, not the guess"
    assert again.ctx.both_connected
    again.go(len(again.pages) - 1)
    with qtbot.waitSignal(again.setupSaved, timeout=WAIT_MS):
        qtbot.mouseClick(again.finish, Qt.MouseButton.LeftButton)
    assert Preference.get_or_none(Preference.key == "setup_draft") is None, "Save clears the draft"


def test_f4_after_cancel_the_main_window_shows_the_connections_and_continue_setup(qtbot, db, sandbox, credentials,
                                                                                   tmp_path):
    hike = sandbox.info["hike"]
    from desktop.sync.connections import HikeApp
    flow = AppFlow(credentials, wizard_options=dict(
        hike_app=HikeApp(hike["base_url"], hike["client_id"], hike["client_secret"]),
        open_url=Browser(person(sandbox)), choose_folder=lambda *_: str(tmp_path)))
    try:
        flow.start()
        wizard = flow.dialog
        qtbot.waitExposed(wizard)
        assert flow.window.setup_button.text() == "Set up…"
        connect_sandbox(sandbox.info, credentials, sandbox.person())  # both stores connected meanwhile
        wizard.ctx.refresh_connections()
        wizard.go(wizard.pages.index(wizard.settings_pages[0]))
        qtbot.mouseClick(wizard.cancel, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: flow.dialog is None, timeout=WAIT_MS)
        status = flow.window.status_label.text()
        assert "Hike: connected" in status and "BigCommerce: connected" in status, status
        assert "Setup not finished" in status and "not connected" not in status
        button = flow.window.setup_button
        assert button.text() == "Continue setup…" and button.isVisible()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert flow.dialog is not None and isinstance(flow.dialog.page(), InventoryPage), "where it was left"
        assert Connection.select().count() == 2
    finally:
        flow.shutdown()
        QApplication.processEvents()


def test_f4_closed_at_welcome_with_nothing_connected_keeps_nothing(qtbot, make_wizard):
    wizard = make_wizard()
    qtbot.mouseClick(wizard.cancel, Qt.MouseButton.LeftButton)
    assert get_preference("setup_draft") is None and make_wizard().page().objectName() == "WelcomePage"


def test_f9_the_backup_is_the_first_thing_pre_flight_offers_above_the_fold(qtbot, make_wizard, sandbox, credentials):
    """Hike advises a backup before the first sync: on Pre-flight it comes first, visible without scrolling at the
    wizard's smallest size, and Welcome says where it is."""
    connect_sandbox(sandbox.info, credentials, sandbox.person())
    wizard = make_wizard()
    assert "first box of Pre-flight" in wizard.welcome.findChild(QWidget, "beforeYouStart").findChildren(
        QLabel)[1].text()
    wizard.resize(wizard.minimumSize())
    wizard.go(wizard.pages.index(wizard.preflight))
    button = wizard.preflight.backup_button
    qtbot.waitUntil(lambda: button.isVisible() and not button.visibleRegion().isEmpty())
    scroll = wizard.preflight.findChild(QScrollArea)
    assert scroll.verticalScrollBar().value() == 0, "seen without scrolling"
    assert button.mapTo(scroll.viewport(), button.rect().bottomLeft()).y() <= scroll.viewport().height()
