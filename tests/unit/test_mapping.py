"""Product mapping between Hike and BigCommerce: D2, D3, D5, D10, S6, S7, S12, S14, S16-S19."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from desktop.sync import mapping, money
from desktop.sync.bigcommerce import BCBrand, BCCategory, BCProduct, BCTaxClass, StoreInfo
from desktop.sync.hike_models import HikeBrand, HikeProduct, HikeProductType
from desktop.sync.mapping import (BC_TO_HIKE, HIKE_TO_BC, MappingContext, MappingError, auto_sku, bc_product_body,
                                  bc_variant_create_bodies, diff, fingerprint, hike_product_body, missing_bc_refs,
                                  product_from_bc, product_from_hike, skip_reason_to_bc, skip_reason_to_hike,
                                  synced_fields)
from desktop.sync.money import bc_inventory_level, ex_from_inc, inc_from_ex
from desktop.sync.plain_text import html_to_text, normalize_text, text_to_html
from desktop.sync.records import ProductRecord, VariantRecord, jsonable
from desktop.sync.settings import HikeToBc, Settings
from tests.unit.test_settings import EXAMPLE, FACTS

D = Decimal
RATES = [D(0), D(5), D(10), D("12.5"), D(15), D(20), D(25)]
prices_2dp = st.integers(min_value=1, max_value=9_999_999).map(lambda cents: D(cents) / 100)
prices_4dp = st.integers(min_value=1, max_value=999_999_999).map(lambda n: D(n) / 10_000)
rates = st.sampled_from(RATES)


def settings(**changes) -> Settings:
    s = Settings.from_json(EXAMPLE)
    s.tax_map = {"GST": "Default Tax Class", "No Tax": "Non-Taxable Products"}
    for key, value in changes.items():
        setattr(s, key, value)
    return s


def ctx(s: Settings | None = None, *, inc: bool = False, **changes) -> MappingContext:
    resolved = (s or settings()).resolve(FACTS)
    base = MappingContext.build(
        resolved, hike_taxes=FACTS.hike_taxes,
        store_info=StoreInfo("abc", "Shop", "https://shop.test", "https://cp.test", inc, "AUD", "kg", "cm", "UTC",
                             "Plus"),
        bc_tax_classes=[BCTaxClass(1, "Non-Taxable Products"), BCTaxClass(2, "Shipping")],
        bc_brands=[BCBrand(5, "Acme"), BCBrand(6, "Bolt")],
        bc_categories=[BCCategory(20, 1, 0, "Shirts"), BCCategory(21, 1, 0, "Jeans"), BCCategory(22, 1, 0, "Sale")],
        hike_brands=[HikeBrand(7, "Acme", True)],
        hike_product_types=[HikeProductType(30, "Shirts", None, None, True)])
    return replace(base, **changes)


def outlet_row(oid: int, ex: str, on_hand: str = "5", reserved: str = "0", tax: int = 10, rate: str = "10",
               cost: str = "4.00") -> dict:
    return {"outlet_id": oid, "outlet_name": {1: "Main Street", 2: "Harbour Mall", 3: "Online Store"}[oid],
            "cost_price": D(cost), "price_ex_tax": D(ex), "tax_id": tax, "tax_name": "GST" if tax == 10 else "No Tax",
            "tax_rate": D(rate), "on_hand_inventory": D(on_hand), "reserved_inventory": D(reserved),
            "available_inventory": D(on_hand) - D(reserved), "visible_or_not": True}


def hike_simple(**extra) -> HikeProduct:
    raw = {"id": 101, "name": "Linen Shirt", "sku": "SH-1", "barcode": "9300001",
           "description": "Soft  linen.\n\nWash cold.",
           "brand_id": 7, "bran_name": "Acme", "has_variants": False, "track_inventory": True, "isActive": True,
           "product_type": [{"type_id": 30, "type_name": "Shirts", "parent_type_id": 0}],
           "sales_channels": [{"sales_channels": "1"}, {"sales_channels": "2"}],
           "additional_images": [{"image_url": "https://img.test/a.jpg"}, {"image_url": "https://img.test/b.jpg"}],
           "product_outlets": [outlet_row(1, "18.1818", "5", "1"), outlet_row(2, "18.1818", "3"),
                               outlet_row(3, "18.1818", "2.5")],
           "last_modified": "2024-05-01T03:04:05.1234567Z",
           # D5: never mapped
           "additional_reward_points": 50, "product_suppliers": [{"supplier_id": 1}], "supplier_code": "SUP-9",
           "customField": "plugin"}
    raw.update(extra)
    return HikeProduct.from_api(raw)


def hike_variants(**extra) -> HikeProduct:
    raw = {"id": 220, "name": "Demo Jeans", "sku": "JEANS", "has_variants": True, "track_inventory": True,
           "isActive": True, "bran_name": "Bolt", "brand_id": 8,
           "sales_channels": [{"sales_channels": "1"}, {"sales_channels": "2"}],
           "product_type": [{"type_id": 31, "type_name": "Jeans"}],
           "product_outlets": [outlet_row(1, "0"), outlet_row(2, "0")],
           "product_variants": [
               {"prod_variant_id": 221, "variant_name": "Demo Jeans / 30", "sku": "J-30", "barcode": "9300002",
                "variant_sub_values": [{"variant_sub_value_name": "30"}],
                "variant_outlets": [outlet_row(1, "45.4545", "4"), outlet_row(2, "45.4545", "1")]},
               {"prod_variant_id": 222, "variant_name": "Demo Jeans / 32", "sku": "J-32",
                "variant_sub_values": [{"variant_sub_value_name": "32"}],
                "variant_outlets": [outlet_row(1, "50", "0"), outlet_row(2, "50", "2")]}]}
    raw.update(extra)
    return HikeProduct.from_api(raw)


def bc_product(**extra) -> BCProduct:
    raw = {"id": 77, "name": "Canvas Tote", "sku": "TOTE-1", "upc": "9400001", "type": "physical",
           "price": D("22.00"), "retail_price": D(0), "sale_price": D("19.50"), "cost_price": D("8.00"),
           "weight": D("0.4"), "width": D(30), "height": D(40), "depth": D(2),
           "description": "<p>Strong <b>canvas</b> &amp; cotton.</p><ul><li>Big</li><li>Washable</li></ul>",
           "inventory_level": 9, "inventory_tracking": "product", "categories": [22, 99], "brand_id": 6,
           "tax_class_id": 0, "is_visible": True, "custom_url": {"url": "/canvas-tote/"},
           "date_modified": "2024-05-02T10:00:00+00:00",
           "variants": [{"id": 500, "product_id": 77, "sku": "TOTE-1", "price": D("22.00"), "inventory_level": 9,
                         "option_values": []}],
           "images": [{"id": 2, "url_zoom": "https://cdn.test/2.jpg", "is_thumbnail": False, "sort_order": 1},
                      {"id": 1, "url_zoom": "https://cdn.test/1.jpg", "is_thumbnail": True, "sort_order": 0}],
           "custom_fields": [{"name": "plugin", "value": "x"}], "bulk_pricing_rules": [{"amount": 5}]}
    raw.update(extra)
    return BCProduct.from_api(raw)


def bc_variant_product(**extra) -> BCProduct:
    raw = {"id": 88, "name": "Demo Jeans", "sku": "JEANS", "upc": "", "type": "physical", "price": D("50.00"),
           "cost_price": D(0), "weight": D(1), "description": "", "inventory_level": 5,
           "inventory_tracking": "variant", "categories": [21], "brand_id": 6, "tax_class_id": 0, "is_visible": True,
           "variants": [
               {"id": 601, "product_id": 88, "sku": "J-30", "upc": "9300002", "price": D("50.00"),
                "cost_price": D("4.00"), "inventory_level": 3,
                "option_values": [{"option_display_name": "Option", "label": "30"}]},
               {"id": 602, "product_id": 88, "sku": "J-32", "upc": "", "price": D("55.00"), "cost_price": D("4.00"),
                "inventory_level": 2, "option_values": [{"option_display_name": "Option", "label": "32"}]}],
           "images": []}
    raw.update(extra)
    return BCProduct.from_api(raw)


def walk_keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in walk_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in walk_keys(v)}
    return set()


def no_floats(value) -> bool:
    if isinstance(value, float):
        return False
    if isinstance(value, dict):
        return all(no_floats(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(no_floats(v) for v in value)
    return True


# ---------------------------------------------------------------------------------------------------------------
# D3
@hsettings(max_examples=600, deadline=None)
@given(prices_2dp, rates)
def test_d3_inc_to_ex_to_inc_returns_the_original_price(inc: Decimal, rate: Decimal):
    ex = ex_from_inc(inc, rate)
    assert -ex.as_tuple().exponent <= 4  # Hike's price_ex_tax and BigCommerce both take 4 dp
    assert inc_from_ex(ex, rate) == inc


@hsettings(max_examples=600, deadline=None)
@given(prices_2dp, rates)
def test_d3_ex_2dp_to_inc_to_ex_returns_the_original_price(ex: Decimal, rate: Decimal):
    inc = inc_from_ex(ex, rate)
    assert -inc.as_tuple().exponent == 2
    back = ex_from_inc(inc, rate)
    assert back == ex and -back.as_tuple().exponent == 2  # exactly, not just to the cent


@hsettings(max_examples=300, deadline=None)
@given(prices_4dp, rates)
def test_d3_a_4dp_ex_price_settles_after_one_trip(ex: Decimal, rate: Decimal):
    inc = inc_from_ex(ex, rate)
    assert inc_from_ex(ex_from_inc(inc, rate), rate) == inc


def test_d3_rounds_half_up_to_the_cent():
    assert inc_from_ex(D("0.15"), D(10)) == D("0.17")  # 0.165: half-up, not banker's 0.16
    assert inc_from_ex(D("0.25"), D(10)) == D("0.28")  # 0.275
    assert inc_from_ex(D("100"), D("12.5")) == D("112.50")
    assert ex_from_inc(D("110.00"), D(10)) == D("100.00")
    assert ex_from_inc(D("20.00"), D(10)) == D("18.18")  # 18.18 * 1.1 = 19.998 -> 20.00
    # no 2-dp ex-tax price gives 19.96 at 10 % (18.14 -> 19.95, 18.15 -> 19.97): the 4-dp one does
    assert ex_from_inc(D("19.96"), D(10)) == D("18.1455") and inc_from_ex(D("18.1455"), D(10)) == D("19.96")
    assert ex_from_inc(D("0.01"), D("12.5")) == D("0.01")  # 0.01125 -> 0.01: the shorter one wins


def test_d3_money_is_never_float():
    with pytest.raises(TypeError):
        inc_from_ex(10.0, D(10))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ex_from_inc(D(10), 10.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        inc_from_ex(D(10), D(-1))
    assert inc_from_ex(10, 10) == D("11.00")  # whole numbers are fine


def test_s13_stock_to_bigcommerce_is_whole_units_from_zero():
    assert bc_inventory_level(D("2.5")) == 2 and bc_inventory_level(D("-3")) == 0
    assert bc_inventory_level(D("7")) == 7 and bc_inventory_level(None) == 0
    assert money.is_fractional(D("2.5")) and not money.is_fractional(D("2.000"))


# ---------------------------------------------------------------------------------------------------------------
# records from Hike
def test_d2_s1_product_from_hike_simple():
    r = product_from_hike(hike_simple(), ctx())
    assert (r.side, r.id, r.name, r.sku, r.barcode) == ("hike", 101, "Linen Shirt", "SH-1", "9300001")
    assert r.price_ex_tax == D("18.1818") and r.price_inc_tax == D("20.00")
    assert r.cost == D("4.00") and r.tax_key == "GST" and r.track_inventory
    assert r.stock == D(4)  # S1: the inventory outlet's available stock (5 on hand - 1 reserved)
    assert r.categories == ("Shirts",) and r.brand == "Acme"
    assert r.description_text == "Soft linen.\n\nWash cold."
    assert r.description_html == "<p>Soft linen.</p>\n<p>Wash cold.</p>"
    assert r.image_urls == ("https://img.test/a.jpg", "https://img.test/b.jpg")
    assert r.active and r.ecommerce and not r.composite and r.variants == ()
    assert r.modified_at == datetime(2024, 5, 1, 3, 4, 5, 123456, tzinfo=timezone.utc)
    assert no_floats(jsonable(r))


def test_s4_stock_is_the_sum_of_the_combined_outlets():
    c = ctx(settings(combined_inventory_outlets=["Main Street", "Harbour Mall", "Online Store"]))
    assert product_from_hike(hike_simple(), c).stock == D("9.5")  # 4 + 3 + 2.5: fractions kept


def test_d2_product_from_hike_with_variants():
    r = product_from_hike(hike_variants(), ctx())
    assert [v.sku for v in r.variants] == ["J-30", "J-32"]
    assert r.variants[0].options == (("Option", "30"),)  # Hike's API has no option names
    assert r.variants[0].price_inc_tax == D("50.00") and r.variants[1].price_ex_tax == D(50)
    assert r.variants[0].stock == D(4) and r.variants[1].stock == D(0)
    assert r.stock == D(4) and r.brand == "Bolt" and r.categories == ("Jeans",)


def test_d2_hike_variant_options_from_the_name_and_attribute_names():
    p = hike_variants(product_attributes=[{"attribute_name": "Waist"}])
    p.variants[1].options.clear()
    r = product_from_hike(p, ctx())
    assert r.variants[1].options == (("Waist", "32"),)  # parsed from "Demo Jeans / 32"
    assert r.variants[0].options == (("Waist", "30"),)


def test_s14_composite_products_are_not_sent_but_their_parts_are():
    composite = product_from_hike(hike_simple(product_extras=[{"product_id": 5, "quantity": 2}]), ctx())
    assert composite.composite
    assert "Composite" in skip_reason_to_bc(composite, settings())
    part = product_from_hike(hike_simple(), ctx())
    assert skip_reason_to_bc(part, settings()) is None


def test_s14_inactive_with_ecommerce_still_syncs_and_no_ecommerce_channel_does_not():
    inactive = product_from_hike(hike_simple(isActive=False), ctx())
    assert not inactive.active and skip_reason_to_bc(inactive, settings()) is None
    pos_only = product_from_hike(hike_simple(sales_channels=[{"sales_channels": "1"}]), ctx())
    assert not pos_only.ecommerce and "eCommerce" in skip_reason_to_bc(pos_only, settings())


def test_s18_products_without_sku_are_skipped_or_get_one():
    r = product_from_hike(hike_simple(sku=None), ctx())
    assert skip_reason_to_bc(r, settings(non_sku_products="skip")) is not None
    assert skip_reason_to_bc(r, settings()) is None
    assert bc_product_body(r, ctx(), None)["sku"] == "HK-101"
    b = product_from_bc(bc_product(sku=""), ctx())
    assert skip_reason_to_hike(b, settings(non_sku_products="skip")) is not None
    assert skip_reason_to_hike(b, settings()) is None
    assert hike_product_body(b, ctx(), None)["sku"] == "BC-77"
    v = product_from_hike(hike_variants(), ctx())
    v = replace(v, variants=(replace(v.variants[0], sku=None), v.variants[1]))
    assert skip_reason_to_bc(v, settings(non_sku_products="skip")) is not None
    assert bc_product_body(v, ctx(), None)["variants"][0]["sku"] == "HK-221"


@given(st.integers(min_value=1, max_value=10**12), st.integers(min_value=1, max_value=10**12))
def test_s18_auto_sku_is_stable_unique_and_recognisable(a: int, b: int):
    assert auto_sku(a) == auto_sku(a) == f"HK-{a}"
    assert (auto_sku(a) == auto_sku(b)) == (a == b)
    assert auto_sku(a, side="bigcommerce") != auto_sku(a)
    assert auto_sku(a, side="bigcommerce", variant_id=b) == f"BC-{a}-{b}"
    with pytest.raises(ValueError):
        auto_sku(a, side="shopify")


# ---------------------------------------------------------------------------------------------------------------
# records from BigCommerce
def test_d2_s7_product_from_bc_ex_tax_store():
    r = product_from_bc(bc_product(), ctx())
    assert (r.side, r.id, r.sku, r.barcode) == ("bigcommerce", 77, "TOTE-1", "9400001")
    assert r.price_ex_tax == D("22.00") and r.price_inc_tax == D("24.20")  # class 0 -> GST 10 %
    assert r.tax_key == 0 and r.cost == D("8.00") and r.track_inventory and r.stock == D(9)
    assert r.categories == ("Sale",) and r.brand == "Bolt"  # unknown category 99 left out
    assert r.description_text == "Strong canvas & cotton.\n\n- Big\n- Washable"
    assert r.image_urls == ("https://cdn.test/1.jpg", "https://cdn.test/2.jpg")  # thumbnail first
    assert (r.weight, r.width, r.height, r.depth) == (D("0.4"), D(30), D(40), D(2))
    assert r.variants == ()  # the base variant of a simple product is not a variant


def test_s7_price_comes_from_the_chosen_field_when_it_is_used():
    assert product_from_bc(bc_product(), ctx(settings(price_type="sale_price"))).price_ex_tax == D("19.50")
    # retail_price is 0 (not used): the overall price
    assert product_from_bc(bc_product(), ctx(settings(price_type="retail_price"))).price_ex_tax == D("22.00")


def test_d3_p2_product_from_bc_inc_tax_store():
    r = product_from_bc(bc_product(price=D("20.00")), ctx(inc=True))
    assert r.price_inc_tax == D("20.00") and r.price_ex_tax == D("18.18")
    unmapped = product_from_bc(bc_product(tax_class_id=2), ctx(inc=True))  # "Shipping" is mapped to nothing
    assert unmapped.price_inc_tax == D("22.00") and unmapped.price_ex_tax is None


def test_d2_product_from_bc_with_variants():
    r = product_from_bc(bc_variant_product(), ctx())
    assert [(v.sku, v.options, v.stock) for v in r.variants] == [
        ("J-30", (("Option", "30"),), D(3)), ("J-32", (("Option", "32"),), D(2))]
    assert r.stock == D(5) and r.variants[1].price_inc_tax == D("60.50")
    assert product_from_bc(bc_product(inventory_tracking="none"), ctx()).track_inventory is False


# ---------------------------------------------------------------------------------------------------------------
# BigCommerce bodies
def test_d2_bc_create_body_for_a_simple_hike_product():
    body = bc_product_body(product_from_hike(hike_simple(), ctx()), ctx(), None)
    assert body == {
        "name": "Linen Shirt", "type": "physical", "sku": "SH-1", "price": D("18.1818"), "upc": "9300001",
        "cost_price": D("4.00"), "tax_class_id": 0, "inventory_tracking": "product", "inventory_level": 4,
        "categories": [20], "brand_id": 5, "description": "<p>Soft linen.</p>\n<p>Wash cold.</p>",
        "weight": D(0), "is_visible": True,
        "images": [{"image_url": "https://img.test/a.jpg", "is_thumbnail": True, "sort_order": 0},
                   {"image_url": "https://img.test/b.jpg", "is_thumbnail": False, "sort_order": 1}]}
    assert no_floats(body)


def test_s7_p2_bc_create_body_price_field_and_tax_mode():
    record = product_from_hike(hike_simple(), ctx())
    body = bc_product_body(record, ctx(settings(price_type="sale_price"), inc=True), None)
    assert body["price"] == body["sale_price"] == D("20.00")  # inc-tax store gets the inc-tax price
    body = bc_product_body(record, ctx(settings(price_type="retail_price")), None)
    assert body["price"] == body["retail_price"] == D("18.1818")


def test_d2_bc_inventory_tracking_none_product_variant():
    simple = product_from_hike(hike_simple(), ctx())
    assert bc_product_body(simple, ctx(), None)["inventory_tracking"] == "product"
    untracked = replace(simple, track_inventory=False)
    body = bc_product_body(untracked, ctx(), None)
    assert body["inventory_tracking"] == "none" and "inventory_level" not in body
    assert bc_product_body(product_from_hike(hike_variants(), ctx()), ctx(), None)["inventory_tracking"] == "variant"


def test_d2_bc_create_body_with_variants_inline():
    body = bc_product_body(product_from_hike(hike_variants(), ctx()), ctx(), None)
    assert body["price"] == D("45.4545")  # the parent has no price: the first variant's
    assert body["variants"] == [
        {"sku": "J-30", "option_values": [{"option_display_name": "Option", "label": "30"}], "price": D("45.4545"),
         "cost_price": D("4.00"), "upc": "9300002", "inventory_level": 4},
        {"sku": "J-32", "option_values": [{"option_display_name": "Option", "label": "32"}], "price": D("50"),
         "cost_price": D("4.00"), "inventory_level": 0}]
    assert body["categories"] == [21] and body["brand_id"] == 6  # "Jeans" and "Bolt" by name
    missing = missing_bc_refs(product_from_hike(hike_variants(), ctx()), ctx())
    assert missing == mapping.MissingRefs((), None)


def test_s19_category_sync_preference():
    record = replace(product_from_hike(hike_simple(), ctx()), categories=("Shirts", "Hats"), brand="Zed")
    assert missing_bc_refs(record, ctx()) == mapping.MissingRefs(("Hats",), "Zed")
    assert bc_product_body(record, ctx(), None)["categories"] == [20]
    none = ctx(settings(category_sync="none"))
    assert "categories" not in bc_product_body(record, none, None)
    assert missing_bc_refs(record, none).categories == ()


def test_s6_shipping_fields_only_when_shipping_details_is_on():
    record = replace(product_from_hike(hike_simple(), ctx()), weight=D("1.25"), width=D(10), height=D(5), depth=None)
    off = bc_product_body(record, ctx(), None)
    assert off["weight"] == D(0) and "width" not in off  # weight is required on create
    on = bc_product_body(record, ctx(settings(shipping_details=True)), None)
    assert (on["weight"], on["width"], on["height"]) == (D("1.25"), D(10), D(5)) and "depth" not in on


def test_s14_bc_create_is_visible_follows_hikes_active_flag():
    record = product_from_hike(hike_simple(isActive=False), ctx())
    assert bc_product_body(record, ctx(), None)["is_visible"] is False


def test_s13_stock_in_the_create_body_only_for_the_default_location_and_inventory_sync():
    record = product_from_hike(hike_simple(), ctx())
    assert "inventory_level" not in bc_product_body(record, ctx(settings(hike_to_bc=HikeToBc(False, True, False))),
                                                   None)


def test_d5_never_mapped_fields_are_never_sent():
    hike_record = product_from_hike(hike_simple(), ctx())
    bc_record = product_from_bc(bc_product(), ctx())
    bodies = [bc_product_body(hike_record, ctx(), None), hike_product_body(bc_record, ctx(), None),
              bc_product_body(replace(hike_record, name="New"), ctx(), bc_product()),
              hike_product_body(replace(bc_record, name="New"), ctx(), hike_simple())]
    for body in bodies:
        assert not walk_keys(body) & mapping.NEVER_MAPPED
        assert "SUP-9" not in json.dumps(jsonable(body)) and "plugin" not in json.dumps(jsonable(body))


def test_d2_bc_update_sends_only_changed_fields():
    c = ctx()
    existing = bc_product(name="Linen Shirt", sku="SH-1", upc="9300001", price=D("18.1818"), cost_price=D("4.00"),
                          categories=[20], brand_id=5, description="<p>Old <i>html</i></p>", weight=D(0))
    record = product_from_hike(hike_simple(), c)
    assert bc_product_body(record, c, existing) == {}  # same values: nothing to send
    changed = replace(record, name="Linen Shirt II", price_ex_tax=D("19"), price_inc_tax=D("20.90"), stock=D(1),
                      active=False, image_urls=("https://img.test/new.jpg",))
    body = bc_product_body(changed, c, existing)
    assert body == {"name": "Linen Shirt II", "price": D("19")}  # no stock, visibility or images on update


def test_s16_description_goes_to_bigcommerce_on_create_only_unless_two_way():
    existing = bc_product(name="Linen Shirt", sku="SH-1", upc="9300001", price=D("18.1818"), cost_price=D("4.00"),
                          categories=[20], brand_id=5, description="<p>Rich <b>HTML</b></p>", weight=D(0))
    record = product_from_hike(hike_simple(), ctx())
    assert "description" in bc_product_body(record, ctx(), None)
    assert "description" not in bc_product_body(record, ctx(), existing)
    two_way = ctx(settings(description_sync="two_way"))
    assert bc_product_body(record, two_way, existing)["description"] == "<p>Soft linen.</p>\n<p>Wash cold.</p>"
    same_text = bc_product(**{**existing.raw, "description": "<div>Soft <b>linen.</b></div><p>Wash cold.</p>"})
    assert "description" not in bc_product_body(record, two_way, same_text)  # BigCommerce's HTML kept


def test_s7_bc_update_writes_the_chosen_price_field_when_used():
    existing = bc_product(price=D(30), sale_price=D("25.00"))
    record = replace(product_from_bc(existing, ctx()), price_ex_tax=D("24.00"), price_inc_tax=D("26.40"))
    assert bc_product_body(record, ctx(settings(price_type="sale_price")), existing) == {"sale_price": D("24.00")}
    unused = bc_product(price=D(30), sale_price=D(0))
    record = replace(product_from_bc(unused, ctx(settings(price_type="sale_price"))), price_ex_tax=D("24.00"))
    assert bc_product_body(record, ctx(settings(price_type="sale_price")), unused) == {"price": D("24.00")}


def test_s19_bc_update_adds_categories_and_never_removes_them():
    existing = bc_product(categories=[22, 99])
    record = replace(product_from_bc(existing, ctx()), categories=("Shirts",))
    assert bc_product_body(record, ctx(), existing) == {"categories": [22, 99, 20]}


def test_d2_bc_update_variants_by_sku_and_new_variants_separately():
    c = ctx()
    existing = bc_variant_product()
    record = product_from_bc(existing, c)
    assert bc_product_body(record, c, existing) == {}
    v30, v32 = record.variants
    new = VariantRecord(None, "J-34", None, (("Option", "34"),), D("56"), D("61.60"), D(4), D(1))
    changed = replace(record, variants=(replace(v30, price_ex_tax=D("51"), barcode="9300009"), v32, new))
    assert bc_product_body(changed, c, existing) == {"variants": [{"id": 601, "price": D("51"), "upc": "9300009"}]}
    assert bc_variant_create_bodies(changed, c, existing) == [
        {"sku": "J-34", "option_values": [{"option_display_name": "Option", "label": "34"}], "price": D("56"),
         "cost_price": D(4)}]


def test_d2_simple_stays_simple_and_variant_stays_variant():
    simple = product_from_hike(hike_simple(), ctx())
    with pytest.raises(MappingError, match="stays"):
        bc_product_body(simple, ctx(), bc_variant_product())
    with pytest.raises(MappingError):
        bc_product_body(product_from_hike(hike_variants(), ctx()), ctx(), bc_product())
    with pytest.raises(MappingError):
        hike_product_body(product_from_bc(bc_variant_product(), ctx()), ctx(), hike_simple())
    with pytest.raises(MappingError):
        hike_product_body(product_from_bc(bc_product(), ctx()), ctx(), hike_variants())


# ---------------------------------------------------------------------------------------------------------------
# Hike bodies
def test_s11_s12_s16_hike_create_body_for_a_bigcommerce_product():
    body = hike_product_body(product_from_bc(bc_product(), ctx()), ctx(), None)
    assert body["name"] == "Canvas Tote" and body["sku"] == "TOTE-1" and body["barcode"] == "9400001"
    assert body["description"] == "Strong canvas & cotton.\n\n- Big\n- Washable"  # S16: plain text
    assert body["bran_name"] == "Bolt" and "brand_id" not in body  # unknown in Hike: created by name
    assert body["product_type"] == [{"type_name": "Sale"}]
    assert body["sales_channels"] == [{"sales_channels": "1"}, {"sales_channels": "2"}]  # eCommerce on
    assert body["track_inventory"] is True and body["isActive"] is True and body["has_variants"] is False
    assert body["product_outlets"] == [
        {"outlet_id": 1, "price_ex_tax": D("22.00"), "tax_id": 10, "cost_price": D("8.00"),
         "on_hand_inventory": D(9), "visible_or_not": True},
        {"outlet_id": 2, "price_ex_tax": D("22.00"), "tax_id": 10, "cost_price": D("8.00"), "visible_or_not": True},
        {"outlet_id": 3, "price_ex_tax": D("22.00"), "tax_id": 10, "cost_price": D("8.00"), "visible_or_not": True}]
    assert "weight" not in body and no_floats(body)
    only_connected = ctx(settings(product_visibility_all_outlets=False))
    rows = hike_product_body(product_from_bc(bc_product(), only_connected), only_connected, None)["product_outlets"]
    assert [(r["outlet_id"], r["visible_or_not"]) for r in rows] == [(1, True), (2, False), (3, False)]


def test_d2_hike_create_body_with_variants():
    c = ctx()
    body = hike_product_body(product_from_bc(bc_variant_product(), c), c, None)
    assert body["has_variants"] is True and body["bran_name"] == "Bolt"
    assert body["product_type"] == [{"type_name": "Jeans"}]
    assert all("price_ex_tax" not in r and "on_hand_inventory" not in r for r in body["product_outlets"])
    v30, v32 = body["product_variants"]
    assert v30["variant_name"] == "Demo Jeans / 30" and v30["sku"] == "J-30" and v30["barcode"] == "9300002"
    assert v30["variant_sub_values"] == [{"variant_sub_value_name": "30"}]
    assert v30["variant_outlets"][0] == {"outlet_id": 1, "price_ex_tax": D("50.00"), "tax_id": 10,
                                         "cost_price": D("4.00"), "on_hand_inventory": D(3), "visible_or_not": True}
    assert "on_hand_inventory" not in v30["variant_outlets"][1]
    assert v32["variant_outlets"][0]["price_ex_tax"] == D("55.00") and "barcode" not in v32


def test_d3_inc_tax_price_survives_bigcommerce_to_hike_and_back():
    c = ctx(inc=True)
    record = product_from_bc(bc_product(price=D("20.00")), c)
    body = hike_product_body(record, c, None)
    ex = body["product_outlets"][0]["price_ex_tax"]
    assert ex == D("18.18")
    # what Hike then returns for the new product, and what BigCommerce would get back
    hike = hike_simple(product_outlets=[outlet_row(1, str(ex)), outlet_row(2, str(ex)), outlet_row(3, str(ex))])
    assert product_from_hike(hike, c).price_inc_tax == D("20.00")
    assert bc_product_body(product_from_hike(hike, c), c, bc_product(price=D("20.00"), name="Linen Shirt",
                                                                      sku="SH-1", upc="9300001")).get("price") is None


def test_s2_hike_body_tax_comes_from_the_tax_map():
    record = product_from_bc(bc_product(tax_class_id=1), ctx())  # Non-Taxable Products -> No Tax
    assert record.price_inc_tax == D("22.00")
    assert {r["tax_id"] for r in hike_product_body(record, ctx(), None)["product_outlets"]} == {11}
    assert bc_product_body(product_from_hike(hike_simple(product_outlets=[outlet_row(1, "5", tax=11, rate="0")]),
                                             ctx()), ctx(), None)["tax_class_id"] == 1


def test_d2_hike_update_sends_only_changed_fields_with_the_id():
    c = ctx()
    existing = hike_simple(name="Canvas Tote", sku="TOTE-1", barcode="9400001", bran_name="Bolt",
                           description="Strong canvas & cotton.\n\n- Big\n- Washable",
                           product_type=[{"type_id": 32, "type_name": "Sale"}],
                           product_outlets=[outlet_row(o, "22.00", cost="8.00") for o in (1, 2, 3)])
    record = product_from_bc(bc_product(), c)
    assert hike_product_body(record, c, existing) == {}
    changed = replace(record, price_ex_tax=D("23.00"), stock=D(100), name="Canvas Tote XL")
    body = hike_product_body(changed, c, existing)
    assert body == {"id": 101, "name": "Canvas Tote XL",
                    "product_outlets": [{"outlet_id": o, "price_ex_tax": D("23.00")} for o in (1, 2, 3)]}
    per_outlet = hike_simple(**{**existing.raw, "isPricingDifferentByOutlet": True})
    assert hike_product_body(changed, c, per_outlet)["product_outlets"] == [{"outlet_id": 1,
                                                                             "price_ex_tax": D("23.00")}]
    no_brand = replace(record, brand=None)
    assert hike_product_body(no_brand, c, existing) == {"id": 101, "brand_id": None}


def test_s16_hike_update_description_always_flows_to_hike_as_text():
    c = ctx()
    existing = hike_simple(name="Canvas Tote", sku="TOTE-1", barcode="9400001", bran_name="Bolt",
                           product_type=[{"type_id": 32, "type_name": "Sale"}],
                           product_outlets=[outlet_row(o, "22.00", cost="8.00") for o in (1, 2, 3)])
    body = hike_product_body(product_from_bc(bc_product(), c), c, existing)
    assert body == {"id": 101, "description": "Strong canvas & cotton.\n\n- Big\n- Washable"}


def test_d2_hike_update_variants_changed_and_new():
    c = ctx()
    existing = hike_variants(bran_name="Bolt", product_type=[{"type_id": 31, "type_name": "Jeans"}])
    record = product_from_hike(existing, c)
    record = replace(record, side="bigcommerce", id=88, tax_key=0)
    assert hike_product_body(record, c, existing) == {}
    v30, v32 = record.variants
    new = VariantRecord(603, "J-34", None, (("Size", "34"),), D("56"), D("61.60"), D(4), D(1))
    changed = replace(record, variants=(replace(v30, barcode="9300009", cost=D(5)), v32, new))
    body = hike_product_body(changed, c, existing)
    assert body["id"] == 220
    assert body["product_variants"][0] == {"prod_variant_id": 221, "barcode": "9300009", "variant_outlets": [
        {"outlet_id": 1, "cost_price": D(5)}, {"outlet_id": 2, "cost_price": D(5)}]}
    added = body["product_variants"][1]
    assert added["variant_name"] == "Demo Jeans / 34" and "prod_variant_id" not in added
    assert added["variant_outlets"][0]["on_hand_inventory"] == D(1)


# ---------------------------------------------------------------------------------------------------------------
# S16: descriptions
def test_s16_html_to_text_keeps_paragraphs_breaks_and_list_items():
    markup = ("<h2>Care</h2><p>Hello &amp; <b>welcome</b>&nbsp;here<br>second&nbsp;line</p>\n<ul>\n<li>One</li>\n"
              "<li>Two<ul><li>Deep</li></ul></li></ul><ol><li>First</li><li>Second</li></ol>"
              "<script>alert(1)</script><style>p{}</style><table><tr><td>A</td><td>B</td></tr></table>"
              "caf&eacute; &#8364;5 &lt;tag&gt;")
    assert html_to_text(markup) == ("Care\n\nHello & welcome here\nsecond line\n\n- One\n- Two\n- Deep\n\n"
                                    "1. First\n2. Second\n\nA B\n\ncafé €5 <tag>")
    assert html_to_text("") == "" and html_to_text(None) == ""
    assert html_to_text("plain text, no tags") == "plain text, no tags"


def test_s16_text_to_html_escapes_and_marks_paragraphs():
    assert text_to_html("a < b & c\nnext\n\n\n\nlast") == "<p>a &lt; b &amp; c<br>\nnext</p>\n<p>last</p>"
    assert text_to_html("  \n ") == ""


@hsettings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_s16_d10_text_survives_html_and_back(text: str):
    assert html_to_text(text_to_html(text)) == normalize_text(text)
    assert normalize_text(normalize_text(text)) == normalize_text(text)


# ---------------------------------------------------------------------------------------------------------------
# D10: synced fields and fingerprints
variant_records = st.builds(
    VariantRecord, id=st.integers(1, 10**6), sku=st.text(min_size=1, max_size=6),
    barcode=st.none() | st.text(max_size=6),
    options=st.lists(st.tuples(st.sampled_from(["Size", "Colour"]), st.text(min_size=1, max_size=4)), max_size=2)
    .map(tuple), price_ex_tax=st.none() | prices_4dp, price_inc_tax=st.none() | prices_2dp, cost=st.none() | prices_2dp,
    stock=st.integers(-5, 100).map(D), weight=st.none() | prices_2dp)

product_records = st.builds(
    ProductRecord, side=st.sampled_from(["hike", "bigcommerce"]), id=st.integers(1, 10**6),
    name=st.text(min_size=1, max_size=12), sku=st.none() | st.text(min_size=1, max_size=8),
    barcode=st.none() | st.text(max_size=8), description_html=st.text(max_size=20),
    description_text=st.text(max_size=20),
    price_ex_tax=st.none() | prices_4dp, price_inc_tax=st.none() | prices_2dp, cost=st.none() | prices_2dp,
    tax_key=st.none() | st.sampled_from(["GST", "No Tax", 0, 1]), track_inventory=st.booleans(),
    stock=st.integers(-5, 1000).map(D), categories=st.lists(st.text(min_size=1, max_size=6), max_size=3).map(tuple),
    brand=st.none() | st.text(min_size=1, max_size=6), active=st.booleans(), ecommerce=st.booleans(),
    composite=st.booleans(), weight=st.none() | prices_2dp, width=st.none() | prices_2dp, height=st.none() | prices_2dp,
    depth=st.none() | prices_2dp, image_urls=st.lists(st.text(min_size=1, max_size=8), max_size=2).map(tuple),
    variants=st.lists(variant_records, max_size=2).map(tuple),
    modified_at=st.none() | st.datetimes(timezones=st.just(timezone.utc)))
all_settings = st.builds(
    lambda desc, img, cat, dims, inc: settings(description_sync=desc, image_sync=img, category_sync=cat,
                                               shipping_details=dims, tax_inclusive=inc),
    st.sampled_from(["bc_to_hike", "two_way"]), st.sampled_from(["bc_to_hike", "two_way"]),
    st.sampled_from(["match_or_create", "match_only", "none"]), st.booleans(), st.booleans())
directions = st.sampled_from([HIKE_TO_BC, BC_TO_HIKE])


@hsettings(max_examples=120, deadline=None)
@given(product_records, directions, all_settings)
def test_d10_same_record_same_fingerprint(record: ProductRecord, direction: str, s: Settings):
    again = ProductRecord(**{f: getattr(record, f) for f in mapping.PRODUCT_FIELDS})
    assert fingerprint(record, direction, s) == fingerprint(again, direction, s)
    assert len(fingerprint(record, direction, s)) == 64
    json.dumps(synced_fields(record, direction, s))  # JSON-safe


@hsettings(max_examples=120, deadline=None)
@given(product_records, directions, all_settings, st.integers(-5, 10**6).map(D), st.booleans(), st.booleans(),
       st.integers(1, 10**6), st.datetimes(timezones=st.just(timezone.utc)))
def test_d10_a_change_outside_the_synced_fields_keeps_the_fingerprint(record, direction, s, stock, active, ecommerce,
                                                                      new_id, moment):
    before = fingerprint(record, direction, s)
    other = replace(record, stock=stock, active=active, ecommerce=ecommerce, id=new_id, modified_at=moment,
                    composite=not record.composite, description_html=record.description_html + "<b>x</b>",
                    variants=tuple(replace(v, stock=v.stock + 1, id=(v.id or 0) + 1) for v in record.variants))
    assert fingerprint(other, direction, s) == before


SYNCED_CHANGES = {
    "name": lambda r: replace(r, name=r.name + "!"),
    "sku": lambda r: replace(r, sku=(r.sku or "") + "X"),
    "barcode": lambda r: replace(r, barcode=(r.barcode or "") + "7"),
    "cost": lambda r: replace(r, cost=(r.cost or D(0)) + D("0.01")),
    "tax": lambda r: replace(r, tax_key="Other tax"),
    "track_inventory": lambda r: replace(r, track_inventory=not r.track_inventory),
    "brand": lambda r: replace(r, brand=(r.brand or "") + "Z"),
    "price": lambda r: replace(r, price_ex_tax=(r.price_ex_tax or D(0)) + D("0.0001"),
                               price_inc_tax=(r.price_inc_tax or D(0)) + D("0.01")),
    "variant": lambda r: replace(r, variants=r.variants + (VariantRecord(1, "NEW", None),)),
}


@hsettings(max_examples=120, deadline=None)
@given(product_records, directions, all_settings, st.sampled_from(sorted(SYNCED_CHANGES)))
def test_d10_a_change_in_a_synced_field_changes_the_fingerprint(record, direction, s, which):
    assert fingerprint(SYNCED_CHANGES[which](record), direction, s) != fingerprint(record, direction, s)


def test_d10_fields_that_sync_depend_on_direction_and_settings():
    record = product_from_hike(hike_simple(), ctx())
    recommended = synced_fields(record, HIKE_TO_BC, settings())
    assert {"description", "images", "weight"}.isdisjoint(recommended)  # S16, S17 one-way; S6 off
    assert recommended["categories"] == ["Shirts"] and recommended["price"] == "20.0000"  # inc: tax inclusive
    assert {"description", "images", "categories"} <= set(synced_fields(record, BC_TO_HIKE, settings()))
    two_way = settings(description_sync="two_way", image_sync="two_way", shipping_details=True,
                       category_sync="none", tax_inclusive=False)
    fields = synced_fields(record, HIKE_TO_BC, two_way)
    assert {"description", "images", "weight", "width"} <= set(fields) and "categories" not in fields
    assert fields["price"] == "18.1818"
    with pytest.raises(ValueError):
        synced_fields(record, "sideways", settings())


def test_d10_the_same_values_written_differently_give_the_same_fingerprint():
    record = product_from_hike(hike_simple(), ctx())
    same = replace(record, price_ex_tax=D("18.181800"), price_inc_tax=D("20.0"), cost=D(4),
                   categories=tuple(reversed(record.categories)), name=" Linen Shirt ")
    assert fingerprint(same, HIKE_TO_BC, settings()) == fingerprint(record, HIKE_TO_BC, settings())
    resolved = settings().resolve(FACTS)
    assert fingerprint(record, HIKE_TO_BC, resolved) == fingerprint(record, HIKE_TO_BC, settings())


def test_d10_reading_back_what_the_app_wrote_is_no_change():
    """Hike -> BigCommerce create, then BigCommerce's answer read back: its fingerprint is what the engine stores
    for the BigCommerce side, and the next pass finds the same product unchanged."""
    c = ctx()
    record = product_from_hike(hike_simple(), c)
    body = bc_product_body(record, c, None)
    answer = BCProduct.from_api({**{k: v for k, v in body.items() if k not in ("images", "variants")}, "id": 900,
                                 "brand_id": 5, "date_modified": "2024-05-03T00:00:00+00:00"})
    stored = fingerprint(product_from_bc(answer, c), BC_TO_HIKE, settings())
    later = BCProduct.from_api({**answer.raw, "date_modified": "2024-05-04T00:00:00+00:00", "inventory_level": 1})
    assert fingerprint(product_from_bc(later, c), BC_TO_HIKE, settings()) == stored
    edited = BCProduct.from_api({**answer.raw, "name": "Linen Shirt (edited in BigCommerce)"})
    assert fingerprint(product_from_bc(edited, c), BC_TO_HIKE, settings()) != stored
    assert bc_product_body(record, c, answer) == {}  # and nothing to send back


# ---------------------------------------------------------------------------------------------------------------
# the per-record log
def test_m2_diff_lists_changed_fields_json_safe():
    before = product_from_hike(hike_simple(), ctx())
    after = replace(before, price_ex_tax=D("19.0000"), price_inc_tax=D("20.90"), cost=D("4.0"), name="New name",
                    categories=("Shirts", "Sale"))
    changes = diff(before, after, ["name", "price_ex_tax", "price_inc_tax", "cost", "categories", "sku"])
    assert changes == {"name": ["Linen Shirt", "New name"], "price_ex_tax": ["18.1818", "19.0000"],
                       "price_inc_tax": ["20.00", "20.90"], "categories": [["Shirts"], ["Shirts", "Sale"]]}
    assert json.loads(json.dumps(changes)) == changes
    assert diff(before, before) == {}
    created = diff(None, after, ["name", "stock"])
    assert created == {"name": [None, "New name"], "stock": [None, "4"]}
    everything = diff(before, replace(after, variants=(VariantRecord(1, "V", None, price_ex_tax=D(1)),)))
    assert everything["variants"][1][0]["price_ex_tax"] == "1" and "id" not in everything
    fields_before = synced_fields(before, HIKE_TO_BC, settings())
    fields_after = synced_fields(after, HIKE_TO_BC, settings())
    assert set(diff(fields_before, fields_after)) == {"name", "price", "categories"}
