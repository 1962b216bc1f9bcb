"""Account events (sign-ins, account changes) for the audit log, without importing it.

Auth sits below audit in the layers, yet its services must write to the audit log in the same
transaction as the change. So the audit domain hands auth its recorder in its init_app
(``use_recorder``), and auth calls ``record_event``. An app without a recorder fails loudly
rather than lose a security event.
"""

from __future__ import annotations

from typing import Protocol

from flask import Flask, current_app

from tracker.auth.models import User

EXTENSION_KEY = "tracker.auth.event_recorder"


class Recorder(Protocol):
    """Records one event: record_audit_event's shape."""

    def __call__(self, event: str, detail: str = "", user: User | None = None) -> object: ...


def use_recorder(app: Flask, recorder: Recorder) -> None:
    """Have this app record auth's events with recorder (the audit log's record_audit_event)."""
    app.extensions[EXTENSION_KEY] = recorder


def record_event(event: str, detail: str = "", user: User | None = None) -> None:
    """Add an account event to the audit log in the caller's transaction (default user: the signed-in one)."""
    recorder: Recorder = current_app.extensions[EXTENSION_KEY]
    recorder(event, detail, user=user)
