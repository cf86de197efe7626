"""S17 images BigCommerce → Hike, end to end over real HTTP against both sandbox stores.

A small file server on loopback plays the photographer's web space: BigCommerce downloads an image from it (as the
platform does with ``image_url``) and serves it from its CDN; the app downloads it from there, fits it to 500 x 500
and sends it to Hike, whose emulator serves it back from its own CDN.
"""
from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from desktop.sandbox.server import EmulatorApp, Request, Response, RunningServer
from desktop.storage import models
from desktop.storage.db import close_db, init_db
from desktop.sync.engine import SyncEngine
from desktop.sync.settings import Settings
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


def test_s17_many_new_images_are_sent_in_saves_that_stay_under_hikes_body_limit(stores, monkeypatch):
    connected, engine, files = stores
    monkeypatch.setattr("desktop.sync.products.HIKE_IMAGES_PER_BODY", 1)  # every image in a save of its own
    _, hike_id, bc_id = linked_pair(connected)
    for n, color in enumerate(("red", "green", "blue")):
        files.app.files[f"p{n}.jpg"] = jpeg(700, 700, color)
        connected.bc.add_image(bc_id, f"{files.base_url}/img/p{n}.jpg", is_thumbnail=n == 0)
    connected.requests("hike", clear=True)

    run = engine.run_pass("schedule", PRODUCTS)

    assert run.status == "ok", run.message
    saves = [r for r in connected.requests("hike") if r["path"].endswith("products/create")]
    assert len(saves) == 3
    images = hike_images(connected, hike_id)
    assert len(images) == 3 and [i["is_primary"] for i in images] == [True, False, False]
    engine.run_pass("schedule", PRODUCTS)
    assert len(hike_images(connected, hike_id)) == 3, "nothing sent twice"
