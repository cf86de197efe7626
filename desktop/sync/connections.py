"""Connecting the two stores (C1–C3) and opening clients on them later: one place for the CLI and the wizard.

A connection is proven with real calls before anything is saved: the BigCommerce store information (its name is
shown) and one call per permission the sync needs, so a missing scope is named now rather than mid-sync; Hike's
outlets after the sign-in. Facts go to the ``connection`` table, secrets to the keyring only.

Issue 14: an address is checked (``addresses``) before any secret leaves, and nothing is saved until the store
has answered. Secrets are saved for the store they belong to in this data folder (``Credentials`` binds them);
a row's secrets are looked up by the row's own address, so a folder can only ever use its own stores' secrets.
Entries saved by earlier versions (one per profile, for whichever store was connected last) are adopted only by
a connection to the real stores' hosts: a sandbox folder never takes them (its stores hand out fresh tokens at
each start), so a real store's token cannot end up sent to a loopback port.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

from desktop.storage.credentials import Credentials
from desktop.storage.models import Connection, utcnow
from desktop.sync import errors
from desktop.sync.addresses import UnsafeAddress, bigcommerce_api_base, hike_api_base, is_sandbox_address
from desktop.sync.bigcommerce import BigCommerceClient, StoreInfo
from desktop.sync.budget import HikeCallLog, load_hike_calls
from desktop.sync.hike import HikeClient, hike_governor
from desktop.sync.hike_oauth import sign_in
from desktop.sync.http import RetryPolicy

log = logging.getLogger(__name__)

# One cheap read per scope the sync needs, so a missing scope is named when connecting (C3).
_SCOPE_PROBES: list[tuple[str, Callable[[BigCommerceClient], Any]]] = [
    ("Products", lambda c: c.http.request("GET", "v3/catalog/products", params={"limit": 1})),
    ("Orders", lambda c: c.http.request("GET", "v2/orders", params={"limit": 1})),
    ("Customers", lambda c: c.http.request("GET", "v3/customers", params={"limit": 1})),
    ("Store inventory", lambda c: c.http.request("GET", "v3/inventory/items", params={"limit": 1})),
    ("Store locations", lambda c: c.http.request("GET", "v3/inventory/locations", params={"limit": 1})),
]


@dataclass(frozen=True)
class HikeApp:
    """This app as registered with Hike (Partner Dashboard): its client id and secret."""

    base_url: str
    client_id: str
    client_secret: str


def check_bigcommerce(api_path: str, token: str, **client_kwargs: Any) -> StoreInfo:
    """Prove the API path and token with real calls; raises a ``SyncError`` naming the problem."""
    client = BigCommerceClient(api_path, token, **client_kwargs)
    try:
        info = client.store_info()
        for scope, probe in _SCOPE_PROBES:
            try:
                probe(client)
            except errors.MissingPermission:
                raise errors.MissingPermission(
                    f"The API account has no '{scope}' permission. Edit the store-level API account in BigCommerce "
                    f"(Settings → Store-level API accounts) and give it the scopes listed on this page.",
                    store="BigCommerce", status=403) from None
        return info
    except errors.NotFound:
        raise errors.ReconnectNeeded("BigCommerce does not know this store: check the store hash in the API path.",
                                     store="BigCommerce", status=404) from None
    finally:
        client.close()


def connect_bigcommerce(api_path: str, token: str, credentials: Credentials, *, sandbox: bool = False,
                        **client_kwargs: Any) -> Connection:
    store, _ = bigcommerce_api_base(api_path)  # refused here, before the token goes anywhere
    info = check_bigcommerce(api_path, token, **client_kwargs)
    credentials.save_bigcommerce_token(token, store)
    row = Connection.get_or_none(Connection.side == "bigcommerce") or Connection(side="bigcommerce")
    previous = store_of(row) if row.id is not None else None
    row.store_name, row.store_hash, row.api_path = info.name, info.store_hash, f"{store}v3/"
    row.control_panel_base_url, row.storefront_url = info.control_panel_base_url, info.secure_url
    row.is_sandbox, row.updated_at = sandbox, utcnow()
    row.save()
    _forget_replaced(credentials, "bigcommerce", previous, store)
    log.info("Connected BigCommerce store %s (%s)", info.name, info.store_hash)
    return row


def connect_hike(app: HikeApp, credentials: Credentials, open_browser: Callable[[str], Any], *,
                 sandbox: bool = False, timeout_s: float = 300,
                 on_waiting: Callable[[Any], Any] | None = None) -> Connection:
    """Sign in with Hike in the browser (loopback redirect), prove it with a call, save it.

    ``on_waiting(receiver)`` hands over the loopback listener before the browser opens, so a Cancel button can
    call ``receiver.cancel()`` from the GUI thread."""
    store = hike_api_base(app.base_url)  # refused here, before the browser opens or the secret goes anywhere
    tokens = sign_in(store, app.client_id, app.client_secret, open_browser, timeout_s, on_waiting=on_waiting)
    client = HikeClient(store, app.client_id, app.client_secret, credentials, tokens=tokens, call_log=HikeCallLog())
    try:
        outlets = client.outlets()
        tokens = client.tokens or tokens  # a refresh during the check replaced them
    finally:
        client.save_calls()
        client.close()
    credentials.save_hike_client_secret(app.client_secret, store)
    credentials.save_hike_tokens(tokens, store)
    row = Connection.get_or_none(Connection.side == "hike") or Connection(side="hike")
    previous = store_of(row) if row.id is not None else None
    names = ", ".join(o.name for o in outlets[:3]) + (" …" if len(outlets) > 3 else "")
    row.store_name = f"Hike ({names})" if names else "Hike"
    row.base_url, row.client_id, row.is_sandbox, row.updated_at = store, app.client_id, sandbox, utcnow()
    row.save()
    _forget_replaced(credentials, "hike", previous, store)
    log.info("Connected Hike at %s with %d outlets", store, len(outlets))
    return row


def connect_sandbox(info: dict[str, Any], credentials: Credentials,
                    open_browser: Callable[[str], Any]) -> tuple[Connection, Connection]:
    """Connect both stores of a loopback sandbox (the JSON line ``python -m desktop.sandbox`` prints).
    ``open_browser`` completes the sandbox's Hike sign-in: the entry points pass the sandbox's own stand-in person
    (``SandboxStores.person()``), so product code never imports the emulators."""
    bc, hike = info["bigcommerce"], info["hike"]
    bc_row = connect_bigcommerce(bc["api_path"], bc["access_token"], credentials, sandbox=True)
    hike_row = connect_hike(HikeApp(hike["base_url"], hike["client_id"], hike["client_secret"]), credentials,
                            open_browser, sandbox=True, timeout_s=30)
    return bc_row, hike_row


def disconnect(credentials: Credentials, *, wipe_history: bool = False) -> None:
    """C6: this folder's stores' tokens leave the keyring (other folders and stores keep theirs); the local history
    stays unless asked to wipe it."""
    from desktop.storage.db import database_proxy
    from desktop.storage.models import ALL_MODELS

    for row in Connection.select():
        store = store_of(row)
        if store is None:
            continue
        _adopt_old_entries(credentials, row, store)  # a real store's old entries are its own: they go too
        credentials.delete_store(row.side, store)
    with database_proxy.atomic():
        Connection.delete().execute()
        if wipe_history:
            for model in ALL_MODELS:
                if model is not Connection:
                    model.delete().execute()


def open_clients(credentials: Credentials, *, retry: RetryPolicy | None = None,
                 **kwargs: Any) -> tuple[BigCommerceClient, HikeClient]:
    """Clients on the saved connections, with this folder's secrets for exactly those stores; raises
    ``ReconnectNeeded`` when a store is not connected (or its saved address is one the app no longer sends
    secrets to) and ``CredentialMissingError`` ("Reconnect needed") when its secrets are not stored."""
    bc_row = Connection.get_or_none(Connection.side == "bigcommerce")
    hike_row = Connection.get_or_none(Connection.side == "hike")
    if bc_row is None:
        raise errors.ReconnectNeeded("BigCommerce is not connected yet.", store="BigCommerce")
    if hike_row is None:
        raise errors.ReconnectNeeded("Hike is not connected yet.", store="Hike")
    bc_store, hike_store = _checked_store(bc_row), _checked_store(hike_row)
    _adopt_old_entries(credentials, bc_row, bc_store)
    _adopt_old_entries(credentials, hike_row, hike_store)
    bc = BigCommerceClient(bc_row.api_path, credentials.load_bigcommerce_token(bc_store), retry=retry, **kwargs)
    hike = HikeClient(hike_row.base_url, hike_row.client_id, credentials.load_hike_client_secret(hike_store),
                      credentials, retry=retry, governor=hike_governor(calls_before_start=load_hike_calls()),
                      call_log=HikeCallLog())
    return bc, hike


def saved_hike_secret(credentials: Credentials, row: Connection) -> str:
    """The Hike app secret saved with this folder's Hike connection (Manage signs in again with it)."""
    store = _checked_store(row)
    _adopt_old_entries(credentials, row, store)
    return credentials.load_hike_client_secret(store)


