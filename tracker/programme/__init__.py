"""Workstreams, projects and actions: the shape of an improvement programme."""

from __future__ import annotations

from flask import Flask

AUDIT_LABELS = {
    "structure_created": "Structure: item created",
    "structure_updated": "Structure: item changed",
    "structure_archived": "Structure: item archived",
    "structure_deleted": "Structure: item deleted",
    "structure_reordered": "Structure: item moved",
    # A lead's progress update that changes an action's or a project's status (tracker.programme.updates).
    "status_changed": "Progress: status changed",
    # The programme's own details (tracker.programme.programmes), from the settings page or `flask programme`.
    "programme_created": "Programme: set up",
    "programme_updated": "Programme: details changed",
}

# Read-only progress pages: open to everyone while the admin has made them public.
PROGRESS_PAGES = (
    "programme.overview",
    "programme.workstream",
    "programme.project",
    "programme.action",
    "programme.action_list",
)


def init_app(app: Flask) -> None:
    """Register the programme's pages, menu entries, open pages, audit labels and commands."""
    import tracker.programme.models  # noqa: F401
    from tracker.auth.permissions import is_admin, is_lead_or_admin
    from tracker.core.registry import registry_of
    from tracker.programme import cli, data_version, settings_views
    from tracker.programme.admin_views import bp as structure_bp
    from tracker.programme.permissions import may_read_progress, public_progress_pages_on
    from tracker.programme.status import Ambition, Status
    from tracker.programme.update_views import bp as updates_bp
    from tracker.programme.views import bp as programme_bp

    data_version.listen()
    app.register_blueprint(programme_bp)
    app.register_blueprint(updates_bp)
    app.register_blueprint(structure_bp)
    cli.register(app)
    settings_views.register(app)
    app.jinja_env.globals.update(Status=Status, Ambition=Ambition)
    registry = registry_of(app)
    # The accessibility statement and the status definitions must be readable by anyone.
    registry.allow_anonymous("programme.accessibility", "programme.status_definitions")
    registry.allow_public(PROGRESS_PAGES, when=public_progress_pages_on)
    registry.add_nav_item("programme.overview", "Overview", 10, may_read_progress)
    registry.add_nav_item("updates.my_actions", "My actions", 15, is_lead_or_admin)
    registry.add_nav_item("programme.action_list", "Actions", 20, may_read_progress)
    registry.add_nav_item("structure.index", "Structure", 70, is_admin)
    registry.add_audit_labels(AUDIT_LABELS)
