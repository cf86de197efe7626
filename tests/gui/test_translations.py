"""Issue 17, "Plain words": every text the window shows goes through Qt's ``tr()``, so the app can be translated.

Proved with a pseudo-translation: ``scripts/update-translations --template`` collects the texts the code marks, each
is translated as ``⟦text⟧``, compiled with ``pyside6-lrelease`` and loaded into the running application the way
``desktop/views/translator.py`` loads a real one. Then the wizard's pages, the main window's tabs and Manage are
built and every text a person sees on them must carry the brackets: a text without them was not marked (or was
marked with a context Qt does not look in at run time)."""
from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import (QAbstractButton, QApplication, QDialogButtonBox, QGroupBox, QLabel, QLineEdit,
                               QDoubleSpinBox, QSpinBox, QTabWidget, QWidget)

from desktop import APP_NAME
from desktop.views import translator
from desktop.views.main_window import MainWindow, StoreSummary
from tests.gui.test_wizard import (Browser, credentials, event_loops_run, make_wizard, person,  # noqa: F401
                                   sandbox)

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "translations" / "hike-bc-sync.ts"
LRELEASE = ROOT / ".venv" / "bin" / "pyside6-lrelease"
TAG = re.compile(r"<[^>]+>")


def messages(ts: Path) -> set[tuple[str, str]]:
    return {(context.findtext("name"), message.findtext("source"))
            for context in ET.parse(ts).getroot().iter("context") for message in context.iter("message")}


@pytest.fixture(scope="module")
def fresh_template(tmp_path_factory) -> Path:
    ts = tmp_path_factory.mktemp("translations") / "hike-bc-sync.ts"
    subprocess.run([str(ROOT / "scripts" / "update-translations"), "--template", str(ts)], check=True,
                   capture_output=True)
    return ts


def test_every_name_the_sync_registry_shows_is_marked_for_translators():
    from desktop.sync.registry import ENTITY_LABELS, SYNC_GROUPS
    from desktop.views.sync_words import REGISTRY as MARKED

    names = {*ENTITY_LABELS.values(), *(g.label for g in SYNC_GROUPS), *(g.what for g in SYNC_GROUPS)}
    names |= {n.lower() for n in ENTITY_LABELS.values()}
    assert names <= set(MARKED), sorted(names - set(MARKED))


def test_every_field_label_and_action_word_of_the_record_log_is_marked_for_translators():
    from desktop.sync import log_words, product_fields
    from desktop.sync.customer_fields import CUSTOMER_TABLE
    from desktop.views.sync_words import ACTIONS, FIELD_LABELS

    labels = {f.label for table in (product_fields.PRODUCT_TABLE, product_fields.VARIANT_TABLE, CUSTOMER_TABLE)
              for f in table}
    labels |= set(product_fields.RECORD_LABELS.values()) | set(log_words.OTHER_LABELS.values())
    assert labels <= set(FIELD_LABELS), sorted(labels - set(FIELD_LABELS))
    assert set(log_words.ACTION_TEXT.values()) <= set(ACTIONS)


def test_the_template_holds_every_text_the_window_marks(fresh_template):
    fresh, committed = messages(fresh_template), messages(TEMPLATE)
    assert len(fresh) > 400, "far fewer marked texts than the window shows"
    # a tr() outside a class gets no context, and Qt would never find its translation at run time
    assert all(context for context, _ in fresh), [source for context, source in fresh if not context]
    missing, stale = fresh - committed, committed - fresh
    assert not missing and not stale, (
        f"translations/hike-bc-sync.ts is out of date: run scripts/update-translations "
        f"({len(missing)} new texts, e.g. {sorted(missing)[:3]}; {len(stale)} gone, e.g. {sorted(stale)[:3]})")


@pytest.fixture
def pseudo_translated(fresh_template, tmp_path, monkeypatch):
    """The application speaking "pseudo": every marked text shows as ⟦text⟧."""
    tree = ET.parse(fresh_template)
    for message in tree.getroot().iter("message"):
        translation = message.find("translation")
        translation.attrib.pop("type", None)
        translation.text = f"⟦{message.findtext('source')}⟧"
    tree.write(tmp_path / "pseudo.ts", encoding="utf-8", xml_declaration=True)
    subprocess.run([str(LRELEASE), str(tmp_path / "pseudo.ts"), "-qm",
                    str(tmp_path / f"{translator.CATALOG}_fr.qm")], check=True, capture_output=True)
    monkeypatch.setattr(translator, "LOCALE_DIR", tmp_path)
    app = QApplication.instance()
    loaded = translator.install_translator(app, QLocale(QLocale.Language.French))
    assert loaded is not None
    yield
    app.removeTranslator(loaded)
    loaded.setParent(None)


