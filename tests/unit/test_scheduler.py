"""The sync scheduler over a real APScheduler ``BackgroundScheduler`` (S20, N3, M1).

No test sleeps or depends on timing: a fake ``run_pass`` signals and blocks on ``threading.Event`` gates, a
scheduled run is made due *now* through APScheduler itself (``modify_job(next_run_time=...)``), APScheduler's
own job events say when a job has finished, and the wake-from-sleep check gets fake clocks. Every wait has a
timeout only so that a bug fails the test instead of hanging it.
"""
from __future__ import annotations

import logging
import math
import threading
from datetime import datetime, timedelta, timezone

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_SUBMITTED

from desktop.sync import errors
from desktop.sync.events import Callbacks, Listeners
from desktop.sync.scheduler import (CATCH_UP_JOB_ID, DEFAULT_CALLS_PER_PASS_ESTIMATE, ENTITIES, MIN_INTERVAL_MINUTES,
                                    SYNC_JOB_ID, WAKE_JOB_ID, SyncScheduler, safe_interval_minutes)
from desktop.sync.vocabulary import ErrorKind

T = 5.0  # guard timeout for waits that should end at once


class FakePass:
    """A ``run_pass`` that records calls, counts how many run at once, and can be held or made to raise."""

    def __init__(self):
        self.cond = threading.Condition()
        self.calls: list[tuple[str, frozenset[str]]] = []
        self.only: list[frozenset[int] | None] = []  # per call: the records of a records-only pass, else None
        self.scopes: list[str | None] = []  # per call: the read scope asked for (None: the engine chooses)
        self.finished = 0
        self.active = 0
        self.max_active = 0
        self._gates: dict[int, threading.Event] = {}
        self._started: dict[int, threading.Event] = {}
        self.raises: dict[int, Exception] = {}
        self.during: dict[int, object] = {}  # call number -> function run inside that call

    def gate(self, n: int) -> threading.Event:
        """Call number ``n`` (1-based) waits until the returned event is set."""
        with self.cond:
            return self._gates.setdefault(n, threading.Event())

    def started(self, n: int) -> threading.Event:
        with self.cond:
            return self._started.setdefault(n, threading.Event())

    def release_all(self) -> None:
        with self.cond:
            gates = list(self._gates.values())
        for gate in gates:
            gate.set()

    def wait_finished(self, n: int) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: self.finished >= n, T)

    def __call__(self, trigger: str, entities: frozenset[str], *, scope: str | None = None,
                 only: frozenset[int] | None = None) -> None:
        with self.cond:
            self.calls.append((trigger, entities))
            self.scopes.append(scope)
            self.only.append(only)
            n = len(self.calls)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            gate = self._gates.get(n)
            started = self._started.setdefault(n, threading.Event())
        try:
            started.set()
            if n in self.during:
                self.during[n]()
            if gate is not None:
                assert gate.wait(T), f"pass {n} was never released"
            if n in self.raises:
                raise self.raises[n]
        finally:
            with self.cond:
                self.active -= 1
                self.finished += 1
                self.cond.notify_all()


class Clocks:
    """Fake wall and monotonic clocks for the wake-from-sleep check."""

    def __init__(self):
        self.wall_t = datetime.now(timezone.utc).timestamp()
        self.mono_t = 1_000.0

    def wall(self) -> float:
        return self.wall_t

    def mono(self) -> float:
        return self.mono_t

    def tick(self, seconds: float) -> None:  # awake: both move together
        self.wall_t += seconds
        self.mono_t += seconds


@pytest.fixture
def fake_pass() -> FakePass:
    return FakePass()


@pytest.fixture
def make(fake_pass: FakePass):
    made: list[SyncScheduler] = []

    def factory(**kwargs) -> SyncScheduler:
        kwargs.setdefault("interval_minutes", 30)
        kwargs.setdefault("wake_check_s", 600.0)  # the background check never fires during a test
        sched = SyncScheduler(kwargs.pop("run_pass", fake_pass), **kwargs)
        made.append(sched)
        return sched

    yield factory
    fake_pass.release_all()
    for sched in made:
        sched.shutdown(wait=True)


