"""Inventory and locations routes of the BigCommerce emulator (``inventory.v3.yml``, ``locations.v3.yml``).

- Adjustments take ``{"reason", "items": [{"location_id", one of sku|variant_id|product_id, "quantity"}]}``,
  at most 2000 items (413 above), all-or-nothing; success is ``{"transaction_id": uuid}``.
- An item tracked by product must be adjusted by ``product_id`` (or the product's SKU), one tracked by
  variant by ``variant_id`` (or the variant's SKU); otherwise 422 with the spec's example title
  ``[Item with variant_id 106 is tracked by product, please update stock by product id]``.
- A relative adjustment needs an earlier absolute one for that item at that location (seeded levels and
  catalog writes count): 422 ``Items with identity: [product_id 113] requires absolute adjustment before
  relative``; a relative one that would take stock below the safety stock fails too.
- Errors are ``application/problem+json``. Writes are applied at once (the real platform is eventually
  consistent) and do not touch a product's ``date_modified``.
- Location 1 is the default location: it cannot be deleted, and the catalog's ``inventory_level`` is the
  level there.
"""
from __future__ import annotations

import uuid
from typing import Any

from desktop.sandbox.bigcommerce_http import BCError, Field, apply_filters, body_json, body_object, paginate
from desktop.sandbox.bigcommerce_store import DEFAULT_LOCATION, STOCK_DEFAULTS
from desktop.sandbox.server import Request, Response

ADJUSTMENT_LIMIT = 2000
INVENTORY_PAGE_MAX = 1000  # "Limit of 1000 items for payload length" (GET items / location items)
INVALID_PAYLOAD = "Payload contains invalid fields"


def _problem(title: str, errors: dict[str, Any] | None = None, status: int = 422) -> BCError:
    return BCError(status, title, errors or {}, problem=True)


def _body(request: Request) -> dict[str, Any]:
    """The request's JSON object; a body that is none is refused as every inventory 422 is, as
    application/problem+json (issue 18: they switched between the two media types)."""
    try:
        return body_object(request)
    except BCError as exc:
        raise _problem(exc.title, exc.errors, exc.status) from None


