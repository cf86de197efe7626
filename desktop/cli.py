"""``hike-bc-sync-cli``: the headless face of the app (same storage and engine, no Qt).

Later issues add sync subcommands; for now ``info`` reports where things live and whether the keyring
and database are usable, which is also the first thing to run when something is wrong.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Sequence

from desktop import APP_NAME, __version__
from desktop.storage import paths
from desktop.storage.credentials import Credentials
from desktop.storage.db import DatabaseError, close_db, init_db, schema_version
from desktop.storage.logs import setup_logging
from desktop.storage.models import Connection


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hike-bc-sync-cli", description=f"{APP_NAME}: headless commands")
    parser.add_argument("--data-dir", help=f"data folder (or set {paths.ENV_VAR})")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    info = sub.add_parser("info", help="show folders, database schema, keyring state and connections")
    info.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def cmd_info(args: argparse.Namespace) -> int:
    app_paths = paths.app_paths().ensure()
    report: dict[str, object] = {
        "version": __version__,
        "data_dir": str(app_paths.data),
        "log_dir": str(app_paths.logs),
        "database": str(app_paths.database),
    }
    try:
        db = init_db(app_paths.database)
        report["schema_version"] = schema_version(db)
        report["connections"] = [
            {"side": c.side, "store_name": c.store_name, "sandbox": c.is_sandbox} for c in Connection.select()
        ]
    except DatabaseError as exc:
        report["database_error"] = str(exc)
    finally:
        close_db()
    credentials = Credentials(state_file=app_paths.keyring_state)
    report["keyring_backend"] = credentials.describe_backend()
    report["keyring_state"] = credentials.check().value
    if args.json:
        print(json.dumps(report))
    else:
        width = max(len(k) for k in report)
        for key, value in report.items():
            print(f"{key.replace('_', ' '):<{width}}  {value}")
    return 1 if "database_error" in report else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.data_dir:
        paths.set_override(args.data_dir)
    setup_logging(paths.app_paths().ensure().logs, logging.WARNING, console=False)
    commands = {"info": cmd_info}
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
