"""N3: Hike's daily call count survives a restart."""
from __future__ import annotations

from desktop.sync.budget import load_hike_calls, save_hike_calls
from desktop.sync.http import HikeGovernor


def test_n3_hike_calls_survive_a_restart_on_a_new_monotonic_clock(db):
    # process 1: monotonic clock near 1000, wall clock at day D
    save_hike_calls([900.0, 990.0, 999.0], monotonic=lambda: 1000.0, wall=lambda: 2_000_000.0)
    # process 2, an hour later, its monotonic clock restarted near 5
    loaded = load_hike_calls(monotonic=lambda: 5.0, wall=lambda: 2_003_600.0)
    assert [round(t, 3) for t in loaded] == [-3695.0, -3605.0, -3596.0]
    governor = HikeGovernor(per_day=4, calls_before_start=loaded, clock=lambda: 5.0, sleep=lambda s: None)
    assert governor.budget().calls_left_today == 1


def test_n3_calls_older_than_a_day_are_dropped(db):
    save_hike_calls([0.0, 50_000.0], monotonic=lambda: 90_000.0, wall=lambda: 1_000_000.0)
    assert len(load_hike_calls(monotonic=lambda: 1.0, wall=lambda: 1_000_000.0)) == 1
    assert load_hike_calls(monotonic=lambda: 1.0, wall=lambda: 1_200_000.0) == []
