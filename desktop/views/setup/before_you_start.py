"""Hike's own advice before a first sync (its help article's "Important notes", in our words; issue 17 finding 9),
shown on the Welcome page, before anything is connected or written."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QGroupBox, QVBoxLayout

from desktop.views.setup.widgets import help_text

# (what, why): each note of the article the app does not already check for the person
NOTES = (
    (QT_TRANSLATE_NOOP("BeforeYouStart", "Tidy your data first."),
     QT_TRANSLATE_NOOP("BeforeYouStart", "The first sync links and copies everything in one go: duplicate SKUs or "
                                         "barcodes, old products and half-filled records are easier to fix before "
                                         "than after.")),
    (QT_TRANSLATE_NOOP("BeforeYouStart", "Back up both catalogs."),
     QT_TRANSLATE_NOOP("BeforeYouStart", "From the first sync on, a change in one store reaches the other. The "
                                         "first box of Pre-flight, the step before saving, writes both catalogs to "
                                         "CSV files before anything is written.")),
    (QT_TRANSLATE_NOOP("BeforeYouStart", "Gift cards, discounts and loyalty points do not sync."),
     QT_TRANSLATE_NOOP("BeforeYouStart", "Hike keeps them; orders carry what the shopper paid.")),
    (QT_TRANSLATE_NOOP("BeforeYouStart", "Other integrations can interfere."),
     QT_TRANSLATE_NOOP("BeforeYouStart", "An app that changes prices, SKUs or barcodes in either store is synced "
                                         "like a person's edit: test with it, or turn it off.")),
)


def before_you_start() -> QGroupBox:
    box = QGroupBox(QCoreApplication.translate("BeforeYouStart", "Before you start"))
    box.setObjectName("beforeYouStart")
    layout = QVBoxLayout(box)
    for what, why in NOTES:
        what, why = (QCoreApplication.translate("BeforeYouStart", text) for text in (what, why))
        layout.addWidget(help_text(f"\u2022 {what} {why}"))  # plain text: no link, no extra Tab stop
    return box
