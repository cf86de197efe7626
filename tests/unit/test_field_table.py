"""The field table (issue 15, part 2): everything derived from it gives what the code before it gave, and one table
entry alone makes a field sync.

The oracle (``tests/unit/field_oracle.py``) is a frozen copy of the mapping and customer field code from before the
table. Records, synced fields, fingerprints and bodies are compared with it over generated records, existing store
records and settings, and over the sandbox's demo catalogs. Bodies are compared as JSON text with sorted keys and
Decimals by their exact text (``Decimal('10.00')`` is not ``Decimal('10')``): the same keys, values and list order;
the order of keys inside a JSON object is not compared (neither API reads it).
"""
from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from desktop.sync import customer_fields, mapping, product_fields
from desktop.sync.bigcommerce import BCCustomer, BCProduct
from desktop.sync.engine import store_facts
from desktop.sync.field_table import Direct, Field, anything
from desktop.sync.hike_models import Fields, HikeCustomer, HikeProduct
from desktop.sync.mapping import BC_TO_HIKE, HIKE_TO_BC, MappingContext
from desktop.sync.records import ProductRecord, VariantRecord, jsonable
from desktop.sync.settings import HikeToBc, Settings
from tests.unit import field_oracle as old
from tests.unit.test_mapping import SYNCED_CHANGES, bc_product, ctx, hike_simple, product_records, settings

D = Decimal
SETTLE = hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(fn: Callable[..., Any], *args: Any) -> tuple[str, str]:
    """What a call gave, as comparable text: its JSON (sorted keys, exact Decimals), or the error it raised."""
    try:
        return "ok", json.dumps(fn(*args), sort_keys=True, default=repr)
    except ValueError as exc:  # MappingError (each side has its own class)
        return "error", str(exc)


def same(new: Callable[..., Any], oracle: Callable[..., Any], *args: Any) -> None:
    assert outcome(new, *args) == outcome(oracle, *args)


# -- strategies: small pools, so records and existing products often agree (and "nothing to send" is tested) -------
money = st.sampled_from([None, D(0), D("10"), D("10.00"), D("12.5"), D("18.1818"), D("20.00"), D("45.4545")])
texts = st.sampled_from(["", " ", "Shirt", " Shirt ", "shirt", "Jeans"])
skus = st.none() | st.sampled_from(["", " ", "SH-1", "sh-1 ", "J-30", "J-32"])
barcodes = st.none() | st.sampled_from(["", "9300001", " 9300001", "9300002"])
descriptions = st.sampled_from(["", "<p>Strong <b>canvas</b></p>", "Soft linen.\n\nWash cold.", " x ", "x"])
options = st.lists(st.tuples(st.sampled_from(["Size", "Option"]), st.sampled_from(["30", "32", "s"])),
                   max_size=2).map(tuple)
pool_variants = st.builds(
    VariantRecord, id=st.none() | st.integers(1, 999), sku=skus, barcode=barcodes, options=options,
    price_ex_tax=money, price_inc_tax=money, cost=money, stock=st.sampled_from([D(0), D(3), D("2.5")]),
    weight=money)
pool_records = st.builds(
    ProductRecord, side=st.sampled_from(["hike", "bigcommerce"]), id=st.none() | st.integers(1, 999), name=texts,
    sku=skus, barcode=barcodes, description_html=descriptions, description_text=descriptions,
    price_ex_tax=money, price_inc_tax=money, cost=money,
    tax_key=st.none() | st.sampled_from(["GST", "No Tax", "gst", 0, 1, 2, 10]), track_inventory=st.booleans(),
    stock=st.sampled_from([D(0), D(7), D("2.5"), D(-1)]),
    categories=st.lists(st.sampled_from(["Shirts", "Jeans", "Sale", "Hats", " shirts"]), max_size=3).map(tuple),
    brand=st.none() | st.sampled_from(["", "Acme", "acme ", "Bolt", "Zed"]), active=st.booleans(),
    weight=money, width=money, height=money, depth=money,
    image_urls=st.lists(st.sampled_from(["https://img.test/a.jpg", "https://img.test/b.jpg"]), max_size=2,
                        unique=True).map(tuple),
    variants=st.lists(pool_variants, max_size=3).map(tuple))
