"""``python -m desktop.sandbox``: one JSON line with everything a client needs, then both stores serve."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def test_sandbox_command_prints_connection_json_and_serves():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "desktop.sandbox", "--seed", "demo"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        info = json.loads(line)
        bc, hike = info["bigcommerce"], info["hike"]
        assert set(bc) == {"api_path", "store_hash", "access_token"}
        assert set(hike) == {"base_url", "client_id", "client_secret", "username", "password"}
        store = httpx.get(bc["api_path"].replace("/v3/", "/v2/store"),
                          headers={"X-Auth-Token": bc["access_token"], "Accept": "application/json"})
        assert store.status_code == 200 and store.json()["name"]
        page = httpx.get(f"{hike['base_url']}/oauth/authorize",
                         params={"response_type": "code", "client_id": hike["client_id"], "scope": "all",
                                 "redirect_uri": "http://127.0.0.1:9/callback", "state": "s"})
        assert page.status_code == 200 and "<form" in page.text
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0


def test_sandbox_command_rejects_a_bad_seed():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "desktop.sandbox", "--seed", "large:many"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "large:N" in result.stderr and result.stdout == ""
