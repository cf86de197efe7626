"""M1: the one rule for the sync's state, and the error classes' own handling (issue 15: no caller matches kind
strings; the scheduler and the window ask the same rule)."""
from __future__ import annotations

import pytest

from desktop.sync import errors, passes
from desktop.sync.order_start import StartChoiceNeeded
from desktop.sync.sync_status import sync_state
from desktop.sync.vocabulary import ErrorKind, SyncState


@pytest.mark.parametrize(("facts", "state"), [
    (dict(running=True, reconnect_needed=True, paused=True, last_pass_failed=True), SyncState.SYNCING),
    (dict(running=False, reconnect_needed=True, paused=True, last_pass_failed=True), SyncState.RECONNECT_NEEDED),
    (dict(running=False, reconnect_needed=False, paused=True, last_pass_failed=True), SyncState.PAUSED),
    (dict(running=False, reconnect_needed=False, paused=False, last_pass_failed=True), SyncState.ERROR),
    (dict(running=False, reconnect_needed=False, paused=False, last_pass_failed=False), SyncState.IDLE),
])
def test_m1_one_rule_for_the_state(facts, state):
    assert sync_state(**facts) == state


# (class, kind, stops the pass, its record is read again next pass)
POLICY = [
    (errors.SyncError, ErrorKind.OTHER, False, False),
    (errors.ReconnectNeeded, ErrorKind.RECONNECT, True, False),
    (errors.MissingPermission, ErrorKind.PERMISSION, True, False),
    (errors.NotFound, ErrorKind.NOT_FOUND, False, False),
    (errors.ValidationFailed, ErrorKind.VALIDATION, False, False),
    (errors.Conflict, ErrorKind.CONFLICT, False, False),
    (errors.UnreadableRecord, ErrorKind.SHAPE, False, False),
    (errors.RateLimited, ErrorKind.RATE_LIMITED, True, True),
    (errors.DailyLimitReached, ErrorKind.DAILY_LIMIT, True, False),
    (errors.Transient, ErrorKind.TRANSIENT, True, True),
    (errors.AmbiguousWrite, ErrorKind.AMBIGUOUS_WRITE, False, True),
    (errors.UntrustedCertificate, ErrorKind.CERTIFICATE, True, False),
    (errors.PlanNotSupported, ErrorKind.PLAN, True, False),
    (StartChoiceNeeded, ErrorKind.ORDERS_START, True, False),
]


@pytest.mark.parametrize(("cls", "kind", "stops", "again"), POLICY, ids=[c.__name__ for c, *_ in POLICY])
def test_each_error_class_carries_its_kind_and_handling(cls, kind, stops, again):
    exc = cls("message", store="Hike")
    assert exc.kind == kind and exc.kind == kind.value  # stored and grouped as the same string as before
    assert passes.stops_the_pass(exc) is stops
    assert passes.worth_retrying(exc) is again


def test_every_error_class_is_in_the_policy_table():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    known = {cls for cls, *_ in POLICY}
    modules = ("desktop.sync.errors", "desktop.sync.order_start")
    in_sync = {c for c in subclasses(errors.SyncError) if c.__module__ in modules}
    assert in_sync <= known, sorted(c.__name__ for c in in_sync - known)


def test_a_failure_that_is_not_a_sync_error_is_not_read_again():
    assert passes.worth_retrying(ValueError("a bug")) is False and passes.worth_retrying(None) is False
