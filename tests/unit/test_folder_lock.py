"""N6: a second writer names the holder of a data folder, even in the moment the holder has the lock but has not
written who it is yet (the race a fresh-clone CI run hit in ``test_one_writer``)."""
from __future__ import annotations

import json
import os

import pytest

from desktop.storage import folder_lock
from desktop.storage.folder_lock import HOLDER_NAME, FolderBusy, FolderLock


def test_n6_the_holder_is_named_with_its_process(tmp_path):
    with FolderLock(tmp_path, "the app window"):
        with pytest.raises(FolderBusy) as busy:
            FolderLock(tmp_path, "a cron run").acquire()
    assert f"the app window (process {os.getpid()}" in str(busy.value)
    assert not (tmp_path / HOLDER_NAME).exists(), "the record goes with the lock"


def test_n6_a_refused_writer_waits_for_the_record_of_a_living_holder(tmp_path, monkeypatch):
    # what the refused writer reads in turn: nothing yet, then a holder killed earlier, then the new holder
    reads = iter([{}, {"pid": 2**22 + 7, "purpose": "killed"}, {"pid": os.getpid(), "purpose": "the app window"}])
    monkeypatch.setattr(folder_lock, "_holder_record", lambda folder: next(reads))
    monkeypatch.setattr(folder_lock.time, "sleep", lambda s: None)
    assert folder_lock.read_holder(tmp_path)["purpose"] == "the app window"


def test_n6_a_record_left_by_a_killed_holder_is_still_reported_when_nothing_else_comes(tmp_path):
    (tmp_path / HOLDER_NAME).write_text(json.dumps({"pid": 2**22 + 7, "purpose": "killed"}))
    assert folder_lock.read_holder(tmp_path, wait_s=0)["purpose"] == "killed"
