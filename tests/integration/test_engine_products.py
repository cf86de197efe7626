"""The product and stock sync end to end, over real HTTP against both sandbox stores (issue 5 rules).

One demo sandbox per module, synced once; tests that change the stores afterwards run their own passes.
The Hike client's pacing is opened up (the sandbox has no Hike rate limit here; N3 is proven in the client tests).
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from desktop.storage import models
from desktop.storage.db import close_db, init_db
from desktop.sync import mapping
from desktop.sync.engine import SyncEngine
from desktop.sync.hike import InventoryChange, hike_governor
from desktop.sync.inventory import hike_level, whole_units
from desktop.sync.journal import begin_work
from desktop.sync.settings import Settings
from desktop.sync.vocabulary import ReadScope
from tests.integration.stores import connect

PRODUCTS = ("products", "inventory")  # customers have their own tests (test_engine_customers.py)
DEMO_SETTINGS = {"inventory_outlet": "Main Street", "bigcommerce_location_id": 1, "shipping_tax": "GST",
                 "tax_map": {"GST": "Default Tax Class", "No Tax": "Non-Taxable Products"}}


def settings(**overrides) -> Settings:
    return Settings.from_json({**Settings.template().to_json(), **DEMO_SETTINGS, **overrides})


def open_up(connected):
    connected.hike.governor = connected.hike.http.governor = hike_governor(per_minute=10**6, per_day=10**9)
    return connected


AFTER_FIRST_SYNC: dict[str, dict] = {}


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    """The demo stores after a first sync, with the engine that did it."""
    init_db(tmp_path_factory.mktemp("engine") / "sync.sqlite3")
    connected = open_up(connect("demo"))
    engine = SyncEngine(connected.bc, connected.hike, settings())
    dry = engine.dry_run()
    first = engine.run_pass("first_sync", PRODUCTS)
    # both stores as the first sync left them: later tests change stock and add products of their own
    AFTER_FIRST_SYNC.update(bc={p.id: p for p in connected.bc.products()},
                            hike={p.id: p for p in connected.hike.products() if not p.parent_id})
    yield connected, engine, first, dry
    connected.close()
    close_db()


def first_sync_links(first):
    """The product links the first sync made (tests add products of their own later, some built to differ)."""
    return models.Link.select().where(models.Link.entity == "product", models.Link.status == "linked",
                                      models.Link.created_at <= first.finished_at)


def created_in_this_run(run, *, hike_id=None, bc_id=None) -> bool:
    """This test's record was created by ``run`` (other tests' leftovers may be settled by the same pass)."""
    entries = models.LogEntry.select().where(models.LogEntry.run == run.id, models.LogEntry.action == "create",
                                             models.LogEntry.result == "ok")
    if hike_id is not None:
        entries = entries.where(models.LogEntry.hike_id == str(hike_id))
    if bc_id is not None:
        entries = entries.where(models.LogEntry.bc_id == str(bc_id))
    return entries.count() == 1


def writes(connected, side):
    return [r for r in connected.requests(side) if r["method"] != "GET"]


def test_p3_dry_run_counted_the_plan_and_wrote_nothing(synced):
    _, _, first, dry = synced
    assert dry.counts["both"]["link"] == first.counts["product"]["link"]
    assert dry.counts["bigcommerce"]["create"] + dry.counts["hike"]["create"] == first.counts["product"]["create"]
    assert {a["action"] for a in dry.actions} >= {"link", "create", "skip"}


def test_d1_first_sync_links_by_sku_and_creates_the_rest(synced):
    connected, _, first, _ = synced
    assert first.status == "ok", first.message
    hike_skus = {p.sku.lower() for p in connected.hike.products() if p.sku}
    bc_products = list(connected.bc.products())
    linked_bc = {l.bc_id for l in models.Link.select().where(models.Link.entity == "product",
                                                             models.Link.status == "linked")}
    for p in bc_products:
        if p.sku.lower() in hike_skus:
            assert str(p.id) in linked_bc, f"{p.sku} exists in both stores but was not linked"
    assert len({p.sku.lower() for p in bc_products}) == len(bc_products), "no product was created twice"


def test_first_sync_leaves_both_stores_equal_field_by_field(synced):
    """Done-when: both stores compared through their APIs after the first sync of the demo seed."""
    connected, engine, first, _ = synced
    ctx = engine.context()
    bc, hike = AFTER_FIRST_SYNC["bc"], AFTER_FIRST_SYNC["hike"]
    outlet = ctx.settings.stock_outlet_ids
    compared = 0
    for link in first_sync_links(first):
        hp, bp = hike[int(link.hike_id)], bc[int(link.bc_id)]
        h, b = mapping.product_from_hike(hp, ctx), mapping.product_from_bc(bp, ctx)
        assert (h.sku or link.sku) == b.sku, "S18: a SKU-less Hike product gets a recorded, stable SKU"
        simple_fields = ("cost",) if not hp.variants else ()
        for name in ("name", "barcode", "track_inventory") + simple_fields:
            assert getattr(h, name) == getattr(b, name) or (not getattr(h, name) and not getattr(b, name)), \
                (name, hp.name, getattr(h, name), getattr(b, name))
        assert mapping.synced_fields(h, "hike_to_bc", ctx.settings)["price"] == \
            mapping.synced_fields(b, "bc_to_hike", ctx.settings)["price"], hp.name
        assert sorted(v.sku.lower() for v in hp.variants if v.sku) == \
            sorted(v.sku.lower() for v in bp.variants if v.option_values), hp.name
        for hv in h.variants:
            bv = b.variant_by_sku(hv.sku)
            assert bv is not None and hv.cost == bv.cost, (hp.name, hv.sku)
        if hp.track_inventory and not hp.variants:
            assert bp.inventory_level == whole_units(hike_level(hp.outlets, outlet)), hp.name
        compared += 1
    assert compared > 200


def test_d10_a_pass_after_the_first_writes_nothing(synced):
    connected, engine, _, _ = synced
    engine.run_pass("schedule", PRODUCTS)  # settles records the first pass itself touched (read back once)
    connected.requests("hike", clear=True)
    connected.requests("bigcommerce", clear=True)
    run = engine.run_pass("schedule", PRODUCTS)
    assert run.status == "ok"
    assert writes(connected, "hike") == [] and writes(connected, "bigcommerce") == []
    assert run.counts == {} or all(k == "skipped" for c in run.counts.values() for k in c)


def test_s14_composite_and_non_ecommerce_products_are_skipped_with_their_reason(synced):
    skipped = {e.message for e in models.LogEntry.select().where(models.LogEntry.result == "skipped")}
    assert any("Composite products are not sent" in m for m in skipped)
    assert any("not on Hike's eCommerce sales channel" in m for m in skipped)


def test_skipped_products_are_logged_once(synced):
    _, engine, _, _ = synced
    before = models.LogEntry.select().where(models.LogEntry.result == "skipped").count()
    engine.run_pass("schedule", PRODUCTS)
    assert models.LogEntry.select().where(models.LogEntry.result == "skipped").count() == before


def test_s13_hike_stock_change_moves_bigcommerce_stock_and_not_back(synced):
    connected, engine, _, _ = synced
    link = models.Link.select().where(models.Link.entity == "product", models.Link.status == "linked",
                                      models.Link.stock_pushed.is_null(False)).first()
    hp = connected.hike.product(int(link.hike_id))
    outlet = engine.context().settings.inventory_outlet_id
    connected.hike.inventory_update([InventoryChange(outlet_id=outlet, product_id=hp.id, on_hand=Decimal(42))])
    run = engine.run_pass("schedule", PRODUCTS)
    assert run.counts["inventory"]["stock"] >= 1
    bp = connected.bc.product(int(link.bc_id))
    expected = whole_units(hike_level(connected.hike.product(hp.id).outlets, (outlet,)))
    assert bp.inventory_level == expected
    # a manual edit in BigCommerce never flows back to Hike
    connected.bc.update_product(bp.id, {"inventory_level": expected + 5})
    engine.run_pass("schedule", PRODUCTS)
    assert whole_units(hike_level(connected.hike.product(hp.id).outlets, (outlet,))) == expected


def test_s13_fractional_hike_stock_is_rounded_down_and_flagged(synced):
    connected, engine, _, _ = synced
    link = first_sync_links(synced[2]).where(models.Link.stock_pushed.is_null(False)) \
        .order_by(models.Link.id.desc()).first()
    outlet = engine.context().settings.inventory_outlet_id
    connected.hike.inventory_update([InventoryChange(outlet_id=outlet, product_id=int(link.hike_id),
                                                     on_hand=Decimal("7.5"))])
    engine.run_pass("schedule", PRODUCTS)
    entry = models.LogEntry.select().where(models.LogEntry.entity == "inventory",
                                           models.LogEntry.hike_id == link.hike_id).order_by(
        models.LogEntry.id.desc()).first()
    assert "whole units" in entry.message and "7.5" in entry.message
    assert connected.bc.product(int(link.bc_id)).inventory_level <= 7


def test_s11_new_bigcommerce_product_is_created_in_hike(synced):
    connected, engine, _, _ = synced
    created = connected.bc.create_product({"name": "Sandbox Engine Tote", "type": "physical", "weight": 1,
                                           "price": Decimal("39.00"), "sku": "ENGINE-TOTE-1", "categories": []})
    run = engine.run_pass("schedule", PRODUCTS)
    assert created_in_this_run(run, bc_id=created.id)
    hp = connected.hike.find_product_by_sku("ENGINE-TOTE-1")
    assert hp is not None and hp.name == "Sandbox Engine Tote"
    assert models.Link.get(models.Link.entity == "product", models.Link.bc_id == str(created.id)).hike_id == str(hp.id)


def test_s14_new_hike_ecommerce_product_is_created_in_bigcommerce_and_d2_price(synced):
    connected, engine, _, _ = synced
    outlet = engine.context().settings.inventory_outlet_id
    gst = next(t for t in connected.hike.taxes() if t.name == "GST")
    hp = connected.hike.save_product({
        "name": "Sandbox Engine Mug", "sku": "ENGINE-MUG-1", "track_inventory": True,
        "sales_channels": [{"sales_channels": "1"}, {"sales_channels": "2"}],
        "product_outlets": [{"outlet_id": outlet, "price_ex_tax": Decimal("20.00"), "tax_id": gst.id,
                             "cost_price": Decimal("8.00"), "on_hand_inventory": 12}]})
    run = engine.run_pass("schedule", PRODUCTS)
    assert created_in_this_run(run, hike_id=hp.id)
    (bp,) = list(connected.bc.products(skus=["ENGINE-MUG-1"]))
    assert bp.cost_price == Decimal("8.00") and bp.price == Decimal("20.00"), "ex-tax store: ex-tax price"
    assert bp.inventory_level == 12


def test_d10_d2_a_price_change_in_hike_updates_bigcommerce_once(synced):
    connected, engine, _, _ = synced
    outlet = engine.context().settings.inventory_outlet_id
    gst = next(t for t in connected.hike.taxes() if t.name == "GST")
    hp = connected.hike.save_product({
        "name": "Sandbox Engine Jug", "sku": "ENGINE-JUG-1", "sales_channels": [{"sales_channels": "2"}],
        "product_outlets": [{"outlet_id": outlet, "price_ex_tax": Decimal("20.00"), "tax_id": gst.id}]})
    engine.run_pass("schedule", PRODUCTS)  # created in BigCommerce, and whatever earlier tests left settled
    (bp,) = list(connected.bc.products(skus=["ENGINE-JUG-1"]))
    row = connected.hike.product(hp.id).outlet(outlet)
    connected.hike.save_product({"id": hp.id, "product_outlets": [{"outlet_id": outlet, "price_ex_tax": Decimal("22.50"),
                                                                   "tax_id": row.tax_id}]})
    run = engine.run_pass("schedule", PRODUCTS)
    assert run.counts["product"]["update"] == 1
    assert connected.bc.product(bp.id).price == Decimal("22.50")
    entry = models.LogEntry.select().where(models.LogEntry.bc_id == str(bp.id),
                                           models.LogEntry.action == "update").order_by(models.LogEntry.id.desc()).first()
    # the log names the field as the settings compare it: Hike's prices include tax here (the template's rule),
    # so 20.00 → 22.50 before GST reads 22.00 → 24.75
    assert entry.diff == {"price": ["22.0000", "24.7500"]}
    connected.requests("bigcommerce", clear=True)
    engine.run_pass("schedule", PRODUCTS)
    assert writes(connected, "bigcommerce") == [], "our own write must not echo back (D10)"


def test_d9_deleting_in_bigcommerce_does_not_delete_in_hike(synced):
    connected, engine, _, _ = synced
    bp = connected.bc.create_product({"name": "Sandbox Engine Satchel", "type": "physical", "weight": 1,
                                      "price": Decimal("49.00"), "sku": "ENGINE-SATCHEL-1", "categories": []})
    engine.run_pass("schedule", PRODUCTS)
    assert connected.hike.find_product_by_sku("ENGINE-SATCHEL-1") is not None
    connected.bc.http.request("DELETE", f"v3/catalog/products/{bp.id}")
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)
    assert connected.hike.find_product_by_sku("ENGINE-SATCHEL-1") is not None
    assert list(connected.bc.products(skus=["ENGINE-SATCHEL-1"])) == [], "and it is not recreated either"


def test_n2_a_create_sent_before_a_crash_is_linked_not_repeated(synced):
    """The outbox says a create was sent; the product exists in BigCommerce; the restart links it."""
    connected, engine, _, _ = synced
    outlet = engine.context().settings.inventory_outlet_id
    hp = connected.hike.save_product({
        "name": "Sandbox Crash Cap", "sku": "CRASH-CAP-1", "sales_channels": [{"sales_channels": "2"}],
        "product_outlets": [{"outlet_id": outlet, "price_ex_tax": Decimal("15.00")}]})
    begin_work("product", f"create_bc:{hp.id}", "create_bc", {"hike_id": hp.id, "sku": "CRASH-CAP-1"})
    connected.bc.create_product({"name": "Sandbox Crash Cap", "type": "physical", "weight": 0,
                                 "price": Decimal("15.00"), "sku": "CRASH-CAP-1"})  # sent, then the app died
    engine.run_pass("startup", PRODUCTS)
    assert len(list(connected.bc.products(skus=["CRASH-CAP-1"]))) == 1
    link = models.Link.get(models.Link.hike_id == str(hp.id), models.Link.entity == "product")
    assert link.bc_id and link.status == "linked"
    assert models.PendingWork.get(models.PendingWork.key == f"create_bc:{hp.id}").status == "done"


def test_d11_a_variant_change_bigcommerce_does_not_date_is_caught_by_reconciliation(synced):
    connected, engine, _, _ = synced
    for link in models.Link.select().where(models.Link.entity == "product", models.Link.status == "linked"):
        bp = connected.bc.product(int(link.bc_id))
        if bp.has_options:
            break
    parent = connected.hike.product(int(link.hike_id))
    variant = next(v for v in bp.variants if v.option_values and parent.variant_by_sku(v.sku))
    clock = connected.sandbox.bigcommerce.clock  # both stores share it
    clock.advance(600)  # the first sync's own writes are now older than any cursor overlap
    engine.run_pass("schedule", PRODUCTS)
    clock.advance(600)
    before_modified = connected.bc.product(bp.id).date_modified
    connected.bc.update_variants([{"id": variant.id, "cost_price": Decimal("3.33")}])
    assert connected.bc.product(bp.id).date_modified == before_modified, "the platform does not bump it"
    engine.run_pass("schedule", PRODUCTS)
    hv = connected.hike.product(parent.id).variant_by_sku(variant.sku)
    outlet = engine.context().settings.price_outlet_id
    assert hv.outlet(outlet).cost_price != Decimal("3.33"), "an incremental pass cannot see it"
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)
    hv = connected.hike.product(parent.id).variant_by_sku(variant.sku)
    assert hv.outlet(outlet).cost_price == Decimal("3.33"), "the reconciliation pass catches it"


def test_s4_combined_outlets_publish_the_sum(synced):
    connected, _, _, _ = synced
    combined = SyncEngine(connected.bc, connected.hike,
                          settings(combined_inventory_outlets=["Main Street", "Harbour Mall"]))
    ctx = combined.context()
    assert len(ctx.settings.stock_outlet_ids) == 2
    link = models.Link.select().where(models.Link.entity == "product", models.Link.status == "linked",
                                      models.Link.stock_pushed.is_null(False)).first()
    for outlet_id, level in zip(ctx.settings.stock_outlet_ids, (Decimal(4), Decimal(6))):
        connected.hike.inventory_update([InventoryChange(outlet_id=outlet_id, product_id=int(link.hike_id),
                                                         on_hand=level)])
    combined.run_pass("schedule", PRODUCTS)
    hp = connected.hike.product(int(link.hike_id))
    assert connected.bc.product(int(link.bc_id)).inventory_level == whole_units(
        hike_level(hp.outlets, ctx.settings.stock_outlet_ids)) == 10 - sum(
        r.reserved for r in hp.outlets if r.outlet_id in ctx.settings.stock_outlet_ids)


def test_m2_the_log_of_an_update_sent_to_bigcommerce_does_not_claim_its_images_were_removed(synced):
    """A batch update's answer lists no images; the log's before → after must not read as 'images → none'."""
    entries = models.LogEntry.select().where(models.LogEntry.entity == "product", models.LogEntry.action == "update",
                                             models.LogEntry.direction == "hike_to_bc")
    assert entries.count() > 0
    for entry in entries:
        assert "image_urls" not in (entry.diff or {}), entry.diff


FACT_PATHS = ("outlet", "register", "taxes", "tax_classes", "payment", "location", "store", "brand", "categor",
              "product_type", "producttype", "time")


def cursors() -> dict[tuple[str, str], str]:
    return {(c.entity, c.side): c.value for c in models.Cursor.select()}


def assert_only_record_reads(connected, list_paths: dict[str, str], filters: dict[str, tuple[str, ...]]):
    """Every read names its records (an id in the path, or an id/SKU/email filter); no store fact is read."""
    for side in ("hike", "bigcommerce"):
        for r in connected.requests(side):
            path, query = r["path"], r.get("query") or {}
            tail = path.lower().split("/v3/")[-1].split("/v2/")[-1].split("/api/")[-1]
            assert not any(f in tail for f in FACT_PATHS), f"a fact read: {side} {path}"
            if r["method"] == "GET" and path.endswith(list_paths[side]):
                assert any(k in query for k in filters[side]), f"a list read without a filter: {side} {path} {query}"


def test_m4_d4_n3_a_duplicate_fixed_in_hike_and_retried_alone_links_reading_only_that_record(synced):
    connected, engine, _, _ = synced
    outlet = engine.context().settings.inventory_outlet_id

    def mug(name, sku):
        return connected.hike.save_product({
            "name": name, "sku": sku, "sales_channels": [{"sales_channels": "1"}, {"sales_channels": "2"}],
            "product_outlets": [{"outlet_id": outlet, "price_ex_tax": Decimal("12.00")}]})

    first, second = mug("Sandbox Retry Mug A", "RETRY-DUP-1"), mug("Sandbox Retry Mug B", "RETRY-DUP-2")
    hike_store = connected.sandbox.hike
    with hike_store.lock:  # Hike's API refuses a second product with one SKU; its data can still hold one
        hike_store.products[second.id]["sku"] = "RETRY-DUP-1"
    engine.run_pass("schedule", PRODUCTS)
    marker = models.Link.get(models.Link.entity == "product", models.Link.hike_id == str(first.id))
    assert marker.status == "failed" and "Duplicate SKU" in marker.last_message  # D4: both fail, alone
    before = cursors()
    # retried while the duplicate is still there: it fails again, nothing is sent
    connected.requests("hike", clear=True)
    connected.requests("bigcommerce", clear=True)
    run = engine.run_pass("retry", PRODUCTS, only=[marker.id])
    assert run.counts["product"] == {"error": 2} and writes(connected, "bigcommerce") == []
    # fixed in Hike, then retried alone
    connected.hike.save_product({"id": second.id, "sku": "RETRY-DUP-2"})
    connected.requests("hike", clear=True)
    connected.requests("bigcommerce", clear=True)
    run = engine.run_pass("retry", PRODUCTS, only=[marker.id])
    assert run.status == "ok", run.message
    assert run.trigger == "retry" and run.counts["product"] == {"create": 1}
    link = models.Link.get_by_id(marker.id)
    assert link.status == "linked" and link.last_result == "ok"
    (bp,) = list(connected.bc.products(skus=["RETRY-DUP-1"]))
    assert link.bc_id == str(bp.id) and bp.name == "Sandbox Retry Mug A"
    assert models.Link.get(models.Link.entity == "product", models.Link.hike_id == str(second.id)).status == \
        "failed", "the other record was not retried"
    requests = {side: connected.requests(side) for side in ("hike", "bigcommerce")}
    assert_only_record_reads(connected, {"hike": "get_all", "bigcommerce": "catalog/products"},
                             {"hike": ("Filter",), "bigcommerce": ("id:in", "sku:in")})
    assert len(requests["hike"]) <= 3 and len(requests["bigcommerce"]) <= 4, requests
    assert cursors() == before, "a records-only pass moves no cursor"


def inventory_calls(connected) -> list[dict]:
    """Stock reads and writes (not the list of locations a reconciliation reads with the store's facts)."""
    return [r for r in connected.requests("bigcommerce")
            if "/v3/inventory/" in r["path"] and not r["path"].endswith("/inventory/locations")]


def test_s13_d11_a_level_changed_in_bigcommerce_is_set_back_by_reconciliation_never_by_an_incremental_pass(synced):
    """Issue 14 finding 3 (b): stock compared with the last level pushed cannot see a BigCommerce level changed
    behind the app's back (by hand, another app, an order whose follow-up was lost). The daily reconciliation
    reads BigCommerce's real levels at the location (one call per 1000 items) and sets those that differ, in one
    adjustment call; an incremental pass reads none."""
    connected, engine, _, _ = synced
    link = models.Link.select().where(models.Link.entity == "product", models.Link.status == "linked",
                                      models.Link.stock_pushed.is_null(False)).order_by(models.Link.id).first()
    resolved = engine.context().settings
    location = resolved.bc_location_id
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)  # whatever earlier tests left differing is level now
    expected = whole_units(hike_level(connected.hike.product(int(link.hike_id)).outlets, resolved.stock_outlet_ids))
    assert connected.bc.product(int(link.bc_id)).inventory_level == expected
    connected.bc.set_inventory([{"location_id": location, "product_id": int(link.bc_id), "quantity": expected + 3}])
    connected.requests("bigcommerce", clear=True)

    quiet = engine.run_pass("schedule", PRODUCTS)

    assert quiet.status == "ok", quiet.message
    assert inventory_calls(connected) == [], "an incremental pass neither reads nor sets BigCommerce's levels"
    assert connected.bc.product(int(link.bc_id)).inventory_level == expected + 3
    connected.requests("bigcommerce", clear=True)

    reconciled = engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)

    assert reconciled.status == "ok", reconciled.message
    assert connected.bc.product(int(link.bc_id)).inventory_level == expected
    calls = inventory_calls(connected)
    assert [(r["method"], r["path"].split("/v3/")[1]) for r in calls] == [
        ("GET", f"inventory/locations/{location}/items"), ("PUT", "inventory/adjustments/absolute")]
    assert calls[0]["query"]["limit"] == "1000"
    assert json.loads(calls[1]["body"])["items"] == [
        {"location_id": location, "product_id": int(link.bc_id), "quantity": expected}], "only what differs"
    entry = models.LogEntry.select().where(models.LogEntry.entity == "inventory",
                                           models.LogEntry.hike_id == link.hike_id).order_by(
        models.LogEntry.id.desc()).first()
    assert f"BigCommerce had {expected + 3}" in entry.message
