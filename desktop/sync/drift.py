"""The drift report (issue 20, B4): linked products whose synced fields differ between the stores right now.

A field differs when a write would carry it: the update body to BigCommerce made from Hike's product, or the one
to Hike made from BigCommerce's, names it (``product_bodies``, the same builders the sync writes with, so "differs"
means exactly "a fix would write it", value formats and tax included). The field's rule (``ownership``: the shop's
own, else Hike's article's) says which fixes it allows and is shown with it.

Found on the full passes (the daily reconciliation, "Check everything now", ``sync --once --full``) without a call
of their own: a linked product the pass leaves alone (neither store changed it since the last pass) is compared
from the records the pass read anyway. A product the pass writes is not drift: the write levels it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop.sync import mapping, ownership
from desktop.sync.bigcommerce import BCProduct
from desktop.sync.hike_models import HikeProduct
from desktop.sync.mapping_context import MappingContext
from desktop.sync.product_fields import PRODUCT_TABLE, declared_rule, field_label
from desktop.sync.vocabulary import Direction

TO_BIGCOMMERCE, TO_HIKE = "bigcommerce", "hike"  # a fix: make that store match the other


@dataclass(slots=True)
class FieldDrift:
    """One field that differs: both stores' values as the sync compares them, its rule and the fixes it allows."""

    field: str
    label: str
    hike: Any
    bc: Any
    rule: str  # ownership.HIKE, BIGCOMMERCE, NEWEST or NONE
    own_rule: bool  # the shop's rule (else Hike's article's)
    fixes: tuple[str, ...]  # TO_BIGCOMMERCE (make BigCommerce match Hike) and/or TO_HIKE


def product_drift(hike: HikeProduct, bc: BCProduct, ctx: MappingContext) -> list[FieldDrift]:
    """The fields of a linked pair that differ, in the table's order (a variant's fields count as "variants")."""
    hike_record, bc_record = mapping.product_from_hike(hike, ctx), mapping.product_from_bc(bc, ctx)
    to_bc: set[str] = set()
    to_hike: set[str] = set()
    mapping.bc_product_body(hike_record, ctx, bc, to_bc)
    mapping.hike_product_body(bc_record, ctx, hike, to_hike)
    settings = ctx.settings
    out: list[FieldDrift] = []
    for field in PRODUCT_TABLE:
        name = field.name
        if name not in to_bc and name not in to_hike:
            continue
        own = ownership.rule_of(settings, name)
        rule = own or declared_rule(name, settings)
        fixes = tuple(fix for fix, written in ((TO_BIGCOMMERCE, to_bc), (TO_HIKE, to_hike)) if name in written)
        out.append(FieldDrift(name, field_label(name), _shown(hike_record, name, settings, Direction.HIKE_TO_BC),
                              _shown(bc_record, name, settings, Direction.BC_TO_HIKE), rule, own is not None, fixes))
    return out


def _shown(record: Any, name: str, settings: Any, direction: str) -> Any:
    """A value as the report shows it: the field's canonical form (money as text, descriptions as plain text)."""
    field = next(f for f in PRODUCT_TABLE if f.name == name)
    return field.canonical(record, mapping.options_of(settings), direction)
