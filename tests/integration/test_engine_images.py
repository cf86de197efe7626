"""S17 images BigCommerce → Hike, end to end over real HTTP against both sandbox stores.

A small file server on loopback plays the photographer's web space: BigCommerce downloads an image from it (as the
platform does with ``image_url``) and serves it from its CDN; the app downloads it from there, fits it to 500 x 500
and sends it to Hike, whose emulator serves it back from its own CDN.
"""
from __future__ import annotations

import io
import random

import httpx
import pytest
from PIL import Image

from desktop.sandbox.server import EmulatorApp, Request, Response, RunningServer
from desktop.storage import models
from desktop.sync import images as images_module
from desktop.storage.db import close_db, init_db
from desktop.sync.engine import SyncEngine
from desktop.sync.settings import Settings
from desktop.sync.vocabulary import ReadScope
from tests.integration.stores import connect
from tests.integration.test_engine_products import DEMO_SETTINGS, open_up

PRODUCTS = ("products",)


class FileServer(EmulatorApp):
    name = "files"

    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, bytes] = {}
        self.route("GET", r"/img/(?P<name>[^/]+)", self._get)

    def _get(self, request: Request) -> Response:
        data = self.files.get(request.params["name"])
        return Response(200, data, {"Content-Type": "image/jpeg"}) if data is not None else Response.text("no", 404)


def jpeg(width: int, height: int, color: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="JPEG")
    return out.getvalue()


def photo(width: int, height: int, seed: int) -> bytes:
    """A picture that compresses like a photograph, not like a flat colour: about 250 KB once fitted."""
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), random.Random(seed).randbytes(width * height * 3)).save(
        out, format="JPEG", quality=90)
    return out.getvalue()


def settings(**overrides) -> Settings:
    return Settings.from_json({**Settings.template().to_json(), **DEMO_SETTINGS, **overrides})


@pytest.fixture(params=["bc_to_hike", "two_way"])
def stores(request, tmp_path):
    init_db(tmp_path / "sync.sqlite3")
    connected = open_up(connect("large:6"))
    files = RunningServer(FileServer())
    engine = SyncEngine(connected.bc, connected.hike, settings(image_sync=request.param))
    first = engine.run_pass("first_sync", PRODUCTS)
    assert first.status == "ok", first.message
    yield connected, engine, files
    files.stop()
    connected.close()
    close_db()


def linked_pair(connected):
    link = models.Link.select().where(models.Link.entity == "product", models.Link.status == "linked").first()
    return link, int(link.hike_id), int(link.bc_id)


def writes(connected, side):
    return [(r["method"], r["path"]) for r in connected.requests(side) if r["method"] != "GET"]


def hike_images(connected, hike_id):
    return connected.hike.product(hike_id).raw.get("additional_images") or []


def test_s17_a_large_bigcommerce_image_arrives_in_hike_fitted_to_500(stores):
    connected, engine, files = stores
    files.app.files["big.jpg"] = jpeg(1200, 900)
    link, hike_id, bc_id = linked_pair(connected)
    before = len(hike_images(connected, hike_id))
    added = connected.bc.add_image(bc_id, f"{files.base_url}/img/big.jpg", is_thumbnail=True)
    assert added["url_zoom"].startswith("http://127.0.0.1"), "the sandbox BigCommerce serves the image it downloaded"

    run = engine.run_pass("schedule", PRODUCTS)

    assert run.status == "ok", run.message
    images = hike_images(connected, hike_id)
    assert len(images) == before + 1
    new = images[-1]
    assert new["is_primary"] is True and new["image_url"].startswith(connected.sandbox.hike_server.base_url)
    with Image.open(io.BytesIO(httpx.get(new["image_url"]).content)) as got:
        assert got.size == (500, 375), "scaled to fit 500 x 500, aspect ratio kept"
    with Image.open(io.BytesIO(httpx.get(new["240_thumbnail"]).content)) as thumb:
        assert max(thumb.size) == 240
    sent = models.Link.get_by_id(link.id).images_sent
    assert added["url_zoom"] in sent and new["image_url"] in sent, "both sides' addresses are accounted for"


