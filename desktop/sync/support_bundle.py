"""A support bundle (issue 18): one zip a shop manager sends to support, with what support needs to see what
happened, and nothing it must not see.

Members: ``README.txt`` (what is inside and what was masked), ``about.json`` (versions, platform, folders, the
database schema, the keyring's backend name), ``settings.json`` (the newest saved settings and the connections:
store names and addresses, never a token), ``runs.json`` (the last 50 passes), ``errors.json`` (the records in
error and the last 200 error log entries), ``logs/`` (the app's log files), ``diagnose-latest.json`` (the last
Check my stores report, when there is one) and ``store-shapes-latest.json`` (the shapes that check read, with
made-up values: ``python -m desktop.sandbox --seed`` replays them).

No secret, ever: every text goes through the logs' redaction (``storage.logs.redact``: tokens, Authorization and
X-Auth-Token values), then every secret the keyring holds for this folder's connections is replaced wherever it
appears, and the finished zip is read back and refused if one is still found.

Masked by default (``mask=False`` keeps them, and README.txt says so): email addresses anywhere
(``o***@e***.com``), the names of customers the app has synced wherever they appear (as ``O*** S***``), a number
said to be a phone ("phone 0470717355" → "phone ***55"), and in the JSON members the values of customer fields that
hold a person's details (names, email, phone, company, address lines, city, postcode). Product names, SKUs,
barcodes, ids and prices stay: support needs them.
"""
from __future__ import annotations

import json
import platform
import re
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from desktop import APP_NAME, __version__
from desktop.storage import paths
from desktop.storage.credentials import CredentialError, Credentials
from desktop.storage.db import database_proxy, schema_version
from desktop.storage.logs import redact
from desktop.storage.models import Connection, Link, LogEntry, Run
from desktop.sync.connections import store_of
from desktop.sync import capture
from desktop.sync.diagnose import LATEST
from desktop.sync.error_groups import ERROR_RESULTS

RUNS, ERROR_ENTRIES, ERROR_LINKS = 50, 200, 500
PERSONAL_FIELDS = {"email", "name", "first_name", "last_name", "phone", "company", "company_name", "address1",
                   "address2", "street_1", "street_2", "city", "postcode", "zip", "receiverName", "receiverPhone"}
_EMAIL = re.compile(r"([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9])[A-Za-z0-9.-]*\.([A-Za-z]{2,})")
# a number said to be a phone ("phone 0470 717 355", "receiverPhone": "..."): barcodes and ids are never masked
_PHONE = re.compile(r"(phone\W{0,4}(?:number)?\W{0,4})(\+?\d[\d \-]{4,}\d)", re.IGNORECASE)


class SecretInBundle(Exception):
    """The finished bundle still held a secret: it is deleted, never handed over."""


@dataclass
class Bundle:
    path: Path
    members: list[str]
    masked: bool
    secrets_checked: int


@dataclass
class Masker:
    """Masks a person's details in every text and JSON value of the bundle."""

    on: bool = True
    names: list[str] = field(default_factory=list)  # customers' names the app knows, longest first

    def text(self, text: str) -> str:
        if not self.on:
            return text
        text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}***.{m.group(3)}", text)
        text = _PHONE.sub(lambda m: m.group(1) + "***" + m.group(2)[-2:], text)
        for name in self.names:
            if name in text:
                text = text.replace(name, _initials(name))
        return text

    def value(self, value: Any, personal: bool = False, key: str = "") -> Any:
        """A JSON value; ``personal``: it describes a customer, so its personal fields are masked whole."""
        if isinstance(value, dict):
            return {k: self.value(v, personal, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v, personal, key) for v in value]
        if isinstance(value, str):
            if self.on and personal and key in PERSONAL_FIELDS and value:
                return _initials(value) if "@" not in value else self.text(value)
            return self.text(value)
        return value


def _initials(text: str) -> str:
    return " ".join(f"{word[0]}***" for word in text.split() if word) or "***"


def default_name(now: datetime | None = None) -> str:
    return f"hike-bc-sync-support-{(now or datetime.now()).strftime('%Y%m%d-%H%M')}.zip"


