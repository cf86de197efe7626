"""How every benchmark reports: an aligned table for people, then one JSON line for machines."""
from __future__ import annotations

import json
import os
import platform
from typing import Any


def machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}


def emit(title: str, rows: list[tuple[str, Any]], result: dict[str, Any]) -> None:
    print(title)
    print("-" * len(title))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(json.dumps(result, sort_keys=True))
