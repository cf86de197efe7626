"""Products, variants, paging, upserts, uniqueness and inventory of the Hike emulator (notes A6, A8, B3, B4)."""
from __future__ import annotations

import re

from .conftest import DEMO, Sandbox, abp_message

NET_TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$")


def _variant_parent(hike: Sandbox) -> dict:
    return next(p for p in DEMO["products"] if p["product_variants"] and p["isActive"])


def _simple(hike: Sandbox, **cond: object) -> dict:
    return next(p for p in DEMO["products"] if not p["product_variants"] and not p["product_extras"] and p["sku"]
                and all(p.get(k) == v for k, v in cond.items()))


def test_get_all_returns_variant_rows_and_counts_them(hike: Sandbox) -> None:
    rows = DEMO["products"]
    expected = len(rows) + sum(len(p["product_variants"]) for p in rows)
    items, url = [], "/api/v1/products/get_all?page_size=500"
    first = hike.api.get(url).json()
    assert first["totalCount"] == expected and first["next"] is None
    items = first["items"]
    assert len(items) == expected
    parent = _variant_parent(hike)
    by_id = {i["id"]: i for i in items}
    p = by_id[parent["id"]]
    assert p["has_variants"] is True and p["parentId"] is None
    assert len(p["product_variants"]) == len(parent["product_variants"])
    for v in p["product_variants"]:
        row = by_id[v["prod_variant_id"]]
        assert row["parentId"] == parent["id"]
        assert row["name"] == v["variant_name"] and row["name"].startswith(parent["name"] + " / ")
        assert row["sku"] == v["sku"] and row["product_variants"] == []
        assert row["bran_name"] == p["bran_name"] and row["sales_channels"] == p["sales_channels"]
    # the parent's stock is the sum of its variants' in each outlet
    for outlet in p["product_outlets"]:
        total = sum(next(r for r in v["variant_outlets"] if r["outlet_id"] == outlet["outlet_id"])
                    ["on_hand_inventory"] for v in p["product_variants"])
        assert outlet["on_hand_inventory"] == total


def test_product_shape(hike: Sandbox) -> None:
    item = hike.api.get("/api/v1/products/get_all", params={"page_size": 5}).json()["items"][0]
    for key in ("id", "parentId", "name", "sku", "barcode", "brand_id", "bran_name", "has_variants", "track_inventory",
                "continue_selling_no_inventory", "isActive", "created_date_time", "last_modified", "product_type",
                "sales_channels", "product_outlets", "product_variants", "product_extras"):
        assert key in item, key
    assert NET_TS.match(item["last_modified"]) and isinstance(item["id"], int)
    row = item["product_outlets"][0]
    for key in ("outlet_id", "outlet_name", "cost_price", "markup", "price_ex_tax", "tax_id", "tax_name", "tax_rate",
                "price_inc_tax", "avgCost_price", "on_hand_inventory", "inventory_to_receive", "reserved_inventory",
                "available_inventory", "reorder_level", "reorder_qty", "visible_or_not"):
        assert key in row, key
    assert isinstance(row["price_ex_tax"], (int, float)) and {o["outlet_id"] for o in item["product_outlets"]} == {1, 2, 3}


def test_demo_has_the_edge_cases(hike: Sandbox) -> None:
    items = hike.api.get("/api/v1/products/get_all?page_size=500").json()["items"]
    parents = [p for p in items if p["parentId"] is None]
    ecommerce = [p for p in parents if {"sales_channels": "2"} in p["sales_channels"]]
    assert 0.6 < len(ecommerce) / len(parents) < 0.8
    assert any(not p["isActive"] and p in ecommerce for p in parents)
    assert any(p["sku"] is None for p in parents)
    composite = next(p for p in parents if p["product_extras"])
    assert composite["track_inventory"] is False and all(e["quantity"] > 0 for e in composite["product_extras"])
    stocks = [o["on_hand_inventory"] for p in items for o in p["product_outlets"]]
    assert 0 in stocks and any(isinstance(s, float) for s in stocks)


