"""Uploaded files kept between the steps of the import wizard, on the server, under a random token.

The rows are always read again from this copy: nothing the browser sends back is trusted as data,
only the column mapping and the choices. Files older than ``TTL`` are removed.
"""

import re
import secrets
import time
from pathlib import Path

from django.conf import settings

TTL_SECONDS = 6 * 60 * 60
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def upload_dir() -> Path:
    directory = Path(getattr(settings, "GRAPPE_IMPORT_DIR", "") or Path(settings.DATA_DIR) / "import-uploads")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _path(token: str) -> Path | None:
    if not _TOKEN.match(token or ""):
        return None
    return upload_dir() / f"{token}.upload"


def store(data: bytes) -> str:
    purge_expired()
    token = secrets.token_urlsafe(24)
    path = _path(token)
    assert path is not None
    path.write_bytes(data)
    return token


def load(token: str) -> bytes | None:
    """The stored bytes, or ``None`` when the token is malformed, unknown or expired."""
    path = _path(token)
    if path is None or not path.exists():
        return None
    if time.time() - path.stat().st_mtime > TTL_SECONDS:
        path.unlink(missing_ok=True)
        return None
    return path.read_bytes()


def discard(token: str) -> None:
    path = _path(token)
    if path is not None:
        path.unlink(missing_ok=True)


def purge_expired() -> int:
    removed = 0
    limit = time.time() - TTL_SECONDS
    for path in upload_dir().glob("*.upload"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                removed += 1
        except FileNotFoundError:
            continue
    return removed
