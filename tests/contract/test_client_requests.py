"""Contract: every request the BigCommerce client sends (method, path, query, body) validates against the
official OpenAPI request schemas. The client runs a representative workload against the sandbox store; the
store's request log is then checked request by request."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from tests.contract.conftest import HOST
from tests.integration.bc_store import start_bc_store

pytestmark = pytest.mark.contract


@dataclass
class LoggedRequest:
    """openapi-core's request protocol over one entry of the emulator's request log."""

    method: str
    path: str
    body: bytes | None
    content_type: str
    parameters: RequestParameters
    host_url: str = HOST

    @property
    def full_url_pattern(self) -> str:
        return self.host_url + self.path


# Batch updates need each item's ``id`` (API notes §3: "`id` required per item"), but the official request schema
# reuses the product/variant schema where ``id`` is readOnly, so openapi-core refuses every batch. The rest of each
# item is validated as is.
READ_ONLY_ID_REQUIRED = {("PUT", "/catalog/products"), ("PUT", "/catalog/variants")}


def _query(entry: dict[str, Any]) -> ImmutableMultiDict:
    pairs = []
    for key, value in (entry["query"] or {}).items():
        for v in value if isinstance(value, list) else [value]:
            pairs.append((key, v))
    return ImmutableMultiDict(pairs)


def run_workload(client) -> None:
    client.store_info()
    client.tax_classes()
    client.order_statuses()
    client.payment_methods()
    locations = client.locations()
    products = list(client.products())
    list(client.products(modified_since=datetime(2020, 1, 1, tzinfo=timezone.utc)))
    list(client.products(ids=[p.id for p in products[:5]]))
    list(client.products(skus=[p.sku for p in products[:5]]))
    client.product(products[0].id)
    created = client.create_product({"name": "Contract Test Tee", "type": "physical", "weight": Decimal("0.3"),
                                     "price": Decimal("24.95"), "sku": "CONTRACT-TEE", "categories": [],
                                     "inventory_tracking": "product"})
    client.update_products([{"id": p.id, "cost_price": Decimal("3.10")} for p in products[:11]])
    variant_product = next(p for p in products if p.has_options)
    client.variants(variant_product.id)
    client.update_variants([{"id": v.id, "price": Decimal("30.00")} for v in variant_product.variants])
    # a variant added to an existing product: its option values found or made first, as the file documents
    named = [{"option_display_name": name, "label": f"Contract {i}"}
             for i, (name, _) in enumerate(variant_product.variants[0].option_values)]
    client.create_variant(variant_product.id, {"sku": "CONTRACT-VARIANT", "price": Decimal("31.00"),
                                               "option_values": named})
    client.add_image(created.id, "https://cdn.example.com/tee.jpg", is_thumbnail=True)
    client.find_product_by_sku(variant_product.variants[0].sku)
    client.brands()
    client.create_brand("Contract Brand")
    trees = client.category_trees()
    client.categories(trees[0]["id"])
    client.create_categories([{"name": "Contract Category", "tree_id": trees[0]["id"]}])
    customers = list(client.customers())
    list(client.customers(emails=[c.email for c in customers[:3]]))
    list(client.customers(ids=[c.id for c in customers[:2]]))  # M4: a retried customer read by id
    list(client.customers(modified_since=datetime(2020, 1, 1, tzinfo=timezone.utc)))
    new = client.create_customers([{"first_name": "Ada", "last_name": "Contract", "email": "ada.contract@example.com"}])
    client.update_customers([{"id": new[0].id, "phone": "0400000000"}])
    (added,) = client.create_customer_addresses([{
        "customer_id": new[0].id, "first_name": "Ada", "last_name": "Contract", "address1": "1 Test St",
        "address2": "", "city": "Perth", "state_or_province": "Western Australia", "postal_code": "6000",
        "country_code": "AU", "address_type": "residential", "phone": "0400000000"}])
    client.update_customer_addresses([{"id": added["id"], "first_name": "Ada", "last_name": "Contract",
                                       "address1": "2 Test St", "city": "Fremantle", "postal_code": "6160",
                                       "country_code": "AU", "address_type": "residential"}])
    orders = list(client.orders(modified_since=datetime(2020, 1, 1, tzinfo=timezone.utc)))
    list(client.orders(created_since=datetime(2020, 1, 1, tzinfo=timezone.utc), status_id=11))
    order = orders[0]
    client.order(order.id)
    client.order_products(order.id)
    client.order_shipping_addresses(order.id)
    client.order_transactions(order.id)
    client.update_order_status(order.id, 2)
    line = client.order_products(order.id)[0]
    client.create_order({
        "status_id": 10, "customer_id": 0, "external_source": "Hike POS", "external_order_id": "hike-sale-contract",
        "staff_notes": "Hike sale 000001", "payment_method": "Cash", "date_created": "Tue, 20 Nov 2012 00:00:00 +0000",
        "billing_address": {"first_name": "Walk-in", "last_name": "customer", "zip": "0000"},
        "products": [{"product_id": line.product_id, "variant_id": line.variant_id, "quantity": 1,
                      "price_ex_tax": Decimal("10.0000"), "price_inc_tax": Decimal("11.0000")},
                     {"name": "Gift wrap", "quantity": 1, "price_ex_tax": Decimal("2.5"), "price_inc_tax": Decimal("2.75")}],
        "subtotal_ex_tax": "12.5000", "subtotal_inc_tax": "13.7500", "base_shipping_cost": "0.0000",
        "shipping_cost_ex_tax": "0.0000", "shipping_cost_inc_tax": "0.0000", "total_ex_tax": "12.5000",
        "total_inc_tax": "13.7500"})
    client.find_order_by_reference("hike-sale-contract")
    list(client.inventory_levels(location_id=locations[0].id))
    list(client.inventory_levels(skus=[p.sku for p in products[:3]]))
    list(client.location_inventory(locations[0].id))
    client.set_inventory([{"location_id": locations[0].id, "product_id": created.id, "quantity": 5}])


def client_operations(bc_specs) -> set[tuple[str, str, str]]:
    """(spec file, method, path template) of every operation the client's workload uses."""
    store = start_bc_store()
    try:
        run_workload(store.client())
        log = store.api_requests()
    finally:
        store.stop()
    used = set()
    for entry in log:
        m = re.fullmatch(r"/stores/[^/]+/(v2|v3)(/.*)", entry["path"])
        found = bc_specs.find(m.group(1), entry["method"], m.group(2).rstrip("/"))
        assert found, f"{entry['method']} {entry['path']} is not an operation of the official files"
        used.add((found[0], entry["method"].lower(), found[1]))
    return used


