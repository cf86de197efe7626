"""Issue 20 for customers: a customer field's rule (``customer.*`` in ``field_ownership``) decides which store's
changes to it count. On the demo stores, over real HTTP, through the engine (the settings reach the customer pass
as they reach the products'): a field set to "don't sync" is written on neither side while names still sync; with
Hike owning the name a change made in BigCommerce stays there; when both stores changed one customer, the newer
change wins and the other store's change to a field only it may send still goes across on the next pass."""
from __future__ import annotations

from datetime import datetime, timezone

from desktop.storage import models
from desktop.sync.engine import SyncEngine
from tests.integration.stores import connect
from tests.integration.test_engine_customers import entries, link_of, writes
from tests.integration.test_engine_settings import db, open_up, settings  # noqa: F401

ENTITIES = ("customers",)


def first_synced(connected, rules: dict[str, str], which: int = 3):
    """The demo's customers linked by a first sync under ``rules``: (engine, Hike id, BigCommerce id) of one."""
    engine = SyncEngine(connected.bc, connected.hike, settings(field_ownership=rules))
    assert engine.run_pass("first_sync", ENTITIES).status in ("ok", "partial")
    bc_c = sorted(connected.bc.customers(), key=lambda c: c.id)[which]
    return engine, int(link_of(bc_id=bc_c.id).hike_id), bc_c.id


def bc_customer(connected, bc_id: int):
    (c,) = connected.bc.customers(ids=[bc_id])
    return c


def sync(engine: SyncEngine) -> None:
    assert engine.run_pass("schedule", ENTITIES).status in ("ok", "partial")


def test_issue20_a_customer_phone_set_to_dont_sync_is_written_on_neither_side_while_names_sync(db):
    connected = open_up(connect("demo"))
    try:
        engine, hike_id, bc_id = first_synced(connected, {"customer.phone": "none"})
        bc_phone = bc_customer(connected, bc_id).phone
        connected.hike.save_customer({"id": hike_id, "phone": "0411222333", "first_name": "Phoebe"})
        connected.requests("bigcommerce", clear=True)
        sync(engine)
        assert bc_customer(connected, bc_id).first_name == "Phoebe", "the name still syncs"
        assert bc_customer(connected, bc_id).phone == bc_phone, "Hike's phone is not written to BigCommerce"
        assert not any("0411222333" in (r["body"] or "") for r in writes(connected, "bigcommerce"))

        connected.bc.update_customers([{"id": bc_id, "phone": "0299887766", "last_name": "Webb"}])
        connected.requests("hike", clear=True)
        sync(engine)
        hike_c = connected.hike.customer(hike_id)
        assert hike_c.last_name == "Webb", "the name still syncs"
        assert hike_c.phone == "0411222333", "nor BigCommerce's phone to Hike"
        assert not any("0299887766" in (r["body"] or "") for r in writes(connected, "hike"))
        assert bc_customer(connected, bc_id).phone == "0299887766", "each store keeps its own"
    finally:
        connected.close()


def test_issue20_hike_owns_customer_names_a_bigcommerce_rename_stays_there(db):
    connected = open_up(connect("demo"))
    try:
        engine, hike_id, bc_id = first_synced(connected, {"customer.name": "hike"})
        hike_name = connected.hike.customer(hike_id).last_name
        connected.bc.update_customers([{"id": bc_id, "last_name": "WebOnly", "company": "Web Co"}])
        sync(engine)
        hike_c = connected.hike.customer(hike_id)
        assert hike_c.last_name == hike_name, "BigCommerce's change to a field Hike owns does not go to Hike"
        assert hike_c.company_name == "Web Co", "the company has no rule: it syncs"
        connected.hike.save_customer({"id": hike_id, "last_name": "TillName"})
        sync(engine)
        assert bc_customer(connected, bc_id).last_name == "TillName", "Hike's change to it does go across"
        said = [e.message for e in entries(hike_id=str(hike_id), action="update")]
        assert any("your field rules: Name: Hike owns it" in m for m in said), said
    finally:
        connected.close()


def test_issue20_both_stores_changed_a_customer_the_losers_own_field_still_goes_across(db):
    connected = open_up(connect("demo"))
    try:
        engine, hike_id, bc_id = first_synced(connected, {"customer.phone": "hike", "customer.company": "bigcommerce"})
        connected.hike.save_customer({"id": hike_id, "phone": "0455666777"})
        connected.sandbox.bigcommerce.clock.advance(5)  # both stores share the clock: BigCommerce's edit is newer
        connected.bc.update_customers([{"id": bc_id, "company": "Newer Web Co"}])
        for _ in range(2):  # the newer change goes first; the other store's own field on the pass after it
            sync(engine)
        assert connected.hike.customer(hike_id).company_name == "Newer Web Co", "BigCommerce's company reached Hike"
        assert bc_customer(connected, bc_id).phone == "0455666777", "Hike's phone reached BigCommerce"
        link = models.Link.get_by_id(link_of(bc_id=bc_id).id)
        connected.requests("hike", clear=True)
        connected.requests("bigcommerce", clear=True)
        sync(engine)
        assert writes(connected, "hike") == [] and writes(connected, "bigcommerce") == [], "then settled (D10)"
        assert link.status == "linked"
    finally:
        connected.close()


def test_d11_a_pass_of_customers_alone_reads_them_whole_once_a_day_not_every_time(db):
    """``sync --once --entities customers`` from cron: the customers' own reconciliation date decides, not the
    products' (which such passes never read), so the passes between two daily full reads read what changed."""
    from desktop.sync.engine import RECONCILE_EVERY
    from desktop.sync.vocabulary import ReadScope

    connected = open_up(connect("demo"))
    clock = [datetime.now(timezone.utc)]
    try:
        engine = SyncEngine(connected.bc, connected.hike, settings(), now=lambda: clock[0])
        assert engine.read_scope(entities=ENTITIES) == ReadScope.FULL, "never read whole"
        sync(engine)
        assert engine.read_scope(entities=ENTITIES) == ReadScope.INCREMENTAL, "read whole a moment ago"
        assert engine.read_scope(entities=("products", "customers")) == ReadScope.FULL, "products never were"
        connected.requests("hike", clear=True)
        sync(engine)
        assert len(connected.requests("hike")) <= 2, "a pass of what changed: a page of each list at most"
        clock[0] += RECONCILE_EVERY
        assert engine.read_scope(entities=ENTITIES) == ReadScope.FULL, "a day later, the daily reconciliation"
    finally:
        connected.close()
