"""Issue 20 part 1, the match review's rows (B2, D1, D2, D4): ``desktop.sync.match_review.review`` over small fakes
of the two stores, read in full and in parts as a pass reads them; nothing is written."""
from __future__ import annotations

from desktop.storage.models import Link, LogEntry
from desktop.sync import match_decisions, match_review, read_store
from desktop.sync.match_review import ReviewRow
from tests.unit.test_entity_passes import FakeBC, FakeHike, bc_simple
from tests.unit.test_mapping import bc_variant_product, hike_simple


def catalog():
    hike = [hike_simple(id=101, sku="A", barcode="1"), hike_simple(id=102, sku="B", barcode="2"),
            hike_simple(id=103, sku="C", barcode="3"), hike_simple(id=105, sku="J-30", barcode="5"),
            hike_simple(id=106, sku="ONLY-H", barcode="6"), hike_simple(id=107, sku="K", barcode="7"),
            hike_simple(id=108, sku="R", barcode="8"), hike_simple(id=109, sku="L-1", barcode="9"),
            hike_simple(id=110, sku="X", barcode="10")]
    bc = [bc_simple(201, "a", "91"), bc_simple(202, "Q", "2"), bc_simple(203, "C", "93"), bc_simple(204, "c ", "94"),
          bc_variant_product(id=88), bc_simple(206, "ONLY-B", "96"), bc_simple(207, "K", "97"),
          bc_simple(208, "R", "98"), bc_simple(209, "L-2", "99")]
    return hike, bc


def rows_by_kind(rows: list[ReviewRow]) -> dict[str, set[tuple]]:
    out: dict[str, set[tuple]] = {}
    for r in rows:
        out.setdefault(r.kind, set()).add((r.hike_id, r.bc_id, r.how))
    return out


def reviewed(hike, bc) -> list[ReviewRow]:
    return match_review.review(FakeHike(hike), FakeBC(bc))


def test_issue20_b2_the_review_lists_proposed_ambiguous_mismatched_one_sided_linked_and_decided(db, monkeypatch):
    hike, bc = catalog()
    Link.create(entity="product", hike_id="107", bc_id="207", sku="K", status="linked")
    match_decisions.refuse(hike[6], bc[7])
    match_decisions.link(hike[7], bc[8])
    match_decisions.exclude("x")
    match_decisions.exclude("NOT-THERE")

    rows = reviewed(hike, bc)

    kinds = rows_by_kind(rows)
    assert kinds["proposed"] == {(101, 201, "sku"), (102, 202, "barcode")}
    assert kinds["ambiguous"] == {(None, 203, "sku"), (None, 204, "sku"), (103, None, "")}
    assert kinds["kind_mismatch"] == {(105, 88, "")}
    assert kinds["only_hike"] == {(106, None, "")} and kinds["only_bigcommerce"] == {(None, 206, "")}
    assert kinds["linked"] == {(107, 207, "")}
    assert kinds["refused"] == {(108, 208, "you")}
    assert kinds["linked_by_you"] == {(109, 209, "you")}
    assert kinds["excluded"] == {(110, None, ""), (None, None, "you")}
    assert set(kinds) == set(match_review.KINDS), "every kind of row is shown"
    (ambiguous,) = [r for r in rows if r.kind == "ambiguous" and r.hike_id == 103]
    assert "“Canvas Tote” (203, C)" in ambiguous.message and "(204, c )" in ambiguous.message, "names them"
    assert not hasattr(ambiguous, "__dict__"), "rows are slotted: 50 000 of them stay small"
    assert len(rows) == sum(len(v) for v in kinds.values()), "one row each"
    assert Link.select().count() == 1 and LogEntry.select().count() == 0, "the review writes nothing"

    monkeypatch.setattr(read_store, "PART", 1)
    assert sorted(map(repr, reviewed(hike, bc))) == sorted(map(repr, rows)), "read in parts: the same rows"


def test_issue20_b2_rows_filter_by_kind_and_by_text_in_names_skus_and_ids(db):
    hike, bc = catalog()
    rows = reviewed(hike, bc)
    assert {r.kind for r in match_review.only(rows, kind="proposed")} == {"proposed"}
    assert [(r.hike_id, r.bc_id) for r in match_review.only(rows, search="only-")] == [(106, None), (None, 206)]
    assert [(r.hike_id, r.bc_id) for r in match_review.only(rows, search="202")] == [(102, 202)]
    assert match_review.only(rows, search="only-", kind="proposed") == []


def test_issue20_a_decision_the_page_can_tell_changes_its_rows_without_a_read():
    from desktop.sync.match_review import (EXCLUDED, LINKED_BY_YOU, ONLY_BC, ONLY_HIKE, PROPOSED, REFUSED, ReviewRow,
                                           after_decision)

    proposed = ReviewRow(PROPOSED, 1, "Lamp", "LAMP-1", 11, "Lamp", "lamp-1", "sku")
    hike_only = ReviewRow(ONLY_HIKE, 2, "Mug", "MUG-1")
    bc_only = ReviewRow(ONLY_BC, bc_id=12, bc_name="Web mug", bc_sku="WEB-MUG")
    rows = [proposed, hike_only, bc_only]
    refused = after_decision(rows, "refuse", [proposed])
    assert [r.kind for r in refused] == [REFUSED, ONLY_HIKE, ONLY_BC] and refused[0].hike_id == 1
    linked = after_decision(rows, "link", [hike_only, bc_only])
    assert [(r.kind, r.hike_id, r.bc_id) for r in linked] == [(PROPOSED, 1, 11), (LINKED_BY_YOU, 2, 12)]
    excluded = after_decision(rows, "exclude", [proposed])
    assert [r.kind for r in excluded] == [EXCLUDED, ONLY_HIKE, ONLY_BC], "by SKU, letter case aside"
    assert after_decision(rows, "include", [proposed]) is None, "only a new plan can tell"
    assert after_decision(rows, "forget", [proposed]) is None
