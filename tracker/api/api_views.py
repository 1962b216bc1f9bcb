"""The read API under /api/v1/: GET only, JSON, every response dumped through a schema of api.schemas.

Each view: find the programme the caller may read, answer 304 from the programme's data version
when the caller's ETag is current (before any real work), else read through the same queries as
the pages and CLI and return plain data for the schema to dump.
"""

from __future__ import annotations

from typing import Any

from flask import Response, g, request, url_for
from flask_smorest import Blueprint  # type: ignore[import-untyped]  # ships no type information

from tracker.api import problems, queries
from tracker.api.access import api_user, authenticate, readable_programme
from tracker.api.schemas import (
    ActionPageSchema,
    ActionQuerySchema,
    KpiListSchema,
    MeetingListSchema,
    ProgrammeListSchema,
    ProjectListSchema,
    SnapshotSchema,
    SummarySchema,
    WorkstreamListSchema,
)
from tracker.board.snapshots import live_position
from tracker.core.clock import today
from tracker.kpis.export import scorecard_json
from tracker.kpis.queries import scorecard
from tracker.programme.models import Programme
from tracker.programme.views import rollup_for_today

bp = Blueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="Programmes, their roll-up, workstreams, projects, actions, KPIs and board meetings (read only).",
)
bp.before_request(authenticate)
problems.register(bp)


@bp.after_request
def keep_private(response: Response) -> Response:
    """Answers are the caller's to keep, and to check again (with their ETag) before reusing."""
    response.headers.setdefault("Cache-Control", "private, no-cache")
    return response


PROGRAMME = [{"in": "path", "name": "programme", "description": "The programme's short name", "example": "children"}]
ERRORS = (401, 403, 404)
QUERY_PARAMETERS = frozenset(ActionQuerySchema().fields)


def documented_errors(*codes: int):
    """Document the problem-details answers a view may give, besides the default."""

    def decorate(view):
        for code in codes:
            view = bp.alt_response(code, response=_RESPONSE_NAMES[code])(view)
        return view

    return decorate


