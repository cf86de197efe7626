"""``hike-bc-sync-cli`` over real HTTP against the sandbox stores: in-process (``desktop.cli.main``) and, once, as
real subprocesses (``python -m desktop.cli`` against ``python -m desktop.sandbox``) on the real keyring.

Full syncs run on a small catalog (40 products a side) so the Hike client's own pacing (60 calls a minute) never
waits: a first sync of it takes a few dozen Hike calls.
"""
from __future__ import annotations

import errno
import json
import logging
import os
import signal
import stat
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import keyring
import pytest

from desktop import cli
from desktop.sandbox import bigcommerce_seed, hike_seed
from desktop.sandbox.browser import SandboxPerson
from desktop.sandbox.stores import start_sandbox
from desktop.storage.db import close_db, disk_full_advice, init_db
from desktop.storage.models import SettingsVersion
from desktop.sync import preflight
from desktop.sync.preflight import read_backup
from desktop.sync.settings import Settings
from tests.keyrings import MemoryKeyring

ROOT = Path(__file__).resolve().parents[2]
GOOD_SETTINGS = {"inventory_outlet": "Main Street", "tax_map": {"GST": "Default Tax Class",
                                                                "No Tax": "Non-Taxable Products"},
                 "shipping_tax": "GST", "bigcommerce_location_id": 1}


def small_seed() -> dict[str, Any]:
    return {"bigcommerce": bigcommerce_seed.large(40), "hike": hike_seed.large(40)}


@pytest.fixture(scope="module")
def seed() -> dict[str, Any]:
    return small_seed()


@pytest.fixture
def sandbox(seed):
    stores = start_sandbox(seed, bc_quota="100000/30", hike_rate_limit=False)
    yield stores
    stores.stop()


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@dataclass
class Cli:
    """``desktop.cli.main`` with this test's data folder and keyring profile; remembers every output."""

    capsys: Any
    data_dir: Path
    profile: str
    outputs: list[str] = field(default_factory=list)

    def __call__(self, *args: str) -> tuple[int, str, str]:
        code = cli.main(["--data-dir", str(self.data_dir), "--profile", self.profile, *args])
        out, err = self.capsys.readouterr()
        self.outputs += [out, err]
        assert "Traceback" not in err
        return code, out, err

    def json(self, *args: str, expect: int = 0) -> Any:
        code, out, err = self(*args, "--json")
        assert code == expect, (code, out, err)
        return json.loads(out)  # exactly one document: json.loads refuses anything after it


@pytest.fixture
def run_cli(capsys, tmp_path, memory_keyring, sandbox, info_file):
    runner = Cli(capsys, tmp_path / "cli-data", f"cli-{uuid.uuid4().hex[:8]}")
    yield runner
    # no secret ever reaches stdout or stderr: the sandbox's own and every token the keyring received
    info = sandbox.info
    secrets = {info["bigcommerce"]["access_token"], info["hike"]["client_secret"]}
    for (_, user), value in memory_keyring.store.items():
        if user.endswith("/hike"):
            tokens = json.loads(value)
            secrets |= {tokens["access_token"], tokens["refresh_token"]}
        else:
            secrets.add(value)
    for text in runner.outputs:
        for secret in secrets:
            assert secret not in text


@pytest.fixture
def info_file(tmp_path, sandbox):
    """The sandbox's JSON line in a file (deleted afterwards: it holds the sandbox's secrets)."""
    path = tmp_path / "sandbox.json"
    path.write_text(json.dumps(sandbox.info) + "\n")
    yield path
    path.unlink(missing_ok=True)


