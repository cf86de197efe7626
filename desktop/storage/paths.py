"""Where the app keeps its files: data (database, settings, backups), logs and cache.

Folders come from platformdirs so each OS gets its usual place. One override moves all three under a single
folder: the ``--data-dir`` option (set through ``set_override``) or the ``HIKEBC_DATA_DIR`` environment
variable. Tests and the sandbox mode use it to keep real data untouched.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from desktop import APP_ID

ENV_VAR = "HIKEBC_DATA_DIR"
_override: Path | None = None


@dataclass(frozen=True)
class AppPaths:
    data: Path
    logs: Path
    cache: Path

    @property
    def database(self) -> Path:
        return self.data / "sync.sqlite3"

    @property
    def keyring_state(self) -> Path:
        """Which keyring backend holds our secrets (its name only: never a secret)."""
        return self.data / "keyring.json"

    @property
    def backups(self) -> Path:
        return self.data / "backups"

    def ensure(self) -> "AppPaths":
        for folder in (self.data, self.logs, self.cache, self.backups):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def set_override(folder: str | os.PathLike[str] | None) -> None:
    """Use ``folder`` for everything (the ``--data-dir`` option); ``None`` returns to the defaults."""
    global _override
    _override = Path(folder).expanduser().resolve() if folder else None


def app_paths() -> AppPaths:
    root = _override or (Path(os.environ[ENV_VAR]).expanduser().resolve() if os.environ.get(ENV_VAR) else None)
    if root is not None:
        return AppPaths(data=root, logs=root / "logs", cache=root / "cache")
    return AppPaths(
        data=Path(platformdirs.user_data_dir(APP_ID, appauthor=False)),
        logs=Path(platformdirs.user_log_dir(APP_ID, appauthor=False)),
        cache=Path(platformdirs.user_cache_dir(APP_ID, appauthor=False)),
    )
