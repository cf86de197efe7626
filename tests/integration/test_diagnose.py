"""Issue 18: ``hike-bc-sync-cli diagnose`` and tolerant, loud reading, over real HTTP against the sandbox stores.

The emulators play a store whose API differs from the notes through ``/__emulator/reshape`` (a field renamed,
dropped, or given a value of another kind): diagnose must name the endpoint and the field; a sync must go on,
noting a missing optional field once, and fail only the records without a field it needs, writing nothing for them.
"""
from __future__ import annotations

import json

import httpx
import pytest

from desktop.sync.diagnose import ENDPOINTS, LATEST
from tests.integration.test_cli import (connect_and_configure, info_file, memory_keyring, run_cli,  # noqa: F401
                                        sandbox, seed)

PRODUCTS = "GET /api/v1/products/get_all"


def reshape(server, *rules: dict) -> None:
    httpx.post(f"{server.base_url}/__emulator/reshape", json={"rules": list(rules)}, timeout=10).raise_for_status()


def check_of(report: dict, endpoint: str) -> dict:
    return next(c for c in report["checks"] if c["endpoint"] == endpoint)


def first_sync_linked_product(run_cli, info_file, tmp_path) -> dict:
    """After a first sync of the products: the log entry of one product it linked on both stores."""
    connect_and_configure(run_cli, info_file, tmp_path)
    first = run_cli.json("sync", "--once", "--entities", "products,inventory")
    assert first["status"] in ("ok", "partial")
    return next(e for e in run_cli.json("log", "--limit", "500")["entries"]
                if e["entity"] == "product" and e["action"] in ("link", "create") and e["result"] == "ok"
                and e["hike_id"] and e["bc_id"])


def test_issue18_diagnose_on_the_sandbox_finds_every_endpoint_ok_and_keeps_the_report(run_cli, info_file,
                                                                                     tmp_path):
    assert run_cli("connect", "sandbox", "--info", str(info_file))[0] == 0
    report = run_cli.json("diagnose")
    assert report["ok"] is True, [c for c in report["checks"] if c["status"] != "ok"]
    labels = {c["label"] for c in report["checks"]}
    assert {e.label for e in ENDPOINTS} <= labels
    assert {c["store"] for c in report["checks"]} == {"hike", "bigcommerce"}
    assert all(c["status"] == "ok" for c in report["checks"])
    kept = json.loads((run_cli.data_dir / LATEST).read_text())
    assert kept["ok"] is True and len(kept["checks"]) == len(report["checks"])
    code, out, _ = run_cli("diagnose")
    assert code == 0 and out.startswith("Both stores answered as expected")


@pytest.mark.parametrize("rule, endpoint, expected", [
    # a renamed field the sync needs: named, with the field that came instead
    ({"path": "products/get_all", "field": "name", "rename": "product_name"}, PRODUCTS,
     {"field": "name", "problem": "missing", "needed": True, "came": "an unknown field `product_name` came instead"}),
    # a missing optional field: named, with what it is taken as
    ({"path": "products/get_all", "field": "sales_channels", "drop": True}, PRODUCTS,
     {"field": "sales_channels", "problem": "missing", "needed": False}),
    # a string where a number was expected, in a nested list
    ({"path": "products/get_all", "field": "product_outlets.on_hand_inventory", "set": "lots"}, PRODUCTS,
     {"field": "product_outlets.on_hand_inventory", "problem": "wrong_type", "came": "text ('lots')",
      "expected": "a number (or a number in text)"}),
    # an unexpected enum value (BigCommerce)
    ({"path": "catalog/products", "field": "inventory_tracking", "set": "warehouse"}, "GET /v3/catalog/products",
     {"field": "inventory_tracking", "problem": "unexpected_value", "came": "text ('warehouse')",
      "expected": "one of none, product, variant"}),
], ids=["renamed", "missing-optional", "text-for-number", "unexpected-enum"])
def test_issue18_diagnose_names_the_endpoint_and_the_field_of_each_difference(run_cli, info_file, sandbox, rule,
                                                                              endpoint, expected):
    assert run_cli("connect", "sandbox", "--info", str(info_file))[0] == 0
    server = sandbox.hike_server if endpoint.startswith("GET /api/v1/") else sandbox.bc_server
    reshape(server, rule)
    report = run_cli.json("diagnose", expect=1)
    assert report["ok"] is False
    found = check_of(report, endpoint)
    assert found["status"] == "unexpected_shape"
    detail = next(d for d in found["details"] if d.get("field") == expected["field"])
    assert {k: detail[k] for k in expected} == expected
    others = [c for c in report["checks"] if c["endpoint"] != endpoint and c["status"] != "ok"]
    assert not others, others  # nothing else is blamed
    code, out, _ = run_cli("diagnose")
    assert code == 1 and f"`{expected['field']}`" in out


