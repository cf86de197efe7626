"""One error taxonomy for both stores, each kind with a title and a message a shop manager understands.

Classified in one place (``desktop.sync.http``) from statuses, headers and bodies; everything above the
clients catches these and nothing else. Messages never carry a token: they are built from our own words plus
the store's error text, which is redacted before it gets here.
"""
from __future__ import annotations


class SyncError(Exception):
    """Base of every error a client raises. ``kind`` is stable for grouping (M4); ``title`` is for people."""

    kind = "other"
    title = "Something went wrong"
    retryable = False

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
    kind = "reconnect"
    title = "Reconnect needed"


class MissingPermission(SyncError):
    kind = "permission"
    title = "Missing permission"


class NotFound(SyncError):
    kind = "not_found"
    title = "Not found"


class ValidationFailed(SyncError):
    """The store refused the data (409 conflict, 422 invalid): names the field and value where it can."""

    kind = "validation"
    title = "Refused by the store"


class Conflict(ValidationFailed):
    kind = "conflict"
    title = "Already exists"


class RateLimited(SyncError):
    kind = "rate_limited"
    title = "API limit reached"
    retryable = True


class DailyLimitReached(RateLimited):
    kind = "daily_limit"
    title = "Hike daily API limit reached"


class Transient(SyncError):
    """The network or the store failed in a way that usually passes: retried, then reported."""

    kind = "transient"
    title = "Store or network unavailable"
    retryable = True


class AmbiguousWrite(Transient):
    """A write whose answer was lost (timeout, dropped connection, unreadable body): it may have been applied.

    Never blindly retried; the caller looks the record up (by SKU, email, order number) before writing again.
    """

    kind = "ambiguous_write"
    title = "Write not confirmed"


class UntrustedCertificate(SyncError):
    """The store's TLS certificate failed verification: no request was sent. Not retried within a pass."""

    kind = "certificate"
    title = "Store's certificate not trusted"


class PlanNotSupported(SyncError):
    kind = "plan"
    title = "Not available on this plan"
