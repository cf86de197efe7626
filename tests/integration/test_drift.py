"""Issue 20, the drift report (B4): a difference made directly through the store APIs, with no pass seeing it as a
change, is found by the daily full pass (no call of its own) and on demand, with both values and the rule; "make
BigCommerce match Hike" is an ordinary sync write (logged) and the difference is gone. On the demo stores, over
real HTTP."""
from __future__ import annotations

from decimal import Decimal

from desktop.storage import models
from desktop.sync import drift
from desktop.sync.engine import SyncEngine
from desktop.sync.vocabulary import ReadScope
from tests.integration.stores import connect
from tests.integration.test_engine_settings import (bc_by_sku, db, new_hike_product, open_up,  # noqa: F401
                                                    settings)
from tests.integration.test_cli import info_file, memory_keyring, run_cli, sandbox, seed  # noqa: F401
from tests.integration.test_field_ownership import hike_price

ENTITIES = ("products", "inventory")


def drifted(sku: str) -> dict[str, models.DriftRow]:
    return {row.field: row for row in drift.rows() if row.sku == sku}


def test_issue20_a_drift_made_behind_the_syncs_back_is_reported_and_fixed(db):
    connected = open_up(connect("demo"))
    try:
        lamp = new_hike_product(connected, "Drift Lamp", "DRIFT-1")
        engine = SyncEngine(connected.bc, connected.hike, settings(field_ownership={"price": "hike"}))
        assert engine.run_pass("first_sync", ENTITIES).status in ("ok", "partial")
        bc_id = bc_by_sku(connected, "DRIFT-1").id
        assert drifted("DRIFT-1") == {}, "a first sync leaves nothing different"
        # nor anywhere in the demo stores: the SKUs made up for products without one (S18) are no difference
        assert engine.check_drift() == 0 and drift.rows() == [], [(r.sku, r.field) for r in drift.rows()]

        # BigCommerce's price edited by hand: Hike owns the price, so no pass sends it back to Hike
        connected.bc.update_product(bc_id, {"price": Decimal("66.00")})
        assert engine.run_pass("schedule", ENTITIES).status in ("ok", "partial")
        assert hike_price(connected, lamp.id) == Decimal("20.00") and drifted("DRIFT-1") == {}

        assert engine.run_pass("schedule", ENTITIES, scope=ReadScope.FULL).status in ("ok", "partial")
        row = drifted("DRIFT-1").get("price")
        assert row is not None, drift.rows()
        # compared (and shown) with tax, as Hike's "tax inclusive prices" has it: BigCommerce's 66.00 + 10 % GST
        assert (row.label, row.hike_value, row.bc_value) == ("Price incl. tax", "22.00", "72.60")
        assert (row.rule, row.own_rule, row.fixes) == ("hike", True, ["bigcommerce"])
        assert set(drifted("DRIFT-1")) == {"price"}, "only the price differs"

        models.DriftRow.delete().execute()
        assert engine.check_drift() >= 1 and "price" in drifted("DRIFT-1"), "on demand: one full read finds it"

        link = models.Link.get(models.Link.entity == "product", models.Link.hike_id == str(lamp.id))
        run = engine.fix_drift([link.id], drift.TO_BIGCOMMERCE)
        assert run is not None and run.status in ("ok", "partial")
        assert connected.bc.product(bc_id).price != Decimal("66.00"), "BigCommerce matches Hike again"
        assert drifted("DRIFT-1") == {}, "the write levels it"
        logged = models.LogEntry.select().where(models.LogEntry.entity == "product",
                                                models.LogEntry.hike_id == str(lamp.id),
                                                models.LogEntry.direction == "hike_to_bc").order_by(
            models.LogEntry.id.desc()).first()
        assert logged is not None and "price" in (logged.diff or {}), "an ordinary, logged sync write"
        engine.check_drift()
        assert drifted("DRIFT-1") == {}, "found level by the next check too"
    finally:
        connected.close()


