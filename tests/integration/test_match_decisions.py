"""Issue 20 part 1, match review (B2, with D1, D2, D4, P3): the person's decisions honoured by every pass, over real
HTTP against both sandbox stores. Each test starts from the empty seed and builds its products through the stores'
own APIs, so no other test's records are in the way."""
from __future__ import annotations

import json
from decimal import Decimal

from desktop.storage import models
from desktop.sync import match_decisions
from desktop.sync.hike import InventoryChange
from desktop.sync.vocabulary import ReadScope
from tests.integration.test_cli import (connect_and_configure, info_file, memory_keyring, run_cli,  # noqa: F401
                                        sandbox, seed)
from tests.integration.test_engine_products import settings
from tests.integration.test_first_sync_trust import PRODUCTS, bc_product, hike_product, world  # noqa: F401
from tests.integration.worlds import clear_requests, store_writes

def run(engine, trigger="schedule"):
    done = engine.run_pass(trigger, PRODUCTS)
    assert done.status == "ok", done.message
    return done


def product_row(**where):
    query = models.Link.select().where(models.Link.entity == "product")
    for name, value in where.items():
        query = query.where(getattr(models.Link, name) == value)
    return query.first()


def linked(hike_id, bc_id) -> bool:
    return product_row(hike_id=str(hike_id), bc_id=str(bc_id), status="linked") is not None


def log(**where):
    query = models.LogEntry.select().where(models.LogEntry.entity == "product")
    for name, value in where.items():
        query = query.where(getattr(models.LogEntry, name) == value)
    return [e.message for e in query.order_by(models.LogEntry.id)]


def set_hike_price(connected, engine, hike_id, price):
    outlet = engine.context().settings.inventory_outlet_id
    row = connected.hike.product(hike_id).outlet(outlet)
    connected.hike.save_product({"id": hike_id, "product_outlets": [
        {"outlet_id": outlet, "price_ex_tax": Decimal(price), "tax_id": row.tax_id}]})


def set_hike_stock(connected, engine, hike_id, on_hand):
    outlet = engine.context().settings.inventory_outlet_id
    connected.hike.inventory_update([InventoryChange(outlet_id=outlet, product_id=hike_id, on_hand=Decimal(on_hand))])


def mentions(write: dict, bc_id: str) -> bool:
    """Whether a request writes the BigCommerce product ``bc_id``: in its path, or as an ``id`` / ``product_id`` of
    its JSON body (a batch update, stock adjustments)."""
    if f"/{bc_id}" in write["path"].split("?")[0] + "/":
        return f"/products/{bc_id}/" in write["path"] + "/"
    found = []

    def walk(value):
        if isinstance(value, dict):
            found.extend(str(value[k]) for k in ("id", "product_id") if k in value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(write["body"]) if write.get("body") else None)
    return str(bc_id) in found


def test_issue20_a_refused_match_stays_unlinked_across_passes_and_nothing_is_created(world):
    connected, engine = world
    hp = hike_product(connected, engine, "REF-1")
    bp = bc_product(connected, "REF-1")
    match_decisions.refuse(hp, bp)

    dry = engine.dry_run()
    assert "link" not in dry.counts.get("both", {}) and not dry.writes, "P3: the preview promises no link, no write"
    assert dry.counts["hike"]["skip"] == 1 and dry.counts["bigcommerce"]["skip"] == 1, dry.counts

    clear_requests(connected)
    run(engine, "first_sync")
    assert store_writes(connected, "bigcommerce") == [] and store_writes(connected, "hike") == []
    set_hike_price(connected, engine, hp.id, "31.00")  # a change: the incremental pass reads it and looks it up
    assert engine.read_scope() == ReadScope.INCREMENTAL
    clear_requests(connected)
    run(engine)
    run(engine, "reconcile")

    assert store_writes(connected, "bigcommerce") == [] and store_writes(connected, "hike") == [], \
        "nothing written, nothing created, in two more passes"
    assert not linked(hp.id, bp.id)
    assert [p.id for p in connected.bc.products()] == [bp.id] and [p.id for p in connected.hike.products()] == [hp.id]
    assert log(hike_id=str(hp.id), action="skip") == [
        f"You refused the match with BigCommerce product {bp.id} (REF-1): not linked, not created"], "logged once"
    assert log(bc_id=str(bp.id), action="skip") == [
        f"You refused the match with Hike product {hp.id} (REF-1): not linked, not created"]


