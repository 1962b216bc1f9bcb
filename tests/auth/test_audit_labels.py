"""The audit page labels every event the service records, in the words its domain registered."""

from __future__ import annotations

import re
from pathlib import Path

from markupsafe import escape

import tracker
from tracker.audit.services import record_audit_event
from tracker.core.registry import registry_of
from tracker.extensions import db

# The calls that write audit events: the audit log's own function, auth's (which reaches it through
# tracker.auth.events) and the programme's helper around it.
EVENT_CALL = re.compile(r'\b(?:record_audit_event|record_event|_audit)\(\s*"([a-z_]+)"')


def recorded_events() -> set[str]:
    """Return every event name the code records, as written in the calls."""
    source = Path(tracker.__file__).parent
    return {event for path in source.rglob("*.py") for event in EVENT_CALL.findall(path.read_text(encoding="utf-8"))}


def test_every_recorded_event_has_a_registered_label(app):
    events = recorded_events()
    assert {"sign_in", "user_created", "settings_changed", "structure_created", "kpis_imported"} <= events
    missing = sorted(events - set(registry_of(app).audit_labels))
    assert not missing, f"Audit events without a label (add them to their domain's AUDIT_LABELS): {missing}"


def test_the_audit_page_shows_every_label_not_the_event_name(admin_client, app):
    labels = registry_of(app).audit_labels
    for event in labels:
        record_audit_event(event, f"detail of {event}")
    db.session.commit()
    page = admin_client.get("/admin/audit").get_data(as_text=True)
    for event, label in labels.items():
        assert f">{escape(label)}</td>" in page, (event, label)  # escaped as Jinja escapes it
