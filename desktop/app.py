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
from desktop.storage.credentials import Credentials
from desktop.storage.db import DatabaseError, close_db, init_db
from desktop.storage.folder_lock import FolderBusy, FolderLock
from desktop.storage.logs import setup_logging
from desktop.storage.models import prune_log
from desktop.sync.journal import mark_interrupted_runs

log = logging.getLogger("desktop.app")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hike-bc-sync", description=f"{APP_NAME}: desktop app")
    parser.add_argument("--sandbox", action="store_true",
                        help="run on the built-in sandbox stores (no accounts needed; its own data folder)")
    parser.add_argument("--seed", default="demo",
                        help="sandbox catalog: demo (default), empty, large:N or a JSON file")
    parser.add_argument("--data-dir", help=f"keep data, logs and cache in this folder (or set {paths.ENV_VAR})")
    parser.add_argument("--minimized", action="store_true",
                        help="start in the tray (or as a minimised window without one): how start at login opens it")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installed copy works (sandbox stores, a temporary folder, a private "
                             "keyring, one sync pass, offscreen) and print one JSON line; exit 0 when it does")
    return parser


def choose_data_dir(args: argparse.Namespace) -> None:
    if args.data_dir:
        paths.set_override(args.data_dir)
    elif args.sandbox:
        # the sandbox never shares a database or a keyring profile with the real stores
        paths.set_override(paths.app_paths().data / "sandbox")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.self_test:
        from desktop.self_test import run as self_test

        return self_test()
    choose_data_dir(args)
    app_paths = paths.app_paths().ensure()
    log_path = setup_logging(app_paths.logs, getattr(logging, args.log_level))
    log.info("%s %s starting (data: %s, sandbox: %s)", APP_NAME, __version__, app_paths.data, args.sandbox)
    app = qt_application()

    from desktop.views.single_instance import SingleInstance, ask_running_instance_to_activate, server_name

    name = server_name(app_paths.data)
    if ask_running_instance_to_activate(name):
        log.info("Another window is already open for %s; asked it to come forward", app_paths.data)
        return 0
    instance = SingleInstance(name)
    if not instance.listen():
        log.warning("Could not listen for later launches; a second launch will open a second window")
    # one writer per data folder (N6): a `hike-bc-sync-cli run` or `sync` on this folder would plan the same pass
    folder_lock = FolderLock(app_paths.data, "the app window")
    try:
        folder_lock.acquire()
    except FolderBusy as exc:
        from PySide6.QtWidgets import QMessageBox

        log.warning("%s", exc.describe())
        instance.close()
        QMessageBox.warning(None, APP_NAME, exc.describe())
        return 1
    try:
        return run_window(args, app, app_paths, str(log_path), instance)
    finally:
        folder_lock.release()
        log.info("%s stopped", APP_NAME)


def qt_application():
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from desktop.resources import resource
    from desktop.views.translator import install_translator

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(QIcon(str(resource("icons", "app.svg"))))
    install_translator(app)
    return app


def start_sandbox(seed: str):
    """The built-in stores, in this process. Only the entry points import the emulators (docs/ARCHITECTURE.md,
    "Boundaries"): the views get this function and the stores it returns, never the module."""
    from desktop.sandbox.stores import start_sandbox as start

    sandbox = start(seed)
    log.info("Sandbox stores running: BigCommerce %s, Hike %s", sandbox.bc_server.base_url,
             sandbox.hike_server.base_url)
    return sandbox


def run_window(args: argparse.Namespace, app, app_paths: paths.AppPaths, log_path: str, instance) -> int:
    """The database, the sandbox stores when asked for, and the window, until the app quits."""
    from PySide6.QtWidgets import QMessageBox

    from desktop.views.app_flow import AppFlow, connected_to_sandbox
    from desktop.views.crash import CrashReporter
    from desktop.views.jobs import shared_jobs
    from desktop.views.responsiveness import GuiThreadCollector, favour_the_gui_thread, freeze_start_up_heap

    reporter = CrashReporter(log_path)
    reporter.install()
    sandbox = flow = None
    try:
        try:
            init_db(app_paths.database)
        except DatabaseError as exc:
            log.error("%s", exc)
            QMessageBox.critical(None, "Cannot open the app's data", str(exc))
            return 2
        mark_interrupted_runs()
        removed = prune_log()
        if removed:
            log.info("Pruned %d old log rows", removed)
        if args.sandbox or connected_to_sandbox():
            # sandbox stores listen on new ports each start; a folder the wizard connected to them gets fresh ones
            sandbox = start_sandbox(args.seed)
        # secrets are bound to this data folder and each store (issue 14): the fresh sandbox stores' tokens of a
        # sandbox-connected folder opened without --sandbox never touch the real stores' entries on this profile
        credentials = Credentials("sandbox" if args.sandbox else "default", state_file=app_paths.keyring_state)
        flow = AppFlow(credentials, sandbox=sandbox, on_window=follow_activation(instance),
                       minimized=args.minimized,
                       wizard_options={"start_sandbox": lambda: start_sandbox("demo")})
        flow.start()
        favour_the_gui_thread()
        freeze_start_up_heap()  # the sandbox seed and the widgets are never walked by the collector again
        GuiThreadCollector(app)  # and widgets are never destroyed by a collection on another thread
        return app.exec()
    finally:
        if flow is not None:
            flow.shutdown()  # the running pass finishes first (N2 would cope, but a clean stop is nicer)
        reporter.uninstall()
        instance.close()
        if sandbox is not None:
            sandbox.stop()
        shared_jobs().shutdown()  # a view's last background read finishes on the database before it closes
        close_db()


def follow_activation(instance):
    """A second launch brings forward whichever window the app shows now (set-up screen or monitor)."""
    connected = []

    def on_window(window) -> None:
        for old in connected:
            try:
                instance.activation_requested.disconnect(old.bring_to_front)
            except (RuntimeError, TypeError):
                pass
        connected[:] = [window]
        instance.activation_requested.connect(window.bring_to_front)

    return on_window


if __name__ == "__main__":
    sys.exit(main())
