"""When sync passes run (S20, M1, N3): an APScheduler 3.x ``BackgroundScheduler`` with our rules on top.

- One pass at a time. Every pass, whatever asked for it, goes through one claim under a lock: while a pass
  runs, any further request ("Sync now", a scheduled run, a catch-up) is merged into *one* queued follow-up
  (the union of the entities asked) that starts as soon as the running pass ends. Nothing runs twice at once
  and no request is dropped. A request carries who asked (its trigger) and what to read (its ``ReadScope``,
  passed through to ``run_pass``). It may name records (``retry_records``, M4 "Retry this record"): the pass
  then reads only those (``ReadScope.RECORDS``, ``only``). Two such requests merge their records; one merged
  with a request for whole entities becomes the whole request, reading every record (``ReadScope.FULL``), so
  the records are read too (``PassRequest.merged``). The scheduled job itself is ``max_instances=1``,
  ``coalesce=True`` and ``misfire_grace_time=None`` (a late run still runs, once); if APScheduler skips it
  because the previous scheduled pass is still running, that skip is turned into the queued follow-up, not lost.
- Pause stops the automatic runs only (schedule, catch-up, startup). "Sync now" is an explicit request from
  the person at the keyboard, so it still runs while paused, and the state returns to ``paused`` after it.
  A scheduled follow-up queued before the pause is dropped by the pause; a queued "Sync now" is kept.
- Wake from sleep (Vorta's users' worst report: scheduled runs silently missed after sleep). A light job
  every ``wake_check_s`` compares the wall clock with the monotonic clock: the monotonic clock stops while
  the machine sleeps (Linux, macOS), so the wall clock running ahead of it means the machine slept; and a
  check that fires far later than its interval (a monotonic clock that kept counting, as on Windows) means
  the same. When the sleep went past a scheduled run, one catch-up pass is scheduled ``catch_up_delay_s``
  after the wake-up (the network needs a moment), the overdue scheduled run is moved to one interval after
  the catch-up (so it is not a second pass right after), and the wake-up is logged. A second check before
  the catch-up has run replaces it, so there is exactly one. The injected clocks serve this detection only;
  job times are APScheduler's own (the wall clock, in UTC).
- Hike's daily budget (N3): Hike allows 5000 calls a rolling day per store, shared with every other app on
  the store. ``safe_interval_minutes`` gives the shortest interval keeping our own scheduled use within a
  share of it (half by default), and the scheduler never schedules more often than that, whatever interval
  is asked for. Until the engine measures its calls per pass, a conservative estimate is assumed
  (``DEFAULT_CALLS_PER_PASS_ESTIMATE``). When a pass still meets Hike's daily limit, the next scheduled run
  waits until the limit frees up.
- A pass that raises is logged and reported through ``events.on_error``; the scheduler carries on and the next
  run happens as planned. ``ReconnectNeeded`` shows as the ``reconnect_needed`` state until a pass succeeds.
- ``shutdown(wait=True)`` lets the running pass finish (it may watch ``stop_event`` to stop early at a safe
  point); a follow-up still queued then is dropped and logged, the next start-up pass covers it.

Threads: ``run_pass`` and every callback run on the scheduler's worker threads, never on the caller's.
"""
from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from typing import Any, Callable, Iterable

