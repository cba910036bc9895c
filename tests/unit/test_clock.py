from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspect_app.domain.clock import (
    RESUME_NOT_AFTER_START,
    SUSPENSION_TOO_LONG,
    ClockInput,
    DeadlineRules,
    Deadlines,
    Suspension,
    compute_deadlines,
    count_forward,
    days_left,
    is_overdue,
    latest_resume_date,
    overdue_steps,
    resume_problem,
    suspended_days,
    validate_suspension,
)
from inspect_app.domain.holidays import HolidayCalendar, default_calendar

CAL = default_calendar()
ANNOUNCED = date(2026, 3, 1)


def clock(**changes: Any) -> ClockInput:
    """A 45-calendar-day inspection announced on Sunday 01/03/2026, with ``changes``."""
    return replace(ClockInput(ANNOUNCED, duration_days=45, working_days=False), **changes)


def test_45_calendar_days_count_the_announcement_day() -> None:
    assert count_forward(
        ANNOUNCED, 45, working_days=False, calendar=CAL, include_start=True
    ) == date(2026, 4, 14)


def test_later_deadlines_start_the_day_after() -> None:
    assert count_forward(
        date(2026, 5, 10), 10, working_days=False, calendar=CAL, include_start=False
    ) == date(2026, 5, 20)


def test_deadlines_of_a_45_day_inspection() -> None:
    assert compute_deadlines(clock()) == Deadlines(
        onsite_due=date(2026, 4, 14),
        report_due=date(2026, 4, 29),
        conclusion_due=date(2026, 5, 19),
        publication_due=None,
        directive_due=None,
    )


def test_nothing_is_due_before_the_announcement() -> None:
    assert compute_deadlines(clock(announced_on=None)) == Deadlines(None, None, None, None, None)


def test_working_days_skip_the_tet_break() -> None:
    # Monday 09/02/2026: five days to 13/02, Tết 16–20/02, a weekend, five days to 27/02.
    inp = clock(announced_on=date(2026, 2, 9), duration_days=10, working_days=True)
    assert compute_deadlines(inp, calendar=CAL).onsite_due == date(2026, 2, 27)


def test_announcement_on_a_saturday_does_not_count_in_working_days() -> None:
    inp = clock(announced_on=date(2026, 3, 7), duration_days=5, working_days=True)
    assert compute_deadlines(inp).onsite_due == date(2026, 3, 13)


def test_a_ten_day_suspension_moves_onsite_and_every_later_deadline() -> None:
    suspension = Suspension(date(2026, 3, 10), date(2026, 3, 20))  # resumes on 20/03
    deadlines = compute_deadlines(clock(suspensions=(suspension,)))
    assert deadlines.onsite_due == date(2026, 4, 24)  # 14/04 + 10
    assert deadlines.report_due == date(2026, 5, 9)  # 29/04 + 10
    assert deadlines.conclusion_due == date(2026, 5, 29)  # 19/05 + 10


def test_a_suspension_after_the_due_date_does_not_move_it() -> None:
    late = Suspension(date(2026, 4, 20), date(2026, 4, 25))
    assert compute_deadlines(clock(suspensions=(late,))).onsite_due == date(2026, 4, 14)


def test_suspension_in_working_days_skips_only_its_working_days() -> None:
    # Suspended Wednesday 04/03 to Monday 09/03 excluded: three working days lost.
    inp = clock(
        announced_on=date(2026, 3, 2),
        duration_days=5,
        working_days=True,
        suspensions=(Suspension(date(2026, 3, 4), date(2026, 3, 9)),),
    )
    assert compute_deadlines(inp).onsite_due == date(2026, 3, 11)


def test_an_open_suspension_leaves_the_dates_unknown() -> None:
    deadlines = compute_deadlines(clock(suspensions=(Suspension(date(2026, 3, 10), None),)))
    assert deadlines == Deadlines(None, None, None, None, None)
    assert (
        count_forward(
            ANNOUNCED,
            45,
            working_days=False,
            calendar=CAL,
            suspensions=[Suspension(date(2026, 3, 10), None)],
            include_start=True,
        )
        is None
    )