def test_paging_next_drops_filters_and_names_are_case_insensitive(hike: Sandbox) -> None:
    everything = hike.api.get("/api/v1/products/get_all?page_size=500").json()
    filtered = hike.api.get("/api/v1/products/get_all?page_size=500&Filter=Espresso").json()["totalCount"]
    assert 4 < filtered < everything["totalCount"]
    first = hike.api.get("/api/v1/products/get_all?PAGE_SIZE=4&skip_COUNT=0&filter=espresso&SYNC_FROM=2000-01-01")
    assert first.status_code == 200
    body = first.json()
    assert len(body["items"]) == 4 and body["totalCount"] == filtered
    assert all("espresso" in i["name"].lower() for i in body["items"])
    nxt = body["next"]
    assert nxt == "/api/v1/products/get_all?page_size=4&Skip_count=4"  # Filter and Sync_From are gone
    second = hike.api.get(nxt).json()
    assert second["totalCount"] == everything["totalCount"]  # the unfiltered list
    assert [i["id"] for i in second["items"]] == [i["id"] for i in everything["items"][4:8]]
    lower = hike.api.get("/api/v1/products/get_all?page_size=4&skip_count=4").json()
    assert lower["items"] == second["items"]


def test_paging_walks_the_whole_list_and_ends_with_null(hike: Sandbox) -> None:
    seen, url, pages = [], "/api/v1/customers/get_all?page_size=30", 0
    while url:
        body = hike.api.get(url).json()
        seen += [c["id"] for c in body["items"]]
        url, pages = body["next"], pages + 1
    assert pages == 4 and len(seen) == len(set(seen)) == 100 == body["totalCount"]


def test_page_size_limits(hike: Sandbox) -> None:
    for bad in ("0", "501", "-1", "abc"):
        response = hike.api.get(f"/api/v1/products/get_all?page_size={bad}")
        assert response.status_code == 500, bad
        assert "page_size" in abp_message(response)
    assert len(hike.api.get("/api/v1/products/get_all?page_size=500").json()["items"]) == 461
    assert len(hike.api.get("/api/v1/products/get_all").json()["items"]) == 100  # the lenient mode: 100
    hike.settings(strict_page_size=True)
    missing = hike.api.get("/api/v1/products/get_all")
    assert missing.status_code == 500 and "page_size" in abp_message(missing)
    assert hike.api.get("/api/v1/products/get_all?page_size=1").status_code == 200


def test_issue18_a_list_without_page_size_is_refused_by_default(hike_server) -> None:
    from desktop.sandbox.hike import HikeEmulator

    assert HikeEmulator().settings["strict_page_size"] is True  # A5 [D]: refused unless set lenient


def test_filter_and_sync_from(hike: Sandbox) -> None:
    simple = _simple(hike)
    found = hike.api.get("/api/v1/products/get_all", params={"Filter": simple["barcode"]}).json()
    assert [i["id"] for i in found["items"]] == [simple["id"]]
    by_sku = hike.api.get("/api/v1/products/get_all", params={"Filter": simple["sku"].lower()}).json()
    assert simple["id"] in [i["id"] for i in by_sku["items"]]
    stamp = hike.product(simple["id"])["last_modified"]
    hike.advance(5)
    later = hike.api.get("/api/v1/taxes/get_all").json()  # any call; the clock moved on
    assert later["totalCount"] == 2
    cut = hike.ctl("GET", "clock")["now"]
    assert hike.api.get("/api/v1/products/get_all", params={"Sync_From": cut}).json()["totalCount"] == 0
    hike.post("products/inventory_update", [{"product_id": simple["id"], "outlet_id": 1, "adjustment": 1}])
    changed = hike.api.get("/api/v1/products/get_all", params={"Sync_From": cut}).json()
    assert [i["id"] for i in changed["items"]] == [simple["id"]]
    assert changed["items"][0]["last_modified"] > stamp
    bad = hike.api.get("/api/v1/products/get_all", params={"Sync_From": "yesterday"})
    assert bad.status_code == 400


