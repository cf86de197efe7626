"""Product images on their way to Hike (S17): Hike keeps at most 500 x 500 pixels.

``fit_for_hike`` scales an image down to fit 500 x 500, keeping its aspect ratio and never enlarging it. The
result is PNG when the image has transparency (or was a PNG), otherwise JPEG. Pure: bytes in, bytes out.
``hike_image`` downloads a BigCommerce image and makes it ready for Hike's product save (a data URI, [I]).
"""
from __future__ import annotations

import base64
import io
from concurrent.futures import ThreadPoolExecutor
from typing import Sequence

import httpx
from PIL import Image, ImageOps, UnidentifiedImageError

HIKE_MAX_SIZE = (500, 500)
JPEG_QUALITY = 90
# a decompression bomb guard well above any real product photo (about 16k x 16k)
MAX_PIXELS = 256_000_000


def _has_alpha(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA"):
        return True
    return image.mode == "P" and "transparency" in image.info


def fit_for_hike(data: bytes) -> bytes:
    """``data`` (any format Pillow reads: JPEG, PNG, GIF, WEBP, BMP, ...) scaled down to fit 500 x 500.

    Raises ``ValueError`` when ``data`` is not an image Pillow can read."""
    if not data:
        raise ValueError("The file is empty, not an image.")
    previous = Image.MAX_IMAGE_PIXELS
    try:
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        with Image.open(io.BytesIO(data)) as opened:
            source_format = (opened.format or "").upper()
            opened.load()
            image = ImageOps.exif_transpose(opened) or opened
            image = image.copy()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise ValueError(f"The file is not an image that can be read ({exc}).") from None
    finally:
        Image.MAX_IMAGE_PIXELS = previous

    if image.width > HIKE_MAX_SIZE[0] or image.height > HIKE_MAX_SIZE[1]:
        image.thumbnail(HIKE_MAX_SIZE, Image.Resampling.LANCZOS)  # keeps the aspect ratio, never enlarges

    out = io.BytesIO()
    if _has_alpha(image) or source_format == "PNG":
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(out, format="PNG", optimize=True)
    else:
        if image.mode != "RGB":
            image = image.convert("RGB")
        image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


# -- BigCommerce images on their way to Hike -------------------------------------------------------------------
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # far above a real product photo; BigCommerce's own upload limit is 8 MB
DOWNLOAD_TIMEOUT_S = 30.0
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class ImageUnavailable(ValueError):
    """A BigCommerce image that could not be downloaded or read; the message is for a shop manager."""


def downloadable(url: str) -> bool:
    """Only https URLs (BigCommerce's CDN) and the sandbox stores' loopback addresses are fetched."""
    parts = httpx.URL(url)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.host in _LOOPBACK)


class _Refused(Exception):
    pass


def _only_downloadable(request: httpx.Request) -> None:
    """Every hop of a redirect is held to the same rule as the first address."""
    if not downloadable(str(request.url)):
        raise _Refused(str(request.url))


def download_client() -> httpx.Client:
    """For public image addresses: no credentials, redirects followed only to addresses ``downloadable`` allows."""
    return httpx.Client(timeout=DOWNLOAD_TIMEOUT_S, follow_redirects=True,
                        event_hooks={"request": [_only_downloadable]})


def download(url: str, *, client: httpx.Client | None = None, max_bytes: int = MAX_DOWNLOAD_BYTES) -> bytes:
    """The image at ``url`` (a public CDN address: no credentials are sent), at most ``max_bytes``."""
    try:
        if not downloadable(url):
            raise ImageUnavailable(f"The image address {url} is not an https address; it was not downloaded.")
    except httpx.InvalidURL:
        raise ImageUnavailable(f"The image address {url!r} is not a valid address.") from None
    own = client is None
    http = client or download_client()
    try:
        with http.stream("GET", url) as response:
            if response.status_code != 200:
                raise ImageUnavailable(f"The image {url} could not be downloaded (the server answered "
                                       f"{response.status_code}).")
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > max_bytes:
                    raise ImageUnavailable(f"The image {url} is larger than {max_bytes // (1024 * 1024)} MB; "
                                           "it was not downloaded.")
            return bytes(data)
    except _Refused as exc:
        raise ImageUnavailable(f"The image {url} redirects to {exc}, which is not an https address; it was not "
                               "downloaded.") from None
    except httpx.HTTPError as exc:
        raise ImageUnavailable(f"The image {url} could not be downloaded ({type(exc).__name__}).") from None
    finally:
        if own:
            http.close()


def data_uri(data: bytes) -> str:
    """``data:image/png|jpeg;base64,...``: the form images are sent to Hike in (see ``hike_image``)."""
    kind = "png" if data.startswith(b"\x89PNG") else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"


def hike_image(url: str, *, client: httpx.Client | None = None) -> str:
    """A BigCommerce image ready for Hike's product save: downloaded, fitted to 500 x 500, as a data URI.

    [I] Hike documents no public image upload; ``additional_images[]`` items carry ``image_url`` [C]. The app sends
    the image itself as a ``data:`` URI in ``image_url`` and reads back the address Hike serves it from."""
    data = download(url, client=client)
    try:
        return data_uri(fit_for_hike(data))
    except ValueError:
        raise ImageUnavailable(f"The image {url} could not be read: the file is damaged or not a picture format "
                               "the app knows (JPEG, PNG, GIF, WEBP, BMP).") from None


DOWNLOADS_AT_ONCE = 4


def hike_images(urls: Sequence[str]) -> dict[str, str | ImageUnavailable]:
    """``hike_image`` of each of ``urls``, a few at a time: a pass may carry hundreds, each mostly waiting on the
    network (Pillow lets go of the GIL while it scales). An image that fails gives its ``ImageUnavailable``."""
    unique = list(dict.fromkeys(urls))
    if not unique:
        return {}

    with download_client() as client:
        def one(url: str) -> str | ImageUnavailable:
            try:
                return hike_image(url, client=client)
            except ImageUnavailable as exc:
                return exc

        with ThreadPoolExecutor(max_workers=min(DOWNLOADS_AT_ONCE, len(unique)),
                                thread_name_prefix="image-download") as pool:
            return dict(zip(unique, pool.map(one, unique)))
