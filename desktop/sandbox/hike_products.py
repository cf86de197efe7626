"""Products, variants, composites, per-outlet stock and the stock movement log of the Hike emulator.

Notes A6, A8 and B4. Storage: every product row (simple, variant parent, variant child, composite) lives in
``self.products`` keyed by id; a variant child has ``parentId`` and inherits its parent's descriptive fields
(brand, product type, sales channels, ...), so it renders like Hike's ``"Parent / Option"`` rows.
"""
from __future__ import annotations

import base64
import binascii
import io
import uuid
from typing import Any

from PIL import Image, UnidentifiedImageError

from .hike_common import (
    MAX_BATCH, ApiError, as_bool, as_int, as_number, body_json, id_or_none, money, net_ts, num, object_items, qarg,
    qty, r2, text_or_none,
)
from .server import Request, Response

# fields passed through as sent (names from [D] create/update body params)
PASSTHROUGH = ("description", "primary_image", "season_id", "season_name", "supplier_code", "sales_code",
               "purchase_code", "inventory_asset_acc_code", "customField", "additional_reward_points", "seO_feature",
               "meta_title", "meta_desc", "meta_keywords", "enable_unit_of_measure")
LIST_FIELDS = ("product_tags", "product_suppliers", "product_attributes", "additional_images",
               "product_unit_of_measures")
# what a variant child takes from its parent (everything descriptive) [I]
INHERITED = PASSTHROUGH[:1] + PASSTHROUGH[2:] + LIST_FIELDS + (
    "brand_id", "type_ids", "sales_channels", "continue_selling_no_inventory", "isPricingDifferentByOutlet")
OUTLET_NUMBERS = {"cost_price": "cost_price", "price_ex_tax": "price_ex_tax", "price_inc_tax": "_inc",
                  "markup": "_markup", "avgCost_price": "avg_cost", "on_hand_inventory": "on_hand",
                  "inventory_to_receive": "to_receive", "reorder_level": "reorder_level",
                  "reorder_qty": "reorder_qty"}
HIKE_IMAGE_MAX = (500, 500)  # [D] help article: Hike keeps product images of at most 500 x 500 pixels
THUMBNAILS = (50, 240, 500)  # [C] additional_images[] carries 50_thumbnail, 240_thumbnail, 500_thumbnail
SORTABLE = {"id", "name", "sku", "barcode", "last_modified", "created_date_time"}


def _new_outlet_row(template: dict | None = None) -> dict[str, Any]:
    t = template or {}
    return {"cost_price": t.get("cost_price", 0.0), "price_ex_tax": t.get("price_ex_tax", 0.0),
            "tax_id": t.get("tax_id"), "avg_cost": t.get("avg_cost", t.get("cost_price", 0.0)), "on_hand": 0.0,
            "reserved": 0.0, "to_receive": 0.0, "reorder_level": 0.0, "reorder_qty": 0.0,
            "visible": t.get("visible", True)}