def test_get_by_id_by_sku_and_404(hike: Sandbox) -> None:
    parent = _variant_parent(hike)
    variant = parent["product_variants"][1]
    row = hike.api.get("/api/v1/products/by_sku", params={"sku": variant["sku"].lower()}).json()
    assert row["id"] == variant["prod_variant_id"] and row["parentId"] == parent["id"]
    missing = hike.api.get("/api/v1/products/by_sku", params={"sku": "NOPE"})
    assert missing.status_code == 404 and abp_message(missing)
    assert hike.api.get("/api/v1/products/get/999999").status_code == 404
    assert hike.api.get("/api/v1/PRODUCTS/GET/%d" % parent["id"]).status_code == 200  # routes ignore case


def test_create_is_201_and_update_is_202(hike: Sandbox) -> None:
    body = {"name": "Sandbox Lamp", "sku": "LAMP-1", "barcode": "9399999000011", "brand_id": 1,
            "product_type": [{"type_id": 4}], "sales_channels": [{"sales_channels": "1"}, {"sales_channels": "2"}],
            "product_outlets": [{"outlet_id": 1, "price_ex_tax": 40, "cost_price": 18, "on_hand_inventory": 5}]}
    created = hike.post("products/create", body)
    assert created.status_code == 201
    p = created.json()
    assert isinstance(p["id"], int) and p["bran_name"] == "Alpine Goods" and p["product_type"][0]["type_id"] == 4
    rows = {o["outlet_id"]: o for o in p["product_outlets"]}
    assert set(rows) == {1, 2, 3} and rows[1]["on_hand_inventory"] == 5 and rows[2]["on_hand_inventory"] == 0
    assert rows[1]["price_inc_tax"] == 44 and rows[3]["price_ex_tax"] == 40  # prices fill the other outlets
    history = hike.history(p["id"], 1)
    assert [(h["action"], h["before"], h["after"], h["adjustment"]) for h in history] == [("Product edit", 0, 5, 5)]
    updated = hike.post("products/create", {"id": p["id"], "name": "Sandbox Lamp II", "product_outlets": [
        {"outlet_id": 2, "price_inc_tax": 55}]})
    assert updated.status_code == 202
    u = updated.json()
    assert u["name"] == "Sandbox Lamp II" and u["sku"] == "LAMP-1"
    assert {o["outlet_id"]: o["price_inc_tax"] for o in u["product_outlets"]}[2] == 55
    assert u["last_modified"] > p["last_modified"]
    assert hike.post("products/create", {"id": 987654, "name": "x"}).status_code == 404


def test_batch_upsert_is_all_or_nothing(hike: Sandbox) -> None:
    simple = _simple(hike)
    batch = [{"name": f"Batch {i}", "sku": f"BATCH-{i}"} for i in range(3)] + [{"id": simple["id"], "isActive": False}]
    response = hike.post("products/create", batch)
    assert response.status_code == 201 and [p["name"] for p in response.json()][:3] == ["Batch 0", "Batch 1", "Batch 2"]
    assert response.json()[3]["isActive"] is False
    only_updates = hike.post("products/create", [{"id": simple["id"], "isActive": True}])
    assert only_updates.status_code == 202 and isinstance(only_updates.json(), list)
    bad = hike.post("products/create", [{"name": "Fine", "sku": "FINE-1"}, {"sku": "NO-NAME"}])
    assert bad.status_code == 422 and "[1].name" in str(bad.json()["errors"])
    assert hike.api.get("/api/v1/products/by_sku", params={"sku": "FINE-1"}).status_code == 404
    too_many = hike.post("products/create", [{"name": f"N{i}"} for i in range(51)])
    assert too_many.status_code == 422


