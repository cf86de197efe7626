"""The monitor (issue 8: M1–M6) under pytest-qt, over both sandbox stores with real HTTP.

One demo sandbox per module with a duplicate SKU seeded in Hike (two Hike-only products share ``SKU-00003``), the
real controller, service, engine and scheduler, and the real main window; the start-up pass is the first sync.
Links are intercepted with ``QDesktopServices.setUrlHandler`` so nothing opens a browser.
"""
from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from desktop.sandbox.stores import start_sandbox
from desktop.storage.credentials import Credentials
from desktop.storage.db import close_db, init_db
from desktop.storage.models import Link, LogEntry, Run
from desktop.sync.connections import open_clients
from desktop.sync.hike import hike_governor
from desktop.views.errors_view import LINK_ROLE
from desktop.views.main_window import MainWindow, StoreSummary
from desktop.views.open_links import open_store_url
from desktop.views.record_log import format_diff, format_value
from desktop.views.record_models import FAILED, NOT_LINKED, SYNCED, LinkTableModel
from desktop.views.sync_controller import SyncController
from desktop.views.tray import tray_icon_path
from tests.integration.stores import FAST_RETRY
from tests.keyrings import MemoryKeyring

DUPLICATE_A, DUPLICATE_B = 1008, 1009  # Hike-only products in the demo seed (SKU-00003, SKU-00004)
WAIT_MS = 60_000


class UrlCatcher(QObject):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def handle(self, url: QUrl) -> None:
        self.urls.append(url.toString())


def fast_clients(credentials):
    """The real clients on the saved connections, with short retry waits and Hike's pacing opened up (N3 has its
    own tests; here several passes run in a minute)."""
    bc, hike = open_clients(credentials, retry=FAST_RETRY)
    hike.governor = hike.http.governor = hike_governor(per_minute=10**6, per_day=10**9)
    return bc, hike


def wait_idle_after_run(qtbot, controller, action=None):
    """Run ``action`` (a sync request) and wait for the pass it starts to finish and the summary to settle."""
    with qtbot.waitSignal(controller.bridge.runFinished, timeout=WAIT_MS) as blocker:
        if action is not None:
            action()
    qtbot.waitUntil(lambda: controller.summary.state != "syncing", timeout=WAIT_MS)
    return blocker.args


@pytest.fixture(scope="module")
def monitor(qapp, tmp_path_factory):
    init_db(tmp_path_factory.mktemp("monitor") / "sync.sqlite3")
    sandbox = start_sandbox("demo", bc_quota="100000/30", hike_rate_limit=False)
    with sandbox.hike.lock:  # D4: a duplicate SKU in Hike fails both products, alone
        sandbox.hike.products[DUPLICATE_B]["sku"] = sandbox.hike.products[DUPLICATE_A]["sku"]
    controller = SyncController(Credentials("gui-test", backend=MemoryKeyring()), sandbox=sandbox,
                                open_clients=fast_clients)
    window = MainWindow(StoreSummary("Hike sandbox store", "BigCommerce sandbox store", True), controller)
    window.show()
    # the start-up pass is the first sync; qtbot is per test, so wait on an event loop of our own
    loop = QEventLoop()
    finished = []
    controller.bridge.runFinished.connect(lambda *args: (finished.append(args), loop.quit()))
    QTimer.singleShot(WAIT_MS, loop.quit)
    controller.start()
    rc = loop.exec()
    assert finished, f"the start-up pass did not finish ({rc})"
    if controller.summary.state == "syncing":
        settled = QEventLoop()
        controller.summary.stateChanged.connect(settled.quit)
        QTimer.singleShot(WAIT_MS, settled.quit)
        settled.exec()
    yield controller, window, sandbox
    window.quit_app()
    controller.shutdown()
    window.deleteLater()
    sandbox.stop()
    close_db()


def shown(window, view):
    """Bring a tab forward, as a person does (a list is read again when shown after a pass)."""
    window.tabs.setCurrentWidget(view)
    return view


