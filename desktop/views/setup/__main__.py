"""``python -m desktop.views.setup [--sandbox] [--manage] [--data-dir DIR]``: the wizard (or Manage) on its own,
for trying it out; the app proper opens it from ``desktop.app``."""
from __future__ import annotations

import argparse
import sys

from desktop.storage import paths
from desktop.storage.credentials import Credentials
from desktop.storage.db import close_db, init_db
from desktop.storage.logs import setup_logging


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop.views.setup")
    parser.add_argument("--sandbox", action="store_true", help="own data folder and keyring profile for the sandbox")
    parser.add_argument("--manage", action="store_true", help="open Manage instead of the wizard")
    parser.add_argument("--data-dir", help="data folder")
    args = parser.parse_args(argv)
    if args.data_dir:
        paths.set_override(args.data_dir)
    elif args.sandbox:
        paths.set_override(paths.app_paths().data / "sandbox")
    app_paths = paths.app_paths().ensure()
    setup_logging(app_paths.logs)
    init_db(app_paths.database)

    from PySide6.QtWidgets import QApplication

    from desktop.sandbox.stores import start_sandbox  # an entry point: it may start the emulators
    from desktop.views.setup import ManageDialog, SetupWizard

    app = QApplication.instance() or QApplication(sys.argv[:1])
    credentials = Credentials("sandbox" if args.sandbox else "default", state_file=app_paths.keyring_state)
    window = ManageDialog(credentials) if args.manage else SetupWizard(
        credentials, start_sandbox=lambda: start_sandbox("demo"))
    if isinstance(window, SetupWizard):
        window.setupSaved.connect(lambda s: print("Settings saved:\n" + s.dumps()))
    try:
        window.show()
        window.finished.connect(app.quit)
        return app.exec()
    finally:
        sandbox = getattr(window.ctx, "sandbox", None)
        if sandbox is not None and window.ctx.sandbox_started_here:
            sandbox.stop()
        close_db()


if __name__ == "__main__":
    sys.exit(main())
