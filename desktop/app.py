"""Start-up of the desktop app: options, folders, logging, one instance, database, window.

``python -m desktop [--sandbox] [--data-dir DIR]`` and the ``hike-bc-sync`` launcher both come here.
"""
from __future__ import annotations

import argparse
import logging
import sys
from typing import Sequence

from desktop import APP_ID, APP_NAME, __version__
from desktop.storage import paths
from desktop.storage.db import DatabaseError, close_db, init_db
from desktop.storage.logs import setup_logging
from desktop.storage.models import prune_log

log = logging.getLogger("desktop.app")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hike-bc-sync", description=f"{APP_NAME}: desktop app")
    parser.add_argument("--sandbox", action="store_true",
                        help="run on the built-in sandbox stores (no accounts needed; its own data folder)")
    parser.add_argument("--seed", default="demo",
                        help="sandbox catalog: demo (default), empty, large:N or a JSON file")
    parser.add_argument("--data-dir", help=f"keep data, logs and cache in this folder (or set {paths.ENV_VAR})")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def choose_data_dir(args: argparse.Namespace) -> None:
    if args.data_dir:
        paths.set_override(args.data_dir)
    elif args.sandbox:
        # the sandbox never shares a database or a keyring profile with the real stores
        paths.set_override(paths.app_paths().data / "sandbox")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    choose_data_dir(args)
    app_paths = paths.app_paths().ensure()
    log_path = setup_logging(app_paths.logs, getattr(logging, args.log_level))
    log.info("%s %s starting (data: %s, sandbox: %s)", APP_NAME, __version__, app_paths.data, args.sandbox)

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop.resources import resource
    from desktop.views.crash import CrashReporter
    from desktop.views.responsiveness import favour_the_gui_thread, freeze_start_up_heap
    from desktop.views.main_window import MainWindow
    from desktop.views.single_instance import SingleInstance, ask_running_instance_to_activate, server_name

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(QIcon(str(resource("icons", "app.svg"))))

    name = server_name(app_paths.data)
    if ask_running_instance_to_activate(name):
        log.info("Another window is already open for %s; asked it to come forward", app_paths.data)
        return 0
    instance = SingleInstance(name)
    if not instance.listen():
        log.warning("Could not listen for later launches; a second launch will open a second window")

    reporter = CrashReporter(str(log_path))
    reporter.install()
    sandbox = None
    controller = None
    try:
        try:
            init_db(app_paths.database)
        except DatabaseError as exc:
            log.error("%s", exc)
            QMessageBox.critical(None, "Cannot open the app's data", str(exc))
            return 2
        removed = prune_log()
        if removed:
            log.info("Pruned %d old log rows", removed)
        if args.sandbox:
            from desktop.sandbox.stores import start_sandbox

            sandbox = start_sandbox(args.seed)
            log.info("Sandbox stores running: BigCommerce %s, Hike %s",
                     sandbox.bc_server.base_url, sandbox.hike_server.base_url)
        controller, stores, reason = build_sync(args, app_paths, sandbox)
        window = MainWindow(stores, controller, setup_reason=reason)
        instance.activation_requested.connect(window.bring_to_front)
        if controller is not None:
            # closing the window keeps syncing (M5): the app ends from the tray or the Sync menu only
            app.setQuitOnLastWindowClosed(False)
            controller.start()
        window.show()
        favour_the_gui_thread()
        freeze_start_up_heap()  # the sandbox seed and the widgets are never walked by the collector again
        return app.exec()
    finally:
        if controller is not None:
            controller.shutdown()  # the running pass finishes first (N2 would cope, but a clean stop is nicer)
        reporter.uninstall()
        instance.close()
        if sandbox is not None:
            sandbox.stop()
        close_db()
        log.info("%s stopped", APP_NAME)


def build_sync(args: argparse.Namespace, app_paths: paths.AppPaths, sandbox) -> tuple:
    """The sync controller when the stores are connected and settings saved (always in --sandbox mode: the
    sandbox stores are connected on the controller's start-up thread), else None and the reason for the setup
    screen."""
    from desktop.storage.credentials import Credentials
    from desktop.storage.models import Connection
    from desktop.sync.service import readiness
    from desktop.views.main_window import StoreSummary
    from desktop.views.sync_controller import SyncController

    credentials = Credentials("sandbox" if sandbox else "default", state_file=app_paths.keyring_state)
    if sandbox is not None:
        stores = StoreSummary("Hike sandbox store", "BigCommerce sandbox store", True)
        return SyncController(credentials, sandbox=sandbox), stores, ""
    names = {c.side: c.store_name for c in Connection.select()}
    stores = StoreSummary(names.get("hike", ""), names.get("bigcommerce", ""))
    ready = readiness()
    if not ready.ready:
        return None, stores, ready.reason
    return SyncController(credentials), stores, ""


if __name__ == "__main__":
    sys.exit(main())
