"""Issue 18, capture a store's shape: ``diagnose --capture FILE`` writes the stores' answer shapes with made-up
values, and ``python -m desktop.sandbox --seed FILE`` serves a sandbox that answers in them.

The "real" store is a sandbox reshaped as a real one might be (a field missing, one spelled otherwise, an unknown
one, money as text, an enum value the app does not know) and holding personal data of its own. The capture must
carry none of that data, and a diagnose of the sandbox made from it must find what the real store's diagnose found.
"""
from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import httpx

from desktop.sandbox.stores import start_sandbox
from tests.integration.test_cli import Cli, info_file, memory_keyring, run_cli, sandbox, seed  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
PERSONAL = {"email": "zebedee.quux@realshop.test", "first_name": "Zebedee", "last_name": "Quuxworth",
            "phone": "0499111222"}
REAL_STORE_HIKE = [
    {"path": "products/get_all", "field": "sales_channels", "drop": True},  # a missing optional field
    {"path": "products/get_all", "field": "barcode", "rename": "Barcode"},  # spelled otherwise (read all the same)
    {"path": "products/get_all", "field": "loyalty_code", "set": "ZQX-PERSONAL-123"},  # a field the app never reads
    {"path": "products/get_all", "field": "product_outlets.on_hand_inventory", "set": "7.000"},  # a number as text
    *({"path": "customers/get_all", "field": name, "set": value} for name, value in PERSONAL.items()),
]
REAL_STORE_BC = [
    {"path": "catalog/products$", "field": "inventory_tracking", "set": "warehouse"},  # an enum value unknown here
    {"path": "v3/customers$", "field": "email", "set": PERSONAL["email"]},
    {"path": "v3/customers$", "field": "phone", "set": PERSONAL["phone"]},
]


def reshape(server, rules: list[dict]) -> None:
    httpx.post(f"{server.base_url}/__emulator/reshape", json={"rules": rules}, timeout=10).raise_for_status()


def strings(value) -> list[str]:
    """Every text value in a JSON value (its keys are the API's field names)."""
    if isinstance(value, dict):
        return [t for v in value.values() for t in strings(v)]
    if isinstance(value, list):
        return [t for v in value for t in strings(v)]
    return [value] if isinstance(value, str) else []


def differences(report: dict) -> set[tuple[str, str, str]]:
    return {(c["endpoint"], d["field"], d["problem"]) for c in report["checks"] for d in c["details"] if "field" in d}


def test_issue18_capture_carries_the_shapes_no_data_and_a_sandbox_from_it_answers_alike(run_cli, info_file,
                                                                                        sandbox, capsys, tmp_path):
    assert run_cli("connect", "sandbox", "--info", str(info_file))[0] == 0
    reshape(sandbox.hike_server, REAL_STORE_HIKE)
    reshape(sandbox.bc_server, REAL_STORE_BC)
    capture = tmp_path / "shop-shapes.json"
    real = run_cli.json("diagnose", "--capture", str(capture), expect=1)
    assert real["capture"] == str(capture.resolve())
    assert {("GET /api/v1/products/get_all", "sales_channels", "missing"),
            ("GET /v3/catalog/products", "inventory_tracking", "unexpected_value")} <= differences(real)

    # no value of the store: not the person, not the unknown field's value, no product name, email or SKU read
    text = capture.read_text()
    store_values = {*PERSONAL.values(), "ZQX-PERSONAL-123", "realshop", "Quux"}
    store_values |= {p["name"] for p in sandbox.hike.products.values() if p.get("name")}
    store_values |= {p["sku"] for p in sandbox.hike.products.values() if p.get("sku")}
    store_values |= {c["email"] for c in sandbox.bigcommerce.store.customers.values() if c.get("email")}
    data = json.loads(text)
    written = " | ".join(strings({k: v for k, v in data.items() if k != "about"})).lower()
    assert not [v for v in store_values if len(str(v)) > 3 and str(v).lower() in written]
    products = next(r["like"] for r in data["reshape"]["hike"] if "like" in r and "products" in r["path"])
    assert "Barcode" in products and "barcode" not in products and "sales_channels" not in products
    assert products["loyalty_code"] == "text" and products["product_outlets"][0]["on_hand_inventory"] == "1.000"
    assert {"path": r"v3/catalog/products(\.json)?$", "field": "inventory_tracking", "set": "warehouse"} in \
        data["reshape"]["bigcommerce"]

    # a sandbox from the capture answers in the same shapes: its diagnose finds the same differences
    copy = start_sandbox(str(capture), bc_quota="100000/30", hike_rate_limit=False)
    try:
        copy_info = tmp_path / "copy.json"
        copy_info.write_text(json.dumps(copy.info))
        other = Cli(capsys, tmp_path / "copy-data", f"cli-{uuid.uuid4().hex[:8]}")
        assert other("connect", "sandbox", "--info", str(copy_info))[0] == 0
        copied = other.json("diagnose", expect=1)
        assert differences(copied) == differences(real)
        hike_products = httpx.get(f"{copy.hike_server.base_url}/api/v1/products/get_all",
                                  params={"page_size": 5, "Skip_count": 0}, timeout=10,
                                  headers={"Authorization": f"Bearer {copy.hike.issue_token()['access_token']}"}
                                  ).json()["items"]
        first = hike_products[0]
        assert "Barcode" in first and "sales_channels" not in first and first["loyalty_code"] == "text"
        stock = first["product_outlets"][0]["on_hand_inventory"]
        assert isinstance(stock, str) and stock.endswith(".000")  # the copy's own stock, as text like the store's
    finally:
        copy.stop()
        copy_info.unlink(missing_ok=True)


def test_issue18_a_seed_file_with_a_capture_starts_from_the_command_line(tmp_path):
    """``python -m desktop.sandbox --seed FILE`` loads a capture; a broken one is refused with the reason."""
    good = tmp_path / "capture.json"
    good.write_text(json.dumps({"base": "empty", "reshape": {"hike": [
        {"path": "outlets/get_all_active", "like": {"id": 1, "Title": "text"}}], "bigcommerce": []}}))
    process = subprocess.Popen([sys.executable, "-m", "desktop.sandbox", "--seed", str(good)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        info = json.loads(process.stdout.readline())
        assert info["hike"]["base_url"].startswith("http://127.0.0.1:")
    finally:
        process.terminate()
        process.wait(timeout=30)
    for broken, reason in (({"base": "nowhere"}, "base must be"), ({"base": "demo", "reshape": {"hike": [
            {"path": "(", "field": "x", "drop": True}]}}, "not a regex"), ({"base": "demo", "reshape": {"hike": [{"path": "x", "like": 3}]}},
                                                "like must be")):
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(broken))
        done = subprocess.run([sys.executable, "-m", "desktop.sandbox", "--seed", str(bad)], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and reason in done.stderr and "Traceback" not in done.stderr
