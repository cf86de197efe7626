"""Catalog routes of the BigCommerce emulator: products, variants, images and options (brands and categories
are in ``bigcommerce_taxonomy.py``).

Behaviour follows ``products_catalog.v3.yml``, ``product-variants_catalog.v3.yml``,
``product-variant-options_catalog.v3.yml`` and the contract notes:

- SKUs are unique regardless of letter case across products and variants; product names and custom URLs are
  unique too: a clash is 409. A missing/unknown ``brand_id``, category or tax class is 409 as well (the spec
  lists them under 409); missing or mistyped fields are 422.
- Batches are all-or-nothing here: every item is checked before any is written (the platform's 207 partial
  success is for inventory/URL side effects, which the emulator never fails).
- A product's ``date_modified`` changes when the product itself is written (product endpoints, its images);
  never when only a variant changes (variant endpoints, inline variants) nor through the Inventory API.
"""
from __future__ import annotations

import urllib.request
from typing import Any
from urllib.parse import urlsplit

from desktop.sandbox.bigcommerce_fields import (INVALID, PRODUCT_CHECKED_ONLY, PRODUCT_FIELDS, PRODUCT_REQUIRED,
                                                VARIANT_FIELDS, clean)
from desktop.sandbox.bigcommerce_http import (BCError, Field, apply_filters, body_array, body_object, ok, paginate,
                                              select_fields, sort_records)
from desktop.sandbox.bigcommerce_seed import seed_picture, slugify
from desktop.sandbox.bigcommerce_store import DEFAULT_LOCATION
from desktop.sandbox.server import Request, Response

PRODUCT_BATCH = 10
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
MAX_IMAGE_BYTES = 8 * 1024 * 1024  # BigCommerce's documented upload limit is 8 MB
VARIANT_BATCH = 50


def _includes(request: Request) -> set[str]:
    raw = request.arg("include") or ""
    return {part.strip() for part in raw.split(",") if part.strip()}


def _int_param(request: Request, name: str) -> int:
    try:
        return int(request.params[name])
    except (KeyError, ValueError):
        raise BCError(404, "The requested resource was not found.") from None


def _dup(field: str, title: str) -> BCError:
    return BCError(409, title, {field: title})


