"""Bad input, the database (issue 9 item 5): a corrupt or newer-version database is named with what to do, and
the copy saved before a migration can be put back (``hike-bc-sync-cli restore-database``) with nothing lost:
the replaced file is kept aside."""
from __future__ import annotations

import json

import pytest

from desktop import cli
from desktop.storage import db as dbmod
from desktop.storage import paths
from desktop.storage.models import Link


def saved_database_with_a_copy(path):
    db = dbmod.init_db(path)
    Link.create(entity="product", hike_id="7", bc_id="70", sku="KEEP-ME")
    copy = dbmod.backup_copy(db, "before-v9")  # as run_migrations names the copy it takes before an upgrade
    dbmod.close_db()
    return copy


def test_n2_corrupt_database_names_the_problem_and_restores_the_saved_copy(data_dir, capsys):
    path = paths.app_paths().ensure().database
    copy = saved_database_with_a_copy(path)
    for suffix in ("", "-wal", "-shm"):
        target = path.with_name(path.name + suffix)
        if target.exists():
            target.unlink()
    path.write_bytes(b"this is not a database, a disk error wrote over it " * 200)

    with pytest.raises(dbmod.CorruptDatabaseError) as info:
        dbmod.init_db(path)
    assert "cannot be read" in str(info.value) and "restore-database" in str(info.value)
    assert "Nothing in either store is affected" in str(info.value)

    assert cli.main(["--data-dir", str(data_dir), "restore-database", "--list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["copies"] == [str(copy)]
    assert cli.main(["--data-dir", str(data_dir), "restore-database", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["restored_from"] == str(copy)
    assert b"not a database" in open(report["replaced_file"], "rb").read(), "the damaged file is kept, not deleted"

    dbmod.init_db(path)
    try:
        assert Link.get(Link.sku == "KEEP-ME").bc_id == "70"
    finally:
        dbmod.close_db()


def test_n2_newer_database_can_go_back_to_the_copy_taken_before_its_upgrade(data_dir, capsys):
    path = paths.app_paths().ensure().database
    saved_database_with_a_copy(path)
    db = dbmod.init_db(path)
    db.execute_sql("INSERT INTO schema_migration VALUES (99, 'from a newer app', '2030-01-01')")
    dbmod.close_db()
    with pytest.raises(dbmod.NewerDatabaseError, match="restore the copy"):
        dbmod.init_db(path)
    dbmod.close_db()
    assert cli.main(["--data-dir", str(data_dir), "restore-database"]) == 0
    assert "Restored" in capsys.readouterr().out
    dbmod.init_db(path)
    try:
        assert Link.get(Link.sku == "KEEP-ME").hike_id == "7"
    finally:
        dbmod.close_db()


def test_restore_without_any_copy_says_so(data_dir, capsys):
    assert cli.main(["--data-dir", str(data_dir), "restore-database"]) == 1
    assert "no saved copy" in capsys.readouterr().err.lower()
