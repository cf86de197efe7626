"""The wheel is what ``pip install`` / ``pipx install`` get: built from this tree, installed with its dependencies
into a fresh venv (nothing of the repository or .venv on its path), its two launchers must work on their own.
PySide6 comes from pip's cache (scripts/test keeps the real cache dir when it replaces HOME), so no download."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]


def outside_env(home: Path) -> dict[str, str]:
    """The harness's screen, D-Bus and pip cache, but no PYTHONPATH or venv that could see the repository."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}}
    env["HOME"] = str(home)
    env.pop("HIKEBC_DATA_DIR", None)
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(work / "dist")],
                   check=True, cwd=work, env=outside_env(work))
    wheels = list((work / "dist").glob("hike_bc_sync-*.whl"))
    assert len(wheels) == 1, wheels
    venv.EnvBuilder(with_pip=True).create(work / "venv")
    subprocess.run([str(work / "venv" / "bin" / "python"), "-m", "pip", "install", "-q", str(wheels[0])],
                   check=True, cwd=work, env=outside_env(work))
    yield work / "venv"
    # the installed sandbox's source holds its fixed demo tokens: gone before the suite's N1 scan of its files
    shutil.rmtree(work)


def test_the_wheel_ships_the_assets(installed: Path) -> None:
    site = next((installed / "lib").glob("python3*/site-packages"))
    assert (site / "desktop" / "assets" / "icons" / "app.svg").is_file()
    assert (site / "desktop" / "assets" / "hike-bc-sync.desktop").is_file()


def test_installed_launchers_work_outside_the_repository(installed: Path, tmp_path: Path) -> None:
    env = outside_env(tmp_path)
    done = subprocess.run([str(installed / "bin" / "hike-bc-sync"), "--self-test"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=110)
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr
    result = json.loads(lines[-1])
    assert result["ok"] is True, result
    assert done.returncode == 0
    assert result["passes"] == 1 and result["errors"] == 0
    assert result["products_linked"] > 0
    assert result["version"] and result["qt"].startswith("6.")
    # nothing of the person's folders: the self-test used a temporary one and removed it
    assert not (tmp_path / ".local" / "share" / "hike-bc-sync").exists()

    cli = subprocess.run([str(installed / "bin" / "hike-bc-sync-cli"), "--help"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert cli.returncode == 0, cli.stderr
    assert "sync" in cli.stdout
