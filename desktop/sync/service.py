"""The running sync as one object the desktop app owns (issue 8): engine + scheduler built from what is saved.

``SyncService`` is the GUI's only door into the sync (the views never touch the engine, the clients or httpx):

- ``readiness()`` says, from the database alone, whether both stores are connected and settings are saved;
- ``start()`` opens the clients on the saved connections (keyring), reads the newest saved settings, and starts
  the engine under a ``SyncScheduler``. It does network-free but possibly slow work (a keyring may prompt), so the
  GUI calls it on a worker thread;
- ``sync_now(groups)``, ``retry(groups)``, ``retry_records(link_ids)``, ``pause()``, ``resume()``,
  ``reload_settings()``, ``shutdown()``;
- ``budgets()``: API allowance left on each side (Hike's calls left today included) for the monitor (M1).

It knows nothing of Qt: the Qt bridge (``desktop.views.sync_bridge``) registers on ``events``. The pause is a
preference, so a paused app starts paused again.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from contextlib import nullcontext
from typing import Any, Callable, ContextManager, Iterable, Mapping

from desktop.storage.credentials import Credentials
from desktop.storage.models import Connection, Link, SettingsVersion, get_preference, set_preference
from desktop.sync.events import Listeners
from desktop.sync.http import Budget
from desktop.sync.registry import GROUPS, RECORD_ENTITIES, entities_for
from desktop.sync.scheduler import RunInfo, SyncScheduler
from desktop.sync.settings import Settings
from desktop.sync.vocabulary import ReadScope, Trigger

log = logging.getLogger(__name__)

PAUSED_PREFERENCE = "sync_paused"


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reason: str = ""  # for people, when not ready


def readiness() -> Readiness:
    sides = {c.side for c in Connection.select(Connection.side)}
    missing = [name for side, name in (("hike", "Hike"), ("bigcommerce", "BigCommerce")) if side not in sides]
    if missing:
        return Readiness(False, f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not connected yet.")
    if SettingsVersion.select().count() == 0:
        return Readiness(False, "The sync settings are not saved yet.")
    return Readiness(True)


def newest_settings() -> Settings:
    row = SettingsVersion.select().order_by(SettingsVersion.id.desc()).first()
    if row is None:
        raise LookupError("no sync settings are saved")
    return Settings.from_saved(row.data)


def save_safety_stock(units_by_sku: Mapping[str, int | None]) -> Settings:
    """SKUs' own safety stock (None: the default again), saved as one new settings version (issue 20): a product's,
    or its variants' all at once."""
    settings = newest_settings()
    for sku, units in units_by_sku.items():
        settings.safety_stock.set_sku(sku, units)
    skus = [sku.strip() for sku in units_by_sku]
    named = ", ".join(skus[:5]) + (f" and {len(skus) - 5} more" if len(skus) > 5 else "")
    SettingsVersion.create(data=settings.to_json(), note=f"safety stock of {named}")
    return settings


