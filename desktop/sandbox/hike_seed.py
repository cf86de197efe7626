"""Hike-side fixtures for the emulator, rendered from the neutral shop in ``catalog``.

Every fixture is a JSON-serialisable dict in Hike's own field names (``HikeEmulator.load_seed`` reads it, and
``POST /__emulator/seed`` accepts it):
``{"store", "outlets", "registers", "taxes", "payment_types", "product_types", "brands", "suppliers", "products",
"customers", "sales"}``. Products are Hike product objects: variant parents carry ``product_variants`` (each
variant becomes its own product row when loaded) and composites carry ``product_extras``.

- ``demo()``: 3 outlets, 3 registers, the ~270 Hike products of ``catalog.shop_items(300)``, 100 customers, a few
  sales in different statuses
- ``large(n)``: the same shape from ``shop_items(n)`` (50 000 items generate and load in a few seconds)
- ``empty()``: no products, customers or sales, but outlets, registers, taxes and payment types, so it is usable
"""
from __future__ import annotations

import gc
from typing import Any

from . import catalog

OUTLETS = [(1, "Main Street"), (2, "Harbour Mall"), (3, "Online Store")]
GST, NO_TAX = 1, 2
TAX_RATES = {GST: 10.0, NO_TAX: 0.0}
CASH, CARD, BIGCOMMERCE, STORE_CREDIT = 1, 2, 3, 4
STATES = {"Sydney": ("NSW", "2000"), "Melbourne": ("VIC", "3000"), "Brisbane": ("QLD", "4000"),
          "Perth": ("WA", "6000"), "Hobart": ("TAS", "7000")}
FIRST_PRODUCT_ID = 1001


def _base() -> dict[str, Any]:
    return {
        "store": {"name": "Sandbox Store"},
        "outlets": [{"id": oid, "title": title, "taxId": GST, "isActive": True} for oid, title in OUTLETS],
        "registers": [
            {"id": 1, "name": "Main Register", "outletID": 1, "defaultTax": GST, "prefix": "MS", "suffix": "",
             "isActive": True, "isOpen": True},
            {"id": 2, "name": "Counter 2", "outletID": 1, "defaultTax": GST, "prefix": "MS2", "suffix": "",
             "isActive": True, "isOpen": False},
            # closed on purpose: the first BigCommerce sale posted to it re-opens it
            {"id": 3, "name": "Web Register", "outletID": 3, "defaultTax": GST, "prefix": "WEB", "suffix": "",
             "isActive": True, "isOpen": False},
        ],
        "taxes": [{"id": GST, "name": "GST", "rate": 10, "isActive": True},
                  {"id": NO_TAX, "name": "No Tax", "rate": 0, "isActive": True}],
        # [I] payment_option_type values: Hike's enum is not public
        "payment_types": [
            {"id": CASH, "payment_name": "Cash", "payment_option_type": 1, "payment_option_name": "Cash",
             "isActive": True},
            {"id": CARD, "payment_name": "Card", "payment_option_type": 2, "payment_option_name": "Card",
             "isActive": True},
            {"id": BIGCOMMERCE, "payment_name": "BigCommerce", "payment_option_type": 9,
             "payment_option_name": "eCommerce", "isActive": True},
            {"id": STORE_CREDIT, "payment_name": "Store Credit", "payment_option_type": 5,
             "payment_option_name": "Store credit", "isActive": True},
        ],
        "product_types": [], "brands": [], "suppliers": [], "products": [], "customers": [], "sales": [],
    }


def empty() -> dict[str, Any]:
    return _base()


_STOCK_MOD = {1: (37, 41), 2: (11, 17), 3: (7, 23)}


def _stock(key: int, oid: int, i: int = 0) -> float:
    if key == 0:
        return 0.0  # a product with no stock anywhere
    if key == 6 and oid == 1:
        return 12.5  # a fractional stock level (sold by weight or length)
    mult, mod = _STOCK_MOD[oid]
    return float((key * mult + i * 13) % mod)


