"""A first sync a shop manager can trust (issue 16): stores built only through the public APIs, then synced.

Each test reproduces one finding of the issue on its own pair of sandbox stores (the empty seed, then products
made with the stores' own APIs), so no other test's records are in the way.
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from desktop.storage import models
from desktop.storage.db import close_db, init_db
from desktop.sync.engine import SyncEngine
from desktop.sync.vocabulary import ReadScope
from tests.integration.stores import connect
from tests.integration.test_engine_products import open_up, settings
from tests.integration.worlds import clear_requests, store_writes

PRODUCTS = ("products", "inventory")


@pytest.fixture
def world(tmp_path):
    init_db(tmp_path / "sync.sqlite3")
    connected = open_up(connect("empty"))
    yield connected, SyncEngine(connected.bc, connected.hike, settings())
    connected.close()
    close_db()


def hike_product(connected, engine, sku, *, description=None, barcode=None, stock=2):
    outlet = engine.context().settings.inventory_outlet_id
    gst = next(t for t in connected.hike.taxes() if t.name == "GST")
    body = {"name": f"Shop {sku}", "sku": sku, "track_inventory": True,
            "sales_channels": [{"sales_channels": "1"}, {"sales_channels": "2"}],
            "product_outlets": [{"outlet_id": outlet, "price_ex_tax": Decimal("20.00"), "tax_id": gst.id,
                                 "on_hand_inventory": stock}]}
    if description is not None:
        body["description"] = description
    if barcode is not None:
        body["barcode"] = barcode
    return connected.hike.save_product(body)


def bc_product(connected, sku, *, description="", upc="", variants=()):
    body = {"name": f"Web {sku}", "type": "physical", "weight": 1, "price": Decimal("20.00"), "sku": sku,
            "categories": [], "description": description, "upc": upc, "inventory_tracking":
                "variant" if variants else "product", "inventory_level": 2 if not variants else 0}
    if variants:
        body["variants"] = [{"sku": vsku, "inventory_level": 1,
                             "option_values": [{"option_display_name": "Size", "label": label}]}
                            for vsku, label in variants]
    return connected.bc.create_product(body)


writes = store_writes


def entries(**where):
    query = models.LogEntry.select()
    for name, value in where.items():
        query = query.where(getattr(models.LogEntry, name) == value)
    return list(query)


# -- finding 3: a simple product matched to a variant ---------------------------------------------------------------
def test_d2_a_simple_product_sharing_a_variants_sku_is_a_conflict_not_a_link(world):
    connected, engine = world
    hp = hike_product(connected, engine, "X-DUP", description="Made for the store")
    bp = bc_product(connected, "DUP-TEE", variants=[("X-DUP", "S"), ("DUP-TEE-M", "M")])
    dry = engine.dry_run()
    assert "link" not in dry.counts.get("both", {}), "the preview must not promise a link"
    assert [a for a in dry.actions if a["action"] == "fail"], "the preview names the conflict"
    clear_requests(connected)
    run = engine.run_pass("first_sync", PRODUCTS)
    assert writes(connected, "hike") == [] and writes(connected, "bigcommerce") == [], \
        "nothing of either record is written on either side"
    hike_row = models.Link.get(models.Link.entity == "product", models.Link.hike_id == str(hp.id))
    bc_row = models.Link.get(models.Link.entity == "product", models.Link.bc_id == str(bp.id))
    for row in (hike_row, bc_row):
        assert row.status == "failed" and not (row.hike_id and row.bc_id)
        assert "Shop X-DUP" in row.last_message and "Web DUP-TEE" in row.last_message
        assert "same kind" in row.last_message, "the fix is named"
    assert connected.hike.product(hp.id).description == "Made for the store"
    assert run.counts["product"] == {"error": 2}
    # a later full pass on unchanged stores: no write, no new error row
    before = models.LogEntry.select().count()
    clear_requests(connected)
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)
    assert writes(connected, "hike") == [] and writes(connected, "bigcommerce") == []
    assert models.LogEntry.select().count() == before


# -- finding 2: an empty value never replaces a filled one on a first link ------------------------------------------
def test_s16_a_first_link_keeps_a_hike_description_bigcommerce_has_empty(world):
    connected, engine = world
    hp = hike_product(connected, engine, "KEEP-1", description="Made for the store")
    bp = bc_product(connected, "KEEP-1", description="")
    run = engine.run_pass("first_sync", PRODUCTS)
    assert run.status == "ok", run.message
    link = models.Link.get(models.Link.entity == "product", models.Link.hike_id == str(hp.id))
    assert link.status == "linked" and link.bc_id == str(bp.id)
    assert connected.hike.product(hp.id).description == "Made for the store"
    said = " ".join(e.message for e in entries(hike_id=str(hp.id)))
    assert "Kept" in said and "Description" in said, said
    # nothing waits: the next pass writes nothing
    clear_requests(connected)
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)
    assert writes(connected, "hike") == [] and writes(connected, "bigcommerce") == []


def test_s16_a_first_link_keeps_a_bigcommerce_upc_hike_has_empty(world):
    connected, engine = world
    hp = hike_product(connected, engine, "KEEP-2")
    bp = bc_product(connected, "KEEP-2", upc="9312345678903")
    engine.run_pass("first_sync", PRODUCTS)
    assert models.Link.get(models.Link.entity == "product", models.Link.hike_id == str(hp.id)).status == "linked"
    assert connected.bc.product(bp.id).upc == "9312345678903"
    clear_requests(connected)
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)
    assert writes(connected, "bigcommerce") == []


def test_s16_after_the_link_a_description_cleared_on_purpose_syncs(world):
    connected, engine = world
    hp = hike_product(connected, engine, "CLEAR-1", description="Old words")
    bp = bc_product(connected, "CLEAR-1", description="<p>New words</p>")
    engine.run_pass("first_sync", PRODUCTS)
    assert connected.hike.product(hp.id).description == "New words", "a filled value still replaces on a link"
    connected.bc.update_product(bp.id, {"description": ""})
    engine.run_pass("schedule", PRODUCTS)
    assert not connected.hike.product(hp.id).description


# -- finding 1: the preview counts every write, per store and field --------------------------------------------------
def _previewed(dry) -> set[tuple[str, str, str]]:
    out = set()
    for write in dry.writes:
        for name in write.changes:
            if name == "stock":
                out.add(("bigcommerce", "stock", str(write.bc_id)))
            elif name in ("created", "customer_created"):
                out.add((write.side, name, str(write.hike_id or write.bc_id)))
            elif name == "customer_updated":
                out.add((write.side, name, str(write.hike_id)))
            else:
                out.add((write.side, name, str(write.hike_id)))
    return out


def _written(connected, run) -> set[tuple[str, str, str]]:
    """What the pass wrote: the fields its product log entries name, and the stock items of its requests."""
    out = set()
    for entry in entries(run=run.id):
        side = {"hike_to_bc": "bigcommerce", "bc_to_hike": "hike"}.get(entry.direction)
        source_id = entry.hike_id if side == "bigcommerce" else entry.bc_id
        if entry.entity == "product" and entry.action == "update" and entry.result == "ok":
            out |= {(side, name, entry.hike_id) for name in entry.diff or {}}
        elif entry.entity == "product" and entry.action == "create" and entry.result == "ok":
            out.add((side, "created", source_id))
        elif entry.entity == "customer" and entry.action == "create" and entry.result == "ok":
            out.add((side, "customer_created", source_id))
        elif entry.entity == "customer" and entry.action == "update" and entry.result == "ok":
            out.add((side, "customer_updated", entry.hike_id))
    for request in connected.requests("bigcommerce"):
        if request["method"] == "PUT" and request["path"].endswith("/inventory/adjustments/absolute"):
            body = json.loads(request["body"]) if isinstance(request["body"], str) else request["body"]
            out |= {("bigcommerce", "stock", str(i.get("variant_id") or i["product_id"])) for i in body["items"]}
    return out


def test_p3_the_preview_lists_exactly_the_writes_of_the_first_pass_and_a_second_pass_writes_nothing(tmp_path):
    init_db(tmp_path / "sync.sqlite3")
    connected = open_up(connect("demo"))
    try:
        engine = SyncEngine(connected.bc, connected.hike, settings())
        hike_product(connected, engine, "X-DUP", description="Made for the store")  # a record in error
        bc_product(connected, "DUP-TEE", variants=[("X-DUP", "S"), ("DUP-TEE-M", "M")])
        dry = engine.dry_run()
        assert dry.fields["hike"]["description"] > 0 and dry.fields["bigcommerce"]["created"] > 0
        assert all(len(found) <= 3 for store in dry.samples.values() for found in store.values())
        assert dry.fields["bigcommerce"]["customer_created"] > 0
        clear_requests(connected)
        run = engine.run_pass("first_sync", (*PRODUCTS, "customers"))
        previewed, written = _previewed(dry), _written(connected, run)
        assert previewed == written, (sorted(previewed - written)[:5], sorted(written - previewed)[:5])
        # records in error stay (the demo's BigCommerce products sharing a UPC), and still nothing is written
        assert models.Link.select().where(models.Link.status == "failed").count() > 0
        for scope in (None, ReadScope.FULL):
            clear_requests(connected)
            engine.run_pass("schedule", (*PRODUCTS, "customers"), scope=scope)
            assert writes(connected, "hike") == [] and writes(connected, "bigcommerce") == []
    finally:
        connected.close()
        close_db()


def test_d2_d4_a_linked_product_that_becomes_another_kind_fails_once_and_writes_nothing(world):
    """After the link, BigCommerce's product gains variants: every pass fails it for the same reason (D2); the
    error is logged once, not on every full pass, and nothing is written."""
    connected, engine = world
    hp = hike_product(connected, engine, "KIND-1", description="A mug")
    bp = bc_product(connected, "KIND-1")
    engine.run_pass("first_sync", PRODUCTS)
    connected.bc.create_variant(bp.id, {"sku": "KIND-1-L", "option_values": [
        {"option_display_name": "Size", "label": "L"}]})
    connected.hike.save_product({"id": hp.id, "name": "Shop KIND-1 renamed"})
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)
    link = models.Link.get(models.Link.entity == "product", models.Link.hike_id == str(hp.id))
    assert link.last_result == "error" and "simple product" in link.last_message
    before = models.LogEntry.select().count()
    clear_requests(connected)
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)
    assert models.LogEntry.select().count() == before, "logged once"
    assert writes(connected, "hike") == [] and writes(connected, "bigcommerce") == []
