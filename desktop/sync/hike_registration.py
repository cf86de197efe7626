"""This app's Hike registration (API address, App Id, App Secret), which ships with the app's build.

A shop manager has no Partner Dashboard: the person who builds the app registers it with Hike once and places the
registration in ``desktop/hike_app.json`` (next to this package's ``__init__.py``) before ``pip wheel`` or
``scripts/build-app``, so it is packaged with the app. The file is in ``.gitignore``: the secret is never
committed. Its format::

    {"api_address": "https://api.hikeup.com", "app_id": "<App Id>", "app_secret": "<App Secret>"}

Developers may point ``HIKEBC_HIKE_APP_FILE`` at another file of that format, or set ``HIKEBC_HIKE_CLIENT_ID`` and
``HIKEBC_HIKE_CLIENT_SECRET`` (the variables the CLI reads), which win over any file.
"""
from __future__ import annotations

import json
import logging
import os
from importlib import resources
from pathlib import Path

from desktop.sync.connections import HikeApp

log = logging.getLogger(__name__)

HIKE_API_URL = "https://api.hikeup.com"
REGISTRATION_FILE = "desktop/hike_app.json"  # as the builder sees it, in the source tree
REGISTRATION_FILE_ENV = "HIKEBC_HIKE_APP_FILE"
CLIENT_ID_ENV = "HIKEBC_HIKE_CLIENT_ID"
CLIENT_SECRET_ENV = "HIKEBC_HIKE_CLIENT_SECRET"


def registration_path() -> Path:
    override = os.environ.get(REGISTRATION_FILE_ENV)
    if override:
        return Path(override)
    return Path(str(resources.files("desktop").joinpath("hike_app.json")))


def load_registration() -> HikeApp | None:
    """The registration this build carries, or None when it was built without one (or the file is unreadable)."""
    client_id, secret = os.environ.get(CLIENT_ID_ENV, "").strip(), os.environ.get(CLIENT_SECRET_ENV, "").strip()
    if client_id and secret:
        return HikeApp(HIKE_API_URL, client_id, secret)
    path = registration_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:  # never the file's content: it holds the secret
        log.warning("This app's Hike registration (%s) can't be read: %s", path, type(exc).__name__)
        return None
    if not isinstance(data, dict):
        log.warning("This app's Hike registration (%s) is not a JSON object", path)
        return None
    app = HikeApp(str(data.get("api_address") or HIKE_API_URL).strip(), str(data.get("app_id") or "").strip(),
                  str(data.get("app_secret") or "").strip())
    if not (app.client_id and app.client_secret):
        log.warning("This app's Hike registration (%s) lacks app_id or app_secret", path)
        return None
    return app
