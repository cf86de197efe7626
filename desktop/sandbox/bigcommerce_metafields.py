"""Order metafields of the BigCommerce emulator (orders.v3.yml, tags "Metafields" and "Batch metafields").

An app keeps its own facts on an order here (the sync notes "this order's stock was taken from Hike" on the order
itself, so a fresh or restored database can look it up in the store). Routes:

- ``GET /v3/orders/{order_id}/metafields`` and ``POST`` (one metafield; ``MetafieldBase_Post``);
- ``GET /v3/orders/metafields`` (every order's, paged; filters ``namespace``, ``key``, ``namespace:in``,
  ``key:in``, ``date_created:min``; ``direction`` asc/desc by id);
- ``POST /v3/orders/metafields`` (several, each with its ``resource_id``): 200 when all were made; 422 with the
  ones made in ``data`` and one ``Error`` per refused one (``MetaFieldCollectionResponsePartialSuccess_POST_PUT``)
  otherwise. [I] at most 50 a call (the spec states no limit; 413 beyond, as the other batch endpoints).

[I] the real API refuses a second metafield with the same namespace and key on one resource with 409 and an
"already exists" title; the sandbox does the same. The 250-per-order limit is enforced (422).
"""
from __future__ import annotations

from typing import Any

from desktop.sandbox.bigcommerce_http import BCError, body_array, body_object, ok, paginate, parse_date
from desktop.sandbox.server import Request, Response

PERMISSION_SETS = ("app_only", "read", "write", "read_and_sf_access", "write_and_sf_access")
MAX_PER_ORDER = 250
BATCH_LIMIT = 50  # [I]


class MetafieldRoutes:
    """Mixed into ``BigCommerceEmulator`` (``self.store``, ``self.v3``, ``self.now``)."""

    store: Any

    def register_metafields(self) -> None:
        v3 = self.v3  # type: ignore[attr-defined]
        v3(r"/orders/metafields", GET=self.list_all_order_metafields, POST=self.create_order_metafields)
        v3(r"/orders/(?P<oid>\d+)/metafields", GET=self.list_order_metafields, POST=self.create_order_metafield)

    def _metafields(self) -> list[dict[str, Any]]:
        return self.store.data.setdefault("order_metafields", [])

    def _filtered(self, request: Request, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        def wanted(name: str) -> set[str] | None:
            values = [v for v in (request.arg(f"{name}:in") or "").split(",") if v]
            if request.arg(name):
                values.append(request.arg(name))
            return set(values) if values else None

        namespaces, keys = wanted("namespace"), wanted("key")
        since = request.arg("date_created:min")
        floor = parse_date(since, self.now_dt(), name="date_created:min") if since else None  # type: ignore
        out = [m for m in items if (namespaces is None or m["namespace"] in namespaces)
               and (keys is None or m["key"] in keys) and (floor is None or m["date_created"] >= floor)]
        direction = request.arg("direction") or "asc"
        if direction not in ("asc", "desc"):
            raise BCError(422, "direction must be asc or desc", {"direction": "asc or desc"})
        return sorted(out, key=lambda m: m["id"], reverse=direction == "desc")

    def list_all_order_metafields(self, request: Request) -> Response:
        page, meta = paginate(request, self._filtered(request, self._metafields()))
        return Response.json({"data": page, "meta": meta})

    def list_order_metafields(self, request: Request) -> Response:
        oid = self._existing_order(request)
        mine = [m for m in self._metafields() if m["resource_id"] == oid]
        page, meta = paginate(request, self._filtered(request, mine))
        return Response.json({"data": page, "meta": meta})

    def create_order_metafield(self, request: Request) -> Response:
        return ok(self._create(self._existing_order(request), body_object(request)))

    def create_order_metafields(self, request: Request) -> Response:
        made: list[dict[str, Any]] = []
        refused: list[dict[str, Any]] = []
        for body in body_array(request, BATCH_LIMIT, "metafields"):
            oid = body.get("resource_id") if isinstance(body, dict) else None
            try:
                if not isinstance(oid, int) or isinstance(oid, bool) or oid not in self.store.orders:
                    raise BCError(422, f"Order {oid} does not exist", {"resource_id": "an existing order id"})
                made.append(self._create(oid, body))
            except BCError as exc:
                refused.append({"status": exc.status, "title": exc.title,
                                "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
                                "errors": {k: str(v) for k, v in (exc.errors or {}).items()}})
        meta = {"total": len(made) + len(refused), "success": len(made), "failed": len(refused)}
        return Response.json({"data": made, "errors": refused, "meta": meta}, 422 if refused else 200)

    def _create(self, oid: int, body: dict[str, Any]) -> dict[str, Any]:
        problems: dict[str, str] = {}
        if body.get("permission_set") not in PERMISSION_SETS:
            problems["permission_set"] = f"one of {', '.join(PERMISSION_SETS)}"
        for name, most in (("namespace", 64), ("key", 64), ("value", 65535)):
            value = body.get(name)
            if not isinstance(value, str) or not 1 <= len(value) <= most:
                problems[name] = f"a string of 1 to {most} characters"
        description = body.get("description", "")
        if not isinstance(description, str) or len(description) > 255:
            problems["description"] = "a string of at most 255 characters"
        if problems:
            raise BCError(422, "JSON data is missing or invalid", problems)
        mine = [m for m in self._metafields() if m["resource_id"] == oid]
        if any(m["namespace"] == body["namespace"] and m["key"] == body["key"] for m in mine):
            raise BCError(409, f"Metafield with namespace '{body['namespace']}' and key '{body['key']}' already "
                               f"exists for order {oid}")
        if len(mine) >= MAX_PER_ORDER:
            raise BCError(422, f"An order has at most {MAX_PER_ORDER} metafields")
        now = self.now()  # type: ignore[attr-defined]
        metafield = {"id": self.store.next_id("metafield"), "permission_set": body["permission_set"],
                     "namespace": body["namespace"], "key": body["key"], "value": body["value"],
                     "description": description, "resource_type": "order", "resource_id": oid,
                     "date_created": now, "date_modified": now}
        self._metafields().append(metafield)
        return metafield

    def _existing_order(self, request: Request) -> int:
        oid = int(request.params["oid"])
        if oid not in self.store.orders:
            raise BCError(404, "The requested resource was not found.")
        return oid
