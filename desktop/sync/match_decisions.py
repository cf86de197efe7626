"""The person's match decisions (issue 20, B2: match review), honoured by every products pass.

Linking (``linking.plan_links``) pairs records by SKU, then barcode ⇄ UPC. A person reviewing the matches
(``match_review``) can overrule it, and each decision is a ``MatchDecision`` row:

- ``refuse`` (Hike id, BigCommerce id): the two are never linked. A current link of theirs is undone when the
  decision is made (the link row goes back to not linked; no store record is deleted), and neither is created in
  the other store (it would duplicate the SKU): each is planned as a ``skip`` naming the other.
- ``link`` (Hike id, BigCommerce id): linked by hand, whatever their SKUs and barcodes say (different, or shared by
  several records): a normal first link (S16: Hike's details win, BigCommerce keeps its description and images;
  variants paired by ``linking.match_variants``), logged "Linked by you". A simple product never links with one
  with variants (D2): refused when the decision is made, and failed by the plan if a store changed since.
- ``exclude`` (a SKU, compared as linking compares SKUs: letter case and surrounding spaces aside): products with
  that SKU (their own or a variant's) are not synced at all, on either side: planned as ``skip`` "Excluded from
  syncing by you". A link they have stays in the database, and nothing is written for it while excluded (no field
  update, no stock level). ``include`` lifts it.

A pass loads the decisions once (``Decisions.load``) and applies them to each part's plan (``set_aside`` before
linking, ``refused_in`` after it, ``held_back`` for existing links; ``excludes`` for the stock pass). Records a
hand-made link pairs share no key, so both get the key ``decision:<id>`` in the read store (``keys``): they land in
the same part. A changed decision makes the next pass a full one (``changed``, like a changed safety stock), so a
pair linked by hand is read and linked even when neither record changed, and an excluded product included again is
compared in full.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from desktop.storage.db import database_proxy
from desktop.storage.models import Link, LogEntry, MatchDecision, get_preference, set_preference
from desktop.sync.bigcommerce import BCProduct
from desktop.sync.hike_models import HikeProduct
from desktop.sync.linking import Failure, LinkPlan, ProductMatch, kind_of, match_variants, norm
from desktop.sync.vocabulary import Action, LinkStatus, Result, Side

REFUSE, LINK, EXCLUDE = "refuse", "link", "exclude"
BY_YOU = "you"  # ``ProductMatch.by`` of a pair linked by hand: "Linked by you" (``log_words.linked_by``)
EXCLUDED = "Excluded from syncing by you"
REVISION = "match_decisions_revision"  # preference: counts every change of a decision
READ = "match_decisions_read"  # preference: the revision the last complete full products pass planned under
ENTITY, VARIANT = "product", "variant"

Record = HikeProduct | BCProduct
Skip = tuple[HikeProduct | None, BCProduct | None, str]


class DecisionError(ValueError):
    """A decision that cannot be made (an unknown record, a kind mismatch, a record linked elsewhere): the CLI's
    exit code 2."""


@dataclass(frozen=True)
class Outcome:
    changed: bool  # False: the decision was already so (or there was nothing to forget)
    message: str


def sku_key(sku: str | None) -> str:
    """A SKU as linking compares it (``linking.norm``; ``SafetyStock`` compares the same way)."""
    return norm(sku)


def record_skus(record: Record) -> set[str]:
    """The product's own SKU and its variants', as compared."""
    skus = [record.sku, *(v.sku for v in record.variants)]
    return {sku_key(s) for s in skus if sku_key(s)}


def _side(record: Record) -> str:
    return Side.BIGCOMMERCE if isinstance(record, BCProduct) else Side.HIKE


def refused_message(store: str, record_id: Any, sku: str | None) -> str:
    """The skip of a record whose match the person refused, naming the other record (``store``'s)."""
    named = f" ({sku.strip()})" if sku and sku.strip() else ""
    return f"You refused the match with {store} product {record_id}{named}: not linked, not created"


def _refused_of(decision: MatchDecision, side: str) -> str:
    """The message of the ``side`` record of a refused pair."""
    if side == Side.HIKE:
        return refused_message("BigCommerce", decision.bc_id, decision.bc_sku)
    return refused_message("Hike", decision.hike_id, decision.sku)


@dataclass
class SetAside:
    """What the decisions take out of a part's records not linked yet, before linking: the rest, the pairs linked
    by hand, their failures (a kind mismatch), and the records skipped (excluded)."""

    hike: list[HikeProduct]
    bc: list[BCProduct]
    by_hand: list[ProductMatch] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)


