"""The app shell under pytest-qt: the window, its tabs, the crash dialog, one instance, and a real start."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtNetwork import QLocalSocket
from PySide6.QtWidgets import QApplication, QMessageBox, QTabWidget

from desktop.views.crash import CrashReporter
from desktop.views.main_window import TABS, MainWindow, StoreSummary
from desktop.views.single_instance import SingleInstance, ask_running_instance_to_activate, server_name

ROOT = Path(__file__).resolve().parents[2]


def test_main_window_opens_with_its_tabs_and_closes(qtbot):
    window = MainWindow(StoreSummary("Main Street (Hike)", "Acme Store", sandbox=True))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    tabs = window.findChild(QTabWidget, "mainTabs")
    assert [tabs.tabText(i) for i in range(tabs.count())] == list(TABS)
    assert "sandbox" in window.windowTitle()
    assert "Acme Store" in window.status_label.text() and "Main Street (Hike)" in window.status_label.text()
    window.close()
    assert not window.isVisible()


def test_uncaught_exception_is_logged_and_shown(qtbot, tmp_path):
    reporter = CrashReporter(str(tmp_path / "app.log"))
    reporter.install()
    try:
        try:
            raise ValueError("boom in a slot")
        except ValueError:
            with qtbot.waitSignal(reporter.crashed):
                sys.excepthook(*sys.exc_info())
        qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
        assert reporter.last_summary == "ValueError: boom in a slot"
        assert "app.log" in reporter.dialog.informativeText()
        # a second error while the first dialog is open does not stack dialogs
        thread = threading.Thread(target=lambda: (_ for _ in ()).throw(RuntimeError("worker died")))
        with qtbot.waitSignal(reporter.crashed):
            thread.start()
            thread.join()
        qtbot.waitUntil(lambda: reporter.last_summary == "RuntimeError: worker died")
        assert reporter.dialogs_shown == 1
        reporter.dialog.button(QMessageBox.StandardButton.Ok).click()
        qtbot.waitUntil(lambda: reporter.dialog is None)
    finally:
        reporter.uninstall()


def test_second_launch_activates_the_first(qtbot, tmp_path):
    name = server_name(tmp_path)
    first = SingleInstance(name)
    assert first.listen()
    try:
        with qtbot.waitSignal(first.activation_requested, timeout=5000):
            assert ask_running_instance_to_activate(name)
    finally:
        first.close()
    assert not ask_running_instance_to_activate(name), "nobody listens once the first has closed"


def test_stale_socket_from_a_crashed_instance_is_taken_over(tmp_path):
    name = server_name(tmp_path / "crashed")
    crashed = SingleInstance(name)
    assert crashed.listen()
    crashed._server.close()  # leave without cleaning up, like a killed process on some platforms
    survivor = SingleInstance(name)
    assert survivor.listen()
    survivor.close()


def _listening(name: str) -> bool:
    socket = QLocalSocket()
    socket.connectToServer(name)
    ok = socket.waitForConnected(200)
    socket.abort()
    return ok


def test_real_start_in_sandbox_mode_and_second_launch_exits(qtbot, tmp_path):
    """``python -m desktop --sandbox`` as a person runs it; a second launch hands over and exits 0."""
    data = tmp_path / "app-data"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    first = subprocess.Popen([sys.executable, "-m", "desktop", "--sandbox", "--data-dir", str(data)], env=env,
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        log_file = data / "logs" / "hike-bc-sync.log"

        def ready() -> bool:  # listening for later launches, and the sandbox stores up
            started = log_file.exists() and "Sandbox stores running" in log_file.read_text()
            return first.poll() is not None or (started and _listening(server_name(data.resolve())))

        qtbot.waitUntil(ready, timeout=60000)
        assert first.poll() is None, first.stdout.read().decode()
        second = subprocess.run([sys.executable, "-m", "desktop", "--sandbox", "--data-dir", str(data)], env=env,
                                cwd=ROOT, capture_output=True, timeout=60)
        assert second.returncode == 0
        log_text = log_file.read_text()
        assert "already open" in log_text
        assert "Sandbox stores running" in log_text
        # issue 8: in --sandbox mode the app connects the sandbox stores and its start-up pass syncs them
        qtbot.waitUntil(lambda: "Sync pass (startup) finished" in log_file.read_text(), timeout=60000)
        assert "Sync service started" in log_file.read_text()
        assert (data / "sync.sqlite3").exists()
    finally:
        first.terminate()
        first.wait(timeout=30)


def test_main_runs_the_event_loop_and_returns(qtbot, tmp_path, monkeypatch):
    """In-process start without the sandbox: database created, window and setup wizard shown, clean exit code."""
    from desktop import app

    seen = {}

    def look_and_quit():
        from desktop.views.setup import SetupWizard

        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen["windows"] = len(windows)
        seen["wizards"] = len([w for w in QApplication.topLevelWidgets() if isinstance(w, SetupWizard)
                               and w.isVisible()])
        for w in windows:
            w.close()
        QApplication.instance().quit()

    QTimer.singleShot(0, look_and_quit)
    rc = app.main(["--data-dir", str(tmp_path / "inproc")])
    # Under pytest-qt a Quit event outlives app.exec() and leaves the thread's "quit now" flag set, so every later
    # QEventLoop (qtbot.waitSignal's too) would return at once: one short exec() clears it for the next tests.
    QTimer.singleShot(0, QApplication.instance().quit)
    QApplication.instance().exec()
    assert rc == 0
    assert seen["windows"] == 1
    assert seen["wizards"] == 1, "first start: the setup wizard opens by itself (C4)"
    assert (tmp_path / "inproc" / "sync.sqlite3").exists()


def test_n6_the_window_does_not_open_on_a_folder_a_cli_writer_holds(qtbot, tmp_path, monkeypatch):
    """Issue 14 finding 1: the window and ``hike-bc-sync-cli run`` on one folder would plan the same pass. The window
    says who holds the folder and exits; it creates nothing there (not even the database)."""
    from desktop import app
    from desktop.storage.folder_lock import FolderLock

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    data = tmp_path / "held"
    with FolderLock(data, "hike-bc-sync-cli run"):
        rc = app.main(["--data-dir", str(data)])
    assert rc == 1
    assert len(shown) == 1 and f"hike-bc-sync-cli run (process {os.getpid()}" in shown[0]
    assert not (data / "sync.sqlite3").exists()
