"""One error taxonomy for both stores, each kind with a title and a message a shop manager understands.

Classified in one place (``desktop.sync.http``) from statuses, headers and bodies; everything above the
clients catches these and nothing else. Messages never carry a token: they are built from our own words plus
the store's error text, which is redacted before it gets here.

Each class carries how the engine handles it (Maestral's habit: the exception knows its handling, so no caller
matches kind strings): ``stops_pass`` — a failure of the store or the connection, not of one record, so the pass
stops and the next one resumes; ``read_again`` — a passing failure, so the next pass reads that record again
(``passes.ReadAgain``); ``retryable`` — the client already retried it within the call (backoff, 429 waits).
"""
from __future__ import annotations

from desktop.sync.vocabulary import ErrorKind


class SyncError(Exception):
    """Base of every error a client raises. ``kind`` is stable for grouping (M4); ``title`` is for people."""

    kind: ErrorKind = ErrorKind.OTHER
    title = "Something went wrong"
    retryable = False
    stops_pass = False
    read_again = False

    def __init__(self, message: str, *, store: str = "", status: int | None = None, field: str | None = None,
                 value: object = None, retry_after_s: float | None = None):
        super().__init__(message)
        self.message = message
        self.store = store
        self.status = status
        self.field = field
        self.value = value
        self.retry_after_s = retry_after_s

    def __str__(self) -> str:
        prefix = f"{self.store}: " if self.store else ""
        return f"{prefix}{self.message}"


class ReconnectNeeded(SyncError):
    kind, title, stops_pass = ErrorKind.RECONNECT, "Reconnect needed", True


class MissingPermission(SyncError):
    kind, title, stops_pass = ErrorKind.PERMISSION, "Missing permission", True


class NotFound(SyncError):
    kind, title = ErrorKind.NOT_FOUND, "Not found"


class ValidationFailed(SyncError):
    """The store refused the data (409 conflict, 422 invalid): names the field and value where it can."""

    kind, title = ErrorKind.VALIDATION, "Refused by the store"


class UnreadableRecord(SyncError):
    """A record the store sent without a field the sync needs, or with it in a form the app cannot read
    (``shapes``): that record fails, the pass goes on, and nothing is written from a guess."""

    kind, title = ErrorKind.SHAPE, "Record the app cannot read"


class Conflict(ValidationFailed):
    kind, title = ErrorKind.CONFLICT, "Already exists"


class RateLimited(SyncError):
    kind, title = ErrorKind.RATE_LIMITED, "API limit reached"
    retryable = stops_pass = read_again = True


class DailyLimitReached(RateLimited):
    kind, title = ErrorKind.DAILY_LIMIT, "Hike daily API limit reached"
    read_again = False  # the pass stops and no cursor moves: the next pass (tomorrow's allowance) reads it anyway


class Transient(SyncError):
    """The network or the store failed in a way that usually passes: retried, then reported."""

    kind, title = ErrorKind.TRANSIENT, "Store or network unavailable"
    retryable = stops_pass = read_again = True


class AmbiguousWrite(Transient):
    """A write whose answer was lost (timeout, dropped connection, unreadable body): it may have been applied.

    Never blindly retried; the caller looks the record up (by SKU, email, order number) before writing again. It
    does not stop the pass (only that record waits), and the record is read again next pass.
    """

    kind, title, stops_pass = ErrorKind.AMBIGUOUS_WRITE, "Write not confirmed", False


class UntrustedCertificate(SyncError):
    """The store's TLS certificate failed verification: no request was sent. Not retried within a pass."""

    kind, title, stops_pass = ErrorKind.CERTIFICATE, "Store's certificate not trusted", True


class PlanNotSupported(SyncError):
    kind, title, stops_pass = ErrorKind.PLAN, "Not available on this plan", True