class Decisions:
    """Every decision, loaded once for a pass; ``revision`` is the one they were loaded at."""

    def __init__(self, rows: Iterable[MatchDecision] = (), revision: int = 0):
        self.revision = revision
        self.refused: dict[tuple[str, str], MatchDecision] = {}
        self.refused_of: dict[tuple[str, str], list[MatchDecision]] = defaultdict(list)  # (side, id) → refusals
        self.linked_of: dict[tuple[str, str], MatchDecision] = {}  # (side, id) → its link decision
        self.excluded: dict[str, MatchDecision] = {}  # SKU as compared → its decision
        for row in rows:
            if row.kind == REFUSE:
                self.refused[(row.hike_id, row.bc_id)] = row
                self.refused_of[(Side.HIKE, row.hike_id)].append(row)
                self.refused_of[(Side.BIGCOMMERCE, row.bc_id)].append(row)
            elif row.kind == LINK:
                self.linked_of[(Side.HIKE, row.hike_id)] = row
                self.linked_of[(Side.BIGCOMMERCE, row.bc_id)] = row
            elif row.kind == EXCLUDE:
                self.excluded[sku_key(row.sku)] = row

    @classmethod
    def load(cls) -> "Decisions":
        return cls(MatchDecision.select().order_by(MatchDecision.id), revision())

    def __bool__(self) -> bool:
        return bool(self.refused or self.linked_of or self.excluded)

    # -- the read store ---------------------------------------------------------------------------------------
    def keys(self, record: Record) -> set[str]:
        """``decision:<id>`` for a record linked by hand, so both of the pair land in one part (``read_store``)."""
        decision = self.linked_of.get((_side(record), str(record.id)))
        return {f"decision:{decision.id}"} if decision is not None else set()

    def keys_with(self, keys: Callable[[Any], Iterable[str]]) -> Callable[[Any], set[str]]:
        """``keys`` (a record's SKUs and barcodes) and the decisions' own."""
        if not self.linked_of:
            return lambda record: set(keys(record))
        return lambda record: set(keys(record)) | self.keys(record)

    # -- what is excluded -------------------------------------------------------------------------------------
    def excludes(self, record: Record | None, link: Link | None = None) -> bool:
        """Whether the product (by its or its variants' SKUs) or its link (by the SKU the link keeps) is excluded."""
        if not self.excluded:
            return False
        if record is not None and record_skus(record) & self.excluded.keys():
            return True
        return link is not None and sku_key(link.sku) in self.excluded

    def held_back(self, link: Link, hike: HikeProduct | None, bc: BCProduct | None) -> str | None:
        """Why nothing is written for an existing link (its skip message), or None: it syncs."""
        if self.excludes(hike, link) or self.excludes(bc):
            return EXCLUDED
        decision = self.refused.get((link.hike_id, link.bc_id))
        if decision is not None:  # undone when refused; a link made again meanwhile is held here
            return _refused_of(decision, Side.HIKE)
        return None

    # -- a part's records not linked yet ----------------------------------------------------------------------
    def set_aside(self, hike: list[HikeProduct], bc: list[BCProduct]) -> SetAside:
        """Excluded records become skips; a pair linked by hand, both here, a link (or, kinds differing, a failure
        of both); the rest is left for linking."""
        out = SetAside([], [])
        bc_here = {str(p.id): p for p in bc}
        taken: set[str] = set()  # BigCommerce ids linked by hand
        for p in hike:
            if self.excludes(p):
                out.skips.append((p, None, EXCLUDED))
                continue
            decision = self.linked_of.get((Side.HIKE, str(p.id)))
            other = bc_here.get(decision.bc_id) if decision is not None else None
            if other is None or self.excludes(other):
                out.hike.append(p)
            elif bool(p.variants) != other.has_options:
                out.failures += kind_mismatch(p, other)
                taken.add(str(other.id))
            else:
                out.by_hand.append(match_variants(ProductMatch(p, other, BY_YOU)))
                taken.add(str(other.id))
        for p in bc:
            if str(p.id) in taken:
                continue
            if self.excludes(p):
                out.skips.append((None, p, EXCLUDED))
            else:
                out.bc.append(p)
        return out

    def partners_missing(self, hike: Iterable[HikeProduct], bc: Iterable[BCProduct]) -> tuple[set[int], set[int]]:
        """The partners linked by hand of these records that are not among them: (Hike ids, BigCommerce ids) a
        pass that did not read everything looks up before planning (an incremental read has one side's change)."""
        hike_ids = {str(p.id) for p in hike}
        bc_ids = {str(p.id) for p in bc}
        want_bc = {int(d.bc_id) for i in hike_ids
                   if (d := self.linked_of.get((Side.HIKE, i))) and d.bc_id not in bc_ids}
        want_hike = {int(d.hike_id) for i in bc_ids
                     if (d := self.linked_of.get((Side.BIGCOMMERCE, i))) and d.hike_id not in hike_ids}
        return want_hike, want_bc

    def refused_in(self, plan: LinkPlan, hike: Iterable[HikeProduct],
                   bc: Iterable[BCProduct]) -> tuple[LinkPlan, list[Skip]]:
        """Linking's plan (of ``hike`` and ``bc``) less what the person refused: a refused pair it matched, and any
        record of a refused pair it would create or fail, become skips naming the other record. A record matched
        with another partner (not refused) keeps that match."""
        if not self.refused:
            return plan, []
        skips: list[Skip] = []
        matches = []
        for match in plan.matches:
            decision = self.refused.get((str(match.hike.id), str(match.bc.id)))
            if decision is None:
                matches.append(match)
                continue
            skips += [(match.hike, None, _refused_of(decision, Side.HIKE)),
                      (None, match.bc, _refused_of(decision, Side.BIGCOMMERCE))]
        left = {(f.side, f.record_id) for f in plan.failures} | {(Side.HIKE, str(p.id)) for p in plan.hike_only} \
            | {(Side.BIGCOMMERCE, str(p.id)) for p in plan.bc_only}
        unmatched_hike = [p for p in hike if (Side.HIKE, str(p.id)) in left]
        unmatched_bc = [p for p in bc if (Side.BIGCOMMERCE, str(p.id)) in left]
        refused = set()
        for p in unmatched_hike:
            if decisions := self.refused_of.get((Side.HIKE, str(p.id))):
                skips.append((p, None, _refused_of(decisions[0], Side.HIKE)))
                refused.add((Side.HIKE, str(p.id)))
        for p in unmatched_bc:
            if decisions := self.refused_of.get((Side.BIGCOMMERCE, str(p.id))):
                skips.append((None, p, _refused_of(decisions[0], Side.BIGCOMMERCE)))
                refused.add((Side.BIGCOMMERCE, str(p.id)))
        return LinkPlan(matches=matches,
                        hike_only=[p for p in plan.hike_only if (Side.HIKE, str(p.id)) not in refused],
                        bc_only=[p for p in plan.bc_only if (Side.BIGCOMMERCE, str(p.id)) not in refused],
                        failures=[f for f in plan.failures if (f.side, f.record_id) not in refused]), skips


