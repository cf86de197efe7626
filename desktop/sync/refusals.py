"""Refusals wait for a change (D4, N3, M4; issue 16, finding 4).

A write a store refused for a reason that does not pass by itself (``errors.ValidationFailed`` and its
``Conflict``: a duplicate SKU or barcode, an invalid value, stock "tracked by variant") would be refused again by
every pass that plans it, each time one more request (Hike's daily 5 000 among them) and one more error row.
So the record's row remembers what was refused (``Link.refused``: per kind of write, the key it was refused
with: the record's fingerprints on each side as the app computes them, or the stock level, and a hash of the
settings), and the plan leaves that write out, without a request or a log entry, while the key is the same. It is
sent again when the record changes on either side or the settings change (the key differs), or when a person
presses Retry (``forget``: "Retry this record" and a group's Retry). The first refusal's log entry stays, and
the row's last result with it, so the Errors tab still lists the record.

Passing failures (``read_again``: a lost answer, a store briefly unwell) are not refusals: the next pass reads
them again (``passes.ReadAgain``).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import fields, is_dataclass
from typing import Any, Callable, Iterable, Sequence, TypeVar

from desktop.storage.models import Link
from desktop.sync import errors

T = TypeVar("T")
Key = dict[str, Any]
STOCK = "stock"  # the kind of write a stock level's refusal is remembered under
WRITES = ("create_bc", "create_hike", "update_bc", "update_hike")  # the planned writes a refusal holds back


def is_refusal(cause: BaseException | None) -> bool:
    """A store refused the data itself: the same write is refused again until something changes."""
    return isinstance(cause, errors.ValidationFailed) and not cause.read_again and not cause.stops_pass


_noted = 0  # refusals noted in this process: the engine compares it before and after a pass (``noted``)


def note_refusal(row: Link | None, what: str, key: Key | None) -> None:
    """Remember on ``row`` that the write ``what`` was refused with ``key``. Only the object changes: the
    failure's log entry (``Journal.record`` with this row) saves it in the same transaction."""
    global _noted
    if row is None or key is None:
        return
    row.refused = {**(row.refused or {}), what: key}
    _noted += 1


def noted() -> int:
    """How many refusals this process has noted (a pass that noted one reads the store facts again after: a fact
    changed since they were read may be why, issue 19)."""
    return _noted


def clear(row: Link, what: str) -> None:
    """The write ``what`` went through: its refusal, if any, is forgotten (saved with the row, as above)."""
    if row.refused and what in row.refused:
        rest = {k: v for k, v in row.refused.items() if k != what}
        row.refused = rest or None


def still_refused(row: Link | None, what: str, key: Key | Callable[[], Key | None]) -> bool:
    """Whether ``what`` was refused for ``row`` with this very key (a callable is only asked when there is a
    refusal to compare with)."""
    held = (row.refused or {}).get(what) if row is not None else None
    if not held:
        return False
    return held == (key() if callable(key) else key)


def forget(rows: Iterable[Link]) -> int:
    """Retry (M4) of these records: their refusals are forgotten, so the pass sends them again."""
    ids = [row.id for row in rows]
    if not ids:
        return 0
    return Link.update(refused=None).where(Link.id.in_(ids), Link.refused.is_null(False)).execute()


def forget_entities(link_entities: Iterable[str]) -> int:
    """A group's Retry (M4 "Retry everything"): every refusal of its records is forgotten."""
    entities = sorted(set(link_entities))
    return Link.update(refused=None).where(Link.entity.in_(entities), Link.refused.is_null(False)).execute()


def settings_key(settings: Any) -> str:
    """A short hash of the settings as the pass resolved them: saving other settings sends refused writes again."""
    if is_dataclass(settings):
        data = {f.name: _plain(getattr(settings, f.name)) for f in fields(settings)}
    else:
        data = {"settings": _plain(settings)}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _plain(value: Any) -> Any:
    to_json = getattr(value, "to_json", None)
    return to_json() if callable(to_json) else repr(value)


def hold_back(actions: Sequence[T], entity: str, key_of: Callable[[Any], Key | None]) -> list[T]:
    """The plan without the writes whose refusal still holds. One query for the rows that remember a refusal (none:
    the plan as it is); an update's row is its link, a create's the marker of the record it would send."""
    refused = list(Link.select().where(Link.entity == entity, Link.refused.is_null(False)))
    if not refused:
        return list(actions)
    by_id = {row.id: row for row in refused}
    by_hike = {row.hike_id: row for row in refused if row.hike_id}
    by_bc = {row.bc_id: row for row in refused if row.bc_id}

    def row_of(action: Any) -> Link | None:
        if action.link is not None:
            return by_id.get(action.link.id)
        if action.kind == "create_bc" and action.hike is not None:
            return by_hike.get(str(action.hike.id))
        if action.kind == "create_hike" and action.bc is not None:
            return by_bc.get(str(action.bc.id))
        return None

    return [a for a in actions
            if a.kind not in WRITES or not still_refused(row_of(a), a.kind, lambda a=a: key_of(a))]


def hold_back_stock(changes: Sequence[T], settings: Any) -> list[T]:
    """The stock levels to send, less those BigCommerce refused with the same key; each change keeps its key
    (``refusal``) so ``push_stock`` can remember a new refusal."""
    out = []
    skey = settings_key(settings)
    for change in changes:
        link = change.link
        change.refusal = {"units": str(change.units), "hike": link.hike_fingerprint, "bc": link.bc_fingerprint,
                          "settings": skey}
        if not still_refused(link, STOCK, change.refusal):
            out.append(change)
    return out


def product_key(action: Any, ctx: Any) -> Key | None:
    """A product write's key: the fingerprint of each side's record it carries, and the settings."""
    from desktop.sync import mapping

    settings = ctx.settings
    try:
        hike = mapping.fingerprint(mapping.product_from_hike(action.hike, ctx), mapping.HIKE_TO_BC, settings) \
            if action.hike is not None else None
        bc = mapping.fingerprint(mapping.product_from_bc(action.bc, ctx), mapping.BC_TO_HIKE, settings) \
            if action.bc is not None else None
    except mapping.MappingError:
        return None
    return {"hike": hike, "bc": bc, "settings": settings_key(settings)}


def customer_key(action: Any) -> Key:
    """A customer write's key: each side's fingerprint (no setting shapes a customer)."""
    from desktop.sync.customer_fields import fingerprint, from_bc, from_hike

    return {"hike": fingerprint(from_hike(action.hike)) if action.hike is not None else None,
            "bc": fingerprint(from_bc(action.bc)) if action.bc is not None else None}
