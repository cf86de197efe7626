"""D1/D4: first activation links by SKU, then barcode; duplicates fail alone, the rest link."""
from __future__ import annotations

from desktop.sync.bigcommerce import BCProduct
from desktop.sync.hike_models import HikeProduct
from desktop.sync.linking import plan_links


def hike(pid, sku=None, barcode=None, name=None, variants=()):
    return HikeProduct.from_api({"id": pid, "name": name or f"H{pid}", "sku": sku, "barcode": barcode,
                                 "product_variants": [{"prod_variant_id": vid, "variant_name": f"H{pid} / {opt}",
                                                       "sku": vsku, "variant_sub_values":
                                                           [{"variant_sub_value_name": opt}]}
                                                      for vid, vsku, opt in variants]})


def bc(pid, sku="", upc="", name=None, variants=()):
    return BCProduct.from_api({"id": pid, "name": name or f"B{pid}", "sku": sku, "upc": upc,
                               "variants": [{"id": vid, "product_id": pid, "sku": vsku,
                                             "option_values": [{"option_display_name": "Size", "label": opt}]}
                                            for vid, vsku, opt in variants]})


def test_d1_links_by_sku_case_insensitively_then_by_barcode():
    plan = plan_links([hike(1, "ABC-1"), hike(2, None, "9300002"), hike(3, "ONLY-HIKE")],
                      [bc(10, "abc-1"), bc(20, "OTHER", "9300002"), bc(30, "ONLY-BC")])
    assert [(m.hike.id, m.bc.id, m.by) for m in plan.matches] == [(1, 10, "sku"), (2, 20, "barcode")]
    assert [p.id for p in plan.hike_only] == [3] and [p.id for p in plan.bc_only] == [30]
    assert plan.failures == []


def test_d1_already_linked_records_are_left_alone():
    plan = plan_links([hike(1, "A")], [bc(10, "A")], linked_hike={"1"}, linked_bc={"10"})
    assert plan.matches == [] and plan.hike_only == [] and plan.bc_only == []


def test_d4_duplicate_sku_fails_those_records_and_the_rest_link():
    plan = plan_links([hike(1, "DUP"), hike(2, "dup"), hike(3, "OK")], [bc(10, "DUP"), bc(30, "OK")])
    assert [(m.hike.id, m.bc.id) for m in plan.matches] == [(3, 30)]
    failed = {f.record_id: f.message for f in plan.failures}
    assert set(failed) == {"1", "2"}
    assert "Duplicate SKU 'DUP' in Hike" in failed["1"] and "H2" in failed["1"]  # as the product has it
    assert "Duplicate SKU 'dup' in Hike" in failed["2"]
    assert [p.id for p in plan.bc_only] == [10], "the BigCommerce product waits: it may be linked once fixed"


def test_d4_duplicate_upc_in_bigcommerce_is_not_used_for_linking():
    plan = plan_links([hike(1, None, "9301")], [bc(10, "X", "9301"), bc(11, "Y", "9301")])
    assert plan.matches == []


def test_d2_variants_pair_by_sku_then_option_values():
    h = hike(1, "TEE", variants=[(2, "TEE-S", "S"), (3, "TEE-M", "M"), (4, None, "L")])
    b = bc(10, "TEE", variants=[(100, "tee-s", "S"), (101, "TEE-MED", "M"), (102, "TEE-L", "L"), (103, "TEE-XL", "XL")])
    (match,) = plan_links([h], [b]).matches
    assert sorted((v.hike.id, v.bc.id, v.by) for v in match.variants) == [(2, 100, "sku"), (3, 101, "options"),
                                                                          (4, 102, "options")]
    assert [v.id for v in match.unmatched_bc_variants] == [103]
