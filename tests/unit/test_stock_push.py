"""N2 for stock levels: what ``inventory.push_stock`` leaves recorded when the process dies while BigCommerce is
taking the levels. Found by the crash test (tests/reliability/test_crash_restart.py, seed 20261127): a kill between
BigCommerce's inventory call and the save of its outcome left the older level recorded as pushed; the shop's next
change put Hike back at exactly that level, so no pass sent it and BigCommerce kept the lost call's level."""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from desktop.storage.models import Link
from desktop.sync import errors
from desktop.sync.inventory import StockChange, plan_stock, push_stock


class Killed(BaseException):
    """The process dying right after the call reached BigCommerce (nothing after it runs)."""


class _BigCommerce:
    def __init__(self, *, refuse: bool = False, die: bool = False):
        self.levels: dict[int, int] = {}
        self.refuse, self.die = refuse, die

    def set_inventory(self, items: list[dict]) -> None:
        if self.refuse:
            raise errors.ValidationFailed("quantity out of range")
        self.levels.update({item["product_id"]: item["quantity"] for item in items})
        if self.die:
            raise Killed


class _Journal:
    def record(self, entity, *, link=None, **fields) -> None:
        if link is not None:
            link.save()


def _change(link: Link, units: int) -> StockChange:
    return StockChange(link, {"location_id": 1, "product_id": int(link.bc_id), "quantity": units}, Decimal(units),
                       units, "Lamp", "LAMP")


def _hike_product(link: Link, available: int) -> SimpleNamespace:
    row = SimpleNamespace(outlet_id=1, available=Decimal(available))
    return SimpleNamespace(id=int(link.hike_id), variants=[], track_inventory=True, outlets=[row], sku="LAMP",
                           name="Lamp")


def test_n2_a_level_lost_with_the_process_is_sent_again_when_hike_goes_back_to_the_level_before(db):
    link = Link.create(entity="product", hike_id="1137", bc_id="154", status="linked", stock_pushed="25")
    bc = _BigCommerce(die=True)
    with pytest.raises(Killed):
        push_stock(bc, _Journal(), [_change(link, 55)])
    assert bc.levels == {154: 55}, "BigCommerce took the level"
    assert Link.get_by_id(link.id).stock_pushed is None, "what BigCommerce holds is not known any more"
    # the shop sets Hike back to 25 before the next pass: that pass must still send it
    again = plan_stock([_hike_product(link, 25)], {"1137": Link.get_by_id(link.id)}, {}, [1], 1)
    assert [c.units for c in again] == [25]


def test_n2_a_refused_level_keeps_the_level_pushed_before(db):
    link = Link.create(entity="product", hike_id="1137", bc_id="154", status="linked", stock_pushed="25")
    push_stock(_BigCommerce(refuse=True), _Journal(), [_change(link, -1)])
    assert Link.get_by_id(link.id).stock_pushed == "25", "BigCommerce kept its level: so does the record"


def test_n2_a_level_taken_is_recorded(db):
    link = Link.create(entity="product", hike_id="1137", bc_id="154", status="linked", stock_pushed="25")
    push_stock(_BigCommerce(), _Journal(), [_change(link, 55)])
    assert Link.get_by_id(link.id).stock_pushed == "55"