class ProductsMixin:
    """Needs the HikeEmulator's tables (outlets, taxes, brands, product_types) and helpers."""

    def _clear_products(self) -> None:
        self.products: dict[int, dict] = {}
        self._children: dict[int, list[int]] = {}
        self._sku_index: dict[str, int] = {}
        self._barcode_index: dict[str, int] = {}
        self.history: list[dict] = []
        self.images: dict[str, dict] = {}  # the emulator's image CDN: key -> {data, format, width, height}
        self._cdn_base = ""

    def _register_product_routes(self) -> None:
        self.api("GET", r"products/get_all", self._products_get_all)
        self.api("GET", r"products/get/(?P<id>\d+)", lambda r: Response.json(
            self.render_product(self._get(self.products, r.params["id"], "product"))))
        self.api("GET", r"products/by_sku", self._products_by_sku)
        self.api("POST", r"products/create", self._products_create)
        self.api("DELETE", r"products/delete/(?P<id>\d+)", self._products_delete)
        self.api("POST", r"products/inventory_update", self._inventory_update)
        # where Hike's CDN would serve product images: no auth, no store lock [I]
        self.route("GET", r"/hike-cdn/(?P<key>[0-9a-f]{32})/(?P<size>original|50|240|500)\.(?P<ext>jpg|png)",
                   self._cdn_image)

    # -- rendering -----------------------------------------------------------------------------------------
    def product_name(self, p: dict) -> str:
        if p["parentId"]:
            parent = self.products.get(p["parentId"])
            return f"{parent['name'] if parent else '?'} / {p['name']}"
        return p["name"]

    def _render_outlet_row(self, oid: int, row: dict, stock: tuple[float, float, float] | None = None) -> dict:
        tax = self.taxes.get(row["tax_id"]) if row["tax_id"] else None
        rate = float(tax["rate"]) if tax else 0.0
        ex, cost = row["price_ex_tax"], row["cost_price"]
        on_hand, reserved, to_receive = stock if stock else (row["on_hand"], row["reserved"], row["to_receive"])
        outlet = self.outlets.get(oid)
        return {
            "outlet_id": oid, "outlet_name": outlet["title"] if outlet else None, "cost_price": money(cost),
            "markup": money((ex - cost) / cost * 100) if cost else 0,  # [I] markup on cost, in percent
            "price_ex_tax": num(ex), "tax_id": row["tax_id"], "tax_name": tax["name"] if tax else None,
            "tax_rate": num(rate), "price_inc_tax": money(ex * (1 + rate / 100)),
            "avgCost_price": money(row["avg_cost"]), "on_hand_inventory": num(on_hand),
            "inventory_to_receive": num(to_receive), "reserved_inventory": num(reserved),
            "available_inventory": num(on_hand - reserved), "reorder_level": num(row["reorder_level"]),
            "reorder_qty": num(row["reorder_qty"]), "visible_or_not": row["visible"],
        }

    def _outlet_rows(self, p: dict) -> list[dict]:
        kids = self._children.get(p["id"])
        out = []
        for oid, row in p["outlets"].items():
            stock = None
            if kids:  # [I] a variant parent shows the sum of its variants' stock
                rows = [self.products[k]["outlets"].get(oid) for k in kids]
                rows = [r for r in rows if r]
                stock = (sum(r["on_hand"] for r in rows), sum(r["reserved"] for r in rows),
                         sum(r["to_receive"] for r in rows))
            out.append(self._render_outlet_row(oid, row, stock))
        return out

    def _source(self, p: dict) -> dict:
        """The row descriptive fields come from: the parent for a variant child."""
        return self.products.get(p["parentId"], p) if p["parentId"] else p

    def render_product(self, p: dict) -> dict[str, Any]:
        src = self._source(p)
        kids = self._children.get(p["id"], [])
        brand = self.brands.get(src["brand_id"]) if src["brand_id"] else None
        out: dict[str, Any] = {"id": p["id"], "parentId": p["parentId"], "name": self.product_name(p),
                               "sku": p["sku"], "barcode": p["barcode"]}
        for k in PASSTHROUGH:
            out[k] = src["extra"].get(k) if k != "primary_image" else p["extra"].get(k)
        out.update({
            "brand_id": src["brand_id"], "bran_name": brand["name"] if brand else None,  # [D] sic "bran_name"
            "has_variants": bool(kids), "track_inventory": p["track_inventory"],
            "continue_selling_no_inventory": src["continue_selling_no_inventory"],
            "isPricingDifferentByOutlet": src["isPricingDifferentByOutlet"], "isActive": p["isActive"],
            "created_date_time": net_ts(p["created"]), "last_modified": net_ts(p["last_modified"]),
            "product_type": [{"type_id": t, "type_name": self.product_types[t]["name"],
                              "parent_type_id": self.product_types[t].get("parent_id") or 0}
                             for t in src["type_ids"] if t in self.product_types],
            "sales_channels": [{"sales_channels": c} for c in src["sales_channels"]],  # [C] "2" = eCommerce
        })
        for k in LIST_FIELDS:
            out[k] = [dict(x) if isinstance(x, dict) else x for x in src["extra"].get(k, [])]
        out["product_outlets"] = self._outlet_rows(p)
        out["product_variants"] = [self._render_variant(self.products[k]) for k in kids]
        # [I] composites: Hike's public shape is unknown; parts as {product_id, quantity} in product_extras
        out["product_extras"] = [{"product_id": e["product_id"], "quantity": num(e["quantity"]),
                                  "name": self.product_name(self.products[e["product_id"]])
                                  if e["product_id"] in self.products else None}
                                 for e in p["extras"]]
        return out

    def _render_variant(self, k: dict) -> dict[str, Any]:
        return {"prod_variant_id": k["id"], "id": k["id"], "variant_name": self.product_name(k), "sku": k["sku"],
                "barcode": k["barcode"], "isActive": k["isActive"], "track_inventory": k["track_inventory"],
                "variant_sub_values": [{"variant_sub_value_name": v} for v in k["sub_values"]],
                "variant_outlets": self._outlet_rows(k), "variant_images": [],
                "last_modified": net_ts(k["last_modified"])}

    def render_history(self, h: dict) -> dict[str, Any]:
        return {"date": net_ts(h["date"]), "product_id": h["product_id"], "product_name": h["product_name"],
                "sku": h["sku"], "variant_name": h["variant_name"], "outlet_id": h["outlet_id"],
                "outlet_name": h["outlet_name"], "action": h["action"], "reference": h["reference"],
                "cost_price": money(h["cost_price"]), "average_cost_price": money(h["average_cost_price"]),
                "on_hand": num(h["after"]), "before": num(h["before"]), "after": num(h["after"]),
                "adjustment": num(h["after"] - h["before"]), "reserved_before": num(h["reserved_before"]),
                "reserved_after": num(h["reserved_after"]),
                "reserved_adjustment": num(h["reserved_after"] - h["reserved_before"]), "user": h["user"]}

    # -- lists and lookups ---------------------------------------------------------------------------------------
    def _products_get_all(self, request: Request) -> Response:
        rows = list(self.products.values())
        since = self.sync_from(request)
        if since is not None:
            rows = [p for p in rows if p["last_modified"] >= since]
        needle = (qarg(request, "Filter") or "").strip().lower()
        if needle:  # [C] free text over name, SKU and barcode
            rows = [p for p in rows if needle in self.product_name(p).lower() or needle in (p["sku"] or "").lower()
                    or needle in (p["barcode"] or "").lower()]
        suppliers = qarg(request, "supplierIds")
        if suppliers:
            wanted = {int(x) for x in suppliers.split(",") if x.strip().isdigit()}
            rows = [p for p in rows if any(as_int(s.get("supplier_id")) in wanted for s in
                                           self._source(p)["extra"].get("product_suppliers", []) if isinstance(s, dict))]
        sorting = (qarg(request, "Sorting") or "").strip()
        if sorting:
            field, _, direction = sorting.partition(" ")
            if field in SORTABLE:  # [I] unknown sort fields are ignored
                def key(p: dict) -> Any:
                    if field == "name":
                        return self.product_name(p).lower()
                    if field in ("last_modified", "created_date_time"):
                        return p["last_modified" if field == "last_modified" else "created"]
                    return p[field] if field == "id" else (p[field] or "").lower()
                rows.sort(key=key, reverse=direction.strip().lower() == "desc")
        return self.page(request, rows, self.render_product)

    def _products_by_sku(self, request: Request) -> Response:
        sku = (qarg(request, "sku") or "").strip()  # [I] parameter name; the URL constant is all that is known
        if not sku:
            raise ApiError(400, "The sku parameter is required.", [("sku", "The sku field is required.")])
        pid = self._sku_index.get(sku.lower())
        if pid is None:
            raise ApiError(404, f"There is no product with SKU {sku!r}.")
        return Response.json(self.render_product(self.products[pid]))

    def _products_delete(self, request: Request) -> Response:
        p = self._get(self.products, request.params["id"], "product")
        # [I] deleting a parent deletes its variants; a deleted part drops out of composites
        ids = [p["id"], *self._children.get(p["id"], [])]
        now = self.now()
        for pid in ids:
            row = self.products.pop(pid)
            self._index(row, None, None)
        self._children.pop(p["id"], None)
        if p["parentId"] and p["parentId"] in self._children:
            self._children[p["parentId"]].remove(p["id"])
            self._touch(self.products[p["parentId"]], now, children=False)
        gone = set(ids)
        for other in self.products.values():
            if other["extras"] and any(e["product_id"] in gone for e in other["extras"]):
                other["extras"] = [e for e in other["extras"] if e["product_id"] not in gone]
                other["last_modified"] = now
        # [I] ABP's success envelope for a call with no result
        return Response.json({"result": None, "targetUrl": None, "success": True, "error": None,
                              "unAuthorizedRequest": False, "__abp": True})

    # -- indexes and timestamps ---------------------------------------------------------------------------------
    def find_row(self, item: dict, id_field: str, prefix: str, errors: list, what: str) -> dict | None:
        """The product or variant row an item names by id (``id_field``) or, failing that, by SKU."""
        try:
            pid = as_int(item.get(id_field))
        except ValueError:
            errors.append((prefix + id_field, f"{id_field} must be an integer."))
            return None
        sku = text_or_none(item.get("sku"))
        if pid:
            row = self.products.get(pid)
            if row is None:
                errors.append((prefix + id_field, f"There is no {what} with id {pid}."))
            return row
        if sku:
            found = self._sku_index.get(sku.lower())
            row = self.products.get(found) if found else None
            if row is None:
                errors.append((prefix + "sku", f"There is no product with SKU {sku!r}."))
            return row
        errors.append((prefix + id_field, f"{id_field} ({what} id) or sku is required."))
        return None

    def _index(self, row: dict, sku: str | None, barcode: str | None) -> None:
        """Move ``row`` to new SKU/barcode keys in the uniqueness indexes (``None`` removes)."""
        for idx, old, new in ((self._sku_index, row["sku"], sku), (self._barcode_index, row["barcode"], barcode)):
            if old and idx.get(old.lower()) == row["id"]:
                del idx[old.lower()]
            if new:
                idx[new.lower()] = row["id"]
        row["sku"], row["barcode"] = sku, barcode

    def _touch(self, p: dict, now: float, children: bool = True) -> None:
        """Bump ``last_modified`` so ``Sync_From`` sees the change; a variant bumps its parent, and a parent
        edit bumps its variants (their rendered rows change too) [I]."""
        p["last_modified"] = now
        if p["parentId"] and p["parentId"] in self.products:
            self.products[p["parentId"]]["last_modified"] = now
        if children:
            for k in self._children.get(p["id"], []):
                self.products[k]["last_modified"] = now

    # -- stock ---------------------------------------------------------------------------------------------------
    def outlet_row(self, p: dict, oid: int) -> dict:
        row = p["outlets"].get(oid)
        if row is None:  # [I] a product is stocked in every outlet; a missing row starts at 0
            template = next(iter(p["outlets"].values()), None)
            row = p["outlets"][oid] = _new_outlet_row(template)
        return row

    def move_stock(self, p: dict, oid: int, on_hand_delta: float, reserved_delta: float, action: str,
                   reference: str | None, now: float | None = None) -> dict:
        """Change one product's stock in one outlet and write one movement-log row.

        ``before``/``after``/``adjustment`` are on-hand, as in Hike's product history [H]. A reservation (parked,
        lay-by, on-account, back-order sale) moves no on-hand stock but still writes a row, with the change in the
        extra ``reserved_before``/``reserved_after``/``reserved_adjustment`` columns [I], so tests can assert
        every delta."""
        now = self.now() if now is None else now
        row = self.outlet_row(p, oid)
        before, r_before = row["on_hand"], row["reserved"]
        row["on_hand"] = qty(before + on_hand_delta)
        row["reserved"] = qty(r_before + reserved_delta)
        outlet = self.outlets.get(oid)
        entry = {"date": now, "product_id": p["id"], "product_name": self.product_name(p), "sku": p["sku"],
                 "variant_name": self.product_name(p) if p["parentId"] else None, "outlet_id": oid,
                 "outlet_name": outlet["title"] if outlet else None, "action": action, "reference": reference,
                 "cost_price": row["cost_price"], "average_cost_price": row["avg_cost"], "before": before,
                 "after": row["on_hand"], "reserved_before": r_before, "reserved_after": row["reserved"],
                 "user": self.username}  # [I] the store user who authorised the app
        self.history.append(entry)
        self._touch(p, now, children=False)
        return entry

    def stock_parts(self, pid: int, quantity: float) -> list[tuple[int, float]]:
        """What selling ``quantity`` of ``pid`` takes from stock: the parts of a composite [I], the product
        itself when it tracks inventory, nothing otherwise."""
        p = self.products.get(pid)
        if p is None:
            return []
        if p["extras"]:
            out: list[tuple[int, float]] = []
            for e in p["extras"]:
                part = self.products.get(e["product_id"])
                if part is not None and part["track_inventory"] and not part["extras"]:
                    out.append((part["id"], qty(quantity * e["quantity"])))
            return out
        return [(pid, quantity)] if p["track_inventory"] else []

    # -- inventory_update -------------------------------------------------------------------------------------
    def _inventory_update(self, request: Request) -> Response:
        body = body_json(request)
        items = [body] if isinstance(body, dict) else body
        if not isinstance(items, list) or not items or not all(isinstance(x, dict) for x in items):
            raise ApiError(400, "The body must be an inventory row or a non-empty array of them.")
        if len(items) > MAX_BATCH:
            raise ApiError(422, f"At most {MAX_BATCH} rows per request.", [("", f"{len(items)} rows sent")])
        if self.settings["weighted_average_cost"]:  # [D] refused without a purchase order or sale behind it
            raise ApiError(422, "Inventory can't be updated while weighted average cost is on: use a purchase "
                           "order or a sale.", [("on_hand_inventory", "Weighted average cost is enabled.")])
        errors: list[tuple[str, str]] = []
        plan: list[tuple[dict, int, float | None, float | None, str | None]] = []
        for i, item in enumerate(items):
            m = f"[{i}]."
            p = self.find_row(item, "product_id", m, errors, "product")
            oid = id_or_none(item.get("outlet_id"))
            if oid not in self.outlets:
                errors.append((m + "outlet_id", f"There is no outlet with id {item.get('outlet_id')}."))
            absolute = as_number(item.get("on_hand_inventory"), m + "on_hand_inventory", errors)
            delta = as_number(item.get("adjustment"), m + "adjustment", errors)
            if (absolute is None) == (delta is None):
                errors.append((m + "on_hand_inventory", "Send exactly one of on_hand_inventory (absolute) or "
                                                        "adjustment (delta)."))
            if p is not None:  # [I] only rows that hold stock themselves can be updated
                if self._children.get(p["id"]):
                    errors.append((m + "product_id", f"Product {p['id']} has variants: update a variant."))
                elif p["extras"]:
                    errors.append((m + "product_id", f"Product {p['id']} is a composite: its stock comes from "
                                                     "its parts."))
                elif not p["track_inventory"]:
                    errors.append((m + "product_id", f"Product {p['id']} does not track inventory."))
            plan.append((p, oid, absolute, delta, text_or_none(item.get("reason")) or text_or_none(
                item.get("reference"))))
        if errors:
            raise ApiError(422, "Your request is not valid!", errors)
        now = self.now()
        out = []
        for p, oid, absolute, delta, reason in plan:
            current = self.outlet_row(p, oid)["on_hand"]
            change = (absolute - current) if absolute is not None else delta
            if change:  # [H] no log entry for a change that does not move stock
                self.move_stock(p, oid, change, 0.0, "Inventory update", reason, now)
            out.append({"product_id": p["id"], "sku": p["sku"],
                        **self._render_outlet_row(oid, self.outlet_row(p, oid))})
        return Response.json(out)

    # -- create / update ---------------------------------------------------------------------------------------
    def _products_create(self, request: Request) -> Response:
        body = body_json(request)
        single = isinstance(body, dict)
        items = [body] if single else body
        if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
            raise ApiError(400, "The body must be a product object or an array of them.")
        if not items:
            raise ApiError(422, "The request has no products.", [("", "empty array")])
        if len(items) > MAX_BATCH:  # [I] the docs recommend <= 50; the emulator enforces it
            raise ApiError(422, f"At most {MAX_BATCH} products per request (got {len(items)}).",
                           [("", f"at most {MAX_BATCH} products per request")])
        errors: list[tuple[str, str]] = []
        claims: dict[str, dict[str, object]] = {"sku": {}, "barcode": {}}
        self._cdn_base = f"http://{request.headers.get('host') or '127.0.0.1'}/hike-cdn"
        plans = [self._plan_product(item, "" if single else f"[{i}].", errors, claims)
                 for i, item in enumerate(items)]
        if errors:  # [I] a batch is all-or-nothing
            raise ApiError(422, "Your request is not valid!", errors)
        now = self.now()
        results = [self._apply_product(plan, now) for plan in plans]
        status = 201 if any(created for _, created in results) else 202  # [D] 201 Created, 202 updated
        rendered = [self.render_product(row) for row, _ in results]
        return Response.json(rendered[0] if single else rendered, status)

    def _claim(self, kind: str, value: str | None, owner: object, member: str, errors: list,
               claims: dict[str, dict[str, object]]) -> None:
        """SKU and barcode are unique across all products and variants [H] (C.1); case-insensitive [I]."""
        if not value:
            return
        key = value.lower()
        label = "SKU" if kind == "sku" else "barcode"
        holder = (self._sku_index if kind == "sku" else self._barcode_index).get(key)
        if holder is not None and holder != owner:  # owner: an id, or a fresh object() for a new row
            h = self.products[holder]
            what = (f"variant {h['id']} ({self.product_name(h)}) of product {h['parentId']}" if h["parentId"]
                    else f"product {h['id']} ({h['name']})")
            errors.append((member, f"Duplicate {label}: {value!r} is already used by {what}."))
        elif key in claims[kind] and claims[kind][key] != owner:
            errors.append((member, f"Duplicate {label}: {value!r} appears more than once in this request."))
        claims[kind][key] = owner

    def _plan_outlets(self, rows: Any, member: str, errors: list, current: dict | None,
                      holds_stock: bool = True) -> dict[int, dict]:
        if rows is None:
            return {}
        if not isinstance(rows, list):
            errors.append((member, f"{member} must be an array."))
            return {}
        out: dict[int, dict] = {}
        for _, m, r in object_items(rows, member, errors):
            oid = id_or_none(r.get("outlet_id"))
            if oid not in self.outlets:
                errors.append((m + "outlet_id", f"There is no outlet with id {r.get('outlet_id')}."))
                continue
            upd: dict[str, Any] = {}
            for src, dst in OUTLET_NUMBERS.items():
                if src in r and r[src] is not None:
                    v = as_number(r[src], m + src, errors)
                    if v is not None:
                        upd[dst] = v
            if r.get("tax_id") not in (None, "", 0):
                tid = id_or_none(r["tax_id"])
                if tid not in self.taxes:
                    errors.append((m + "tax_id", f"There is no tax with id {r['tax_id']}."))
                upd["tax_id"] = tid
            if "visible_or_not" in r:
                upd["visible"] = as_bool(r["visible_or_not"], True)
            existing = current.get(oid) if current else None
            if existing is not None and self.settings["weighted_average_cost"]:
                if (holds_stock and "on_hand" in upd and qty(upd["on_hand"]) != existing["on_hand"]) or (
                        "cost_price" in upd and r2(upd["cost_price"]) != r2(existing["cost_price"])):
                    errors.append((m + "on_hand_inventory", "Inventory and cost price can't be changed while "
                                   "weighted average cost is on: use a purchase order or a sale."))
            out[oid] = upd
        return out

    def _plan_product(self, item: dict, prefix: str, errors: list, claims: dict) -> dict:
        try:
            key = as_int(item.get("id"))
        except ValueError:
            errors.append((prefix + "id", "id must be an integer."))
            key = None
        existing = self.products.get(key) if key else None
        if key and existing is None:
            raise ApiError(404, f"There is no product with id {key} ({prefix.strip('.') or 'body'}).")
        owner: object = existing["id"] if existing else object()
        parent_id = existing["parentId"] if existing else None
        if existing is None and item.get("parentId") not in (None, "", 0):  # [I] a variant row created directly
            parent_id = id_or_none(item.get("parentId"))
            parent = self.products.get(parent_id) if parent_id else None
            if parent is None or parent["parentId"] or parent["extras"]:
                errors.append((prefix + "parentId", f"There is no variant parent product with id "
                                                    f"{item.get('parentId')}."))
                parent_id = None
        plan: dict[str, Any] = {"existing": existing, "parentId": parent_id, "fields": {}, "extra": {}}
        f = plan["fields"]
        name = text_or_none(item.get("name"))
        if "name" in item:
            if not name:
                errors.append((prefix + "name", "The Name field is required."))
            elif existing and existing["parentId"] and name.startswith(self.product_name(
                    self.products[existing["parentId"]]) + " / "):
                f["name"] = name.split(" / ", 1)[1]  # [I] the variant label after "Parent / "
            else:
                f["name"] = name
        elif existing is None and not parent_id:
            errors.append((prefix + "name", "The Name field is required."))
        for k in ("sku", "barcode"):
            if k in item:
                f[k] = text_or_none(item[k])
                self._claim(k, f[k], owner, prefix + k, errors, claims)
        for k in PASSTHROUGH:
            if k in item:
                plan["extra"][k] = item[k]
        for k in LIST_FIELDS:
            if k in item:
                plan["extra"][k] = list(item[k]) if isinstance(item[k], list) else []
        plan["new_images"] = {}
        if isinstance(item.get("additional_images"), list):
            plan["extra"]["additional_images"] = self._plan_images(item["additional_images"], prefix,
                                                                   plan["new_images"])
        for k in ("track_inventory", "continue_selling_no_inventory", "isActive", "isPricingDifferentByOutlet"):
            if k in item:
                f[k] = as_bool(item[k], True)
        self._plan_brand_and_type(item, prefix, errors, f)
        if "sales_channels" in item:
            chans = item["sales_channels"] or []
            f["sales_channels"] = sorted({str(c.get("sales_channels") if isinstance(c, dict) else c).strip()
                                          for c in chans if c is not None} - {"", "None"})
        if "variant_sub_values" in item:
            f["sub_values"] = [str(v.get("variant_sub_value_name") if isinstance(v, dict) else v)
                               for v in item["variant_sub_values"] or []]
        holds_stock = not (item.get("product_variants") or item.get("product_extras") or (existing and (
            self._children.get(existing["id"]) or existing["extras"])))  # a parent shows its variants' sum
        plan["outlets"] = self._plan_outlets(item.get("product_outlets", item.get("variant_outlets")),
                                             prefix + "product_outlets", errors,
                                             existing["outlets"] if existing else None, holds_stock)
        plan["extras"] = self._plan_extras(item, prefix, errors, existing)
        plan["variants"] = self._plan_variants(item, prefix, errors, claims, existing, plan)
        if existing is None and parent_id and "name" not in f:
            f["name"] = " / ".join(f.get("sub_values") or []) or (f.get("sku") or "Variant")
        return plan

    # -- images ------------------------------------------------------------------------------------------------
    def _plan_images(self, items: list, prefix: str, new: dict[str, dict]) -> list:
        """``additional_images`` replaces the product's list [I]. An item whose ``image_url`` is a ``data:`` URI
        (base64) is an upload [I: Hike has no public upload call; this is the form the app uses]: it is decoded,
        refused when unreadable or larger than 500 x 500, and served back from the emulator's CDN with Hike's
        thumbnail fields [C]. Other items are kept as sent."""
        out = []
        for j, image in enumerate(items):
            member = f"{prefix}additional_images[{j}].image_url"
            url = image.get("image_url") if isinstance(image, dict) else None
            if not isinstance(url, str) or not url.startswith("data:"):
                out.append(image)
                continue
            header, _, payload = url.partition(",")
            if not header.endswith(";base64"):
                raise ApiError(400, "Your request is not valid!", [(member, "Only base64 data URIs are accepted.")])
            try:
                data = base64.b64decode(payload, validate=True)
                with Image.open(io.BytesIO(data)) as opened:
                    opened.load()
                    width, height, fmt = opened.width, opened.height, (opened.format or "").upper()
            except (binascii.Error, ValueError, UnidentifiedImageError, OSError):
                raise ApiError(400, "Your request is not valid!",
                               [(member, "The image could not be read.")]) from None
            if width > HIKE_IMAGE_MAX[0] or height > HIKE_IMAGE_MAX[1]:
                raise ApiError(400, "Your request is not valid!", [(
                    member, f"The image is {width} x {height} pixels; images may be at most 500 x 500.")])
            key = uuid.uuid4().hex
            ext = "png" if fmt == "PNG" else "jpg"
            new[key] = {"data": data, "ext": ext, "width": width, "height": height}
            base = f"{self._cdn_base}/{key}"
            out.append({"primary_pic_Id": str(uuid.UUID(key)), "image_url": f"{base}/original.{ext}",
                        "primary_pic_name": f"{key}.{ext}", "is_primary": bool(image.get("is_primary")),
                        **{f"{n}_thumbnail": f"{base}/{n}.{ext}" for n in THUMBNAILS}})
        return out

    def _cdn_image(self, request: Request) -> Response:
        stored = self.images.get(request.params["key"])
        if stored is None or request.params["ext"] != stored["ext"]:
            return Response.text("Not Found", 404)
        data, size = stored["data"], request.params["size"]
        if size != "original":
            with Image.open(io.BytesIO(data)) as opened:
                image = opened.copy()
            image.thumbnail((int(size), int(size)))
            out = io.BytesIO()
            image.save(out, format="PNG" if stored["ext"] == "png" else "JPEG")
            data = out.getvalue()
        return Response(200, data, {"Content-Type": "image/png" if stored["ext"] == "png" else "image/jpeg"})

    def _plan_brand_and_type(self, item: dict, prefix: str, errors: list, f: dict) -> None:
        if item.get("brand_id") not in (None, "", 0):
            bid = id_or_none(item["brand_id"])
            if bid not in self.brands:
                errors.append((prefix + "brand_id", f"There is no brand with id {item['brand_id']}."))
            f["brand_id"] = bid
        elif text_or_none(item.get("bran_name")):  # [I] a brand name alone finds or creates the brand
            f["_brand_name"] = text_or_none(item["bran_name"])
        elif "brand_id" in item:
            f["brand_id"] = None
        if "product_type" in item:
            types = item["product_type"] or []
            if isinstance(types, dict):
                types = [types]
            ids: list[Any] = []
            for j, t in enumerate(types):
                t = t if isinstance(t, dict) else {"type_id": t}
                tid_raw = t.get("type_id", t.get("id"))
                if tid_raw not in (None, "", 0):
                    tid = id_or_none(tid_raw)
                    if tid not in self.product_types:
                        errors.append((f"{prefix}product_type[{j}].type_id",
                                       f"There is no product type with id {tid_raw}."))
                    ids.append(tid)
                elif text_or_none(t.get("type_name")):  # [I] find or create by name
                    ids.append(("name", text_or_none(t["type_name"])))
            f["type_ids"] = ids

    def _plan_extras(self, item: dict, prefix: str, errors: list, existing: dict | None) -> list | None:
        if "product_extras" not in item:
            return None
        parts = []
        for _, m, e in object_items(item["product_extras"] or [], f"{prefix}product_extras", errors):
            pid = id_or_none(e.get("product_id"))
            part = self.products.get(pid) if pid else None
            if part is None or part["extras"] or self._children.get(part["id"]) or (
                    existing is not None and part["id"] == existing["id"]):
                errors.append((m + "product_id", f"Product {e.get('product_id')} can't be a composite part "
                                                 "(unknown, a composite, or a variant parent)."))
                continue
            amount = as_number(e.get("quantity", 1), m + "quantity", errors, default=1.0)
            if amount is not None and amount <= 0:
                errors.append((m + "quantity", "quantity must be more than 0."))
            parts.append({"product_id": part["id"], "quantity": amount or 1.0})
        return parts

    def _plan_variants(self, item: dict, prefix: str, errors: list, claims: dict, existing: dict | None,
                       plan: dict) -> list[dict]:
        variants = item.get("product_variants")
        if not variants:
            return []
        if plan["parentId"]:
            errors.append((prefix + "product_variants", "A variant can't have variants."))
            return []
        out = []
        kids = set(self._children.get(existing["id"], [])) if existing else set()
        for j, m, v in object_items(variants, f"{prefix}product_variants", errors):
            vid = id_or_none(v.get("prod_variant_id", v.get("id")))
            if vid and vid not in kids:
                errors.append((m + "prod_variant_id", f"Variant {vid} is not a variant of this product."))
                continue
            row = self.products[vid] if vid else None
            owner: object = vid if vid else object()
            vp: dict[str, Any] = {"existing": row, "fields": {}, "extra": {}}
            for k in ("sku", "barcode"):
                if k in v:
                    vp["fields"][k] = text_or_none(v[k])
                    self._claim(k, vp["fields"][k], owner, m + k, errors, claims)
            for k in ("isActive", "track_inventory"):
                if k in v:
                    vp["fields"][k] = as_bool(v[k], True)
            if "variant_sub_values" in v:
                vp["fields"]["sub_values"] = [str(x.get("variant_sub_value_name") if isinstance(x, dict) else x)
                                              for x in v["variant_sub_values"] or []]
            label = text_or_none(v.get("variant_name"))
            if label:
                vp["fields"]["name"] = label.split(" / ", 1)[1] if " / " in label else label
            elif row is None:
                vp["fields"]["name"] = " / ".join(vp["fields"].get("sub_values") or []) or (
                    vp["fields"].get("sku") or f"Variant {j + 1}")
            vp["outlets"] = self._plan_outlets(v.get("variant_outlets"), m + "variant_outlets", errors,
                                               row["outlets"] if row else None)
            vp["extras"] = None
            vp["variants"] = []
            out.append(vp)
        return out

    def _new_row(self, parent_id: int | None, now: float, key: int | None = None) -> dict:
        key = self.next_id("products") if key is None else key
        self._seen_id("products", key)
        row = {"id": key, "parentId": parent_id, "name": "", "sku": None, "barcode": None,
               "track_inventory": True, "continue_selling_no_inventory": False, "isActive": True,
               "isPricingDifferentByOutlet": False, "brand_id": None, "type_ids": [],
               "sales_channels": ["1"],  # [I] new products are on the POS channel only
               "sub_values": [], "extras": [], "extra": {}, "outlets": {}, "created": now, "last_modified": now}
        self.products[key] = row
        if parent_id:
            self._children.setdefault(parent_id, []).append(key)
        return row

    def _resolve_named(self, table: str, value: Any) -> Any:
        if isinstance(value, tuple):
            found = self.find_by_name(table, value[1])
            return (found or self.add_simple(table, {"name": value[1]}))["id"]
        return value

    def _apply_product(self, plan: dict, now: float, parent: dict | None = None) -> tuple[dict, bool]:
        created = plan["existing"] is None
        parent_id = parent["id"] if parent else plan.get("parentId")
        row = self._new_row(parent_id, now) if created else plan["existing"]
        f = dict(plan["fields"])
        if "_brand_name" in f:
            name = f.pop("_brand_name")
            found = self.find_by_name("brands", name)
            f["brand_id"] = (found or self.add_simple("brands", {"name": name}))["id"]
        if "type_ids" in f:
            f["type_ids"] = [self._resolve_named("product_types", t) for t in f["type_ids"] if t is not None]
        sku, barcode = f.pop("sku", row["sku"]), f.pop("barcode", row["barcode"])
        self._index(row, sku, barcode)
        row.update(f)
        self.images.update(plan.get("new_images") or {})
        row["extra"].update(plan["extra"])
        if plan["extras"] is not None:
            row["extras"] = plan["extras"]
            if row["extras"]:
                row["track_inventory"] = False  # [I] a composite's stock is its parts'
        template_src = parent or (self.products.get(parent_id) if parent_id else None)
        template = next(iter(plan["outlets"].values()), None)
        if created:  # a new variant starts with its parent's prices in each outlet [I]
            src_rows = template_src["outlets"] if template_src else {}
            base = next(iter(src_rows.values()), None)
            for oid in self.outlets:
                row["outlets"][oid] = _new_outlet_row(src_rows.get(oid, base))
        holds_stock = not (plan["variants"] or self._children.get(row["id"]) or row["extras"])
        for oid, upd in plan["outlets"].items():
            if not holds_stock:  # [I] a variant parent's or composite's own on-hand is ignored
                upd = {k: v for k, v in upd.items() if k != "on_hand"}
            self._apply_outlet(row, oid, upd, now, created)
        if created and template is not None and not row["isPricingDifferentByOutlet"]:
            # [I] prices sent for one outlet apply to the outlets the body did not mention
            first = row["outlets"][next(iter(plan["outlets"]))]
            for oid, orow in row["outlets"].items():
                if oid not in plan["outlets"]:
                    orow.update({k: first[k] for k in ("cost_price", "price_ex_tax", "tax_id", "avg_cost")})
        for oid, orow in row["outlets"].items():
            if orow["tax_id"] is None:  # [I] default to the outlet's tax
                orow["tax_id"] = self.outlets[oid].get("taxId")
        for vp in plan["variants"]:
            self._apply_product(vp, now, parent=row)
        if row["parentId"] is None and self._children.get(row["id"]):
            row["track_inventory"] = True
        self._touch(row, now)
        return row, created

    def _apply_outlet(self, row: dict, oid: int, upd: dict, now: float, created: bool) -> None:
        orow = self.outlet_row(row, oid)
        if "tax_id" in upd:
            orow["tax_id"] = upd["tax_id"]
        for k in ("cost_price", "avg_cost", "to_receive", "reorder_level", "reorder_qty", "visible"):
            if k in upd:
                orow[k] = upd[k]
        if "cost_price" in upd and "avg_cost" not in upd and created:
            orow["avg_cost"] = upd["cost_price"]
        tax = self.taxes.get(orow["tax_id"] or self.outlets[oid].get("taxId"))
        rate = float(tax["rate"]) if tax else 0.0
        if "price_ex_tax" in upd:
            orow["price_ex_tax"] = round(upd["price_ex_tax"], 4)
        elif "_inc" in upd:  # [I] an inc-tax price alone sets the ex-tax price
            orow["price_ex_tax"] = round(upd["_inc"] / (1 + rate / 100), 4)
        elif "_markup" in upd and orow["cost_price"]:
            orow["price_ex_tax"] = round(orow["cost_price"] * (1 + upd["_markup"] / 100), 4)
        if "on_hand" in upd:
            change = qty(upd["on_hand"] - orow["on_hand"])
            if change:  # a stock change made by editing the product [H] "Product edit"
                self.move_stock(row, oid, change, 0.0, "Product edit", "Created" if created else "Updated", now)

    # -- seed --------------------------------------------------------------------------------------------------
    def _seed_outlets(self, row: dict, rows: list[dict]) -> None:
        outlets = row["outlets"]
        for r in rows or ():
            g = r.get
            cost = float(g("cost_price") or 0)
            outlets[int(r["outlet_id"])] = {
                "cost_price": cost, "price_ex_tax": float(g("price_ex_tax") or 0), "tax_id": g("tax_id"),
                "avg_cost": float(g("avgCost_price") or cost), "on_hand": float(g("on_hand_inventory") or 0),
                "reserved": float(g("reserved_inventory") or 0), "to_receive": float(g("inventory_to_receive") or 0),
                "reorder_level": float(g("reorder_level") or 0), "reorder_qty": float(g("reorder_qty") or 0),
                "visible": g("visible_or_not", True)}
        if len(outlets) < len(self.outlets):
            for oid in self.outlets:
                if oid not in outlets:
                    outlets[oid] = _new_outlet_row(next(iter(outlets.values()), None))

    def seed_product(self, p: dict, stamps: dict[str, float]) -> None:
        """Load one Hike-shaped product (with its ``product_variants``) without API validation, but refuse
        duplicate SKUs or barcodes: a seed must be a store Hike could hold."""
        row = self._new_row(None, stamps["created"], int(p["id"]))
        row.update({"name": p["name"], "track_inventory": p.get("track_inventory", True),
                    "continue_selling_no_inventory": p.get("continue_selling_no_inventory", False),
                    "isActive": p.get("isActive", True),
                    "isPricingDifferentByOutlet": p.get("isPricingDifferentByOutlet", False),
                    "brand_id": p.get("brand_id"),
                    "type_ids": [int(t["type_id"]) for t in p.get("product_type") or []],
                    "sales_channels": [str(c["sales_channels"] if isinstance(c, dict) else c)
                                       for c in p.get("sales_channels") or []],
                    "extras": [{"product_id": int(e["product_id"]), "quantity": float(e.get("quantity", 1))}
                               for e in p.get("product_extras") or []],
                    "last_modified": stamps["last_modified"]})
        row["extra"] = {k: p[k] for k in PASSTHROUGH if k in p}
        row["extra"].update({k: list(p[k]) for k in LIST_FIELDS if p.get(k)})
        self._seed_index(row, p.get("sku"), p.get("barcode"))
        self._seed_outlets(row, p.get("product_outlets"))
        for v in p.get("product_variants") or []:
            kid = self._new_row(row["id"], stamps["created"], int(v.get("prod_variant_id") or v["id"]))
            label = v.get("variant_name") or ""
            kid.update({"name": label.split(" / ", 1)[1] if " / " in label else label,
                        "isActive": v.get("isActive", True), "track_inventory": v.get("track_inventory", True),
                        "sub_values": [x["variant_sub_value_name"] for x in v.get("variant_sub_values") or []],
                        "last_modified": stamps["last_modified"]})
            self._seed_index(kid, v.get("sku"), v.get("barcode"))
            self._seed_outlets(kid, v.get("variant_outlets"))

    def _seed_index(self, row: dict, sku: str | None, barcode: str | None) -> None:
        for idx, value, label in ((self._sku_index, sku, "SKU"), (self._barcode_index, barcode, "barcode")):
            if value and value.lower() in idx:
                raise ValueError(f"seed has a duplicate {label} {value!r} (products {idx[value.lower()]} and "
                                 f"{row['id']})")
        self._index(row, sku or None, barcode or None)