_RESPONSE_NAMES = {401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND"}


def fresh_unless_changed(*parts: Any) -> None:
    """Tag the answer by what it is drawn from; 304 at once when the caller already holds that tag.

    The tag names the address, its query, the day (overdue is judged on it) and the data version,
    so working it out costs nothing beyond the programme's own row.
    """
    data = [request.path, sorted(request.args.items(multi=True)), today().isoformat(), *parts]
    g.api_etag = bp._generate_etag(data)  # noqa: SLF001 - the same hash set_etag sends, kept for the 304
    bp.set_etag(data)


def links_of(programme: Programme) -> dict[str, str]:
    name = programme.short_name
    kinds = ("summary", "workstreams", "projects", "actions", "kpis", "meetings")
    links = {kind: url_for(f"api.{kind}", programme=name, _external=True) for kind in kinds}
    return {"self": links["summary"], "web": url_for("programme.overview", programme=name, _external=True), **links}


@bp.route("/programmes")
@bp.etag
@bp.response(200, ProgrammeListSchema)
@documented_errors(401)
def programmes() -> dict[str, Any]:
    """List the programmes you may read, with their next board meeting."""
    rows = queries.readable_programmes(api_user(), today())
    fresh_unless_changed([(programme.id, programme.data_version) for programme, _board in rows])
    details = ("short_name", "name", "vision", "board_name", "board_cycle_weeks")
    items = [
        {key: getattr(p, key) for key in details} | {"next_board": board, "links": links_of(p)} for p, board in rows
    ]
    return {"items": items}


@bp.route("/programmes/<programme>/summary", parameters=PROGRAMME)
@bp.etag
@bp.response(200, SummarySchema)
@documented_errors(*ERRORS)
def summary() -> dict[str, Any]:
    """The programme's roll-up: items by status, overdue, by workstream and ambition, as the summary export gives it."""
    programme = readable_programme()
    fresh_unless_changed(programme.id, programme.data_version)
    return {"programme": programme.short_name, **rollup_for_today().to_json()}


@bp.route("/programmes/<programme>/workstreams", parameters=PROGRAMME)
@bp.etag
@bp.response(200, WorkstreamListSchema)
@documented_errors(*ERRORS)
def workstreams() -> dict[str, Any]:
    """The programme's live workstreams in board order, sub-workstreams naming their parent."""
    programme = readable_programme()
    fresh_unless_changed(programme.id, programme.data_version)
    return {"items": live_position(programme, today())["workstreams"]}


@bp.route("/programmes/<programme>/projects", parameters=PROGRAMME)
@bp.etag
@bp.response(200, ProjectListSchema)
@documented_errors(*ERRORS)
def projects() -> dict[str, Any]:
    """The programme's live projects in board order, as the board document holds them."""
    programme = readable_programme()
    fresh_unless_changed(programme.id, programme.data_version)
    return {"items": live_position(programme, today())["projects"]}


@bp.route("/programmes/<programme>/actions", parameters=PROGRAMME)
@bp.etag
@bp.arguments(ActionQuerySchema, location="query")
@bp.response(200, ActionPageSchema)
@documented_errors(*ERRORS)
def actions(asked: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """The programme's live actions, filtered as on the action list page, a page at a time (Link header)."""
    programme = readable_programme()
    fresh_unless_changed(programme.id, programme.data_version)
    day = today()
    result, next_board = queries.action_page(programme, asked, day)
    items = [
        {"lead": row.lead_name, "status": row.status.value, "overdue": row.is_overdue(day)}
        | {key: getattr(row, key) for key in ("ref", "title", "project_ref", "start_date", "deadline")}
        | {"due_before_next_board": row.is_due_before(day, next_board)}
        | {"web": url_for("programme.action", ref=row.slug, _external=True)}
        for row in result.actions
    ]
    links = page_links(result.page, result.pages)
    body = {"items": items, "total": result.total, "page": result.page, "per_page": result.per_page}
    return body | {"pages": result.pages, "next_board": next_board, "links": links}, 200, {"Link": link_header(links)}


def page_links(page: int, pages: int) -> dict[str, str | None]:
    """Return the addresses of this page, the first, the last and its neighbours (None past either end)."""

    # Only the list's own parameters go into its links: url_for reads others (_external, _scheme) as orders.
    kept: dict[str, Any] = {k: v for k, v in request.args.to_dict(flat=False).items() if k in QUERY_PARAMETERS}

    def at(number: int) -> str:
        return url_for("api.actions", _external=True, **(kept | {"page": number}))

    return {
        "self": at(page),
        "first": at(1),
        "last": at(pages),
        "prev": at(page - 1) if page > 1 else None,
        "next": at(page + 1) if page < pages else None,
    }


def link_header(links: dict[str, str | None]) -> str:
    """Return the links as an RFC 8288 Link header, which Power BI and most HTTP clients follow."""
    return ", ".join(f'<{href}>; rel="{rel}"' for rel, href in links.items() if href and rel != "self")


@bp.route("/programmes/<programme>/kpis", parameters=PROGRAMME)
@bp.etag
@bp.response(200, KpiListSchema)
@documented_errors(*ERRORS)
def kpis() -> dict[str, Any]:
    """Every KPI with its latest value, target, tolerance, status and direction (the KPI export's fields)."""
    programme = readable_programme()
    fresh_unless_changed(programme.id, programme.data_version)
    return {"items": scorecard_json(scorecard(programme))}


@bp.route("/programmes/<programme>/meetings", parameters=PROGRAMME)
@bp.etag
@bp.response(200, MeetingListSchema)
@documented_errors(*ERRORS)
def meetings() -> dict[str, Any]:
    """The programme's board meetings, earliest first, and whether each board has been frozen."""
    # Freezing a board does not move the data version, so this ETag is the hash of the answer itself.
    programme = readable_programme()
    items = []
    for meeting, frozen in queries.meetings_with_frozen(programme):
        day = meeting.meets_on.isoformat()
        own = url_for("api.snapshot", meets_on=day, _external=True)
        links = {"self": own, "web": url_for("meetings.meeting_page", meets_on=day, _external=True)}
        items.append(
            {"meets_on": meeting.meets_on, "update_deadline": meeting.update_deadline, "note": meeting.note}
            | {"frozen": frozen, "links": links | ({"snapshot": own} if frozen else {})}
        )
    return {"items": items}


@bp.route(
    "/programmes/<programme>/meetings/<meets_on>/snapshot",
    parameters=[
        *PROGRAMME,
        {"in": "path", "name": "meets_on", "description": "The meeting's date", "example": "2026-12-11"},
    ],
)
@bp.etag
@bp.response(200, SnapshotSchema)
@documented_errors(*ERRORS)
def snapshot(meets_on: str) -> dict[str, Any]:
    """The board as frozen for the meeting on that date (YYYY-MM-DD): the stored document, never changed."""
    meeting, frozen = queries.frozen_board(readable_programme(), meets_on)
    fresh_unless_changed(frozen.content_sha256)  # a frozen board never changes: its checksum is its tag
    return queries.snapshot_record(meeting, frozen)
