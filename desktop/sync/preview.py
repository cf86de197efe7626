"""P3, the exact preview: every write a pass would make, per store and per field, with nothing sent.

The dry run plans a pass as ``run_pass`` would (``ProductSync.plan``), then asks the same body builders the apply
uses which fields each write would carry (``product_writes``), so the preview names what the requests will carry:
"Hike: Description replaced on 156 products, images added to 98; BigCommerce: 113 products created, Price changed
on 40 …", each field with a few before → after samples. Stock is planned the way the stock pass plans it, over
the links the plan would make: those are saved in a transaction that is rolled back, so nothing is kept.

A test runs the pass afterwards on the unchanged stores and compares its writes with the preview one to one.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from desktop.storage.db import database_proxy
from desktop.sync import hike_images, mapping, product_writes
from desktop.sync.plain_text import html_to_text, looks_like_html
from desktop.sync.product_fields import field_label
from desktop.sync.vocabulary import Direction

CREATED = "created"  # the pseudo-field of a product created in a store
CUSTOMER_CREATED = "customer_created"  # ... of a customer created in a store
CUSTOMER_UPDATED = "customer_updated"  # ... of a linked customer whose fields or address are written
STOCK = "stock"
SAMPLES = 3  # before → after examples kept per store and field


@dataclass(frozen=True)
class PlannedWrite:
    """One record's write to one store, with the fields it changes (``{field: [before, after]}``)."""

    side: str  # hike | bigcommerce
    hike_id: int | None
    bc_id: int | None
    name: str
    sku: str | None
    changes: dict[str, list[Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"store": self.side, "hike_id": self.hike_id, "bc_id": self.bc_id, "name": self.name,
                "sku": self.sku, "fields": self.changes}


def per_field(writes: Iterable[PlannedWrite]) -> dict[str, dict[str, int]]:
    """``{store: {field: how many records}}``."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for write in writes:
        counts[write.side].update(list(write.changes))
    return {side: dict(c) for side, c in counts.items()}


def samples(writes: Iterable[PlannedWrite]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """A few ``{name, sku, before, after}`` examples per store and field."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for write in writes:
        for name, (before, after) in write.changes.items():
            if name in (CREATED, CUSTOMER_CREATED):
                continue  # a created record has no before
            kept = out[write.side][name]
            if len(kept) < SAMPLES:
                kept.append({"name": write.name, "sku": write.sku, "before": before, "after": after})
    return {side: dict(fields) for side, fields in out.items()}


STORES = {"hike": "Hike", "bigcommerce": "BigCommerce", "both": "Both"}


def describe_plan(counts: dict[str, dict[str, int]]) -> str:
    """The plan's actions per store, for people, in the future: "Hike: 30 to create, 37 to skip; Both: 120 to
    link." (``words.describe_counts`` tells what a pass did)."""
    if not counts:
        return "Nothing to do: both stores already agree."
    parts = []
    for side, verbs in counts.items():
        words = ", ".join(f"{n} to {verb}" for verb, n in sorted(verbs.items()))
        parts.append(f"{STORES.get(side, side)}: {words}")
    return "; ".join(parts) + "."


def describe_fields(counts: dict[str, dict[str, int]]) -> list[str]:
    """One line per store, for people: "Hike: Description changed on 120 products, images added to 80"."""
    lines = []
    for side in ("hike", "bigcommerce"):
        fields = counts.get(side)
        if not fields:
            continue
        parts = []
        for name, n in sorted(fields.items(), key=lambda item: (-item[1], item[0])):
            if name == CREATED:
                parts.append(f"{n} product{'s' if n != 1 else ''} created")
            elif name == CUSTOMER_CREATED:
                parts.append(f"{n} customer{'s' if n != 1 else ''} created")
            elif name == CUSTOMER_UPDATED:
                parts.append(f"{n} customer{'s' if n != 1 else ''} updated")
            elif name == STOCK:
                parts.append(f"stock set on {n} item{'s' if n != 1 else ''}")
            elif name == "images":
                parts.append(f"images added to {n} product{'s' if n != 1 else ''}")
            else:
                parts.append(f"{field_label(name)} changed on {n} product{'s' if n != 1 else ''}")
        lines.append(f"{STORES[side]}: " + ", ".join(parts))
    return lines


def short(value: Any, width: int = 48) -> str:
    """A value as a sample shows it: "(empty)" for nothing, yes or no, "2 images" for a list of addresses, long
    text cut."""
    if value in (None, "", [], ()):
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, str) and v.startswith(("http://", "https://")) for v in value):
            return f"{len(value)} image{'s' if len(value) != 1 else ''}"
        value = ", ".join(str(v) for v in value)
    text = str(value)
    if looks_like_html(text):  # a description's HTML: its words, as the record log shows it
        text = html_to_text(text) or "(empty)"
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def sample_line(field_name: str, sample: dict[str, Any]) -> str:
    """"Description of Merino Tee: (empty) → Made to last"."""
    label = "Stock" if field_name == STOCK else field_label(field_name)
    return f"{label} of {sample['name']}: {short(sample['before'])} → {short(sample['after'])}"


# -- products ------------------------------------------------------------------------------------------------------
def _write(side: str, action: Any, changes: dict[str, list[Any]]) -> PlannedWrite:
    return PlannedWrite(side, action.hike.id if action.hike else None, action.bc.id if action.bc else None,
                        action.name, action.sku, changes)


