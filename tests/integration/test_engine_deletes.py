"""D9 over both sandbox stores: a linked product deleted on one side is said so by the next full pass (the daily
reconciliation, a group's retry, ``sync --once --full``), once, and is neither re-created nor updated; the two
choices the Errors tab offers (re-create it there, or unlink it) do what they say (issue 16, finding 5).

Deleting in Hike goes through ``DELETE /api/v1/products/delete/{id}`` (API-NOTES: a client's constant [C]; the
emulator deletes the product with its variants [I])."""
from __future__ import annotations

from decimal import Decimal

import pytest

from desktop.storage import models
from desktop.sync import deleted_links
from desktop.sync.vocabulary import LinkStatus, ReadScope
from tests.integration.test_engine_products import PRODUCTS
from tests.integration.worlds import clear_requests, store_writes, synced_world


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with synced_world(tmp_path_factory.mktemp("deletes")) as world:
        yield world


writes, clear = store_writes, clear_requests


def entries(link):
    return list(models.LogEntry.select().where(models.LogEntry.entity == "product",
                                               (models.LogEntry.hike_id == link.hike_id)
                                               | (models.LogEntry.bc_id == link.bc_id))
                .order_by(models.LogEntry.id))


def linked_from_bc(connected, engine, sku: str, name: str):
    """A BigCommerce product created in Hike by a pass, and its link."""
    bp = connected.bc.create_product({"name": name, "type": "physical", "weight": 1, "price": Decimal("19.00"),
                                      "sku": sku, "categories": []})
    engine.run_pass("schedule", PRODUCTS)
    link = models.Link.get(models.Link.entity == "product", models.Link.bc_id == str(bp.id))
    assert link.status == LinkStatus.LINKED and link.hike_id
    return bp, link


def delete_in_hike(connected, hike_id) -> None:
    connected.hike.http.request("DELETE", f"products/delete/{hike_id}")


def test_d9_a_product_deleted_in_bigcommerce_is_marked_once_by_a_full_pass_and_not_recreated(world):
    connected, engine = world
    bp, link = linked_from_bc(connected, engine, "D9-GONE-BC-1", "Sandbox Deleted In BigCommerce")
    connected.bc.http.request("DELETE", f"v3/catalog/products/{bp.id}")
    before = len(entries(link))
    clear(connected)
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.INCREMENTAL)
    link = models.Link.get_by_id(link.id)
    assert link.status == LinkStatus.LINKED and len(entries(link)) == before, "an incremental pass says nothing"
    assert writes(connected, "bigcommerce") == [] and writes(connected, "hike") == []

    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)
    link = models.Link.get_by_id(link.id)
    assert link.status == LinkStatus.UNLINKED_DELETED_BC
    new = entries(link)[before:]
    assert len(new) == 1 and new[0].result == "error", [e.message for e in new]
    assert new[0].message.startswith("Deleted in BigCommerce on or before ")
    assert "not deleted in Hike (deletes are not synced). Re-create it in BigCommerce or unlink it." in new[0].message
    assert writes(connected, "bigcommerce") == [] and writes(connected, "hike") == []
    assert list(connected.bc.products(skus=["D9-GONE-BC-1"])) == [], "not re-created"
    assert connected.hike.find_product_by_sku("D9-GONE-BC-1") is not None, "not deleted in Hike either"

    clear(connected)
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)
    assert len(entries(models.Link.get_by_id(link.id))) == before + 1, "logged once, not every pass"
    assert writes(connected, "bigcommerce") == [] and writes(connected, "hike") == []


def test_d9_a_product_deleted_in_hike_is_marked_once_by_a_full_pass_and_not_recreated(world):
    connected, engine = world
    bp, link = linked_from_bc(connected, engine, "D9-GONE-HIKE-1", "Sandbox Deleted In Hike")
    delete_in_hike(connected, link.hike_id)
    before = len(entries(link))
    clear(connected)
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.INCREMENTAL)
    assert models.Link.get_by_id(link.id).status == LinkStatus.LINKED
    assert writes(connected, "hike") == []

    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)
    link = models.Link.get_by_id(link.id)
    assert link.status == LinkStatus.UNLINKED_DELETED_HIKE
    new = entries(link)[before:]
    assert len(new) == 1 and new[0].result == "error"
    assert new[0].message.startswith("Deleted in Hike on or before ")
    assert "Re-create it in Hike or unlink it." in new[0].message
    assert writes(connected, "hike") == [] and writes(connected, "bigcommerce") == []
    assert connected.hike.find_product_by_sku("D9-GONE-HIKE-1") is None, "not re-created in Hike"
    clear(connected)
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)
    assert len(entries(models.Link.get_by_id(link.id))) == before + 1
    assert writes(connected, "hike") == [] and writes(connected, "bigcommerce") == []


def test_d9_a_product_deleted_in_both_stores_is_marked_without_a_recreate(world):
    connected, engine = world
    bp, link = linked_from_bc(connected, engine, "D9-GONE-BOTH-1", "Sandbox Deleted In Both")
    connected.bc.http.request("DELETE", f"v3/catalog/products/{bp.id}")
    delete_in_hike(connected, link.hike_id)
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)
    link = models.Link.get_by_id(link.id)
    assert link.status in (LinkStatus.UNLINKED_DELETED_BC, LinkStatus.UNLINKED_DELETED_HIKE)
    assert link.last_message.startswith("Deleted in both stores")
    assert deleted_links.choices(link) == [deleted_links.UNLINK]