def test_s17_d10_the_image_hike_got_does_not_echo_back_on_the_next_pass(stores):
    connected, engine, files = stores
    files.app.files["photo.jpg"] = jpeg(800, 800, "orange")
    _, hike_id, bc_id = linked_pair(connected)
    connected.bc.add_image(bc_id, f"{files.base_url}/img/photo.jpg")
    engine.run_pass("schedule", PRODUCTS)
    images_in_bc = len(connected.bc.product(bc_id).images)
    connected.requests("hike", clear=True)
    connected.requests("bigcommerce", clear=True)

    run = engine.run_pass("schedule", PRODUCTS)

    assert run.status == "ok", run.message
    assert writes(connected, "bigcommerce") == [] and writes(connected, "hike") == []
    assert len(connected.bc.product(bc_id).images) == images_in_bc
    assert len(hike_images(connected, hike_id)) == 1
    # a later change in Hike does not carry Hike's copy of the image to BigCommerce either
    connected.hike.save_product({"id": hike_id, "name": "Renamed in Hike"})
    engine.run_pass("schedule", PRODUCTS)
    assert not [w for w in writes(connected, "bigcommerce") if w[1].endswith("/images")]
    assert len(connected.bc.product(bc_id).images) == images_in_bc


def test_s17_an_unreadable_bigcommerce_image_fails_only_that_products_image_step(stores):
    connected, engine, files = stores
    files.app.files["broken.jpg"] = b"this is not a picture"
    link, hike_id, bc_id = linked_pair(connected)
    connected.bc.add_image(bc_id, f"{files.base_url}/img/broken.jpg")
    connected.bc.update_product(bc_id, {"description": "<p>Now with a broken photo</p>"})

    run = engine.run_pass("schedule", PRODUCTS)

    assert run.status == "partial"
    errors = list(models.LogEntry.select().where(models.LogEntry.result == "error"))
    assert len(errors) == 1 and errors[0].bc_id == str(bc_id)
    assert "images were not sent to Hike" in errors[0].message and "could not be read" in errors[0].message
    hp = connected.hike.product(hike_id)
    assert hp.description == "Now with a broken photo", "the rest of the product still synced"
    assert hike_images(connected, hike_id) == []
    # it is tried again on the next pass, and still fails alone
    again = engine.run_pass("schedule", PRODUCTS)
    assert again.status == "partial" and again.counts["product"].get("error") == 1


def test_s17_n5_product_saves_carrying_images_are_split_by_body_size(stores, monkeypatch):
    connected, engine, files = stores
    fitted = len(images_module.data_uri(images_module.fit_for_hike(photo(700, 700, 0))))
    monkeypatch.setattr("desktop.sync.hike.MAX_BODY_BYTES", fitted * 3 // 2)  # room for one of these per save
    links = list(models.Link.select().where(models.Link.entity == "product", models.Link.status == "linked"))[:3]
    for n, link in enumerate(links):
        files.app.files[f"p{n}.jpg"] = photo(700, 700, n)
        connected.bc.add_image(int(link.bc_id), f"{files.base_url}/img/p{n}.jpg", is_thumbnail=True)
    connected.requests("hike", clear=True)

    run = engine.run_pass("schedule", PRODUCTS)

    assert run.status == "ok", run.message
    saves = [r for r in connected.requests("hike") if r["path"].endswith("products/create")]
    assert len(saves) == 3, "three products with images: three saves, not one batch over the limit"
    for link in links:
        images = hike_images(connected, int(link.hike_id))
        assert len(images) == 1 and images[0]["is_primary"] is True
    engine.run_pass("schedule", PRODUCTS)
    assert all(len(hike_images(connected, int(link.hike_id))) == 1 for link in links), "nothing sent twice"


def new_bc_product(connected, files, sku: str, image_names: list[str]) -> int:
    for n, name in enumerate(image_names):
        files.app.files[name] = jpeg(900, 600, ("purple", "olive", "navy")[n % 3])
    created = connected.bc.create_product({
        "name": f"Photo product {sku}", "type": "physical", "sku": sku, "price": 12, "weight": 0,
        "images": [{"image_url": f"{files.base_url}/img/{name}", "is_thumbnail": n == 0, "sort_order": n}
                   for n, name in enumerate(image_names)]})
    return created.id


def test_s17_a_product_created_in_hike_arrives_with_its_bigcommerce_images(stores):
    connected, engine, files = stores
    bc_id = new_bc_product(connected, files, "PHOTO-1", ["front.jpg", "back.jpg"])
    connected.requests("hike", clear=True)

    run = engine.run_pass("schedule", PRODUCTS)

    assert run.status == "ok", run.message
    link = models.Link.get(models.Link.entity == "product", models.Link.bc_id == str(bc_id))
    images = hike_images(connected, int(link.hike_id))
    assert [i["is_primary"] for i in images] == [True, False], "BigCommerce's thumbnail is Hike's primary image"
    for image in images:
        with Image.open(io.BytesIO(httpx.get(image["image_url"]).content)) as got:
            assert got.size == (500, 333), "fitted to 500 x 500"
    creates = [r for r in connected.requests("hike") if r["path"].endswith("products/create")]
    assert len(creates) == 1, "the images went in the create itself"
    entry = models.LogEntry.get(models.LogEntry.action == "create", models.LogEntry.bc_id == str(bc_id))
    assert entry.message == "Created in Hike"
    connected.requests("hike", clear=True)
    connected.requests("bigcommerce", clear=True)
    again = engine.run_pass("schedule", PRODUCTS)
    assert again.status == "ok" and writes(connected, "hike") == [] and writes(connected, "bigcommerce") == []
    assert len(connected.bc.product(bc_id).images) == 2, "Hike's copies do not come back (D10)"


def test_s17_n3_images_never_take_hikes_last_calls_of_the_day_and_go_later(stores, monkeypatch):
    connected, engine, files = stores
    monkeypatch.setattr("desktop.sync.hike_images.IMAGE_RESERVE", 10**12)  # as if today's allowance were spent
    bc_id = new_bc_product(connected, files, "PHOTO-2", ["side.jpg"])

    run = engine.run_pass("schedule", PRODUCTS)

    assert run.status == "ok", run.message
    link = models.Link.get(models.Link.entity == "product", models.Link.bc_id == str(bc_id))
    assert hike_images(connected, int(link.hike_id)) == [], "created without its image"
    entry = models.LogEntry.get(models.LogEntry.action == "create", models.LogEntry.bc_id == str(bc_id))
    assert "1 image wait for Hike's daily allowance" in entry.message
    # the allowance is back: the next reconciliation (or a change to the product) sends it
    monkeypatch.setattr("desktop.sync.hike_images.IMAGE_RESERVE", 0)
    later = engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)
    assert later.status == "ok", later.message
    images = hike_images(connected, int(link.hike_id))
    assert len(images) == 1 and images[0]["is_primary"] is True
    again = engine.run_pass("schedule", PRODUCTS, scope=ReadScope.FULL)
    assert again.counts.get("product", {}).get("update") is None, "sent once"


