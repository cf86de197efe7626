"""What the app expects each store's records to look like: every field the clients read, its kind, whether the sync
cannot do without it, and what an absent optional field is taken as (issue 18).

One table serves two readers:

- ``diagnose`` checks a small page of every endpoint against it and names each difference (which field, what came,
  what was expected);
- the clients' tolerant reading (``ShapeWatch``) checks each record they read: a missing optional field takes its
  default and is noted once per field per run; a record without a field the sync needs is left out of the read and
  failed with that field named, never guessed at.

Hike's contract is thin (``../shared/reference/hike/API-NOTES.md``: many facts are [I] or [C]), so its fields are read
the way ``hike_models.Fields`` reads them: the documented name, then any key equal to it ignoring case and
underscores. BigCommerce's fields follow the official OpenAPI files and are read by their exact names.
"""
from __future__ import annotations

import difflib
import enum
import logging
import threading
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping

from desktop.sync import errors

log = logging.getLogger(__name__)


class Kind(enum.Enum):
    """What a field's value must be (the words say it to people)."""

    INT = "a whole number"
    NUMBER = "a number"
    NUMERIC = "a number (or a number in text)"  # Hike's money and quantities, BigCommerce v2's money
    TEXT = "text"
    BOOL = "true or false"
    DATE = "a date"
    LIST = "a list"
    OBJECT = "an object"
    ANY = "a value"


@dataclass(frozen=True)
class FieldShape:
    name: str
    kind: Kind
    needed: bool = False  # the sync cannot handle the record without it
    default: str = ""  # what an absent optional field is treated as, in words
    spellings: tuple[str, ...] = ()  # other names the client accepts (Hike spells some keys several ways)
    values: tuple[Any, ...] = ()  # the values the client knows (an enum), when it matters
    of: "RecordShape | None" = None  # the shape of each item of a list, or of an object

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.spellings)


@dataclass(frozen=True)
class RecordShape:
    store: str  # "hike" | "bigcommerce"
    what: str  # for people: "Hike products"
    fields: tuple[FieldShape, ...]
    exact: bool = False  # names must match exactly (BigCommerce); otherwise case and underscores are ignored

    def without(self, *names: str) -> "RecordShape":
        """This shape without the fields ``names`` (the parts of a record a read did not ask for)."""
        return RecordShape(self.store, self.what, tuple(f for f in self.fields if f.name not in names), self.exact)


@dataclass(frozen=True)
class Finding:
    """One difference between a record and its shape."""

    field: str  # dotted path: "product_outlets.on_hand_inventory"
    problem: str  # "missing" | "null" | "wrong_type" | "unexpected_value"
    came: str
    expected: str
    needed: bool
    default: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "problem": self.problem, "came": self.came, "expected": self.expected,
                "needed": self.needed}

    def words(self) -> str:
        """"no `sales_channels`: treated as none", "`price` is text ('abc'), expected a number"."""
        if self.problem in ("missing", "null"):
            absent = f"no `{self.field}`" if self.problem == "missing" else f"`{self.field}` is null"
            hint = f" ({self.came})" if self.came else ""
            if self.needed:
                return f"{absent}{hint}: the sync needs it"
            return f"{absent}{hint}: treated as {self.default or 'empty'}"
        return f"`{self.field}` is {self.came}, expected {self.expected}"


def _norm(key: str) -> str:
    return str(key).replace("_", "").lower()


def _lookup(record: Mapping[str, Any], shape: RecordShape, spec: FieldShape) -> tuple[bool, Any]:
    """(present, value) of ``spec`` in ``record``, by its names (exactly, or ignoring case and underscores)."""
    for name in spec.names:
        if name in record:
            return True, record[name]
    if not shape.exact:
        wanted = {_norm(n) for n in spec.names}
        for key, value in record.items():
            if _norm(key) in wanted:
                return True, value
    return False, None


