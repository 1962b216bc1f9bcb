"""Keep an uploaded plan between its preview and its confirmation, on the server, under a random token.

The file's bytes (already checked by ``read_upload``) go to ``<instance>/imports/<token>.bin`` and
what the import needs to know to ``<token>.json``: the programme, who uploaded it, the columns they
chose and the name to show. The name the person's computer gave the file is shown, never used as a
path: the only names on disk are tokens this module made (32 hex digits). An upload is for its own
uploader and programme only, and is thrown away after confirmation or after ``MAX_AGE``.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from flask import current_app

from tracker.core.errors import NotFound

MAX_AGE_SECONDS = 2 * 60 * 60
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_UNSHOWABLE = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass
class PendingUpload:
    token: str
    programme_id: int
    user_id: int | None
    file_name: str  # for showing only
    created: float
    mapping: dict[str, dict[str, str]] = field(default_factory=dict)


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shown_name(file_name: str) -> str:
    """Return the name to show for an upload: its last part, without control characters, at most 100 characters."""
    name = _UNSHOWABLE.sub("", (file_name or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return (name or "the file")[:100]


def store_upload(data: bytes, file_name: str, programme_id: int, user_id: int | None) -> PendingUpload:
    """Keep a checked upload under a new token; return what was stored."""
    _forget_old()
    pending = PendingUpload(secrets.token_hex(16), programme_id, user_id, shown_name(file_name), time.time())
    folder = _folder()
    (folder / f"{pending.token}.bin").write_bytes(data)
    _write(folder, pending)
    return pending


def _write(folder: Path, pending: PendingUpload) -> None:
    (folder / f"{pending.token}.json").write_text(json.dumps(asdict(pending)), encoding="utf-8")


def load_upload(token: str, programme_id: int, user_id: int | None) -> tuple[PendingUpload, bytes]:
    """Return the upload and its bytes; NotFound if the token is unknown, expired, or someone else's."""
    missing = NotFound("That upload has expired or was already imported. Upload the file again.")
    if not _TOKEN.match(token):
        raise missing
    folder = _folder()
    try:
        pending = PendingUpload(**json.loads((folder / f"{token}.json").read_text(encoding="utf-8")))
        data = (folder / f"{token}.bin").read_bytes()
    except (OSError, ValueError, TypeError):
        raise missing from None
    if pending.programme_id != programme_id or pending.user_id != user_id or _expired(pending.created):
        raise missing
    return pending, data


def save_mapping(pending: PendingUpload, mapping: dict[str, dict[str, str]]) -> None:
    """Remember the columns the person chose for the upload, beside any chosen before."""
    for sheet, chosen in mapping.items():
        pending.mapping[sheet] = {**pending.mapping.get(sheet, {}), **chosen}
    _write(_folder(), pending)


def discard(token: str) -> None:
    """Throw an upload away (it was imported)."""
    if _TOKEN.match(token):
        for suffix in (".bin", ".json"):
            (_folder() / f"{token}{suffix}").unlink(missing_ok=True)


def _expired(created: float) -> bool:
    return time.time() - created > MAX_AGE_SECONDS


def _forget_old() -> None:
    """Remove uploads nobody confirmed in time, so the folder never fills up."""
    for path in _folder().glob("*.json"):
        try:
            created = float(json.loads(path.read_text(encoding="utf-8")).get("created", 0))
        except (OSError, ValueError, AttributeError):
            created = 0
        if _expired(created):
            discard(path.stem)
