"""What a pass read, kept in SQLite instead of memory, and handed out in parts (issue 19).

A full pass reads every product of both stores: 50 000 of them held as Python objects took about 1 GB. Instead
each store's list is streamed into temporary tables (``CREATE TEMP TABLE``: SQLite's temporary database, on disk
beyond its small page cache; emptied after the pass and used again by the next), one row per record (pickled:
the client's own record, read back exactly; the tables are the pass's own, never another program's) with the
keys it can be matched by, and ``parts`` hands the pass a few hundred records at a time as an ordinary
``Snapshot``: the pass plans and writes one part, then lets it go.

Each part is self-contained, so planning it alone plans what planning everything at once would:

- a linked record comes with its partner from the other store, when that was read (so "changed in both stores"
  is seen, and an update has the other side's current record);
- a record not linked yet comes with every record not linked yet, of either store, that shares a SKU or a
  barcode with it, and theirs in turn (first-link matching and the duplicate check, D1/D4, see them all); a
  customer with every customer, linked or not, that shares its email (D7's conflicts);
- on a full read, the links whose record one store no longer lists (D9) come first, in parts of their own, with
  whatever of theirs is left (``Snapshot.gone_links``).

Parts follow the order the stores listed their records in. A read that fits one part is one part, as before.
"""
from __future__ import annotations

import itertools
import pickle
import threading
from dataclasses import replace
from datetime import datetime
from typing import Any, Callable, Iterable, Iterator

from desktop.storage.db import database_proxy
from desktop.storage.models import Link
from desktop.sync.passes import Snapshot
from desktop.sync.vocabulary import LinkStatus

PART = 500  # records of each store a part starts from (its matches and partners come on top)
CHUNK = 500  # ids per SQL ``IN (...)``: well under SQLite's variable limit
SIDES = ("hike", "bigcommerce")