def job_event(sched: SyncScheduler, job_id: str, code: int = EVENT_JOB_EXECUTED) -> threading.Event:
    """Set when APScheduler reports ``code`` for ``job_id`` (after the scheduler's own listener ran)."""
    seen = threading.Event()
    sched._aps.add_listener(lambda event: seen.set() if event.job_id == job_id else None, code)
    return seen


def fire_scheduled(sched: SyncScheduler, at: datetime | None = None) -> None:
    """Make the scheduled job due now (or at ``at``), through APScheduler itself."""
    sched._aps.modify_job(SYNC_JOB_ID, next_run_time=at or datetime.now(timezone.utc))


def recorder() -> tuple[Listeners, list[str], list[tuple[str, str, str]]]:
    states: list[str] = []
    errs: list[tuple[str, str, str]] = []
    return Listeners(Callbacks(on_state=states.append, on_error=lambda *a: errs.append(a))), states, errs


# ---- one pass at a time, coalescing, no dropped run (S20) ----------------------------------------------------------

def test_S20_sync_now_during_a_pass_queues_exactly_one_follow_up_with_the_union(make, fake_pass):
    sched = make()
    sched.start(startup_pass=False)
    gate = fake_pass.gate(1)
    assert sched.sync_now({"inventory"})
    assert fake_pass.started(1).wait(T)
    assert sched.state == "syncing"

    assert sched.sync_now({"products"})  # queued, not a second pass at once
    assert sched.sync_now({"customers", "products"})
    assert sched.sync_now(["orders"])
    assert fake_pass.calls == [("manual", frozenset({"inventory"}))]
    gate.set()

    assert sched.wait_idle(T)
    assert fake_pass.calls == [("manual", frozenset({"inventory"})),
                               ("manual", frozenset({"products", "customers", "orders"}))]
    assert fake_pass.max_active == 1
    assert sched.state == "idle"
    assert sched.last_run().trigger == "manual" and sched.last_run().status == "ok"


def test_M4_N3_records_only_requests_merge_their_records_and_a_whole_request_absorbs_them(make, fake_pass):
    sched = make()
    sched.start(startup_pass=False)
    gate = fake_pass.gate(1)
    assert sched.retry_records({"products", "inventory"}, [7])  # runs at once, alone
    assert fake_pass.started(1).wait(T)
    assert sched.current_run().only == frozenset({7})
    assert sched.retry_records({"customers"}, [9])  # queued: two records-only requests merge their records
    assert sched.retry_records({"products", "inventory"}, [8])
    gate.set()
    assert sched.wait_idle(T)
    assert fake_pass.calls == [("manual", frozenset({"products", "inventory"})),
                               ("manual", frozenset({"products", "inventory", "customers"}))]
    assert fake_pass.only == [frozenset({7}), frozenset({8, 9})]

    gate = fake_pass.gate(3)
    assert sched.sync_now({"orders"})
    assert fake_pass.started(3).wait(T)
    assert sched.retry_records({"products", "inventory"}, [7])
    assert sched.sync_now({"customers"})  # a whole request: the follow-up is the whole one, for all entities
    assert sched.retry_records({"products", "inventory"}, [8])  # and stays whole
    gate.set()
    assert sched.wait_idle(T)
    assert fake_pass.calls[3] == ("manual", frozenset({"products", "inventory", "customers"}))
    assert fake_pass.only[2:] == [None, None]
    assert fake_pass.scopes == ["records", "records", None, "full"]  # the whole follow-up reads every record
    assert fake_pass.max_active == 1
    with pytest.raises(ValueError):
        sched.retry_records({"products"}, [])


def test_S20_a_scheduled_run_due_while_its_own_pass_runs_is_queued_not_dropped(make, fake_pass):
    sched = make()
    sched.start(startup_pass=False)
    gate = fake_pass.gate(1)
    skipped = job_event(sched, SYNC_JOB_ID, EVENT_JOB_MAX_INSTANCES)
    fire_scheduled(sched)
    assert fake_pass.started(1).wait(T)

    fire_scheduled(sched)  # max_instances=1: APScheduler skips it, the scheduler queues it instead
    assert skipped.wait(T)
    assert fake_pass.calls == [("schedule", ENTITIES)]
    gate.set()

    assert fake_pass.wait_finished(2)
    assert sched.wait_idle(T)
    assert fake_pass.calls == [("schedule", ENTITIES), ("schedule", ENTITIES)]
    assert fake_pass.max_active == 1