def kind_mismatch(hike: HikeProduct, bc: BCProduct) -> list[Failure]:
    """A pair linked by hand whose kinds differ (D2): both fail, each naming the other; neither is linked."""
    message = kind_mismatch_message(hike, bc)
    return [Failure(Side.HIKE, str(hike.id), hike.name, hike.sku, message, "kind_mismatch", str(bc.id)),
            Failure(Side.BIGCOMMERCE, str(bc.id), bc.name, bc.sku, message, "kind_mismatch", str(hike.id))]


def kind_mismatch_message(hike: HikeProduct, bc: BCProduct) -> str:
    return (f"Not linked: Hike's “{hike.name}” is {kind_of(hike)} and BigCommerce's “{bc.name}” is "
            f"{kind_of(bc)}; a simple product stays simple and one with variants keeps them. Make them the same "
            "kind (add or remove the variants in one store), then link them.")


# -- when decisions changed -------------------------------------------------------------------------------------------
def revision() -> int:
    return int(get_preference(REVISION, 0))


def changed() -> bool:
    """Whether a decision changed since the last complete full products pass: the next pass then reads everything
    (a pair linked by hand may be two records that did not change)."""
    return revision() != int(get_preference(READ, 0))


def note_read(planned_under: int) -> None:
    """A complete full products pass planned under the decisions of revision ``planned_under``."""
    set_preference(READ, planned_under)


def _bump() -> None:
    set_preference(REVISION, revision() + 1)


# -- making a decision (the CLI's ``matches``; the window's match review to come) ---------------------------------
def _pair_key(kind: str, hike_id: Any, bc_id: Any) -> str:
    return f"{kind}:{hike_id}:{bc_id}"


