"""Log redaction (N1): patterns and every secret the app handled, in messages and tracebacks."""
from __future__ import annotations

import logging

from desktop.storage import logs


def test_header_and_field_patterns_are_masked():
    line = logs.redact("headers={'X-Auth-Token': 'abcdef123', 'Authorization': 'Bearer tok987654'} "
                       'body={"access_token": "a1b2c3d4", "refresh_token": "r1r2r3r4"} '
                       "form=grant_type=refresh_token&refresh_token=zzz999&client_secret=sh4h4h&code=c0d3c0d3")
    for secret in ("abcdef123", "tok987654", "a1b2c3d4", "r1r2r3r4", "zzz999", "sh4h4h", "c0d3c0d3"):
        assert secret not in line
    assert "grant_type=refresh_token" in line, "parameter names stay readable"


def test_ordinary_words_are_kept():
    assert logs.redact("status_code=500 barcode=9300001") == "status_code=500 barcode=9300001"


def test_registered_secret_is_masked_anywhere_including_tracebacks(tmp_path):
    logs.register_secret("very-secret-value-42")
    path = logs.setup_logging(tmp_path / "logs", console=False)
    logger = logging.getLogger("test.redaction")
    try:
        raise RuntimeError("request failed for very-secret-value-42")
    except RuntimeError:
        logger.exception("while calling with %s", "very-secret-value-42")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text()
    assert "very-secret-value-42" not in text
    assert "RuntimeError: request failed for ***" in text


def test_short_strings_are_not_registered():
    logs.register_secret("abc")
    assert logs.redact("abc") == "abc"
