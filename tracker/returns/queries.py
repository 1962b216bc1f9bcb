"""Reads for update returns: a lead's items in a round, as the workbook shows them and the upload checks them.

Each read sends a fixed number of statements whatever the number of items: the round's items, then
the projects and the actions among them, with what the update service's permission check reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import joinedload

from tracker.board.models import RoundItem, UpdateRound
from tracker.core.errors import NotFound
from tracker.extensions import db
from tracker.people.models import Person
from tracker.programme.models import Action, Project, Workstream


@dataclass
class LeadReturn:
    """One lead's items in a round: projects first, then actions, each in ref order."""

    update_round: UpdateRound
    lead: Person
    projects: list[Project]
    actions: list[Action]

    @property
    def items(self) -> list[Project | Action]:
        return [*self.projects, *self.actions]

    def find(self, kind: str, ref: str) -> Project | Action | None:
        """Return the lead's item of that kind with that ref, forgiving case and surrounding spaces."""
        wanted = ref.strip().casefold()
        pool: list[Project] | list[Action] = self.projects if kind == "project" else self.actions
        return next((item for item in pool if item.ref.casefold() == wanted), None)


def leads_in_round(update_round: UpdateRound) -> list[Person]:
    """Return the people who owe updates in the round, by name (one statement); items with no lead have no return."""
    owes = select(RoundItem.lead_id).where(RoundItem.round_id == update_round.id, RoundItem.lead_id.is_not(None))
    return list(db.session.scalars(select(Person).where(Person.id.in_(owes)).order_by(Person.name)))


def lead_return(update_round: UpdateRound, lead_id: int) -> LeadReturn:
    """Return the lead's items in the round, live ones only (four statements); NotFound when they owe nothing."""
    found = _returns(update_round, RoundItem.lead_id == lead_id)
    if not found:
        raise NotFound("That person owes no updates in this round.")
    return found[0]


def round_returns(update_round: UpdateRound) -> list[LeadReturn]:
    """Return every lead's items in the round, leads by name (four statements whatever the number of leads)."""
    return _returns(update_round, true())


def _returns(update_round: UpdateRound, which_leads: ColumnElement[bool]) -> list[LeadReturn]:
    owed: dict[int, dict[str, set[int]]] = {}
    for lead_id, item_type, item_id in db.session.execute(
        select(RoundItem.lead_id, RoundItem.item_type, RoundItem.item_id).where(
            RoundItem.round_id == update_round.id, RoundItem.lead_id.is_not(None), which_leads
        )
    ):
        assert lead_id is not None  # selected so: items with no lead have no return
        owed.setdefault(lead_id, {"project": set(), "action": set()})[item_type].add(item_id)
    if not owed:
        return []
    people = db.session.scalars(select(Person).where(Person.id.in_(owed)).order_by(Person.name)).all()
    project_ids = set().union(*(items["project"] for items in owed.values()))
    action_ids = set().union(*(items["action"] for items in owed.values()))
    projects = (
        db.session.scalars(
            select(Project)
            .where(Project.id.in_(project_ids), Project.archived_at.is_(None))
            .options(joinedload(Project.lead), joinedload(Project.workstream).joinedload(Workstream.parent))
            .order_by(Project.ref_sort)
        )
        .unique()
        .all()
        if project_ids
        else []
    )
    actions = (
        db.session.scalars(
            select(Action)
            .where(Action.id.in_(action_ids), Action.archived_at.is_(None))
            .options(
                joinedload(Action.lead),
                joinedload(Action.project).joinedload(Project.workstream).joinedload(Workstream.parent),
            )
            .order_by(Action.ref_sort)
        )
        .unique()
        .all()
        if action_ids
        else []
    )
    return [
        LeadReturn(
            update_round,
            person,
            [p for p in projects if p.id in owed[person.id]["project"]],
            [a for a in actions if a.id in owed[person.id]["action"]],
        )
        for person in people
    ]
