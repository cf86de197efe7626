"""Issue 17 finding 7: the monitor by keyboard alone (the wizard: ``test_keyboard_walk``). Its own module: the
wizard tests' event-loop fixture would close this world's window."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.gui.monitor_world import WAIT_MS, monitor_world
from tests.gui.test_keyboard_walk import press, tab_to


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    yield from monitor_world(tmp_path_factory)


def test_issue17_f7_the_monitor_by_keyboard_alone(qtbot, world):
    """Ctrl+Tab to the products, Tab into the list, arrows to a row, Enter opens its log, Escape closes it."""
    _, window, _ = world
    window.activateWindow()
    window.tabs.setCurrentIndex(0)
    window.tabs.tabBar().setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    for _ in range(window.tabs.count()):
        if window.tabs.currentWidget() is window.products_view:
            break
        press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.products_view, "Ctrl+Tab reaches the products"
    view = window.products_view
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=WAIT_MS)
    tab_to(qtbot, view.table)
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: getattr(window, "log_dialog", None) is not None and window.log_dialog.isVisible())
    dialog = window.log_dialog
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.table.rowCount() > 0, "the row's log is shown"
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
