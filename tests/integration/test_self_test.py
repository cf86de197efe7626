"""``hike-bc-sync --self-test`` on a machine with no Secret Service at all: its keyring is private and in memory,
its data folder temporary, so it passes there and leaves nothing in the person's folders."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_self_test_needs_no_secret_service_and_leaves_nothing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DBUS_SESSION_BUS_ADDRESS", "HIKEBC_DATA_DIR"}}
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"), XDG_STATE_HOME=str(tmp_path / "state"),
               XDG_CACHE_HOME=str(tmp_path / "cache"),
               # any use of the system keyring would fail loudly instead of finding one
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    done = subprocess.run([sys.executable, "-m", "desktop", "--self-test"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=110)
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, (done.stdout, done.stderr)
    result = json.loads(lines[0])
    assert result["ok"] is True, result
    assert done.returncode == 0
    assert result["products_linked"] > 0 and result["errors"] == 0
    assert not any(tmp_path.rglob("hike-bc-sync*")), list(tmp_path.rglob("*"))



def test_a_failure_is_one_json_line_with_the_reason_and_exit_1(tmp_path: Path, monkeypatch, capsys) -> None:
    """A failure at any step (here: the sandbox stores cannot listen) is reported, never a traceback on stdout,
    and the temporary folder is still removed."""
    import tempfile

    from desktop import self_test

    def cannot_listen():
        raise OSError("[Errno 98] Address already in use")

    monkeypatch.setattr(self_test, "_start_sandbox", cannot_listen)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert self_test.run() == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0]) == {"ok": False, "error": "OSError: [Errno 98] Address already in use"}
    assert list(tmp_path.iterdir()) == []
