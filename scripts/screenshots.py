"""Take the README's screenshots of the real app on the sandbox stores.

Run on a (virtual) screen:  xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshots.py
Writes docs/screenshots/*.png. Each screen is grabbed from a real window after it has been shown. With
``--only record-log-variants`` it takes those two only (after the first sync; no other screen, no second pass):

- main-window.png: the first start before anything is set up (the "Set up…" screen);
- dashboard-idle.png, products.png, record-log.png, errors.png, differences(-dark).png, customers.png, sales.png,
  run-log.png: after the
  first sync of the demo sandbox, with a duplicate SKU seeded in Hike so the error screens have something to show,
  and three shoppers' orders synced by a second pass;
- record-log-variants(-dark).png: the sync log of a product with variants, with each variant's safety stock (one
  given its own buffer first), light and dark;
- dashboard-syncing.png: during a live pass (a slow store answer keeps it running long enough to look at);
- dashboard-first-sync.png, products-first-sync.png: during the first pass (the start-up pass after the wizard's
  Save), its phase on the dashboard and the Products list filling;
- sandbox-product-page.png: the page the record log's "Open in BigCommerce" opens on the sandbox (the BigCommerce
  emulator's stand-in for the control panel), fetched over HTTP and drawn by a ``QTextBrowser`` (no web engine
  here: the picture is handed to it as a document resource).

The sandbox secrets stay in an in-memory keyring here (the app itself uses the OS keyring).
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"
DUPLICATE_A, DUPLICATE_B = 1008, 1009  # Hike-only demo products; B gets A's SKU


def save(widget, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    widget.grab().save(str(OUT / name))
    print(f"wrote {OUT / name}")


def save_light_and_dark(widget, name: str) -> None:
    """``name``.png in the app's palette, then ``name``-dark.png in the dark one the wizard's screenshots use."""
    from scripts.screenshots_wizard import dark_palette

    save(widget, f"{name}.png")
    app = QApplication.instance()
    light = app.palette()
    app.setPalette(dark_palette())
    save(widget, f"{name}-dark.png")
    app.setPalette(light)


def when(condition: Callable[[], bool], then: Callable[[], None], every_ms: int = 100, settle_ms: int = 300) -> None:
    """Call ``then`` once ``condition`` holds, checking on a timer (the event loop keeps running)."""
    if condition():
        QTimer.singleShot(settle_ms, then)  # let the last redraw land
    else:
        QTimer.singleShot(every_ms, lambda: when(condition, then, every_ms, settle_ms))


def setup_screen() -> None:
    from desktop.views.main_window import MainWindow, StoreSummary

    window = MainWindow(StoreSummary(), None, setup_reason="Hike and BigCommerce are not connected yet.")
    window.resize(1100, 720)
    window.show()
    QApplication.processEvents()
    save(window, "main-window.png")
    window.close()
    # after the wizard's Cancel with both stores connected (issue 17, finding 4)
    window = MainWindow(StoreSummary("Acme Store", "Acme Online"), None,
                        setup_reason="The sync settings are not saved yet.", setup_started=True)
    window.resize(1100, 720)
    window.show()
    QApplication.processEvents()
    save(window, "main-window-setup-not-finished.png")
    window.close()


def product_page(url: str) -> None:
    """The sandbox's control panel page for a product, as a person's browser would show it (roughly)."""
    import re

    import httpx
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QImage, QTextDocument
    from PySide6.QtWidgets import QTextBrowser

    html = httpx.get(url, timeout=30).text
    view = QTextBrowser()
    view.setWindowTitle(url)
    for src in re.findall(r'src="([^"]+)"', html):
        image = QImage.fromData(httpx.get(src, timeout=30).content)
        view.document().addResource(QTextDocument.ResourceType.ImageResource, QUrl(src), image)
    view.setHtml(html)
    view.resize(760, 640)
    view.show()
    save(view, "sandbox-product-page.png")
    view.close()


def close_without_tray(window) -> None:
    """Issue 17 finding 1: what closing the window asks on a desktop without a tray (grabbed, then cancelled)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    from desktop.views.main_window import ask_how_to_close

    def grab_then_cancel() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            save(box, "close-without-tray.png")
            box.reject()
        else:
            QTimer.singleShot(100, grab_then_cancel)

    QTimer.singleShot(300, grab_then_cancel)
    ask_how_to_close(window)


