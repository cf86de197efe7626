"""The sandbox's stand-ins for BigCommerce's control panel and storefront pages (issue 17, finding 8).

A real store's "Open in BigCommerce" goes to ``https://store-HASH.mybigcommerce.com/manage/products/ID/edit`` and
"View on storefront" to the product's ``custom_url`` on the shop's domain; the sandbox has neither, so the app's
sandbox links (``desktop/sync/store_links.py``) point at this emulator, which answers them with one small, plain
HTML page (no external assets, no script): the product's name, SKU, price, stock, variants and first image (from
this emulator's own ``/cdn/``), and a note saying what the link opens on a real store. A product that is gone gets
a 404 page saying it is not in the sandbox store.

- ``GET /manage/products/{id}/edit`` — the control panel's product page (the real path's shape);
  ``/manage/customers/{id}/edit`` and ``/manage/orders/{id}`` likewise for customers and orders;
- ``GET {custom_url}`` — the storefront page: any GET the API, the CDN and the controls do not answer is looked up
  by the products' ``custom_url`` (``BigCommerceEmulator.error_response``).

Not API routes: no token, no rate limit, and nothing here is in the OpenAPI files.
"""
from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import unquote

from desktop.sandbox.server import Request, Response

HTML = "text/html; charset=utf-8"
CONTROL_PANEL_NOTE = ("This is the sandbox store. On a real store this link opens the {what} in BigCommerce's "
                      "control panel.")
STOREFRONT_NOTE = "This is the sandbox store. On a real store this link opens the product on your storefront."
NOT_API = ("/stores/", "/cdn/", "/__emulator/", "/manage/")

STYLE = ("body{font-family:sans-serif;margin:2em auto;max-width:46em;padding:0 1em;color:#222}"
         ".note{background:#fff6d6;border:1px solid #e0c060;padding:.6em .8em;border-radius:4px}"
         "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}"
         "th{background:#f3f3f3}img{max-width:320px;max-height:320px;border:1px solid #ddd}"
         ".where{color:#666;font-size:90%}")