def _linked_row(column: Any, record_id: Any) -> Link | None:
    return Link.get_or_none(Link.entity == ENTITY, column == str(record_id), Link.status == LinkStatus.LINKED)


def _check_product(hike: HikeProduct) -> None:
    if hike.parent_id:
        raise DecisionError(f"Hike id {hike.id} is a variant of Hike product {hike.parent_id}: decide on products; "
                            "their variants pair up by SKU, barcode or option values.")


def _linked_elsewhere(hike: HikeProduct, bc: BCProduct) -> None:
    """Refused when either record is linked with, or was linked by hand with, another record: undo that first."""
    mine = _linked_row(Link.hike_id, hike.id)
    if mine is not None and mine.bc_id != str(bc.id):
        raise DecisionError(f"Hike product {hike.id} is linked with BigCommerce product {mine.bc_id}: refuse that "
                            f"match first (matches unlink {hike.id} {mine.bc_id}).")
    theirs = _linked_row(Link.bc_id, bc.id)
    if theirs is not None and theirs.hike_id != str(hike.id):
        raise DecisionError(f"BigCommerce product {bc.id} is linked with Hike product {theirs.hike_id}: refuse that "
                            f"match first (matches unlink {theirs.hike_id} {bc.id}).")
    for store, record, column in (("Hike", hike, MatchDecision.hike_id), ("BigCommerce", bc, MatchDecision.bc_id)):
        row = MatchDecision.get_or_none(MatchDecision.kind == LINK, column == str(record.id))
        if row is not None and (row.hike_id, row.bc_id) != (str(hike.id), str(bc.id)):
            raise DecisionError(f"You linked {store} product {record.id} with another product already: forget that "
                                f"first (matches forget {row.hike_id} {row.bc_id}).")


def read_pair(hike: Any, bc: Any, hike_id: int | None, bc_id: int | None) -> tuple[HikeProduct, BCProduct]:
    """The two store records a decision about a pair names, read now (``hike``, ``bc``: the clients): an id a
    store does not have is refused (``DecisionError``) before anything is recorded."""
    hike_p = hike.product(hike_id) if hike_id is not None else None
    if hike_p is None:
        raise DecisionError(f"Hike has no product with id {hike_id}." if hike_id is not None else
                            "Only a pair of products can be refused or linked.")
    bc_p = next(iter(bc.products(ids=[bc_id])), None) if bc_id is not None else None
    if bc_p is None:
        raise DecisionError(f"BigCommerce has no product with id {bc_id}." if bc_id is not None else
                            "Only a pair of products can be refused or linked.")
    return hike_p, bc_p


def link(hike: HikeProduct, bc: BCProduct) -> Outcome:
    """Link the two by hand (the next pass makes it a first link); replaces a refusal of the same pair."""
    _check_product(hike)
    if bool(hike.variants) != bc.has_options:
        raise DecisionError(kind_mismatch_message(hike, bc))
    with database_proxy.atomic():
        if MatchDecision.get_or_none(MatchDecision.key == _pair_key(LINK, hike.id, bc.id)) is not None:
            return Outcome(False, f"You already linked Hike product {hike.id} with BigCommerce product {bc.id}.")
        current = _linked_row(Link.hike_id, hike.id)
        if current is not None and current.bc_id == str(bc.id):
            return Outcome(False, f"Hike product {hike.id} and BigCommerce product {bc.id} are already linked.")
        _linked_elsewhere(hike, bc)
        replaced = MatchDecision.delete().where(MatchDecision.key == _pair_key(REFUSE, hike.id, bc.id)).execute()
        MatchDecision.create(kind=LINK, key=_pair_key(LINK, hike.id, bc.id), hike_id=str(hike.id), bc_id=str(bc.id),
                             sku=hike.sku, bc_sku=bc.sku, hike_name=hike.name, bc_name=bc.name)
        _bump()
    note = " (your refusal of this match is dropped)" if replaced else ""
    return Outcome(True, f"Linked by you: Hike “{hike.name}” ({hike.id}) ⇄ BigCommerce “{bc.name}” ({bc.id})"
                         f"{note}; the next pass links them.")


