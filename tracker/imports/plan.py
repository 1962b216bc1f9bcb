"""A plan import: compare the file's rows with the programme, then write everything in one transaction.

``plan_import(rows, programme)`` reads the database only: it matches every workstream, project and
action by ref within the programme, and every lead by name or e-mail, and says what would be
created, updated or left unchanged, with every problem found (sheet, row, column, reason). The
rules of refs, titles, lengths, nesting and dates are the structure service's own
(``workstream_errors``, ``project_errors``, ``action_errors``) and people are found as the
structure pages find them (``find_or_create_person``'s rule: a name in any case).

``apply_plan(plan, user, file_name)`` writes a plan without problems: new items, changed details,
one history record per item ("Created" or the fields changed, each noting the file) and one audit
event for the import. The caller commits; nothing is written when the plan has any problem.

What an import does not do: change the status or progress of an item that already exists. Those
are a lead's updates, with their own rules (a Red needs a reason, Green a completion date), made
through the update pages or an update return; the preview lists each difference it leaves alone.
New items take the status and progress the file gives them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from tracker.audit.services import record_audit_event
from tracker.auth.models import User
from tracker.auth.permissions import can_manage_programme
from tracker.core.errors import NotAllowed
from tracker.core.refs import normalise_ref, ref_slug
from tracker.extensions import db
from tracker.history.models import FIELD_LABELS
from tracker.history.services import FieldChange, record_changes
from tracker.imports.rows import ActionRow, PlanRows, ProjectRow, WorkstreamRow
from tracker.people.models import Person
from tracker.programme.limits import MAX_LONG_TEXT, MAX_NAME, length_errors
from tracker.programme.models import Action, Programme, Project, Workstream
from tracker.programme.status import Ambition, Status
from tracker.programme.structure import (
    ActionDetails,
    ProjectDetails,
    WorkstreamDetails,
    action_errors,
    project_errors,
    workstream_errors,
)
from tracker.spreadsheets.reading import Problem

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
PLAN_IMPORTED = "plan_imported"
MAX_EMAIL = 254
# Which file column a structure rule's message belongs to.
_ERROR_COLUMNS = {"workstream_id": "workstream", "project_id": "project_ref", "parent_id": "parent"}
_FLUSH_EVERY = 500
_PLURALS = {"workstream": "workstreams", "project": "projects", "action": "actions", "person": "people"}


def authorise_import(user: object, programme: Programme | None, command_line: bool = False) -> None:
    """Refuse anyone but the programme's office (and the command line, which has no account)."""
    if command_line and user is None:
        return
    if programme is None or not can_manage_programme(user, programme.id):
        raise NotAllowed("Only the programme office can import a plan into the programme.")


@dataclass
class Change:
    """One line of the preview: an item or person, and what the import does to it."""

    kind: str  # "workstream", "project", "action" or "person"
    ref: str
    title: str
    outcome: str  # CREATE, UPDATE or UNCHANGED
    fields: tuple[str, ...] = ()  # for an update, the fields that change


@dataclass
class _Op:
    """What apply_plan does for one row: the item (None for a new one) and the values to give it.

    Values naming another item hold its slug (``parent``, ``workstream``, ``project``) or a person's key
    (``lead``), resolved when the items they name exist.
    """

    kind: str
    sheet: str
    row: int | None
    item: Workstream | Project | Action | None
    values: dict[str, Any]
    changed: tuple[str, ...] = ()


@dataclass
class ImportPlan:
    """What an import would do, and every reason it cannot."""

    programme: Programme
    rows: PlanRows
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    operations: list[_Op] = field(default_factory=list)
    new_people: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # new people: key -> (name, email)

    @property
    def needs_mapping(self) -> bool:
        return bool(self.rows.mapping)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.needs_mapping

    def count(self, kind: str, outcome: str) -> int:
        return sum(1 for change in self.changes if change.kind == kind and change.outcome == outcome)

    @property
    def writes_anything(self) -> bool:
        return any(change.outcome != UNCHANGED for change in self.changes)

    def digest(self) -> str:
        """Return a fingerprint of what the import would do, so a confirmation applies what was previewed."""
        text = "\n".join(f"{c.kind}|{c.ref}|{c.title}|{c.outcome}|{','.join(c.fields)}" for c in self.changes)
        return hashlib.sha256(text.encode()).hexdigest()

    def summary(self) -> str:
        """Return the import in words: 'Created 3 workstreams, 12 projects, 40 actions; updated 2; 5 unchanged.'"""
        made = [
            f"{number} {kind if number == 1 else _PLURALS[kind]}"
            for kind in _PLURALS
            if (number := self.count(kind, CREATE))
        ]
        updated = sum(1 for change in self.changes if change.outcome == UPDATE)
        unchanged = sum(1 for change in self.changes if change.outcome == UNCHANGED)
        created = "Created " + ", ".join(made) if made else "Created nothing"
        return f"{created}; updated {updated}; {unchanged} unchanged."


