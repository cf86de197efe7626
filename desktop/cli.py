"""``hike-bc-sync-cli``: the headless face of the app (same storage, keyring and engine, no Qt).

    hike-bc-sync-cli [--data-dir DIR] [--profile P] COMMAND [--json]

Commands: ``info``, ``connect bigcommerce|hike|sandbox``, ``disconnect``, ``configure``, ``preflight``, ``backup``,
``sync --once``, ``status``, ``log``, ``run``, ``matches`` (the match review and its decisions), and more (``--help``).

Exit codes: 0 success; 2 invalid input (a bad option, file or setting), with the reason on stderr; 1 anything
that failed (not connected, keyring unusable, a data folder that cannot be written, a full disk, a store refused, a
sync run whose status is ``error``).
With ``--json`` stdout carries exactly one JSON document, also when a command fails (``{"error": ..., "exit_code":
...}``); human text goes to stdout otherwise, problems to stderr. A secret is never printed: tokens go from the
option, the environment or a hidden prompt straight to the OS keyring, and every message is redacted first.

Commands that write (``sync``, ``run``, ``configure``, ``connect``, ``disconnect``, ``restore-database``, a
``matches`` decision) hold the data folder's lock while they run (N6): when the app window or another command holds
it, they say who (process id, what it is doing) and exit 1 without touching anything.

The ``--profile`` option picks the keyring profile (``default``). Secrets are kept per profile, data folder and
store (issue 14): a data folder only ever uses the secrets saved for its own connected stores.
"""
from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import signal
import sys
import threading
import webbrowser
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from peewee import fn

from desktop import APP_NAME, __version__
from desktop import autostart
from desktop.sandbox.browser import person_for  # the sandbox's stand-in for the person at the browser
from desktop.storage import paths
from desktop.storage.credentials import CredentialError, CredentialMissingError, Credentials
from desktop.storage.db import DatabaseError, backup_copies, close_db, disk_full_advice, init_db, is_disk_full, \
    restore_copy, schema_version
from desktop.storage.folder_lock import FolderBusy, FolderLock
from desktop.storage.logs import redact, setup_logging
from desktop.storage.models import Connection, Link, LogEntry, PendingWork, Run, SettingsVersion
from desktop.sync import capture, errors, support_bundle
from desktop.sync.addresses import UnsafeAddress, bigcommerce_api_base, hike_api_base, is_sandbox_address
from desktop.sync.connections import HikeApp, connect_bigcommerce, connect_hike, connect_sandbox, disconnect, \
    open_clients
from desktop.sync.diagnose import diagnose, save_latest
from desktop.sync.error_groups import ERROR_RESULTS
from desktop.sync.hike_registration import CLIENT_ID_ENV, CLIENT_SECRET_ENV, REGISTRATION_FILE, load_registration
from desktop.sync.log_words import action_text
from desktop.sync.events import Listeners
from desktop.sync.journal import mark_interrupted_runs
from desktop.sync.preflight import TaxCheck, bigcommerce_duplicates, compare_stock, hike_duplicates, write_backup
from desktop.sync.registry import ENGINE_ENTITIES
from desktop.sync.scheduler import SyncScheduler
from desktop.sync.settings import Settings, SettingsError
from desktop.sync.vocabulary import ReadScope, Trigger

from desktop.sync.words import describe_counts, plural

# desktop.sync.engine is imported by the commands that sync, so info/status/log/connect work without it

log = logging.getLogger("desktop.cli")

HIKE_CLIENT_ID_ENV, HIKE_CLIENT_SECRET_ENV = CLIENT_ID_ENV, CLIENT_SECRET_ENV  # hike_registration reads them too
SANDBOX_INFO_KEYS = {"bigcommerce": ("api_path", "access_token"),
                     "hike": ("base_url", "client_id", "client_secret", "username", "password")}


