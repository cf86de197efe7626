"""Issue 20 part 2, the match review in the window (B2): Manage → Matches lists how the demo stores' products are,
or will be, linked, read from both sandbox stores over real HTTP; decisions made on it by keyboard are recorded
(``MatchDecision`` rows, nothing written to a store) and the list, read again, says what was decided."""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication

from desktop.storage.models import MatchDecision
from desktop.sync.connections import open_clients
from desktop.sync.setup_checks import KINDS
from desktop.views.setup.matches import KIND_WORDS, ORDER, MatchesPage, MatchTableModel
from tests.gui.test_wizard import (WAIT_MS, credentials, emulator_requests, event_loops_run,  # noqa: F401
                                   opened_manage, sandbox, writes)


def matches_tab(qtbot, dialog) -> MatchesPage:
    """The Matches tab, shown, once its first read of both stores is on screen."""
    page = dialog.matches
    with qtbot.waitSignal(page.reviewLoaded, timeout=WAIT_MS):
        dialog.tabs.setCurrentWidget(page)
    return page


def what(page: MatchesPage, number: int) -> str:
    return page.model.data(page.model.index(number, MatchTableModel.WHAT))


def rows_of(page: MatchesPage, kind: str) -> list[int]:
    return [i for i, row in enumerate(page.model.rows) if row.kind == kind]


def select(page: MatchesPage, numbers: list[int]) -> None:
    """Select these rows (as Ctrl+click would) and give the table the focus."""
    table = page.table
    table.setFocus()
    table.selectionModel().clearSelection()
    for number in numbers:
        table.selectionModel().select(page.model.index(number, 0), QItemSelectionModel.SelectionFlag.Select
                                      | QItemSelectionModel.SelectionFlag.Rows)


def decide(qtbot, page: MatchesPage, act) -> None:
    """``act()`` makes a decision; returns once the review read again after it is shown."""
    with qtbot.waitSignal(page.reviewLoaded, timeout=WAIT_MS):
        act()


def test_issue20_b2_the_matches_tab_lists_proposed_links_and_one_sided_products(qtbot, db, sandbox, credentials):
    dialog = opened_manage(qtbot, sandbox, credentials)
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert titles.index("Matches") == titles.index("Fields") + 1 == titles.index("Pre-flight") - 1
    before = {name: len(log) for name, log in emulator_requests(sandbox).items()}
    page = matches_tab(qtbot, dialog)

    counts = page.model.counts()
    assert counts.get("proposed", 0) > 0 and counts.get("only_hike", 0) > 0 and counts.get("only_bigcommerce", 0) > 0
    assert page.model.rowCount() == len(page.model.all_rows) == sum(counts.values())
    proposed = page.model.rows[rows_of(page, "proposed")[0]]
    number = page.model.rows.index(proposed)
    assert what(page, number) == "Will be linked by SKU" and proposed.hike_sku == proposed.bc_sku
    hike_cell = page.model.data(page.model.index(number, MatchTableModel.HIKE))
    assert hike_cell == f"{proposed.hike_name} \u00b7 {proposed.hike_sku}"
    assert what(page, rows_of(page, "only_hike")[0]) == "Only in Hike (will be created in BigCommerce)"
    assert what(page, rows_of(page, "only_bigcommerce")[0]) == "Only in BigCommerce (will be created in Hike)"
    assert page.count.text() == f"{len(page.model.rows)} of {len(page.model.rows)} shown"
    new = {name: log[before[name]:] for name, log in emulator_requests(sandbox).items()}
    assert new["bigcommerce"] and new["hike"], "the review read both stores"
    assert writes(new["bigcommerce"] + new["hike"]) == [], "the review wrote to a store"


