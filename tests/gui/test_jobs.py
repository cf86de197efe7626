"""The views' one way of running background work (desktop/views/jobs.py): an answer that comes after the widget
it is for was deleted is dropped, not delivered to a dead widget (a CI run saw a live list's read land on a deleted
count label at a test's teardown)."""
from __future__ import annotations

import threading

import shiboken6
from PySide6.QtWidgets import QLabel

from desktop.views.jobs import Jobs


def test_an_answer_for_a_deleted_owner_is_dropped(qtbot):
    jobs = Jobs()
    release = threading.Event()
    delivered: list[str] = []
    owner = QLabel()
    jobs.run(lambda: release.wait(10) and "read", lambda value: delivered.append(owner.text() + value),
             name="slow read", owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(owner))
    release.set()
    qtbot.waitUntil(lambda: jobs.running == 0)
    assert delivered == []

    alive = QLabel("still here ")
    qtbot.addWidget(alive)
    jobs.run(lambda: "read", lambda value: delivered.append(alive.text() + value), name="read", owner=alive)
    qtbot.waitUntil(lambda: jobs.running == 0)
    assert delivered == ["still here read"]
    jobs.shutdown()