from apscheduler.events import (EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from desktop.sync import errors
from desktop.sync.events import EngineEvents, Listeners
from desktop.sync.http import human_duration
from desktop.sync.registry import ENGINE_ENTITIES
from desktop.sync.sync_status import sync_state
from desktop.sync.vocabulary import ErrorKind, ReadScope, Trigger

log = logging.getLogger(__name__)

ENTITIES = frozenset(ENGINE_ENTITIES)
SCHEDULE, MANUAL, CATCH_UP, STARTUP = Trigger.SCHEDULE, Trigger.MANUAL, Trigger.CATCH_UP, Trigger.STARTUP
TRIGGERS = (SCHEDULE, MANUAL, CATCH_UP, STARTUP)
AUTOMATIC_TRIGGERS = frozenset({SCHEDULE, CATCH_UP, STARTUP})  # what pause() stops
PERSON_TRIGGERS = (Trigger.MANUAL, Trigger.RETRY)  # a merged follow-up is named by the first of these asked

HIKE_DAILY_LIMIT = 5000  # calls per rolling day per store (desktop.sync.http.HikeGovernor.per_day)
HIKE_SHARE = 0.5  # of that allowance, what this app's scheduled passes may use (other apps share the store)
MIN_INTERVAL_MINUTES = 5
DEFAULT_CALLS_PER_PASS_ESTIMATE = 20  # until the engine supplies measured calls per pass
MINUTES_PER_DAY = 1440

SYNC_JOB_ID = "sync"
WAKE_JOB_ID = "wake-check"
CATCH_UP_JOB_ID = "catch-up"
RUNNER_JOB_ID = "run-now"

# Every job: one instance at a time, several due run times run once, and a late run still runs.
JOB_OPTIONS: dict[str, Any] = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
# "Sync now" and the catch-up are standing jobs, kept paused and made due when wanted, not one-off date jobs:
# APScheduler 3 removes a fired date job from its store, and a shutdown racing that removal raises
# JobLookupError in its main thread. A standing job is only ever updated, never removed.
NEVER = timedelta(days=3650)


def safe_interval_minutes(calls_per_pass_estimate: int, daily_limit: int = HIKE_DAILY_LIMIT,
                          share: float = HIKE_SHARE) -> int:
    """The shortest schedule interval, in whole minutes and at least ``MIN_INTERVAL_MINUTES``, at which passes of
    ``calls_per_pass_estimate`` Hike calls stay within ``share`` of Hike's ``daily_limit`` in any rolling day.

    A rolling day holds at most ``ceil(1440 / interval)`` passes; that many passes times the calls per pass must
    fit in the budget. (A pass costing more than the whole budget gets an interval longer than a day.)
    """
    if daily_limit <= 0:
        raise ValueError("daily_limit must be positive")
    if not 0 < share <= 1:
        raise ValueError("share must be in (0, 1]")
    calls = max(0, int(calls_per_pass_estimate))
    if calls == 0:
        return MIN_INTERVAL_MINUTES
    budget = math.floor(daily_limit * Fraction(share).limit_denominator(1_000_000))
    if budget <= 0:
        raise ValueError("daily_limit * share leaves no calls at all")
    if calls > budget:  # not even one pass a day fits: space them by the same ratio
        return max(MIN_INTERVAL_MINUTES, -(-MINUTES_PER_DAY * calls // budget))
    minutes = max(MIN_INTERVAL_MINUTES, -(-MINUTES_PER_DAY * calls // budget))
    while -(-MINUTES_PER_DAY // minutes) * calls > budget:
        minutes += 1
    return minutes


@dataclass(frozen=True)
class RunInfo:
    """One pass as the scheduler saw it (the engine keeps the detailed run log)."""

    trigger: str
    entities: frozenset[str]
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "running"  # running | ok | failed (the pass raised: error_kind and error_message say why)
    error_kind: str | None = None
    error_message: str | None = None
    only: frozenset[int] | None = None  # the link ids of a records-only pass


@dataclass(frozen=True)
class PassRequest:
    """A pass asked for: who asked (``trigger``), which ``entities``, what to read (``scope``; None lets the
    engine choose) and, for a records-only pass (``ReadScope.RECORDS``), the link ids (``only``)."""

    trigger: str
    entities: frozenset[str]
    scope: ReadScope | None = None
    only: frozenset[int] | None = None

    def merged(self, later: PassRequest) -> PassRequest:
        """One follow-up for both. Records-only requests merge their records; merged with a request for whole
        entities, the follow-up is for whole entities and reads every record, so the records asked for are read
        too (N3: the expensive read happens only then). The person's request names it in the run log; otherwise
        the first request does."""
        if self.only is not None and later.only is not None:
            scope, only = ReadScope.RECORDS, self.only | later.only
        elif self.only is not None or later.only is not None or ReadScope.FULL in (self.scope, later.scope):
            scope, only = ReadScope.FULL, None
        else:
            scope, only = None, None
        trigger = next((t for t in PERSON_TRIGGERS if t in (self.trigger, later.trigger)), self.trigger)
        return PassRequest(trigger, self.entities | later.entities, scope, only)


def _entities(entities: Iterable[str] | None) -> frozenset[str]:
    if entities is None:
        return ENTITIES
    chosen = frozenset(entities)
    if not chosen:
        raise ValueError("sync_now needs at least one entity (or None for all)")
    unknown = chosen - ENTITIES
    if unknown:
        raise ValueError(f"unknown entities {sorted(unknown)}; expected some of {sorted(ENTITIES)}")
    return chosen



class SyncScheduler:
    """Runs ``run_pass(trigger, entities, scope=..., only=...)`` on schedule, on request, at start-up and after a
    sleep: ``trigger`` says who asked (``vocabulary.Trigger``), ``entities`` is a frozenset of ``ENTITIES``,
    ``scope`` what to read (``vocabulary.ReadScope``, None: the engine chooses) and ``only`` the link ids of a
    records-only pass (else None).
    """

    def __init__(self, run_pass: Callable[..., None], *, interval_minutes: int,
                 events: Listeners | EngineEvents | None = None, clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], float] = time.time, wake_check_s: float = 30.0,
                 catch_up_delay_s: float = 20.0, calls_per_pass_estimate: int | None = None,
                 daily_limit: int = HIKE_DAILY_LIMIT, share: float = HIKE_SHARE, max_workers: int = 4):
        _check_interval(interval_minutes)
        if wake_check_s <= 0:
            raise ValueError("wake_check_s must be positive")
        self._run_pass = run_pass
        # a single listener given directly is wrapped, so its exceptions never reach the scheduler either
        self.events = events if isinstance(events, Listeners) else Listeners(*([] if events is None else [events]))
        self._clock = clock
        self._wall = wall_clock
        self._wake_check_s = float(wake_check_s)
        self._sleep_threshold_s = max(60.0, 2 * self._wake_check_s)
        self._catch_up_delay_s = max(0.0, float(catch_up_delay_s))
        self._daily_limit = daily_limit
        self._share = share
        self._requested_minutes = int(interval_minutes)
        self._calls_estimate = (DEFAULT_CALLS_PER_PASS_ESTIMATE if calls_per_pass_estimate is None
                                else int(calls_per_pass_estimate))
        self._floor_minutes = safe_interval_minutes(self._calls_estimate, daily_limit, share)

        # _aps_lock guards every call we make into APScheduler against shutdown: APScheduler's shutdown(wait)
        # holds its job-store lock while it waits for running jobs, so a job thread calling into it then would
        # deadlock. Order: _aps_lock before _lock, never the other way round.
        self._aps_lock = threading.RLock()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._emit_lock = threading.RLock()  # keeps state notifications in order
        self._running = False
        self._pending: PassRequest | None = None  # the follow-up of the running pass
        self._claimed: PassRequest | None = None  # not yet started
        self._current: RunInfo | None = None
        self._last: RunInfo | None = None
        self._last_error_kind: str | None = None
        self._paused = False
        self._started = False
        self._closing = False
        self._stop_event = threading.Event()
        self._emitted_state: str | None = None
        self._wake_wall: float | None = None
        self._wake_mono: float | None = None
        self._wake_next_due: float | None = None  # wall time of the scheduled run expected next

        self._aps = BackgroundScheduler(timezone=timezone.utc,
                                        executors={"default": ThreadPoolExecutor(max_workers)},
                                        job_defaults=dict(JOB_OPTIONS))
        self._aps.add_listener(self._on_aps_event, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED | EVENT_JOB_ERROR)

    # ---- life cycle -------------------------------------------------------------------------------------------

    def start(self, *, paused: bool = False, startup_pass: bool = True) -> None:
        """Start scheduling. ``paused`` starts with the schedule paused (a saved setting); ``startup_pass`` runs
        one pass right away (trigger ``startup``) unless paused: the stores changed while the app was closed."""
        with self._lock:
            if self._started or self._closing:
                raise RuntimeError("a scheduler starts once, and not after shutdown")
            self._started = True
            self._paused = self._paused or paused
            paused = self._paused
        with self._aps_lock:
            self._aps.start()
            options: dict[str, Any] = dict(JOB_OPTIONS)
            if paused:
                options["next_run_time"] = None  # added paused
            self._aps.add_job(self._scheduled_job, self._interval_trigger(self.interval_minutes), id=SYNC_JOB_ID,
                              name="Scheduled sync pass", **options)
            self._aps.add_job(self.check_wake, IntervalTrigger(seconds=self._wake_check_s, timezone=timezone.utc),
                              id=WAKE_JOB_ID, name="Wake-from-sleep check", **JOB_OPTIONS)
            standing = IntervalTrigger(seconds=NEVER.total_seconds(), timezone=timezone.utc)
            self._aps.add_job(self._catch_up_job, standing, id=CATCH_UP_JOB_ID,
                              name="Catch-up sync pass after sleep", **{**JOB_OPTIONS, "next_run_time": None})
            # our own claim keeps passes one at a time; the extra instances only cover the moment between a
            # pass releasing the claim and APScheduler counting its job as done
            self._aps.add_job(self._runner_job, standing, id=RUNNER_JOB_ID, name="Requested sync pass",
                              **{**JOB_OPTIONS, "max_instances": 3, "next_run_time": None})
            with self._lock:
                claimed = self._claimed is not None
            if claimed:  # "Sync now" asked before start
                self._aps.modify_job(RUNNER_JOB_ID, next_run_time=datetime.now(timezone.utc))
        self._reset_wake_baseline()
        log.info("Sync scheduler started: every %d min%s", self.interval_minutes, " (paused)" if paused else "")
        if startup_pass and not paused:
            self._request(PassRequest(STARTUP, ENTITIES), inline=False)
        self._emit_state()

    def shutdown(self, wait: bool = True) -> None:
        """Stop scheduling. With ``wait`` the running pass finishes first (it can watch ``stop_event``); a queued
        follow-up is dropped (logged). Later requests are refused."""
        with self._aps_lock:
            with self._lock:
                if self._closing:
                    return
                self._closing = True
                started = self._started
            self._stop_event.set()
        if started:
            self._aps.shutdown(wait=wait)
        with self._lock:
            if self._pending is not None:
                log.info("Shutting down: the queued %s pass (%s) is dropped; the next start-up pass covers it",
                         self._pending.trigger, ", ".join(sorted(self._pending.entities)))
                self._pending = None
            if wait:
                self._claimed = None
                self._running = False  # a claimed pass whose job never started will not start now
                self._idle.notify_all()
        log.info("Sync scheduler stopped")

    @property
    def stop_event(self) -> threading.Event:
        """Set once shutdown starts: a long pass may check it between batches and stop at a safe point."""
        return self._stop_event

    # ---- requests ---------------------------------------------------------------------------------------------

    def sync_now(self, entities: Iterable[str] | None = None, *, trigger: str = MANUAL,
                 scope: ReadScope | None = None) -> bool:
        """Run a pass for ``entities`` (some of ``ENTITIES``; ``None`` = all) now, or right after the running one;
        ``trigger`` and ``scope`` go to ``run_pass`` as given (a group's retry: ``Trigger.RETRY``, ``FULL``).

        Works while paused (pause stops automatic runs only). Returns False only once shutdown has started."""
        return self._request(PassRequest(trigger, _entities(entities), scope), inline=False)

    def retry_records(self, entities: Iterable[str], link_ids: Iterable[int], *, trigger: str = MANUAL) -> bool:
        """Like ``sync_now``, for a pass that reads only these records (link ids) of ``entities``."""
        chosen = _entities(entities)
        only = frozenset(int(i) for i in link_ids)
        if not only:
            raise ValueError("retry_records needs at least one link id")
        return self._request(PassRequest(trigger, chosen, ReadScope.RECORDS, only), inline=False)

    def pause(self) -> None:
        """No scheduled, catch-up or start-up runs until ``resume``; "Sync now" still works."""
        with self._lock:
            if self._paused:
                return
            self._paused = True
            if self._pending is not None and self._pending.trigger in AUTOMATIC_TRIGGERS:
                log.info("Paused: the queued %s pass is dropped", self._pending.trigger)
                self._pending = None
        self._aps_call(self._aps.pause_job, SYNC_JOB_ID)
        self._aps_call(self._aps.pause_job, CATCH_UP_JOB_ID)
        self._refresh_next_due()
        log.info("Sync schedule paused")
        self._emit_state()

    def resume(self) -> None:
        """Scheduled runs again, the next one where the interval's grid next falls (within one interval)."""
        with self._lock:
            if not self._paused:
                return
            self._paused = False
        self._aps_call(self._aps.resume_job, SYNC_JOB_ID)
        self._refresh_next_due()
        log.info("Sync schedule resumed; next run at %s", self.next_run_time())
        self._emit_state()

    @property
    def paused(self) -> bool:
        with self._lock:
            return self._paused

    # ---- interval and Hike budget -----------------------------------------------------------------------------

    def set_interval(self, minutes: int) -> None:
        """Ask for a pass every ``minutes``; the effective interval is never below ``minimum_interval_minutes``."""
        _check_interval(minutes)
        with self._lock:
            self._requested_minutes = int(minutes)
        self._apply_interval()

    def set_calls_per_pass_estimate(self, calls: int) -> None:
        """The Hike calls one pass makes (the engine measures them); raises or lowers the budget floor."""
        floor = safe_interval_minutes(calls, self._daily_limit, self._share)
        with self._lock:
            self._calls_estimate = int(calls)
            self._floor_minutes = floor
        self._apply_interval()

    @property
    def requested_interval_minutes(self) -> int:
        with self._lock:
            return self._requested_minutes

    @property
    def minimum_interval_minutes(self) -> int:
        """The Hike-budget floor for the current calls-per-pass estimate."""
        with self._lock:
            return self._floor_minutes

    @property
    def interval_minutes(self) -> int:
        """The interval actually scheduled: the one asked for, raised to the budget floor if needed."""
        with self._lock:
            return max(self._requested_minutes, self._floor_minutes)

    @property
    def calls_per_pass_estimate(self) -> int:
        with self._lock:
            return self._calls_estimate

    def _apply_interval(self) -> None:
        minutes = self.interval_minutes
        with self._lock:
            if not self._started:
                return
            last = self._last or self._current
            paused = self._paused
        # The next run falls one interval after the last pass began (or now, if there was none), on its grid.
        anchor = last.started_at + timedelta(minutes=minutes) if last is not None else None
        trigger = self._interval_trigger(minutes, start_date=anchor)
        job = self._aps_call(self._aps.get_job, SYNC_JOB_ID)
        if job is None or job.trigger.interval == timedelta(minutes=minutes):
            return
        if paused:
            self._aps_call(self._aps.modify_job, SYNC_JOB_ID, trigger=trigger)  # stays paused
        else:
            self._aps_call(self._aps.reschedule_job, SYNC_JOB_ID, trigger=trigger)
        self._refresh_next_due()
        log.info("Sync interval now %d min (asked %d, Hike budget floor %d); next run at %s", minutes,
                 self.requested_interval_minutes, self.minimum_interval_minutes, self.next_run_time())

    @staticmethod
    def _interval_trigger(minutes: int, start_date: datetime | None = None) -> IntervalTrigger:
        return IntervalTrigger(minutes=minutes, start_date=start_date, timezone=timezone.utc)

    # ---- status (M1) ------------------------------------------------------------------------------------------

    @property
    def state(self) -> str:
        with self._lock:
            return self._state_locked()

    def _state_locked(self) -> str:
        return sync_state(running=self._running, reconnect_needed=self._last_error_kind == ErrorKind.RECONNECT,
                          paused=self._paused, last_pass_failed=self._last_error_kind is not None)

    def next_run_time(self) -> datetime | None:
        """When the next automatic pass is due (UTC), or None when paused, not started or stopped."""
        times = []
        for job_id in (SYNC_JOB_ID, CATCH_UP_JOB_ID):
            job = self._aps_call(self._aps.get_job, job_id)
            if job is not None and job.next_run_time is not None:
                times.append(job.next_run_time)
        return min(times) if times else None

    def last_run(self) -> RunInfo | None:
        """The last finished pass (trigger, entities, start, end, ok/failed, error)."""
        with self._lock:
            return self._last

    def current_run(self) -> RunInfo | None:
        with self._lock:
            return self._current

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no pass runs and none is queued; False if ``timeout`` passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._running and self._pending is None, timeout)

    # ---- wake from sleep --------------------------------------------------------------------------------------

    def check_wake(self) -> bool:
        """Run by a job every ``wake_check_s``. True when it found a sleep past a scheduled run and scheduled the
        catch-up pass."""
        wall, mono = self._wall(), self._clock()
        with self._lock:
            last_wall, last_mono, due = self._wake_wall, self._wake_mono, self._wake_next_due
            self._wake_wall, self._wake_mono = wall, mono
            paused, closing = self._paused, self._closing
        if closing:
            return False
        if last_wall is None or last_mono is None:
            self._refresh_next_due()
            return False
        wall_gap, mono_gap = wall - last_wall, mono - last_mono
        # Monotonic clock stopped during the sleep (Linux, macOS): the wall clock ran ahead of it. Monotonic
        # clock kept counting (Windows): this check fired far later than its interval.
        asleep_s = max(wall_gap - mono_gap, mono_gap - self._wake_check_s)
        if asleep_s < self._sleep_threshold_s:
            self._refresh_next_due()
            return False
        if paused:
            log.info("The computer was asleep for about %s; the schedule is paused, so no catch-up pass",
                     human_duration(asleep_s))
            self._refresh_next_due()
            return False
        if due is None or due > wall:
            log.info("The computer was asleep for about %s; no scheduled sync was missed", human_duration(asleep_s))
            self._refresh_next_due()
            return False
        run_at = datetime.now(timezone.utc) + timedelta(seconds=self._catch_up_delay_s)
        with self._aps_lock:
            if self._closing:
                return False
            self._aps.modify_job(CATCH_UP_JOB_ID, next_run_time=run_at)  # replaces one not yet run: only one
            job = self._aps.get_job(SYNC_JOB_ID)
            after = run_at + timedelta(minutes=self.interval_minutes)
            if job is not None and job.next_run_time is not None and job.next_run_time < after:
                self._aps.modify_job(SYNC_JOB_ID, next_run_time=after)  # the overdue run is the catch-up
        self._refresh_next_due()
        missed_at = datetime.fromtimestamp(due, timezone.utc).isoformat(timespec="seconds")
        log.info("The computer was asleep for about %s, past the sync scheduled at %s; a catch-up pass runs in "
                 "%s", human_duration(asleep_s), missed_at, human_duration(self._catch_up_delay_s))
        return True

    def _reset_wake_baseline(self) -> None:
        with self._lock:
            self._wake_wall, self._wake_mono = self._wall(), self._clock()
        self._refresh_next_due()

    def _refresh_next_due(self) -> None:
        job = self._aps_call(self._aps.get_job, SYNC_JOB_ID)
        due = job.next_run_time.timestamp() if job is not None and job.next_run_time is not None else None
        with self._lock:
            self._wake_next_due = due

    # ---- running passes ---------------------------------------------------------------------------------------

    def _scheduled_job(self) -> None:
        self._request(PassRequest(SCHEDULE, ENTITIES), inline=True)

    def _catch_up_job(self) -> None:
        self._aps_call(self._aps.pause_job, CATCH_UP_JOB_ID)  # fired: back to waiting for the next wake-up
        self._request(PassRequest(CATCH_UP, ENTITIES), inline=True)

    def _runner_job(self) -> None:
        with self._lock:
            claimed, self._claimed = self._claimed, None
        if claimed is not None:
            self._drain(claimed)

    def _request(self, request: PassRequest, *, inline: bool) -> bool:
        """Claim the single pass slot and run (inline: on this job thread; else on a new one-off job), or merge
        into the queued follow-up when a pass is running."""
        with self._lock:
            if self._closing:
                log.info("A %s pass was asked for while shutting down; not started", request.trigger)
                return False
            if request.trigger in AUTOMATIC_TRIGGERS and self._paused:
                log.info("Schedule paused; %s pass not started", request.trigger)
                return False
            if self._running:
                self._merge_pending(request)
                return True
            self._running = True
        if inline:
            self._drain(request)
            return True
        return self._submit(request)

    def _merge_pending(self, request: PassRequest) -> None:
        """Under ``_lock``: one follow-up holds every request made during the running pass
        (``PassRequest.merged``)."""
        self._pending = request if self._pending is None else self._pending.merged(request)
        log.info("A pass is running; the %s request (%s) is queued to run right after it (%s)", request.trigger,
                 ", ".join(sorted(request.entities)), ", ".join(sorted(self._pending.entities)))

    def _submit(self, request: PassRequest) -> bool:
        """Run an already claimed pass on the runner job (the caller's thread, maybe the GUI's, never waits)."""
        with self._aps_lock:
            with self._lock:
                submitted = not self._closing
                if submitted:
                    self._claimed = request
                else:
                    self._running = False
                    self._idle.notify_all()
                started = self._started
            if submitted and started:  # before start(), start() makes it due
                self._aps.modify_job(RUNNER_JOB_ID, next_run_time=datetime.now(timezone.utc))
        if submitted:
            self._emit_state()
        return submitted

    def _drain(self, request: PassRequest | None) -> None:
        """Run the claimed pass, then the queued follow-up if any, until none is left; then release the slot."""
        while request is not None:
            with self._lock:
                if self._closing:
                    log.info("Shutting down; the %s pass is not started", request.trigger)
                    self._running = False
                    self._idle.notify_all()
                    return
                self._current = RunInfo(request.trigger, request.entities, self._now(), only=request.only)
            self._emit_state()
            self._execute(request)
            with self._lock:
                request, self._pending = self._pending, None
                if request is not None and self._closing:
                    log.info("Shutting down; the queued %s pass is dropped", request.trigger)
                    request = None
                if request is None:
                    self._running = False
                    self._idle.notify_all()
            if request is None:
                self._emit_state()

    def _execute(self, request: PassRequest) -> None:
        trigger = request.trigger
        log.info("Sync pass (%s) starting: %s%s%s", trigger, ", ".join(sorted(request.entities)),
                 f", reading {request.scope}" if request.scope is not None else "",
                 f" ({len(request.only)} record(s) only)" if request.only is not None else "")
        try:
            run = self._run_pass(trigger, request.entities, scope=request.scope, only=request.only)
        except Exception as exc:  # noqa: BLE001 - a failed pass never stops the scheduler
            self._pass_failed(trigger, exc)
            return
        # a pass the engine stopped itself (it reported why on the events): the state follows it all the same
        stopped_by = getattr(run, "stopped_by", None)
        with self._lock:
            assert self._current is not None
            self._last = self._finished(self._current, "failed" if stopped_by else "ok", stopped_by)
            self._current = None
            self._last_error_kind = stopped_by
        log.info("Sync pass (%s) finished", trigger)

    def _pass_failed(self, trigger: str, exc: Exception) -> None:
        if isinstance(exc, errors.SyncError):
            kind, title, message = exc.kind, exc.title, str(exc)
            log.warning("Sync pass (%s) stopped: %s: %s", trigger, title, message)
        else:
            kind, title = ErrorKind.INTERNAL, "Sync pass failed"
            message = f"An unexpected error stopped the sync pass ({type(exc).__name__}: {exc}). The next pass " \
                      "will try again."
            log.error("Sync pass (%s) raised", trigger, exc_info=exc)
        with self._lock:
            current = self._current
            assert current is not None
            self._last = self._finished(current, "failed", kind, message)
            self._current = None
            self._last_error_kind = kind
        self.events.on_error(kind, title, message)
        if isinstance(exc, errors.DailyLimitReached) and exc.retry_after_s:
            self._postpone_schedule(exc.retry_after_s)

    def _postpone_schedule(self, seconds: float) -> None:
        """Hike's day is used up: calling again before it frees up only spends refused calls (they count)."""
        not_before = datetime.now(timezone.utc) + timedelta(seconds=seconds)
        job = self._aps_call(self._aps.get_job, SYNC_JOB_ID)
        if job is None or job.next_run_time is None or job.next_run_time >= not_before:
            return
        self._aps_call(self._aps.modify_job, SYNC_JOB_ID, next_run_time=not_before)
        self._refresh_next_due()
        log.info("Hike's daily limit is used up; the next scheduled pass waits until %s",
                 not_before.isoformat(timespec="seconds"))

    # ---- plumbing ---------------------------------------------------------------------------------------------

    def _on_aps_event(self, event: JobEvent) -> None:
        """APScheduler's main loop reports a run it did not make: turn it into a queued run, never a lost one."""
        if event.code == EVENT_JOB_ERROR:  # our job functions catch everything: this is a bug
            log.error("Scheduler job %s failed: %s", event.job_id, getattr(event, "exception", None))
            return
        if event.job_id == RUNNER_JOB_ID:  # a claimed pass must still start: try again in a moment
            log.warning("The requested pass could not start yet; trying again in a second")
            self._aps_call(self._aps.modify_job, RUNNER_JOB_ID,
                           next_run_time=datetime.now(timezone.utc) + timedelta(seconds=1))
            return
        if event.job_id not in (SYNC_JOB_ID, CATCH_UP_JOB_ID):
            return
        trigger = SCHEDULE if event.job_id == SYNC_JOB_ID else CATCH_UP
        what = "was still running" if event.code == EVENT_JOB_MAX_INSTANCES else "missed its time"
        log.info("The %s pass %s; queuing it instead", trigger, what)
        self._request(PassRequest(trigger, ENTITIES), inline=False)

    def _aps_call(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call into APScheduler unless shutdown has started (then None)."""
        with self._aps_lock:
            with self._lock:
                if self._closing or not self._started:
                    return None
            try:
                return func(*args, **kwargs)
            except JobLookupError:
                return None

    def _emit_state(self) -> None:
        with self._emit_lock:
            with self._lock:
                state = self._state_locked()
                if state == self._emitted_state:
                    return
                self._emitted_state = state
            self.events.on_state(state)

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._wall(), timezone.utc)

    def _finished(self, run: RunInfo, status: str, kind: str | None = None, message: str | None = None) -> RunInfo:
        return RunInfo(run.trigger, run.entities, run.started_at, self._now(), status, kind, message, run.only)


def _check_interval(minutes: int) -> None:
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1:
        raise ValueError(f"the interval is a whole number of minutes, at least 1 (got {minutes!r})")
