"""The per-record log in words (issue 17, finding 6): labels for the field keys a stored diff carries, actions and
match keys in plain words."""
from __future__ import annotations

import pytest

from desktop.sync.log_words import action_text, field_label, linked_by
from desktop.sync.records import PRODUCT_FIELDS


@pytest.mark.parametrize(("entity", "name", "label"), [
    ("product", "description_html", "Description"), ("product", "price_inc_tax", "Price incl. tax"),
    ("product", "price_ex_tax", "Price excl. tax"), ("product", "tax_key", "Tax"), ("product", "sku", "SKU"),
    ("product", "image_urls", "Images"), ("product", "track_inventory", "Track inventory"),
    ("customer", "first_name", "First name"), ("customer", "email", "Email"),
    ("order", "hike_status", "Status in Hike"), ("sale", "total", "Total"),
])
def test_m2_field_keys_read_as_their_labels(entity, name, label):
    assert field_label(entity, name) == label


def test_m2_no_product_record_field_shows_as_its_key():
    for name in PRODUCT_FIELDS:
        if name in ("side", "id", "extra"):
            continue  # never in a diff (mapping.diff skips them)
        label = field_label("product", name)
        assert "_" not in label and label[0].isupper(), (name, label)


def test_m2_actions_and_matches_in_plain_words():
    assert [action_text(a) for a in ("link", "update", "create", "skip", "fail")] == \
        ["Linked", "Updated", "Created", "Skipped", "Failed"]
    assert linked_by("sku") == "Linked by SKU"
    assert linked_by("barcode") == "Linked by barcode"
