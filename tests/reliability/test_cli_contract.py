"""The CLI's own contract where the machine or the file is at fault (issue 14 finding 10): a data folder that cannot
be written, a full disk, a settings file nested 100 000 deep. Each is a plain message on stderr, exit 1 (the
environment failed) or 2 (bad input), never a traceback, and with ``--json`` exactly one JSON error document on
stdout."""
from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

import pytest

from desktop import cli
from desktop.storage import db as dbmod

SETTINGS = {"inventory_outlet": "Main Street", "tax_map": {"GST": "Default Tax Class"}, "shipping_tax": "GST",
            "bigcommerce_location_id": 1}


@pytest.fixture
def run(capsys):
    def run(data_dir: Path, *args: str) -> tuple[int, str, str]:
        code = cli.main(["--data-dir", str(data_dir), *args])
        out, err = capsys.readouterr()
        assert "Traceback" not in err and "Unexpected error" not in err, err
        return code, out, err
    return run


def error_document(out: str) -> dict:
    document = json.loads(out)  # exactly one document: json.loads refuses anything after it
    assert set(document) == {"error", "exit_code"}
    return document


@pytest.fixture
def unwritable_data_dir(tmp_path):
    """A data folder the OS refuses to write in. For a user: a real read-only folder (0500). Root writes through
    any mode bits, so there (the CI runs as root) it is a folder below a regular file, which the OS refuses to
    anyone (ENOTDIR): both are the OS's own refusal, not a simulated one."""
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
        yield folder
        folder.chmod(stat.S_IRWXU)
    else:
        (tmp_path / "a-file").write_text("not a folder")
        yield tmp_path / "a-file" / "data"


def test_a_data_folder_that_cannot_be_written_is_named_exit_1(run, unwritable_data_dir):
    """issue 14 finding 10: a read-only data folder printed a raw traceback (from creating the log folder before
    any command ran), exit 1, and nothing on stdout even with --json. Exit 1: it is the machine's state, not an
    option given wrong (the module docstring's rule)."""
    code, out, err = run(unwritable_data_dir, "status", "--json")
    assert code == 1
    document = error_document(out)
    assert document["exit_code"] == 1
    assert document["error"].startswith(f"The data folder {unwritable_data_dir} is not writable: ")
    assert f"The data folder {unwritable_data_dir} is not writable" in err
    code, out, err = run(unwritable_data_dir, "info")
    assert code == 1 and out == "" and "is not writable" in err


def limit_database_pages(monkeypatch, pages: int) -> None:
    """From now on the app's database may not grow past ``pages`` pages: SQLite's own ``max_page_count``, whose
    writes fail exactly as on a full disk (SQLITE_FULL, "database or disk is full"). A real full file system
    needs a root mount; this is the same error from SQLite itself, injected where the app opens its database."""
    opened = dbmod.open_database

    def limited(path):
        database = opened(path)
        database.pragma("max_page_count", pages, permanent=True)
        return database

    monkeypatch.setattr(dbmod, "open_database", limited)


def test_a_full_disk_under_the_database_is_named_exit_1(run, data_dir, tmp_path, monkeypatch):
    """issue 14 finding 10: "database or disk is full" said "Unexpected error: OperationalError"."""
    assert run(data_dir, "info")[0] == 0  # the database exists, migrated
    limit_database_pages(monkeypatch, 1)  # no room to grow from here
    settings = tmp_path / "settings.json"
    big_map = {f"Hike tax number {i:05d} with a long name": "Default Tax Class" for i in range(3000)}
    settings.write_text(json.dumps({**SETTINGS, "tax_map": big_map}))
    code, out, err = run(data_dir, "configure", "--settings", str(settings), "--json")
    assert code == 1
    document = error_document(out)
    assert document["error"].startswith(f"The disk holding {data_dir} is full: free some space")
    assert "is full" in err


def test_a_full_disk_while_migrating_is_not_called_a_damaged_database(data_dir, monkeypatch):
    """issue 14 finding 10: a migration that runs out of room failed as "cannot be read ... restore-database",
    which would send a manager to put back an old copy of a healthy file."""
    limit_database_pages(monkeypatch, 1)
    with pytest.raises(dbmod.DatabaseError) as info:
        dbmod.init_db(data_dir / "sync.sqlite3")
    assert not isinstance(info.value, dbmod.CorruptDatabaseError)
    assert str(info.value).startswith(f"The disk holding {data_dir} is full: free some space")


def test_a_full_disk_before_the_command_runs_is_named_exit_1(run, data_dir, monkeypatch):
    """issue 14 finding 10: ENOSPC while opening the log file at start-up (injected at that boundary: a real
    full file system needs a root mount)."""
    def full(folder, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder / "hike-bc-sync.log"))

    monkeypatch.setattr(cli, "setup_logging", full)
    code, out, err = run(data_dir, "status", "--json")
    assert code == 1
    assert error_document(out)["error"].startswith(f"The disk holding {data_dir / 'logs'} is full: free some space")


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_a_settings_file_nested_100000_deep_is_bad_input_exit_2(run, data_dir, tmp_path):
    """issue 14 finding 10: it said "RecursionError" with exit 1; it is a settings file that cannot be read (2)."""
    for text in (nested(100_000), '{"tax_map": ' + nested(100_000) + "}"):
        deep = tmp_path / "deep.json"
        deep.write_text(text)
        code, out, err = run(data_dir, "configure", "--settings", str(deep), "--json")
        assert code == 2
        report = json.loads(out)
        assert report["saved"] is False and "nested too deeply" in report["problems"][0]["message"]
        code, out, err = run(data_dir, "configure", "--settings", str(deep))
        assert code == 2 and "nested too deeply" in err and "not saved" in err


def test_a_sandbox_info_file_nested_100000_deep_is_bad_input_exit_2(run, data_dir, tmp_path):
    """issue 14 finding 10: the other JSON file the CLI reads."""
    deep = tmp_path / "info.json"
    deep.write_text("{" + '"hike": ' + nested(100_000) + "}")
    code, out, err = run(data_dir, "connect", "sandbox", "--info", str(deep), "--json")
    assert code == 2 and "does not hold the JSON line" in error_document(out)["error"]
