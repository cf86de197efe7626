"""S17: images going to Hike are scaled to fit 500 x 500 (never up), JPEG or PNG out."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from desktop.sync.images import fit_for_hike


def make(size: tuple[int, int], fmt: str, mode: str = "RGB", color=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format=fmt, **save)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("size, expected", [
    ((2000, 1000), (500, 250)),  # wide
    ((600, 1800), (167, 500)),  # tall
    ((1200, 1200), (500, 500)),  # square
    ((501, 500), (500, 499)),
])
def test_s17_large_images_are_scaled_down_keeping_the_aspect_ratio(size, expected):
    result = opened(fit_for_hike(make(size, "JPEG")))
    assert result.format == "JPEG" and result.size == expected


@pytest.mark.parametrize("size", [(500, 500), (120, 80), (1, 1), (500, 20)])
def test_s17_images_that_fit_are_never_enlarged(size):
    assert opened(fit_for_hike(make(size, "JPEG"))).size == size


def test_s17_transparent_png_stays_png_with_its_alpha():
    result = opened(fit_for_hike(make((1000, 800), "PNG", "RGBA", (0, 0, 255, 0))))
    assert result.format == "PNG" and result.size == (500, 400) and result.mode == "RGBA"
    assert result.getpixel((10, 10))[3] == 0


def test_s17_other_formats_come_out_as_jpeg_or_png():
    webp = opened(fit_for_hike(make((900, 900), "WEBP")))
    assert webp.format == "JPEG" and webp.size == (500, 500)
    cmyk = opened(fit_for_hike(make((700, 350), "JPEG", "CMYK", (0, 0, 0, 0))))
    assert cmyk.format == "JPEG" and cmyk.mode == "RGB" and cmyk.size == (500, 250)
    gif = Image.new("P", (800, 800))
    gif.info["transparency"] = 0
    out = io.BytesIO()
    gif.save(out, format="GIF", transparency=0)
    assert opened(fit_for_hike(out.getvalue())).format == "PNG"
    bmp = opened(fit_for_hike(make((640, 480), "BMP")))
    assert bmp.format == "JPEG" and bmp.size == (500, 375)


def test_s17_exif_orientation_is_applied_before_fitting():
    image = Image.new("RGB", (1000, 400), (10, 200, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90 degrees: shown as 400 x 1000
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    assert opened(fit_for_hike(out.getvalue())).size == (200, 500)


@pytest.mark.parametrize("data", [b"", b"not an image at all", b"%PDF-1.4 ...", make((10, 10), "PNG")[:30]])
def test_s17_a_file_that_is_not_an_image_is_a_clear_value_error(data):
    with pytest.raises(ValueError, match="not an image"):
        fit_for_hike(data)
