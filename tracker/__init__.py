"""Improvement programme tracker: a Flask application for programme boards and their leads."""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType

from flask import Flask

from tracker import (
    api,
    audit,
    auth,
    board,
    core,
    demo,
    exports,
    history,
    imports,
    kpis,
    pack,
    people,
    programme,
    returns,
    risks,
    search,
)
from tracker.config import default_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Each domain registers its own models, pages, menu entries, audit labels and commands in its
# init_app(app). Order matters only where a request hook must run before another: sessions
# (auth) end expired sign-ins before the sign-in guard looks at the user.
DOMAINS: tuple[ModuleType, ...] = (
    core,
    people,
    auth,
    audit,
    history,
    programme,
    kpis,
    risks,
    board,
    pack,
    search,
    imports,
    exports,
    returns,
    api,
    demo,
)


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
    app.config["PROJECT_ROOT"] = PROJECT_ROOT
    for domain in DOMAINS:
        domain.init_app(app)
    return app
