"""N2, D10: an update a kill left unconfirmed is recognised as our own on the next pass (``own_writes``).

The kill lands right after Hike accepted an update and before the link's fingerprints were saved (the gap the
SIGKILL test hit at random: ``test_crash_restart``). Then a person renames the product in BigCommerce within the
same second. BigCommerce dates the rename to the second, Hike dated our write more finely, so by the stores'
clocks our echo looks newer: before the fix it won, and the person's rename was written back over with the old
name. Over real HTTP against the sandbox stores; the kill is an exception no code of the app catches, raised once
Hike has answered, so nothing after that line runs (as with SIGKILL).
"""
from __future__ import annotations

import math

import pytest

from desktop.storage import models
from desktop.sync.hike import HikeClient
from tests.integration.test_engine_products import PRODUCTS
from tests.integration.worlds import store_writes, synced_world


class Killed(BaseException):
    """The process dies here."""


@pytest.fixture
def world(tmp_path):
    with synced_world(tmp_path) as (connected, engine):
        clock = connected.sandbox.bigcommerce.clock  # both stores share it
        clock.advance(600)  # the first sync's writes are older than any cursor overlap
        engine.run_pass("schedule", (*PRODUCTS, "customers"))
        # emulated time almost stands still, half way into a second: what follows happens in that second
        clock.advance(math.floor(clock.now()) + 1.5 - clock.now())
        clock.set_time_scale(1e-9)
        yield connected, engine


def simple_link(connected) -> tuple[models.Link, int]:
    for link in models.Link.select().where(models.Link.entity == "product", models.Link.status == "linked"):
        bp = connected.bc.product(int(link.bc_id))
        if not bp.has_options:
            return link, bp.id
    raise AssertionError("the demo has simple products")


def killed_after_hike_saves(engine, monkeypatch, method: str = "save_products", entities=PRODUCTS) -> None:
    real = getattr(HikeClient, method)

    def save_then_die(self, body):
        real(self, body)
        raise Killed

    monkeypatch.setattr(HikeClient, method, save_then_die)
    with pytest.raises(Killed):
        engine.run_pass("schedule", entities)
    monkeypatch.setattr(HikeClient, method, real)


def renamed_then_killed(connected, engine, monkeypatch) -> tuple[models.Link, int, str]:
    """A simple product renamed "<name> ~1" in BigCommerce, and the pass sending it to Hike killed once Hike took
    it: the link, the BigCommerce id and the name before."""
    link, bc_id = simple_link(connected)
    base = connected.bc.product(bc_id).name
    connected.bc.update_product(bc_id, {"name": f"{base} ~1"})
    killed_after_hike_saves(engine, monkeypatch)
    return link, bc_id, base


def test_n2_a_rename_made_after_a_kill_is_not_overwritten_by_our_own_unconfirmed_write(world, monkeypatch):
    connected, engine = world
    link, bc_id, base = renamed_then_killed(connected, engine, monkeypatch)
    assert connected.hike.product(int(link.hike_id)).name == f"{base} ~1", "Hike took the update before the kill"

    connected.bc.update_product(bc_id, {"name": f"{base} ~2"})  # the person's rename, in the same second
    engine.run_pass("schedule", PRODUCTS)
    assert connected.bc.product(bc_id).name == f"{base} ~2", "the person's rename stays"
    assert connected.hike.product(int(link.hike_id)).name == f"{base} ~2", "and reaches Hike"
    assert not models.PendingWork.select().where(models.PendingWork.status == "in_progress").exists()


def test_n2_after_a_kill_our_own_write_is_settled_without_writing_again(world, monkeypatch):
    connected, engine = world
    link, bc_id, base = renamed_then_killed(connected, engine, monkeypatch)
    assert models.PendingWork.select().where(models.PendingWork.status == "in_progress").exists(), \
        "the update in flight was written down before it was sent"

    connected.requests("hike", clear=True)
    connected.requests("bigcommerce", clear=True)
    engine.run_pass("schedule", PRODUCTS)
    assert store_writes(connected, "hike") == [] and store_writes(connected, "bigcommerce") == []
    assert connected.bc.product(bc_id).name == connected.hike.product(int(link.hike_id)).name == f"{base} ~1"
    assert not models.PendingWork.select().where(models.PendingWork.status == "in_progress").exists()


def test_d10_a_person_change_on_top_of_our_unconfirmed_write_is_still_a_change(world, monkeypatch):
    """The expectation never hides a person's change: Hike's price changed after our write, so Hike changed."""
    connected, engine = world
    link, _, _ = renamed_then_killed(connected, engine, monkeypatch)
    outlet = engine.context().settings.price_outlet_id
    hp = connected.hike.product(int(link.hike_id))
    row = hp.outlet(outlet)
    connected.hike.save_product({"id": hp.id, "product_outlets": [
        {"outlet_id": outlet, "price_ex_tax": row.price_ex_tax + 1, "tax_id": row.tax_id}]})
    engine.run_pass("schedule", PRODUCTS)
    assert connected.hike.product(hp.id).outlet(outlet).price_ex_tax == row.price_ex_tax + 1
    entry = models.LogEntry.select().where(models.LogEntry.entity == "product", models.LogEntry.hike_id == link.hike_id,
                                           models.LogEntry.direction == "hike_to_bc").order_by(
        models.LogEntry.id.desc()).first()
    assert entry is not None and "price" in (entry.diff or {}), "Hike's price change was sent to BigCommerce"


def test_n2_d7_the_same_for_a_customer_renamed_after_a_kill(world, monkeypatch):
    connected, engine = world
    link = models.Link.select().where(models.Link.entity == "customer", models.Link.status == "linked").first()
    bc_id, hike_id = int(link.bc_id), int(link.hike_id)
    connected.bc.update_customers([{"id": bc_id, "last_name": "Renamed ~1"}])
    killed_after_hike_saves(engine, monkeypatch, "save_customer", ("customers",))
    assert connected.hike.customer(hike_id).last_name == "Renamed ~1", "Hike took the update before the kill"

    connected.bc.update_customers([{"id": bc_id, "last_name": "Renamed ~2"}])
    engine.run_pass("schedule", ("customers",))
    assert next(iter(connected.bc.customers(ids=[bc_id]))).last_name == "Renamed ~2", "the person's rename stays"
    assert connected.hike.customer(hike_id).last_name == "Renamed ~2", "and reaches Hike"
    assert not models.PendingWork.select().where(models.PendingWork.status == "in_progress").exists()


def test_n2_a_change_put_back_after_a_kill_is_written_over_our_unconfirmed_write(world, monkeypatch):
    """The kill lands once Hike took a rename made in BigCommerce; the person then puts the old name back. Before
    the fix the link still held the old name's fingerprint, so the name put back looked unchanged, and Hike kept
    the rename for good (as BigCommerce kept a stock level in the SIGKILL test, seed 20261127)."""
    connected, engine = world
    link, bc_id, base = renamed_then_killed(connected, engine, monkeypatch)
    assert connected.hike.product(int(link.hike_id)).name == f"{base} ~1", "Hike took the update before the kill"

    connected.bc.update_product(bc_id, {"name": base})  # the person puts the name back
    engine.run_pass("schedule", PRODUCTS)
    assert connected.hike.product(int(link.hike_id)).name == base, "the name put back reaches Hike"
    engine.run_pass("schedule", PRODUCTS)
    assert connected.bc.product(bc_id).name == connected.hike.product(int(link.hike_id)).name == base
    assert not models.PendingWork.select().where(models.PendingWork.status == "in_progress").exists()
