"""The BigCommerce emulator's store: its state (the seed format), the indexes over it, and the renderers.

State is the dict ``bigcommerce_seed`` produces; the live store mutates it in place, so ``export()`` is the
state itself (with stock written back). Indexes make the per-request work proportional to a page, not to the
catalog: products, variants, SKUs (case-insensitive, shared by products and variants as on the platform),
names, custom URLs, brands, categories, customers, orders and stock per location.

Stock: each inventory *item* is ``("product", product_id)`` for a product tracked by product (or not tracked)
and ``("variant", variant_id)`` for a variant of a product tracked by variant. ``self.stock`` maps
``(location_id, kind, id)`` to the level and settings there; a key is present once the item was given an
absolute level at that location (seeded levels count), which is what relative adjustments require. The
catalog's ``inventory_level`` is the level at the default location (id 1), as the product schema says.
"""
from __future__ import annotations

import pickle
from datetime import datetime, timezone
from typing import Any

from desktop.sandbox.bigcommerce_seed import slugify

DEFAULT_LOCATION = 1

PRODUCT_DEFAULTS: dict[str, Any] = {
    "type": "physical", "sku": "", "description": "", "weight": 0, "width": 0, "depth": 0, "height": 0,
    "price": 0, "cost_price": 0, "retail_price": 0, "sale_price": 0, "map_price": 0, "tax_class_id": 0,
    "product_tax_code": "", "categories": [], "brand_id": 0, "inventory_warning_level": 0,
    "inventory_tracking": "none", "fixed_cost_shipping_price": 0, "is_free_shipping": False,
    "is_visible": True, "is_featured": False, "related_products": [-1], "warranty": "",
    "bin_picking_number": "", "layout_file": "product.html", "upc": "", "mpn": "", "gtin": "",
    "search_keywords": "", "availability": "available", "availability_description": "",
    "gift_wrapping_options_type": "any", "gift_wrapping_options_list": [], "sort_order": 0, "condition": "New",
    "is_condition_shown": False, "order_quantity_minimum": 0, "order_quantity_maximum": 0, "page_title": "",
    "meta_keywords": [], "meta_description": "", "view_count": 0, "preorder_release_date": None,
    "preorder_message": "", "is_preorder_only": False, "is_price_hidden": False, "price_hidden_label": "",
    "open_graph_type": "product", "open_graph_title": "", "open_graph_description": "",
    "open_graph_use_meta_description": True, "open_graph_use_product_name": True, "open_graph_use_image": True,
    "reviews_rating_sum": 0, "reviews_count": 0, "total_sold": 0,
}
PRODUCT_ORDER = ["id", "name", "type", "sku", "description", "weight", "width", "depth", "height", "price",
                 "cost_price", "retail_price", "sale_price", "map_price", "tax_class_id", "product_tax_code",
                 "calculated_price", "categories", "brand_id", "option_set_display", "inventory_level",
                 "inventory_warning_level", "inventory_tracking", "reviews_rating_sum", "reviews_count",
                 "total_sold", "fixed_cost_shipping_price", "is_free_shipping", "is_visible", "is_featured",
                 "related_products", "warranty", "bin_picking_number", "layout_file", "upc", "mpn", "gtin",
                 "search_keywords", "availability", "availability_description", "gift_wrapping_options_type",
                 "gift_wrapping_options_list", "sort_order", "condition", "is_condition_shown",
                 "order_quantity_minimum", "order_quantity_maximum", "page_title", "meta_keywords",
                 "meta_description", "date_created", "date_modified", "view_count", "preorder_release_date",
                 "preorder_message", "is_preorder_only", "is_price_hidden", "price_hidden_label", "custom_url",
                 "base_variant_id", "open_graph_type", "open_graph_title", "open_graph_description",
                 "open_graph_use_meta_description", "open_graph_use_product_name", "open_graph_use_image"]
# Fields a base variant (the single variant of a product without options) shares with its product.
BASE_SHARED = ("sku", "price", "cost_price", "upc", "mpn", "gtin")
VARIANT_DEFAULTS: dict[str, Any] = {
    "price": None, "sale_price": None, "retail_price": None, "cost_price": None, "weight": None, "width": None,
    "height": None, "depth": None, "is_free_shipping": False, "fixed_cost_shipping_price": None,
    "purchasing_disabled": False, "purchasing_disabled_message": "", "image_url": "", "upc": "", "mpn": "",
    "gtin": "", "inventory_warning_level": 0, "bin_picking_number": "", "sku_id": None,
}
STOCK_DEFAULTS = {"safety_stock": 0, "is_in_stock": True, "warning_level": 0, "bin_picking_number": ""}