# --- planning -----------------------------------------------------------------------------------


class _Planner:
    """Holds the programme's items and people, read once, while each row is compared with them."""

    def __init__(self, programme: Programme, rows: PlanRows) -> None:
        self.plan = ImportPlan(programme, rows, problems=list(rows.problems), notices=list(rows.notices))
        self.programme = programme
        self.workstreams = _by_slug(Workstream, programme)
        self.projects = _by_slug(Project, programme)
        self.actions = _by_slug(Action, programme)
        people = list(db.session.scalars(select(Person)))
        self.people_by_name = {_person_key(p.name): p for p in people}
        self.people_by_email = {p.email.lower(): p for p in people if p.email}
        accounts = db.session.execute(select(User.email, User.person_id).where(User.person_id.is_not(None)))
        by_id = {p.id: p for p in people}
        for email, person_id in accounts:
            if person_id in by_id:
                self.people_by_email.setdefault(email.lower(), by_id[person_id])
        # What the file makes: slug -> a stand-in with the fields the structure rules read.
        self.new_workstreams: dict[str, Workstream] = {}
        self.new_projects: dict[str, Project] = {}
        # Refs of rows refused for problems of their own: rows naming them are not refused again for it.
        self.refused_refs: set[tuple[str, str]] = set()
        self.unreadable_rows = {(problem.sheet, problem.row) for problem in rows.problems}

    def problem(self, sheet: str, row: int | None, key: str | None, reason: str) -> None:
        column = self.plan.rows.column(sheet, key) if key else None
        self.plan.problems.append(Problem(sheet, row, column, reason))

    def refused(self, sheet: str, row: int, errors: dict[str, str]) -> bool:
        for key, reason in errors.items():
            self.problem(sheet, row, _ERROR_COLUMNS.get(key, key), reason)
        return bool(errors)

    def _has_problems(self, row: ProjectRow | ActionRow) -> bool:
        """Say whether a cell of the row could not be read (a bad date or status)."""
        return (row.sheet, row.row) in self.unreadable_rows

    def first_of_each_ref(self, kind: str, rows: Iterable[Any]) -> list[Any]:
        """Return the rows with a ref not seen before; a repeated ref (in any spelling) is a problem."""
        seen: dict[str, Any] = {}
        kept = []
        for row in rows:
            if not row.ref:
                kept.append(row)  # the structure rule says what is missing
                continue
            first = seen.setdefault(ref_slug(row.ref), row)
            if first is row:
                kept.append(row)
            else:
                where = f"row {first.row}" + ("" if first.sheet == row.sheet else f" of sheet {first.sheet}")
                self.problem(row.sheet, row.row, "ref", f"The {kind} {row.ref} is also on {where}: each ref once")
        return kept

    # --- people

    def lead_key(self, sheet: str, row: int, text: str | None) -> str | None:
        """Return the key of the person a lead cell names (found, or made by the import); None when blank."""
        text = " ".join((text or "").split())
        if not text:
            return None
        is_email = "@" in text and " " not in text
        errors = length_errors({"lead": (text, MAX_EMAIL if is_email else MAX_NAME, "the lead")})
        if errors:
            self.problem(sheet, row, "lead", errors["lead"])
            return None
        found = self.people_by_email.get(text.lower()) if is_email else self.people_by_name.get(_person_key(text))
        if found is not None:
            return _person_key(found.name)
        key = _person_key(text)
        if key not in self.plan.new_people:
            self.plan.new_people[key] = (text, text.lower() if is_email else None)
            self.plan.changes.append(Change("person", "", text, CREATE))
        return key

    def person(self, key: str | None) -> Person | None:
        return self.people_by_name.get(key) if key else None

    # --- workstreams

    def plan_workstreams(self, rows: list[WorkstreamRow], projects: list[ProjectRow]) -> None:
        kept = self.first_of_each_ref("workstream", rows)
        listed = {ref_slug(row.ref) for row in kept if row.ref}
        for row in sorted(kept, key=lambda r: r.parent_ref is not None):  # parents first
            self._plan_workstream(row, listed)
        # Workstreams the projects name that neither the programme nor the workstreams sheet has.
        for project in projects:
            slug = ref_slug(project.workstream_ref)
            existing = self.workstreams.get(slug)
            if existing is not None and slug not in listed:
                listed.add(slug)  # named by projects only: shown as it stands
                self.plan.changes.append(Change("workstream", existing.ref, existing.title, UNCHANGED))
            known = (
                slug in self.workstreams or slug in self.new_workstreams or ("workstream", slug) in self.refused_refs
            )
            if not project.workstream_ref or known:
                continue
            title = project.workstream_title or f"Workstream {project.workstream_ref}"
            row = WorkstreamRow(project.sheet, project.row, project.workstream_ref, title)
            self._plan_workstream(row, listed, column="workstream")

    def _plan_workstream(self, row: WorkstreamRow, listed: set[str], column: str | None = None) -> None:
        slug = ref_slug(row.ref)
        current = self.workstreams.get(slug)
        parent = self._parent(row, listed)
        details = WorkstreamDetails(
            self.programme,
            row.ref,
            row.title,
            description=row.description if row.description is not None else (current.description if current else ""),
            reported_separately_by=(
                row.reported_by
                if row.reported_by is not None
                else (current.reported_separately_by or "" if current else "")
            ),
            parent=parent if row.parent_ref is not None else (current.parent if current else None),
        )
        errors = workstream_errors(details, current)
        if current is not None and current.archived_at is not None:
            errors = {"ref": f"Workstream {current.ref} is archived: restore it on the structure page first"}
        if column:  # a workstream made from a project row: its problems belong to the Workstream column
            errors = {column: " ".join(errors.values())} if errors else {}
        if self.refused(row.sheet, row.row, errors):
            self.refused_refs.add(("workstream", slug))
            return
        values = {
            "ref": normalise_ref(row.ref),
            "title": row.title.strip(),
            "description": details.description.strip(),
            "reported_separately_by": details.reported_separately_by.strip() or None,
            "parent": ref_slug(row.parent_ref)
            if row.parent_ref
            else (current.parent.slug if current and current.parent else None),
        }
        if current is None:
            self.new_workstreams[slug] = Workstream(
                programme_id=self.programme.id, ref=values["ref"], title=values["title"]
            )
            self._op("workstream", row, None, values)
        else:
            old = {
                "ref": current.ref,
                "title": current.title,
                "description": current.description,
                "reported_separately_by": current.reported_separately_by,
                "parent": current.parent.slug if current.parent else None,
            }
            self._op("workstream", row, current, values, old)

    def _parent(self, row: WorkstreamRow, listed: set[str]) -> Workstream | None:
        if not row.parent_ref:
            return None
        slug = ref_slug(row.parent_ref)
        parent = self.workstreams.get(slug) or self.new_workstreams.get(slug)
        if parent is None:
            where = "" if slug in listed else ": add it to the workstreams sheet"
            self.problem(row.sheet, row.row, "parent", f"There is no workstream {row.parent_ref}{where}")
        return parent

    # --- projects

    def plan_projects(self, rows: list[ProjectRow]) -> None:
        for row in self.first_of_each_ref("project", rows):
            self._plan_project(row)

    def _plan_project(self, row: ProjectRow) -> None:
        slug = ref_slug(row.ref)
        current = self.projects.get(slug)
        workstream = self.workstreams.get(ref_slug(row.workstream_ref)) or self.new_workstreams.get(
            ref_slug(row.workstream_ref)
        )
        lead = self.lead_key(row.sheet, row.row, row.lead) if "lead" in row.present else None
        keep = _Keeper(row.present, current)
        details = ProjectDetails(
            ref=row.ref,
            title=row.title,
            workstream=workstream,
            target_date=keep("target_date", row.target_date),
            deliverables=keep("deliverables", row.deliverables) or "",
            impact=keep("impact", row.impact) or "",
        )
        values = None if workstream is None else self._project_values(row, current, workstream, lead, keep, details)
        if current is not None and values is not None and self._as_stored(row, current, values, "workstream"):
            return
        errors = project_errors(details, current)
        if not row.workstream_ref:
            errors["workstream_id"] = "Enter the workstream the project belongs to, like A or Workstream A: its title"
        elif workstream is None:
            errors.pop("workstream_id", None)  # the workstream's own problem is already reported for this cell
        errors.update(_archived(current, "Project"))
        errors.update(length_errors({"progress": (row.progress, MAX_LONG_TEXT, "the progress")}))
        if self.refused(row.sheet, row.row, errors) or self._has_problems(row) or values is None:
            self.refused_refs.add(("project", slug))
            return
        if current is None:
            values |= {"status": row.status or Status.GREY, "progress": (row.progress or "").strip()}
            self.new_projects[slug] = Project(programme_id=self.programme.id, ref=values["ref"], title=values["title"])
            self._op("project", row, None, values)
            return
        self._left_alone(row, current, current.progress, row.progress)
        self._op("project", row, current, values, _stored(current, values, "workstream"))

    def _project_values(
        self,
        row: ProjectRow,
        current: Project | None,
        workstream: Workstream,
        lead: str | None,
        keep: _Keeper,
        details: ProjectDetails,
    ) -> dict[str, Any]:
        return {
            "ref": normalise_ref(row.ref),
            "title": row.title.strip(),
            "workstream": ref_slug(workstream.ref),
            "lead": keep("lead", lead, _person_key(current.lead.name) if current and current.lead else None),
            "target_date": details.target_date,
            "deliverables": details.deliverables.strip(),
            "impact": details.impact.strip(),
            "ambitions": keep("contributes_to", row.ambitions, current.ambitions if current else None) or [],
        }

    def _as_stored(
        self, row: ProjectRow | ActionRow, current: Project | Action, values: dict[str, Any], parent: str
    ) -> bool:
        """Note a row that changes nothing of a live item; say whether it was one.

        Such a row needs no rule asked again (the item already keeps them): a re-import stays quick.
        """
        old = _stored(current, values, parent)
        if current.archived_at is not None or self._has_problems(row) or _changed_keys(values, old):
            return False
        self._left_alone(
            row, current, current.progress if isinstance(current, Project) else current.progress_note, row.progress
        )
        self._op(type(current).__name__.lower(), row, current, values, old)
        return True

    # --- actions

    def plan_actions(self, rows: list[ActionRow]) -> None:
        for row in self.first_of_each_ref("action", rows):
            self._plan_action(row)

    def _plan_action(self, row: ActionRow) -> None:
        current = self.actions.get(ref_slug(row.ref))
        project = self.projects.get(ref_slug(row.project_ref)) or self.new_projects.get(ref_slug(row.project_ref))
        lead = self.lead_key(row.sheet, row.row, row.lead) if "lead" in row.present else None
        keep = _Keeper(row.present, current)
        details = ActionDetails(
            ref=row.ref,
            title=row.title,
            project=project,
            start_date=keep("start_date", row.start_date),
            deadline=keep("deadline", row.deadline),
        )
        values = None if project is None else self._action_values(row, current, project, lead, keep, details)
        if current is not None and values is not None and self._as_stored(row, current, values, "project"):
            return
        errors = action_errors(details, current)
        if project is None and ("project", ref_slug(row.project_ref)) in self.refused_refs:
            errors.pop("project_id", None)  # the project's own row is refused: that is the problem to fix
        elif project is None:
            errors["project_id"] = (
                f"There is no project {row.project_ref}: add it to the projects sheet"
                if row.project_ref
                else "Enter the ref of the project the action belongs to"
            )
        errors.update(_archived(current, "Action"))
        errors.update(_archived(project if project is not None and project.id else None, "Project", "project_id"))
        errors.update(length_errors({"progress": (row.progress, MAX_LONG_TEXT, "the progress note")}))
        if self.refused(row.sheet, row.row, errors) or values is None:
            return
        if current is None:
            values |= {"status": row.status or Status.GREY, "progress_note": (row.progress or "").strip()}
            self._op("action", row, None, values)
            return
        self._left_alone(row, current, current.progress_note, row.progress)
        self._op("action", row, current, values, _stored(current, values, "project"))

    def _action_values(
        self,
        row: ActionRow,
        current: Action | None,
        project: Project,
        lead: str | None,
        keep: _Keeper,
        details: ActionDetails,
    ) -> dict[str, Any]:
        return {
            "ref": normalise_ref(row.ref),
            "title": row.title.strip(),
            "project": ref_slug(project.ref),
            "lead": keep("lead", lead, _person_key(current.lead.name) if current and current.lead else None),
            "start_date": details.start_date,
            "deadline": details.deadline,
        }

    def _left_alone(
        self, row: ProjectRow | ActionRow, item: Project | Action, progress: str, typed: str | None
    ) -> None:
        """Note a status or progress the file gives an existing item: an import leaves them to updates."""
        kind = type(item).__name__
        if row.status is not None and row.status is not item.status:
            self.plan.notices.append(
                f"{kind} {item.ref} is {item.status.label} here and {row.status.label} in the file: its status is "
                "not changed by an import (the lead updates it)"
            )
        if typed is not None and typed.strip() and typed.strip() != progress.strip():
            self.plan.notices.append(
                f"{kind} {item.ref}: the progress in the file is not imported over the current one"
            )

    def _op(
        self,
        kind: str,
        row: WorkstreamRow | ProjectRow | ActionRow,
        item: Any,
        values: dict[str, Any],
        old: dict[str, Any] | None = None,
    ) -> None:
        if item is None:
            self.plan.operations.append(_Op(kind, row.sheet, row.row, None, values))
            self.plan.changes.append(Change(kind, values["ref"], values["title"], CREATE))
            return
        changed = _changed_keys(values, old or {})
        self.plan.operations.append(_Op(kind, row.sheet, row.row, item, values, changed))
        labels = tuple(FIELD_LABELS.get(key, key.replace("_", " ").capitalize()) for key in changed)
        self.plan.changes.append(Change(kind, values["ref"], values["title"], UPDATE if changed else UNCHANGED, labels))