def _transaction() -> Response:
    return Response.json({"transaction_id": str(uuid.uuid4())})


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class InventoryRoutes:
    def register_inventory(self) -> None:
        v3 = self.v3  # type: ignore[attr-defined]
        v3(r"/inventory/adjustments/absolute", PUT=self.adjust_absolute)
        v3(r"/inventory/adjustments/relative", POST=self.adjust_relative)
        v3(r"/inventory/items", GET=self.list_inventory_items)
        v3(r"/inventory/locations/(?P<lid>\d+)/items", GET=self.list_location_items, PUT=self.update_location_items)
        v3(r"/inventory/locations", GET=self.list_locations, POST=self.create_locations, PUT=self.update_locations,
           DELETE=self.delete_locations)

    # -- items -----------------------------------------------------------------------------------------------
    def _items(self) -> list[tuple[str, int, dict[str, Any], dict[str, Any] | None]]:
        """Every inventory item as (kind, id, product, variant or None), in catalog order."""
        out: list[tuple[str, int, dict[str, Any], dict[str, Any] | None]] = []
        for product in sorted(self.store.products.values(), key=lambda p: p["id"]):
            if product.get("inventory_tracking") == "variant" and product.get("base_variant_id") is None:
                for variant in product["variants"]:
                    out.append(("variant", variant["id"], product, variant))
            else:
                base = next((v for v in product["variants"] if v["id"] == product.get("base_variant_id")), None)
                out.append(("product", product["id"], product, base))
        return out

    def _identity(self, kind: str, product: dict[str, Any], variant: dict[str, Any] | None) -> dict[str, Any]:
        identity: dict[str, Any] = {"product_id": product["id"]}
        if kind == "product":
            identity["sku"] = product.get("sku") or ""
            if variant is not None:
                identity["variant_id"] = variant["id"]
        else:
            identity["sku"] = (variant or {}).get("sku") or ""
            identity["variant_id"] = variant["id"] if variant else None
            if variant and variant.get("sku_id"):
                identity["sku_id"] = variant["sku_id"]
        return identity

    def _stock_view(self, location_id: int, kind: str, item_id: int) -> dict[str, Any]:
        record = self.store.stock.get((location_id, kind, item_id)) or {"quantity": 0, **STOCK_DEFAULTS}
        onhand = int(record.get("quantity", 0))
        settings = {k: record.get(k, STOCK_DEFAULTS[k]) for k in STOCK_DEFAULTS}
        return {"available_to_sell": max(0, onhand - int(settings["safety_stock"])) if settings["is_in_stock"] else 0,
                "total_inventory_onhand": onhand, "settings": settings}

    def _item_filters(self) -> dict[str, Field]:
        return {"sku": Field(lambda it: self._identity(it[0], it[2], it[3])["sku"], "str"),
                "variant_id": Field(lambda it: it[3]["id"] if it[3] else None),
                "product_id": Field(lambda it: it[2]["id"])}

    def list_inventory_items(self, request: Request) -> Response:
        items = apply_filters(request, self._items(), self._item_filters(), self.now_dt())
        locations = apply_filters(request, sorted(self.store.locations.values(), key=lambda loc: loc["id"]),
                                  {"location_id": Field(lambda loc: loc["id"]),
                                   "location_code": Field(lambda loc: loc.get("code", ""), "str")}, self.now_dt())
        page, meta = paginate(request, items, maximum=INVENTORY_PAGE_MAX)
        data = []
        for kind, item_id, product, variant in page:
            per_location = []
            for loc in locations:
                view = self._stock_view(loc["id"], kind, item_id)
                per_location.append({"location_id": loc["id"], "location_code": loc.get("code", ""),
                                     "location_name": loc.get("label", ""),
                                     "available_to_sell": view["available_to_sell"],
                                     "total_inventory_onhand": view["total_inventory_onhand"],
                                     "location_enabled": bool(loc.get("enabled", True)),
                                     "settings": view["settings"]})
            data.append({"identity": self._identity(kind, product, variant), "locations": per_location})
        return Response.json({"data": data, "meta": meta})

    def _location(self, request: Request) -> dict[str, Any]:
        location = self.store.locations.get(int(request.params["lid"]))
        if location is None:
            raise _problem(f"Location with id {request.params['lid']} not found", status=404)
        return location

    def list_location_items(self, request: Request) -> Response:
        location = self._location(request)
        items = apply_filters(request, self._items(), self._item_filters(), self.now_dt())
        page, meta = paginate(request, items, maximum=INVENTORY_PAGE_MAX)
        data = [{"identity": self._identity(kind, product, variant), **self._stock_view(location["id"], kind, item_id)}
                for kind, item_id, product, variant in page]
        return Response.json({"data": data, "meta": meta})

    def update_location_items(self, request: Request) -> Response:
        location = self._location(request)
        body = _body(request)
        settings = body.get("settings")
        if not isinstance(settings, list) or not settings:
            raise _problem(INVALID_PAYLOAD, {"settings": "error.path.missing"})
        if len(settings) > ADJUSTMENT_LIMIT:
            raise _problem(f"The request payload is too large. The maximum items allowed in the array is "
                           f"{ADJUSTMENT_LIMIT}.", status=413)
        plan, errors = [], {}
        for i, entry in enumerate(settings):
            if not isinstance(entry, dict) or not isinstance(entry.get("identity"), dict):
                errors[f"setting.{i}.identity"] = "error.path.missing"
                continue
            changes = {k: entry[k] for k in ("safety_stock", "is_in_stock", "warning_level", "bin_picking_number")
                       if k in entry}
            wrong = [k for k, kind in (("safety_stock", int), ("warning_level", int), ("is_in_stock", bool),
                                       ("bin_picking_number", str))
                     if k in changes and (not isinstance(changes[k], kind) or
                                          (kind is int and (isinstance(changes[k], bool) or changes[k] < 0)))]
            if wrong:
                errors.update({f"setting.{i}.{k}": "error.invalid" for k in wrong})
                continue
            if not changes:
                errors[f"setting.{i}.settings"] = ("At least one setting must be specified: warning_level, "
                                                   "is_in_stock or safety_stock")
                continue
            item, problem = self._resolve(entry["identity"])
            if problem:
                errors[f"setting.{i}.identity"] = problem
                continue
            plan.append((item, changes))
        if errors:
            raise _problem(INVALID_PAYLOAD, errors)
        for (kind, item_id), changes in plan:
            key = (location["id"], kind, item_id)
            record = self.store.stock.get(key)
            if record is None:
                record = self.store.stock[key] = {"quantity": 0, **STOCK_DEFAULTS, "initialized": False}
            record.update(changes)
        return _transaction()

    # -- adjustments -------------------------------------------------------------------------------------------
    def _resolve(self, identity: dict[str, Any]) -> tuple[tuple[str, int] | None, str | None]:
        """(kind, id) of the item ``identity`` names, or an error message in the platform's words."""
        store = self.store
        given = [k for k in ("sku", "variant_id", "product_id") if identity.get(k) is not None]
        if len(given) != 1:
            return None, "exactly one of sku, variant_id or product_id is required"
        key = given[0]
        value = identity[key]
        if key == "sku":
            owner = store.sku_owner(str(value)) if isinstance(value, str) else None
            if owner is None:
                return None, f"Item with sku {value} does not exist"
            kind, ident = owner
            label = f"sku {value}"
        else:
            if not _is_int(value):
                return None, f"{key} must be an integer"
            kind, ident = ("variant" if key == "variant_id" else "product"), value
            label = f"{key} {value}"
        if kind == "product":
            product = store.products.get(ident)
            if product is None:
                return None, f"Item with {label} does not exist"
            if product.get("inventory_tracking") == "variant" and product.get("base_variant_id") is None:
                return None, f"Item with {label} is tracked by variant, please update stock by variant id"
            return ("product", product["id"]), None
        variant = store.variants.get(ident)
        if variant is None:
            return None, f"Item with {label} does not exist"
        product = store.products[variant["product_id"]]
        if product.get("inventory_tracking") != "variant" or variant["id"] == product.get("base_variant_id"):
            return None, f"Item with {label} is tracked by product, please update stock by product id"
        return ("variant", variant["id"]), None

    def _adjust(self, request: Request, relative: bool) -> Response:
        body = _body(request)
        items = body.get("items")
        if not isinstance(items, list) or not items:
            raise _problem(INVALID_PAYLOAD, {"items": "error.path.missing"})
        if len(items) > ADJUSTMENT_LIMIT:
            raise _problem(f"The request payload is too large. The maximum items allowed in the array is "
                           f"{ADJUSTMENT_LIMIT}.", {"items": f"{len(items)} items sent"}, status=413)
        if "reason" in body and not isinstance(body["reason"], str):
            raise _problem(INVALID_PAYLOAD, {"reason": "error.expected.jsstring"})
        field_errors: dict[str, str] = {}
        resolved: list[tuple[int, str, int, int, str]] = []
        messages: list[str] = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                field_errors[f"items.{i}"] = "error.expected.jsobject"
                continue
            for name in ("location_id", "quantity"):
                if not _is_int(item.get(name)):
                    field_errors[f"items.{i}.{name}"] = "error.path.missing" if name not in item else \
                        "error.expected.jsnumber"
            if field_errors:
                continue
            if item["location_id"] not in self.store.locations:
                messages.append(f"Location with id {item['location_id']} not found")
                continue
            target, problem = self._resolve(item)
            if problem:
                messages.append(problem)
                continue
            assert target is not None
            label = next(f"{k} {item[k]}" for k in ("sku", "variant_id", "product_id") if item.get(k) is not None)
            resolved.append((item["location_id"], target[0], target[1], item["quantity"], label))
        if field_errors:
            raise _problem(INVALID_PAYLOAD, field_errors)
        if messages:
            raise _problem(f"[{', '.join(messages)}]")
        levels: dict[tuple[int, str, int], int] = {}
        missing, below, negative = [], [], []
        for loc, kind, ident, quantity, label in resolved:
            key = (loc, kind, ident)
            record = self.store.stock.get(key)
            initialized = key in levels or (record is not None and record.get("initialized", True))
            if relative:
                if not initialized:
                    missing.append(label)
                    continue
                current = levels.get(key, int(record["quantity"]) if record else 0)
                safety = int((record or {}).get("safety_stock", 0))
                if current + quantity < safety:
                    below.append(label)
                    continue
                levels[key] = current + quantity
            else:
                if quantity < 0:
                    negative.append(label)
                    continue
                levels[key] = quantity
        if missing:
            raise _problem(f"Items with identity: [{', '.join(missing)}] requires absolute adjustment before relative")
        if below:
            raise _problem(f"[Items with identity: {', '.join(below)} would go below their safety stock]")
        if negative:
            raise _problem(f"[Items with identity: {', '.join(negative)} cannot be set to a negative quantity]")
        for (loc, kind, ident), quantity in levels.items():
            record = self.store.stock.get((loc, kind, ident))
            if record is None:
                self.store.stock[(loc, kind, ident)] = {"quantity": quantity, **STOCK_DEFAULTS}
            else:
                record["quantity"] = quantity
                record.pop("initialized", None)
        return _transaction()

    def adjust_absolute(self, request: Request) -> Response:
        return self._adjust(request, relative=False)

    def adjust_relative(self, request: Request) -> Response:
        return self._adjust(request, relative=True)

    # -- locations ---------------------------------------------------------------------------------------------
    def list_locations(self, request: Request) -> Response:
        records = apply_filters(request, self.store.locations.values(), {
            "location_id": Field(lambda loc: loc["id"]), "location_code": Field(lambda loc: loc.get("code", ""), "str"),
            "is_default": Field(lambda loc: loc["id"] == DEFAULT_LOCATION, "bool"),
            "type_id": Field(lambda loc: loc.get("type_id", "PHYSICAL"), "str"),
            "managed_by_external_source": Field(lambda loc: bool(loc.get("managed_by_external_source")), "bool"),
            "is_active": Field(lambda loc: bool(loc.get("enabled", True)), "bool"),
            "storefront_visibility": Field(lambda loc: bool(loc.get("storefront_visibility", True)), "bool"),
        }, self.now_dt())
        records.sort(key=lambda loc: loc["id"])
        page, meta = paginate(request, records, maximum=INVENTORY_PAGE_MAX)
        return Response.json({"data": page, "meta": meta})

    def _location_problems(self, item: Any, index: int, *, create: bool) -> dict[str, str]:
        if not isinstance(item, dict):
            return {f"{index}": "error.expected.jsobject"}
        errors: dict[str, str] = {}
        if create:
            for name in ("label", "type_id", "address"):
                if not item.get(name):
                    errors[f"{index}.{name}"] = "error.path.missing"
        elif not _is_int(item.get("id")) or item["id"] not in self.store.locations:
            errors[f"{index}.id"] = "error.path.missing" if "id" not in item else f"Location {item['id']} not found"
        if "type_id" in item and item["type_id"] not in ("PHYSICAL", "VIRTUAL"):
            errors[f"{index}.type_id"] = "error.expected.validenumvalue"
        address = item.get("address")
        if address is not None:
            if not isinstance(address, dict):
                errors[f"{index}.address"] = "error.expected.jsobject"
            elif create:
                for name in ("address1", "city", "zip", "country_code"):
                    if not address.get(name):
                        errors[f"{index}.address.{name}"] = "error.path.missing"
        for name, kind in (("code", str), ("label", str), ("description", str), ("time_zone", str),
                           ("enabled", bool), ("managed_by_external_source", bool), ("storefront_visibility", bool),
                           ("operating_hours", dict), ("special_hours", list)):
            if name in item and not isinstance(item[name], kind):
                errors[f"{index}.{name}"] = f"error.expected.{kind.__name__}"
        if isinstance(address, dict):
            for name, value in address.items():
                if name == "geo_coordinates":
                    if not isinstance(value, dict) or any(isinstance(v, bool) or not isinstance(v, (int, float))
                                                          for v in value.values()):
                        errors[f"{index}.address.geo_coordinates"] = "error.invalid"
                elif not isinstance(value, str):
                    errors[f"{index}.address.{name}"] = "error.expected.jsstring"
        hours = item.get("operating_hours")
        if isinstance(hours, dict):
            for day, spec in hours.items():
                if day not in ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday") or \
                        not isinstance(spec, dict) or not isinstance(spec.get("open", False), bool) or \
                        any(not isinstance(spec.get(k, ""), str) for k in ("opening", "closing")):
                    errors[f"{index}.operating_hours.{day}"] = "error.invalid"
        if isinstance(item.get("special_hours"), list):
            for j, special in enumerate(item["special_hours"]):
                if not isinstance(special, dict) or not isinstance(special.get("label"), str) or \
                        not isinstance(special.get("date"), str) or not isinstance(special.get("open"), bool):
                    errors[f"{index}.special_hours.{j}"] = "label, date and open are required"
        code = item.get("code")
        if isinstance(code, str) and code:
            clash = next((loc for loc in self.store.locations.values()
                          if loc.get("code", "").lower() == str(code).lower() and loc["id"] != item.get("id")), None)
            if clash is not None:
                errors[f"{index}.code"] = f"Location code {code} is already in use"
        return errors

    FIELDS = ("code", "label", "description", "managed_by_external_source", "type_id", "enabled", "operating_hours",
              "time_zone", "address", "storefront_visibility", "special_hours")

    def create_locations(self, request: Request) -> Response:
        items = self._valid_locations(request, create=True)
        now = self.now()
        for item in items:
            lid = self.store.next_id("location")
            location = {"id": lid, "code": f"LOC-{lid}", "label": "", "description": "",
                        "managed_by_external_source": False, "type_id": "PHYSICAL", "enabled": True,
                        "operating_hours": {}, "time_zone": "Etc/UTC", "address": {}, "storefront_visibility": False,
                        "special_hours": [], "created_at": now, "updated_at": now}
            location.update({k: item[k] for k in self.FIELDS if k in item})
            self.store.locations[lid] = location
            self.store.data["locations"].append(location)
        return _transaction()

    def update_locations(self, request: Request) -> Response:
        items = self._valid_locations(request, create=False)
        now = self.now()
        for item in items:
            location = self.store.locations[item["id"]]
            for key in self.FIELDS:
                if key in item:
                    location[key] = {**location.get(key, {}), **item[key]} if key == "address" else item[key]
            location["updated_at"] = now
        return _transaction()

    def _valid_locations(self, request: Request, *, create: bool) -> list[Any]:
        """The body's locations, each checked; any problem refuses all."""
        items = body_json(request)
        if not isinstance(items, list) or not items:
            raise _problem(INVALID_PAYLOAD, {"body": "expected a non-empty array of locations"})
        errors: dict[str, str] = {}
        for i, item in enumerate(items):
            errors.update(self._location_problems(item, i, create=create))
        if errors:
            raise _problem(INVALID_PAYLOAD, errors)
        return items

    def delete_locations(self, request: Request) -> Response:
        raw = request.arg("location_id:in")
        if not raw:
            raise _problem(INVALID_PAYLOAD, {"location_id:in": "error.path.missing"})
        try:
            ids = {int(part) for part in raw.split(",") if part.strip()}
        except ValueError:
            raise _problem(INVALID_PAYLOAD, {"location_id:in": raw}) from None
        if DEFAULT_LOCATION in ids:
            raise _problem("The default location (id 1) cannot be deleted", {"location_id:in": "1"})
        for lid in ids:
            self.store.locations.pop(lid, None)
        self.store.data["locations"] = [loc for loc in self.store.data["locations"] if loc["id"] not in ids]
        for key in [k for k in self.store.stock if k[0] in ids]:
            del self.store.stock[key]
        return Response.empty(204)
