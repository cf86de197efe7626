"""The app's files hold customers' names, emails and addresses: they are their owner's alone (issue 14 finding 12).

On POSIX the data, log, cache and backups folders are 0700 and the files in them 0600 (the database and its
-wal/-shm, copies taken before migrations, ``keyring.json``, the log, backups), whatever the umask the app was
started with, and what an older version left readable is tightened at start. Every mode here is the real
``st_mode`` of a file the CLI or the app wrote.
"""
from __future__ import annotations

import os
import stat
from datetime import datetime, timezone
from pathlib import Path

import pytest

from desktop import cli
from desktop.storage import db as dbmod
from desktop.storage.migrations import MIGRATIONS
from desktop.storage.models import Link
from desktop.sync.preflight import write_backup

SETTINGS = '{"inventory_outlet": "Main Street", "tax_map": {"GST": "Default Tax Class"}, "shipping_tax": "GST"}'


@pytest.fixture
def usual_umask():
    """The umask most desktops start programs with (0022: new files 0644, readable by every local user); the app
    must not depend on it. The previous umask comes back afterwards."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_cli_run_creates_its_data_folder_and_files_for_the_owner_only(usual_umask, tmp_path):
    """issue 14 finding 12: they were created 0755 / 0644."""
    data = tmp_path / "new" / "data"
    settings = tmp_path / "settings.json"
    settings.write_text(SETTINGS)
    assert cli.main(["--data-dir", str(data), "configure", "--settings", str(settings)]) == 0
    for folder in (data, data / "logs", data / "cache", data / "backups"):
        assert mode(folder) == 0o700, folder
    for file in (data / "sync.sqlite3", data / "logs" / "hike-bc-sync.log"):
        assert mode(file) == 0o600, file

    os.umask(0o022)  # SQLite gives its -wal and -shm the database's own mode, whatever the umask
    dbmod.init_db(data / "sync.sqlite3")
    try:
        Link.create(entity="product", hike_id="1", bc_id="2")
        for suffix in ("-wal", "-shm"):
            assert mode(data / f"sync.sqlite3{suffix}") == 0o600, suffix
    finally:
        dbmod.close_db()


def test_what_an_older_version_left_readable_is_tightened_at_start(usual_umask, tmp_path):
    """issue 14 finding 12: an older version's data folder (0755, files 0644, a database of an older schema) is
    the owner's alone after one CLI run, and the copy the migration takes is born 0600. A file the app did not
    write keeps its mode (the folder around it is closed anyway)."""
    data = tmp_path / "data"
    for folder in (data / "logs", data / "cache", data / "backups"):
        folder.mkdir(parents=True)
    older = dbmod.open_database(data / "sync.sqlite3")
    older.connect()
    dbmod.run_migrations(older, MIGRATIONS[:1])
    older.close()
    ours = [data / "sync.sqlite3", data / "sync.before-v1.20240101T000000Z.sqlite3", data / "keyring.json",
            data / "logs" / "hike-bc-sync.log", data / "logs" / "hike-bc-sync.log.1",
            data / "backups" / "hike-products-20240101-000000.csv"]
    for file in ours[1:]:
        file.write_text("an older version's file")
    notes = data / "notes.txt"
    notes.write_text("the manager's own")
    assert {mode(f) for f in ours + [notes]} == {0o644} and mode(data) == 0o755

    assert cli.main(["--data-dir", str(data), "info"]) == 0
    copies = [c for c in data.glob("sync.before-v2.*.sqlite3")]
    assert len(copies) == 1, "the migration took its copy"
    for file in ours + copies:
        assert mode(file) == 0o600, file
    for folder in (data, data / "logs", data / "cache", data / "backups"):
        assert mode(folder) == 0o700, folder
    assert mode(notes) == 0o644


def test_backup_files_are_the_owners_alone_in_any_folder(usual_umask, tmp_path):
    """issue 14 finding 12: a backup written where the manager chooses (the wizard's folder picker) is 0600
    however the process was started; the folder and its other files are left as they are."""
    shared = tmp_path / "shared"
    shared.mkdir()
    other = shared / "price list.ods"
    other.write_text("someone else's")
    for path in write_backup(shared, [], [], now=datetime(2024, 5, 1, tzinfo=timezone.utc)):
        assert mode(path) == 0o600, path
    assert mode(shared) == 0o755 and mode(other) == 0o644
