"""Sync settings: the JSON form, hand-edited files, validate() (C5: what keeps Save disabled) and resolve()."""
from __future__ import annotations

import json
import os
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from desktop.sync import settings as settings_mod
from desktop.sync.bigcommerce import BCLocation, BCTaxClass
from desktop.sync.hike_models import HikeOutlet, HikePaymentType, HikeRegister, HikeTax
from desktop.sync.settings import (BcToHike, HikeToBc, PaymentMapping, Problem, Settings, SettingsError,
                                   StoreFacts)

EXAMPLE = json.loads("""{"inventory_outlet": "Main Street", "ecommerce_outlet": null, "combined_inventory_outlets": [],
 "bigcommerce_location_id": 1, "tax_map": {"GST": "Default Tax Class"}, "shipping_tax": "GST",
 "payment_mapping": {"mode": "all_as_bigcommerce", "map": {}}, "price_type": "price", "tax_inclusive": true,
 "payment_register": null, "bc_to_hike": {"inventory_on_order": true, "full_orders": true, "new_products": true},
 "product_visibility_all_outlets": true, "hike_to_bc": {"inventory": true, "new_products": true, "full_orders": false},
 "description_sync": "bc_to_hike", "image_sync": "bc_to_hike", "non_sku_products": "auto_assign",
 "category_sync": "match_or_create", "shipping_details": false, "schedule_minutes": 5,
 "safety_stock": {"buffer": 0, "skus": {}}, "field_ownership": {}}""")

FACTS = StoreFacts(
    hike_outlets=[HikeOutlet(1, "Main Street", 10, True), HikeOutlet(2, "Harbour Mall", 10, True),
                  HikeOutlet(3, "Online Store", 10, True), HikeOutlet(4, "Old Shop", 10, False)],
    hike_registers=[HikeRegister(1, "Main Register", 1, 10, "", "", True),
                    HikeRegister(2, "Mall Register", 2, 10, "", "", True),
                    HikeRegister(3, "Web Register", 3, 10, "WEB", "", True)],
    hike_taxes=[HikeTax(10, "GST", Decimal(10), True), HikeTax(11, "No Tax", Decimal(0), True)],
    hike_payment_types=[HikePaymentType(1, "Cash", 1, "Cash", True), HikePaymentType(2, "Card", 2, "Card", True),
                        HikePaymentType(3, "BigCommerce", 9, "eCommerce", True)],
    bc_tax_classes=[BCTaxClass(1, "Non-Taxable Products"), BCTaxClass(2, "Shipping")],
    bc_locations=[BCLocation(1, "MAIN", "Main warehouse", True), BCLocation(2, "POPUP", "Pop-up", False)],
    bc_payment_methods=["Credit Card", "PayPal"],
)


def good() -> Settings:
    s = Settings.from_json(EXAMPLE)
    s.tax_map = {"GST": "Default Tax Class", "No Tax": "Non-Taxable Products"}
    return s


def keys(problems: list[Problem], mandatory: bool | None = None) -> list[str]:
    return [p.key for p in problems if mandatory is None or p.mandatory == mandatory]


# ---------------------------------------------------------------------------------------------------------------
# the JSON form
def test_settings_example_json_round_trips_exactly_key_for_key():
    s = Settings.from_json(EXAMPLE)
    assert s.inventory_outlet == "Main Street" and s.tax_map == {"GST": "Default Tax Class"}
    assert s.bc_to_hike == BcToHike(True, True, True) and s.hike_to_bc == HikeToBc(True, True, False)
    assert s.to_json() == EXAMPLE
    assert list(s.to_json()) == list(EXAMPLE)  # same keys, same order


def test_settings_save_load_round_trip_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "nested" / "settings.json"
    s = good()
    s.save(path)
    assert Settings.load(path) == s
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]  # no temp file left behind
    before = path.read_text()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    s.schedule_minutes = 30
    with pytest.raises(OSError):
        s.save(path)
    assert path.read_text() == before  # the old file is intact
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]


refs = st.one_of(st.integers(min_value=0, max_value=10**6),
                 st.text(st.characters(categories=("L", "N", "Zs")), min_size=1, max_size=12)
                 .map(str.strip).filter(bool))


