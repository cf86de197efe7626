"""Keyring backends for unit tests: in memory, locked, failing. (The real Secret Service is tested in
tests/integration/test_real_keyring.py.)"""
from __future__ import annotations

import keyring.errors

from desktop.storage import memory_keyring


class MemoryKeyring(memory_keyring.MemoryKeyring):
    """The app's in-memory keyring (the self-test's), which a test can also lock or make fail."""

    def __init__(self) -> None:
        super().__init__()
        self.locked = False
        self.error: Exception | None = None

    def _check(self) -> None:
        if self.error is not None:
            raise self.error
        if self.locked:
            raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        self._check()
        super().set_password(service, username, password)

    def get_password(self, service: str, username: str) -> str | None:
        self._check()
        return super().get_password(service, username)

    def delete_password(self, service: str, username: str) -> None:
        self._check()
        super().delete_password(service, username)


def keyring_entries(backend, profile: str) -> set[str]:
    """The names of every entry this app keeps in ``backend`` for ``profile`` (values never read)."""
    from desktop.storage.credentials import Credentials

    collection = backend.get_preferred_collection()
    names = {item.get_attributes().get("username", "") for item in
             collection.search_items({"service": Credentials.SERVICE})}
    return {name for name in names if name.startswith(f"{profile}/")}