def test_issue20_refusing_a_linked_match_undoes_the_link_and_later_passes_leave_both_alone(world):
    connected, engine = world
    hp = hike_product(connected, engine, "UNDO-1")
    bp = bc_product(connected, "UNDO-1")
    run(engine, "first_sync")
    assert linked(hp.id, bp.id), "D1: linked by SKU"

    match_decisions.refuse(connected.hike.product(hp.id), connected.bc.product(bp.id))

    assert not linked(hp.id, bp.id), "undone when refused"
    assert engine.read_scope() == ReadScope.FULL, "a changed decision: the next pass reads everything"
    clear_requests(connected)
    set_hike_price(connected, engine, hp.id, "33.00")
    set_hike_stock(connected, engine, hp.id, 9)
    run(engine)
    run(engine)
    assert store_writes(connected, "bigcommerce") == [], "no price, no stock, no create for a refused match"
    assert not linked(hp.id, bp.id)
    assert connected.bc.product(bp.id).price == Decimal("20.00")


def test_issue20_a_manual_link_of_two_products_with_different_skus_syncs(world):
    connected, engine = world
    engine.settings = settings(hike_to_bc={"new_products": False}, bc_to_hike={"new_products": False})
    hp = hike_product(connected, engine, "SHOP-LAMP")
    bp = bc_product(connected, "WEB-LAMP-01")
    run(engine, "first_sync")
    assert not linked(hp.id, bp.id) and log(hike_id=str(hp.id), action="skip"), "SKUs differ: not matched"

    match_decisions.link(hp, bp)

    assert engine.read_scope() == ReadScope.FULL, "neither record changed: the decision makes the pass read them"
    assert engine.dry_run().counts.get("both", {}).get("link") == 1, "P3: the preview counts the link"
    first = run(engine)
    assert first.counts["product"]["link"] == 1
    assert linked(hp.id, bp.id)
    assert any(m.startswith("Linked by you: ") for m in log(hike_id=str(hp.id), action="link"))
    assert engine.read_scope() == ReadScope.INCREMENTAL

    set_hike_price(connected, engine, hp.id, "27.50")
    run(engine)
    assert connected.bc.product(bp.id).price == Decimal("27.50"), "a price changed in Hike reaches BigCommerce"
    assert len(list(connected.bc.products())) == 1 and len(list(connected.hike.products())) == 1, "nothing created"


def test_issue20_an_excluded_sku_gets_no_writes_while_others_do_and_syncs_after_include(world):
    connected, engine = world
    kept = hike_product(connected, engine, "KEEP-1")
    out = hike_product(connected, engine, "OUT-1")
    run(engine, "first_sync")
    kept_bc = product_row(hike_id=str(kept.id)).bc_id
    out_bc = product_row(hike_id=str(out.id)).bc_id

    match_decisions.exclude(" out-1")
    dry = engine.dry_run()
    assert not [w for w in dry.writes if w.hike_id == out.id], "P3: the preview writes nothing of it"
    for hike_id in (kept.id, out.id):
        set_hike_price(connected, engine, hike_id, "40.00")
        set_hike_stock(connected, engine, hike_id, 7)
    clear_requests(connected)
    run(engine)

    bc_writes = store_writes(connected, "bigcommerce")
    assert [w for w in bc_writes if mentions(w, kept_bc)], "the other product is written"
    assert not [w for w in bc_writes if mentions(w, out_bc)], "nothing of the excluded one: no field, no stock"
    assert connected.bc.product(int(kept_bc)).price == Decimal("40.00")
    assert connected.bc.product(int(kept_bc)).inventory_level == 7
    assert connected.bc.product(int(out_bc)).price == Decimal("20.00")
    assert connected.bc.product(int(out_bc)).inventory_level == 2
    assert product_row(hike_id=str(out.id)).status == "linked", "its link stays"
    assert log(hike_id=str(out.id), action="skip") == [match_decisions.EXCLUDED]

    match_decisions.include("OUT-1")
    assert engine.read_scope() == ReadScope.FULL
    run(engine)
    assert connected.bc.product(int(out_bc)).price == Decimal("40.00"), "included again: it syncs"
    assert connected.bc.product(int(out_bc)).inventory_level == 7