def test_S20_scheduled_job_is_coalesced_single_instance_and_never_drops_a_late_run(make, fake_pass):
    sched = make(interval_minutes=30)
    sched.start(startup_pass=False)
    job = sched._aps.get_job(SYNC_JOB_ID)
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, None)
    assert job.trigger.interval == timedelta(minutes=30)
    wake = sched._aps.get_job(WAKE_JOB_ID)
    assert (wake.coalesce, wake.max_instances, wake.misfire_grace_time) == (True, 1, None)

    submitted: list[int] = []
    sched._aps.add_listener(lambda e: submitted.append(len(e.scheduled_run_times))
                            if e.job_id == SYNC_JOB_ID else None, EVENT_JOB_SUBMITTED)
    done = job_event(sched, SYNC_JOB_ID)
    # Four run times went by (a long sleep, a busy machine): one pass, however late.
    fire_scheduled(sched, at=datetime.now(timezone.utc) - timedelta(minutes=3 * 30 + 1))
    assert done.wait(T)

    assert fake_pass.calls == [("schedule", ENTITIES)]
    assert submitted == [1]
    # the last of the missed run times was a minute ago: the next is an interval after it
    assert sched.next_run_time() > datetime.now(timezone.utc) + timedelta(minutes=28)


def test_S20_startup_pass_runs_once_at_start(make, fake_pass):
    sched = make()
    sched.start()
    assert sched.wait_idle(T)
    assert fake_pass.calls == [("startup", ENTITIES)]


# ---- pause / resume / interval (S20, M1) ---------------------------------------------------------------------------

def test_S20_paused_no_scheduled_runs_but_sync_now_still_works_then_resume(make, fake_pass):
    events, states, _ = recorder()
    sched = make(events=events)
    sched.start(startup_pass=False)
    assert sched.next_run_time() is not None

    sched.pause()
    assert sched.paused and sched.state == "paused"
    assert sched.next_run_time() is None
    assert sched._aps.get_job(SYNC_JOB_ID).next_run_time is None  # APScheduler will not fire it

    assert sched.sync_now({"orders"})  # decided: the person's explicit request runs while paused
    assert sched.wait_idle(T)
    assert fake_pass.calls == [("manual", frozenset({"orders"}))]
    assert sched.state == "paused"

    sched.resume()
    assert not sched.paused and sched.state == "idle"
    nxt = sched.next_run_time()
    assert nxt is not None and nxt <= datetime.now(timezone.utc) + timedelta(minutes=30)
    assert states == ["idle", "paused", "syncing", "paused", "idle"]


def test_S20_pause_drops_a_queued_scheduled_follow_up_but_keeps_a_queued_sync_now(make, fake_pass):
    sched = make()
    sched.start(startup_pass=False)
    gate = fake_pass.gate(1)
    assert sched.sync_now({"products"})
    assert fake_pass.started(1).wait(T)
    queued = job_event(sched, SYNC_JOB_ID)
    fire_scheduled(sched)  # due while the manual pass runs: queued as a follow-up
    assert queued.wait(T)

    sched.pause()  # the queued scheduled follow-up goes
    gate.set()
    assert sched.wait_idle(T)
    assert fake_pass.calls == [("manual", frozenset({"products"}))]

    gate2 = fake_pass.gate(2)
    assert sched.sync_now({"customers"})
    assert fake_pass.started(2).wait(T)
    assert sched.sync_now({"orders"})  # queued while paused: a person asked, so it stays
    gate2.set()
    assert sched.wait_idle(T)
    assert fake_pass.calls[1:] == [("manual", frozenset({"customers"})), ("manual", frozenset({"orders"}))]