def describe(value: Any) -> str:
    """A value as a finding shows it: its kind and a short sample (never a long text)."""
    if isinstance(value, bool):
        return f"true or false ({str(value).lower()})"
    if isinstance(value, (int, Decimal, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        sample = value if len(value) <= 20 else value[:17] + "..."
        return f"text ({sample!r})"
    if isinstance(value, list):
        return f"a list ({len(value)} items)"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _fits(kind: Kind, value: Any) -> bool:
    if kind is Kind.ANY:
        return True
    if kind is Kind.BOOL:
        return isinstance(value, bool)
    if kind is Kind.INT:
        return isinstance(value, int) and not isinstance(value, bool) or (
            isinstance(value, (Decimal, float)) and value == int(value))
    if kind is Kind.NUMBER:
        return isinstance(value, (int, Decimal, float)) and not isinstance(value, bool)
    if kind is Kind.NUMERIC:
        return _fits(Kind.NUMBER, value) or isinstance(value, str) and _number(value) is not None
    if kind in (Kind.TEXT, Kind.DATE):
        return isinstance(value, str)
    if kind is Kind.LIST:
        return isinstance(value, list)
    return isinstance(value, Mapping)


def _readable(kind: Kind, value: Any) -> bool:
    """Whether the client can still read the value although it is not of its kind (a number sent as text: Hike's
    readers convert it). A field the sync needs that is not even readable fails the record."""
    if _fits(kind, value):
        return True
    if kind in (Kind.INT, Kind.NUMBER) and isinstance(value, str):
        number = _number(value)
        return number is not None and (kind is Kind.NUMBER or number == number.to_integral_value())
    if kind is Kind.TEXT:
        return isinstance(value, (int, Decimal)) and not isinstance(value, bool)
    if kind is Kind.BOOL:
        return isinstance(value, (int, str))
    return False


def _number(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _renamed(record: Mapping[str, Any], shape: RecordShape, spec: FieldShape) -> str:
    """A key the shape does not know that may be the missing field renamed: a similar name and a value of the
    field's kind (a real answer carries many fields the app never reads, mostly empty ones)."""
    known = {_norm(n) for f in shape.fields for n in f.names}
    wanted = _norm(spec.name)

    def likeness(key: str) -> float:
        return difflib.SequenceMatcher(None, wanted, _norm(key)).ratio()

    close = [str(k) for k, v in record.items()
             if _norm(k) not in known and v is not None and _fits(spec.kind, v)
             and (wanted in _norm(k) or likeness(k) >= 0.75)]
    if not close:
        return ""
    return f"an unknown field `{max(close, key=likeness)}` came instead"  # the likest ("customer_id" for "id")


def check(shape: RecordShape, record: Any, prefix: str = "") -> list[Finding]:
    """Every difference between ``record`` and ``shape`` (nested lists and objects included)."""
    if not isinstance(record, Mapping):
        return [Finding(prefix.rstrip(".") or "(record)", "wrong_type", describe(record), Kind.OBJECT.value, True)]
    found: list[Finding] = []
    for spec in shape.fields:
        path = prefix + spec.name
        present, value = _lookup(record, shape, spec)
        if present and value is None and not spec.needed:
            continue  # null is how the stores say "none" for an optional field: the client's default
        if not present or value is None:
            found.append(Finding(path, "missing" if not present else "null",
                                 _renamed(record, shape, spec) if not present and spec.needed else "",
                                 spec.kind.value, spec.needed, spec.default))
            continue
        if not _fits(spec.kind, value):
            found.append(Finding(path, "wrong_type", describe(value), spec.kind.value,
                                 spec.needed and not _readable(spec.kind, value)))
            continue
        if spec.values and value not in spec.values:
            known = ", ".join(map(str, spec.values))
            found.append(Finding(path, "unexpected_value", describe(value), f"one of {known}", False))
        if spec.of is not None:
            items = value if spec.kind is Kind.LIST else [value]
            for item in items[:5]:  # a few items say enough; a long list would repeat the same findings
                found += check(spec.of, item, path + ".")
    return _once(found)


def _once(findings: Iterable[Finding]) -> list[Finding]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for finding in findings:
        if (finding.field, finding.problem) not in seen:
            seen.add((finding.field, finding.problem))
            unique.append(finding)
    return unique


# ---------------------------------------------------------------------------------------------------------------
# tolerant, loud reading
@dataclass(frozen=True)
class Unreadable:
    """A record left out of a read because a field the sync needs is missing or not readable."""

    entity: str  # the engine entity whose read met it: "product", "customer", "sale", "order"
    what: str  # "Hike products"
    record_id: str | None
    name: str
    sku: str | None
    findings: tuple[Finding, ...]
    store: str = "hike"  # whose record: its id is that store's

    @property
    def message(self) -> str:
        problems = "; ".join(f.words() for f in self.findings)
        return (f"{self.what} sent this record in a shape the app cannot read ({problems}). It is not synced, and "
                f"nothing is written from a guess; the app tries again when the record changes. Check my stores "
                f"(Help) shows the details to send to support.")


@dataclass
class ShapeWatch:
    """A client's record checks for one run: notes once per field, the records left out until the engine takes
    them (``take``). Thread-safe: the window's reads and a pass may share a client."""

    notes: dict[tuple[str, str], str] = field(default_factory=dict)  # (what, field) -> words, first seen
    unreadable: list[Unreadable] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def read(self, shape: RecordShape, entity: str, record: Any, *, ids: tuple[str, ...] = ("id",),
             names: tuple[str, ...] = ("name",), skus: tuple[str, ...] = ("sku",)) -> bool:
        """Check one record: True when it can be read (optional gaps noted), False when it is left out."""
        findings = check(shape, record)
        blocking = tuple(f for f in findings if f.needed)
        with self._lock:
            for finding in findings:
                if finding.needed or (shape.what, finding.field) in self.notes:
                    continue
                joint = " have " if finding.problem == "missing" else ": "
                words = f"{shape.what}{joint}{finding.words()}"  # "Hike products have no `sales_channels`: ..."
                self.notes[(shape.what, finding.field)] = words
                log.warning("Shape note: %s", words)
            if not blocking:
                return True
            raw = record if isinstance(record, Mapping) else {}
            unreadable = Unreadable(entity, shape.what, _first(raw, ids), str(_first(raw, names) or ""),
                                    _first(raw, skus), blocking, shape.store)
            self.unreadable.append(unreadable)
        log.warning("Left out of the read: %s %s: %s", shape.what, unreadable.record_id or "(no id)",
                    "; ".join(f.words() for f in blocking))
        return False

    def take(self, entity: str) -> list[Unreadable]:
        """The records of ``entity`` left out since the last take (the engine fails each on its row)."""
        with self._lock:
            taken = [u for u in self.unreadable if u.entity == entity]
            self.unreadable = [u for u in self.unreadable if u.entity != entity]
        return taken

    def take_notes(self) -> list[str]:
        """The notes since the last take (the run log gets them once)."""
        with self._lock:
            words = list(self.notes.values())
            self.notes.clear()
        return words


def _first(raw: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = raw.get(name)
        if value not in (None, ""):
            return str(value)
    return None


class TolerantReading:
    """What both clients do with each record they read (the client has ``shapes``, ``incomplete_reads``,
    ``_count_lock`` and ``STORE``, its name for people)."""

    shapes: ShapeWatch
    incomplete_reads: int
    _count_lock: threading.Lock
    STORE: str

    def _readable(self, shape: RecordShape, entity: str, row: Any, **names: tuple[str, ...]) -> bool:
        """A record of a list read: True when the sync can read it. One it cannot is left out (the engine fails it
        with the field named) and the read counts as short (N5), so nothing infers it was deleted, and a create on
        this side looks it up first."""
        if self.shapes.read(shape, entity, row, **names):
            return True
        with self._count_lock:
            self.incomplete_reads += 1
        return False

    def _required(self, shape: RecordShape, row: Any) -> Any:
        """A record a lookup found: one the sync cannot read fails the record being looked up (a miss would let
        it create a second copy)."""
        problems = [f for f in check(shape, row) if f.needed]
        if problems:
            what = "; ".join(f.words() for f in problems)
            raise errors.UnreadableRecord(f"{shape.what} sent a matching record in a shape the app cannot read "
                                          f"({what}); nothing was written.", store=self.STORE)
        return row
