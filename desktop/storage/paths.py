"""Where the app keeps its files: data (database, settings, backups), logs and cache.

Folders come from platformdirs so each OS gets its usual place. One override moves all three under a single
folder: the ``--data-dir`` option (set through ``set_override``) or the ``HIKEBC_DATA_DIR`` environment
variable. Tests and the sandbox mode use it to keep real data untouched.

The files hold customers' names, emails and addresses, so on POSIX they are their owner's alone (issue 14
finding 12): ``AppPaths.ensure``, which every entry point (GUI, CLI, the wizard on its own) calls before writing
anything, sets the process umask to 0o077, so everything created from then on is 0600 / 0700 — the database and
the -wal/-shm SQLite gives the database's mode, copies taken before migrations, ``keyring.json``, logs as they
rotate, backups — without each writer having to remember. A umask does nothing for files that already exist, so
``ensure`` also takes group and other permissions off the app's own folders and files an older version left
readable (only those: never other files in a folder the user pointed us at). Backups may go to any folder, so
they are also opened 0600 explicitly (``private_opener``).
"""
from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import platformdirs

from desktop import APP_ID
from desktop.storage.logs import LOG_FILE_NAME

log = logging.getLogger(__name__)

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

    @property
    def folders(self) -> tuple[Path, ...]:
        return self.data, self.logs, self.cache, self.backups

    def owned_files(self) -> Iterator[Path]:
        """The files the app writes in its folders: the database (``sync.sqlite3``, its -wal and -shm, the copies
        ``sync.before-v*`` and ``sync.replaced.*``), ``keyring.json``, the logs and the backups."""
        yield from self.data.glob(f"{self.database.stem}.*")
        yield self.keyring_state
        yield from self.logs.glob(f"{LOG_FILE_NAME}*")
        yield from self.backups.glob("*.csv")

    def ensure(self) -> "AppPaths":
        """Create the folders; from here on the process writes private files, and what an older version left
        readable is made private (see the module docstring)."""
        if os.name == "posix":
            os.umask(0o077)
        for folder in self.folders:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if os.name == "posix":
            for path in (*self.folders, *self.owned_files()):
                _owner_only(path)
        return self


def _owner_only(path: Path) -> None:
    """Take group and other permissions off ``path``; the owner's stay as they are (a read-only folder stays so)."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if stat.S_ISLNK(mode) or not mode & 0o077:
        return  # never follow a link out of our folders
    try:
        path.chmod(stat.S_IMODE(mode) & 0o700)
    except OSError as exc:  # e.g. another user's file: say so, the app still runs
        log.warning("Could not make %s private: %s", path, exc.strerror or exc)


def private_opener(path: str, flags: int) -> int:
    """``open(..., opener=private_opener)``: the file is its owner's alone (0600) whatever the umask, also when
    it already existed (POSIX; elsewhere the folder's own permissions apply)."""
    fd = os.open(path, flags, 0o600)
    if os.name == "posix":
        os.fchmod(fd, 0o600)
    return fd


def set_override(folder: str | os.PathLike[str] | None) -> None:
    """Use ``folder`` for everything (the ``--data-dir`` option); ``None`` returns to the defaults."""
    global _override
    _override = Path(folder).expanduser().resolve() if folder else None


def override() -> Path | None:
    """The folder ``set_override`` gave (``--data-dir``), or None."""
    return _override


def chosen_folder() -> Path | None:
    """The folder given with ``--data-dir`` or ``HIKEBC_DATA_DIR``; None: the system's usual places."""
    return _override or (Path(os.environ[ENV_VAR]).expanduser().resolve() if os.environ.get(ENV_VAR) else None)


def app_paths() -> AppPaths:
    root = chosen_folder()
    if root is not None:
        return AppPaths(data=root, logs=root / "logs", cache=root / "cache")
    return AppPaths(
        data=Path(platformdirs.user_data_dir(APP_ID, appauthor=False)),
        logs=Path(platformdirs.user_log_dir(APP_ID, appauthor=False)),
        cache=Path(platformdirs.user_cache_dir(APP_ID, appauthor=False)),
    )
