"""A first pass says what it is doing (issue 16, M1): reading each store page by page, planning, writing x of y
(first links' updates of both stores counted), and waiting for a store's allowance. Over both sandbox stores."""
from __future__ import annotations

import pytest

from desktop.storage.db import close_db, init_db
from desktop.sync.engine import SyncEngine
from desktop.sync.events import EngineEvents, Listeners
from desktop.sync.http import BigCommerceGovernor
from tests.integration.stores import connect
from tests.integration.test_engine_products import PRODUCTS, open_up, settings


class Recording(EngineEvents):
    def __init__(self):
        self.seen: list[tuple] = []

    def on_phase(self, entity, phase, done, total, detail):
        self.seen.append(("phase", entity, phase, done, total, detail))

    def on_progress(self, entity, done, total):
        self.seen.append(("progress", entity, done, total))

    def on_record(self, entity, result, message, record=None):
        self.seen.append(("record", entity, result))


@pytest.fixture(scope="module")
def first_pass(tmp_path_factory):
    """The demo stores' first products pass, read 10 products a page so there are pages to count."""
    init_db(tmp_path_factory.mktemp("phases") / "sync.sqlite3")
    connected = open_up(connect("demo"))
    connected.hike.page_size = 10
    engine = SyncEngine(connected.bc, connected.hike, settings())
    dry = engine.dry_run()
    heard = Recording()
    engine.events = Listeners(heard)
    run = engine.run_pass("first_sync", PRODUCTS)
    yield connected, engine, run, dry, heard.seen
    connected.close()
    close_db()


def phases(seen, entity=None):
    return [e[1:] for e in seen if e[0] == "phase" and (entity is None or e[1] == entity)]


def test_r_m1_a_first_pass_reads_plans_then_writes_in_that_order(first_pass):
    *_, seen = first_pass
    order = []
    for entity, phase, *_ in phases(seen):
        if not order or order[-1] != (entity, phase):
            order.append((entity, phase))
    assert order[:4] == [("", "reading"), ("products", "reading"), ("products", "planning"), ("product", "writing")]
    assert ("inventory", "writing") in order[4:]
    assert not [o for o in order if o[1] == "waiting"]  # the sandbox's allowance is wide open here


def test_r_m1_reading_counts_pages_of_each_store_with_the_total_they_state(first_pass):
    connected, *_, seen = first_pass
    reading = [(done, total, side) for _, phase, done, total, side in phases(seen, "products") if phase == "reading"]
    hike = [(d, t) for d, t, side in reading if side == "hike"]
    bc = [(d, t) for d, t, side in reading if side == "bigcommerce"]
    # Hike first, then BigCommerce; each list starts at page 0 and counts to the pages its store states
    assert reading.index((0, 0, "hike")) < reading.index((0, 0, "bigcommerce"))
    hike_pages = max(d for d, _ in hike)
    assert hike_pages >= 3
    assert [d for d, _ in hike if d] == list(range(1, hike_pages + 1))
    assert {t for d, t in hike if d} == {hike_pages}
    assert [d for d, _ in bc if d] == list(range(1, len([d for d, _ in bc if d]) + 1))
    assert all(t >= d for d, t in bc if d)


def test_r_m1_writing_counts_every_write_including_first_links_updates(first_pass):
    """A first link writes three times (the link, BigCommerce given Hike's details, Hike given BigCommerce's
    description and images): "x of y" counts all three, so it does not sit at its total while Hike's saves run."""
    _, _, run, dry, seen = first_pass
    links = sum(1 for a in dry.actions if a["action"] == "link")
    assert links > 0
    writing = [total for _, phase, _, total, _ in phases(seen, "product") if phase == "writing"]
    assert writing == [len(dry.actions) + 2 * links]
    ticks = [(done, total) for kind, entity, *rest in seen if kind == "progress" and entity == "product"
             for done, total in [rest]]
    assert [done for done, _ in ticks] == list(range(1, writing[0] + 1))
    assert {total for _, total in ticks} == {writing[0]}
    # the last write of the products pass (a Hike save of a first link, or a create) comes before the count ends
    last_record = max(i for i, e in enumerate(seen) if e[0] == "record" and e[1] == "product")
    last_tick = max(i for i, e in enumerate(seen) if e[0] == "progress" and e[1] == "product")
    assert last_record < last_tick


def test_r_m1_a_wait_for_the_allowance_is_told_with_its_seconds(first_pass):
    connected, engine, *_ = first_pass
    heard = Recording()
    engine.events = Listeners(heard)
    governor = BigCommerceGovernor(sleep=lambda s: None)
    connected.bc.http.governor = governor
    governor._left, governor._reset_at = 0, governor._clock() + 12  # the window's requests are spent for 12 s
    engine.run_pass("manual", ("products",))
    waits = [(e, d, s) for e, phase, d, _, s in phases(heard.seen) if phase == "waiting"]
    assert waits[:2] == [(waits[0][0], 12, "bigcommerce"), (waits[0][0], 0, "bigcommerce")]
    assert connected.bc.http.governor.on_wait is None  # the hooks last as long as the pass
    assert connected.bc.on_page is None
