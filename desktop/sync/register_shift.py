"""S8: when the payment register's current shift began, for the monitor's five-day reminder.

BigCommerce payments are recorded on the payment register, and a sale arriving while it is closed re-opens it.
Reports reconcile better when that register is closed daily, so the tray reminds the manager when it has stayed
open more than 5 days (``views.tray``). When its shift began is noted here each time the app reads Hike's
registers anyway, so it costs no call: the store facts of a first or reconciliation pass (daily), and an orders
pass that sends a sale (a register that pass re-opened began its shift then).

[I] ``isOpen`` and ``openingTime`` are the emulator's register state (Hike documents neither). A register read
without them leaves nothing noted: no reminder rather than a false one.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from desktop.storage.models import Preference, set_preference
from desktop.sync.hike_models import Fields, HikeRegister

PREFERENCE = "register_opened_at"  # ISO time; absent when closed or not known


def payment_register(registers: Iterable[HikeRegister], register_id: int | None,
                     outlet_id: int | None) -> HikeRegister | None:
    """The register BigCommerce payments go to: the chosen one, else the order outlet's first active one."""
    registers = list(registers)
    if register_id is not None:
        return next((r for r in registers if r.id == register_id), None)
    return next((r for r in registers if r.outlet_id == outlet_id and r.is_active), None)


def note_shift(register: HikeRegister | None, *, reopened_at: datetime | None = None) -> None:
    """Remember when ``register`` (as just read) opened; ``reopened_at``: this pass's sale re-opened it then."""
    if reopened_at is not None:
        set_preference(PREFERENCE, reopened_at.isoformat())
        return
    if register is None or "isOpen" not in register.raw:
        return
    opened = Fields(register.raw).date("openingTime") if register.raw["isOpen"] else None
    if opened is None:  # closed (or its opening unknown): nothing to remind
        Preference.delete().where(Preference.key == PREFERENCE).execute()
    else:
        set_preference(PREFERENCE, opened.isoformat())
