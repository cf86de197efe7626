"""BigCommerce images on their way into Hike's product saves (S17).

Images go to Hike inside the product's own save (``additional_images``, as data URIs fitted to 500 x 500, see
``images.hike_image``): a new product carries its images when it is created, a first link gives BigCommerce's
images to a Hike product that has none (one that has its own keeps them: nothing is doubled), and later passes
send the images BigCommerce gained. The Hike client splits saves by body size, so images cost calls only
through their bytes (about one extra save per ``MAX_BODY_BYTES``).

Hike allows 5 000 calls a day. Images never take its last ``IMAGE_RESERVE`` of them, which stay for stock,
orders and product changes: an image that would is left waiting, and so is one that does not fit in its
product's save. A product with images waiting keeps a stale fingerprint, so it is sent again the next time it
is read: when it changes, or on the daily reconciliation pass, when the allowance has come back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from desktop.sync import images
from desktop.sync.hike import MAX_BODY_BYTES
from desktop.sync.hike_models import HikeProduct

IMAGE_RESERVE = 2000  # of Hike's 5 000 calls a day, never spent on images
PRODUCT_IMAGE_BYTES = MAX_BODY_BYTES - 200_000  # one product's images in one save, with room for its fields


@dataclass
class ImagesForHike:
    """What one product's save carries: ``additional_images`` is Hike's whole list (its own images and the new
    ones: a save replaces the list [I]), or None when nothing new goes."""
    additional_images: list[dict[str, Any]] | None = None
    sent: list[str] = field(default_factory=list)  # BigCommerce addresses in this save
    waiting: list[str] = field(default_factory=list)  # left for a later pass (Hike's allowance, the body size)
    error: str = ""  # images that could not be downloaded or read, for the product's log

    @property
    def complete(self) -> bool:
        """Every wanted image went: the product's fingerprint may move on."""
        return not self.waiting and not self.error

    def note(self) -> str:
        """A few words for the product's log line, or ''."""
        if not self.waiting:
            return ""
        count = len(self.waiting)
        return (f" ({count} image{'s' if count != 1 else ''} wait for Hike's daily allowance or the next save; "
                "they go on a later sync)")


def wanted(bc_urls: Sequence[str], hike: HikeProduct | None, sent: Sequence[str], *, first_link: bool) -> list[str]:
    """The BigCommerce images a Hike product should get: all of them for a new product; on a first link, all of
    them only when the Hike product has none of its own; later, the ones neither sent before nor in Hike."""
    if hike is None:
        return list(bc_urls)
    if first_link:
        return list(bc_urls) if not hike.image_urls else []
    return [url for url in bc_urls if url not in sent and url not in hike.image_urls]


class HikeImagePlanner:
    """Prepares the images of a slice of product saves at once (downloads run a few at a time), spending Hike's
    allowance as it goes. ``calls_left`` gives Hike's calls left today (None: not counted)."""

    def __init__(self, calls_left: Callable[[], int | None]):
        self.calls_left = calls_left

    def prepare(self, products: Sequence[tuple[Sequence[str], HikeProduct | None, Sequence[str]]],
                ) -> list[ImagesForHike]:
        """For each (BigCommerce image addresses in order, the Hike product or None, the wanted addresses)."""
        out = [ImagesForHike(waiting=list(want)) for _, _, want in products]
        if not any(want for _, _, want in products) or not self._allowed(0):
            return out
        ready = images.hike_images([url for _, _, want in products for url in want])
        spent = 0
        for plan, (bc_urls, hike, want) in zip(out, products):
            if not want:
                continue
            plan.waiting, failed, uploads, size = [], [], [], 0
            for url in want:
                got = ready[url]
                if isinstance(got, images.ImageUnavailable):
                    failed.append(str(got))
                elif size + len(got) > PRODUCT_IMAGE_BYTES or not self._allowed(spent + size + len(got)):
                    plan.waiting.append(url)
                else:
                    uploads.append((url, got))
                    size += len(got)
            spent += size
            plan.error = " ".join(failed)
            if uploads:
                plan.sent = [url for url, _ in uploads]
                plan.additional_images = _whole_list(bc_urls, hike, uploads)
        return out

    def _allowed(self, image_bytes: int) -> bool:
        left = self.calls_left()
        return left is None or left - (image_bytes // MAX_BODY_BYTES + 1) >= IMAGE_RESERVE


def _whole_list(bc_urls: Sequence[str], hike: HikeProduct | None,
                uploads: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Hike's images as they are plus the new ones. BigCommerce's first image becomes the primary one when it is
    among the new; otherwise the first new one does, if Hike has no primary yet."""
    current = [dict(i) for i in (hike.raw.get("additional_images") or [] if hike else []) if isinstance(i, dict)]
    new = [url for url, _ in uploads]
    if bc_urls and bc_urls[0] in new:
        primary: str | None = bc_urls[0]
    else:
        primary = None if any(i.get("is_primary") for i in current) else new[0]
    if primary in new:
        for image in current:
            image["is_primary"] = False
    return current + [{"image_url": data, "is_primary": url == primary} for url, data in uploads]
