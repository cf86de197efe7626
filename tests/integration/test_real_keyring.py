"""credentials.py against the real Secret Service (gnome-keyring over D-Bus), as on a manager's PC.

Runs under scripts/test, which starts an unlocked gnome-keyring in a private D-Bus session; there a skip
fails the run. Elsewhere it skips with the reason when no Secret Service is reachable.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from desktop.storage import credentials as cred
from tests.keyrings import keyring_entries

pytestmark = pytest.mark.real_keyring


BC = "https://api.bigcommerce.com/stores/abc123/"  # store identities, as desktop.sync.addresses gives them
OTHER_BC = "https://api.bigcommerce.com/stores/zzz999/"
HIKE = "https://api.hikeup.com"


def test_real_secret_service_round_trip(secret_service, tmp_path):
    profile = f"test-{uuid.uuid4().hex[:8]}"
    c = cred.Credentials(profile, backend=secret_service, state_file=tmp_path / "keyring.json")
    assert c.check() is cred.CredentialState.OK
    expires = datetime(2027, 1, 1, tzinfo=timezone.utc)
    c.save_hike_tokens(cred.HikeTokens("real-access-" + profile, "real-refresh-" + profile, expires), HIKE)
    c.save_hike_client_secret("real-secret-" + profile, HIKE)
    c.save_bigcommerce_token("real-bc-" + profile, BC)
    # a fresh object and the default backend lookup find the same secrets: they live in the OS keyring
    again = cred.Credentials(profile)
    assert "SecretService" in again.describe_backend()
    assert again.load_bigcommerce_token(BC) == "real-bc-" + profile
    assert again.load_hike_tokens(HIKE).refresh_token == "real-refresh-" + profile
    assert "Secret" in (tmp_path / "keyring.json").read_text()
    again.delete_store("bigcommerce", BC)
    again.delete_store("hike", HIKE)
    with pytest.raises(cred.CredentialMissingError):
        again.load_bigcommerce_token(BC)
    assert keyring_entries(secret_service, profile) == set()


def test_f6_a_secret_loads_only_for_its_own_store_in_its_own_data_folder(secret_service, tmp_path):
    """Issue 14 finding 6: another store, or the same store from another data folder, finds nothing: "Reconnect
    needed", never the other's token."""
    profile = f"test-{uuid.uuid4().hex[:8]}"
    folder_a = cred.Credentials(profile, data_dir=tmp_path / "a", backend=secret_service)
    folder_b = cred.Credentials(profile, data_dir=tmp_path / "b", backend=secret_service)
    folder_a.save_bigcommerce_token("bc-token-of-a", BC)
    folder_b.save_bigcommerce_token("bc-token-of-b", OTHER_BC)
    assert folder_a.load_bigcommerce_token(BC) == "bc-token-of-a"
    assert folder_b.load_bigcommerce_token(OTHER_BC) == "bc-token-of-b"
    for credentials, store in ((folder_a, OTHER_BC), (folder_b, BC)):
        with pytest.raises(cred.CredentialMissingError) as info:
            credentials.load_bigcommerce_token(store)
        assert info.value.title == "Reconnect needed" and "Reconnect BigCommerce" in info.value.message
    same_folder_other_spelling = cred.Credentials(profile, data_dir=tmp_path / "a" / ".." / "a",
                                                  backend=secret_service)
    assert same_folder_other_spelling.load_bigcommerce_token(BC) == "bc-token-of-a"

    folder_a.delete_store("bigcommerce", BC)  # Disconnect in A
    assert folder_b.load_bigcommerce_token(OTHER_BC) == "bc-token-of-b"
    assert len(keyring_entries(secret_service, profile)) == 1
    folder_b.delete_store("bigcommerce", OTHER_BC)


def test_f6_old_profile_entries_are_adopted_once_and_never_over_a_store_s_own(secret_service, tmp_path):
    """Issue 14 finding 6: an entry of an earlier version (``profile/name``) moves into the first store that
    claims it and is deleted; nobody can take it again, and a store that has its own entry keeps it."""
    profile = f"test-{uuid.uuid4().hex[:8]}"
    service = cred.Credentials.SERVICE
    secret_service.set_password(service, f"{profile}/bigcommerce", "old-bc-token")
    secret_service.set_password(service, f"{profile}/hike-client-secret", "old-hike-secret")
    has_own = cred.Credentials(profile, data_dir=tmp_path / "own", backend=secret_service)
    has_own.save_bigcommerce_token("own-bc-token", BC)
    assert has_own.adopt_old_entries("bigcommerce", BC) is False
    assert has_own.load_bigcommerce_token(BC) == "own-bc-token"

    first = cred.Credentials(profile, data_dir=tmp_path / "first", backend=secret_service)
    assert first.adopt_old_entries("bigcommerce", BC) is True
    assert first.adopt_old_entries("hike", HIKE) is True
    assert first.load_bigcommerce_token(BC) == "old-bc-token"
    assert first.load_hike_client_secret(HIKE) == "old-hike-secret"
    entries = keyring_entries(secret_service, profile)
    assert f"{profile}/bigcommerce" not in entries and f"{profile}/hike-client-secret" not in entries

    later = cred.Credentials(profile, data_dir=tmp_path / "later", backend=secret_service)
    assert later.adopt_old_entries("bigcommerce", BC) is False
    with pytest.raises(cred.CredentialMissingError):
        later.load_bigcommerce_token(BC)
    for credentials in (has_own, first):
        credentials.delete_store("bigcommerce", BC)
        credentials.delete_store("hike", HIKE)
    assert keyring_entries(secret_service, profile) == set()