records = pool_records | product_records


def make_settings(price_type: str, inc: bool, desc: str, img: str, cat: str, dims: bool, inventory: bool,
                  all_outlets: bool, online: str | None) -> Settings:
    s = settings(price_type=price_type, tax_inclusive=inc, description_sync=desc, image_sync=img, category_sync=cat,
                 shipping_details=dims, product_visibility_all_outlets=all_outlets, ecommerce_outlet=online)
    s.hike_to_bc = HikeToBc(inventory=inventory)
    return s


all_settings = st.builds(
    make_settings, st.sampled_from(["price", "retail_price", "sale_price"]), st.booleans(),
    st.sampled_from(["bc_to_hike", "two_way"]), st.sampled_from(["bc_to_hike", "two_way"]),
    st.sampled_from(["match_or_create", "match_only", "none"]), st.booleans(), st.booleans(), st.booleans(),
    st.sampled_from([None, "Online Store"]))


def make_context(s: Settings, inc: bool, location: int) -> MappingContext:
    """``location``: BigCommerce's default location (1) takes stock in the product body; another does not."""
    c = ctx(s, inc=inc)
    return replace(c, settings=replace(c.settings, bc_location_id=location))


contexts = st.builds(make_context, all_settings, st.booleans(), st.sampled_from([1, 2]))
directions = st.sampled_from([HIKE_TO_BC, BC_TO_HIKE])

bc_variant_raws = st.fixed_dictionaries({
    "id": st.integers(1, 999), "sku": st.sampled_from(["", "J-30", "j-30", "J-32", "SH-1"]),
    "upc": st.sampled_from(["", "9300001", "9300002"]), "price": money, "sale_price": money, "retail_price": money,
    "cost_price": money, "weight": money, "inventory_level": st.integers(0, 5),
    "option_values": st.lists(st.fixed_dictionaries({"option_display_name": st.sampled_from(["Size", "Option"]),
                                                     "label": st.sampled_from(["30", "32", "S"])}), max_size=2)})
bc_raws = st.fixed_dictionaries({
    "id": st.integers(1, 999), "name": texts, "sku": st.sampled_from(["", "SH-1", "sh-1", "J-30"]),
    "upc": st.sampled_from(["", "9300001"]), "price": money, "retail_price": money, "sale_price": money,
    "cost_price": money, "weight": money, "width": money, "height": money, "depth": money,
    "description": descriptions, "inventory_level": st.integers(0, 9),
    "inventory_tracking": st.sampled_from(["none", "product", "variant"]),
    "categories": st.lists(st.sampled_from([20, 21, 22, 99]), unique=True, max_size=3),
    "brand_id": st.sampled_from([0, 5, 6]), "tax_class_id": st.sampled_from([0, 1, 2]), "is_visible": st.booleans(),
    "variants": st.lists(bc_variant_raws, max_size=3),
    "images": st.lists(st.fixed_dictionaries({"id": st.integers(1, 9), "url_zoom": st.sampled_from(
        ["https://cdn.test/1.jpg", "https://img.test/a.jpg"]), "is_thumbnail": st.booleans()}), max_size=2)})
hike_rows = st.lists(st.fixed_dictionaries({
    "outlet_id": st.sampled_from([1, 2, 3]), "price_ex_tax": money, "price_inc_tax": money,
    "tax_id": st.sampled_from([None, 10, 11]), "tax_rate": st.sampled_from([None, D(10), D(0)]),
    "cost_price": money, "on_hand_inventory": st.sampled_from([D(0), D(4), D("1.5")])}),
    max_size=3, unique_by=lambda r: r["outlet_id"])
hike_variant_raws = st.fixed_dictionaries({
    "prod_variant_id": st.integers(1, 999), "variant_name": st.sampled_from(["Shirt / 30", "Jeans / 32", "x"]),
    "sku": st.sampled_from(["", "J-30", "j-30", "J-32"]), "barcode": st.sampled_from(["", "9300002"]),
    "variant_sub_values": st.lists(st.fixed_dictionaries({"variant_sub_value_name": st.sampled_from(
        ["30", "32", "S"])}), max_size=2),
    "variant_outlets": hike_rows, "weight": money})