def _chunks(values: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


class ReadStore:
    """One entity's read of both stores, in temporary tables of the pass's database connection.

    ``keys(record)``: what a record not linked yet is matched by (normalised SKUs and barcodes, an email);
    ``link_entity``: whose links say what is linked to what; ``linked_keys``: linked records' keys bring records
    too (a customer's email is checked against linked customers' for a conflict, D7)."""

    def __init__(self, link_entity: str, keys: Callable[[Any], Iterable[str]],
                 modified: dict[str, Callable[[Any], datetime | None]], *, linked_keys: bool = False):
        self.link_entity = link_entity
        self.keys = keys
        self.linked_keys = linked_keys
        self.modified = modified
        self.newest: dict[str, datetime] = {}  # per store, the newest change read (a cursor without a Date header)
        self.counts = {side: 0 for side in SIDES}
        self.table = _open_table(link_entity)
        self._sql(f"CREATE TEMP TABLE IF NOT EXISTS {self.table} (side TEXT NOT NULL, id INTEGER NOT NULL, "
                  "seq INTEGER NOT NULL, partner INTEGER, linked INTEGER NOT NULL, taken INTEGER NOT NULL DEFAULT 0, "
                  "body BLOB NOT NULL, PRIMARY KEY (side, id))")
        self._sql(f"CREATE INDEX IF NOT EXISTS {self.table}_seq ON {self.table} (taken, side, seq)")
        self._sql(f"CREATE INDEX IF NOT EXISTS {self.table}_order ON {self.table} (side, seq)")
        self._sql(f"CREATE TEMP TABLE IF NOT EXISTS {self.table}_key (key TEXT NOT NULL, side TEXT NOT NULL, "
                  "id INTEGER NOT NULL)")
        self._sql(f"CREATE INDEX IF NOT EXISTS {self.table}_key_key ON {self.table}_key (key)")
        self._sql(f"CREATE INDEX IF NOT EXISTS {self.table}_key_id ON {self.table}_key (side, id)")
        self._empty()

    @staticmethod
    def _sql(sql: str, params: Iterable[Any] = ()) -> list[Any]:
        """Every row ``sql`` gives, its statement then closed: an open one would keep the table locked."""
        cursor = database_proxy.execute_sql(sql, tuple(params))
        try:
            return cursor.fetchall()
        finally:
            cursor.close()

    # -- filling ------------------------------------------------------------------------------------------------
    def add(self, side: str, records: Iterable[Any], *, if_missing: bool = False) -> None:
        """Stream ``records`` (each with an ``id``) into the store, ``CHUNK`` at a time. A record listed twice (offset
        paging over a list that changed meanwhile) is kept once, as last read; ``if_missing``: as first read."""
        batch: list[Any] = []
        for record in records:
            batch.append(record)
            if len(batch) >= CHUNK:
                self._add_batch(side, batch, if_missing)
                batch = []
        if batch:
            self._add_batch(side, batch, if_missing)

    def _add_batch(self, side: str, records: list[Any], if_missing: bool) -> None:
        links = self._links(side, [r.id for r in records])
        rows, keys = [], []
        for record in records:
            changed = self.modified[side](record)
            if changed is not None and (side not in self.newest or changed > self.newest[side]):
                self.newest[side] = changed
            link = links.get(str(record.id))
            linked = link is not None and link.status not in (LinkStatus.SKIPPED, LinkStatus.FAILED)
            partner = (link.bc_id if side == "hike" else link.hike_id) if linked else None
            self.counts[side] += 1
            rows.append((side, record.id, self.counts[side], int(partner) if partner else None, int(linked),
                         pickle.dumps(record, pickle.HIGHEST_PROTOCOL)))
            if self.linked_keys or not linked:
                keys += [(key, side, record.id) for key in set(self.keys(record)) if key]
        with database_proxy.atomic():
            database_proxy.cursor().executemany(
                f"INSERT OR {'IGNORE' if if_missing else 'REPLACE'} INTO {self.table} "
                "(side, id, seq, partner, linked, body) VALUES (?, ?, ?, ?, ?, ?)", rows)
            if keys:
                database_proxy.cursor().executemany(f"INSERT INTO {self.table}_key VALUES (?, ?, ?)", keys)

    def _links(self, side: str, ids: list[Any]) -> dict[str, Link]:
        column = Link.hike_id if side == "hike" else Link.bc_id
        return {getattr(link, column.name): link for link in Link.select().where(
            Link.entity == self.link_entity, column.in_([str(i) for i in ids]))}

    # -- parts --------------------------------------------------------------------------------------------------
    def parts(self, whole: Snapshot[Any, Any]) -> Iterator[Snapshot[Any, Any]]:
        """Snapshots of a few hundred records each, every record once (see the module's docstring), carrying
        ``whole``'s read times, fullness and short reads."""
        if whole.full:
            gone = self._gone_links()
            for links in _chunks(gone, PART):
                members = {("hike", int(l.hike_id)) for l in links} | {("bigcommerce", int(l.bc_id)) for l in links}
                yield self._part(whole, self._present(members), gone_links=links)
        while True:
            seeds = self._untaken()
            if not seeds:
                return
            yield self._part(whole, seeds, gone_links=[])

    def _part(self, whole: Snapshot[Any, Any], seeds: set[tuple[str, int]],
              gone_links: list[Link]) -> Snapshot[Any, Any]:
        members = self._close(seeds)
        self._take(members)
        return replace(whole, hike=self._load("hike", members), bc=self._load("bigcommerce", members),
                       gone_links=gone_links, store=None)

    def _untaken(self) -> set[tuple[str, int]]:
        seeds: set[tuple[str, int]] = set()
        for side in SIDES:
            rows = self._sql(f"SELECT id FROM {self.table} WHERE taken = 0 AND side = ? ORDER BY seq LIMIT ?",
                             (side, PART))
            seeds |= {(side, row[0]) for row in rows}
        return seeds

    def _present(self, members: set[tuple[str, int]]) -> set[tuple[str, int]]:
        found: set[tuple[str, int]] = set()
        for side in SIDES:
            for ids in _chunks(sorted(i for s, i in members if s == side)):
                rows = self._sql(f"SELECT id FROM {self.table} WHERE taken = 0 AND side = ? AND id IN "
                                 f"({','.join('?' * len(ids))})", (side, *ids))
                found |= {(side, row[0]) for row in rows}
        return found

    def _close(self, seeds: set[tuple[str, int]]) -> set[tuple[str, int]]:
        """``seeds`` with the untaken records they bring: linked partners, and records not linked yet that share a
        key with one of them, until none is added."""
        members, frontier = set(seeds), set(seeds)
        while frontier:
            found: set[tuple[str, int]] = set()
            for side in SIDES:
                other = SIDES[1 - SIDES.index(side)]
                for ids in _chunks(sorted(i for s, i in frontier if s == side)):
                    marks = ",".join("?" * len(ids))
                    partners = self._sql(
                        f"SELECT p.id FROM {self.table} r JOIN {self.table} p ON p.side = ? AND p.id = r.partner "
                        f"WHERE r.side = ? AND r.id IN ({marks}) AND p.taken = 0", (other, side, *ids))
                    found |= {(other, row[0]) for row in partners}
                    sharing = self._sql(
                        f"SELECT DISTINCT k2.side, k2.id FROM {self.table}_key k1 JOIN {self.table}_key k2 "
                        f"ON k2.key = k1.key JOIN {self.table} r ON r.side = k2.side AND r.id = k2.id "
                        f"WHERE k1.side = ? AND k1.id IN ({marks}) AND r.taken = 0", (side, *ids))
                    found |= {(row[0], row[1]) for row in sharing}
            frontier = found - members
            members |= frontier
        return members

    def _take(self, members: set[tuple[str, int]]) -> None:
        for side in SIDES:
            for ids in _chunks(sorted(i for s, i in members if s == side)):
                self._sql(f"UPDATE {self.table} SET taken = 1 WHERE side = ? AND id IN ({','.join('?' * len(ids))})",
                          (side, *ids))

    def _load(self, side: str, members: set[tuple[str, int]]) -> list[Any]:
        rows: list[tuple[int, bytes]] = []
        for ids in _chunks(sorted(i for s, i in members if s == side)):
            rows += self._sql(f"SELECT seq, body FROM {self.table} WHERE side = ? AND id IN "
                              f"({','.join('?' * len(ids))})", (side, *ids))
        return [pickle.loads(body) for _, body in sorted(rows, key=lambda row: row[0])]

    def each(self, side: str) -> Iterator[list[Any]]:
        """Every record of one store, ``PART`` at a time, in the order read (taken by a part or not)."""
        after = 0
        while True:
            rows = self._sql(f"SELECT seq, body FROM {self.table} WHERE side = ? AND seq > ? ORDER BY seq LIMIT ?",
                             (side, after, PART))
            if not rows:
                return
            after = rows[-1][0]
            yield [pickle.loads(body) for _, body in rows]

    def _gone_links(self) -> list[Link]:
        """The ``linked`` links one store's full read lacks a record of (``deleted_links.find_gone`` decides)."""
        link = Link._meta.table_name
        rows = self._sql(
            f"SELECT l.id FROM {link} l WHERE l.entity = ? AND l.status = ? AND l.hike_id IS NOT NULL "
            f"AND l.bc_id IS NOT NULL AND (NOT EXISTS (SELECT 1 FROM {self.table} r WHERE r.side = 'hike' "
            f"AND r.id = CAST(l.hike_id AS INTEGER)) OR NOT EXISTS (SELECT 1 FROM {self.table} r "
            f"WHERE r.side = 'bigcommerce' AND r.id = CAST(l.bc_id AS INTEGER))) ORDER BY l.id",
            (self.link_entity, LinkStatus.LINKED.value))
        gone: list[Link] = []
        for ids in _chunks([row[0] for row in rows]):
            gone.extend(Link.select().where(Link.id.in_(ids)).order_by(Link.id))
        return gone

    def _empty(self) -> None:
        self._sql(f"DELETE FROM {self.table}")
        self._sql(f"DELETE FROM {self.table}_key")

    def close(self) -> None:
        """Empty the tables for the next read (``DROP TABLE`` would fail while any statement of the connection is
        still open, e.g. a query being iterated)."""
        if self.table in _in_use.names:
            self._empty()
            _in_use.names.discard(self.table)


_in_use = threading.local()  # per thread (its own database connection, its own temporary tables): names open


def _open_table(entity: str) -> str:
    """A table name no open store of this thread uses: ``read_product``, else ``read_product_2``, ..."""
    names = _in_use.__dict__.setdefault("names", set())
    name = next(n for n in (f"read_{entity}" + (f"_{i}" if i > 1 else "") for i in itertools.count(1))
                if n not in names)
    names.add(name)
    return name