class _Keeper:
    """For an optional column the file lacks, keep the item's value (or a new item's default)."""

    def __init__(self, present: frozenset[str], current: Any) -> None:
        self.present, self.current = present, current

    def __call__(self, key: str, typed: Any, stored: Any = ...) -> Any:
        if key in self.present:
            return typed
        if stored is not ...:
            return stored
        return getattr(self.current, key) if self.current is not None else None


def _archived(item: Project | Action | None, kind: str, key: str = "ref") -> dict[str, str]:
    if item is None or item.archived_at is None:
        return {}
    return {key: f"{kind} {item.ref} is archived: restore it on the structure page first, or use another ref"}


def _stored(item: Project | Action, values: dict[str, Any], parent: str) -> dict[str, Any]:
    """Return the item's values in the form the file's are compared in: its parent by slug, its lead by key."""
    old = {key: getattr(item, key) for key in values}
    old[parent] = getattr(item, parent).slug
    old["lead"] = _person_key(item.lead.name) if item.lead else None
    return old


def _changed_keys(values: dict[str, Any], old: dict[str, Any]) -> tuple[str, ...]:
    return tuple(key for key, value in values.items() if _comparable(value) != _comparable(old[key]))


def _comparable(value: Any) -> Any:
    if isinstance(value, list):
        return sorted(str(v.value if isinstance(v, Ambition) else v) for v in value)
    if isinstance(value, str):
        return value.strip()
    return value