def store_of(row: Connection) -> str | None:
    """The identity a row's secrets are saved under (its checked address), or None for an address the app no
    longer accepts (its secrets, if any, are then never loaded)."""
    try:
        return _identity(row)
    except UnsafeAddress:
        return None


def _identity(row: Connection) -> str:
    return bigcommerce_api_base(row.api_path)[0] if row.side == "bigcommerce" else hike_api_base(row.base_url)


def _checked_store(row: Connection) -> str:
    """A row saved by an earlier version may hold an address the checks now refuse: reconnect, nothing sent."""
    try:
        return _identity(row)
    except UnsafeAddress as exc:
        name = "BigCommerce" if row.side == "bigcommerce" else "Hike"
        raise errors.ReconnectNeeded(f"{exc.message} Reconnect {name}.", store=name) from None


def _adopt_old_entries(credentials: Credentials, row: Connection, store: str) -> None:
    """Earlier versions kept one entry per profile, for whichever store was connected last, in any folder. Only a
    connection to the real stores' hosts may claim them: a sandbox folder (loopback address) never does, so a real
    token can never be sent to a loopback port that a stranger may hold once the sandbox has stopped."""
    address = row.api_path if row.side == "bigcommerce" else row.base_url
    if not is_sandbox_address(address):
        credentials.adopt_old_entries(row.side, store)


def _forget_replaced(credentials: Credentials, side: str, previous: str | None, store: str) -> None:
    """A reconnect to another store (a sandbox on a new port, another shop) leaves no secrets behind for the old."""
    if previous is not None and previous != store:
        credentials.delete_store(side, previous)
