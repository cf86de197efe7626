"""The SQLite database: one proxy bound at start-up, WAL, and numbered migrations.

Why these choices:
- ``DatabaseProxy``: models are declared once and bound to whatever file start-up (or a test) chooses.
- WAL + ``busy_timeout`` + ``BEGIN IMMEDIATE``: the sync worker writes while the GUI reads and sometimes writes.
  WAL lets readers go on during a write; IMMEDIATE takes the write lock when a transaction starts, so two
  writers queue on ``busy_timeout`` instead of failing half-way with "database is locked" (a deferred
  transaction that upgrades from read to write cannot wait, it fails at once).
- Migrations are numbered steps, each in its own transaction, with the file copied aside before the first
  one runs, so a failed or newer-version upgrade can always go back to the copy.
"""
from __future__ import annotations

import errno
import logging
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import peewee

from desktop.storage.migrations import MIGRATIONS, Migration

log = logging.getLogger(__name__)

database_proxy = peewee.DatabaseProxy()
BUSY_TIMEOUT_S = 15


class DatabaseError(Exception):
    """A database problem a person can act on; the message says what to do."""


class NewerDatabaseError(DatabaseError):
    pass


class CorruptDatabaseError(DatabaseError):
    """The file is not a readable SQLite database (damaged disk, a crash of the OS, a hand edit)."""


def open_database(path: Path | str) -> peewee.SqliteDatabase:
    """A peewee database on ``path`` (``":memory:"`` allowed) with our pragmas; not yet bound or migrated."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return peewee.SqliteDatabase(
        str(path),
        pragmas={
            "journal_mode": "wal",
            "synchronous": "normal",  # safe with WAL: a power cut can lose the last commit, never corrupt
            "foreign_keys": 1,
            "busy_timeout": BUSY_TIMEOUT_S * 1000,
        },
        timeout=BUSY_TIMEOUT_S,
        lock_type="IMMEDIATE",
        check_same_thread=False,
    )


def is_disk_full(exc: BaseException) -> bool:
    """The OS's ENOSPC (or a quota), or SQLite's SQLITE_FULL, which both sqlite3 and peewee raise as an
    OperationalError saying "database or disk is full" (issue 14 finding 10)."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return isinstance(exc, (sqlite3.OperationalError, peewee.OperationalError)) and "disk is full" in str(exc)


def disk_full_advice(folder: Path | str) -> str:
    return (f"The disk holding {folder} is full: free some space, then try again. What was being written was "
            "not kept; nothing in either store is affected.")


def init_db(path: Path | str, *, migrate: bool = True) -> peewee.SqliteDatabase:
    """Open ``path``, bind the models to it and bring its schema up to date."""
    db = open_database(path)
    database_proxy.initialize(db)
    try:
        db.connect(reuse_if_open=True)
    except peewee.OperationalError as exc:
        raise DatabaseError(f"Cannot open the database {path}: {exc}. Check the folder is writable.") from exc
    except peewee.DatabaseError as exc:  # "file is not a database" already at the first pragma
        raise CorruptDatabaseError(corrupt_advice(Path(str(path)), exc)) from None
    if migrate:
        try:
            run_migrations(db, MIGRATIONS)
        except (peewee.DatabaseError, sqlite3.OperationalError) as exc:  # sqlite3's: the copy taken first
            db.close()
            if is_disk_full(exc):  # not damage: the file is fine, and restoring a copy would lose data
                raise DatabaseError(disk_full_advice(Path(str(path)).parent)) from None
            if isinstance(exc, peewee.DatabaseError):  # "file is not a database", "disk image is malformed"
                raise CorruptDatabaseError(corrupt_advice(Path(str(path)), exc)) from None
            raise
    return db


def corrupt_advice(path: Path, exc: Exception) -> str:
    copies = backup_copies(path)
    advice = (f"The app's database {path} cannot be read ({exc}). Nothing in either store is affected. ")
    if copies:
        return advice + (f"A copy saved on {copies[0].name.split('.')[-2]} can be put back: "
                         f"hike-bc-sync-cli restore-database (the damaged file is kept aside).")
    return advice + ("There is no saved copy: move the file away and start again; the next sync links "
                     "the records again by SKU.")


