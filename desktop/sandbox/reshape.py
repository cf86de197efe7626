"""Make an emulator answer in a shape a real store might use instead (issue 18): rename a field, drop it, or give
it another value, in every record of the answers on matching paths. The diagnose and tolerant-reading tests use it
to play a store whose API differs from the notes; nothing else does.

``POST /__emulator/reshape`` with ``{"rules": [{"path": "products/get_all", "field": "name", "rename":
"product_name"}, {"path": "...", "field": "product_outlets.on_hand_inventory", "set": "lots"}, {"path": "...",
"field": "sales_channels", "drop": true, "match": {"id": 1003}}]}`` (``match``: only the records with these
values); ``DELETE`` clears them. ``field`` may go into nested lists and
objects with dots. A record is an item of Hike's ``items``, of BigCommerce v3's ``data`` (or ``data`` itself), or of
a v2 list (or the v2 object itself).
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import Any

_UNSET = object()


@dataclass(frozen=True)
class Rule:
    path: re.Pattern[str]
    field: tuple[str, ...]
    rename: str | None = None
    drop: bool = False
    value: Any = _UNSET
    match: tuple[tuple[str, Any], ...] = ()  # only records whose top-level fields have these values

    @classmethod
    def from_json(cls, spec: dict[str, Any]) -> "Rule":
        if not isinstance(spec, dict) or not spec.get("path") or not spec.get("field"):
            raise ValueError("each rule needs a path (a regex) and a field (dotted)")
        rule = cls(re.compile(spec["path"]), tuple(str(spec["field"]).split(".")), spec.get("rename"),
                   bool(spec.get("drop")), spec["set"] if "set" in spec else _UNSET,
                   tuple(dict(spec.get("match") or {}).items()))
        if sum((rule.rename is not None, rule.drop, rule.value is not _UNSET)) != 1:
            raise ValueError("each rule does one of: rename, drop, set")
        return rule

    def apply(self, record: Any, names: tuple[str, ...]) -> None:
        if isinstance(record, list):
            for item in record:
                self.apply(item, names)
            return
        if not isinstance(record, dict):
            return
        if len(names) > 1:
            self.apply(record.get(names[0]), names[1:])
            return
        name = names[0]
        if self.rename is not None and name in record:
            record[self.rename] = record.pop(name)
        elif self.drop:
            record.pop(name, None)
        elif self.value is not _UNSET:
            record[name] = self.value


class Reshape:
    def __init__(self) -> None:
        self._rules: list[Rule] = []
        self._lock = threading.Lock()

    def set(self, specs: list[dict[str, Any]]) -> None:
        rules = [Rule.from_json(s) for s in specs]
        with self._lock:
            self._rules = rules

    def body(self, path: str, body: bytes) -> bytes:
        """``body`` with the rules for ``path`` applied (unchanged when none match or it is not JSON)."""
        with self._lock:
            rules = [r for r in self._rules if r.path.search(path)]
        if not rules or not body:
            return body
        try:
            data = json.loads(body)
        except ValueError:
            return body
        for record in _records(data):
            for rule in rules:
                if all(isinstance(record, dict) and record.get(k) == v for k, v in rule.match):
                    rule.apply(record, rule.field)
        return json.dumps(data, default=str).encode("utf-8")


def _records(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in ("items", "data"):
            inner = data.get(key)
            if isinstance(inner, list):
                return inner
            if isinstance(inner, dict):
                return [inner]
        return [data]
    return []