def test_create_a_variant_product(hike: Sandbox) -> None:
    body = {"name": "Sandbox Tee", "sku": "STEE", "product_outlets": [{"outlet_id": 1, "price_ex_tax": 20}],
            "product_variants": [
                {"sku": "STEE-S", "variant_sub_values": [{"variant_sub_value_name": "S"}],
                 "variant_outlets": [{"outlet_id": 1, "on_hand_inventory": 4}]},
                {"sku": "STEE-M", "variant_sub_values": [{"variant_sub_value_name": "M"}]}]}
    created = hike.post("products/create", body)
    assert created.status_code == 201
    p = created.json()
    assert p["has_variants"] and [v["variant_name"] for v in p["product_variants"]] == ["Sandbox Tee / S",
                                                                                         "Sandbox Tee / M"]
    assert p["product_outlets"][0]["on_hand_inventory"] == 4
    small = hike.api.get("/api/v1/products/by_sku?sku=STEE-S").json()
    assert small["parentId"] == p["id"] and small["product_outlets"][0]["price_ex_tax"] == 20
    renamed = hike.post("products/create", {"id": p["id"], "name": "Studio Tee"}).json()
    assert renamed["product_variants"][0]["variant_name"] == "Studio Tee / S"
    assert hike.api.get(f"/api/v1/products/get/{small['id']}").json()["name"] == "Studio Tee / S"


def test_duplicate_sku_and_barcode_are_422_with_abp_body(hike: Sandbox) -> None:
    simple = _simple(hike)
    variant = _variant_parent(hike)["product_variants"][0]
    dup_sku = hike.post("products/create", {"name": "Copy", "sku": variant["sku"].lower()})
    assert dup_sku.status_code == 422
    body = dup_sku.json()
    assert body["success"] is False and body["__abp"] is True and body["unAuthorizedRequest"] is False
    err = body["error"]["validationErrors"][0]
    assert err["members"] == ["sku"] and "Duplicate SKU" in err["message"] and "variant" in err["message"]
    assert body["errors"] == [{"field": "sku", "message": err["message"]}]
    dup_barcode = hike.post("products/create", {"name": "Copy", "sku": "NEW-1", "barcode": simple["barcode"]})
    assert dup_barcode.status_code == 422
    assert dup_barcode.json()["errors"][0]["field"] == "barcode"
    assert "Duplicate barcode" in dup_barcode.json()["errors"][0]["message"]
    in_batch = hike.post("products/create", [{"name": "A", "sku": "TWIN"}, {"name": "B", "sku": "twin"}])
    assert in_batch.status_code == 422 and in_batch.json()["errors"][0]["field"] == "[1].sku"
    variant_dup = hike.post("products/create", {"name": "V", "product_variants": [{"sku": simple["sku"]}]})
    assert variant_dup.json()["errors"][0]["field"] == "product_variants[0].sku"
    # sending a product's own SKU back on update is fine
    assert hike.post("products/create", {"id": simple["id"], "sku": simple["sku"]}).status_code == 202


def test_delete_product_and_its_variants(hike: Sandbox) -> None:
    parent = _variant_parent(hike)
    response = hike.api.delete(f"/api/v1/products/delete/{parent['id']}")
    assert response.status_code == 200 and response.json()["success"] is True
    assert hike.api.get(f"/api/v1/products/get/{parent['id']}").status_code == 404
    v = parent["product_variants"][0]
    assert hike.api.get(f"/api/v1/products/get/{v['prod_variant_id']}").status_code == 404
    assert hike.post("products/create", {"name": "Reuse", "sku": v["sku"]}).status_code == 201  # SKU is free again