def backup_copies(path: Path | str) -> list[Path]:
    """The copies taken before migrations (``backup_copy``) of the database at ``path``, newest first."""
    path = Path(path)
    found = [c for c in path.parent.glob(f"{path.stem}.before-v*{path.suffix}") if c.is_file()]
    return sorted(found, key=lambda c: c.name.split(".")[-2], reverse=True)


def restore_copy(path: Path | str, copy: Path | str | None = None) -> tuple[Path, Path | None]:
    """Put a saved copy back in place of the database at ``path`` (closed). The file it replaces is renamed
    aside, never deleted. Returns (the copy used, where the replaced file went)."""
    path = Path(path)
    copies = backup_copies(path)
    chosen = Path(copy) if copy else (copies[0] if copies else None)
    if chosen is None or not chosen.is_file():
        raise DatabaseError(f"There is no saved copy of {path} to restore." if chosen is None
                            else f"The copy {chosen} does not exist.")
    check = sqlite3.connect(f"file:{chosen}?mode=ro", uri=True)
    try:
        if check.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise DatabaseError(f"The copy {chosen} is damaged too.")
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"The copy {chosen} cannot be read either ({exc}).") from None
    finally:
        check.close()
    aside = None
    if path.exists():
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        aside = path.with_name(f"{path.stem}.replaced.{stamp}{path.suffix}")
        path.rename(aside)
    for suffix in ("-wal", "-shm"):  # the replaced file's journal must not be replayed into the copy
        journal = path.with_name(path.name + suffix)
        if journal.exists():
            journal.rename(aside.with_name(aside.name + suffix) if aside else journal.with_suffix(".old"))
    source = sqlite3.connect(str(chosen))
    dest = sqlite3.connect(str(path))
    try:
        source.backup(dest)
    finally:
        source.close()
        dest.close()
    log.warning("Database %s restored from %s (replaced file kept as %s)", path, chosen, aside)
    return chosen, aside


def close_db() -> None:
    db = database_proxy.obj
    if db is not None and not db.is_closed():
        db.close()


def schema_version(db: peewee.SqliteDatabase) -> int:
    if not db.table_exists("schema_migration"):
        return 0
    row = db.execute_sql("SELECT MAX(version) FROM schema_migration").fetchone()
    return int(row[0] or 0)


def backup_copy(db: peewee.SqliteDatabase, label: str) -> Path | None:
    """Copy the database aside with SQLite's online backup (safe with WAL and open readers)."""
    if db.database == ":memory:":
        return None
    source = Path(db.database)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = source.with_name(f"{source.stem}.{label}.{stamp}{source.suffix}")
    dest = sqlite3.connect(str(target))
    try:
        db.connection().backup(dest)
    finally:
        dest.close()
    return target


def run_migrations(db: peewee.SqliteDatabase, migrations: list[Migration]) -> list[int]:
    """Apply the steps newer than the recorded version, each in a transaction. Returns the versions applied."""
    versions = [m.version for m in migrations]
    if versions != sorted(set(versions)):
        raise ValueError("migrations must have unique, increasing version numbers")
    current = schema_version(db)
    latest = versions[-1] if versions else 0
    if current > latest:
        raise NewerDatabaseError(
            f"The database {db.database} was written by a newer version of this app (schema {current}, "
            f"this version knows {latest}). Update the app, or restore the copy saved before that upgrade."
        )
    pending = [m for m in migrations if m.version > current]
    if not pending:
        return []
    if current > 0:
        copy = backup_copy(db, f"before-v{pending[0].version}")
        log.info("Database copied to %s before migrating from schema %d", copy, current)
    db.execute_sql(
        "CREATE TABLE IF NOT EXISTS schema_migration ("
        "version INTEGER PRIMARY KEY, title TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    applied = []
    for step in pending:
        with db.atomic():
            step.apply(db)
            db.execute_sql(
                "INSERT INTO schema_migration (version, title, applied_at) VALUES (?, ?, ?)",
                (step.version, step.title, datetime.now(timezone.utc).isoformat()),
            )
        log.info("Database schema migrated to %d (%s)", step.version, step.title)
        applied.append(step.version)
    return applied
