"""The tables. Non-secret facts only: tokens live in the OS keyring (``credentials.py``), never here.

The schema is created and changed by the numbered steps in ``migrations.py``; a test checks that these
models and the migrated schema agree, so change both together.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import peewee

from desktop.storage.db import database_proxy


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTimeField(peewee.TextField):
    """Aware UTC datetimes stored as sortable ISO text (SQLite has no datetime type)."""

    field_type = "TEXT"

    def db_value(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use an aware UTC datetime")
        return value.astimezone(timezone.utc).isoformat(timespec="microseconds")

    def python_value(self, value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value else None


class JSONField(peewee.TextField):
    def db_value(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, sort_keys=True, default=str)

    def python_value(self, value: str | None) -> Any:
        return None if value is None else json.loads(value)


class BaseModel(peewee.Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


class Connection(BaseModel):
    """What we know about a connected store, minus its secrets."""

    side = peewee.CharField(unique=True, constraints=[peewee.Check("side IN ('hike', 'bigcommerce')")])
    store_name = peewee.CharField(default="")
    store_hash = peewee.CharField(null=True)  # BigCommerce
    api_path = peewee.CharField(null=True)  # BigCommerce: https://api.bigcommerce.com/stores/{hash}/v3/
    control_panel_base_url = peewee.CharField(null=True)  # BigCommerce, from /v2/store
    storefront_url = peewee.CharField(null=True)  # BigCommerce secure_url
    base_url = peewee.CharField(null=True)  # Hike API base, e.g. https://api.hikeup.com
    is_sandbox = peewee.BooleanField(default=False)
    connected_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)
    client_id = peewee.CharField(null=True)  # Hike: this app's client id (the secret is in the keyring)


class SettingsVersion(BaseModel):
    """Every saved version of the sync settings; the newest row is the one in force."""

    data = JSONField()
    saved_at = UTCDateTimeField(default=utcnow)
    note = peewee.CharField(default="")


class Preference(BaseModel):
    """App preferences that are not sync settings (log retention, muted notifications, ...)."""

    key = peewee.CharField(primary_key=True)
    value = JSONField()


class Link(BaseModel):
    """A record known on both sides: Hike id ⇄ BigCommerce id, with the fingerprint of what we last wrote."""

    entity = peewee.CharField()  # product, variant, inventory, customer, order, sale (sync.registry's link entities)
    hike_id = peewee.CharField(null=True)
    bc_id = peewee.CharField(null=True)
    sku = peewee.CharField(null=True)
    hike_fingerprint = peewee.CharField(null=True)  # synced fields as last seen/written in Hike
    bc_fingerprint = peewee.CharField(null=True)  # ... and in BigCommerce
    stock_pushed = peewee.CharField(null=True)  # the last stock level set in BigCommerce (Decimal as text)
    # linked | skipped (a record not sent, with its reason) | failed (a marker: a record that could not be linked)
    # | unlinked_deleted_hike | unlinked_deleted_bc (D9, not set yet): ``vocabulary.LinkStatus``; storage keeps
    # the strings and imports nothing of the sync
    status = peewee.CharField(default="linked")
    last_synced_at = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField(default=utcnow)
    name = peewee.CharField(default="")
    last_result = peewee.CharField(null=True)  # ``vocabulary.Result`` of the newest log entry
    last_message = peewee.TextField(default="")
    images_sent = JSONField(null=True)  # image URLs already sent to BigCommerce (S17 two-way)
    # v6: writes a store refused, per kind of write, with the key they were refused with (``sync.refusals``)
    refused = JSONField(null=True)
    # v9: a variant's product, by the product's Hike id (issue 20: a product's variants, for their safety stock);
    # set when the variant is linked, and by a stock pass for variants linked before v9
    parent_hike_id = peewee.CharField(null=True)

    class Meta:
        indexes = (
            (("entity", "hike_id"), True),
            (("entity", "bc_id"), True),
            (("entity", "sku"), False),
            (("entity", "last_result"), False),
            (("entity", "id"), False),  # v5: the monitor's lists page by id within an entity
            (("entity", "parent_hike_id"), False),  # v9: a product's variants
        )


class Cursor(BaseModel):
    """How far incremental reads have got, per entity and side."""

    entity = peewee.CharField()
    side = peewee.CharField(constraints=[peewee.Check("side IN ('hike', 'bigcommerce')")])
    value = peewee.CharField()
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("entity", "side"), True),)


class Run(BaseModel):
    """One sync pass."""

    trigger = peewee.CharField()  # ``vocabulary.Trigger`` (older runs: also first_sync, reconcile)
    scope = peewee.CharField(default="all")  # the engine entities asked for, comma-separated (products,inventory)
    started_at = UTCDateTimeField(default=utcnow, index=True)
    finished_at = UTCDateTimeField(null=True)
    status = peewee.CharField(default="running")  # ``vocabulary.RunStatus``
    counts = JSONField(default=dict)
    message = peewee.TextField(default="")


class LogEntry(BaseModel):
    """What happened to one record in one pass. Indexed for the per-product history and the error lists."""

    run = peewee.ForeignKeyField(Run, null=True, backref="entries", on_delete="CASCADE")
    entity = peewee.CharField()
    hike_id = peewee.CharField(null=True)
    bc_id = peewee.CharField(null=True)
    sku = peewee.CharField(null=True)
    direction = peewee.CharField(default="none")
    action = peewee.CharField()  # ``vocabulary.Action``
    result = peewee.CharField(constraints=[peewee.Check("result IN ('ok', 'error', 'skipped', 'conflict')")])
    message = peewee.TextField(default="")
    diff = JSONField(null=True)  # {"field": [before, after], ...}
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("entity", "hike_id", "created_at"), False),
            (("entity", "bc_id", "created_at"), False),
            (("entity", "sku"), False),
            (("result", "created_at"), False),
            (("created_at",), False),
        )


class PendingWork(BaseModel):
    """The outbox: work decided but not yet confirmed done, replayed after a crash or a retry."""

    entity = peewee.CharField()
    key = peewee.CharField(unique=True)  # idempotency key: the same work is never queued twice
    action = peewee.CharField()
    payload = JSONField()
    # pending | in_progress | waiting (an order held until what it needs exists) | done | failed | unconfirmed
    # (a stock move whose answer was lost and could not be told apart from a sale in the shop: never sent again)
    status = peewee.CharField(default="pending", index=True)
    attempts = peewee.IntegerField(default=0)
    last_error = peewee.TextField(default="")
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)


class MatchDecision(BaseModel):
    """A person's decision about which products are the same (issue 20, B2), honoured by every pass:
    ``refuse`` (``hike_id`` and ``bc_id`` are never linked), ``link`` (linked by hand, whatever their SKUs say) or
    ``exclude`` (products with ``sku`` are not synced at all). ``key`` makes a decision unique (``refuse:H:B``,
    ``link:H:B``, ``exclude:<sku as compared>``); the names and SKUs are the records' as they were decided on, for
    the listing when a store no longer has them."""

    kind = peewee.CharField(constraints=[peewee.Check("kind IN ('refuse', 'link', 'exclude')")])
    key = peewee.CharField(unique=True)
    hike_id = peewee.CharField(null=True)
    bc_id = peewee.CharField(null=True)
    sku = peewee.CharField(null=True)
    hike_name = peewee.CharField(default="")
    bc_name = peewee.CharField(default="")
    bc_sku = peewee.CharField(null=True)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("kind", "hike_id"), False),
            (("kind", "bc_id"), False),
        )


class DriftRow(BaseModel):
    """One field of a linked record that differs between the stores (issue 20, ``desktop.sync.drift``): found by
    the last full pass, gone once a pass writes the record."""

    entity = peewee.CharField()
    link_id = peewee.IntegerField()
    hike_id = peewee.CharField()
    bc_id = peewee.CharField()
    name = peewee.CharField(default="")
    sku = peewee.CharField(null=True)
    field = peewee.CharField()
    label = peewee.CharField()
    hike_value = JSONField(null=True)
    bc_value = JSONField(null=True)
    rule = peewee.CharField()  # ownership.HIKE | BIGCOMMERCE | NEWEST | NONE
    own_rule = peewee.BooleanField(default=False)  # the shop's rule (else Hike's article's)
    fixes = JSONField()  # the stores a fix can make match the other: ["bigcommerce", "hike"]
    found_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "drift"
        indexes = ((("entity", "link_id"), False),)


ALL_MODELS: list[type[BaseModel]] = [
    Connection, SettingsVersion, Preference, Link, Cursor, Run, LogEntry, PendingWork, MatchDecision, DriftRow,
]

DEFAULT_LOG_RETENTION_DAYS = 180


def get_preference(key: str, default: Any = None) -> Any:
    row = Preference.get_or_none(Preference.key == key)
    return default if row is None else row.value


def set_preference(key: str, value: Any) -> None:
    Preference.insert(key=key, value=value).on_conflict_replace().execute()


def prune_log(retention_days: int | None = None, now: datetime | None = None) -> int:
    """Delete log rows (and finished runs) older than the retention; returns the log rows removed."""
    days = int(retention_days if retention_days is not None
               else get_preference("log_retention_days", DEFAULT_LOG_RETENTION_DAYS))
    if days <= 0:
        return 0  # 0 or less means "keep everything"
    cutoff = (now or utcnow()) - timedelta(days=days)
    with database_proxy.atomic():
        removed = LogEntry.delete().where(LogEntry.created_at < cutoff).execute()
        Run.delete().where((Run.started_at < cutoff) & (Run.finished_at.is_null(False))).execute()
    return removed
