"""Issue 18: the support bundle holds what support needs and never a secret; customers' details are masked.

In-process over a real database with planted secrets (the keyring's tokens, a careless log line, an error message),
and through the real CLI after a sync pass on the sandbox stores, scanning every member for every seed customer's
email and name."""
from __future__ import annotations

import json
import logging
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from desktop.storage import credentials as cred
from desktop.storage import models, paths
from desktop.storage.logs import setup_logging
from desktop.sync import support_bundle
from desktop.sync.diagnose import LATEST
from tests.integration.test_cli import (connect_and_configure, info_file, memory_keyring, run_cli,  # noqa: F401
                                        sandbox, seed)
from tests.keyrings import MemoryKeyring

MEMBERS = {"README.txt", "about.json", "settings.json", "runs.json", "errors.json"}


def read_all(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_issue18_the_bundle_holds_the_records_and_no_planted_secret_or_personal_detail(db, data_dir, tmp_path):
    app = paths.app_paths().ensure()
    setup_logging(app.logs, logging.DEBUG, console=False)
    keyring = MemoryKeyring()
    credentials = cred.Credentials(backend=keyring, state_file=app.keyring_state)
    access, refresh, bc_token, secret = "sb-access-5f2e9a77", "sb-refresh-77c1d0aa", "sb-bc-token-0a9b8c11", \
        "sb-hike-app-secret-3d3d"
    credentials.save_hike_tokens(cred.HikeTokens(access, refresh, datetime(2027, 1, 1, tzinfo=timezone.utc)),
                                 "https://api.hikeup.com")
    credentials.save_hike_client_secret(secret, "https://api.hikeup.com")
    credentials.save_bigcommerce_token(bc_token, "https://api.bigcommerce.com/stores/abc123/")
    models.Connection.create(side="bigcommerce", store_name="Acme", store_hash="abc123",
                             api_path="https://api.bigcommerce.com/stores/abc123/v3/")
    models.Connection.create(side="hike", store_name="Acme POS", base_url="https://api.hikeup.com")
    models.SettingsVersion.create(data={"inventory_outlet": "Main Street"})
    run = models.Run.create(trigger="schedule", scope="customers", status="partial", counts={"customer": {"error": 1}})
    models.Link.create(entity="customer", hike_id="5", status="failed", name="Olivia Smith",
                       sku="olivia.smith1@example.com", last_result="error",
                       last_message="BigCommerce refused olivia.smith1@example.com: phone 0470717355 invalid")
    models.Link.create(entity="product", hike_id="9", status="failed", name="Merino Tee", sku="SKU-9",
                       last_result="error", last_message="Duplicate SKU SKU-9")
    models.LogEntry.create(run=run, entity="customer", hike_id="5", sku="olivia.smith1@example.com", action="fail",
                           result="error", message="Olivia Smith could not be sent",
                           diff={"phone": ["0470717355", "0470717356"], "email": ["a@b.co", "c@d.co"]})
    logger = logging.getLogger("desktop.sync.test")
    logger.info("GET /v3/customers headers={'X-Auth-Token': '%s'} for olivia.smith1@example.com", bc_token)
    logger.warning("refresh failed for %s with %s and %s", refresh, access, secret)  # careless on purpose
    (app.data / LATEST).write_text(json.dumps({"ok": False, "checks": [], "note": "olivia.smith1@example.com"}))

    made = support_bundle.build(tmp_path / "bundle.zip", credentials, about={"qt": "6.x"})
    members = read_all(made.path)
    assert MEMBERS | {LATEST} <= set(members) and any(n.startswith("logs/") for n in members)
    everything = "\n".join(members.values())
    for planted in (access, refresh, bc_token, secret):
        assert planted not in everything
    assert "olivia.smith1@example.com" not in everything and "Olivia Smith" not in everything
    assert "o***@e***.com" in everything and "O*** S***" in everything
    assert "0470717355" not in members["errors.json"]  # a customer's phone in a change
    assert "Merino Tee" in members["errors.json"] and "SKU-9" in members["errors.json"]  # products stay
    about = json.loads(members["about.json"])
    assert about["version"] and about["qt"] == "6.x" and about["database_schema"]
    settings = json.loads(members["settings.json"])
    assert settings["settings"] == {"inventory_outlet": "Main Street"}
    assert {c["store_name"] for c in settings["connections"]} == {"Acme", "Acme POS"}
    assert "masked" in members["README.txt"].lower()


def test_issue18_a_secret_that_slipped_through_refuses_the_bundle(db, data_dir, tmp_path, monkeypatch):
    credentials = cred.Credentials(backend=MemoryKeyring())
    credentials.save_bigcommerce_token("sb-token-that-leaks-77", "https://api.bigcommerce.com/stores/abc123/")
    models.Connection.create(side="bigcommerce", store_name="Acme", store_hash="abc123",
                             api_path="https://api.bigcommerce.com/stores/abc123/v3/")
    monkeypatch.setattr(support_bundle, "_scrub", lambda text, secrets: text + " sb-token-that-leaks-77")
    with pytest.raises(support_bundle.SecretInBundle):
        support_bundle.build(tmp_path / "bundle.zip", credentials)
    assert not list(tmp_path.glob("bundle.zip*"))


def seed_people(sandbox) -> tuple[set[str], set[str]]:
    emails, names = set(), set()
    with sandbox.hike.lock:
        for c in sandbox.hike.customers.values():
            emails.add(c["email"])
            names.add(f"{c['first_name']} {c['last_name']}")
    return {e for e in emails if e}, names


def test_issue18_cli_support_bundle_after_a_sync_masks_every_seed_customer(run_cli, info_file, sandbox, tmp_path):
    connect_and_configure(run_cli, info_file, tmp_path)
    assert run_cli.json("sync", "--once")["status"] in ("ok", "partial")
    assert run_cli.json("diagnose")["ok"] is True  # its report and the store shapes it read join the bundle
    emails, names = seed_people(sandbox)
    assert emails and names

    masked = run_cli.json("support-bundle", "--out", str(tmp_path / "support.zip"))
    assert masked["masked"] is True and Path(masked["path"]).is_file()
    everything = "\n".join(read_all(Path(masked["path"])).values())
    assert not [e for e in emails if e in everything]
    assert not [n for n in names if n in everything]
    bc = sandbox.info["bigcommerce"]["access_token"]
    assert bc not in everything and sandbox.info["hike"]["client_secret"] not in everything

    plain = run_cli.json("support-bundle", "--out", str(tmp_path / "plain.zip"), "--no-mask")
    assert plain["masked"] is False
    everything = "\n".join(read_all(Path(plain["path"])).values())
    assert [e for e in emails if e in everything], "the unmasked bundle shows what masking hides"
    assert bc not in everything  # secrets go whatever the masking
    shapes = read_all(Path(plain["path"]))["store-shapes-latest.json"]  # made-up values, masked or not
    assert json.loads(shapes)["reshape"]["hike"] and not [e for e in emails if e in shapes]
