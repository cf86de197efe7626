"""The monitor's world for the GUI tests (issue 8: M1–M6): one demo sandbox with a duplicate SKU seeded in Hike (two
Hike-only products share ``SKU-00003``), the real controller, service, engine and scheduler, and the real main
window; the start-up pass is the first sync."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject, Qt, QTimer, QUrl, Slot

from desktop.sandbox.stores import start_sandbox
from desktop.storage.credentials import Credentials
from desktop.storage.db import close_db, init_db
from desktop.sync.connections import open_clients
from desktop.sync.hike import hike_governor
from desktop.views.main_window import MainWindow, StoreSummary
from desktop.views.record_models import LinkTableModel
from desktop.views.sync_controller import SyncController
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


def monitor_world(tmp_path_factory):
    """One demo sandbox with the duplicate SKU, the real controller and main window, after the start-up pass
    (a generator for a module-scoped fixture: the database is the process's one, so one world at a time)."""
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
    # deleted now, not on some later test's event loop (another world's window would meet its tray's last signals)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    sandbox.stop()
    close_db()


def shown(window, view):
    """Bring a tab forward, as a person does (a list is read again when shown after a pass)."""
    window.tabs.setCurrentWidget(view)
    return view


def row_of(view, predicate) -> int:
    """The first loaded row of a records view matching ``predicate(LinkRow)``, fetching pages as needed; -1 if none."""
    while True:
        for i, row in enumerate(view.model.rows):
            if predicate(row):
                return i
        if not view.model.canFetchMore():
            return -1
        view.model.fetchMore()


def row_status(view, predicate) -> str:
    row = row_of(view, predicate)
    assert row >= 0, "record not listed"
    return view.model.index(row, LinkTableModel.STATUS).data(Qt.ItemDataRole.UserRole)


def click_status_icon(qtbot, view, row: int) -> None:
    index = view.model.index(row, LinkTableModel.STATUS)
    view.table.scrollTo(index)
    rect = view.table.visualRect(index)
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


