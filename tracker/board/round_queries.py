"""Reads of update rounds: who owes what, what has been updated since the round opened, and when.

"Updated" means the item has a history record (``tracker.history.models.ChangeRecord``) at or after
the moment the round opened; the last update of an item is its latest history record. Every read
here sends a fixed number of SQL statements, whatever the number of items or records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, and_, func, literal, select
from sqlalchemy.orm import joinedload

from tracker.auth.models import User
from tracker.board.models import RoundItem, UpdateRound
from tracker.core.clock import as_utc
from tracker.core.errors import NotFound
from tracker.core.models import Historied
from tracker.extensions import db
from tracker.history.models import ChangeRecord
from tracker.history.services import UK_TIME
from tracker.people.models import Person
from tracker.programme.models import Action, BoardMeeting, Programme, Project
from tracker.programme.status import Status

ITEM_TYPES = ("project", "action")


@dataclass(frozen=True)
class LastUpdate:
    """When an item was last changed through the app, and by whom ("The system" when no account did it)."""

    at: datetime
    by: str

    @property
    def local_time(self) -> datetime:
        """Return the moment in UK time, as pages show it."""
        return self.at.astimezone(UK_TIME)


@dataclass
class OwedItem:
    """One item a lead owes an update on, with its last update and whether that came after the round opened."""

    item_type: str
    item_id: int
    ref: str
    slug: str
    title: str
    status: Status
    due: date | None  # an action's deadline, a project's target date
    lead_id: int | None
    last_update: LastUpdate | None
    updated: bool

    @property
    def endpoint(self) -> str:
        return f"programme.{self.item_type}"

    @property
    def update_endpoint(self) -> str:
        return f"updates.update_{self.item_type}"

    @property
    def kind_label(self) -> str:
        return self.item_type.capitalize()


@dataclass
class LeadRound:
    """One lead's part of a round: their items, updated or not."""

    lead_id: int | None
    name: str
    items: list[OwedItem] = field(default_factory=list)

    @property
    def updated(self) -> list[OwedItem]:
        return [item for item in self.items if item.updated]

    @property
    def not_updated(self) -> list[OwedItem]:
        return [item for item in self.items if not item.updated]

    @property
    def is_done(self) -> bool:
        return not self.not_updated


@dataclass
class RoundStatus:
    """A round and, per lead, the items updated and not updated since it opened (leads furthest behind first)."""

    round: UpdateRound
    meeting: BoardMeeting
    leads: list[LeadRound]

    @property
    def opened_local(self) -> datetime:
        """When the round opened, in UK time."""
        return as_utc(self.round.opened_at).astimezone(UK_TIME)

    @property
    def item_count(self) -> int:
        return sum(len(lead.items) for lead in self.leads)

    @property
    def updated_count(self) -> int:
        return sum(len(lead.updated) for lead in self.leads)

    @property
    def outstanding_count(self) -> int:
        return self.item_count - self.updated_count

    @property
    def leads_behind(self) -> int:
        return sum(1 for lead in self.leads if not lead.is_done)


def parse_meeting_date(text: str) -> date:
    """Return the date a web address or command names as YYYY-MM-DD; NotFound for anything else."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise NotFound(f"{text[:20]} is not a date written as YYYY-MM-DD.") from None


def meeting_on(programme: Programme, meets_on: date | str) -> BoardMeeting:
    """Return the programme's board meeting on that day (one statement); NotFound if it has none."""
    day = parse_meeting_date(meets_on) if isinstance(meets_on, str) else meets_on
    meeting = db.session.scalars(
        select(BoardMeeting).where(BoardMeeting.programme_id == programme.id, BoardMeeting.meets_on == day)
    ).first()
    if meeting is None:
        raise NotFound(f"{programme.name} has no board meeting on {day.isoformat()}.")
    return meeting


def round_of(meeting: BoardMeeting) -> UpdateRound | None:
    """Return the round opened for the meeting, with who opened it (one statement), or None."""
    return db.session.scalars(
        select(UpdateRound).where(UpdateRound.meeting_id == meeting.id).options(joinedload(UpdateRound.opened_by))
    ).first()


def current_round(programme: Programme, today: date) -> UpdateRound | None:
    """Return the round of the programme's next meeting that has one (today's included), or None."""
    return db.session.scalars(
        select(UpdateRound)
        .join(BoardMeeting, UpdateRound.meeting_id == BoardMeeting.id)
        .where(UpdateRound.programme_id == programme.id, BoardMeeting.meets_on >= today)
        .options(joinedload(UpdateRound.meeting))
        .order_by(BoardMeeting.meets_on)
        .limit(1)
    ).first()


def _latest_records(round_id: int) -> Select:
    """Each round item's history records, newest first numbered 1 (window function: SQLite and PostgreSQL)."""
    return select(
        ChangeRecord.item_type,
        ChangeRecord.item_id,
        ChangeRecord.changed_at,
        ChangeRecord.user_id,
        func.row_number()
        .over(
            partition_by=(ChangeRecord.item_type, ChangeRecord.item_id),
            order_by=(ChangeRecord.changed_at.desc(), ChangeRecord.id.desc()),
        )
        .label("newest"),
    ).join(
        RoundItem,
        and_(
            RoundItem.round_id == round_id,
            RoundItem.item_type == ChangeRecord.item_type,
            RoundItem.item_id == ChangeRecord.item_id,
        ),
    )


