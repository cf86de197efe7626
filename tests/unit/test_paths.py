from pathlib import Path

from desktop.storage import paths


def test_env_var_moves_everything_under_one_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.ENV_VAR, str(tmp_path / "x"))
    p = paths.app_paths()
    assert p.data == (tmp_path / "x").resolve()
    assert p.logs == p.data / "logs" and p.cache == p.data / "cache"
    assert p.database.parent == p.data


def test_option_wins_over_env_var(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.ENV_VAR, str(tmp_path / "env"))
    paths.set_override(tmp_path / "opt")
    try:
        assert paths.app_paths().data == (tmp_path / "opt").resolve()
    finally:
        paths.set_override(None)


def test_defaults_come_from_platformdirs(monkeypatch, tmp_path):
    monkeypatch.delenv(paths.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    p = paths.app_paths()
    assert str(p.data).startswith(str(tmp_path / "share")) and p.data.name == "hike-bc-sync"
    assert "hike-bc-sync" in Path(p.logs).parts
    created = paths.AppPaths(tmp_path / "d", tmp_path / "l", tmp_path / "c").ensure()
    assert created.backups.is_dir() and created.logs.is_dir()
