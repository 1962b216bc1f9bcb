"""Data-quality checks before a board: pure rules over a position document (board.snapshots), one rule per check.

Each check reads the document (and, for "not updated in this round", the set of round items with no
update since the round opened, from ``round_items_not_updated``) and returns findings; each finding
names its item, says what is wrong, and its check says what to do. ``CHECKS`` is the table the page,
the board pack's appendix and the tests walk. The day every check judges on is the document's
``position_as_at``.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, exists, select

from tracker.board.models import RoundItem, UpdateRound
from tracker.board.round_queries import current_round
from tracker.board.snapshots import live_position, timing_of
from tracker.core.templating import govuk_date
from tracker.extensions import db
from tracker.history.models import ChangeRecord
from tracker.kpis.models import kpi_label
from tracker.programme.models import Programme
from tracker.programme.status import Status

Position = dict[str, Any]
NotUpdated = set[tuple[str, int]] | None  # (item type, id) owing an update in the current round; None: no round

# A KPI's value falls due this many days after its period ends (figures take time to publish).
PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "termly": 4, "annual": 12}
PUBLICATION_LAG_DAYS = {"monthly": 30, "quarterly": 45, "termly": 45, "annual": 90}
# A project contradicts its actions when it is Green or Blue and more than this share of them is Red or Grey.
CONTRADICTION_SHARE = 0.5


@dataclass(frozen=True)
class Finding:
    """One item a check flags: what it is, where its page is, and what is wrong with it."""

    kind: str  # action, project, kpi or risk
    ref: str
    title: str
    lead: str | None
    problem: str
    endpoint: str  # url_for(endpoint, ref=slug) is its page
    slug: str

    @property
    def label(self) -> str:
        if self.kind == "kpi":
            return kpi_label(self.ref)
        return {"risk": "Risk"}.get(self.kind, self.kind.capitalize()) + f" {self.ref}"


@dataclass(frozen=True)
class Check:
    code: str
    title: str
    what_to_do: str
    run: Callable[[Position, date, NotUpdated], list[Finding]]


@dataclass
class CheckResult:
    check: Check
    findings: list[Finding] = field(default_factory=list)
    not_run: str = ""  # why the check could not run (no round open)

    @property
    def count(self) -> int:
        return len(self.findings)


def _item(kind: str, item: dict[str, Any], problem: str) -> Finding:
    endpoint = "programme.action" if kind == "action" else "programme.project"
    return Finding(kind, item["ref"], item["title"], item.get("lead"), problem, endpoint, item["slug"])


def _day(iso: str | None) -> str:
    return govuk_date(date.fromisoformat(iso)) if iso else ""


# --- the rules, one per check ------------------------------------------------------------------


def complete_without_date(position: Position, _today: date, _round: NotUpdated) -> list[Finding]:
    """Green or Blue actions with no completion date (projects have none to give)."""
    return [
        _item("action", a, f"{Status(a['status']).label} but no completion date")
        for a in position["actions"]
        if Status(a["status"]).is_complete and not a.get("completed_on")
    ]


def deadline_passed(position: Position, today: date, _round: NotUpdated) -> list[Finding]:
    """Projects and actions whose deadline (target date) has passed and that are not complete."""
    findings = [
        _item("project", p, f"target date {_day(p['target_date'])} has passed; {Status(p['status']).label}")
        for p in position["projects"]
        if timing_of(p).is_overdue(today)
    ]
    findings += [
        _item("action", a, f"deadline {_day(a['deadline'])} has passed; {Status(a['status']).label}")
        for a in position["actions"]
        if timing_of(a).is_overdue(today)
    ]
    return findings


def grey_but_started(position: Position, today: date, _round: NotUpdated) -> list[Finding]:
    """Grey actions whose start date has passed."""
    return [
        _item("action", a, f"Grey, but it was due to start on {_day(a['start_date'])}")
        for a in position["actions"]
        if timing_of(a).grey_but_started(today)
    ]


def not_updated_in_round(position: Position, _today: date, not_updated: NotUpdated) -> list[Finding]:
    """Items the current round asked for an update on, with no change saved since it opened."""
    if not not_updated:
        return []
    return [
        _item(kind, item, "no update since the round opened")
        for kind, key in (("project", "projects"), ("action", "actions"))
        for item in position[key]
        if (kind, item["id"]) in not_updated
    ]


def red_without_note(position: Position, _today: date, _round: NotUpdated) -> list[Finding]:
    """Red items with no recovery note: an empty progress note (a project's empty progress)."""
    findings = [
        _item("project", p, "Red with no progress narrative saying how it will recover")
        for p in position["projects"]
        if p["status"] == Status.RED.value and not (p.get("progress") or "").strip()
    ]
    findings += [
        _item("action", a, "Red with no progress note saying how it will recover")
        for a in position["actions"]
        if a["status"] == Status.RED.value and not (a.get("progress_note") or "").strip()
    ]
    return findings


def project_contradicts_actions(position: Position, _today: date, _round: NotUpdated) -> list[Finding]:
    """Green or Blue projects while most of their actions are Red or Grey."""
    troubled: dict[int, list[int]] = {}
    for action in position["actions"]:
        counts = troubled.setdefault(action["project_id"], [0, 0])
        counts[0] += action["status"] in (Status.RED.value, Status.GREY.value)
        counts[1] += 1
    findings = []
    for project in position["projects"]:
        bad, total = troubled.get(project["id"], (0, 0))
        if Status(project["status"]).is_complete and total and bad / total > CONTRADICTION_SHARE:
            problem = f"{Status(project['status']).label}, but {bad} of its {total} actions are Red or Grey"
            findings.append(_item("project", project, problem))
    return findings


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def next_period_end(period_end: date, frequency: str) -> date:
    """Return the end of the period after the one ending on period_end (month ends kept as month ends)."""
    months = period_end.year * 12 + period_end.month - 1 + PERIOD_MONTHS[frequency]
    return _month_end(months // 12, months % 12 + 1)


def kpi_value_missing(position: Position, today: date, _round: NotUpdated) -> list[Finding]:
    """KPIs with no value yet, or none for the latest period due (the next period ended, and publication lag passed)."""
    findings = []
    for kpi in position["kpis"]:
        latest = kpi.get("latest")
        if latest is None:
            problem = "no value recorded yet"
        else:
            frequency = kpi["frequency"]
            due_end = next_period_end(date.fromisoformat(latest["period_end"]), frequency)
            if due_end + timedelta(days=PUBLICATION_LAG_DAYS[frequency]) >= today:
                continue
            problem = (
                f"{kpi['frequency']} KPI: the latest value is for {latest['period_label']}; "
                f"the period ending {govuk_date(due_end)} is due"
            )
        findings.append(
            Finding("kpi", kpi["ref"], kpi["title"], kpi.get("owner"), problem, "kpis.kpi_page", kpi["slug"])
        )
    return findings


def risk_review_overdue(position: Position, today: date, _round: NotUpdated) -> list[Finding]:
    """Open risks whose review date has passed; the finding links to the item the risk belongs to."""
    findings = []
    for risk in position["risks"]:
        if not risk["is_open"] or not risk.get("review_on") or date.fromisoformat(risk["review_on"]) >= today:
            continue
        if risk.get("project_ref"):
            endpoint, slug = "programme.project", _slug_of(position["projects"], risk["project_ref"])
        elif risk.get("workstream_ref"):
            endpoint, slug = "programme.workstream", _slug_of(position["workstreams"], risk["workstream_ref"])
        else:
            endpoint, slug = "programme.overview", ""
        problem = f"review was due on {_day(risk['review_on'])}"
        findings.append(Finding("risk", risk["ref"], risk["description"], risk.get("owner"), problem, endpoint, slug))
    return findings


def _slug_of(items: list[dict[str, Any]], ref: str) -> str:
    return next((item["slug"] for item in items if item["ref"] == ref), ref)


CHECKS: tuple[Check, ...] = (
    Check(
        "complete_without_date",
        "Green or Blue without a completion date",
        "Enter the date the work was completed, or set the status back if it is not finished.",
        complete_without_date,
    ),
    Check(
        "deadline_passed",
        "Deadline passed but not complete",
        "Ask the lead to complete it, or to agree a new deadline and give the reason.",
        deadline_passed,
    ),
    Check(
        "grey_but_started",
        "Grey but its start date has passed",
        "Ask the lead to rate it now it has started, or to move its start date.",
        grey_but_started,
    ),
    Check(
        "not_updated_in_round",
        "Not updated in the current round",
        "Chase the lead for an update before the round's deadline.",
        not_updated_in_round,
    ),
    Check(
        "red_without_note",
        "Red without a recovery note",
        "Ask the lead to say what is being done to bring it back on track.",
        red_without_note,
    ),
    Check(
        "project_contradicts_actions",
        "Project status contradicts its actions",
        "Check the project's rating with its lead: most of its actions are Red or not started.",
        project_contradicts_actions,
    ),
    Check(
        "kpi_value_missing",
        "KPI without a value for the latest period due",
        "Ask the KPI's owner for the latest figure, or say why it is not yet published.",
        kpi_value_missing,
    ),
    Check(
        "risk_review_overdue",
        "Risk past its review date",
        "Ask the risk's owner to review it: confirm the rating and mitigation, or close it.",
        risk_review_overdue,
    ),
)


def run_checks(position: Position, not_updated: NotUpdated = None) -> list[CheckResult]:
    """Run every check on the document, judged on its position_as_at; in CHECKS order."""
    today = date.fromisoformat(position["position_as_at"])
    results = []
    for check in CHECKS:
        result = CheckResult(check, check.run(position, today, not_updated))
        if check.code == "not_updated_in_round" and not_updated is None:
            result.not_run = "No update round is open for the next board."
        results.append(result)
    return results


def findings_json(results: list[CheckResult]) -> list[dict[str, Any]]:
    """Return the findings as plain data (for the pack's appendix and the command line)."""
    return [
        {
            "check": r.check.code,
            "title": r.check.title,
            "what_to_do": r.check.what_to_do,
            "not_run": r.not_run,
            "findings": [
                {"kind": f.kind, "ref": f.ref, "title": f.title, "lead": f.lead, "problem": f.problem}
                for f in r.findings
            ],
        }
        for r in results
    ]


# --- the one light query: who has not updated in the current round ------------------------------


def round_items_not_updated(update_round: UpdateRound | None) -> NotUpdated:
    """Return the (item type, id) of the round's items with no change recorded since it opened (one statement)."""
    if update_round is None:
        return None
    updated = exists().where(
        and_(
            ChangeRecord.item_type == RoundItem.item_type,
            ChangeRecord.item_id == RoundItem.item_id,
            ChangeRecord.changed_at >= update_round.opened_at,
        )
    )
    rows = db.session.execute(
        select(RoundItem.item_type, RoundItem.item_id).where(RoundItem.round_id == update_round.id, ~updated)
    )
    return {(kind, item_id) for kind, item_id in rows}


def quality_for_programme(programme: Programme, today: date) -> list[CheckResult]:
    """Run every check on the live position, with the current round's items not yet updated."""
    return run_checks(live_position(programme, today), round_items_not_updated(current_round(programme, today)))
