"""The first pass as the window shows it (issue 16, M1): never "Idle · in step" before a pass has finished, the
pass's phase in plain words while it runs, and the Products list filling as records are linked. The engine's
callbacks are sent to the window's own bridge as the engine sends them (the sync is not started)."""
from __future__ import annotations

import pytest

from desktop.storage.credentials import Credentials
from desktop.storage.db import close_db, init_db
from desktop.storage.models import Link
from desktop.views.main_window import MainWindow, StoreSummary
from desktop.views.sync_controller import SyncController
from tests.keyrings import MemoryKeyring


@pytest.fixture
def window(qtbot, tmp_path):
    init_db(tmp_path / "sync.sqlite3")
    controller = SyncController(Credentials("gui-test", backend=MemoryKeyring()))
    window = MainWindow(StoreSummary("Hike sandbox store", "BigCommerce sandbox store", True), controller)
    qtbot.addWidget(window)
    window.show()
    yield window, controller.bridge
    window.quit_app()
    controller.shutdown()
    close_db()


def start_pass(bridge):
    bridge.on_run_started(1, "startup", ["products", "inventory"])
    bridge.on_state("syncing")


def test_r_m1_before_a_first_pass_finished_the_status_never_says_in_step(window, qtbot):
    win, bridge = window
    board = win.dashboard
    qtbot.waitUntil(lambda: board.state_label.text() == "First sync not run yet")
    assert "in step" not in board.detail.text()
    assert "Idle" not in win.windowTitle() and "Idle" not in win.status_label.text()
    start_pass(bridge)
    qtbot.waitUntil(lambda: board.state_label.text() == "First sync in progress")
    assert "first pass is running" in board.detail.text()
    assert "First sync in progress" in win.windowTitle()


def test_r_m1_the_status_line_says_the_passs_phase_in_plain_words(window, qtbot):
    win, bridge = window
    board = win.dashboard
    start_pass(bridge)
    steps = [
        (lambda: bridge.on_phase("", "reading", 0, 0, ""), "Reading the stores' details…"),
        (lambda: bridge.on_phase("products", "reading", 3, 12, "hike"), "Reading products from Hike: page 3 of 12"),
        (lambda: bridge.on_phase("products", "reading", 2, 0, "bigcommerce"),
         "Reading products from BigCommerce: page 2"),
        (lambda: bridge.on_phase("products", "planning", 0, 0, ""), "Planning products…"),
        (lambda: (bridge.on_phase("product", "writing", 0, 263, ""), bridge.on_progress("product", 40, 263)),
         "Writing products: 40 of 263"),
        (lambda: bridge.on_phase("product", "waiting", 12, 0, "bigcommerce"),
         "Waiting for BigCommerce's allowance: 12 s"),
        (lambda: bridge.on_phase("product", "waiting", 0, 0, "bigcommerce"), "Writing products: 40 of 263"),
    ]
    for send, text in steps:
        send()
        qtbot.waitUntil(lambda: board.detail.text().startswith(text))
        assert text in win.status_label.text()


def test_r_m2_the_products_list_fills_while_a_pass_runs(window, qtbot):
    win, bridge = window
    win.tabs.setCurrentWidget(win.products_view)
    start_pass(bridge)
    model = win.products_view.model
    assert model.rowCount() == 0
    for n in range(1, 4):  # links made one by one, each told as the journal writes its entry
        Link.create(entity="product", hike_id=str(n), bc_id=str(100 + n), sku=f"SKU-{n}", name=f"Mug {n}",
                    status="linked", last_result="ok")
        bridge.on_record("product", "ok", "Linked by SKU", {"action": "link"})
        qtbot.waitUntil(lambda: model.rowCount() == n)
    qtbot.waitUntil(lambda: win.products_view.count.text() == "3 products")
    assert win.summary.state == "syncing"  # no run has finished: the list filled during the pass
