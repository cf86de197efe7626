"""Issue 17 finding 7: the whole wizard by keyboard alone (the monitor: ``test_keyboard_walk_monitor``).

Every step below moves the focus with Tab only (``tab_to`` fails when a control cannot be reached that way) and acts
with the keys a person uses: Space on a button, typing in a field, the first letters in a list, Enter for the
default button. No mouse click and no direct call on a widget, except that the tests wait for the stores.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

from desktop.views.setup.inventory import InventoryPage
from desktop.views.setup.taxes import TaxesPage
from tests.gui.monitor_world import WAIT_MS
from tests.gui.test_wizard import (Browser, credentials, event_loops_run, make_wizard, person,  # noqa: F401
                                   sandbox)

MOST_TABS = 120  # more Tab presses than any page has controls


def tab_to(qtbot, target: QWidget) -> None:
    """Tab from the focused control until ``target`` has the focus, as a person looking for it would; fails with
    where the focus went instead (a keyboard trap shows as the same few controls over and over)."""
    seen: list[str] = []
    for _ in range(MOST_TABS):
        focused = QApplication.focusWidget()
        if focused is target:
            return
        seen.append(f"{type(focused).__name__}:{focused.objectName()}")
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    raise AssertionError(f"{target!r} cannot be reached with Tab; the focus went: {seen[-20:]}")


def press(qtbot, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def choose(qtbot, combo: QComboBox, text: str) -> None:
    """Tab to a list and pick an entry by typing its first word (a space would open the list instead)."""
    tab_to(qtbot, combo)
    qtbot.keyClicks(combo, text.split()[0])
    assert combo.currentText() == text, f"typing {text!r} chose {combo.currentText()!r}"


def next_page(qtbot, wizard) -> None:
    tab_to(qtbot, wizard.next)
    press(qtbot, Qt.Key.Key_Space)


def test_issue17_f7_the_wizard_from_welcome_to_save_by_keyboard_alone(qtbot, make_wizard, sandbox):
    wizard = make_wizard(Browser(person(sandbox)))
    # the wizard is the window being used (another test's window may still be open and had the keyboard)
    wizard.activateWindow()
    qtbot.waitUntil(lambda: wizard.isActiveWindow() and wizard.isAncestorOf(QApplication.focusWidget()))
    tab_to(qtbot, wizard.welcome.real)
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: wizard.page() is not wizard.welcome)
    while wizard.page() is not wizard.hike_page:  # "Before you start", if shown
        next_page(qtbot, wizard)

    page = wizard.hike_page
    tab_to(qtbot, page.sign_in)
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: wizard.ctx.hike is not None and not page.waiting, timeout=WAIT_MS)
    next_page(qtbot, wizard)

    bc = wizard.bc_page
    info = sandbox.info["bigcommerce"]
    tab_to(qtbot, bc.api_path)
    qtbot.keyClicks(bc.api_path, info["api_path"])
    tab_to(qtbot, bc.token)
    qtbot.keyClicks(bc.token, info["access_token"])
    tab_to(qtbot, bc.check)
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not bc.checking and wizard.ctx.bigcommerce is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: wizard.ctx.facts_state == "loaded", timeout=WAIT_MS)
    next_page(qtbot, wizard)

    assert isinstance(wizard.page(), InventoryPage)
    choose(qtbot, wizard.page().outlet, "Main Street")
    while not isinstance(wizard.page(), TaxesPage):
        next_page(qtbot, wizard)
    for combo in wizard.page().combos.values():
        choose(qtbot, combo, "Default Tax Class")
    choose(qtbot, wizard.page().shipping, "GST")
    while wizard.page() is not wizard.preflight:
        next_page(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.preflight.result is not None, timeout=WAIT_MS)
    next_page(qtbot, wizard)
    assert wizard.page() is wizard.matches  # issue 20: a review, nothing to fill in
    qtbot.waitUntil(lambda: wizard.matches.loaded, timeout=WAIT_MS)
    next_page(qtbot, wizard)

    assert wizard.page() is wizard.save_page
    qtbot.waitUntil(wizard.finish.isEnabled)
    with qtbot.waitSignal(wizard.setupSaved, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)  # Enter: "Save and start syncing", the default button
