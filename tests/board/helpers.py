"""A small programme with one of everything a frozen board holds, for the snapshot and movement tests."""

from __future__ import annotations

from datetime import date

from tests.factories import make_action, make_person, make_programme, make_project, make_workstream
from tests.kpis.factories import make_kpi, make_value
from tracker.extensions import db
from tracker.programme.models import BoardMeeting, Programme
from tracker.programme.status import Status
from tracker.risks.models import Risk


def make_meeting(programme: Programme, meets_on: date, deadline: date | None = None) -> BoardMeeting:
    meeting = BoardMeeting(programme=programme, meets_on=meets_on, update_deadline=deadline or meets_on)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def board_world(actions_per_project: int = 2, projects: int = 2) -> dict:
    """A programme with workstreams, projects, actions, a KPI with values, a risk and two meetings."""
    programme = make_programme()
    lead = make_person(name="Robin Lead")
    workstream = make_workstream("A", title='Early help <& "quotes">')
    separate = make_workstream("S", title="Led elsewhere", reported_separately_by="SEND Improvement Board")
    items = []
    for n in range(1, projects + 1):
        project = make_project(workstream, f"A{n}", lead=lead, status=Status.GREEN, progress="On track.")
        for m in range(1, actions_per_project + 1):
            items.append(make_action(project, f"A{n}.{m}", lead=lead, progress_note=f"Note {n}.{m}"))
    make_action(make_project(separate, "S1", lead=lead), "S1.1", lead=lead)
    kpi = make_kpi("KPI 1", target=65, tolerance_low=60, owner=lead, workstreams=[workstream])
    for month, value in ((3, 58), (6, 61), (9, 63)):
        make_value(kpi, date(2026, month, 30 if month in (6, 9) else 31), value, f"Q{month // 3} 2026")
    risk = Risk(
        programme=programme,
        workstream=workstream,
        description="Recruitment of social workers",
        mitigation="Agency cover",
        owner=lead,
        likelihood=4,
        impact=4,
        review_on=date(2026, 12, 1),
    )
    db.session.add(risk)
    earlier = make_meeting(programme, date(2026, 10, 2))
    later = make_meeting(programme, date(2026, 11, 27), date(2026, 11, 20))
    db.session.commit()
    return {"programme": programme, "lead": lead, "kpi": kpi, "risk": risk, "earlier": earlier, "later": later}