def build(out: Path, credentials: Credentials, *, mask: bool = True, about: dict[str, Any] | None = None,
          now: datetime | None = None) -> Bundle:
    """Write the bundle to ``out`` (the database is bound by the caller). ``about``: what the caller adds to
    ``about.json`` (the window: its Qt version)."""
    now = now or datetime.now(timezone.utc)
    app_paths = paths.app_paths().ensure()
    secrets = _secrets(credentials)
    masker = Masker(mask, _customer_names() if mask else [])
    members: dict[str, str] = {}

    def add_json(name: str, data: Any) -> None:
        members[name] = json.dumps(data, indent=2, default=str, ensure_ascii=False)

    add_json("about.json", {
        "app": APP_NAME, "version": __version__, "made_at": now.isoformat(timespec="seconds"),
        "python": sys.version.split()[0], "platform": platform.platform(), "data_folder": str(app_paths.data),
        "log_folder": str(app_paths.logs), "database_schema": schema_version(database_proxy.obj),
        "keyring_backend": credentials.describe_backend(), "keyring_state": credentials.check().value,
        **(about or {})})
    add_json("settings.json", _settings())
    add_json("runs.json", [_run(r) for r in Run.select().order_by(Run.id.desc()).limit(RUNS)])
    add_json("errors.json", masker.value(_errors(), personal=False))
    for log_file in sorted(app_paths.logs.glob("*.log*")):
        if log_file.is_file():
            members[f"logs/{log_file.name}"] = log_file.read_text(encoding="utf-8", errors="replace")
    for kept in (LATEST, capture.LATEST):  # the last Check my stores report and the store shapes it read
        path = app_paths.data / kept
        if path.is_file():
            members[kept] = path.read_text(encoding="utf-8", errors="replace")
    members["README.txt"] = _readme(now, mask, sorted([*members, "README.txt"]))

    clean = {name: _scrub(masker.text(redact(text)), secrets) for name, text in members.items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(out.name + ".part")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(clean):
            archive.writestr(name, clean[name])
    _refuse_secrets(temporary, secrets)
    temporary.replace(out)
    return Bundle(out, sorted(clean), mask, len(secrets))


# -- what goes in ------------------------------------------------------------------------------------------------
def _settings() -> dict[str, Any]:
    from desktop.storage.models import SettingsVersion

    row = SettingsVersion.select().order_by(SettingsVersion.id.desc()).first()
    return {
        "settings_version": row.id if row else None,
        "saved_at": row.saved_at.isoformat() if row else None,
        "settings": row.data if row else None,
        "connections": [{"side": c.side, "store_name": c.store_name, "sandbox": c.is_sandbox,
                         "store_hash": c.store_hash, "api_path": c.api_path} for c in Connection.select()],
    }


def _run(run: Run) -> dict[str, Any]:
    return {"id": run.id, "trigger": run.trigger, "scope": run.scope, "started_at": run.started_at,
            "finished_at": run.finished_at, "status": run.status, "counts": run.counts, "message": run.message}


def _errors() -> dict[str, Any]:
    links = Link.select().where(Link.last_result.in_(ERROR_RESULTS)).order_by(Link.id).limit(ERROR_LINKS)
    entries = LogEntry.select().where(LogEntry.result.in_(ERROR_RESULTS)).order_by(LogEntry.id.desc()) \
        .limit(ERROR_ENTRIES)
    return {
        "records_in_error": [_link(link) for link in links],
        "error_log": [_entry(e) for e in entries],
    }


def _link(link: Link) -> dict[str, Any]:
    customer = link.entity == "customer"
    return {"entity": link.entity, "status": link.status, "last_result": link.last_result,
            "name": _initials(link.name) if customer and link.name else link.name,
            "key": None if customer else link.sku,  # a customer's key is their email
            "hike_id": link.hike_id, "bc_id": link.bc_id, "message": link.last_message}


def _entry(entry: LogEntry) -> dict[str, Any]:
    customer = entry.entity == "customer"
    diff = entry.diff
    if customer and isinstance(diff, dict):
        diff = {k: "***" if k in PERSONAL_FIELDS else v for k, v in diff.items()}
    return {"time": entry.created_at, "run_id": entry.run_id, "entity": entry.entity, "action": entry.action,
            "result": entry.result, "hike_id": entry.hike_id, "bc_id": entry.bc_id,
            "key": None if customer else entry.sku, "message": entry.message, "diff": diff}


def _customer_names() -> list[str]:
    """The names of the customers the app has synced, longest first (a full name before its parts)."""
    names = {link.name.strip() for link in Link.select(Link.name).where(Link.entity == "customer") if link.name}
    return sorted((n for n in names if len(n) > 2), key=len, reverse=True)


def _secrets(credentials: Credentials) -> list[str]:
    """Every secret the keyring holds for this folder's connections (read only to be kept out)."""
    found: list[str] = []
    for row in Connection.select():
        store = store_of(row)
        if store is None:
            continue
        for load in _SECRET_LOADERS[row.side]:
            try:
                found += [s for s in load(credentials, store) if s]
            except CredentialError:
                pass  # nothing saved, or the keyring is locked: nothing of it can be in the files either
    return sorted(set(found), key=len, reverse=True)


def _hike_tokens(credentials: Credentials, store: str) -> list[str]:
    tokens = credentials.load_hike_tokens(store)
    return [tokens.access_token, tokens.refresh_token]


_SECRET_LOADERS = {
    "bigcommerce": (lambda c, store: [c.load_bigcommerce_token(store)],),
    "hike": (lambda c, store: [c.load_hike_client_secret(store)], _hike_tokens),
}


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, "***")
    return text


def _refuse_secrets(archive_path: Path, secrets: list[str]) -> None:
    with zipfile.ZipFile(archive_path) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8", errors="replace")
            if any(secret in text for secret in secrets):
                archive.close()
                archive_path.unlink(missing_ok=True)
                raise SecretInBundle(f"{name} still held a secret; no bundle was written")


def _readme(now: datetime, mask: bool, members: list[str]) -> str:
    masked = ("Masked: email addresses everywhere (o***@e***.com), the names of customers the app has synced "
              "wherever they appear (O*** S***), numbers said to be phones (phone ***55), and the customers' "
              "personal fields in the JSON files (names, email, phone, company, address lines, city, postcode). "
              "Product names, SKUs, barcodes, ids and prices are kept." if mask else
              "NOT masked (made with --no-mask): customers' emails, names and addresses appear as stored.")
    return "\n".join([
        f"{APP_NAME}: support bundle",
        f"Made {now.isoformat(timespec='seconds')} by version {__version__}.",
        "",
        "What it is: the app's own records of what it did, for support to see what happened. It holds no "
        "password, token or app secret: every file was checked for them before the bundle was written.",
        masked,
        "",
        "Files:",
        *(f"  {name}" for name in members),
        "",
    ])
