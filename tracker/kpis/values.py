"""Saving a KPI's value for a period: the one way the value form, the importer and the CLI write values.

``save_value`` checks who is saving, the version they saw, the value-or-parts rule and that a
period holds one value; it keeps what a replaced value was in KpiValueHistory and records the
audit event, all in the caller's transaction (the caller commits).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from tracker.audit.services import record_audit_event
from tracker.auth.models import User
from tracker.core.errors import InvalidChange, NotAllowed, check_version
from tracker.core.templating import govuk_date
from tracker.extensions import db
from tracker.kpis.models import Kpi, KpiUnit, KpiValue, KpiValueHistory
from tracker.kpis.permissions import account_of, can_enter_kpi_values
from tracker.kpis.queries import value_for_period
from tracker.kpis.rules import parts_problem, value_from_parts

Saved = Literal["created", "updated", "unchanged"]


@dataclass
class ValueInput:
    """One period's figures as a form or import row states them, each already read as a number or date."""

    period_end: date
    period_label: str
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    commentary: str = ""
    national: Decimal | None = None
    statistical_neighbours: Decimal | None = None
    regional: Decimal | None = None


# Fields a replaced value's history names in words when they changed ("commentary, national comparator").
_VALUE_FIELDS = {
    "period_end": "period end",
    "period_label": "period label",
    "numerator": "numerator",
    "denominator": "denominator",
    "commentary": "commentary",
    "national": "national comparator",
    "statistical_neighbours": "statistical neighbours comparator",
    "regional": "regional comparator",
}


def authorise_entry(user: object, kpi: Kpi) -> None:
    """Refuse anyone who may not enter values for this KPI."""
    if not can_enter_kpi_values(user, kpi):
        raise NotAllowed(f"You cannot enter values for {kpi.label}")


def save_value(
    kpi: Kpi,
    user: object,
    given: ValueInput,
    *,
    replacing: KpiValue | None = None,
    seen_version: int | None = None,
    source: str = "form",
) -> Saved:
    """Save a period's value, keeping a replaced one in history; return "created", "updated" or "unchanged".

    ``replacing`` is the stored value being changed (None to add one); ``seen_version`` the version
    of it the user saw (None when the caller did not show one, as an import does not).
    """
    authorise_entry(user, kpi)
    if replacing is not None:
        check_version(replacing, seen_version)
    problem = parts_problem(given.value, given.numerator, given.denominator)
    if problem is not None:
        raise InvalidChange({problem.field: problem.message})
    clash = _other_value_for_period(kpi, given.period_end, replacing)
    if clash is not None:
        period = f"the period ending {govuk_date(clash.period_end)} ({clash.period_label})"
        raise InvalidChange({"period_end": f"There is already a value for {period}; change that value instead"})
    account = account_of(user)
    saved = _write(kpi, given, replacing, source, account)
    if saved != "unchanged":
        verb = "added" if saved == "created" else "changed"
        # The audit log is the installation's, and two programmes may each have this ref: it names the programme.
        what = f"KPI {kpi.ref} in {kpi.programme.short_name}: {given.period_label.strip()} value {verb}"
        record_audit_event("kpi_value_saved", what, user=account)
    return saved


def _other_value_for_period(kpi: Kpi, period_end: date, replacing: KpiValue | None) -> KpiValue | None:
    if replacing is not None and replacing.period_end == period_end:
        return None  # the value being replaced holds the period, and a period holds one value (a unique constraint)
    other = value_for_period(kpi, period_end)
    return other if other is not replacing else None


def _write(kpi: Kpi, given: ValueInput, replacing: KpiValue | None, source: str, account: User | None) -> Saved:
    value = value_from_parts(given.value, given.numerator, given.denominator, kpi.unit is KpiUnit.PERCENT)
    new = {
        "period_end": given.period_end,
        "period_label": given.period_label.strip(),
        "value": value,
        "numerator": given.numerator,
        "denominator": given.denominator,
        "commentary": given.commentary.strip(),
        "national": given.national,
        "statistical_neighbours": given.statistical_neighbours,
        "regional": given.regional,
    }
    if replacing is None:
        db.session.add(KpiValue(kpi=kpi, **new))
        return "created"
    changed = [name for name in _VALUE_FIELDS if getattr(replacing, name) != new[name]]
    if not changed and replacing.value == value:
        return "unchanged"
    db.session.add(
        KpiValueHistory(
            kpi_id=kpi.id,
            period_end=new["period_end"],
            period_label=new["period_label"],
            old_value=replacing.value,
            new_value=value,
            other_changes=", ".join(_VALUE_FIELDS[name] for name in changed),
            source=source[:200],
            changed_by_id=account.id if account else None,
        )
    )
    for name, item in new.items():
        setattr(replacing, name, item)
    return "updated"
