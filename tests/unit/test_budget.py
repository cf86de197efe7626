"""N3: Hike's daily call count is saved as the calls are made, a batch at a time, and survives a restart."""
from __future__ import annotations

import threading

from desktop.storage.db import database_proxy
from desktop.storage.models import get_preference
from desktop.sync.budget import BATCH_CALLS, KEY, HikeCallLog, load_hike_calls
from desktop.sync.http import HikeGovernor


class Clocks:
    def __init__(self, monotonic: float = 1000.0, wall: float = 2_000_000.0):
        self.monotonic, self.wall = monotonic, wall

    def log(self) -> HikeCallLog:
        return HikeCallLog(monotonic=lambda: self.monotonic, wall=lambda: self.wall)

    def tick(self, seconds: float) -> None:
        self.monotonic += seconds
        self.wall += seconds


def saved() -> list[float]:
    return get_preference(KEY, [])


def test_n3_calls_are_saved_every_batch_of_calls_not_one_write_per_call(db):
    clocks = Clocks()
    calls = clocks.log()
    for _ in range(BATCH_CALLS - 1):
        calls.note()
    assert saved() == [], "no write per call"
    calls.note()
    assert len(saved()) == BATCH_CALLS
    calls.note()
    calls.flush()  # the end of a pass
    assert len(saved()) == BATCH_CALLS + 1


def test_n3_slow_calls_are_saved_once_five_seconds_have_passed(db):
    clocks = Clocks()
    calls = clocks.log()
    calls.note()
    clocks.tick(4.9)
    calls.note()
    assert saved() == []
    clocks.tick(0.2)
    calls.note()
    assert len(saved()) == 3


def test_n3_the_governor_tells_the_call_log_of_every_call_it_counts(db):
    calls = Clocks().log()
    governor = HikeGovernor(per_minute=100, clock=lambda: 5.0, sleep=lambda s: None, on_call=calls.note)
    for _ in range(BATCH_CALLS):
        governor.before_request()
    assert len(saved()) == BATCH_CALLS


def test_n3_two_clients_add_to_one_count_instead_of_overwriting_it(db):
    clocks = Clocks()
    sync_worker, wizard_page = clocks.log(), clocks.log()
    for _ in range(3):
        sync_worker.note()
    wizard_page.note()
    sync_worker.flush()
    wizard_page.flush()
    assert len(saved()) == 4


def test_n3_a_batch_is_not_saved_inside_another_transaction_that_could_roll_it_back(db):
    calls = Clocks().log()
    with database_proxy.atomic():
        for _ in range(BATCH_CALLS):
            calls.note()
    assert saved() == []
    calls.note()  # the next call, outside it
    assert len(saved()) == BATCH_CALLS + 1


def test_n3_a_batch_completed_on_another_thread_is_saved_there(db):
    calls = Clocks().log()
    for _ in range(BATCH_CALLS - 1):
        calls.note()
    worker = threading.Thread(target=calls.note)
    worker.start()
    worker.join()
    assert len(saved()) == BATCH_CALLS


def test_n3_hike_calls_survive_a_restart_on_a_new_monotonic_clock(db):
    # process 1: wall clock at day D
    clocks = Clocks(wall=2_000_000.0)
    calls = clocks.log()
    for at in (1_999_900.0, 1_999_990.0, 1_999_999.0):
        clocks.wall = at
        calls.note()
    calls.flush()
    # process 2, an hour later, its monotonic clock restarted near 5
    loaded = load_hike_calls(monotonic=lambda: 5.0, wall=lambda: 2_003_599.0)
    assert [round(t, 3) for t in loaded] == [-3694.0, -3604.0, -3595.0]
    governor = HikeGovernor(per_day=4, calls_before_start=loaded, clock=lambda: 5.0, sleep=lambda s: None)
    assert governor.budget().calls_left_today == 1


def test_n3_calls_older_than_a_day_are_dropped(db):
    clocks = Clocks(wall=1_000_000.0)
    calls = clocks.log()
    calls.note()
    calls.flush()
    clocks.wall = 1_050_000.0
    calls.note()
    calls.flush()
    assert len(load_hike_calls(monotonic=lambda: 1.0, wall=lambda: 1_086_401.0)) == 1
    assert load_hike_calls(monotonic=lambda: 1.0, wall=lambda: 1_200_000.0) == []
    clocks.wall = 1_100_000.0  # a save prunes what is older than a day
    calls.note()
    calls.flush()
    assert saved() == [1_050_000.0, 1_100_000.0]
