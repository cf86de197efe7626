"""Keyboard use (issue 17, finding 7): a list's row opens its sync log from the keyboard, wizard pages have no
invisible Tab stop, the disconnect confirmation's shortcuts are unique and its focus starts on the safe button, and
Enter on Welcome does not start signing in to the real stores."""
from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QScrollArea, QWidget

from desktop.storage.credentials import Credentials
from desktop.storage.models import Link
from desktop.views.records_view import RecordsView
from desktop.views.setup import ManageDialog, SetupWizard
from desktop.views.setup.manage import DisconnectDialog
from tests.keyrings import MemoryKeyring


@pytest.fixture(autouse=True)
def event_loops_run(qapp):
    """As in test_wizard: a late quit() left by an earlier test would make every wait return at once."""
    QTimer.singleShot(0, qapp.quit)
    qapp.exec()


@pytest.fixture
def credentials():
    return Credentials("test", backend=MemoryKeyring())


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space])
def test_enter_or_space_on_a_selected_row_opens_its_log(qtbot, db, key):
    links = [Link.create(entity="product", hike_id=str(i), bc_id=str(100 + i), sku=f"SKU-{i}", name=f"Mug {i}")
             for i in range(3)]
    view = RecordsView(("product",), "products")
    qtbot.addWidget(view)
    view.refresh()
    view.show()
    qtbot.waitExposed(view)
    view.table.setFocus()
    view.table.selectRow(1)
    qtbot.waitUntil(view.table.hasFocus)
    with qtbot.waitSignal(view.recordActivated, timeout=1000) as opened:
        qtbot.keyClick(view.table, key)
    assert opened.args == [view.model.row_at(1).id]
    assert view.model.row_at(1).id in {link.id for link in links}


def _invisible_stop(widget) -> bool:
    """A scroll area, or its viewport: nothing there shows that it has focus."""
    parent = widget.parentWidget() if widget is not None else None
    return isinstance(widget, QScrollArea) or (isinstance(parent, QScrollArea) and widget is parent.viewport())


def test_tab_never_stops_on_a_pages_scroll_area(qtbot, db, credentials):
    wizard = SetupWizard(credentials)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    for index, page in enumerate(wizard.pages):
        wizard.go(index)
        wizard.cancel.setFocus()
        qtbot.waitUntil(wizard.cancel.hasFocus)
        for _ in range(60):
            QApplication.focusWidget().focusNextChild()
            focused = QApplication.focusWidget()
            assert not _invisible_stop(focused), f"{type(page).__name__}: Tab stops on {focused!r}"


def test_a_field_taking_focus_below_the_fold_is_scrolled_into_view(qtbot, db, credentials):
    wizard = SetupWizard(credentials)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.resize(wizard.minimumSize())
    page = max(wizard.settings_pages, key=lambda p: p.findChild(QScrollArea).widget().sizeHint().height())
    scroll = page.findChild(QScrollArea)
    wizard.go(wizard.pages.index(page))
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() > 0)
    fields = [w for w in scroll.widget().findChildren(QWidget)
              if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    last = max(fields, key=lambda w: w.mapTo(scroll.widget(), w.rect().bottomLeft()).y())
    last.setFocus()  # as its Alt shortcut would
    qtbot.waitUntil(last.hasFocus)
    viewport = scroll.viewport()
    assert viewport.rect().contains(last.mapTo(viewport, last.rect().center())), "scrolled to the focused field"


def _mnemonics(widget) -> list[str]:
    """The Alt+letter of every button and check box under ``widget`` ("&&" is a literal ampersand)."""
    letters = []
    for child in widget.findChildren(QAbstractButton):
        match = re.search(r"&(\w)", child.text().replace("&&", ""))
        if match:
            letters.append(match.group(1).lower())
    return letters


def test_disconnect_confirmation_has_unique_shortcuts_and_starts_on_cancel(qtbot, db, credentials):
    manage = ManageDialog(credentials)
    qtbot.addWidget(manage)
    manage.show()
    qtbot.waitExposed(manage)
    manage.ask_disconnect()
    dialog: DisconnectDialog = manage.disconnect_dialog
    qtbot.waitExposed(dialog)
    letters = _mnemonics(dialog)
    assert len(letters) == len(set(letters)) >= 2, f"Alt shortcuts clash: {letters}"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None and dialog.isAncestorOf(QApplication.focusWidget()))
    assert QApplication.focusWidget() is not dialog.wipe, "focus does not start on the delete check box"
    assert QApplication.focusWidget() is dialog.cancel, "focus starts on the safe button"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert not dialog.isVisible() and dialog.result() == dialog.DialogCode.Rejected


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_enter_on_welcome_does_not_start_the_real_store_path(qtbot, db, credentials, key):
    started: list[str] = []
    wizard = SetupWizard(credentials, open_url=started.append, start_sandbox=lambda: started.append("sandbox"))
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    assert wizard.page() is wizard.welcome
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClick(QApplication.focusWidget(), key)
    qtbot.keyClick(wizard, key)
    assert wizard.page() is wizard.welcome, "Enter alone makes no choice on Welcome"
    assert wizard.isVisible() and not started
    assert not wizard.next.isEnabled() and not wizard.welcome.real.isDefault()