def test_extensions_add_days() -> None:
    assert compute_deadlines(clock(extension_days=(15,))).onsite_due == date(2026, 4, 29)
    assert compute_deadlines(clock(extension_days=(10, 5))).onsite_due == date(2026, 4, 29)


def test_report_and_conclusion_count_from_the_actual_end_of_onsite_work() -> None:
    deadlines = compute_deadlines(clock(onsite_ended_on=date(2026, 4, 3)))
    assert deadlines.onsite_due == date(2026, 4, 14)
    assert deadlines.report_due == date(2026, 4, 18)
    assert deadlines.conclusion_due == date(2026, 5, 8)


def test_publication_and_directive_count_from_the_conclusion() -> None:
    deadlines = compute_deadlines(
        clock(onsite_ended_on=date(2026, 4, 3), concluded_on=date(2026, 5, 10))
    )
    assert deadlines.publication_due == date(2026, 5, 20)
    assert deadlines.directive_due == date(2026, 5, 25)


def test_rules_are_configurable() -> None:
    rules = DeadlineRules(report_days=5, conclusion_days=20, publication_days=3, directive_days=7)
    deadlines = compute_deadlines(
        clock(onsite_ended_on=date(2026, 4, 3), concluded_on=date(2026, 4, 20)), rules
    )
    assert deadlines.report_due == date(2026, 4, 8)
    assert deadlines.conclusion_due == date(2026, 4, 23)
    assert deadlines.publication_due == date(2026, 4, 23)
    assert deadlines.directive_due == date(2026, 4, 27)


def test_roll_to_working_day_moves_a_weekend_deadline_to_monday() -> None:
    # Signed Wednesday 06/05/2026: ten days later is Saturday 16/05.
    inp = clock(onsite_ended_on=date(2026, 4, 3), concluded_on=date(2026, 5, 6))
    assert compute_deadlines(inp).publication_due == date(2026, 5, 16)
    rolled = compute_deadlines(inp, DeadlineRules(roll_to_working_day=True))
    assert rolled.publication_due == date(2026, 5, 18)


def test_days_left_and_overdue() -> None:
    due = date(2026, 4, 14)
    assert days_left(due, date(2026, 4, 10)) == 4
    assert days_left(due, due) == 0
    assert days_left(due, date(2026, 4, 16)) == -2
    assert days_left(None, due) is None
    assert not is_overdue(due, None, due)
    assert is_overdue(due, None, date(2026, 4, 15))
    assert not is_overdue(due, date(2026, 4, 20), date(2026, 4, 25))
    assert not is_overdue(None, None, date(2026, 4, 25))


def test_suspended_days() -> None:
    closed = Suspension(date(2026, 3, 10), date(2026, 3, 20))
    assert suspended_days([closed], date(2026, 3, 31)) == 10
    assert suspended_days([closed], date(2026, 3, 15)) == 6
    assert suspended_days([closed], date(2026, 3, 9)) == 0
    assert suspended_days([Suspension(date(2026, 3, 10), None)], date(2026, 3, 14)) == 5
    overlapping = [closed, Suspension(date(2026, 3, 15), date(2026, 3, 25))]
    assert suspended_days(overlapping, date(2026, 3, 31)) == 15
    assert suspended_days([], date(2026, 3, 31)) == 0


def test_suspension_limits() -> None:
    validate_suspension(date(2026, 3, 1), date(2026, 3, 31))  # 30 days: allowed
    validate_suspension(date(2026, 3, 1), None)
    assert latest_resume_date(date(2026, 3, 1)) == date(2026, 3, 31)
    with pytest.raises(ValueError, match=r"at most 30 days; 01/03/2026 to 01/04/2026 is 31 days"):
        validate_suspension(date(2026, 3, 1), date(2026, 4, 1))
    validate_suspension(date(2026, 3, 1), date(2026, 4, 1), DeadlineRules(suspension_max_days=45))
    with pytest.raises(ValueError, match="must be after the suspension start"):
        validate_suspension(date(2026, 3, 10), date(2026, 3, 10))
    with pytest.raises(ValueError, match="must be after the suspension start"):
        Suspension(date(2026, 3, 10), date(2026, 3, 9))