def write_settings(tmp_path: Path, overrides: dict[str, Any], name: str = "settings.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({**Settings.template().to_json(), **overrides}))
    return path


def connect_and_configure(run_cli: Cli, info_file: Path, tmp_path: Path) -> None:
    assert run_cli("connect", "sandbox", "--info", str(info_file))[0] == 0
    assert run_cli("configure", "--settings", str(write_settings(tmp_path, GOOD_SETTINGS)))[0] == 0


# ---------------------------------------------------------------------------------------------------------------
def test_connect_sandbox_then_status_shows_both_stores_without_secrets(run_cli, info_file, memory_keyring):
    code, out, err = run_cli("connect", "sandbox", "--info", str(info_file))
    assert code == 0, err
    assert "Connected BigCommerce sandbox store" in out and "Connected Hike (" in out
    users = {user for _, user in memory_keyring.store}  # profile/digest of folder and store/name
    assert {(u.split("/")[0], u.split("/")[-1]) for u in users} == {
        (run_cli.profile, k) for k in ("bigcommerce", "hike", "hike-client-secret")} and len(users) == 3

    status = run_cli.json("status")
    assert {c["side"] for c in status["connections"]} == {"bigcommerce", "hike"}
    assert all(c["sandbox"] for c in status["connections"])
    assert status["keyring"]["state"] == "ok" and status["keyring"]["profile"] == run_cli.profile
    assert status["settings"]["saved"] is False
    assert status["last_runs"] == [] and status["links"]["total"] == 0
    assert status["errors"] == {"links": 0, "log_entries": 0} and status["outbox"]["unfinished"] == 0
    assert run_cli.json("info")["connections"]


def test_connect_sandbox_reads_stdin_and_refuses_a_remote_address(run_cli, sandbox, tmp_path, monkeypatch,
                                                                  memory_keyring):
    remote = json.loads(json.dumps(sandbox.info))
    remote["bigcommerce"]["api_path"] = "https://api.bigcommerce.com/stores/abc/v3/"
    path = tmp_path / "remote.json"
    path.write_text(json.dumps(remote))
    try:
        code, out, err = run_cli("connect", "sandbox", "--info", str(path))
    finally:
        path.unlink()
    assert code == 2 and "127.0.0.1" in err and out == ""
    (tmp_path / "junk.json").write_text("not json")
    code, _, err = run_cli("connect", "sandbox", "--info", str(tmp_path / "junk.json"))
    assert code == 2 and "python -m desktop.sandbox" in err
    assert memory_keyring.store == {}

    import io
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(sandbox.info) + "\n"))
    assert run_cli("connect", "sandbox", "--info", "-")[0] == 0


def test_connect_each_store_then_disconnect(run_cli, sandbox, monkeypatch, memory_keyring, tmp_path):
    info = sandbox.info
    monkeypatch.setenv("CLI_TEST_BC_TOKEN", info["bigcommerce"]["access_token"])
    code, out, err = run_cli("connect", "bigcommerce", "--api-path", info["bigcommerce"]["api_path"],
                             "--token-env", "CLI_TEST_BC_TOKEN")
    assert code == 0, err
    monkeypatch.setenv("CLI_TEST_EMPTY", "")
    code, _, err = run_cli("connect", "bigcommerce", "--api-path", info["bigcommerce"]["api_path"],
                           "--token-env", "CLI_TEST_EMPTY")
    assert code == 2 and "CLI_TEST_EMPTY" in err
    monkeypatch.setenv("CLI_TEST_BC_TOKEN", "wrong-token-123")
    code, _, err = run_cli("connect", "bigcommerce", "--api-path", info["bigcommerce"]["api_path"],
                           "--token-env", "CLI_TEST_BC_TOKEN")
    assert code == 1 and "access token" in err and "wrong-token-123" not in err

    hike = info["hike"]
    opened: list[str] = []
    person = SandboxPerson(hike["username"], hike["password"])
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or person(url) or True)
    monkeypatch.setenv(cli.HIKE_CLIENT_SECRET_ENV, hike["client_secret"])
    monkeypatch.setenv("HIKEBC_HIKE_APP_FILE", str(tmp_path / "no-registration.json"))
    code, _, err = run_cli("connect", "hike", "--base-url", hike["base_url"])
    assert code == 2 and "client id" in err and "built without Hike access" in err and "hike_app.json" in err
    code, out, err = run_cli("connect", "hike", "--base-url", hike["base_url"], "--client-id", hike["client_id"])
    assert code == 0, err
    assert len(opened) == 1 and "Connected Hike (" in out and "Sign in to Hike" in err
    assert len(run_cli.json("status")["connections"]) == 2

    assert run_cli.json("disconnect") == {"disconnected": True, "history_wiped": False}
    assert memory_keyring.store == {}
    assert run_cli.json("status")["connections"] == []
    code, _, err = run_cli("sync", "--once")
    assert code == 1 and "not connected" in err and "connect" in err


