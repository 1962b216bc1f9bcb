"""Many people saving updates to the same few actions at once: no update lost, no error, on a real server.

    .venv/bin/python bench/concurrency.py [--clients 20] [--actions 10] [--duration 300]
                                          [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/DBNAME]

Serves the bench programme with gunicorn (4 sync workers, as bench/throughput.py does, on the same
database copy) and runs --clients threads for --duration seconds. Each, over and over, opens the
update form of one of --actions actions of project B1 (reading the version it shows), and saves a
progress note no one else writes ("run-1a2b3c4d c7 n42") through the form, as a lead does. Two clients saving
from the same version race: one is saved (303/302 to the action page), the other must be refused
with 409 (the conflict page) and nothing of it saved.

Then it checks, in the database, that the progress notes the history holds for those actions are
exactly the acknowledged ones (every acknowledged save is there; no refused one is), and that no
answer was a 5xx and the server's log holds no "database is locked" and no traceback. Exits 1 if
any of that fails.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field

from benchdb import VIEWER_PASSWORD, WRITER_EMAIL, csrf_token_from
from throughput import (
    NoRedirect,
    database_environ,
    free_port,
    open_database,
    prepare,
    session_cookie,
    start_gunicorn,
    stop_gunicorn,
)


@dataclass
class Tally:
    """What the clients were told, shared between their threads."""

    acknowledged: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)
    answers: Counter[int] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, note: str, status: int) -> None:
        with self.lock:
            self.answers[status] += 1
            if status in (302, 303):
                self.acknowledged.add(note)
            elif status == 409:
                self.refused.add(note)


def action_refs(count: int) -> list[str]:
    """The slugs of the first actions of project B1 (the ones the clients fight over)."""
    from sqlalchemy import select

    from tracker import create_app
    from tracker.extensions import db
    from tracker.programme.models import Action, Programme, Project

    app = create_app()
    with app.app_context():
        slugs = db.session.scalars(
            select(Action.slug)
            .join(Project, Action.project_id == Project.id)
            .join(Programme, Project.programme_id == Programme.id)
            .where(Programme.short_name == "scale", Project.ref == "B1", Action.archived_at.is_(None))
            .order_by(Action.position, Action.ref_sort)
            .limit(count)
        ).all()
        db.engine.dispose()
    return list(slugs)


def _value(page: str, element_id: str) -> str:
    """The value of the input with that id ("" when it has none)."""
    tag = re.search(rf'<input[^>]*\bid="{element_id}"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return html.unescape(value.group(1)) if value else ""


def _selected_status(page: str) -> str:
    match = re.search(r'name="status" type="radio" value="([a-z]+)" checked', page)
    return match.group(1) if match else "amber"


def save_once(base: str, cookie: str, slug: str, note: str, tally: Tally) -> None:
    """Open the update form, then save a new progress note from the version it showed."""
    opener = urllib.request.build_opener(NoRedirect)
    url = f"{base}/p/scale/actions/{slug}/update"
    with opener.open(urllib.request.Request(url, headers={"Cookie": cookie}), timeout=30) as response:
        page = response.read().decode()
    # A GOV.UK date is three inputs of one name (day, month, year), sent in that order.
    form = [
        ("csrf_token", csrf_token_from(page)),
        ("version", _value(page, "version")),
        ("status", _selected_status(page)),
        ("progress_note", note),
        *(("deadline", _value(page, f"deadline-{part}")) for part in ("day", "month", "year")),
        *(("completed_on", _value(page, f"completed_on-{part}")) for part in ("day", "month", "year")),
    ]
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(), headers={"Cookie": cookie})
    try:
        with opener.open(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as answer:
        status = answer.code
    tally.record(note, status)


def with_csrf_secret(base: str, cookie: str, slug: str) -> str:
    """The session cookie once it holds the session's CSRF secret: the first form a session opens adds it
    (in a new cookie), and every client shares this one session, so they must all send that cookie."""
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(f"{base}/p/scale/actions/{slug}/update", headers={"Cookie": cookie})
    with opener.open(request, timeout=30) as response:
        set_cookie = response.headers.get("Set-Cookie", "")
    return set_cookie.split(";", 1)[0] or cookie


def client(run: str, number: int, base: str, cookie: str, slugs: list[str], until: float, tally: Tally) -> None:
    n = 0
    while time.monotonic() < until:
        save_once(base, cookie, slugs[(number + n) % len(slugs)], f"{run} c{number} n{n}", tally)
        n += 1


def notes_in_history(slugs: list[str], run: str) -> set[str]:
    """Every progress note of this run the history records for those actions."""
    from sqlalchemy import select

    from tracker import create_app
    from tracker.extensions import db
    from tracker.history.models import ChangeRecord
    from tracker.programme.models import Action, Programme

    app = create_app()
    with app.app_context():
        ids = db.session.scalars(
            select(Action.id).join(Programme).where(Programme.short_name == "scale", Action.slug.in_(slugs))
        ).all()
        notes = db.session.scalars(
            select(ChangeRecord.new_value).where(
                ChangeRecord.item_type == "action", ChangeRecord.item_id.in_(ids), ChangeRecord.field == "progress_note"
            )
        ).all()
        db.engine.dispose()
    return {note for note in notes if note and note.startswith(run + " ")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--actions", type=int, default=10)
    parser.add_argument("--duration", type=int, default=300, help="seconds")
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--dir", default=None)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    target = open_database(args)
    setup = prepare(target)
    import os

    os.environ.update(database_environ(target))
    slugs = action_refs(args.actions)
    run = f"run-{uuid.uuid4().hex[:8]}"  # every note of this run is new: earlier runs wrote to the same actions
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(target, port)
    tally = Tally()
    started = time.monotonic()
    try:
        cookie = with_csrf_secret(base, session_cookie(base, WRITER_EMAIL, VIEWER_PASSWORD), slugs[0])
        until = time.monotonic() + args.duration
        threads = [
            threading.Thread(target=client, args=(run, n, base, cookie, slugs, until, tally))
            for n in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        stop_gunicorn(server)
    elapsed = time.monotonic() - started
    saved = notes_in_history(slugs, run)
    log = (target.folder / "gunicorn.log").read_text(errors="replace")

    lost = tally.acknowledged - saved
    saved_but_refused = saved & tally.refused
    saved_unacknowledged = saved - tally.acknowledged
    errors = {status: count for status, count in tally.answers.items() if status >= 500}
    other = {status: count for status, count in tally.answers.items() if status not in (302, 303, 409) and status < 500}
    locked = log.count("database is locked")
    tracebacks = log.count("Traceback")
    checks = {
        "every acknowledged save is in the history": not lost,
        "no refused save is in the history": not saved_but_refused and not saved_unacknowledged,
        "no 5xx answer": not errors,
        "no other answer (a form shown again, a 4xx other than 409)": not other,
        'no "database is locked" in the log': locked == 0,
        "no traceback in the log": tracebacks == 0,
    }
    print()
    print(
        f"{args.clients} clients saving progress notes on the same {len(slugs)} actions for {elapsed:.0f} s "
        f"({setup.database}, gunicorn 4 sync workers): {sum(tally.answers.values()):,} saves tried, "
        f"{len(tally.acknowledged):,} acknowledged, {len(tally.refused):,} refused with 409; "
        f"answers {dict(sorted(tally.answers.items()))}; {len(saved):,} new notes in the history; "
        f'log: {locked} "database is locked", {tracebacks} tracebacks'
    )
    for check, passed in checks.items():
        print(f"  {'PASS' if passed else 'FAIL'}  {check}")
    if lost:
        print(f"  lost: {sorted(lost)[:10]}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
