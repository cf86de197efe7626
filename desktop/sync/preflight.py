"""Checks shown before the first sync and re-runnable any time (P1, P2), the catalog backup (C7), and the stock
comparison offered when order stock is switched back on (S9).

P3, the dry run, is the engine's own plan with nothing applied (``engine.SyncEngine.dry_run``).
"""
from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from desktop.storage import paths
from desktop.sync.bigcommerce import BCProduct
from desktop.sync.hike_models import HikeProduct
from desktop.sync.mapping import hike_stock_level
from desktop.sync.money import bc_inventory_level


@dataclass(frozen=True)
class DuplicateRecord:
    id: str
    name: str


@dataclass(frozen=True)
class Duplicate:
    """One value shared by several records on one side: each of them will fail to sync (D4)."""

    side: str  # hike | bigcommerce
    kind: str  # sku | barcode
    value: str
    records: tuple[DuplicateRecord, ...]

    @property
    def message(self) -> str:
        store = "Hike" if self.side == "hike" else "BigCommerce"
        label = "SKU" if self.kind == "sku" else ("barcode" if self.side == "hike" else "UPC")
        names = ", ".join(f"{r.name} ({r.id})" for r in self.records)
        return f"{len(self.records)} records in {store} share the {label} {self.value}: {names}"


def _group(side: str, kind: str, entries: Iterable[tuple[str | None, str, str]]) -> list[Duplicate]:
    """``entries``: (value, id, name). SKUs and barcodes compare without letter case or surrounding spaces, as
    BigCommerce enforces SKUs."""
    groups: dict[str, list[DuplicateRecord]] = defaultdict(list)
    shown: dict[str, str] = {}
    for value, rid, name in entries:
        if not value or not value.strip():
            continue
        key = value.strip().lower()
        shown.setdefault(key, value.strip())
        groups[key].append(DuplicateRecord(rid, name))
    return [Duplicate(side, kind, shown[k], tuple(v)) for k, v in sorted(groups.items()) if len(v) > 1]


def _duplicates(side: str, rows: Iterable[tuple[str | None, str | None, str, str]]) -> list[Duplicate]:
    """``rows``: (SKU, barcode or UPC, id, name) of every product and variant on one side."""
    rows = list(rows)
    return _group(side, "sku", ((sku, rid, name) for sku, _, rid, name in rows)) + \
        _group(side, "barcode", ((code, rid, name) for _, code, rid, name in rows))


def hike_duplicates(products: Iterable[HikeProduct]) -> list[Duplicate]:
    def rows() -> Iterable[tuple[str | None, str | None, str, str]]:
        for p in products:
            yield p.sku, p.barcode, str(p.id), p.name
            for v in p.variants:
                yield v.sku, v.barcode, str(v.id), v.name or p.name

    return _duplicates("hike", rows())


def bigcommerce_duplicates(products: Iterable[BCProduct]) -> list[Duplicate]:
    def rows() -> Iterable[tuple[str | None, str | None, str, str]]:
        for p in products:
            yield p.sku, p.upc, str(p.id), p.name
            for v in p.variants:
                if v.option_values:  # the base variant repeats the product's own SKU and UPC
                    label = f"{p.name} / {' '.join(value for _, value in v.option_values)}"
                    yield v.sku, v.upc, f"{p.id}/{v.id}", label

    return _duplicates("bigcommerce", rows())


@dataclass(frozen=True)
class TaxCheck:
    """P2: Hike's "tax inclusive prices" rule against how BigCommerce prices are entered."""

    hike_tax_inclusive: bool
    bigcommerce_price_entered_with_tax: bool

    @property
    def consistent(self) -> bool:
        return self.hike_tax_inclusive == self.bigcommerce_price_entered_with_tax

    @property
    def message(self) -> str:
        if self.consistent:
            kind = "including" if self.hike_tax_inclusive else "excluding"
            return f"Both stores enter prices {kind} tax."
        if self.bigcommerce_price_entered_with_tax:
            return ("BigCommerce prices are entered including tax, but Hike is set to tax-exclusive prices. Tick "
                    "'Tax inclusive prices' in Hike (Setup → General rules), or in BigCommerce set Settings → Tax → "
                    "'Prices entered with tax' to 'No', so prices do not change by the tax amount when they sync.")
        return ("BigCommerce prices are entered excluding tax, but Hike is set to tax-inclusive prices. Untick "
                "'Tax inclusive prices' in Hike (Setup → General rules), or in BigCommerce set Settings → Tax → "
                "'Prices entered with tax' to 'Yes', so prices do not change by the tax amount when they sync.")


