"""The match review (issue 20, B2): how the products of both stores are, or would be, matched, for a person to
check and overrule (``match_decisions``).

``review`` reads both catalogs in full the way a pass does (``products.read_products``: streamed into the read
store, planned in self-contained parts, so memory does not grow with the catalog) and plans each part's matching
as the pass would (``Decisions.set_aside``, ``linking.plan_links``, ``Decisions.refused_in``), writing nothing.
Each row says what was found:

- ``proposed``: a pair linking would make, ``how`` it was found (``sku``, ``barcode``);
- ``ambiguous``: a record with several candidates (a SKU or barcode several records share), naming them;
- ``kind_mismatch``: a pair sharing a SKU or barcode, or linked by hand, where one is a simple product and the
  other has variants (D2: never linked);
- ``only_hike`` / ``only_bigcommerce``: no match in the other store;
- ``linked``: already linked;
- the decisions: ``refused``, ``linked_by_you`` (linked, or linking on the next pass) and ``excluded``.

Rows are small (a slotted dataclass of ids, names and SKUs), so a window can list 50 000 of them lazily.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, replace
from typing import Any, Iterable

from desktop.storage.models import Link
from desktop.sync import passes
from desktop.sync.journal import links_by_bc, links_by_hike
from desktop.sync.linking import Failure, match_keys, plan_links
from desktop.sync.log_words import linked_by
from desktop.sync.match_decisions import BY_YOU, EXCLUDE, LINK, REFUSE, Decisions, record_skus, sku_key
from desktop.sync.products import ENTITY, read_products
from desktop.sync.vocabulary import LinkStatus, Side

PROPOSED, AMBIGUOUS, KIND_MISMATCH = "proposed", "ambiguous", "kind_mismatch"
ONLY_HIKE, ONLY_BC, LINKED = "only_hike", "only_bigcommerce", "linked"
REFUSED, LINKED_BY_YOU, EXCLUDED = "refused", "linked_by_you", "excluded"
KINDS = (PROPOSED, AMBIGUOUS, KIND_MISMATCH, ONLY_HIKE, ONLY_BC, LINKED, REFUSED, LINKED_BY_YOU, EXCLUDED)
REFUSED_NOTE = "Refused by you: never linked, neither created in the other store"


@dataclass(slots=True, frozen=True)
class ReviewRow:
    kind: str  # one of ``KINDS``
    hike_id: int | None = None
    hike_name: str = ""
    hike_sku: str = ""
    bc_id: int | None = None
    bc_name: str = ""
    bc_sku: str = ""
    how: str = ""  # sku | barcode | you
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def matches_text(self, text: str) -> bool:
        """Whether ``text`` (letter case aside) is in its names, SKUs or ids."""
        wanted = text.strip().lower()
        return any(wanted in str(value).lower() for value in (self.hike_name, self.hike_sku, self.bc_name,
                                                              self.bc_sku, self.hike_id or "", self.bc_id or ""))


def _row(kind: str, hike: Any = None, bc: Any = None, how: str = "", message: str = "") -> ReviewRow:
    return ReviewRow(kind, hike.id if hike else None, hike.name if hike else "", (hike.sku or "") if hike else "",
                     bc.id if bc else None, bc.name if bc else "", (bc.sku or "") if bc else "", how, message)


def review(hike: Any, bc: Any) -> list[ReviewRow]:
    """Every product of both stores, read in full, as rows (see the module's docstring); nothing is written."""
    decisions = Decisions.load()
    snapshot = read_products(hike, bc, full=True, decisions=decisions)
    rows: list[ReviewRow] = []
    excluded_found: set[str] = set()  # the excluded SKUs some record has
    try:
        for part in passes.parts(snapshot):
            by_hike = links_by_hike(ENTITY, [p.id for p in part.hike])
            by_bc = links_by_bc(ENTITY, [p.id for p in part.bc])
            rows += _linked_rows(part, by_hike, by_bc, decisions, excluded_found)
            rows += _unlinked_rows(part, by_hike, by_bc, decisions, excluded_found)
            if part is not snapshot:
                passes.release(part)
    finally:
        passes.release(snapshot)
    return rows + decision_rows(decisions, excluded_found)


def only(rows: Iterable[ReviewRow], *, search: str | None = None, kind: str | None = None) -> list[ReviewRow]:
    """The rows of one ``kind`` and/or holding ``search`` in a name, SKU or id."""
    return [r for r in rows if (kind is None or r.kind == kind) and (not search or r.matches_text(search))]


def _linked_rows(part: Any, by_hike: dict[str, Link], by_bc: dict[str, Link], decisions: Decisions,
                 excluded_found: set[str]) -> list[ReviewRow]:
    """One row per link of the part's records: excluded, or linked (a pair linked by hand is a decision's row)."""
    hike_of = {str(p.id): p for p in part.hike}
    bc_of = {str(p.id): p for p in part.bc}
    links: dict[int, Link] = {}
    for records, rows_by in ((part.hike, by_hike), (part.bc, by_bc)):
        for p in records:
            link = rows_by.get(str(p.id))
            if _linked(link):
                links[link.id] = link
    rows = []
    for link in links.values():
        hike_p, bc_p = hike_of.get(link.hike_id or ""), bc_of.get(link.bc_id or "")
        if decisions.excludes(hike_p, link) or decisions.excludes(bc_p):
            excluded_found |= _excluded_skus(decisions, hike_p, bc_p, link)
            rows.append(_row(EXCLUDED, hike_p, bc_p, message="Excluded from syncing by you; its link is kept"))
        elif (link.hike_id, link.bc_id) != _by_hand_pair(decisions, link):
            rows.append(_linked_row(link, hike_p, bc_p))
    return rows


def _linked_row(link: Link, hike_p: Any, bc_p: Any) -> ReviewRow:
    message = "" if link.status == LinkStatus.LINKED else link.last_message
    if hike_p is None or bc_p is None:  # the other one is gone (D9), or a full read came up short
        row = _row(LINKED, hike_p, bc_p, message=message or "Linked; not found in "
                   + ("Hike" if hike_p is None else "BigCommerce") + " now")
        return ReviewRow(row.kind, row.hike_id or _int(link.hike_id), row.hike_name or link.name,
                         row.hike_sku or link.sku or "", row.bc_id or _int(link.bc_id), row.bc_name, row.bc_sku or "",
                         row.how, row.message)
    return _row(LINKED, hike_p, bc_p, message=message)


def _by_hand_pair(decisions: Decisions, link: Link) -> tuple[str | None, str | None] | None:
    decision = decisions.linked_of.get((Side.HIKE, link.hike_id))
    return (decision.hike_id, decision.bc_id) if decision is not None else None


def _excluded_skus(decisions: Decisions, *records: Any) -> set[str]:
    found: set[str] = set()
    for record in records:
        if isinstance(record, Link):
            found |= {(record.sku or "").strip().lower()} & decisions.excluded.keys()
        elif record is not None:
            found |= record_skus(record) & decisions.excluded.keys()
    return found


def _unlinked_rows(part: Any, by_hike: dict[str, Link], by_bc: dict[str, Link], decisions: Decisions,
                   excluded_found: set[str]) -> list[ReviewRow]:
    """The part's records not linked yet, matched as the pass would match them."""
    hike = [p for p in part.hike if not _linked(by_hike.get(str(p.id)))]
    bc = [p for p in part.bc if not _linked(by_bc.get(str(p.id)))]
    aside = decisions.set_aside(hike, bc)
    rows = []
    for hike_p, bc_p, _ in aside.skips:  # excluded (the only skips before linking)
        excluded_found |= _excluded_skus(decisions, hike_p, bc_p)
        rows.append(_row(EXCLUDED, hike_p, bc_p, message="Excluded from syncing by you"))
    plan, _ = decisions.refused_in(plan_links(aside.hike, aside.bc), aside.hike, aside.bc)  # refused: their rows
    rows += [_row(PROPOSED, m.hike, m.bc, m.by, f"{linked_by(m.by)} on the next pass") for m in plan.matches]
    rows += _failure_rows(aside.failures, hike, bc, BY_YOU) + _failure_rows(plan.failures, hike, bc, "")
    rows += _one_sided(plan.hike_only, aside.bc, ONLY_HIKE, "BigCommerce")
    rows += _one_sided(plan.bc_only, aside.hike, ONLY_BC, "Hike")
    return rows


def _failure_rows(failures: list[Failure], hike: list[Any], bc: list[Any], how: str) -> list[ReviewRow]:
    """A kind mismatch is one row for the pair; a duplicate one row per record (ambiguous), naming the others."""
    hike_of = {str(p.id): p for p in hike}
    bc_of = {str(p.id): p for p in bc}
    rows = []
    for failure in failures:
        if failure.why == "kind_mismatch":
            if failure.side == Side.HIKE:
                rows.append(_row(KIND_MISMATCH, hike_of.get(failure.record_id), bc_of.get(failure.other or ""),
                                 how, failure.message))
            continue
        record = (hike_of if failure.side == Side.HIKE else bc_of).get(failure.record_id)
        rows.append(_row(AMBIGUOUS, record if failure.side == Side.HIKE else None,
                         record if failure.side == Side.BIGCOMMERCE else None, failure.why.replace("duplicate_", ""),
                         failure.message))
    return rows


def _one_sided(records: list[Any], others: list[Any], kind: str, other_store: str) -> list[ReviewRow]:
    """Records with no match: ambiguous when several records of the other store share a key with one (it cannot
    say which), else only on their side."""
    index: dict[str, list[Any]] = defaultdict(list)
    for other in others:
        for key in match_keys(other):
            index[key].append(other)
    rows = []
    for p in records:
        candidates = {c.id: c for key in match_keys(p) for c in index.get(key, [])}
        hike_side = kind == ONLY_HIKE
        if len(candidates) > 1:
            named = ", ".join(f"“{c.name}” ({c.id}{', ' + c.sku if c.sku else ''})" for c in candidates.values())
            rows.append(_row(AMBIGUOUS, p if hike_side else None, None if hike_side else p, "",
                             f"Several {other_store} products share its SKU or barcode: {named}. Link the right one "
                             "by hand, or give each its own."))
        else:
            rows.append(_row(kind, p if hike_side else None, None if hike_side else p, "",
                             f"Not in {other_store}"))
    return rows


def decision_rows(decisions: Decisions, excluded_found: set[str]) -> list[ReviewRow]:
    """The person's decisions, as they were made (the records' names and SKUs then)."""
    rows = []
    seen: set[int] = set()
    for decision in [*decisions.refused.values(), *decisions.linked_of.values(), *decisions.excluded.values()]:
        if decision.id in seen:
            continue
        seen.add(decision.id)
        if decision.kind == REFUSE:
            rows.append(ReviewRow(REFUSED, _int(decision.hike_id), decision.hike_name, decision.sku or "",
                                  _int(decision.bc_id), decision.bc_name, decision.bc_sku or "", BY_YOU,
                                  REFUSED_NOTE))
        elif decision.kind == LINK:
            done = Link.get_or_none(Link.entity == ENTITY, Link.hike_id == decision.hike_id,
                                    Link.bc_id == decision.bc_id, Link.status == LinkStatus.LINKED) is not None
            rows.append(ReviewRow(LINKED_BY_YOU, _int(decision.hike_id), decision.hike_name, decision.sku or "",
                                  _int(decision.bc_id), decision.bc_name, decision.bc_sku or "", BY_YOU,
                                  "Linked by you" if done else "Linked by you: links on the next pass"))
        elif decision.kind == EXCLUDE and (decision.sku or "").strip().lower() not in excluded_found:
            rows.append(ReviewRow(EXCLUDED, hike_sku=decision.sku or "", bc_sku=decision.sku or "", how=BY_YOU,
                                  message="Excluded by you; no product has this SKU now"))
    return rows


def _linked(link: Link | None) -> bool:
    """A link, not a marker (a record skipped or failed alone), as the products pass tells them."""
    return link is not None and link.status not in (LinkStatus.SKIPPED, LinkStatus.FAILED)


def _int(value: str | None) -> int | None:
    return int(value) if value else None


def after_decision(rows: list[ReviewRow], decision: str, chosen: list[ReviewRow]) -> list[ReviewRow] | None:
    """The review as a decision made over ``chosen`` leaves it, without reading the stores again (a 50 000-product
    review costs about 100 Hike calls, of the 5 000 a day): a refused pair reads "refused", a pair linked by hand
    becomes one row, an excluded SKU's rows read "excluded". None for a decision whose rows only a new plan can
    tell (include again, forget: the records go back to being matched as the stores say)."""
    picked = set(chosen)
    if decision == REFUSE:
        return [replace(r, kind=REFUSED, how=BY_YOU, message=REFUSED_NOTE) if r in picked else r for r in rows]
    if decision == EXCLUDE:
        skus = {sku_key(s) for r in chosen for s in (r.hike_sku, r.bc_sku) if sku_key(s)}
        return [replace(r, kind=EXCLUDED, how=BY_YOU, message="Excluded by you: not synced")
                if {sku_key(r.hike_sku), sku_key(r.bc_sku)} & skus else r for r in rows]
    if decision == LINK:
        hike = next((r for r in chosen if r.hike_id is not None), None)
        bc = next((r for r in chosen if r.bc_id is not None), None)
        if hike is None or bc is None:
            return None
        pair = ReviewRow(LINKED_BY_YOU, hike.hike_id, hike.hike_name, hike.hike_sku, bc.bc_id, bc.bc_name, bc.bc_sku,
                         BY_YOU, "Linked by you: links on the next pass")
        return [r for r in rows if r not in picked] + [pair]
    return None
