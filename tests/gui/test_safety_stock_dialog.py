"""Issue 20: a product's own safety stock from its sync log (the Products list opens it), by keyboard: saved as a new
settings version through the window's callback, shown again when the log is opened next; -1 is "the default"."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QGroupBox, QLabel

from desktop.storage.models import Link, SettingsVersion
from desktop.sync.mapping import hike_stock_level
from desktop.sync.service import save_safety_stock
from desktop.sync.settings import Settings
from desktop.sync.vocabulary import ReadScope
from desktop.views.record_log import RecordLogDialog
from tests.integration.test_safety_stock import stock_messages


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


# -- a product with variants (issue 20, part 4) ----------------------------------------------------------------------


def variant_product(connected) -> tuple[Link, list[Link]]:
    """A linked demo product with at least two linked variants whose first has 3 or more in Hike's stock outlet."""
    from tests.integration.test_engine_settings import main_outlet
    from tests.integration.test_safety_stock import hike_level

    parents: dict[str, list[Link]] = {}
    for vlink in Link.select().where(Link.entity == "variant", Link.status == "linked", Link.bc_id.is_null(False),
                                     Link.sku.is_null(False)).order_by(Link.id):
        parents.setdefault(vlink.parent_hike_id, []).append(vlink)
    outlet = main_outlet(connected)
    for hike_id, variants in parents.items():
        product = Link.get_or_none(Link.entity == "product", Link.hike_id == hike_id, Link.status == "linked")
        if product is None or len(variants) < 2:
            continue
        hike = connected.hike.product(int(hike_id))
        first = next(v for v in hike.variants if str(v.id) == variants[0].hike_id)
        if hike.track_inventory and hike_level(connected, int(hike_id), outlet) and \
                hike_stock_level(first.outlets, [outlet]) >= 3:
            return product, variants
    raise AssertionError("the demo stores have no linked product with variants in stock")


def bc_variant_levels(connected, product: Link) -> dict[str, int]:
    return {v.sku: v.inventory_level for v in connected.bc.product(int(product.bc_id)).variants}