class CliError(Exception):
    """A failure the CLI reports as its message alone: ``code`` 2 for invalid input, 1 for anything else."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.message = message
        self.code = code


def invalid(message: str) -> CliError:
    return CliError(message, 2)


# ---------------------------------------------------------------------------------------------------------------
# the parser
def add_support_commands(sub: Any, json_opt: argparse.ArgumentParser) -> None:
    """Issue 18: what a shop manager runs when a real store behaves unlike the app expects."""
    check = sub.add_parser("diagnose", parents=[json_opt],
                           help="read a few records of every endpoint the sync uses on both stores (never writes) "
                                "and say where an answer differs from what the app expects; exit 1 when one does")
    check.add_argument("--capture", metavar="FILE", help="also write the stores' answer shapes with made-up values "
                                                         "(no record or person of the stores) as a sandbox seed: "
                                                         "python -m desktop.sandbox --seed FILE")
    bundle = sub.add_parser("support-bundle", parents=[json_opt],
                            help="one zip for support: logs, settings, runs and errors, the last diagnose report "
                                 "(no secret; customers' emails and names masked)")
    bundle.add_argument("--out", metavar="FILE.zip", help="where to write it (default: "
                                                          "hike-bc-sync-support-YYYYMMDD-HHMM.zip here)")
    bundle.add_argument("--no-mask", action="store_true", help="keep customers' emails, names and addresses")


def add_stock_commands(sub: Any, json_opt: argparse.ArgumentParser) -> None:
    """S9's stock comparison and issue 20's safety stock."""
    sub.add_parser("compare-stock", parents=[json_opt],
                   help="linked products whose stock differs between the stores (S9: before order stock goes on)")
    safety = sub.add_parser("safety-stock", parents=[json_opt],
                            help="units held back from BigCommerce: show them, set one SKU's, or the default")
    safety.add_argument("sku", nargs="?", help="a product's or variant's SKU (none: show, or --default)")
    safety.add_argument("units", nargs="?", type=int, help="units of this SKU BigCommerce never gets")
    safety.add_argument("--default", type=int, metavar="N", help="units held back of every product without its own")
    safety.add_argument("--clear", action="store_true", help="the SKU goes back to the default")


def add_drift_command(sub: Any, json_opt: argparse.ArgumentParser) -> None:
    """Issue 20: the drift report and its fixes."""
    drift_cmd = sub.add_parser("drift", parents=[json_opt],
                               help="linked products and customers whose synced fields differ between the stores "
                                    "(found by the last full pass; --check reads both stores now), and fixes")
    drift_cmd.add_argument("--check", action="store_true", help="read both stores in full now (no write)")
    drift_cmd.add_argument("--csv", metavar="FILE", help="also write the differences as CSV")
    drift_cmd.add_argument("--search", default="", help="only records whose name or SKU (a customer's: email) "
                                                        "holds this text")
    drift_cmd.add_argument("--fix", choices=("bigcommerce", "hike"),
                           help="make this store match the other (an ordinary sync write, logged)")
    drift_cmd.add_argument("links", nargs="*", type=int, metavar="LINK",
                           help="with --fix: the records' link ids (the 'link' of each row); --all for every one")
    drift_cmd.add_argument("--all", action="store_true", help="with --fix: every record the report lists")
    drift_cmd.add_argument("--field", help="with --fix: only this field (e.g. price, or a customer's phone; one "
                                           "with a rule)")


MATCH_DECISIONS = {"link": ("HIKE_ID", "BC_ID"), "unlink": ("HIKE_ID", "BC_ID"), "forget": ("HIKE_ID", "BC_ID"),
                   "exclude": ("SKU",), "include": ("SKU",)}
MATCH_KINDS = ("proposed", "ambiguous", "kind_mismatch", "only_hike", "only_bigcommerce", "linked", "refused",
               "linked_by_you", "excluded")  # ``match_review.KINDS``, named here so --help needs no store module


def add_match_commands(sub: Any, json_opt: argparse.ArgumentParser) -> None:
    """Issue 20 (B2): the match review and the person's decisions about it."""
    matches = sub.add_parser(
        "matches", parents=[json_opt],
        help="how products are matched (read from both stores), or a decision: link HIKE_ID BC_ID (by hand), "
             "unlink HIKE_ID BC_ID (never link them; undoes their link), exclude SKU / include SKU (not synced / "
             "synced again), forget HIKE_ID BC_ID (drop a link or unlink decision)")
    matches.add_argument("decision", nargs="?", choices=sorted(MATCH_DECISIONS), help="a decision (none: list)")
    matches.add_argument("values", nargs="*", metavar="ID|SKU", help="HIKE_ID BC_ID, or SKU")
    matches.add_argument("--search", metavar="TEXT", help="only rows with TEXT in a name, SKU or id")
    matches.add_argument("--only", metavar="KIND", help=f"only rows of this kind: {', '.join(MATCH_KINDS)}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hike-bc-sync-cli", description=f"{APP_NAME}: headless commands")
    parser.add_argument("--data-dir", help=f"data folder (or set {paths.ENV_VAR})")
    parser.add_argument("--profile", default="default", help="keyring profile for the stores' secrets (default)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    json_opt = argparse.ArgumentParser(add_help=False)
    json_opt.add_argument("--json", action="store_true", help="print one JSON document")
    orders_from = argparse.ArgumentParser(add_help=False)
    orders_from.add_argument("--orders-from", metavar="WHEN",
                             help="on a new database whose stores this app synced before: where orders "
                                  "start counting: last-synced, now, or a date and time (ISO 8601)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("info", parents=[json_opt], help="folders, database schema, keyring state and connections")

    connect = sub.add_parser("connect", help="connect a store (proven with real calls before it is saved)")
    stores = connect.add_subparsers(dest="store", required=True, metavar="STORE")
    bc = stores.add_parser("bigcommerce", parents=[json_opt], help="a store-level API account")
    bc.add_argument("--api-path", required=True, help="https://api.bigcommerce.com/stores/HASH/v3/")
    bc.add_argument("--token-env", metavar="VAR", help="read the access token from this environment variable "
                                                       "(default: ask for it without echo)")
    hike = stores.add_parser("hike", parents=[json_opt], help="sign in with Hike in the system browser")
    hike.add_argument("--base-url", required=True, help="Hike API address, e.g. https://api.hikeup.com")
    hike.add_argument("--client-id", help=f"this app's Hike client id (or set {HIKE_CLIENT_ID_ENV})")
    hike.add_argument("--client-secret", help=f"this app's Hike client secret (better: set {HIKE_CLIENT_SECRET_ENV})")
    hike.add_argument("--timeout", type=float, default=300, help="seconds to wait for the sign-in (300)")
    sandbox = stores.add_parser("sandbox", parents=[json_opt], help="both stores of a loopback sandbox")
    sandbox.add_argument("--info", required=True, metavar="FILE",
                         help="the JSON line `python -m desktop.sandbox` prints (- reads it from stdin)")

    disconnect = sub.add_parser("disconnect", parents=[json_opt], help="forget both stores' secrets")
    disconnect.add_argument("--wipe-history", action="store_true", help="also delete links, runs, log, settings")

    configure = sub.add_parser("configure", parents=[json_opt], help="check and save the sync settings")
    what = configure.add_mutually_exclusive_group(required=True)
    what.add_argument("--settings", metavar="FILE", help="a settings JSON file (see --print-template)")
    what.add_argument("--print-template", action="store_true", help="print the recommended settings as JSON")

    sub.add_parser("preflight", parents=[json_opt], help="duplicates (P1), tax check (P2) and dry run (P3)")
    add_support_commands(sub, json_opt)
    add_stock_commands(sub, json_opt)
    add_drift_command(sub, json_opt)
    add_match_commands(sub, json_opt)
    backup = sub.add_parser("backup", parents=[json_opt], help="both catalogs as CSV files")
    backup.add_argument("--out", metavar="DIR", help="folder for the files (default: the app's backups folder)")

    sync = sub.add_parser("sync", parents=[json_opt, orders_from], help="run one sync pass")
    sync.add_argument("--once", action="store_true", required=True, help="one pass, then exit (required)")
    sync.add_argument("--dry-run", action="store_true", help="plan the pass and write nothing")
    sync.add_argument("--full", action="store_true",
                      help="read every record of both stores, as the daily reconciliation does (D11), and say which "
                           "linked products were deleted in one store (D9)")
    sync.add_argument("--entities", help="comma-separated, e.g. products,inventory (default: all)")

    sub.add_parser("status", parents=[json_opt], help="connections, keyring, settings, runs, links, errors, outbox")

    logs = sub.add_parser("log", parents=[json_opt], help="what happened to records, newest first")
    logs.add_argument("--sku", help="only this SKU (letter case ignored)")
    logs.add_argument("--errors-only", action="store_true", help="only errors and conflicts")
    logs.add_argument("--limit", type=int, default=50, help="at most N entries (50)")

    sub.add_parser("run", parents=[orders_from],
                   help="sync on the saved schedule until Ctrl+C / SIGTERM (log lines on stderr)")

    autostart_cmd = sub.add_parser("autostart", parents=[json_opt],
                                   help="start the app when you log in (on, off, status)")
    autostart_cmd.add_argument("switch", choices=["on", "off", "status"])

    restore = sub.add_parser("restore-database", parents=[json_opt],
                             help="put back the copy of the app's database saved before an upgrade")
    restore.add_argument("--copy", metavar="FILE", help="this copy (default: the newest; --list shows them)")
    restore.add_argument("--list", action="store_true", help="list the saved copies, newest first")
    return parser


# ---------------------------------------------------------------------------------------------------------------
# one writer per data folder (N6)
def writes(args: argparse.Namespace) -> bool:
    """Commands that write to the stores or to the folder's database hold the folder's lock while they run."""
    if args.command == "sync":
        return not args.dry_run
    if args.command == "configure":
        return not args.print_template
    if args.command == "restore-database":
        return not args.list
    if args.command == "matches":  # a decision changes what the passes do (and may undo a link)
        return args.decision is not None
    return args.command in {"connect", "disconnect", "run"}


def purpose(args: argparse.Namespace) -> str:
    command = f"{args.command} {args.store}" if args.command == "connect" else args.command
    return f"hike-bc-sync-cli {command}"


_lock: FolderLock | None = None  # held by this command, when it writes


# ---------------------------------------------------------------------------------------------------------------
# shared helpers
@contextmanager
def opened_db() -> Iterator[None]:
    """The data folder's database, migrated, closed afterwards. Runs a killed process left ``running`` are marked
    interrupted first, when no pass can be running: this command holds the folder's lock, or it is free."""
    try:
        init_db(paths.app_paths().ensure().database)
        if _lock is not None:
            mark_interrupted_runs()
        else:
            try:
                with FolderLock(paths.app_paths().data, "hike-bc-sync-cli (a moment's check)"):
                    mark_interrupted_runs()
            except FolderBusy:
                pass  # a pass may be running right now: its run row is live
    except DatabaseError as exc:
        raise CliError(str(exc)) from None
    try:
        yield
    finally:
        close_db()


def credentials(args: argparse.Namespace) -> Credentials:
    return Credentials(args.profile, state_file=paths.app_paths().keyring_state)


@contextmanager
def opened_clients(args: argparse.Namespace) -> Iterator[tuple[Any, Any]]:
    """(BigCommerce, Hike) clients on the saved connections; a clear exit-1 error when either is missing."""

    hint = " Connect it with: hike-bc-sync-cli connect bigcommerce|hike|sandbox ..."
    try:
        bc, hike = open_clients(credentials(args))
    except (errors.ReconnectNeeded, CredentialMissingError) as exc:
        raise CliError(f"{exc}{hint}") from None
    try:
        yield bc, hike
    finally:
        bc.close()
        hike.close()


def both_connected() -> bool:
    return Connection.select().where(Connection.side.in_(["hike", "bigcommerce"])).count() == 2


def saved_settings_row() -> SettingsVersion | None:
    return SettingsVersion.select().order_by(SettingsVersion.id.desc()).first()


def load_settings() -> Any:
    """The settings in force (the newest saved version); exit 1 when none is saved."""

    row = saved_settings_row()
    if row is None:
        raise CliError("No sync settings are saved yet: write a settings file (configure --print-template) and "
                       "save it with configure --settings FILE.")
    try:
        return Settings.from_saved(row.data)
    except SettingsError as exc:
        raise CliError(f"The saved sync settings can't be read: {exc}") from None


def iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def emit(args: argparse.Namespace, data: Any, lines: Sequence[str] | Callable[[], Sequence[str]] = ()) -> None:
    """One JSON document with ``--json``, else the human lines."""
    if getattr(args, "json", False):
        print(json.dumps(data, default=str, ensure_ascii=False))
        return
    for line in (lines() if callable(lines) else lines):
        print(line)


def warn(message: str) -> None:
    print(redact(message), file=sys.stderr)


def run_info(run: Run) -> dict[str, Any]:
    return {"id": run.id, "trigger": run.trigger, "scope": run.scope, "status": run.status,
            "started_at": iso(run.started_at), "finished_at": iso(run.finished_at), "counts": run.counts or {},
            "message": run.message}


# ---------------------------------------------------------------------------------------------------------------
# info
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
    creds = credentials(args)
    report["keyring_backend"] = creds.describe_backend()
    report["keyring_state"] = creds.check().value
    width = max(len(k) for k in report)
    emit(args, report, [f"{key.replace('_', ' '):<{width}}  {value}" for key, value in report.items()])
    return 1 if "database_error" in report else 0


# ---------------------------------------------------------------------------------------------------------------
# connect / disconnect
def connection_info(row: Connection) -> dict[str, Any]:
    """What is known of a connection, minus secrets."""
    info: dict[str, Any] = {"side": row.side, "store_name": row.store_name, "sandbox": row.is_sandbox,
                            "connected_at": iso(row.connected_at), "updated_at": iso(row.updated_at)}
    if row.side == "bigcommerce":
        info.update(store_hash=row.store_hash, api_path=row.api_path)
    else:
        info.update(base_url=row.base_url)
    return info


def checked_address(check: Callable[[str], Any], address: str) -> None:
    """An address the app will not send secrets to is invalid input (exit 2), refused before anything is asked
    for or sent."""
    try:
        check(address)
    except UnsafeAddress as exc:
        raise invalid(exc.message) from None


def cmd_connect_bigcommerce(args: argparse.Namespace) -> int:
    checked_address(bigcommerce_api_base, args.api_path)
    if args.token_env:
        token = os.environ.get(args.token_env, "")
        if not token.strip():
            raise invalid(f"The environment variable {args.token_env} is not set or empty.")
    else:
        token = getpass.getpass("BigCommerce access token (not shown): ")
        if not token.strip():
            raise invalid("No access token was entered.")
    with opened_db():
        row = connect_bigcommerce(args.api_path, token.strip(), credentials(args))
        emit(args, {"connected": [connection_info(row)]}, [f"Connected BigCommerce store {row.store_name}."])
    return 0


def open_system_browser(url: str) -> None:
    print(f"Sign in to Hike in your browser. If it does not open, visit:\n  {url}", file=sys.stderr, flush=True)
    if not webbrowser.open(url):
        print("(No browser could be opened here: open the address above yourself.)", file=sys.stderr)


def cmd_connect_hike(args: argparse.Namespace) -> int:
    built = load_registration()  # the registration this build ships with, when it has one
    client_id = args.client_id or os.environ.get(HIKE_CLIENT_ID_ENV, "") or (built.client_id if built else "")
    client_secret = args.client_secret or os.environ.get(HIKE_CLIENT_SECRET_ENV, "") or (
        built.client_secret if built else "")
    if not client_id.strip():
        raise invalid(f"This copy of the app was built without Hike access: give this app's Hike client id with "
                      f"--client-id or {HIKE_CLIENT_ID_ENV}, or place its registration in {REGISTRATION_FILE}.")
    if not client_secret.strip():
        raise invalid(f"Give this app's Hike client secret with --client-secret or {HIKE_CLIENT_SECRET_ENV}.")
    if args.timeout <= 0:
        raise invalid("--timeout must be a positive number of seconds.")
    checked_address(hike_api_base, args.base_url)
    app = HikeApp(args.base_url.strip(), client_id.strip(), client_secret.strip())
    with opened_db():
        row = connect_hike(app, credentials(args), open_system_browser, timeout_s=args.timeout)
        emit(args, {"connected": [connection_info(row)]}, [f"Connected {row.store_name}."])
    return 0


def read_sandbox_info(source: str) -> dict[str, Any]:
    """The sandbox's JSON line from a file or stdin, checked: both stores present and served on this computer."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise invalid(f"Can't read {source}: {exc.strerror or exc}.") from None
    line = next((l for l in text.splitlines() if l.strip().startswith("{")), "")
    try:
        info = json.loads(line)
    except (ValueError, RecursionError):  # not JSON, or nested thousands deep (issue 14 finding 10)
        info = None
    complete = isinstance(info, dict) and all(
        isinstance(info.get(side), dict) and all(info[side].get(key) for key in keys)
        for side, keys in SANDBOX_INFO_KEYS.items())
    if not complete:
        raise invalid(f"{source} does not hold the JSON line `python -m desktop.sandbox` prints ("
                      + "; ".join(f"{side}: {', '.join(keys)}" for side, keys in SANDBOX_INFO_KEYS.items()) + ").")
    for check, address in ((bigcommerce_api_base, info["bigcommerce"]["api_path"]),
                           (hike_api_base, info["hike"]["base_url"])):
        checked_address(check, str(address))
        if not is_sandbox_address(str(address)):
            raise invalid("connect sandbox only connects a sandbox on this computer (http://127.0.0.1, localhost "
                          "or [::1]).")
    return info


def cmd_connect_sandbox(args: argparse.Namespace) -> int:
    info = read_sandbox_info(args.info)
    with opened_db():
        bc_row, hike_row = connect_sandbox(info, credentials(args), person_for(info))
        emit(args, {"connected": [connection_info(bc_row), connection_info(hike_row)]},
             [f"Connected BigCommerce sandbox store {bc_row.store_name}.", f"Connected {hike_row.store_name}."])
    return 0


def cmd_disconnect(args: argparse.Namespace) -> int:
    with opened_db():
        disconnect(credentials(args), wipe_history=args.wipe_history)
    emit(args, {"disconnected": True, "history_wiped": args.wipe_history},
         ["Disconnected both stores; their secrets are gone from the keyring.",
          "Local history wiped." if args.wipe_history else "Local history (links, runs, log, settings) kept."])
    return 0


# ---------------------------------------------------------------------------------------------------------------
# configure
def problem_info(problem: Any) -> dict[str, Any]:
    return {"key": problem.key, "message": problem.message, "mandatory": problem.mandatory}


def problem_line(problem: Any) -> str:
    level = "error" if problem.mandatory else "warning"
    return f"{level}: {problem.key}: {problem.message}" if problem.key else f"{level}: {problem.message}"


def cmd_configure(args: argparse.Namespace) -> int:
    from desktop.sync.engine import store_facts

    if args.print_template:
        template = Settings.template()
        emit(args, template.to_json(), [template.dumps().rstrip("\n")])
        return 0
    try:
        settings = Settings.load(args.settings)
    except SettingsError as exc:
        return report_problems(args, exc.problems, saved=None, against_stores=False)
    with opened_db():
        against_stores = both_connected()
        if against_stores:
            with opened_clients(args) as (bc, hike):
                problems = settings.validate(store_facts(hike, bc))
        else:
            problems = settings.validate()
        saved = None
        if not any(p.mandatory for p in problems):
            saved = SettingsVersion.create(data=settings.to_json(), note=f"cli: {Path(args.settings).name}")
        return report_problems(args, problems, saved=saved, against_stores=against_stores)


def report_problems(args: argparse.Namespace, problems: Sequence[Any], *, saved: SettingsVersion | None,
                    against_stores: bool) -> int:
    blocking = any(p.mandatory for p in problems)
    data = {"saved": saved is not None, "version": saved.id if saved else None,
            "validated_against_stores": against_stores, "problems": [problem_info(p) for p in problems]}
    if args.json:
        emit(args, data)
    else:
        for problem in problems:
            print(problem_line(problem), file=sys.stderr if problem.mandatory else sys.stdout)
        scope = "the connected stores" if against_stores else "their shape only (stores not connected)"
        if saved is not None:
            print(f"Settings checked against {scope} and saved (version {saved.id}).")
    if blocking:
        print("Settings not saved: fix the errors above and run configure again.", file=sys.stderr)
        return 2
    return 0


# ---------------------------------------------------------------------------------------------------------------
# preflight and backup
def duplicate_info(duplicate: Any) -> dict[str, Any]:
    return {"kind": duplicate.kind, "value": duplicate.value, "message": duplicate.message,
            "records": [{"id": r.id, "name": r.name} for r in duplicate.records]}


def cmd_preflight(args: argparse.Namespace) -> int:
    with opened_db(), opened_clients(args) as (bc, hike):
        saved = saved_settings_row() is not None
        settings = load_settings() if saved else Settings.template()
        duplicates = {"hike": [duplicate_info(d) for d in hike_duplicates(hike.products())],
                      "bigcommerce": [duplicate_info(d) for d in bigcommerce_duplicates(bc.products())]}
        tax = tax_check(settings, saved, bc.store_info().is_price_entered_with_tax)
        dry_run, dry_run_problem = planned_pass(bc, hike, settings if saved else None)
        orders_start = undecided_orders_start(bc, hike, settings)
    data = {"duplicates": duplicates, "tax": tax, "dry_run": dry_run, "dry_run_problem": dry_run_problem,
            "orders_start": orders_start}
    emit(args, data, lambda: preflight_lines(data))
    return 0


def cmd_diagnose(args: argparse.Namespace) -> int:
    """Check my stores (issue 18): read-only; the report is kept in the data folder for the support bundle."""
    target = Path(args.capture).expanduser() if args.capture else None
    if target is not None and (not target.parent.is_dir() or target.is_dir()):
        raise invalid(f"Can't write the capture to {target}: name a file in a folder that exists.")
    with opened_db(), opened_clients(args) as (bc, hike):
        report = diagnose(hike, bc, version=__version__)
    save_latest(report, paths.app_paths().ensure().data)
    data, notes = report.as_dict(), []
    if target is not None:
        try:
            out = capture.write(report, target)
        except OSError as exc:
            raise CliError(f"Could not write the capture to {target}: {exc.strerror or exc}.") from None
        data["capture"] = str(out)
        notes = ["", f"The stores' answer shapes, with made-up values, are in {out}.",
                 f"A sandbox that answers in them: python -m desktop.sandbox --seed {out}"]
    emit(args, data, lambda: [*report.lines(), *notes])
    return 0 if report.ok else 1


def cmd_support_bundle(args: argparse.Namespace) -> int:
    out = Path(args.out or support_bundle.default_name()).expanduser().resolve()
    with opened_db():
        made = support_bundle.build(out, credentials(args), mask=not args.no_mask)
    emit(args, {"path": str(made.path), "members": made.members, "masked": made.masked},
         [f"Support bundle written: {made.path}",
          "Customers' emails and names are masked." if made.masked else "Nothing is masked (--no-mask).",
          "It holds no password, token or app secret."])
    return 0


def cmd_safety_stock(args: argparse.Namespace) -> int:
    """Safety stock (issue 20): BigCommerce gets Hike's stock less these units, never below zero. Saved as a new
    version of the settings, as ``configure`` saves one; the next pass sends the new levels."""
    with opened_db():
        settings = load_settings()
        safety = settings.safety_stock
        changed = _changed_safety_stock(args, safety)
        saved = SettingsVersion.create(data=settings.to_json(), note=f"cli: safety-stock {changed}") \
            if changed else None
        wanted = [sku.strip().lower() for sku in safety.skus]
        known = {(l.sku or "").strip().lower() for l in Link.select(Link.sku).where(
            Link.entity.in_(["product", "variant"]), Link.status == "linked",
            fn.LOWER(fn.TRIM(Link.sku)).in_(wanted))} if wanted else set()
    unknown = sorted(sku for sku in safety.skus if sku.strip().lower() not in known)
    data = {"buffer": safety.buffer, "skus": dict(safety.skus), "saved": saved is not None,
            "version": saved.id if saved else None, "skus_not_linked": unknown}
    lines = [f"Every product: {safety.buffer} unit{'s' if safety.buffer != 1 else ''} held back from BigCommerce."]
    lines += [f"{sku}: {units} held back" for sku, units in sorted(safety.skus.items())]
    lines += [f"No linked product or variant has the SKU {sku!r} (yet): its buffer waits for one." for sku in unknown]
    if saved is not None:
        lines.append(f"Saved (settings version {saved.id}); the next sync sends the new levels.")
    emit(args, data, lines)
    return 0


def _changed_safety_stock(args: argparse.Namespace, safety: Any) -> str:
    """Apply the command's change to ``safety``; what changed, for the version's note ('' when nothing)."""
    from desktop.sync.settings import MAX_SAFETY_STOCK

    for units in (args.units, args.default):
        if units is not None and not 0 <= units <= MAX_SAFETY_STOCK:
            raise CliError(f"Safety stock is a whole number of units from 0 to {MAX_SAFETY_STOCK:,}, not {units}.", 2)
    if args.default is not None:
        if args.sku or args.units is not None or args.clear:
            raise CliError("Give either --default N, or a SKU with its units (or --clear), not both.", 2)
        safety.buffer = args.default
        return f"--default {args.default}"
    if not args.sku:
        if args.units is not None or args.clear:
            raise CliError("Name the SKU first: safety-stock SKU N.", 2)
        return ""
    sku = args.sku.strip()
    if args.clear:
        had = safety.own(sku) is not None
        safety.set_sku(sku, None)
        return f"{sku} --clear" if had else ""
    if args.units is None:
        raise CliError(f"How many units of {sku} should BigCommerce never get? safety-stock {sku} N (or --clear).",
                       2)
    safety.set_sku(sku, args.units)
    return f"{sku} {args.units}"


def cmd_compare_stock(args: argparse.Namespace) -> int:
    """S9: before "update Hike inventory on order" goes back on, the linked items whose stock differs."""
    from desktop.sync.engine import store_facts

    with opened_db(), opened_clients(args) as (bc, hike):
        resolved = load_settings().resolve(store_facts(hike, bc))
        differences = compare_stock(hike, bc, resolved.stock_outlet_ids, resolved.settings.safety_stock.lookup())
    data = {"count": len(differences), "differences": [
        {"sku": d.sku, "name": d.name, "hike": str(d.hike), "bigcommerce": d.bigcommerce} for d in differences]}
    emit(args, data, [d.message for d in differences] or ["Stock agrees on every linked product."])
    return 0


def cmd_matches(args: argparse.Namespace) -> int:
    """Issue 20 (B2): the match review, or one decision about it (honoured by every pass from the next one)."""
    if args.decision is None:
        return list_matches(args)
    wanted = MATCH_DECISIONS[args.decision]
    if len(args.values) != len(wanted) or (len(wanted) == 2 and not all(v.isdigit() for v in args.values)):
        raise invalid(f"Give matches {args.decision} {' '.join(wanted)}"
                      + (" (two product ids)." if len(wanted) == 2 else "."))
    if args.search or args.only:
        raise invalid("--search and --only are for the list (matches without a decision).")
    from desktop.sync import match_decisions

    try:
        with opened_db():
            outcome = decide_match(args, match_decisions)
    except match_decisions.DecisionError as exc:
        raise invalid(str(exc)) from None
    emit(args, {"decision": args.decision, "values": args.values, "changed": outcome.changed,
                "message": outcome.message}, [outcome.message])
    return 0


def decide_match(args: argparse.Namespace, decisions: Any) -> Any:
    """One decision; the records it names are looked up in the stores first (an unknown id or SKU: exit 2)."""
    if args.decision == "include":
        return decisions.include(args.values[0])
    if args.decision == "forget":
        return decisions.forget(int(args.values[0]), int(args.values[1]))
    with opened_clients(args) as (bc, hike):
        if args.decision == "exclude":
            sku = args.values[0].strip()
            if not sku or (hike.find_product_by_sku(sku) is None and bc.find_product_by_sku(sku) is None):
                raise invalid(f"No product or variant in Hike or BigCommerce has the SKU {sku!r}.")
            return decisions.exclude(sku)
        hike_p, bc_p = decisions.read_pair(hike, bc, *(int(v) for v in args.values))  # DecisionError: exit 2
        return decisions.link(hike_p, bc_p) if args.decision == "link" else decisions.refuse(hike_p, bc_p)


def list_matches(args: argparse.Namespace) -> int:
    if args.only and args.only not in MATCH_KINDS:
        raise invalid(f"--only takes one of: {', '.join(MATCH_KINDS)} (not {args.only!r}).")
    from desktop.sync import match_review

    with opened_db(), opened_clients(args) as (bc, hike):
        rows = match_review.only(match_review.review(hike, bc), search=args.search, kind=args.only)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.kind] = counts.get(row.kind, 0) + 1
    data = {"count": len(rows), "counts": counts, "rows": [row.to_json() for row in rows]}
    emit(args, data, lambda: [match_line(row) for row in rows]
         + [", ".join(f"{n} {kind}" for kind, n in counts.items()) or "No product matches."])
    return 0


def match_line(row: Any) -> str:
    """One review row for people: kind, both records (id, name, SKU), how, and what it means."""
    def record(store: str, record_id: Any, name: str, sku: str) -> str:
        if record_id is None:
            return f"{store} SKU {sku}" if sku and not name else f"{store} —"
        return f"{store} {record_id} “{name}”" + (f" [{sku}]" if sku else "")

    how = f" ({row.how})" if row.how else ""
    return (f"{row.kind:<16} {record('Hike', row.hike_id, row.hike_name, row.hike_sku)} ⇄ "
            f"{record('BigCommerce', row.bc_id, row.bc_name, row.bc_sku)}{how}: {row.message}")


def tax_check(settings: Settings, saved: bool, bc_price_entered_with_tax: bool) -> dict[str, Any]:
    """P2: Hike's "tax inclusive prices" is not readable through Hike's API; the settings record it."""
    check = TaxCheck(settings.tax_inclusive, bc_price_entered_with_tax)
    return {"hike_tax_inclusive": check.hike_tax_inclusive,
            "hike_tax_inclusive_from": "saved settings" if saved else "template (no settings saved)",
            "bigcommerce_price_entered_with_tax": check.bigcommerce_price_entered_with_tax,
            "consistent": check.consistent, "message": check.message}


def planned_pass(bc: Any, hike: Any, settings: Settings | None) -> tuple[dict[str, Any] | None, str | None]:
    """P3: (the dry run's counts and actions, None) or (None, why there is none)."""
    from desktop.sync.engine import SyncEngine

    if settings is None:
        return None, "No sync settings are saved yet: the dry run needs them (configure --settings FILE)."
    try:
        plan = SyncEngine(bc, hike, settings).dry_run()
    except SettingsError as exc:
        return None, str(exc)
    return {"counts": plan.counts, "fields": plan.fields, "samples": plan.samples, "actions": plan.actions,
            "writes": [w.to_json() for w in plan.writes]}, None


def preflight_lines(data: dict[str, Any]) -> list[str]:
    from desktop.sync.preview import describe_fields, describe_plan, sample_line

    lines = ["Duplicates (P1):"]
    for side, store in (("hike", "Hike"), ("bigcommerce", "BigCommerce")):
        found = data["duplicates"][side]
        lines.append(f"  {store}: {len(found)}" + ("" if found else " (none)"))
        lines += [f"    - {d['message']}" for d in found]
    tax = data["tax"]
    lines.append(f"Tax (P2): {'ok' if tax['consistent'] else 'MISMATCH'}: {tax['message']}")
    if data["dry_run"] is None:
        lines.append(f"Dry run (P3): {data['dry_run_problem']}")
    else:
        lines.append(f"Dry run (P3): {describe_plan(data['dry_run']['counts'])}")
        lines += [f"  Writes: {line}" for line in describe_fields(data["dry_run"]["fields"])]
        lines += [f"    {sample_line(name, sample)}" for store in data["dry_run"]["samples"].values()
                  for name, found in store.items() for sample in found]
        lines += [action_line(a) for a in data["dry_run"]["actions"]]
    if data.get("orders_start"):
        lines.append(f"Orders (N7): {data['orders_start']['message']}")
    return lines


def undecided_orders_start(bc: Any, hike: Any, settings: Settings) -> dict[str, Any] | None:
    """N7: on a new database whose stores this app synced before, what each start of orders brings in."""
    from desktop.sync import order_start

    resume = order_start.undecided(bc, hike, settings)
    return None if resume is None else {**resume.to_json(), "message": order_start.needed_message(resume)}


def action_line(action: dict[str, Any]) -> str:
    line = f"  {action['action']:<6} {action['store']:<11} {action['sku'] or '-':<16} {action['name']}"
    return line + (f" ({action['message']})" if action.get("message") else "")


def cmd_backup(args: argparse.Namespace) -> int:
    folder = Path(args.out).expanduser() if args.out else paths.app_paths().ensure().backups
    if folder.exists() and not folder.is_dir():
        raise invalid(f"{folder} is a file, not a folder.")
    with opened_db(), opened_clients(args) as (bc, hike):
        try:
            hike_csv, bc_csv = write_backup(folder, list(hike.products()), list(bc.products()))
        except OSError as exc:
            if is_disk_full(exc):
                raise CliError(disk_full_advice(folder)) from None
            raise CliError(f"Could not write the backup to {folder}: {exc.strerror or exc}.") from None
    emit(args, {"hike": str(hike_csv), "bigcommerce": str(bc_csv)}, [str(hike_csv), str(bc_csv)])
    return 0


# ---------------------------------------------------------------------------------------------------------------
# sync
def parse_entities(text: str | None) -> list[str] | None:
    if text is None:
        return None
    wanted = [e.strip().lower() for e in text.split(",") if e.strip()]
    unknown = [e for e in wanted if e not in ENGINE_ENTITIES]
    if not wanted or unknown:
        raise invalid(f"--entities takes a comma-separated list of {', '.join(ENGINE_ENTITIES)}"
                      + (f" (not {', '.join(unknown)})" if unknown else "") + ".")
    return wanted


def cmd_sync(args: argparse.Namespace) -> int:
    from desktop.sync.engine import SyncEngine

    entities = parse_entities(args.entities)
    with opened_db(), opened_clients(args) as (bc, hike):
        settings = load_settings()
        engine = SyncEngine(bc, hike, settings)
        try:
            if args.dry_run:
                return report_dry_run(args, engine.dry_run(full=args.full))
            decide_orders_start(args, bc, hike, settings)
            run = engine.run_pass(Trigger.CLI, entities, scope=ReadScope.FULL if args.full else None)
        except SettingsError as exc:
            raise CliError(f"The saved settings don't fit the stores any more: {exc}") from None
    data = {"run_id": run.id, "status": run.status, "counts": run.counts or {}, "message": run.message}
    emit(args, data, [f"Run {run.id}: {run.status}: {describe_counts(run.counts or {})}"]
         + ([run.message] if run.message else []))
    if run.status == "error":
        warn(f"The sync run failed: {run.message}")
    return 1 if run.status == "error" else 0


def decide_orders_start(args: argparse.Namespace, bc: Any, hike: Any, settings: Settings) -> None:
    """N7: a new database on stores this app synced before needs ``--orders-from`` before it activates orders
    (exit 2 naming the choices and what each brings in); the choice is kept until orders are activated."""
    from desktop.sync import order_start

    if args.orders_from:
        try:
            order_start.choose(args.orders_from)
        except ValueError as exc:
            raise invalid(f"--orders-from: {exc}.") from None
        return
    try:
        resume = order_start.undecided(bc, hike, settings)
    except errors.SyncError:
        return  # a store that fails now fails the pass too, which records and reports it as a run
    if resume is not None:
        raise invalid(order_start.needed_message(resume))


def report_dry_run(args: argparse.Namespace, plan: Any) -> int:
    from desktop.sync.preview import describe_fields, describe_plan

    data = {"dry_run": True, "counts": plan.counts, "fields": plan.fields, "actions": plan.actions}
    emit(args, data, lambda: [f"Dry run (nothing written): {describe_plan(plan.counts)}"]
         + [f"  Writes: {line}" for line in describe_fields(plan.fields)] + [action_line(a) for a in plan.actions])
    return 0


# ---------------------------------------------------------------------------------------------------------------
# status and log
def cmd_status(args: argparse.Namespace) -> int:
    creds = credentials(args)
    with opened_db():
        row = saved_settings_row()
        links = {r.entity: r.n for r in Link.select(Link.entity, fn.COUNT(Link.id).alias("n")).group_by(Link.entity)}
        outbox = PendingWork.select().where(PendingWork.status.in_(["pending", "in_progress"])).order_by(PendingWork.id)
        data = {
            "connections": [connection_info(c) for c in Connection.select().order_by(Connection.side)],
            "keyring": {"backend": creds.describe_backend(), "state": creds.check().value,
                        "profile": args.profile},
            "settings": {"saved": row is not None, "version": row.id if row else None,
                         "saved_at": iso(row.saved_at) if row else None,
                         "schedule_minutes": row.data.get("schedule_minutes") if row else None},
            "last_runs": [run_info(r) for r in Run.select().order_by(Run.id.desc()).limit(5)],
            "links": {"total": sum(links.values()), "by_entity": links},
            "errors": {"links": Link.select().where(Link.last_result.in_(ERROR_RESULTS)).count(),
                       "log_entries": LogEntry.select().where(LogEntry.result.in_(ERROR_RESULTS)).count()},
            "outbox": {"unfinished": outbox.count(),
                       "rows": [{"id": w.id, "entity": w.entity, "key": w.key, "action": w.action,
                                 "status": w.status, "attempts": w.attempts, "last_error": w.last_error,
                                 "updated_at": iso(w.updated_at)} for w in outbox.limit(20)]},
        }
    emit(args, data, lambda: status_lines(data))
    return 0


def status_lines(data: dict[str, Any]) -> list[str]:
    sides = {c["side"]: c for c in data["connections"]}
    lines = [f"{store:<12} " + (f"{sides[side]['store_name']}" + (" (sandbox)" if sides[side]["sandbox"] else "")
                                 if side in sides else "not connected")
             for side, store in (("bigcommerce", "BigCommerce"), ("hike", "Hike"))]
    keyring = data["keyring"]
    lines.append(f"{'Keyring':<12} {keyring['state']} ({keyring['backend']}, profile {keyring['profile']})")
    settings = data["settings"]
    lines.append(f"{'Settings':<12} " + (f"saved (version {settings['version']}, every "
                                         f"{settings['schedule_minutes']} min)" if settings["saved"] else "not saved"))
    lines.append(f"{'Links':<12} {data['links']['total']} "
                 + " ".join(f"{k}={v}" for k, v in sorted(data["links"]["by_entity"].items())))
    lines.append(f"{'Errors':<12} {plural(data['errors']['links'], 'record')}, "
                 f"{plural(data['errors']['log_entries'], 'log entry', 'log entries')}")
    lines.append(f"{'Outbox':<12} {data['outbox']['unfinished']} unfinished")
    for run in data["last_runs"]:
        lines.append(f"Run {run['id']:<8} {run['started_at']} {run['trigger']:<9} {run['status']:<8} "
                     f"{describe_counts(run['counts'])}" + (f" ({run['message']})" if run["message"] else ""))
    return lines


def cmd_log(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise invalid("--limit must be at least 1.")
    with opened_db():
        query = LogEntry.select().order_by(LogEntry.created_at.desc(), LogEntry.id.desc()).limit(args.limit)
        if args.sku:
            query = query.where(fn.LOWER(LogEntry.sku) == args.sku.strip().lower())
        if args.errors_only:
            query = query.where(LogEntry.result.in_(ERROR_RESULTS))
        entries = [{"time": iso(e.created_at), "run_id": e.run_id, "entity": e.entity, "direction": e.direction,
                    "action": e.action, "result": e.result, "message": e.message, "diff": e.diff,
                    "hike_id": e.hike_id, "bc_id": e.bc_id, "sku": e.sku} for e in query]
    # the text is for people (the action in words, as the window shows it); --json keeps the machine words
    emit(args, {"entries": entries}, lambda: [
        f"{e['time']} {e['entity']:<9} {action_text(e['action']):<10} {e['result']:<8} {e['direction']:<10} "
        f"{e['sku'] or '-':<16} {e['message']}" for e in entries] or ["No log entries."])
    return 0


# ---------------------------------------------------------------------------------------------------------------
# run
class LogEvents:
    """Engine and scheduler events as log lines (stderr and the log file)."""

    def on_run_started(self, run_id: Any, trigger: str, entities: Any) -> None:
        log.info("Run %s started (%s: %s)", run_id, trigger, ", ".join(sorted(entities)))

    def on_run_finished(self, run_id: Any, status: str, counts: Any) -> None:
        log.info("Run %s finished: %s: %s", run_id, status, describe_counts(dict(counts or {})))

    def on_error(self, kind: str, title: str, message: str) -> None:
        log.warning("%s: %s", title, message)

    def on_state(self, state: str) -> None:
        log.info("State: %s", state)


def cmd_run(args: argparse.Namespace) -> int:
    from desktop.sync.engine import SyncEngine

    setup_logging(paths.app_paths().ensure().logs, logging.INFO, console=True)
    stop = threading.Event()
    with opened_db(), opened_clients(args) as (bc, hike):
        settings = load_settings()
        decide_orders_start(args, bc, hike, settings)
        events = Listeners(LogEvents())
        engine = SyncEngine(bc, hike, settings, events=events)
        scheduler = SyncScheduler(engine.run_pass,
                                  interval_minutes=int(settings.schedule_minutes), events=events,
                                  calls_per_pass_estimate=settings.hike_calls_per_idle_pass())
        previous = {sig: signal.signal(sig, lambda signum, _frame: stop.set())
                    for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            scheduler.start()
            log.info("Syncing every %d min until Ctrl+C or SIGTERM", scheduler.interval_minutes)
            while not stop.wait(0.5):
                pass
            log.info("Stopping: the running pass, if any, finishes first")
        finally:
            scheduler.shutdown(wait=True)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    log.info("Stopped cleanly")
    return 0


# ---------------------------------------------------------------------------------------------------------------
# main
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "info": cmd_info, "disconnect": cmd_disconnect, "configure": cmd_configure, "preflight": cmd_preflight,
    "backup": cmd_backup, "sync": cmd_sync, "status": cmd_status, "log": cmd_log, "run": cmd_run,
}
def cmd_restore_database(args: argparse.Namespace) -> int:
    """A damaged or too-new database: put back a copy taken before a migration (the file replaced is kept)."""
    database = paths.app_paths().ensure().database
    close_db()
    if args.list:
        copies = [str(c) for c in backup_copies(database)]
        emit(args, {"database": str(database), "copies": copies}, copies or ["No saved copies."])
        return 0
    try:
        used, aside = restore_copy(database, args.copy)
        init_db(database)  # the copy may be of an older schema: bring it up to date now
        mark_interrupted_runs()  # a copy taken mid-pass holds that pass as running
    except DatabaseError as exc:
        raise CliError(str(exc)) from None
    finally:
        close_db()
    emit(args, {"database": str(database), "restored_from": str(used), "replaced_file": str(aside) if aside else None},
         [f"Restored {database} from {used}.", f"The file it replaced is kept as {aside}." if aside else ""])
    return 0


COMMANDS["restore-database"] = cmd_restore_database


def cmd_drift(args: argparse.Namespace) -> int:
    """The drift report (issue 20): what differs between linked products and customers, found by the last full
    pass (or read now with --check), with both values and the field's rule; --fix makes one store match the
    other."""
    from desktop.sync import drift
    from desktop.sync.engine import SyncEngine

    if args.fix is None and (args.links or args.all or args.field):
        raise CliError("Say which store to change: drift --fix bigcommerce|hike LINK... (or --all).", 2)
    if args.fix is not None and not args.links and not args.all:
        raise CliError(f"Name the records to fix (their link ids, as drift lists them) or --all: drift --fix "
                       f"{args.fix} LINK...", 2)
    fixed: Run | None = None
    with opened_db():
        if args.check or args.fix:
            with opened_clients(args) as (bc, hike):
                engine = SyncEngine(bc, hike, load_settings())
                if args.check:
                    engine.check_drift()
                if args.fix:
                    fixed = _fix_drift(engine, args, drift)
        rows = drift.rows(args.search)
        data = {"count": len({r.link_id for r in rows}), "fields": len(rows), "differences": [
            {"link": r.link_id, "entity": r.entity, "name": r.name, "sku": r.sku, "hike_id": r.hike_id,
             "bc_id": r.bc_id,
             "field": r.field, "label": r.label, "hike": r.hike_value, "bigcommerce": r.bc_value, "rule": r.rule,
             "own_rule": r.own_rule, "fixes": r.fixes} for r in rows]}
    if fixed is not None:
        data["fix_run"] = {"run_id": fixed.id, "status": fixed.status}
    if args.csv:
        _write_drift_csv(Path(args.csv).expanduser(), data["differences"])
    lines = [f"{d['name']} ({d['sku']}, link {d['link']}): {d['label']}: Hike {d['hike']!r}, BigCommerce "
             f"{d['bigcommerce']!r} ({d['rule']})" for d in data["differences"]]
    emit(args, data, lines or ["No difference found between linked products or customers."])
    return 0


def _fix_drift(engine: Any, args: argparse.Namespace, drift: Any) -> Run | None:
    from desktop.sync import ownership

    listed = {r.link_id: r for r in drift.rows()}
    wanted = sorted(listed) if args.all else args.links
    unknown = [link for link in wanted if link not in listed]
    if unknown:
        raise CliError(f"The report lists no record with link {', '.join(map(str, unknown))}: see drift (or "
                       "drift --check).", 2)
    if args.field is not None and drift.owned_key(args.field) is None:
        raise CliError(f"Only a field with a rule can be fixed alone: {', '.join(ownership.KEYS)} (not "
                       f"{args.field!r}).", 2)
    return engine.fix_drift(wanted, args.fix, Trigger.CLI, field=args.field)


def _write_drift_csv(path: Path, differences: list[dict[str, Any]]) -> None:
    """As the backups are written (``preflight.write_csv``): cells a spreadsheet would run are quoted."""
    from desktop.sync.preflight import write_csv

    def cell(value: Any) -> str:
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    write_csv(path, ["entity", "link", "name", "sku", "field", "hike", "bigcommerce", "rule", "your rule", "fixes"],
              [[d["entity"], d["link"], d["name"], d["sku"], d["label"], cell(d["hike"]), cell(d["bigcommerce"]),
                d["rule"], "yes" if d["own_rule"] else "no", " ".join(d["fixes"])] for d in differences])


def cmd_autostart(args: argparse.Namespace) -> int:
    """Start at login (issue 17): the entry itself is the truth, nothing is saved elsewhere."""
    command = autostart.launch_command()  # with the data folder this command was given, when not the usual one
    if args.switch == "on":
        found = autostart.enable(command=command)
    elif args.switch == "off":
        found = autostart.disable()
    else:
        found = autostart.status(command=command)
    emit(args, found.as_dict(), [found.describe()])
    return 0


COMMANDS["autostart"] = cmd_autostart
COMMANDS["drift"] = cmd_drift
COMMANDS["compare-stock"] = cmd_compare_stock
COMMANDS["safety-stock"] = cmd_safety_stock
COMMANDS["matches"] = cmd_matches
COMMANDS["diagnose"] = cmd_diagnose
COMMANDS["support-bundle"] = cmd_support_bundle
CONNECT_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "bigcommerce": cmd_connect_bigcommerce, "hike": cmd_connect_hike, "sandbox": cmd_connect_sandbox,
}


def dispatch(args: argparse.Namespace) -> int:
    """Run the command; every expected failure becomes its message on stderr (never a traceback) and a code."""

    global _lock
    command = CONNECT_COMMANDS[args.store] if args.command == "connect" else COMMANDS[args.command]
    try:
        if writes(args):
            _lock = FolderLock(paths.app_paths().ensure().data, purpose(args)).acquire()
        return command(args)
    except FolderBusy as exc:
        return fail(args, exc.describe(), 1)
    except CliError as exc:
        return fail(args, exc.message, exc.code)
    except (errors.SyncError, CredentialError) as exc:
        # not connected, keyring unusable, a store refused or could not be reached
        return fail(args, str(exc) if isinstance(exc, errors.SyncError) else exc.message, 1)
    except KeyboardInterrupt:
        return fail(args, "Interrupted.", 130)
    except Exception as exc:  # noqa: BLE001 - a full disk, else a bug: one line here, the traceback in the log file
        if is_disk_full(exc):  # the database's "database or disk is full", or ENOSPC from any file we write
            return fail(args, disk_full_advice(full_folder(exc)), 1)
        log.exception("Command %s failed", args.command)
        return fail(args, f"Unexpected error: {type(exc).__name__}: {exc} (details in the log file in "
                          f"{paths.app_paths().logs})", 1)
    finally:
        if _lock is not None:
            _lock.release()
            _lock = None


def full_folder(exc: Exception) -> Path:
    """The folder of the file a write filled the disk with (the data folder for the database)."""
    filename = getattr(exc, "filename", None)
    return Path(filename).parent if filename else paths.app_paths().data


def fail(args: argparse.Namespace, message: str, code: int) -> int:
    message = redact(message)
    print(f"hike-bc-sync-cli: {message}", file=sys.stderr)
    if getattr(args, "json", False):
        print(json.dumps({"error": message, "exit_code": code}, ensure_ascii=False))
    return code


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version (0) or a usage error (2), already printed by argparse
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    if args.data_dir:
        paths.set_override(args.data_dir)
    try:
        setup_logging(paths.app_paths().ensure().logs, logging.WARNING, console=False)
    except OSError as exc:  # before any command, so stated here (issue 14 finding 10)
        if is_disk_full(exc):
            return fail(args, disk_full_advice(full_folder(exc)), 1)
        # exit 1, not 2: the folder's state on this machine, like an unusable keyring (see the module docstring)
        where = f" ({exc.filename})" if exc.filename and Path(exc.filename) != paths.app_paths().data else ""
        return fail(args, f"The data folder {paths.app_paths().data} is not writable: {exc.strerror or exc}{where}. "
                          f"Fix its permissions, or choose another with --data-dir or {paths.ENV_VAR}.", 1)
    return dispatch(args)


if __name__ == "__main__":
    sys.exit(main())
