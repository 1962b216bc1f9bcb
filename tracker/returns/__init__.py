"""Update returns by spreadsheet: a workbook per lead for an update round, filled in and uploaded back."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the return pages and downloads, their audit label, and their panels (round page, My actions)."""
    from flask_login import current_user

    from tracker.core.registry import registry_of
    from tracker.returns import views
    from tracker.returns.permissions import may_use_returns
    from tracker.returns.services import AUDIT_LABELS

    app.register_blueprint(views.bp)
    registry = registry_of(app)
    registry.add_audit_labels(AUDIT_LABELS)
    registry.add_page_panel("round", "returns/_round_panel.html", 10)
    # After the board's list of updates owed this round (order 10): the same updates, as one workbook.
    registry.add_page_panel("my_actions", "returns/_my_actions_panel.html", 20)
    app.jinja_env.globals["may_use_returns"] = lambda meeting, lead_ids: may_use_returns(
        current_user, meeting.programme_id, lead_ids
    )
