"""How a synced field is declared: once, for comparing it and for writing it to both stores (issue 15).

A field table is a tuple of ``Field``s (``product_fields.PRODUCT_TABLE``, ``customer_fields.CUSTOMER_TABLE``).
Each entry says, in one place, what today was written three or four times:

- ``name`` (its key in the synced fields and the fingerprint) and ``label`` (how people see it: "Price");
- ``value``: its canonical value, the one compared to tell a change from the app's own write (D10);
- ``syncs``: the setting that governs whether it syncs in a direction (S6, S16, S17, S19), unless the shop gave the
  field a rule of its own (``ownership``, issue 20): ``Field.synced`` asks both;
- ``read_hike`` / ``read_bc``: how it is read from each store's record, for a field the neutral record does not
  already hold as an attribute (``records.ProductRecord.extra``), and the store's value an update compares with;
- ``bc`` / ``hike``: how it is written to each store, on create and on update, from one declaration (the OCA
  connector's mappers: one mapping per field, ``only_create`` for what is written on create only).

A ``Write`` holds a create and an update function; ``Direct`` is the common case (the value under one key, written
on update when it differs from what the store has). The body functions (``product_bodies``, ``customer_fields``)
walk a table with ``create_keys`` / ``update_keys`` and add only the keys no field owns (a product's type, its
sales channels, its stock on create).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Iterable

from desktop.sync import ownership
from desktop.sync.money import money_text
from desktop.sync.records import jsonable
from desktop.sync.settings import Settings
from desktop.sync.vocabulary import Direction, Side

BODY = "body"  # a key of the record's own body
OUTLET_ROWS = "outlet_rows"  # a key of each Hike outlet row (price, tax and cost are kept per outlet)

Reader = Callable[[Any, Any], Any]  # (a store's record, MappingContext or None) -> the value


# -- which settings govern a field ---------------------------------------------------------------------------------
def always(settings: Settings | None, direction: str) -> bool:
    return True


def to_bc_when(test: Callable[[Settings], bool]) -> Callable[[Settings | None, str], bool]:
    """Syncs to Hike always, to BigCommerce only when ``test(settings)`` (S16, S17, S19)."""
    return lambda settings, direction: direction == Direction.BC_TO_HIKE or test(settings)


def both_ways_when(test: Callable[[Settings], bool]) -> Callable[[Settings | None, str], bool]:
    """Syncs either way only when ``test(settings)`` (S6)."""
    return lambda settings, direction: test(settings)


# -- how values compare --------------------------------------------------------------------------------------------
def is_set(value: Any) -> bool:
    return value is not None


def anything(value: Any) -> bool:
    return True


def same_value(a: Any, b: Any) -> bool:
    """Equal as synced values: numbers by value (12.5 == 12.50), text ignoring surrounding spaces."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() == b.strip()
    return a == b


def equal(a: Any, b: Any) -> bool:
    return a == b


def text_value(value: str | None) -> str | None:
    """Canonical text: trimmed, and nothing as None."""
    text = (value or "").strip()
    return text or None


def canonical(value: Any) -> Any:
    """The canonical value of a field that declares none: text trimmed, money at 4 dp, the rest JSON-safe."""
    if isinstance(value, str) or value is None:
        return text_value(value)
    if isinstance(value, Decimal):
        return money_text(value)
    return jsonable(value)


# -- writes --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Write:
    """How a field is written to one store. ``create(source)``: the keys of a new record's body. ``update(source,
    existing)``: the keys to send because ``existing`` (the store's record, or its outlet row) differs; ``{}`` when
    it does not. No ``update``: written on create only (OCA's ``only_create``). ``on_every_create``: written on
    create even when the field does not sync that way (S16: a description goes to BigCommerce once on create)."""

    create: Callable[[Any], dict[str, Any]]
    update: Callable[[Any, Any], dict[str, Any]] | None = None
    on_every_create: bool = False
    place: str = BODY