def now_iso(ts: float) -> str:
    return datetime.fromtimestamp(int(ts), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


class BCStore:
    def __init__(self, store_hash: str):
        self.store_hash = store_hash
        self.load({})

    # -- load / export ---------------------------------------------------------------------------------
    def load(self, seed: dict[str, Any]) -> None:
        data = pickle.loads(pickle.dumps(seed, protocol=pickle.HIGHEST_PROTOCOL))  # the caller keeps its seed
        for key, default in (("store", {}), ("tax_classes", []), ("payment_methods", []), ("order_statuses", []),
                             ("locations", []), ("inventory", []), ("brands", []), ("category_trees", []),
                             ("categories", []), ("products", []), ("customers", []), ("orders", []),
                             ("counters", {})):
            data.setdefault(key, default)
        self.data = data
        self.products: dict[int, dict[str, Any]] = {}
        self.variants: dict[int, dict[str, Any]] = {}
        self.skus: dict[str, tuple[str, int]] = {}
        self.names: dict[str, int] = {}
        self.urls: dict[str, int] = {}
        self.stock: dict[tuple[int, str, int], dict[str, Any]] = {}
        self.files: dict[int, bytes] = {}  # image id -> the bytes downloaded from a loopback image_url (the CDN)
        # where this emulator serves images from (``http://127.0.0.1:PORT/cdn``), set by the first API request: the
        # seeds' made-up image sources are served from here too, drawn on first request (``seed_picture``)
        self.cdn_base = ""
        for product in data["products"]:
            self._index_product(product)
            self._seed_stock(product)
        for record in data["inventory"]:
            key = (record["location_id"], record["kind"], record["id"])
            self.stock[key] = {k: v for k, v in record.items() if k not in ("location_id", "kind", "id")}
        self.brands = {b["id"]: b for b in data["brands"]}
        self.categories = {c["id"]: c for c in data["categories"]}
        self.trees = {t["id"]: t for t in data["category_trees"]}
        self.customers = {c["id"]: c for c in data["customers"]}
        self.emails = {c["email"].lower(): c["id"] for c in data["customers"]}
        self.orders = {o["id"]: o for o in data["orders"]}
        self.locations = {loc["id"]: loc for loc in data["locations"]}
        counters = data["counters"]

        def top(kind: str, values: Any) -> None:
            counters[kind] = max([counters.get(kind, 1), *[v + 1 for v in values]])

        top("product", self.products)
        top("variant", self.variants)
        top("brand", self.brands)
        top("category", self.categories)
        top("tree", self.trees)
        top("customer", self.customers)
        top("order", self.orders)
        top("location", self.locations)
        top("option", [o["id"] for p in data["products"] for o in p.get("options", [])])
        top("option_value", [v["id"] for p in data["products"] for o in p.get("options", [])
                             for v in o["option_values"]])
        top("image", [i["id"] for p in data["products"] for i in p.get("images", [])])
        top("customer_address", [a["id"] for c in data["customers"] for a in c.get("addresses", [])])
        top("order_product", [li["id"] for o in data["orders"] for li in o.get("products", [])])
        top("order_address", [a["id"] for o in data["orders"] for a in o.get("shipping_addresses", [])])
        top("transaction", [t["id"] for o in data["orders"] for t in o.get("transactions", [])])
        counters.setdefault("sku_id", max([1000, *[v["sku_id"] + 1 for v in self.variants.values()
                                                   if v.get("sku_id")]]))

    def _seed_stock(self, product: dict[str, Any]) -> None:
        if product.get("inventory_tracking") == "variant" and product["base_variant_id"] is None:
            for variant in product["variants"]:
                if variant.get("inventory_level") is not None:
                    self.stock[(DEFAULT_LOCATION, "variant", variant["id"])] = {
                        "quantity": int(variant["inventory_level"]), **STOCK_DEFAULTS}
        elif product.get("inventory_level") is not None:
            self.stock[(DEFAULT_LOCATION, "product", product["id"])] = {
                "quantity": int(product["inventory_level"]), **STOCK_DEFAULTS}

    def export(self) -> dict[str, Any]:
        """The whole store in the seed format (the live state, with stock written back)."""
        inventory = []
        for (loc, kind, item_id), record in self.stock.items():
            inventory.append({"location_id": loc, "kind": kind, "id": item_id, **record})
        self.data["inventory"] = inventory
        for product in self.data["products"]:
            product["inventory_level"] = self.product_level(product)
            for variant in product["variants"]:
                variant["inventory_level"] = self.variant_level(product, variant)
        return self.data

    def next_id(self, kind: str) -> int:
        counters = self.data["counters"]
        value = counters.get(kind, 1)
        counters[kind] = value + 1
        return value

    # -- indexes ---------------------------------------------------------------------------------------
    def _index_product(self, product: dict[str, Any]) -> None:
        pid = product["id"]
        self.products[pid] = product
        self.names[product["name"].strip().lower()] = pid
        url = (product.get("custom_url") or {}).get("url")
        if url:
            self.urls[url.lower()] = pid
        if product.get("sku"):
            self.skus[product["sku"].lower()] = ("product", pid)
        for variant in product["variants"]:
            variant["product_id"] = pid
            self.variants[variant["id"]] = variant
            if variant["id"] != product.get("base_variant_id") and variant.get("sku"):
                self.skus[variant["sku"].lower()] = ("variant", variant["id"])

    def unindex_product(self, product: dict[str, Any]) -> None:
        pid = product["id"]
        self.products.pop(pid, None)
        self.names.pop(product["name"].strip().lower(), None)
        url = (product.get("custom_url") or {}).get("url")
        if url:
            self.urls.pop(url.lower(), None)
        if product.get("sku"):
            self.skus.pop(product["sku"].lower(), None)
        for variant in product["variants"]:
            self.variants.pop(variant["id"], None)
            if variant.get("sku") and self.skus.get(variant["sku"].lower()) == ("variant", variant["id"]):
                self.skus.pop(variant["sku"].lower(), None)

    def forget_product(self, product: dict[str, Any]) -> None:
        """A deleted product: out of the indexes, its stock gone at every location."""
        self.unindex_product(product)
        variant_ids = {v["id"] for v in product["variants"]}
        for key in [k for k in self.stock if (k[1] == "product" and k[2] == product["id"]) or
                    (k[1] == "variant" and k[2] in variant_ids)]:
            del self.stock[key]

    def sku_owner(self, sku: str) -> tuple[str, int] | None:
        return self.skus.get(sku.strip().lower())

    # -- stock -----------------------------------------------------------------------------------------
    def item_of(self, product: dict[str, Any], variant: dict[str, Any] | None = None) -> tuple[str, int]:
        if product.get("inventory_tracking") == "variant" and variant is not None and \
                variant["id"] != product.get("base_variant_id"):
            return ("variant", variant["id"])
        return ("product", product["id"])

    def level(self, location_id: int, kind: str, item_id: int) -> int:
        record = self.stock.get((location_id, kind, item_id))
        return int(record["quantity"]) if record else 0

    def set_level(self, location_id: int, kind: str, item_id: int, quantity: int) -> None:
        record = self.stock.get((location_id, kind, item_id))
        if record is None:
            self.stock[(location_id, kind, item_id)] = {"quantity": int(quantity), **STOCK_DEFAULTS}
        else:
            record["quantity"] = int(quantity)

    def product_level(self, product: dict[str, Any]) -> int:
        if product.get("inventory_tracking") == "variant" and product.get("base_variant_id") is None:
            return sum(self.level(DEFAULT_LOCATION, "variant", v["id"]) for v in product["variants"])
        return self.level(DEFAULT_LOCATION, "product", product["id"])

    def variant_level(self, product: dict[str, Any], variant: dict[str, Any]) -> int:
        if variant["id"] == product.get("base_variant_id"):
            return self.level(DEFAULT_LOCATION, "product", product["id"])
        if product.get("inventory_tracking") == "variant":
            return self.level(DEFAULT_LOCATION, "variant", variant["id"])
        return 0

    # -- renderers -------------------------------------------------------------------------------------
    def render_product(self, product: dict[str, Any], include: set[str] | None = None) -> dict[str, Any]:
        merged = {**PRODUCT_DEFAULTS, **product}
        out: dict[str, Any] = {}
        for key in PRODUCT_ORDER:
            if key == "calculated_price":
                sale = merged.get("sale_price") or 0
                out[key] = sale if sale else merged["price"]
            elif key == "inventory_level":
                out[key] = self.product_level(product)
            elif key == "option_set_display":
                out[key] = "right"
            elif key == "custom_url":
                url = dict(merged.get("custom_url") or {"url": "", "is_customized": False})
                url.pop("create_redirect", None)
                out[key] = url
            elif key in merged:
                out[key] = merged[key]
        include = include or set()
        if "variants" in include:
            out["variants"] = [self.render_variant(product, v) for v in product["variants"]]
        if "images" in include:
            out["images"] = [self.render_image(product, i) for i in product.get("images", [])]
        if "primary_image" in include:
            thumb = next((i for i in product.get("images", []) if i.get("is_thumbnail")), None)
            if thumb is not None:
                out["primary_image"] = self.render_image(product, thumb)
        if "options" in include:
            out["options"] = [self.render_option(product, o) for o in product.get("options", [])]
        if "custom_fields" in include:
            out["custom_fields"] = []
        return out

    def render_variant(self, product: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
        merged = {**VARIANT_DEFAULTS, **variant}
        base = variant["id"] == product.get("base_variant_id")
        if base:
            for key in BASE_SHARED:
                merged[key] = product.get(key, PRODUCT_DEFAULTS.get(key))
            merged["sku_id"] = None
        price = merged["price"] if merged["price"] is not None else product.get("price", 0)
        sale = merged["sale_price"]
        weight = merged["weight"] if merged["weight"] is not None else product.get("weight", 0)
        options = {o["id"]: o for o in product.get("options", [])}
        values = []
        for ov in merged.get("option_values", []):
            option = options.get(ov["option_id"])
            label = ""
            if option:
                label = next((v["label"] for v in option["option_values"] if v["id"] == ov["id"]), "")
            values.append({"id": ov["id"], "label": label, "option_id": ov["option_id"],
                           "option_display_name": option["display_name"] if option else ""})
        return {
            "id": variant["id"], "product_id": product["id"], "sku": merged["sku"] or "",
            "sku_id": merged["sku_id"], "price": merged["price"], "calculated_price": sale if sale else price,
            "sale_price": sale, "retail_price": merged["retail_price"], "weight": merged["weight"],
            "calculated_weight": weight, "width": merged["width"], "height": merged["height"],
            "depth": merged["depth"], "is_free_shipping": merged["is_free_shipping"],
            "fixed_cost_shipping_price": merged["fixed_cost_shipping_price"],
            "purchasing_disabled": merged["purchasing_disabled"],
            "purchasing_disabled_message": merged["purchasing_disabled_message"],
            "image_url": merged["image_url"] or "", "cost_price": merged["cost_price"],
            "upc": merged["upc"] or "", "mpn": merged["mpn"] or "", "gtin": merged["gtin"] or "",
            "inventory_level": self.variant_level(product, variant),
            "inventory_warning_level": merged["inventory_warning_level"] or 0,
            "bin_picking_number": merged["bin_picking_number"] or "", "option_values": values,
        }

    def image_urls(self, product: dict[str, Any], image: dict[str, Any]) -> dict[str, str]:
        source = image.get("image_url") or f"{image['id']}.jpg"
        name = slugify(source.rsplit("/", 1)[-1].rsplit(".", 1)[0]) or "image"
        stamp = int(datetime.fromisoformat(image.get("date_modified") or "2025-01-01T00:00:00+00:00").timestamp())
        # every image is served by the emulator's own CDN (``/cdn/...``): a downloaded one as it came, a seed's
        # made-up source as a drawn picture; before any API request, a BigCommerce-like address that serves nothing
        cdn = self.cdn_base or "https://cdn11.bigcommerce.com"
        base = f"{cdn}/s-{self.store_hash}/images/stencil"
        path = f"products/{product['id']}/{image['id']}/{name}__{stamp}.jpg"
        return {"url_zoom": f"{base}/1280x1280/{path}", "url_standard": f"{base}/500x659/{path}",
                "url_thumbnail": f"{base}/100x100/{path}", "url_tiny": f"{base}/50x50/{path}"}

    def render_image(self, product: dict[str, Any], image: dict[str, Any]) -> dict[str, Any]:
        urls = self.image_urls(product, image)
        return {"id": image["id"], "product_id": product["id"], "is_thumbnail": bool(image.get("is_thumbnail")),
                "sort_order": image.get("sort_order", 0), "description": image.get("description", ""),
                "image_file": urls["url_zoom"].rsplit("/", 1)[-1], **urls,
                "image_url": image.get("image_url", ""), "date_modified": image.get("date_modified")}

    def render_option(self, product: dict[str, Any], option: dict[str, Any]) -> dict[str, Any]:
        return {"id": option["id"], "product_id": product["id"], "display_name": option["display_name"],
                "type": option.get("type", "rectangles"), "config": {}, "sort_order": option.get("sort_order", 0),
                "option_values": [render_option_value(v) for v in option["option_values"]],
                "name": f"{option['display_name']}{product['id']}-{option['id']}"}


def render_option_value(value: dict[str, Any]) -> dict[str, Any]:
    """An option value as the catalog shows it; ``value_data`` (a swatch's colours or image) only when it has one
    (the file declares it an object, not nullable)."""
    out = {"id": value["id"], "label": value["label"], "sort_order": value.get("sort_order", 0),
           "is_default": bool(value.get("is_default"))}
    if isinstance(value.get("value_data"), dict):
        out["value_data"] = value["value_data"]
    return out
