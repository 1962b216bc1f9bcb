"""The demo: a real council programme transcribed once, and a large synthetic one for benchmarks."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from tracker.demo import cli

    cli.register(app)