hike_raws = st.fixed_dictionaries({
    "id": st.integers(1, 999), "name": texts, "sku": st.sampled_from(["", "SH-1", "sh-1"]),
    "barcode": st.sampled_from(["", "9300001"]), "description": descriptions,
    "brand_id": st.sampled_from([None, 7, 8]), "bran_name": st.sampled_from([None, "Acme", "Bolt"]),
    "track_inventory": st.booleans(), "isActive": st.booleans(),
    "product_type": st.lists(st.fixed_dictionaries({"type_id": st.sampled_from([30, 31]),
                                                    "type_name": st.sampled_from(["Shirts", "Jeans"])}), max_size=1),
    "sales_channels": st.sampled_from([[{"sales_channels": "1"}], [{"sales_channels": "1"}, {"sales_channels": "2"}]]),
    "product_outlets": hike_rows, "product_variants": st.lists(hike_variant_raws, max_size=3),
    "isPricingDifferentByOutlet": st.booleans(), "weight": money, "width": money, "height": money, "length": money,
    "additional_images": st.lists(st.fixed_dictionaries({"image_url": st.sampled_from(
        ["https://img.test/a.jpg", "https://img.test/b.jpg"])}), max_size=2)})
hike_products = hike_raws.map(HikeProduct.from_api)
bc_products = bc_raws.map(BCProduct.from_api)


# -- products ------------------------------------------------------------------------------------------------------
def assert_same_record(new: ProductRecord, oracle: ProductRecord) -> None:
    assert new == oracle
    assert json.dumps(jsonable(new), sort_keys=True) == json.dumps(jsonable(oracle), sort_keys=True)


@SETTLE
@given(hike_products, bc_products, contexts)
def test_records_from_the_stores_are_as_before(hike_p: HikeProduct, bc_p: BCProduct, c: MappingContext):
    assert_same_record(mapping.product_from_hike(hike_p, c), old.product_from_hike(hike_p, c))
    assert_same_record(mapping.product_from_bc(bc_p, c), old.product_from_bc(bc_p, c))


@SETTLE
@given(records, directions, all_settings)
def test_synced_fields_and_fingerprints_are_as_before(record: ProductRecord, direction: str, s: Settings):
    new, oracle = mapping.synced_fields(record, direction, s), old.synced_fields(record, direction, s)
    assert list(new.items()) == list(oracle.items())  # same keys in the same order, same values
    assert mapping.fingerprint(record, direction, s) == old.fingerprint(record, direction, s)


@SETTLE
@given(records, records, st.sampled_from([None, ["name", "price_ex_tax", "stock", "variants"]]))
def test_diff_is_as_before(before: ProductRecord, after: ProductRecord, names: list[str] | None):
    same(mapping.diff, old.diff, before, after, names)
    same(mapping.diff, old.diff, None, after, names)


@SETTLE
@given(records, contexts)
def test_create_bodies_are_as_before(record: ProductRecord, c: MappingContext):
    same(mapping.bc_product_body, old.bc_product_body, record, c, None)
    same(mapping.hike_product_body, old.hike_product_body, record, c, None)


@SETTLE
@given(records, bc_products, contexts)
def test_bigcommerce_update_bodies_are_as_before(record: ProductRecord, existing: BCProduct, c: MappingContext):
    same(mapping.bc_product_body, old.bc_product_body, record, c, existing)
    same(mapping.bc_variant_create_bodies, old.bc_variant_create_bodies, record, c, existing)


@SETTLE
@given(records, hike_products, contexts)
def test_hike_update_bodies_are_as_before(record: ProductRecord, existing: HikeProduct, c: MappingContext):
    same(mapping.hike_product_body, old.hike_product_body, record, c, existing)


