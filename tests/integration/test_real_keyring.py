"""credentials.py against the real Secret Service (gnome-keyring over D-Bus), as on a manager's PC.

Runs under scripts/test, which starts an unlocked gnome-keyring in a private D-Bus session; there a skip
fails the run. Elsewhere it skips with the reason when no Secret Service is reachable.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from desktop.storage import credentials as cred

pytestmark = pytest.mark.real_keyring


def test_real_secret_service_round_trip(secret_service, tmp_path):
    profile = f"test-{uuid.uuid4().hex[:8]}"
    c = cred.Credentials(profile, backend=secret_service, state_file=tmp_path / "keyring.json")
    assert c.check() is cred.CredentialState.OK
    expires = datetime(2027, 1, 1, tzinfo=timezone.utc)
    c.save_hike_tokens(cred.HikeTokens("real-access-" + profile, "real-refresh-" + profile, expires))
    c.save_bigcommerce_token("real-bc-" + profile)
    # a fresh object and the default backend lookup find the same secrets: they live in the OS keyring
    again = cred.Credentials(profile)
    assert "SecretService" in again.describe_backend()
    assert again.load_bigcommerce_token() == "real-bc-" + profile
    assert again.load_hike_tokens().refresh_token == "real-refresh-" + profile
    assert "Secret" in (tmp_path / "keyring.json").read_text()
    again.delete_all()
    with pytest.raises(cred.CredentialMissingError):
        again.load_bigcommerce_token()
    assert secret_service.get_password(cred.Credentials.SERVICE, f"{profile}/hike") is None