@dataclass(frozen=True)
class Direct:
    """The field's value under ``key``: on create when ``create_if(value)``; on update when ``update_if(value)``
    and it is not ``same`` as the store's value (``theirs(existing)``, else the field's reader for that store).
    ``mine(source)`` overrides the value (default: ``source.value(field name)``); ``blank`` stands for a missing
    value on both sides ("" for a barcode, which can be cleared); ``create`` overrides the create write."""

    key: str
    create_if: Callable[[Any], bool] = is_set
    update_if: Callable[[Any], bool] = is_set
    same: Callable[[Any, Any], bool] = same_value
    blank: Any = None
    mine: Callable[[Any], Any] | None = None
    theirs: Callable[[Any], Any] | None = None
    create: Callable[[Any], dict[str, Any]] | None = None
    on_every_create: bool = False
    place: str = BODY

    def bound(self, name: str, reader: Reader | None) -> Write:
        def value(source: Any) -> Any:
            mine = self.mine(source) if self.mine else source.value(name)
            return self.blank if self.blank is not None and not mine else mine

        def create(source: Any) -> dict[str, Any]:
            mine = value(source)
            return {self.key: mine} if self.create_if(mine) else {}

        def update(source: Any, existing: Any) -> dict[str, Any]:
            mine = value(source)
            theirs = self.theirs(existing) if self.theirs else reader(existing, source.ctx)  # type: ignore[misc]
            if self.blank is not None and not theirs:
                theirs = self.blank
            return {self.key: mine} if self.update_if(mine) and not self.same(mine, theirs) else {}

        if self.theirs is None and reader is None:
            raise TypeError(f"{name}: a direct write needs the field's reader or a `theirs`")
        return Write(self.create or create, update, self.on_every_create, self.place)


@dataclass(frozen=True)
class Field:
    """One synced field: see the module docstring."""

    name: str
    label: str
    value: Callable[[Any, Settings, str], Any] | None = None  # (record, settings, direction); default canonical()
    syncs: Callable[[Settings | None, str], bool] = always
    read_hike: Reader | None = None
    read_bc: Reader | None = None
    bc: Write | Direct | None = None
    hike: Write | Direct | None = None
    show: Callable[[Any], Any] | None = None  # how the log shows a value, when not as compared
    entity: str = ownership.PRODUCT  # whose field rules govern it (``ownership.rule_of``)

    def __post_init__(self) -> None:
        for side, reader in (("bc", self.read_bc), ("hike", self.read_hike)):
            write = getattr(self, side)
            if isinstance(write, Direct):  # the store's value is read the way the field reads that store
                object.__setattr__(self, side, write.bound(self.name, reader))

    def synced(self, settings: Any, direction: str) -> bool:
        """Whether it syncs in ``direction``: by the shop's rule for it (field ownership), else as declared."""
        rule = ownership.rule_of(settings, self.name, self.entity)
        return self.syncs(settings, direction) if rule is None else ownership.allows(rule, direction)

    def write_to(self, side: str) -> Write | None:
        return self.bc if side == Side.BIGCOMMERCE else self.hike  # type: ignore[return-value]

    def reader(self, side: str) -> Reader | None:
        return self.read_bc if side == Side.BIGCOMMERCE else self.read_hike

    def canonical(self, record: Any, settings: Settings, direction: str) -> Any:
        return self.value(record, settings, direction) if self.value else canonical(record.get(self.name))


def direction_to(side: str) -> Direction:
    """The direction of a write to ``side``."""
    return Direction.HIKE_TO_BC if side == Side.BIGCOMMERCE else Direction.BC_TO_HIKE


def read_values(table: Iterable[Field], side: str, record: Any, ctx: Any) -> dict[str, Any]:
    """The values of the fields that declare a reader for ``side``, read from that store's ``record``."""
    return {f.name: reader(record, ctx) for f in table if (reader := f.reader(side)) is not None}


def synced_values(table: Iterable[Field], record: Any, settings: Settings, direction: str) -> dict[str, Any]:
    """The canonical values of the fields that sync from ``record`` in ``direction``, in table order."""
    return {f.name: f.canonical(record, settings, direction) for f in table if f.synced(settings, direction)}


def _writes(table: Iterable[Field], side: str, place: str) -> Iterable[tuple[Field, Write]]:
    for f in table:
        write = f.write_to(side)
        if write is not None and write.place == place:
            yield f, write


def create_keys(table: Iterable[Field], side: str, source: Any, settings: Settings | None = None, *,
                place: str = BODY) -> dict[str, Any]:
    """The keys the table writes to a new record on ``side``: every field that syncs that way as declared, and
    those written on every create. The shop's field rules (``ownership``) govern changes only: a store needs a
    new record whole."""
    direction = direction_to(side)
    body: dict[str, Any] = {}
    for f, write in _writes(table, side, place):
        if write.on_every_create or f.syncs(settings, direction):
            body.update(write.create(source))
    return body


def update_keys(table: Iterable[Field], side: str, source: Any, existing: Any, settings: Settings | None = None, *,
                place: str = BODY, written: set[str] | None = None) -> dict[str, Any]:
    """The keys the table writes to ``existing`` on ``side``: the fields that sync that way, are updated at all,
    and differ. ``written`` gains the names of the fields that wrote a key: what the write changes, for the log
    and the preview (P3), from the same walk as the body."""
    direction = direction_to(side)
    body: dict[str, Any] = {}
    for f, write in _writes(table, side, place):
        if write.update is not None and f.synced(settings, direction):
            keys = write.update(source, existing)
            body.update(keys)
            if keys and written is not None:
                written.add(f.name)
    return body