def made_by(body: dict[str, Any], side: str) -> BCProduct | HikeProduct:
    """The product a create body makes, as the store then reads it (ids added)."""
    if side == "bigcommerce":
        variants = [{**v, "id": 600 + i} for i, v in enumerate(body.get("variants", []))]
        return BCProduct.from_api({**body, "id": 900, "variants": variants})
    variants = [{**v, "prod_variant_id": 700 + i} for i, v in enumerate(body.get("product_variants", []))]
    return HikeProduct.from_api({**body, "id": 800, "product_variants": variants})


@SETTLE
@given(records, contexts, st.sampled_from([None, *sorted(SYNCED_CHANGES)]))
def test_update_bodies_over_what_a_create_made_are_as_before(record: ProductRecord, c: MappingContext,
                                                             change: str | None):
    """Updates of a product as the app created it: nothing to send, or only the changed field."""
    changed = SYNCED_CHANGES[change](record) if change else record
    for side, create, update in (("bigcommerce", old.bc_product_body, mapping.bc_product_body),
                                 ("hike", old.hike_product_body, mapping.hike_product_body)):
        try:
            existing = made_by(create(record, c, None), side)
        except ValueError:
            continue  # no price or no SKU: never created
        same(update, create, changed, c, existing)
        if side == "bigcommerce":
            same(mapping.bc_variant_create_bodies, old.bc_variant_create_bodies, changed, c, existing)


@SETTLE
@given(hike_products, bc_products, contexts)
def test_bodies_between_records_read_from_the_stores_are_as_before(hike_p: HikeProduct, bc_p: BCProduct,
                                                                   c: MappingContext):
    """The engine's own use: a record read from one store written over the other store's product."""
    from_hike, from_bc = mapping.product_from_hike(hike_p, c), mapping.product_from_bc(bc_p, c)
    for record, existing in ((from_hike, bc_p), (from_hike, None)):
        same(mapping.bc_product_body, old.bc_product_body, record, c, existing)
    same(mapping.bc_variant_create_bodies, old.bc_variant_create_bodies, from_hike, c, bc_p)
    for record, existing in ((from_bc, hike_p), (from_bc, None)):
        same(mapping.hike_product_body, old.hike_product_body, record, c, existing)
    for direction, record in ((HIKE_TO_BC, from_hike), (BC_TO_HIKE, from_bc)):
        assert mapping.fingerprint(record, direction, c.settings) == old.fingerprint(record, direction, c.settings)


# -- customers -----------------------------------------------------------------------------------------------------
names = st.sampled_from(["", " ", "Ann", " Ann ", "ann", "Bob"])
places = {"address1": st.sampled_from(["", "1 Main St", " 1 Main St"]), "address2": st.sampled_from(["", "Unit 4"]),
          "city": st.sampled_from(["", "Sydney"]), "country_code": st.sampled_from(["", "au", "AU", "AUS"])}
hike_addresses = st.none() | st.fixed_dictionaries({
    "id": st.none() | st.integers(1, 99), **places, "state": st.sampled_from(["", "NSW"]),
    "postcode": st.sampled_from(["", "2000"]), "country_name": st.just("Australia"),
    "receiverName": st.just(""), "receiverPhone": st.sampled_from(["", "0400"])})
hike_customers = st.fixed_dictionaries({
    "id": st.integers(1, 999), "first_name": names, "last_name": names,
    "email": st.sampled_from([None, "", "a@x.test", " A@x.test "]), "phone": st.sampled_from(["", "0400", " 0400"]),
    "company_name": st.sampled_from(["", "Acme", "Acme "]), "billing_address": hike_addresses,
    "shipping_address": hike_addresses}).map(HikeCustomer.from_api)
bc_addresses = st.fixed_dictionaries({
    "id": st.integers(1, 99), "first_name": names, "last_name": names, **places,
    "state_or_province": st.sampled_from(["", "NSW"]), "postal_code": st.sampled_from(["", "2000"]),
    "country": st.sampled_from(["", "Australia"]), "phone": st.sampled_from(["", "0400"])})
bc_customers = st.fixed_dictionaries({
    "id": st.integers(1, 999), "email": st.sampled_from(["", "a@x.test", "A@x.test "]), "first_name": names,
    "last_name": names, "company": st.sampled_from(["", "Acme"]), "phone": st.sampled_from(["", "0400"]),
    "addresses": st.lists(bc_addresses, max_size=3)}).map(BCCustomer.from_api)