@st.composite
def any_settings(draw) -> Settings:
    return Settings(
        inventory_outlet=draw(st.none() | refs), ecommerce_outlet=draw(st.none() | refs),
        combined_inventory_outlets=draw(st.lists(refs, max_size=3)),
        bigcommerce_location_id=draw(st.none() | refs),
        tax_map=draw(st.dictionaries(st.text(min_size=1, max_size=8).map(str.strip).filter(bool),
                                     st.none() | refs, max_size=3)),
        shipping_tax=draw(st.none() | refs),
        payment_mapping=PaymentMapping(draw(st.sampled_from(settings_mod.PAYMENT_MODES)),
                                       draw(st.dictionaries(st.text(min_size=1, max_size=8).map(str.strip)
                                                            .filter(bool), st.none() | refs, max_size=3))),
        price_type=draw(st.sampled_from(settings_mod.PRICE_TYPES)), tax_inclusive=draw(st.booleans()),
        payment_register=draw(st.none() | refs),
        bc_to_hike=BcToHike(draw(st.booleans()), draw(st.booleans()), draw(st.booleans())),
        product_visibility_all_outlets=draw(st.booleans()),
        hike_to_bc=HikeToBc(draw(st.booleans()), draw(st.booleans()), draw(st.booleans())),
        description_sync=draw(st.sampled_from(settings_mod.SYNC_DIRECTIONS)),
        image_sync=draw(st.sampled_from(settings_mod.SYNC_DIRECTIONS)),
        non_sku_products=draw(st.sampled_from(settings_mod.NON_SKU_CHOICES)),
        category_sync=draw(st.sampled_from(settings_mod.CATEGORY_CHOICES)),
        shipping_details=draw(st.booleans()), schedule_minutes=draw(st.integers(min_value=-5, max_value=10**5)))


@hsettings(max_examples=100, deadline=None)
@given(any_settings())
def test_settings_any_settings_round_trip_through_json_text(s: Settings):
    assert Settings.from_json(json.loads(json.dumps(s.to_json()))) == s


def test_s16_s17_s15_template_is_the_articles_recommendation():
    t = Settings.template()
    assert t.description_sync == "bc_to_hike" and t.image_sync == "bc_to_hike"  # S16, S17 "recommended"
    assert t.hike_to_bc.full_orders is False  # S15 "not recommended"
    assert t.payment_mapping.mode == "all_as_bigcommerce"  # S5 first option
    assert t.non_sku_products == "auto_assign" and t.category_sync == "match_or_create"
    assert t.schedule_minutes == settings_mod.MIN_SCHEDULE_MINUTES and t.bigcommerce_location_id == 1
    assert t.inventory_outlet is None  # the store's own choice
    assert Settings.from_json(t.to_json()) == t
    assert json.loads(t.dumps()) == t.to_json()


def test_settings_missing_keys_take_the_recommended_defaults():
    s = Settings.from_json({"inventory_outlet": 1})
    assert s == replace(Settings.template(), inventory_outlet=1)


def test_settings_every_shape_problem_is_listed_with_its_key_path():
    data = dict(EXAMPLE)
    data.update({
        "colour": "blue",  # unknown key
        "inventory_outlet": 3.5,  # wrong type
        "combined_inventory_outlets": ["Main Street", None, True],
        "tax_map": {"GST": ["x"]},
        "payment_mapping": {"mode": "cash_only", "map": {}, "extra": 1},
        "price_type": "msrp",
        "tax_inclusive": "yes",
        "bc_to_hike": {"inventory_on_order": 1, "full_orders": True, "new_products": True, "typo": True},
        "hike_to_bc": [],
        "description_sync": "hike_to_bc",
        "image_sync": None,
        "non_sku_products": "ignore",
        "category_sync": "all",
        "shipping_details": "false",
        "schedule_minutes": "5",
    })
    with pytest.raises(SettingsError) as caught:
        Settings.from_json(data)
    got = {p.key for p in caught.value.problems}
    assert got == {"colour", "inventory_outlet", "combined_inventory_outlets[1]", "combined_inventory_outlets[2]",
                   "tax_map.GST", "payment_mapping.mode", "payment_mapping.extra", "price_type", "tax_inclusive",
                   "bc_to_hike.inventory_on_order", "bc_to_hike.typo", "hike_to_bc", "description_sync",
                   "image_sync", "non_sku_products", "category_sync", "shipping_details", "schedule_minutes"}
    text = str(caught.value)
    for key in got:
        assert f"- {key}: " in text
    assert "msrp" in text and "price, retail_price, sale_price" in text


