"""Working days in England and Wales: weekends and bank holidays moved off, update deadlines counted back."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.programme.calendar import (
    bank_holiday,
    cycle_dates,
    is_working_day,
    months_after,
    next_working_day,
    planned_date,
    update_deadline_for,
    why_not_a_working_day,
    working_days_before,
)


def test_bank_holidays_come_from_the_package_for_england_and_wales():
    assert bank_holiday(date(2027, 1, 1)) == "New Year's Day"
    assert bank_holiday(date(2027, 3, 29)) == "Easter Monday"
    assert bank_holiday(date(2027, 8, 30)) == "Late Summer Bank Holiday"
    # Scotland's 2 January and St Andrew's Day are not England and Wales bank holidays.
    assert bank_holiday(date(2026, 1, 2)) is None
    assert bank_holiday(date(2026, 11, 30)) is None
    assert not is_working_day(date(2027, 3, 29))
    assert not is_working_day(date(2027, 3, 6))  # a Saturday
    assert is_working_day(date(2027, 3, 30))


def test_new_years_day_moves_to_the_next_working_day_and_says_why():
    planned = planned_date(date(2027, 1, 1))
    assert planned.meets_on == date(2027, 1, 4)  # Friday to Monday
    assert planned.moved
    assert planned.note == "Moved from Friday 1 January 2027: New Year's Day"


def test_a_saturday_moves_to_the_monday():
    planned = planned_date(date(2027, 3, 6))
    assert planned.meets_on == date(2027, 3, 8)
    assert planned.note == "Moved from Saturday 6 March 2027: a Saturday"


def test_easter_monday_moves_to_the_tuesday():
    planned = planned_date(date(2027, 3, 29))
    assert planned.meets_on == date(2027, 3, 30)
    assert planned.note == "Moved from Monday 29 March 2027: Easter Monday"


def test_good_friday_moves_past_the_whole_easter_weekend():
    planned = planned_date(date(2027, 3, 26))
    assert planned.meets_on == date(2027, 3, 30)
    assert planned.note == "Moved from Friday 26 March 2027: Good Friday; then Easter Monday on Monday 29 March"


def test_christmas_on_a_friday_skips_the_boxing_day_substitute_day():
    # 2026: Christmas Day is a Friday, Boxing Day a Saturday, so Monday 28 December is its substitute day.
    assert bank_holiday(date(2026, 12, 28)) == "Boxing Day (substitute day)"
    planned = planned_date(date(2026, 12, 25))
    assert planned.meets_on == date(2026, 12, 29)
    assert planned.note == (
        "Moved from Friday 25 December 2026: Christmas Day; then Boxing Day (substitute day) on Monday 28 December"
    )


def test_boxing_day_on_a_saturday_moves_past_its_substitute_day():
    planned = planned_date(date(2026, 12, 26))
    assert planned.meets_on == date(2026, 12, 29)
    assert planned.note.startswith("Moved from Saturday 26 December 2026: Boxing Day")


def test_christmas_on_a_saturday_skips_both_substitute_days():
    # 2027: Christmas Day and Boxing Day fall at the weekend; Monday 27 and Tuesday 28 are substitute days.
    planned = planned_date(date(2027, 12, 25))
    assert planned.meets_on == date(2027, 12, 29)
    assert planned.note == (
        "Moved from Saturday 25 December 2027: Christmas Day; then Christmas Day (substitute day) on "
        "Monday 27 December and Boxing Day (substitute day) on Tuesday 28 December"
    )


def test_a_working_day_stays_put_with_no_note():
    planned = planned_date(date(2027, 3, 19))
    assert planned.meets_on == date(2027, 3, 19)
    assert not planned.moved
    assert planned.note == ""
    assert next_working_day(date(2027, 3, 19)) == date(2027, 3, 19)


def test_why_not_a_working_day():
    assert why_not_a_working_day(date(2027, 3, 7)) == "a Sunday"
    assert why_not_a_working_day(date(2027, 5, 3)) == "May Day"
    assert why_not_a_working_day(date(2027, 5, 4)) is None


def test_update_deadline_is_five_working_days_before():
    # A Friday board: updates due the Friday before.
    assert update_deadline_for(date(2027, 3, 19)) == date(2027, 3, 12)


def test_update_deadline_skips_bank_holidays():
    # Friday 2 April 2027: back over Thu 1, Wed 31, Tue 30, (Easter Monday 29, Good Friday 26), Thu 25, Wed 24.
    assert update_deadline_for(date(2027, 4, 2)) == date(2027, 3, 24)
    # Tuesday 1 June 2027: Spring Bank Holiday on Monday 31 May is skipped.
    assert update_deadline_for(date(2027, 6, 1)) == date(2027, 5, 24)
    # Across Christmas and New Year: Wednesday 5 January 2028 (Monday 3 January is New Year's substitute day).
    assert update_deadline_for(date(2028, 1, 5)) == date(2027, 12, 24)


def test_working_days_before_other_counts():
    assert working_days_before(date(2027, 3, 19), 0) == date(2027, 3, 19)
    assert working_days_before(date(2027, 3, 15), 1) == date(2027, 3, 12)  # Monday: the Friday before
    with pytest.raises(ValueError):
        working_days_before(date(2027, 3, 15), -1)


def test_cycle_dates_run_forwards_and_backwards_from_the_reference():
    reference = date(2026, 11, 13)
    dates = cycle_dates(reference, 6, date(2026, 11, 25), date(2027, 3, 20))
    assert dates == [date(2026, 12, 25), date(2027, 2, 5), date(2027, 3, 19)]
    # A start on a cycle date includes it; the end is not included.
    assert cycle_dates(reference, 6, date(2026, 10, 2), date(2026, 11, 13)) == [date(2026, 10, 2)]
    with pytest.raises(ValueError):
        cycle_dates(reference, 0, date(2026, 1, 1), date(2027, 1, 1))


def test_months_after_keeps_the_day_or_ends_the_month():
    assert months_after(date(2026, 11, 25), 12) == date(2027, 11, 25)
    assert months_after(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert months_after(date(2027, 11, 30), 3) == date(2028, 2, 29)
