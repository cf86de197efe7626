"""Issue 20 part 1, match review (B2, D1, D2, D4): the person's decisions, made (``desktop.sync.match_decisions``)
and honoured by the products plan (``ProductSync.plan``) over small fakes of the two stores; the end-to-end proof
over real HTTP is ``tests/integration/test_match_decisions.py``."""
from __future__ import annotations

import pytest

from desktop.storage.models import Link, LogEntry, MatchDecision
from desktop.sync import match_decisions
from desktop.sync.match_decisions import EXCLUDED, DecisionError
from desktop.sync.registry import ProductPass
from desktop.sync.vocabulary import ReadScope
from tests.unit.test_entity_passes import FakeBC, FakeHike, bc_simple, plan_of, run_of
from tests.unit.test_mapping import bc_variant_product, hike_simple


def planned(hike, bc, scope=ReadScope.FULL):
    actions = plan_of(ProductPass(run_of(FakeHike(hike), FakeBC(bc), scope)), scope)
    return sorted(((a.kind, a.hike.id if a.hike else None, a.bc.id if a.bc else None, a.message) for a in actions),
                  key=repr)


def test_issue20_a_refused_match_is_a_skip_on_both_sides_neither_linked_nor_created(db):
    hike, bc = hike_simple(id=101, sku="A-1", barcode="1"), bc_simple(201, "a-1", "9")
    assert [k for k, *_ in planned([hike], [bc])] == ["link"], "without the decision: linked by SKU"

    made = match_decisions.refuse(hike, bc)

    assert made.changed
    assert planned([hike], [bc]) == [
        ("skip", 101, None, "You refused the match with BigCommerce product 201 (a-1): not linked, not created"),
        ("skip", None, 201, "You refused the match with Hike product 101 (A-1): not linked, not created")]
    assert not match_decisions.refuse(hike, bc).changed, "said again: already so"


def test_issue20_refusing_a_current_link_undoes_it_and_deletes_no_record(db):
    hike, bc = hike_simple(id=101, sku="A-1"), bc_simple(201, "A-1", "9")
    Link.create(entity="product", hike_id="101", bc_id="201", sku="A-1", status="linked", stock_pushed="4",
                hike_fingerprint="h", bc_fingerprint="b")

    assert "their link is undone" in match_decisions.refuse(hike, bc).message

    row = Link.get(Link.entity == "product", Link.hike_id == "101")
    assert (row.status, row.bc_id, row.stock_pushed) == ("skipped", None, None)
    assert LogEntry.get(LogEntry.hike_id == "101").message.startswith("Unlinked by you.")
    assert [k for k, *_ in planned([hike], [bc])] == ["skip", "skip"]


def test_issue20_a_pair_linked_by_hand_links_though_their_skus_differ_and_the_rest_is_planned_as_before(db):
    hike = [hike_simple(id=101, sku="A-1", barcode="1"), hike_simple(id=102, sku="B-1", barcode="2")]
    bc = [bc_simple(201, "A-1", "8"), bc_simple(202, "ZZ-9", "9")]

    match_decisions.link(hike[0], bc[1])

    plan = planned(hike, bc)
    assert ("link", 101, 202, "Linked by you") in plan
    assert not [a for a in plan if a[0] == "link" and a[2] == 201], "A-1 in BigCommerce is no longer 101's match"
    assert {(k, h, b) for k, h, b, _ in plan} >= {("create_bc", 102, None)}


def test_issue20_a_link_by_hand_is_refused_when_kinds_differ_or_a_record_is_linked_elsewhere(db):
    with pytest.raises(DecisionError, match="a simple product and BigCommerce's “Demo Jeans” is a product with "
                                            "variants"):
        match_decisions.link(hike_simple(id=101), bc_variant_product(id=88))
    Link.create(entity="product", hike_id="101", bc_id="300", status="linked")
    with pytest.raises(DecisionError, match=r"linked with BigCommerce product 300: .*matches unlink 101 300"):
        match_decisions.link(hike_simple(id=101), bc_simple(201, "X", "1"))
    assert MatchDecision.select().count() == 0


def test_issue20_an_excluded_sku_is_skipped_unlinked_or_linked_and_nothing_is_written_for_its_link(db):
    Link.create(entity="product", hike_id="103", bc_id="204", sku="C-1", status="linked", hike_fingerprint="old",
                bc_fingerprint="old")
    hike = [hike_simple(id=101, sku="A-1", barcode="1"), hike_simple(id=103, sku="C-1", barcode="3")]
    bc = [bc_simple(204, "C-1", "8")]
    before = {k for k, *_ in planned(hike, bc)}
    assert "create_bc" in before and "update_hike" in before

    match_decisions.exclude(" a-1 ")
    match_decisions.exclude("C-1")

    assert planned(hike, bc) == [("skip", 101, None, EXCLUDED), ("skip", 103, 204, EXCLUDED)]
    assert not match_decisions.exclude("A-1").changed, "the same SKU, typed otherwise: already excluded"
    match_decisions.include("c-1")
    assert ("update_hike", 103, 204) in {(k, h, b) for k, h, b, _ in planned(hike, bc)}, "included again: it syncs"


def test_issue20_decisions_changed_since_the_last_full_pass_make_the_next_one_full(db):
    assert not match_decisions.changed()
    match_decisions.exclude("A-1")
    assert match_decisions.changed()
    match_decisions.note_read(match_decisions.revision())
    assert not match_decisions.changed()
    match_decisions.forget(101, 201)
    assert not match_decisions.changed(), "nothing to forget: nothing changed"


def test_issue20_an_incremental_pass_reading_one_of_a_pair_linked_by_hand_looks_the_other_up_by_id(db):
    """Only the Hike product changed: its partner linked by hand (another SKU, so no SKU look-up finds it) is read
    by id before anything is planned, so it is linked, not created in BigCommerce."""
    from tests.unit.test_entity_passes import since_cursors

    hike, bc = hike_simple(id=101, sku="A-1", barcode="1"), bc_simple(205, "WEB-9", "9")
    match_decisions.link(hike, bc)
    since_cursors("product")
    shop = FakeBC([bc], changed_products=set())
    actions = plan_of(ProductPass(run_of(FakeHike([hike]), shop)), ReadScope.INCREMENTAL)
    assert [(a.kind, a.hike.id, a.bc.id) for a in actions] == [("link", 101, 205)]
    assert ("read_products", None) in shop.calls, "read by id"