# -- backup (C7) -----------------------------------------------------------------------------------------------------
HIKE_COLUMNS = ["id", "parent_id", "name", "sku", "barcode", "brand", "product_types", "active", "ecommerce",
                "track_inventory", "outlet_id", "outlet_name", "price_ex_tax", "price_inc_tax", "cost_price",
                "tax_name", "on_hand", "reserved", "description"]
BC_COLUMNS = ["product_id", "variant_id", "name", "options", "sku", "upc", "type", "price", "retail_price",
              "sale_price", "cost_price", "inventory_level", "inventory_tracking", "brand_id", "categories",
              "tax_class_id", "is_visible", "weight", "url", "date_modified", "description"]


def _hike_rows(products: Iterable[HikeProduct]) -> Iterable[list[object]]:
    for p in products:
        owners = [(p, None)] + [(p, v) for v in p.variants]
        for product, variant in owners:
            outlets = (variant.outlets if variant else product.outlets) or [None]
            for o in outlets:
                yield [variant.id if variant else product.id, product.id if variant else "",
                       variant.name if variant else product.name, (variant.sku if variant else product.sku) or "",
                       (variant.barcode if variant else product.barcode) or "", product.brand_name or "",
                       "|".join(product.product_type_names), product.is_active, product.is_ecommerce,
                       product.track_inventory, o.outlet_id if o else "", (o.outlet_name or "") if o else "",
                       o.price_ex_tax if o else "", o.price_inc_tax if o else "", o.cost_price if o else "",
                       (o.tax_name or "") if o else "", o.on_hand if o else "", o.reserved if o else "",
                       "" if variant else (product.description or "")]


def _bc_rows(products: Iterable[BCProduct]) -> Iterable[list[object]]:
    for p in products:
        yield [p.id, "", p.name, "", p.sku, p.upc, p.type, p.price, p.retail_price, p.sale_price, p.cost_price,
               p.inventory_level, p.inventory_tracking, p.brand_id, "|".join(map(str, p.categories)),
               p.tax_class_id, p.is_visible, p.weight, p.url_path,
               p.date_modified.isoformat() if p.date_modified else "", p.description]
        for v in p.variants:
            if not v.option_values:
                continue
            yield [p.id, v.id, p.name, "|".join(f"{n}={val}" for n, val in v.option_values), v.sku, v.upc, "",
                   v.price if v.price is not None else "", v.retail_price or "", v.sale_price or "",
                   v.cost_price or "", v.inventory_level, "", "", "", "", "", v.weight or "", "", "", ""]


# Spreadsheet formula injection (issue 14 finding 7): product names, SKUs and descriptions come from the stores,
# where anyone with a control-panel login can type ``=HYPERLINK(...)`` or ``=cmd|...``, and managers open these
# files in Excel. As OWASP advises, a cell starting with = + - @ tab or carriage return gets a leading ``'``, so it
# is shown as text and never run. Plain numbers (``-5`` stock, ``-0.50`` price) are left alone, as OWASP allows: a
# number cannot call anything, and quoting it would turn the file's numeric columns into text in the spreadsheet.
# A cell that already starts with ``'`` is quoted too, so ``unescape_cell`` can drop exactly one ``'`` and every
# text reads back as it was written (``read_backup``).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")


def escape_cell(value: object) -> str:
    """One CSV cell as written to a backup: text a spreadsheet would run as a formula starts with ``'``."""
    text = "" if value is None else str(value)
    if text.startswith("'") or (text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text)):
        return "'" + text
    return text


