"""The only code that touches ``keyring``: the Hike tokens and the BigCommerce access token.

A secret belongs to one store in one data folder (issue 14): its entry is named ``{profile}/{digest}/{name}``,
the digest taken over the data folder's path and the store's identity (the checked API address the sync layer
gives: BigCommerce host and store hash, Hike base URL). Loading for another store or from another folder finds
nothing and says "Reconnect needed"; it can never hand over another store's token. Entries of versions before
that (``{profile}/{name}``, one per profile whatever the store) are moved into a store's own entry only when the
sync layer claims them for it (``adopt_old_entries``; ``desktop.sync.connections`` decides when).

Every failure is an explicit state a person can act on (``CredentialState``) with a message that says what
to do; there is never a plain-text fallback. Secret values never appear in a message, a repr or a log line.
The backend that stored the secrets is remembered (by name, in a small non-secret file) so a later start on
a different backend can say why the sign-in seems to be gone instead of just "missing".
"""
from __future__ import annotations

import enum
import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors

from desktop import APP_ID
from desktop.storage import paths
from desktop.storage.logs import register_secret

log = logging.getLogger(__name__)

# Backends that would keep secrets in a readable file, or keep nothing at all: refused, never used.
_REFUSED_BACKENDS = {
    "keyring.backends.fail.Keyring",
    "keyring.backends.null.Keyring",
    "keyrings.alt.file.PlaintextKeyring",
    "keyrings.alt.file.EncryptedKeyring",  # prompts on a console nobody sees from a GUI app
}


class CredentialState(enum.Enum):
    OK = "ok"
    NO_KEYRING = "no_keyring"
    LOCKED = "locked"
    MISSING = "missing"
    ERROR = "error"


class CredentialError(Exception):
    state = CredentialState.ERROR
    title = "Could not use the system keyring"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NoKeyringError(CredentialError):
    state = CredentialState.NO_KEYRING
    title = "No secure password store"


class KeyringLockedError(CredentialError):
    state = CredentialState.LOCKED
    title = "Keyring locked"


class CredentialMissingError(CredentialError):
    state = CredentialState.MISSING
    title = "Reconnect needed"


NO_KEYRING_HELP = (
    "No secure password store (OS keyring) is available, and this app never keeps tokens in a plain file. "
    "On Debian/Ubuntu install and start GNOME Keyring (sudo apt install gnome-keyring), or use KWallet; "
    "on Windows and macOS the built-in credential store is used. Then start the app again."
)
LOCKED_HELP = (
    "The keyring that holds this app's sign-in is locked. Unlock it (log in to your desktop session, or open "
    "'Passwords and Keys' and unlock the 'Login' keyring), then press Retry."
)


@dataclass(frozen=True)
class HikeTokens:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime

    def expires_within(self, seconds: float, now: datetime | None = None) -> bool:
        now = now or datetime.now(timezone.utc)
        return (self.expires_at - now).total_seconds() <= seconds

    def to_json(self) -> str:
        return json.dumps({"access_token": self.access_token, "refresh_token": self.refresh_token,
                           "expires_at": self.expires_at.astimezone(timezone.utc).isoformat()})

    @classmethod
    def from_json(cls, text: str) -> "HikeTokens":
        data = json.loads(text)
        return cls(data["access_token"], data["refresh_token"], datetime.fromisoformat(data["expires_at"]))


