"""Product options and their values (``product-variant-options_catalog.v3.yml``): ``GET/POST
/v3/catalog/products/{id}/options``, ``GET/PUT …/options/{option_id}``, ``GET/POST …/options/{option_id}/values``.

A variant added to an existing product names option values that exist (``{id, option_id}``): the file's description
of ``POST …/variants`` says to create them first, here.
"""
from __future__ import annotations

from typing import Any

from desktop.sandbox.bigcommerce_fields import INVALID, Spec, check_value
from desktop.sandbox.bigcommerce_http import BCError, body_object, ok, paginate
from desktop.sandbox.bigcommerce_store import render_option_value
from desktop.sandbox.server import Request, Response

OPTION_TYPES = ("radio_buttons", "rectangles", "dropdown", "product_list", "product_list_with_images", "swatch")


class OptionRoutes:
    """Mixed into ``BigCommerceEmulator``; uses ``self.store`` and the catalog's ``_product``."""

    def register_options(self) -> None:
        v3 = self.v3  # type: ignore[attr-defined]
        v3(r"/catalog/products/(?P<pid>\d+)/options", GET=self.list_options, POST=self.create_option)
        v3(r"/catalog/products/(?P<pid>\d+)/options/(?P<oid>\d+)", GET=self.get_option, PUT=self.update_option)
        v3(r"/catalog/products/(?P<pid>\d+)/options/(?P<oid>\d+)/values", GET=self.list_option_values,
           POST=self.create_option_value)

    # -- options -----------------------------------------------------------------------------------------------
    def list_options(self, request: Request) -> Response:
        product = self._product(request)  # type: ignore[attr-defined]
        page, meta = paginate(request, product.get("options", []))
        return Response.json({"data": [self.store.render_option(product, o) for o in page],  # type: ignore
                              "meta": meta})

    def get_option(self, request: Request) -> Response:
        product, option = self._option(request)
        return ok(self.store.render_option(product, option))  # type: ignore[attr-defined]

    def create_option(self, request: Request) -> Response:
        product = self._product(request)  # type: ignore[attr-defined]
        body = body_object(request)
        name = _display_name(body)
        if body.get("type") not in OPTION_TYPES:
            raise BCError(422, INVALID, {"type": f"must be one of {', '.join(OPTION_TYPES)}"})
        if any(o["display_name"].lower() == name.lower() for o in product["options"]):
            raise BCError(409, "The option display name is already in use on this product.",
                          {"display_name": "duplicate"})
        values = body.get("option_values")
        if not isinstance(values, list) or not values:
            raise BCError(422, INVALID, {"option_values": "error.path.missing"})
        option = {"id": self.store.next_id("option"), "display_name": name,  # type: ignore[attr-defined]
                  "type": body["type"], "sort_order": _sort_order(body, len(product["options"])),
                  "option_values": []}
        for i, value in enumerate(values):
            option["option_values"].append(self._new_value(option, value, f"option_values.{i}."))
        product["options"].append(option)
        return ok(self.store.render_option(product, option))  # type: ignore[attr-defined]

    def update_option(self, request: Request) -> Response:
        product, option = self._option(request)
        body = body_object(request)
        if "display_name" in body:
            name = _display_name(body)
            if any(o is not option and o["display_name"].lower() == name.lower() for o in product["options"]):
                raise BCError(409, "The option display name is already in use on this product.",
                              {"display_name": "duplicate"})
            option["display_name"] = name
        if "type" in body:
            if body["type"] not in OPTION_TYPES:
                raise BCError(422, INVALID, {"type": f"must be one of {', '.join(OPTION_TYPES)}"})
            option["type"] = body["type"]
        if "sort_order" in body:
            option["sort_order"] = _sort_order(body, option.get("sort_order", 0))
        return ok(self.store.render_option(product, option))  # type: ignore[attr-defined]

    # -- option values -------------------------------------------------------------------------------------------
    def list_option_values(self, request: Request) -> Response:
        product, option = self._option(request)
        page, meta = paginate(request, option["option_values"])
        return Response.json({"data": [render_option_value(v) for v in page], "meta": meta})

    def create_option_value(self, request: Request) -> Response:
        _product, option = self._option(request)
        value = self._new_value(option, body_object(request), "")
        option["option_values"].append(value)
        return ok(render_option_value(value))

    # -- helpers ---------------------------------------------------------------------------------------------------
    def _option(self, request: Request) -> tuple[dict[str, Any], dict[str, Any]]:
        product = self._product(request)  # type: ignore[attr-defined]
        try:
            oid = int(request.params["oid"])
        except (KeyError, ValueError):
            raise BCError(404, "The requested resource was not found.") from None
        option = next((o for o in product.get("options", []) if o["id"] == oid), None)
        if option is None:
            raise BCError(404, "The requested resource was not found.")
        return product, option

    def _new_value(self, option: dict[str, Any], body: Any, prefix: str) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise BCError(422, INVALID, {prefix.rstrip(".") or "body": "error.expected.jsobject"})
        label = body.get("label")
        if not isinstance(label, str) or not label.strip():
            raise BCError(422, INVALID, {prefix + "label": "error.expected.jsstring"})
        if any(v["label"].lower() == label.strip().lower() for v in option["option_values"]):
            raise BCError(422, INVALID, {prefix + "label": "An option value with this label already exists."})
        return {"id": self.store.next_id("option_value"), "label": label.strip(),  # type: ignore[attr-defined]
                "sort_order": _sort_order(body, len(option["option_values"]), prefix),
                "is_default": _flag(body, "is_default", prefix),
                "value_data": _value_data(body, prefix)}


def _display_name(body: dict[str, Any]) -> str:
    name = body.get("display_name")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 255:
        raise BCError(422, INVALID, {"display_name": "error.expected.jsstring (1 to 255 characters)"})
    return name.strip()


# The file's ``sort_order``: a whole number in int32's range. A wrong type, or one out of range, is refused (the
# schema fuzzer found both stored); absent or null takes the default.
SORT_ORDER = Spec("int", minimum=-2147483648, maximum=2147483647, nullable=True)


def _sort_order(body: dict[str, Any], default: int, prefix: str = "") -> int:
    problem = check_value("sort_order", SORT_ORDER, body.get("sort_order"))
    if problem:
        raise BCError(422, INVALID, {prefix + "sort_order": problem})
    value = body.get("sort_order")
    return default if value is None else int(value)


def _flag(body: dict[str, Any], name: str, prefix: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise BCError(422, INVALID, {prefix + name: "error.expected.jsboolean"})
    return value


def _value_data(body: dict[str, Any], prefix: str) -> dict[str, Any] | None:
    value = body.get("value_data")
    if value is not None and not isinstance(value, dict):
        raise BCError(422, INVALID, {prefix + "value_data": "error.expected.jsobject"})
    return value
