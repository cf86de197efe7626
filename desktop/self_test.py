"""``hike-bc-sync --self-test``: proves an installed copy (wheel, pipx, PyInstaller bundle) works end to end.

Qt offscreen, fresh sandbox stores in this process on 127.0.0.1, a temporary data folder (removed after) and a
private in-memory keyring (the person's real keyring and data folder are never touched; no Secret Service needed).
Both stores are connected and the sandbox settings saved the way ``hike-bc-sync-cli connect sandbox`` and the
sandbox start do (``connections.connect_sandbox``, ``service.save_sandbox_settings_if_none``), the real main window
is built (the Qt plugins and the icons load), and one sync pass runs with the real engine. One JSON line goes to
stdout: ``{"ok": true, "passes": 1, "products_linked": N, ...}`` and exit 0, or ``{"ok": false, "error": ...}`` and
exit 1.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from desktop import __version__

log = logging.getLogger("desktop.self_test")


def run() -> int:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any QApplication exists
    started = time.monotonic()
    folder = None
    try:
        folder = Path(tempfile.mkdtemp(prefix="hike-bc-sync-self-test-"))
        result = {"ok": True, **_check(folder)}
    except Exception as exc:  # noqa: BLE001 - every failure becomes the one JSON line, exit 1
        log.exception("Self-test failed")
        from desktop.storage.logs import redact

        # the same redaction as every log line: a token the pass handled never reaches stdout
        result = {"ok": False, "error": redact(f"{type(exc).__name__}: {exc}")}
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    if result["ok"]:
        result["seconds"] = round(time.monotonic() - started, 1)
    _use_parent_console()
    print(json.dumps(result), flush=True)
    return 0 if result["ok"] else 1


def _use_parent_console() -> None:
    """A Windows window build (PyInstaller ``console=False``) has no stdout: attach to the console of the command
    prompt it was started from, so ``hike-bc-sync.exe --self-test`` prints its line there too. Not run here (no
    Windows machine); elsewhere stdout is always there and this does nothing."""
    if sys.stdout is not None or sys.platform != "win32":
        return
    import ctypes

    if ctypes.windll.kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
        sys.stdout = open("CONOUT$", "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process


def _check(folder: Path) -> dict[str, Any]:
    from desktop.storage import paths
    from desktop.storage.db import close_db, database_proxy, init_db

    # the process is left as it was found: its data folder and database (tests run it among others)
    previous_folder, previous_db = paths.override(), database_proxy.obj
    paths.set_override(folder)
    sandbox = None
    try:
        app_paths = paths.app_paths().ensure()
        init_db(app_paths.database)
        sandbox = _start_sandbox()
        run_row = _connect_configure_and_sync(sandbox, app_paths)
        qt_version = _build_main_window()
        return {**_summary(run_row), "version": __version__, "qt": qt_version}
    finally:
        if sandbox is not None:
            sandbox.stop()
        close_db()
        database_proxy.initialize(previous_db)
        paths.set_override(previous_folder)


def _start_sandbox():
    from desktop.sandbox.stores import start_sandbox

    return start_sandbox("demo")


def _connect_configure_and_sync(sandbox, app_paths):
    from desktop.storage.credentials import Credentials
    from desktop.storage.memory_keyring import MemoryKeyring
    from desktop.sync.connections import connect_sandbox, open_clients
    from desktop.sync.engine import SyncEngine
    from desktop.sync.vocabulary import Trigger
    from desktop.sync.service import newest_settings, save_sandbox_settings_if_none

    credentials = Credentials("sandbox", data_dir=app_paths.data, state_file=app_paths.keyring_state,
                              backend=MemoryKeyring())
    connect_sandbox(sandbox.info, credentials, sandbox.person())
    save_sandbox_settings_if_none()
    settings = newest_settings()
    bc, hike = open_clients(credentials)
    try:
        run_row = SyncEngine(bc, hike, settings).run_pass(Trigger.CLI)
    finally:
        bc.close()
        hike.close()
    if run_row.status == "error":
        raise RuntimeError(f"the sync pass failed: {run_row.message}")
    return run_row


def _build_main_window() -> str:
    from PySide6 import __version__ as qt_version
    from PySide6.QtWidgets import QApplication

    from desktop.app import qt_application
    from desktop.views.app_flow import store_summary
    from desktop.views.main_window import MainWindow

    app = qt_application()
    window = MainWindow(store_summary(True), None, setup_reason="Self-test")
    window.show()
    app.processEvents()
    if window.windowIcon().isNull():
        raise RuntimeError("the app icon did not load (are the Qt SVG plugins and the assets shipped?)")
    window._quitting = True
    window.close()
    window.deleteLater()
    QApplication.processEvents()
    return qt_version


def _summary(run_row) -> dict[str, Any]:
    from desktop.storage.models import Link

    counts = run_row.counts or {}
    linked = Link.select().where((Link.entity == "product") & (Link.status == "linked")).count()
    return {"passes": 1, "run_status": run_row.status, "products_linked": linked,
            "products_created": _created(counts), "errors": _errors(counts)}


def _created(counts: dict[str, Any]) -> int:
    products = counts.get("product", {})
    return int(products.get("create", 0)) if isinstance(products, dict) else 0


def _errors(counts: dict[str, Any]) -> int:
    """Records that failed in the pass (the demo seed's deliberate conflicts and skips are not failures)."""
    return sum(int(v.get("fail", 0)) for v in counts.values() if isinstance(v, dict))


if __name__ == "__main__":
    sys.exit(run())
