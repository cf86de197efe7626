"""Issue 14 finding 6: a secret belongs to one store and one data folder, never to a keyring profile alone.

Two data folders on one keyring profile, on the real Secret Service: folder A on a sandbox, folder B on another
store ("real": a second sandbox with tokens of its own, or the real hosts where no call is made). Whatever A does —
sync after its sandbox stopped, disconnect, open the app without --sandbox — B's secrets stay B's, and none of
them reaches A's addresses. A RecordingListener takes A's old loopback ports, as a stranger could.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from desktop.sandbox.stores import start_sandbox
from desktop.storage import paths
from desktop.storage.credentials import CredentialMissingError, Credentials, HikeTokens
from desktop.storage.db import close_db, init_db
from desktop.storage.models import Connection
from desktop.sync import errors
from desktop.sync.connections import connect_sandbox, disconnect, open_clients
from desktop.sync.http import RetryPolicy
from tests.keyrings import keyring_entries
from tests.recorder import RecordingListener, http_answer

pytestmark = pytest.mark.real_keyring

REAL_BC_TOKEN = "sec-test-real-bc-token-7a1e"
REAL_HIKE_SECRET = "sec-test-real-hike-secret-5b2f"
REAL_HIKE_ACCESS = "sec-test-real-hike-access-9c3a"
REAL_HIKE_REFRESH = "sec-test-real-hike-refresh-1d4b"
FAST = RetryPolicy(max_attempts=1, base_delay_s=0.01, max_delay_s=0.01, max_rate_limit_waits=0)
UNAUTHORIZED = http_answer("401 Unauthorized", b'{"error": "invalid_token"}')


@pytest.fixture
def profile() -> str:
    """One keyring profile for both folders (the app's ``default``; unique here so runs never meet)."""
    return f"f6-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``use("A")`` makes data folder A the app's folder (its database bound), as ``--data-dir A`` would."""

    def use(name: str) -> Path:
        close_db()
        folder = tmp_path / name
        monkeypatch.setenv(paths.ENV_VAR, str(folder))
        paths.set_override(None)
        init_db(paths.app_paths().ensure().database)
        return folder

    yield use
    close_db()


def credentials(profile: str, backend) -> Credentials:
    return Credentials(profile, backend=backend, state_file=paths.app_paths().keyring_state)


def real_store_rows(store_hash: str = "realstore1") -> None:
    """A folder connected to the real stores (no call is made to them here)."""
    Connection.create(side="bigcommerce", store_name="Real shop", store_hash=store_hash,
                      api_path=f"https://api.bigcommerce.com/stores/{store_hash}/v3/",
                      control_panel_base_url=f"https://store-{store_hash}.mybigcommerce.com",
                      storefront_url="https://real-shop.example")
    Connection.create(side="hike", store_name="Hike (Main street)", base_url="https://api.hikeup.com",
                      client_id="real-hike-app")


def sandbox_rows(bc_port: int, hike_port: int) -> None:
    """A folder the wizard connected to sandbox stores that listened on these ports (they have stopped)."""
    Connection.create(side="bigcommerce", store_name="Sandbox shop", store_hash="sbx1hike", is_sandbox=True,
                      api_path=f"http://127.0.0.1:{bc_port}/stores/sbx1hike/v3/")
    Connection.create(side="hike", store_name="Hike (sandbox)", base_url=f"http://127.0.0.1:{hike_port}",
                      client_id="sandbox-hike-app", is_sandbox=True)


def old_layout(backend, profile: str) -> None:
    """Secrets as versions before issue 14 kept them: one entry per profile and name, for whichever store was
    connected last on that profile."""
    expires = datetime.now(timezone.utc) + timedelta(hours=1)
    backend.set_password(Credentials.SERVICE, f"{profile}/bigcommerce", REAL_BC_TOKEN)
    backend.set_password(Credentials.SERVICE, f"{profile}/hike",
                         HikeTokens(REAL_HIKE_ACCESS, REAL_HIKE_REFRESH, expires).to_json())
    backend.set_password(Credentials.SERVICE, f"{profile}/hike-client-secret", REAL_HIKE_SECRET)


def secrets_of_b(sandbox) -> set[str]:
    hike = sandbox.hike
    return {REAL_BC_TOKEN, REAL_HIKE_SECRET, *hike._access, *hike._refresh}


def sent_token(bc) -> str:
    return bc.http._auth_headers()["X-Auth-Token"]


def assert_clients_use_the_real_secrets(profile: str, backend) -> None:
    """This folder's clients carry the real stores' token, app secret and sign-in."""
    bc, hike = open_clients(credentials(profile, backend))
    try:
        assert sent_token(bc) == REAL_BC_TOKEN
        assert hike._client_secret == REAL_HIKE_SECRET
        assert hike._auth_headers() == {"Authorization": f"Bearer {REAL_HIKE_ACCESS}"}
    finally:
        bc.close()
        hike.close()


def test_f6_a_pass_in_folder_a_never_sends_folder_b_s_secrets(profile, folders, secret_service):
    """Issue 14 finding 6: folders A (sandbox) and B ("real": a second sandbox with its own token and secret) on one
    profile; A's sandbox stops and a stranger takes its ports. A's next pass sends none of B's secrets there (it
    gets Reconnect needed), and B still syncs."""
    sandbox_a = start_sandbox("demo", hike_rate_limit=False)
    sandbox_b = start_sandbox("demo", hike_rate_limit=False)
    sandbox_b.bigcommerce.access_token = REAL_BC_TOKEN
    sandbox_b.hike.client_secret = REAL_HIKE_SECRET
    try:
        folders("A")
        connect_sandbox(sandbox_a.info, credentials(profile, secret_service), sandbox_a.person())
        folders("B")
        connect_sandbox(sandbox_b.info, credentials(profile, secret_service), sandbox_b.person())
        b_secrets = secrets_of_b(sandbox_b)
        ports = sandbox_a.bc_server.port, sandbox_a.hike_server.port
        sandbox_a.stop()

        with RecordingListener(port=ports[0], answer=UNAUTHORIZED) as bc_port, \
                RecordingListener(port=ports[1], answer=UNAUTHORIZED) as hike_port:
            folders("A")
            bc, hike = open_clients(credentials(profile, secret_service), retry=FAST)
            try:
                with pytest.raises(errors.ReconnectNeeded):
                    bc.store_info()
                with pytest.raises(errors.SyncError):
                    hike.outlets()
            finally:
                bc.close()
                hike.close()
            seen = bc_port.text() + hike_port.text()
        assert seen, "A's clients did call A's old addresses (with A's own sandbox secrets)"
        leaked = [len(secret) for secret in b_secrets if secret in seen]  # lengths only: no secret in a report
        assert leaked == [], "some of B's secrets reached A's old sandbox ports"

        folders("B")
        bc, hike = open_clients(credentials(profile, secret_service), retry=FAST)
        try:
            assert bc.store_info().store_hash and hike.outlets()
        finally:
            bc.close()
            hike.close()
    finally:
        sandbox_b.stop()


def test_f6_old_entries_go_to_the_real_store_that_claims_them_never_to_a_sandbox_folder(profile, folders,
                                                                                      secret_service):
    """Issue 14 finding 6, on upgrade: the old profile-wide entries hold the real store's secrets. A sandbox folder
    gets Reconnect needed (nothing sent, nothing taken); the folder connected to the real hosts adopts them into
    its own entries, and the old ones are gone."""
    old_layout(secret_service, profile)
    with RecordingListener(answer=UNAUTHORIZED) as bc_port, RecordingListener(answer=UNAUTHORIZED) as hike_port:
        folders("A")
        sandbox_rows(bc_port.port, hike_port.port)
        with pytest.raises(CredentialMissingError) as info:
            open_clients(credentials(profile, secret_service), retry=FAST)
        assert "Reconnect" in info.value.message
        assert bc_port.connections == hike_port.connections == 0
    old = {f"{profile}/bigcommerce", f"{profile}/hike", f"{profile}/hike-client-secret"}
    assert keyring_entries(secret_service, profile) == old, "a sandbox folder leaves the old entries alone"

    folders("B")
    real_store_rows()
    assert_clients_use_the_real_secrets(profile, secret_service)
    adopted = keyring_entries(secret_service, profile)
    assert len(adopted) == 3 and not adopted & old, "moved into B's own entries; the old ones deleted"

    folders("A")
    with pytest.raises(CredentialMissingError):
        open_clients(credentials(profile, secret_service))


def test_f6_disconnect_in_one_folder_leaves_the_other_folder_s_secrets(profile, folders, secret_service):
    """Issue 14 finding 6: Disconnect deletes only this folder's entries for its own stores."""
    sandbox_a = start_sandbox("demo", hike_rate_limit=False)
    sandbox_b = start_sandbox("demo", hike_rate_limit=False)
    sandbox_b.bigcommerce.access_token = REAL_BC_TOKEN
    try:
        folders("A")
        connect_sandbox(sandbox_a.info, credentials(profile, secret_service), sandbox_a.person())
        folders("B")
        connect_sandbox(sandbox_b.info, credentials(profile, secret_service), sandbox_b.person())
        both = keyring_entries(secret_service, profile)
        folders("A")
        disconnect(credentials(profile, secret_service))
        left = keyring_entries(secret_service, profile)
        assert len(both) == 6 and len(left) == 3 and left < both

        folders("B")
        bc, hike = open_clients(credentials(profile, secret_service), retry=FAST)
        try:
            assert sent_token(bc) == REAL_BC_TOKEN and bc.store_info().store_hash and hike.outlets()
        finally:
            bc.close()
            hike.close()
        disconnect(credentials(profile, secret_service))
        assert keyring_entries(secret_service, profile) == set()
    finally:
        sandbox_a.stop()
        sandbox_b.stop()


@pytest.mark.parametrize("real_folder_first", [True, False], ids=["after-adoption", "before-adoption"])
def test_f6_the_app_on_a_sandbox_folder_without_sandbox_option_keeps_the_real_secrets(
        real_folder_first, profile, folders, secret_service, qtbot):
    """Issue 14 finding 6: the app opened without --sandbox on a sandbox-connected folder (it starts fresh sandbox
    stores and connects them, as app.py does, on the profile the real stores use) must not overwrite the real
    folder's secrets, whether that folder has already adopted the old entries or not yet."""
    from PySide6.QtWidgets import QApplication

    from desktop.views.app_flow import AppFlow, connected_to_sandbox
    from tests.gui.monitor_world import fast_clients

    old_layout(secret_service, profile)
    if real_folder_first:
        folders("real")
        real_store_rows()
        open_clients(credentials(profile, secret_service))

    folders("sandbox")
    sandbox_rows(9, 9)  # connected to sandbox stores of an earlier start
    assert connected_to_sandbox()
    sandbox = start_sandbox("demo", bc_quota="100000/30", hike_rate_limit=False)
    flow = AppFlow(credentials(profile, secret_service), sandbox=sandbox,
                   controller_options={"open_clients": fast_clients, "startup_pass": False})
    try:
        flow.start()
        qtbot.waitUntil(lambda: flow.controller.service.started, timeout=60_000)
    finally:
        flow.shutdown()
        sandbox.stop()
        QApplication.instance().setQuitOnLastWindowClosed(True)

    folders("real")
    if not real_folder_first:
        real_store_rows()
    assert_clients_use_the_real_secrets(profile, secret_service)
