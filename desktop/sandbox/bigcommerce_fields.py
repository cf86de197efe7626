"""Validation of writable fields for the BigCommerce emulator (422 bodies in the platform's style).

The real API answers a missing or mistyped field with 422 ``JSON data is missing or invalid`` and an
``errors`` object keyed by field; unknown fields are ignored. Messages here follow the platform's
Play-JSON codes (``error.path.missing``, ``error.expected.jsnumber`` ...) with a readable reason appended.
"""
from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from datetime import datetime
from typing import Any

from desktop.sandbox.bigcommerce_http import BCError

INVALID = "JSON data is missing or invalid"


@dataclass(frozen=True)
class Spec:
    """What one writable field accepts."""

    kind: str  # str | num | int | bool | enum | ints | strs | url | date | obj
    _: KW_ONLY
    minimum: float | None = None
    maximum: float | None = None
    max_len: int | None = None
    choices: tuple[str, ...] = ()
    nullable: bool = False
    min_len: int = 0


def _num(minimum: float | None = 0, maximum: float | None = None, nullable: bool = False) -> Spec:
    return Spec("num", minimum=minimum, maximum=maximum, nullable=nullable)


def _int(minimum: float | None = 0, maximum: float | None = 2147483647, nullable: bool = False) -> Spec:
    return Spec("int", minimum=minimum, maximum=maximum, nullable=nullable)


def _str(max_len: int | None = None, nullable: bool = False, min_len: int = 0) -> Spec:
    return Spec("str", max_len=max_len, nullable=nullable, min_len=min_len)


BOOL = Spec("bool")
DIM = _num(0, 9999999999)

PRODUCT_FIELDS: dict[str, Spec] = {
    "name": _str(250, min_len=1), "type": Spec("enum", choices=("physical", "digital")), "sku": _str(255),
    "description": _str(), "weight": DIM, "width": DIM, "depth": DIM, "height": DIM, "price": _num(),
    "cost_price": _num(), "retail_price": _num(), "sale_price": _num(), "map_price": _num(None),
    "tax_class_id": _int(0, 255), "product_tax_code": _str(255), "categories": Spec("ints"),
    "brand_id": _int(0, 1000000000), "inventory_level": _int(), "inventory_warning_level": _int(),
    "inventory_tracking": Spec("enum", choices=("none", "product", "variant")),
    "fixed_cost_shipping_price": _num(), "is_free_shipping": BOOL, "is_visible": BOOL, "is_featured": BOOL,
    "related_products": Spec("ints"), "warranty": _str(65535), "bin_picking_number": _str(255),
    "layout_file": _str(500), "upc": _str(14), "mpn": _str(), "gtin": _str(14), "search_keywords": _str(65535),
    "availability_description": _str(255), "availability": Spec("enum", choices=("available", "disabled", "preorder")),
    "gift_wrapping_options_type": Spec("enum", choices=("any", "none", "list")),
    "gift_wrapping_options_list": Spec("ints"), "sort_order": _int(-2147483648),
    "condition": Spec("enum", choices=("New", "Used", "Refurbished")), "is_condition_shown": BOOL,
    "order_quantity_minimum": _int(0, 1000000000), "order_quantity_maximum": _int(0, 1000000000),
    "page_title": _str(255), "meta_keywords": Spec("strs"), "meta_description": _str(65535),
    "view_count": _int(0, 1000000000), "preorder_release_date": Spec("date", nullable=True),
    "preorder_message": _str(255), "is_preorder_only": BOOL, "is_price_hidden": BOOL,
    "price_hidden_label": _str(200), "custom_url": Spec("obj"), "open_graph_type": Spec(
        "enum", choices=("product", "album", "book", "drink", "food", "game", "movie", "song", "tv_show")),
    "open_graph_title": _str(), "open_graph_description": _str(), "open_graph_use_meta_description": BOOL,
    "open_graph_use_product_name": BOOL, "open_graph_use_image": BOOL, "total_sold": _int(),
}
# Documented product fields the emulator does not keep: their values are still checked, as a store would refuse a
# wrong type in them (the schema fuzzer found a boolean amount accepted).
PRODUCT_CHECKED_ONLY: dict[str, Spec] = {"bulk_pricing_rules": Spec("pricing_rules")}
PRODUCT_REQUIRED = ("name", "type", "weight", "price")
READ_ONLY_PRODUCT = {"id", "date_created", "date_modified", "calculated_price", "base_variant_id"}

VARIANT_FIELDS: dict[str, Spec] = {
    "sku": _str(255), "price": _num(nullable=True), "sale_price": _num(nullable=True),
    "retail_price": _num(nullable=True), "cost_price": _num(nullable=True), "map_price": _num(None, nullable=True),
    "weight": _num(nullable=True), "width": _num(nullable=True), "height": _num(nullable=True),
    "depth": _num(nullable=True), "is_free_shipping": BOOL, "fixed_cost_shipping_price": _num(nullable=True),
    "purchasing_disabled": BOOL, "purchasing_disabled_message": _str(255), "image_url": _str(),
    "upc": _str(14, nullable=True), "mpn": _str(nullable=True), "gtin": _str(14, nullable=True),
    "inventory_level": _int(nullable=True), "inventory_warning_level": _int(nullable=True),
    "bin_picking_number": _str(255, nullable=True),
}


