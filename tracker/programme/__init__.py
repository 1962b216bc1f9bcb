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
    # Board meetings (tracker.programme.meetings): planned from the cycle, or one changed by the office.
    "meetings_planned": "Board meetings: planned",
    "meeting_changed": "Board meetings: meeting changed",
}

# Read-only progress pages: open to everyone while the admin has made them public.
PROGRESS_PAGES = (
    "programme.overview",
    "programme.workstream",
    "programme.project",
    "programme.action",
    "programme.action_list",
    "meetings.meeting_list",
)


def init_app(app: Flask) -> None:
    """Register the programme's pages, menu entries, open pages, audit labels and commands."""
    import tracker.programme.models  # noqa: F401
    from tracker.auth.permissions import can_manage_programme, is_lead_or_admin, is_signed_in
    from tracker.core.registry import registry_of
    from tracker.programme import cli, context, data_version, settings_views
    from tracker.programme.admin_views import bp as structure_bp
    from tracker.programme.context import current_programme_id
    from tracker.programme.meetings_views import bp as meetings_bp
    from tracker.programme.models import inherit_programme
    from tracker.programme.permissions import may_read_progress, public_progress_pages_on
    from tracker.programme.site_views import bp as site_bp
    from tracker.programme.status import Ambition, Status
    from tracker.programme.update_views import bp as updates_bp
    from tracker.programme.views import bp as programme_bp

    data_version.listen()
    inherit_programme()
    context.init_app(app)
    for blueprint in (site_bp, programme_bp, updates_bp, structure_bp, meetings_bp):
        app.register_blueprint(blueprint)
    cli.register(app)
    settings_views.register(app)
    app.jinja_env.globals.update(Status=Status, Ambition=Ambition, page_programme=context.current_programme_or_none)
    registry = registry_of(app)
    # The home page (it says what there is), the accessibility statement and the status definitions are open.
    registry.allow_anonymous("site.home", "site.accessibility", "site.status_definitions")
    registry.allow_public(PROGRESS_PAGES, when=public_progress_pages_on)
    registry.add_nav_item("site.programmes", "Programmes", 5, is_signed_in)
    registry.add_nav_item("programme.overview", "Overview", 10, may_read_progress, scope="programme")
    registry.add_nav_item(
        "updates.my_actions",
        "My actions",
        15,
        lambda user: is_lead_or_admin(user, current_programme_id()),
        scope="programme",
    )
    registry.add_nav_item("programme.action_list", "Actions", 20, may_read_progress, scope="programme")
    registry.add_nav_item("meetings.meeting_list", "Board meetings", 22, may_read_progress, scope="programme")
    registry.add_nav_item(
        "structure.index",
        "Structure",
        70,
        lambda user: can_manage_programme(user, current_programme_id()),
        scope="programme",
    )
    registry.add_audit_labels(AUDIT_LABELS)
