"""Load the demo programme from tracker/demo/data/programme.json (idempotent, by ref).

The plan is the one reported to its board on 17 March 2023. Every date is shifted by the
same whole number of board cycles so that the 17 March 2023 board becomes the most recent
board before today: the demo then reads as "the programme as its last board saw it",
with real overdue items and items due before the next board, rather than everything late.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from tracker.core.maintenance import refresh_planner_statistics
from tracker.extensions import db
from tracker.people.models import Person
from tracker.programme.models import Action, Programme, Project, Workstream
from tracker.programme.status import Ambition, Status

DATA_DIR = Path(__file__).parent / "data"


@dataclass
class DemoLoadResult:
    shift: timedelta
    workstreams: int
    projects: int
    actions: int
    people: int


def demo_date_shift(reference_board: date, cycle_weeks: int, today: date) -> timedelta:
    """Return the whole-cycle shift that moves reference_board to the last board on or before today."""
    cycle_days = cycle_weeks * 7
    cycles = max(0, (today - reference_board).days // cycle_days)
    return timedelta(days=cycles * cycle_days)


def _date(value: str | None, shift: timedelta) -> date | None:
    return date.fromisoformat(value) + shift if value else None


def load_demo_programme(today: date, path: Path = DATA_DIR / "programme.json") -> DemoLoadResult:
    """Create or update the demo programme so that loading it again changes nothing twice."""
    data = json.loads(path.read_text(encoding="utf-8"))
    spec = data["programme"]
    reference = date.fromisoformat(spec["reference_board_date"])
    shift = demo_date_shift(reference, spec["board_cycle_weeks"], today)

    programme = db.session.scalars(select(Programme).limit(1)).first() or Programme()
    programme.name = spec["name"]
    programme.vision = spec["vision"]
    programme.board_name = spec["board_name"]
    programme.board_cycle_weeks = spec["board_cycle_weeks"]
    programme.reference_board_date = reference + shift
    db.session.add(programme)

    people = {p.name: p for p in db.session.scalars(select(Person))}
    for entry in data["people"]:
        person = people.get(entry["name"]) or Person(name=entry["name"])
        person.job_title = entry.get("job_title", "")
        db.session.add(person)
        people[person.name] = person

    workstreams = {w.ref: w for w in db.session.scalars(select(Workstream))}
    for position, entry in enumerate(data["workstreams"]):
        ws = workstreams.get(entry["ref"]) or Workstream(ref=entry["ref"])
        ws.title = entry["title"]
        ws.description = entry.get("description", "")
        ws.parent = workstreams[entry["parent"]] if entry.get("parent") else None
        ws.reported_separately_by = entry.get("reported_separately_by")
        ws.position = position
        db.session.add(ws)
        workstreams[ws.ref] = ws

    projects = {p.ref: p for p in db.session.scalars(select(Project))}
    actions = {a.ref: a for a in db.session.scalars(select(Action))}
    action_count = 0
    for position, entry in enumerate(data["projects"]):
        project = projects.get(entry["ref"]) or Project(ref=entry["ref"])
        project.workstream = workstreams[entry["workstream"]]
        project.title = entry["title"]
        project.lead = people.get(entry["lead"])
        project.deliverables = "\n".join(entry.get("deliverables", []))
        project.impact = entry.get("impact", "")
        project.target_date = _date(entry.get("target_date"), shift)
        project.status = Status(entry["status"])
        project.progress = entry.get("progress", "")
        project.next_steps = entry.get("next_steps", "")
        project.position = position
        project.ambitions = [Ambition(a) for a in entry.get("ambitions", [])]
        db.session.add(project)
        for action_position, item in enumerate(entry.get("actions", [])):
            action = actions.get(item["ref"]) or Action(ref=item["ref"])
            action.project = project
            action.title = item["title"]
            action.lead = people.get(item.get("lead") or entry["lead"])
            action.start_date = _date(item.get("start_date"), shift)
            action.deadline = _date(item.get("deadline"), shift)
            action.status = Status(item["status"])
            action.completed_on = _date(item.get("completed_on"), shift)
            action.progress_note = item.get("progress_note", "")
            action.position = action_position
            db.session.add(action)
            action_count += 1
    db.session.commit()
    refresh_planner_statistics()
    return DemoLoadResult(shift, len(data["workstreams"]), len(data["projects"]), action_count, len(data["people"]))