def test_issue20_safety_stock_is_whole_units_and_a_skus_own_replaces_the_default():
    with pytest.raises(SettingsError) as caught:
        Settings.from_json({**EXAMPLE, "safety_stock": {"buffer": -1, "skus": {"A": 2.5, " ": 1, "B": True},
                                                        "extra": 1}})
    got = {p.key: p.message for p in caught.value.problems}
    assert set(got) == {"safety_stock.buffer", "safety_stock.skus.A", "safety_stock.skus", "safety_stock.skus.B",
                        "safety_stock.extra"}
    assert "from 0 to 1,000,000, not -1" in got["safety_stock.buffer"]
    assert "empty SKU" in got["safety_stock.skus"]

    settings = Settings.from_json({**EXAMPLE, "safety_stock": {"buffer": 2, "skus": {"Mug-1 ": 0}}})
    buffer_of = settings.safety_stock.lookup()
    assert (buffer_of("mug-1"), buffer_of(" MUG-1"), buffer_of("OTHER"), buffer_of(None)) == (0, 0, 2, 2)
    settings.safety_stock.set_sku("MUG-1", 4)
    assert settings.safety_stock.skus == {"MUG-1": 4}, "the same SKU typed otherwise is replaced, not added"
    settings.safety_stock.set_sku("mug-1", None)
    assert settings.safety_stock.skus == {} and settings.safety_stock.own("MUG-1") is None
    assert Settings.from_json({k: v for k, v in EXAMPLE.items() if k != "safety_stock"}).safety_stock.buffer == 0, \
        "a file written before safety stock loads with none"


def test_settings_hand_edited_file_that_is_not_json_says_where(tmp_path: Path):
    path = tmp_path / "settings.json"
    path.write_text('{"inventory_outlet": "Main Street",\n "schedule_minutes": 5,,}\n')
    with pytest.raises(SettingsError) as caught:
        Settings.load(path)
    assert "not valid JSON" in str(caught.value) and "line 2" in str(caught.value)


def test_settings_file_that_is_json_but_not_an_object_or_missing(tmp_path: Path):
    path = tmp_path / "settings.json"
    path.write_text("[1, 2]")
    with pytest.raises(SettingsError, match="must be a JSON object"):
        Settings.load(path)
    with pytest.raises(SettingsError, match="no settings file"):
        Settings.load(tmp_path / "absent.json")
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SettingsError):
        Settings.load(path)


def test_settings_blank_names_mean_not_chosen():
    s = Settings.from_json({**EXAMPLE, "ecommerce_outlet": "  ", "inventory_outlet": " Main Street "})
    assert s.ecommerce_outlet is None and s.inventory_outlet == "Main Street"


# ---------------------------------------------------------------------------------------------------------------
# validate() without the stores: the shape rules
def test_c5_template_lists_the_mandatory_settings_left_to_fill():
    problems = Settings.template().validate()
    assert keys(problems, mandatory=True) == ["inventory_outlet", "tax_map", "shipping_tax"]
    assert all(p.message and p.message[0].isupper() for p in problems)


def test_c5_complete_example_has_no_problem():
    assert Settings.from_json(EXAMPLE).validate() == []


def test_s1_inventory_outlet_is_mandatory():
    s = replace(good(), inventory_outlet=None)
    assert keys(s.validate(), True) == ["inventory_outlet"]


def test_s2_tax_map_and_every_mapped_class_are_mandatory():
    assert keys(replace(good(), tax_map={}).validate(), True) == ["tax_map"]
    assert keys(replace(good(), tax_map={"GST": None}).validate(), True) == ["tax_map.GST"]


def test_s2_d6_shipping_tax_is_mandatory_only_with_full_orders_to_hike():
    s = replace(good(), shipping_tax=None)
    assert keys(s.validate(), True) == ["shipping_tax"]
    s.bc_to_hike = BcToHike(True, False, True)
    assert s.validate() == []


def test_s5_per_method_needs_a_payment_type_for_every_method():
    s = replace(good(), payment_mapping=PaymentMapping("per_method", {}))
    assert keys(s.validate(), True) == ["payment_mapping.map"]
    s.payment_mapping = PaymentMapping("per_method", {"PayPal": None, "Credit Card": "Card"})
    assert keys(s.validate(), True) == ["payment_mapping.map.PayPal"]


