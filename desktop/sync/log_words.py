"""The per-record log in words (issue 17, finding 6): field names, actions and how a pair was matched, as people
read them. The log keeps its machine words (``LogEntry.diff`` keyed by field name, ``LogEntry.action`` "update");
the views show these labels instead, and the messages the engine writes say "Linked by SKU", never "by sku".

- ``field_label(entity, name)`` — "Price incl. tax" for ``price_inc_tax``: a product's by
  ``product_fields.field_label`` (the table's label, else the record attribute's), a customer's by the customer
  table's label, an order's or sale's notes by ``OTHER_LABELS``, else the key with its underscores as spaces;
- ``action_text(action)`` — "Linked" for ``link``;
- ``linked_by(by)`` — "Linked by SKU" for a product pair matched on ``sku``.
"""
from __future__ import annotations

from desktop.sync import product_fields
from desktop.sync.customer_fields import CUSTOMER_TABLE

# What orders', sales' and stock entries note
OTHER_LABELS = {
    "hike_status": "Status in Hike", "bc_status": "Status in BigCommerce", "status": "Status", "total": "Total",
    "sale": "Hike sale", "stock": "Stock",
}
CUSTOMER_LABELS = {f.name: f.label for f in CUSTOMER_TABLE}
ACTION_TEXT = {
    "create": "Created", "update": "Updated", "link": "Linked", "skip": "Skipped", "fail": "Failed",
    "stock": "Stock set", "status": "Status set", "wait": "Waiting", "version": "New version",
}
MATCH_WORDS = {"sku": "SKU", "barcode": "barcode", "email": "email", "you": "you"}  # you: linked by hand (B2)


def field_label(entity: str, name: str) -> str:
    """How people see a field of a record of ``entity`` ("product", "customer", "order", …)."""
    if entity == "product" and product_fields.field_label(name) != name:
        return product_fields.field_label(name)
    found = (CUSTOMER_LABELS.get(name) if entity == "customer" else None) or OTHER_LABELS.get(name)
    if found:
        return found
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else name


def action_text(action: str) -> str:
    return ACTION_TEXT.get(action, action.replace("_", " ").capitalize())


def linked_by(by: str) -> str:
    """"Linked by SKU" / "Linked by barcode": the message of a pair matched on ``by``."""
    return f"Linked by {MATCH_WORDS.get(by, by.replace('_', ' '))}"
