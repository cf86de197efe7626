"""M4 under pytest-qt with the real Errors tab over a real database and fake retry callbacks (the end-to-end retry
over both sandbox stores is in test_monitor.py): "Retry this record" asks for that record only (N3: no full
read), "Retry this group" and "Retry all" ask for the records' groups."""
from __future__ import annotations

from desktop.storage.models import Link
from desktop.views.errors_view import LINK_ROLE, ErrorsView


def failed(entity: str, hike_id: str, message: str) -> Link:
    return Link.create(entity=entity, hike_id=hike_id, status="failed", name=f"{entity} {hike_id}",
                       last_result="error", last_message=message)


def test_m4_d4_retry_this_record_asks_for_that_record_only(qtbot, db):
    dup = "Duplicate SKU 'X' in Hike (also on 2): give each product its own SKU, then sync again."
    first, second = failed("product", "1", dup), failed("product", "2", dup)
    customer = failed("customer", "3", "BigCommerce refused the customer: email is invalid")
    groups_asked: list[list[str]] = []
    records_asked: list[list[int]] = []
    view = ErrorsView(groups_asked.append, records_asked.append)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    items = {}
    for i in range(view.tree.topLevelItemCount()):
        top = view.tree.topLevelItem(i)
        for j in range(top.childCount()):
            if top.child(j).data(0, LINK_ROLE) is not None:
                items[int(top.child(j).data(0, LINK_ROLE))] = top.child(j)
    assert set(items) == {first.id, second.id, customer.id}
    view.tree.setCurrentItem(items[second.id])
    assert view.retry_one.isEnabled()
    view.retry_one.click()
    assert records_asked == [[second.id]] and groups_asked == []
    view.tree.setCurrentItem(items[customer.id])
    view.retry_one.click()
    assert records_asked == [[second.id], [customer.id]]
    view.retry_group.click()
    assert groups_asked == [["customers"]]
    view.retry_all.click()
    assert groups_asked == [["customers"], ["customers", "products"]]
    assert len(records_asked) == 2