def test_settings_a_location_is_mandatory():
    assert keys(replace(good(), bigcommerce_location_id=None).validate(), True) == ["bigcommerce_location_id"]


def test_s3_ecommerce_outlet_equal_to_inventory_outlet_is_contradictory():
    s = replace(good(), ecommerce_outlet=" main street")
    assert keys(s.validate(), True) == ["ecommerce_outlet"]


def test_s4_combined_outlets_must_include_the_inventory_outlet():
    s = replace(good(), combined_inventory_outlets=["Harbour Mall", "Online Store"])
    assert keys(s.validate(), True) == ["combined_inventory_outlets"]
    s.combined_inventory_outlets = ["Harbour Mall", "main street"]
    assert s.validate() == []


def test_s4_combined_outlets_listed_twice_or_without_inventory_sync_are_warnings():
    s = replace(good(), combined_inventory_outlets=["Main Street", "Harbour Mall", "Harbour Mall"])
    assert keys(s.validate(), False) == ["combined_inventory_outlets[2]"]
    s.hike_to_bc = HikeToBc(False, True, False)
    assert keys(s.validate(), False) == ["combined_inventory_outlets[2]", "combined_inventory_outlets"]
    assert keys(s.validate(), True) == []


def test_s20_n3_schedule_below_five_minutes_is_refused():
    for minutes in (0, 1, 4, -3):
        problems = replace(good(), schedule_minutes=minutes).validate()
        assert keys(problems, True) == ["schedule_minutes"]
        assert "5000" in problems[0].message
    assert replace(good(), schedule_minutes=5).validate() == []


def test_s20_n3_default_schedule_keeps_idle_polling_within_a_quarter_of_hikes_budget():
    s = replace(good(), payment_register="Main Register", hike_to_bc=HikeToBc(True, True, True))
    assert s.hike_calls_per_idle_pass() == 4
    assert s.hike_polling_calls_per_day() == 288 * 4 <= settings_mod.HIKE_POLLING_BUDGET == 1250
    assert keys(s.validate(), True) == []