def check_value(name: str, spec: Spec, value: Any) -> str | None:
    """The error message for ``value`` or None when it fits ``spec``."""
    if value is None:
        return None if spec.nullable else f"error.expected.{_expected(spec)}: {name} may not be null"
    kind = spec.kind
    if kind in ("num", "int"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"error.expected.jsnumber: {name} must be a number"
        if kind == "int" and isinstance(value, float) and not value.is_integer():
            return f"error.expected.jsnumber: {name} must be an integer"
        if spec.minimum is not None and value < spec.minimum:
            return f"error.min: {name} must be greater than or equal to {spec.minimum:g}"
        if spec.maximum is not None and value > spec.maximum:
            return f"error.max: {name} must be less than or equal to {spec.maximum:g}"
        return None
    if kind == "bool":
        return None if isinstance(value, bool) else f"error.expected.jsboolean: {name} must be true or false"
    if kind in ("str", "url"):
        if not isinstance(value, str):
            return f"error.expected.jsstring: {name} must be a string"
        if spec.max_len is not None and len(value) > spec.max_len:
            return f"error.maxLength: {name} must be at most {spec.max_len} characters"
        if len(value.strip()) < spec.min_len:
            return f"error.minLength: {name} must be at least {spec.min_len} character(s)"
        return None
    if kind == "enum":
        if value not in spec.choices:
            return f"error.expected.validenumvalue: {name} must be one of {', '.join(spec.choices)}"
        return None
    if kind == "ints":
        if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
            return f"error.expected.jsarray: {name} must be an array of integers"
        return None
    if kind == "strs":
        if not isinstance(value, list) or any(not isinstance(v, str) for v in value):
            return f"error.expected.jsarray: {name} must be an array of strings"
        return None
    if kind == "date":
        if not isinstance(value, str):
            return f"error.expected.date.isoformat: {name} must be an ISO 8601 date"
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return f"error.expected.date.isoformat: {name} must be an ISO 8601 date"
        return None
    if kind == "obj":
        return None if isinstance(value, dict) else f"error.expected.jsobject: {name} must be an object"
    if kind == "pricing_rules":
        return _pricing_rules_problem(name, value)
    return None


def _pricing_rules_problem(name: str, value: Any) -> str | None:
    """``bulk_pricing_rules`` as the file types them: objects of whole quantities, a type and a number amount."""
    if not isinstance(value, list) or any(not isinstance(rule, dict) for rule in value):
        return f"error.expected.jsarray: {name} must be an array of objects"
    for i, rule in enumerate(value):
        for key in ("quantity_min", "quantity_max"):
            if key in rule and check_value(key, _int(), rule[key]):
                return f"error.expected.jsnumber: {name}.{i}.{key} must be a whole number"
        if "type" in rule and rule["type"] not in ("price", "percent", "fixed"):
            return f"error.expected.validenumvalue: {name}.{i}.type must be one of price, percent, fixed"
        amount = rule.get("amount")
        if "amount" in rule and (isinstance(amount, bool) or not isinstance(amount, (int, float, str))):
            return f"error.expected.jsnumber: {name}.{i}.amount must be a number"
    return None


def _expected(spec: Spec) -> str:
    return {"num": "jsnumber", "int": "jsnumber", "bool": "jsboolean", "str": "jsstring", "enum": "validenumvalue",
            "ints": "jsarray", "strs": "jsarray", "obj": "jsobject"}.get(spec.kind, "jsvalue")


def clean(body: dict[str, Any], fields: dict[str, Spec], required: tuple[str, ...] = (), *,
          prefix: str = "", checked_only: dict[str, Spec] | None = None) -> dict[str, Any]:
    """The known fields of ``body``, validated (and those of ``checked_only``, not kept); raises 422 with every
    problem found."""
    errors: dict[str, str] = {}
    for name in required:
        if name not in body or body[name] is None or (name == "name" and body[name] == ""):
            errors[prefix + name] = "error.path.missing"
    out: dict[str, Any] = {}
    for name, value in body.items():
        spec = fields.get(name) or (checked_only or {}).get(name)
        if spec is None:
            continue
        problem = check_value(name, spec, value)
        if problem:
            errors[prefix + name] = problem
        elif name in fields:
            out[name] = value
    if isinstance(out.get("custom_url"), dict):
        url = out["custom_url"].get("url")
        if url is not None and (not isinstance(url, str) or not url.startswith("/") or len(url) > 255):
            errors[prefix + "custom_url.url"] = "error.invalid: custom_url.url must be a path starting with /"
    if errors:
        raise BCError(422, INVALID, errors)
    return out
