"""N1: secrets live only in the keyring. Tokens handled by the app never reach the database, the settings or
the log files, even when a careless log line or an exception carries them."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from desktop.storage import credentials as cred
from desktop.storage import models, paths
from desktop.storage.db import close_db, init_db
from desktop.storage.logs import setup_logging
from tests.keyrings import MemoryKeyring


def test_n1_tokens_never_reach_database_settings_or_logs(data_dir):
    app = paths.app_paths().ensure()
    log_file = setup_logging(app.logs, logging.DEBUG, console=False)
    keyring = MemoryKeyring()
    c = cred.Credentials(backend=keyring, state_file=app.keyring_state)
    access, refresh, bc = "n1-access-5f2e9a", "n1-refresh-77c1d0", "n1-bc-token-0a9b8c"
    c.save_hike_tokens(cred.HikeTokens(access, refresh, datetime(2027, 1, 1, tzinfo=timezone.utc)),
                       "https://api.hikeup.com")
    c.save_bigcommerce_token(bc, "https://api.bigcommerce.com/stores/abc123/")

    init_db(app.database)
    models.Connection.create(side="bigcommerce", store_name="Acme", store_hash="abc123",
                             api_path="https://api.bigcommerce.com/stores/abc123/v3/")
    models.SettingsVersion.create(data={"inventory_outlet": "Main Street"})
    logger = logging.getLogger("desktop.sync.test")
    logger.info("GET /v3/catalog/products headers={'X-Auth-Token': '%s'}", bc)
    logger.warning("refresh failed: body=grant_type=refresh_token&refresh_token=%s", refresh)
    try:
        raise ConnectionError(f"Authorization: Bearer {access} rejected")
    except ConnectionError:
        logger.exception("call failed")
    close_db()
    for handler in logging.getLogger().handlers:
        handler.flush()

    written = [f for f in data_dir.rglob("*") if f.is_file()]
    assert log_file in written and app.database in written
    for file in written:
        content = file.read_bytes()
        for secret in (access, refresh, bc):
            assert secret.encode() not in content, f"{file.name} holds a secret"
    assert keyring.store, "the secrets are in the keyring"
