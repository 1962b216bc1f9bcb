"""The shapes of the read API: each schema serialises its responses AND writes the OpenAPI document.

flask-smorest dumps every response through these schemas and apispec turns the same schemas into
/api/v1/openapi.json, so the document cannot drift from what the API sends. Field names follow the
existing exports (``flask export summary``, ``flask export kpis``) and the frozen board document
(``board/snapshots.py``), so a column means the same thing wherever it is read.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tracker.programme.status import Ambition, Status

STATUS_VALUES = [status.value for status in Status]


def _status(**kwargs) -> fields.String:
    return fields.String(validate=validate.OneOf(STATUS_VALUES), metadata={"enum": STATUS_VALUES}, **kwargs)


def _iso(kind: str = "date", **kwargs) -> fields.String:
    """A date or moment the exports already write as ISO text (marshmallow's Date dumps only date objects)."""
    return fields.String(metadata={"format": kind}, **kwargs)


def _nullable(kind: str) -> fields.Raw:
    """A value passed through as the export writes it (an int stays an int), documented by its JSON types."""
    return fields.Raw(allow_none=True, required=True, metadata={"type": kind})


class ProblemSchema(Schema):
    """An error, as RFC 9457 problem details (served as application/problem+json)."""

    type = fields.String(required=True, metadata={"description": "about:blank: the status code says it all"})
    title = fields.String(required=True, metadata={"description": "The HTTP status phrase"})
    status = fields.Integer(required=True)
    detail = fields.String(required=True, metadata={"description": "What went wrong, in words a person can act on"})
    errors = fields.Dict(
        keys=fields.String(), metadata={"description": "For 422: each query parameter refused, with why"}
    )


class LinksSchema(Schema):
    """Where to read more: absolute addresses of API resources and of the matching web page."""

    self = fields.String(required=True)
    web = fields.String()
    summary = fields.String()
    workstreams = fields.String()
    projects = fields.String()
    actions = fields.String()
    kpis = fields.String()
    meetings = fields.String()
    snapshot = fields.String()


class PageLinksSchema(Schema):
    """Links to the pages of a paginated list (also sent as an RFC 8288 Link header)."""

    self = fields.String(required=True)
    first = fields.String(required=True)
    last = fields.String(required=True)
    prev = fields.String(allow_none=True, required=True)
    next = fields.String(allow_none=True, required=True)


class ProgrammeSchema(Schema):
    short_name = fields.String(required=True)
    name = fields.String(required=True)
    vision = fields.String(required=True)
    board_name = fields.String(required=True)
    board_cycle_weeks = fields.Integer(required=True)
    next_board = fields.Date(required=True, metadata={"description": "The next board meeting on or after today"})
    links = fields.Nested(LinksSchema, required=True)


class ProgrammeListSchema(Schema):
    items = fields.List(fields.Nested(ProgrammeSchema), required=True)


# --- the roll-up, exactly as `flask export summary` prints it -------------------------------------

StatusCountsByStatus = Schema.from_dict(
    {status.value: fields.Integer(required=True) for status in Status}, name="CountsByStatus"
)


class SeparateLineSchema(Schema):
    by = fields.String(required=True)
    count = fields.Integer(required=True)


class StatusCountsSchema(Schema):
    total = fields.Integer(required=True)
    by_status = fields.Nested(StatusCountsByStatus, required=True)
    reported_separately = fields.List(fields.Nested(SeparateLineSchema), required=True)
    overdue = fields.Integer(required=True)
    due_before_next_board = fields.Integer(required=True)


class WorkstreamRollupSchema(Schema):
    ref = fields.String(required=True)
    title = fields.String(required=True)
    reported_separately_by = fields.String(allow_none=True, required=True)
    projects = fields.Nested(StatusCountsSchema, required=True)
    actions = fields.Nested(StatusCountsSchema, required=True)


AmbitionCounts = Schema.from_dict(
    {ambition.value: fields.Nested(StatusCountsByStatus, required=True) for ambition in Ambition},
    name="ProjectsByAmbition",
)


class SummarySchema(Schema):
    """The programme roll-up: the same document as `flask export summary --programme P`."""

    programme = fields.String(required=True)
    as_at = _iso(required=True)
    next_board = _iso(required=True)
    projects = fields.Nested(StatusCountsSchema, required=True)
    actions = fields.Nested(StatusCountsSchema, required=True)
    workstreams = fields.List(fields.Nested(WorkstreamRollupSchema), required=True)
    projects_by_ambition = fields.Nested(AmbitionCounts, required=True)


# --- workstreams and projects, as the frozen board document holds them -----------------------------


class WorkstreamSchema(Schema):
    ref = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    parent_ref = fields.String(allow_none=True, required=True)
    reported_separately_by = fields.String(allow_none=True, required=True)


class WorkstreamListSchema(Schema):
    items = fields.List(fields.Nested(WorkstreamSchema), required=True)


class ProjectSchema(Schema):
    ref = fields.String(required=True)
    title = fields.String(required=True)
    workstream_ref = fields.String(required=True)
    root_workstream_ref = fields.String(required=True)
    lead = fields.String(allow_none=True, required=True)
    deliverables = fields.String(required=True)
    impact = fields.String(required=True)
    target_date = _iso(allow_none=True, required=True)
    target_date_note = fields.String(required=True)
    status = _status(required=True)
    progress = fields.String(required=True)
    next_steps = fields.String(required=True)
    updated_at = _iso("date-time", allow_none=True, required=True)
    overdue = fields.Boolean(required=True)
    reported_separately_by = fields.String(allow_none=True, required=True)


class ProjectListSchema(Schema):
    items = fields.List(fields.Nested(ProjectSchema), required=True)


# --- actions: the action list page's query, a page at a time ----------------------------------------


class ActionQuerySchema(Schema):
    """The filters of the action list page, as query parameters."""

    status = fields.List(
        _status(),
        metadata={"description": "Only actions at these statuses (repeat the parameter for several)"},
    )
    lead = fields.String(
        validate=validate.Length(min=1, max=200), metadata={"description": "Only actions led by this person (name)"}
    )
    workstream = fields.String(
        validate=validate.Length(min=1, max=50),
        metadata={"description": "Only actions in this workstream (ref) and its sub-workstreams"},
    )
    overdue = fields.Boolean(load_default=False, metadata={"description": "Only actions past their deadline"})
    due_before_board = fields.Boolean(
        load_default=False, metadata={"description": "Only actions due on or before the next board meeting"}
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class ActionSchema(Schema):
    ref = fields.String(required=True)
    title = fields.String(required=True)
    project_ref = fields.String(required=True)
    lead = fields.String(allow_none=True, required=True)
    start_date = fields.Date(allow_none=True, required=True)
    deadline = fields.Date(allow_none=True, required=True)
    status = _status(required=True)
    overdue = fields.Boolean(required=True)
    due_before_next_board = fields.Boolean(required=True)
    web = fields.String(required=True, metadata={"description": "The action's page in the tracker"})


class ActionPageSchema(Schema):
    items = fields.List(fields.Nested(ActionSchema), required=True)
    total = fields.Integer(required=True, metadata={"description": "Actions matching the filters, on every page"})
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    next_board = fields.Date(required=True)
    links = fields.Nested(PageLinksSchema, required=True)


# --- KPIs: the fields of `flask export kpis` (kpis.export.EXPORT_FIELDS, in its order; a test holds them equal) ---

_KPI_FIELDS = {
    "ref": fields.String(required=True),
    "title": fields.String(required=True),
    "unit": fields.String(required=True),
    "polarity": fields.String(required=True),
    "target": fields.Raw(
        allow_none=True,
        required=True,
        metadata={"type": ["number", "string"], "description": "A number, or words such as 'Above national'"},
    ),
    "tolerance_low": _nullable("number"),
    "tolerance_high": _nullable("number"),
    "latest_period_end": _iso(allow_none=True, required=True),
    "latest_period_label": fields.String(allow_none=True, required=True),
    "latest_value": _nullable("number"),
    "status": fields.String(allow_none=True, required=True),
    "direction": fields.String(allow_none=True, required=True),
    "exceeds_tolerance": fields.Boolean(required=True),
    "decimal_places": fields.Integer(required=True),
    "latest_value_shown": fields.String(allow_none=True, required=True),
}
KpiSchema = Schema.from_dict(_KPI_FIELDS, name="Kpi")


class KpiListSchema(Schema):
    items = fields.List(fields.Nested(KpiSchema), required=True)


# --- board meetings and frozen boards --------------------------------------------------------------


class MeetingSchema(Schema):
    meets_on = fields.Date(required=True)
    update_deadline = fields.Date(required=True)
    note = fields.String(required=True)
    frozen = fields.Boolean(required=True, metadata={"description": "Whether the board's position has been frozen"})
    links = fields.Nested(LinksSchema, required=True)


class MeetingListSchema(Schema):
    items = fields.List(fields.Nested(MeetingSchema), required=True)


class SnapshotSchema(Schema):
    meets_on = fields.Date(required=True)
    position_as_at = fields.Date(required=True)
    frozen_at = fields.DateTime(required=True)
    frozen_by = fields.String(required=True)
    content_sha256 = fields.String(required=True)
    document = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": "The frozen board as stored (schema 1), checked against its SHA-256"},
    )