def assert_customers_as_before(hike_c: HikeCustomer, bc_c: BCCustomer) -> None:
    new_h, new_b = customer_fields.from_hike(hike_c), customer_fields.from_bc(bc_c)
    old_h, old_b = old.from_hike(hike_c), old.from_bc(bc_c)
    assert new_h.as_dict() == old_h.as_dict() and new_b.as_dict() == old_b.as_dict()
    assert customer_fields.fingerprint(new_h) == old.customer_fingerprint(old_h)
    assert customer_fields.fingerprint(new_b) == old.customer_fingerprint(old_b)
    assert customer_fields.diff(new_h, new_b) == old.customer_diff(old_h, old_b)
    assert customer_fields.diff(None, new_b) == old.customer_diff(None, old_b)
    same(customer_fields.bc_create_body, old.bc_create_body, hike_c)
    same(customer_fields.hike_create_body, old.hike_create_body, bc_c)
    same(customer_fields.hike_update_body, old.hike_update_body, hike_c, bc_c)
    same(customer_fields.bc_update_body, old.bc_update_body, hike_c, bc_c)
    same(customer_fields.bc_address_body, old.bc_address_body, hike_c, bc_c)


@SETTLE
@given(hike_customers, bc_customers)
def test_customer_fields_fingerprints_and_bodies_are_as_before(hike_c: HikeCustomer, bc_c: BCCustomer):
    assert_customers_as_before(hike_c, bc_c)


# -- the sandbox's demo catalogs -----------------------------------------------------------------------------------
SEED_SETTINGS = [
    {},
    {"price_type": "retail_price", "tax_inclusive": False, "description_sync": "two_way", "image_sync": "two_way",
     "shipping_details": True, "category_sync": "none", "product_visibility_all_outlets": False},
    {"price_type": "sale_price", "category_sync": "match_only",
     "hike_to_bc": {"inventory": False, "new_products": True, "full_orders": False}},
]


@pytest.fixture(scope="module")
def demo():
    from tests.integration.stores import connect
    connected = connect("demo")
    try:
        hike, bc = connected.hike, connected.bc
        facts = store_facts(hike, bc)
        lookups = {"hike_taxes": facts.hike_taxes, "store_info": bc.store_info(),
                   "bc_tax_classes": facts.bc_tax_classes, "bc_brands": bc.brands(), "bc_categories": bc.categories(),
                   "hike_brands": hike.brands(), "hike_product_types": hike.product_types()}
        yield (facts, lookups, [p for p in hike.products() if not p.parent_id], list(bc.products()),
               list(hike.customers()), list(bc.customers()))
    finally:
        connected.close()


@pytest.mark.parametrize("overrides", SEED_SETTINGS)
def test_the_demo_catalogs_map_as_before(demo, overrides):
    facts, lookups, hike_ps, bc_ps, _, _ = demo
    base = {**Settings.template().to_json(), "inventory_outlet": "Main Street", "shipping_tax": "GST",
            "tax_map": {"GST": "Default Tax Class", "No Tax": "Non-Taxable Products"}}
    s = Settings.from_json({**base, **overrides})
    c = MappingContext.build(s.resolve(facts), **lookups)
    bc_by_sku = {p.sku.strip().lower(): p for p in bc_ps if p.sku}
    hike_by_sku = {p.sku.strip().lower(): p for p in hike_ps if p.sku}
    for hike_p in hike_ps:
        record = mapping.product_from_hike(hike_p, c)
        assert_same_record(record, old.product_from_hike(hike_p, c))
        assert mapping.fingerprint(record, HIKE_TO_BC, s) == old.fingerprint(record, HIKE_TO_BC, s)
        existing = bc_by_sku.get((hike_p.sku or "").strip().lower())
        same(mapping.bc_product_body, old.bc_product_body, record, c, None)
        if existing is not None:
            same(mapping.bc_product_body, old.bc_product_body, record, c, existing)
            same(mapping.bc_variant_create_bodies, old.bc_variant_create_bodies, record, c, existing)
    for bc_p in bc_ps:
        record = mapping.product_from_bc(bc_p, c)
        assert_same_record(record, old.product_from_bc(bc_p, c))
        assert mapping.fingerprint(record, BC_TO_HIKE, s) == old.fingerprint(record, BC_TO_HIKE, s)
        existing = hike_by_sku.get(bc_p.sku.strip().lower())
        same(mapping.hike_product_body, old.hike_product_body, record, c, None)
        if existing is not None:
            same(mapping.hike_product_body, old.hike_product_body, record, c, existing)


