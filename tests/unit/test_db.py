"""Storage: migrations, WAL, concurrent writers, the newer-schema refusal, models ⇄ schema, log pruning."""
from __future__ import annotations

import sqlite3
import threading
from datetime import timedelta

import peewee
import pytest

from desktop.storage import db as dbmod
from desktop.storage import models
from desktop.storage.migrations import MIGRATIONS, Migration


def test_migrations_from_empty_create_every_table(db):
    tables = set(db.get_tables())
    for model in models.ALL_MODELS:
        assert model._meta.table_name in tables
    assert dbmod.schema_version(db) == MIGRATIONS[-1].version


def test_migrations_rerun_is_a_no_op(data_dir):
    path = data_dir / "rerun.sqlite3"
    first = dbmod.init_db(path)
    models.Link.create(entity="product", hike_id="1", bc_id="2", sku="A")
    dbmod.close_db()
    again = dbmod.init_db(path)
    assert dbmod.run_migrations(again, MIGRATIONS) == []
    assert models.Link.select().count() == 1
    rows = again.execute_sql("SELECT COUNT(*) FROM schema_migration").fetchone()[0]
    assert rows == len(MIGRATIONS)
    dbmod.close_db()
    assert first is not again


def test_wal_busy_timeout_and_immediate_transactions(db):
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == dbmod.BUSY_TIMEOUT_S * 1000
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db._lock_type == "IMMEDIATE"


def test_models_match_the_migrated_schema(db):
    """The frozen migration SQL and the peewee models must describe the same columns."""
    for model in models.ALL_MODELS:
        columns = {c.name for c in db.get_columns(model._meta.table_name)}
        assert columns == {f.column_name for f in model._meta.sorted_fields}, model.__name__


def test_a_later_step_copies_the_file_aside_and_runs_in_a_transaction(data_dir):
    path = data_dir / "upgrade.sqlite3"
    db = dbmod.init_db(path)
    models.Preference.create(key="kept", value=1)

    def broken_step(database):
        database.execute_sql("CREATE TABLE half_done (id INTEGER)")
        raise RuntimeError("step failed half-way")

    steps = MIGRATIONS + [Migration(MIGRATIONS[-1].version + 1, "broken", broken_step)]
    with pytest.raises(RuntimeError):
        dbmod.run_migrations(db, steps)
    assert "half_done" not in db.get_tables(), "a failed step must roll back"
    assert dbmod.schema_version(db) == MIGRATIONS[-1].version
    copies = list(data_dir.glob("upgrade.before-v*.sqlite3"))
    assert len(copies) == 1
    copy = sqlite3.connect(copies[0])
    assert copy.execute("SELECT key FROM preference").fetchall() == [("kept",)]
    copy.close()
    dbmod.close_db()


def test_newer_database_is_refused_with_advice(data_dir):
    path = data_dir / "newer.sqlite3"
    db = dbmod.init_db(path)
    db.execute_sql("INSERT INTO schema_migration VALUES (99, 'from the future', '2030-01-01')")
    dbmod.close_db()
    with pytest.raises(dbmod.NewerDatabaseError, match="newer version of this app"):
        dbmod.init_db(path)
    dbmod.close_db()


def test_concurrent_writes_from_worker_and_gui_threads_never_lock(db):
    """Two threads writing in short transactions, as the sync worker and the GUI do: no 'database is locked'."""
    errors: list[BaseException] = []
    run = models.Run.create(trigger="test")

    def writer(tag: str, n: int) -> None:
        try:
            for i in range(n):
                with db.atomic():
                    models.LogEntry.create(run=run, entity="product", hike_id=f"{tag}{i}", action="update",
                                           result="ok")
                    models.Cursor.insert(entity=tag, side="hike", value=str(i)).on_conflict_replace().execute()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=writer, args=(t, 150)) for t in ("worker", "gui", "tray")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert models.LogEntry.select().count() == 450


def test_prune_log_keeps_recent_rows(db):
    now = models.utcnow()
    old_run = models.Run.create(trigger="schedule", started_at=now - timedelta(days=400),
                                finished_at=now - timedelta(days=400))
    models.LogEntry.create(run=old_run, entity="product", action="update", result="ok",
                           created_at=now - timedelta(days=400))
    models.LogEntry.create(entity="product", action="update", result="ok", created_at=now - timedelta(days=1))
    assert models.prune_log(now=now) == 1
    assert models.LogEntry.select().count() == 1
    assert models.Run.select().count() == 0
    models.set_preference("log_retention_days", 0)
    models.LogEntry.create(entity="product", action="update", result="ok", created_at=now - timedelta(days=9000))
    assert models.prune_log(now=now) == 0, "0 days means keep everything"


def test_naive_datetimes_are_refused(db):
    from datetime import datetime

    with pytest.raises((ValueError, peewee.InterfaceError)):
        models.Run.create(trigger="x", started_at=datetime(2026, 1, 1))


def test_link_is_unique_per_entity_and_side(db):
    models.Link.create(entity="product", hike_id="10", bc_id="20")
    with pytest.raises(peewee.IntegrityError):
        models.Link.create(entity="product", hike_id="10", bc_id="21")
    models.Link.create(entity="variant", hike_id="10", bc_id="20")  # another entity may reuse ids


def test_upgrade_from_schema_1_keeps_links_and_copies_the_file(data_dir):
    path = data_dir / "v1.sqlite3"
    db = dbmod.open_database(path)
    db.connect()
    dbmod.run_migrations(db, MIGRATIONS[:1])
    db.execute_sql("INSERT INTO link (entity, hike_id, bc_id, sku, fingerprint, status, created_at) "
                   "VALUES ('product', '7', '70', 'A-1', 'abc', 'linked', '2026-01-01T00:00:00+00:00')")
    db.close()
    upgraded = dbmod.init_db(path)
    link = models.Link.get(models.Link.hike_id == "7")
    assert (link.hike_fingerprint, link.bc_fingerprint, link.last_message) == ("abc", None, "")
    assert dbmod.schema_version(upgraded) == MIGRATIONS[-1].version
    assert list(data_dir.glob("v1.before-v2.*.sqlite3"))
    dbmod.close_db()


def test_issue20_v7_adds_the_match_decisions_to_a_v6_database(data_dir):
    """B2: an upgraded database gains the decisions' table (each decision unique by its key) and keeps its links."""
    path = data_dir / "v6.sqlite3"
    db = dbmod.open_database(path)
    db.connect()
    dbmod.run_migrations(db, [m for m in MIGRATIONS if m.version <= 6])
    db.execute_sql("INSERT INTO link (entity, hike_id, bc_id, sku, status, name, last_message, created_at) "
                   "VALUES ('product', '7', '70', 'A-1', 'linked', '', '', '2026-01-01T00:00:00+00:00')")
    db.close()
    upgraded = dbmod.init_db(path)
    assert dbmod.schema_version(upgraded) >= 7
    assert models.Link.get(models.Link.hike_id == "7").bc_id == "70"
    models.MatchDecision.create(kind="refuse", key="refuse:7:70", hike_id="7", bc_id="70")
    with pytest.raises(peewee.IntegrityError):
        models.MatchDecision.create(kind="refuse", key="refuse:7:70", hike_id="7", bc_id="70")
    with pytest.raises(peewee.IntegrityError):
        models.MatchDecision.create(kind="ignore", key="ignore:7", hike_id="7")
    dbmod.close_db()
