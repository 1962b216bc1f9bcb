"""Time a plan import of 5,000 actions, as `flask import plan` runs it, into a fresh database.

    .venv/bin/python bench/plan_import.py [--actions 5000] [--database URL]

Builds a workbook in memory (20 workstreams, 250 projects, --actions actions spread over them,
leads from 60 people, UK text dates and Excel dates, statuses as words and initials), then times:

* the preview into the empty programme (read the workbook and plan; nothing written);
* the first import: read, plan, write everything, commit (the confirmation does this);
* a re-import of the same file (everything matched, nothing written).

Without --database it uses a new SQLite file in a temporary folder. Exits 1 if the first import
takes 30 s or more.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_S = 30.0


def workbook(actions: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    projects = book.create_sheet("Projects")
    projects.append(
        [
            "Workstream",
            "Ref",
            "Project",
            "Project Lead",
            "Deliverables include",
            "Impact/benefits",
            "Overall Target Date",
            "Contributes to",
            "Status",
        ]
    )
    for number in range(250):
        workstream = f"W{number % 20 + 1}"
        projects.append(
            [
                f"Workstream {workstream}: Theme {number % 20 + 1}",
                f"{workstream}.P{number}",
                f"Project {number}",
                f"Assistant Director {number % 60}",
                "Deliverable one\nDeliverable two",
                "Better services",
                date(2027, 3, 31) + timedelta(days=number),
                "A BOLD SAFE BIRMINGHAM",
                "Amber",
            ]
        )
    sheet = book.create_sheet("Actions")
    sheet.append(["Project Ref", "Ref", "Action", "Lead", "Deadline", "Status", "Progress"])
    statuses = ["Grey", "A", "G", "Red", "amber"]
    for number in range(actions):
        project = number % 250
        deadline = date(2027, 1, 1) + timedelta(days=number % 700)
        written = deadline.strftime("%d/%m/%y") if number % 2 else deadline
        sheet.append(
            [
                f"W{project % 20 + 1}.P{project}",
                f"W{project % 20 + 1}.P{project}.{number}",
                f"Action {number}",
                f"Assistant Director {number % 60}",
                written,
                statuses[number % 5],
                "Under way" if number % 3 else "",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actions", type=int, default=5000)
    parser.add_argument("--database", default=None, help="a database URL (default: a new SQLite file)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="tracker-bench-import-"))
    os.environ.setdefault("TRACKER_INSTANCE_PATH", str(folder / "instance"))
    from tracker import create_app
    from tracker.extensions import db
    from tracker.imports.plan import plan_import
    from tracker.imports.rows import read_plan
    from tracker.imports.service import import_plan
    from tracker.programme.programmes import ProgrammeDetails, create_programme
    from tracker.spreadsheets.reading import read_upload

    url = args.database or f"sqlite:///{folder / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "REDIS_URL": ""})
    data = workbook(args.actions)
    print(f"Workbook: {args.actions:,} actions, 250 projects, {len(data) / 1024:.0f} kB; database {url.split(':')[0]}")
    with app.app_context():
        db.drop_all()
        db.create_all()
        programme = create_programme(
            None, ProgrammeDetails("Bench programme", "bench", reference_board_date=date(2027, 1, 1)), command_line=True
        )
        db.session.commit()

        started = time.perf_counter()
        plan_import(read_plan(read_upload(data, "bench.xlsx")), programme)
        print(
            f"Preview into the empty programme (read and plan, nothing written): {time.perf_counter() - started:.1f} s"
        )

        started = time.perf_counter()
        plan = import_plan(data, "bench.xlsx", programme, None, command_line=True)
        db.session.commit()
        first = time.perf_counter() - started
        print(f"First import (read, plan, write, commit): {first:.1f} s — {plan.summary()}")

        started = time.perf_counter()
        again = import_plan(data, "bench.xlsx", programme, None, command_line=True)
        db.session.commit()
        print(f"Re-import of the same file: {time.perf_counter() - started:.1f} s — {again.summary()}")
        db.session.remove()  # end the last read's transaction, or dropping the tables waits on it
        db.drop_all()
        db.engine.dispose()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    ok = first < TARGET_S
    print(f"Target: first import under {TARGET_S:.0f} s: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
