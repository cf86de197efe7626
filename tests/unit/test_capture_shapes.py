"""Issue 18, ``diagnose --capture``: made-up values keep a value's format and nothing of its content; the sandbox's
``like`` rule gives a record the captured shape and keeps its own values where they fit."""
from __future__ import annotations

from desktop.sandbox.reshape import conform
from desktop.sync.capture import made_up, merged


def test_made_up_values_keep_the_format_and_drop_the_content():
    real = {"Name": "Zebedee Quux", "email": "z.quux@shop.test", "price": "12.50", "qty": 3, "rate": 0.1,
            "active": True, "note": None, "created": "2024-05-03T10:11:12.123Z",
            "v2_date": "Tue, 20 Nov 2012 10:11:12 +0000", "image": "https://cdn.shop.test/a.jpg",
            "rows": [{"outlet": 7, "stock": "4.000"}, {"outlet": 8, "extra": "x"}], "tags": []}
    assert made_up(real) == {
        "Name": "text", "email": "someone@example.com", "price": "1.00", "qty": 1, "rate": 1.5, "active": True,
        "note": None, "created": "2000-01-01T00:00:00.000Z", "v2_date": "Sat, 01 Jan 2000 00:00:00 +0000",
        "image": "https://example.com/", "rows": [{"outlet": 1, "stock": "1.000", "extra": "text"}], "tags": []}
    assert merged([{"a": None, "b": {"c": 1}}, {"a": "text", "b": {"d": 2}}]) == {"a": "text", "b": {"c": 1, "d": 2}}


def test_conform_takes_the_captured_shape_and_keeps_the_records_own_values():
    record = {"id": 5, "name": "Blue mug", "barcode": "9300000000012", "sales_channels": ["web"],
              "price": 12.5, "stock": "7", "product_outlets": [{"outletId": 1, "on_hand": 3.0}], "tags": None}
    like = {"id": 1, "name": "text", "Barcode": "1", "price": "1.00", "stock": 1, "loyalty": "text",
            "product_outlets": [{"outlet_id": 1, "on_hand": "1.000"}], "tags": ["text"]}
    conform(record, like)
    assert record == {"id": 5, "name": "Blue mug", "Barcode": "9300000000012", "price": "12.50", "stock": 7,
                      "loyalty": "text", "product_outlets": [{"outlet_id": 1, "on_hand": "3.000"}], "tags": None}
