"""The product settings end to end (S6, S7, S12, S16, S17, S18, S19, D5), over real HTTP against both sandbox stores.

Each test starts its own *empty* sandbox (outlets, taxes, tax classes, no products: a fraction of a second) with
the settings it proves, creates the records it needs through the stores' APIs, runs the engine's passes and
checks the result through both APIs (and, where a store cannot show a field, the request bodies the emulator
received). D5 runs over the demo seed, whose Hike products carry suppliers, so the first sync's many writes are
all inspected. The Hike client's pacing is opened up (N3 is proven in the client tests).
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Iterator

import pytest

from desktop.storage import models
from desktop.storage.db import close_db, init_db
from desktop.sync.bigcommerce import BCProduct
from desktop.sync.engine import SyncEngine
from desktop.sync.hike import hike_governor
from desktop.sync.hike_models import HikeProduct
from desktop.sync.mapping import NEVER_MAPPED
from desktop.sync.plain_text import html_to_text
from desktop.sync.settings import Settings
from desktop.sync.vocabulary import ReadScope
from tests.integration.stores import Connected, connect

DEMO_SETTINGS = {"inventory_outlet": "Main Street", "bigcommerce_location_id": 1, "shipping_tax": "GST",
                 "tax_map": {"GST": "Default Tax Class", "No Tax": "Non-Taxable Products"}}
ECOMMERCE = [{"sales_channels": "1"}, {"sales_channels": "2"}]  # POS and eCommerce (S14)


def settings(**overrides: Any) -> Settings:
    return Settings.from_json({**Settings.template().to_json(), **DEMO_SETTINGS, **overrides})


def open_up(connected: Connected) -> Connected:
    connected.hike.governor = connected.hike.http.governor = hike_governor(per_minute=10**6, per_day=10**9)
    return connected


@pytest.fixture
def db(tmp_path) -> Iterator[None]:
    init_db(tmp_path / "sync.sqlite3")
    yield
    close_db()


@pytest.fixture
def empty(db) -> Iterator[Connected]:
    """Both stores with no products, connected."""
    connected = open_up(connect("empty"))
    yield connected
    connected.close()


# -- helpers -----------------------------------------------------------------------------------------------------
def first_sync(connected: Connected, **overrides: Any) -> SyncEngine:
    engine = SyncEngine(connected.bc, connected.hike, settings(**overrides))
    sync(engine, "first_sync")
    return engine


def sync(engine: SyncEngine, trigger: str = "schedule", scope: ReadScope | None = None) -> models.Run:
    run = engine.run_pass(trigger, ("products", "inventory"), scope=scope)  # customers: test_engine_customers.py
    assert run.status == "ok", run.message
    return run


def outlet_names(connected: Connected) -> dict[int, str]:
    return {o.id: o.name for o in connected.hike.outlets()}


def main_outlet(connected: Connected) -> int:
    return next(i for i, n in outlet_names(connected).items() if n == "Main Street")


def gst(connected: Connected) -> int:
    return next(t.id for t in connected.hike.taxes() if t.name == "GST")


def new_hike_product(connected: Connected, name: str, sku: str | None, *, price: str = "20.00",
                     **extra: Any) -> HikeProduct:
    """A simple Hike product on the eCommerce channel, priced in the inventory outlet."""
    body: dict[str, Any] = {
        "name": name, "track_inventory": True, "sales_channels": ECOMMERCE,
        "product_outlets": [{"outlet_id": main_outlet(connected), "price_ex_tax": Decimal(price),
                             "tax_id": gst(connected), "cost_price": Decimal("8.00"), "on_hand_inventory": 5}],
        **extra}
    if sku:
        body["sku"] = sku
    return connected.hike.save_product(body)


def set_hike_price(connected: Connected, hike_id: int, price: str) -> None:
    connected.hike.save_product({"id": hike_id, "product_outlets": [
        {"outlet_id": main_outlet(connected), "price_ex_tax": Decimal(price), "tax_id": gst(connected)}]})


def new_bc_product(connected: Connected, name: str, sku: str | None, **extra: Any) -> BCProduct:
    body: dict[str, Any] = {"name": name, "type": "physical", "weight": Decimal("1.5"), "price": Decimal("30.00"),
                            "inventory_tracking": "product", "inventory_level": 4, **extra}
    if sku:
        body["sku"] = sku
    return connected.bc.create_product(body)


def bc_by_sku(connected: Connected, sku: str) -> BCProduct:
    (product,) = list(connected.bc.products(skus=[sku]))
    return product


def product_link(*, hike_id: Any = None, bc_id: Any = None) -> models.Link:
    if hike_id is not None:
        return models.Link.get(models.Link.entity == "product", models.Link.hike_id == str(hike_id))
    return models.Link.get(models.Link.entity == "product", models.Link.bc_id == str(bc_id))


def writes(connected: Connected, side: str) -> list[dict[str, Any]]:
    """The writes a store received, bodies parsed (numbers as Decimal)."""
    out = []
    for r in connected.requests(side):
        if r["method"] == "GET":
            continue
        body = json.loads(r["body"], parse_float=Decimal) if r.get("body") else None
        out.append({**r, "body": body})
    return out


def product_saves(connected: Connected) -> list[dict[str, Any]]:
    """Every product object sent to Hike's ``products/create`` (creates and updates, batches flattened)."""
    items: list[dict[str, Any]] = []
    for r in writes(connected, "hike"):
        if r["path"].endswith("/products/create"):
            items += r["body"] if isinstance(r["body"], list) else [r["body"]]
    return items