def test_the_demo_customers_map_as_before(demo):
    *_, hike_cs, bc_cs = demo
    bc_by_email = {c.email.strip().lower(): c for c in bc_cs if c.email}
    for hike_c in hike_cs:
        assert_customers_as_before(hike_c, bc_by_email.get((hike_c.email or "").strip().lower(), bc_cs[0]))
    for bc_c in bc_cs:
        assert_customers_as_before(hike_cs[bc_c.id % len(hike_cs)], bc_c)


# -- one table entry makes a field sync ----------------------------------------------------------------------------
MPN = Field("mpn", "MPN", read_hike=lambda p, ctx: Fields(p.raw).str("mpn"),
            read_bc=lambda p, ctx: p.raw.get("mpn") or None,
            bc=Direct("mpn", create_if=bool, update_if=anything, blank=""),
            hike=Direct("mpn", create_if=bool, update_if=anything, blank=""))


def test_one_table_entry_alone_makes_a_field_sync(monkeypatch):
    """A test-only field, "mpn" in both stores' raw records: nothing but the entry is added."""
    c, s = ctx(), settings()
    assert "mpn" not in mapping.bc_product_body(mapping.product_from_hike(hike_simple(mpn="M-1"), c), c, None)
    monkeypatch.setattr(product_fields, "PRODUCT_TABLE", product_fields.PRODUCT_TABLE + (MPN,))

    record = mapping.product_from_hike(hike_simple(mpn="M-1"), c)  # read
    assert record.get("mpn") == "M-1" and record.extra == (("mpn", "M-1"),)
    assert mapping.synced_fields(record, HIKE_TO_BC, s)["mpn"] == "M-1"  # compared
    changed = replace(record, extra=(("mpn", "M-2"),))
    assert mapping.fingerprint(changed, HIKE_TO_BC, s) != mapping.fingerprint(record, HIKE_TO_BC, s)
    assert mapping.bc_product_body(record, c, None)["mpn"] == "M-1"  # written to BigCommerce on create
    assert mapping.bc_product_body(record, c, bc_product(mpn="OLD")) .get("mpn") == "M-1"  # and on update
    assert "mpn" not in mapping.bc_product_body(record, c, bc_product(mpn="M-1"))  # only when it differs

    from_bc = mapping.product_from_bc(bc_product(mpn="B-1"), c)
    assert mapping.hike_product_body(from_bc, c, None)["mpn"] == "B-1"  # written to Hike on create
    simple_in_hike = hike_simple(name="Canvas Tote", sku="TOTE-1", mpn="OLD")
    assert mapping.hike_product_body(from_bc, c, simple_in_hike)["mpn"] == "B-1"  # and on update
    assert mapping.diff(record, changed)["mpn"] == ["M-1", "M-2"]  # in the log
    assert mapping.diff(None, record)["mpn"] == [None, "M-1"]
    assert product_fields.field_label("mpn") == "MPN"


def test_the_table_declares_every_d2_field_once():
    assert [f.name for f in product_fields.PRODUCT_TABLE] == [
        "name", "sku", "barcode", "price", "cost", "tax", "track_inventory", "brand", "categories", "description",
        "images", "weight", "width", "height", "depth", "variants"]
    assert [f.name for f in product_fields.VARIANT_TABLE] == ["sku", "barcode", "options", "price", "cost", "weight"]
    assert [f.name for f in customer_fields.CUSTOMER_TABLE] == [
        "first_name", "last_name", "email", "phone", "company", "address"]
    assert product_fields.field_label("price") == "Price" and product_fields.field_label("description") == "Description"