# -- the CLI ------------------------------------------------------------------------------------------------------
def cli_first_sync(run_cli, info_file, tmp_path, rules: dict[str, str], entities: str,
                   entity: str) -> tuple[set[tuple[int, str]], models.Link]:
    """Connected and configured with these field rules through the CLI, a first sync of ``entities``: the
    differences ``drift --check`` finds then (the seed's stores already differ in places a first link leaves alone)
    and the first linked ``entity`` among none of them."""
    from desktop.storage.db import close_db, init_db
    from tests.integration.test_cli import GOOD_SETTINGS, write_settings

    assert run_cli("connect", "sandbox", "--info", str(info_file))[0] == 0
    settings_file = write_settings(tmp_path, {**GOOD_SETTINGS, "field_ownership": rules})
    assert run_cli("configure", "--settings", str(settings_file))[0] == 0
    assert run_cli.json("sync", "--once", "--entities", entities)["status"] in ("ok", "partial")
    before = {(d["link"], d["field"]) for d in run_cli.json("drift", "--check")["differences"]}
    init_db(run_cli.data_dir / "sync.sqlite3")
    try:
        link = next(link for link in models.Link.select().where(models.Link.entity == entity,
                                                                models.Link.status == "linked").order_by(models.Link.id)
                    if not any(key[0] == link.id for key in before))
    finally:
        close_db()
    return before, link


def test_issue20_cli_drift_lists_writes_csv_and_fixes(run_cli, info_file, sandbox, tmp_path):
    from desktop.sync.bigcommerce import BigCommerceClient

    before, link = cli_first_sync(run_cli, info_file, tmp_path, {"price": "hike"}, "products,inventory", "product")
    bc = BigCommerceClient(sandbox.info["bigcommerce"]["api_path"], sandbox.info["bigcommerce"]["access_token"])
    try:  # a price typed in BigCommerce, where Hike owns prices: nothing syncs it back
        bc.update_product(int(link.bc_id), {"price": Decimal("123.45")})
    finally:
        bc.close()
    found = run_cli.json("drift", "--check", "--csv", str(tmp_path / "drift.csv"))
    new = [d for d in found["differences"] if (d["link"], d["field"]) not in before]
    assert [(d["link"], d["field"]) for d in new] == [(link.id, "price")], new
    (price,) = new
    assert (price["link"], price["rule"], price["fixes"]) == (link.id, "hike", ["bigcommerce"])
    text = (tmp_path / "drift.csv").read_text(encoding="utf-8-sig")
    assert "Price incl. tax" in text and f"product,{link.id}," in text
    assert text.splitlines()[0].startswith("entity,link,name,sku,field"), "products and customers, told apart"

    assert run_cli("drift", "--fix", "bigcommerce")[0] == 2, "which products: said, nothing written"
    assert run_cli("drift", "--fix", "hike", "999999")[0] == 2
    assert run_cli("drift", "--fix", "bigcommerce", str(link.id), "--field", "sku")[0] == 2, "no rule: not alone"
    fixed = run_cli.json("drift", "--fix", "bigcommerce", str(link.id), "--field", "price")
    assert fixed["fix_run"]["status"] in ("ok", "partial")
    assert link.id not in {d["link"] for d in fixed["differences"]}
    after = run_cli.json("drift", "--check")["differences"]
    assert {(d["link"], d["field"]) for d in after} == before, "BigCommerce matches Hike again, the rest as it was"