def test_issue20_b2_refusing_a_proposed_link_by_keyboard_records_it_and_the_row_says_so(qtbot, db, sandbox,
                                                                                        credentials):
    dialog = opened_manage(qtbot, sandbox, credentials)
    page = matches_tab(qtbot, dialog)
    table = page.table
    qtbot.keyClick(page, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)  # Alt+W: Show
    qtbot.waitUntil(page.show_kind.hasFocus)
    qtbot.keyClicks(page.show_kind, "Will")  # "Will be linked (by SKU or barcode)"
    assert page.show_kind.currentData() == "proposed"
    qtbot.keyClick(page.show_kind, Qt.Key.Key_Tab)  # on to "Check again", then the list
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.waitUntil(table.hasFocus)
    qtbot.keyClick(table, Qt.Key.Key_Home)
    qtbot.keyClick(table, Qt.Key.Key_Down)
    chosen = page.chosen()
    assert len(chosen) == 1 and chosen[0].kind == "proposed", chosen
    refuse = page.buttons["refuse"]
    assert refuse.isEnabled() and not page.buttons["link"].isEnabled() and not page.buttons["forget"].isEnabled()

    qtbot.keyClick(table, Qt.Key.Key_Return)  # Enter: to the first action that applies
    qtbot.waitUntil(refuse.hasFocus)
    assert dialog.isVisible(), "Enter in the list is the page's, not the dialog's default button"
    before = {name: len(log) for name, log in emulator_requests(sandbox).items()}
    decide(qtbot, page, lambda: qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space))
    asked = {name: log[before[name]:] for name, log in emulator_requests(sandbox).items()}
    assert all(len(calls) <= 1 for calls in asked.values()), \
        f"the pair is read, not both catalogs again (about 100 Hike calls at 50 000 products): {asked}"

    row = chosen[0]
    decision = MatchDecision.get(MatchDecision.kind == "refuse")
    assert (decision.hike_id, decision.bc_id) == (str(row.hike_id), str(row.bc_id))
    assert page.banner.kind == "ok" and "Refused" in page.banner.text()
    assert page.model.rows and {r.kind for r in page.model.rows} == {"proposed"}, "the filter stays"
    page.show_kind.setCurrentIndex(page.show_kind.findData(None))  # All
    now = page.chosen()
    assert [(r.kind, r.hike_id, r.bc_id) for r in now] == [("refused", row.hike_id, row.bc_id)], \
        "the row decided on is selected again"
    assert what(page, page.model.rows.index(now[0])) == "You refused this match"
    assert page.buttons["forget"].isEnabled() and not page.buttons["refuse"].isEnabled()

    decide(qtbot, page, lambda: qtbot.keyClick(page.table, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier))
    assert MatchDecision.select().count() == 0, "Alt+M: the decision is forgotten"
    assert "Forgotten" in page.banner.text()
    assert [(r.kind, r.hike_id, r.bc_id) for r in page.chosen()] == [("proposed", row.hike_id, row.bc_id)]


def simple_in_both(page: MatchesPage, credentials) -> tuple[int, int]:
    """Row numbers of a simple product only in Hike and a simple product only in BigCommerce (asked of the stores:
    a simple product never links with one with variants)."""
    bc, hike = open_clients(credentials)
    try:
        hike_row = next(i for i in rows_of(page, "only_hike")
                        if not hike.product(page.model.rows[i].hike_id).variants)
        bc_row = next(i for i in rows_of(page, "only_bigcommerce")
                      if not next(iter(bc.products(ids=[page.model.rows[i].bc_id]))).has_options)
    finally:
        bc.close()
        hike.close()
    return hike_row, bc_row


def test_issue20_b2_linking_one_only_in_hike_and_one_only_in_bigcommerce_by_hand(qtbot, db, sandbox, credentials):
    dialog = opened_manage(qtbot, sandbox, credentials)
    page = matches_tab(qtbot, dialog)
    hike_row, bc_row = simple_in_both(page, credentials)
    hike_p, bc_p = page.model.rows[hike_row], page.model.rows[bc_row]
    select(page, [hike_row])
    assert not page.buttons["link"].isEnabled(), "one product alone is no pair"
    select(page, [hike_row, bc_row])
    assert page.buttons["link"].isEnabled() and not page.buttons["refuse"].isEnabled()

    decide(qtbot, page, lambda: qtbot.keyClick(page.table, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier))
    decision = MatchDecision.get()
    assert (decision.kind, decision.hike_id, decision.bc_id) == ("link", str(hike_p.hike_id), str(bc_p.bc_id))
    assert page.banner.kind == "ok" and "Linked by you" in page.banner.text()
    now = page.chosen()
    assert [(r.kind, r.hike_id, r.bc_id) for r in now] == [("linked_by_you", hike_p.hike_id, bc_p.bc_id)]
    assert what(page, page.model.rows.index(now[0])) == "You linked these"
    assert not any(r.hike_id == hike_p.hike_id and r.kind == "only_hike" for r in page.model.rows)