def _owed_items(update_round: UpdateRound, lead_id: int | None = None, only_lead: bool = False) -> list[OwedItem]:
    """Return the round's items (of one lead when only_lead) with their last update: one statement."""
    latest = _latest_records(update_round.id).subquery()
    is_action = RoundItem.item_type == "action"
    query = (
        select(
            RoundItem.item_type,
            RoundItem.item_id,
            RoundItem.lead_id,
            func.coalesce(Action.ref, Project.ref),
            func.coalesce(Action.slug, Project.slug),
            func.coalesce(Action.title, Project.title),
            func.coalesce(Action.status, Project.status),
            func.coalesce(Action.deadline, Project.target_date),
            latest.c.changed_at,
            User.name,
            latest.c.user_id,
        )
        .outerjoin(Action, and_(is_action, Action.id == RoundItem.item_id))
        .outerjoin(Project, and_(RoundItem.item_type == "project", Project.id == RoundItem.item_id))
        .outerjoin(
            latest,
            and_(
                latest.c.item_type == RoundItem.item_type,
                latest.c.item_id == RoundItem.item_id,
                latest.c.newest == 1,
            ),
        )
        .outerjoin(User, User.id == latest.c.user_id)
        .where(RoundItem.round_id == update_round.id)
        .order_by(RoundItem.item_type.desc(), func.coalesce(Action.ref_sort, Project.ref_sort))
    )
    if only_lead:
        query = query.where(RoundItem.lead_id == lead_id if lead_id is not None else literal(False))
    opened_at = as_utc(update_round.opened_at)
    items = []
    for item_type, item_id, owner, ref, slug, title, status, due, changed_at, user_name, user_id in db.session.execute(
        query
    ):
        last = None if changed_at is None else LastUpdate(as_utc(changed_at), _name(user_name, user_id))
        items.append(
            OwedItem(
                item_type=item_type,
                item_id=item_id,
                ref=ref or "",
                slug=slug or "",
                title=title or "",
                status=Status.coerce(status) or Status.GREY,
                due=due if isinstance(due, date) or due is None else date.fromisoformat(str(due)),
                lead_id=owner,
                last_update=last,
                updated=last is not None and last.at >= opened_at,
            )
        )
    return items


def _name(user_name: str | None, user_id: int | None) -> str:
    if user_name:
        return user_name
    return "A removed account" if user_id is not None else "The system"


def round_status(update_round: UpdateRound) -> RoundStatus:
    """Return the round's items per lead, updated or not: two statements whatever the size."""
    items = _owed_items(update_round)
    lead_ids = {item.lead_id for item in items if item.lead_id is not None}
    names = (
        dict(db.session.execute(select(Person.id, Person.name).where(Person.id.in_(lead_ids))).all())
        if lead_ids
        else {}
    )
    leads: dict[int | None, LeadRound] = {}
    for item in items:
        lead = leads.get(item.lead_id)
        if lead is None:
            name = names.get(item.lead_id, "No lead") if item.lead_id is not None else "No lead"
            lead = leads[item.lead_id] = LeadRound(item.lead_id, name)
        lead.items.append(item)
    ordered = sorted(leads.values(), key=lambda lead: (lead.is_done, lead.lead_id is None, lead.name.lower()))
    return RoundStatus(update_round, update_round.meeting, ordered)


@dataclass
class MyRound:
    """What one user owes in the current round of a programme (My actions)."""

    round: UpdateRound
    meeting: BoardMeeting
    items: list[OwedItem]

    @property
    def not_updated(self) -> list[OwedItem]:
        return [item for item in self.items if not item.updated]

    @property
    def updated(self) -> list[OwedItem]:
        return [item for item in self.items if item.updated]


def owed_by(user: object, programme: Programme, today: date) -> MyRound | None:
    """Return what the user (as the lead in the plan their account is linked to) owes in the current round.

    None when no round is open for a meeting to come or the account names no lead; two statements at most.
    """
    person_id = getattr(user, "person_id", None)
    if person_id is None or not getattr(user, "is_authenticated", False):
        return None
    update_round = current_round(programme, today)
    if update_round is None:
        return None
    items = _owed_items(update_round, person_id, only_lead=True)
    return MyRound(update_round, update_round.meeting, items) if items else None


def last_update(item: Historied) -> LastUpdate | None:
    """Return when the item was last changed and by whom, from its latest history record (one statement)."""
    row = db.session.execute(
        select(ChangeRecord.changed_at, User.name, ChangeRecord.user_id)
        .outerjoin(User, User.id == ChangeRecord.user_id)
        .where(ChangeRecord.item_type == item.history_type, ChangeRecord.item_id == item.id)
        .order_by(ChangeRecord.changed_at.desc(), ChangeRecord.id.desc())
        .limit(1)
    ).first()
    return None if row is None else LastUpdate(as_utc(row[0]), _name(row[1], row[2]))


def leads_behind(update_round: UpdateRound) -> list[LeadRound]:
    """Return the leads who still owe updates in the round, with their items (two statements)."""
    return [lead for lead in round_status(update_round).leads if lead.lead_id is not None and lead.not_updated]