def test_inventory_update_absolute_and_delta_with_history(hike: Sandbox) -> None:
    simple = _simple(hike)
    pid = simple["id"]
    start = hike.stock(pid, 2)["on_hand_inventory"]
    absolute = hike.post("products/inventory_update", [{"product_id": pid, "outlet_id": 2, "on_hand_inventory": 7}])
    assert absolute.status_code == 200
    assert absolute.json()[0]["on_hand_inventory"] == 7 and absolute.json()[0]["product_id"] == pid
    delta = hike.post("products/inventory_update", {"sku": simple["sku"], "outlet_id": 2, "adjustment": -2.5,
                                                   "reason": "Damaged"})
    assert delta.status_code == 200 and delta.json()[0]["on_hand_inventory"] == 4.5
    rows = hike.history(pid, 2)
    assert [(h["action"], h["before"], h["after"], h["adjustment"], h["reference"]) for h in rows] == [
        ("Inventory update", start, 7, 7 - start, None), ("Inventory update", 7, 4.5, -2.5, "Damaged")]
    for key in ("date", "product_id", "variant_name", "outlet_id", "action", "reference", "cost_price",
                "average_cost_price", "on_hand", "before", "after", "adjustment", "user"):
        assert key in rows[0], key
    assert rows[1]["on_hand"] == 4.5 and NET_TS.match(rows[1]["date"])
    # setting the same level again does not write a row
    hike.post("products/inventory_update", [{"product_id": pid, "outlet_id": 2, "on_hand_inventory": 4.5}])
    assert len(hike.history(pid, 2)) == 2
    assert hike.stock(pid, 2)["available_inventory"] == 4.5


def test_inventory_update_refusals(hike: Sandbox) -> None:
    parent = _variant_parent(hike)
    simple = _simple(hike)
    cases = [
        [{"product_id": parent["id"], "outlet_id": 1, "adjustment": 1}],  # a variant parent
        [{"product_id": simple["id"], "outlet_id": 99, "adjustment": 1}],  # no such outlet
        [{"product_id": simple["id"], "outlet_id": 1}],  # neither absolute nor delta
        [{"product_id": simple["id"], "outlet_id": 1, "adjustment": 1, "on_hand_inventory": 3}],  # both
        [{"sku": "NOPE", "outlet_id": 1, "adjustment": 1}],
    ]
    for body in cases:
        assert hike.post("products/inventory_update", body).status_code == 422, body
    hike.settings(weighted_average_cost=True)
    wac = hike.post("products/inventory_update", [{"product_id": simple["id"], "outlet_id": 1, "adjustment": 1}])
    assert wac.status_code == 422 and "weighted average cost" in abp_message(wac)
    edit = hike.post("products/create", {"id": simple["id"], "product_outlets": [
        {"outlet_id": 1, "on_hand_inventory": 999}]})
    assert edit.status_code == 422
    price_only = hike.post("products/create", {"id": simple["id"], "product_outlets": [
        {"outlet_id": 1, "price_ex_tax": 12.34}]})
    assert price_only.status_code == 202


def test_product_edit_stock_change_is_logged(hike: Sandbox) -> None:
    simple = _simple(hike)
    before = hike.stock(simple["id"], 3)["on_hand_inventory"]
    hike.post("products/create", {"id": simple["id"], "product_outlets": [{"outlet_id": 3, "on_hand_inventory":
                                                                           before + 3}]})
    rows = hike.history(simple["id"], 3)
    assert [(h["action"], h["adjustment"]) for h in rows] == [("Product edit", 3)]


