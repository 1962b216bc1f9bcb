"""KPI definitions, the targets in force from a date, period values and the history of replaced values."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.clock import utcnow
from tracker.core.models import RefKeys, enum_column
from tracker.core.refs import MAX_REF
from tracker.extensions import Model, db
from tracker.people.models import Person
from tracker.programme.models import InProgramme, Project, Workstream, unique_in_programme

# Six decimal places hold the smallest published rates (0.01%) with room to spare, on SQLite and PostgreSQL.
NUMBER = Numeric(18, 6)
# The smallest step and the largest magnitude NUMBER holds: parsing refuses finer or larger numbers, sums round to it.
NUMBER_STEP = Decimal("0.000001")
NUMBER_LIMIT = Decimal("999999999999")
# The most decimal places a KPI can be published to: all that NUMBER keeps.
MAX_DECIMAL_PLACES = 6
# How long a period label may be ("Q3 2022/23", "Dec-18"): the column, the form and the importer agree.
PERIOD_LABEL_LIMIT = 40

# The target a KPI import sets when the file has no applies_from column: in force for every period.
APPLIES_ALWAYS = date(1900, 1, 1)


class KpiUnit(enum.Enum):
    PERCENT = "percent"
    NUMBER = "number"
    DAYS = "days"
    RATE = "rate"
    SCORE = "score"

    @property
    def label(self) -> str:
        return {"percent": "Per cent", "number": "Number", "days": "Days", "rate": "Rate", "score": "Score"}[self.value]

    @property
    def default_decimal_places(self) -> int:
        """Return the places a KPI of this unit is published to unless its definition says otherwise.

        Per cent 0 (69%) and number 0 (counts: 13,104), as board scorecards print them; rate 1
        (rates per 1,000 or 10,000 are published as 35.2); days 0 (boards read whole days: 412 days);
        score 1 (average scores such as Attainment 8 are published as 46.3). A KPI published more
        finely (absence 4.6%, Progress 8 -0.03) states its own ``decimal_places``.
        """
        return {"percent": 0, "number": 0, "days": 0, "rate": 1, "score": 1}[self.value]


class Polarity(enum.Enum):
    HIGHER = "higher"
    LOWER = "lower"
    STABLE = "stable"
    TREND = "trend"

    @property
    def label(self) -> str:
        return {
            "higher": "Higher is better",
            "lower": "Lower is better",
            "stable": "Keep within the tolerance band",
            "trend": "Monitored for trend, no target",
        }[self.value]


class Frequency(enum.Enum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    TERMLY = "termly"
    ANNUAL = "annual"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ComparatorKind(enum.Enum):
    """A target that is a comparator's value for the same period."""

    NATIONAL = "national"
    STATISTICAL_NEIGHBOURS = "statistical_neighbours"

    @property
    def label(self) -> str:
        return {"national": "national average", "statistical_neighbours": "statistical neighbours average"}[self.value]


kpi_workstream = Table(
    "kpi_workstream",
    db.metadata,
    Column("kpi_id", ForeignKey("kpi.id", ondelete="CASCADE"), primary_key=True),
    Column("workstream_id", ForeignKey("workstream.id", ondelete="CASCADE"), primary_key=True, index=True),
)

kpi_project = Table(
    "kpi_project",
    db.metadata,
    Column("kpi_id", ForeignKey("kpi.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", ForeignKey("project.id", ondelete="CASCADE"), primary_key=True, index=True),
)


def kpi_label(ref: str) -> str:
    """Return how pages name a KPI: "KPI03" and "Performance Indicator 3" as they are, "ATT-1" as "KPI ATT-1"."""
    if ref.upper().startswith("KPI") or "indicator" in ref.lower():
        return ref
    return f"KPI {ref}"


class Kpi(InProgramme, RefKeys, Model):
    """A measure the programme is meant to move, owned by a person and linked to the work that moves it."""

    __tablename__ = "kpi"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(MAX_REF))
    # As long as RefMixin's: every run of digits is padded to six.
    ref_sort: Mapped[str] = mapped_column(String(120), index=True)
    # The ref's form in a web address ('KPI 12' -> 'kpi-12'): pages are reached by it, or by the ref itself.
    slug: Mapped[str] = mapped_column(String(MAX_REF))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[KpiUnit] = enum_column(KpiUnit, "kpi_unit", 8)
    polarity: Mapped[Polarity] = enum_column(Polarity, "kpi_polarity", 8)
    frequency: Mapped[Frequency] = enum_column(Frequency, "kpi_frequency", 10, index=True)
    # Decimal places the KPI is published to (0-6); None means its unit's default (KpiUnit.default_decimal_places).
    decimal_places: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    owner: Mapped[Person | None] = relationship()
    workstreams: Mapped[list[Workstream]] = relationship(secondary=kpi_workstream, order_by=Workstream.ref_sort)
    projects: Mapped[list[Project]] = relationship(secondary=kpi_project, order_by=Project.ref_sort)
    targets: Mapped[list[KpiTarget]] = relationship(
        back_populates="kpi", order_by="KpiTarget.applies_from", cascade="all, delete-orphan"
    )
    values: Mapped[list[KpiValue]] = relationship(
        back_populates="kpi", order_by="KpiValue.period_end", cascade="all, delete-orphan"
    )

    __table_args__ = (
        unique_in_programme("kpi"),
        CheckConstraint(
            f"decimal_places IS NULL OR (decimal_places >= 0 AND decimal_places <= {MAX_DECIMAL_PLACES})",
            name="kpi_decimal_places_range",
        ),
    )

    @property
    def places(self) -> int:
        """Return the decimal places the KPI's values are shown and judged at: its own, else its unit's default."""
        return self.unit.default_decimal_places if self.decimal_places is None else self.decimal_places

    @property
    def label(self) -> str:
        """Return how pages name the KPI (see ``kpi_label``)."""
        return kpi_label(self.ref)

    def __repr__(self) -> str:
        return f"<Kpi {self.ref}>"


