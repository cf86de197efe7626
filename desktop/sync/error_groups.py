"""Record errors grouped by cause, each with a plain-language hint of the fix (M4).

The error list is the links whose newest result is an error or a conflict: a record leaves it as soon as a pass
syncs it (its newest result becomes ok). Messages are grouped in SQL (one GROUP BY over the
``(entity, last_result)`` index) and the distinct messages are sorted into causes here, so 50 000 failing records
cost one query and a few hundred regex matches.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from peewee import fn

from desktop.storage.models import Link

ERROR_RESULTS = ("error", "conflict")
NOUNS = {"product": ("product", "products"), "customer": ("customer", "customers"), "order": ("order", "orders"),
         "sale": ("sale", "sales"), "variant": ("variant", "variants")}


@dataclass(frozen=True)
class Cause:
    key: str
    title: str
    hint: str  # "{store}" is the store named in the message, when there is one


CAUSES: list[tuple[re.Pattern[str], Cause]] = [
    (re.compile(r"duplicate sku", re.I), Cause(
        "duplicate_sku", "Duplicate SKU",
        "Two or more products share one SKU, so they cannot be matched. Give each its own SKU in {store}, then "
        "retry.")),
    (re.compile(r"duplicate barcode", re.I), Cause(
        "duplicate_barcode", "Duplicate barcode",
        "Two or more products share one barcode. Give each its own barcode in {store} (or a SKU to match by), "
        "then retry.")),
    (re.compile(r"share the email|already share|already linked|has the email", re.I), Cause(
        "shared_email", "Shared email",
        "Customers are matched by email, and these share one. Merge the duplicates or give each its own email, "
        "then retry.")),
    (re.compile(r"not enough stock", re.I), Cause(
        "short_of_stock", "Not enough stock in Hike",
        "Hike has less stock than the order needs in the outlet orders land in. Receive the stock (or correct the "
        "count) in Hike: the order goes on the next pass by itself, or retry now.")),
    (re.compile(r"no longer exists|deleted in|not found", re.I), Cause(
        "deleted", "Deleted on one side",
        "The record was deleted in one store. Deletes are never copied: re-create it there, or unlink it (select "
        "the record for both choices; \"Check everything now\" finds every such record).")),
    (re.compile(r"permission|scope", re.I), Cause(
        "permission", "Missing permission",
        "The API account lacks a permission. Add it to the store-level API account, then retry.")),
    # before "refused": "took too long to answer" and "connection refused" are the network's, not the data's
    (re.compile(r"not confirmed|timed out|timeout|took too long|could not reach|unavailable|connection", re.I), Cause(
        "transient", "Store or network unavailable",
        "The store did not answer in time. This usually passes: retry.")),
    (re.compile(r"refused|invalid|must be|too long|required|422", re.I), Cause(
        "refused", "Refused by the store",
        "The store refused the data. Open the record, correct the field the message names, then retry.")),
]
OTHER = Cause("other", "Other errors", "Read the message on each record; retry once the cause is fixed.")


def cause_of(message: str) -> Cause:
    for pattern, cause in CAUSES:
        if pattern.search(message or ""):
            return cause
    return OTHER


def store_named(message: str) -> str:
    lowered = (message or "").lower()
    if "in hike" in lowered:
        return "Hike"
    if "in bigcommerce" in lowered:
        return "BigCommerce"
    return "the store that has them"


@dataclass
class ErrorGroup:
    cause: Cause
    entity: str
    count: int = 0
    messages: list[str] = field(default_factory=list)  # distinct messages, most frequent first

    @property
    def title(self) -> str:
        one, many = NOUNS.get(self.entity, (self.entity, self.entity + "s"))
        return f"{self.cause.title} on {self.count} {one if self.count == 1 else many}"

    @property
    def hint(self) -> str:
        return self.cause.hint.format(store=store_named(self.messages[0] if self.messages else ""))


def error_groups(entities: tuple[str, ...] | None = None) -> list[ErrorGroup]:
    """The current errors by (cause, entity), biggest group first."""
    query = (Link.select(Link.entity, Link.last_message, fn.COUNT(Link.id).alias("n"))
             .where(Link.last_result.in_(ERROR_RESULTS)).group_by(Link.entity, Link.last_message)
             .order_by(fn.COUNT(Link.id).desc()))
    if entities:
        query = query.where(Link.entity.in_(entities))
    groups: dict[tuple[str, str], ErrorGroup] = {}
    for entity, message, n in query.tuples():
        cause = cause_of(message)
        group = groups.setdefault((cause.key, entity), ErrorGroup(cause, entity))
        group.count += n
        group.messages.append(message)
    return sorted(groups.values(), key=lambda g: (-g.count, g.cause.key, g.entity))


def records_of(group: ErrorGroup, limit: int = 200) -> list[Link]:
    """The records of a group (first ``limit``), for the list under its title."""
    return list(Link.select(Link.id, Link.entity, Link.sku, Link.name, Link.hike_id, Link.bc_id, Link.last_message,
                            Link.status)
                .where(Link.entity == group.entity, Link.last_result.in_(ERROR_RESULTS),
                       Link.last_message.in_(group.messages[:500]))
                .order_by(Link.id).limit(limit))
