"""Start at login (issue 17): the per-OS writers, through a tmp folder and a fake Run key."""
import plistlib

from desktop import autostart

CMD = ["/opt/Hike Sync/hike-bc-sync", "--data-dir", "/home/me/50% data", "--minimized"]


def test_xdg_entry_round_trips_a_quoted_exec(tmp_path):
    writer = autostart.XdgWriter(tmp_path)
    assert autostart.status(writer, CMD).on is False
    on = autostart.enable(writer, CMD)
    assert on.on and on.ours and on.where == str(tmp_path / "autostart" / "hike-bc-sync.desktop")
    text = writer.path.read_text()
    assert "Type=Application\n" in text and "X-GNOME-Autostart-enabled=true\n" in text
    assert 'Exec="/opt/Hike Sync/hike-bc-sync" --data-dir "/home/me/50%% data" --minimized' in text
    off = autostart.disable(writer)
    assert not off.on and not writer.path.exists()


def test_an_entry_left_by_another_install_is_on_but_not_ours(tmp_path):
    writer = autostart.XdgWriter(tmp_path)
    autostart.enable(writer, ["/old/place/hike-bc-sync", "--minimized"])
    found = autostart.status(writer, CMD)
    assert found.on and not found.ours
    assert "On, but starts /old/place/hike-bc-sync --minimized" in found.describe()


def test_windows_run_key_through_a_fake_registry():
    registry = autostart.DictRegistry()
    writer = autostart.WindowsWriter(registry)
    command = [r"C:\Program Files\Hike Sync\hike-bc-sync.exe", "--minimized"]
    assert autostart.enable(writer, command).ours
    assert registry.values == {"HikeBigCommerceSync": r'"C:\Program Files\Hike Sync\hike-bc-sync.exe" --minimized'}
    assert autostart.status(writer, command).command == tuple(command)
    autostart.disable(writer)
    assert registry.values == {}


def test_macos_launch_agent_in_a_tmp_folder(tmp_path):
    writer = autostart.LaunchAgentWriter(tmp_path)
    assert autostart.enable(writer, CMD).ours
    data = plistlib.loads(writer.path.read_bytes())
    assert data["RunAtLoad"] is True and data["ProgramArguments"] == CMD
    assert data["Label"] == autostart.LAUNCH_AGENT_ID
    assert not autostart.disable(writer).on and not writer.path.exists()


def test_launch_command_ends_minimized():
    assert autostart.launch_command()[-1] == "--minimized"


def test_the_entry_starts_the_app_on_the_data_folder_it_works_on(monkeypatch, tmp_path):
    """The window's switch and the CLI alike: a folder given by --data-dir or the environment is in the entry."""
    from desktop.storage import paths

    monkeypatch.delenv(paths.ENV_VAR, raising=False)
    paths.set_override(None)
    assert "--data-dir" not in autostart.launch_command()
    monkeypatch.setenv(paths.ENV_VAR, str(tmp_path / "shop"))
    command = autostart.launch_command()
    assert command[-3:] == ["--data-dir", str((tmp_path / "shop").resolve()), "--minimized"]