def test_S20_set_interval_reschedules_and_keeps_a_pause(make):
    sched = make(interval_minutes=30, calls_per_pass_estimate=0)
    sched.start(startup_pass=False)

    before = datetime.now(timezone.utc)
    sched.set_interval(45)
    after = datetime.now(timezone.utc)
    assert sched.interval_minutes == 45 and sched.requested_interval_minutes == 45
    assert sched._aps.get_job(SYNC_JOB_ID).trigger.interval == timedelta(minutes=45)
    assert before + timedelta(minutes=45) <= sched.next_run_time() <= after + timedelta(minutes=45)

    sched.pause()
    sched.set_interval(15)
    assert sched._aps.get_job(SYNC_JOB_ID).trigger.interval == timedelta(minutes=15)
    assert sched.next_run_time() is None  # still paused
    sched.resume()
    assert sched.next_run_time() <= datetime.now(timezone.utc) + timedelta(minutes=15)

    with pytest.raises(ValueError):
        sched.set_interval(0)


def test_S20_sync_now_entities_are_checked():
    sched = SyncScheduler(lambda t, e: None, interval_minutes=30)
    with pytest.raises(ValueError):
        sched.sync_now({"invoices"})
    with pytest.raises(ValueError):
        sched.sync_now(set())
    sched.shutdown()


# ---- Hike budget (N3) ----------------------------------------------------------------------------------------------

def test_N3_safe_interval_figures():
    assert safe_interval_minutes(20) == 12  # 120 passes a day x 20 calls = 2400 <= 2500 (half of 5000)
    assert safe_interval_minutes(100) == 58
    assert safe_interval_minutes(9) == 6
    assert safe_interval_minutes(1) == MIN_INTERVAL_MINUTES
    assert safe_interval_minutes(0) == MIN_INTERVAL_MINUTES
    assert safe_interval_minutes(20, share=1.0) == 6
    # 250 calls: 12 passes of 20 fit in a rolling day, 13 do not (1440 / 116 min still makes 13 in a day)
    assert safe_interval_minutes(20, daily_limit=1000, share=0.25) == 120
    assert safe_interval_minutes(2500) == 1440  # one pass a day fits
    assert safe_interval_minutes(5000) == 2880  # more than the budget: spaced out over two days
    with pytest.raises(ValueError):
        safe_interval_minutes(20, share=0)


@pytest.mark.parametrize("share", [0.5, 0.33, 1.0])
def test_N3_safe_interval_is_the_smallest_that_keeps_any_rolling_day_within_the_share(share):
    budget = math.floor(5000 * share)
    for calls in range(1, 400):
        minutes = safe_interval_minutes(calls, share=share)
        passes_in_a_day = math.ceil(1440 / minutes)
        assert passes_in_a_day * calls <= budget, (calls, minutes)
        if minutes > MIN_INTERVAL_MINUTES:
            assert math.ceil(1440 / (minutes - 1)) * calls > budget, (calls, minutes)  # the smallest that fits


def test_N3_scheduler_never_schedules_more_often_than_the_budget_allows(make):
    sched = make(interval_minutes=5)
    assert sched.calls_per_pass_estimate == DEFAULT_CALLS_PER_PASS_ESTIMATE  # conservative until measured
    sched.start(startup_pass=False)
    assert sched.interval_minutes == safe_interval_minutes(DEFAULT_CALLS_PER_PASS_ESTIMATE) == 12
    assert sched._aps.get_job(SYNC_JOB_ID).trigger.interval == timedelta(minutes=12)

    sched.set_calls_per_pass_estimate(100)  # the engine measured heavier passes
    assert sched.minimum_interval_minutes == 58
    assert sched._aps.get_job(SYNC_JOB_ID).trigger.interval == timedelta(minutes=58)
    sched.set_interval(10)  # asking for more often does not beat the floor
    assert sched.interval_minutes == 58 and sched.requested_interval_minutes == 10
    sched.set_interval(90)
    assert sched._aps.get_job(SYNC_JOB_ID).trigger.interval == timedelta(minutes=90)
    sched.set_calls_per_pass_estimate(8)
    sched.set_interval(5)
    assert sched._aps.get_job(SYNC_JOB_ID).trigger.interval == timedelta(minutes=5)


