"""docs/RULES.md keeps up with the code: every rule id the code or the tests name is written there, every
source or test file it points at still exists, and every name it gives after a source module (`module.py` `name`,
`Class.member`) is defined in that module, not merely imported there.

Only the letters C, P, S, D, M and N are scanned: in the code "F4"..."F6" name findings of issue 14 (and F5 is a
key), and "B2", "B4" in the emulators name parts of Hike's API notes, not rules F and B.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "docs" / "RULES.md"
SCANNED = ("desktop", "tests", "benchmarks")
# an id such as "S16" or "N7", not part of a longer word or number ("S3X", "#1C1")
RULE_ID = re.compile(r"(?<![A-Za-z0-9_])([CPSDMN][0-9]{1,2})(?![A-Za-z0-9])")
HEADING = re.compile(r"^### ([A-Z][0-9]{1,2}) ", re.MULTILINE)
FILE_NAMED = re.compile(r"`((?:desktop|tests|benchmarks|scripts)/[\w/.-]+\.py)`")
TICKED = re.compile(r"`([^`]+)`")
SOURCE_MODULE = re.compile(r"^desktop/[\w/]+\.py$")
SYMBOL = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?$")


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


def _blocks(text: str) -> list[str]:
    """The doc's paragraphs and list items, each joined with its indented continuation lines."""
    blocks: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not blocks or not stripped or stripped.startswith(("- ", "#", "|")) or not line.startswith(" "):
            blocks.append(stripped)
        else:
            blocks[-1] += " " + stripped
    return blocks


def symbols_named() -> list[tuple[str, str]]:
    """Each (`desktop/....py`, name) pair: a backticked name belongs to the last source module named before it in
    the same paragraph or list item. Names that are not identifiers (`only=`, a command) and a package named as
    imported ("imports `keyring`") are not symbols."""
    pairs = []
    for block in _blocks(RULES.read_text(encoding="utf-8")):
        module = None
        for match in TICKED.finditer(block):
            name = match.group(1)
            if name.endswith(".py"):
                module = name if SOURCE_MODULE.match(name) else None
            elif module and SYMBOL.match(name) and not block[:match.start()].endswith("imports "):
                pairs.append((module, name))
    return pairs


def _defined(body: list[ast.stmt]) -> dict[str, ast.stmt]:
    """Names a module or class body defines: functions, classes and assignments (imports do not count)."""
    names: dict[str, ast.stmt] = {}
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names.update((leaf.id, node) for leaf in ast.walk(target) if isinstance(leaf, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
        elif isinstance(node, (ast.If, ast.Try)):
            names.update(_defined(node.body + node.orelse + getattr(node, "finalbody", [])))
    return names


def defines(module: str, symbol: str) -> bool:
    path = ROOT / module
    if not path.is_file():
        return False
    names = _defined(ast.parse(path.read_text(encoding="utf-8")).body)
    head, _, member = symbol.partition(".")
    node = names.get(head)
    if node is None or not member:
        return node is not None
    return isinstance(node, ast.ClassDef) and member in _defined(node.body)


def test_every_name_rules_md_gives_is_defined_in_the_module_it_names():
    pairs = symbols_named()
    assert len(pairs) > 200, "the Where entries were not found: has the format of docs/RULES.md changed?"
    wrong = sorted({f"{module} {symbol}" for module, symbol in pairs if not defines(module, symbol)})
    assert not wrong, f"docs/RULES.md names what these modules do not define: {wrong}"
