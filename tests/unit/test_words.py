"""Issue 17, finding 6: durations, counted nouns and run counts read as words, one helper each."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import desktop
from desktop.resources import resource
from desktop.sync.words import describe_counts, duration, plural


@pytest.mark.parametrize("seconds, text", [(4.2, "4.2 s"), (0, "0.0 s"), (59.4, "59.4 s"), (59.96, "1 min"),
                                           (781.8, "13 min 2 s"), (782, "13 min 2 s"), (600, "10 min"),
                                           (3900, "1 h 5 min"), (3600, "1 h"), (7322, "2 h 2 min")])
def test_duration_reads_in_minutes_and_hours(seconds, text):
    assert duration(seconds) == text


def test_plural_counts_one_and_many():
    assert plural(1, "product") == "1 product"
    assert plural(2, "product") == "2 products"
    assert plural(0, "error") == "0 errors"
    assert plural(1, "entry", "entries") == "1 entry"
    assert plural(3, "entry", "entries") == "3 entries"
    assert plural(10000, "record") == "10,000 records"


def test_run_counts_read_as_words():
    assert describe_counts({"customer": {"conflict": 2, "create": 35}}) == "Customers: 35 created, 2 conflicts"
    assert describe_counts({"customer": {"conflict": 1, "error": 1}}) == "Customers: 1 conflict, 1 error"
    assert describe_counts({"inventory": {"stock": 3}, "product": {"update": 1, "link": 2}, "variant": {"create": 1}}) \
        == "Products: 1 created, 1 updated, 2 linked; Stock: 3 stock levels set"
    assert describe_counts({"inventory": {"stock": 1}}) == "Stock: 1 stock level set"
    assert describe_counts({"order": {"skipped": 4, "error": 2}}) == "Orders: 4 skipped, 2 errors"
    assert describe_counts({}) == describe_counts(None) == "nothing to do"
    assert describe_counts({"product": {}}) == "nothing to do"


OTHER_NAMES = re.compile(r"Hike (\u2194 |\\u2194 |<-> |to |and |- )?BigCommerce Sync")


def test_one_app_name_everywhere():
    """Every name of the app shown to people is desktop.APP_NAME: no other spelling, no copy of it."""
    assert desktop.APP_NAME == "Hike \u2194 BigCommerce Sync"
    root = Path(desktop.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path == root / "__init__.py":
            text = text.replace('APP_NAME = "Hike \u2194 BigCommerce Sync"', "").split('"""', 2)[-1]
        found += [f"{path.relative_to(root)}: {m.group(0)}" for m in OTHER_NAMES.finditer(text)]
    found += [f"hike-bc-sync.desktop: {line}" for line in
              resource("hike-bc-sync.desktop").read_text(encoding="utf-8").splitlines()
              if line.startswith("Name=") and line != f"Name={desktop.APP_NAME}"]
    assert not found, found