def test_N3_hike_daily_limit_pushes_the_next_scheduled_run_past_the_reset(make, fake_pass):
    events, states, errs = recorder()
    sched = make(events=events)
    sched.start(startup_pass=False)
    fake_pass.raises[1] = errors.DailyLimitReached("used up", store="Hike", retry_after_s=3 * 3600)
    assert sched.sync_now()
    assert sched.wait_idle(T)
    assert errs == [("daily_limit", "Hike daily API limit reached", "Hike: used up")]
    assert sched.state == "error"
    assert sched.next_run_time() >= datetime.now(timezone.utc) + timedelta(hours=3) - timedelta(minutes=1)


# ---- failures ------------------------------------------------------------------------------------------------------

def test_an_exception_in_run_pass_is_reported_and_the_next_scheduled_run_still_happens(make, fake_pass, caplog):
    events, states, errs = recorder()
    sched = make(events=events)
    sched.start(startup_pass=False)
    fake_pass.raises[1] = RuntimeError("boom")

    first = job_event(sched, SYNC_JOB_ID)
    with caplog.at_level(logging.ERROR, logger="desktop.sync.scheduler"):
        fire_scheduled(sched)
        assert first.wait(T)
    assert [r for r in caplog.records if r.exc_info and "raised" in r.getMessage()]
    assert len(errs) == 1 and errs[0][0] == "internal" and "RuntimeError: boom" in errs[0][2]
    assert sched.state == "error"
    last = sched.last_run()
    assert (last.trigger, last.status, last.error_kind) == ("schedule", "failed", "internal")
    assert sched.next_run_time() is not None  # still scheduled

    second = job_event(sched, SYNC_JOB_ID)
    fire_scheduled(sched)
    assert second.wait(T)
    assert fake_pass.calls == [("schedule", ENTITIES), ("schedule", ENTITIES)]
    assert sched.state == "idle" and sched.last_run().status == "ok"
    assert states == ["idle", "syncing", "error", "syncing", "idle"]


def test_reconnect_needed_shows_until_a_pass_succeeds(make, fake_pass):
    events, states, errs = recorder()
    sched = make(events=events)
    sched.start(startup_pass=False)
    fake_pass.raises[1] = errors.ReconnectNeeded("sign in again", store="Hike", status=401)
    sched.sync_now()
    assert sched.wait_idle(T)
    assert sched.state == "reconnect_needed"
    assert errs == [("reconnect", "Reconnect needed", "Hike: sign in again")]
    sched.pause()
    assert sched.state == "reconnect_needed"  # needs the person whatever the schedule
    sched.sync_now()
    assert sched.wait_idle(T)
    assert sched.state == "paused"


def test_m1_a_pass_the_engine_stopped_itself_sets_the_state_by_the_same_rule(make, fake_pass):
    """The engine catches a store's failure, reports it on the events and returns its run: the scheduler's state
    (what ``hike-bc-sync-cli run`` shows) follows the one rule all the same, as the window's does."""
    class Stopped:
        stopped_by = ErrorKind.RECONNECT

    answers = [Stopped(), None]  # the runs the engine returns, in turn

    def run_pass(trigger, entities, **kwargs):
        return answers.pop(0)

    sched = make(run_pass=run_pass)
    sched.start(startup_pass=False)
    sched.sync_now()
    assert sched.wait_idle(T)
    assert sched.state == "reconnect_needed"
    sched.sync_now()
    assert sched.wait_idle(T)
    assert sched.state == "idle"  # a pass that went through clears it


def test_a_raising_listener_does_not_break_the_scheduler(make, fake_pass):
    class Broken:
        def on_state(self, state):
            raise RuntimeError("view gone")

    sched = make(events=Broken())  # a lone listener is wrapped in Listeners
    sched.start(startup_pass=False)
    assert sched.sync_now()
    assert sched.wait_idle(T)
    assert sched.sync_now()
    assert sched.wait_idle(T)
    assert len(fake_pass.calls) == 2


# ---- wake from sleep -----------------------------------------------------------------------------------------------

