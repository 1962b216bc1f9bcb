"""A frozen board's pack PDF, rendered once and kept in the instance folder.

A frozen board never changes (its document is stored with its checksum and the database refuses any
update), and neither does the board frozen before it, so the PDF of a frozen meeting is the same
bytes every time: the first download renders it (seconds for a programme of 15,000 actions), later
ones read the file. The file is named by the two boards' checksums, the appendix choice and the
layout version, so a new layout or a board frozen in between never serves an old file. The live
position changes with every write, so its pack is always rendered.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import date
from pathlib import Path

from flask import current_app

from tracker.board.movement import movement_for_meeting
from tracker.board.snapshots import snapshot_of
from tracker.pack.pdf import render_pdf
from tracker.pack.queries import pack_for_meeting
from tracker.programme.models import BoardMeeting, Programme

# Bump when the PDF's layout changes, so that files rendered by the old layout are not served.
PDF_LAYOUT = "2"
FOLDER = "board-packs"


def _path(name: str) -> Path:
    return Path(current_app.instance_path) / FOLDER / f"{name}.pdf"


def _store(path: Path, data: bytes) -> None:
    """Write the file whole or not at all (a temporary file renamed), so no reader sees half a PDF."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError as error:  # a read-only instance folder costs speed, never the download
        current_app.logger.warning("Could not keep the board pack PDF %s: %s", path, error)


def pack_pdf_for_meeting(programme: Programme, meeting: BoardMeeting, today: date, *, no_appendix: bool) -> bytes:
    """Return the meeting's pack as PDF bytes: a frozen board's from its kept file once rendered."""
    snapshot = snapshot_of(meeting)
    if snapshot is None:
        return render_pdf(pack_for_meeting(programme, meeting, today, no_appendix=no_appendix))
    moved = movement_for_meeting(programme, meeting, today)  # kept in the cache: the key names both boards
    source = f"{snapshot.content_sha256}|{moved.key if moved else 'first'}|{no_appendix}|{PDF_LAYOUT}"
    path = _path(hashlib.sha256(source.encode()).hexdigest())
    if path.is_file():
        return path.read_bytes()
    data = render_pdf(pack_for_meeting(programme, meeting, today, no_appendix=no_appendix))
    _store(path, data)
    return data
