"""Improvement programme tracker: a Flask application for programme boards and their leads."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from tracker.config import default_config
from tracker.extensions import csrf, db, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application; test_config replaces instance/config.py for tests."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("TRACKER_INSTANCE_PATH", str(PROJECT_ROOT / "instance")),
        instance_relative_config=True,
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(default_config(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)

    register_templates(app)
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    return app


def register_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
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
    from govuk_frontend_wtf.main import WTFormsHelpers

    WTFormsHelpers(app)
    from tracker import template_helpers

    template_helpers.register(app)


def register_extensions(app: Flask) -> None:
    from tracker import cache, database

    db.init_app(app)
    database.configure_engine(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    cache.init_cache(app)
    # Import models so that metadata, migrations and the data-version listener see them all.
    import tracker.data_version  # noqa: F401
    import tracker.models  # noqa: F401
    from tracker.auth import access, sessions

    # Order matters: expired sessions are ended before the sign-in guard looks at the user.
    sessions.register(app)
    access.register(app)


def register_blueprints(app: Flask) -> None:
    from tracker import errors
    from tracker.health import bp as health_bp
    from tracker.programme.views import bp as programme_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(programme_bp)
    from tracker.programme.admin_views import bp as structure_bp
    from tracker.programme.update_views import bp as updates_bp

    app.register_blueprint(updates_bp)
    app.register_blueprint(structure_bp)
    from tracker.audit.views import bp as audit_bp
    from tracker.auth.admin_views import bp as people_bp
    from tracker.auth.views import bp as auth_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(audit_bp)
    from tracker.kpis.views import bp as kpis_bp

    app.register_blueprint(kpis_bp)
    errors.register(app)


def register_cli(app: Flask) -> None:
    from tracker import cli

    cli.register(app)
