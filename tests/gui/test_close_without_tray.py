"""Issue 17, finding 1: without a system tray (plain GNOME, Xvfb) closing the window while syncing asked nothing and
hid it for good. Now it asks: keep syncing in the background (and how to get the window back) or quit; Escape keeps
the window. With a tray nothing changes."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop import APP_NAME
from desktop.app import follow_activation
from desktop.views import tray as tray_module
from desktop.views.main_window import MainWindow, StoreSummary
from desktop.views.single_instance import SingleInstance, ask_running_instance_to_activate, server_name


class FakeTray:
    def __init__(self):
        self.icon = SimpleNamespace(hide=lambda: None)
        self.notes: list[tuple[str, str]] = []

    def notify(self, title: str, message: str, *_) -> bool:
        self.notes.append((title, message))
        return True


@pytest.fixture
def syncing_window(qtbot, monkeypatch):
    """A shown window whose sync service runs (the real one's closeEvent only reads ``service.started``)."""
    window = MainWindow(StoreSummary("Hike store", "BigCommerce store"))  # closed here, not by qtbot (see below)
    window.controller = SimpleNamespace(service=SimpleNamespace(started=True))
    window.tray = FakeTray()
    quits = []
    monkeypatch.setattr(QApplication, "quit", lambda *a: quits.append(True))
    window.quits = quits
    window.show()
    qtbot.waitExposed(window)
    yield window
    window._quitting = True  # the test's own close at the end is not the person's: no question then
    window.close()
    window.deleteLater()


def no_tray(monkeypatch):
    monkeypatch.setattr(tray_module, "system_tray_available", lambda: False)


def answer_when_asked(seen: dict, answer) -> None:
    """On the dialog's own event loop: note what it shows, then ``answer(box)``."""
    def look(tries: int = 200):
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            if tries:  # bounded: a test that saw no dialog must not leave a poll behind for the next one
                QTimer.singleShot(10, lambda: look(tries - 1))
            return
        seen["text"] = box.text() + "\n" + box.informativeText()
        seen["buttons"] = [b.text() for b in box.buttons()]
        seen["default"] = box.defaultButton().text() if box.defaultButton() else ""
        answer(box)

    QTimer.singleShot(0, look)


def click(label: str):
    return lambda box: next(b for b in box.buttons() if b.text().replace("&", "") == label).click()


def test_without_a_tray_closing_asks_and_keep_syncing_hides_the_window(syncing_window, qtbot, monkeypatch):
    no_tray(monkeypatch)
    seen: dict = {}
    answer_when_asked(seen, click("Keep syncing in the background"))
    syncing_window.close()
    assert "buttons" in seen, "closing without a tray asked nothing"
    labels = [t.replace("&", "") for t in seen["buttons"]]
    assert "Keep syncing in the background" in labels and "Quit" in labels
    assert seen["default"].replace("&", "") == "Keep syncing in the background"
    mnemonics = [t[t.index("&") + 1].lower() for t in seen["buttons"] if "&" in t]
    assert len(mnemonics) == len(set(mnemonics)), seen["buttons"]
    assert f"launch {APP_NAME} again" in seen["text"]
    assert not syncing_window.isVisible()
    assert syncing_window.controller.service.started and syncing_window.quits == []


def test_without_a_tray_quit_quits_like_the_quit_action(syncing_window, qtbot, monkeypatch):
    no_tray(monkeypatch)
    seen: dict = {}
    answer_when_asked(seen, click("Quit"))
    syncing_window.close()
    assert "buttons" in seen
    assert syncing_window.quits == [True]
    assert syncing_window._quitting and not syncing_window.isVisible()


def test_without_a_tray_escape_keeps_the_window_open(syncing_window, qtbot, monkeypatch):
    no_tray(monkeypatch)
    seen: dict = {}
    answer_when_asked(seen, lambda box: qtbot.keyClick(box, Qt.Key.Key_Escape))
    syncing_window.close()
    assert "buttons" in seen
    assert syncing_window.isVisible()
    assert syncing_window.quits == [] and not syncing_window._quitting


def test_with_a_tray_closing_hides_without_asking(syncing_window, qtbot, monkeypatch):
    monkeypatch.setattr(tray_module, "system_tray_available", lambda: True)
    asked = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: asked.append(self) or 0)
    syncing_window.close()
    assert asked == []
    assert not syncing_window.isVisible()
    assert syncing_window.tray.notes and syncing_window.tray.notes[0][0] == "Still syncing"
    assert syncing_window.quits == []


def test_a_second_launch_brings_the_hidden_window_back(syncing_window, qtbot, monkeypatch, tmp_path):
    """What the dialog promises: launching again shows the window the app hid."""
    no_tray(monkeypatch)
    instance = SingleInstance(server_name(tmp_path))
    assert instance.listen()
    try:
        follow_activation(instance)(syncing_window)
        answer_when_asked({}, click("Keep syncing in the background"))
        syncing_window.close()
        assert not syncing_window.isVisible()
        assert ask_running_instance_to_activate(instance.name)
        qtbot.waitUntil(syncing_window.isVisible, timeout=5000)
    finally:
        instance.close()
