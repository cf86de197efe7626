"""Our own updates, told from a person's change after a crash (N2, D10).

A pass saves a link's fingerprints once the store has accepted an update. A kill between the two leaves the old
fingerprints, so the next pass reads our own write as a change made in that store. When the other store changed
too (a person, meanwhile), the "newer change wins" rule then compares two stores' clocks, and our echo could beat
the person's later change: BigCommerce dates a change to the second, Hike more finely, so a write of ours at
12:00:00.6 looks newer than a rename at 12:00:00.9. The rename would be lost.

So before an update is sent, the fingerprint the record will show once it holds what we send
(``product_writes.expected_fingerprint``) is recorded in the outbox and committed, as creates are. The next pass
that reads the record with exactly that fingerprint knows the change is ours: the link takes it as its own and
only the other store's change remains. Any other fingerprint is a change as before (a person's, or ours that a
store saved differently). An expectation ends with the write's outcome, or once the record is read again; either way its row goes.

The same transaction forgets what the link saw of the record the write is made from (the other store's), as the
stock pass forgets the level last pushed. A kill before the outcome is saved would otherwise leave the link with
that record's older fingerprint; had the person then put the record back as it was (a price typed wrong and
corrected), it would match the link again and look unchanged, and the other store would keep the write the
correction undid, for good. Forgotten, the record counts as changed when it is read again, and the plan compares
the two stores afresh: the correction is written, or the same values once more. The links in memory keep their
fingerprints, so a write that fails saves its link as it was.
"""
from __future__ import annotations

from desktop.storage.db import database_proxy
from desktop.storage.models import Link, PendingWork
from desktop.sync.journal import begin_work, unfinished_work

ACTION = "expect_update"
FIELDS = {"hike": "hike_fingerprint", "bigcommerce": "bc_fingerprint"}  # the link's fingerprint of each store
SOURCE = {"hike": "bc_fingerprint", "bigcommerce": "hike_fingerprint"}  # of the record a write to a side is made from


def _key(entity: str, side: str, link_id: int) -> str:
    return f"{entity}:expect:{side}:{link_id}"


class OwnWrites:
    """One pass's view of an entity's updates in flight: read when the pass plans, kept up as it writes."""

    def __init__(self, entity: str):
        self.entity = entity
        self._rows: dict[tuple[int, str], PendingWork] | None = None  # read when first needed
        self._read: list[PendingWork] = []  # expectations whose record was read: ended when the pass applies
        self._adopted: list[tuple[Link, str]] = []  # links that took our write's fingerprint as theirs

    @property
    def _open(self) -> dict[tuple[int, str], PendingWork]:
        if self._rows is None:
            self._rows = {(int(row.payload["link"]), row.payload["side"]): row
                          for row in unfinished_work(self.entity) if row.action == ACTION}
        return self._rows

    def changed(self, link: Link, side: str, fingerprint: str) -> bool:
        """Whether the record just read in ``side`` changed since the link last saw it, not by our own write."""
        field = FIELDS[side]
        row = self._open.pop((link.id, side), None)
        if row is not None:
            self._read.append(row)
        if fingerprint == getattr(link, field):
            return False
        if row is not None and row.payload.get("fingerprint") == fingerprint:
            setattr(link, field, fingerprint)  # saved when the pass applies (a dry run saves nothing)
            self._adopted.append((link, field))
            return False
        return True

    def save_read(self) -> None:
        """The expectations the plan settled: the links that recognised our write keep it, and every expectation
        whose record was read is ended."""
        with database_proxy.atomic():
            for link, field in self._adopted:
                Link.update({field: getattr(link, field)}).where(Link.id == link.id).execute()
            for row in self._read:
                row.delete_instance()
        self._adopted, self._read = [], []

    def expect(self, side: str, fingerprints: dict[int, str]) -> None:
        """Before an update is sent: per link id, the fingerprint its record in ``side`` will then show; the link's
        fingerprint of the other store's record is forgotten until the outcome is saved. Committed here, so a crash
        once the request has gone leaves both for the next pass."""
        if not fingerprints:
            return
        with database_proxy.atomic():
            for link_id, fingerprint in fingerprints.items():
                self._open[(link_id, side)] = begin_work(self.entity, _key(self.entity, side, link_id), ACTION,
                                                         {"link": link_id, "side": side, "fingerprint": fingerprint})
            ids = list(fingerprints)
            for start in range(0, len(ids), 500):
                Link.update({SOURCE[side]: ""}).where(Link.id.in_(ids[start:start + 500])).execute()

    def settle(self, link_id: int, side: str) -> None:
        """The write's outcome (done or refused) is being saved: call inside that transaction. Its expectation
        ends, and goes (an outbox row per update would only pile up)."""
        row = self._open.pop((link_id, side), None)
        if row is not None:
            row.delete_instance()
