"""Refusals wait for a change (D4, N3, M4): what ``desktop.sync.refusals`` remembers, holds back and forgets."""
from __future__ import annotations

from dataclasses import dataclass

from desktop.storage.models import Link
from desktop.sync import errors, refusals


@dataclass
class _Record:
    id: int


@dataclass
class _Action:
    kind: str
    hike: _Record | None = None
    bc: _Record | None = None
    link: Link | None = None


@dataclass
class _Change:
    link: Link
    units: int
    refusal: dict | None = None


def test_d4_only_a_stores_refusal_waits_for_a_change():
    assert refusals.is_refusal(errors.ValidationFailed("bad"))
    assert refusals.is_refusal(errors.Conflict("duplicate barcode"))
    assert not refusals.is_refusal(errors.AmbiguousWrite("lost"))  # read again next pass instead
    assert not refusals.is_refusal(errors.Transient("down"))
    assert not refusals.is_refusal(errors.SyncError("accepted, not sent back"))
    assert not refusals.is_refusal(None)


def test_d4_n3_a_refused_write_is_held_back_until_its_key_changes(db):
    marker = Link.create(entity="product", bc_id="7", status="failed")
    refusals.note_refusal(marker, "create_hike", {"bc": "f1", "settings": "s"})
    marker.save()
    keys = {"f1": {"bc": "f1", "settings": "s"}}
    create = _Action("create_hike", bc=_Record(7))
    other = _Action("create_hike", bc=_Record(8))
    link = _Action("link", hike=_Record(1), bc=_Record(7))
    assert refusals.hold_back([create, other, link], "product", lambda a: keys["f1"]) == [other, link]
    changed = refusals.hold_back([create], "product", lambda a: {"bc": "f2", "settings": "s"})
    assert changed == [create], "the record changed: sent again"
    new_settings = refusals.hold_back([create], "product", lambda a: {"bc": "f1", "settings": "t"})
    assert new_settings == [create], "the settings changed: sent again"


def test_d4_an_update_is_held_by_its_link_and_the_key_is_asked_only_when_needed(db):
    row = Link.create(entity="customer", hike_id="1", bc_id="2")
    asked = []

    def key(action):
        asked.append(action)
        return {"hike": "h", "bc": "b"}

    update = _Action("update_bc", _Record(1), _Record(2), link=row)
    assert refusals.hold_back([update], "customer", key) == [update] and asked == [], "nothing refused: no key"
    refusals.note_refusal(row, "update_bc", {"hike": "h", "bc": "b"})
    row.save()
    assert refusals.hold_back([_Action("update_bc", _Record(1), _Record(2), link=Link.get_by_id(row.id))],
                              "customer", key) == []
    assert refusals.hold_back([_Action("update_hike", _Record(1), _Record(2), link=row)], "customer", key) != []


def test_m4_retry_forgets_the_refusals_of_its_records_or_its_group(db):
    a = Link.create(entity="product", hike_id="1", refused={"create_bc": {"hike": "x"}})
    b = Link.create(entity="variant", hike_id="2", refused={"stock": {"units": "3"}})
    c = Link.create(entity="customer", hike_id="3", refused={"create_bc": {"hike": "y"}})
    assert refusals.forget([a]) == 1
    assert Link.get_by_id(a.id).refused is None and Link.get_by_id(b.id).refused is not None
    assert refusals.forget_entities(["product", "variant"]) == 1
    assert Link.get_by_id(b.id).refused is None and Link.get_by_id(c.id).refused is not None


def test_d4_a_stock_level_waits_for_another_level_and_a_success_forgets_it(db):
    link = Link.create(entity="product", hike_id="1", bc_id="9", hike_fingerprint="h", bc_fingerprint="b")
    (change,) = refusals.hold_back_stock([_Change(link, 5)], {"outlet": 1})
    refusals.note_refusal(link, refusals.STOCK, change.refusal)
    assert refusals.hold_back_stock([_Change(link, 5)], {"outlet": 1}) == []
    assert len(refusals.hold_back_stock([_Change(link, 6)], {"outlet": 1})) == 1, "another level: sent"
    assert len(refusals.hold_back_stock([_Change(link, 5)], {"outlet": 2})) == 1, "other settings: sent"
    refusals.clear(link, refusals.STOCK)
    assert link.refused is None