def _to_bc(sync: Any, action: Any) -> dict[str, list[Any]]:
    """The fields a link or an update would write to BigCommerce (``ProductSync.bc_write``)."""
    record, sent, _, _, written = sync.bc_write(action, create_refs=False)
    changes = product_writes.field_changes(written, sent, mapping.product_from_bc(action.bc, sync.ctx),
                                           sync.settings, Direction.HIKE_TO_BC)
    if action.kind != "link" and sync.options.image_sync == "two_way":  # S17 (``_send_new_images``)
        sent_before = list(action.link.images_sent or [])
        new = [url for url in record.image_urls if url not in sent_before]
        if new:
            changes["images"] = [None, new]
    return changes


def _to_hike(sync: Any, action: Any, first: bool) -> dict[str, list[Any]]:
    """The fields a first link or an update would write to Hike (``ProductSync.hike_write``), and its images."""
    record, _, written = sync.hike_write(action, first)
    changes = product_writes.field_changes(written, record, mapping.product_from_hike(action.hike, sync.ctx),
                                           sync.settings, Direction.BC_TO_HIKE)
    already = [] if first else list(action.link.images_sent or [])
    images = hike_images.wanted(mapping.product_from_bc(action.bc, sync.ctx).image_urls, action.hike, already,
                                first_link=first)
    if images:
        changes["images"] = [None, images]
    return changes


def product_writes_of(sync: Any, actions: Iterable[Any]) -> list[PlannedWrite]:
    """The writes of a products plan; a record whose body cannot be built is left to the plan's own failure."""
    out: list[PlannedWrite] = []
    for action in actions:
        try:
            if action.kind in ("link", "update_bc"):
                out.append(_write("bigcommerce", action, _to_bc(sync, action)))
            if action.kind in ("link", "update_hike"):
                out.append(_write("hike", action, _to_hike(sync, action, first=action.kind == "link")))
        except mapping.MappingError:
            continue  # the apply logs it as a failure (a shape that differs, D2): no write
        if action.kind == "create_bc":
            out.append(_write("bigcommerce", action, {CREATED: [None, action.name]}))
        elif action.kind == "create_hike":
            out.append(_write("hike", action, {CREATED: [None, action.name]}))
    return [w for w in out if w.changes]


def _int(value: str | None) -> int | None:
    return int(value) if value else None


# -- stock ---------------------------------------------------------------------------------------------------------
def bc_levels(sync: Any, snapshot: Any) -> Any:
    """BigCommerce's stock levels a full read's preview compares with (``stock_writes_of``), read once."""
    from desktop.sync.inventory import read_levels

    resolved = sync.ctx.settings
    if not snapshot.full or not resolved.settings.hike_to_bc.inventory:
        return None
    return read_levels(sync.bc, resolved.bc_location_id)


def stock_writes_of(sync: Any, snapshot: Any, actions: Iterable[Any], levels: Any) -> list[PlannedWrite]:
    """The levels the stock pass would set after the plan's links (S1, S4, S13), planned by the stock pass's own
    ``plan_levels`` over those links, saved in a transaction that is rolled back (and holds no store call, so a
    pass running meanwhile waits on it for a moment at most). ``levels``: BigCommerce's, read before by the
    caller on a full read (``bc_levels``), else None."""
    from desktop.sync.inventory import plan_levels
    from desktop.sync.products import link_pair

    resolved = sync.ctx.settings
    if not resolved.settings.hike_to_bc.inventory:
        return []
    with database_proxy.atomic() as transaction:
        for action in actions:
            if action.kind == "link":
                link_pair(action.hike, action.bc)
                sync._save_variant_links(action.match)
        changes = plan_levels(resolved, snapshot.hike, levels, sync.decisions.excludes)
        out = [PlannedWrite("bigcommerce", _int(c.link.hike_id), _int(c.link.bc_id), c.name, c.sku,
                            {STOCK: [c.bc_level if c.bc_level is not None else c.link.stock_pushed, c.units]})
               for c in changes if not c.in_step]
        transaction.rollback()
    return out


# -- customers (D7) ------------------------------------------------------------------------------------------------
def customer_writes_of(actions: Iterable[Any], settings: Any = None) -> list[PlannedWrite]:
    """Customers created in each store, and linked ones whose fields or address differ and sync that way
    (``CustomerSync``, under the shop's field rules ``settings``)."""
    from desktop.sync import customer_fields

    out = []
    for action in actions:
        side = "bigcommerce" if action.kind in ("create_bc", "update_bc") else "hike"
        if action.kind in ("create_bc", "create_hike"):
            out.append(_write(side, action, {CUSTOMER_CREATED: [None, action.name]}))
        elif action.kind == "update_bc":
            body = customer_fields.bc_update_body(action.hike, action.bc, settings)
            if body or customer_fields.bc_address_body(action.hike, action.bc, settings) is not None:
                out.append(_write(side, action, {CUSTOMER_UPDATED: [None, action.name]}))
        elif action.kind == "update_hike" and customer_fields.hike_update_body(action.hike, action.bc, settings):
            out.append(_write(side, action, {CUSTOMER_UPDATED: [None, action.name]}))
    return out
