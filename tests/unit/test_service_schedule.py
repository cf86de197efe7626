"""``SyncService.start`` (the GUI's sync) on a schedule an older version saved (issue 14 finding 8)."""
from __future__ import annotations

import logging

from desktop.storage.models import SettingsVersion
from desktop.sync.settings import Settings
from desktop.sync.service import SyncService


class FakeClient:
    def close(self) -> None:
        pass


def test_service_starts_on_a_saved_schedule_too_long_for_the_scheduler(db, caplog):
    """issue 14 finding 8: 10**10 minutes, saved by a version that only warned, made the start fail with
    OverflowError, shown as "Reconnect needed". The sync now starts, once a day, and the log says why."""
    settings = Settings.template()
    settings.schedule_minutes = 10**10
    SettingsVersion.create(data=settings.to_json(), note="older version")
    service = SyncService(credentials=None, open_clients=lambda _credentials: (FakeClient(), FakeClient()),
                          scheduler_options={"wake_check_s": 600})
    with caplog.at_level(logging.WARNING):
        service.start(startup_pass=False)
    try:
        assert service.scheduler.requested_interval_minutes == 1440
        assert "10000000000" in caplog.text and "1440" in caplog.text
    finally:
        service.shutdown()
