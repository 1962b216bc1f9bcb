"""Working days in England and Wales, and the dates a board's cycle falls on.

Pure rules: dates in, dates (and words) out; no database, no Flask. Bank holidays come from the
``holidays`` package, which ships them (``holidays.country_holidays("GB", subdiv="ENG")``), so
nothing is fetched at run time; a new release of the package brings newly announced ones.

* A working day is Monday to Friday and not a bank holiday.
* A board planned for a day that is not a working day meets on the next working day, and says
  why in its note ("Moved from Friday 1 January 2027: New Year's Day").
* Leads' updates are due a number of working days before the board (5 unless changed).
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

DEFAULT_DEADLINE_WORKING_DAYS = 5
# A cycle date is moved at most a few days (Christmas on a Saturday: to the Wednesday); a safety stop.
MAX_DAYS_SKIPPED = 14


@lru_cache(maxsize=64)
def _bank_holidays_in(year: int) -> dict[date, str]:
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=year)
    # GOV.UK calls a bank holiday moved off a weekend a "substitute day".
    return {day: str(name).replace("(observed)", "(substitute day)") for day, name in calendar.items()}


def bank_holiday(day: date) -> str | None:
    """Return the name of the England and Wales bank holiday on this day, or None."""
    return _bank_holidays_in(day.year).get(day)


def bank_holidays(year: int) -> dict[date, str]:
    """Return the England and Wales bank holidays of a year, by date."""
    return dict(_bank_holidays_in(year))


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not a bank holiday."""
    return day.weekday() < 5 and bank_holiday(day) is None


def why_not_a_working_day(day: date) -> str | None:
    """Return why nobody works on this day ("New Year's Day", "a Saturday"), or None on a working day."""
    name = bank_holiday(day)
    if name is not None:
        return name
    if day.weekday() >= 5:
        return f"a {day.strftime('%A')}"
    return None


def next_working_day(day: date) -> date:
    """Return the day itself if it is a working day, else the first working day after it."""
    for offset in range(MAX_DAYS_SKIPPED + 1):
        candidate = day + timedelta(days=offset)
        if is_working_day(candidate):
            return candidate
    raise ValueError(f"No working day within {MAX_DAYS_SKIPPED} days of {day.isoformat()}")


def working_days_before(day: date, count: int = DEFAULT_DEADLINE_WORKING_DAYS) -> date:
    """Return the working day `count` working days before `day` (5 before a Friday: the Friday before)."""
    if count < 0:
        raise ValueError("count must not be negative")
    found = day
    remaining = count
    while remaining:
        found -= timedelta(days=1)
        if is_working_day(found):
            remaining -= 1
    return found


def update_deadline_for(meets_on: date, working_days: int = DEFAULT_DEADLINE_WORKING_DAYS) -> date:
    """Return the default date by which leads update their items: `working_days` working days before the board."""
    return working_days_before(meets_on, working_days)


def long_date(day: date) -> str:
    """Return a date in words with its weekday: Friday 1 January 2027."""
    return f"{day.strftime('%A')} {day.day} {day.strftime('%B %Y')}"


@dataclass(frozen=True)
class PlannedDate:
    """Where a date of the cycle lands: the cycle's date, the working day the board meets, and why it moved."""

    cycle_date: date
    meets_on: date
    note: str

    @property
    def moved(self) -> bool:
        return self.meets_on != self.cycle_date


def planned_date(cycle_date: date) -> PlannedDate:
    """Move a cycle date off a weekend or bank holiday to the next working day, saying why."""
    meets_on = next_working_day(cycle_date)
    if meets_on == cycle_date:
        return PlannedDate(cycle_date, meets_on, "")
    note = f"Moved from {long_date(cycle_date)}: {why_not_a_working_day(cycle_date)}"
    # Bank holidays on the weekdays that follow (substitute days, Easter Monday) explain the rest of the move.
    skipped = [
        f"{name} on {day.strftime('%A')} {day.day} {day.strftime('%B')}"
        for day in _days_between(cycle_date + timedelta(days=1), meets_on)
        if day.weekday() < 5 and (name := bank_holiday(day)) is not None
    ]
    if skipped:
        note += "; then " + " and ".join(skipped)
    return PlannedDate(cycle_date, meets_on, note)


def _days_between(first: date, stop: date) -> Iterator[date]:
    day = first
    while day < stop:
        yield day
        day += timedelta(days=1)


def cycle_dates(reference: date, cycle_weeks: int, start: date, end: date) -> list[date]:
    """Return the dates of a cycle of `cycle_weeks` through `reference` that fall in [start, end)."""
    if cycle_weeks < 1:
        raise ValueError("cycle_weeks must be at least 1")
    cycle = timedelta(weeks=cycle_weeks)
    cycles_to_start = -((reference - start).days // cycle.days)  # rounded up: the first date on or after start
    day = reference + cycles_to_start * cycle
    dates = []
    while day < end:
        dates.append(day)
        day += cycle
    return dates


def months_after(day: date, months: int) -> date:
    """Return the same day `months` calendar months later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))