def test_s17_a_first_link_gives_bigcommerce_images_only_to_hike_products_without_their_own(tmp_path):
    """The demo seed: BigCommerce products carry photos (served by the sandbox's CDN), Hike's have none, except
    one given a photo of its own before the first sync, which it keeps alone."""
    init_db(tmp_path / "sync.sqlite3")
    connected = open_up(connect("demo"))
    files = RunningServer(FileServer())
    try:
        files.app.files["own.jpg"] = jpeg(400, 400, "gold")
        bc_with_images = {p.id: p for p in connected.bc.products() if p.images}
        hike_by_sku = {p.sku: p for p in connected.hike.products() if p.sku}
        own = next(hike_by_sku[p.sku] for p in bc_with_images.values() if p.sku in hike_by_sku)
        with_own = connected.hike.save_product({"id": own.id, "additional_images": [
            {"image_url": images_module.data_uri(jpeg(400, 400, "gold")), "is_primary": True}]})
        engine = SyncEngine(connected.bc, connected.hike, settings())

        first = engine.run_pass("first_sync", PRODUCTS)

        assert first.status in ("ok", "partial"), first.message
        given = 0
        for link in models.Link.select().where(models.Link.entity == "product", models.Link.status == "linked"):
            bc_p = bc_with_images.get(int(link.bc_id))
            if bc_p is None:
                continue
            hike_list = hike_images(connected, int(link.hike_id))
            if int(link.hike_id) == own.id:
                assert [i["image_url"] for i in hike_list] == with_own.image_urls, "Hike's own photo stays alone"
                continue
            assert len(hike_list) == len(bc_p.images) and hike_list[0]["is_primary"] is True
            with Image.open(io.BytesIO(httpx.get(hike_list[0]["image_url"]).content)) as got:
                assert max(got.size) == 500
            given += 1
        assert given >= 50
        connected.requests("hike", clear=True)
        assert engine.run_pass("schedule", PRODUCTS).status in ("ok", "partial")
        assert not [r for r in connected.requests("hike") if r["path"].endswith("products/create")], "sent once"
    finally:
        files.stop()
        connected.close()
        close_db()
