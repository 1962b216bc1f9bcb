"""Reads of the risk register for pages, item panels, snapshots and the CLI.

Each function sends one SELECT (owners, workstreams and projects joined in), whatever the number
of risks. Lists put open risks first, then the highest rating, then the oldest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import joinedload

from tracker.core.errors import NotFound
from tracker.extensions import db
from tracker.programme.models import Programme, Project, Workstream
from tracker.risks.models import Risk, RiskLevel
from tracker.risks.rules import ratings_of

RATING = Risk.likelihood * Risk.impact


@dataclass(frozen=True)
class RiskFilters:
    """What the register shows: open, closed or all risks ("state"), and one level or all (None)."""

    state: str = "open"  # "open", "closed" or "all"
    level: RiskLevel | None = None


def _risks(*conditions: ColumnElement[bool]) -> Select[Any]:
    return (
        select(Risk)
        .where(*conditions)
        .options(
            joinedload(Risk.owner),
            joinedload(Risk.workstream),
            # Who may edit a project's risk depends on the project's workstream: loaded here, not per row.
            joinedload(Risk.project).joinedload(Project.workstream),
        )
        .order_by(Risk.is_open.desc(), RATING.desc(), Risk.id)
    )


def _listed(*conditions: ColumnElement[bool]) -> list[Risk]:
    return list(db.session.scalars(_risks(*conditions)).unique())


def _filter_conditions(filters: RiskFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.state in ("open", "closed"):
        conditions.append(Risk.is_open.is_(filters.state == "open"))
    if filters.level is not None:
        conditions.append(RATING.in_(ratings_of(filters.level)))
    return conditions


def risks_of(programme: Programme, filters: RiskFilters | None = None) -> list[Risk]:
    """Return the programme's risks at every level (programme, workstream, project), as the register filters them."""
    return _listed(Risk.programme_id == programme.id, *_filter_conditions(filters or RiskFilters()))


def open_risks_of(programme: Programme) -> list[Risk]:
    """Return every open risk of the programme, at every level, highest rating first."""
    return risks_of(programme, RiskFilters(state="open"))


def all_risks_of(programme: Programme) -> list[Risk]:
    """Return every risk of the programme, open and closed, at every level (for board snapshots)."""
    return risks_of(programme, RiskFilters(state="all"))


def programme_level_risks(programme: Programme) -> list[Risk]:
    """Return the risks of the programme as a whole (not of one workstream or project)."""
    return _listed(Risk.programme_id == programme.id, Risk.workstream_id.is_(None), Risk.project_id.is_(None))


def risks_of_workstream(workstream: Workstream) -> list[Risk]:
    """Return the risks of a workstream, its sub-workstreams, and the projects in them."""
    workstream_ids = select(Workstream.id).where(
        or_(Workstream.id == workstream.id, Workstream.parent_id == workstream.id)
    )
    project_ids = select(Project.id).where(Project.workstream_id.in_(workstream_ids))
    return _listed(
        Risk.programme_id == workstream.programme_id,
        or_(Risk.workstream_id.in_(workstream_ids), Risk.project_id.in_(project_ids)),
    )


def risks_of_project(project: Project) -> list[Risk]:
    """Return the risks of one project."""
    return _listed(Risk.project_id == project.id)


def risks_for(item: Programme | Workstream | Project) -> list[Risk]:
    """Return the risks an item page shows: the programme's own, a workstream's (with its projects'), a project's."""
    if isinstance(item, Project):
        return risks_of_project(item)
    if isinstance(item, Workstream):
        return risks_of_workstream(item)
    return programme_level_risks(item)


def risk_by_id(programme: Programme, risk_id: int) -> Risk:
    """Return one risk of the programme; NotFound for a risk of another programme or none."""
    risk = db.session.scalars(_risks(Risk.programme_id == programme.id, Risk.id == risk_id)).unique().first()
    if risk is None:
        raise NotFound(f"There is no risk R{risk_id} in {programme.name}.")
    return risk
