"""docs/RULES.md keeps up with the code: every rule id the code or the tests name is written there, and every
source or test file it points at still exists.

Only the letters C, P, S, D, M and N are scanned: in the code "F4"..."F6" name findings of issue 14 (and F5 is a
key), and "B2", "B4" in the emulators name parts of Hike's API notes, not rules F and B.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "docs" / "RULES.md"
SCANNED = ("desktop", "tests", "benchmarks")
# an id such as "S16" or "N7", not part of a longer word or number ("S3X", "#1C1")
RULE_ID = re.compile(r"(?<![A-Za-z0-9_])([CPSDMN][0-9]{1,2})(?![A-Za-z0-9])")
HEADING = re.compile(r"^### ([A-Z][0-9]{1,2}) ", re.MULTILINE)
FILE_NAMED = re.compile(r"`((?:desktop|tests|benchmarks|scripts)/[\w/.-]+\.py)`")


def rules_in_doc() -> list[str]:
    return HEADING.findall(RULES.read_text(encoding="utf-8"))


def ids_in_code() -> dict[str, str]:
    """Each rule id named under desktop/, tests/ and benchmarks/, with the first file naming it."""
    found: dict[str, str] = {}
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for rule in RULE_ID.findall(path.read_text(encoding="utf-8", errors="replace")):
                found.setdefault(rule, str(path.relative_to(ROOT)))
    return found


def test_every_rule_id_the_code_or_tests_name_is_in_rules_md():
    documented = set(rules_in_doc())
    missing = {rule: where for rule, where in ids_in_code().items() if rule not in documented}
    assert not missing, f"rule ids named in the code but not written in docs/RULES.md: {missing}"


def test_rules_md_names_each_rule_once():
    rules = rules_in_doc()
    assert len(rules) == len(set(rules)), sorted(r for r in rules if rules.count(r) > 1)


def test_every_file_rules_md_points_at_exists():
    named = set(FILE_NAMED.findall(RULES.read_text(encoding="utf-8")))
    gone = sorted(name for name in named if not (ROOT / name).is_file())
    assert not gone, f"docs/RULES.md points at files that no longer exist: {gone}"
