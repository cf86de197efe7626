"""Tokens and keyring (issue 9, item 4): a Hike token that expires or is revoked mid-pass, a BigCommerce token
revoked mid-pass, and a keyring locked or absent at start-up. Each ends in a clear "reconnect" or "unlock" state
with nothing lost, and the next pass after the fix finishes the work without doing any of it twice.

"Mid-pass" is exact, not timed: the token is pulled from the engine's own progress callback, on the pass's thread,
once the pass has written its first records.
"""
from __future__ import annotations

from collections import Counter

import keyring
import pytest

from desktop.storage import models
from desktop.storage.db import close_db, init_db
from desktop.sync.bigcommerce import BigCommerceClient
from desktop.sync.engine import SyncEngine
from desktop.sync.events import Callbacks, Listeners
from desktop.sync.hike_oauth import tokens_from_response
from desktop.sandbox import bigcommerce_seed, hike_seed
from tests.integration.stores import FAST_RETRY, connect
from tests.integration.test_cli import (  # noqa: F401 - fixtures, used by name
    Cli, GOOD_SETTINGS, connect_and_configure, info_file, memory_keyring, run_cli, sandbox, seed)
from tests.integration.test_engine_products import PRODUCTS, open_up, settings

SEED = {"bigcommerce": bigcommerce_seed.large(40), "hike": hike_seed.large(40)}


class MidPass:
    """Calls ``pull`` once, the first time the product pass reports ``after`` records done; records states."""

    def __init__(self, pull, after: int = 3):
        self.pull, self.after, self.pulled, self.states = pull, after, False, []

    def listeners(self) -> Listeners:
        listeners = Listeners()
        listeners.add(Callbacks(on_progress=self.on_progress, on_state=self.states.append))
        return listeners

    def on_progress(self, entity: str, done: int, total: int) -> None:
        if entity == "product" and done >= self.after and not self.pulled:
            self.pulled = True
            self.pull()


@pytest.fixture
def stores(tmp_path):
    init_db(tmp_path / "sync.sqlite3")
    connected = open_up(connect(SEED))
    yield connected
    connected.close()
    close_db()


def catalog_is_whole(connected) -> None:
    """Every product exists once on each side, and everything on one side is linked to the other."""
    bc_skus = Counter((p.sku or "").lower() for p in connected.bc.products() if p.sku)
    hike_skus = Counter((p.sku or "").lower() for p in connected.hike.products() if p.sku and not p.parent_id)
    assert not {s: n for s, n in bc_skus.items() if n > 1}, "no duplicate in BigCommerce"
    assert not {s: n for s, n in hike_skus.items() if n > 1}, "no duplicate in Hike"
    assert models.PendingWork.select().where(models.PendingWork.status == "in_progress").count() == 0
    # a no-op pass afterwards: nothing was left half done
    again = SyncEngine(connected.bc, connected.hike, settings()).run_pass("schedule", PRODUCTS)
    assert again.status in ("ok", "partial")
    assert again.counts.get("product", {}).get("create", 0) == 0


def test_c1_hike_token_expiring_mid_pass_is_refreshed_and_the_pass_goes_on(stores):
    mid = MidPass(lambda: stores.control("hike", "POST", "tokens/expire", json={"which": "access"}))
    run = SyncEngine(stores.bc, stores.hike, settings(), events=mid.listeners()).run_pass("first_sync", PRODUCTS)
    assert mid.pulled and run.status in ("ok", "partial"), run.message
    assert "reconnect_needed" not in mid.states
    catalog_is_whole(stores)


def test_c1_n2_hike_token_revoked_mid_pass_means_reconnect_then_resumes(stores):
    mid = MidPass(lambda: stores.control("hike", "POST", "tokens/revoke", json={}))
    run = SyncEngine(stores.bc, stores.hike, settings(), events=mid.listeners()).run_pass("first_sync", PRODUCTS)
    assert mid.pulled and run.status == "error"
    assert mid.states[-1] == "reconnect_needed"
    assert "Hike" in run.message and "sign" in run.message.lower(), run.message
    # the fix: the manager signs in again (new tokens in the keyring); the next pass finishes the work
    stores.credentials.save_hike_tokens(tokens_from_response(stores.sandbox.hike.issue_token()), stores.hike.store)
    resumed = SyncEngine(stores.bc, stores.hike, settings()).run_pass("schedule", PRODUCTS)
    assert resumed.status in ("ok", "partial"), resumed.message
    catalog_is_whole(stores)


def test_c2_n2_bigcommerce_token_revoked_mid_pass_means_reconnect_then_resumes(stores):
    mid = MidPass(lambda: stores.control("bigcommerce", "POST", "settings", json={"access_token": "rotated-token"}))
    run = SyncEngine(stores.bc, stores.hike, settings(), events=mid.listeners()).run_pass("first_sync", PRODUCTS)
    assert mid.pulled and run.status == "error"
    assert mid.states[-1] == "reconnect_needed"
    assert "BigCommerce" in run.message, run.message
    assert "rotated-token" not in run.message
    # the fix: the manager pastes the new token (Reconnect); the app builds its client again
    stores.bc.close()
    stores.bc = BigCommerceClient(stores.sandbox.info["bigcommerce"]["api_path"], "rotated-token", retry=FAST_RETRY)
    resumed = SyncEngine(stores.bc, stores.hike, settings()).run_pass("schedule", PRODUCTS)
    assert resumed.status in ("ok", "partial"), resumed.message
    catalog_is_whole(stores)


@pytest.mark.parametrize("failure,expected", [("locked", "unlock"), ("absent", "keyring")])
def test_n1_keyring_locked_or_absent_at_start_up_says_so_and_loses_nothing(run_cli, info_file, tmp_path,
                                                                          memory_keyring, failure, expected):
    connect_and_configure(run_cli, info_file, tmp_path)
    if failure == "locked":
        memory_keyring.locked = True
    else:
        memory_keyring.error = keyring.errors.NoKeyringError("no backend available")
    code, out, err = run_cli("sync", "--once")
    assert code != 0
    assert expected in (out + err).lower(), out + err
    # the fix: unlock (or install) the keyring; the stored sign-ins are still there and the sync runs
    memory_keyring.locked, memory_keyring.error = False, None
    code, out, err = run_cli("sync", "--once")
    assert code == 0, out + err
    assert models_runs_ok(run_cli)


def models_runs_ok(run_cli: Cli) -> bool:
    status = run_cli.json("status")
    return bool(status["last_runs"]) and status["last_runs"][0]["status"] in ("ok", "partial")
