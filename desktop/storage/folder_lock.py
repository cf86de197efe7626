"""One writer per data folder (N6): an operating-system lock that every writer holds while it works.

The app window holds it for as long as it runs; ``hike-bc-sync-cli`` holds it for the commands that write to the
stores or the database (``sync``, ``run``, ``configure``, ``connect``, ``disconnect``, ``restore-database``).
Without it two processes on one folder each plan the same pass and both create: two BigCommerce orders for one
Hike sale, a customer created twice (issue 14, finding 1).

The lock is ``flock``/``LockFileEx`` on ``<data>/sync.lock``: the operating system drops it when the process ends,
however it ends (SIGKILL, a crash, a power cut), so a stale lock cannot exist and nothing has to be cleaned up.
Who holds it (process id, what it is doing, since when) is written beside it in ``sync.lock.json`` so a second
writer can say it plainly. The holder writes that file a moment after it takes the lock (atomically: a reader
never sees half of it), so a second writer that finds the lock taken waits briefly for the file to name a living
process rather than report what it read in that moment (nothing yet, or a holder killed before). ``flock`` locks belong to an open file, not to a process, so two holders in one
process (a test's window and a CLI call) also exclude each other.
"""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

LOCK_NAME = "sync.lock"
HOLDER_NAME = "sync.lock.json"
HOLDER_WAIT_S = 2.0  # how long a refused writer waits for the holder to say who it is


class FolderBusy(Exception):
    """Another process (or another holder in this one) is writing to this data folder."""

    def __init__(self, folder: Path, holder: dict[str, Any]):
        self.folder = folder
        self.holder = holder
        super().__init__(self.describe())

    def describe(self) -> str:
        what = self.holder.get("purpose") or "another copy of the app"
        pid = self.holder.get("pid")
        since = self.holder.get("since")
        when = ""
        if since:
            try:
                when = f", since {datetime.fromisoformat(since).astimezone().strftime('%Y-%m-%d %H:%M')}"
            except ValueError:
                pass
        who = f"{what} (process {pid}{when})" if pid else what
        return (f"{who} is already working on the data folder {self.folder}. Only one may sync a folder at a time, "
                "so nothing is sent twice: wait for it to finish, or close it, and try again.")


@dataclass
class FolderLock:
    """Held with ``acquire()`` / ``release()`` or as a context manager."""

    folder: Path
    purpose: str
    _file: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self) -> "FolderLock":
        """Take the lock now or raise ``FolderBusy`` naming who has it (never waits: a cron run that finds the
        window syncing should say so and leave, not queue up behind it)."""
        if self._file is not None:
            return self
        self.folder.mkdir(parents=True, exist_ok=True)
        handle = open(self.folder / LOCK_NAME, "a+b")
        try:
            _lock(handle)
        except OSError:
            handle.close()
            raise FolderBusy(self.folder, read_holder(self.folder)) from None
        self._file = handle
        holder = {"pid": os.getpid(), "purpose": self.purpose,
                  "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        written = self.folder / f"{HOLDER_NAME}.{os.getpid()}.tmp"
        try:
            written.write_text(json.dumps(holder), encoding="utf-8")
            os.replace(written, self.folder / HOLDER_NAME)
        except OSError:
            pass  # only the message of a second writer would be poorer; the lock itself holds
        return self

    def release(self) -> None:
        handle, self._file = self._file, None
        if handle is None:
            return
        try:
            (self.folder / HOLDER_NAME).unlink(missing_ok=True)
        except OSError:
            pass
        _unlock(handle)
        handle.close()

    def __enter__(self) -> "FolderLock":
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def read_holder(folder: Path, wait_s: float = HOLDER_WAIT_S) -> dict[str, Any]:
    """Who holds the lock, as the holder wrote it: waits up to ``wait_s`` for a record of a living process (the
    holder writes it just after taking the lock; a killed holder's record stays behind)."""
    deadline = time.monotonic() + wait_s
    while True:
        data = _holder_record(folder)
        if _alive(data.get("pid")) or time.monotonic() >= deadline:
            return data
        time.sleep(0.02)  # another process is about to write it: nothing of ours to wait on


def _holder_record(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / HOLDER_NAME).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - no cheap check there: a record is taken as it is
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, as another user's
    return True


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
else:
    import fcntl

    def _lock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
