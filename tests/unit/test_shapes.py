"""Issue 18: the record checks behind diagnose and tolerant reading (``desktop.sync.shapes``)."""
from __future__ import annotations

from desktop.sync.shapes import FieldShape, Kind, RecordShape, ShapeWatch, check

ROW = RecordShape("hike", "Hike rows", (FieldShape("qty", Kind.NUMERIC, needed=True),))
SHAPE = RecordShape("hike", "Hike things", (
    FieldShape("id", Kind.INT, needed=True),
    FieldShape("name", Kind.TEXT, needed=True),
    FieldShape("tags", Kind.LIST, default="no tags"),
    FieldShape("kind", Kind.TEXT, default="plain", values=("plain", "fancy")),
    FieldShape("rows", Kind.LIST, default="no rows", of=ROW),
))


def problems(record):
    return {(f.field, f.problem, f.needed) for f in check(SHAPE, record)}


def test_a_record_as_expected_has_no_findings_and_null_optional_fields_are_fine():
    assert problems({"id": 1, "name": "A", "tags": [], "kind": "plain", "rows": [{"qty": "2.5"}]}) == set()
    assert problems({"id": 1, "name": "A", "tags": None, "kind": None, "rows": None}) == set()


def test_hike_spellings_match_ignoring_case_and_underscores_but_bigcommerce_is_exact():
    assert problems({"ID": 1, "Name": "A", "tags": [], "kind": "plain", "rows": []}) == set()
    exact = RecordShape("bigcommerce", "BC", SHAPE.fields, exact=True)
    assert {f.field for f in check(exact, {"ID": 1, "name": "A"})} >= {"id"}


def test_each_kind_of_difference_is_named():
    found = problems({"name": None, "tags": "x", "kind": "odd", "rows": [{"qty": "lots"}], "id": "7"})
    assert ("name", "null", True) in found
    assert ("tags", "wrong_type", False) in found
    assert ("kind", "unexpected_value", False) in found
    assert ("rows.qty", "wrong_type", True) in found
    assert ("id", "wrong_type", False) in found  # "7" is not a number, but the reader can read it


def test_a_renamed_needed_field_names_the_field_that_came_instead():
    (finding,) = [f for f in check(SHAPE, {"id": 1, "title_name": "A", "season_name": None}) if f.field == "name"]
    assert finding.came == "an unknown field `title_name` came instead"
    assert finding.words() == "no `name` (an unknown field `title_name` came instead): the sync needs it"


def test_watch_notes_a_missing_optional_field_once_and_leaves_out_what_it_cannot_read():
    watch = ShapeWatch()
    assert watch.read(SHAPE, "thing", {"id": 1, "name": "A"})
    assert watch.read(SHAPE, "thing", {"id": 2, "name": "B"})
    notes = watch.take_notes()
    assert notes == ["Hike things have no `tags`: treated as no tags", "Hike things have no `kind`: treated as plain",
                     "Hike things have no `rows`: treated as no rows"]
    assert watch.take_notes() == []
    assert not watch.read(SHAPE, "thing", {"id": 3, "sku": "S-3", "tags": []})
    (left,) = watch.take("thing")
    assert (left.record_id, left.sku) == ("3", "S-3") and "no `name`" in left.message
    assert watch.take("thing") == []
