"""Connecting both stores for real (C1, C2, C3, C6) against the sandbox."""
from __future__ import annotations

import pytest

from desktop.sandbox.stores import start_sandbox
from desktop.storage import models
from desktop.storage.credentials import CredentialMissingError, Credentials
from desktop.sync import errors
from desktop.sync.addresses import bigcommerce_api_base
from desktop.sync.http import RetryPolicy
from desktop.sync.connections import check_bigcommerce, connect_sandbox, disconnect, open_clients
from tests.keyrings import MemoryKeyring


@pytest.fixture(scope="module")
def sandbox():
    stores = start_sandbox("demo", hike_rate_limit=False)
    yield stores
    stores.stop()


def test_c1_c2_connect_both_stores_proves_them_and_keeps_secrets_in_the_keyring(sandbox, db):
    keyring = MemoryKeyring()
    credentials = Credentials("t", backend=keyring)
    bc_row, hike_row = connect_sandbox(sandbox.info, credentials, sandbox.person())
    assert bc_row.store_name and bc_row.control_panel_base_url.startswith("https://")
    assert hike_row.store_name.startswith("Hike (") and hike_row.client_id == sandbox.info["hike"]["client_id"]
    # one entry per secret, bound to this data folder and store: t/<digest>/<name>
    assert {(k[1].split("/")[0], k[1].split("/")[-1]) for k in keyring.store} == {
        ("t", "bigcommerce"), ("t", "hike"), ("t", "hike-client-secret")} and len(keyring.store) == 3
    bc, hike = open_clients(credentials)
    assert bc.store_info().name == bc_row.store_name and hike.outlets()
    bc.close()
    hike.close()


def test_c3_bad_token_and_wrong_store_hash_are_named(sandbox):
    info = sandbox.info["bigcommerce"]
    with pytest.raises(errors.ReconnectNeeded, match="refused the access token"):
        check_bigcommerce(info["api_path"], "wrong-token")
    wrong_store = info["api_path"].replace(f"/stores/{info['store_hash']}/", "/stores/nosuchstore/")
    with pytest.raises(errors.SyncError, match="store"):
        check_bigcommerce(wrong_store, info["access_token"])


def test_c3_no_network_is_named():
    with pytest.raises(errors.Transient, match="could not reach the store"):
        check_bigcommerce("http://127.0.0.1:9/stores/abc/v3/", "token",
                          retry=RetryPolicy(max_attempts=2, base_delay_s=0.01))


def test_c6_disconnect_removes_tokens_and_keeps_history(sandbox, db):
    credentials = Credentials("t", backend=MemoryKeyring())
    connect_sandbox(sandbox.info, credentials, sandbox.person())
    models.LogEntry.create(entity="product", action="update", result="ok")
    disconnect(credentials)
    assert models.Connection.select().count() == 0 and models.LogEntry.select().count() == 1
    with pytest.raises(CredentialMissingError):
        credentials.load_bigcommerce_token(bigcommerce_api_base(sandbox.info["bigcommerce"]["api_path"])[0])
    connect_sandbox(sandbox.info, credentials, sandbox.person())
    disconnect(credentials, wipe_history=True)
    assert models.LogEntry.select().count() == 0