def test_issue17_connect_hike_with_the_registration_the_build_ships(run_cli, sandbox, monkeypatch, tmp_path):
    """A shop manager gives no App Id or Secret: the registration placed in the build is used (finding 2)."""
    hike = sandbox.info["hike"]
    registration = tmp_path / "hike_app.json"
    registration.write_text(json.dumps({"api_address": hike["base_url"], "app_id": hike["client_id"],
                                        "app_secret": hike["client_secret"]}))
    monkeypatch.setenv("HIKEBC_HIKE_APP_FILE", str(registration))
    monkeypatch.delenv(cli.HIKE_CLIENT_ID_ENV, raising=False)
    monkeypatch.delenv(cli.HIKE_CLIENT_SECRET_ENV, raising=False)
    person = SandboxPerson(hike["username"], hike["password"])
    monkeypatch.setattr("webbrowser.open", lambda url: person(url) or True)
    try:
        code, out, err = run_cli("connect", "hike", "--base-url", hike["base_url"])
    finally:
        registration.unlink()  # it holds the sandbox's secret
    assert code == 0, err
    assert "Connected Hike (" in out


def test_configure_template_bad_files_and_good_file(run_cli, info_file, tmp_path):
    template = run_cli.json("configure", "--print-template")
    assert template == Settings.template().to_json()
    code, out, _ = run_cli("configure", "--print-template")
    assert code == 0 and json.loads(out) == template

    # not connected: the shape only
    shape = tmp_path / "shape.json"
    shape.write_text(json.dumps({"inventory_outlet": "Main Street", "schedule_minutes": "often", "colour": 1}))
    code, out, err = run_cli("configure", "--settings", str(shape))
    assert code == 2 and "schedule_minutes" in err and "colour" in err and "not saved" in err
    code, _, err = run_cli("configure", "--settings", str(tmp_path / "missing.json"))
    assert code == 2 and "no settings file" in err
    code, _, err = run_cli("configure", "--settings", str(write_settings(tmp_path, {"inventory_outlet": "X"})))
    assert code == 2 and "tax_map" in err

    # connected: every name checked against the stores
    assert run_cli("connect", "sandbox", "--info", str(info_file))[0] == 0
    bad = write_settings(tmp_path, {**GOOD_SETTINGS, "inventory_outlet": "Nowhere Street",
                                    "tax_map": {"GST": "No Such Class"}}, "bad.json")
    result = run_cli.json("configure", "--settings", str(bad), expect=2)
    keys = {p["key"] for p in result["problems"] if p["mandatory"]}
    assert {"inventory_outlet", "tax_map.GST"} <= keys
    assert result["saved"] is False and result["validated_against_stores"] is True
    assert run_cli.json("status")["settings"]["saved"] is False

    code, out, err = run_cli("configure", "--settings", str(write_settings(tmp_path, GOOD_SETTINGS)))
    assert code == 0, err
    assert "checked against the connected stores and saved" in out
    assert run_cli.json("status")["settings"]["saved"] is True



def test_configure_refuses_a_schedule_longer_than_a_day(run_cli, info_file, tmp_path):
    """issue 14 finding 8: 10**10 minutes was saved with a warning; now it is an error and nothing is saved, with
    the stores connected or not."""
    huge = write_settings(tmp_path, {**GOOD_SETTINGS, "schedule_minutes": 10**10}, "huge.json")
    for connected in (False, True):
        if connected:
            assert run_cli("connect", "sandbox", "--info", str(info_file))[0] == 0
        result = run_cli.json("configure", "--settings", str(huge), expect=2)
        assert result["saved"] is False
        assert [p["key"] for p in result["problems"] if p["mandatory"]] == ["schedule_minutes"]
        code, _, err = run_cli("configure", "--settings", str(huge))
        assert code == 2 and "schedule_minutes" in err and "1440" in err and "not saved" in err
    assert run_cli.json("status")["settings"]["saved"] is False


