"""Garbage is collected on the GUI thread only (``desktop.views.responsiveness.GuiThreadCollector``, installed by
the app and by this suite's ``qapp``): a closed window's widgets, kept alive by a reference cycle, are never destroyed
by a collection a sync or background thread happens to trigger. Qt widgets destroyed on another thread crashed a
test run (a widget with focus made Qt queue ``focusChanged`` with a pointer that was gone when it arrived)."""
from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtWidgets import QWidget

from desktop.views.responsiveness import collect_due


class Window(QWidget):
    pass


class Callbacks:
    """What a closed window is often still held by: a reference cycle of plain objects (a callback and its job)."""


def test_n2_a_closed_windows_widgets_are_not_collected_on_a_worker_thread_but_on_the_gui_thread(qapp, qtbot):
    assert not gc.isenabled(), "the automatic collector would run on whichever thread allocates"
    callbacks = Callbacks()
    callbacks.window, callbacks.itself = Window(), callbacks
    gone = weakref.ref(callbacks.window)
    del callbacks
    alive_after_churn: list[bool] = []

    def churn() -> None:  # a worker allocating as a sync pass does: far past every generation's threshold
        kept = [[] for _ in range(200_000)]
        alive_after_churn.append(gone() is not None)
        del kept

    worker = threading.Thread(target=churn)
    worker.start()
    worker.join()
    assert alive_after_churn == [True], "the window was collected (and destroyed) on the worker thread"
    # a young collection is due now, by a wide margin (each object freed meanwhile counts one allocation less)
    kept = [[] for _ in range(10 * gc.get_threshold()[0])]
    qtbot.waitUntil(lambda: gone() is None)  # the GUI thread's timer ran it
    del kept


def test_collect_due_runs_the_oldest_generation_past_its_threshold():
    before, enabled = gc.get_threshold(), gc.isenabled()
    gc.disable()
    try:
        gc.set_threshold(10, 1_000_000, 1_000_000)
        gc.collect()
        assert collect_due() is None  # nothing allocated since
        kept = [[] for _ in range(50)]
        assert collect_due() == 0 and gc.get_count()[0] < 10
        del kept
    finally:
        gc.set_threshold(*before)
        if enabled:
            gc.enable()


def test_collect_due_walks_the_oldest_generation_only_once_it_grew_by_a_quarter(monkeypatch):
    from desktop.views import responsiveness

    def every_generation_due() -> None:  # counts past thresholds of 1: (1 000, 2, 3 or more)
        for _ in range(2):
            gc.collect(0)
        kept.extend([] for _ in range(1000))

    before, enabled = gc.get_threshold(), gc.isenabled()
    gc.disable()
    try:
        gc.set_threshold(1, 1, 1)
        kept = [[] for _ in range(10)]
        for _ in range(3):
            gc.collect(1)  # the lists are in the oldest generation now
        monkeypatch.setattr(responsiveness, "_long_lived", [10 ** 9])  # a huge heap, walked a moment ago
        every_generation_due()
        assert collect_due() == 1, "a full collection before the oldest generation grew by a quarter"
        monkeypatch.setattr(responsiveness, "_long_lived", [0])  # it grew since
        every_generation_due()
        assert collect_due() == 2 and responsiveness._long_lived[0] > 0
        del kept
    finally:
        gc.set_threshold(*before)
        if enabled:
            gc.enable()