def keys_in(value: Any) -> set[str]:
    """Every key at any depth of a JSON value."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


# -- S7 ----------------------------------------------------------------------------------------------------------
def test_s7_price_type_retail_price_carries_hike_retail_price_on_create_and_on_change(empty):
    engine = first_sync(empty, price_type="retail_price")
    hp = new_hike_product(empty, "S7 Retail Mug", "S7-MUG", price="20.00")
    empty.requests("bigcommerce", clear=True)
    run = sync(engine)
    assert run.counts["product"]["create"] == 1

    bp = bc_by_sku(empty, "S7-MUG")
    assert bp.retail_price == Decimal("20.00"), "S7: Hike's retail price lands in BigCommerce's Retail Price"
    assert bp.price == Decimal("20.00"), "a new product needs price (the API requires it)"
    (create,) = [w for w in writes(empty, "bigcommerce")
                 if w["method"] == "POST" and w["path"].endswith("/catalog/products")]
    assert create["body"]["retail_price"] == Decimal("20.00") and create["body"]["price"] == Decimal("20.00")

    # a later price change in Hike updates the field in use (retail price), not the overall price
    empty.requests("bigcommerce", clear=True)
    set_hike_price(empty, hp.id, "24.50")
    run = sync(engine)
    assert run.counts["product"]["update"] == 1
    bp = empty.bc.product(bp.id)
    assert bp.retail_price == Decimal("24.50")
    assert bp.price == Decimal("20.00"), "Hike updates the chosen field when the product uses it"
    (update,) = [w["body"] for w in writes(empty, "bigcommerce") if w["method"] == "PUT"]
    sent = update[0] if isinstance(update, list) else update
    assert sent.get("retail_price") == Decimal("24.50") and "price" not in sent

    # and BigCommerce's retail price is the one that goes back to Hike
    empty.bc.update_product(bp.id, {"retail_price": Decimal("26.00")})
    sync(engine)
    row = empty.hike.product(hp.id).outlet(main_outlet(empty))
    assert row.price_ex_tax == Decimal("26.00")


# -- S16 ---------------------------------------------------------------------------------------------------------
SCARF_HTML = ("<h2>Care</h2><p>Soft <strong>merino</strong> &amp; silk.</p>"
              "<ul><li>Hand wash</li><li>Dry flat</li></ul>")


@pytest.mark.parametrize("mode", ["bc_to_hike", "two_way"])
def test_s16_description_bc_to_hike_only_keeps_bigcommerce_html_two_way_takes_hike_edits(empty, mode):
    engine = first_sync(empty, description_sync=mode)
    bp = new_bc_product(empty, "S16 Merino Scarf", "S16-SCARF", description="<p>First <em>draft</em></p>")
    sync(engine)
    hp = empty.hike.find_product_by_sku("S16-SCARF")
    assert hp is not None and hp.description == "First draft", "Hike gets plain text"

    # an HTML description edited in BigCommerce reaches Hike as plain text (in both modes)
    empty.bc.update_product(bp.id, {"description": SCARF_HTML})
    run = sync(engine)
    assert run.counts["product"]["update"] == 1
    assert empty.hike.product(hp.id).description == "Care\n\nSoft merino & silk.\n\n- Hand wash\n- Dry flat" \
        == html_to_text(SCARF_HTML)
    assert empty.bc.product(bp.id).description == SCARF_HTML, "BigCommerce's HTML stays intact"

    # a description edited in Hike, with a price change (so the product is updated in BigCommerce either way)
    empty.hike.save_product({"id": hp.id, "description": "Edited in Hike.\nSecond line"})
    set_hike_price(empty, hp.id, "32.00")
    empty.requests("bigcommerce", clear=True)
    run = sync(engine)
    assert run.counts["product"]["update"] == 1
    after = empty.bc.product(bp.id)
    assert after.price == Decimal("32.00")
    sent = [w["body"] for w in writes(empty, "bigcommerce") if w["method"] == "PUT"]
    if mode == "bc_to_hike":
        assert after.description == SCARF_HTML, "BigCommerce -> Hike only: the HTML is kept"
        assert sent and "description" not in keys_in(sent)
    else:
        assert after.description == "<p>Edited in Hike.<br>\nSecond line</p>", "two-way: Hike's text, as HTML"
        # and the write does not bounce back to Hike (D10)
        empty.requests("hike", clear=True)
        sync(engine)
        assert writes(empty, "hike") == []
        assert empty.hike.product(hp.id).description == "Edited in Hike.\nSecond line"


# -- S12 ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("overrides, visible", [
    ({"product_visibility_all_outlets": True}, {"Main Street", "Harbour Mall", "Online Store"}),
    ({"product_visibility_all_outlets": False}, {"Main Street"}),
    ({"product_visibility_all_outlets": False, "ecommerce_outlet": "Online Store"}, {"Main Street", "Online Store"}),
], ids=["all_outlets", "inventory_outlet_only", "inventory_and_ecommerce_outlet"])
def test_s12_visibility_of_products_created_in_hike_from_bigcommerce(empty, overrides, visible):
    engine = first_sync(empty, **overrides)
    new_bc_product(empty, "S12 Candle", "S12-CANDLE")
    new_bc_product(empty, "S12 Tee", "S12-TEE", inventory_tracking="variant", variants=[
        {"sku": f"S12-TEE-{size}", "price": Decimal("25.00"), "inventory_level": 3,
         "option_values": [{"option_display_name": "Size", "label": size}]} for size in ("S", "M")])
    run = sync(engine)
    assert run.counts["product"]["create"] == 2

    names = outlet_names(empty)
    assert len(names) == 3
    candle = empty.hike.find_product_by_sku("S12-CANDLE")
    tee = empty.hike.find_product_by_sku("S12-TEE")
    assert candle is not None and tee is not None and len(tee.variants) == 2
    for label, rows in [("S12-CANDLE", candle.outlets), ("S12-TEE", tee.outlets),
                        *((v.sku, v.outlets) for v in tee.variants)]:
        assert {names[r.outlet_id] for r in rows} == set(names.values()), label
        assert {names[r.outlet_id] for r in rows if r.visible} == visible, label


# -- S19 ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["match_or_create", "match_only", "none"])
def test_s19_categories_from_hike_product_types(empty, mode):
    (kitchen,) = empty.bc.create_categories([{"name": "Kitchen", "tree_id": 1}])
    engine = first_sync(empty, category_sync=mode)
    new_hike_product(empty, "S19 Kettle", "S19-KETTLE", product_type=[{"type_name": "Kitchen"}])
    new_hike_product(empty, "S19 Trowel", "S19-TROWEL", product_type=[{"type_name": "Garden Tools"}])
    assert {t.name for t in empty.hike.product_types()} >= {"Kitchen", "Garden Tools"}
    before = {c.id: c.name for c in empty.bc.categories()}
    run = sync(engine)
    assert run.counts["product"]["create"] == 2

    after = {c.id: c.name for c in empty.bc.categories()}
    kettle, trowel = bc_by_sku(empty, "S19-KETTLE"), bc_by_sku(empty, "S19-TROWEL")
    if mode == "match_or_create":
        created = {cid: name for cid, name in after.items() if cid not in before}
        assert list(created.values()) == ["Garden Tools"], "the missing category is created once, by name"
        assert trowel.categories == list(created)
        assert kettle.categories == [kitchen.id], "an existing category is matched by name"
    elif mode == "match_only":
        assert after == before, "no category is created"
        assert trowel.categories == []
        assert kettle.categories == [kitchen.id]
    else:
        assert after == before
        assert kettle.categories == [] and trowel.categories == [], "categories are not assigned at all"


@pytest.mark.parametrize("mode", ["match_or_create", "match_only"])
def test_s19_a_category_added_in_bigcommerce_after_the_first_sync_is_matched_not_created_again(empty, mode):
    """The engine reads BigCommerce's categories once (and again on reconciliation): a category the manager
    adds later must still be matched by name. Before the fix, match_or_create tried to create it a second time,
    BigCommerce refused the duplicate name (422) and the product failed every pass until the next day's
    reconciliation; match_only gave the product no category."""
    engine = first_sync(empty, category_sync=mode)
    (kitchen,) = empty.bc.create_categories([{"name": "Kitchen", "tree_id": 1}])
    new_hike_product(empty, "S19 Teapot", "S19-TEAPOT", product_type=[{"type_name": "Kitchen"}])
    run = sync(engine)
    assert run.counts["product"] == {"create": 1}, [e.message for e in models.LogEntry.select().where(
        models.LogEntry.result == "error")]
    assert bc_by_sku(empty, "S19-TEAPOT").categories == [kitchen.id]
    assert [c.name for c in empty.bc.categories()] == ["Kitchen"]


# -- S6 ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("on", [True, False], ids=["on", "off"])
def test_s6_shipping_details_weight_change_flows_only_when_on(empty, on):
    """Hike's public API documents no shipping fields (the mapping sends ``weight``/``width``/... as an [I]
    guess) and the Hike emulator keeps none, so what reaches Hike is checked in the bodies Hike received."""
    engine = first_sync(empty, shipping_details=on)
    bp = new_bc_product(empty, "S6 Crate", "S6-CRATE", weight=Decimal("1.5"), width=Decimal("30"))
    empty.requests("hike", clear=True)
    sync(engine)
    hp = empty.hike.find_product_by_sku("S6-CRATE")
    assert hp is not None
    (create,) = product_saves(empty)
    if on:
        assert create["weight"] == Decimal("1.5") and create["width"] == Decimal("30")
    else:
        assert not {"weight", "width", "height", "depth"} & set(create)

    # a weight change in BigCommerce
    empty.requests("hike", clear=True)
    empty.bc.update_product(bp.id, {"weight": Decimal("2.75")})
    run = sync(engine)
    saves = product_saves(empty)
    if on:
        assert run.counts["product"]["update"] == 1
        assert [(s["id"], s["weight"]) for s in saves] == [(hp.id, Decimal("2.75"))]
    else:
        assert saves == [] and "update" not in run.counts.get("product", {}), "weight does not sync when off"

    # a Hike change never sends BigCommerce an empty weight back (Hike reports none)
    set_hike_price(empty, hp.id, "31.00")
    sync(engine)
    after = empty.bc.product(bp.id)
    assert after.price == Decimal("31.00") and after.weight == Decimal("2.75")


# -- S18 ---------------------------------------------------------------------------------------------------------
def test_s18_skip_non_sku_products_skips_them_with_the_reason_auto_assign_creates_them_with_a_stable_sku(empty):
    skip = first_sync(empty, non_sku_products="skip")
    hp = new_hike_product(empty, "S18 Loose Tea", None)
    bp = new_bc_product(empty, "S18 Gift Box", None)
    assert hp.sku is None and bp.sku == ""
    run = sync(skip)
    assert run.counts["product"] == {"skipped": 2}
    entries = list(models.LogEntry.select().where(models.LogEntry.result == "skipped"))
    assert {(e.hike_id, e.bc_id) for e in entries} == {(str(hp.id), None), (None, str(bp.id))}
    assert all("no SKU" in e.message and "skipped" in e.message for e in entries)
    assert [p.id for p in empty.bc.products()] == [bp.id], "nothing created in BigCommerce"
    assert [p.id for p in empty.hike.products()] == [hp.id], "nothing created in Hike"
    sync(skip)
    assert models.LogEntry.select().where(models.LogEntry.result == "skipped").count() == 2, "logged once"

    # auto-assign (the manager changed the setting): the next reconciliation creates both, with a recorded SKU
    auto = SyncEngine(empty.bc, empty.hike, settings(non_sku_products="auto_assign"))
    run = sync(auto, scope=ReadScope.FULL)
    assert run.counts["product"]["create"] == 2
    made_bc = bc_by_sku(empty, f"HK-{hp.id}")
    link = product_link(hike_id=hp.id)
    assert (link.status, link.bc_id, link.sku) == ("linked", str(made_bc.id), f"HK-{hp.id}")
    made_hike = empty.hike.find_product_by_sku(f"BC-{bp.id}")
    assert made_hike is not None and made_hike.name == "S18 Gift Box"
    link = product_link(bc_id=bp.id)
    assert (link.status, link.hike_id, link.sku) == ("linked", str(made_hike.id), f"BC-{bp.id}")

    # stable: a later change updates the same product under the same SKU, nothing is created twice
    empty.hike.save_product({"id": hp.id, "name": "S18 Loose Leaf Tea"})
    run = sync(auto)
    assert run.counts["product"] == {"update": 1}
    again = empty.bc.product(made_bc.id)
    assert (again.name, again.sku) == ("S18 Loose Leaf Tea", f"HK-{hp.id}")
    assert len(list(empty.bc.products())) == 2 and product_link(hike_id=hp.id).sku == f"HK-{hp.id}"


# -- D5 ----------------------------------------------------------------------------------------------------------
@pytest.fixture
def demo(db) -> Iterator[Connected]:
    connected = open_up(connect("demo"))
    yield connected
    connected.close()


def test_d5_never_synced_fields_are_never_written_to_the_other_side(demo):
    hike_extras = {"additional_reward_points": 250, "supplier_code": "SUP-42", "purchase_code": "PO-7",
                   "customField": "plug-in data",
                   "product_suppliers": [{"supplier_id": 1, "supplier_name": "Coastal Wholesale", "is_primary": True}]}
    lantern = new_hike_product(demo, "D5 Storm Lantern", "D5-LANTERN", **hike_extras)
    before = {p.id: (p.raw.get("product_suppliers"), p.raw.get("additional_reward_points"))
              for p in demo.hike.products()}
    assert sum(1 for s, _ in before.values() if s) > 20, "the demo's Hike products carry suppliers"
    demo.requests("hike", clear=True)
    demo.requests("bigcommerce", clear=True)

    engine = first_sync(demo)
    made = bc_by_sku(demo, "D5-LANTERN")
    # changes on both sides afterwards: a BigCommerce edit goes to Hike, a Hike edit goes to BigCommerce
    linked = models.Link.select().where(models.Link.entity == "product", models.Link.status == "linked",
                                        models.Link.hike_id != str(lantern.id))
    supplied = next(l for l in linked if before[int(l.hike_id)][0])
    demo.bc.update_product(int(supplied.bc_id), {"name": "D5 Renamed In BigCommerce"})
    set_hike_price(demo, lantern.id, "33.00")
    run = sync(engine)
    assert run.counts["product"]["update"] == 2
    assert demo.hike.product(int(supplied.hike_id)).name == "D5 Renamed In BigCommerce"
    assert demo.bc.product(made.id).price == Decimal("33.00")

    bc_writes, hike_writes = writes(demo, "bigcommerce"), writes(demo, "hike")
    assert bc_writes and hike_writes
    for side, sent in (("bigcommerce", bc_writes), ("hike", hike_writes)):
        for w in sent:
            leaked = keys_in(w["body"]) & NEVER_MAPPED
            assert not leaked, f"D5: {sorted(leaked)} written to {side} ({w['method']} {w['path']})"
    lantern_bodies = [w["body"] for w in bc_writes if "D5-LANTERN" in json.dumps(w["body"], default=str)]
    assert lantern_bodies and not any(v in json.dumps(lantern_bodies, default=str)
                                      for v in ("SUP-42", "PO-7", "plug-in data", "Coastal Wholesale"))
    # BigCommerce's third-party fields are never even read
    for r in demo.requests("bigcommerce"):
        assert "custom-fields" not in r["path"] and "metafields" not in r["path"]
        include = str((r.get("query") or {}).get("include", ""))
        assert "custom_fields" not in include and "metafields" not in include
    # and Hike keeps its own loyalty points and suppliers through every update the sync made
    after = {p.id: (p.raw.get("product_suppliers"), p.raw.get("additional_reward_points"))
             for p in demo.hike.products() if p.id in before}
    assert after == before


# -- S17 ---------------------------------------------------------------------------------------------------------
def test_s17_images_a_new_hike_products_image_goes_to_bigcommerce_once_later_hike_changes_do_not(empty):
    """The Hike -> BigCommerce half; BigCommerce -> Hike (scaled to 500 x 500, no echo) is proven in
    test_engine_images.py."""
    front, back = "https://images.example/vase-front.jpg", "https://images.example/vase-back.jpg"
    engine = first_sync(empty)  # image_sync defaults to "bc_to_hike"
    assert engine.settings.image_sync == "bc_to_hike"
    hp = new_hike_product(empty, "S17 Vase", "S17-VASE", additional_images=[{"image_url": front, "is_primary": True}])
    assert hp.image_urls == [front]
    sync(engine)
    bp = bc_by_sku(empty, "S17-VASE")
    assert [(i["image_url"], i["is_thumbnail"]) for i in bp.images] == [(front, True)], "once, on create"
    images = [i["id"] for i in bp.images]

    # a later image change in Hike (with a name change, so the product itself is updated) stays in Hike
    empty.hike.save_product({"id": hp.id, "name": "S17 Tall Vase", "additional_images": [{"image_url": back}]})
    assert empty.hike.product(hp.id).image_urls == [back]
    empty.requests("bigcommerce", clear=True)
    run = sync(engine)
    assert run.counts["product"]["update"] == 1
    after = empty.bc.product(bp.id)
    assert after.name == "S17 Tall Vase"
    assert [i["id"] for i in after.images] == images and [i["image_url"] for i in after.images] == [front]
    sent = writes(empty, "bigcommerce")
    assert sent and not any("/images" in w["path"] or "images" in keys_in(w["body"]) for w in sent)


def test_s17_two_way_images_a_new_hike_image_is_added_in_bigcommerce_once(empty):
    front, back = "https://images.example/jug-front.jpg", "https://images.example/jug-back.jpg"
    engine = first_sync(empty, image_sync="two_way")
    hp = new_hike_product(empty, "S17 Jug", "S17-JUG", additional_images=[{"image_url": front, "is_primary": True}])
    sync(engine)
    bp = bc_by_sku(empty, "S17-JUG")
    assert [i["image_url"] for i in bp.images] == [front]
    empty.hike.save_product({"id": hp.id, "additional_images": [{"image_url": front}, {"image_url": back}]})
    run = sync(engine)
    assert run.counts["product"]["update"] == 1
    assert [i["image_url"] for i in empty.bc.product(bp.id).images] == [front, back]
    entry = models.LogEntry.select().where(models.LogEntry.bc_id == str(bp.id), models.LogEntry.action == "update") \
        .order_by(models.LogEntry.id.desc()).first()
    assert entry.diff["images"] == [None, [back]]
    empty.requests("bigcommerce", clear=True)
    sync(engine)
    assert writes(empty, "bigcommerce") == [], "an image already sent is not sent again"
