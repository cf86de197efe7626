"""P3: how the exact preview counts and shows its writes (the one-to-one proof over the sandbox is in
tests/integration/test_first_sync_trust.py)."""
from __future__ import annotations

from desktop.sync.preview import PlannedWrite, describe_fields, per_field, sample_line, samples, short


def test_p3_counts_per_store_and_field_and_keeps_three_samples_each():
    writes = [PlannedWrite("hike", i, i + 100, f"Tee {i}", f"T{i}", {"description": ["old", f"new {i}"]})
              for i in range(5)]
    writes += [PlannedWrite("bigcommerce", 9, None, "Mug", "M", {"created": [None, "Mug"]}),
               PlannedWrite("bigcommerce", 9, 19, "Mug", "M", {"stock": ["2", 5]})]
    assert per_field(writes) == {"hike": {"description": 5}, "bigcommerce": {"created": 1, "stock": 1}}
    kept = samples(writes)
    assert len(kept["hike"]["description"]) == 3 and "created" not in kept["bigcommerce"]
    assert describe_fields(per_field(writes)) == [
        "Hike: Description changed on 5 products", "BigCommerce: 1 product created, stock set on 1 item"]


def test_p3_samples_read_as_a_person_would():
    assert short(None) == "(empty)" and short(True) == "yes" and short(False) == "no"
    assert short(["https://cdn.example/a.jpg", "https://cdn.example/b.jpg"]) == "2 images"
    assert short(["Shoes", "Sale"]) == "Shoes, Sale"
    assert short("x" * 100).endswith("…") and len(short("x" * 100)) == 48
    assert short("<p>Made to <b>last</b></p>") == "Made to last", "a description's words, not its tags"
    assert short("2 < 3 and 4 > 1") == "2 < 3 and 4 > 1"
    assert sample_line("stock", {"name": "Tee / M", "before": "2", "after": 5}) == "Stock of Tee / M: 2 → 5"
