"""Programme, workstreams, projects, actions and the people who lead them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    event,
    inspect,
)
from sqlalchemy.orm import (
    InstanceState,
    Mapped,
    QueryableAttribute,
    Session,
    declared_attr,
    mapped_column,
    relationship,
)

from tracker.core.clock import utcnow
from tracker.core.models import ArchivedMixin, Historied, RefMixin, enum_column
from tracker.extensions import Model
from tracker.people.models import Person
from tracker.programme.status import COMPLETE_STATUSES, Ambition, Status

_T = TypeVar("_T")
# A column (or mapped attribute) a timing clause is built on.
SQLColumn = ColumnElement[_T] | QueryableAttribute[_T]


def status_column() -> Mapped[Status]:
    # Stored as the lowercase word with a named CHECK, portable across SQLite and PostgreSQL.
    return enum_column(
        Status,
        "status",
        8,
        default=Status.GREY,
        nullable=False,
        index=True,
    )


class Programme(Model):
    """An improvement programme with its own board; an installation holds any number of them."""

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # How commands and web addresses (/p/children/...) name the programme: lowercase letters, digits, hyphens.
    short_name: Mapped[str] = mapped_column(String(30))
    vision: Mapped[str] = mapped_column(Text, default="")
    board_name: Mapped[str] = mapped_column(String(200), default="Programme board")
    board_cycle_weeks: Mapped[int] = mapped_column(Integer, default=6)
    # Any one date on which the board met; the cycle runs forwards and backwards from it.
    reference_board_date: Mapped[date] = mapped_column(Date, default=date.today)
    public_progress_pages: Mapped[bool] = mapped_column(default=False)
    # Bumped in the same transaction as every write to programme data, so a cached
    # roll-up keyed by it can never be served after the data it summarises changed.
    data_version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)

    __table_args__ = (
        CheckConstraint("board_cycle_weeks BETWEEN 1 AND 52", name="board_cycle_weeks_range"),
        UniqueConstraint("short_name", name="uq_programme_short_name"),
    )

    def next_board_date(self, today: date) -> date:
        """Return the first board meeting on or after today."""
        cycle = timedelta(weeks=self.board_cycle_weeks)
        elapsed = (today - self.reference_board_date).days
        cycles = -(-elapsed // cycle.days)  # ceiling division, works for negative too
        return self.reference_board_date + cycles * cycle

    def previous_board_date(self, today: date) -> date:
        """Return the last board meeting before today."""
        return self.next_board_date(today) - timedelta(weeks=self.board_cycle_weeks)


class ProgrammeChange(Model):
    """One entry of a programme's change journal: what one bump of its data version touched.

    Written in the same transaction as the bump (``tracker.programme.data_version``), so that a reader
    holding the position at version N can re-read only what changed since, instead of everything.
    An entry without an item says "anything in the programme may have changed": rebuild.
    """

    __tablename__ = "programme_change"
    affects_progress_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    item_type: Mapped[str | None] = mapped_column(String(20))  # the item's ``change_journal_kind``
    item_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_programme_change_programme_version", "programme_id", "version"),)


class InProgramme:
    """Belongs to one programme: its ref and slug are unique within it, and every read names it.

    Projects and actions carry their programme beside their parent's (copied on flush by
    ``inherit_programme``), so a page selects one programme's items without joining up the tree.
    """

    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)

    @declared_attr
    def programme(cls) -> Mapped[Programme]:
        return relationship(Programme)


def unique_in_programme(table: str) -> UniqueConstraint:
    """Refs (and so slugs, one per spelling) are unique within a programme, not across the installation."""
    return UniqueConstraint("programme_id", "slug", name=f"uq_{table}_programme_slug")


class Workstream(InProgramme, RefMixin, ArchivedMixin, Historied, Model):
    """A group of projects; sub-workstreams (E1, E2) roll up into their parent (E)."""

    __tablename__ = "workstream"
    history_type = "workstream"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("workstream.id"), index=True)
    # e.g. "SEND Improvement Board": its items count in totals but are reported on a line of their own.
    reported_separately_by: Mapped[str | None] = mapped_column(String(200))

    parent: Mapped[Workstream | None] = relationship(remote_side="Workstream.id", back_populates="children")
    # Boards read items in the order the programme office arranges them (position), then by ref.
    children: Mapped[list[Workstream]] = relationship(
        back_populates="parent", order_by=lambda: (Workstream.position, Workstream.ref_sort)
    )
    projects: Mapped[list[Project]] = relationship(
        back_populates="workstream", order_by=lambda: (Project.position, Project.ref_sort)
    )

    __table_args__ = (unique_in_programme("workstream"),)

    @property
    def root(self) -> Workstream:
        return self.parent or self

    @property
    def reporting_body(self) -> str | None:
        """Return who reports this workstream separately, inherited from the parent."""
        return self.reported_separately_by or (self.parent.reported_separately_by if self.parent else None)


class ProjectAmbition(Model):
    """A corporate-plan ambition a project contributes to."""

    __tablename__ = "project_ambition"

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    ambition: Mapped[Ambition] = enum_column(
        Ambition,
        "ambition",
        12,
        primary_key=True,
        index=True,
    )


class Project(InProgramme, RefMixin, ArchivedMixin, Historied, Model):
    """A project within a workstream, led by one person, delivered through actions."""

    __tablename__ = "project"
    history_type = "project"
    # A lead's update of one project is journalled by id, so the live position re-reads only it.
    change_journal_kind = "project"
    change_journal_parent = ("workstream", "workstream_id")  # a move is journalled as "anything"

    id: Mapped[int] = mapped_column(primary_key=True)
    workstream_id: Mapped[int] = mapped_column(ForeignKey("workstream.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    deliverables: Mapped[str] = mapped_column(Text, default="")
    impact: Mapped[str] = mapped_column(Text, default="")
    target_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[Status] = status_column()
    progress: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    workstream: Mapped[Workstream] = relationship(back_populates="projects")
    lead: Mapped[Person | None] = relationship()
    actions: Mapped[list[Action]] = relationship(
        back_populates="project", order_by=lambda: (Action.position, Action.ref_sort)
    )
    ambition_links: Mapped[list[ProjectAmbition]] = relationship(cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (unique_in_programme("project"),)

    @property
    def ambitions(self) -> list[Ambition]:
        order = list(Ambition)
        return sorted((link.ambition for link in self.ambition_links), key=order.index)

    @ambitions.setter
    def ambitions(self, values: list[Ambition]) -> None:
        wanted = set(values)
        self.ambition_links = [link for link in self.ambition_links if link.ambition in wanted]
        have = {link.ambition for link in self.ambition_links}
        self.ambition_links.extend(ProjectAmbition(ambition=a) for a in values if a not in have)

    @property
    def deliverable_list(self) -> list[str]:
        return [line.strip() for line in self.deliverables.splitlines() if line.strip()]


class ActionTiming:
    """Deadline rules of an action, in Python and in SQL side by side.

    The Python form (``is_overdue``, ``is_due_before``, ``grey_but_started``) reads the
    ``deadline``, ``start_date`` and ``status`` of an Action or of a light row of the action list;
    the SQL form (``overdue_clause``, ``due_before_clause``, ``grey_but_started_clause``) is the
    same test as a WHERE clause on Action's columns, for lists and roll-ups. The project roll-up
    asks the same question of a project's target date by passing its columns.
    tests/programme/test_rule_forms.py runs both forms on the same rows.
    """

    deadline: date | None
    start_date: date | None
    status: Status

    def is_overdue(self, today: date) -> bool:
        """Not complete, and the deadline has passed."""
        return self.deadline is not None and self.deadline < today and not self.status.is_complete

    @staticmethod
    def overdue_clause(
        today: date, deadline: SQLColumn[date | None] | None = None, status: SQLColumn[Status] | None = None
    ) -> ColumnElement[bool]:
        """Select what `is_overdue(today)` is true of (Action's columns unless others are given)."""
        deadline = Action.deadline if deadline is None else deadline
        status = Action.status if status is None else status
        return and_(deadline < today, status.not_in(COMPLETE_STATUSES))

    def is_due_before(self, today: date, next_board: date) -> bool:
        """Not complete, not yet overdue, and due on or before the next board meets."""
        return self.deadline is not None and today <= self.deadline <= next_board and not self.status.is_complete

    @staticmethod
    def due_before_clause(
        today: date,
        next_board: date,
        deadline: SQLColumn[date | None] | None = None,
        status: SQLColumn[Status] | None = None,
    ) -> ColumnElement[bool]:
        """Select what `is_due_before(today, next_board)` is true of."""
        deadline = Action.deadline if deadline is None else deadline
        status = Action.status if status is None else status
        return and_(deadline >= today, deadline <= next_board, status.not_in(COMPLETE_STATUSES))

    def grey_but_started(self, today: date) -> bool:
        """A Grey action whose start date has passed: flagged so someone updates it."""
        return self.status is Status.GREY and self.start_date is not None and self.start_date < today

    @staticmethod
    def grey_but_started_clause(today: date) -> ColumnElement[bool]:
        """Select the actions `grey_but_started(today)` is true of."""
        return and_(Action.status == Status.GREY, Action.start_date.is_not(None), Action.start_date < today)


class Action(ActionTiming, InProgramme, RefMixin, ArchivedMixin, Historied, Model):
    """A dated piece of work within a project, led by one person."""

    __tablename__ = "action"
    history_type = "action"
    change_journal_kind = "action"
    change_journal_parent = ("project", "project_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    start_date: Mapped[date | None] = mapped_column(Date)
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[Status] = status_column()
    completed_on: Mapped[date | None] = mapped_column(Date)
    progress_note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    project: Mapped[Project] = relationship(back_populates="actions")
    lead: Mapped[Person | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        unique_in_programme("action"),
        CheckConstraint(
            "start_date IS NULL OR deadline IS NULL OR start_date <= deadline", name="starts_before_deadline"
        ),
    )

    @property
    def project_ref(self) -> str:
        return self.project.ref

    @property
    def lead_name(self) -> str | None:
        return self.lead.name if self.lead else None


class BoardMeeting(Model):
    """One meeting of a programme's board, with the date by which leads must have updated their items.

    Planned every ``board_cycle_weeks`` from the programme's board date, moved off weekends and bank
    holidays (``programme.calendar``); each date may then be changed by the programme office.
    """

    __tablename__ = "board_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    meets_on: Mapped[date] = mapped_column(Date)
    update_deadline: Mapped[date] = mapped_column(Date)
    # Why the date differs from the cycle, in words ("moved from Friday 1 January 2027: New Year's Day").
    note: Mapped[str] = mapped_column(String(300), default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    programme: Mapped[Programme] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("programme_id", "meets_on", name="uq_board_meeting_programme_meets_on"),
        CheckConstraint("update_deadline <= meets_on", name="board_meeting_deadline_before_meeting"),
    )


# --- an item's programme is its parent's --------------------------------------------------------


def _parent_of(item: Workstream | Project | Action) -> Workstream | Project | None:
    session = Session.object_session(item)
    if isinstance(item, Workstream):
        return item.parent or (session.get(Workstream, item.parent_id) if session and item.parent_id else None)
    if isinstance(item, Project):
        return item.workstream or (session.get(Workstream, item.workstream_id) if session else None)
    return item.project or (session.get(Project, item.project_id) if session else None)


_PARENT_ATTRIBUTE = {Workstream: "parent", Project: "workstream", Action: "project"}


def _inherit_programme(session: Session, _flush_context: object, _instances: object) -> None:
    """Give each new (or re-parented) sub-workstream, project and action its parent's programme."""
    # Parents before children, so a new action under a new project finds the project's programme set.
    for kind in (Workstream, Project, Action):
        items: list[Workstream | Project | Action] = [
            obj for obj in (*session.new, *session.dirty) if type(obj) is kind
        ]
        for item in items:
            state: InstanceState[Workstream | Project | Action] = inspect(item)
            if item not in session.new and not state.attrs[_PARENT_ATTRIBUTE[kind]].history.has_changes():
                continue
            parent = _parent_of(item)
            if parent is not None:
                item.programme = parent.programme


def inherit_programme() -> None:
    """Copy programmes down the tree on every flush (once per process)."""
    if not event.contains(Session, "before_flush", _inherit_programme):
        event.listen(Session, "before_flush", _inherit_programme)
