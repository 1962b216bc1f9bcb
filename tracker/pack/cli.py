"""`flask report board-pack`: write a board pack (PDF or web page) to a file."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app, render_template
from flask.cli import with_appcontext

from tracker.board.snapshot_cli import meeting_named, meeting_option, programme_named, programme_option
from tracker.core.clock import today
from tracker.core.registry import cli_group
from tracker.pack.pdf import render_pdf
from tracker.pack.queries import latest_frozen_meeting, live_pack, pack_for_meeting
from tracker.programme.status import Status


@click.command("board-pack")
@programme_option
@meeting_option
@click.option("--format", "fmt", type=click.Choice(["pdf", "html"]), default="pdf", show_default=True)
@click.option("--no-appendix", is_flag=True, help="Leave out the data-quality findings.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="The file to write.")
@with_appcontext
def board_pack_command(short_name: str | None, meets_on: str | None, fmt: str, no_appendix: bool, out: str) -> None:
    """Write the board pack: the named meeting, else the latest frozen board, else the live position."""
    from tracker.pack.views import status_chart

    programme = programme_named(short_name)
    meeting = meeting_named(programme, meets_on) if meets_on else latest_frozen_meeting(programme)
    with click.progressbar(length=2, label="Building the board pack", file=None) as bar:
        if meeting is None:
            pack = live_pack(programme, today(), no_appendix=no_appendix)
        else:
            pack = pack_for_meeting(programme, meeting, today(), no_appendix=no_appendix)
        bar.update(1)
        if fmt == "pdf":
            data = render_pdf(pack)
        else:
            css = (Path(current_app.static_folder or "") / "app.css").read_text(encoding="utf-8")
            html = render_template("pack/standalone.html", pack=pack, chart=status_chart(pack), Status=Status, css=css)
            data = html.encode("utf-8")
        bar.update(1)
    with open(out, "wb") as handle:
        handle.write(data)
    click.echo(f"Wrote {pack.title} ({pack.source_line}) to {out}.")


def register(app: Flask) -> None:
    cli_group(app, "report", "Reports: the board pack.").add_command(board_pack_command)
