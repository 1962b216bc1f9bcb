"""The demo programmes: add what is missing, or reset them explicitly.

The demo holds two real plans, each a programme of its own (``DEMO_PROGRAMMES``):

* ``children``: Improving Services for Children and Families, as reported to its board on
  17 March 2023 (tracker/demo/data/programme.json, kpis.csv, kpi_values.csv);
* ``education``: the Education Delivery and Improvement Plan 2017-18, with its Senior Leadership
  Team's assumed board of 18 October 2017 and a two-week cycle (tracker/demo/data/education_2017/).

Every date of a plan is shifted by the same whole number of its board cycles, so that its
seed board becomes the most recent board before today: the demo then reads as "the programme
as its last board saw it", with real overdue items and items due before the next board, rather
than everything late. Narrative that names a year ("later in 2017", "2016-17") would then
contradict the shifted deadlines beside it, so a progress note, progress or next steps naming a
year is given the (unshifted) date it was reported: "As reported to the board of 17 March 2023: ...".

Every item is found by (programme, ref): the two plans may use the same refs. People are shared
across the installation.

Two ways in, and only two:

``load_demo_programme`` only ADDS what is missing, matched by ref. Anything already there is left
exactly as it is, whoever changed it: a lead's update, a changed deadline, an archived item, a
renamed item, the programme's own settings. A demo item that was deleted or renamed through the
app is not added back (the audit log and the history say so), and nothing is added to an archived
workstream or project. Loading again therefore never contradicts an item's history.

``reset_demo_programme`` restores the demo's items to the transcribed plan. History is
append-only, so a reset does not remove it: every field it puts back is recorded as an ordinary
history entry made by "the system" (no user), with the reason ``RESET_NOTE``, and
status changes go to the audit log as a lead's would. An item's page and its history then always
agree. Items the programme office added are left alone; demo items deleted through the app are
created again.

The demo's KPIs and its three accounts follow the same two rules: ``load_demo_kpis`` and
``load_demo_accounts`` add only what is missing; ``reset_demo_kpis`` imports the demo files again
(through the importer and ``save_value``, so a replaced value stays in the KPI's value history) and
``reset_demo_accounts`` gives the demo accounts back their role, keeping changed passwords unless asked.
The demo lead also shows roles per programme: a lead in ``children``, a viewer in ``education``
(``DEMO_PROGRAMME_ROLES``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import func, select

from tracker.audit.models import AuditEvent
from tracker.audit.services import record_audit_event
from tracker.auth.cli import DEMO_ACCOUNTS
from tracker.auth.models import ProgrammeRole, Role, User
from tracker.auth.passwords import verify_password
from tracker.auth.services import (
    AccountDetails,
    DemoAccount,
    create_user,
    reactivate_user,
    set_password,
    update_user,
    user_by_email,
)
from tracker.core.maintenance import refresh_planner_statistics
from tracker.extensions import db
from tracker.history.models import ChangeRecord
from tracker.history.services import FieldChange, record_changes
from tracker.kpis.importer import ImportSummary, import_kpi_values, import_kpis
from tracker.kpis.models import Kpi, KpiValue
from tracker.kpis.numbers import parse_date
from tracker.people.models import Person
from tracker.people.queries import person_named
from tracker.programme.models import Action, Programme, Project, Workstream
from tracker.programme.status import Ambition, Status
from tracker.programme.updates import STATUS_CHANGED

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class DemoProgramme:
    """One demo plan: the programme's short name and the folder holding its three files."""

    short_name: str
    folder: Path

    @property
    def plan(self) -> Path:
        return self.folder / "programme.json"

    @property
    def kpis(self) -> Path:
        return self.folder / "kpis.csv"

    @property
    def risks(self) -> Path:
        """The risks and challenges the plan's board report lists (a plan may list none)."""
        return self.folder / "risks.json"

    @property
    def kpi_values(self) -> Path:
        return self.folder / "kpi_values.csv"


CHILDREN = DemoProgramme("children", DATA_DIR)
EDUCATION = DemoProgramme("education", DATA_DIR / "education_2017")
DEMO_PROGRAMMES = (CHILDREN, EDUCATION)

