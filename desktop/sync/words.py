"""Words for people (issue 17, finding 6): durations, counted nouns and a run's counts, said the same way in the
window and the CLI's text (never in its --json output, which keeps the raw numbers and keys)."""
from __future__ import annotations

from typing import Any, Mapping

from desktop.sync.registry import ENTITY_LABELS

# What a run's counts key (a succeeded record's action, else its result) reads as: (one, many)
COUNT_WORDS: dict[str, tuple[str, str]] = {
    "create": ("created", "created"), "update": ("updated", "updated"), "link": ("linked", "linked"),
    "stock": ("stock level set", "stock levels set"), "status": ("status set", "statuses set"),
    "version": ("new version", "new versions"), "wait": ("waiting", "waiting"),
    "skip": ("skipped", "skipped"), "skipped": ("skipped", "skipped"),
    "conflict": ("conflict", "conflicts"), "fail": ("failed", "failed"), "error": ("error", "errors"),
}
NOTHING_TO_DO = "nothing to do"
SIDE_LABELS = {"hike": "Hike", "bigcommerce": "BigCommerce"}  # a dry run counts by the store written to


def plural(n: int, word: str, many: str | None = None) -> str:
    """``plural(1, "product")`` is "1 product", ``plural(2, "product")`` "2 products" (``many`` when not +s)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def duration(seconds: float) -> str:
    """"4.2 s" under a minute, "13 min 2 s" under an hour, "1 h 5 min" beyond."""
    seconds = max(0.0, float(seconds))
    if round(seconds, 1) < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 3600:
        minutes, secs = divmod(whole, 60)
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(round(whole / 60), 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def _counted(key: str, n: int) -> str:
    one, many = COUNT_WORDS.get(key, (key, key))
    return f"{n:,} {one if n == 1 else many}"


def describe_counts(counts: Mapping[str, Any] | None) -> str:
    """A run's counts in words: "Customers: 35 created, 2 conflicts; Products: 1 updated" (entities as the
    registry labels them, in its order; the words in COUNT_WORDS's order)."""
    merged: dict[str, dict[str, int]] = {}
    for entity, values in (counts or {}).items():
        label = ENTITY_LABELS.get(entity) or SIDE_LABELS.get(entity) or entity.replace("_", " ").capitalize()
        into = merged.setdefault(label, {})
        for key, n in (values.items() if isinstance(values, Mapping) else [("", values)]):
            if n:
                into[key] = into.get(key, 0) + int(n)
    order = {key: i for i, key in enumerate(COUNT_WORDS)}
    labels = list(dict.fromkeys(ENTITY_LABELS.values()))
    parts = []
    for label in sorted(merged, key=lambda x: (labels.index(x) if x in labels else len(labels), x)):
        found = merged[label]
        if found:
            said = [_counted(k, n) if k else f"{n:,}" for k, n in
                    sorted(found.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))]
            parts.append(f"{label}: " + ", ".join(said))
    return "; ".join(parts) or NOTHING_TO_DO
