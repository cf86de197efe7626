"""S17: which BigCommerce images a Hike product gets, and what Hike's daily allowance lets go (unit level)."""
from __future__ import annotations

import pytest

from desktop.sync import hike_images, images
from desktop.sync.hike_images import HikeImagePlanner, wanted
from desktop.sync.hike_models import HikeProduct

BC = ["https://cdn.example/a.jpg", "https://cdn.example/b.jpg"]


def hike(*urls: str, primary: bool = True) -> HikeProduct:
    return HikeProduct.from_api({"id": 7, "name": "Mug", "sku": "MUG", "additional_images": [
        {"image_url": url, "is_primary": primary and n == 0} for n, url in enumerate(urls)]})


def test_s17_a_new_product_gets_every_image():
    assert wanted(BC, None, [], first_link=False) == BC


def test_s17_a_first_link_gives_images_only_to_a_hike_product_without_its_own():
    assert wanted(BC, hike(), [], first_link=True) == BC
    assert wanted(BC, hike("https://hike.example/own.jpg"), [], first_link=True) == []


def test_s17_later_only_images_neither_sent_nor_in_hike():
    assert wanted(BC, hike(), [BC[0]], first_link=False) == [BC[1]]


@pytest.fixture
def fitted(monkeypatch):
    monkeypatch.setattr(images, "hike_images", lambda urls: {u: "data:image/jpeg;base64," + "A" * 1000 for u in urls})


def test_s17_the_first_bigcommerce_image_is_hikes_primary_and_hikes_own_stay(fitted):
    [plan] = HikePlanner(None).prepare([(BC, hike("https://hike.example/own.jpg"), BC)])
    assert plan.sent == BC and plan.complete
    assert [(i["image_url"][:6], i["is_primary"]) for i in plan.additional_images] == [
        ("https:", False), ("data:i", True), ("data:i", False)]


def test_s17_n3_images_wait_when_they_would_take_hikes_reserved_calls(fitted):
    [plan] = HikePlanner(hike_images.IMAGE_RESERVE).prepare([(BC, None, BC)])
    assert plan.additional_images is None and plan.waiting == BC and not plan.complete
    assert "2 images wait for Hike's daily allowance" in plan.note()
    [plan] = HikePlanner(hike_images.IMAGE_RESERVE + 1).prepare([(BC, None, BC)])
    assert plan.sent == BC and plan.note() == ""


def test_s17_an_image_that_cannot_be_read_is_named_and_the_others_go(monkeypatch):
    monkeypatch.setattr(images, "hike_images", lambda urls: {
        BC[0]: images.ImageUnavailable("The image a.jpg could not be read."), BC[1]: "data:image/jpeg;base64,AA"})
    [plan] = HikePlanner(None).prepare([(BC, None, BC)])
    assert plan.sent == [BC[1]] and plan.error == "The image a.jpg could not be read." and not plan.complete
    assert plan.additional_images[0]["is_primary"] is True, "the first image that went is the primary one"


def HikePlanner(calls_left):  # noqa: N802 - reads like the class it builds
    return HikeImagePlanner(lambda: calls_left)
