"""``hike-bc-sync-cli diagnose --capture FILE`` (issue 18): a real store's answer shapes, as a sandbox seed.

What ``diagnose`` read from each endpoint becomes one made-up record in the same shape: the same field names
(spelled as the store spells them, unknown ones included), the same nesting and the same kinds of value (a number
sent as text stays text, in the same format), every value made up (``made_up``). No record, name, email, address or
id of the store is written, except the enum values the app does not know (a status such as ``"archived"``), which
are words of the store's API, not of its customers.

The file is a seed that ``python -m desktop.sandbox --seed FILE`` (and ``start_sandbox``) loads: the demo shop's
made-up records, answered in the captured shapes through the emulators' reshape rules (``desktop.sandbox.reshape``,
rule ``like``). So a real store's quirks become a sandbox, and a test case. What the rules cannot play (missing
rate-limit headers, a different list envelope, a refused permission) is listed under ``not_reproduced``.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from desktop.sync.shapes import RecordShape

if TYPE_CHECKING:  # diagnose keeps the latest capture beside its report: only its types are needed here
    from desktop.sync.diagnose import Endpoint, Report

FORMAT = "hike-bc-sync store shapes 1"
LATEST = "store-shapes-latest.json"  # in the data folder, beside the last report: the support bundle carries it
ENVELOPE_FIELDS = {"(answer)", "items", "totalCount", "next", "data", "headers"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_RFC_DATE = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$")


def build(report: Report) -> dict[str, Any]:
    """The seed document for ``report`` (its checks still holding the records they read)."""
    rules: dict[str, list[dict[str, Any]]] = {"hike": [], "bigcommerce": []}
    not_reproduced: list[str] = []
    for check in report.checks:
        endpoint = check.source
        store = "Hike" if check.store == "hike" else "BigCommerce"
        if endpoint is None or check.status in ("missing_permission", "error"):
            if check.status != "ok":
                not_reproduced.append(f"{store} · {check.label}: {check.status.replace('_', ' ')}")
            continue
        pattern = path_pattern(endpoint)
        records = [made_up(r) for r in check.records if isinstance(r, Mapping)]
        if records:
            rules[check.store].append({"path": pattern, "like": merged(records)})
        for detail in check.details:
            field = str(detail.get("field", ""))
            if field in ENVELOPE_FIELDS or field.startswith("meta."):
                not_reproduced.append(f"{store} · {check.label}: {detail.get('words', field)}")
            elif detail.get("problem") == "unexpected_value":
                spelled, value = value_at(check.records, field, endpoint.shape)
                if isinstance(value, (str, int)) and len(str(value)) <= 40:
                    rules[check.store].append({"path": pattern, "field": spelled, "set": value})
    return {"format": FORMAT, "captured_at": report.checked_at, "version": report.version, "base": "demo",
            "about": "The shapes of a real store's answers with made-up values; no record or person of the store. "
                     "Load it with: python -m desktop.sandbox --seed FILE",
            "reshape": rules, "not_reproduced": not_reproduced}


def write(report: Report, path: Path) -> Path:
    """The seed for ``report`` written to ``path`` (whole or not at all); its resolved path."""
    path = path.expanduser().resolve()
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(build(report), indent=2), encoding="utf-8")
    temporary.replace(path)
    return path


def path_pattern(endpoint: Endpoint) -> str:
    """The reshape rule's path (a regex over the request path): this endpoint's list, with BigCommerce v2's
    optional ``.json`` suffix."""
    return re.escape(endpoint.path).replace(re.escape("{order_id}"), r"[^/]+") + r"(\.json)?$"


# -- made-up values ---------------------------------------------------------------------------------------------
def made_up(value: Any) -> Any:
    """``value`` with its shape kept and every value made up: names and nesting stay, numbers become 1 or 1.5,
    text a fixed word of the same format (a number in text, a date, an email, a web address)."""
    if value is None or isinstance(value, bool):
        return value  # null and true/false say nothing about a person
    if isinstance(value, int):
        return 1
    if isinstance(value, (float, Decimal)):
        return 1.5
    if isinstance(value, str):
        return made_up_text(value)
    if isinstance(value, list):
        items = [made_up(v) for v in value]
        return [merged(items)] if items else []
    if isinstance(value, Mapping):
        return {str(k): made_up(v) for k, v in value.items()}
    return None


def made_up_text(text: str) -> str:
    if not text:
        return ""
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        number = None
    if number is not None and number.is_finite():
        places = max(0, -int(number.as_tuple().exponent))  # finite: the exponent is a number
        return f"{Decimal(1):.{places}f}"
    if _ISO_DATE.match(text):
        return "2000-01-01" + re.sub(r"\d", "0", text[10:])
    if _RFC_DATE.match(text):
        return "Sat, 01 Jan 2000 00:00:00 +0000"
    if "@" in text:
        return "someone@example.com"
    if text.startswith(("http://", "https://")):
        return "https://example.com/"
    return "text"


def merged(records: Iterable[Any]) -> Any:
    """One record with every field any of ``records`` had (the first value that is not null)."""
    records = list(records)
    if not records:
        return None
    if not all(isinstance(r, Mapping) for r in records):
        return next((r for r in records if r is not None), None)
    out: dict[str, Any] = {}
    for record in records:
        for key, value in record.items():
            if key not in out or out[key] is None:
                out[key] = value
            elif isinstance(out[key], Mapping) and isinstance(value, Mapping):
                out[key] = merged([out[key], value])
            elif isinstance(out[key], list) and isinstance(value, list):
                out[key] = [merged(out[key] + value)] if out[key] + value else []
    return out


def value_at(records: list[Any], field: str, shape: RecordShape) -> tuple[str, Any]:
    """The dotted ``field`` as the store spells it and its first value in ``records`` that is not null (lists are
    looked into; keys are matched the way the client matches them: for Hike ignoring case and underscores)."""
    def norm(key: str) -> str:
        return key if shape.exact else key.replace("_", "").lower()

    level: list[Any] = list(records)
    spelled: list[str] = []
    for name in field.split("."):
        found: list[tuple[str, Any]] = []
        for item in level:
            for record in (item if isinstance(item, list) else [item]):
                if isinstance(record, Mapping):
                    found += [(str(k), v) for k, v in record.items() if norm(str(k)) == norm(name)]
        spelled.append(found[0][0] if found else name)
        level = [v for _, v in found]
    return ".".join(spelled), next((v for v in level if v is not None), None)
