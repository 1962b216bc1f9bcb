"""The six-weekly board cycle: update rounds and reminders, frozen boards, movement and data quality."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the board cycle's pages, menu entries, audit labels and commands."""
    import tracker.board.models  # noqa: F401
    from tracker.board import round_cli, round_views, snapshot_cli, snapshot_views

    snapshot_views.register(app)  # frozen boards, movement and data quality (pages, audit label, menu entry)
    snapshot_cli.register(app)  # flask board freeze / movement
    round_views.register(app)  # update rounds: the round page, its audit label, My actions' and item pages' globals
    round_cli.register(app)  # flask reminders send, flask board open-round
