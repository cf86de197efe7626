"""Paths of the files in ``desktop/assets/`` (icons, the .desktop file), shipped inside the package (wheel and
bundle alike): the one accessor, so nothing else knows where they live."""
from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent / "assets"


def resource(*parts: str) -> Path:
    return RESOURCES.joinpath(*parts)
