"""The one way the app opens a web address (M6): ``open_store_url``. Anything but an https address of the
connected BigCommerce store is refused and logged, whatever asked for it."""
from __future__ import annotations

import logging

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from desktop.sync.store_links import is_store_url

log = logging.getLogger(__name__)


def open_store_url(url: str | None) -> bool:
    if not url:
        log.warning("Refused to open a link: no address")
        return False
    allowed, reason = is_store_url(url)
    if not allowed:
        log.warning("Refused to open %s: %s", url, reason)
        return False
    return QDesktopServices.openUrl(QUrl(url, QUrl.ParsingMode.StrictMode))