def _outlet_rows(item: catalog.Item, key: int, tax_id: int, i: int = 0, price: float | None = None) -> list[dict]:
    rows = []
    base = float(item.price if price is None else price)
    cost = float(item.cost)
    for oid, title in OUTLETS:
        ex = round(base * 1.1, 2) if (oid == 2 and key % 11 == 0) else base  # a few differ by outlet
        on_hand = 0.0 if item.composite_of else _stock(key, oid, i)
        rows.append({"outlet_id": oid, "outlet_name": title, "cost_price": cost, "price_ex_tax": ex,
                     "tax_id": tax_id, "avgCost_price": cost, "on_hand_inventory": on_hand,
                     "inventory_to_receive": 0, "reserved_inventory": 0, "reorder_level": 2 if key % 5 == 0 else 0,
                     "reorder_qty": 6 if key % 5 == 0 else 0, "visible_or_not": True})
    return rows


def _catalog_tables() -> dict[str, list[dict]]:
    return {
        "product_types": [{"id": i + 1, "name": t, "description": f"{t} products", "parent_id": None,
                           "isActive": True} for i, t in enumerate(catalog.PRODUCT_TYPES)],
        "brands": [{"id": i + 1, "name": b, "isActive": True} for i, b in enumerate(catalog.BRANDS)],
        "suppliers": [{"id": 1, "name": "Coastal Wholesale", "supplier_code": "CW"},
                      {"id": 2, "name": "Southern Makers", "supplier_code": "SM"}],
    }


def _products(items: list[catalog.Item]) -> tuple[list[dict], dict[int, int]]:
    """Hike products for the items Hike holds; returns them and catalog key -> sellable product id."""
    type_ids = {t: i + 1 for i, t in enumerate(catalog.PRODUCT_TYPES)}
    brand_ids = {b: i + 1 for i, b in enumerate(catalog.BRANDS)}
    products: list[dict] = []
    sellable: dict[int, int] = {}
    next_id = FIRST_PRODUCT_ID
    for item in items:
        if not catalog.in_hike(item):
            continue
        key = item.key
        pid = next_id
        next_id += 1
        tax_id = NO_TAX if key % 23 == 0 else GST
        inactive = key in (13, 113) or (key > 1000 and key % 997 == 13)  # inactive, but on eCommerce
        channels = ["1", "2"] if ((key * 7) % 10 < 7 or inactive) else ["1"]  # ~70% on eCommerce ("2") [I]
        product: dict[str, Any] = {
            "id": pid, "parentId": None, "name": item.name, "description": item.description, "sku": item.sku,
            "barcode": item.barcode, "primary_image": None, "brand_id": brand_ids[item.brand],
            "bran_name": item.brand, "has_variants": bool(item.variants), "track_inventory": not item.composite_of,
            "continue_selling_no_inventory": key % 9 == 0, "isActive": not inactive,
            "isPricingDifferentByOutlet": key % 11 == 0, "meta_title": None, "meta_desc": None,
            "product_type": [{"type_id": type_ids[item.product_type], "type_name": item.product_type,
                              "parent_type_id": 0}],
            "product_tags": [], "sales_channels": [{"sales_channels": c} for c in channels],
            "product_suppliers": ([{"supplier_id": 1 + key % 2, "supplier_name": "", "is_primary": True}]
                                  if key % 3 == 0 else []),
            "additional_images": [], "product_outlets": _outlet_rows(item, key, tax_id),
            "product_variants": [], "product_extras": [],
        }
        if item.variants:
            for i, v in enumerate(item.variants):
                vid = next_id
                next_id += 1
                product["product_variants"].append({
                    "prod_variant_id": vid, "variant_name": f"{item.name} / {v.value}", "sku": v.sku,
                    "barcode": v.barcode, "isActive": True,
                    "variant_sub_values": [{"variant_sub_value_name": v.value}],
                    "variant_outlets": _outlet_rows(item, key, tax_id, i + 1, float(v.price)),
                })
            sellable[key] = product["product_variants"][0]["prod_variant_id"]
        else:
            sellable[key] = pid
        if item.composite_of:
            product["product_extras"] = [{"product_id": sellable[c], "quantity": n + 1}
                                         for n, c in enumerate(item.composite_of) if c in sellable]
        products.append(product)
    return products, sellable


def _customers(persons: list[catalog.Person]) -> list[dict]:
    out = []
    for p in persons:
        state, postcode = STATES[p.city]
        address = {"id": p.key + 1, "address1": f"{p.key + 1} Example Street", "address2": "", "city": p.city,
                   "state": state, "country_code": "AU", "country_name": "Australia", "postcode": postcode,
                   "receiverName": f"{p.first_name} {p.last_name}", "receiverPhone": p.phone}
        out.append({"id": p.key + 1, "first_name": p.first_name, "last_name": p.last_name,
                    "email": p.email,  # None for those without email; the last two share one (case differs)
                    "phone": p.phone, "company_name": "", "customer_code": f"C{p.key + 1:04d}", "notes": "",
                    "customer_group_id": 1, "isActive": True, "accepts_marketing": p.key % 3 == 0,
                    "loyalty_rewards_status": False, "billing_address": address, "shipping_address": dict(address)})
    return out