class SignalWhenLogged(logging.Handler):
    """Sends this process SIGTERM once a log line contains ``text``: stops ``run`` at a known point, no timer."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text
        self.sent = False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.sent and self.text in record.getMessage():
            self.sent = True
            os.kill(os.getpid(), signal.SIGTERM)


def test_run_on_a_schedule_an_older_version_saved_syncs_once_a_day(run_cli, info_file, tmp_path):
    """issue 14 finding 8: a database from an older version holding 10**10 minutes made ``run`` die with
    OverflowError. Now it runs, once a day, and says why on stderr."""
    connect_and_configure(run_cli, info_file, tmp_path)
    init_db(run_cli.data_dir / "sync.sqlite3")
    try:
        row = SettingsVersion.select().order_by(SettingsVersion.id.desc()).first()
        SettingsVersion.create(data={**row.data, "schedule_minutes": 10**10}, note="an older version")
    finally:
        close_db()
    stopper = SignalWhenLogged(" finished: ")  # the start-up pass is done
    logging.getLogger("desktop.cli").addHandler(stopper)
    try:
        code, _, err = run_cli("run")
    finally:
        logging.getLogger("desktop.cli").removeHandler(stopper)
        for handler in [h for h in logging.getLogger().handlers if getattr(h, "_hikebc", False)]:
            logging.getLogger().removeHandler(handler)  # run's console handler writes to this test's stderr
            handler.close()
    assert code == 0, err
    assert stopper.sent and "Stopped cleanly" in err
    assert "10000000000" in err and "Syncing every 1440 min" in err


def test_preflight_and_backup(run_cli, info_file, tmp_path):
    assert run_cli("connect", "sandbox", "--info", str(info_file))[0] == 0
    early = run_cli.json("preflight")
    assert early["dry_run"] is None and "configure" in early["dry_run_problem"]
    assert run_cli("configure", "--settings", str(write_settings(tmp_path, GOOD_SETTINGS)))[0] == 0

    report = run_cli.json("preflight")
    assert set(report) == {"duplicates", "tax", "dry_run", "dry_run_problem", "orders_start"}
    assert report["orders_start"] is None, "stores this app never synced: orders start now, nothing to decide"
    assert set(report["duplicates"]) == {"hike", "bigcommerce"}
    for duplicate in report["duplicates"]["hike"] + report["duplicates"]["bigcommerce"]:
        assert duplicate["message"] and len(duplicate["records"]) >= 2
    tax = report["tax"]
    assert tax["consistent"] is (tax["hike_tax_inclusive"] == tax["bigcommerce_price_entered_with_tax"])
    assert tax["message"]
    plan = report["dry_run"]
    assert plan["counts"] and plan["actions"]
    assert sum(sum(c.values()) for c in plan["counts"].values()) == len(plan["actions"])
    assert {"action", "store", "name", "sku"} <= set(plan["actions"][0])
    # P3, the exact preview (issue 16): every write per store and field, with samples
    assert plan["fields"]["hike"]["description"] == sum("description" in w["fields"] for w in plan["writes"]
                                                       if w["store"] == "hike")
    assert plan["fields"]["bigcommerce"]["created"] > 0
    sample = plan["samples"]["hike"]["description"][0]
    assert {"name", "sku", "before", "after"} == set(sample) and sample["before"] != sample["after"]
    code, out, _ = run_cli("preflight")
    assert code == 0 and "Duplicates (P1)" in out and "Tax (P2)" in out and "Dry run (P3)" in out
    assert "Writes: Hike: Description changed on " in out and "Description of " in out

    code, out, err = run_cli("backup", "--out", str(tmp_path / "backup"))
    assert code == 0, err
    files = [Path(line) for line in out.splitlines()]
    assert len(files) == 2 and all(f.is_file() and f.parent == tmp_path / "backup" for f in files)
    assert len(read_backup(files[1])) >= 40



def test_backup_onto_a_full_disk_says_so_and_leaves_no_half_file(run_cli, info_file, tmp_path, monkeypatch):
    """issue 14 finding 10: ENOSPC while the CSV is written (injected where the cells go to the file: a real full
    file system needs a root mount) is named as a full disk, exit 1, one JSON document; no ``.part`` is left."""
    assert run_cli("connect", "sandbox", "--info", str(info_file))[0] == 0
    folder = tmp_path / "backup"

    def full(cell):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(preflight, "escape_cell", full)
    code, out, err = run_cli("backup", "--out", str(folder), "--json")
    assert code == 1 and json.loads(out) == {"error": disk_full_advice(folder), "exit_code": 1}
    assert f"The disk holding {folder} is full" in err
    assert list(folder.iterdir()) == []



def test_backups_and_keyring_state_the_cli_writes_are_the_owners_alone(run_cli, info_file, tmp_path):
    """issue 14 finding 12: backups (the app's folder, or one given with --out) and keyring.json were 0644. In a
    folder given with --out only the files we write are touched."""
    previous = os.umask(0o022)  # the usual desktop umask: new files readable by every local user
    try:
        assert run_cli("connect", "sandbox", "--info", str(info_file))[0] == 0
        assert stat.S_IMODE((run_cli.data_dir / "keyring.json").stat().st_mode) == 0o600
        os.umask(0o022)  # (the CLI run in this process set its own)
        shared = tmp_path / "shared"
        shared.mkdir()
        other = shared / "price list.ods"
        other.write_text("the manager's own")
        code, out, err = run_cli("backup", "--out", str(shared))
        assert code == 0, err
        code, default_out, err = run_cli("backup")
        assert code == 0, err
        written = [Path(line) for line in (out + default_out).splitlines()]
        assert len(written) == 4 and written[2].parent == run_cli.data_dir / "backups"
        assert {stat.S_IMODE(f.stat().st_mode) for f in written} == {0o600}
        assert stat.S_IMODE(shared.stat().st_mode) == 0o755 and stat.S_IMODE(other.stat().st_mode) == 0o644
    finally:
        os.umask(previous)


def test_sync_once_dry_run_then_two_passes_without_echo_then_status_and_log(run_cli, info_file, tmp_path):
    connect_and_configure(run_cli, info_file, tmp_path)

    plan = run_cli.json("sync", "--once", "--dry-run")
    assert plan["dry_run"] is True and plan["actions"]
    status = run_cli.json("status")
    assert status["last_runs"] == [] and status["links"]["total"] == 0  # the dry run wrote nothing

    first = run_cli.json("sync", "--once")
    assert set(first) == {"run_id", "status", "counts", "message"}
    assert first["status"] in ("ok", "partial") and first["counts"]["product"]
    second = run_cli.json("sync", "--once", "--entities", "products,inventory")
    assert second["run_id"] != first["run_id"] and second["status"] in ("ok", "partial")
    for entity, counts in second["counts"].items():  # no echo (D10): nothing created or updated again
        assert not counts.get("create") and not counts.get("update"), (entity, counts)

    status = run_cli.json("status")
    assert [r["id"] for r in status["last_runs"]] == [second["run_id"], first["run_id"]]
    assert all(r["trigger"] == "cli" for r in status["last_runs"])
    assert status["links"]["total"] > 0 and status["outbox"]["unfinished"] == 0

    entries = run_cli.json("log", "--limit", "5")["entries"]
    assert 0 < len(entries) <= 5
    assert {"time", "entity", "direction", "action", "result", "message", "diff", "hike_id", "bc_id",
            "sku", "run_id"} <= set(entries[0])
    assert [e["time"] for e in entries] == sorted((e["time"] for e in entries), reverse=True)
    sku = next(e["sku"] for e in run_cli.json("log", "--limit", "500")["entries"] if e["sku"])
    by_sku = run_cli.json("log", "--sku", sku.lower())["entries"]
    assert by_sku and all(e["sku"].lower() == sku.lower() for e in by_sku)
    errors = run_cli.json("log", "--errors-only")["entries"]
    assert all(e["result"] in ("error", "conflict") for e in errors)
    code, out, _ = run_cli("log", "--limit", "3")
    assert code == 0 and len(out.splitlines()) == 3
    said = {line.split()[2] for line in out.splitlines()}  # time, entity, then the action in words
    assert said <= {"Created", "Updated", "Linked", "Skipped", "Failed", "Stock", "Status", "Waiting", "New"}, said


def test_exit_codes(run_cli, info_file, sandbox, tmp_path):
    assert run_cli("no-such-command")[0] == 2
    assert run_cli("log", "--limit", "0")[0] == 2
    code, out, err = run_cli("sync", "--once", "--json")
    assert code == 1 and "not connected" in err and json.loads(out)["exit_code"] == 1
    assert run_cli("connect", "sandbox", "--info", str(info_file))[0] == 0
    code, _, err = run_cli("sync", "--once")
    assert code == 1 and "No sync settings are saved" in err
    assert run_cli("configure", "--settings", str(write_settings(tmp_path, GOOD_SETTINGS)))[0] == 0
    code, _, err = run_cli("sync", "--once", "--entities", "products,gizmos")
    assert code == 2 and "gizmos" in err

    sandbox.bigcommerce.access_token = "rotated-token-456"  # the store no longer accepts the saved token
    code, out, err = run_cli("sync", "--once", "--json")
    result = json.loads(out)
    assert code == 1 and result["status"] == "error" and "BigCommerce" in result["message"]
    assert "sync run failed" in err
    assert run_cli.json("status")["last_runs"][0]["status"] == "error"


# ---------------------------------------------------------------------------------------------------------------
def test_subprocess_cli_against_sandbox_process_on_the_real_keyring(tmp_path):
    """The installed shape: ``python -m desktop.cli`` processes, a ``python -m desktop.sandbox`` process, and the
    secrets in the desktop's real keyring (the Secret Service under scripts/test)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop(cli.paths.ENV_VAR, None)
    data_dir, profile = tmp_path / "cli-data", f"cli-sub-{uuid.uuid4().hex[:8]}"
    # the keyring as the CLI process finds it (in this process, importing MemoryKeyring changes the default)
    probe = subprocess.run([sys.executable, "-m", "desktop.cli", "--data-dir", str(data_dir), "--profile", profile,
                            "info", "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    found = json.loads(probe.stdout)
    if found["keyring_state"] != "ok":
        pytest.skip(f"no usable system keyring for the CLI process (backend {found['keyring_backend']!r}, "
                    f"state {found['keyring_state']})")
    seed_file = tmp_path / "seed.json"
    seed_file.write_text(json.dumps(small_seed()))

    def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "desktop.cli", "--data-dir", str(data_dir), "--profile",
                                 profile, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=timeout)
        assert "Traceback" not in result.stderr
        outputs.append(result.stdout + result.stderr)
        return result

    outputs: list[str] = []
    sandbox = subprocess.Popen([sys.executable, "-m", "desktop.sandbox", "--seed", str(seed_file),
                                "--hike-quota", "600/60"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    info_path = tmp_path / "sandbox-info.json"
    try:
        line = sandbox.stdout.readline()
        info = json.loads(line)
        info_path.write_text(line)
        connected = run("connect", "sandbox", "--info", str(info_path))
        assert connected.returncode == 0, connected.stderr
        settings = write_settings(tmp_path, GOOD_SETTINGS)
        assert run("configure", "--settings", str(settings)).returncode == 0
        synced = run("sync", "--once", "--json")
        assert synced.returncode == 0, synced.stderr
        assert json.loads(synced.stdout)["status"] in ("ok", "partial")
        status = json.loads(run("status", "--json").stdout)
        assert "Secret" in status["keyring"]["backend"] and len(status["connections"]) == 2

        # run: the start-up pass, then a clean stop on SIGTERM
        runner = subprocess.Popen([sys.executable, "-m", "desktop.cli", "--data-dir", str(data_dir), "--profile",
                                   profile, "run"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        lines = []
        for text in runner.stderr:
            lines.append(text)
            if " finished: " in text:
                break
        runner.send_signal(signal.SIGTERM)
        rest_out, rest_err = runner.communicate(timeout=60)
        log = "".join(lines) + rest_err
        outputs.append(log + rest_out)
        assert runner.returncode == 0, log
        assert "startup" in log and "Stopped cleanly" in log and "Traceback" not in log
        assert len(json.loads(run("status", "--json").stdout)["last_runs"]) == 2
    finally:
        info_path.unlink(missing_ok=True)
        run("disconnect", "--wipe-history")  # the real keyring keeps nothing of this test
        sandbox.send_signal(signal.SIGTERM)
        sandbox.wait(timeout=30)
    for text in outputs:
        assert info["bigcommerce"]["access_token"] not in text and info["hike"]["client_secret"] not in text


def test_s9_compare_stock_lists_linked_products_whose_levels_differ(run_cli, info_file, tmp_path, sandbox):
    """S9: before order stock goes back on, the manager sees what differs (a manual BigCommerce edit here)."""
    connect_and_configure(run_cli, info_file, tmp_path)
    assert run_cli.json("sync", "--once", "--entities", "products,inventory")["status"] in ("ok", "partial")
    assert run_cli.json("compare-stock") == {"count": 0, "differences": []}, "after a sync the stock agrees"
    from desktop.storage.db import close_db, disk_full_advice, init_db
    from desktop.storage.models import Link

    init_db(run_cli.data_dir / "sync.sqlite3")
    try:
        link = Link.select().where(Link.entity == "product", Link.status == "linked",
                                   Link.stock_pushed.is_null(False)).order_by(Link.id).first()
    finally:
        close_db()
    from desktop.sync.bigcommerce import BigCommerceClient

    bc = BigCommerceClient(sandbox.info["bigcommerce"]["api_path"], sandbox.info["bigcommerce"]["access_token"])
    try:  # a manual stock edit in BigCommerce, which never flows back (S13)
        bc.update_product(int(link.bc_id), {"inventory_level": int(link.stock_pushed) + 7})
    finally:
        bc.close()
    found = run_cli.json("compare-stock")
    assert found["count"] == 1
    (difference,) = found["differences"]
    assert difference["sku"] == link.sku and difference["bigcommerce"] == int(link.stock_pushed) + 7
    code, out, _ = run_cli("compare-stock")
    assert code == 0 and f"BigCommerce {int(link.stock_pushed) + 7}" in out


def test_d9_d11_sync_once_full_reads_everything_and_says_what_was_deleted(run_cli, info_file, sandbox, tmp_path):
    """``sync --once --full`` runs a full pass: a linked product deleted in BigCommerce, which an incremental pass
    does not notice, is said so (once, as an error of that record); the output keeps its shape."""
    connect_and_configure(run_cli, info_file, tmp_path)
    assert run_cli.json("sync", "--once", "--entities", "products,inventory")["status"] in ("ok", "partial")
    linked = next(e for e in run_cli.json("log", "--limit", "500")["entries"]
                  if e["entity"] == "product" and e["action"] in ("link", "create") and e["result"] == "ok")
    bc = sandbox.info["bigcommerce"]
    httpx.delete(f"{bc['api_path']}catalog/products/{linked['bc_id']}",
                 headers={"X-Auth-Token": bc["access_token"]}, timeout=30).raise_for_status()
    quiet = run_cli.json("sync", "--once", "--entities", "products,inventory")
    assert not quiet["counts"].get("product", {}).get("error"), quiet
    full = run_cli.json("sync", "--once", "--full", "--entities", "products,inventory")
    assert set(full) == {"run_id", "status", "counts", "message"}
    assert full["status"] == "partial" and full["counts"]["product"]["error"] == 1, full
    said = [e for e in run_cli.json("log", "--errors-only")["entries"] if e["bc_id"] == linked["bc_id"]]
    assert len(said) == 1 and said[0]["message"].startswith("Deleted in BigCommerce on or before ")
    assert run_cli.json("status")["errors"]["links"] >= 1
    again = run_cli.json("sync", "--once", "--full", "--entities", "products,inventory")
    assert not again["counts"].get("product", {}).get("error"), "said once, not every pass"
