"""Bad input, the records themselves (issue 9 item 5), end to end over both sandbox stores: emoji and
right-to-left names, 10 000-character HTML descriptions, zero / negative / fractional stock, prices with more
than two decimals and a BigCommerce product at its 600-variant limit. Each either syncs intact or fails that one
record with a clear message; nothing else is lost.
"""
from __future__ import annotations

from decimal import Decimal

from desktop.storage import models
from desktop.sync.hike import InventoryChange
from tests.integration.test_engine_settings import (  # noqa: F401 - fixtures, used by name
    bc_by_sku, db, empty, first_sync, gst, main_outlet, new_bc_product, new_hike_product, product_link, sync)

EMOJI = "Café ☕ Mug 🍵 – limited"
HEBREW = "ספל קפה גדול"
ARABIC = "كوب قهوة كبير"
LONG_HTML = "<div>" + "".join(f"<p>Paragraph {i}: <strong>bold</strong> &amp; <em>ünïcödé</em> ✓</p>"
                              for i in range(200)) + "</div>"


def test_d2_emoji_rtl_and_long_html_sync_intact(empty):
    assert len(LONG_HTML) > 10_000
    engine = first_sync(empty)
    new_bc_product(empty, EMOJI, "BAD-EMOJI-1", description=LONG_HTML)
    new_bc_product(empty, HEBREW, "BAD-RTL-HE")
    new_hike_product(empty, ARABIC, "BAD-RTL-AR")
    sync(engine)

    hike_emoji = empty.hike.find_product_by_sku("BAD-EMOJI-1")
    assert hike_emoji.name == EMOJI
    text = hike_emoji.description or ""
    assert "<p>" not in text and "Paragraph 199: bold & ünïcödé ✓" in text, "all of it, as plain text (S16)"
    assert empty.hike.find_product_by_sku("BAD-RTL-HE").name == HEBREW
    assert bc_by_sku(empty, "BAD-RTL-AR").name == ARABIC
    assert bc_by_sku(empty, "BAD-EMOJI-1").description == LONG_HTML, "the HTML stays intact in BigCommerce"
    assert models.Link.select().where(models.Link.entity == "product", models.Link.last_result == "error").count() == 0


def test_s13_zero_negative_and_fractional_hike_stock_reach_bigcommerce_as_whole_units(empty):
    engine = first_sync(empty)
    outlet = main_outlet(empty)
    products = {sku: new_hike_product(empty, f"Stock {sku}", sku) for sku in ("STOCK-ZERO", "STOCK-NEG", "STOCK-FRAC")}
    sync(engine)
    empty.hike.inventory_update([
        InventoryChange(outlet_id=outlet, product_id=products["STOCK-ZERO"].id, on_hand=Decimal(0)),
        InventoryChange(outlet_id=outlet, product_id=products["STOCK-NEG"].id, on_hand=Decimal(-3)),
        InventoryChange(outlet_id=outlet, product_id=products["STOCK-FRAC"].id, on_hand=Decimal("2.75"))])
    empty.sandbox.bigcommerce.clock.advance(300)
    sync(engine)
    assert bc_by_sku(empty, "STOCK-ZERO").inventory_level == 0
    assert bc_by_sku(empty, "STOCK-NEG").inventory_level == 0, "oversold in Hike: nothing left to sell online"
    assert bc_by_sku(empty, "STOCK-FRAC").inventory_level == 2, "whole units, rounded down"
    messages = [e.message for e in models.LogEntry.select().where(models.LogEntry.sku.in_(["STOCK-NEG", "STOCK-FRAC"]),
                                                                  models.LogEntry.entity == "inventory")]
    assert any("-3" in m and "below 0" in m for m in messages), messages
    assert any("fraction" in m.lower() for m in messages), messages


def test_d3_prices_with_more_than_two_decimals_are_kept_and_do_not_ping_pong(empty):
    """No tax conversion between these stores (both ex-tax): the price is copied as it is, nothing rounded away,
    and the next pass finds nothing to write (a rounding mismatch would bounce between the stores forever)."""
    engine = first_sync(empty)
    new_hike_product(empty, "Precise price", "PRICE-3DP", price="19.995")
    new_bc_product(empty, "Precise BC price", "PRICE-4DP", price=Decimal("12.3456"))
    sync(engine)
    assert bc_by_sku(empty, "PRICE-3DP").price == Decimal("19.995")
    assert empty.hike.find_product_by_sku("PRICE-4DP").outlet(main_outlet(empty)).price_ex_tax == Decimal("12.3456")
    empty.requests("bigcommerce", clear=True)
    empty.requests("hike", clear=True)
    empty.sandbox.bigcommerce.clock.advance(300)
    sync(engine)
    writes = [r for side in ("bigcommerce", "hike") for r in empty.requests(side) if r["method"] != "GET"]
    assert writes == []


def test_n5_bigcommerce_product_with_600_variants_reaches_hike_whole(empty):
    engine = first_sync(empty)
    sizes = [f"S{i:02d}" for i in range(30)]
    colours = [f"C{i:02d}" for i in range(20)]
    variants = [{"sku": f"BIG-{s}-{c}", "price": Decimal("10.00"), "inventory_level": 1,
                 "option_values": [{"option_display_name": "Size", "label": s},
                                   {"option_display_name": "Colour", "label": c}]}
                for s in sizes for c in colours]
    assert len(variants) == 600
    product = new_bc_product(empty, "Huge range tee", "BIG-TEE", variants=variants, inventory_tracking="variant")
    sync(engine)
    hike = empty.hike.find_product_by_sku("BIG-TEE")
    assert hike is not None and len(hike.variants) == 600
    assert {v.sku for v in hike.variants} == {v["sku"] for v in variants}
    link = product_link(bc_id=product.id)
    assert link.last_result == "ok"
    assert models.Link.select().where(models.Link.entity == "variant").count() == 600
