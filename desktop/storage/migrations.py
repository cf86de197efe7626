"""Numbered schema steps. Append new steps; never edit one that has shipped.

Each step is frozen SQL (not ``create_tables`` on the live models), so a fresh database and an upgraded one
always end with the same schema even after the models change. ``db.run_migrations`` runs each step in its
own transaction and records it in ``schema_migration``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import peewee


@dataclass(frozen=True)
class Migration:
    version: int
    title: str
    apply: Callable[[peewee.SqliteDatabase], None]


_V1_FIRST_SCHEMA = [
    """CREATE TABLE "connection" ("id" INTEGER NOT NULL PRIMARY KEY, "side" VARCHAR(255) NOT NULL CHECK (side IN ('hike', 'bigcommerce')), "store_name" VARCHAR(255) NOT NULL, "store_hash" VARCHAR(255), "api_path" VARCHAR(255), "control_panel_base_url" VARCHAR(255), "storefront_url" VARCHAR(255), "base_url" VARCHAR(255), "is_sandbox" INTEGER NOT NULL, "connected_at" TEXT NOT NULL, "updated_at" TEXT NOT NULL)""",
    """CREATE UNIQUE INDEX "connection_side" ON "connection" ("side")""",
    """CREATE TABLE "settings_version" ("id" INTEGER NOT NULL PRIMARY KEY, "data" TEXT NOT NULL, "saved_at" TEXT NOT NULL, "note" VARCHAR(255) NOT NULL)""",
    """CREATE TABLE "preference" ("key" VARCHAR(255) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)""",
    """CREATE TABLE "link" ("id" INTEGER NOT NULL PRIMARY KEY, "entity" VARCHAR(255) NOT NULL, "hike_id" VARCHAR(255), "bc_id" VARCHAR(255), "sku" VARCHAR(255), "fingerprint" VARCHAR(255), "status" VARCHAR(255) NOT NULL, "last_synced_at" TEXT, "created_at" TEXT NOT NULL)""",
    """CREATE UNIQUE INDEX "link_entity_hike_id" ON "link" ("entity", "hike_id")""",
    """CREATE UNIQUE INDEX "link_entity_bc_id" ON "link" ("entity", "bc_id")""",
    """CREATE INDEX "link_entity_sku" ON "link" ("entity", "sku")""",
    """CREATE TABLE "cursor" ("id" INTEGER NOT NULL PRIMARY KEY, "entity" VARCHAR(255) NOT NULL, "side" VARCHAR(255) NOT NULL CHECK (side IN ('hike', 'bigcommerce')), "value" VARCHAR(255) NOT NULL, "updated_at" TEXT NOT NULL)""",
    """CREATE UNIQUE INDEX "cursor_entity_side" ON "cursor" ("entity", "side")""",
    """CREATE TABLE "run" ("id" INTEGER NOT NULL PRIMARY KEY, "trigger" VARCHAR(255) NOT NULL, "scope" VARCHAR(255) NOT NULL, "started_at" TEXT NOT NULL, "finished_at" TEXT, "status" VARCHAR(255) NOT NULL, "counts" TEXT NOT NULL, "message" TEXT NOT NULL)""",
    """CREATE INDEX "run_started_at" ON "run" ("started_at")""",
    """CREATE TABLE "log_entry" ("id" INTEGER NOT NULL PRIMARY KEY, "run_id" INTEGER, "entity" VARCHAR(255) NOT NULL, "hike_id" VARCHAR(255), "bc_id" VARCHAR(255), "sku" VARCHAR(255), "direction" VARCHAR(255) NOT NULL, "action" VARCHAR(255) NOT NULL, "result" VARCHAR(255) NOT NULL CHECK (result IN ('ok', 'error', 'skipped', 'conflict')), "message" TEXT NOT NULL, "diff" TEXT, "created_at" TEXT NOT NULL, FOREIGN KEY ("run_id") REFERENCES "run" ("id") ON DELETE CASCADE)""",
    """CREATE INDEX "log_entry_run_id" ON "log_entry" ("run_id")""",
    """CREATE INDEX "log_entry_entity_hike_id_created_at" ON "log_entry" ("entity", "hike_id", "created_at")""",
    """CREATE INDEX "log_entry_entity_bc_id_created_at" ON "log_entry" ("entity", "bc_id", "created_at")""",
    """CREATE INDEX "log_entry_entity_sku" ON "log_entry" ("entity", "sku")""",
    """CREATE INDEX "log_entry_result_created_at" ON "log_entry" ("result", "created_at")""",
    """CREATE INDEX "log_entry_created_at" ON "log_entry" ("created_at")""",
    """CREATE TABLE "pending_work" ("id" INTEGER NOT NULL PRIMARY KEY, "entity" VARCHAR(255) NOT NULL, "key" VARCHAR(255) NOT NULL, "action" VARCHAR(255) NOT NULL, "payload" TEXT NOT NULL, "status" VARCHAR(255) NOT NULL, "attempts" INTEGER NOT NULL, "last_error" TEXT NOT NULL, "created_at" TEXT NOT NULL, "updated_at" TEXT NOT NULL)""",
    """CREATE UNIQUE INDEX "pending_work_key" ON "pending_work" ("key")""",
    """CREATE INDEX "pending_work_status" ON "pending_work" ("status")""",
]


def _execute_all(statements: list[str]):
    def apply(db: peewee.SqliteDatabase) -> None:
        for sql in statements:
            db.execute_sql(sql)

    return apply


# Links carry one fingerprint per side (what we last saw or wrote there), so a change on either side is told
# from our own write echoing back (D10); the last stock level pushed to BigCommerce (no-op passes send nothing);
# and the last outcome, for the products view (M2) without a scan of the log.
_V2_LINK_SYNC_STATE = [
    'ALTER TABLE "link" RENAME COLUMN "fingerprint" TO "hike_fingerprint"',
    """ALTER TABLE "link" ADD COLUMN "bc_fingerprint" VARCHAR(255)""",
    """ALTER TABLE "link" ADD COLUMN "stock_pushed" VARCHAR(255)""",
    """ALTER TABLE "link" ADD COLUMN "name" VARCHAR(255) NOT NULL DEFAULT ''""",
    """ALTER TABLE "link" ADD COLUMN "last_result" VARCHAR(255)""",
    """ALTER TABLE "link" ADD COLUMN "last_message" TEXT NOT NULL DEFAULT ''""",
    """CREATE INDEX "link_entity_last_result" ON "link" ("entity", "last_result")""",
]

# The Hike app's client id (its secret is in the keyring) lives with the Hike connection.
_V3_HIKE_CLIENT_ID = ['ALTER TABLE "connection" ADD COLUMN "client_id" VARCHAR(255)']

# S17 two-way images: the image URLs already sent to BigCommerce per product (BigCommerce keeps its own copies
# and does not echo the source URL, so only this list can tell a new Hike image from one already sent).
_V4_IMAGES_SENT = ['ALTER TABLE "link" ADD COLUMN "images_sent" TEXT']

# The monitor's lists (M2, M3) page through one entity's links in id order ("id > last id ORDER BY id LIMIT 500"):
# without this index SQLite found the entity's rows by another index and sorted them all for every page (52 ms a
# page at 50 000 products). v5 is the orders engineer's; the two merge in number order.
_V5_LINK_ENTITY_ID = ['CREATE INDEX "link_entity_id" ON "link" ("entity", "id")']

# Refusals wait for a change (issue 16, finding 4): per link, the writes a store refused for a reason that does not
# pass by itself, each with the key it was refused with (``desktop.sync.refusals``), so a quiet pass sends none of
# them again.
_V6_LINK_REFUSED = ['ALTER TABLE "link" ADD COLUMN "refused" TEXT']

# Match review (issue 20, B2): the person's decisions about which products are the same: refused pairs, pairs
# linked by hand, SKUs excluded from syncing (``desktop.sync.match_decisions``).
_V7_MATCH_DECISIONS = [
    """CREATE TABLE "match_decision" ("id" INTEGER NOT NULL PRIMARY KEY, "kind" VARCHAR(255) NOT NULL CHECK (kind IN ('refuse', 'link', 'exclude')), "key" VARCHAR(255) NOT NULL, "hike_id" VARCHAR(255), "bc_id" VARCHAR(255), "sku" VARCHAR(255), "hike_name" VARCHAR(255) NOT NULL, "bc_name" VARCHAR(255) NOT NULL, "bc_sku" VARCHAR(255), "created_at" TEXT NOT NULL)""",
    """CREATE UNIQUE INDEX "match_decision_key" ON "match_decision" ("key")""",
    """CREATE INDEX "match_decision_kind_hike_id" ON "match_decision" ("kind", "hike_id")""",
    """CREATE INDEX "match_decision_kind_bc_id" ON "match_decision" ("kind", "bc_id")""",
]

# The drift report (issue 20): the fields of linked records that differ between the stores, found by full passes.
_V8_DRIFT = [
    """CREATE TABLE "drift" ("id" INTEGER NOT NULL PRIMARY KEY, "entity" VARCHAR(255) NOT NULL, "link_id" INTEGER NOT NULL, "hike_id" VARCHAR(255) NOT NULL, "bc_id" VARCHAR(255) NOT NULL, "name" VARCHAR(255) NOT NULL, "sku" VARCHAR(255), "field" VARCHAR(255) NOT NULL, "label" VARCHAR(255) NOT NULL, "hike_value" TEXT, "bc_value" TEXT, "rule" VARCHAR(255) NOT NULL, "own_rule" INTEGER NOT NULL, "fixes" TEXT NOT NULL, "found_at" TEXT NOT NULL)""",
    """CREATE INDEX "drift_entity_link_id" ON "drift" ("entity", "link_id")""",
]

# A variant's product (issue 20, per-variant safety stock in the window): the product's Hike id on the variant's
# link, so a product's variants are one indexed read. Variants linked before are given theirs by the stock pass.
_V9_LINK_PARENT = [
    'ALTER TABLE "link" ADD COLUMN "parent_hike_id" VARCHAR(255)',
    'CREATE INDEX "link_entity_parent_hike_id" ON "link" ("entity", "parent_hike_id")',
]

MIGRATIONS: list[Migration] = [
    Migration(1, "first schema: connections, settings, links, cursors, runs, log, outbox",
              _execute_all(_V1_FIRST_SCHEMA)),
    Migration(2, "links: fingerprint per side, stock pushed, name and last outcome", _execute_all(_V2_LINK_SYNC_STATE)),
    Migration(3, "connections: Hike client id", _execute_all(_V3_HIKE_CLIENT_ID)),
    Migration(4, "links: image URLs sent to BigCommerce", _execute_all(_V4_IMAGES_SENT)),
    Migration(5, "links: index by entity in id order, for the monitor's lists", _execute_all(_V5_LINK_ENTITY_ID)),
    Migration(6, "links: the writes a store refused, until the record changes", _execute_all(_V6_LINK_REFUSED)),
    Migration(7, "match decisions: refused pairs, pairs linked by hand, excluded SKUs",
              _execute_all(_V7_MATCH_DECISIONS)),
    Migration(8, "drift: the fields of linked records that differ between the stores", _execute_all(_V8_DRIFT)),
    Migration(9, "links: a variant's product", _execute_all(_V9_LINK_PARENT)),
]