def shown_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for every text a person sees in ``root`` as it is shown now."""
    found = [("window title", root.windowTitle())] if root.isWindow() else []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root.window()) and widget is not root:
            continue
        where = f"{type(widget).__name__}:{widget.objectName()}"
        if isinstance(widget, QLabel):
            found.append((where, widget.text()))
        elif isinstance(widget, QAbstractButton):
            box = widget.parent()
            if isinstance(box, QDialogButtonBox) and box.standardButton(widget) != QDialogButtonBox.StandardButton.NoButton:
                continue  # Qt's own words ("Close"), from Qt's translations
            found.append((where, widget.text()))
        elif isinstance(widget, QGroupBox):
            found.append((where, widget.title()))
        elif isinstance(widget, QLineEdit) and not widget.text():
            found.append((where + " placeholder", widget.placeholderText()))
        elif isinstance(widget, (QSpinBox, QDoubleSpinBox)):
            found += [(where + " suffix", widget.suffix()), (where + " prefix", widget.prefix())]
        elif isinstance(widget, QTabWidget):
            found += [(where + " tab", widget.tabText(i)) for i in range(widget.count())]
        if widget.toolTip():
            found.append((where + " tooltip", widget.toolTip()))
    return found


def untranslated(root: QWidget, data: set[str] = frozenset()) -> list[tuple[str, str]]:
    """Texts with words that did not come through the translator (``data``: what the stores or the sync said)."""
    return [(where, text) for where, text in shown_texts(root)
            if re.search(r"[A-Za-z]{2}", TAG.sub("", text)) and "⟦" not in text and TAG.sub("", text) not in data]


def test_every_wizard_page_shows_only_translated_texts(qtbot, pseudo_translated, make_wizard):
    wizard = make_wizard()
    left: list[tuple[str, str, str]] = []
    for index, page in enumerate(wizard.pages):
        wizard.stack.setCurrentIndex(index)
        QCoreApplication.processEvents()
        left += [(page.objectName(), where, text) for where, text in untranslated(wizard)]
    assert not sorted(set(left)), "\n".join(f"{p} {w}: {t!r}" for p, w, t in sorted(set(left)))


def test_the_main_window_shows_only_translated_texts(qtbot, db, pseudo_translated):
    window = MainWindow(StoreSummary(), None, setup_reason="Hike is not connected yet.")
    qtbot.addWidget(window)
    window.show()
    left: list[tuple[str, str]] = []
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        QCoreApplication.processEvents()
        left += untranslated(window, data={"Hike is not connected yet.", APP_NAME})
    assert not sorted(set(left)), "\n".join(f"{w}: {t!r}" for w, t in sorted(set(left)))


def test_the_monitor_views_show_only_translated_texts(qtbot, db, pseudo_translated):
    from datetime import datetime, timezone

    from desktop.storage.models import Link, LogEntry, Run
    from desktop.views.dashboard import Dashboard
    from desktop.views.errors_view import ErrorsView
    from desktop.views.record_log import RecordLogDialog
    from desktop.views.records_view import RecordsView
    from desktop.views.runs_view import RunsView
    from desktop.views.status_summary import StatusSummary
    from desktop.views.sync_bridge import SyncBridge

    run = Run.create(trigger="schedule", scope="products", started_at=datetime(2025, 3, 1, tzinfo=timezone.utc),
                     finished_at=datetime(2025, 3, 1, 0, 1, tzinfo=timezone.utc), status="partial",
                     counts={"product": {"error": 1}})
    link = Link.create(entity="product", hike_id="7", status="failed", name="Mug", sku="MUG-1", last_result="error",
                       last_message="Duplicate SKU MUG-1")
    LogEntry.create(run=run, entity="product", hike_id="7", sku="MUG-1", action="fail", result="error",
                    message="Duplicate SKU MUG-1")
    data = {"Mug", "MUG-1", "Duplicate SKU MUG-1"}
    summary = StatusSummary(SyncBridge())
    views = [Dashboard(summary), RecordsView(("product", "variant"), "products"),
             ErrorsView(lambda *_: True, lambda *_: True), RunsView(), RecordLogDialog(link.id)]
    left: list[tuple[str, str]] = []
    for view in views:
        qtbot.addWidget(view)
        view.show()
        qtbot.waitExposed(view)
        QCoreApplication.processEvents()
        left += [(type(view).__name__ + " " + where, text) for where, text in untranslated(view, data)]
    assert not sorted(set(left)), "\n".join(f"{w}: {t!r}" for w, t in sorted(set(left)))
