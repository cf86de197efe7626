"""Linking existing records on first activation (D1): by SKU first, then by barcode ⇄ UPC (D2).

Pure functions over the clients' records. A SKU or barcode that several records share on one side cannot say
which of them is meant, so those records are not linked and fail with a message naming the others (D4); the
rest go on. Variants of a matched product pair up by SKU, then by barcode, then by their option values.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, TypeVar

from desktop.sync.bigcommerce import BCProduct, BCVariant
from desktop.sync.hike_models import HikeProduct, HikeVariant
from desktop.sync.vocabulary import Side

T = TypeVar("T")
P = TypeVar("P", HikeProduct, BCProduct)


def norm(value: str | None) -> str:
    return (value or "").strip().lower()


@dataclass
class VariantMatch:
    hike: HikeVariant
    bc: BCVariant
    by: str


@dataclass
class ProductMatch:
    hike: HikeProduct
    bc: BCProduct
    by: str  # sku | barcode
    variants: list[VariantMatch] = field(default_factory=list)
    unmatched_hike_variants: list[HikeVariant] = field(default_factory=list)
    unmatched_bc_variants: list[BCVariant] = field(default_factory=list)


@dataclass
class Failure:
    side: Side
    record_id: str
    name: str
    sku: str | None
    message: str
    why: str = ""  # duplicate_sku | duplicate_barcode | kind_mismatch (the match review sorts by it)
    other: str | None = None  # kind_mismatch: the other store's record id


@dataclass
class LinkPlan:
    matches: list[ProductMatch]
    hike_only: list[HikeProduct]
    bc_only: list[BCProduct]
    failures: list[Failure]


def _index(records: Iterable[T], keys: Callable[[T], Iterable[str | None]]) -> dict[str, list[T]]:
    index: dict[str, list[T]] = defaultdict(list)
    for record in records:
        for key in {norm(k) for k in keys(record)}:
            if key:
                index[key].append(record)
    return index


def _hike_keys_sku(p: HikeProduct) -> list[str | None]:
    return [p.sku, *(v.sku for v in p.variants)]


def _bc_keys_sku(p: BCProduct) -> list[str | None]:
    return [p.sku, *(v.sku for v in p.variants)]


def _hike_keys_barcode(p: HikeProduct) -> list[str | None]:
    return [p.barcode, *(v.barcode for v in p.variants)]


def _bc_keys_barcode(p: BCProduct) -> list[str | None]:
    return [p.upc, *(v.upc for v in p.variants if v.option_values)]


def match_keys(product: HikeProduct | BCProduct) -> set[str]:
    """Every key ``plan_links`` may pair or flag ``product`` by (its and its variants' SKUs and barcodes,
    normalised): records sharing none can be planned apart (``read_store``)."""
    if isinstance(product, BCProduct):
        keys = _bc_keys_sku(product) + _bc_keys_barcode(product)
    else:
        keys = _hike_keys_sku(product) + _hike_keys_barcode(product)
    return {norm(k) for k in keys if norm(k)}


def _duplicated(index: dict[str, list[T]], ident: Callable[[T], int]) -> dict[int, str]:
    """record id → the shared key, for every record whose key another record also has."""
    out: dict[int, str] = {}
    for key, records in index.items():
        if len({ident(r) for r in records}) > 1:
            for r in records:
                out.setdefault(ident(r), key)
    return out


def _duplicate_sku_failures(side: Side, store: str, products: list[P], index: dict[str, list[P]],
                            shared: dict[int, str]) -> list[Failure]:
    """One failure per product whose SKU another product of its store also has (D4), naming the others; the SKU
    as the product has it (the key compared is lower case: "SKU-00003" is "sku-00003")."""
    failures = []
    for p in products:
        if p.id in shared:
            others = [o.name for o in index[shared[p.id]] if o.id != p.id]
            failures.append(Failure(side, str(p.id), p.name, p.sku,
                                    f"Duplicate SKU {(p.sku or shared[p.id]).strip()!r} in {store} (also on "
                                    f"{', '.join(others)}): "
                                    "give each product its own SKU, then sync again.", "duplicate_sku"))
    return failures


def plan_links(hike_products: list[HikeProduct], bc_products: list[BCProduct], *,
               linked_hike: set[str] = frozenset(), linked_bc: set[str] = frozenset()) -> LinkPlan:
    """Pair the not-yet-linked products of both sides. ``linked_*`` are ids already linked (left alone)."""
    hike = [p for p in hike_products if str(p.id) not in linked_hike]
    bc = [p for p in bc_products if str(p.id) not in linked_bc]
    failures: list[Failure] = []

    hike_sku = _index(hike, _hike_keys_sku)
    bc_sku = _index(bc, _bc_keys_sku)
    bad_hike = _duplicated(hike_sku, lambda p: p.id)
    bad_bc = _duplicated(bc_sku, lambda p: p.id)
    failures += _duplicate_sku_failures(Side.HIKE, "Hike", hike, hike_sku, bad_hike)
    failures += _duplicate_sku_failures(Side.BIGCOMMERCE, "BigCommerce", bc, bc_sku, bad_bc)

    hike_bar = _index(hike, _hike_keys_barcode)
    bc_bar = _index(bc, _bc_keys_barcode)
    dup_hike_bar = _duplicated(hike_bar, lambda p: p.id)
    dup_bc_bar = _duplicated(bc_bar, lambda p: p.id)

    matches: list[ProductMatch] = []
    used_hike: set[int] = set(bad_hike)
    used_bc: set[int] = set(bad_bc)
    for by, keys, hike_index, bc_index in (("sku", _hike_keys_sku, hike_sku, bc_sku),
                                           ("barcode", _hike_keys_barcode, hike_bar, bc_bar)):
        for p in hike:
            if p.id in used_hike:
                continue
            if by == "barcode" and p.id in dup_hike_bar:
                continue
            candidates = {c.id: c for k in keys(p) if norm(k) for c in bc_index.get(norm(k), [])
                          if c.id not in used_bc and not (by == "barcode" and c.id in dup_bc_bar)}
            if len(candidates) != 1:
                continue  # none, or ambiguous: left for creation or reported by the duplicate checks
            other = next(iter(candidates.values()))
            used_hike.add(p.id)
            used_bc.add(other.id)
            if bool(p.variants) != other.has_options:  # never linked: nothing of either is written (D2)
                failures += _kind_mismatch(p, other, by)
                continue
            matches.append(match_variants(ProductMatch(p, other, by)))

    for p in hike:
        if p.id in dup_hike_bar and p.id not in used_hike:
            failures.append(Failure(Side.HIKE, str(p.id), p.name, p.sku,
                                    f"Duplicate barcode {dup_hike_bar[p.id]!r} in Hike: it cannot be linked by "
                                    "barcode; give each product its own barcode or a SKU.", "duplicate_barcode"))
            used_hike.add(p.id)
    return LinkPlan(matches=matches,
                    hike_only=[p for p in hike if p.id not in used_hike],
                    bc_only=[p for p in bc if p.id not in used_bc],
                    failures=failures)


def kind_of(product: HikeProduct | BCProduct) -> str:
    """"a simple product" or "a product with variants" (D2: one never links with the other)."""
    has_variants = product.has_options if isinstance(product, BCProduct) else bool(product.variants)
    return "a product with variants" if has_variants else "a simple product"


def _kind_mismatch(hike: HikeProduct, bc: BCProduct, by: str) -> list[Failure]:
    """A simple product whose SKU or barcode is a variant's on the other side (or the other way round) is not the
    same product: linking it would half-apply (one side's stock per product, the other's per variant). Both
    records fail, each naming the other and the fix; neither is linked nor created on the other side."""
    key = "SKU" if by == "sku" else "barcode"
    message = (f"Not linked: Hike's “{hike.name}” is {kind_of(hike)} and BigCommerce's “{bc.name}” is "
               f"{kind_of(bc)}, "
               f"but they share a {key}. Make them the same kind (add or remove the variants in one store), or "
               f"give them different {key}s, then sync again.")
    return [Failure(Side.HIKE, str(hike.id), hike.name, hike.sku, message, "kind_mismatch", str(bc.id)),
            Failure(Side.BIGCOMMERCE, str(bc.id), bc.name, bc.sku, message, "kind_mismatch", str(hike.id))]


def match_variants(match: ProductMatch) -> ProductMatch:
    """Pair the variants of a matched product: SKU, then barcode ⇄ UPC, then option values."""
    hike_left = list(match.hike.variants)
    bc_left = [v for v in match.bc.variants if v.option_values]
    for by, hike_key, bc_key in (
        ("sku", lambda v: norm(v.sku), lambda v: norm(v.sku)),
        ("barcode", lambda v: norm(v.barcode), lambda v: norm(v.upc)),
        ("options", lambda v: "/".join(norm(o) for o in v.options),
         lambda v: "/".join(norm(val) for _, val in v.option_values)),
    ):
        for hv in list(hike_left):
            key = hike_key(hv)
            if not key:
                continue
            found = [bv for bv in bc_left if bc_key(bv) == key]
            if len(found) == 1:
                match.variants.append(VariantMatch(hv, found[0], by))
                hike_left.remove(hv)
                bc_left.remove(found[0])
    match.unmatched_hike_variants = hike_left
    match.unmatched_bc_variants = bc_left
    return match