def differences(window, engine) -> None:
    """Issue 20: the Differences tab, light and dark: after the first sync, two descriptions edited in Hike (which
    BigCommerce owns by default, S16, so no pass sends them), then the on-demand check (one full read, no write).
    Called while no pass runs, so the check may run on this thread."""
    from desktop.storage.models import Link
    from desktop.sync import drift

    linked = Link.select().where(Link.entity == "product", Link.status == "linked", Link.last_result == "ok",
                                 Link.bc_id.is_null(False)).order_by(Link.id).limit(2)
    for link, text in zip(linked, ("Hand-thrown stoneware, typed at the till.", "Now with a longer strap.")):
        engine.hike.save_product({"id": int(link.hike_id), "description": text})
    engine.check_drift()
    window.tabs.setCurrentWidget(window.drift_view)
    window.drift_view.show_rows(drift.rows())
    save_light_and_dark(window, "differences")


def variant_record_log(window) -> None:
    """Issue 20: the sync log of a linked product with variants lists each variant's safety stock; its first variant
    is given a buffer of 2 first (through the window's save path), so the list shows one of its own."""
    from desktop.storage.models import Link
    from desktop.views.record_log import variants_of

    products = Link.select().where(Link.entity == "product", Link.status == "linked", Link.last_result == "ok",
                                   Link.bc_id.is_null(False)).order_by(Link.id)
    product, variants = next((p, v) for p in products if len(v := variants_of(p)) >= 3)
    window.save_safety_stock({variants[0].sku: 2})
    window.open_record_log(product.id)
    dialog = window.log_dialog
    dialog.resize(1000, 560)
    save_light_and_dark(dialog, "record-log-variants")
    dialog.close()