def unescape_cell(text: str) -> str:
    """The inverse of ``escape_cell``: the cell's value as the store held it."""
    return text[1:] if text.startswith("'") else text


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A backup CSV file (UTF-8 with BOM, so spreadsheet programs read accents right), every cell escaped, written
    to ``.part`` and renamed, so a half-written file never has the final name. The file is its owner's alone
    (0600, issue 14 finding 12): it holds the whole catalog, and the folder may be one others can read."""
    tmp = path.with_suffix(".csv.part")
    try:
        with open(tmp, "w", newline="", encoding="utf-8-sig", opener=paths.private_opener) as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows([escape_cell(cell) for cell in row] for row in rows)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk leaves no half file behind, and gets its room back
        raise


def read_backup(path: Path) -> list[dict[str, str]]:
    """A backup file's rows as {column: value}, each value as the store held it (``unescape_cell``)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [{column: unescape_cell(cell) for column, cell in row.items()} for row in csv.DictReader(handle)]


def write_backup(folder: Path, hike_products: Iterable[HikeProduct], bc_products: Iterable[BCProduct],
                 now: datetime | None = None) -> tuple[Path, Path]:
    """Both catalogs as CSV files (``write_csv``)."""
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=True)
    hike_path = folder / f"hike-products-{stamp}.csv"
    bc_path = folder / f"bigcommerce-products-{stamp}.csv"
    write_csv(hike_path, HIKE_COLUMNS, _hike_rows(hike_products))
    write_csv(bc_path, BC_COLUMNS, _bc_rows(bc_products))
    return hike_path, bc_path


@dataclass(frozen=True)
class StockDifference:
    """One linked item whose stock differs between the stores (S9: compared before switching order stock back on)."""

    sku: str
    name: str
    hike: Decimal  # available in the inventory outlet(s)
    bigcommerce: int

    @property
    def message(self) -> str:
        return f"{self.name} (SKU {self.sku}): Hike {self.hike.normalize():f}, BigCommerce {self.bigcommerce}"


def stock_differences(hike_products: Iterable[HikeProduct], bc_products: Iterable[BCProduct],
                      product_links: dict[str, Any], variant_links: dict[str, Any],
                      outlet_ids: Sequence[int],
                      buffer_of: Callable[[str | None], int] = lambda sku: 0) -> list[StockDifference]:
    """Linked, stock-tracked items whose Hike level (whole units less the safety stock, as BigCommerce would get
    it) differs from BigCommerce's: what a manager should reconcile before orders move Hike stock again (S9)."""
    bc_levels: dict[str, int] = {}
    for product in bc_products:
        bc_levels[f"p{product.id}"] = product.inventory_level or 0
        for variant in product.variants or ():
            bc_levels[f"v{variant.id}"] = variant.inventory_level or 0
    out: list[StockDifference] = []
    for product in hike_products:
        link = product_links.get(str(product.id))
        if link is None or link.status != "linked" or not link.bc_id or not product.track_inventory:
            continue
        items = [(variant_links.get(str(v.id)), v.outlets, v.sku, v.name or product.name) for v in product.variants] \
            if product.variants else [(link, product.outlets, product.sku, product.name)]
        for item_link, outlets, sku, name in items:
            if item_link is None or not item_link.bc_id:
                continue
            key = f"{'v' if product.variants else 'p'}{item_link.bc_id}"
            if key not in bc_levels:
                continue
            level = hike_stock_level(outlets, outlet_ids)
            if max(0, bc_inventory_level(level) - buffer_of(sku)) != bc_levels[key]:
                out.append(StockDifference(sku or "", name, level, bc_levels[key]))
    return sorted(out, key=lambda d: d.sku.lower())


def compare_stock(hike: Any, bc: Any, outlet_ids: Sequence[int],
                  buffer_of: Callable[[str | None], int] = lambda sku: 0) -> list[StockDifference]:
    """``stock_differences`` of both stores' catalogs as they are now, over the saved links (S9)."""
    from desktop.sync.journal import links_by_hike

    return stock_differences([p for p in hike.products() if not p.parent_id], bc.products(),
                             links_by_hike("product"), links_by_hike("variant"), outlet_ids, buffer_of)