def test_issue20_a_variants_safety_stock_from_the_record_log_holds_back_only_that_variant(qtbot, db):
    """Set by keyboard in the record log of a product with variants, saved as one settings version through the
    window's save path; the next pass sends Hike's stock less the buffer to that BigCommerce variant only. Variant
    links made before schema v9 (no product of their own yet) are listed once a stock pass has read their product;
    until then the product's own row says it does not apply to a product with variants."""
    from desktop.sync.engine import SyncEngine
    from desktop.sync.service import newest_settings
    from tests.integration.stores import connect
    from tests.integration.test_engine_settings import main_outlet, open_up, settings

    connected = open_up(connect("demo"))
    try:
        engine = SyncEngine(connected.bc, connected.hike, settings())
        assert engine.run_pass("first_sync", ("products", "inventory")).status in ("ok", "partial")
        SettingsVersion.create(data=settings().to_json(), note="saved")
        product, variants = variant_product(connected)
        outlet = main_outlet(connected)
        hike = connected.hike.product(int(product.hike_id))
        hike_levels = {v.sku: int(hike_stock_level(v.outlets, [outlet])) for v in hike.variants}
        assert bc_variant_levels(connected, product) == {s: max(0, n) for s, n in hike_levels.items()}

        # as a database from before v9 holds them: the record log cannot list the variants yet, and says so
        Link.update(parent_hike_id=None).where(Link.entity == "variant").execute()
        before = RecordLogDialog(product.id, save_safety_stock=save_safety_stock)
        qtbot.addWidget(before)
        assert before.variant_safety == {}
        if before.safety_stock is not None:
            assert "does not apply" in before.safety_stock.toolTip()
        before.close()
        assert engine.run_pass("schedule", ("products", "inventory"), scope=ReadScope.FULL).status in ("ok", "partial")
        assert [v.id for v in Link.select().where(Link.entity == "variant", Link.parent_hike_id == product.hike_id)
                .order_by(Link.id)] == [v.id for v in variants], "the stock pass gave them their product again"

        versions = SettingsVersion.select().count()
        dialog = RecordLogDialog(product.id, save_safety_stock=save_safety_stock)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        assert dialog.safety_stock is None, "no product row: a product with variants has its stock per variant"
        assert list(dialog.variant_safety) == [v.sku for v in variants]
        target = variants[0].sku
        spin = dialog.variant_safety[target]
        assert spin.text() == "the default (0)" and target in spin.accessibleName()
        group = dialog.findChild(QGroupBox, "variantSafetyStock")
        qtbot.keyClick(dialog, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)  # the group's mnemonic
        qtbot.waitUntil(lambda: spin.hasFocus())
        assert group.isAncestorOf(spin)
        qtbot.keyClick(spin, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(spin, "2")
        for _ in variants[1:]:  # Tab walks the other variants' boxes, then Save
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is dialog.save_safety
        qtbot.keyClick(dialog.save_safety, Qt.Key.Key_Space)
        assert SettingsVersion.select().count() == versions + 1, "one settings version for the save"
        assert newest_settings().safety_stock.skus == {target: 2}
        assert "next sync" in dialog.note.text()
        qtbot.keyClick(dialog.save_safety, Qt.Key.Key_Space)  # nothing changed since: nothing saved
        assert SettingsVersion.select().count() == versions + 1 and "Nothing to save" in dialog.note.text()

        engine = SyncEngine(connected.bc, connected.hike, newest_settings())
        assert engine.read_scope() == ReadScope.FULL, "a changed buffer sends every level again"
        assert engine.run_pass("schedule", ("products", "inventory")).status in ("ok", "partial")
        expected = {s: max(0, n) for s, n in hike_levels.items()}
        expected[target] = max(0, hike_levels[target] - 2)
        assert bc_variant_levels(connected, product) == expected
        assert any(f"buffer 2 → BigCommerce {expected[target]})" in m for m in stock_messages(target))
        for other in variants[1:]:
            assert not any("buffer" in m for m in stock_messages(other.sku)), other.sku
        dialog.close()
    finally:
        connected.close()


def test_issue20_fifty_variants_scroll_in_a_compact_list_walked_by_tab(qtbot, db):
    SettingsVersion.create(data={**Settings.template().to_json(),
                                 "safety_stock": {"buffer": 1, "skus": {"TEE": 4, "tee-07": 3}}}, note="saved")
    product = Link.create(entity="product", hike_id="500", bc_id="50", status="linked", name="Tee", sku="TEE",
                          last_result="ok")
    for n in range(50):
        Link.create(entity="variant", hike_id=str(501 + n), bc_id=str(5001 + n), status="linked",
                    name=f"Tee / Colour {n} / M", sku=f"TEE-{n:02d}", parent_hike_id="500")
    Link.create(entity="variant", hike_id="600", bc_id="6000", status="linked", name="Other / S", sku="OTHER-S",
                parent_hike_id="599")
    saved: list[dict[str, int | None]] = []
    dialog = RecordLogDialog(product.id, save_safety_stock=saved.append)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    assert list(dialog.variant_safety) == [f"TEE-{n:02d}" for n in range(50)], "its own variants, none other"
    assert dialog.variant_safety["TEE-07"].value() == 3 and dialog.variant_safety["TEE-08"].text() == "the default (1)"
    note = dialog.findChild(QLabel, "variantSafetyNote").text()
    assert "default (1)" in note and "The 4 units saved for TEE itself are not used." in note
    labels = {label.buddy(): label.text() for label in dialog.findChildren(QLabel) if label.buddy() is not None}
    assert labels[dialog.variant_safety["TEE-03"]] == "TEE-03 — Colour 3 / M:"
    assert dialog.height() <= 560, "the list scrolls; the dialog keeps its size"
    scroll = dialog.variant_scroll
    assert scroll.height() <= 130 and scroll.verticalScrollBar().maximum() > 0
    assert dialog.table.height() >= 150, "the log itself keeps room"

    last = dialog.variant_safety["TEE-49"]
    first = dialog.variant_safety["TEE-00"]
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    for _ in range(49):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: last.hasFocus())
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().value() == scroll.verticalScrollBar().maximum())
    assert last.visibleRegion().boundingRect().height() == last.height(), "scrolled into view"
    qtbot.keyClick(last, Qt.Key.Key_Up)  # the default (-1) → 0: its own buffer of none
    dialog.variant_safety["TEE-07"].setValue(-1)
    dialog.save_safety.click()
    assert saved == [{"TEE-49": 0, "TEE-07": None}], "only what changed, in one save"