def test_issue18_a_missing_optional_field_is_noted_once_and_the_sync_completes(run_cli, info_file, sandbox,
                                                                                tmp_path):
    connect_and_configure(run_cli, info_file, tmp_path)
    reshape(sandbox.hike_server, {"path": "products/", "field": "product_tags", "drop": True})
    first = run_cli.json("sync", "--once", "--entities", "products,inventory")
    assert first["status"] in ("ok", "partial") and not first["counts"]["product"].get("error"), first
    assert first["message"].count("Hike products have no `product_tags`: treated as no tags") == 1
    assert run_cli.json("status")["links"]["total"] > 0


def test_issue18_a_record_without_a_needed_field_fails_alone_and_is_never_guessed(run_cli, info_file, sandbox,
                                                                                   tmp_path):
    linked = first_sync_linked_product(run_cli, info_file, tmp_path)
    hike_id = int(linked["hike_id"])
    bc_products_before = len(sandbox.bigcommerce.store.products)
    # one linked product loses its name in every answer Hike gives
    reshape(sandbox.hike_server, {"path": "products/", "field": "name", "drop": True, "match": {"id": hike_id}})

    full = run_cli.json("sync", "--once", "--full", "--entities", "products,inventory")
    assert full["status"] == "partial", full
    assert full["counts"]["product"]["error"] == 1, full
    said = [e for e in run_cli.json("log", "--errors-only")["entries"] if e["hike_id"] == str(hike_id)]
    assert len(said) == 1 and "no `name`: the sync needs it" in said[0]["message"]
    # not taken for deleted (the read was short, N5), nothing created, the BigCommerce product untouched
    assert len(sandbox.bigcommerce.store.products) == bc_products_before
    assert int(linked["bc_id"]) in sandbox.bigcommerce.store.products
    assert not [e for e in run_cli.json("log", "--limit", "500")["entries"]
                if e["hike_id"] == str(hike_id) and e["message"].startswith("Deleted in")]
    again = run_cli.json("sync", "--once", "--full", "--entities", "products,inventory")
    assert not again["counts"].get("product", {}).get("error"), "said once, not every pass"
    # once Hike answers with the name again, the product syncs as before
    reshape(sandbox.hike_server)
    healed = run_cli.json("sync", "--once", "--full", "--entities", "products,inventory")
    assert not healed["counts"].get("product", {}).get("error"), healed


def test_issue18_bigcommerce_records_are_read_tolerantly_too(run_cli, info_file, sandbox, tmp_path):
    """BigCommerce's contract is official, but a real store may still send a record without a field the sync needs,
    or without an optional one: the same tolerant, loud reading as for Hike, with the record's BigCommerce id."""
    linked = first_sync_linked_product(run_cli, info_file, tmp_path)
    bc_id = int(linked["bc_id"])
    hike_products_before = len(sandbox.hike.products)
    reshape(sandbox.bc_server, {"path": "catalog/products$", "field": "price", "drop": True, "match": {"id": bc_id}},
            {"path": "catalog/products$", "field": "upc", "drop": True})

    full = run_cli.json("sync", "--once", "--full", "--entities", "products,inventory")
    assert full["status"] == "partial", full
    assert full["counts"]["product"]["error"] == 1, full
    assert full["message"].count("BigCommerce products have no `upc`") == 1, full["message"]
    said = [e for e in run_cli.json("log", "--errors-only")["entries"] if e["bc_id"] == str(bc_id)]
    assert len(said) == 1 and "no `price`" in said[0]["message"] and "the sync needs it" in said[0]["message"]
    # not taken for deleted on the BigCommerce side, and nothing made in Hike from it
    assert len(sandbox.hike.products) == hike_products_before
    assert not [e for e in run_cli.json("log", "--limit", "500")["entries"]
                if e["bc_id"] == str(bc_id) and e["message"].startswith("Deleted in")]
    reshape(sandbox.bc_server)
    healed = run_cli.json("sync", "--once", "--full", "--entities", "products,inventory")
    assert not healed["counts"].get("product", {}).get("error"), healed
