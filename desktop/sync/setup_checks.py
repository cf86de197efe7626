"""What the setup wizard and Manage ask of the stores, in one place (the views never build the engine, the clients
or a retry policy themselves): the stores' lists the settings name, the pre-flight checks (P1 duplicates, P3 the
first pass's plan with nothing written), the catalogs' backup (C7), the stock comparison (S9) and the quick retry a
person waits on while a connection is checked. Each function opens the clients on the saved connections and closes
them again; the views call them on their ``Jobs``."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from desktop.storage.credentials import Credentials
from desktop.sync.connections import open_clients
from desktop.sync.engine import DryRun, SyncEngine, store_facts
from desktop.sync.http import RetryPolicy
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
