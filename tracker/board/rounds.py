"""Opening an update round: the call for updates before one board meeting.

Opening records, in ``RoundItem``, every item each lead owes an update on: the programme's open
projects and actions (``RoundScope.OPEN``), or only those due on or before the meeting and those
overdue (``RoundScope.DUE_BEFORE_BOARD``, judged by ``programme.models.ActionTiming``). A meeting
has one round; only the programme office opens it. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, func, insert, literal, or_, select
from sqlalchemy.exc import IntegrityError

from tracker.audit.services import record_audit_event
from tracker.auth.models import User
from tracker.auth.permissions import can_manage_programme
from tracker.board.models import RoundItem, RoundScope, UpdateRound
from tracker.core.errors import InvalidChange, NotAllowed
from tracker.core.templating import govuk_date
from tracker.extensions import db
from tracker.programme.models import Action, ActionTiming, BoardMeeting, Project, Workstream
from tracker.programme.status import COMPLETE_STATUSES

ROUND_OPENED = "round_opened"
AUDIT_LABELS = {ROUND_OPENED: "Board: update round opened"}


@dataclass(frozen=True)
class OpenedRound:
    """The round just opened and how many items it asks for."""

    round: UpdateRound
    projects: int
    actions: int

    @property
    def item_count(self) -> int:
        return self.projects + self.actions


def require_round_opener(user: object, programme_id: int) -> None:
    """Refuse anyone but the programme office: rounds are how the office calls for updates."""
    if not can_manage_programme(user, programme_id):
        raise NotAllowed("Only the programme office can open an update round.")


def project_scope_clause(scope: RoundScope, meeting: BoardMeeting, today: date) -> ColumnElement[bool]:
    """Select the live projects of the meeting's programme a round of this scope asks about."""
    live = and_(
        Project.programme_id == meeting.programme_id,
        Project.archived_at.is_(None),
        Workstream.archived_at.is_(None),
        Project.status.not_in(COMPLETE_STATUSES),
    )
    if scope is RoundScope.OPEN:
        return live
    due = or_(
        ActionTiming.overdue_clause(today, Project.target_date, Project.status),
        ActionTiming.due_before_clause(today, meeting.meets_on, Project.target_date, Project.status),
    )
    return and_(live, due)


def action_scope_clause(scope: RoundScope, meeting: BoardMeeting, today: date) -> ColumnElement[bool]:
    """Select the live actions of the meeting's programme a round of this scope asks about."""
    live = and_(
        Action.programme_id == meeting.programme_id,
        Action.archived_at.is_(None),
        Project.archived_at.is_(None),
        Action.status.not_in(COMPLETE_STATUSES),
    )
    if scope is RoundScope.OPEN:
        return live
    due = or_(ActionTiming.overdue_clause(today), ActionTiming.due_before_clause(today, meeting.meets_on))
    return and_(live, due)


def _refuse_second_round(meeting: BoardMeeting) -> None:
    existing = db.session.scalars(select(UpdateRound).where(UpdateRound.meeting_id == meeting.id)).first()
    if existing is not None:
        raise InvalidChange({"scope": _already_open_message(meeting, existing)})


def _already_open_message(meeting: BoardMeeting, existing: UpdateRound | None) -> str:
    when = f" on {govuk_date(existing.opened_at)}" if existing is not None else ""
    return f"A round for the board on {govuk_date(meeting.meets_on)} was already opened{when}: a meeting has one round."


def open_round(
    user: User | None,
    meeting: BoardMeeting,
    scope: RoundScope,
    today: date,
    *,
    command_line: bool = False,
) -> OpenedRound:
    """Open the meeting's round and record what each lead owes: a fixed number of statements whatever the size."""
    if not command_line:
        require_round_opener(user, meeting.programme_id)
    if meeting.meets_on < today:
        raise InvalidChange({"scope": f"The board on {govuk_date(meeting.meets_on)} has already met."})
    _refuse_second_round(meeting)
    update_round = UpdateRound(
        meeting_id=meeting.id,
        programme_id=meeting.programme_id,
        scope=scope,
        opened_by_id=getattr(user, "id", None),
    )
    try:
        with db.session.begin_nested():  # two offices pressing the button at once: one round, one refusal
            db.session.add(update_round)
            db.session.flush()
    except IntegrityError:
        raise InvalidChange({"scope": _already_open_message(meeting, None)}) from None
    for item_type in ("project", "action"):
        _record_items(update_round, item_type, scope, meeting, today)
    counts = dict(
        db.session.execute(
            select(RoundItem.item_type, func.count())
            .where(RoundItem.round_id == update_round.id)
            .group_by(RoundItem.item_type)
        ).all()
    )
    projects, actions = counts.get("project", 0), counts.get("action", 0)
    opened = OpenedRound(update_round, projects, actions)
    detail = (
        f"Round for the board on {meeting.meets_on.isoformat()} opened ({scope.label.lower()}): "
        f"{projects} projects, {actions} actions"
    )
    record_audit_event(ROUND_OPENED, detail, user=user)
    return opened


def _record_items(
    update_round: UpdateRound, item_type: str, scope: RoundScope, meeting: BoardMeeting, today: date
) -> None:
    """Copy the items in scope, with their lead now, into the round: one INSERT ... SELECT."""
    if item_type == "action":
        source = select(literal(update_round.id), literal(item_type), Action.id, Action.lead_id).join(
            Project, Action.project_id == Project.id
        )
        source = source.where(action_scope_clause(scope, meeting, today))
    else:
        source = select(literal(update_round.id), literal(item_type), Project.id, Project.lead_id).join(
            Workstream, Project.workstream_id == Workstream.id
        )
        source = source.where(project_scope_clause(scope, meeting, today))
    statement = insert(RoundItem).from_select(
        [RoundItem.round_id, RoundItem.item_type, RoundItem.item_id, RoundItem.lead_id], source
    )
    db.session.execute(statement)
