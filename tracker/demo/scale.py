"""Build a large synthetic programme for benchmarks, with Core bulk inserts.

The programme is called ``scale`` and sits beside any others (the demo's, real ones): every row it
inserts names it, and every read it makes is limited to it or to the people it added.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from tracker.core.maintenance import refresh_planner_statistics
from tracker.core.refs import natural_sort_key, ref_slug
from tracker.extensions import db
from tracker.people.models import Person
from tracker.programme.data_version import bump_data_version
from tracker.programme.models import Action, Programme, Project, ProjectAmbition, Workstream
from tracker.programme.status import Ambition, Status

STATUS_WEIGHTS = {Status.BLUE: 5, Status.GREEN: 12, Status.AMBER: 50, Status.RED: 6, Status.GREY: 27}


SHORT_NAME = "scale"


class ProgrammeNotEmpty(Exception):
    pass


def build_synthetic_programme(workstreams: int, projects: int, actions: int, today: date, seed: int = 2023) -> None:
    """Create the programme ``scale`` of the given size beside any others; refuse if it already exists."""
    if db.session.scalar(select(func.count()).select_from(Programme).where(Programme.short_name == SHORT_NAME)):
        raise ProgrammeNotEmpty(
            f"This database already holds a programme called {SHORT_NAME}; the synthetic one is built only once."
        )
    rng = random.Random(seed)
    programme = Programme(short_name=SHORT_NAME)
    programme.name = "Synthetic improvement programme"
    programme.vision = "A large generated programme for measuring the tracker's speed."
    programme.board_name = "Programme board"
    programme.board_cycle_weeks = 6
    programme.reference_board_date = today - timedelta(days=14)
    db.session.add(programme)
    db.session.flush()

    pid = programme.id

    # People are shared by the installation: add the synthetic leads that are missing, then use only them.
    people_rows = [{"name": f"Lead {n:03d}", "job_title": f"Assistant Director {n:03d}"} for n in range(1, 61)]
    names = [row["name"] for row in people_rows]
    existing = set(db.session.scalars(select(Person.name).where(Person.name.in_(names))))
    if missing_people := [row for row in people_rows if row["name"] not in existing]:
        db.session.execute(insert(Person), missing_people)
    person_ids = db.session.scalars(select(Person.id).where(Person.name.in_(names)).order_by(Person.name)).all()

    ws_rows: list[dict[str, Any]] = []
    for n in range(workstreams):
        ref = _letters(n)
        ws_rows.append(
            {
                "programme_id": pid,
                "ref": ref,
                "ref_sort": natural_sort_key(ref),
                "slug": ref_slug(ref),
                "title": f"Workstream {ref}",
                "description": "",
                "position": n,
                "reported_separately_by": "Partner board" if n == workstreams - 1 else None,
            }
        )
    db.session.execute(insert(Workstream), ws_rows)
    ws_ids = dict(db.session.execute(select(Workstream.ref, Workstream.id).where(Workstream.programme_id == pid)).all())

    project_rows = []
    for n in range(projects):
        ws_ref = ws_rows[n % workstreams]["ref"]
        ref = f"{ws_ref}{n // workstreams + 1}"
        project_rows.append(
            {
                "programme_id": pid,
                "ref": ref,
                "ref_sort": natural_sort_key(ref),
                "slug": ref_slug(ref),
                "workstream_id": ws_ids[ws_ref],
                "title": f"Project {ref}",
                "lead_id": rng.choice(person_ids),
                "deliverables": "",
                "impact": "",
                "target_date": today + timedelta(days=rng.randint(-120, 500)),
                "status": _status(rng),
                "progress": "",
                "next_steps": "",
                "position": n,
                "version": 1,
            }
        )
    db.session.execute(insert(Project), project_rows)
    project_ids = dict(
        db.session.execute(
            select(Project.ref, Project.id).where(Project.programme_id == pid).order_by(Project.id)
        ).all()
    )
    ambitions = list(Ambition)
    db.session.execute(
        insert(ProjectAmbition),
        [{"project_id": pid, "ambition": rng.choice(ambitions)} for pid in project_ids.values()],
    )

    action_rows = []
    project_refs = list(project_ids)
    for n in range(actions):
        project_ref = project_refs[n % len(project_refs)]
        ref = f"{project_ref}.{n // len(project_refs) + 1}"
        status = _status(rng)
        start = today + timedelta(days=rng.randint(-400, 60))
        deadline = start + timedelta(days=rng.randint(7, 400))
        completed = min(today, deadline) if status.is_complete else None
        if completed and completed < start:
            completed = start
        action_rows.append(
            {
                "programme_id": pid,
                "ref": ref,
                "ref_sort": natural_sort_key(ref),
                "slug": ref_slug(ref),
                "project_id": project_ids[project_ref],
                "title": f"Action {ref}",
                "lead_id": rng.choice(person_ids),
                "start_date": start,
                "deadline": deadline,
                "status": status,
                "completed_on": completed,
                "progress_note": "",
                "position": n,
                "version": 1,
            }
        )
    for offset in range(0, len(action_rows), 5000):
        db.session.execute(insert(Action), action_rows[offset : offset + 5000])
    bump_data_version(db.session)
    db.session.commit()
    refresh_planner_statistics()


def _status(rng: random.Random) -> Status:
    return rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]


def _letters(n: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: workstream refs for any number of workstreams."""
    text = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        text = chr(65 + rest) + text
    return text
