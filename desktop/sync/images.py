"""Product images on their way to Hike (S17): Hike keeps at most 500 x 500 pixels.

``fit_for_hike`` scales an image down to fit 500 x 500, keeping its aspect ratio and never enlarging it. The
result is PNG when the image has transparency (or was a PNG), otherwise JPEG. Pure: bytes in, bytes out.
"""
from __future__ import annotations

import io

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
