"""Suite-wide fixtures and the rules of the test harness.

- Every test gets its own data folder (``HIKEBC_DATA_DIR``) and, through ``db``, its own database file.
- Under ``scripts/test`` (``HIKEBC_REQUIRE_REAL_PARTS=1``) or in CI, a skipped test fails the run: the
  harness provides every real part (screen, D-Bus, keyring, specs), so a skip there means a part is missing.
- After the session, no secret the suite handled may be found in any file it wrote (N1).
- Once the Qt application exists, the cyclic garbage collector runs on the GUI thread only, as in the app
  (``desktop.views.responsiveness.GuiThreadCollector``): a test's widgets are never destroyed on a worker thread.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from desktop.storage import paths

REQUIRE_REAL_PARTS = bool(os.environ.get("HIKEBC_REQUIRE_REAL_PARTS") or os.environ.get("CI"))


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv(paths.ENV_VAR, str(folder))
    paths.set_override(None)
    yield folder
    paths.set_override(None)


@pytest.fixture(scope="session")
def qapp(qapp):
    """pytest-qt's application, with the app's own rule: garbage is collected on the GUI thread only."""
    from desktop.views.responsiveness import GuiThreadCollector

    GuiThreadCollector(qapp)
    return qapp


@pytest.fixture(autouse=True)
def collect_between_tests():
    """Between tests, the collection that is due (a test without an event loop never runs the GUI's timer)."""
    yield
    collector = sys.modules.get("desktop.views.responsiveness")
    if collector is not None:
        collector.collect_due()


@pytest.fixture
def secret_service():
    """The real Secret Service (gnome-keyring over D-Bus, as ``scripts/test`` starts it); skips elsewhere, which
    fails the run under the harness."""
    from keyring.backends import SecretService

    backend = SecretService.Keyring()
    try:
        backend.get_password("hike-bc-sync-probe", "probe")
    except Exception as exc:  # noqa: BLE001 - any failure means there is no usable Secret Service here
        pytest.skip(f"no usable Secret Service on this machine ({type(exc).__name__}: {exc})")
    return backend


@pytest.fixture(scope="session", autouse=True)
def private_config_home(tmp_path_factory):
    """Saving setup writes the start-at-login entry (``desktop.autostart``) under ``$XDG_CONFIG_HOME``: never the
    real one of whoever runs the tests."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config-home")))
        yield


@pytest.fixture
def db(data_dir: Path):
    """This test's own database, bound for its duration; the database bound before (a module fixture's, whose
    tests may run before and after this one in any order) is bound again afterwards."""
    from desktop.storage.db import close_db, database_proxy, init_db

    before = database_proxy.obj
    database = init_db(data_dir / "test.sqlite3")
    yield database
    _background_reads_done()
    close_db()
    database_proxy.initialize(before)


def _background_reads_done() -> None:
    """A view's background read (the live product list's, say) may still be running when a test ends: it finishes
    on this database before the database goes, as quitting the app waits for it (``views.jobs``)."""
    jobs = sys.modules.get("desktop.views.jobs")
    if jobs is not None and jobs._shared is not None:
        jobs._shared.wait(30000)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_REAL_PARTS and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = (f"Skipped under the test harness, where every real part must be present: {reason}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if REQUIRE_REAL_PARTS and reporter is not None and reporter.stats.get("skipped"):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    leaks = _secrets_on_disk(session)
    if leaks:
        if reporter is not None:
            reporter.write_line("N1 violated: secrets found on disk after the suite:", red=True)
            for line in leaks:
                reporter.write_line(f"  {line}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _secrets_on_disk(session: pytest.Session) -> list[str]:
    """Every file the suite wrote (its temp folders) scanned for every secret the suite handled."""
    from desktop.storage import logs

    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return []
    try:
        base = factory.getbasetemp()
    except Exception:  # noqa: BLE001 - no temp folder made: nothing written
        return []
    with logs._secrets_lock:
        secrets = {s.encode() for s in logs._secrets} | {s.encode() for s in _KNOWN_TEST_SECRETS}
    found = []
    for file in Path(base).rglob("*"):
        if not file.is_file() or file.stat().st_size > 200_000_000:
            continue
        if "keyring-test" in file.parts:  # a test's own fake keyring file is where secrets belong
            continue
        content = file.read_bytes()
        for secret in secrets:
            if secret in content:
                found.append(f"{file.relative_to(base)} holds a secret of {len(secret)} characters")
    return found


# Secrets the sandbox hands out: they must never reach a database, settings or log file either.
_KNOWN_TEST_SECRETS = {"sandbox-bc-token", "sandbox-hike-secret"}