def test_the_resume_day_of_a_suspension() -> None:
    start = date(2026, 3, 1)
    assert resume_problem(start, start) == RESUME_NOT_AFTER_START
    assert resume_problem(start, start - timedelta(days=1)) == RESUME_NOT_AFTER_START
    assert resume_problem(start, start + timedelta(days=1)) is None
    assert resume_problem(start, date(2026, 3, 31)) is None  # the 30th day
    assert resume_problem(start, date(2026, 4, 1)) == SUSPENSION_TOO_LONG  # the 31st
    assert resume_problem(start, date(2026, 4, 1), DeadlineRules(suspension_max_days=31)) is None


def test_a_time_limit_is_at_least_one_day() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        count_forward(ANNOUNCED, 0, working_days=False, calendar=CAL, include_start=True)


def test_plain_calendar_count() -> None:
    holidays_only = HolidayCalendar({date(2026, 3, 3)})
    assert count_forward(
        date(2026, 3, 2), 2, working_days=True, calendar=holidays_only, include_start=True
    ) == date(2026, 3, 4)
    assert count_forward(
        date(2026, 3, 2), 2, working_days=False, calendar=holidays_only, include_start=True
    ) == date(2026, 3, 3)


suspension_strategy = st.builds(
    lambda start, length: Suspension(start, start + timedelta(days=length)),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    st.integers(min_value=1, max_value=30),
)


@given(
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    days=st.integers(min_value=1, max_value=120),
    more=st.integers(min_value=1, max_value=30),
    working_days=st.booleans(),
    include_start=st.booleans(),
    suspensions=st.lists(suspension_strategy, max_size=2),
)
def test_count_forward_is_monotonic(
    start: date,
    days: int,
    more: int,
    working_days: bool,
    include_start: bool,
    suspensions: list[Suspension],
) -> None:
    def due(first: date, n: int) -> date:
        result = count_forward(
            first,
            n,
            working_days=working_days,
            calendar=CAL,
            suspensions=suspensions,
            include_start=include_start,
        )
        assert result is not None  # only closed suspensions here
        return result

    base = due(start, days)
    assert base >= start
    assert due(start, days + more) > base
    assert due(start + timedelta(days=more), days) >= base
    assert not any(s.covers(base) for s in suspensions)
    if working_days:
        assert CAL.is_working_day(base)


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    days=st.integers(min_value=1, max_value=400),
)
def test_calendar_days_without_suspension_are_plain_date_arithmetic(start: date, days: int) -> None:
    assert count_forward(
        start, days, working_days=False, calendar=CAL, include_start=True
    ) == start + timedelta(days=days - 1)
    assert count_forward(
        start, days, working_days=False, calendar=CAL, include_start=False
    ) == start + timedelta(days=days)


def test_overdue_steps() -> None:
    inp = clock(onsite_ended_on=date(2026, 4, 3))
    deadlines = compute_deadlines(inp)  # report 18/04, conclusion 08/05
    assert overdue_steps(inp, deadlines, date(2026, 4, 18)) == []
    assert overdue_steps(inp, deadlines, date(2026, 4, 19)) == ["report"]
    assert overdue_steps(inp, deadlines, date(2026, 5, 9)) == ["report", "conclusion"]
    not_ended = clock()
    assert overdue_steps(not_ended, compute_deadlines(not_ended), date(2026, 4, 15)) == ["onsite"]
    # Concluded without a separate report: nothing is owed before publication.
    concluded = clock(onsite_ended_on=date(2026, 4, 3), concluded_on=date(2026, 5, 6))
    deadlines = compute_deadlines(concluded)
    assert overdue_steps(concluded, deadlines, date(2026, 5, 17)) == ["publication"]
    published = replace(concluded, published_on=date(2026, 5, 15))
    assert overdue_steps(published, deadlines, date(2026, 5, 22)) == ["directive"]