def test_d9_n7_recreate_in_bigcommerce_creates_the_survivor_there_and_links_it_anew(world):
    connected, engine = world
    bp, link = linked_from_bc(connected, engine, "D9-RECREATE-1", "Sandbox Re-created")
    connected.bc.http.request("DELETE", f"v3/catalog/products/{bp.id}")
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)
    assert models.Link.get_by_id(link.id).status == LinkStatus.UNLINKED_DELETED_BC
    assert deleted_links.choices(models.Link.get_by_id(link.id)) == [deleted_links.RECREATE, deleted_links.UNLINK]
    deleted_links.recreate(link.id)
    engine.run_pass("retry", PRODUCTS, only=[link.id])  # what the Errors tab asks for after re-create
    made = list(connected.bc.products(skus=["D9-RECREATE-1"]))
    assert len(made) == 1 and made[0].id != bp.id
    link = models.Link.get_by_id(link.id)
    assert link.status == LinkStatus.LINKED and link.bc_id == str(made[0].id) and link.last_result == "ok"
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)
    assert len(list(connected.bc.products(skus=["D9-RECREATE-1"]))) == 1, "created once"


def test_d9_unlink_forgets_the_link_and_the_survivor_is_not_recreated(world):
    connected, engine = world
    bp, link = linked_from_bc(connected, engine, "D9-UNLINK-1", "Sandbox Unlinked")
    connected.bc.http.request("DELETE", f"v3/catalog/products/{bp.id}")
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)
    deleted_links.unlink(link.id)
    link = models.Link.get_by_id(link.id)
    assert link.status == LinkStatus.SKIPPED and link.last_message == deleted_links.UNLINKED_BY_YOU
    assert link.bc_id is None and link.hike_id
    clear(connected)
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)
    assert list(connected.bc.products(skus=["D9-UNLINK-1"])) == [], "not re-created"
    assert models.Link.get_by_id(link.id).last_message == deleted_links.UNLINKED_BY_YOU
    assert writes(connected, "bigcommerce") == [] and writes(connected, "hike") == []
    # retried when the person asks for that record: then it is created again
    engine.run_pass("retry", PRODUCTS, only=[link.id])
    assert len(list(connected.bc.products(skus=["D9-UNLINK-1"]))) == 1
    assert models.Link.get_by_id(link.id).status == LinkStatus.LINKED


def test_d9_n7_recreate_in_hike_creates_the_survivor_there_and_links_it_anew(world):
    connected, engine = world
    bp, link = linked_from_bc(connected, engine, "D9-RECREATE-HIKE-1", "Sandbox Re-created In Hike")
    delete_in_hike(connected, link.hike_id)
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)
    assert deleted_links.recreate(link.id) is not None
    engine.run_pass("retry", PRODUCTS, only=[link.id])
    made = connected.hike.find_product_by_sku("D9-RECREATE-HIKE-1")
    assert made is not None and str(made.id) != link.hike_id
    link = models.Link.get_by_id(link.id)
    assert link.status == LinkStatus.LINKED and link.hike_id == str(made.id) and link.bc_id == str(bp.id)


def test_d9_the_variants_links_follow_their_product(world):
    connected, engine = world
    variant = (models.Link.select().where(models.Link.entity == "variant", models.Link.status == "linked")
               .order_by(models.Link.id).first())
    parent_id = connected.hike.product(int(variant.hike_id)).parent_id
    link = models.Link.get(models.Link.entity == "product", models.Link.hike_id == str(parent_id))
    siblings = [v.id for v in connected.hike.product(parent_id).variants]
    connected.bc.http.request("DELETE", f"v3/catalog/products/{link.bc_id}")
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)
    assert models.Link.get_by_id(link.id).status == LinkStatus.UNLINKED_DELETED_BC
    rows = list(models.Link.select().where(models.Link.entity == "variant",
                                           models.Link.hike_id.in_([str(i) for i in siblings])))
    assert rows and all(r.status == LinkStatus.UNLINKED_DELETED_BC for r in rows)


def test_d9_an_incremental_pass_that_finds_the_other_side_gone_marks_it_once(world):
    """The survivor changed: its update looks its partner up by id, finds it gone, and marks the link as a full pass
    would (it used to fail "no longer exists" again each time the survivor changed)."""
    connected, engine = world
    bp, link = linked_from_bc(connected, engine, "D9-GONE-INC-1", "Sandbox Deleted Then Edited")
    connected.bc.http.request("DELETE", f"v3/catalog/products/{bp.id}")
    connected.hike.save_product({"id": int(link.hike_id), "name": "Sandbox Deleted Then Edited Again"})
    before = len(entries(link))
    clear(connected)
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.INCREMENTAL)
    link = models.Link.get_by_id(link.id)
    assert link.status == LinkStatus.UNLINKED_DELETED_BC
    (new,) = entries(link)[before:]
    assert new.message.startswith("Deleted in BigCommerce on or before ")
    assert writes(connected, "bigcommerce") == [] and writes(connected, "hike") == []
    connected.hike.save_product({"id": int(link.hike_id), "name": "Sandbox Deleted Then Edited Twice"})
    engine.run_pass("schedule", PRODUCTS, scope=ReadScope.INCREMENTAL)
    assert len(entries(models.Link.get_by_id(link.id))) == before + 1, "logged once"
    assert list(connected.bc.products(skus=["D9-GONE-INC-1"])) == [], "not re-created"
