"""The sync's own words for people, marked for translators: the pass and group names of the registry
(``desktop.sync.registry``: "Products", "products and stock"), the record log's field labels ("Price incl. tax") and
action words ("Linked"), from ``desktop.sync.log_words``. The sync layer has no Qt, so its words are marked here and
translated where the window shows them; tests/gui/test_translations.py fails when the sync gains a word this list
lacks. Messages the engine writes (refusals, "Linked by SKU") stay in English: they are stored in the log as written.
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

REGISTRY = (
    QT_TRANSLATE_NOOP("Registry", "Products"), QT_TRANSLATE_NOOP("Registry", "Stock"),
    QT_TRANSLATE_NOOP("Registry", "Customers"), QT_TRANSLATE_NOOP("Registry", "Orders"),
    QT_TRANSLATE_NOOP("Registry", "Sales"),
    # lower case, inside sentences ("Reading products from Hike…")
    QT_TRANSLATE_NOOP("Registry", "products"), QT_TRANSLATE_NOOP("Registry", "stock"),
    QT_TRANSLATE_NOOP("Registry", "customers"), QT_TRANSLATE_NOOP("Registry", "orders"),
    QT_TRANSLATE_NOOP("Registry", "sales"),
    # what each group's "Sync now" button syncs
    QT_TRANSLATE_NOOP("Registry", "products and stock"), QT_TRANSLATE_NOOP("Registry", "customers both ways"),
    QT_TRANSLATE_NOOP("Registry", "orders and sales"),
)
FIELD_LABELS = (
    QT_TRANSLATE_NOOP("FieldLabels", "Name"), QT_TRANSLATE_NOOP("FieldLabels", "SKU"),
    QT_TRANSLATE_NOOP("FieldLabels", "Barcode"), QT_TRANSLATE_NOOP("FieldLabels", "Price"),
    QT_TRANSLATE_NOOP("FieldLabels", "Cost"), QT_TRANSLATE_NOOP("FieldLabels", "Tax"),
    QT_TRANSLATE_NOOP("FieldLabels", "Track inventory"), QT_TRANSLATE_NOOP("FieldLabels", "Brand"),
    QT_TRANSLATE_NOOP("FieldLabels", "Categories"), QT_TRANSLATE_NOOP("FieldLabels", "Description"),
    QT_TRANSLATE_NOOP("FieldLabels", "Images"), QT_TRANSLATE_NOOP("FieldLabels", "Weight"),
    QT_TRANSLATE_NOOP("FieldLabels", "Width"), QT_TRANSLATE_NOOP("FieldLabels", "Height"),
    QT_TRANSLATE_NOOP("FieldLabels", "Depth"), QT_TRANSLATE_NOOP("FieldLabels", "Variants"),
    QT_TRANSLATE_NOOP("FieldLabels", "Options"), QT_TRANSLATE_NOOP("FieldLabels", "First name"),
    QT_TRANSLATE_NOOP("FieldLabels", "Last name"), QT_TRANSLATE_NOOP("FieldLabels", "Email"),
    QT_TRANSLATE_NOOP("FieldLabels", "Phone"), QT_TRANSLATE_NOOP("FieldLabels", "Company"),
    QT_TRANSLATE_NOOP("FieldLabels", "Address"), QT_TRANSLATE_NOOP("FieldLabels", "Description (plain text)"),
    QT_TRANSLATE_NOOP("FieldLabels", "Price excl. tax"), QT_TRANSLATE_NOOP("FieldLabels", "Price incl. tax"),
    QT_TRANSLATE_NOOP("FieldLabels", "Stock"), QT_TRANSLATE_NOOP("FieldLabels", "Visible"),
    QT_TRANSLATE_NOOP("FieldLabels", "On the online store"), QT_TRANSLATE_NOOP("FieldLabels", "Composite product"),
    QT_TRANSLATE_NOOP("FieldLabels", "Last changed"), QT_TRANSLATE_NOOP("FieldLabels", "Status in Hike"),
    QT_TRANSLATE_NOOP("FieldLabels", "Status in BigCommerce"), QT_TRANSLATE_NOOP("FieldLabels", "Status"),
    QT_TRANSLATE_NOOP("FieldLabels", "Total"), QT_TRANSLATE_NOOP("FieldLabels", "Hike sale"),
)
ACTIONS = (
    QT_TRANSLATE_NOOP("Actions", "Created"), QT_TRANSLATE_NOOP("Actions", "Updated"),
    QT_TRANSLATE_NOOP("Actions", "Linked"), QT_TRANSLATE_NOOP("Actions", "Skipped"),
    QT_TRANSLATE_NOOP("Actions", "Failed"), QT_TRANSLATE_NOOP("Actions", "Stock set"),
    QT_TRANSLATE_NOOP("Actions", "Status set"), QT_TRANSLATE_NOOP("Actions", "Waiting"),
    QT_TRANSLATE_NOOP("Actions", "New version"),
)


def registry_words(name: str) -> str:
    """A registry name in the window's language."""
    return QCoreApplication.translate("Registry", name)


def field_words(label: str) -> str:
    """A field label of the record log in the window's language."""
    return QCoreApplication.translate("FieldLabels", label)


def action_words(text: str) -> str:
    """An action word of the record log ("Linked") in the window's language."""
    return QCoreApplication.translate("Actions", text)
