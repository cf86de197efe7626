"""Brands, category trees and categories of the BigCommerce emulator.

From ``brands_catalog.v3.yml``, ``category-trees_catalog.v3.yml`` and ``categories_catalog.v3.yml``:

- brands: list (``id``, ``id:in``, ``name``, ``name:like``), create (``name`` required: 422; a name in use
  regardless of case: 409), get/update/delete one;
- category trees: ``GET/PUT /catalog/trees`` (PUT upserts, at most 50), ``GET/POST/PUT/DELETE
  /catalog/trees/categories`` (batches: 201/200 when all saved, 207 when some, 422 when none, with
  ``meta {total, success, failed}``);
- the deprecated ``/catalog/categories`` serves tree 1 (the default channel's) from the same categories; a
  name used twice under one parent is 409 there.
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Any, Iterator

from desktop.sandbox.bigcommerce_catalog import _int_param
from desktop.sandbox.bigcommerce_fields import INVALID
from desktop.sandbox.bigcommerce_http import (BCError, Field, apply_filters, body_array, body_object, ok, paginate,
                                              select_fields)
from desktop.sandbox.bigcommerce_seed import slugify
from desktop.sandbox.server import Request, Response

TREE_BATCH = 50


class TaxonomyRoutes:
    """Mixed into ``BigCommerceEmulator``; uses ``self.store`` and ``self.now_dt()``."""

    def register_taxonomy(self) -> None:
        v3 = self.v3  # type: ignore[attr-defined]
        v3(r"/catalog/brands", GET=self.list_brands, POST=self.create_brand)
        v3(r"/catalog/brands/(?P<bid>\d+)", GET=self.get_brand, PUT=self.update_brand, DELETE=self.delete_brand)
        v3(r"/catalog/trees", GET=self.list_trees, PUT=self.upsert_trees)
        v3(r"/catalog/trees/categories", GET=self.list_tree_categories, POST=self.create_tree_categories,
           PUT=self.update_tree_categories, DELETE=self.delete_tree_categories)
        v3(r"/catalog/categories", GET=self.list_categories, POST=self.create_category)
        v3(r"/catalog/categories/(?P<cid>\d+)", GET=self.get_category, PUT=self.update_category,
           DELETE=self.delete_category)

    # -- brands ----------------------------------------------------------------------------------------------
    BRAND_FIELDS = ("name", "page_title", "meta_keywords", "meta_description", "search_keywords", "image_url",
                    "custom_url")

    def _brand(self, request: Request) -> dict[str, Any]:
        brand = self.store.brands.get(_int_param(request, "bid"))
        if brand is None:
            raise BCError(404, "The requested resource was not found.", {})
        return brand

    def list_brands(self, request: Request) -> Response:
        records = apply_filters(request, self.store.brands.values(), {
            "id": Field(lambda b: b["id"]), "name": Field(lambda b: b["name"], "str"),
            "page_title": Field(lambda b: b.get("page_title", ""), "str")}, self.now_dt())
        records.sort(key=lambda b: b["id"])
        page, meta = paginate(request, records)
        return Response.json({"data": [select_fields(b, request) for b in page], "meta": meta})

    def _brand_body(self, body: dict[str, Any], brand_id: int | None, *, create: bool) -> dict[str, Any]:
        errors = {}
        if create and not body.get("name"):
            errors["name"] = "error.path.missing"
        # the file's text fields and their maxLength (image_url has none)
        for key, longest in (("name", 255), ("page_title", 255), ("meta_description", 65535),
                             ("search_keywords", 65535), ("image_url", None)):
            if key in body and not isinstance(body[key], str):
                errors[key] = "error.expected.jsstring"
            elif key in body and longest is not None and len(body[key]) > longest:
                errors[key] = "error.maxLength"
        if "meta_keywords" in body and (not isinstance(body["meta_keywords"], list)
                                        or any(not isinstance(k, str) for k in body["meta_keywords"])):
            errors["meta_keywords"] = "error.expected.jsarray"
        if "custom_url" in body:
            errors.update(_custom_url_problems(body["custom_url"]))
        if errors:
            raise BCError(422, INVALID, errors)
        name = body.get("name")
        if name:
            clash = next((b for b in self.store.brands.values()
                          if b["name"].strip().lower() == name.strip().lower() and b["id"] != brand_id), None)
            if clash is not None:
                raise BCError(409, "Brand name is a duplicate", {"name": f"Brand name '{name}' is already in use"})
        return {k: body[k] for k in self.BRAND_FIELDS if k in body}

    def create_brand(self, request: Request) -> Response:
        fields = self._brand_body(body_object(request), None, create=True)
        bid = self.store.next_id("brand")
        brand = {"id": bid, "name": fields["name"], "page_title": "", "meta_keywords": [], "meta_description": "",
                 "search_keywords": "", "image_url": "",
                 "custom_url": {"url": f"/brands/{slugify(fields['name'])}/", "is_customized": False}}
        brand.update(fields)
        self.store.brands[bid] = brand
        self.store.data["brands"].append(brand)
        return ok(brand)

    def get_brand(self, request: Request) -> Response:
        return ok(select_fields(self._brand(request), request))

    def update_brand(self, request: Request) -> Response:
        brand = self._brand(request)
        brand.update(self._brand_body(body_object(request), brand["id"], create=False))
        return ok(brand)

    def delete_brand(self, request: Request) -> Response:
        brand = self._brand(request)
        del self.store.brands[brand["id"]]
        self.store.data["brands"] = [b for b in self.store.data["brands"] if b["id"] != brand["id"]]
        for product in self.store.products.values():
            if product.get("brand_id") == brand["id"]:
                product["brand_id"] = 0
        return Response.empty(204)

    # -- category trees ------------------------------------------------------------------------------------------
    def list_trees(self, request: Request) -> Response:
        with _wrapped_errors():
            records = apply_filters(request, self.store.trees.values(), {
                "id": Field(lambda t: t["id"]), "channel_id": Field(lambda t: t.get("channels", []))}, self.now_dt())
            page, meta = paginate(request, sorted(records, key=lambda t: t["id"]))
        return Response.json({"data": page, "meta": meta})

    def upsert_trees(self, request: Request) -> Response:
        items = body_array(request, TREE_BATCH, "trees")
        plan = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise BCError(422, INVALID, {f"{i}": "error.expected.jsobject"})
            if "id" in item and (not isinstance(item["id"], int) or item["id"] not in self.store.trees):
                raise BCError(422, INVALID, {f"{i}.id": f"Tree {item['id']} does not exist"})
            if "id" not in item and not item.get("name"):
                raise BCError(422, INVALID, {f"{i}.name": "error.path.missing"})
            if "name" in item and (not isinstance(item["name"], str) or len(item["name"]) > 255):
                raise BCError(422, INVALID, {f"{i}.name": "error.expected.jsstring"})
            channels = item.get("channels", [])
            if not isinstance(channels, list) or any(not isinstance(c, int) for c in channels):
                raise BCError(422, INVALID, {f"{i}.channels": "error.expected.jsarray"})
            plan.append(item)
        out = []
        for item in plan:
            if "id" in item:
                tree = self.store.trees[item["id"]]
                tree.update({k: item[k] for k in ("name", "channels") if k in item})
            else:
                tree = {"id": self.store.next_id("tree"), "name": item["name"], "channels": item.get("channels", [])}
                self.store.trees[tree["id"]] = tree
                self.store.data["category_trees"].append(tree)
            out.append(tree)
        return Response.json({"data": out, "meta": {"total": len(out), "success": len(out), "failed": 0}})

    # -- categories (trees API and the deprecated /catalog/categories share them) ----------------------------------
    TREE_CATEGORY_FIELDS = ("name", "description", "views", "sort_order", "page_title", "meta_keywords",
                            "meta_description", "layout_file", "image_url", "is_visible", "search_keywords",
                            "default_product_sort")

    def render_tree_category(self, category: dict[str, Any]) -> dict[str, Any]:
        out = {"category_id": category["id"], "category_uuid": category["category_uuid"],
               "parent_id": category["parent_id"], "tree_id": category["tree_id"]}
        out.update({k: category[k] for k in self.TREE_CATEGORY_FIELDS if k in category})
        out["url"] = dict(category.get("url") or {"path": "", "is_customized": False})
        return out

    def render_legacy_category(self, category: dict[str, Any]) -> dict[str, Any]:
        out = {"id": category["id"], "parent_id": category["parent_id"]}
        out.update({k: category[k] for k in self.TREE_CATEGORY_FIELDS if k in category})
        url = category.get("url") or {"path": "", "is_customized": False}
        out["custom_url"] = {"url": url["path"], "is_customized": url["is_customized"]}
        return out

    def _category_problems(self, item: dict[str, Any], category_id: int | None, tree_id: int | None,
                           parent_id: int | None) -> dict[str, str]:
        errors: dict[str, str] = {}
        name = item.get("name")
        if "name" in item and (not isinstance(name, str) or not name.strip() or len(name) > 50):
            errors["name"] = "error.invalid: name must be 1 to 50 characters"
        for key, kind in (("views", int), ("sort_order", int), ("is_visible", bool), ("description", str),
                          ("page_title", str), ("meta_description", str), ("layout_file", str),
                          ("image_url", str), ("search_keywords", str)):
            if key in item and (not isinstance(item[key], kind) or (kind is int and isinstance(item[key], bool))):
                errors[key] = "error.invalid"
        if "meta_keywords" in item and (not isinstance(item["meta_keywords"], list)
                                        or any(not isinstance(k, str) for k in item["meta_keywords"])):
            errors["meta_keywords"] = "error.expected.jsarray"
        for key in ("url", "custom_url"):
            if key in item and item[key] is not None:
                url = item[key]
                path = url.get("path" if key == "url" else "url") if isinstance(url, dict) else None
                if not isinstance(url, dict) or (path is not None and not isinstance(path, str)):
                    errors[key] = "error.invalid"
        if "default_product_sort" in item and item["default_product_sort"] not in (
                "use_store_settings", "featured", "newest", "best_selling", "alpha_asc", "alpha_desc",
                "avg_customer_review", "price_asc", "price_desc"):
            errors["default_product_sort"] = "error.expected.validenumvalue"
        if parent_id and parent_id not in self.store.categories:
            errors["parent_id"] = f"Parent category {parent_id} does not exist"
        if tree_id is not None and tree_id not in self.store.trees:
            errors["tree_id"] = f"Tree {tree_id} does not exist"
        if not errors and name:
            clash = next((c for c in self.store.categories.values()
                          if c["parent_id"] == (parent_id or 0) and c["tree_id"] == tree_id
                          and c["name"].strip().lower() == name.strip().lower() and c["id"] != category_id), None)
            if clash is not None:
                errors["name"] = f"Category name '{name}' is already used at this level"
        return errors

    def _new_category(self, item: dict[str, Any], tree_id: int, parent_id: int) -> dict[str, Any]:
        cid = self.store.next_id("category")
        parent = self.store.categories.get(parent_id)
        parent_path = parent["url"]["path"] if parent else "/"
        url = item.get("url") if isinstance(item.get("url"), dict) else None
        category = {"id": cid, "tree_id": tree_id, "parent_id": parent_id, "name": item["name"],
                    "category_uuid": str(uuid.uuid4()), "description": "", "views": 0, "sort_order": 0,
                    "page_title": "", "meta_keywords": [], "meta_description": "", "layout_file": "category.html",
                    "image_url": "", "is_visible": True, "search_keywords": "",
                    "default_product_sort": "use_store_settings",
                    "url": {"path": url["path"], "is_customized": True} if url and url.get("path") else
                    {"path": f"{parent_path}{slugify(item['name'])}/", "is_customized": False}}
        category.update({k: item[k] for k in self.TREE_CATEGORY_FIELDS if k in item})
        self.store.categories[cid] = category
        self.store.data["categories"].append(category)
        return category

    TREE_CATEGORY_FILTERS = {
        "category_id": Field(lambda c: c["id"]), "tree_id": Field(lambda c: c["tree_id"]),
        "parent_id": Field(lambda c: c["parent_id"]), "name": Field(lambda c: c["name"], "str"),
        "page_title": Field(lambda c: c.get("page_title", ""), "str"),
        "is_visible": Field(lambda c: c.get("is_visible", True), "bool"),
        "category_uuid": Field(lambda c: c["category_uuid"], "str"),
        "keyword": Field(lambda c: c["name"], "str"),
    }

    def list_tree_categories(self, request: Request) -> Response:
        with _wrapped_errors():
            records = apply_filters(request, self.store.categories.values(), self.TREE_CATEGORY_FILTERS,
                                    self.now_dt())
            records.sort(key=lambda c: (c["tree_id"], c["id"]))
            page, meta = paginate(request, records)
        return Response.json({"data": [select_fields(self.render_tree_category(c), request, ("category_id",))
                                       for c in page], "meta": meta})

    def _batch_result(self, created: list[dict[str, Any]], errors: dict[str, Any], total: int,
                      status_ok: int) -> Response:
        meta = {"total": total, "success": len(created), "failed": total - len(created)}
        if not errors:
            return Response.json({"data": created, "meta": meta}, status_ok)
        err = {"status": 422, "title": "Some categories were not saved", "type": "/api-docs/getting-started/api-status-codes",
               "errors": errors}
        if created:
            return Response.json({"data": created, "errors": err, "meta": meta}, 207)
        return Response.json({"errors": err, "meta": meta}, 422)

    def create_tree_categories(self, request: Request) -> Response:
        try:
            items = body_array(request, 1000, "categories")
        except BCError as exc:
            if exc.status not in (400, 422):
                raise  # 413: too many
            # an empty body, or one that is no list of categories: 400 with ``errors`` an array (the file's ErrorRequest)
            raise BCError(400, exc.title, body={"errors": [{"status": 400, "title": exc.title,
                                                             "type": "/api-docs/getting-started/api-status-codes"}]}) \
                from None
        created, errors = [], {}
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not item.get("name"):
                errors[f"{i}.name"] = "error.path.missing"
                continue
            parent_id = item.get("parent_id") or 0
            tree_id = item.get("tree_id")
            if not isinstance(parent_id, int) or (tree_id is not None and not isinstance(tree_id, int)):
                errors[f"{i}.parent_id"] = "parent_id and tree_id must be integers"
                continue
            if tree_id is None and parent_id in self.store.categories:
                tree_id = self.store.categories[parent_id]["tree_id"]
            if tree_id is None:
                errors[f"{i}.tree_id"] = "tree_id or parent_id is required"
                continue
            problems = self._category_problems(item, None, tree_id, parent_id)
            if problems:
                errors.update({f"{i}.{k}": v for k, v in problems.items()})
                continue
            created.append(self.render_tree_category(self._new_category(item, tree_id, parent_id)))
        return self._batch_result(created, errors, len(items), 201)

    def update_tree_categories(self, request: Request) -> Response:
        items = body_array(request, 1000, "categories")
        done, errors = [], {}
        for i, item in enumerate(items):
            cid = item.get("category_id") if isinstance(item, dict) else None
            category = self.store.categories.get(cid) if isinstance(cid, int) else None
            if category is None:
                errors[f"{i}.category_id"] = "error.path.missing" if not isinstance(item, dict) or \
                    "category_id" not in item else f"Category {item['category_id']} does not exist"
                continue
            parent_id = item.get("parent_id", category["parent_id"])
            tree_id = item.get("tree_id", category["tree_id"])
            if not isinstance(parent_id, int) or not isinstance(tree_id, int):
                errors[f"{i}.parent_id"] = "parent_id and tree_id must be integers"
                continue
            problems = self._category_problems(item, category["id"], tree_id, parent_id)
            if problems:
                errors.update({f"{i}.{k}": v for k, v in problems.items()})
                continue
            category.update({k: item[k] for k in self.TREE_CATEGORY_FIELDS if k in item})
            category["parent_id"], category["tree_id"] = parent_id or 0, tree_id
            if isinstance(item.get("url"), dict) and item["url"].get("path"):
                category["url"] = {"path": item["url"]["path"], "is_customized": True}
            done.append(self.render_tree_category(category))
        meta = {"total": len(items), "success": len(done), "failed": len(items) - len(done)}
        if not errors:
            return Response.json({"meta": meta})
        err = {"status": 422, "title": "Some categories were not saved", "type": "/api-docs/getting-started/api-status-codes",
               "errors": errors}
        return Response.json({"errors": err, "meta": meta}, 207 if done else 422)

    def _delete_categories(self, doomed: list[dict[str, Any]]) -> None:
        ids = {c["id"] for c in doomed}
        grew = True
        while grew:  # children go with their parent
            children = {c["id"] for c in self.store.categories.values() if c["parent_id"] in ids} - ids
            grew = bool(children)
            ids |= children
        for cid in ids:
            self.store.categories.pop(cid, None)
        self.store.data["categories"] = [c for c in self.store.data["categories"] if c["id"] not in ids]
        for product in self.store.products.values():
            if any(c in ids for c in product.get("categories", [])):
                product["categories"] = [c for c in product["categories"] if c not in ids]

    def delete_tree_categories(self, request: Request) -> Response:
        if not any(k.split(":")[0] in self.TREE_CATEGORY_FILTERS for k in request.query):
            raise BCError(422, "A filter is required to delete categories", {"category_id:in": "error.path.missing"})
        self._delete_categories(apply_filters(request, self.store.categories.values(), self.TREE_CATEGORY_FILTERS,
                                              self.now_dt()))
        return Response.empty(204)

    # deprecated /catalog/categories: the categories of tree 1 (the default channel's tree)
    def _legacy(self) -> list[dict[str, Any]]:
        return [c for c in self.store.categories.values() if c["tree_id"] == 1]

    def _category(self, request: Request) -> dict[str, Any]:
        category = self.store.categories.get(_int_param(request, "cid"))
        if category is None or category["tree_id"] != 1:
            raise BCError(404, "The requested resource was not found.")
        return category

    def list_categories(self, request: Request) -> Response:
        records = apply_filters(request, self._legacy(), {
            "id": Field(lambda c: c["id"]), "parent_id": Field(lambda c: c["parent_id"]),
            "name": Field(lambda c: c["name"], "str"), "page_title": Field(lambda c: c.get("page_title", ""), "str"),
            "is_visible": Field(lambda c: c.get("is_visible", True), "bool"),
            "keyword": Field(lambda c: c["name"], "str")}, self.now_dt())
        records.sort(key=lambda c: c["id"])
        page, meta = paginate(request, records)
        return Response.json({"data": [select_fields(self.render_legacy_category(c), request) for c in page],
                              "meta": meta})

    def create_category(self, request: Request) -> Response:
        body = body_object(request)
        errors = {k: "error.path.missing" for k in ("parent_id", "name") if k not in body}
        if "parent_id" in body and (not isinstance(body["parent_id"], int) or isinstance(body["parent_id"], bool)):
            errors["parent_id"] = "error.expected.jsnumber"
        if errors:
            raise BCError(422, INVALID, errors)
        problems = self._category_problems(body, None, 1, body["parent_id"])
        if problems:
            status = 409 if "already used" in problems.get("name", "") else 422
            raise BCError(status, "The category name is a duplicate" if status == 409 else INVALID, problems)
        item = dict(body)
        if isinstance(body.get("custom_url"), dict) and body["custom_url"].get("url"):
            item["url"] = {"path": body["custom_url"]["url"]}
        return ok(self.render_legacy_category(self._new_category(item, 1, body["parent_id"])))

    def get_category(self, request: Request) -> Response:
        return ok(select_fields(self.render_legacy_category(self._category(request)), request))

    def update_category(self, request: Request) -> Response:
        category = self._category(request)
        body = body_object(request)
        parent_id = body.get("parent_id", category["parent_id"])
        if not isinstance(parent_id, int) or isinstance(parent_id, bool):
            raise BCError(422, INVALID, {"parent_id": "error.expected.jsnumber"})
        problems = self._category_problems(body, category["id"], 1, parent_id)
        if problems:
            status = 409 if "already used" in problems.get("name", "") else 422
            raise BCError(status, "The category name is a duplicate" if status == 409 else INVALID, problems)
        category.update({k: body[k] for k in self.TREE_CATEGORY_FIELDS if k in body})
        category["parent_id"] = parent_id
        if isinstance(body.get("custom_url"), dict) and body["custom_url"].get("url"):
            category["url"] = {"path": body["custom_url"]["url"], "is_customized": True}
        return ok(self.render_legacy_category(category))

    def delete_category(self, request: Request) -> Response:
        self._delete_categories([self._category(request)])
        return Response.empty(204)


@contextmanager
def _wrapped_errors() -> Iterator[None]:
    """The tree files wrap a list's 422 (a bad filter or page; GeneralErrorWithErrors): ``{errors: {...}, meta}``."""
    try:
        yield
    except BCError as exc:
        raise BCError(exc.status, exc.title, body={"errors": {
            "status": exc.status, "title": exc.title, "type": "/api-docs/getting-started/api-status-codes",
            "errors": exc.errors or {}}, "meta": {}}) from None


def _custom_url_problems(custom_url: Any) -> dict[str, str]:
    """A brand's ``custom_url`` as the file types it: an object with ``url`` text (1 to 1024) and ``is_customized``
    true or false (the schema fuzzer found both stored as anything)."""
    if not isinstance(custom_url, dict):
        return {"custom_url": "error.expected.jsobject"}
    errors = {}
    url = custom_url.get("url")
    if "url" in custom_url and (not isinstance(url, str) or not 1 <= len(url) <= 1024):
        errors["custom_url.url"] = "error.expected.jsstring"
    if "is_customized" in custom_url and not isinstance(custom_url["is_customized"], bool):
        errors["custom_url.is_customized"] = "error.expected.jsboolean"
    return errors