def row_status(view, predicate) -> str:
    row = view.row_of(predicate)
    assert row >= 0, "record not listed"
    return view.model.index(row, LinkTableModel.STATUS).data(Qt.ItemDataRole.UserRole)


def click_status_icon(qtbot, view, row: int) -> None:
    index = view.model.index(row, LinkTableModel.STATUS)
    view.table.scrollTo(index)
    rect = view.table.visualRect(index)
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


@pytest.fixture
def urls():
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("https", catcher, "handle")
    QDesktopServices.setUrlHandler("http", catcher, "handle")
    yield catcher
    QDesktopServices.unsetUrlHandler("https")
    QDesktopServices.unsetUrlHandler("http")


def test_r_m1_first_sync_shows_on_the_dashboard(monitor):
    controller, window, _ = monitor
    summary = controller.summary
    assert summary.last_run is not None and summary.last_run.status == "partial"  # the duplicate SKU
    assert window.dashboard.runs.rowCount() >= 1
    assert "Idle" in window.windowTitle() or "Error" in window.windowTitle()
    assert "records with errors" in window.status_label.text()
    lines = summary.budget_lines()
    assert any(line.startswith("BigCommerce:") for line in lines)
    assert any("left today" in line for line in lines)  # Hike's daily allowance (N3) shown
    assert summary.next_run is not None


def test_r_m2_products_view_icons_after_a_sync_with_a_duplicate_sku(monitor):
    _, window, _ = monitor
    view = shown(window, window.products_view)
    assert row_status(view, lambda r: r.hike_id == str(DUPLICATE_A)) == FAILED
    assert row_status(view, lambda r: r.hike_id == str(DUPLICATE_B)) == FAILED
    linked = Link.select().where(Link.entity == "product", Link.status == "linked", Link.last_result == "ok").first()
    assert row_status(view, lambda r: r.id == linked.id) == SYNCED
    skipped = Link.get(Link.entity == "product", Link.status == "skipped")
    assert row_status(view, lambda r: r.id == skipped.id) == NOT_LINKED
    # filters: errors only lists exactly the two duplicates
    view.errors_only.setChecked(True)
    try:
        assert {r.hike_id for r in view.model.rows} == {str(DUPLICATE_A), str(DUPLICATE_B)}
        assert "2 products" in view.count.text()
    finally:
        view.errors_only.setChecked(False)


def test_r_m2_clicking_the_icon_opens_the_log_with_the_fields_changed(monitor, qtbot):
    _, window, _ = monitor
    entry = (LogEntry.select().where(LogEntry.entity == "product", LogEntry.diff.is_null(False))
             .order_by(LogEntry.id).first())
    assert entry is not None, "the first sync changed fields somewhere"
    link = Link.get(Link.entity == "product", (Link.hike_id == entry.hike_id) | (Link.bc_id == entry.bc_id))
    view = shown(window, window.products_view)
    row = view.row_of(lambda r: r.id == link.id)
    click_status_icon(qtbot, view, row)
    qtbot.waitUntil(lambda: window.log_dialog is not None and window.log_dialog.isVisible())
    dialog = window.log_dialog
    assert dialog.link.id == link.id
    texts = [dialog.table.item(r, 5).text() for r in range(dialog.table.rowCount())]
    field, (before, after) = sorted(entry.diff.items())[0]
    assert any(f"{field}: " in t and " → " in t for t in texts)
    assert any(f"{field}: {format_value(before)} → {format_value(after)}" in t for t in texts)
    headers = [dialog.table.horizontalHeaderItem(c).text() for c in range(dialog.table.columnCount())]
    assert headers == ["Time", "Direction", "Action", "Result", "Message", "Fields changed"]
    dialog.close()


