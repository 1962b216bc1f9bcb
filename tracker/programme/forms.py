"""Forms for the progress pages: the action list filters (GET, bookmarkable)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from tracker.programme.queries import ActionFilters, WorkstreamChoice
from tracker.programme.status import Status

SORT_OPTIONS = {
    "ref": "Reference",
    "deadline": "Deadline (soonest first)",
    "-deadline": "Deadline (latest first)",
    "status": "Status",
    "lead": "Lead",
}


# Longer than any title a person would type to find an item; longer searches are refused with a message.
MAX_SEARCH_LENGTH = 200


class MultiCheckboxField(SelectMultipleField):
    """Several values under one name; drawn as GOV.UK checkboxes by programme/_filter_fields.html."""


class ActionFilterForm(FlaskForm):
    """Filters read from the query string, so every filtered list has a URL to bookmark."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    q = StringField(
        "Search actions",
        description="Words in the reference, title, lead or progress note",
        filters=[lambda value: " ".join(value.split()) if isinstance(value, str) else value],
        validators=[Optional(), Length(max=MAX_SEARCH_LENGTH)],
    )
    workstream = SelectField("Workstream", validators=[Optional()])
    lead = SelectField("Lead", validators=[Optional()])
    status = MultiCheckboxField(
        "Status",
        choices=[SelectChoice(s.value, s.label) for s in Status],
        validators=[Optional()],
    )
    overdue = BooleanField("Only overdue actions")
    before_board = BooleanField("Only actions due before the next board")
    due_within = IntegerField(
        "Due within (weeks)",
        description="Actions not yet complete with a deadline in the next number of weeks",
        validators=[Optional(), NumberRange(min=1, max=260, message="Enter a number of weeks from 1 to 260")],
    )
    sort = SelectField(
        "Sort by", choices=[SelectChoice(k, v) for k, v in SORT_OPTIONS.items()], default="ref", validators=[Optional()]
    )

    FRIENDLY_ERRORS: ClassVar[dict[str, str]] = {
        "q": f"Enter {MAX_SEARCH_LENGTH} characters or fewer to search for",
        "workstream": "Choose a workstream from the list",
        "lead": "Choose a lead from the list",
        "status": "Choose statuses from the list: Blue, Green, Amber, Red or Grey",
        "sort": "Choose a sort order from the list",
        "due_within": "Enter due within as a whole number of weeks from 1 to 260, like 6",
    }

    def validate(self, extra_validators=None) -> bool:
        """Validate, replacing WTForms' technical messages with ones a person can act on."""
        valid = super().validate(extra_validators)
        for name, message in self.FRIENDLY_ERRORS.items():
            field = getattr(self, name)
            if field.errors:
                field.errors = [message]
        return valid

    def set_choices(self, workstreams, people) -> None:
        self.workstream.choices = [SelectChoice("", "All workstreams")] + [
            SelectChoice(ws.ref, f"{ws.ref}: {ws.title}") for ws in workstreams
        ]
        self.lead.choices = [SelectChoice("", "All leads")] + [SelectChoice(str(p.id), p.name) for p in people]

    def to_filters(self, workstreams: list[WorkstreamChoice], next_board: date) -> ActionFilters:
        """The filters this (validated) form asks for: one step, shared by the list page and its downloads."""
        filters = ActionFilters(sort=self.sort.data or "ref", overdue=bool(self.overdue.data))
        if self.before_board.data:
            filters.due_before = next_board
        if self.workstream.data:
            chosen = next(ws for ws in workstreams if ws.ref == self.workstream.data)
            filters.workstream = chosen
            filters.workstream_ids = (chosen.id, *(ws.id for ws in workstreams if ws.parent_id == chosen.id))
        if self.lead.data:
            filters.lead_id = int(self.lead.data)
        filters.statuses = tuple(Status(value) for value in self.status.data or [])
        filters.due_within_weeks = self.due_within.data
        filters.text = self.q.data or ""
        return filters
