"""Risks and challenges, with their mitigation, at programme, workstream or project level.

A risk's rating is likelihood × impact (each 1–5); ``RiskLevel`` says what a rating means, in words
and colours, as ``programme.status.Status`` does for progress.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.clock import utcnow
from tracker.core.models import Historied
from tracker.extensions import Model
from tracker.people.models import Person
from tracker.programme.models import Programme, Project, Workstream

SCALE = range(1, 6)  # likelihood and impact are each scored 1 (lowest) to 5 (highest)


class RiskLevel(enum.Enum):
    """How serious a risk is, from its rating (likelihood × impact), in the RAG a board reads."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @classmethod
    def for_rating(cls, rating: int) -> RiskLevel:
        """1–4 low, 5–12 medium, 15–25 high: the usual 5 × 5 matrix bands."""
        if rating >= 15:
            return cls.HIGH
        if rating >= 5:
            return cls.MEDIUM
        return cls.LOW

    @property
    def label(self) -> str:
        return {"low": "Low (Green)", "medium": "Medium (Amber)", "high": "High (Red)"}[self.value]

    @property
    def rag(self) -> str:
        return {"low": "Green", "medium": "Amber", "high": "Red"}[self.value]

    @property
    def meaning(self) -> str:
        return {
            "low": "rated 1 to 4: kept under review",
            "medium": "rated 5 to 12: mitigation in hand, watched by the programme office",
            "high": "rated 15 to 25: needs the board's attention and a mitigation that works",
        }[self.value]

    @property
    def tag_class(self) -> str:
        """Return the GOV.UK tag modifier; the tag always carries the word too."""
        return {"low": "govuk-tag--green", "medium": "govuk-tag--yellow", "high": "govuk-tag--red"}[self.value]

    @property
    def chart_fill(self) -> str:
        """Return the heat map's cell colour (GOV.UK green, yellow, red); each cell carries its count in words too."""
        return {"low": "#00703c", "medium": "#ffdd00", "high": "#d4351c"}[self.value]

    @property
    def chart_text(self) -> str:
        """Return a text colour with enough contrast on chart_fill."""
        return {"low": "#ffffff", "medium": "#0b0c0c", "high": "#ffffff"}[self.value]


class Risk(Historied, Model):
    """A risk or challenge of the programme, or of one workstream or project, and how it is mitigated."""

    __tablename__ = "risk"
    history_type = "risk"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    # At most one of these: neither means a programme-level risk.
    workstream_id: Mapped[int | None] = mapped_column(ForeignKey("workstream.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    mitigation: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    likelihood: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    review_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    programme: Mapped[Programme] = relationship()
    workstream: Mapped[Workstream | None] = relationship()
    project: Mapped[Project | None] = relationship()
    owner: Mapped[Person | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("likelihood BETWEEN 1 AND 5", name="risk_likelihood_range"),
        CheckConstraint("impact BETWEEN 1 AND 5", name="risk_impact_range"),
        CheckConstraint("workstream_id IS NULL OR project_id IS NULL", name="risk_one_level"),
    )

    @property
    def rating(self) -> int:
        return self.likelihood * self.impact

    @property
    def level(self) -> RiskLevel:
        return RiskLevel.for_rating(self.rating)

    @property
    def ref(self) -> str:
        """How history and the audit log name a risk."""
        return f"R{self.id}"

    def review_overdue(self, today: date) -> bool:
        """An open risk whose review date has passed."""
        return self.is_open and self.review_on is not None and self.review_on < today
