"""Sandbox worlds the engine tests share: both stores synced once on a fresh database, and what they were sent."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from desktop.storage.db import close_db, init_db
from desktop.sync.engine import SyncEngine
from tests.integration.stores import Connected, connect
from tests.integration.test_engine_products import PRODUCTS, open_up, settings


@contextmanager
def synced_world(folder: Path, seed: str = "demo") -> Iterator[tuple[Connected, SyncEngine]]:
    """The ``seed`` stores after a first products-and-stock pass, with the engine that made it."""
    init_db(folder / "sync.sqlite3")
    connected = open_up(connect(seed))
    engine = SyncEngine(connected.bc, connected.hike, settings())
    engine.run_pass("first_sync", PRODUCTS)
    try:
        yield connected, engine
    finally:
        connected.close()
        close_db()


def store_writes(connected: Connected, side: str) -> list[dict[str, Any]]:
    """Writes to the store's data since the log was last cleared (a sign-in's token refresh is not one)."""
    return [r for r in connected.requests(side) if r["method"] != "GET" and not r["path"].startswith("/oauth/")]


def clear_requests(connected: Connected) -> None:
    connected.requests("hike", clear=True)
    connected.requests("bigcommerce", clear=True)
