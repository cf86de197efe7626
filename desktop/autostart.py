"""Start at login (issue 17): one entry per OS that starts this copy of the app with ``--minimized``.

The entry itself is the truth: there is no setting that could disagree with it.
Linux: an XDG autostart ``.desktop`` file; Windows: the per-user Run key; macOS: a LaunchAgent plist.
No Qt here, so both the CLI and the views can use it.
"""
from __future__ import annotations

import os
import plistlib
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence

from desktop import APP_NAME
from desktop.storage import paths

APP_ID = "hike-bc-sync"
RUN_VALUE = "HikeBigCommerceSync"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
LAUNCH_AGENT_ID = "com.hikebcsync.desktop"
MINIMIZED = "--minimized"


@dataclass(frozen=True)
class Status:
    on: bool
    where: str
    command: tuple[str, ...] = ()
    ours: bool = False

    def as_dict(self) -> dict:
        return {"on": self.on, "where": self.where, "command": list(self.command), "ours": self.ours}

    def describe(self) -> str:
        if not self.on:
            return "Off: the app does not start when you log in."
        if self.ours:
            return f"On: the app starts when you log in ({self.where})."
        return f"On, but starts {' '.join(self.command)} ({self.where}), not this copy of the app."


def launch_command() -> list[str]:
    """How this copy of the app is started, on the data folder it works on (when not the usual one, whether it
    was given with ``--data-dir`` or the environment variable, the entry names it), plus ``--minimized``."""
    if getattr(sys, "frozen", False):
        base = [sys.executable]
    else:
        script = shutil.which("hike-bc-sync", path=str(Path(sys.executable).parent))
        base = [script] if script else [sys.executable, "-m", "desktop"]
    folder = paths.chosen_folder()
    return base + (["--data-dir", str(folder)] if folder else []) + [MINIMIZED]


# ---------------------------------------------------------------- Linux (XDG)

def _exec_quote(arg: str) -> str:
    """Quote one Exec argument per the Desktop Entry spec (reserved characters in double quotes)."""
    arg = arg.replace("%", "%%")
    if arg and not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`'):
        return arg
    inner = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return f'"{inner}"'


def _exec_unquote(value: str) -> list[str]:
    return [a.replace("%%", "%") for a in shlex.split(value)]


class XdgWriter:
    def __init__(self, config_home: Path | None = None) -> None:
        base = config_home or Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        self.path = Path(base) / "autostart" / f"{APP_ID}.desktop"

    def write(self, command: Sequence[str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = "\n".join([
            "[Desktop Entry]",
            "Type=Application",
            f"Name={APP_NAME}",
            "Comment=Keeps your Hike and BigCommerce stores in step",
            "Exec=" + " ".join(_exec_quote(a) for a in command),
            f"Icon={APP_ID}",
            "Terminal=false",
            "X-GNOME-Autostart-enabled=true",
            "",
        ])
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(self.path)

    def read(self) -> list[str] | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        for line in text.splitlines():
            if line.startswith("Exec="):
                return _exec_unquote(line[5:])
        return []

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    @property
    def where(self) -> str:
        return str(self.path)


# ---------------------------------------------------------------- Windows (Run key)

class Registry(Protocol):
    def get(self, name: str) -> str | None: ...
    def set(self, name: str, value: str) -> None: ...
    def delete(self, name: str) -> None: ...


class WinRegistry:  # pragma: no cover - Windows only
    def get(self, name: str) -> str | None:
        import winreg
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                return winreg.QueryValueEx(key, name)[0]
        except FileNotFoundError:
            return None

    def set(self, name: str, value: str) -> None:
        import winreg
        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            winreg.SetValueEx(key, name, 0, winreg.REG_SZ, value)

    def delete(self, name: str) -> None:
        import winreg
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
                winreg.DeleteValue(key, name)
        except FileNotFoundError:
            pass


class DictRegistry:
    """A fake Run key for tests."""
    def __init__(self, values: dict[str, str] | None = None) -> None:
        self.values = values if values is not None else {}

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> None:
        self.values.pop(name, None)


class WindowsWriter:
    def __init__(self, registry: Registry | None = None) -> None:
        self.registry = registry or WinRegistry()

    def write(self, command: Sequence[str]) -> None:
        import subprocess
        self.registry.set(RUN_VALUE, subprocess.list2cmdline(list(command)))

    def read(self) -> list[str] | None:
        value = self.registry.get(RUN_VALUE)
        if value is None:
            return None
        return _split_windows(value)

    def remove(self) -> None:
        self.registry.delete(RUN_VALUE)

    @property
    def where(self) -> str:
        return f"HKCU\\{RUN_KEY}\\{RUN_VALUE}"


def _split_windows(value: str) -> list[str]:
    """Split a command line quoted by subprocess.list2cmdline (simple cases: quotes and backslashes)."""
    args, cur, quoted, any_ = [], [], False, False
    i = 0
    while i < len(value):
        c = value[i]
        if c == "\\":
            n = 0
            while i < len(value) and value[i] == "\\":
                n += 1
                i += 1
            if i < len(value) and value[i] == '"':
                cur.append("\\" * (n // 2))
                if n % 2:
                    cur.append('"')
                    i += 1
            else:
                cur.append("\\" * n)
            any_ = True
            continue
        if c == '"':
            quoted = not quoted
            any_ = True
        elif c in " \t" and not quoted:
            if any_:
                args.append("".join(cur))
            cur, any_ = [], False
        else:
            cur.append(c)
            any_ = True
        i += 1
    if any_:
        args.append("".join(cur))
    return args


# ---------------------------------------------------------------- macOS (LaunchAgent)

class LaunchAgentWriter:
    def __init__(self, folder: Path | None = None) -> None:
        self.path = Path(folder or Path.home() / "Library" / "LaunchAgents") / f"{LAUNCH_AGENT_ID}.plist"

    def write(self, command: Sequence[str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"Label": LAUNCH_AGENT_ID, "ProgramArguments": list(command), "RunAtLoad": True}
        self.path.write_bytes(plistlib.dumps(data))

    def read(self) -> list[str] | None:
        try:
            data = plistlib.loads(self.path.read_bytes())
        except FileNotFoundError:
            return None
        return [str(a) for a in data.get("ProgramArguments", [])]

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    @property
    def where(self) -> str:
        return str(self.path)


# ---------------------------------------------------------------- the switch

def writer_for_platform(platform: str | None = None):
    platform = platform or sys.platform
    if platform.startswith("win"):
        return WindowsWriter()
    if platform == "darwin":
        return LaunchAgentWriter()
    return XdgWriter()


def enable(writer=None, command: Sequence[str] | None = None) -> Status:
    writer = writer or writer_for_platform()
    writer.write(list(command) if command is not None else launch_command())
    return status(writer, command)


def disable(writer=None) -> Status:
    writer = writer or writer_for_platform()
    writer.remove()
    return status(writer)


def status(writer=None, command: Sequence[str] | None = None) -> Status:
    writer = writer or writer_for_platform()
    found = writer.read()
    if found is None:
        return Status(on=False, where=writer.where)
    expected = list(command) if command is not None else launch_command()
    return Status(on=True, where=writer.where, command=tuple(found), ours=found == expected)
