"""Retrying from the Errors view (M4) clears a fixed error: its own world, since the fix changes what the other
monitor tests (tests/gui/test_monitor.py, any order) expect to see."""
from __future__ import annotations

import pytest

from desktop.storage.models import Link, Run
from desktop.views.errors_view import LINK_ROLE
from desktop.views.record_models import SYNCED
from tests.gui.monitor_world import DUPLICATE_A, DUPLICATE_B, monitor_world, row_status, shown, wait_idle_after_run


@pytest.fixture(scope="module")
def monitor(qapp, tmp_path_factory):
    yield from monitor_world(tmp_path_factory)


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
