"""Hike's daily allowance across restarts (N3).

The Hike governor counts this app's calls in the last 24 hours on the monotonic clock, which means nothing after
a restart. After each pass the calls are saved as wall-clock times (no secret: just times), and a new client starts
with the ones still inside the day, so a restart never resets the count to zero.
"""
from __future__ import annotations

import time
from typing import Callable

from desktop.storage.models import get_preference, set_preference

KEY = "hike_call_times"
DAY_S = 86_400.0


def save_hike_calls(monotonic_times: list[float], *, monotonic: Callable[[], float] = time.monotonic,
                    wall: Callable[[], float] = time.time) -> None:
    offset = wall() - monotonic()
    cutoff = wall() - DAY_S
    set_preference(KEY, [round(t + offset, 3) for t in monotonic_times if t + offset > cutoff])


def load_hike_calls(*, monotonic: Callable[[], float] = time.monotonic,
                    wall: Callable[[], float] = time.time) -> list[float]:
    """The saved calls still inside the last day, on this process's monotonic clock."""
    offset = wall() - monotonic()
    cutoff = wall() - DAY_S
    return [t - offset for t in get_preference(KEY, []) or [] if t > cutoff]
