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
        self._entries: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, username: str, password: str) -> None:
        self._entries[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self._entries.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        if self._entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")
