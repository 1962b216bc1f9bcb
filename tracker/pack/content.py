"""The board pack's content: one pure function from a position document to the pack's sections.

``pack_content(position, movement, findings)`` takes a position document (``board.snapshots``: a
frozen board or the live position), the movement since the last board (``board.movement.Movement``
or None) and the data-quality findings (``board.quality.findings_json``), and returns a ``Pack``:
plain data, no database and no Flask. The web page and the PDF both render this one value, so they
carry the same content in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tracker.programme.status import Status

STATUS_ORDER = [status.value for status in Status]


def day_text(iso: str | None) -> str:
    """Return an ISO date as a board report writes it (17 March 2023), or '' for none."""
    if not iso:
        return ""
    day = date.fromisoformat(iso[:10])
    return f"{day.day} {day:%B %Y}"


def status_label(value: str | None) -> str:
    return Status(value).label if value else ""


@dataclass(frozen=True)
class Section:
    """An entry of the contents: its anchor (also the PDF bookmark) and heading."""

    key: str
    title: str
    level: int = 0


@dataclass
class ActionRow:
    ref: str
    title: str
    lead: str
    deadline: str
    status: str
    overdue: bool


@dataclass
class ProjectRow:
    ref: str
    title: str
    lead: str
    deliverables: str
    impact: str
    target_date: str
    status: str
    overdue: bool
    progress: str
    next_steps: str
    actions: list[ActionRow] = field(default_factory=list)


def project_row(project: dict[str, Any], actions: list[ActionRow] | None = None) -> ProjectRow:
    """One project of a position document as the pack's and the highlight report's tables show it."""
    return ProjectRow(
        project["ref"],
        project["title"],
        project.get("lead") or "",
        project.get("deliverables") or "",
        project.get("impact") or "",
        day_text(project.get("target_date")),
        project["status"],
        bool(project.get("overdue")),
        project.get("progress") or "",
        project.get("next_steps") or "",
        actions or [],
    )


@dataclass
class WorkstreamSection:
    key: str
    ref: str
    title: str
    description: str
    reported_separately_by: str | None
    counts_lines: list[str]
    separate_line: str
    projects: list[ProjectRow] = field(default_factory=list)


@dataclass
class Exception_:
    kind: str
    ref: str
    title: str
    lead: str
    deadline: str
    status: str
    overdue: bool
    reason: str


@dataclass
class KpiRow:
    ref: str
    title: str
    target: str
    tolerance: str
    latest: str
    period: str
    status: str  # green/amber/red or ""
    direction: str
    commentary: str
    trend: list[tuple[str, float]]


@dataclass
class RiskRow:
    ref: str
    level: str
    description: str
    mitigation: str
    owner: str
    rating: int
    rag: str
    review_on: str


@dataclass
class Pack:
    title: str
    programme: str
    board_name: str
    meeting: str  # the meeting's date as text, '' for the live position
    position_as_at: str
    next_board: str
    frozen: bool
    produced_by: str
    source_line: str  # which position the pack shows
    sections: list[Section]
    summary_projects: list[str]
    summary_actions: list[str]
    counts: dict[str, dict[str, int]]  # projects/actions -> status value -> count
    separately: dict[str, int]  # projects/actions -> reported separately
    movement: dict[str, Any] | None
    exceptions: list[Exception_]
    workstreams: list[WorkstreamSection]
    kpis: list[KpiRow]
    risks: list[RiskRow]
    appendix: list[dict[str, Any]] | None
    no_movement_reason: str = ""


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _counts_lines(counts: dict[str, Any] | None) -> list[str]:
    if not counts:
        return []
    lines = []
    for kind in ("projects", "actions"):
        part = counts[kind]
        by = ", ".join(f"{n} {Status(s).label}" for s in STATUS_ORDER if (n := part["by_status"].get(s, 0)))
        line = f"{_plural(part['total'], kind[:-1], kind)}" + (f": {by}" if by else "")
        if part.get("overdue"):
            line += f"; {part['overdue']} overdue"
        lines.append(line + ".")
    return lines


def _reason(item: dict[str, Any], kind: str) -> str:
    note = item.get("deadline_note" if kind == "action" else "target_date_note") or ""
    progress = (item.get("progress_note") if kind == "action" else item.get("progress")) or ""
    return (note.strip() or progress.strip()) or "No reason given."


def _exceptions(position: dict[str, Any]) -> list[Exception_]:
    rows = []
    for kind, key, date_field in (("project", "projects", "target_date"), ("action", "actions", "deadline")):
        for item in position[key]:
            if item.get("reported_separately_by"):
                continue
            if item["status"] == Status.RED.value or item.get("overdue"):
                rows.append(
                    Exception_(
                        kind,
                        item["ref"],
                        item["title"],
                        item.get("lead") or "No lead",
                        day_text(item.get(date_field)) or "None set",
                        item["status"],
                        bool(item.get("overdue")),
                        _reason(item, kind),
                    )
                )
    return rows


def _workstreams(position: dict[str, Any]) -> list[WorkstreamSection]:
    actions_by_project: dict[int, list[ActionRow]] = {}
    for a in position["actions"]:
        actions_by_project.setdefault(a["project_id"], []).append(
            ActionRow(a["ref"], a["title"], a.get("lead") or "", day_text(a.get("deadline")), a["status"], a["overdue"])
        )
    sections = []
    for ws in position["workstreams"]:
        if ws.get("parent_ref"):
            continue
        projects = [p for p in position["projects"] if p["root_workstream_ref"] == ws["ref"]]
        section = WorkstreamSection(
            key=f"workstream-{ws['slug']}",
            ref=ws["ref"],
            title=ws["title"],
            description=ws.get("description") or "",
            reported_separately_by=ws.get("reported_separately_by"),
            counts_lines=_counts_lines(ws.get("counts")),
            separate_line="",
        )
        if ws.get("reported_separately_by"):
            n_actions = sum(len(actions_by_project.get(p["id"], [])) for p in projects)
            section.separate_line = (
                f"{_plural(len(projects), 'project', 'projects')} and {_plural(n_actions, 'action', 'actions')} "
                f"in this workstream are led by the {ws['reported_separately_by']} and reported separately."
            )
            section.counts_lines = []
        else:
            section.projects = [project_row(p, actions_by_project.get(p["id"], [])) for p in projects]
        sections.append(section)
    return sections


def _with_unit(value: str | None, unit: str | None) -> str:
    if not value:
        return "No value"
    return f"{value}%" if unit == "percent" else value


def _kpis(position: dict[str, Any]) -> list[KpiRow]:
    rows = []
    for k in position["kpis"]:
        latest = k.get("latest") or {}
        rows.append(
            KpiRow(
                k.get("label") or k["ref"],
                k["title"],
                k.get("target_text") or "",
                k.get("tolerance_text") or "",
                _with_unit(latest.get("value_shown") or latest.get("value"), k.get("unit")),
                latest.get("period_label") or "",
                k.get("status") or "",
                k.get("direction") or "",
                latest.get("commentary") or "",
                [(v["period_label"] or v["period_end"], float(v["value"])) for v in k.get("recent", []) if v["value"]],
            )
        )
    return rows


def _risks(position: dict[str, Any]) -> list[RiskRow]:
    return [
        RiskRow(
            r["ref"],
            r["project_ref"] or r["workstream_ref"] or "Programme",
            r["description"],
            r["mitigation"] or "",
            r.get("owner") or "",
            r["rating"],
            r["rag"],
            day_text(r.get("review_on")),
        )
        for r in position["risks"]
        if r.get("is_open", True)
    ]


def pack_content(
    position: dict[str, Any],
    movement: dict[str, Any] | None = None,
    findings: list[dict[str, Any]] | None = None,
    *,
    no_appendix: bool = False,
) -> Pack:
    """Return the board pack of a position document (pure: no database, no Flask).

    ``movement`` is ``Movement.to_json()`` (None: no earlier frozen board); ``findings`` is
    ``quality.findings_json(...)``.
    """
    programme = position["programme"]
    meeting = (position.get("meeting") or {}).get("date")
    frozen = position.get("frozen")
    rollup = position["rollup"]
    workstreams = _workstreams(position)
    sections = [
        Section("contents", "Contents"),
        Section("summary", "Executive summary"),
        Section("movement", "Movement since the last board"),
        Section("exceptions", "Exceptions: Red and overdue items"),
    ]
    sections += [Section(ws.key, f"Workstream {ws.ref}: {ws.title}", 1) for ws in workstreams]
    sections += [Section("kpis", "KPI scorecard"), Section("risks", "Risks and mitigations")]
    if not no_appendix:
        sections.append(Section("appendix", "Appendix: data-quality findings"))
    if frozen:
        source = f"The board as frozen on {day_text(frozen['at'])} by {frozen['by']}."
    else:
        source = f"The live position on {day_text(position['position_as_at'])}; this board has not been frozen yet."
    board = programme["board_name"]
    return Pack(
        title=f"{board}: board pack" + (f", {day_text(meeting)}" if meeting else ""),
        programme=programme["name"],
        board_name=board,
        meeting=day_text(meeting),
        position_as_at=day_text(position["position_as_at"]),
        next_board=day_text(position.get("next_board")),
        frozen=bool(frozen),
        produced_by=(frozen or {}).get("by") or "The improvement tracker",
        source_line=source,
        sections=sections,
        summary_projects=list(position["summary"]["projects"]),
        summary_actions=list(position["summary"]["actions"]),
        counts={
            kind: {s: rollup[kind]["by_status"].get(s, 0) for s in STATUS_ORDER} for kind in ("projects", "actions")
        },
        separately={
            kind: sum(line["count"] for line in rollup[kind]["reported_separately"]) for kind in ("projects", "actions")
        },
        movement=movement,
        exceptions=_exceptions(position),
        workstreams=workstreams,
        kpis=_kpis(position),
        risks=_risks(position),
        appendix=None if no_appendix else (findings or []),
        no_movement_reason="" if movement else "There is no earlier frozen board to compare with.",
    )


# --- the project highlight report ----------------------------------------------------------------

# A normal project's actions all fit on the report's one page; beyond this many, finished (Green and
# Blue) actions are counted rather than listed, so the open ones a lead must talk about stay listed.
ACTIONS_LISTED_IN_FULL = 20


@dataclass
class ProjectReport:
    """The one-page highlight report of a project: what a project lead takes to their own meeting."""

    title: str
    programme: str
    board_name: str
    position_as_at: str
    next_board: str
    workstream: str
    reported_separately_by: str | None
    project: ProjectRow
    action_counts: str
    actions: list[ActionRow]  # those listed: every open one, and the finished ones while they fit
    finished_not_listed: int  # finished actions counted, not listed ("and 12 more finished actions")
    risks: list[RiskRow]
    kpis: list[KpiRow]


def _action_row(a: dict[str, Any]) -> ActionRow:
    return ActionRow(a["ref"], a["title"], a.get("lead") or "", day_text(a.get("deadline")), a["status"], a["overdue"])


def _listed_actions(actions: list[dict[str, Any]]) -> tuple[list[ActionRow], int]:
    """Every action in board order while they fit; else every open one (Red and overdue first, then by
    deadline) and the finished ones counted: nothing a lead must report on is left out."""
    if len(actions) <= ACTIONS_LISTED_IN_FULL:
        return [_action_row(a) for a in actions], 0
    open_ = [a for a in actions if not Status(a["status"]).is_complete]
    open_.sort(key=lambda a: (not (a["status"] == Status.RED.value or a["overdue"]), a.get("deadline") or "9999"))
    return [_action_row(a) for a in open_], len(actions) - len(open_)


def project_report(position: dict[str, Any], slug: str) -> ProjectReport | None:
    """Return the highlight report of the project with this slug in a position document, or None if
    the position does not hold it (pure: no database, no Flask)."""
    project = next((p for p in position["projects"] if p["slug"] == slug), None)
    if project is None:
        return None
    actions = [a for a in position["actions"] if a["project_id"] == project["id"]]
    workstream = next(ws for ws in position["workstreams"] if ws["id"] == project["workstream_id"])
    listed, finished_not_listed = _listed_actions(actions)
    by_status = {s: sum(1 for a in actions if a["status"] == s) for s in STATUS_ORDER}
    parts = ", ".join(f"{n} {Status(s).label}" for s, n in by_status.items() if n)
    overdue = sum(1 for a in actions if a["overdue"])
    counts = _plural(len(actions), "action", "actions") + (f": {parts}" if parts else "")
    counts += (f"; {overdue} overdue" if overdue else "") + "."
    row = project_row(project)
    return ProjectReport(
        title=f"Project {project['ref']}: {project['title']}: highlight report",
        programme=position["programme"]["name"],
        board_name=position["programme"]["board_name"],
        position_as_at=day_text(position["position_as_at"]),
        next_board=day_text(position.get("next_board")),
        workstream=f"Workstream {workstream['ref']}: {workstream['title']}",
        reported_separately_by=project.get("reported_separately_by"),
        project=row,
        action_counts=counts,
        actions=listed,
        finished_not_listed=finished_not_listed,
        risks=_risks({"risks": [r for r in position["risks"] if r["project_ref"] == project["ref"]]}),
        kpis=_kpis({"kpis": [k for k in position["kpis"] if project["ref"] in k["project_refs"]]}),
    )