# Roles a demo account holds in one demo programme in place of its own (by email, then short name).
DEMO_PROGRAMME_ROLES: dict[str, dict[str, Role]] = {
    "strategy.director@demo.example.gov.uk": {"education": Role.VIEWER},
}

RESET_NOTE = "Restored to the demo plan by flask demo reset"
# History has no "unarchived" field: a reset that brings an archived demo item back records this one.
ARCHIVE_STATE = "archive_state"
KINDS = ("workstreams", "projects", "actions", "people")
# The fields that report progress in words; one naming a year is given the date it was reported.
NARRATIVE_FIELDS = ("progress", "next_steps", "progress_note")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")

Item = Workstream | Project | Action
ItemModel = type[Workstream] | type[Project] | type[Action]


def demo_programme(short_name: str) -> DemoProgramme:
    """Return the demo plan with this short name (KeyError for any other name)."""
    return {demo.short_name: demo for demo in DEMO_PROGRAMMES}[short_name]


def demo_date_shift(reference_board: date, cycle_weeks: int, today: date) -> timedelta:
    """Return the whole-cycle shift that moves reference_board to the last board on or before today."""
    cycle_days = cycle_weeks * 7
    cycles = max(0, (today - reference_board).days // cycle_days)
    return timedelta(days=cycles * cycle_days)


def board_wording(board: date) -> str:
    """Return 'As reported to the board of 17 March 2023'."""
    return f"As reported to the board of {board.day} {board:%B %Y}"


def as_reported(text: str, board: date, shift: timedelta) -> str:
    """Date narrative that names a year with the board it was reported to, once the plan's dates are shifted.

    A shifted deadline beside "due to be finalised later in 2017" would contradict it; "As reported to
    the board of 18 October 2017: due to be finalised later in 2017" does not. Unshifted text, and text
    naming no year, is returned as it is.
    """
    if not shift or not _YEAR.search(text):
        return text
    return f"{board_wording(board)}: {text}"


def _date(value: str | None, shift: timedelta) -> date | None:
    return date.fromisoformat(value) + shift if value else None


def _read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _find_programme(short_name: str) -> Programme | None:
    return db.session.scalars(select(Programme).where(Programme.short_name == short_name)).first()


# --- finding the demo's items as they are now ----------------------------------------------------


_DELETED = re.compile(r"^(Workstream|Project|Action) (\S+) deleted: (.*)$", re.DOTALL)


class _Items:
    """One programme's items of one kind, found by a demo ref even after a rename."""

    def __init__(self, model: ItemModel, programme: Programme, deleted: set[str]) -> None:
        self.model = model
        rows = cast("list[Item]", db.session.scalars(select(model).where(model.programme_id == programme.id)).all())
        self.by_ref: dict[str, Item] = {item.ref.lower(): item for item in rows}
        by_id = {item.id: item for item in self.by_ref.values()}
        # An item renamed through the app keeps its old ref in history: the demo ref still means it.
        # The history names an item by id, so only this programme's renames are found.
        renames = db.session.execute(
            select(ChangeRecord.old_value, ChangeRecord.item_id)
            .where(ChangeRecord.item_type == model.history_type, ChangeRecord.field == "ref")
            .order_by(ChangeRecord.id)
        )
        self.renamed: dict[str, Item] = {
            (old or "").lower(): by_id[item_id] for old, item_id in renames if item_id in by_id
        }
        self.deleted = deleted

    def find(self, ref: str) -> Item | None:
        """Return the item the demo calls ref: the one holding the ref now, else the one renamed from it."""
        key = ref.lower()
        return self.by_ref.get(key) or self.renamed.get(key)

    def removed(self, ref: str) -> bool:
        """Say whether the app deleted the item with this ref (and nothing holds the ref now)."""
        return ref.lower() in self.deleted and self.find(ref) is None

    def add(self, item: Item) -> None:
        self.by_ref[item.ref.lower()] = item


def _titles(data: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Return the plan's titles by kind and lowercase ref."""
    actions = [item for entry in data["projects"] for item in entry.get("actions", [])]
    return {
        "Workstream": {e["ref"].lower(): e["title"].strip() for e in data["workstreams"]},
        "Project": {e["ref"].lower(): e["title"].strip() for e in data["projects"]},
        "Action": {e["ref"].lower(): e["title"].strip() for e in actions},
    }


def _deleted_refs(data: dict[str, Any]) -> dict[str, set[str]]:
    """Return the plan's refs the programme office deleted, by kind, from the (append-only) audit log.

    The audit entry reads "Action A1.1 deleted: <title>" and does not name the programme. Only an item
    without history may be deleted, so a deleted demo item still had the plan's title: an entry counts
    for this plan when its ref and title are both the plan's. (Two plans with the same ref and the same
    title would share the memory; the demo's two plans share neither.)
    """
    titles = _titles(data)
    deleted: dict[str, set[str]] = {kind: set() for kind in titles}
    for detail in db.session.scalars(select(AuditEvent.detail).where(AuditEvent.event == "structure_deleted")):
        match = _DELETED.match(detail or "")
        if match:
            kind, ref, title = match.group(1), match.group(2).lower(), match.group(3).strip()
            if titles[kind].get(ref) == title:
                deleted[kind].add(ref)
    return deleted


def _all_items(programme: Programme, data: dict[str, Any]) -> tuple[_Items, _Items, _Items]:
    deleted = _deleted_refs(data)
    return (
        _Items(Workstream, programme, deleted["Workstream"]),
        _Items(Project, programme, deleted["Project"]),
        _Items(Action, programme, deleted["Action"]),
    )


def _people(data: dict[str, Any]) -> tuple[dict[str, Person], int]:
    """Return everyone by lowercase name, adding the plan's people who are missing; and how many were added.

    People are shared by every programme of the installation: a lead named in both plans is one person.
    """
    people = {p.name.lower(): p for p in db.session.scalars(select(Person))}
    added = 0
    for entry in data["people"]:
        if entry["name"].lower() not in people:
            person = Person(name=entry["name"], job_title=entry.get("job_title", ""))
            db.session.add(person)
            people[entry["name"].lower()] = person
            added += 1
    return people, added


def _person(people: dict[str, Person], name: str | None) -> Person | None:
    return people.get(name.lower()) if name else None


def _next_position(model: ItemModel, condition: Any) -> int:
    """Return the position after the last sibling, so that an added item goes to the end."""
    last = db.session.scalar(select(func.max(model.position)).where(condition))
    return 0 if last is None else last + 1


# --- the transcribed state of each item ----------------------------------------------------------


@dataclass(frozen=True)
class _Dates:
    """How a plan's dates are moved, and the (unshifted) board its narrative was reported to."""

    shift: timedelta
    board: date

    def day(self, value: str | None) -> date | None:
        return _date(value, self.shift)

    def text(self, value: str | None) -> str:
        return as_reported(value or "", self.board, self.shift)


def _programme_fields(spec: dict[str, Any], shift: timedelta) -> dict[str, Any]:
    return {
        "name": spec["name"],
        "vision": spec["vision"],
        "board_name": spec["board_name"],
        "board_cycle_weeks": spec["board_cycle_weeks"],
        "reference_board_date": date.fromisoformat(spec["reference_board_date"]) + shift,
    }


def _workstream_fields(
    entry: dict[str, Any], programme: Programme, parent: Workstream | None, position: int
) -> dict[str, Any]:
    return {
        "programme": programme,
        "ref": entry["ref"],
        "title": entry["title"],
        "description": entry.get("description", ""),
        "parent": parent,
        "reported_separately_by": entry.get("reported_separately_by"),
        "position": position,
    }


def _project_fields(
    entry: dict[str, Any], workstream: Workstream, people: dict[str, Person], dates: _Dates, position: int
) -> dict[str, Any]:
    return {
        "ref": entry["ref"],
        "workstream": workstream,
        "title": entry["title"],
        "lead": _person(people, entry.get("lead")),
        "deliverables": "\n".join(entry.get("deliverables", [])),
        "impact": entry.get("impact", ""),
        "target_date": dates.day(entry.get("target_date")),
        "status": Status(entry["status"]),
        "progress": dates.text(entry.get("progress")),
        "next_steps": dates.text(entry.get("next_steps")),
        "position": position,
    }


def _action_fields(
    item: dict[str, Any], project_entry: dict[str, Any], project: Project, people: dict[str, Person], dates: _Dates,
    position: int,
) -> dict[str, Any]:  # fmt: skip
    return {
        "ref": item["ref"],
        "project": project,
        "title": item["title"],
        "lead": _person(people, item.get("lead") or project_entry["lead"]),
        "start_date": dates.day(item.get("start_date")),
        "deadline": dates.day(item.get("deadline")),
        "status": Status(item["status"]),
        "completed_on": dates.day(item.get("completed_on")),
        "progress_note": dates.text(item.get("progress_note")),
        "position": position,
    }


def _ambitions(entry: dict[str, Any]) -> list[Ambition]:
    return [Ambition(a) for a in entry.get("ambitions", [])]


def _dates(spec: dict[str, Any], shift: timedelta) -> _Dates:
    return _Dates(shift, date.fromisoformat(spec["reference_board_date"]))


# --- load: add only what is missing --------------------------------------------------------------


@dataclass
class DemoLoadResult:
    """What the plan holds (``workstreams`` … ``people``), and what a load added or found already there."""

    short_name: str
    shift: timedelta
    workstreams: int
    projects: int
    actions: int
    people: int
    programme_added: bool = False
    added: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    already: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    # Demo refs not added, with why: deleted or renamed through the app, or inside an archived item.
    not_added: list[str] = field(default_factory=list)

    def sentence(self) -> str:
        """Return 'Added 0 workstreams, 0 projects, 0 actions, 0 leads (already there: 7 workstreams, …).'"""

        def counts(numbers: dict[str, int]) -> str:
            return ", ".join(f"{numbers[kind]} {'leads' if kind == 'people' else kind}" for kind in KINDS)

        start = "Created the demo programme. " if self.programme_added else ""
        return f"{start}Added {counts(self.added)} (already there: {counts(self.already)})."


def _programme_shift(programme: Programme | None, spec: dict[str, Any], today: date) -> timedelta:
    """Keep the shift the demo was first loaded with, so that added items match the ones already there."""
    reference = date.fromisoformat(spec["reference_board_date"])
    cycle_days = spec["board_cycle_weeks"] * 7
    if programme is not None and programme.reference_board_date is not None:
        days = (programme.reference_board_date - reference).days
        if days >= 0 and days % cycle_days == 0:
            return timedelta(days=days)
    return demo_date_shift(reference, spec["board_cycle_weeks"], today)


def load_demo_programme(today: date, demo: DemoProgramme = CHILDREN, path: Path | None = None) -> DemoLoadResult:
    """Add the parts of one demo programme that are missing; change nothing that is already there.

    ``path`` replaces the plan's programme.json (a newer transcription, in tests). Commits.
    """
    data = _read(path or demo.plan)
    spec = data["programme"]
    programme = _find_programme(demo.short_name)
    shift = _programme_shift(programme, spec, today)
    dates = _dates(spec, shift)
    result = DemoLoadResult(
        demo.short_name,
        shift,
        len(data["workstreams"]),
        len(data["projects"]),
        sum(len(p.get("actions", [])) for p in data["projects"]),
        len(data["people"]),
    )
    if programme is None:
        programme = Programme(short_name=demo.short_name, **_programme_fields(spec, shift))
        db.session.add(programme)
        db.session.flush()
        result.programme_added = True

    people, result.added["people"] = _people(data)
    result.already["people"] = len(data["people"]) - result.added["people"]
    workstreams, projects, actions = _all_items(programme, data)
    # Items added beside ones already there go at the end; in an empty programme (or inside an
    # item this load created) they keep the plan's order.
    empty = not workstreams.by_ref
    created: set[int] = set()  # id() of the workstreams and projects this load created

    def position(model: ItemModel, container: Item | None, condition: Any, planned: int) -> int:
        keeps_plan = empty if container is None else id(container) in created
        return planned if keeps_plan else _next_position(model, condition)

    def missing(
        items: _Items, ref: str, kind: str, container: Item | None = None, needs_container: bool = False
    ) -> bool:
        """Say whether to add the item; count it as already there, or note why it is not added."""
        if items.find(ref) is not None:
            result.already[kind] += 1
            return False
        if items.removed(ref):
            result.not_added.append(f"{ref} (deleted through the app)")
            return False
        if needs_container and container is None:
            return False  # its parent was deleted or not added: already noted
        if container is not None and container.archived_at is not None:
            result.not_added.append(f"{ref} (in archived {container.ref})")
            return False
        return True

    for planned, entry in enumerate(data["workstreams"]):
        parent = workstreams.find(entry["parent"]) if entry.get("parent") else None
        if not missing(workstreams, entry["ref"], "workstreams", parent, needs_container=bool(entry.get("parent"))):
            continue
        assert parent is None or isinstance(parent, Workstream)
        condition = (
            (Workstream.programme_id == programme.id) & Workstream.parent_id.is_(None)
            if parent is None
            else Workstream.parent_id == parent.id
        )
        at = position(Workstream, parent, condition, planned)
        added = Workstream(**_workstream_fields(entry, programme, parent, at))
        db.session.add(added)
        db.session.flush()
        workstreams.add(added)
        created.add(id(added))
        result.added["workstreams"] += 1

    for planned, entry in enumerate(data["projects"]):
        workstream = workstreams.find(entry["workstream"])
        project = projects.find(entry["ref"])
        if missing(projects, entry["ref"], "projects", workstream, needs_container=True):
            assert isinstance(workstream, Workstream)
            at = position(Project, workstream, Project.workstream_id == workstream.id, planned)
            project = Project(**_project_fields(entry, workstream, people, dates, at))
            project.ambitions = _ambitions(entry)
            db.session.add(project)
            db.session.flush()
            projects.add(project)
            created.add(id(project))
            result.added["projects"] += 1
        for planned_action, item in enumerate(entry.get("actions", [])):
            if not missing(actions, item["ref"], "actions", project, needs_container=True):
                continue
            assert isinstance(project, Project)
            at = position(Action, project, Action.project_id == project.id, planned_action)
            action = Action(**_action_fields(item, entry, project, people, dates, at))
            db.session.add(action)
            actions.add(action)
            result.added["actions"] += 1
        db.session.flush()

    if result.programme_added or any(result.added.values()):
        record_audit_event("demo_loaded", f"Demo programme {demo.short_name} loaded: " + result.sentence())
    db.session.commit()
    if any(result.added.values()):
        refresh_planner_statistics()
    return result


# --- reset: put the transcribed plan back, in the open -------------------------------------------


@dataclass
class DemoResetResult:
    """What a reset changed: per item, the fields it put back; the items it created again."""

    short_name: str
    shift: timedelta
    restored: dict[str, list[str]] = field(default_factory=dict)  # "Action A1.1" -> ["status", "deadline"]
    recreated: list[str] = field(default_factory=list)
    programme_fields: list[str] = field(default_factory=list)
    people_added: int = 0
    skipped: list[str] = field(default_factory=list)

    @property
    def history_records(self) -> int:
        return sum(len(fields) for fields in self.restored.values())

    def sentence(self) -> str:
        return (
            f"Restored {len(self.restored)} item(s) ({self.history_records} field(s), each recorded in the "
            f"item's history as a change by the system), created {len(self.recreated)} missing item(s)."
        )


def _label(value: object) -> str:
    return value.label if isinstance(value, Status) else str(value)


def _restore(item: Item, values: dict[str, Any], result: DemoResetResult) -> None:
    """Put back the changed fields as one save by the system, with its history and audit trail."""
    kind = type(item).__name__
    model = type(item)
    if "ref" in values and values["ref"].lower() != item.ref.lower():
        clash = db.session.scalar(
            select(model).where(model.programme_id == item.programme_id, func.lower(model.ref) == values["ref"].lower())
        )
        if clash is not None and clash is not item:
            result.skipped.append(
                f"{kind} {item.ref}: its demo ref {values['ref']} now belongs to another {kind.lower()}"
            )
            values = {name: value for name, value in values.items() if name != "ref"}
    changes = []
    for name, new in values.items():
        old = getattr(item, name)
        if old != new:
            changes.append(FieldChange(name, old, new, RESET_NOTE))
            setattr(item, name, new)
    if item.archived_at is not None:
        item.archived_at = None
        changes.append(FieldChange(ARCHIVE_STATE, "archived", "live", RESET_NOTE))
    if not changes:
        return
    db.session.flush()
    record_changes(item, changes, None)
    for change in changes:
        if change.field == "status":
            record_audit_event(
                STATUS_CHANGED,
                f"{kind} {item.ref} status changed from {_label(change.old)} to {_label(change.new)}: {RESET_NOTE}",
            )
    result.restored[f"{kind} {item.ref}"] = [change.field for change in changes]


def _recreate(item: Item, items: _Items, result: DemoResetResult) -> None:
    db.session.add(item)
    db.session.flush()
    items.add(item)
    result.recreated.append(f"{type(item).__name__} {item.ref}")


def reset_demo_programme(today: date, demo: DemoProgramme = CHILDREN, path: Path | None = None) -> DemoResetResult:
    """Restore one demo programme's items to the transcribed plan, with dates that mean something today.

    Every restored field is written to the item's history as a change by the system. Items that are
    not in the demo plan, and other programmes, are left alone. The caller commits (or rolls back).
    """
    data = _read(path or demo.plan)
    spec = data["programme"]
    reference = date.fromisoformat(spec["reference_board_date"])
    shift = demo_date_shift(reference, spec["board_cycle_weeks"], today)
    dates = _dates(spec, shift)
    result = DemoResetResult(demo.short_name, shift)

    programme = _find_programme(demo.short_name)
    if programme is None:
        programme = Programme(short_name=demo.short_name)
        db.session.add(programme)
    for name, value in _programme_fields(spec, shift).items():
        if getattr(programme, name) != value:
            result.programme_fields.append(name)
            setattr(programme, name, value)
    db.session.flush()

    people, result.people_added = _people(data)
    workstreams, projects, actions = _all_items(programme, data)

    for position, entry in enumerate(data["workstreams"]):
        parent = workstreams.find(entry["parent"]) if entry.get("parent") else None
        assert parent is None or isinstance(parent, Workstream)
        fields = _workstream_fields(entry, programme, parent, position)
        workstream = workstreams.find(entry["ref"])
        if workstream is None:
            _recreate(Workstream(**fields), workstreams, result)
        else:
            _restore(workstream, fields, result)

    for position, entry in enumerate(data["projects"]):
        workstream = workstreams.find(entry["workstream"])
        assert isinstance(workstream, Workstream)
        fields = _project_fields(entry, workstream, people, dates, position)
        project = projects.find(entry["ref"])
        if project is None:
            project = Project(**fields)
            project.ambitions = _ambitions(entry)
            _recreate(project, projects, result)
        else:
            assert isinstance(project, Project)
            _restore(project, fields, result)
            if {a.value for a in project.ambitions} != {a.value for a in _ambitions(entry)}:
                project.ambitions = _ambitions(entry)  # not editable in the app, so not in its history
        for action_position, item in enumerate(entry.get("actions", [])):
            fields = _action_fields(item, entry, project, people, dates, action_position)
            action = actions.find(item["ref"])
            if action is None:
                _recreate(Action(**fields), actions, result)
            else:
                _restore(action, fields, result)

    detail = f"Demo programme {demo.short_name}: " + result.sentence()
    if result.programme_fields:
        detail += " Programme settings restored: " + ", ".join(result.programme_fields) + "."
    record_audit_event("demo_reset", detail)
    db.session.flush()
    return result


# --- the demo's KPIs -------------------------------------------------------------------------------


@dataclass
class DemoKpisResult:
    added_kpis: int = 0
    added_values: int = 0
    already_kpis: int = 0
    already_values: int = 0

    def sentence(self) -> str:
        return (
            f"Added {self.added_kpis} KPIs and {self.added_values} KPI values "
            f"(already there: {self.already_kpis} KPIs, {self.already_values} KPI values)."
        )


def _csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        records = [record for record in csv.reader(handle) if any(cell.strip() for cell in record)]
    return records[0], records[1:]


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _demo_programme_row(demo: DemoProgramme) -> Programme:
    programme = _find_programme(demo.short_name)
    if programme is None:
        raise LookupError(f"There is no programme {demo.short_name}: load the demo programme before its KPIs.")
    return programme


def load_demo_kpis(demo: DemoProgramme = CHILDREN) -> DemoKpisResult:
    """Add one demo programme's KPIs and values that are missing (by ref, and by KPI and period end).

    A KPI already there keeps its definition; a value already there keeps what was entered for
    its period. The importer checks every row and saves values through ``save_value``. Only the
    programme's own KPIs are looked at: another programme's KPI with the same ref is a different
    KPI. The caller commits.
    """
    programme = _demo_programme_row(demo)
    result = DemoKpisResult()
    known = {ref.upper() for ref in db.session.scalars(select(Kpi.ref).where(Kpi.programme_id == programme.id))}
    header, rows = _csv_rows(demo.kpis)
    ref_at = header.index("ref")
    new_rows = [row for row in rows if row[ref_at].strip().upper() not in known]
    result.added_kpis = len({row[ref_at].strip().upper() for row in new_rows})
    result.already_kpis = len({row[ref_at].strip().upper() for row in rows}) - result.added_kpis
    if new_rows:
        import_kpis(_csv_text(header, new_rows), programme=programme, file_name=demo.kpis.name)

    stored = {
        (ref.upper(), period_end)
        for ref, period_end in db.session.execute(
            select(Kpi.ref, KpiValue.period_end).join(KpiValue.kpi).where(Kpi.programme_id == programme.id)
        )
    }
    header, rows = _csv_rows(demo.kpi_values)
    ref_at, period_at = header.index("kpi_ref"), header.index("period_end")
    new_rows = [row for row in rows if (row[ref_at].strip().upper(), parse_date(row[period_at])) not in stored]
    result.added_values = len(new_rows)
    result.already_values = len(rows) - len(new_rows)
    if new_rows:
        import_kpi_values(
            _csv_text(header, new_rows), programme=programme, source="demo load", file_name=demo.kpi_values.name
        )
    return result


def reset_demo_kpis(demo: DemoProgramme = CHILDREN) -> tuple[ImportSummary, ImportSummary]:
    """Put one demo programme's KPI definitions and values back, through the importer.

    Replaced values stay in their history. KPIs and values that are not in the demo files, and other
    programmes' KPIs, are left alone. The caller commits.
    """
    programme = _demo_programme_row(demo)
    kpis = import_kpis(demo.kpis.read_bytes(), programme=programme, file_name=demo.kpis.name)
    values = import_kpi_values(
        demo.kpi_values.read_bytes(), programme=programme, source="demo reset", file_name=demo.kpi_values.name
    )
    return kpis, values


# --- the demo's accounts ---------------------------------------------------------------------------


@dataclass
class DemoAccountOutcome:
    account: DemoAccount
    created: bool = False
    role_restored: bool = False
    password: str = ""  # what happened to the password, in words
    # The account's roles in particular demo programmes, by short name, as they are after the load or reset.
    programme_roles: dict[str, Role] = field(default_factory=dict)

    def roles(self) -> str:
        """Return 'lead; viewer in education' (the account's role, then its role in particular programmes)."""
        own = [self.account.role.value]
        return "; ".join(own + [f"{role.value} in {short}" for short, role in sorted(self.programme_roles.items())])


def _free_person(name: str | None, user: User | None) -> Person | None:
    """Return the demo account's person unless another account is already linked to them."""
    person = person_named(name) if name else None
    if person is None:
        return None
    holder = db.session.scalar(select(User).where(User.person_id == person.id))
    return person if holder is None or holder is user else None


def _create_demo_account(account: DemoAccount) -> DemoAccountOutcome:
    details = AccountDetails(account.name, account.role, person=_free_person(account.person_name, None))
    create_user(account.email, details, password=account.password)
    return DemoAccountOutcome(account, created=True, password="the demo password")


def _held_roles(user: User) -> dict[int, ProgrammeRole]:
    return {held.programme_id: held for held in user.programme_roles}


def _give_programme_roles(user: User, outcome: DemoAccountOutcome, short_names: Iterable[str], force: bool) -> bool:
    """Give the account its demo role in each named demo programme.

    Without ``force`` (a load) a role is only added where the account holds none there; with it (a
    reset) the demo's role is put back, and a role the demo does not give is removed. Each change
    goes to the audit log. Return whether anything changed.
    """
    changed = False
    wanted = DEMO_PROGRAMME_ROLES.get(user.email, {})
    held = _held_roles(user)
    for short_name in short_names:
        programme = _find_programme(short_name)
        if programme is None:
            continue
        role, current = wanted.get(short_name), held.get(programme.id)
        if current is not None and (not force or current.role is role):
            continue
        if current is None and role is None:
            continue
        if role is None:
            assert current is not None
            user.programme_roles.remove(current)
            detail = f"{user.name} <{user.email}>: no longer a {current.role.value} in {short_name} (demo reset)"
        elif current is None:
            user.programme_roles.append(ProgrammeRole(programme_id=programme.id, role=role))
            detail = f"{user.name} <{user.email}>: {role.value} in {short_name}"
        else:
            detail = f"{user.name} <{user.email}>: {current.role.value} → {role.value} in {short_name} (demo reset)"
            current.role = role
        record_audit_event("demo_programme_role", detail)
        changed = True
    db.session.flush()
    ids = {p.id: p.short_name for p in db.session.scalars(select(Programme))}
    outcome.programme_roles = {
        ids[held.programme_id]: held.role for held in user.programme_roles if held.programme_id in ids
    }
    return changed


def load_demo_accounts(new_programmes: Iterable[str] = ()) -> list[DemoAccountOutcome]:
    """Create the demo accounts that are missing; an account already there keeps its role, password and state.

    A demo account's role in a demo programme (``DEMO_PROGRAMME_ROLES``) is given when the account is
    created, or when the programme is new (``new_programmes``): otherwise any change made since is kept.
    """
    outcomes = []
    fresh = set(new_programmes)
    for account in DEMO_ACCOUNTS:
        user = user_by_email(account.email)
        if user is None:
            outcome = _create_demo_account(account)
            user = user_by_email(account.email)
            assert user is not None
            names: Iterable[str] = (demo.short_name for demo in DEMO_PROGRAMMES)
        else:
            outcome = DemoAccountOutcome(account, password="left as it is")
            names = fresh
        _give_programme_roles(user, outcome, names, force=False)
        outcomes.append(outcome)
    return outcomes


def reset_demo_accounts(
    restore_passwords: bool, demos: Iterable[DemoProgramme] = DEMO_PROGRAMMES
) -> list[DemoAccountOutcome]:
    """Give the three demo accounts back their name, role, plan link and roles in the demo programmes reset.

    They can sign in again. Passwords are left as they are unless ``restore_passwords``: a changed
    demo password is someone's deliberate choice, and the demo ones are published. No other account
    is touched. The caller commits.
    """
    short_names = [demo.short_name for demo in demos]
    outcomes = []
    for account in DEMO_ACCOUNTS:
        user = user_by_email(account.email)
        if user is None:
            outcome = _create_demo_account(account)
            user = user_by_email(account.email)
            assert user is not None
            _give_programme_roles(user, outcome, short_names, force=True)
            outcomes.append(outcome)
            continue
        outcome = DemoAccountOutcome(account, role_restored=user.role is not account.role)
        person = _free_person(account.person_name, user)
        update_user(user, AccountDetails(account.name, account.role, person=person or user.person), acting_user=None)
        reactivate_user(user)
        if _give_programme_roles(user, outcome, short_names, force=True):
            outcome.role_restored = True
        if verify_password(user.password_hash, account.password):
            outcome.password = "still the demo password"
        elif restore_passwords:
            set_password(user, account.password)
            record_audit_event("demo_password_restored", f"{user.name} <{user.email}>: demo password set again")
            outcome.password = "set back to the demo password"
        else:
            outcome.password = "changed since the demo, left as it is"
        outcomes.append(outcome)
    return outcomes
