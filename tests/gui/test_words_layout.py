"""Issue 17, finding 6 under pytest-qt over a real database: a run's duration and counts read as words, the sync log
dialog fits the screen with a 300-character name, the main window has a minimum size that fits 1024 × 600."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from PySide6.QtGui import QGuiApplication

from desktop import APP_NAME
from desktop.storage.models import Link, Run
from desktop.views.main_window import MainWindow, StoreSummary
from desktop.views.record_log import RecordLogDialog
from desktop.views.records_view import RecordsView
from desktop.views.runs_view import RunsView


def test_the_run_log_says_how_long_a_pass_took_and_what_it_did_in_words(qtbot, db):
    started = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
    Run.create(trigger="schedule", scope="full", started_at=started, finished_at=started + timedelta(seconds=782),
               status="partial", counts={"customer": {"conflict": 2, "create": 35}})
    view = RunsView()
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    model = view.model
    assert model.data(model.index(0, 2)) == "13 min 2 s"
    assert model.data(model.index(0, 6)) == "Customers: 35 created, 2 conflicts"


def test_a_list_of_one_record_says_one_product(qtbot, db):
    Link.create(entity="product", hike_id="1", status="linked", name="Mug", sku="M", last_result="ok")
    view = RecordsView(("product", "variant"), "products")
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.count.text() == "1 product")


def test_the_sync_log_of_a_record_with_a_300_character_name_fits_the_screen(qtbot, db):
    name = " ".join(["Extraordinarily-long-product-name"] * 9)[:300]
    assert len(name) == 300
    link = Link.create(entity="product", hike_id="7", status="failed", name=name, sku="LONG-1", last_result="error",
                       last_message="BigCommerce refused the product: " + name)
    dialog = RecordLogDialog(link.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    room = QGuiApplication.primaryScreen().availableGeometry()
    assert dialog.frameGeometry().width() <= room.width() and dialog.height() <= room.height()
    assert dialog.width() <= 960


def test_the_main_window_has_a_minimum_size_that_fits_a_small_screen(qtbot):
    window = MainWindow(StoreSummary(), None, setup_reason="Hike is not connected yet.")
    qtbot.addWidget(window)
    minimum = window.minimumSize()
    assert minimum.width() >= 800 and minimum.height() >= 540
    assert minimum.width() <= 1024 and minimum.height() <= 600 - 40  # a 1024 × 600 screen, less a panel
    assert window.windowTitle().startswith(APP_NAME)
