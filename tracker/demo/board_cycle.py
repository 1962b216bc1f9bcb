"""The demo's board cycle, so that every board page shows real content from the first `flask demo load`.

For each demo programme: the board calendar around the seed's board (17 March 2023 for children,
shifted as the demo's dates are) to a year ahead; the two boards before today frozen, with real
changes between them made through the update service (some actions completed, one gone Red, two
deadlines moved with a reason); an update round open for the next board, in which the leads who
reported between the boards count as updated and the others are behind; and the risks and
challenges the seed report lists. It runs once per programme: a programme that already has a
frozen board or a round is left alone, so a rerun changes nothing people did. The items end as the
plan has them, so `flask demo reset` straight after a load has nothing to put back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from tracker.auth.models import User
from tracker.board.models import BoardSnapshot, RoundScope, UpdateRound
from tracker.board.rounds import open_round
from tracker.board.snapshots import freeze_board
from tracker.extensions import db
from tracker.people.models import Person
from tracker.programme.calendar import months_after
from tracker.programme.data_version import bump_data_version
from tracker.programme.meetings import meetings_of, plan_meetings
from tracker.programme.models import Action, BoardMeeting, Programme, Project
from tracker.programme.status import Status
from tracker.programme.updates import ActionUpdate, update_action
from tracker.risks.models import Risk

DIRECTOR_EMAIL = "director@demo.example.gov.uk"
# How many actions move between the two frozen boards, of each kind.
COMPLETED_BETWEEN_BOARDS = 9
DEADLINES_MOVED = 2


@dataclass
class DemoBoardCycleResult:
    """What the demo's board cycle added to one programme."""

    short_name: str
    meetings_added: int = 0
    frozen: list[date] = field(default_factory=list)
    round_for: date | None = None
    leads_behind: int = 0
    risks_added: int = 0
    skipped: str = ""

    def sentence(self) -> str:
        if self.skipped:
            return f"Board cycle: {self.skipped}"
        frozen = " and ".join(day.strftime("%-d %B %Y") for day in self.frozen) or "none"
        round_text = (
            f"an update round open for {self.round_for:%-d %B %Y}, "
            f"{self.leads_behind} lead{'' if self.leads_behind == 1 else 's'} behind"
            if self.round_for
            else "no round open"
        )
        return (
            f"Board cycle: {self.meetings_added} meetings planned; boards frozen: {frozen}; {round_text}; "
            f"{self.risks_added} risks."
        )


def _director() -> User | None:
    return db.session.scalars(select(User).where(User.email == DIRECTOR_EMAIL)).first()


def _already_cycled(programme: Programme) -> bool:
    frozen = select(BoardSnapshot.id).where(BoardSnapshot.programme_id == programme.id).exists()
    opened = select(UpdateRound.id).where(UpdateRound.programme_id == programme.id).exists()
    return bool(db.session.scalar(select(frozen | opened)))


def _live_actions(programme: Programme) -> list[Action]:
    return list(
        db.session.scalars(
            select(Action)
            .join(Project, Action.project_id == Project.id)
            .where(Action.programme_id == programme.id, Action.archived_at.is_(None), Project.archived_at.is_(None))
            .order_by(Action.ref_sort)
        )
    )


@dataclass
class _Between:
    """The actions that change between the two frozen boards, and how each stood at the earlier one."""

    completed: list[tuple[Action, date]]  # Green now (with its completion date); Amber at the earlier board
    gone_red: list[Action]  # Red now; Amber at the earlier board
    moved: list[tuple[Action, date]]  # deadline now; four weeks earlier at the earlier board


def _choose(actions: list[Action], today: date) -> _Between:
    green = [a for a in actions if a.status is Status.GREEN and a.completed_on and a.lead_id]
    red = [a for a in actions if a.status is Status.RED and a.lead_id]
    amber = [a for a in actions if a.status is Status.AMBER and a.deadline and a.deadline > today and a.lead_id]
    return _Between(
        completed=[(a, a.completed_on) for a in green[:COMPLETED_BETWEEN_BOARDS] if a.completed_on],
        gone_red=red[:1],
        moved=[(a, a.deadline) for a in amber[:DEADLINES_MOVED] if a.deadline],
    )


