"""Pure rules of the risk register: what a risk's details must be, and how risks are counted.

Values in, one result out (no database, no Flask): the form, the services and the CLI share them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from tracker.programme.limits import MAX_NOTE, length_errors
from tracker.risks.models import SCALE, Risk, RiskLevel

MAX_DESCRIPTION = MAX_NOTE
MAX_MITIGATION = MAX_NOTE

# What the 1–5 scores mean, for the form's hints and the register's key.
LIKELIHOOD_WORDS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT_WORDS = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Severe"}


@dataclass
class RiskDetails:
    """What someone sends to add or change a risk; scores may arrive as text from a form or a file."""

    description: str
    mitigation: str = ""
    owner_id: int | None = None
    likelihood: int | str | None = None
    impact: int | str | None = None
    review_on: date | None = None


def score(value: object) -> int | None:
    """Return a 1–5 score as an int, or None if the value is not a whole number from 1 to 5."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number if number in SCALE else None


def _score_errors(name: str, value: object, missing: str, label: str) -> dict[str, str]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return {name: missing}
    if score(value) is None:
        return {name: f"{label} must be a whole number from 1 to 5"}
    return {}


def details_errors(details: RiskDetails) -> dict[str, str]:
    """Return every rule the details break, keyed by form field (the owner is checked against the people)."""
    errors = length_errors(
        {
            "description": (details.description, MAX_DESCRIPTION, "the description"),
            "mitigation": (details.mitigation, MAX_MITIGATION, "the mitigation"),
        }
    )
    if not (details.description or "").strip():
        errors["description"] = "Describe the risk or challenge"
    errors.update(_score_errors("likelihood", details.likelihood, "Choose how likely it is, from 1 to 5", "Likelihood"))
    errors.update(
        _score_errors("impact", details.impact, "Choose how great its impact would be, from 1 to 5", "Impact")
    )
    if details.review_on is not None and not isinstance(details.review_on, date):
        errors["review_on"] = "The review date must be a real date, like 27 3 2027"
    if details.owner_id is None:
        errors["owner_id"] = "Choose who owns the risk"
    return errors


def level_counts(risks: Iterable[Risk]) -> dict[RiskLevel, int]:
    """Count risks by level, every level present (highest first)."""
    counted = Counter(risk.level for risk in risks)
    return {level: counted[level] for level in (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW)}


def heat_counts(risks: Iterable[Risk]) -> dict[tuple[int, int], int]:
    """Count risks in each (likelihood, impact) cell of the 5 × 5 matrix, every cell present."""
    counted = Counter((risk.likelihood, risk.impact) for risk in risks)
    return {(likelihood, impact): counted[(likelihood, impact)] for likelihood in SCALE for impact in SCALE}


def ratings_of(level: RiskLevel) -> list[int]:
    """Return the ratings (likelihood × impact) that fall in a level, for selecting by level in SQL."""
    products = sorted({likelihood * impact for likelihood in SCALE for impact in SCALE})
    return [rating for rating in products if RiskLevel.for_rating(rating) is level]