def _person_key(name: str) -> str:
    return " ".join(name.split()).lower()


def _by_slug(model: type[Any], programme: Programme) -> dict[str, Any]:
    return {item.slug: item for item in db.session.scalars(select(model).where(model.programme_id == programme.id))}


def plan_import(rows: PlanRows, programme: Programme) -> ImportPlan:
    """Return what importing the rows into the programme would do; nothing is written."""
    planner = _Planner(programme, rows)
    if rows.mapping:
        return planner.plan
    with db.session.no_autoflush:
        planner.plan_workstreams(rows.workstreams, rows.projects)
        planner.plan_projects(rows.projects)
        planner.plan_actions(rows.actions)
    sheets = {name: number for number, name in enumerate(rows.headers)}  # in the workbook's order
    planner.plan.problems.sort(key=lambda p: (sheets.get(p.sheet, -1), p.row or 0, p.column or ""))
    planner.plan.changes.sort(key=lambda change: list(_PLURALS).index(change.kind))  # stable: file order within a kind
    return planner.plan


# --- writing ------------------------------------------------------------------------------------


def apply_plan(plan: ImportPlan, user: User | None, file_name: str) -> None:
    """Write a plan with no problems in the caller's transaction, with history and an audit event."""
    if not plan.ok:
        raise ValueError("A plan with problems is never applied")
    if not plan.writes_anything:
        return  # importing the same file again leaves no trace at all
    writer = _Writer(plan, user, f"Imported from {file_name}")
    for person_key, (name, email) in plan.new_people.items():
        person = Person(name=name, job_title="", email=email)
        db.session.add(person)
        writer.people[person_key] = person
    with db.session.no_autoflush:  # flushed in batches (see _Writer._create), not before every query
        for op in plan.operations:
            writer.write(op)
    db.session.flush()
    writer.record_history()
    account = user if isinstance(user, User) else None
    detail = f"Plan {file_name} imported into {plan.programme.short_name}: {plan.summary()}"
    record_audit_event(PLAN_IMPORTED, detail, user=account)


