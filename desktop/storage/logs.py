"""Logging to a rotating file in the log folder, with secrets redacted from every line.

Redaction happens in the formatter, after the message and any traceback are rendered, so nothing escapes it:
known secret-bearing patterns (auth headers, token fields, form parameters) are masked, and so is every
secret value the app has handled in this process (``register_secret``), wherever it appears.
"""
from __future__ import annotations

import logging
import logging.handlers
import re
import threading
from pathlib import Path

LOG_FILE_NAME = "hike-bc-sync.log"
MASK = "***"
_MIN_SECRET_LEN = 6  # shorter strings would mask ordinary words

_PATTERNS = [
    # headers: "Authorization: Bearer abc", "X-Auth-Token: abc" (also as dict reprs 'x-auth-token': 'abc')
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?(?:bearer|basic)\s+)([^\s'\",}]+)"),
    re.compile(r"(?i)(x-auth-token['\"]?\s*[:=]\s*['\"]?)([^\s'\",}]+)"),
    # JSON or repr fields and form/query parameters that carry secrets
    re.compile(r"(?i)(\b(?:access_token|refresh_token|client_secret|password|code)['\"]?\s*[:=]\s*['\"]?)"
               r"([^\s'\"&,}]+)"),
]

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Mask ``value`` in every log line from now on."""
    if value and len(value) >= _MIN_SECRET_LEN:
        with _secrets_lock:
            _secrets.add(value)


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"


def setup_logging(log_dir: Path, level: int = logging.INFO, *, console: bool = True) -> Path:
    """Send the app's logging to ``log_dir`` (5 files of 2 MB) and, optionally, to stderr."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE_NAME
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_hikebc", False):
            root.removeHandler(handler)
            handler.close()
    formatter = RedactingFormatter(FORMAT)
    file_handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5,
                                                        encoding="utf-8")
    handlers: list[logging.Handler] = [file_handler]
    if console:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(formatter)
        handler._hikebc = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO; ours are logged by the clients with redaction anyway
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return path
