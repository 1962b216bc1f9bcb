"""The demo: two real council programmes transcribed once (children, education), and a large synthetic one."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from tracker.demo import cli

    cli.register(app)
