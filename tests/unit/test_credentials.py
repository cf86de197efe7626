"""credentials.py with an in-memory backend: every state a person may meet (N1, C1, C2, C6)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import keyring.backends.fail
import keyring.errors
import pytest

from desktop.storage import credentials as cred
from tests.keyrings import MemoryKeyring

EXPIRY = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)
BC = "https://api.bigcommerce.com/stores/abc123/"  # the identities the sync layer saves secrets under
HIKE = "https://api.hikeup.com"


@pytest.fixture
def memory():
    return MemoryKeyring()


def make(backend, tmp_path=None, profile="default"):
    return cred.Credentials(profile, backend=backend, state_file=(tmp_path / "keyring.json") if tmp_path else None)


def test_hike_tokens_round_trip_and_delete(memory, tmp_path):
    c = make(memory, tmp_path)
    c.save_hike_tokens(cred.HikeTokens("access-111111", "refresh-222222", EXPIRY), HIKE)
    tokens = c.load_hike_tokens(HIKE)
    assert (tokens.access_token, tokens.refresh_token, tokens.expires_at) == ("access-111111", "refresh-222222",
                                                                              EXPIRY)
    c.delete_hike_tokens(HIKE)
    with pytest.raises(cred.CredentialMissingError, match="Reconnect Hike"):
        c.load_hike_tokens(HIKE)
    c.delete_hike_tokens(HIKE)  # deleting twice is fine


def test_bigcommerce_token_round_trip_strips_whitespace(memory):
    c = make(memory)
    c.save_bigcommerce_token("  bc-token-abcdef \n", BC)
    assert c.load_bigcommerce_token(BC) == "bc-token-abcdef"
    with pytest.raises(ValueError):
        c.save_bigcommerce_token("   ", BC)


def test_profiles_do_not_share_secrets(memory):
    make(memory, profile="sandbox").save_bigcommerce_token("sandbox-token-1", BC)
    with pytest.raises(cred.CredentialMissingError, match="Reconnect BigCommerce"):
        make(memory, profile="default").load_bigcommerce_token(BC)


def test_missing_credential_says_reconnect(memory):
    c = make(memory)
    with pytest.raises(cred.CredentialMissingError) as info:
        c.load_bigcommerce_token(BC)
    assert info.value.state is cred.CredentialState.MISSING
    assert info.value.title == "Reconnect needed"


def test_locked_keyring_says_unlock_and_retry(memory):
    c = make(memory)
    memory.locked = True
    with pytest.raises(cred.KeyringLockedError, match="Unlock it"):
        c.save_bigcommerce_token("bc-token-abcdef", BC)
    assert c.check() is cred.CredentialState.LOCKED
    memory.locked = False
    c.save_bigcommerce_token("bc-token-abcdef", BC)
    assert c.check() is cred.CredentialState.OK


def test_no_keyring_backend_says_how_to_install_one():
    c = make(keyring.backends.fail.Keyring())
    with pytest.raises(cred.NoKeyringError, match="gnome-keyring"):
        c.load_bigcommerce_token(BC)
    assert c.check() is cred.CredentialState.NO_KEYRING
    assert c.describe_backend() == "none"


def test_backend_raising_no_keyring_error(memory):
    memory.error = keyring.errors.NoKeyringError("no backend")
    assert make(memory).check() is cred.CredentialState.NO_KEYRING


def test_plaintext_backends_are_refused():
    with pytest.raises(cred.NoKeyringError):
        make(_plaintext_keyring()).save_bigcommerce_token("bc-token-abcdef", BC)


def _plaintext_keyring():
    class PlaintextKeyring(MemoryKeyring):
        pass

    PlaintextKeyring.__module__ = "keyrings.alt.file"
    PlaintextKeyring.__qualname__ = "PlaintextKeyring"
    return PlaintextKeyring()


def test_a_file_keyring_beside_the_desktop_keyring_is_left_out_not_a_reason_to_refuse(monkeypatch, memory):
    """keyring chains every installed backend; keyrings.alt's file keyring in that chain once made the app refuse
    the desktop's own keyring too ("no keyring"), and in the test process any keyring class a test defines joins
    the chain. The allowed member is used alone; the file keyring is never read or written."""
    from keyring.backends.chainer import ChainerBackend

    plaintext = _plaintext_keyring()
    monkeypatch.setattr(ChainerBackend, "backends", [memory, plaintext])
    c = make(ChainerBackend())
    c.save_bigcommerce_token("bc-token-abcdef", BC)
    assert c.load_bigcommerce_token(BC) == "bc-token-abcdef"
    assert plaintext.store == {} and len(memory.store) == 1
    assert c.describe_backend() != "none"
    monkeypatch.setattr(ChainerBackend, "backends", [plaintext])
    assert make(ChainerBackend()).check() is cred.CredentialState.NO_KEYRING


def test_other_keyring_errors_hide_backend_text(memory):
    memory.error = keyring.errors.PasswordSetError("dbus said: secret=bc-token-abcdef")
    with pytest.raises(cred.CredentialError) as info:
        make(memory).save_bigcommerce_token("bc-token-abcdef", BC)
    assert "bc-token-abcdef" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_damaged_hike_entry_is_reported_as_reconnect(memory):
    c = make(memory)
    c._set("hike", HIKE, "{not json")
    with pytest.raises(cred.CredentialMissingError, match="damaged"):
        c.load_hike_tokens(HIKE)


def test_backend_used_is_remembered_and_named_when_secret_vanishes(memory, tmp_path):
    c = make(memory, tmp_path)
    c.save_bigcommerce_token("bc-token-abcdef", BC)
    assert "MemoryKeyring" in (tmp_path / "keyring.json").read_text()
    class OtherKeyring(MemoryKeyring):
        pass

    other = make(OtherKeyring(), tmp_path)
    with pytest.raises(cred.CredentialMissingError, match="was saved in"):
        other.load_bigcommerce_token(BC)


def test_secrets_never_in_repr(memory):
    tokens = cred.HikeTokens("access-333333", "refresh-444444", EXPIRY)
    assert "access-333333" not in repr(tokens) and "refresh-444444" not in repr(tokens)
    assert tokens.expires_within(3600, now=EXPIRY - timedelta(minutes=30))
    assert not tokens.expires_within(60, now=EXPIRY - timedelta(minutes=30))