def backend_name(backend: keyring.backend.KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


# The entries each side keeps (names inside a store's entry, and the names of the old per-profile entries).
SECRET_NAMES = {"bigcommerce": ("bigcommerce",), "hike": ("hike", "hike-client-secret")}


class Credentials:
    """Secrets of one profile (``default`` for real stores, ``sandbox`` for the built-in sandbox stores) in one data
    folder (the app's, unless ``data_dir`` says otherwise); every secret is saved and loaded for one ``store``."""

    SERVICE = APP_ID

    def __init__(self, profile: str = "default", *, data_dir: Path | None = None, state_file: Path | None = None,
                 backend: keyring.backend.KeyringBackend | None = None):
        self.profile = profile
        # resolved once: the same folder reached by another spelling is the same folder
        self.data_dir = Path(data_dir or paths.app_paths().data).expanduser().resolve()
        self._state_file = state_file
        self._backend = backend

    # -- backend ----------------------------------------------------------------------------------------
    def backend(self) -> keyring.backend.KeyringBackend:
        backend = self._backend or keyring.get_keyring()
        if backend_name(backend) == "keyring.backends.chainer.ChainerBackend":
            inner = list(getattr(backend, "backends", []))
            allowed = [b for b in inner if backend_name(b) not in _REFUSED_BACKENDS]
            if not allowed:
                raise NoKeyringError(NO_KEYRING_HELP)
            # A file keyring (keyrings.alt) installed beside the desktop's own must neither make us refuse the
            # desktop's keyring nor ever be read or written: then the best allowed member alone is used.
            return backend if len(allowed) == len(inner) else allowed[0]
        if backend_name(backend) in _REFUSED_BACKENDS:
            raise NoKeyringError(NO_KEYRING_HELP)
        return backend

    def describe_backend(self) -> str:
        """A readable name of the store in use, e.g. "SecretService Keyring" (the chainer's members named)."""
        try:
            backend = self.backend()
        except CredentialError:
            return "none"
        members = list(getattr(backend, "backends", [])) or [backend]
        return ", ".join(getattr(b, "name", backend_name(b)) for b in members)

    def check(self) -> CredentialState:
        """Probe the keyring without reading any secret value we would keep."""
        try:
            self._call("get_password", self.SERVICE, f"{self.profile}/probe")
        except CredentialError as exc:
            return exc.state
        return CredentialState.OK

    # -- Hike --------------------------------------------------------------------------------------------
    def save_hike_tokens(self, tokens: HikeTokens, store: str) -> None:
        register_secret(tokens.access_token)
        register_secret(tokens.refresh_token)
        self._set("hike", store, tokens.to_json())

    def load_hike_tokens(self, store: str) -> HikeTokens:
        text = self._get("hike", store, "No Hike sign-in is stored for this Hike store in this data folder. "
                                        "Reconnect Hike (Manage → Connect Hike → Sign in with Hike).")
        try:
            tokens = HikeTokens.from_json(text)
            register_secret(tokens.access_token)
            register_secret(tokens.refresh_token)
            return tokens
        except (ValueError, KeyError, TypeError):
            raise CredentialMissingError("The stored Hike sign-in is damaged. Reconnect Hike (Manage → "
                                         "Connect Hike → Sign in with Hike).") from None

    def delete_hike_tokens(self, store: str) -> None:
        self._delete("hike", store)

    def save_hike_client_secret(self, secret: str, store: str) -> None:
        """The Hike app's client secret (a desktop app keeps it locally; no PKCE exists for Hike)."""
        register_secret(secret)
        self._set("hike-client-secret", store, secret)

    def load_hike_client_secret(self, store: str) -> str:
        secret = self._get("hike-client-secret", store, "The Hike app secret is not stored for this Hike store in "
                                                        "this data folder. Reconnect Hike.")
        register_secret(secret)
        return secret

    # -- BigCommerce -------------------------------------------------------------------------------------
    def save_bigcommerce_token(self, token: str, store: str) -> None:
        if not token or not token.strip():
            raise ValueError("the BigCommerce access token is empty")
        register_secret(token.strip())
        self._set("bigcommerce", store, token.strip())

    def load_bigcommerce_token(self, store: str) -> str:
        token = self._get("bigcommerce", store, "No BigCommerce access token is stored for this store in this "
                                                "data folder. Reconnect BigCommerce (Manage → Connect BigCommerce) "
                                                "with your API account's access token.")
        register_secret(token)
        return token

    def delete_bigcommerce_token(self, store: str) -> None:
        self._delete("bigcommerce", store)

    # -- one store's entries -----------------------------------------------------------------------------
    def delete_store(self, side: str, store: str) -> None:
        """Forget every secret of this store in this data folder (other folders and stores keep theirs)."""
        for name in SECRET_NAMES[side]:
            self._delete(name, store)

    def adopt_old_entries(self, side: str, store: str) -> bool:
        """Move the entries of versions before issue 14 (``{profile}/{name}``) into this store's own, once: each
        is taken only where this store has none yet, then deleted, so no other folder can take it after.
        The caller decides whether this store may claim them (they carry no store of their own)."""
        moved = False
        for name in SECRET_NAMES[side]:
            old = f"{self.profile}/{name}"
            value = self._call("get_password", self.SERVICE, old)
            if value is None or self._call("get_password", self.SERVICE, self._user(name, store)) is not None:
                continue
            register_secret(value)
            self._set(name, store, value)
            self._call_ignoring_missing("delete_password", self.SERVICE, old)
            moved = True
        if moved:
            log.info("Moved this app's %s sign-in saved by an earlier version into this data folder's own entry",
                     side)
        return moved

    # -- internals ---------------------------------------------------------------------------------------
    def _user(self, name: str, store: str) -> str:
        """The entry's name: the digest binds it to this data folder and this store (short and stable; the folder's
        path is not spelled out in the keyring)."""
        if not store:
            raise ValueError("a secret is always saved for one store")
        digest = hashlib.sha256(f"{self.data_dir}\n{store}".encode("utf-8")).hexdigest()[:16]
        return f"{self.profile}/{digest}/{name}"

    def _set(self, name: str, store: str, value: str) -> None:
        self._call("set_password", self.SERVICE, self._user(name, store), value)
        self._remember()

    def _get(self, name: str, store: str, missing_message: str) -> str:
        value = self._call("get_password", self.SERVICE, self._user(name, store))
        if value is None:
            remembered = self._remembered()
            current = self.describe_backend()
            if remembered and remembered != current:
                missing_message += (f" (It was saved in '{remembered}', but this session uses '{current}': "
                                    "signing in to the same desktop session may bring it back.)")
            raise CredentialMissingError(missing_message)
        return value

    def _delete(self, name: str, store: str) -> None:
        self._call_ignoring_missing("delete_password", self.SERVICE, self._user(name, store))

    def _call_ignoring_missing(self, method: str, *args: str) -> None:
        try:
            self._call(method, *args)
        except CredentialError as exc:
            if not isinstance(exc.__cause__, keyring.errors.PasswordDeleteError):
                raise
            # nothing stored under that name: deleting it is already done

    def _call(self, method: str, *args: str):
        backend = self.backend()
        try:
            result = getattr(backend, method)(*args)
        except keyring.errors.KeyringLocked:
            raise KeyringLockedError(LOCKED_HELP) from None
        except keyring.errors.NoKeyringError:
            raise NoKeyringError(NO_KEYRING_HELP) from None
        except keyring.errors.InitError:
            raise NoKeyringError(NO_KEYRING_HELP) from None
        except keyring.errors.PasswordDeleteError as exc:
            raise CredentialError("Nothing to delete.") from exc
        except keyring.errors.KeyringError as exc:
            # the backend's own text can carry D-Bus details but never our secret; keep only its type
            raise CredentialError(f"The keyring refused the request ({type(exc).__name__}). Check that the "
                                  "desktop keyring is running and unlocked, then retry.") from None
        return result

    def _remember(self) -> None:
        if self._state_file is None:
            return
        try:
            self._state_file.parent.mkdir(parents=True, exist_ok=True)
            self._state_file.write_text(json.dumps({"backend": self.describe_backend()}))
        except OSError as exc:
            log.warning("Could not remember the keyring backend: %s", exc)

    def _remembered(self) -> str | None:
        if self._state_file is None or not self._state_file.exists():
            return None
        try:
            return json.loads(self._state_file.read_text()).get("backend")
        except (OSError, ValueError):
            return None
