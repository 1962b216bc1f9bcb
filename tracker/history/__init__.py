"""Item history: every change to a historied model, kept append-only and shown as a timeline."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Load the history model, with its append-only guards."""
    import tracker.history.models  # noqa: F401 - the append-only guards on ChangeRecord
