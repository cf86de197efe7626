"""Issue 20, the Differences tab: the drift the last full pass found, one product per row with its fields (both
values and the rule); "Make BigCommerce match Hike" by keyboard on a field's row asks for the fix of that field in the
outbox and a records-only pass of that product (the pass itself is tests/integration/test_drift.py's)."""
from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.storage.models import DriftRow, PendingWork
from desktop.sync import drift
from desktop.views.drift_view import DriftView


def a_row(link_id: int, field: str, hike, bc, fixes, rule="newest", own=False, name="Lamp", sku="LAMP-1"):
    return DriftRow.create(entity="product", link_id=link_id, hike_id=str(link_id), bc_id=str(100 + link_id),
                           name=name, sku=sku, field=field, label=field.title(), hike_value=hike, bc_value=bc,
                           rule=rule, own_rule=own, fixes=fixes)


def test_issue20_differences_lists_each_product_with_its_fields_and_fixes_one_by_keyboard(qtbot, db):
    a_row(7, "price", "22.00", "72.60", ["bigcommerce"], rule="hike", own=True)
    a_row(7, "name", "Lamp", "Lamp (web)", ["bigcommerce", "hike"])
    a_row(9, "cost", "0.00", "27.66", ["bigcommerce"], name="Boot", sku="BOOT-1")
    asked: list[list[int]] = []
    checks: list[bool] = []
    view = DriftView(lambda: checks.append(True), lambda ids: asked.append(list(ids)))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.tree.topLevelItemCount() == 2)
    assert "2 linked products differ between the stores in 3 fields" in view.summary.text()
    boot, lamp = (view.tree.topLevelItem(i) for i in range(2))  # by name
    assert (boot.text(0), lamp.text(0), lamp.childCount()) == ("Boot (BOOT-1)", "Lamp (LAMP-1)", 2)
    price = next(lamp.child(i) for i in range(2) if lamp.child(i).text(0) == "Price")
    assert [price.text(c) for c in range(4)] == ["Price", "22.00", "72.60", "Hike owns it"]
    name = next(lamp.child(i) for i in range(2) if lamp.child(i).text(0) == "Name")
    assert name.text(3) == "The newest change wins (default)"

    view.tree.setCurrentItem(boot)
    assert view.to_bc.isEnabled() and not view.to_hike.isEnabled(), "the boot's cost: only BigCommerce can change"
    view.tree.setCurrentItem(lamp)
    assert view.to_bc.isEnabled() and view.to_hike.isEnabled(), "the product: its fields' fixes together"
    view.tree.setCurrentItem(price)
    assert view.to_bc.isEnabled() and not view.to_hike.isEnabled(), "a field's row: that field's (Hike owns it)"
    assert view.to_bc.toolTip() == "this field only (Price)"
    view.to_bc.setFocus()  # as Tab or its Alt+B would (the buttons' Alt letters are unique: below)
    qtbot.waitUntil(view.to_bc.hasFocus)
    qtbot.keyClick(view.to_bc, Qt.Key.Key_Space)  # Make BigCommerce match Hike
    qtbot.waitUntil(lambda: asked == [[7]])
    (fix,) = PendingWork.select().where(PendingWork.action == drift.FIX)
    assert fix.status == "in_progress" and fix.payload == {"link": 7, "to": "bigcommerce", "field": "price"}
    assert "BigCommerce gets the other store's values for 1 product" in view.note.text()

    view.check.setFocus()
    qtbot.waitUntil(view.check.hasFocus)
    qtbot.keyClick(view.check, Qt.Key.Key_Space)
    assert checks == [True], "Check now asks for the full pass"
    letters = [b.text()[b.text().index("&") + 1].lower() for b in (view.to_bc, view.to_hike, view.all_to_bc,
                                                                    view.check)]
    assert len(set(letters)) == 4, letters


def test_issue20_differences_says_so_when_nothing_differs(qtbot, db):
    view = DriftView(lambda: None, lambda ids: None)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: "No linked product or customer differs" in view.summary.text())
    assert not view.to_bc.isEnabled() and not view.all_to_bc.isEnabled()


def test_issue20_fixing_every_product_asks_first_and_cancel_writes_nothing(qtbot, db):
    a_row(7, "price", "22.00", "72.60", ["bigcommerce"])
    a_row(9, "cost", "0.00", "27.66", ["bigcommerce"], name="Boot", sku="BOOT-1")
    asked: list[list[int]] = []
    view = DriftView(lambda: None, lambda ids: asked.append(sorted(ids)))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.tree.topLevelItemCount() == 2)
    view.all_to_bc.click()
    box = view.fix_all_box
    qtbot.waitUntil(box.isVisible)
    assert "Hike's values for 2 products" in box.text()
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not box.isVisible())
    assert asked == [] and PendingWork.select().count() == 0, "Escape: nothing asked for"
    view.all_to_bc.click()
    box = view.fix_all_box
    qtbot.waitUntil(box.isVisible)
    write = next(b for b in box.buttons() if b.text() == "&Write them")
    write.click()
    qtbot.waitUntil(lambda: asked == [[7, 9]])
    assert PendingWork.select().where(PendingWork.action == drift.FIX).count() == 2


def test_issue20_differences_lists_customers_by_email_and_fixes_a_customer_field(qtbot, db):
    """A linked customer's drift shows beside the products' (its email where a product shows its SKU); a fix of
    its phone's row asks for that field's fix in the customers' outbox."""
    from desktop.storage.models import Link

    customer = Link.create(entity="customer", hike_id="11", bc_id="111", status="linked", sku="ann@x.test",
                           name="Ann Lee")
    a_row(7, "price", "22.00", "72.60", ["bigcommerce"], rule="hike", own=True)
    DriftRow.create(entity="customer", link_id=customer.id, hike_id="11", bc_id="111", name="Ann Lee",
                    sku="ann@x.test", field="phone", label="Phone", hike_value="0400", bc_value="0299",
                    rule="hike", own_rule=True, fixes=["bigcommerce"])
    asked: list[list[int]] = []
    view = DriftView(lambda: None, lambda ids: asked.append(list(ids)))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.tree.topLevelItemCount() == 2)
    assert "1 linked product and 1 linked customer differ between the stores in 2 fields" in view.summary.text()
    ann = next(view.tree.topLevelItem(i) for i in range(2) if view.tree.topLevelItem(i).text(0) == "Ann Lee "
               "(ann@x.test)")
    phone = ann.child(0)
    assert [phone.text(c) for c in range(4)] == ["Phone", "0400", "0299", "Hike owns it"]
    view.tree.setCurrentItem(phone)
    assert view.to_bc.isEnabled() and not view.to_hike.isEnabled()
    view.to_bc.setFocus()
    qtbot.waitUntil(view.to_bc.hasFocus)
    qtbot.keyClick(view.to_bc, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: asked == [[customer.id]])
    (fix,) = PendingWork.select().where(PendingWork.action == drift.FIX)
    assert (fix.entity, fix.payload["to"], fix.payload["field"]) == ("customer", "bigcommerce", "customer.phone")
    assert "values for 1 customer" in view.note.text()
