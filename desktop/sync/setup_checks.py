"""What the setup wizard and Manage ask of the stores, in one place (the views never build the engine, the clients
or a retry policy themselves): the stores' lists the settings name, the pre-flight checks (P1 duplicates, P3 the
first pass's plan with nothing written), the catalogs' backup (C7), the stock comparison (S9), the match review and
its decisions (B2) and the quick retry a person waits on while a connection is checked. Each function opens the clients on the saved connections and closes
them again; the views call them on their ``Jobs``."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from desktop.storage.credentials import Credentials
from desktop.sync import match_decisions
from desktop.sync.connections import open_clients
from desktop.sync.engine import DryRun, SyncEngine, store_facts
from desktop.sync.http import RetryPolicy
from desktop.sync.match_decisions import DecisionError, Outcome, record_skus, sku_key
# the review's rows and kinds, for the window's match review (views reach the sync through this module)
from desktop.sync.match_review import (AMBIGUOUS, EXCLUDED, KINDS, KIND_MISMATCH, LINKED, LINKED_BY_YOU, ONLY_BC,
                                       ONLY_HIKE, PROPOSED, REFUSED, ReviewRow, after_decision, only, review)
from desktop.sync.preflight import Duplicate, bigcommerce_duplicates, compare_stock, hike_duplicates, write_backup
from desktop.sync.settings import Settings, StoreFacts

# Someone is waiting on a connection check: one quick retry for a blip, not the sync's patient backoff.
CHECK_RETRY = RetryPolicy(max_attempts=2, base_delay_s=0.3, max_delay_s=1.0, max_rate_limit_waits=2,
                          max_rate_limit_wait_s=5.0)


@dataclass
class PreflightResult:
    hike: list[Duplicate]
    bigcommerce: list[Duplicate]
    dry_run: DryRun | None
    dry_run_problem: str  # why there is no preview yet (for people), or ""


@contextmanager
def _clients(credentials: Credentials) -> Iterator[tuple[Any, Any]]:
    bc, hike = open_clients(credentials)
    try:
        yield bc, hike
    finally:
        bc.close()
        hike.close()


def read_store_facts(credentials: Credentials) -> StoreFacts:
    """Everything the settings may name, from both stores."""
    with _clients(credentials) as (bc, hike):
        return store_facts(hike, bc)


def run_preflight(credentials: Credentials, settings: Settings, facts: StoreFacts | None) -> PreflightResult:
    """Reads both catalogs for duplicates; plans the first pass without writing anything (once the settings'
    mandatory parts are there)."""
    with _clients(credentials) as (bc, hike):
        hike_dupes = hike_duplicates(hike.products())
        bc_dupes = bigcommerce_duplicates(bc.products())
        missing = [p for p in settings.validate(facts) if p.mandatory] if facts else []
        if facts is None or missing:
            return PreflightResult(hike_dupes, bc_dupes, None,
                                   "The preview needs the mandatory settings first: "
                                   + "; ".join(p.message for p in missing[:3]) if missing else
                                   "The preview needs the stores' lists: go back and let them load.")
        return PreflightResult(hike_dupes, bc_dupes, SyncEngine(bc, hike, settings).dry_run(), "")


def back_up_catalogs(credentials: Credentials, folder: Path) -> tuple[Path, Path]:
    """Both catalogs as CSV files in ``folder`` (C7)."""
    with _clients(credentials) as (bc, hike):
        return write_backup(folder, list(hike.products()), list(bc.products()))


def stock_differences(credentials: Credentials, settings: Settings, facts: StoreFacts) -> list:
    """S9: the linked products whose stock differs between the stores, under ``settings``' stock outlets."""
    resolved = settings.resolve(facts)
    with _clients(credentials) as (bc, hike):
        return compare_stock(hike, bc, resolved.stock_outlet_ids, settings.safety_stock.lookup())


# -- the match review (B2) -----------------------------------------------------------------------------------------
REFUSE, LINK, EXCLUDE, INCLUDE, FORGET = "refuse", "link", "exclude", "include", "forget"


def review_matches(credentials: Credentials) -> list[ReviewRow]:
    """Every product of both stores as the match review's rows (one full read of each; nothing is written)."""
    with _clients(credentials) as (bc, hike):
        return review(hike, bc)


@dataclass
class Decided:
    """What a decision over some review rows did: each decision's outcome, and the ones refused (their reason)."""
    outcomes: list[Outcome]
    refused: list[str]

    @property
    def changed(self) -> bool:
        return any(o.changed for o in self.outcomes)


def decide_matches(credentials: Credentials, decision: str, rows: Sequence[ReviewRow]) -> Decided:
    """One decision (``refuse``, ``link``, ``exclude``, ``include``, ``forget``) over the rows a person chose:
    ``link`` pairs the one Hike product and the one BigCommerce product the rows name; the others apply to each
    row. The records a decision needs are read from the stores first (as the CLI's ``matches`` does); one that
    cannot be made is refused with its reason and the others are made."""
    done = Decided([], [])
    if decision == FORGET:
        for row in rows:
            done.outcomes.append(match_decisions.forget(row.hike_id, row.bc_id))
        return done
    with _clients(credentials) as (bc, hike):
        for step in _decision_steps(decision, rows, hike, bc):
            try:
                done.outcomes.append(step())
            except DecisionError as exc:
                done.refused.append(str(exc))
    return done


def _decision_steps(decision: str, rows: Sequence[ReviewRow], hike: Any, bc: Any) -> list[Any]:
    if decision == LINK:
        hike_ids = {r.hike_id for r in rows if r.hike_id is not None}
        bc_ids = {r.bc_id for r in rows if r.bc_id is not None}
        if len(hike_ids) != 1 or len(bc_ids) != 1:
            raise DecisionError("Choose one Hike product and one BigCommerce product to link.")
        return [lambda: match_decisions.link(*match_decisions.read_pair(hike, bc, hike_ids.pop(), bc_ids.pop()))]
    if decision == REFUSE:
        return [lambda row=row: match_decisions.refuse(*match_decisions.read_pair(hike, bc, row.hike_id, row.bc_id)) for row in rows]
    if decision == EXCLUDE:
        skus = {sku_key(s): s.strip() for r in rows for s in (r.hike_sku, r.bc_sku) if sku_key(s)}
        if not skus:
            raise DecisionError("These products have no SKU: a product is excluded by its SKU.")
        return [lambda sku=sku: match_decisions.exclude(sku) for sku in skus.values()]
    if decision == INCLUDE:
        skus = _excluded_skus_of(rows, hike, bc)
        if not skus:
            raise DecisionError("None of these products is excluded now.")
        return [lambda sku=sku: match_decisions.include(sku) for sku in skus]
    raise ValueError(f"Unknown match decision {decision!r}")


def _excluded_skus_of(rows: Iterable[ReviewRow], hike: Any, bc: Any) -> list[str]:
    """The excluded SKUs (as the person wrote them) that hold these rows back: their products' own SKUs, else one of
    their variants' (read from the stores)."""
    excluded = match_decisions.Decisions.load().excluded
    found: dict[str, str] = {}
    for row in rows:
        keys = {sku_key(s) for s in (row.hike_sku, row.bc_sku)} & excluded.keys()
        if not keys:
            records = [hike.product(row.hike_id) if row.hike_id is not None else None,
                       next(iter(bc.products(ids=[row.bc_id])), None) if row.bc_id is not None else None]
            keys = {key for record in records if record is not None for key in record_skus(record)} \
                & excluded.keys()
        found.update({key: excluded[key].sku or key for key in keys})
    return list(found.values())
