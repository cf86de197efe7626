"""D9 in the monitor, end to end over both sandbox stores: a linked product deleted in BigCommerce is found by
"Check everything now" (a full pass through the real controller, service and scheduler), shown in words in the
Products view, and re-created from the Errors tab. Its own world: it changes what the other monitor tests expect."""
from __future__ import annotations

import httpx
import pytest
from PySide6.QtCore import Qt

from desktop.storage.models import Link, LogEntry
from desktop.views.errors_view import LINK_ROLE
from desktop.views.record_models import LinkTableModel
from tests.gui.monitor_world import monitor_world, row_of, shown, wait_idle_after_run


@pytest.fixture(scope="module")
def monitor(qapp, tmp_path_factory):
    yield from monitor_world(tmp_path_factory)


def test_d9_m2_m4_check_everything_now_finds_a_product_deleted_in_bigcommerce_and_re_create_makes_it_again(
        monitor, qtbot):
    controller, window, sandbox = monitor
    link = (Link.select().where(Link.entity == "product", Link.status == "linked", Link.last_result == "ok")
            .order_by(Link.id).first())
    bc = sandbox.info["bigcommerce"]
    httpx.delete(f"{bc['api_path']}catalog/products/{link.bc_id}", headers={"X-Auth-Token": bc["access_token"]},
                 timeout=30).raise_for_status()
    wait_idle_after_run(qtbot, controller, window.dashboard.check_button.click)
    assert Link.get_by_id(link.id).status == "unlinked_deleted_bc"

    products = shown(window, window.products_view)
    row = row_of(products, lambda r: r.id == link.id)
    tip = products.model.index(row, LinkTableModel.STATUS).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Deleted in BigCommerce: Deleted in BigCommerce on or before "), tip

    errors = shown(window, window.errors_view)
    item = next(errors.tree.topLevelItem(i).child(j) for i in range(errors.tree.topLevelItemCount())
                for j in range(errors.tree.topLevelItem(i).childCount())
                if errors.tree.topLevelItem(i).child(j).data(0, LINK_ROLE) == link.id)
    errors.tree.setCurrentItem(item)
    assert errors.recreate_button.text() == "Re-create it in BigCommerce" and errors.unlink_button.isVisible()
    wait_idle_after_run(qtbot, controller, errors.recreate_button.click)
    again = Link.get_by_id(link.id)
    assert again.status == "linked" and again.bc_id and again.bc_id != link.bc_id
    created = LogEntry.select().where(LogEntry.action == "create", LogEntry.result == "ok",
                                      LogEntry.bc_id == again.bc_id)
    assert created.count() == 1
