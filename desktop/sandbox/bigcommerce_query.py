"""Query parameters with a fixed set of values, as the official files list them (issue 18: an unknown value is
refused, as the platform does, instead of answering 200 as if it were not there). Keyed by the emulator's route
template; v2's ``sort`` takes ``field:direction``, so only its field is checked."""
from __future__ import annotations

from desktop.sandbox.bigcommerce_http import BCError
from desktop.sandbox.server import Request

DIRECTION = ("asc", "desc")
QUERY_ENUMS: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    # products_catalog.v3.yml, GET /catalog/products
    ("v3", r"/catalog/products"): {
        "type": ("digital", "physical"), "direction": DIRECTION, "condition": ("new", "used", "refurbished"),
        "availability": ("available", "disabled", "preorder"), "keyword_context": ("shopper", "merchant"),
        "sort": ("id", "name", "sku", "price", "date_modified", "date_last_imported", "inventory_level", "is_visible",
                 "total_sold", "calculated_price")},
    # brands_catalog.v3.yml, GET /catalog/brands
    ("v3", r"/catalog/brands"): {"sort": ("name",), "direction": DIRECTION},
    # orders.v2.oas2.yml, GET /orders
    ("v2", r"/orders"): {"sort": ("id", "customer_id", "date_created", "date_modified", "status_id", "channel_id",
                                  "external_id"),
                         "consignment_structure": ("object",)},
}


def check_query(version: str, template: str, request: Request) -> None:
    enums = QUERY_ENUMS.get((version, template))
    if not enums or request.method != "GET":
        return
    for name, allowed in enums.items():
        value = request.arg(name)
        if value is None:
            continue
        if version == "v2" and name == "sort":
            value = value.split(":", 1)[0]
        if value not in allowed:
            status = 422 if version == "v3" else 400
            raise BCError(status, f"The query parameter {name} must be one of: {', '.join(allowed)}.",
                          {name: f"{value!r} is not one of {', '.join(allowed)}"})