def test_r_m2_m6_buttons_open_the_exact_bigcommerce_urls(monitor, qtbot, urls):
    _, window, sandbox = monitor
    link = Link.select().where(Link.entity == "product", Link.status == "linked", Link.bc_id.is_null(False)).first()
    window.open_record_log(link.id)
    dialog = window.log_dialog
    qtbot.waitUntil(dialog.isVisible)
    store_hash = sandbox.bigcommerce.store_hash
    dialog.open_bc.click()
    assert urls.urls == [f"https://store-{store_hash}.mybigcommerce.com/manage/products/{link.bc_id}/edit"]
    path = sandbox.bigcommerce.store.products[int(link.bc_id)]["custom_url"]["url"]
    dialog.view_storefront.click()  # the path is read from BigCommerce off the GUI thread
    qtbot.waitUntil(lambda: len(urls.urls) == 2, timeout=WAIT_MS)
    assert urls.urls[1] == "https://sandbox-shop.example" + path
    dialog.close()


@pytest.mark.parametrize("url", [
    "http://store-{hash}.mybigcommerce.com/manage/products/1/edit",  # not https
    "https://evil.example/manage/products/1/edit",  # not the connected store
    "https://store-{hash}.mybigcommerce.com.evil.example/x",  # look-alike host
    "https://user:pw@store-{hash}.mybigcommerce.com/manage",  # credentials in the address
    "javascript:alert(1)",
    "file:///etc/passwd",
    "",
])
def test_r_m6_a_non_https_or_foreign_url_is_refused_and_logged(monitor, urls, caplog, url):
    _, _, sandbox = monitor
    url = url.format(hash=sandbox.bigcommerce.store_hash)
    with caplog.at_level(logging.WARNING, logger="desktop.views.open_links"):
        assert open_store_url(url) is False
    assert urls.urls == []
    assert any("Refused to open" in r.getMessage() for r in caplog.records)


def test_r_m4_errors_grouped_with_a_hint_and_retry_clears_a_fixed_error(monitor, qtbot):
    controller, window, sandbox = monitor
    errors = shown(window, window.errors_view)
    titles = [errors.tree.topLevelItem(i).text(0) for i in range(errors.tree.topLevelItemCount())]
    assert "Duplicate SKU on 2 products" in titles
    group_item = errors.tree.topLevelItem(titles.index("Duplicate SKU on 2 products"))
    assert "own SKU in Hike" in group_item.child(0).text(0)  # the hint names the store to fix it in
    assert group_item.childCount() == 3  # the hint, then the two records
    # the manager fixes the SKU in Hike, then retries that record
    with sandbox.hike.lock:
        product = sandbox.hike.products[DUPLICATE_B]
        product["sku"], product["last_modified"] = "SKU-00004", sandbox.hike.now()
    record = group_item.child(1)
    retried = Link.get_by_id(int(record.data(0, LINK_ROLE)))
    errors.tree.setCurrentItem(record)
    assert errors.retry_one.isEnabled()
    status = wait_idle_after_run(qtbot, controller, errors.retry_one.click)
    run = Run.select().order_by(Run.id.desc()).first()
    assert run.trigger == "retry" and status[1] in ("ok", "partial")  # that record alone, no full read (N3)
    assert Link.get_by_id(retried.id).last_result == "ok"
    titles = [errors.tree.topLevelItem(i).text(0) for i in range(errors.tree.topLevelItemCount())]
    assert "Duplicate SKU on 1 product" in titles, titles  # the record left the list; the other one stays
    group_item = errors.tree.topLevelItem(titles.index("Duplicate SKU on 1 product"))
    errors.tree.setCurrentItem(group_item)
    wait_idle_after_run(qtbot, controller, errors.retry_group.click)
    assert Run.select().order_by(Run.id.desc()).first().trigger == "retry"  # a group: every record read (scope full)
    titles = [errors.tree.topLevelItem(i).text(0) for i in range(errors.tree.topLevelItemCount())]
    assert not any(t.startswith("Duplicate SKU") for t in titles)
    view = shown(window, window.products_view)
    assert row_status(view, lambda r: r.hike_id == str(DUPLICATE_A)) == SYNCED
    assert row_status(view, lambda r: r.hike_id == str(DUPLICATE_B)) == SYNCED


