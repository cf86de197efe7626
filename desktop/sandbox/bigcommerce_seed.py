"""Seeds for the BigCommerce emulator: the BigCommerce side of the neutral shop in ``catalog.py``.

A seed is a JSON-serialisable dict, the same shape ``GET /__emulator/state`` returns, so a state can be saved
and loaded again. Products carry their options, variants and images inline; ``inventory_level`` on a product
or variant is its stock at the default location (id 1). Dates are ISO 8601 UTC, fixed relative to ``EPOCH`` so
a seed is identical from run to run. v2 money (orders) is kept as the 4-decimal strings the v2 API returns.

- ``demo()``: the ~150 products of ``shop_items(300)`` BigCommerce holds (a few only here), brands, a category
  tree, two tax classes, one location, ~50 customers, ~40 orders in every status (incomplete included) and
  their transactions; two pairs of products deliberately share a UPC.
- ``large(n)``: the same from ``shop_items(n)`` with a handful of orders; fast (50 000 items in seconds).
- ``empty()``: a store with its settings and nothing in it.

Nothing here knows the Hike side or the sync client.
"""
from __future__ import annotations

import hashlib
import io
import re
import uuid
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from desktop.sandbox import catalog

FORMAT = "bigcommerce-seed/1"
EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)  # seeded records are dated before this instant
GST = Decimal("0.10")

ORDER_STATUSES = [
    (0, "Incomplete", "An incomplete order happens when a shopper reached the payment page, but did not complete the transaction."),
    (1, "Pending", "Customer started the checkout process, but did not complete it."),
    (2, "Shipped", "Order has been shipped, but receipt has not been confirmed; seller has used the Ship Items action."),
    (3, "Partially Shipped", "Only some items in the order have been shipped, due to some products being pre-order only or other reasons."),
    (4, "Refunded", "Seller has used the Refund action."),
    (5, "Cancelled", "Seller has cancelled an order, due to a stock inconsistency or other reasons."),
    (6, "Declined", "Seller has marked the order as declined for lack of manual payment, or other reasons."),
    (7, "Awaiting Payment", "Customer has completed checkout process, but payment has yet to be confirmed."),
    (8, "Awaiting Pickup", "Order has been pulled, and is awaiting customer pickup from a seller-specified location."),
    (9, "Awaiting Shipment", "Order has been pulled and packaged, and is awaiting collection from a shipping provider."),
    (10, "Completed", "Client has paid for their digital product and their file(s) are available for download."),
    (11, "Awaiting Fulfillment", "Customer has completed the checkout process and payment has been confirmed."),
    (12, "Manual Verification Required", "Order on hold while some aspect needs to be manually confirmed."),
    (13, "Disputed", "Customer has initiated a dispute resolution process for the PayPal transaction that paid for the order."),
    (14, "Partially Refunded", "Seller has partially refunded the order."),
]

