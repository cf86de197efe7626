"""Issue 20, field ownership (``desktop.sync.ownership``): the default is the field table as declared, each rule
lets a field sync exactly its way, and the settings refuse a field or a rule that does not exist."""
from __future__ import annotations

import itertools

import pytest

from desktop.sync import ownership
from desktop.sync.product_fields import PRODUCT_TABLE, VARIANT_TABLE
from desktop.sync.settings import Settings, SettingsError
from desktop.sync.vocabulary import Direction

DIRECTIONS = (Direction.HIKE_TO_BC, Direction.BC_TO_HIKE)


def every_settings_variant():
    """The options the field table's declared rules read (S6, S16, S17, S19), in every combination."""
    for description, images, categories, shipping in itertools.product(
            ("bc_to_hike", "two_way"), ("bc_to_hike", "two_way"), ("match_or_create", "none"), (False, True)):
        yield Settings.from_json({"description_sync": description, "image_sync": images,
                                  "category_sync": categories, "shipping_details": shipping})


def test_issue20_without_rules_every_field_syncs_exactly_as_declared():
    """The default changes nothing: with no rule, every field of both tables syncs as it did before the feature,
    for every combination of the options that govern fields today."""
    for settings, field, direction in itertools.product(every_settings_variant(), PRODUCT_TABLE + VARIANT_TABLE,
                                                        DIRECTIONS):
        assert settings.field_ownership == {}
        assert field.synced(settings, direction) == field.syncs(settings, direction), (field.name, direction)


@pytest.mark.parametrize("rule, to_bc, to_hike", [("hike", True, False), ("bigcommerce", False, True),
                                                   ("newest", True, True), ("none", False, False)])
def test_issue20_a_rule_decides_both_directions_of_its_fields(rule, to_bc, to_hike):
    settings = Settings.from_json({"field_ownership": {"weight": rule, "description": rule}})
    governed = [f for f in PRODUCT_TABLE + VARIANT_TABLE if f.name in ("weight", "width", "height", "depth",
                                                                        "description")]
    assert len(governed) == 6
    for field in governed:
        assert (field.synced(settings, Direction.HIKE_TO_BC), field.synced(settings, Direction.BC_TO_HIKE)) == \
            (to_bc, to_hike), field.name
    price = next(f for f in PRODUCT_TABLE if f.name == "price")
    assert price.synced(settings, Direction.BC_TO_HIKE), "a field without a rule is left as declared"


def test_issue20_field_ownership_is_checked_and_round_trips():
    settings = Settings.from_json({"field_ownership": {"price": "hike", "name": "newest"}})
    assert Settings.from_json(settings.to_json()).field_ownership == {"price": "hike", "name": "newest"}
    assert list(Settings().to_json())[-1] == "field_ownership"
    with pytest.raises(SettingsError) as caught:
        Settings.from_json({"field_ownership": {"sku": "hike", "price": "mine", "cost": 1}})
    said = str(caught.value)
    assert "field_ownership.sku: is not a field with a rule" in said, said
    assert "field_ownership.price: must be one of hike, bigcommerce, newest, none (found 'mine')" in said
    assert "field_ownership.cost: must be one of" in said
    with pytest.raises(SettingsError):
        Settings.from_json({"field_ownership": ["price"]})


def test_issue20_the_log_names_the_rules_that_decided():
    settings = Settings.from_json({"field_ownership": {"price": "hike", "weight": "none"}})
    assert ownership.decided_by(settings, {"price", "name"}) == " (your field rules: Price: Hike owns it)"
    assert ownership.decided_by(settings, {"name"}) == ""
    assert ownership.decided_by(Settings(), {"price"}) == ""


# -- customers -----------------------------------------------------------------------------------------------------
CUSTOMER_GOVERNS = {"customer.name": ("first_name", "last_name"), "customer.phone": ("phone",),
                    "customer.company": ("company",), "customer.address": ("address",)}


def test_issue20_customer_rules_have_their_own_keys():
    """A customer's "name" is not ruled by the products' "name", nor a product's by the customers'; email (the link
    key, D7) has no rule and syncs both ways whatever the rules say."""
    from desktop.sync.customer_fields import CUSTOMER_TABLE

    assert {f.key: f.names for f in ownership.CUSTOMER_OWNED} == CUSTOMER_GOVERNS
    assert not set(ownership.keys_of(ownership.CUSTOMER)) & set(ownership.keys_of(ownership.PRODUCT))
    everything_none = Settings.from_json({"field_ownership": {k: "none" for k in ownership.KEYS}})
    product_name = next(f for f in PRODUCT_TABLE if f.name == "name")
    by_name = {f.name: f for f in CUSTOMER_TABLE}
    only_products = Settings.from_json({"field_ownership": {"name": "none"}})
    only_customers = Settings.from_json({"field_ownership": {"customer.name": "none"}})
    for direction in DIRECTIONS:
        assert by_name["email"].synced(everything_none, direction)
        assert by_name["first_name"].synced(only_products, direction)
        assert not by_name["first_name"].synced(only_customers, direction)
        assert product_name.synced(only_customers, direction)
        assert not product_name.synced(only_products, direction)


@pytest.mark.parametrize("rule, to_bc, to_hike", [("hike", True, False), ("bigcommerce", False, True),
                                                   ("newest", True, True), ("none", False, False)])
@pytest.mark.parametrize("key", sorted(CUSTOMER_GOVERNS))
def test_issue20_each_customer_rule_gives_its_directions(key, rule, to_bc, to_hike):
    from desktop.sync.customer_fields import CUSTOMER_TABLE

    settings = Settings.from_json({"field_ownership": {key: rule}})
    for field in CUSTOMER_TABLE:
        if field.name in CUSTOMER_GOVERNS[key]:
            assert (field.synced(settings, Direction.HIKE_TO_BC), field.synced(settings, Direction.BC_TO_HIKE)) == \
                (to_bc, to_hike), field.name
        else:
            assert field.synced(settings, Direction.HIKE_TO_BC) and field.synced(settings, Direction.BC_TO_HIKE)
    assert ownership.decided_by(settings, set(CUSTOMER_GOVERNS[key]), ownership.CUSTOMER).startswith(
        " (your field rules: ")
    assert ownership.decided_by(settings, set(CUSTOMER_GOVERNS[key])) == "", "a product write names no customer rule"


def test_issue20_customer_rules_round_trip_in_the_settings():
    settings = Settings.from_json({"field_ownership": {"customer.phone": "hike", "price": "none"}})
    assert Settings.from_json(settings.to_json()).field_ownership == {"customer.phone": "hike", "price": "none"}
    with pytest.raises(SettingsError) as caught:
        Settings.from_json({"field_ownership": {"customer.email": "hike"}})
    assert "field_ownership.customer.email: is not a field with a rule" in str(caught.value)