def test_issue20_a_hike_change_of_a_product_with_variants_keeps_bigcommerces_own_cost(db):
    """Found by the drift report on the demo stores: Hike keeps a product with variants' costs on its variants (its
    own rows read 0), and any change of it in Hike set BigCommerce's product-level cost to 0."""
    connected = open_up(connect("demo"))
    try:
        engine = SyncEngine(connected.bc, connected.hike, settings())
        assert engine.run_pass("first_sync", ENTITIES).status in ("ok", "partial")
        link, bc_product, hike_product = next(
            (link, bp, hp) for link in models.Link.select().where(models.Link.entity == "product",
                                                                   models.Link.status == "linked")
            if (bp := connected.bc.product(int(link.bc_id))) is not None and bp.variants and bp.cost_price
            and (hp := connected.hike.product(int(link.hike_id))).variants and not any(r.cost_price
                                                                                       for r in hp.outlets))
        connected.hike.save_product({"id": hike_product.id, "name": f"{hike_product.name} (new)"})
        assert engine.run_pass("schedule", ENTITIES).status in ("ok", "partial")
        after = connected.bc.product(bc_product.id)
        assert after.name == f"{hike_product.name} (new)", "the change itself went"
        assert after.cost_price == bc_product.cost_price, "BigCommerce's own cost stays"
        engine.check_drift()
        assert "cost" not in drifted(bc_product.sku or ""), "and is no difference"
    finally:
        connected.close()


def test_issue20_a_fix_of_one_field_writes_that_field_only(db):
    connected = open_up(connect("demo"))
    try:
        new_hike_product(connected, "Field Lamp", "DRIFT-2")
        engine = SyncEngine(connected.bc, connected.hike, settings(field_ownership={"price": "hike", "name": "hike"}))
        assert engine.run_pass("first_sync", ENTITIES).status in ("ok", "partial")
        bc_id = bc_by_sku(connected, "DRIFT-2").id
        sent_price = connected.bc.product(bc_id).price
        connected.bc.update_product(bc_id, {"price": Decimal("66.00"), "name": "Field Lamp (typed on the web)"})
        engine.check_drift()
        assert set(drifted("DRIFT-2")) == {"price", "name"}
        link_id = drifted("DRIFT-2")["price"].link_id

        run = engine.fix_drift([link_id], drift.TO_BIGCOMMERCE, field="price")
        assert run is not None and run.status in ("ok", "partial")
        after = connected.bc.product(bc_id)
        assert after.price == sent_price, "the price matches Hike again"
        assert after.name == "Field Lamp (typed on the web)", "the name was not asked for: untouched"
        assert set(drifted("DRIFT-2")) == {"name"}, "the name's difference stays listed"
        engine.check_drift()
        assert set(drifted("DRIFT-2")) == {"name"}, "and is found again by the next check"
    finally:
        connected.close()


# -- customers ----------------------------------------------------------------------------------------------------
def customer_rows(link_id: int) -> dict[str, models.DriftRow]:
    return {row.field: row for row in drift.rows(entity="customer") if row.link_id == link_id}