class _Writer:
    def __init__(self, plan: ImportPlan, user: User | None, note: str) -> None:
        self.plan, self.user, self.note = plan, user, note
        programme = plan.programme
        self.workstreams: dict[str, Workstream] = _by_slug(Workstream, programme)
        self.projects: dict[str, Project] = _by_slug(Project, programme)
        self.people: dict[str, Person] = {_person_key(p.name): p for p in db.session.scalars(select(Person))}
        self.positions: dict[tuple[str, Any], int] = {}
        self.history: list[tuple[Any, list[FieldChange]]] = []
        self.pending = 0

    def resolve(self, key: str, value: Any) -> Any:
        lookups: dict[str, Callable[[Any], Any]] = {
            "parent": self.workstreams.get,
            "workstream": self.workstreams.get,
            "project": self.projects.get,
            "lead": self.people.get,
        }
        if key in lookups and value is not None:
            return lookups[key](value)
        return value

    def write(self, op: _Op) -> None:
        values = {key: self.resolve(key, value) for key, value in op.values.items()}
        if op.item is None:
            self._create(op.kind, values)
            return
        changes = []
        for key in op.changed:
            old = getattr(op.item, key)
            changes.append(FieldChange(key, _history_value(old), _history_value(values[key]), self.note))
            setattr(op.item, key, values[key])
        if changes:
            self.history.append((op.item, changes))

    def _create(self, kind: str, values: dict[str, Any]) -> None:
        programme = self.plan.programme
        if kind == "workstream":
            item: Any = Workstream(programme=programme, **values, position=self._next(Workstream, values["parent"]))
            self.workstreams[item.slug] = item
        elif kind == "project":
            item = Project(
                programme=programme, **values, next_steps="", position=self._next(Project, values["workstream"])
            )
            self.projects[item.slug] = item
        else:
            item = Action(programme=programme, **values, position=self._next(Action, values["project"]))
        db.session.add(item)
        self.history.append((item, [FieldChange("created", None, self.note)]))
        self.pending += 1
        if self.pending >= _FLUSH_EVERY:
            # Each flush's listeners look over everything pending (programme.models.inherit_programme):
            # flushing in batches keeps a 5,000-row import linear.
            db.session.flush()
            self.pending = 0

    def _next(self, model: type[Any], parent: Any) -> int:
        """Return the next position among the parent's children: new items go after the ones there."""
        key = (model.__name__, id(parent))
        if key not in self.positions:
            column = {Workstream: Workstream.parent_id, Project: Project.workstream_id, Action: Action.project_id}[
                model
            ]
            parent_id = getattr(parent, "id", None)
            if parent_id is None and parent is not None:
                self.positions[key] = -1
            else:
                condition = column.is_(None) if parent_id is None else column == parent_id
                query = select(func.max(model.position)).where(condition, model.programme_id == self.plan.programme.id)
                found = db.session.scalar(query)
                self.positions[key] = -1 if found is None else found
        self.positions[key] += 1
        return self.positions[key]

    def record_history(self) -> None:
        for item, changes in self.history:
            record_changes(item, changes, self.user)


def _history_value(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(a.label for a in value) or None
    return value
