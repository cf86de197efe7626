"""Issue 20 for customers: fingerprints per direction over the fields that sync that way, and update bodies that
carry only what the shop's field rules let go across. Without rules, every fingerprint is the one from before the
rules (the frozen oracle's), so an upgrade sends nothing again."""
from __future__ import annotations

import pytest
from hypothesis import given

from desktop.sync import customer_fields as cf
from desktop.sync.bigcommerce import BCCustomer
from desktop.sync.hike_models import HikeCustomer
from desktop.sync.settings import Settings
from desktop.sync.vocabulary import Direction
from tests.unit import field_oracle as old
from tests.unit.test_field_table import SETTLE, bc_customers, hike_customers

NO_RULES = (None, Settings(), Settings.from_json({"field_ownership": {"price": "hike", "name": "none"}}))


@SETTLE
@given(hike_customers, bc_customers)
def test_issue20_default_customer_fingerprints_are_byte_identical_to_before(hike_c: HikeCustomer, bc_c: BCCustomer):
    """With no customer rule (none at all, or only products' rules) both sides' fingerprints are today's."""
    for settings in NO_RULES:
        assert cf.hike_fingerprint(hike_c, settings) == old.customer_fingerprint(old.from_hike(hike_c))
        assert cf.bc_fingerprint(bc_c, settings) == old.customer_fingerprint(old.from_bc(bc_c))
        assert cf.expected_fingerprint(cf.from_bc(bc_c), cf.from_hike(hike_c), Direction.HIKE_TO_BC, settings) \
            == old.customer_fingerprint(old.from_hike(hike_c)), "BigCommerce will hold Hike's fields, as before"


def customer(**changes) -> tuple[HikeCustomer, BCCustomer]:
    hike = {"id": 7, "first_name": "Ann", "last_name": "Lee", "email": "ann@x.test", "phone": "0400",
            "company_name": "Acme", "billing_address": {"id": 3, "address1": "1 Main St", "address2": "",
                                                        "city": "Sydney", "state": "NSW", "postcode": "2000",
                                                        "country_code": "AU", "country_name": "Australia"}}
    bc = {"id": 9, "first_name": "Ann", "last_name": "Lee", "email": "ann@x.test", "phone": "0400",
          "company": "Acme", "addresses": [{"id": 5, "first_name": "Ann", "last_name": "Lee",
                                            "address1": "1 Main St", "address2": "", "city": "Sydney",
                                            "state_or_province": "NSW", "postal_code": "2000",
                                            "country_code": "AU"}]}
    for key, value in changes.items():
        side, name = key.split("__")
        (hike if side == "hike" else bc)[name] = value
    return HikeCustomer.from_api(hike), BCCustomer.from_api(bc)


@pytest.mark.parametrize("rule, to_bc, to_hike", [("hike", True, False), ("bigcommerce", False, True),
                                                   ("newest", True, True), ("none", False, False)])
def test_issue20_a_customer_rule_decides_fingerprints_and_update_bodies(rule, to_bc, to_hike):
    settings = Settings.from_json({"field_ownership": {"customer.phone": rule, "customer.address": rule}})
    hike_c, bc_c = customer(hike__phone="0411", bc__phone="0422", bc__addresses=[])
    other_hike, _ = customer(hike__phone="0499")
    assert (cf.hike_fingerprint(hike_c, settings) != cf.hike_fingerprint(other_hike, settings)) == to_bc
    written: set[str] = set()
    assert ("phone" in cf.bc_update_body(hike_c, bc_c, settings, written)) == to_bc
    assert (cf.bc_address_body(hike_c, bc_c, settings) is not None) == to_bc
    assert written == ({"phone"} if to_bc else set())
    written = set()
    moved, bc_moved = customer(hike__phone="0411", bc__phone="0422", bc__first_name="Anne")
    assert set(cf.hike_update_body(moved, bc_moved, settings, written)) == ({"id", "first_name", "phone"} if to_hike
                                                                             else {"id", "first_name"})
    assert written == ({"first_name", "phone"} if to_hike else {"first_name"}), "names keep syncing"
    assert "phone" in cf.bc_create_body(hike_c) and "phone" in cf.hike_create_body(bc_c), "creates stay whole"