# -- the CLI (``hike-bc-sync-cli matches``) ---------------------------------------------------------------------------
def test_issue20_cli_matches_lists_the_review_and_each_decision_round_trips_through_a_pass(run_cli, info_file,
                                                                                            tmp_path):
    from desktop.cli import MATCH_KINDS
    from desktop.sync.match_review import KINDS

    assert MATCH_KINDS == KINDS
    connect_and_configure(run_cli, info_file, tmp_path)
    listed = run_cli.json("matches")
    proposed = [r for r in listed["rows"] if r["kind"] == "proposed"]
    assert proposed and listed["count"] == len(listed["rows"]) and listed["counts"]["proposed"] == len(proposed)
    pair = proposed[0]
    hike_id, bc_id, sku = str(pair["hike_id"]), str(pair["bc_id"]), pair["hike_sku"]
    assert pair["how"] in ("sku", "barcode")
    code, out, _ = run_cli("matches", "--search", sku)

    assert code == 0 and out.startswith("proposed ") and f"Hike {hike_id} “" in out

    refused = run_cli.json("matches", "unlink", hike_id, bc_id)
    assert refused["changed"] and "never linked" in refused["message"]
    again = run_cli.json("matches", "unlink", hike_id, bc_id)
    assert not again["changed"] and "already refused" in again["message"], "said so, exit 0"
    assert [(r["hike_id"], r["bc_id"]) for r in run_cli.json("matches", "--only", "refused")["rows"]] == \
        [(int(hike_id), int(bc_id))]
    assert run_cli.json("sync", "--once", "--entities", "products,inventory")["status"] in ("ok", "partial")
    assert not [r for r in run_cli.json("matches", "--only", "linked")["rows"] if r["hike_id"] == int(hike_id)], \
        "the pass honoured the refusal"

    linked_by_hand = run_cli.json("matches", "link", hike_id, bc_id)
    assert linked_by_hand["changed"] and "refusal of this match is dropped" in linked_by_hand["message"]
    assert run_cli.json("sync", "--once", "--entities", "products,inventory")["status"] in ("ok", "partial")
    (row,) = [r for r in run_cli.json("matches", "--only", "linked_by_you")["rows"]]
    assert (row["hike_id"], row["bc_id"], row["message"]) == (int(hike_id), int(bc_id), "Linked by you")
    forgotten = run_cli.json("matches", "forget", hike_id, bc_id)
    assert forgotten["changed"] and not run_cli.json("matches", "forget", hike_id, bc_id)["changed"]

    assert run_cli.json("matches", "exclude", f" {sku.lower()} ")["changed"]
    assert [r["hike_id"] for r in run_cli.json("matches", "--only", "excluded")["rows"]] == [int(hike_id)]
    assert not run_cli.json("matches", "exclude", sku)["changed"]
    assert run_cli.json("matches", "include", sku)["changed"]
    assert not run_cli.json("matches", "include", sku)["changed"]

    for args, said in ((("link", "999999", bc_id), "Hike has no product with id 999999"),
                       (("unlink", hike_id, "999999"), "BigCommerce has no product with id 999999"),
                       (("link", hike_id), "matches link HIKE_ID BC_ID"),
                       (("exclude", "NO-SUCH-SKU-20"), "has the SKU 'NO-SUCH-SKU-20'"),
                       (("--only", "maybe"), "--only takes one of: proposed")):
        code, _, err = run_cli("matches", *args)
        assert code == 2 and said in err, (args, err)