class SyncService:
    """Engine + scheduler on the saved connections and settings; every method is safe from any thread."""

    def __init__(self, credentials: Credentials, *, events: Listeners | None = None,
                 open_clients: Callable[[Credentials], tuple[Any, Any]] | None = None,
                 scheduler_options: dict[str, Any] | None = None,
                 around_pass: Callable[[], ContextManager[Any]] | None = None):
        self.credentials = credentials
        self.events = events if events is not None else Listeners()
        self._open_clients = open_clients
        self._scheduler_options = dict(scheduler_options or {})
        self._around_pass = around_pass or nullcontext  # the GUI keeps the garbage collector out of passes
        self._lock = threading.RLock()
        self.bc: Any = None
        self.hike: Any = None
        self.engine: Any = None
        self.scheduler: SyncScheduler | None = None
        self.settings: Settings | None = None

    # ---- life cycle -----------------------------------------------------------------------------------------
    def start(self, *, startup_pass: bool = True) -> None:
        """Open the clients and start scheduling (raises ``ReconnectNeeded`` / credential errors as they come)."""
        from desktop.sync.connections import open_clients
        from desktop.sync.engine import SyncEngine

        with self._lock:
            if self.scheduler is not None:
                return
            settings = newest_settings()
            bc, hike = (self._open_clients or open_clients)(self.credentials)
            self.bc, self.hike, self.settings = bc, hike, settings
            self.engine = SyncEngine(bc, hike, settings, events=self.events)
            options = {"interval_minutes": int(settings.schedule_minutes),
                       "calls_per_pass_estimate": settings.hike_calls_per_idle_pass(), **self._scheduler_options}
            self.scheduler = SyncScheduler(self._run_pass, events=self.events, **options)
            self.scheduler.start(paused=bool(get_preference(PAUSED_PREFERENCE, False)), startup_pass=startup_pass)
        log.info("Sync service started (every %d min)", self.scheduler.interval_minutes)

    def check_stores(self) -> Any:
        """Check my stores (issue 18): ``diagnose`` on clients of their own (a pass may be using the service's), the
        report kept in the data folder for the support bundle. Read-only; about 25 requests."""
        from desktop import __version__
        from desktop.storage import paths
        from desktop.sync.connections import open_clients
        from desktop.sync.diagnose import diagnose, save_latest

        bc, hike = (self._open_clients or open_clients)(self.credentials)
        try:
            report = diagnose(hike, bc, version=__version__)
        finally:
            bc.close()
            hike.close()
        save_latest(report, paths.app_paths().ensure().data)
        return report

    def _run_pass(self, trigger: str, entities: frozenset[str], *, scope: ReadScope | None = None,
                  only: frozenset[int] | None = None) -> Any:
        with self._lock:
            engine = self.engine
        with self._around_pass():
            return engine.run_pass(trigger, entities, scope=scope, only=only)

    def shutdown(self, wait: bool = True) -> None:
        """The running pass finishes first (with ``wait``); then the clients close."""
        with self._lock:
            scheduler, bc, hike = self.scheduler, self.bc, self.hike
        if scheduler is not None:
            scheduler.shutdown(wait=wait)
        for client in (bc, hike):
            if client is not None:
                try:
                    client.close()
                except Exception:  # noqa: BLE001 - closing is best effort at quit
                    log.exception("Closing a client failed")

    @property
    def started(self) -> bool:
        return self.scheduler is not None

    # ---- requests -------------------------------------------------------------------------------------------
    def sync_now(self, groups: Iterable[str] | None = None) -> bool:
        """A pass for these groups (``products`` / ``customers`` / ``sales``; None = all), now or right after the
        running one. The caller never waits (the pass runs on the scheduler's thread)."""
        scheduler = self.scheduler
        return bool(scheduler and scheduler.sync_now(entities_for(groups)))

    def retry(self, groups: Iterable[str] | None = None) -> bool:
        """Like ``sync_now``, reading every record (not only what changed), so failed records are tried again: a
        record that failed before it was linked is not read again by an incremental pass."""
        scheduler = self.scheduler
        return bool(scheduler and scheduler.sync_now(entities_for(groups), trigger=Trigger.RETRY,
                                                     scope=ReadScope.FULL))

    def check_everything(self) -> bool:
        """"Check everything now": a pass of every group reading every record of both stores, as the daily
        reconciliation does (D11): it also says which linked products were deleted in one store (D9)."""
        scheduler = self.scheduler
        return bool(scheduler and scheduler.sync_now(entities_for(None), trigger=Trigger.MANUAL,
                                                     scope=ReadScope.FULL))

    def retry_records(self, link_ids: Iterable[int]) -> bool:
        """M4 "Retry this record": a pass that reads only these records (``Link`` ids) and syncs them, now or right
        after the running pass; the cursors do not move. Queued with other requests like ``sync_now``: several
        records asked for meanwhile go in one pass; merged with a pass for whole entities, that pass reads every
        record instead (as ``retry`` does)."""
        ids = frozenset(int(i) for i in link_ids)
        scheduler = self.scheduler
        if not ids or scheduler is None:
            return False
        entities: set[str] = set()
        for link in Link.select(Link.entity).where(Link.id.in_(list(ids))):
            entities |= RECORD_ENTITIES.get(link.entity, GROUPS["products"])
        if not entities:
            return False  # the records are gone
        return scheduler.retry_records(entities, ids, trigger=Trigger.RETRY)

    def choose_orders_start(self, choice: str) -> bool:
        """N7: where orders start on a new database whose stores this app synced before (``order_start``:
        ``last-synced``, ``now`` or a moment), then the orders and sales parts run again at once."""
        from desktop.sync import order_start

        order_start.choose(choice)
        return self.sync_now(["sales"])

    def pause(self) -> None:
        set_preference(PAUSED_PREFERENCE, True)
        if self.scheduler is not None:
            self.scheduler.pause()

    def resume(self) -> None:
        set_preference(PAUSED_PREFERENCE, False)
        if self.scheduler is not None:
            self.scheduler.resume()

    def reload_settings(self) -> None:
        """The wizard saved a new settings version: the next pass uses it (the running one keeps its own)."""
        settings = newest_settings()
        with self._lock:
            self.settings = settings
            if self.engine is not None:
                self.engine.settings = settings
                self.engine._ctx = None  # resolved again against the stores on the next pass
        if self.scheduler is not None:
            self.scheduler.set_interval(int(settings.schedule_minutes))
            self.scheduler.set_calls_per_pass_estimate(settings.hike_calls_per_idle_pass())

    # ---- status ---------------------------------------------------------------------------------------------
    @property
    def paused(self) -> bool:
        return self.scheduler.paused if self.scheduler is not None else bool(get_preference(PAUSED_PREFERENCE, False))

    def next_run_time(self) -> datetime | None:
        return self.scheduler.next_run_time() if self.scheduler is not None else None

    def last_run(self) -> RunInfo | None:
        return self.scheduler.last_run() if self.scheduler is not None else None

    def current_run(self) -> RunInfo | None:
        return self.scheduler.current_run() if self.scheduler is not None else None

    def budgets(self) -> dict[str, Budget]:
        """API allowance left per side as the clients' governors last saw it (no call is made)."""
        out: dict[str, Budget] = {}
        for side, client in (("bigcommerce", self.bc), ("hike", self.hike)):
            if client is not None:
                out[side] = client.budget()
        return out

    def product_url_path(self, bc_id: str | int) -> str:
        """The product's storefront path (``/shirt/``), read from BigCommerce: call it off the GUI thread."""
        if self.bc is None:
            raise RuntimeError("the sync service is not started")
        return self.bc.product(int(bc_id)).url_path or ""


# The sandbox stores' own choices (their outlet, location and taxes), saved as the settings in --sandbox mode when
# none are saved yet, so the sandbox syncs from its first start without the wizard.
SANDBOX_SETTINGS = {"inventory_outlet": "Main Street", "bigcommerce_location_id": 1, "shipping_tax": "GST",
                    "tax_map": {"GST": "Default Tax Class", "No Tax": "Non-Taxable Products"}}


def save_sandbox_settings_if_none() -> None:
    if SettingsVersion.select().count() == 0:
        data = {**Settings.template().to_json(), **SANDBOX_SETTINGS}
        SettingsVersion.create(data=Settings.from_json(data).to_json(), note="sandbox defaults")
