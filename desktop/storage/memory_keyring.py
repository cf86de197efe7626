"""A private keyring that lives in this process's memory only: the self-test's (``hike-bc-sync --self-test``), so
proving an installed copy works never reads or writes the person's real keyring, and works where no Secret Service
runs at all. It is handed to ``Credentials(backend=...)`` explicitly; it is never registered with ``keyring``."""
from __future__ import annotations

import keyring.backend
import keyring.errors


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 0  # type: ignore[assignment]  # never chosen by keyring itself: only when passed by hand

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")
