"""The boundaries (issue 15), checked in every test run: `lint-imports` (import-linter) with the contracts in
`.importlinter` — views → sync → storage, the store emulators apart from the product, Qt only in the views and the
window's entry point (docs/ARCHITECTURE.md, "Boundaries")."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache", str(ROOT / ".importlinter")], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"Contracts: [1-9]\d* kept, 0 broken", done.stdout), done.stdout


def test_the_sync_and_storage_never_import_the_emulators():
    """Also by plain text, so an import hidden from the graph (``importlib.import_module("desktop.sandbox…")``)
    shows too."""
    an_import = re.compile(r"^\s*(from|import)\s+desktop\.sandbox\b|import_module\(\s*[\"']desktop\.sandbox")
    found = [f"{path.relative_to(ROOT)}:{n}" for package in ("sync", "storage")
             for path in sorted((ROOT / "desktop" / package).rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if an_import.search(line)]
    assert found == []