def test_small_resources(hike: Sandbox) -> None:
    outlets = hike.api.get("/api/v1/outlets/get_all").json()
    assert [o["title"] for o in outlets["items"]] == ["Main Street", "Harbour Mall", "Online Store"]
    assert hike.api.get("/api/v1/outlets/get_all_active").json()["totalCount"] == 3
    registers = hike.api.get("/api/v1/outlets/get_Registers_all").json()["items"]
    assert [(r["name"], r["outletID"]) for r in registers] == [("Main Register", 1), ("Counter 2", 1),
                                                               ("Web Register", 3)]
    assert hike.api.get("/api/v1/registers/get_all").json()["items"] == registers
    taxes = hike.api.get("/api/v1/taxes/get_all").json()["items"]
    assert [(t["name"], t["rate"]) for t in taxes] == [("GST", 10), ("No Tax", 0)]
    payments = hike.api.get("/api/v1/payment_types/get_all").json()["items"]
    assert [p["payment_name"] for p in payments] == ["Cash", "Card", "BigCommerce", "Store Credit"]
    types = hike.api.get("/api/v1/product_types/get_all").json()["items"]
    assert "Apparel" in [t["name"] for t in types]
    brands = hike.api.get("/api/v1/brands/get_all").json()
    assert brands["totalCount"] == 6
    made = hike.post("brands/create", {"name": "Sandbox Brand"})
    assert made.status_code == 201
    assert hike.api.get(f"/api/v1/brands/get/{made.json()['id']}").json()["name"] == "Sandbox Brand"
    assert hike.api.get("/api/v1/nothing/here").status_code == 404


def test_posting_back_what_get_returned_changes_nothing(hike: Sandbox) -> None:
    """Hike support's advice is to send back the GET payload when updating [C]."""
    items = hike.api.get("/api/v1/products/get_all?page_size=500").json()["items"]
    parents = [p for p in items if p["parentId"] is None]
    samples = [next(p for p in parents if p["has_variants"]), next(p for p in parents if p["product_extras"]),
               next(p for p in parents if p["sku"] is None), parents[0]]
    hike.settings(weighted_average_cost=True)  # unchanged stock and cost pass even in WAC mode
    for p in samples:
        response = hike.post("products/create", p)
        assert response.status_code == 202, response.text
        again = response.json()
        for row in (p, again):
            row.pop("last_modified")
            for v in row["product_variants"]:
                v.pop("last_modified")
        assert again == p
    assert hike.ctl("GET", "state", summary=1)["counts"]["inventory_history"] == 0


def _data_uri(width: int, height: int, fmt: str = "JPEG") -> str:
    import base64
    import io

    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (width, height), "navy").save(out, format=fmt)
    return f"data:image/{fmt.lower()};base64,{base64.b64encode(out.getvalue()).decode()}"


def test_s17_a_data_uri_image_is_stored_and_served_with_thumbnails(hike: Sandbox) -> None:
    import io

    import httpx
    from PIL import Image
    p = _simple(hike)
    saved = hike.api.post("/api/v1/products/create", json={
        "id": p["id"], "additional_images": [{"image_url": _data_uri(400, 300), "is_primary": True}]})
    assert saved.status_code == 202, saved.text
    image = saved.json()["additional_images"][0]
    assert image["is_primary"] is True and image["primary_pic_Id"]
    assert image["image_url"].startswith(hike.base_url + "/hike-cdn/")
    with Image.open(io.BytesIO(httpx.get(image["image_url"]).content)) as got:
        assert got.size == (400, 300)
    with Image.open(io.BytesIO(httpx.get(image["50_thumbnail"]).content)) as thumb:
        assert thumb.size == (50, 38)
    again = hike.api.get(f"/api/v1/products/get/{p['id']}").json()["additional_images"]
    assert again == [image]


def test_s17_images_larger_than_500_or_unreadable_are_refused(hike: Sandbox) -> None:
    p = _simple(hike)
    big = hike.api.post("/api/v1/products/create", json={
        "id": p["id"], "additional_images": [{"image_url": _data_uri(501, 200)}]})
    assert big.status_code == 400 and "at most 500 x 500" in abp_message(big)
    junk = hike.api.post("/api/v1/products/create", json={
        "id": p["id"], "additional_images": [{"image_url": "data:image/jpeg;base64,bm90IGFuIGltYWdl"}]})
    assert junk.status_code == 400 and "could not be read" in abp_message(junk)
    assert hike.api.get(f"/api/v1/products/get/{p['id']}").json()["additional_images"] == []
