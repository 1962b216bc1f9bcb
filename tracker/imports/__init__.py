"""Plan import: a programme's workstreams, projects and actions from an Excel workbook or CSV file.

Preview first (created, updated, unchanged; or every problem by sheet, row and column), then all
or nothing. The upload pages are the programme office's; ``flask import plan`` does the same from
the command line. Reading the file is ``tracker.spreadsheets.reading``'s job.
"""

from __future__ import annotations

from flask import Flask

AUDIT_LABELS = {"plan_imported": "Plan imported"}


def init_app(app: Flask) -> None:
    """Register the import pages, the `import plan` command and the audit label."""
    from tracker.core.registry import registry_of
    from tracker.imports import cli
    from tracker.imports.views import bp

    app.register_blueprint(bp)
    cli.register(app)
    registry_of(app).add_audit_labels(AUDIT_LABELS)
