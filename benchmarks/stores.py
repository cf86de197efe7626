"""The sandbox stores in their own process, as real stores are: ``python -m desktop.sandbox`` started by the
benchmark, spoken to over HTTP only (its API and its ``/__emulator/`` controls). So the benchmark's own process is
the app's alone, and ``app_peak_rss_mb`` measures what a shop manager's PC would hold, not the stores' share.
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
NOT_API = ("/__emulator/", "/cdn/", "/hike-cdn/")  # the emulators' controls and image CDNs: no API quota


class OwnProcessStores:
    def __init__(self, seed: str, *, bc_quota: str = "150/30", hike_quota: str = "60/60", hike_daily: int = 5000,
                 time_scale: float = 1.0):
        self.process: subprocess.Popen[str] | None = subprocess.Popen(
            [sys.executable, "-m", "desktop.sandbox", "--seed", seed, "--bc-quota", bc_quota, "--hike-quota",
             hike_quota, "--hike-daily", str(hike_daily), "--time-scale", str(time_scale)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line.startswith("{"):
            self.process.kill()
            raise RuntimeError(f"the sandbox did not start: {line}{self.process.stderr.read()}")  # type: ignore[union-attr]
        self._attach(json.loads(line))

    @classmethod
    def attached(cls, info: dict[str, Any]) -> OwnProcessStores:
        """The stores another process started (``info``: their JSON line), spoken to; ``stop`` leaves them running."""
        stores = cls.__new__(cls)
        stores.process = None
        stores._attach(info)
        return stores

    def _attach(self, info: dict[str, Any]) -> None:
        self.info: dict[str, Any] = info
        self.base = {"bigcommerce": self.info["bigcommerce"]["api_path"].split("/stores/")[0],
                     "hike": self.info["hike"]["base_url"]}
        self.http = httpx.Client(timeout=120)

    def control(self, side: str, method: str, name: str, **kwargs: Any) -> Any:
        response = self.http.request(method, f"{self.base[side]}/__emulator/{name}", **kwargs)
        response.raise_for_status()
        return response.json()

    def api_requests(self, side: str, clear: bool = False) -> list[dict[str, Any]]:
        """The store's API requests so far (its controls and image CDN left out); ``clear`` starts anew."""
        logged = self.control(side, "GET", "requests", params={"clear": 1} if clear else None)["requests"]
        return [r for r in logged if not r["path"].startswith(NOT_API)]

    def counts(self, side: str) -> dict[str, int]:
        return self.control(side, "GET", "state", params={"summary": 1})["counts"]

    def advance(self, seconds: float) -> None:
        """Both stores' clock (one, shared in their process) moves on."""
        self.control("bigcommerce", "POST", "clock", json={"advance_s": seconds})

    def now(self) -> float:
        """The stores' emulated time, in seconds."""
        return datetime.fromisoformat(self.control("bigcommerce", "GET", "clock")["now"]).timestamp()

    def peak_rss_mb(self) -> float:
        """The stores' process's peak resident memory so far."""
        return peak_rss_mb(self.process.pid) if self.process is not None else 0.0

    def stop(self) -> None:
        self.http.close()
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def peak_rss_mb(pid: int | str = "self") -> float:
    """A process's peak resident memory since it started or since ``reset_peak_rss`` (Linux: VmHWM)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    kb = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)
    return round(kb / 1024, 1)


def reset_peak_rss(pid: int | str = "self") -> None:
    """Start measuring a process's peak memory anew (Linux 4.0+: ``clear_refs`` 5), so a pass after a first sync
    is measured alone; what the earlier passes still hold counts, as it would on a shop's PC."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        pass  # not Linux, or not allowed: the peak then covers the whole benchmark
