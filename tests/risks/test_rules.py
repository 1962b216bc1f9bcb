"""The register's pure rules: the level bands at their edges, scores, and the counts the heat map draws."""

from __future__ import annotations

import pytest

from tracker.risks.models import Risk, RiskLevel
from tracker.risks.rules import RiskDetails, details_errors, heat_counts, level_counts, ratings_of, score


@pytest.mark.parametrize(
    "rating, level",
    [
        (1, RiskLevel.LOW),
        (4, RiskLevel.LOW),
        (5, RiskLevel.MEDIUM),
        (12, RiskLevel.MEDIUM),
        (15, RiskLevel.HIGH),
        (25, RiskLevel.HIGH),
    ],
)
def test_levels_at_the_edges_of_their_bands(rating, level):
    assert RiskLevel.for_rating(rating) is level


def test_each_level_says_its_words_and_colours():
    for level in RiskLevel:
        assert level.rag in level.label and level.meaning and level.tag_class.startswith("govuk-tag--")
        assert level.chart_fill.startswith("#") and level.chart_text.startswith("#")


def test_a_risk_rating_is_likelihood_times_impact():
    risk = Risk(likelihood=3, impact=5)
    assert (risk.rating, risk.level) == (15, RiskLevel.HIGH)
    assert (Risk(likelihood=2, impact=2).level, Risk(likelihood=1, impact=5).level) == (RiskLevel.LOW, RiskLevel.MEDIUM)


def test_ratings_of_each_level_cover_every_product_once():
    products = {likelihood * impact for likelihood in range(1, 6) for impact in range(1, 6)}
    assert ratings_of(RiskLevel.LOW) == [1, 2, 3, 4]
    assert ratings_of(RiskLevel.MEDIUM) == [5, 6, 8, 9, 10, 12]
    assert ratings_of(RiskLevel.HIGH) == [15, 16, 20, 25]
    assert sorted(rating for level in RiskLevel for rating in ratings_of(level)) == sorted(products)


@pytest.mark.parametrize(
    "value, expected",
    [(1, 1), ("5", 5), (" 3 ", 3), (0, None), ("6", None), ("2.5", None), ("x", None), (True, None), (None, None)],
)
def test_scores_are_whole_numbers_from_1_to_5(value, expected):
    assert score(value) == expected


def test_every_broken_rule_has_a_message_on_its_field():
    errors = details_errors(RiskDetails(description="  ", likelihood="", impact="9", owner_id=None))
    assert errors == {
        "description": "Describe the risk or challenge",
        "likelihood": "Choose how likely it is, from 1 to 5",
        "impact": "Impact must be a whole number from 1 to 5",
        "owner_id": "Choose who owns the risk",
    }
    long = details_errors(
        RiskDetails(description="x" * 5001, mitigation="y" * 5001, likelihood=1, impact=1, owner_id=1)
    )
    assert long == {
        "description": "The description must be 5,000 characters or fewer",
        "mitigation": "The mitigation must be 5,000 characters or fewer",
    }
    assert details_errors(RiskDetails(description="ok", likelihood=1, impact=1, owner_id=1, review_on="soon")) == {  # type: ignore[arg-type]
        "review_on": "The review date must be a real date, like 27 3 2027"
    }


def test_counts_by_level_and_by_cell_include_empty_ones():
    risks = [Risk(likelihood=5, impact=5), Risk(likelihood=5, impact=5), Risk(likelihood=1, impact=4)]
    assert level_counts(risks) == {RiskLevel.HIGH: 2, RiskLevel.MEDIUM: 0, RiskLevel.LOW: 1}
    cells = heat_counts(risks)
    assert len(cells) == 25 and cells[(5, 5)] == 2 and cells[(1, 4)] == 1 and sum(cells.values()) == 3