def page(title: str, body: str, status: int = 200) -> Response:
    text = (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>\n")
    return Response.text(text, status, HTML, {"Cache-Control": "no-store"})


def _money(value: Any) -> str:
    try:
        return f"{float(value):.2f}"
    except (TypeError, ValueError):
        return "—"


def _rows(pairs: list[tuple[str, Any]]) -> str:
    return "<table>" + "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in pairs) + \
        "</table>"


def _option(value: dict[str, Any]) -> str:
    """``Size: 7`` (the option's name and the variant's value)."""
    name = value.get("option_display_name") or ""
    return f"{name}: {value['label']}" if name else str(value["label"])


class PageRoutes:
    """A mixin of ``BigCommerceEmulator``: the control panel's and storefront's sandbox pages."""

    store: Any
    lock: Any

    def register_pages(self) -> None:
        self.route("GET", r"/manage/products/(?P<pid>\d+)/edit/?", self.control_panel_product)  # type: ignore[attr-defined]
        self.route("GET", r"/manage/customers/(?P<cid>\d+)/edit/?", self.control_panel_customer)  # type: ignore[attr-defined]
        self.route("GET", r"/manage/orders/(?P<oid>\d+)/?", self.control_panel_order)  # type: ignore[attr-defined]

    # -- control panel ---------------------------------------------------------------------------------------
    def control_panel_product(self, request: Request) -> Response:
        with self.lock:
            product = self.store.products.get(int(request.params["pid"]))
            if product is None:
                return self._gone("product", f"product {request.params['pid']}")
            return self._product_page(request, product, CONTROL_PANEL_NOTE.format(what="product"),
                                      "Control panel · Products · Edit")

    def control_panel_customer(self, request: Request) -> Response:
        with self.lock:
            customer = self.store.customers.get(int(request.params["cid"]))
            if customer is None:
                return self._gone("customer", f"customer {request.params['cid']}")
            name = f"{customer.get('first_name', '')} {customer.get('last_name', '')}".strip() or "(no name)"
            body = (f"<p class=\"where\">Sandbox BigCommerce · Control panel · Customers · Edit</p>"
                    f"<h1>{escape(name)}</h1>"
                    + _rows([("Email", customer.get("email", "")), ("Phone", customer.get("phone", "")),
                             ("Company", customer.get("company", "")), ("Customer id", customer["id"])])
                    + f"<p class=\"note\">{escape(CONTROL_PANEL_NOTE.format(what='customer'))}</p>")
            return page(f"{name} · sandbox BigCommerce", body)

    def control_panel_order(self, request: Request) -> Response:
        with self.lock:
            order = self.store.orders.get(int(request.params["oid"]))
            if order is None:
                return self._gone("order", f"order {request.params['oid']}")
            body = (f"<p class=\"where\">Sandbox BigCommerce · Control panel · Orders</p>"
                    f"<h1>Order {order['id']}</h1>"
                    + _rows([("Status", order.get("status", "")), ("Total", _money(order.get("total_inc_tax"))),
                             ("Placed", order.get("date_created", ""))])
                    + f"<p class=\"note\">{escape(CONTROL_PANEL_NOTE.format(what='order'))}</p>")
            return page(f"Order {order['id']} · sandbox BigCommerce", body)

    # -- storefront ------------------------------------------------------------------------------------------
    def storefront_page(self, request: Request) -> Response | None:
        """The product whose ``custom_url`` is this path, or a 404 page; None for a path that is not a page's
        (the API's, the CDN's, the controls', or not a GET)."""
        if request.method not in ("GET", "HEAD") or request.path.startswith(NOT_API):
            return None
        wanted = unquote(request.path).rstrip("/")
        with self.lock:
            for product in self.store.products.values():
                url = unquote((product.get("custom_url") or {}).get("url") or "").rstrip("/")
                if url and url == wanted:
                    return self._product_page(request, product, STOREFRONT_NOTE, "Storefront")
        return self._gone("product", "this address", storefront=True)

    # -- the pages ---------------------------------------------------------------------------------------
    def _product_page(self, request: Request, product: dict[str, Any], note: str, where: str) -> Response:
        store = self.store
        store.cdn_base = f"http://{request.headers.get('host') or '127.0.0.1'}/cdn"  # the image is served here
        image = next(iter(sorted(product.get("images", []), key=lambda i: (not i.get("is_thumbnail"),
                                                                            i.get("sort_order", 0)))), None)
        picture = ""
        if image is not None:
            src = store.image_urls(product, image)["url_standard"]
            picture = f"<p><img src=\"{escape(src)}\" alt=\"{escape(product['name'])}\"></p>"
        facts = _rows([("SKU", product.get("sku") or "—"), ("Price", _money(product.get("price"))),
                       ("Stock", store.product_level(product)), ("Product id", product["id"])])
        body = (f"<p class=\"where\">Sandbox BigCommerce · {escape(where)}</p>"
                f"<h1>{escape(product['name'])}</h1>{picture}{facts}{self._variants(product)}"
                f"<p class=\"note\">{escape(note)}</p>")
        return page(f"{product['name']} · sandbox BigCommerce", body)

    def _variants(self, product: dict[str, Any]) -> str:
        variants = [self.store.render_variant(product, v) for v in product.get("variants", [])
                    if v.get("option_values")]
        if not variants:
            return ""
        rows = "".join(
            f"<tr><td>{escape(v['sku'] or '—')}</td>"
            f"<td>{escape(', '.join(_option(o) for o in v['option_values']) or '—')}</td>"
            f"<td>{escape(_money(v['calculated_price']))}</td><td>{v['inventory_level']}</td></tr>"
            for v in variants)
        return f"<h2>Variants</h2><table><tr><th>SKU</th><th>Options</th><th>Price</th><th>Stock</th></tr>{rows}</table>"

    def _gone(self, noun: str, what: str, *, storefront: bool = False) -> Response:
        said = (f"No product in the sandbox store has {what}: it may have been deleted or renamed."
                if storefront else f"{what.capitalize()} is not in the sandbox store: it may have been deleted.")
        body = (f"<p class=\"where\">Sandbox BigCommerce</p><h1>Not found</h1><p>{escape(said)}</p>"
                f"<p class=\"note\">This is the sandbox store: its pages stand in for BigCommerce's control panel "
                f"and storefront.</p>")
        return page(f"The {noun} is not in the sandbox store", body, 404)
