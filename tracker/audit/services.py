"""Record audit events. The caller commits, so an event is kept exactly when its change is."""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.auth.permissions import is_signed_in
from tracker.core.registry import registry_of
from tracker.extensions import db

MAX_DETAIL_LENGTH = 2000


def record_audit_event(event: str, detail: str = "", user: User | None = None) -> AuditEvent:
    """Add an audit event to the session: who (default: the signed-in user), what, from where."""
    if user is None and has_request_context() and is_signed_in(current_user):
        user = current_user._get_current_object()  # noqa: SLF001 - the real User, not the proxy
    ip = (request.remote_addr or "")[:45] if has_request_context() else ""
    audit_event = AuditEvent(event=event[:50], detail=detail[:MAX_DETAIL_LENGTH], ip=ip, user=user)
    db.session.add(audit_event)
    return audit_event


def event_label(event: str) -> str:
    """Return the audit page's words for an event, as its domain registered them."""
    return registry_of().audit_labels.get(event, event.replace("_", " ").capitalize())