def _price_inc(product: dict, oid: int) -> float:
    row = next(r for r in product["product_outlets"] if r["outlet_id"] == oid)
    return round(row["price_ex_tax"] * (1 + TAX_RATES[row["tax_id"]] / 100), 2)


def _sales(products: list[dict], n_customers: int) -> list[dict]:
    """A few sales in different statuses on simple products with stock in Main Street."""
    pool = [p for p in products if not p["product_variants"] and not p["product_extras"] and p["sku"]
            and p["isActive"] and not p["continue_selling_no_inventory"]
            and next(r for r in p["product_outlets"] if r["outlet_id"] == 1)["on_hand_inventory"] >= 8]
    if len(pool) < 8 or n_customers < 4:
        return []
    variant_parent = next((p for p in products if p["product_variants"] and p["isActive"]), None)

    def line(p: dict, q: int, oid: int = 1) -> dict:
        return {"invoiceItemValue": p["id"], "sku": p["sku"], "title": p["name"], "quantity": q,
                "soldPrice": _price_inc(p, oid)}

    def total(lines: list[dict]) -> float:
        return round(sum(li["soldPrice"] * li["quantity"] for li in lines), 2)

    def sale(sid: int, status: int, lines: list[dict], paid: float, pay_type: int = CASH, customer: int | None = None,
             outlet: int = 1, register: int = 1, day: int = 1, **extra: Any) -> dict:
        when = f"2025-02-{day:02d}T0{day % 9}:15:30.1234567Z"
        payments = [{"paymentOptionId": pay_type, "amount": paid, "paymentDate": when, "isPaid": True}] if paid else []
        return {"id": sid, "number": f"{100 + sid:06d}", "status": status, "outletId": outlet, "registerId": register,
                "customerId": customer, "taxInclusive": True, "transactionDate": when, "invoiceFrom": 3,
                "invoiceLineItems": lines, "invoicePayments": payments, "note": "", **extra}

    out = []
    l1 = [line(pool[0], 1), line(pool[1], 2)]
    out.append(sale(1, 2, l1, total(l1), CASH, 1, day=3))  # Completed, paid in cash
    l2 = [line(pool[2], 2)]
    out.append(sale(2, 1, l2, 0, day=4))  # Parked: reserves 2
    l3 = [line(pool[3], 1)]
    out.append(sale(3, 5, l3, round(total(l3) / 4, 2), CARD, 2, day=5))  # Lay-by, a quarter paid: reserves 1
    l4 = [line(pool[4], 3)]
    out.append(sale(4, 7, l4, 0, customer=3, day=6))  # On account, unpaid: reserves 3
    l5 = [line(pool[5], 1)]
    out.append(sale(5, 4, l5, 0, day=7))  # Voided
    l6 = [line(pool[6], 1)]
    out.append(sale(6, 3, l6, total(l6), CARD, 4, day=8, isReStockWhenRefund=True))  # Refunded
    if variant_parent is not None:
        v = variant_parent["product_variants"][0]
        vp = {"id": v["prod_variant_id"], "name": v["variant_name"], "sku": v["sku"], "product_variants": [],
              "product_outlets": v["variant_outlets"]}
        l7 = [line(vp, 1, 3)]
        out.append(sale(7, 2, l7, total(l7), CARD, None, outlet=3, register=3, day=9))  # Completed online
    return out


def _build(n_items: int, n_people: int) -> dict[str, Any]:
    gc_was_on = gc.isenabled()
    gc.disable()  # millions of small acyclic objects for large(n): much faster without the cycle collector
    try:
        data = _base()
        data.update(_catalog_tables())
        data["products"], _ = _products(catalog.shop_items(n_items))
        data["customers"] = _customers(catalog.people(n_people))
        data["sales"] = _sales(data["products"], len(data["customers"]))
        return data
    finally:
        if gc_was_on:
            gc.enable()


def demo() -> dict[str, Any]:
    return _build(300, 100)


def large(n: int) -> dict[str, Any]:
    return _build(n, max(100, min(n // 10, 20000)))
