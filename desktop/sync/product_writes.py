"""What a product write changes in a store, field by field: the one answer the log records and the preview counts.

A write's fields are the ones its body builder wrote a key for (``product_bodies``' ``written``), so the log and
the dry run (P3) name exactly what the request carries, never what a store's answer happens to echo back. Each
change shows as ``{field: [that store's value, the value written]}``, both as the field table compares them
(``synced_fields`` in the write's direction).

On a first link (issue 16) an empty value never replaces a filled one, whatever the direction setting:
``keep_filled`` gives the write the other store's own value for every field the source has empty, so the field is
not written, and says which fields were kept. Once linked, a value someone clears is a change like any other.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable

from desktop.sync.product_bodies import _match_variant
from desktop.sync.product_fields import (PRODUCT_TABLE, VARIANT_TABLE, field_label, fingerprint_of,
                                         synced_fields)
from desktop.sync.records import ProductRecord, VariantRecord
from desktop.sync.vocabulary import Direction

# fields whose value is held by other attributes of the record than its name
ATTRIBUTES = {"description": ("description_html", "description_text"), "images": ("image_urls",),
              "tax": ("tax_key",), "price": ("price_ex_tax", "price_inc_tax")}
NEVER_EMPTY = {"name", "sku", "variants", "track_inventory"}  # a first link compares these as they are


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


def _take(record: Any, other: Any, name: str) -> Any:
    """``record`` with field ``name`` as ``other`` holds it."""
    attributes = [a for a in ATTRIBUTES.get(name, (name,)) if hasattr(record, a)]
    if attributes:
        return replace(record, **{a: getattr(other, a) for a in attributes})
    kept = tuple((k, v) for k, v in record.extra if k != name) + ((name, other.get(name)),)
    return replace(record, extra=kept)


def _keep(record: Any, target: Any, table: Iterable[Any], settings: Any, direction: str) -> tuple[Any, list[str]]:
    kept: list[str] = []
    for f in table:
        if f.name in NEVER_EMPTY or not f.synced(settings, direction):
            continue
        if _empty(f.canonical(record, settings, direction)) and not _empty(f.canonical(target, settings, direction)):
            record = _take(record, target, f.name)
            kept.append(f.name)
    return record, kept


def keep_filled(source: ProductRecord, target: ProductRecord, settings: Any,
                direction: str) -> tuple[ProductRecord, list[str]]:
    """``source`` as a first link writes it to ``target``'s store: each field (and each matched variant's field)
    ``source`` has empty and ``target`` has filled takes ``target``'s value, so it is not written. Returns the
    record and the names of the fields kept."""
    record, kept = _keep(source, target, PRODUCT_TABLE, settings, direction)
    variants: list[VariantRecord] = []
    for variant in record.variants:
        match = _match_variant(variant, target.variants, lambda v: v.option_values)
        if match is not None:
            variant, kept_here = _keep(variant, match, VARIANT_TABLE, settings, direction)
            kept += [name for name in kept_here if name not in kept]
        variants.append(variant)
    return replace(record, variants=tuple(variants)), kept


def kept_note(kept_in_hike: list[str], kept_in_bc: list[str]) -> str:
    """The link's log words for what a first link did not blank, or ''."""
    parts = []
    for store, other, names in (("Hike", "BigCommerce", kept_in_hike), ("BigCommerce", "Hike", kept_in_bc)):
        if names:
            labels = ", ".join(field_label(n) for n in names)
            parts.append(f"Kept {store}'s {labels}: {other}'s is empty")
    return ". ".join(parts)


def field_changes(written: Iterable[str], source: ProductRecord, target: ProductRecord, settings: Any,
                  direction: str) -> dict[str, list[Any]]:
    """``{field: [the target store's value, the value written]}`` for the fields a write carries."""
    names = list(written)
    if not names:
        return {}
    mine = synced_fields(source, direction, settings)
    theirs = synced_fields(target, direction, settings)
    return {name: [theirs.get(name), mine.get(name)] for name in names}


def expected_fingerprint(target: ProductRecord, sent: ProductRecord, written: Iterable[str], settings: Any,
                         direction: str) -> str:
    """The fingerprint (in ``direction``, as the link keeps that store's) ``target``'s store will show once a
    write of ``written`` fields from ``sent`` has landed: ``own_writes`` tells our own write from a person's by it
    after a crash. A store that changes a value as it saves it only makes the guess miss (then the write is not
    recognised, as before), never take a person's change for ours: every other field must still be as it was."""
    values = synced_fields(target, direction, settings)
    mine = synced_fields(sent, direction, settings)
    for name in written:
        if name in values and name in mine:
            values[name] = mine[name]
    return fingerprint_of(values, direction)


def direction_to_store(side: str) -> str:
    return Direction.HIKE_TO_BC if side == "bigcommerce" else Direction.BC_TO_HIKE
