"""Forms of the risk register: shape only. The rules (a description, scores 1 to 5, an owner from
the people) live in tracker.risks.rules and the services, whose refusals come back with add_errors."""

from __future__ import annotations

from typing import ClassVar

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput
from wtforms import RadioField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from tracker.core.forms import GovDateField, VersionedForm, text_area
from tracker.people.models import Person
from tracker.risks.models import SCALE, Risk, RiskLevel
from tracker.risks.queries import RiskFilters
from tracker.risks.rules import IMPACT_WORDS, LIKELIHOOD_WORDS, MAX_DESCRIPTION, MAX_MITIGATION, RiskDetails

STATE_CHOICES = {"open": "Open risks", "closed": "Closed risks", "all": "Open and closed risks"}


def _score_field(label: str, words: dict[int, str], description: str) -> RadioField:
    # Any value is accepted here: the rule (a whole number from 1 to 5) and its message are the service's.
    return RadioField(
        label,
        choices=[SelectChoice(str(n), f"{n} – {words[n]}") for n in SCALE],
        description=description,
        validators=[Optional()],
        validate_choice=False,
        widget=GovRadioInput(),
    )


def _number(text: str | None) -> int | None:
    """The id a select sent: None when nothing was chosen, 0 (no one) for anything not a number."""
    text = (text or "").strip()
    if not text:
        return None
    return int(text) if text.isdigit() else 0


class RiskForm(VersionedForm):
    description = text_area(
        "Risk or challenge",
        MAX_DESCRIPTION,
        "What might happen, or is happening, and what it would mean for the programme.",
    )
    mitigation = text_area("Mitigation", MAX_MITIGATION, "What is being done, or will be done, to reduce it.")
    owner_id = SelectField("Owner", validators=[Optional()], validate_choice=False, widget=GovSelect())
    likelihood = _score_field("Likelihood", LIKELIHOOD_WORDS, "How likely it is to happen, from 1 to 5.")
    impact = _score_field("Impact", IMPACT_WORDS, "How much harm it would do if it happened, from 1 to 5.")
    review_on = GovDateField("Review date", validators=[Optional()], description="For example, 27 3 2027")
    submit = SubmitField("Save risk", widget=GovSubmitInput())

    def offer_owners(self, people: list[Person]) -> None:
        self.owner_id.choices = [SelectChoice("", "Choose an owner")] + [
            SelectChoice(str(person.id), person.name) for person in people
        ]

    @classmethod
    def showing(cls, risk: Risk) -> RiskForm:
        """Return the form filled in with the risk as it stands, and the version the user sees."""
        return cls(
            data={
                "description": risk.description,
                "mitigation": risk.mitigation,
                "owner_id": str(risk.owner_id or ""),
                "likelihood": str(risk.likelihood),
                "impact": str(risk.impact),
                "review_on": risk.review_on,
                "version": str(risk.version),
            }
        )

    def to_details(self) -> RiskDetails:
        """Return what the user typed, for the service to judge."""
        return RiskDetails(
            description=self.description.data or "",
            mitigation=self.mitigation.data or "",
            owner_id=_number(self.owner_id.data),
            likelihood=self.likelihood.data,
            impact=self.impact.data,
            review_on=self.review_on.data,
        )


class RiskStateForm(VersionedForm):
    """The close and reopen buttons: the version the user saw, and the CSRF token."""


class RiskFilterForm(FlaskForm):
    """The register's filters, read from the query string so every view of it has an address."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    state = SelectField(
        "Show",
        choices=[SelectChoice(value, label) for value, label in STATE_CHOICES.items()],
        default="open",
        widget=GovSelect(),
    )
    level = SelectField(
        "Level",
        choices=[SelectChoice("", "All levels")] + [SelectChoice(level.value, level.label) for level in RiskLevel],
        default="",
        validators=[Optional()],
        widget=GovSelect(),
    )

    FRIENDLY_ERRORS: ClassVar[dict[str, str]] = {
        "state": "Choose open, closed, or open and closed risks",
        "level": "Choose a level from the list: Low, Medium or High",
    }

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for name, message in self.FRIENDLY_ERRORS.items():
            field = getattr(self, name)
            if field.errors:
                field.errors = [message]
        return valid

    def to_filters(self) -> tuple[RiskFilters, bool]:
        """Return the filters asked for, and whether they were refused (then the register shows open risks)."""
        if not self.validate():
            return RiskFilters(), True
        level = RiskLevel(self.level.data) if self.level.data else None
        return RiskFilters(state=self.state.data or "open", level=level), False
