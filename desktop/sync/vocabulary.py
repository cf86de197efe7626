"""The engine's words, each a string-valued Enum (as Maestral names its states): one spelling, checked by the type
checker, and stored in SQLite as the very same strings it always was (``StrEnum`` members *are* ``str``), so no
data migrates. Compare and store members; a value read back from the database is a plain ``str`` that compares
equal to its member (``Result.OK == "ok"``).
"""
from __future__ import annotations

from enum import StrEnum


class Side(StrEnum):
    """A store, as links, log entries and the dry run's counts name it."""

    HIKE = "hike"
    BIGCOMMERCE = "bigcommerce"
    BOTH = "both"  # a link touches both


class Direction(StrEnum):
    """Which way a record's change went (``LogEntry.direction``)."""

    HIKE_TO_BC = "hike_to_bc"
    BC_TO_HIKE = "bc_to_hike"
    BOTH = "both"  # a link: nothing was copied
    NONE = "none"  # a skip or a failure before anything was decided


class Action(StrEnum):
    """What a pass did to one record (``LogEntry.action``; the run's counts are keyed by it when it succeeded)."""

    CREATE = "create"
    UPDATE = "update"
    LINK = "link"
    SKIP = "skip"
    FAIL = "fail"
    STOCK = "stock"  # a stock level or move
    STATUS = "status"  # an order's or sale's status
    WAIT = "wait"  # an order held until what it needs exists
    VERSION = "version"  # a new version of a record the other side already has


class Result(StrEnum):
    """How it ended (``LogEntry.result``, ``Link.last_result``)."""

    OK = "ok"
    ERROR = "error"
    SKIPPED = "skipped"
    CONFLICT = "conflict"


class Trigger(StrEnum):
    """Who started a pass (``Run.trigger``). Only who: what a pass reads is its ``ReadScope``."""

    SCHEDULE = "schedule"
    MANUAL = "manual"
    CATCH_UP = "catch_up"  # after a sleep or a missed run
    STARTUP = "startup"
    RETRY = "retry"  # "Retry" of a group or of records (M4)
    CLI = "cli"
    RECONCILE = "reconcile"  # runs written before the read scope was its own value


class ReadScope(StrEnum):
    """What a pass reads from the stores."""

    INCREMENTAL = "incremental"  # what changed since the cursors
    FULL = "full"  # everything (the daily reconciliation, D11; a group's retry)
    RECORDS = "records"  # only the records asked for ("Retry this record"); no cursor moves


class LinkStatus(StrEnum):
    """A link's life (``Link.status``)."""

    LINKED = "linked"
    SKIPPED = "skipped"  # not sent, with its reason (a composite product, no SKU, a setting)
    FAILED = "failed"  # a marker: a record that could not be linked (a duplicate SKU, a refused create)
    UNLINKED_DELETED_HIKE = "unlinked_deleted_hike"
    UNLINKED_DELETED_BC = "unlinked_deleted_bc"


class RunStatus(StrEnum):
    """How a pass ended (``Run.status``)."""

    RUNNING = "running"
    OK = "ok"
    PARTIAL = "partial"  # some records failed
    ERROR = "error"  # the pass stopped
    INTERRUPTED = "interrupted"  # the process stopped during it


class SyncState(StrEnum):
    """The engine's live state (M1), as the tray, the window, the dashboard and the CLI show it."""

    IDLE = "idle"
    SYNCING = "syncing"
    PAUSED = "paused"
    ERROR = "error"
    RECONNECT_NEEDED = "reconnect_needed"


class ErrorKind(StrEnum):
    """Stable names for causes (M4 groups errors by them); each ``SyncError`` class carries one."""

    OTHER = "other"
    RECONNECT = "reconnect"
    PERMISSION = "permission"
    NOT_FOUND = "not_found"
    VALIDATION = "validation"
    CONFLICT = "conflict"
    RATE_LIMITED = "rate_limited"
    DAILY_LIMIT = "daily_limit"
    TRANSIENT = "transient"
    AMBIGUOUS_WRITE = "ambiguous_write"
    CERTIFICATE = "certificate"
    PLAN = "plan"
    SHAPE = "shape"  # a record the app cannot read: a field it needs is missing or malformed (``shapes``)
    INTERNAL = "internal"  # a bug: the run is closed and reported
    ORDERS_START = "orders_start"  # the person must say where orders start (order_start.StartChoiceNeeded)
    # signing in to Hike (``hike_oauth``)
    OAUTH = "oauth"
    OAUTH_DENIED = "oauth_denied"
    OAUTH_TIMEOUT = "oauth_timeout"
    OAUTH_CANCELLED = "oauth_cancelled"
    INVALID_CLIENT = "invalid_client"
