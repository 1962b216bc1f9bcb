"""Cache keys for one part of a programme, kept while writes land elsewhere.

The programme's data version moves with every write, so a page keyed by it is rebuilt after a write
anywhere in the programme. A page that shows one workstream, or one project, is keyed instead by the
last version whose journalled change could show on it (``tracker.programme.data_version`` journals
each version's items): a lead's update in workstream B leaves workstream A's page cached.

A journal entry is placed by its item's parent as it stands now; an item that moves to another parent
is journalled as "anything" (so the scope it left hears of it too), as is every write that cannot name
one project or action. Entries pruned from the journal, or older than it, are unknown: a scope's
version is never below the journal's floor, so a page cached before then is rebuilt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask_login import current_user
from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from tracker.core.cache import cached
from tracker.core.clock import today
from tracker.extensions import db
from tracker.programme.models import Action, Programme, ProgrammeChange, Project, Workstream
from tracker.programme.permissions import rights_key

T = TypeVar("T")

# The journal kinds a scope can place; any other entry could show anywhere.
PLACED_KINDS = ("action", "project")

_change = aliased(ProgrammeChange, name="change")
_action = aliased(Action, name="changed_action")
_project = aliased(Project, name="changed_project")
_workstream = aliased(Workstream, name="changed_workstream")


@dataclass(frozen=True)
class Scope:
    """A part of one programme whose pages change only when a write lands in it.

    ``name`` goes into cache keys; ``touches`` says, of a journal entry joined to its action, project
    and workstream as they stand now, whether it could show in this part.
    """

    name: str
    touches: ColumnElement[bool]


def _unplaced() -> ColumnElement[bool]:
    return or_(_change.item_type.is_(None), _change.item_id.is_(None), _change.item_type.not_in(PLACED_KINDS))


def workstream_scope(root_id: int) -> Scope:
    """A top-level workstream with its sub-workstreams, their projects and actions."""
    return Scope(
        f"workstream-{root_id}",
        or_(_unplaced(), func.coalesce(_workstream.parent_id, _workstream.id) == root_id),
    )


def project_scope(project_id: int) -> Scope:
    """A project and its actions."""
    return Scope(f"project-{project_id}", or_(_unplaced(), _project.id == project_id))


def beyond_actions_scope() -> Scope:
    """Everything but actions' own rows: pages that show projects, workstreams, KPIs and risks, no action."""
    return Scope("beyond-actions", or_(_unplaced(), _change.item_type != "action"))


def scope_version(programme: Programme, scope: Scope) -> int:
    """Return the last data version of the programme that could have changed the scope (one statement)."""
    placed_project = case((_change.item_type == "project", _change.item_id), else_=_action.project_id)
    statement = (
        select(func.max(case((scope.touches, _change.version))), func.min(_change.version))
        .select_from(_change)
        .outerjoin(_action, and_(_change.item_type == "action", _action.id == _change.item_id))
        .outerjoin(_project, _project.id == placed_project)
        .outerjoin(_workstream, _workstream.id == _project.workstream_id)
        .where(_change.programme_id == programme.id)
    )
    touched, oldest = db.session.execute(statement).one()
    # Before the oldest entry kept, nothing is known: every change there counts as touching the scope.
    floor = programme.data_version if oldest is None else oldest - 1
    return max(touched or floor, floor)


def scope_key(kind: str, programme: Programme, scope: Scope, *parts: Any) -> str:
    """Return a cache key for something drawn from one scope of one programme as it stands now."""
    version = scope_version(programme, scope)
    return ":".join([kind, str(programme.id), scope.name, str(version), *(str(part) for part in parts)])


def cached_for_reader(kind: str, programme: Programme, scope: Scope, parts: tuple, compute: Callable[[], T]) -> T:
    """Return what ``compute`` gives for this reader, computed once per (scope version, day, the reader's
    rights, parts): a write elsewhere in the programme leaves it cached; one in its scope, a new day, or
    a reader with other edit links (the only per-reader part of a page) computes it again."""
    rights = rights_key(current_user, programme.id)
    value: T = cached(scope_key(kind, programme, scope, today().isoformat(), rights, *parts), compute)
    return value