def test_s20_n3_a_schedule_that_puts_hikes_daily_budget_at_risk_is_refused(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(settings_mod, "HIKE_POLLING_BUDGET", 400)  # e.g. another app takes a bigger share
    s = replace(good(), schedule_minutes=10)
    assert s.hike_calls_per_idle_pass() == 3 and s.hike_polling_calls_per_day() == 432
    problems = s.validate()
    assert keys(problems, True) == ["schedule_minutes"]
    assert "about 432" in problems[0].message and "every 11 minutes" in problems[0].message  # 1440*3/400 -> 11
    assert replace(s, schedule_minutes=11).validate() == []


def test_s20_schedule_longer_than_a_day_is_refused():
    """issue 14 finding 8: a schedule must be between 5 minutes and a day (1 440 minutes). A longer one was saved
    with a warning, and 10**10 then stopped ``run`` with OverflowError; now neither the CLI nor the wizard saves it."""
    for minutes in (1441, 2000, 10**10, 10**100):
        problems = replace(good(), schedule_minutes=minutes).validate()
        assert keys(problems, True) == ["schedule_minutes"], minutes
        assert "1440" in problems[0].message
    assert replace(good(), schedule_minutes=settings_mod.MAX_SCHEDULE_MINUTES).validate() == []


def test_s20_a_saved_schedule_out_of_range_is_held_within_five_minutes_and_a_day(caplog):
    """issue 14 finding 8: settings read from the database to run on, where an older version (it only warned above
    a day) or a hand edit left a schedule ``validate`` now refuses: held within range, and the log says so."""
    for saved, used in ((10**10, 1440), (2000, 1440), (1440, 1440), (30, 30), (5, 5), (1, 5), (0, 5), (-7, 5)):
        caplog.clear()
        settings = Settings.from_saved({**EXAMPLE, "schedule_minutes": saved})
        assert settings.schedule_minutes == used, saved
        assert (f"every {saved} minutes" in caplog.text) is (saved != used)
        assert replace(good(), schedule_minutes=used).validate() == []


def test_s10_s15_full_orders_both_ways_is_allowed_with_a_warning():
    s = replace(good(), hike_to_bc=HikeToBc(True, True, True))
    problems = s.validate()
    assert keys(problems, True) == [] and keys(problems, False) == ["hike_to_bc.full_orders"]
    assert "Main Street" in problems[0].message


# ---------------------------------------------------------------------------------------------------------------
# validate() with the stores: names or ids
def test_c5_example_against_the_stores_has_no_problem():
    assert good().validate(FACTS) == []


def test_settings_names_or_ids_are_accepted_everywhere():
    by_id = Settings.from_json({
        **EXAMPLE, "inventory_outlet": 1, "ecommerce_outlet": "3", "combined_inventory_outlets": [1, "Harbour mall"],
        "bigcommerce_location_id": "Main warehouse", "tax_map": {"10": 0, "no tax": "1"}, "shipping_tax": 10,
        "payment_mapping": {"mode": "per_method", "map": {"Credit Card": 2, "PayPal": "card"}},
        "payment_register": "WEB REGISTER"})
    assert by_id.validate(FACTS) == []
    r = by_id.resolve(FACTS)
    assert (r.inventory_outlet_id, r.ecommerce_outlet_id, r.combined_outlet_ids) == (1, 3, (1, 2))
    assert r.bc_location_id == 1 and dict(r.tax_map) == {10: 0, 11: 1} and r.shipping_tax_id == 10
    assert dict(r.payment_map) == {"Credit Card": 2, "PayPal": 2} and r.payment_register_id == 3
    assert r.order_outlet_id == 3 and r.stock_outlet_ids == (1, 2) and r.price_outlet_id == 1
    assert r.hike_outlet_ids == (1, 2, 3)  # the inactive outlet is left out
    assert r.payment_type_for("paypal") == 2 and r.payment_type_for("Bitcoin") is None
    assert r.hike_tax_for(0) == 10 and r.bc_tax_class_for(11) == 1


def test_settings_a_name_wins_over_an_id_written_as_text():
    facts = replace(FACTS, hike_outlets=[*FACTS.hike_outlets, HikeOutlet(7, "2", 10, True)])
    r = replace(good(), inventory_outlet="2", combined_inventory_outlets=[]).resolve(facts)
    assert r.inventory_outlet_id == 7  # the outlet *named* "2", not outlet id 2


def test_settings_unknown_names_and_ids_are_named():
    s = replace(good(), inventory_outlet="Mian Street", combined_inventory_outlets=["Main Street", 99],
                bigcommerce_location_id=5, tax_map={"GST": "Luxury", "VAT": "Shipping", "No Tax": 1},
                shipping_tax="Sales Tax", payment_register="Till 9")
    problems = s.validate(FACTS)
    assert set(keys(problems, True)) == {"inventory_outlet", "combined_inventory_outlets[1]",
                                         "bigcommerce_location_id", "tax_map.GST", "tax_map.VAT", "shipping_tax",
                                         "payment_register"}
    messages = " ".join(p.message for p in problems)
    for name in ("“Mian Street”", "id 99", "id 5", "“Luxury”", "“VAT”", "“Sales Tax”", "“Till 9”"):
        assert name in messages
    assert "Main Street" in next(p.message for p in problems if p.key == "inventory_outlet")  # says what exists


def test_settings_two_objects_with_one_name_must_be_chosen_by_id():
    facts = replace(FACTS, hike_outlets=[*FACTS.hike_outlets, HikeOutlet(8, "main street", 10, True)])
    problems = good().validate(facts)
    assert keys(problems, True) == ["inventory_outlet"] and "ids 1, 8" in problems[0].message
    assert replace(good(), inventory_outlet=8).validate(facts) == []


def test_s2_every_hike_tax_in_use_needs_a_tax_class():
    s = replace(good(), tax_map={"GST": "Default Tax Class"})
    assert keys(s.validate(FACTS), True) == ["tax_map.No Tax"]
    assert s.validate(replace(FACTS, hike_taxes_in_use=frozenset({10}))) == []
    inactive = replace(FACTS, hike_taxes=[FACTS.hike_taxes[0], replace(FACTS.hike_taxes[1], is_active=False)])
    assert s.validate(inactive) == []


def test_s2_default_tax_class_is_known_although_bigcommerce_does_not_list_it():
    r = good().resolve(FACTS)
    assert r.tax_map[10] == settings_mod.DEFAULT_TAX_CLASS_ID
    listed = replace(FACTS, bc_tax_classes=[BCTaxClass(1, "Default Tax Class"), BCTaxClass(2, "Shipping")])
    assert replace(good(), tax_map={"GST": "Default Tax Class", "No Tax": "Shipping"}).resolve(listed).tax_map[10] == 1


def test_s5_per_method_every_bigcommerce_method_needs_a_hike_payment_type():
    s = replace(good(), payment_mapping=PaymentMapping("per_method", {"Credit Card": "Card", "Bank": "Cash",
                                                                      "PayPal": "Voucher"}))
    problems = s.validate(FACTS)
    assert keys(problems, True) == ["payment_mapping.map.PayPal"] and "“Voucher”" in problems[0].message
    assert keys(problems, False) == ["payment_mapping.map.Bank"]  # a method BigCommerce no longer has
    s.payment_mapping = PaymentMapping("per_method", {"Credit Card": "Card"})
    assert keys(s.validate(FACTS), True) == ["payment_mapping.map.PayPal"]


def test_s5_all_as_bigcommerce_needs_the_bigcommerce_payment_type_in_hike():
    facts = replace(FACTS, hike_payment_types=FACTS.hike_payment_types[:2])
    assert keys(good().validate(facts), True) == ["payment_mapping.mode"]
    assert good().resolve(FACTS).bigcommerce_payment_type_id == 3
    assert good().resolve(FACTS).payment_type_for("PayPal") == 3
    no_orders = replace(good(), bc_to_hike=BcToHike(True, False, True))
    assert no_orders.validate(facts) == []


def test_s8_payment_register_must_be_in_the_outlet_where_orders_land():
    s = replace(good(), payment_register="Web Register")
    problems = s.validate(FACTS)
    assert keys(problems, True) == ["payment_register"]
    assert "Online Store" in problems[0].message and "Main Street" in problems[0].message
    assert replace(s, payment_register="Main Register").validate(FACTS) == []
    assert replace(s, ecommerce_outlet="Online Store").validate(FACTS) == []  # S3: orders land online
    assert keys(replace(s, ecommerce_outlet="Online Store", payment_register=1).validate(FACTS), True) == [
        "payment_register"]


def test_s3_ecommerce_outlet_equal_to_inventory_outlet_by_name_and_id():
    s = replace(good(), ecommerce_outlet=1)
    assert keys(s.validate(FACTS), True) == ["ecommerce_outlet"]


def test_s4_combined_outlets_without_the_inventory_outlet_by_ids():
    s = replace(good(), combined_inventory_outlets=[2, "Online Store"])
    assert keys(s.validate(FACTS), True) == ["combined_inventory_outlets"]
    assert replace(s, combined_inventory_outlets=[2, 1]).validate(FACTS) == []


def test_settings_inactive_outlet_and_disabled_location():
    s = replace(good(), inventory_outlet="Old Shop")
    assert keys(s.validate(FACTS), False) == ["inventory_outlet"]
    assert keys(replace(good(), bigcommerce_location_id=2).validate(FACTS), True) == ["bigcommerce_location_id"]


def test_p2_tax_inclusive_mismatch_is_a_warning():
    problems = good().validate(replace(FACTS, bc_prices_inc_tax=False))
    assert keys(problems, False) == ["tax_inclusive"] and keys(problems, True) == []
    assert good().validate(replace(FACTS, bc_prices_inc_tax=True)) == []


def test_s12_visible_outlets_all_or_the_connected_ones():
    r = good().resolve(FACTS)
    assert r.visible_outlet_ids == (1, 2, 3)
    r = replace(good(), product_visibility_all_outlets=False, ecommerce_outlet="Online Store").resolve(FACTS)
    assert r.visible_outlet_ids == (1, 3)


def test_c5_resolve_refuses_settings_with_mandatory_problems_and_lists_them():
    s = replace(good(), inventory_outlet=None, shipping_tax="Nope", hike_to_bc=HikeToBc(True, True, True))
    with pytest.raises(SettingsError) as caught:
        s.resolve(FACTS)
    assert keys(caught.value.problems) == ["inventory_outlet", "shipping_tax"]  # warnings do not block
    assert "inventory_outlet" in str(caught.value) and "shipping_tax" in str(caught.value)
    assert [p.key for p in s.missing_mandatory(FACTS)] == ["inventory_outlet", "shipping_tax"]