class CatalogRoutes:
    """Mixed into ``BigCommerceEmulator``; uses ``self.store`` and ``self.now()``."""

    def register_catalog(self) -> None:
        v3 = self.v3  # type: ignore[attr-defined]
        v3(r"/catalog/products", GET=self.list_products, POST=self.create_product, PUT=self.update_products,
           DELETE=self.delete_products)
        v3(r"/catalog/products/(?P<pid>\d+)", GET=self.get_product, PUT=self.update_product, DELETE=self.delete_product)
        v3(r"/catalog/products/(?P<pid>\d+)/variants", GET=self.list_product_variants, POST=self.create_variant)
        v3(r"/catalog/products/(?P<pid>\d+)/variants/(?P<vid>\d+)", GET=self.get_variant, PUT=self.update_variant,
           DELETE=self.delete_variant)
        v3(r"/catalog/variants", GET=self.list_variants, PUT=self.update_variants)
        v3(r"/catalog/products/(?P<pid>\d+)/images", GET=self.list_images, POST=self.create_image)
        v3(r"/catalog/products/(?P<pid>\d+)/images/(?P<iid>\d+)", GET=self.get_image, PUT=self.update_image,
           DELETE=self.delete_image)
        # options and their values: bigcommerce_options.OptionRoutes
        # the store's image CDN: no auth, no store lock (an image may be fetched from this very emulator)
        self.route("GET", r"/cdn/s-(?P<hash>[^/]+)/images/stencil/(?P<size>[^/]+)/products/(?P<pid>\d+)/"
                          r"(?P<iid>\d+)/(?P<file>[^/]+)", self.cdn_image)  # type: ignore[attr-defined]

    # -- products ----------------------------------------------------------------------------------------
    PRODUCT_FILTERS = {
        "id": Field(lambda p: p["id"]), "name": Field(lambda p: p["name"], "str"),
        "sku": Field(lambda p: p.get("sku"), "str"), "upc": Field(lambda p: p.get("upc"), "str"),
        "mpn": Field(lambda p: p.get("mpn"), "str"), "brand_id": Field(lambda p: p.get("brand_id", 0)),
        "categories": Field(lambda p: p.get("categories", [])), "type": Field(lambda p: p.get("type"), "str"),
        "is_visible": Field(lambda p: p.get("is_visible", True), "bool"),
        "is_featured": Field(lambda p: p.get("is_featured", False), "bool"),
        "date_modified": Field(lambda p: p["date_modified"], "date"),
        "date_created": Field(lambda p: p["date_created"], "date"),
        "price": Field(lambda p: p.get("price", 0), "num"), "weight": Field(lambda p: p.get("weight", 0), "num"),
        "condition": Field(lambda p: p.get("condition", "New"), "str"),
        "availability": Field(lambda p: p.get("availability", "available"), "str"),
        "total_sold": Field(lambda p: p.get("total_sold", 0)),
        "keyword": Field(lambda p: f"{p['name']} {p.get('sku', '')}", "str"),
    }

    def _product(self, request: Request) -> dict[str, Any]:
        product = self.store.products.get(_int_param(request, "pid"))
        if product is None:
            raise BCError(404, "The requested resource was not found.")
        return product

    def list_products(self, request: Request) -> Response:
        store = self.store
        filters = dict(self.PRODUCT_FILTERS)
        filters["inventory_level"] = Field(store.product_level)
        records = apply_filters(request, store.products.values(), filters, self.now_dt())
        keyword = request.arg("keyword")
        if keyword:
            needle = keyword.lower()
            records = [p for p in records if needle in p["name"].lower() or needle in (p.get("sku") or "").lower()]
        records = sort_records(request, records, {
            "id": lambda p: p["id"], "name": lambda p: p["name"].lower(), "sku": lambda p: (p.get("sku") or "").lower(),
            "price": lambda p: p.get("price", 0), "date_modified": lambda p: p["date_modified"],
            "date_last_imported": lambda p: p["date_modified"], "inventory_level": store.product_level,
            "is_visible": lambda p: p.get("is_visible", True), "total_sold": lambda p: p.get("total_sold", 0),
            "calculated_price": lambda p: p.get("sale_price") or p.get("price", 0)})
        page, meta = paginate(request, records)
        include = _includes(request)
        data = [select_fields(store.render_product(p, include), request) for p in page]
        return Response.json({"data": data, "meta": meta})

    def get_product(self, request: Request) -> Response:
        product = self._product(request)
        return ok(select_fields(self.store.render_product(product, _includes(request)), request))

    def _check_product_refs(self, fields: dict[str, Any], prefix: str = "") -> None:
        store = self.store
        brand = fields.get("brand_id")
        if brand and brand not in store.brands:
            raise BCError(409, "The brand_id is invalid", {prefix + "brand_id": f"Brand {brand} does not exist"})
        for cid in fields.get("categories") or []:
            if cid not in store.categories:
                raise BCError(409, "The category_id is invalid",
                              {prefix + "categories": f"Category {cid} does not exist"})
        tax = fields.get("tax_class_id")
        if tax and tax not in {int(t["id"]) for t in store.data["tax_classes"]}:
            raise BCError(409, "The tax_class_id is invalid", {prefix + "tax_class_id": f"Tax class {tax} does not exist"})

    def _check_unique(self, fields: dict[str, Any], product_id: int | None, taken: dict[str, set[str]]) -> None:
        """409 when a name, SKU or custom URL is in use by another product/variant (or earlier in a batch)."""
        store = self.store
        name = fields.get("name")
        if name is not None:
            key = name.strip().lower()
            owner = store.names.get(key)
            if (owner is not None and owner != product_id) or key in taken["names"]:
                raise _dup("name", "The product name is a duplicate")
            taken["names"].add(key)
        sku = fields.get("sku")
        if sku:
            key = sku.strip().lower()
            owner = store.sku_owner(sku)
            if (owner is not None and owner != ("product", product_id)) or key in taken["skus"]:
                raise _dup("sku", f"The product sku is a duplicate: '{sku}' is already in use")
            taken["skus"].add(key)
        url = (fields.get("custom_url") or {}).get("url")
        if url:
            key = url.lower()
            owner = store.urls.get(key)
            if (owner is not None and owner != product_id) or key in taken["urls"]:
                raise _dup("custom_url", "The product custom_url is a duplicate")
            taken["urls"].add(key)

    def _auto_url(self, name: str, product_id: int) -> dict[str, Any]:
        base = f"/{slugify(name) or 'product'}/"
        url, n = base, 1
        while url.lower() in self.store.urls and self.store.urls[url.lower()] != product_id:
            n += 1
            url = f"{base[:-1]}-{n}/"
        return {"url": url, "is_customized": False}

    def _prepare_inline_variants(self, raw: Any, product_sku: str | None,
                                 taken: dict[str, set[str]]) -> list[tuple[dict[str, Any], list[tuple[str, str]]]]:
        if not isinstance(raw, list):
            raise BCError(422, INVALID, {"variants": "error.expected.jsarray"})
        prepared = []
        for i, item in enumerate(raw):
            if not isinstance(item, dict):
                raise BCError(422, INVALID, {f"variants.{i}": "error.expected.jsobject"})
            fields = clean(item, VARIANT_FIELDS, ("sku",), prefix=f"variants.{i}.")
            labels = []
            if not isinstance(item.get("option_values") or [], list):
                raise BCError(422, INVALID, {f"variants.{i}.option_values": "error.expected.jsarray"})
            for ov in item.get("option_values") or []:
                if not isinstance(ov, dict) or not ov.get("option_display_name") or not ov.get("label"):
                    raise BCError(422, INVALID, {f"variants.{i}.option_values":
                                                 "each option value needs option_display_name and label"})
                if not isinstance(ov["option_display_name"], str) or not isinstance(ov["label"], str):
                    # issue 18: a number or an object was stored as its text; the file says string
                    raise BCError(422, INVALID, {f"variants.{i}.option_values": "option_display_name and label "
                                                                               "must be strings"})
                labels.append((ov["option_display_name"], ov["label"]))
            if not labels and len(raw) > 1:
                raise BCError(422, INVALID, {f"variants.{i}.option_values": "error.path.missing"})
            sku = fields["sku"]
            key = sku.strip().lower()
            if len(raw) == 1 and not labels and key == (product_sku or "").strip().lower():
                prepared.append((fields, labels))  # the base variant restating its product's SKU
                continue
            if self.store.sku_owner(sku) is not None or key in taken["skus"]:
                raise _dup(f"variants.{i}.sku", f"The product sku is a duplicate: '{sku}' is already in use")
            taken["skus"].add(key)
            prepared.append((fields, labels))
        return prepared

    def create_product(self, request: Request) -> Response:
        body = body_object(request)
        fields = clean(body, PRODUCT_FIELDS, PRODUCT_REQUIRED, checked_only=PRODUCT_CHECKED_ONLY)
        self._check_product_refs(fields)
        taken: dict[str, set[str]] = {"names": set(), "skus": set(), "urls": set()}
        self._check_unique(fields, None, taken)
        variants = self._prepare_inline_variants(body["variants"], fields.get("sku"), taken) \
            if body.get("variants") else []
        images = body.get("images") or []
        if not isinstance(images, list) or any(not isinstance(i, dict) or not isinstance(i.get("image_url"), str)
                                               for i in images):
            raise BCError(422, INVALID, {"images": "each image needs an image_url"})
        fetched = [self._download(request, image["image_url"]) for image in images]
        store = self.store
        now = self.now()
        pid = store.next_id("product")
        level = fields.pop("inventory_level", None)
        product: dict[str, Any] = {"id": pid, **fields, "date_created": now, "date_modified": now,
                                   "base_variant_id": None, "options": [], "variants": [], "images": []}
        product.setdefault("sku", "")
        product.setdefault("inventory_tracking", "none")
        if not (fields.get("custom_url") or {}).get("url"):
            product["custom_url"] = self._auto_url(product["name"], pid)
        else:
            product["custom_url"] = {"url": fields["custom_url"]["url"],
                                     "is_customized": bool(fields["custom_url"].get("is_customized", True))}
        with_options = [v for v in variants if v[1]]
        if with_options:
            for vfields, labels in variants:
                self._add_option_variant(product, vfields, labels)
        else:
            vid = store.next_id("variant")
            product["base_variant_id"] = vid
            base = {"id": vid, "option_values": []}
            if variants:  # a single variant without options describes the base variant
                vfields = variants[0][0]
                base.update({k: v for k, v in vfields.items() if k not in ("sku", "inventory_level")})
                if not product["sku"]:
                    product["sku"] = vfields["sku"]
            product["variants"].append(base)
        for n, (image, data) in enumerate(zip(images, fetched)):
            row = {"id": store.next_id("image"), "image_url": image["image_url"],
                   "is_thumbnail": bool(image.get("is_thumbnail", n == 0)),
                   "sort_order": image.get("sort_order", n), "description": image.get("description", ""),
                   "date_modified": now}
            self._keep(row, data)
            product["images"].append(row)
        store.data["products"].append(product)
        store._index_product(product)
        if level is not None:
            store.set_level(DEFAULT_LOCATION, "product", pid, level)
        for vfields, labels in variants:
            vlevel = vfields.get("inventory_level")
            variant = next((v for v in product["variants"] if v.get("sku") == vfields["sku"]), None)
            if vlevel is not None and variant is not None and labels:
                kind, item_id = store.item_of(product, variant)
                if kind == "variant":
                    store.set_level(DEFAULT_LOCATION, kind, item_id, vlevel)
            elif vlevel is not None and not labels and level is None:
                store.set_level(DEFAULT_LOCATION, "product", pid, vlevel)
        include = _includes(request) | {"variants", "images"}
        return ok(select_fields(store.render_product(product, include), request))

    def _add_option_variant(self, product: dict[str, Any], fields: dict[str, Any],
                            labels: list[tuple[str, str]]) -> dict[str, Any]:
        store = self.store
        values = []
        for display, label in labels:
            option = next((o for o in product["options"] if o["display_name"].lower() == display.lower()), None)
            if option is None:
                option = {"id": store.next_id("option"), "display_name": display, "type": "rectangles",
                          "sort_order": len(product["options"]), "option_values": []}
                product["options"].append(option)
            value = next((v for v in option["option_values"] if v["label"].lower() == label.lower()), None)
            if value is None:
                value = {"id": store.next_id("option_value"), "label": label,
                         "sort_order": len(option["option_values"]), "is_default": False, "value_data": None}
                option["option_values"].append(value)
            values.append({"id": value["id"], "option_id": option["id"]})
        variant = {"id": store.next_id("variant"), "sku_id": store.next_id("sku_id"),
                   **{k: v for k, v in fields.items() if k != "inventory_level"}, "option_values": values,
                   "product_id": product["id"]}
        product["variants"].append(variant)
        return variant

    def _apply_product_update(self, product: dict[str, Any], fields: dict[str, Any]) -> None:
        store = self.store
        store.unindex_product(product)
        level = fields.pop("inventory_level", None)
        if "custom_url" in fields:
            url = fields.pop("custom_url")
            if url.get("url"):
                product["custom_url"] = {"url": url["url"], "is_customized": bool(url.get("is_customized", True))}
        product.update(fields)
        product["date_modified"] = self.now()
        store._index_product(product)
        if level is not None:
            store.set_level(DEFAULT_LOCATION, "product", product["id"], level)

    def _inline_variant_updates(self, product: dict[str, Any], raw: Any,
                                taken: dict[str, set[str]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        if not isinstance(raw, list):
            raise BCError(422, INVALID, {"variants": "error.expected.jsarray"})
        updates = []
        for i, item in enumerate(raw):
            if not isinstance(item, dict) or not isinstance(item.get("id"), int):
                raise BCError(422, INVALID, {f"variants.{i}.id": "error.path.missing"})
            variant = self.store.variants.get(item["id"])
            if variant is None or variant["product_id"] != product["id"]:
                raise BCError(422, INVALID, {f"variants.{i}.id": f"Variant {item['id']} is not a variant of this product"})
            fields = clean(item, VARIANT_FIELDS, prefix=f"variants.{i}.")
            self._check_variant_sku(fields, product, variant, taken)
            updates.append((variant, fields))
        return updates

    def update_product(self, request: Request) -> Response:
        product = self._product(request)
        body = body_object(request)
        fields = clean(body, PRODUCT_FIELDS, checked_only=PRODUCT_CHECKED_ONLY)
        self._check_product_refs(fields)
        taken: dict[str, set[str]] = {"names": set(), "skus": set(), "urls": set()}
        self._check_unique(fields, product["id"], taken)
        updates = self._inline_variant_updates(product, body["variants"], taken) if "variants" in body else []
        if fields:
            self._apply_product_update(product, fields)
        for variant, vfields in updates:
            self._apply_variant_update(product, variant, vfields)
        include = _includes(request) | ({"variants"} if updates else set())
        return ok(select_fields(self.store.render_product(product, include), request))

    def update_products(self, request: Request) -> Response:
        items = body_array(request, PRODUCT_BATCH, "products")
        taken: dict[str, set[str]] = {"names": set(), "skus": set(), "urls": set()}
        plan = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise BCError(422, INVALID, {f"{i}": "error.expected.jsobject"})
            if not isinstance(item.get("id"), int) or isinstance(item.get("id"), bool):
                raise BCError(422, INVALID, {f"{i}.id": "error.path.missing"})
            product = self.store.products.get(item["id"])
            if product is None:
                raise BCError(404, f"Product {item['id']} was not found.", {f"{i}.id": "not found"})
            fields = clean(item, PRODUCT_FIELDS, prefix=f"{i}.", checked_only=PRODUCT_CHECKED_ONLY)
            self._check_product_refs(fields, prefix=f"{i}.")
            self._check_unique(fields, product["id"], taken)
            updates = self._inline_variant_updates(product, item["variants"], taken) if "variants" in item else []
            plan.append((product, fields, updates))
        for product, fields, updates in plan:
            if fields:
                self._apply_product_update(product, fields)
            for variant, vfields in updates:
                self._apply_variant_update(product, variant, vfields)
        include = _includes(request)
        return ok([select_fields(self.store.render_product(p, include), request) for p, _, _ in plan])

    def _remove_product(self, product: dict[str, Any]) -> None:
        self.store.forget_product(product)
        self.store.data["products"] = [p for p in self.store.data["products"] if p["id"] != product["id"]]

    def delete_product(self, request: Request) -> Response:
        self._remove_product(self._product(request))
        return Response.empty(204)

    def delete_products(self, request: Request) -> Response:
        if not any(k for k in request.query if k.split(":")[0] in self.PRODUCT_FILTERS):
            raise BCError(422, "A filter is required to delete products", {"id:in": "error.path.missing"})
        doomed = apply_filters(request, self.store.products.values(), self.PRODUCT_FILTERS, self.now_dt())[:250]
        for product in doomed:
            self.store.forget_product(product)
        gone = {p["id"] for p in doomed}
        self.store.data["products"] = [p for p in self.store.data["products"] if p["id"] not in gone]
        return Response.empty(204)

    # -- variants ------------------------------------------------------------------------------------------
    def _variant(self, request: Request) -> tuple[dict[str, Any], dict[str, Any]]:
        product = self._product(request)
        variant = self.store.variants.get(_int_param(request, "vid"))
        if variant is None or variant["product_id"] != product["id"]:
            raise BCError(404, "The requested resource was not found.")
        return product, variant

    def _check_variant_sku(self, fields: dict[str, Any], product: dict[str, Any], variant: dict[str, Any] | None,
                           taken: dict[str, set[str]]) -> None:
        sku = fields.get("sku")
        if not sku:
            return
        key = sku.strip().lower()
        owner = self.store.sku_owner(sku)
        me: tuple[str, int] | None = None
        if variant is not None:
            me = ("product", product["id"]) if variant["id"] == product.get("base_variant_id") \
                else ("variant", variant["id"])
        if (owner is not None and owner != me) or key in taken["skus"]:
            raise _dup("sku", f"The product sku is a duplicate: '{sku}' is already in use")
        taken["skus"].add(key)

    def _apply_variant_update(self, product: dict[str, Any], variant: dict[str, Any], fields: dict[str, Any]) -> None:
        """Write a variant; a base variant writes its shared fields through to its product (without touching
        the product's ``date_modified``: only a variant changed)."""
        store = self.store
        fields = dict(fields)
        level = fields.pop("inventory_level", None)
        base = variant["id"] == product.get("base_variant_id")
        store.unindex_product(product)
        if base:
            for key in ("sku", "price", "cost_price", "upc", "mpn", "gtin"):
                if key in fields:
                    value = fields.pop(key)
                    product[key] = "" if value is None and key != "price" else value
        variant.update(fields)
        store._index_product(product)
        if level is not None:
            kind, item_id = store.item_of(product, variant)
            store.set_level(DEFAULT_LOCATION, kind, item_id, level)

    def list_product_variants(self, request: Request) -> Response:
        product = self._product(request)
        page, meta = paginate(request, product["variants"])
        data = [select_fields(self.store.render_variant(product, v), request) for v in page]
        return Response.json({"data": data, "meta": meta})

    def get_variant(self, request: Request) -> Response:
        product, variant = self._variant(request)
        return ok(select_fields(self.store.render_variant(product, variant), request))

    def _option_values_for(self, product: dict[str, Any], raw: Any, prefix: str,
                           by_label: bool = True) -> list[tuple[str, str]]:
        """Option values of a new variant as (display name, label) pairs; ``{id, option_id}`` must exist.
        ``by_label``: ``{option_display_name, label}`` may name values not made yet (a product created with its
        variants); a variant added to an existing product must name existing values (issue 18: the file's
        description of ``POST …/variants``: create the option values first)."""
        if not isinstance(raw, list) or not raw:
            raise BCError(422, INVALID, {prefix + "option_values": "error.path.missing"})
        labels = []
        options = {o["id"]: o for o in product["options"]}
        for ov in raw:
            if not isinstance(ov, dict):
                raise BCError(422, INVALID, {prefix + "option_values": "error.expected.jsobject"})
            if "option_id" in ov and "id" in ov:
                if not all(isinstance(ov[k], int) and not isinstance(ov[k], bool) for k in ("id", "option_id")):
                    raise BCError(422, INVALID, {prefix + "option_values": "id and option_id must be integers"})
                option = options.get(ov["option_id"])
                value = option and next((v for v in option["option_values"] if v["id"] == ov["id"]), None)
                if not value:
                    raise BCError(422, INVALID, {prefix + "option_values":
                                                 f"Option value {ov['id']} of option {ov['option_id']} does not exist"})
                labels.append((option["display_name"], value["label"]))
            elif by_label and ov.get("option_display_name") and ov.get("label"):
                if not isinstance(ov["option_display_name"], str) or not isinstance(ov["label"], str):
                    raise BCError(422, INVALID, {prefix + "option_values": "option_display_name and label must be "
                                                                          "strings"})
                labels.append((ov["option_display_name"], ov["label"]))
            elif not by_label:
                raise BCError(422, INVALID, {prefix + "option_values": "a variant of an existing product names "
                                                                      "existing option values by id and option_id "
                                                                      "(create them first)"})
            else:
                raise BCError(422, INVALID, {prefix + "option_values":
                                             "each needs id and option_id, or option_display_name and label"})
        existing = {tuple(sorted((self._label_key(product, ov)) for ov in v["option_values"]))
                    for v in product["variants"] if v["option_values"]}
        wanted = tuple(sorted((d.lower(), label.lower()) for d, label in labels))
        if wanted in existing:
            raise BCError(409, "A variant with the same option values already exists",
                          {prefix + "option_values": "duplicate option value combination"})
        return labels

    @staticmethod
    def _label_key(product: dict[str, Any], ov: dict[str, Any]) -> tuple[str, str]:
        option = next((o for o in product["options"] if o["id"] == ov["option_id"]), None)
        if option is None:
            return ("", "")
        value = next((v for v in option["option_values"] if v["id"] == ov["id"]), {"label": ""})
        return (option["display_name"].lower(), value["label"].lower())

    def _create_variant(self, product: dict[str, Any], body: dict[str, Any], taken: dict[str, set[str]],
                        prefix: str = "") -> tuple[dict[str, Any], list[tuple[str, str]]]:
        fields = clean(body, VARIANT_FIELDS, ("sku",), prefix=prefix)
        labels = self._option_values_for(product, body.get("option_values"), prefix, by_label=False)
        self._check_variant_sku(fields, product, None, taken)
        return fields, labels

    def _commit_variant(self, product: dict[str, Any], fields: dict[str, Any],
                        labels: list[tuple[str, str]]) -> dict[str, Any]:
        store = self.store
        store.unindex_product(product)
        if product.get("base_variant_id") is not None:  # the first option variant replaces the base variant
            product["variants"] = [v for v in product["variants"] if v["id"] != product["base_variant_id"]]
            product["base_variant_id"] = None
        variant = self._add_option_variant(product, fields, labels)
        store._index_product(product)
        if fields.get("inventory_level") is not None:
            kind, item_id = store.item_of(product, variant)
            store.set_level(DEFAULT_LOCATION, kind, item_id, fields["inventory_level"])
        return variant

    def create_variant(self, request: Request) -> Response:
        product = self._product(request)
        body = body_object(request)
        fields, labels = self._create_variant(product, body, {"names": set(), "skus": set(), "urls": set()})
        variant = self._commit_variant(product, fields, labels)
        return ok(self.store.render_variant(product, variant))

    def update_variant(self, request: Request) -> Response:
        product, variant = self._variant(request)
        fields = clean(body_object(request), VARIANT_FIELDS)
        self._check_variant_sku(fields, product, variant, {"names": set(), "skus": set(), "urls": set()})
        self._apply_variant_update(product, variant, fields)
        return ok(self.store.render_variant(product, variant))

    def delete_variant(self, request: Request) -> Response:
        product, variant = self._variant(request)
        if variant["id"] == product.get("base_variant_id"):
            raise BCError(422, "The base variant of a product cannot be deleted", {"id": "base variant"})
        store = self.store
        store.unindex_product(product)
        product["variants"] = [v for v in product["variants"] if v["id"] != variant["id"]]
        store._index_product(product)
        for key in [k for k in store.stock if k[1] == "variant" and k[2] == variant["id"]]:
            del store.stock[key]
        return Response.empty(204)

    def list_variants(self, request: Request) -> Response:
        store = self.store
        pairs = [(store.products[v["product_id"]], v) for v in store.variants.values()]

        def shared(key: str) -> Any:
            def get(pv: tuple[dict[str, Any], dict[str, Any]]) -> Any:
                product, variant = pv
                source = product if variant["id"] == product.get("base_variant_id") else variant
                return source.get(key) or ""
            return get

        filters = {
            "id": Field(lambda pv: pv[1]["id"]), "product_id": Field(lambda pv: pv[0]["id"]),
            "sku": Field(shared("sku"), "str"), "upc": Field(shared("upc"), "str"),
        }
        pairs = apply_filters(request, pairs, filters, self.now_dt())
        pairs.sort(key=lambda pv: pv[1]["id"])
        page, meta = paginate(request, pairs)
        return Response.json({"data": [select_fields(store.render_variant(p, v), request) for p, v in page],
                              "meta": meta})

    def update_variants(self, request: Request) -> Response:
        items = body_array(request, VARIANT_BATCH, "variants")
        store = self.store
        taken: dict[str, set[str]] = {"names": set(), "skus": set(), "urls": set()}
        plan: list[tuple[str, dict[str, Any], Any, Any]] = []
        errors = []
        for i, item in enumerate(items):
            try:
                if not isinstance(item, dict):
                    raise BCError(422, INVALID, {f"{i}": "error.expected.jsobject"})
                if isinstance(item.get("id"), int):
                    variant = store.variants.get(item["id"])
                    if variant is None:
                        raise BCError(422, INVALID, {f"{i}.id": f"Variant {item['id']} does not exist"})
                    product = store.products[variant["product_id"]]
                    fields = clean(item, VARIANT_FIELDS, prefix=f"{i}.")
                    self._check_variant_sku(fields, product, variant, taken)
                    plan.append(("update", product, variant, fields))
                elif isinstance(item.get("product_id"), int):
                    product = store.products.get(item["product_id"])
                    if product is None:
                        raise BCError(422, INVALID, {f"{i}.product_id": f"Product {item['product_id']} does not exist"})
                    fields, labels = self._create_variant(product, item, taken, prefix=f"{i}.")
                    plan.append(("create", product, fields, labels))
                else:
                    raise BCError(422, INVALID, {f"{i}.id": "error.path.missing"})
            except BCError as exc:
                if exc.status != 422:
                    raise
                errors.append({"status": 422, "title": exc.title, "type": "/api-docs/getting-started/api-status-codes",
                               "errors": exc.errors or {}})
        if errors:
            raise BCError(422, INVALID, errors[0]["errors"], extra={"batch_errors": errors})
        out = []
        for action, product, a, b in plan:
            if action == "update":
                self._apply_variant_update(product, a, b)
                out.append(store.render_variant(product, a))
            else:
                out.append(store.render_variant(product, self._commit_variant(product, a, b)))
        return Response.json({"data": out, "meta": {}})

    # -- images --------------------------------------------------------------------------------------------
    def _image(self, request: Request) -> tuple[dict[str, Any], dict[str, Any]]:
        product = self._product(request)
        iid = _int_param(request, "iid")
        image = next((i for i in product.get("images", []) if i["id"] == iid), None)
        if image is None:
            raise BCError(404, "The requested resource was not found.")
        return product, image

    def list_images(self, request: Request) -> Response:
        product = self._product(request)
        page, meta = paginate(request, product.get("images", []))
        return Response.json({"data": [select_fields(self.store.render_image(product, i), request) for i in page],
                              "meta": meta})

    def get_image(self, request: Request) -> Response:
        product, image = self._image(request)
        return ok(select_fields(self.store.render_image(product, image), request))

    def _image_fields(self, body: dict[str, Any], *, create: bool) -> dict[str, Any]:
        errors = {}
        url = body.get("image_url")
        if create and not url:
            if "image_file" in body:
                raise BCError(422, "image_file must be sent as multipart/form-data", {"image_file": "error.invalid"})
            errors["image_url"] = "error.path.missing"
        if url is not None and not isinstance(url, str):
            errors["image_url"] = "error.expected.jsstring"
        for name, kind in (("is_thumbnail", bool), ("sort_order", int), ("description", str)):
            if name in body and not isinstance(body[name], kind):
                errors[name] = "error.invalid"
        if errors:
            raise BCError(422, INVALID, errors)
        if isinstance(url, str) and url and not (url.startswith("http://") or url.startswith("https://")):
            raise BCError(400, "The image could not be downloaded from image_url", {"image_url": url})
        return {k: body[k] for k in ("image_url", "is_thumbnail", "sort_order", "description") if k in body}

    def _download(self, request: Request, url: str) -> bytes | None:
        """BigCommerce downloads ``image_url`` and serves the image from its CDN. The emulator downloads only
        loopback URLs (a sandbox store or a test's file server); other sources are taken on trust and serve
        nothing. A loopback image that cannot be downloaded is refused, as the platform refuses it."""
        if urlsplit(url).hostname not in LOOPBACK_HOSTS:
            return None
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
                data = response.read(MAX_IMAGE_BYTES + 1)
        except (OSError, ValueError):
            raise BCError(400, "The image could not be downloaded from image_url", {"image_url": url}) from None
        if len(data) > MAX_IMAGE_BYTES:
            raise BCError(413, "The image is larger than 8 MB", {"image_url": url})
        return data

    def _keep(self, image: dict[str, Any], data: bytes | None) -> None:
        """The bytes the CDN serves for ``image``: as downloaded, or (a source taken on trust) drawn on request."""
        if data is None:
            self.store.files.pop(image["id"], None)
        else:
            self.store.files[image["id"]] = data

    def cdn_image(self, request: Request) -> Response:
        if request.params["hash"] != self.store.store_hash:
            return Response.text("Not Found", 404)
        product = self.store.products.get(int(request.params["pid"]))
        image = next((i for i in (product or {}).get("images", []) if i["id"] == int(request.params["iid"])), None)
        if image is None:
            return Response.text("Not Found", 404)
        data = self.store.files.get(image["id"])
        if data is None:  # a seed's (or an unreachable) source: a picture of the product stands in for it
            data = self.store.files[image["id"]] = seed_picture(product["name"], image["id"])
        kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
        return Response(200, data, {"Content-Type": kind})

    def _set_thumbnail(self, product: dict[str, Any], image: dict[str, Any]) -> None:
        if image.get("is_thumbnail"):
            for other in product["images"]:
                if other is not image:
                    other["is_thumbnail"] = False

    def create_image(self, request: Request) -> Response:
        product = self._product(request)
        ctype = (request.headers.get("content-type") or "").lower()
        if ctype.startswith("multipart/"):
            raise BCError(422, "The sandbox takes images by image_url only", {"image_file": "not emulated"})
        fields = self._image_fields(body_object(request), create=True)
        data = self._download(request, fields["image_url"])
        now = self.now()
        images = product.setdefault("images", [])
        image = {"id": self.store.next_id("image"), "is_thumbnail": not images, "sort_order": len(images),
                 "description": "", **fields, "date_modified": now}
        self._keep(image, data)
        images.append(image)
        self._set_thumbnail(product, image)
        product["date_modified"] = now
        return ok(self.store.render_image(product, image))

    def update_image(self, request: Request) -> Response:
        product, image = self._image(request)
        fields = self._image_fields(body_object(request), create=False)
        data = self._download(request, fields["image_url"]) if fields.get("image_url") else None
        image.update(fields)
        if fields.get("image_url"):
            self._keep(image, data)
        image["date_modified"] = product["date_modified"] = self.now()
        self._set_thumbnail(product, image)
        return ok(self.store.render_image(product, image))

    def delete_image(self, request: Request) -> Response:
        product, image = self._image(request)
        product["images"] = [i for i in product["images"] if i["id"] != image["id"]]
        product["date_modified"] = self.now()
        return Response.empty(204)