def test_issue20_b2_a_decision_refused_by_the_rules_says_why_and_changes_nothing(qtbot, db, sandbox, credentials):
    """D2 holds in the window too: a simple product and one with variants are not linked by hand; the banner says
    why, no decision is recorded and the list is as it was."""
    dialog = opened_manage(qtbot, sandbox, credentials)
    page = matches_tab(qtbot, dialog)
    bc, hike = open_clients(credentials)
    try:
        hike_row = next(i for i in rows_of(page, "only_hike") if not hike.product(page.model.rows[i].hike_id).variants)
        bc_row = next(i for i in rows_of(page, "only_bigcommerce")
                      if next(iter(bc.products(ids=[page.model.rows[i].bc_id]))).has_options)
    finally:
        bc.close()
        hike.close()
    before = list(page.model.all_rows)
    select(page, [hike_row, bc_row])
    decide(qtbot, page, page.buttons["link"].click)
    assert page.banner.kind == "error" and "a simple product stays simple" in page.banner.text()
    assert MatchDecision.select().count() == 0
    assert len(page.model.all_rows) == len(before) and set(page.model.all_rows) == set(before)


def test_issue20_b2_excluding_a_product_by_its_sku_and_including_it_again(qtbot, db, sandbox, credentials):
    dialog = opened_manage(qtbot, sandbox, credentials)
    page = matches_tab(qtbot, dialog)
    number = rows_of(page, "only_hike")[0]
    row = page.model.rows[number]
    select(page, [number])
    assert page.buttons["exclude"].isEnabled() and not page.buttons["include"].isEnabled()

    decide(qtbot, page, lambda: qtbot.keyClick(page.table, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier))
    decision = MatchDecision.get()
    assert (decision.kind, decision.sku) == ("exclude", row.hike_sku)
    now = page.chosen()
    assert [(r.kind, r.hike_id) for r in now] == [("excluded", row.hike_id)]
    assert what(page, page.model.rows.index(now[0])) == "Excluded by you"
    assert page.buttons["include"].isEnabled() and not page.buttons["exclude"].isEnabled()

    decide(qtbot, page, lambda: qtbot.keyClick(page.table, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier))
    assert MatchDecision.select().count() == 0 and "Included again" in page.banner.text()
    assert [(r.kind, r.hike_id) for r in page.chosen()] == [("only_hike", row.hike_id)]


def test_issue20_b2_search_and_the_filter_narrow_the_list(qtbot, db, sandbox, credentials):
    dialog = opened_manage(qtbot, sandbox, credentials)
    page = matches_tab(qtbot, dialog)
    total = page.model.rowCount()
    proposed = page.model.rows[rows_of(page, "proposed")[0]]

    qtbot.keyClick(page, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)  # Alt+F: Find
    qtbot.waitUntil(page.search.hasFocus)
    qtbot.keyClicks(page.search, proposed.hike_sku.lower())
    qtbot.waitUntil(lambda: page.model.rowCount() < total, timeout=WAIT_MS)
    assert proposed in page.model.rows
    assert all(proposed.hike_sku.lower() in f"{r.hike_sku} {r.bc_sku} {r.hike_name} {r.bc_name}".lower()
               for r in page.model.rows)
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == total, timeout=WAIT_MS)
    page.search.setText(str(proposed.bc_id))  # an id finds its row too
    qtbot.waitUntil(lambda: page.model.rowCount() < total, timeout=WAIT_MS)
    assert proposed in page.model.rows
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == total, timeout=WAIT_MS)

    qtbot.keyClick(page, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)  # Alt+W: Show
    qtbot.waitUntil(page.show_kind.hasFocus)
    combo = page.show_kind
    for _ in range(combo.count()):
        if combo.currentData() == "only_bigcommerce":
            break
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    only_bc = page.model.counts()["only_bigcommerce"]
    assert combo.currentText() == f"Only in BigCommerce (will be created in Hike) ({only_bc})"
    assert 0 < page.model.rowCount() == only_bc < total
    assert {r.kind for r in page.model.rows} == {"only_bigcommerce"}
    assert page.count.text() == f"{only_bc} of {total} shown"


def test_issue20_b2_every_kind_of_row_has_its_words_and_its_place_in_the_list():
    assert sorted(ORDER) == sorted(KINDS) == sorted(KIND_WORDS)