def test_wake_from_sleep_past_a_scheduled_run_catches_up_exactly_once(make, fake_pass, caplog):
    clocks = Clocks()
    sched = make(interval_minutes=30, clock=clocks.mono, wall_clock=clocks.wall, catch_up_delay_s=0)
    sched.start(startup_pass=False)
    clocks.tick(600)
    assert sched.check_wake() is False  # awake: nothing to do

    clocks.wall_t += 2 * 3600 + 600  # asleep two hours: the wall clock ran on, the monotonic clock stopped
    clocks.mono_t += 600
    caught_up = job_event(sched, CATCH_UP_JOB_ID)
    with caplog.at_level(logging.INFO, logger="desktop.sync.scheduler"):
        assert sched.check_wake() is True
    assert any("asleep for about 2 h" in r.getMessage() and "catch-up" in r.getMessage() for r in caplog.records)
    assert caught_up.wait(T)
    assert fake_pass.calls == [("catch_up", ENTITIES)]
    assert sched.state == "idle"

    # the overdue scheduled run became the catch-up: the next one is an interval later, not straight after
    assert sched._aps.get_job(SYNC_JOB_ID).next_run_time > datetime.now(timezone.utc) + timedelta(minutes=29)
    assert sched._aps.get_job(CATCH_UP_JOB_ID).next_run_time is None  # waits for the next wake-up
    clocks.tick(600)
    assert sched.check_wake() is False  # once
    assert fake_pass.calls == [("catch_up", ENTITIES)]


def test_wake_detected_when_the_monotonic_clock_kept_counting(make, fake_pass):
    clocks = Clocks()
    sched = make(interval_minutes=30, clock=clocks.mono, wall_clock=clocks.wall, catch_up_delay_s=20)
    sched.start(startup_pass=False)
    clocks.tick(3 * 3600)  # the check fired three hours after its 10-minute interval
    assert sched.check_wake() is True
    first_at = sched._aps.get_job(CATCH_UP_JOB_ID).next_run_time
    delay = (first_at - datetime.now(timezone.utc)).total_seconds()
    assert 0 < delay <= 20  # the network gets a moment
    assert sched.next_run_time() == first_at

    clocks.tick(3 * 3600)  # slept again before the catch-up ran: it moves, still one catch-up
    assert sched.check_wake() is True
    assert sched._aps.get_job(CATCH_UP_JOB_ID).next_run_time > first_at
    assert fake_pass.calls == []


def test_no_catch_up_after_a_short_sleep_or_while_paused(make, fake_pass):
    clocks = Clocks()
    sched = make(interval_minutes=120, clock=clocks.mono, wall_clock=clocks.wall, catch_up_delay_s=0)
    sched.start(startup_pass=False)
    clocks.wall_t += 30 * 60  # asleep half an hour; the next run was two hours away
    assert sched.check_wake() is False
    assert sched._aps.get_job(CATCH_UP_JOB_ID).next_run_time is None

    sched.pause()
    clocks.wall_t += 5 * 3600
    assert sched.check_wake() is False
    assert sched._aps.get_job(CATCH_UP_JOB_ID).next_run_time is None
    assert fake_pass.calls == []


# ---- shutdown ------------------------------------------------------------------------------------------------------

def test_clean_shutdown_waits_for_the_running_pass_and_drops_the_queued_one(fake_pass):
    sched = SyncScheduler(fake_pass, interval_minutes=30, wake_check_s=600)
    sched.start(startup_pass=False)
    saw_stop: list[bool] = []

    def until_shutdown_starts():
        saw_stop.append(sched.stop_event.wait(T))  # still running when shutdown began

    fake_pass.during[1] = until_shutdown_starts
    assert sched.sync_now({"products"})
    assert fake_pass.started(1).wait(T)
    assert sched.sync_now({"orders"})  # queued

    sched.shutdown(wait=True)
    assert saw_stop == [True]
    assert fake_pass.finished == 1  # the running pass ended before shutdown returned
    assert fake_pass.calls == [("manual", frozenset({"products"}))]  # the queued one was dropped
    assert sched.sync_now() is False  # refused after shutdown
    assert sched.next_run_time() is None
    assert sched.wait_idle(0)
    sched.shutdown()  # twice is harmless
