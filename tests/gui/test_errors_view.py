"""M4 under pytest-qt with the real Errors tab over a real database and fake retry callbacks (the end-to-end retry
over both sandbox stores is in test_monitor.py): "Retry this record" asks for that record only (N3: no full
read), "Retry this group" and "Retry all" ask for the records' groups."""
from __future__ import annotations

from desktop.storage.models import Link
from desktop.sync import deleted_links
from desktop.sync.vocabulary import LinkStatus
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
    items = record_items(view)
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


def deleted(hike_id: str, bc_id: str, status: str, message: str) -> Link:
    return Link.create(entity="product", hike_id=hike_id, bc_id=bc_id, status=status, name=f"product {hike_id}",
                       sku=f"SKU-{hike_id}", last_result="error", last_message=message)


def record_items(view) -> dict[int, object]:
    items = {}
    for i in range(view.tree.topLevelItemCount()):
        top = view.tree.topLevelItem(i)
        for j in range(top.childCount()):
            if top.child(j).data(0, LINK_ROLE) is not None:
                items[int(top.child(j).data(0, LINK_ROLE))] = top.child(j)
    return items


def test_d9_m4_a_product_deleted_in_one_store_offers_re_create_and_unlink_and_each_does_what_it_says(qtbot, db):
    gone_bc = deleted("11", "21", "unlinked_deleted_bc", deleted_links.gone_message(LinkStatus.UNLINKED_DELETED_BC,
                                                                                    None))
    gone_hike = deleted("12", "22", "unlinked_deleted_hike",
                        deleted_links.gone_message(LinkStatus.UNLINKED_DELETED_HIKE, None))
    gone_both = deleted("13", "23", "unlinked_deleted_bc", deleted_links.gone_message(None, None))
    other = failed("product", "14", "Duplicate SKU 'Y' in Hike (also on 15): give each product its own SKU.")
    records_asked: list[list[int]] = []
    view = ErrorsView(lambda groups: None, records_asked.append)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    titles = [view.tree.topLevelItem(i).text(0) for i in range(view.tree.topLevelItemCount())]
    assert "Deleted on one side on 3 products" in titles, titles
    items = record_items(view)
    view.tree.setCurrentItem(items[other.id])
    assert view.recreate_button.isHidden() and view.unlink_button.isHidden() and not view.retry_one.isHidden()
    view.tree.setCurrentItem(items[gone_both.id])
    assert view.recreate_button.isHidden() and not view.unlink_button.isHidden()
    view.tree.setCurrentItem(items[gone_hike.id])
    assert view.recreate_button.text() == "Re-create it in Hike" and view.retry_one.isHidden()
    view.tree.setCurrentItem(items[gone_bc.id])
    assert not view.recreate_button.isHidden() and view.recreate_button.text() == "Re-create it in BigCommerce"
    assert not view.unlink_button.isHidden() and view.unlink_button.text() == "Unlink"

    view.unlink_button.click()  # the survivor (in Hike) is not linked any more, and not created again
    qtbot.waitUntil(lambda: Link.get_by_id(gone_bc.id).status == "skipped")
    row = Link.get_by_id(gone_bc.id)
    assert row.last_message == "Unlinked by you" and row.bc_id is None and row.hike_id == "11"
    qtbot.waitUntil(lambda: gone_bc.id not in record_items(view))  # the list was read again
    assert records_asked == []

    view.tree.setCurrentItem(record_items(view)[gone_hike.id])
    view.recreate_button.click()  # the link forgets the Hike record; that record alone is retried
    qtbot.waitUntil(lambda: records_asked == [[gone_hike.id]])
    row = Link.get_by_id(gone_hike.id)
    assert row.hike_id is None and row.bc_id == "22" and row.status == "skipped"
    assert gone_hike.id not in record_items(view)

    view.tree.setCurrentItem(record_items(view)[gone_both.id])
    view.unlink_button.click()
    qtbot.waitUntil(lambda: Link.get_or_none(Link.id == gone_both.id) is None)
    assert records_asked == [[gone_hike.id]]
