"""N2–N4 under random faults: the short CI version of ``python -m benchmarks soak`` (see docs/RELIABILITY.md).

Six steps of changes on both stores, each followed by a pass with 15 % of the requests faulty (429, 5xx,
timeouts, dropped connections, answers lost after the write, malformed bodies); then a fault-free pass. The
stores must end exactly as a fault-free run of the same script leaves them (stock in both stores included), with
no duplicates, every failed pass on record and nothing left in the outbox. Once with the default settings, once
with S15 and stock-only orders, where the steps also sell at the till.
"""
from __future__ import annotations

import pytest

from benchmarks.soak import soak


@pytest.mark.parametrize("settings", ["defaults", "s15"])
def test_n2_n4_soak_with_random_faults_ends_like_a_fault_free_run(settings):
    result = soak(products=60, minutes=10, fault_rate=0.15, max_steps=6, seed=7, settings=settings)
    assert result["steps"] == 6, "the step bound, not the time bound, ends this run"
    assert result["faults_injected"] >= 10, "the faults must actually land to prove anything"
    assert result["differences"] == 0, result["difference_examples"]
    assert result["duplicates"] == 0, result["duplicate_examples"]
    assert result["unaccounted_failures"] == 0
    assert result["pending_left"] == 0
    if settings == "s15":
        assert result["changes"].get("till_sales", 0) >= 6, "S15 must have had work"
        assert result["sale_ids_identical"]
