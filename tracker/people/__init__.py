"""People: the leads named on items, with or without a login."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Load the Person model."""
    import tracker.people.models  # noqa: F401
