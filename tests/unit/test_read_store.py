"""A read kept in SQLite and handed out in parts (issue 19, ``desktop.sync.read_store``): every record once, each
part self-contained (linked partners together, records sharing a SKU or barcode together, the links a full read
lacks a record of first), and a products plan in parts of two records the same as in one piece."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from desktop.storage.models import Link
from desktop.sync import passes, read_store
from desktop.sync.linking import match_keys
from desktop.sync.passes import Snapshot
from desktop.sync.read_store import ReadStore
from desktop.sync.registry import ProductPass
from desktop.sync.vocabulary import ReadScope
from tests.unit.test_entity_passes import FakeBC, FakeHike, bc_simple, plan_of, run_of
from tests.unit.test_mapping import hike_simple

T0 = datetime(2024, 5, 1, tzinfo=timezone.utc)


@dataclass
class Record:
    id: int
    keys: tuple[str, ...] = ()
    changed: datetime | None = None


def store_of(hike: list[Record], bc: list[Record]) -> ReadStore:
    store = ReadStore("product", lambda r: r.keys, {"hike": lambda r: r.changed, "bigcommerce": lambda r: r.changed})
    store.add("hike", hike)
    store.add("bigcommerce", bc)
    return store


def parts_of(store: ReadStore, *, full: bool = False) -> list[Snapshot]:
    return list(passes.parts(Snapshot(full=full, store=store)))


@pytest.fixture
def tiny_parts(monkeypatch):
    monkeypatch.setattr(read_store, "PART", 2)


def test_every_record_comes_once_in_read_order_and_a_part_holds_what_matches_within_it(db, tiny_parts):
    hike = [Record(1, ("a",)), Record(2, ("b",)), Record(3, ("c",)), Record(4, ("d",)), Record(5, ("a",))]
    bc = [Record(11, ("zz",)), Record(12, ("yy",)), Record(13, ("d",)), Record(14, ("xx",))]
    store = store_of(hike, bc)

    parts = parts_of(store)

    assert sorted(r.id for p in parts for r in p.hike) == [1, 2, 3, 4, 5], "every Hike record once"
    assert sorted(r.id for p in parts for r in p.bc) == [11, 12, 13, 14], "every BigCommerce record once"
    first = parts[0]
    assert [r.id for r in first.hike] == [1, 2, 5], "5 shares SKU 'a' with 1: they are planned together"
    assert all(p.store is None for p in parts), "a part is a plain snapshot"
    together = next(p for p in parts if any(r.id == 4 for r in p.hike))
    assert 13 in [r.id for r in together.bc], "Hike 4 and BigCommerce 13 share 'd': one part"
    store.close()


def test_a_linked_pair_is_one_part_and_its_keys_bring_nothing(db, tiny_parts):
    Link.create(entity="product", hike_id="4", bc_id="14", status="linked")
    hike = [Record(1, ("a",)), Record(2, ("b",)), Record(3, ("c",)), Record(4, ("a",))]
    bc = [Record(11, ("q",)), Record(12, ("r",)), Record(13, ("s",)), Record(14, ("t",))]
    store = store_of(hike, bc)

    parts = parts_of(store)

    with_4 = next(p for p in parts if any(r.id == 4 for r in p.hike))
    assert 14 in [r.id for r in with_4.bc], "a linked record comes with its partner"
    with_1 = next(p for p in parts if any(r.id == 1 for r in p.hike))
    assert with_1 is not with_4, "a linked record is never matched again: its SKU pulls nothing"
    store.close()


def test_a_full_read_gives_the_links_it_lacks_a_record_of_first(db, tiny_parts):
    gone = Link.create(entity="product", hike_id="3", bc_id="99", status="linked")
    Link.create(entity="product", hike_id="1", bc_id="11", status="linked")
    store = store_of([Record(1), Record(2), Record(3)], [Record(11), Record(12)])

    parts = parts_of(store, full=True)

    assert [l.id for l in parts[0].gone_links] == [gone.id]
    assert [r.id for r in parts[0].hike] == [3] and parts[0].bc == [], "with what is left of it"
    assert all(p.gone_links == [] for p in parts[1:])
    assert sorted(r.id for p in parts for r in p.hike) == [1, 2, 3]
    store.close()


def test_the_newest_change_read_is_kept_for_a_cursor_without_a_date_header(db):
    later = T0.replace(day=9)
    store = store_of([Record(1, changed=T0), Record(2, changed=later)], [Record(11, changed=T0)])
    assert store.newest == {"hike": later, "bigcommerce": T0}
    store.close()


def test_a_products_plan_in_parts_of_two_is_the_plan_in_one_piece(db, monkeypatch):
    """Duplicates across what would be a part's edge, a barcode match, a linked pair, creates both ways."""
    def catalog():
        hike = [hike_simple(id=101, sku="A", barcode="1"), hike_simple(id=102, sku="B", barcode="2"),
                hike_simple(id=103, sku="C", barcode="3"), hike_simple(id=104, sku="D", barcode="4"),
                hike_simple(id=105, sku="A", barcode="5"), hike_simple(id=106, sku="X", barcode="6")]
        bc = [bc_simple(201, "Z", "9"), bc_simple(202, "B", "0"), bc_simple(203, "Y", "4"),
              bc_simple(204, "C", "8"), bc_simple(205, "NEW", "7")]
        return FakeHike(hike), FakeBC(bc)

    def plan(part_size: int) -> list[tuple]:
        monkeypatch.setattr(read_store, "PART", part_size)
        Link.delete().execute()
        Link.create(entity="product", hike_id="103", bc_id="204", status="linked", hike_fingerprint="old",
                    bc_fingerprint="old")
        actions = plan_of(ProductPass(run_of(*catalog())), ReadScope.FULL)
        return sorted((a.kind, a.hike.id if a.hike else None, a.bc.id if a.bc else None, a.message)
                      for a in actions)

    whole = plan(1000)
    kinds = {kind for kind, *_ in whole}
    assert kinds >= {"link", "fail", "create_bc", "create_hike"} and kinds & {"update_bc", "update_hike"}
    assert plan(2) == whole
    assert plan(1) == whole


def test_issue20_a_pair_linked_by_hand_shares_no_key_yet_lands_in_one_part(db, monkeypatch):
    """B2: the two records of a ``link`` decision are matched by no SKU or barcode; the decision's own key
    (``decision:<id>``) brings them into one part, so a plan in parts of one record still links them."""
    from desktop.sync import match_decisions

    hike = [hike_simple(id=101, sku="A", barcode="1"), hike_simple(id=102, sku="B", barcode="2"),
            hike_simple(id=103, sku="C", barcode="3")]
    bc = [bc_simple(201, "Z", "9"), bc_simple(202, "Y", "8"), bc_simple(203, "NEW", "7")]
    match_decisions.link(hike[0], bc[2])

    def plan(part_size: int) -> list[tuple]:
        monkeypatch.setattr(read_store, "PART", part_size)
        actions = plan_of(ProductPass(run_of(FakeHike(hike), FakeBC(bc))), ReadScope.FULL)
        return sorted(((a.kind, a.hike.id if a.hike else None, a.bc.id if a.bc else None) for a in actions), key=repr)

    whole = plan(1000)
    assert ("link", 101, 203) in whole
    assert plan(1) == whole
