"""N2–N4 under random faults: the short CI version of ``python -m benchmarks soak`` (see docs/RELIABILITY.md).

Six steps of changes on both stores, each followed by a pass with 15 % of the requests faulty (429, 5xx,
timeouts, dropped connections, answers lost after the write, malformed bodies); then a fault-free pass. The
stores must end exactly as a fault-free run of the same script leaves them, with no duplicates, every failed
pass on record and nothing left in the outbox.
"""
from __future__ import annotations

from benchmarks.soak import soak


def test_n2_n4_soak_with_random_faults_ends_like_a_fault_free_run():
    result = soak(products=60, minutes=10, fault_rate=0.15, max_steps=6, seed=7)
    assert result["steps"] == 6, "the step bound, not the time bound, ends this run"
    assert result["faults_injected"] >= 10, "the faults must actually land to prove anything"
    assert result["differences"] == 0, result["difference_examples"]
    assert result["duplicates"] == 0, result["duplicate_examples"]
    assert result["unaccounted_failures"] == 0
    assert result["pending_left"] == 0
