"""Issue 19: the stores' facts are kept in the database, so a quiet ``sync --once`` started by cron costs what the
scheduler's quiet pass costs; they are read again on a full pass and after a store refused a write."""
from __future__ import annotations

from collections import Counter

import httpx
import pytest

from desktop.sandbox import bigcommerce_seed, hike_seed
from tests.integration.test_cli import (connect_and_configure, info_file, memory_keyring, run_cli,  # noqa: F401
                                        sandbox)

NOT_API = ("/__emulator/", "/cdn/", "/hike-cdn/")


@pytest.fixture(scope="module")
def seed():
    return {"bigcommerce": bigcommerce_seed.large(30), "hike": hike_seed.large(30)}


def api_requests(app) -> list[tuple[str, str]]:
    with app.lock:
        found = [(r["method"], r["path"]) for r in app.request_log if not r["path"].startswith(NOT_API)]
        app.request_log.clear()
    return found


def quiet_pass(run_cli, sandbox) -> tuple[list, list]:
    sandbox.bigcommerce.clock.advance(300)  # five minutes later, nothing changed
    api_requests(sandbox.bigcommerce), api_requests(sandbox.hike)
    assert run_cli.json("sync", "--once")["status"] == "ok"
    return api_requests(sandbox.bigcommerce), api_requests(sandbox.hike)


def test_issue19_a_quiet_sync_once_makes_the_schedulers_requests(run_cli, info_file, sandbox, tmp_path):
    connect_and_configure(run_cli, info_file, tmp_path)
    assert run_cli.json("sync", "--once")["status"] in ("ok", "partial")  # the first sync reads every fact
    quiet_pass(run_cli, sandbox)  # reads back what the first pass itself wrote
    bc, hike = quiet_pass(run_cli, sandbox)
    # one list read per entity the default settings run: BigCommerce products, customers, orders; Hike products,
    # customers. No store fact is read again: they were kept.
    assert len(bc) == 3 and len(hike) == 2, (Counter(bc), Counter(hike))
    assert not [p for _, p in bc if "/v2/store" in p or "tax_classes" in p or "locations" in p]
    assert not [p for _, p in hike if "outlets" in p or "taxes" in p or "payment_types" in p]


def test_issue19_facts_are_read_again_on_a_full_pass_and_for_another_store(run_cli, info_file, sandbox, tmp_path):
    connect_and_configure(run_cli, info_file, tmp_path)
    assert run_cli.json("sync", "--once")["status"] in ("ok", "partial")
    api_requests(sandbox.bigcommerce), api_requests(sandbox.hike)
    assert run_cli.json("sync", "--once", "--full")["status"] in ("ok", "partial")
    bc, hike = api_requests(sandbox.bigcommerce), api_requests(sandbox.hike)
    assert [p for _, p in bc if p.endswith("/v2/store")] and [p for _, p in hike if "outlets/get_all" in p]

    # kept for other stores: not used
    from desktop.storage import paths
    from desktop.storage.db import close_db, init_db
    from desktop.storage.models import get_preference, set_preference
    from desktop.sync.fact_cache import KEY

    init_db(paths.app_paths().database)
    try:
        kept = get_preference(KEY)
        assert kept and kept["facts"]["hike.outlets"]["value"]
        set_preference(KEY, {**kept, "stores": "https://elsewhere.example other"})
    finally:
        close_db()
    sandbox.bigcommerce.clock.advance(300)
    assert run_cli.json("sync", "--once")["status"] in ("ok", "partial")
    assert [p for _, p in api_requests(sandbox.hike) if "outlets/get_all" in p]


def test_issue19_after_a_refused_write_the_next_pass_reads_the_facts_again(run_cli, info_file, sandbox, tmp_path):
    """A stale fact (an outlet, a register or a tax gone) may be why a store refused a write."""
    connect_and_configure(run_cli, info_file, tmp_path)
    assert run_cli.json("sync", "--once")["status"] in ("ok", "partial")
    product = next(p for p in sandbox.bigcommerce.store.products.values() if p.get("sku"))
    api = f"{sandbox.bc_server.base_url}/stores/{sandbox.bigcommerce.store_hash}/v3/catalog/products/{product['id']}"
    httpx.put(api, json={"name": product["name"] + " (renamed)"}, timeout=10,
              headers={"X-Auth-Token": sandbox.bigcommerce.access_token}).raise_for_status()
    httpx.post(f"{sandbox.hike_server.base_url}/__emulator/faults", timeout=10,
               json={"path": "products/create", "responses": ["422"], "method": "POST"}).raise_for_status()
    sandbox.bigcommerce.clock.advance(300)
    api_requests(sandbox.bigcommerce), api_requests(sandbox.hike)
    refused = run_cli.json("sync", "--once")
    assert refused["counts"]["product"].get("error"), refused
    sandbox.bigcommerce.clock.advance(300)
    api_requests(sandbox.hike)
    run_cli.json("sync", "--once")
    assert [p for _, p in api_requests(sandbox.hike) if "outlets/get_all" in p]