class KpiTarget(Model):
    """The target and tolerance band in force from a date until the next target of the same KPI."""

    __tablename__ = "kpi_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"))
    applies_from: Mapped[date] = mapped_column(Date, default=APPLIES_ALWAYS)
    target_value: Mapped[Decimal | None] = mapped_column(NUMBER)
    target_comparator: Mapped[ComparatorKind | None] = enum_column(
        ComparatorKind, "kpi_target_comparator", 24, nullable=True
    )
    tolerance_low: Mapped[Decimal | None] = mapped_column(NUMBER)
    tolerance_high: Mapped[Decimal | None] = mapped_column(NUMBER)

    kpi: Mapped[Kpi] = relationship(back_populates="targets")

    __table_args__ = (
        UniqueConstraint("kpi_id", "applies_from", name="uq_kpi_target_kpi_applies_from"),
        CheckConstraint("target_value IS NULL OR target_comparator IS NULL", name="kpi_target_one_kind"),
        CheckConstraint(
            "tolerance_low IS NULL OR tolerance_high IS NULL OR tolerance_low <= tolerance_high",
            name="kpi_target_band_ordered",
        ),
    )

    @property
    def has_target(self) -> bool:
        return self.target_value is not None or self.target_comparator is not None


class KpiValue(Model):
    """A KPI's reported value for one period, with the comparators published for that period."""

    __tablename__ = "kpi_value"

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"))
    period_end: Mapped[date] = mapped_column(Date)
    period_label: Mapped[str] = mapped_column(String(PERIOD_LABEL_LIMIT))
    value: Mapped[Decimal] = mapped_column(NUMBER)
    numerator: Mapped[Decimal | None] = mapped_column(NUMBER)
    denominator: Mapped[Decimal | None] = mapped_column(NUMBER)
    commentary: Mapped[str] = mapped_column(Text, default="")
    national: Mapped[Decimal | None] = mapped_column(NUMBER)
    statistical_neighbours: Mapped[Decimal | None] = mapped_column(NUMBER)
    regional: Mapped[Decimal | None] = mapped_column(NUMBER)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    # Carried in the edit form so that a save over someone else's newer save is refused.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    kpi: Mapped[Kpi] = relationship(back_populates="values")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("kpi_id", "period_end", name="uq_kpi_value_kpi_period_end"),
        CheckConstraint("denominator IS NULL OR denominator <> 0", name="kpi_value_denominator_not_zero"),
    )

    def comparator(self, kind: ComparatorKind) -> Decimal | None:
        """Return the period's published value of the comparator."""
        return self.national if kind is ComparatorKind.NATIONAL else self.statistical_neighbours


class KpiValueHistory(Model):
    """A replaced KPI value: who changed it, when, from what to what, and through which route."""

    __tablename__ = "kpi_value_history"
    affects_progress_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"), index=True)
    period_end: Mapped[date] = mapped_column(Date)
    period_label: Mapped[str] = mapped_column(String(PERIOD_LABEL_LIMIT))
    old_value: Mapped[Decimal | None] = mapped_column(NUMBER)
    new_value: Mapped[Decimal | None] = mapped_column(NUMBER)
    # Which other fields changed, in words: "commentary, national comparator".
    other_changes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(200))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    changed_by = relationship("User")