def test_every_bigcommerce_client_request_matches_the_official_request_schemas(bc_specs):
    store = start_bc_store()
    try:
        client = store.client()
        run_workload(client)
        log = store.api_requests()
    finally:
        store.stop()
    assert len(log) > 30
    checked: set[tuple[str, str]] = set()
    failures = []
    for entry in log:
        m = re.fullmatch(r"/stores/[^/]+/(v2|v3)(/.*)", entry["path"])
        version, subpath = m.group(1), m.group(2).rstrip("/")
        found = bc_specs.find(version, entry["method"], subpath)
        assert found, f"{entry['method']} {entry['path']} is not an operation of the official files"
        name, template = found
        ctype = entry["content_type"] or "application/json"
        # the log keeps no header values (no token on record); a request that got past the store's auth sent it
        assert entry["status"] != 401
        headers = Headers({"Accept": "application/json", "Content-Type": ctype, "X-Auth-Token": "present"})
        body = entry["body"]
        if (entry["method"], template) in READ_ONLY_ID_REQUIRED and body:
            body = json.dumps([{k: v for k, v in item.items() if k != "id"} for item in json.loads(body)])
        request = LoggedRequest(entry["method"].lower(), f"/stores/x/{version}{subpath}",
                                body.encode() if body else None, ctype,
                                RequestParameters(query=_query(entry), header=headers))
        try:
            bc_specs.app(name).validate_request(request)
        except Exception as exc:  # noqa: BLE001 - collected and reported together
            cause = getattr(exc, "__cause__", None)
            failures.append(f"{entry['method']} {entry['path']} {entry['query']} ({name}:{template}): "
                            f"{type(exc).__name__}: {exc} {cause or ''}\n  body: {(entry['body'] or '')[:300]}")
        checked.add((entry["method"], template))
    assert not failures, "\n".join(failures)
    assert len(checked) >= 25, sorted(checked)
