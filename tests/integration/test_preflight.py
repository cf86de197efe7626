"""Pre-flight checks and backup against both sandbox stores (P1, P2, C7)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from desktop.sync.hike_models import HikeProduct
from desktop.sync.preflight import TaxCheck, bigcommerce_duplicates, hike_duplicates, read_backup, write_backup
from tests.integration.stores import connect


@pytest.fixture(scope="module")
def stores():
    connected = connect("demo")
    yield connected
    connected.close()


def test_p1_bigcommerce_duplicate_upcs_are_listed_by_name(stores):
    duplicates = bigcommerce_duplicates(stores.bc.products())
    upcs = [d for d in duplicates if d.kind == "barcode"]
    assert upcs, "the demo store has products sharing a UPC"
    assert all(len(d.records) >= 2 for d in upcs)
    assert "share the UPC" in upcs[0].message and upcs[0].records[0].name in upcs[0].message


def test_p1_hike_store_has_no_duplicates_because_hike_refuses_them(stores):
    assert hike_duplicates(stores.hike.products()) == []


def test_p1_hike_duplicates_compare_without_letter_case():
    a = HikeProduct.from_api({"id": 1, "name": "Tee", "sku": "ABC-1", "barcode": "930001"})
    b = HikeProduct.from_api({"id": 2, "name": "Mug", "sku": "abc-1 ", "barcode": "930002"})
    c = HikeProduct.from_api({"id": 3, "name": "Cap", "sku": "XYZ", "barcode": "930002",
                              "product_variants": [{"prod_variant_id": 4, "variant_name": "Cap / S", "sku": "xyz"}]})
    found = {(d.kind, d.value.lower()): {r.id for r in d.records} for d in hike_duplicates([a, b, c])}
    assert found == {("sku", "abc-1"): {"1", "2"}, ("sku", "xyz"): {"3", "4"}, ("barcode", "930002"): {"2", "3"}}


@pytest.mark.parametrize("hike_inclusive,bc_with_tax,consistent,advice", [
    (True, True, True, "including tax"),
    (False, False, True, "excluding tax"),
    (False, True, False, "Tick 'Tax inclusive prices' in Hike"),
    (True, False, False, "Untick 'Tax inclusive prices' in Hike"),
])
def test_p2_tax_inclusive_mismatch_says_what_to_change(hike_inclusive, bc_with_tax, consistent, advice):
    check = TaxCheck(hike_inclusive, bc_with_tax)
    assert check.consistent is consistent
    assert advice in check.message


def test_p2_reads_the_bigcommerce_setting(stores):
    """The demo BigCommerce store enters prices without tax: a tax-inclusive Hike is flagged."""
    info = stores.bc.store_info()
    assert info.is_price_entered_with_tax is False
    assert not TaxCheck(True, info.is_price_entered_with_tax).consistent


def test_c7_backup_writes_both_catalogs_as_csv(stores, tmp_path):
    hike_products, bc_products = list(stores.hike.products()), list(stores.bc.products())
    hike_csv, bc_csv = write_backup(tmp_path / "backup", hike_products, bc_products)
    hike_rows, bc_rows = read_backup(hike_csv), read_backup(bc_csv)
    assert {r["sku"] for r in hike_rows if r["sku"]} >= {p.sku for p in hike_products if p.sku}
    assert {r["sku"] for r in bc_rows} >= {p.sku for p in bc_products}
    priced = next(r for r in bc_rows if r["price"])
    assert Decimal(priced["price"]) >= 0
    assert not list((tmp_path / "backup").glob("*.part"))