def refuse(hike: HikeProduct, bc: BCProduct) -> Outcome:
    """Never link the two; a current link of theirs is undone now (the records stay in both stores)."""
    _check_product(hike)
    with database_proxy.atomic():
        if MatchDecision.get_or_none(MatchDecision.key == _pair_key(REFUSE, hike.id, bc.id)) is not None:
            return Outcome(False, f"You already refused the match of Hike product {hike.id} with BigCommerce "
                                  f"product {bc.id}.")
        MatchDecision.delete().where(MatchDecision.key == _pair_key(LINK, hike.id, bc.id)).execute()
        decision = MatchDecision.create(kind=REFUSE, key=_pair_key(REFUSE, hike.id, bc.id), hike_id=str(hike.id),
                                        bc_id=str(bc.id), sku=hike.sku, bc_sku=bc.sku, hike_name=hike.name,
                                        bc_name=bc.name)
        undone = _undo_link(hike, bc, _refused_of(decision, Side.HIKE))
        _bump()
    return Outcome(True, f"Refused: Hike “{hike.name}” ({hike.id}) and BigCommerce “{bc.name}” ({bc.id}) are "
                         "never linked, and neither is created in the other store"
                         + ("; their link is undone." if undone else "."))


def _undo_link(hike: HikeProduct, bc: BCProduct, message: str) -> bool:
    """The pair's link goes back to not linked (a ``skipped`` row of the Hike product, with the refusal as its
    message); its variants' links go. Nothing is deleted in a store."""
    row = Link.get_or_none(Link.entity == ENTITY, Link.hike_id == str(hike.id), Link.bc_id == str(bc.id))
    if row is None:
        return False
    Link.delete().where(Link.entity == VARIANT, Link.hike_id.in_([str(v.id) for v in hike.variants])
                        | Link.bc_id.in_([str(v.id) for v in bc.variants])).execute()
    row.bc_id = row.bc_fingerprint = row.hike_fingerprint = row.stock_pushed = row.images_sent = row.refused = None
    row.status, row.last_result, row.last_message = LinkStatus.SKIPPED, Result.SKIPPED, message
    row.save()
    LogEntry.create(run=None, entity=ENTITY, hike_id=str(hike.id), bc_id=str(bc.id), sku=row.sku, action=Action.SKIP,
                    result=Result.SKIPPED, message=f"Unlinked by you. {message}")
    return True


def exclude(sku: str) -> Outcome:
    key = sku_key(sku)
    if not key:
        raise DecisionError("Name the SKU to exclude.")
    with database_proxy.atomic():
        if MatchDecision.get_or_none(MatchDecision.key == f"{EXCLUDE}:{key}") is not None:
            return Outcome(False, f"SKU {sku.strip()} is already excluded from syncing.")
        MatchDecision.create(kind=EXCLUDE, key=f"{EXCLUDE}:{key}", sku=sku.strip())
        _bump()
    return Outcome(True, f"Excluded from syncing: products with SKU {sku.strip()} (nothing is written for them in "
                         "either store until you include them again).")


def include(sku: str) -> Outcome:
    """Lift an exclusion: the next pass (a full one) syncs those products again. Their links' rows stop saying
    "excluded" now (until a pass writes their next outcome)."""
    key = sku_key(sku)
    with database_proxy.atomic():
        if not MatchDecision.delete().where(MatchDecision.key == f"{EXCLUDE}:{key}").execute():
            return Outcome(False, f"SKU {sku.strip()} is not excluded.")
        Link.update(last_result=None, last_message="Included again by you: the next pass syncs it").where(
            Link.entity == ENTITY, Link.last_message == EXCLUDED, Link.sku.is_null(False),
            Link.sku.in_(_spellings(key))).execute()
        _bump()
    return Outcome(True, f"Included again: products with SKU {sku.strip()} sync from the next pass.")


def _spellings(key: str) -> list[str]:
    """The SKUs of links whose SKU compares equal to ``key`` (stored as the store has it)."""
    rows = Link.select(Link.sku).where(Link.entity == ENTITY, Link.last_message == EXCLUDED)
    return sorted({row.sku for row in rows if sku_key(row.sku) == key})


def forget(hike_id: Any, bc_id: Any) -> Outcome:
    """Drop the refusal or the link by hand of this pair: linking decides for them again (a link made stays)."""
    with database_proxy.atomic():
        gone = MatchDecision.delete().where(MatchDecision.key.in_(
            [_pair_key(REFUSE, hike_id, bc_id), _pair_key(LINK, hike_id, bc_id)])).execute()
        if not gone:
            return Outcome(False, f"You made no decision about Hike product {hike_id} and BigCommerce product "
                                  f"{bc_id}.")
        _bump()
    return Outcome(True, f"Forgotten: Hike product {hike_id} and BigCommerce product {bc_id} are matched by SKU and "
                         "barcode again from the next pass (a link they have stays).")