def _set_earlier_state(between: _Between) -> None:
    """Put the chosen actions as they stood at the earlier board (no history: this is how they were)."""
    for action, _completed in between.completed:
        db.session.execute(update(Action).where(Action.id == action.id).values(status=Status.AMBER, completed_on=None))
    for action in between.gone_red:
        db.session.execute(update(Action).where(Action.id == action.id).values(status=Status.AMBER))
    for action, deadline in between.moved:
        db.session.execute(update(Action).where(Action.id == action.id).values(deadline=deadline - timedelta(weeks=4)))
    bump_data_version(db.session)
    db.session.expire_all()


def _report_between_boards(between: _Between, director: User, board: date, today: date) -> None:
    """The updates leads reported between the two boards, through the update service (so in each item's history)."""
    said = f"reported to the board of {board:%-d %B %Y}"
    for action, completed in between.completed:
        change = ActionUpdate(Status.GREEN, action.progress_note, action.deadline, completed_on=completed)
        update_action(action, director, change, action.version, today)
    for action in between.gone_red:
        reason = f"Off track, {said}: the work has slipped behind its plan."
        change = ActionUpdate(Status.RED, action.progress_note, action.deadline, status_reason=reason)
        update_action(action, director, change, action.version, today)
    for action, deadline in between.moved:
        reason = f"Revised with the partners, {said}: the first phase needs more time."
        update_action(
            action, director, ActionUpdate(action.status, action.progress_note, deadline, reason), action.version, today
        )


def _leads_behind(update_round: UpdateRound) -> int:
    """Return how many leads in the round have not updated every item they owe."""
    from tracker.board.round_queries import round_status

    return sum(1 for lead in round_status(update_round).leads if not lead.is_done)


def _add_risks(programme: Programme, data_file: Path | None) -> int:
    if data_file is None or not data_file.exists():
        return 0
    entries: list[dict[str, Any]] = json.loads(data_file.read_text(encoding="utf-8"))
    owners = {p.name: p for p in db.session.scalars(select(Person))}
    for entry in entries:
        db.session.add(
            Risk(
                programme=programme,
                description=entry["description"],
                mitigation=entry["mitigation"],
                owner=owners.get(entry.get("owner", "")),
                likelihood=entry["likelihood"],
                impact=entry["impact"],
                review_on=programme.reference_board_date + timedelta(weeks=programme.board_cycle_weeks * 2),
            )
        )
    return len(entries)


def load_demo_board_cycle(programme: Programme, today: date, risks_file: Path | None = None) -> DemoBoardCycleResult:
    """Plan the calendar, freeze the two boards before today with changes between them, open the next round."""
    result = DemoBoardCycleResult(programme.short_name)
    cycle = timedelta(weeks=programme.board_cycle_weeks)
    start = programme.reference_board_date - 2 * cycle - timedelta(days=3)
    result.meetings_added = len(plan_meetings(programme, None, start, months_after(today, 12), command_line=True))
    director = _director()
    if _already_cycled(programme):
        result.skipped = f"{result.meetings_added} meetings planned; frozen boards and rounds left as they are."
        return result
    if director is None:
        result.skipped = "no demo director account to report updates with; only the calendar was planned."
        return result
    # The seed report's risks, before the boards are frozen: a frozen board holds the risks as they stood.
    result.risks_added = _add_risks(programme, risks_file)
    db.session.flush()
    past: list[BoardMeeting] = [m for m in meetings_of(programme) if m.meets_on < today]
    coming = [m for m in meetings_of(programme) if m.meets_on >= today]
    between = _choose(_live_actions(programme), today) if len(past) >= 2 else None
    if between is not None:
        earlier = past[-2]
        _set_earlier_state(between)
        freeze_board(programme, earlier, None, command_line=True, as_at=earlier.meets_on)
        result.frozen.append(earlier.meets_on)
    if coming:
        # The round for the next board opens now: the leads' reports below count in it, the others are behind.
        opened = open_round(None, coming[0], RoundScope.OPEN, today, command_line=True)
        db.session.flush()
        result.round_for = coming[0].meets_on
    if between is not None:
        later = past[-1]
        _report_between_boards(between, director, later.meets_on, today)
        freeze_board(programme, later, None, command_line=True, as_at=later.meets_on)
        result.frozen.append(later.meets_on)
    if coming:
        result.leads_behind = _leads_behind(opened.round)
    return result
