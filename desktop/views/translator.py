"""The window's language: Qt's translator loads ``desktop/locale/hike-bc-sync_<language>.qm`` for the person's
language when this build carries one, and English (the texts in the code) stays otherwise.

Every text the window shows goes through ``tr()`` (``self.tr`` in a widget, ``QCoreApplication.translate`` with a
literal context elsewhere); ``scripts/update-translations`` collects them into ``translations/hike-bc-sync.ts`` for
translators and compiles their files into ``desktop/locale/`` (docs/ARCHITECTURE.md, "Translations")."""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
CATALOG = "hike-bc-sync"

log = logging.getLogger(__name__)


def install_translator(app: QCoreApplication, locale: QLocale | None = None) -> QTranslator | None:
    """Load the catalog for ``locale`` (the system's by default) into ``app``, once (the self-test builds the
    application again in a running process); None when this build has none for it."""
    if app.findChild(QTranslator, CATALOG) is not None:
        return app.findChild(QTranslator, CATALOG)
    translator = QTranslator(app)
    translator.setObjectName(CATALOG)
    locale = locale or QLocale()
    # QLocale's own fallbacks: de_AT tries hike-bc-sync_de_at.qm, then hike-bc-sync_de.qm
    if not translator.load(locale, CATALOG, "_", str(LOCALE_DIR)):
        translator.deleteLater()
        return None
    app.installTranslator(translator)
    log.info("Window texts in %s (%s)", locale.name(), translator.filePath())
    # Qt's own words (the standard buttons' "Close", "Cancel") from Qt's catalog, when this Qt ships it
    qt_words = QTranslator(app)
    if qt_words.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_words)
    else:
        qt_words.deleteLater()
    return translator