PAYMENT_METHODS = [
    # (code, display name, transaction gateway, transaction method)
    ("braintree", "Credit Card", "braintree", "credit_card"),
    ("paypalexpress", "PayPal", "paypalexpress", "electronic_wallet"),
    ("cod", "Cash on Delivery", "cod", "offline"),
    ("bankdeposit", "Bank Deposit", "bankdeposit", "offline"),
]


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def money4(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


SEED_PICTURE_SIZE = (640, 512)  # larger than Hike's 500 x 500, as a shop's photos are: the app must scale them


def seed_picture(name: str, image_id: int) -> bytes:
    """The JPEG the emulator's CDN serves for a seed image (its source address is made up): a colour drawn from
    the product's name with a lighter band, the same bytes for the same product every time."""
    from PIL import Image, ImageDraw  # only the CDN needs Pillow, and only once a seed image is asked for

    digest = hashlib.sha256(f"{name}/{image_id}".encode()).digest()
    colour = tuple(60 + b % 150 for b in digest[:3])
    image = Image.new("RGB", SEED_PICTURE_SIZE, colour)
    draw = ImageDraw.Draw(image)
    width, height = SEED_PICTURE_SIZE
    draw.rectangle((0, height * 2 // 3, width, height), fill=tuple(min(255, c + 70) for c in colour))
    draw.ellipse((width // 3, height // 6, width * 2 // 3, height // 6 + width // 3), fill=(245, 245, 240))
    draw.text((24, height - 60), name, fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _uuid(kind: str, n: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://sandbox-shop.example/{kind}/{n}"))


def store_settings() -> dict[str, Any]:
    """The store's own fields (GET /v2/store) apart from those derived from the store hash."""
    return {
        "name": "Sandbox Shop",
        "domain": "sandbox-shop.example",
        "secure_url": "https://sandbox-shop.example",
        "status": "live",
        "first_name": "Sam",
        "last_name": "Sandbox",
        "address": "1 Example Street\nSydney NSW 2000\nAustralia",
        "country": "Australia",
        "country_code": "AU",
        "phone": "02 5550 1234",
        "admin_email": "owner@sandbox-shop.example",
        "order_email": "orders@sandbox-shop.example",
        "timezone": {"name": "Australia/Sydney", "raw_offset": 36000, "dst_offset": 39600, "dst_correction": True,
                     "date_format": {"display": "jS M Y", "export": "d/m/Y", "extended_display": "jS M Y @ g:i A"}},
        "language": "en",
        "currency": "AUD",
        "currency_symbol": "$",
        "decimal_separator": ".",
        "thousands_separator": ",",
        "decimal_places": 2,
        "currency_symbol_location": "left",
        "weight_units": "KGS",
        "dimension_units": "Centimeters",
        "dimension_decimal_places": 2,
        "dimension_decimal_token": ".",
        "dimension_thousands_token": ",",
        "plan_name": "Standard",
        "plan_level": "Standard",
        "plan_is_trial": False,
        "industry": "Retail",
        "is_price_entered_with_tax": False,
        "store_id": 1001234567,
        "default_channel_id": 1,
        "default_site_id": 1000,
    }


def _base(epoch: datetime) -> dict[str, Any]:
    created = iso(epoch - timedelta(days=400))
    return {
        "format": FORMAT,
        "store": store_settings(),
        "tax_classes": [
            {"id": 1, "name": "Non-Taxable Products", "created_at": created, "updated_at": created},
            {"id": 2, "name": "Shipping", "created_at": created, "updated_at": created},
        ],
        "payment_methods": [{"code": c, "name": n, "test_mode": False} for c, n, _, _ in PAYMENT_METHODS],
        "order_statuses": [{"id": i, "name": n, "system_label": n, "custom_label": n, "system_description": d}
                           for i, n, d in ORDER_STATUSES],
        "locations": [{
            "id": 1, "code": "MAIN", "label": "Main warehouse", "description": "Default shipping origin",
            "managed_by_external_source": False, "type_id": "PHYSICAL", "enabled": True,
            "operating_hours": {day: {"open": day not in ("saturday", "sunday"), "opening": "09:00",
                                      "closing": "17:00"}
                                for day in ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
                                            "saturday")},
            "time_zone": "Australia/Sydney",
            "address": {"address1": "1 Example Street", "address2": "", "city": "Sydney", "state": "NSW",
                        "zip": "2000", "email": "warehouse@sandbox-shop.example", "phone": "02 5550 1234",
                        "geo_coordinates": {"latitude": -33.8688, "longitude": 151.2093}, "country_code": "AU"},
            "storefront_visibility": True, "special_hours": [],
            "created_at": created, "updated_at": created,
        }],
        "inventory": [],  # stock records at locations other than the default one
        "brands": [],
        "category_trees": [{"id": 1, "name": "Default", "channels": [1]}],
        "categories": [],
        "products": [],
        "customers": [],
        "orders": [],
        "counters": {},
    }


def _catalog(data: dict[str, Any], items: list[catalog.Item], epoch: datetime, *, images: bool = True) -> None:
    """Brands, categories and products for ``items`` (the BigCommerce share of the shop)."""
    brand_ids: dict[str, int] = {}
    for i, name in enumerate(catalog.BRANDS):
        brand_ids[name] = 36 + i
        data["brands"].append({"id": 36 + i, "name": name, "page_title": name, "meta_keywords": [],
                               "meta_description": "", "search_keywords": "", "image_url": "",
                               "custom_url": {"url": f"/brands/{slugify(name)}/", "is_customized": False}})
    cat_ids: dict[tuple[str, str | None], int] = {}
    next_cat = 18
    for t_index, ptype in enumerate(catalog.PRODUCT_TYPES):
        top = next_cat
        next_cat += 1
        cat_ids[(ptype, None)] = top
        data["categories"].append(_category(top, 0, ptype, f"/{slugify(ptype)}/", t_index, _uuid("category", top)))
        for n_index, noun in enumerate(catalog.NOUNS[ptype]):
            cat_ids[(ptype, noun)] = next_cat
            data["categories"].append(_category(next_cat, top, noun, f"/{slugify(ptype)}/{slugify(noun)}/",
                                                n_index, _uuid("category", next_cat)))
            next_cat += 1

    product_id, variant_id, option_id, value_id, image_id = 111, 201, 301, 401, 501
    span_s = 380 * 86400
    count = max(1, len(items))
    for index, item in enumerate(items):
        key = item.key
        created = epoch - timedelta(days=390) + timedelta(seconds=span_s * index // count)
        modified = created + timedelta(days=(key * 13) % 7, hours=key % 24, minutes=(key * 7) % 60)
        noun = item.name.rsplit(" ", 1)[0].split(" ", 1)[1]
        tracking = "variant" if item.variants else ("none" if key % 23 == 3 else "product")
        product: dict[str, Any] = {
            "id": product_id, "name": item.name, "type": "physical", "sku": item.sku or "",
            "description": item.description, "weight": float(item.weight), "width": 0.0, "depth": 0.0,
            "height": 0.0, "price": float(item.price), "cost_price": float(item.cost), "retail_price": 0.0,
            "sale_price": 0.0, "map_price": 0.0, "tax_class_id": 0, "product_tax_code": "",
            "categories": [cat_ids[(item.product_type, None)], cat_ids[(item.product_type, noun)]],
            "brand_id": brand_ids[item.brand], "inventory_level": 0 if item.variants else (key * 7) % 41,
            "inventory_warning_level": 3, "inventory_tracking": tracking, "is_visible": key % 17 != 5,
            "is_featured": key % 19 == 0, "availability": "available", "condition": "New",
            "upc": "" if item.variants else item.barcode, "mpn": "", "gtin": "", "search_keywords": "",
            "custom_url": {"url": f"/{slugify(item.name)}/", "is_customized": False},
            "date_created": iso(created), "date_modified": iso(modified), "total_sold": (key * 3) % 29,
            "base_variant_id": None, "options": [], "variants": [], "images": [],
        }
        product_id += 1
        if item.variants:
            option = {"id": option_id, "display_name": item.variants[0].option, "type": "rectangles",
                      "sort_order": 0, "option_values": []}
            option_id += 1
            for v_index, v in enumerate(item.variants):
                option["option_values"].append({"id": value_id, "label": v.value, "sort_order": v_index,
                                                "is_default": False, "value_data": None})
                product["variants"].append({
                    "id": variant_id, "sku": v.sku, "sku_id": variant_id + 1000, "price": float(v.price),
                    "cost_price": float(item.cost), "sale_price": None, "retail_price": None,
                    "weight": None, "upc": v.barcode, "mpn": "", "gtin": "",
                    "inventory_level": (key * 5 + v_index * 3) % 17, "inventory_warning_level": 2,
                    "bin_picking_number": "", "purchasing_disabled": False,
                    "option_values": [{"id": value_id, "option_id": option["id"]}],
                })
                variant_id += 1
                value_id += 1
            product["options"].append(option)
        else:
            product["base_variant_id"] = variant_id
            product["variants"].append({
                "id": variant_id, "sku": item.sku, "sku_id": None, "price": float(item.price),
                "cost_price": float(item.cost), "sale_price": None, "retail_price": None, "weight": None,
                "upc": item.barcode, "mpn": "", "gtin": "", "inventory_level": product["inventory_level"],
                "inventory_warning_level": 3, "bin_picking_number": "", "purchasing_disabled": False,
                "option_values": [],
            })
            variant_id += 1
        if images and key % 3 != 2:
            slug = slugify(item.name)
            product["images"].append({"id": image_id, "image_url": f"https://sandbox-shop.example/img/{slug}.jpg",
                                      "is_thumbnail": True, "sort_order": 0, "description": item.name,
                                      "date_modified": iso(modified)})
            image_id += 1
        data["products"].append(product)
    data["counters"].update({"product": product_id, "variant": variant_id, "option": option_id,
                             "option_value": value_id, "image": image_id, "brand": 36 + len(catalog.BRANDS),
                             "category": next_cat, "tree": 2})


def _category(cid: int, parent: int, name: str, path: str, sort: int, cuuid: str) -> dict[str, Any]:
    return {"id": cid, "tree_id": 1, "parent_id": parent, "name": name, "category_uuid": cuuid,
            "description": f"<p>{name}</p>", "views": 0, "sort_order": sort, "page_title": name,
            "meta_keywords": [], "meta_description": "", "layout_file": "category.html", "image_url": "",
            "is_visible": True, "search_keywords": "", "default_product_sort": "use_store_settings",
            "url": {"path": path, "is_customized": False}}


def _duplicate_upcs(products: list[dict[str, Any]]) -> None:
    """Two pairs of simple products share a UPC (BigCommerce allows it; a sync must cope)."""
    simple = [p for p in products if p["base_variant_id"] is not None]
    for a, b in ((0, 5), (10, 17)):
        if len(simple) > b:
            simple[b]["upc"] = simple[a]["upc"]
            simple[b]["variants"][0]["upc"] = simple[a]["upc"]


def _customers(data: dict[str, Any], people: list[catalog.Person], epoch: datetime) -> None:
    seen: set[str] = set()
    cid = 1
    for person in people:
        if not person.email or person.email.lower() in seen:
            continue  # BigCommerce needs an email and keeps it unique regardless of case
        seen.add(person.email.lower())
        created = epoch - timedelta(days=300) + timedelta(hours=37 * person.key)
        data["customers"].append({
            "id": cid, "email": person.email, "first_name": person.first_name, "last_name": person.last_name,
            "company": "", "phone": person.phone, "notes": "", "tax_exempt_category": "",
            "customer_group_id": 0, "registration_ip_address": "", "date_created": iso(created),
            "date_modified": iso(created + timedelta(days=person.key % 9)),
            "accepts_product_review_abandoned_cart_emails": person.key % 3 == 0,
            "origin_channel_id": 1, "channel_ids": None, "store_credit_amounts": [{"amount": 0}],
            "authentication": {"force_password_reset": False},
            "addresses": [{"id": cid, "first_name": person.first_name, "last_name": person.last_name,
                           "company": "", "address1": f"{10 + person.key} Example Road", "address2": "",
                           "city": person.city, "state_or_province": _STATE[person.city],
                           "postal_code": _POSTCODE[person.city], "country": "Australia", "country_code": "AU",
                           "phone": person.phone, "address_type": "residential"}],
        })
        cid += 1
    data["counters"].update({"customer": cid, "customer_address": cid})


_STATE = {"Sydney": "New South Wales", "Melbourne": "Victoria", "Brisbane": "Queensland",
          "Perth": "Western Australia", "Hobart": "Tasmania"}
_POSTCODE = {"Sydney": "2000", "Melbourne": "3000", "Brisbane": "4000", "Perth": "6000", "Hobart": "7000"}


def _orders(data: dict[str, Any], count: int, epoch: datetime) -> None:
    products = data["products"]
    customers = data["customers"]
    brands = {b["id"]: b["name"] for b in data["brands"]}
    if not products:
        data["counters"].update({"order": 100, "order_product": 1, "order_address": 1, "transaction": 1})
        return
    order_id, line_id, address_id, txn_id = 100, 1, 1, 1
    statuses = [s[0] for s in ORDER_STATUSES]
    for n in range(count):
        status_id = statuses[n % len(statuses)]
        status_name = ORDER_STATUSES[status_id][1]
        created = epoch - timedelta(days=60) + timedelta(hours=31 * n, minutes=(n * 17) % 60)
        modified = created + timedelta(hours=(n * 5) % 48 + 1)
        customer = customers[(n * 7) % len(customers)] if customers and n % 6 != 5 else None
        method = PAYMENT_METHODS[n % 3]
        lines = []
        for j in range(1 + n % 4):
            product = products[(n * 11 + j * 29) % len(products)]
            variant = product["variants"][(n + j) % len(product["variants"])]
            quantity = 1 + (n + j) % 3
            price = Decimal(str(variant["price"] if variant["price"] is not None else product["price"]))
            price = price.quantize(Decimal("0.01"))
            tax = (price * GST).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            options = []
            name = product["name"]
            for ov in variant["option_values"]:
                option = next(o for o in product["options"] if o["id"] == ov["option_id"])
                value = next(v for v in option["option_values"] if v["id"] == ov["id"])
                options.append({"id": line_id * 10 + len(options), "option_id": option["id"],
                                "order_product_id": line_id, "product_option_id": option["id"],
                                "display_name": option["display_name"], "display_value": value["label"],
                                "value": str(value["id"]), "type": "Multiple choice",
                                "name": option["display_name"], "display_style": "Rectangle"})
            lines.append({
                "id": line_id, "order_id": order_id, "product_id": product["id"], "variant_id": variant["id"],
                "order_address_id": address_id, "name": name, "sku": variant["sku"], "upc": variant["upc"] or "",
                "type": "physical", "base_price": money4(price), "price_ex_tax": money4(price),
                "price_inc_tax": money4(price + tax), "price_tax": money4(tax),
                "base_total": money4(price * quantity), "total_ex_tax": money4(price * quantity),
                "total_inc_tax": money4((price + tax) * quantity), "total_tax": money4(tax * quantity),
                "quantity": quantity, "base_cost_price": money4(Decimal(str(product["cost_price"]))),
                "cost_price_inc_tax": money4(Decimal(str(product["cost_price"]))),
                "cost_price_ex_tax": money4(Decimal(str(product["cost_price"]))), "cost_price_tax": "0.0000",
                "weight": money4(Decimal(str(product["weight"]))), "width": "0.0000", "height": "0.0000",
                "depth": "0.0000", "is_refunded": status_id == 4, "quantity_refunded": quantity if status_id == 4 else 0,
                "refund_amount": money4((price + tax) * quantity) if status_id == 4 else "0.0000",
                "return_id": 0, "wrapping_id": 0, "wrapping_name": "", "base_wrapping_cost": "0.0000",
                "wrapping_cost_ex_tax": "0.0000", "wrapping_cost_inc_tax": "0.0000", "wrapping_cost_tax": "0.0000",
                "wrapping_message": "", "quantity_shipped": quantity if status_id in (2, 10) else 0,
                "event_name": None, "event_date": None, "fixed_shipping_cost": "0.0000", "ebay_item_id": "",
                "ebay_transaction_id": "", "option_set_id": None, "parent_order_product_id": None,
                "is_bundled_product": False, "bin_picking_number": "", "external_id": None,
                "brand": brands.get(product["brand_id"], ""), "applied_discounts": [], "product_options": options,
                "configurable_fields": [], "name_customer": name, "name_merchant": name,
                "gift_certificate_id": None,
                "discounted_total_inc_tax": money4((price + tax) * quantity),
            })
            line_id += 1
        subtotal = sum((Decimal(li["total_ex_tax"]) for li in lines), Decimal(0))
        subtotal_tax = sum((Decimal(li["total_tax"]) for li in lines), Decimal(0))
        ship_ex = Decimal("10.00") if n % 5 else Decimal("0.00")
        ship_tax = (ship_ex * GST).quantize(Decimal("0.01"))
        items_total = sum(li["quantity"] for li in lines)
        first = customer["first_name"] if customer else catalog.FIRST[n % len(catalog.FIRST)]
        last = customer["last_name"] if customer else catalog.LAST[n % len(catalog.LAST)]
        email = customer["email"] if customer else f"guest{n + 1}@example.net"
        city = ["Sydney", "Melbourne", "Brisbane", "Perth", "Hobart"][n % 5]
        address = {"first_name": first, "last_name": last, "company": "", "street_1": f"{n + 2} Sample Lane",
                   "street_2": "", "city": city, "state": _STATE[city], "zip": _POSTCODE[city],
                   "country": "Australia", "country_iso2": "AU", "phone": "0400000000", "email": email}
        refunded = Decimal(0)
        if status_id == 4:
            refunded = subtotal + subtotal_tax + ship_ex + ship_tax
        elif status_id == 14:
            refunded = Decimal(lines[0]["total_inc_tax"])
        payment_status = {0: "", 1: "pending", 4: "refunded", 5: "void", 6: "declined", 7: "pending",
                          12: "held for review", 14: "partially refunded"}.get(status_id, "captured")
        shipped = status_id in (2, 10)
        order = {
            "id": order_id, "customer_id": customer["id"] if customer else 0,
            "date_created": iso(created), "date_modified": iso(modified),
            "date_shipped": iso(modified) if shipped else "", "status_id": status_id, "status": status_name,
            "custom_status": status_name,
            **order_money(subtotal, subtotal_tax, ship_ex, ship_tax), "is_tax_inclusive_pricing": False,
            "items_total": items_total, "items_shipped": items_total if shipped else 0,
            "payment_method": method[1] if status_id != 0 else "", "payment_provider_id": "",
            "payment_status": payment_status, "refunded_amount": money4(refunded),
            "order_is_digital": False, "store_credit_amount": "0.0000", "gift_certificate_amount": "0.0000",
            "ip_address": f"203.0.113.{n + 1}", "ip_address_v6": "", "geoip_country": "Australia",
            "geoip_country_iso2": "AU", "currency_id": 1, "currency_code": "AUD",
            "currency_exchange_rate": "1.0000000000", "default_currency_id": 1, "default_currency_code": "AUD",
            "store_default_currency_code": "AUD", "store_default_to_transactional_exchange_rate": "1.0000000000",
            "staff_notes": "", "customer_message": "Leave at the door" if n % 7 == 3 else "",
            "discount_amount": "0.0000", "coupon_discount": "0.0000", "shipping_address_count": 1,
            "is_deleted": False, "ebay_order_id": "0", "cart_id": _uuid("cart", order_id),
            "billing_address": dict(address, form_fields=[]), "is_email_opt_in": False, "credit_card_type": None,
            "order_source": "www", "channel_id": 1, "external_source": None, "external_id": None,
            "external_merchant_id": None, "tax_provider_id": "BasicTaxProvider", "customer_locale": "en",
            "external_order_id": "",
            "products": lines,
            "shipping_addresses": [shipping_address(address, address_id, order_id, items_total, shipped, ship_ex,
                                                    ship_tax)],
            "transactions": [],
        }
        total = Decimal(order["total_inc_tax"])
        if status_id not in (0, 1, 6, 7):
            order["transactions"].append(_transaction(txn_id, order_id, "purchase", method, total, created,
                                                      n))
            txn_id += 1
            if status_id in (4, 14):
                order["transactions"].append(_transaction(txn_id, order_id, "refund", method, refunded, modified,
                                                          n))
                txn_id += 1
        elif status_id == 6:
            txn = _transaction(txn_id, order_id, "purchase", method, total, created, n)
            txn["status"] = "error"
            order["transactions"].append(txn)
            txn_id += 1
        data["orders"].append(order)
        order_id += 1
        address_id += 1
    data["counters"].update({"order": order_id, "order_product": line_id, "order_address": address_id,
                             "transaction": txn_id})


def order_money(subtotal: Decimal, subtotal_tax: Decimal, ship_ex: Decimal, ship_tax: Decimal) -> dict[str, Any]:
    """A v2 order's money fields (4-decimal strings): its lines, shipping with its tax, no handling or wrapping."""
    return {
        "subtotal_ex_tax": money4(subtotal), "subtotal_inc_tax": money4(subtotal + subtotal_tax),
        "subtotal_tax": money4(subtotal_tax), "base_shipping_cost": money4(ship_ex),
        "shipping_cost_ex_tax": money4(ship_ex), "shipping_cost_inc_tax": money4(ship_ex + ship_tax),
        "shipping_cost_tax": money4(ship_tax), "shipping_cost_tax_class_id": 2,
        "base_handling_cost": "0.0000", "handling_cost_ex_tax": "0.0000", "handling_cost_inc_tax": "0.0000",
        "handling_cost_tax": "0.0000", "handling_cost_tax_class_id": 0, "base_wrapping_cost": "0.0000",
        "wrapping_cost_ex_tax": "0.0000", "wrapping_cost_inc_tax": "0.0000", "wrapping_cost_tax": "0.0000",
        "wrapping_cost_tax_class_id": 0, "total_ex_tax": money4(subtotal + ship_ex),
        "total_inc_tax": money4(subtotal + subtotal_tax + ship_ex + ship_tax),
        "total_tax": money4(subtotal_tax + ship_tax),
    }


def shipping_address(address: dict[str, Any], address_id: int, order_id: int, items_total: int, shipped: bool,
                     ship_ex: Decimal, ship_tax: Decimal) -> dict[str, Any]:
    """An order's one shipping address with its flat-rate (or free) shipping, as the seed's and the checkout's
    orders carry it."""
    return dict(address, id=address_id, order_id=order_id, items_total=items_total,
                items_shipped=items_total if shipped else 0,
                shipping_method="Flat Rate" if ship_ex else "Free Shipping",
                base_cost=money4(ship_ex), cost_ex_tax=money4(ship_ex),
                cost_inc_tax=money4(ship_ex + ship_tax), cost_tax=money4(ship_tax),
                cost_tax_class_id=2, base_handling_cost="0.0000",
                handling_cost_ex_tax="0.0000", handling_cost_inc_tax="0.0000",
                handling_cost_tax="0.0000", handling_cost_tax_class_id=0,
                shipping_zone_id=1, shipping_zone_name="Australia", form_fields=[])


def _transaction(tid: int, order_id: int, event: str, method: tuple[str, str, str, str], amount: Decimal,
                 when: datetime, n: int) -> dict[str, Any]:
    txn: dict[str, Any] = {
        "id": tid, "order_id": str(order_id), "event": event, "method": method[3], "amount": float(amount),
        "currency": "AUD", "gateway": method[2], "gateway_transaction_id": f"gw-{order_id}-{tid}",
        "date_created": iso(when), "test": False, "status": "ok", "fraud_review": False,
        "offline": None, "custom": None,
        "payment_method_id": f"{method[2]}.{method[3]}", "payment_instrument_token": None,
        "provider_instrument_token": None, "provider_customer_id": None,
        "avs_result": {"code": "", "message": "", "street_match": "", "postal_match": ""},
        "cvv_result": {"code": "", "message": ""}, "gift_certificate": None,
        "store_credit": None, "custom_provider_field_result": None,
    }
    if method[3] == "credit_card":
        txn["credit_card"] = {"card_type": "visa" if n % 2 else "master", "card_iin": "411111",
                              "card_last4": f"{1000 + n:04d}"[-4:], "card_expiry_month": 1 + n % 12,
                              "card_expiry_year": 2027 + n % 3}
        txn["avs_result"] = {"code": "M", "message": "Street address and postal code match", "street_match": "Y",
                             "postal_match": "Y"}
        txn["cvv_result"] = {"code": "M", "message": "CVV matches"}
    elif method[3] == "offline":
        txn["offline"] = {"display_name": method[1]}
    return txn


def demo() -> dict[str, Any]:
    data = _base(EPOCH)
    items = [item for item in catalog.shop_items(300) if catalog.in_bigcommerce(item)]
    _catalog(data, items, EPOCH)
    _duplicate_upcs(data["products"])
    _customers(data, catalog.people(60), EPOCH)
    _orders(data, 42, EPOCH)
    return data


def large(n: int, *, images: bool = False) -> dict[str, Any]:
    """``images``: two in three products with a photo, as in ``demo`` (off by default: a sync then downloads and
    scales every one, which only the image benchmark wants)."""
    data = _base(EPOCH)
    items = [item for item in catalog.shop_items(n) if catalog.in_bigcommerce(item)]
    _catalog(data, items, EPOCH, images=images)
    _duplicate_upcs(data["products"])
    _customers(data, catalog.people(min(200, max(4, n // 50))), EPOCH)
    _orders(data, 5, EPOCH)
    return data


def empty() -> dict[str, Any]:
    data = _base(EPOCH)
    data["counters"].update({"product": 111, "variant": 201, "option": 301, "option_value": 401, "image": 501,
                             "brand": 36, "category": 18, "tree": 2, "customer": 1, "customer_address": 1,
                             "order": 100, "order_product": 1, "order_address": 1, "transaction": 1})
    return data
