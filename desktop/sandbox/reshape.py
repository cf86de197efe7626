"""Make an emulator answer in a shape a real store might use instead (issue 18): rename a field, drop it, or give
it another value, in every record of the answers on matching paths. The diagnose and tolerant-reading tests use it
to play a store whose API differs from the notes; nothing else does.

``POST /__emulator/reshape`` with ``{"rules": [{"path": "products/get_all", "field": "name", "rename":
"product_name"}, {"path": "...", "field": "product_outlets.on_hand_inventory", "set": "lots"}, {"path": "...",
"field": "sales_channels", "drop": true, "match": {"id": 1003}}]}`` (``match``: only the records with these
values); ``DELETE`` clears them. ``field`` may go into nested lists and
objects with dots. A record is an item of Hike's ``items``, of BigCommerce v3's ``data`` (or ``data`` itself), or of
a v2 list (or the v2 object itself).

A rule ``{"path": "...", "like": {record}}`` makes every record take the shape of that one (``conform``): its
fields, spelled as it spells them (matched ignoring case and underscores), the ones it lacks left out, the ones only
it has added with its value, and a value of another kind turned into its kind (a number into text of the same
format). ``diagnose --capture`` writes such rules from a real store's answers (``desktop.sync.capture``); a seed
file's ``"reshape": {"hike": [rules], "bigcommerce": [rules]}`` is applied when the sandbox starts.
"""
from __future__ import annotations

import copy
import json
import re
import threading
from decimal import Decimal, InvalidOperation
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
    like: dict[str, Any] | None = None  # every record takes this one's shape (``conform``)

    @classmethod
    def from_json(cls, spec: dict[str, Any]) -> "Rule":
        if not isinstance(spec, dict) or not spec.get("path"):
            raise ValueError("each rule needs a path (a regex)")
        if "like" in spec:
            if not isinstance(spec["like"], dict):
                raise ValueError("like must be a record (an object)")
            return cls(re.compile(spec["path"]), (), like=spec["like"])
        if not spec.get("field"):
            raise ValueError("each rule needs a field (dotted), or a record to be like")
        rule = cls(re.compile(spec["path"]), tuple(str(spec["field"]).split(".")), spec.get("rename"),
                   bool(spec.get("drop")), spec["set"] if "set" in spec else _UNSET,
                   tuple(dict(spec.get("match") or {}).items()))
        if sum((rule.rename is not None, rule.drop, rule.value is not _UNSET)) != 1:
            raise ValueError("each rule does one of: rename, drop, set, like")
        return rule

    def apply_to(self, record: Any) -> None:
        if self.like is not None:
            if isinstance(record, dict):
                conform(record, self.like)
        elif all(isinstance(record, dict) and record.get(k) == v for k, v in self.match):
            self.apply(record, self.field)

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
        if not isinstance(specs, list):
            raise ValueError("the rules must be a list")
        try:
            rules = [Rule.from_json(s) for s in specs]
        except re.error as exc:
            raise ValueError(f"a rule's path is not a regex: {exc}") from None
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
                rule.apply_to(record)
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


# -- like: one record's shape for all ---------------------------------------------------------------------------
def _norm(key: str) -> str:
    return str(key).replace("_", "").lower()


def conform(record: dict[str, Any], like: dict[str, Any]) -> None:
    """``record`` (in place) in ``like``'s shape; its own values are kept wherever they fit."""
    have = {_norm(k): k for k in record}
    values = {_norm(k): record[k] for k in record}
    record.clear()
    for key, model in like.items():
        name = _norm(key)
        record[key] = _conformed(values[name], model) if name in have else copy.deepcopy(model)


def _conformed(value: Any, model: Any) -> Any:
    if model is None or value is None:
        return value  # null in the captured answer says nothing of the field's kind: this store's value stays
    if isinstance(model, dict) and isinstance(value, dict):
        conform(value, model)
        return value
    if isinstance(model, list) and isinstance(value, list):
        if model and isinstance(model[0], dict):
            for item in value:
                if isinstance(item, dict):
                    conform(item, model[0])
        return value
    if _kind(model) == _kind(value):
        return value
    return _as_kind(value, model)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float, Decimal)):
        return "number"
    return type(value).__name__


def _as_kind(value: Any, model: Any) -> Any:
    """``value`` as ``model``'s kind where it can be (a number as text of the model's format, a number in text as a
    number); otherwise the model's own (made-up) value."""
    if isinstance(model, str) and _kind(value) == "number":
        number = Decimal(str(value))
        if "." in model and model.replace(".", "", 1).isdigit():
            return f"{number:.{len(model.split('.', 1)[1])}f}"  # "1.00": money as text with two places
        return str(int(number)) if number == number.to_integral_value() else str(number)
    if _kind(model) == "number" and isinstance(value, str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return copy.deepcopy(model)
        return int(number) if isinstance(model, int) and number == number.to_integral_value() else float(number)
    return copy.deepcopy(model)