def test_issue20_a_customer_drift_is_found_by_a_full_pass_and_fixed_either_way(db):
    """Hike owns the phone, BigCommerce the company: a change of each made in the store that does not own it stays
    there (no pass sends it), a full pass finds both from what it read, and each fix is an ordinary, logged write
    of the store the rule lets it change."""
    from tests.integration.test_customer_ownership import bc_customer, first_synced

    connected = open_up(connect("demo"))
    try:
        engine, _, _ = first_synced(connected, {"customer.phone": "hike", "customer.company": "bigcommerce"})
        assert engine.run_pass("schedule", ("customers",), scope=ReadScope.FULL).status in ("ok", "partial")
        # a first link writes nothing (D7): some demo pairs differ from the start; one that does not
        differing = {row.link_id for row in drift.rows(entity="customer")}
        link = next(link for link in models.Link.select().where(models.Link.entity == "customer",
                                                                models.Link.status == "linked").order_by(models.Link.id)
                    if link.id not in differing)
        hike_id, bc_id = int(link.hike_id), int(link.bc_id)

        hike_phone = connected.hike.customer(hike_id).phone
        connected.bc.update_customers([{"id": bc_id, "phone": "0290001111"}])
        connected.hike.save_customer({"id": hike_id, "company_name": "Till Only Pty"})
        assert engine.run_pass("schedule", ("customers",), scope=ReadScope.INCREMENTAL).status in ("ok", "partial")
        assert connected.hike.customer(hike_id).phone == hike_phone, "no pass sends BigCommerce's phone to Hike"
        assert customer_rows(link.id) == {}, "only full passes compare"
        assert engine.run_pass("schedule", ("customers",), scope=ReadScope.FULL).status in ("ok", "partial")
        found = customer_rows(link.id)
        assert set(found) == {"phone", "company"}, found
        assert (found["phone"].hike_value, found["phone"].bc_value, found["phone"].rule, found["phone"].fixes) == \
            (hike_phone, "0290001111", "hike", ["bigcommerce"])
        assert (found["company"].hike_value, found["company"].rule, found["company"].fixes) == \
            ("Till Only Pty", "bigcommerce", ["hike"])
        assert found["phone"].sku == connected.hike.customer(hike_id).email.strip().lower()

        run = engine.fix_drift([link.id], drift.TO_BIGCOMMERCE, field="phone")
        assert run is not None and run.status in ("ok", "partial")
        assert bc_customer(connected, bc_id).phone == hike_phone, "BigCommerce matches Hike's phone again"
        assert set(customer_rows(link.id)) == {"company"}, "a fix of one field levels that field only"
        run = engine.fix_drift([link.id], drift.TO_HIKE)
        assert run is not None and run.status in ("ok", "partial")
        assert connected.hike.customer(hike_id).company_name == bc_customer(connected, bc_id).company
        assert customer_rows(link.id) == {}
        logged = [e for e in models.LogEntry.select().where(models.LogEntry.entity == "customer",
                                                             models.LogEntry.hike_id == str(hike_id),
                                                             models.LogEntry.action == "update")]
        assert {e.direction for e in logged[-2:]} == {"hike_to_bc", "bc_to_hike"}, "ordinary, logged writes"
        assert "phone" in logged[-2].diff and "company" in logged[-1].diff
        engine.check_drift()
        assert customer_rows(link.id) == {}, "found level by the next check too"
    finally:
        connected.close()


def test_issue20_cli_drift_json_lists_a_customer_drift_and_it_is_gone_after_the_fix(run_cli, info_file, sandbox,
                                                                                     tmp_path):
    from desktop.sync.bigcommerce import BigCommerceClient

    before, link = cli_first_sync(run_cli, info_file, tmp_path, {"customer.phone": "hike"}, "customers", "customer")
    bc = BigCommerceClient(sandbox.info["bigcommerce"]["api_path"], sandbox.info["bigcommerce"]["access_token"])
    try:  # a phone typed in BigCommerce, where Hike owns phones: nothing syncs it back
        bc.update_customers([{"id": int(link.bc_id), "phone": "0291234567"}])
    finally:
        bc.close()
    assert run_cli.json("sync", "--once", "--full", "--entities", "customers")["status"] in ("ok", "partial")
    found = run_cli.json("drift")
    new = [d for d in found["differences"] if (d["link"], d["field"]) not in before]
    assert [(d["link"], d["entity"], d["field"], d["bigcommerce"], d["rule"], d["fixes"]) for d in new] == \
        [(link.id, "customer", "phone", "0291234567", "hike", ["bigcommerce"])], new

    assert run_cli("drift", "--fix", "bigcommerce", str(link.id), "--field", "email")[0] == 2, "no rule: not alone"
    fixed = run_cli.json("drift", "--fix", "bigcommerce", str(link.id))
    assert fixed["fix_run"]["status"] in ("ok", "partial")
    assert link.id not in {d["link"] for d in fixed["differences"]}
    after = run_cli.json("drift", "--check")["differences"]
    assert {(d["link"], d["field"]) for d in after} == before, "BigCommerce matches Hike again, the rest as it was"
