"""The kernel every domain builds on: clock, model mixins, service errors, form bases, registry,
database set-up, cache, templates and error pages. It imports no domain."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader


def init_app(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    from tracker.core import backup_cli, cache, database, error_pages, proxy, request_log, security, templating
    from tracker.core.health import bp as health_bp
    from tracker.core.limits import init_limits
    from tracker.core.registry import init_registry
    from tracker.core.web import IsoDateConverter
    from tracker.extensions import csrf, db, login_manager, migrate

    registry = init_registry(app)
    app.url_map.converters["isodate"] = IsoDateConverter
    project_root: Path = app.config["PROJECT_ROOT"]
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(project_root / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    templating.register(app)

    db.init_app(app)
    database.configure_engine(app)
    migrate.init_app(app, db, directory=str(project_root / "migrations"), render_as_batch=True)
    backup_cli.register(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    cache.init_cache(app)
    init_limits(app)

    app.register_blueprint(health_bp)
    registry.allow_anonymous("health.healthz", "health.readyz")
    error_pages.register(app)
    security.register(app)
    request_log.register(app)
    proxy.register(app)
