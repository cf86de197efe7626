"""Start at login (issue 17) on Linux for real: the CLI as a subprocess writes an XDG autostart entry that
desktop-file-validate accepts (installed by scripts/bootstrap.sh: missing, the test fails), reports it, removes it."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys


def cli(tmp_path, *args):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    return subprocess.run([sys.executable, "-m", "desktop.cli", "--data-dir", str(tmp_path / "data"), *args],
                          env=env, capture_output=True, text=True, timeout=60)


def test_autostart_on_status_off(tmp_path):
    entry = tmp_path / "config" / "autostart" / "hike-bc-sync.desktop"
    on = cli(tmp_path, "autostart", "on")
    assert on.returncode == 0, on.stderr
    assert entry.exists() and "On:" in on.stdout
    validator = shutil.which("desktop-file-validate")
    assert validator, "desktop-file-validate is missing: scripts/bootstrap.sh installs desktop-file-utils"
    checked = subprocess.run([validator, str(entry)], capture_output=True, text=True)
    assert checked.returncode == 0 and not checked.stdout.strip(), checked.stdout + checked.stderr
    assert "--minimized" in entry.read_text() and str(tmp_path / "data") in entry.read_text()

    status = cli(tmp_path, "autostart", "status", "--json")
    assert status.returncode == 0, status.stderr
    report = json.loads(status.stdout)
    assert report["on"] is True and report["ours"] is True and report["where"] == str(entry)

    off = cli(tmp_path, "autostart", "off")
    assert off.returncode == 0 and not entry.exists()
    assert json.loads(cli(tmp_path, "autostart", "status", "--json").stdout)["on"] is False
