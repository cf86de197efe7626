"""Engine events: plain callbacks fanned out to every listener; a failing listener never breaks the sender."""
from __future__ import annotations

import logging

import pytest

from desktop.sync.events import EVENT_NAMES, STATES, Callbacks, EngineEvents, Listeners


class Recording(EngineEvents):
    def __init__(self):
        self.seen: list[tuple] = []

    def on_progress(self, entity, done, total):
        self.seen.append(("progress", entity, done, total))

    def on_record(self, entity, result, message, record=None):
        self.seen.append(("record", entity, result, message, record))

    def on_run_started(self, run_id, trigger, entities):
        self.seen.append(("started", run_id, trigger, entities))

    def on_run_finished(self, run_id, status, counts):
        self.seen.append(("finished", run_id, status, counts))

    def on_error(self, kind, title, message):
        self.seen.append(("error", kind, title, message))

    def on_state(self, state):
        self.seen.append(("state", state))


def send_all(events: EngineEvents) -> None:
    events.on_run_started(7, "manual", frozenset({"products"}))
    events.on_progress("products", 3, 10)
    events.on_record("products", "synced", "Price updated", {"sku": "A-1", "diff": {"price": ["1.00", "2.00"]}})
    events.on_error("validation", "Refused by the store", "BigCommerce: SKU too long")
    events.on_state("syncing")
    events.on_run_finished(7, "ok", {"synced": 1})


def test_every_listener_gets_every_event_in_order():
    first, second = Recording(), Recording()
    listeners = Listeners(first)
    listeners.add(second)
    send_all(listeners)
    expected = [
        ("started", 7, "manual", frozenset({"products"})),
        ("progress", "products", 3, 10),
        ("record", "products", "synced", "Price updated", {"sku": "A-1", "diff": {"price": ["1.00", "2.00"]}}),
        ("error", "validation", "Refused by the store", "BigCommerce: SKU too long"),
        ("state", "syncing"),
        ("finished", 7, "ok", {"synced": 1}),
    ]
    assert first.seen == expected
    assert second.seen == expected
    assert len(listeners) == 2


def test_a_raising_listener_is_logged_and_the_others_still_hear(caplog: pytest.LogCaptureFixture):
    class Broken(EngineEvents):
        def on_progress(self, entity, done, total):
            raise RuntimeError("view went away")

        def on_state(self, state):
            raise KeyError(state)

    after = Recording()
    listeners = Listeners(Broken(), after)
    with caplog.at_level(logging.ERROR, logger="desktop.sync.events"):
        listeners.on_progress("orders", 1, 2)  # must not raise
        listeners.on_state("error")
    assert after.seen == [("progress", "orders", 1, 2), ("state", "error")]
    failures = [r for r in caplog.records if "Broken" in r.getMessage()]
    assert len(failures) == 2
    assert "on_progress" in failures[0].getMessage() and failures[0].exc_info is not None


def test_partial_listeners_and_callbacks_only_get_what_they_define():
    states: list[str] = []
    errors: list[tuple] = []

    class OnlyState:  # duck typing: any object with some of the methods
        def on_state(self, state):
            states.append(state)

    listeners = Listeners(OnlyState(), Callbacks(on_error=lambda *a: errors.append(a)))
    send_all(listeners)  # nothing raises for the callbacks nobody defined
    assert states == ["syncing"]
    assert errors == [("validation", "Refused by the store", "BigCommerce: SKU too long")]


def test_remove_and_adding_during_a_fan_out():
    late = Recording()
    listeners = Listeners()

    def add_late(state):
        if late not in list(listeners):
            listeners.add(late)  # changing the list while it is being called is safe

    adder = listeners.add(Callbacks(on_state=add_late))
    listeners.on_state("idle")
    assert late.seen == []  # added during the fan-out: hears from the next event on
    listeners.on_state("paused")
    assert late.seen == [("state", "paused")]
    listeners.remove(adder)
    listeners.remove(adder)  # removing twice is harmless
    listeners.on_state("idle")
    assert late.seen[-1] == ("state", "idle")
    assert len(listeners) == 1


def test_states_are_the_five_of_m1_and_an_unknown_one_is_the_senders_bug():
    assert STATES == {"idle", "syncing", "paused", "error", "reconnect_needed"}
    with pytest.raises(ValueError):
        Listeners().on_state("sleeping")


def test_base_class_is_a_no_op_for_every_event():
    events = EngineEvents()
    send_all(events)
    assert all(hasattr(events, name) for name in EVENT_NAMES)
    assert set(EVENT_NAMES) == {f.name for f in Callbacks.__dataclass_fields__.values()}
