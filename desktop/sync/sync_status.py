"""The one rule for the sync's state (M1) that the dashboard, the window's title, the tray and the CLI show.

The scheduler (``SyncScheduler.state``, what it sends as ``on_state``) and the window's ``StatusSummary`` each keep
the facts they see, and both ask this function what they add up to, so the two can never disagree.
"""
from __future__ import annotations

from desktop.sync.vocabulary import SyncState


def sync_state(*, running: bool, reconnect_needed: bool, paused: bool, last_pass_failed: bool) -> SyncState:
    """``syncing`` while a pass runs; otherwise ``reconnect_needed`` after a pass stopped on a refused sign-in (until
    a pass succeeds: a pause does not hide it, since nothing can sync until the person signs in again), ``paused``
    while the schedule is paused, ``error`` when the last pass stopped on an error, else ``idle``."""
    if running:
        return SyncState.SYNCING
    if reconnect_needed:
        return SyncState.RECONNECT_NEEDED
    if paused:
        return SyncState.PAUSED
    if last_pass_failed:
        return SyncState.ERROR
    return SyncState.IDLE