def monitor_screens(app: QApplication, only: str | None = None) -> None:
    from desktop.sandbox.stores import start_sandbox
    from desktop.storage.credentials import Credentials
    from desktop.storage.models import Link
    from desktop.views.main_window import MainWindow, StoreSummary
    from desktop.views.sync_controller import SyncController
    from tests.keyrings import MemoryKeyring

    sandbox = start_sandbox("demo", bc_quota="100000/30", hike_rate_limit=False)
    with sandbox.hike.lock:
        sandbox.hike.products[DUPLICATE_B]["sku"] = sandbox.hike.products[DUPLICATE_A]["sku"]
    controller = SyncController(Credentials("screenshots", backend=MemoryKeyring()), sandbox=sandbox)
    window = MainWindow(StoreSummary("Hike sandbox store", "BigCommerce sandbox store", True), controller)
    window.resize(1180, 760)
    window.show()
    summary = controller.summary
    first_done: list[bool] = []
    controller.bridge.runFinished.connect(lambda *_: first_done.append(True))

    def idle_screens() -> None:
        tabs = window.tabs
        tabs.setCurrentWidget(window.dashboard)
        save(window, "dashboard-idle.png")
        tabs.setCurrentWidget(window.products_view)
        save(window, "products.png")
        link = Link.select().where(Link.entity == "product", Link.status == "linked", Link.last_result == "ok",
                                   Link.bc_id.is_null(False)).order_by(Link.id).first()
        window.open_record_log(link.id)
        window.log_dialog.resize(1000, 460)
        save(window.log_dialog, "record-log.png")
        product_page(window.log_dialog.control_panel_url())
        window.log_dialog.close()
        variant_record_log(window)
        tabs.setCurrentWidget(window.errors_view)
        save(window, "errors.png")
        differences(window, controller.service.engine)
        tabs.setCurrentWidget(window.customers_view)
        save(window, "customers.png")
        tabs.setCurrentWidget(window.sales_view)
        save(window, "sales.png")
        tabs.setCurrentWidget(window.runs_view)
        save(window, "run-log.png")
        tabs.setCurrentWidget(window.dashboard)
        close_without_tray(window)
        # a live pass: slow store answers keep it running while the dashboard is grabbed
        with sandbox.bigcommerce.lock:
            sandbox.bigcommerce.add_faults(r"/v3/customers$", ["timeout", "timeout"], method="GET", delay_s=2.0)
        controller.retry(["products", "customers"])
        when(lambda: summary.state == "syncing" and "product" in summary.progress
             and window.dashboard.bars.get("product") is not None and window.dashboard.bars["product"][1].isVisible(),
             live_screen, 20)

    def live_screen() -> None:
        save(window, "dashboard-syncing.png")
        when(lambda: summary.state != "syncing", finish)

    def finish() -> None:
        check_my_stores()

    def check_my_stores() -> None:
        """Issue 18: Help → Check my stores, as the sandbox answers, then with Hike customers' ids renamed."""
        import httpx

        window.help_menu.check()
        dialog = window.help_menu.check_dialog
        dialog.resize(900, 560)

        def all_ok() -> None:
            save(dialog, "check-my-stores.png")
            first = dialog.report
            httpx.post(f"{sandbox.hike_server.base_url}/__emulator/reshape", timeout=10, json={"rules": [
                {"path": "customers/get_all", "field": "id", "rename": "customer_id"},
                {"path": "products/get_all", "field": "sales_channels", "drop": True}]}).raise_for_status()
            dialog.start()
            when(lambda: dialog.report is not first and dialog.report is not None, differences)

        def differences() -> None:
            save(dialog, "check-my-stores-differences.png")
            httpx.delete(f"{sandbox.hike_server.base_url}/__emulator/reshape", timeout=10)
            dialog.close()
            window.quit_app()

        when(lambda: dialog.report is not None, all_ok)

    def place_orders() -> None:
        """Shoppers' orders after the first sync (which activated orders), so the Sales tab has rows."""
        import httpx

        store = sandbox.bigcommerce.store.products
        ids = [int(link.bc_id) for link in Link.select().where(
            Link.entity == "product", Link.status == "linked", Link.bc_id.is_null(False)).order_by(Link.id).limit(40)
            if len(store.get(int(link.bc_id), {}).get("variants", [])) == 1]
        for n, product_id in enumerate(ids[:3]):
            httpx.post(f"{sandbox.bc_server.base_url}/__emulator/orders", timeout=30, json={
                "lines": [{"product_id": product_id, "quantity": n + 1}], "shipping": "9.95",
                "payment_method": "Credit Card", "email": f"shopper{n}@example.com",
                "first_name": "Web", "last_name": f"Shopper {n + 1}"}).raise_for_status()
        first_done.clear()
        controller.sync_now(["sales"])
        when(lambda: bool(first_done) and summary.state != "syncing", idle_screens)

    def first_sync_screens() -> None:
        """The first pass from the wizard's Save: its phase on the dashboard, the Products list filling."""
        save(window, "dashboard-first-sync.png")
        window.tabs.setCurrentWidget(window.products_view)  # shown: the list reads what the pass linked so far

        def products_filling() -> None:
            save(window, "products-first-sync.png")
            window.tabs.setCurrentWidget(window.dashboard)

        when(lambda: window.products_view.model.rowCount() > 0, products_filling, 20, settle_ms=50)

    if only is None:  # grabbed while the first pass writes its products (some hundred writes: seconds)
        when(lambda: summary.first_sync and summary.progress.get("product", (0, 0))[0] >= 120,
             first_sync_screens, 20, settle_ms=50)
    def only_variant_record_log() -> None:
        variant_record_log(window)
        window.quit_app()

    then = only_variant_record_log if only == "record-log-variants" else place_orders
    when(lambda: bool(first_done) and summary.state != "syncing", then)
    controller.start()
    app.exec()
    controller.shutdown()
    sandbox.stop()


def main(argv: list[str] | None = None) -> int:
    import argparse

    from desktop.storage.db import close_db, init_db

    parser = argparse.ArgumentParser(description="Take the README's screenshots of the window on the sandbox.")
    parser.add_argument("--only", choices=["record-log-variants"],
                        help="take these screens only (after the first sync of the sandbox)")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    with tempfile.TemporaryDirectory() as data:
        init_db(Path(data) / "screenshots.sqlite3")
        if args.only is None:
            setup_screen()
        monitor_screens(app, args.only)
        close_db()
    return 0


if __name__ == "__main__":
    sys.exit(main())
