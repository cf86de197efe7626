"""The sync registry's names for its passes and groups (``desktop.sync.registry``: "Products", "products and
stock"), as the window shows them. The sync layer has no Qt, so its names are marked for translators here; a test
(tests/gui/test_translations.py) fails when the registry gains a name this list lacks."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

CONTEXT = "Registry"
MARKED = (
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


def registry_words(name: str) -> str:
    """A registry name in the window's language."""
    return QCoreApplication.translate(CONTEXT, name)
