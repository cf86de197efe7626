"""Issue 20: a product's own safety stock from its sync log (the Products list opens it), by keyboard: saved as a new
settings version through the window's callback, shown again when the log is opened next; -1 is "the default"."""
from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.storage.models import Link, SettingsVersion
from desktop.sync.service import save_safety_stock
from desktop.sync.settings import Settings
from desktop.views.record_log import RecordLogDialog


def test_issue20_a_products_own_safety_stock_is_set_from_its_sync_log(qtbot, db):
    SettingsVersion.create(data={**Settings.template().to_json(), "safety_stock": {"buffer": 2, "skus": {}}},
                           note="saved")
    link = Link.create(entity="product", hike_id="7", bc_id="70", status="linked", name="Lantern", sku="LAMP-1",
                       last_result="ok")
    saved: list[dict[str, int | None]] = []

    def save(units: dict[str, int | None]) -> None:
        saved.append(units)
        save_safety_stock(units)

    dialog = RecordLogDialog(link.id, save_safety_stock=save)
    qtbot.addWidget(dialog)
    dialog.show()
    spin = dialog.safety_stock
    assert spin is not None and spin.value() == -1 and spin.text() == "the default (2)"
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(spin, "5")
    qtbot.keyClick(dialog.save_safety, Qt.Key.Key_Space)
    assert saved == [{"LAMP-1": 5}]
    assert SettingsVersion.select().order_by(SettingsVersion.id.desc()).first().data["safety_stock"] == \
        {"buffer": 2, "skus": {"LAMP-1": 5}}
    assert "next sync" in dialog.note.text()
    dialog.close()

    again = RecordLogDialog(link.id, save_safety_stock=save)
    qtbot.addWidget(again)
    assert again.safety_stock.value() == 5
    again.safety_stock.setValue(-1)  # back to the default
    again.save_safety.click()
    assert SettingsVersion.select().order_by(SettingsVersion.id.desc()).first().data["safety_stock"]["skus"] == {}


def test_issue20_no_safety_stock_row_for_a_customer_or_without_saved_settings(qtbot, db):
    product = Link.create(entity="product", hike_id="8", status="linked", name="Mug", sku="MUG-1")
    dialog = RecordLogDialog(product.id, save_safety_stock=lambda *_: None)
    qtbot.addWidget(dialog)
    assert dialog.safety_stock is None, "no settings saved yet: nothing to hold back from"
    SettingsVersion.create(data=Settings.template().to_json(), note="saved")
    customer = Link.create(entity="customer", hike_id="9", status="linked", name="Ann", sku="ann@example.com")
    other = RecordLogDialog(customer.id, save_safety_stock=lambda *_: None)
    qtbot.addWidget(other)
    assert other.safety_stock is None
