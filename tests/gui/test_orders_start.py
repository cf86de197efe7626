"""N7, issue 14 finding 2b, in the window: a new database on stores this app synced before asks where orders start.

A demo sandbox whose newest BigCommerce order carries this app's note (as a previous installation leaves it), an
order placed after it (while the app was down), and a new database: the first pass syncs products and customers,
then the window asks. "From the last order synced" brings the later order in, once; the noted one is linked, not
sent again.
"""
from __future__ import annotations

import httpx
from PySide6.QtCore import QEventLoop, QTimer

from desktop.sandbox.stores import start_sandbox
from desktop.storage.credentials import Credentials
from desktop.storage.db import close_db, init_db
from desktop.storage.models import Link
from desktop.sync.bigcommerce import BigCommerceClient
from desktop.views.main_window import MainWindow, StoreSummary
from desktop.views.sync_controller import SyncController
from tests.gui.monitor_world import WAIT_MS, fast_clients
from tests.keyrings import MemoryKeyring


def test_n7_the_window_asks_where_orders_start_and_brings_in_what_was_missed(qapp, qtbot, tmp_path):
    init_db(tmp_path / "sync.sqlite3")
    sandbox = start_sandbox("demo", bc_quota="100000/30", hike_rate_limit=False)
    info = sandbox.info["bigcommerce"]
    bc = BigCommerceClient(info["api_path"], info["access_token"])
    controller = window = None
    try:
        seeded = max((o for o in bc.orders() if not o.is_incomplete), key=lambda o: o.id)
        bc.note_order(seeded.id, "hike", '{"sale": null}')  # a previous installation brought it in
        base = sandbox.bc_server.base_url
        state = httpx.get(f"{base}/__emulator/state", timeout=30).json()
        product = next(p for p in state["products"] if p.get("sku") and len(p.get("variants", [])) == 1
                       and (p.get("inventory_level") or 0) > 3)
        missed = httpx.post(f"{base}/__emulator/orders", timeout=30,
                            json={"lines": [{"product_id": product["id"], "quantity": 1}]}).json()["orders"][0]

        controller = SyncController(Credentials("gui-orders-start", backend=MemoryKeyring()), sandbox=sandbox,
                                    open_clients=fast_clients)
        window = MainWindow(StoreSummary("Hike sandbox store", "BigCommerce sandbox store", True), controller)
        window.show()
        loop = QEventLoop()
        controller.summary.ordersStartNeeded.connect(lambda question: loop.quit())
        QTimer.singleShot(WAIT_MS, loop.quit)
        controller.start()
        loop.exec()

        qtbot.waitUntil(lambda: window.orders_start_dialog is not None and window.orders_start_dialog.isVisible(),
                        timeout=WAIT_MS)
        dialog = window.orders_start_dialog
        assert window.orders_start_action.isVisible()
        assert f"#{seeded.id}" in controller.summary.orders_start_question
        assert not Link.select().where(Link.entity == "order").exists(), "nothing brought in before the answer"

        with qtbot.waitSignal(controller.bridge.runFinished, timeout=WAIT_MS):
            dialog.last_synced_button.click()
        qtbot.waitUntil(lambda: Link.select().where(Link.entity == "order", Link.bc_id == str(missed),
                                                    Link.status == "linked").exists(), timeout=WAIT_MS)
        hike_state = httpx.get(f"{sandbox.hike_server.base_url}/__emulator/state", timeout=30).json()
        hike_sales = [s for s in hike_state["sales"] if str(s.get("number")) == str(missed)]
        assert len(hike_sales) == 1, "the order placed while the app was down is in Hike, once"
        noted = Link.get(Link.entity == "order", Link.bc_id == str(seeded.id))
        assert noted.status == "linked" and "not sent again" in noted.last_message
        assert not window.orders_start_action.isVisible()
    finally:
        if window is not None:
            window.quit_app()
        if controller is not None:
            controller.shutdown()
        bc.close()
        sandbox.stop()
        close_db()