def test_r_m5_tray_state_follows_the_summary(monitor, qtbot):
    controller, window, _ = monitor
    tray, summary = window.tray, controller.summary
    assert tray.state == summary.state
    controller.pause()
    qtbot.waitUntil(lambda: summary.state == "paused" and tray.state == "paused")
    assert "Resume" in tray.pause_action.text()
    assert not tray.icon.icon().isNull()
    seen = []
    summary.stateChanged.connect(lambda s: seen.append((s, tray.state)))
    wait_idle_after_run(qtbot, controller, lambda: controller.sync_now(["customers"]))  # "Sync now" works paused
    assert ("syncing", "syncing") in seen
    qtbot.waitUntil(lambda: tray.state == "paused")
    controller.resume()
    qtbot.waitUntil(lambda: tray.state == summary.state != "paused")
    assert "Pause" in tray.pause_action.text()
    assert tray_icon_path("error", dark=True).endswith("tray-error-dark.svg")


def test_r_m5_new_errors_notify_unless_muted(monitor, qtbot):
    controller, window, _ = monitor
    tray = window.tray
    with qtbot.waitSignal(tray.notified) as blocker:
        controller.summary.newErrors.emit(3, "Duplicate SKU 'X' in Hike")
    assert blocker.args[0] == "3 records could not be synced"
    tray.mute_action.setChecked(True)
    try:
        assert tray.notify("Reconnect needed", "Hike: sign in again") is False
    finally:
        tray.mute_action.setChecked(False)


def test_r_m5_closing_the_window_while_syncing_keeps_syncing(monitor, qtbot):
    controller, window, sandbox = monitor
    # a slow store answer keeps the pass running while the window closes
    with sandbox.bigcommerce.lock:
        sandbox.bigcommerce.add_faults(r"/v3/catalog/products$", ["timeout"], method="GET", delay_s=1.0)
    with qtbot.waitSignal(controller.bridge.runStarted, timeout=WAIT_MS):
        controller.retry(["products"])
    qtbot.waitUntil(lambda: controller.summary.state == "syncing")
    with qtbot.waitSignal(controller.bridge.runFinished, timeout=WAIT_MS) as finished:
        window.close()
        assert not window.isVisible()
        assert controller.service.scheduler.current_run() is not None  # still running after the close
    assert finished.args[1] in ("ok", "partial")
    assert not controller.service.scheduler.stop_event.is_set()
    window.bring_to_front()  # the tray's "Open" (or a second launch) brings it back
    assert window.isVisible()
    assert QApplication.instance() is not None


def test_r_m3_customers_sales_and_run_log(monitor, qtbot):
    _, window, _ = monitor
    shown(window, window.customers_view)
    assert window.customers_view.model.total() > 0
    assert row_status(window.customers_view, lambda r: r.last_result == "conflict") == FAILED
    shown(window, window.sales_view)
    assert window.sales_view.model.rowCount() == window.sales_view.model.total()  # none yet: orders not synced
    runs = shown(window, window.runs_view)
    assert runs.model.rowCount() == Run.select().count()
    runs.errors_only.setChecked(True)
    try:
        statuses = {Run.get_by_id(int(r[0])).status for r in runs.model.rows}
        assert statuses <= {"error", "partial", "interrupted"} and statuses
    finally:
        runs.errors_only.setChecked(False)


def test_r_m1_without_connections_the_window_offers_set_up_and_manage(qtbot):
    """The setup wizard is someone else's: the window only has to emit the two hooks the integrator connects."""
    window = MainWindow(StoreSummary(), None, setup_reason="Hike is not connected yet.")
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.setupRequested):
        window.setup_button.click()
    with qtbot.waitSignal(window.manageRequested):
        window.manage_action.trigger()
    assert not window.sync_action.isEnabled()
    assert "Not set up" in window.status_label.text()


def test_m2_a_logs_image_addresses_read_as_their_file_names():
    diff = {"images": [None, ["http://127.0.0.1:4000/cdn/s-abc/images/stencil/1280x1280/products/1/2/mug__17.jpg",
                              "https://cdn.example/p/cup.png?c=2"]], "image_urls": [[], []]}
    assert format_diff(diff, limit=80) == "image_urls: (empty) → (empty)\nimages: (empty) → mug__17.jpg, cup.png"
