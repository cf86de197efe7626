"""Issue 20, field ownership: a field's rule decides which store's changes to it count (``desktop.sync.ownership``).
On the demo stores, over real HTTP: a field set to "don't sync" is written on neither side while the others are;
with Hike owning the price and BigCommerce the name, a change of each made in the same interval reaches the other
store, and a change the other store makes to a field it does not own stays there."""
from __future__ import annotations

from decimal import Decimal

from desktop.storage import models
from desktop.sync.engine import SyncEngine
from tests.integration.stores import connect
from tests.integration.test_engine_settings import (bc_by_sku, db, gst, main_outlet, new_hike_product,  # noqa: F401
                                                    open_up, settings)

ENTITIES = ("products", "inventory")


def hike_price(connected, hike_id: int) -> Decimal:
    return connected.hike.product(hike_id).outlet(main_outlet(connected)).price_ex_tax


def set_hike(connected, hike_id: int, *, price: str | None = None, name: str | None = None) -> None:
    body: dict = {"id": hike_id}
    if name is not None:
        body["name"] = name
    if price is not None:
        body["product_outlets"] = [{"outlet_id": main_outlet(connected), "price_ex_tax": Decimal(price),
                                    "tax_id": gst(connected)}]
    connected.hike.save_product(body)


def first_synced(connected, sku: str, rules: dict[str, str]):
    """A new Hike product, created in BigCommerce by a first sync under ``rules``: (engine, Hike id, BigCommerce id)."""
    lamp = new_hike_product(connected, "Owned Lamp", sku)
    engine = SyncEngine(connected.bc, connected.hike, settings(field_ownership=rules))
    assert engine.run_pass("first_sync", ENTITIES).status in ("ok", "partial")
    return engine, lamp.id, bc_by_sku(connected, sku).id


def update_messages(hike_id: int) -> list[str]:
    return [e.message for e in models.LogEntry.select().where(
        models.LogEntry.entity == "product", models.LogEntry.hike_id == str(hike_id),
        models.LogEntry.action == "update").order_by(models.LogEntry.id)]


def test_issue20_a_field_set_to_dont_sync_is_written_on_neither_side_while_the_others_are(db):
    connected = open_up(connect("demo"))
    try:
        engine, hike_id, bc_id = first_synced(connected, "OWN-1", {"price": "none"})
        bc_price = connected.bc.product(bc_id).price
        set_hike(connected, hike_id, price="31.00", name="Owned Lamp II")
        assert engine.run_pass("schedule", ENTITIES).status in ("ok", "partial")
        assert connected.bc.product(bc_id).name == "Owned Lamp II", "the name still syncs"
        assert connected.bc.product(bc_id).price == bc_price, "Hike's price change is not written to BigCommerce"

        connected.bc.update_product(bc_id, {"price": Decimal("77.00")})
        assert engine.run_pass("schedule", ENTITIES).status in ("ok", "partial")
        assert hike_price(connected, hike_id) == Decimal("31.00"), "nor BigCommerce's to Hike"
        assert connected.bc.product(bc_id).price == Decimal("77.00"), "each store keeps its own"
    finally:
        connected.close()


def test_issue20_hike_owns_the_price_bigcommerce_the_name_both_changed_in_one_interval(db):
    connected = open_up(connect("demo"))
    try:
        engine, hike_id, bc_id = first_synced(connected, "OWN-2", {"price": "hike", "name": "bigcommerce"})
        bc_price = connected.bc.product(bc_id).price
        # both stores change the product before the next pass: each its own field
        set_hike(connected, hike_id, price="35.00")
        connected.bc.update_product(bc_id, {"name": "Owned Lamp (web)"})
        for _ in range(2):  # the newer change goes first; the other store's own field on the pass after it
            assert engine.run_pass("schedule", ENTITIES).status in ("ok", "partial")
        assert connected.bc.product(bc_id).price != bc_price, "Hike's price reached BigCommerce"
        assert connected.hike.product(hike_id).name == "Owned Lamp (web)", "BigCommerce's name reached Hike"
        assert any("Price: Hike owns it" in m for m in update_messages(hike_id)), update_messages(hike_id)

        # a store's change to a field the other owns stays where it was made
        sent_price = connected.bc.product(bc_id).price
        connected.bc.update_product(bc_id, {"price": Decimal("99.00")})
        set_hike(connected, hike_id, name="Owned Lamp (till)")
        assert engine.run_pass("schedule", ENTITIES).status in ("ok", "partial")
        assert hike_price(connected, hike_id) == Decimal("35.00")
        assert connected.bc.product(bc_id).name == "Owned Lamp (web)"
        assert sent_price != Decimal("99.00") and connected.bc.product(bc_id).price == Decimal("99.00")
    finally:
        connected.close()
