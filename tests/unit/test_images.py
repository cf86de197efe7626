"""S17: images going to Hike are scaled to fit 500 x 500 (never up), JPEG or PNG out."""
from __future__ import annotations

import base64
import io

import httpx
import pytest
from PIL import Image

from desktop.sync import images
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


# -- downloads of BigCommerce images on their way to Hike (S17) --------------------------------------------------
def _client(handler) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=True,
                        event_hooks={"request": [images._only_downloadable]})


def test_s17_only_https_or_loopback_addresses_are_downloaded():
    assert images.downloadable("https://cdn11.bigcommerce.com/s-x/a.jpg")
    assert images.downloadable("http://127.0.0.1:8080/cdn/a.jpg")
    for url in ("http://cdn11.bigcommerce.com/a.jpg", "ftp://x/a.jpg", "file:///etc/passwd", "http://10.0.0.1/a"):
        assert not images.downloadable(url), url
        with pytest.raises(images.ImageUnavailable, match="not an https address"):
            images.download(url)


def test_s17_a_redirect_away_from_https_is_refused():
    def handler(request):
        return httpx.Response(302, headers={"Location": "http://10.0.0.1/a.jpg"})
    with pytest.raises(images.ImageUnavailable, match="redirects to http://10.0.0.1/a.jpg"):
        images.download("https://cdn.example/a.jpg", client=_client(handler))


def test_s17_download_size_cap_and_http_errors_are_clear():
    big = httpx.MockTransport(lambda r: httpx.Response(200, content=b"x" * 2048))
    with pytest.raises(images.ImageUnavailable, match="larger than"):
        images.download("https://cdn.example/a.jpg", client=httpx.Client(transport=big), max_bytes=1024)
    gone = httpx.MockTransport(lambda r: httpx.Response(404))
    with pytest.raises(images.ImageUnavailable, match="answered 404"):
        images.download("https://cdn.example/a.jpg", client=httpx.Client(transport=gone))


def test_s17_hike_image_is_a_fitted_data_uri():
    ok = httpx.MockTransport(lambda r: httpx.Response(200, content=make((900, 300), "PNG")))
    uri = images.hike_image("https://cdn.example/a.png", client=httpx.Client(transport=ok))
    assert uri.startswith("data:image/png;base64,")
    with Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))) as got:
        assert got.size == (500, 167)
    junk = httpx.MockTransport(lambda r: httpx.Response(200, content=b"not a picture"))
    with pytest.raises(images.ImageUnavailable, match="could not be read"):
        images.hike_image("https://cdn.example/a.png", client=httpx.Client(transport=junk))
