from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspect_app.domain.periods import (
    PERIOD_KINDS,
    InvalidPeriod,
    Period,
    current_quarter,
    default_report_period,
    last_quarters,
    next_quarter,
    parse_period,
    period_bounds,
    period_choices,
    previous_quarter,
    quarter_of,
    report_year_of,
)


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("2026-Q1", date(2025, 12, 15), date(2026, 3, 14)),
        ("2026-Q2", date(2026, 3, 15), date(2026, 6, 14)),
        ("2026-Q3", date(2026, 6, 15), date(2026, 9, 14)),
        ("2026-Q4", date(2026, 9, 15), date(2026, 12, 14)),
        ("2026-6M", date(2025, 12, 15), date(2026, 6, 14)),
        ("2026-9M", date(2025, 12, 15), date(2026, 9, 14)),
        ("2026-Y", date(2025, 12, 15), date(2026, 12, 14)),
    ],
)
def test_bounds_of_every_kind_in_2026(code: str, start: date, end: date) -> None:
    assert period_bounds(code) == (start, end)


def test_leap_year_quarter_spans_the_year_boundary_and_29_february() -> None:
    q1 = parse_period("2024-Q1")
    assert (q1.start, q1.end) == (date(2023, 12, 15), date(2024, 3, 14))
    assert q1.contains(date(2024, 2, 29))
    assert (q1.end - q1.start).days + 1 == 91  # 17 + 31 + 29 + 14
    plain = parse_period("2026-Q1")
    assert (plain.end - plain.start).days + 1 == 90  # February 2026 has 28 days


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (date(2026, 3, 14), "2026-Q1"),
        (date(2026, 3, 15), "2026-Q2"),
        (date(2026, 6, 14), "2026-Q2"),
        (date(2026, 6, 15), "2026-Q3"),
        (date(2026, 9, 14), "2026-Q3"),
        (date(2026, 9, 15), "2026-Q4"),
        (date(2026, 12, 14), "2026-Q4"),
        (date(2026, 12, 15), "2027-Q1"),
        (date(2025, 12, 14), "2025-Q4"),
        (date(2025, 12, 15), "2026-Q1"),
        (date(2025, 12, 31), "2026-Q1"),
        (date(2026, 1, 1), "2026-Q1"),
    ],
)
def test_quarter_of_on_the_14_15_boundaries(day: date, code: str) -> None:
    assert quarter_of(day).code == code


def test_report_year_starts_on_15_december() -> None:
    assert report_year_of(date(2025, 12, 14)) == 2025
    assert report_year_of(date(2025, 12, 15)) == 2026
    assert report_year_of(date(2026, 12, 31)) == 2027
    assert report_year_of(date(2026, 7, 1)) == 2026


def test_current_quarter() -> None:
    assert current_quarter(date(2026, 11, 21)) == Period(2026, "Q4")


def test_cumulative_periods_and_their_quarters() -> None:
    assert not Period(2026, "Q3").is_cumulative
    assert all(Period(2026, kind).is_cumulative for kind in ("6M", "9M", "Y"))
    assert Period(2026, "Q3").quarters() == (Period(2026, "Q3"),)
    assert Period(2026, "6M").quarters() == (Period(2026, "Q1"), Period(2026, "Q2"))
    assert [q.code for q in Period(2026, "9M").quarters()] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert [q.kind for q in Period(2026, "Y").quarters()] == ["Q1", "Q2", "Q3", "Q4"]


def test_previous_year_is_the_same_period_a_year_earlier() -> None:
    last_year = parse_period("2026-9M").previous_year()
    assert last_year == Period(2025, "9M")
    assert (last_year.start, last_year.end) == (date(2024, 12, 15), date(2025, 9, 14))


def test_code_and_labels() -> None:
    assert Period(2026, "Q1").code == "2026-Q1"
    assert str(Period(2026, "Y")) == "2026-Y"
    assert [Period(2026, kind).label() for kind in PERIOD_KINDS] == [
        "Quý I năm 2026",
        "Quý II năm 2026",
        "Quý III năm 2026",
        "Quý IV năm 2026",
        "6 tháng đầu năm 2026",
        "9 tháng năm 2026",
        "Năm 2026",
    ]
    assert [Period(2026, kind).label("en") for kind in PERIOD_KINDS] == [
        "Q1 2026",
        "Q2 2026",
        "Q3 2026",
        "Q4 2026",
        "First 6 months of 2026",
        "First 9 months of 2026",
        "Year 2026",
    ]
    with pytest.raises(ValueError, match="language"):
        Period(2026, "Q1").label("fr")


def test_date_range_label() -> None:
    assert Period(2026, "Q1").date_range_label == "15/12/2025 – 14/03/2026"
    assert Period(2026, "Q3").date_range_label == "15/06/2026 – 14/09/2026"


def test_parse_period_is_case_insensitive_and_trims() -> None:
    assert parse_period("2026-q1") == Period(2026, "Q1")
    assert parse_period(" 2026-6m ") == Period(2026, "6M")
    assert parse_period("2026-y") == Period(2026, "Y")


@pytest.mark.parametrize("code", ["2026-Q5", "2026Q1", "26-Q1", "2026-H1", "", "2026-Q1-x"])
def test_parse_period_rejects_malformed_codes(code: str) -> None:
    with pytest.raises(InvalidPeriod, match="YEAR-KIND"):
        parse_period(code)


@pytest.mark.parametrize("code", ["1989-Q4", "2101-Y"])
def test_parse_period_rejects_years_out_of_range(code: str) -> None:
    with pytest.raises(InvalidPeriod, match="outside 1990–2100"):
        parse_period(code)


def test_period_refuses_an_unknown_kind() -> None:
    with pytest.raises(InvalidPeriod, match="Unknown period kind"):
        Period(2026, "Q0")
    assert issubclass(InvalidPeriod, ValueError)


def test_previous_and_next_quarter_cross_the_year() -> None:
    assert previous_quarter(Period(2026, "Q1")) == Period(2025, "Q4")
    assert previous_quarter(Period(2026, "Q3")) == Period(2026, "Q2")
    assert next_quarter(Period(2025, "Q4")) == Period(2026, "Q1")
    assert next_quarter(Period(2026, "Q2")) == Period(2026, "Q3")
    with pytest.raises(InvalidPeriod, match="not a quarter"):
        next_quarter(Period(2026, "6M"))


def test_last_quarters_crossing_years_oldest_first() -> None:
    codes = [q.code for q in last_quarters(Period(2026, "Q2"), 8)]
    assert codes == [
        "2024-Q3",
        "2024-Q4",
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
    ]


def test_last_quarters_of_a_cumulative_period_end_with_its_last_quarter() -> None:
    assert [q.code for q in last_quarters(Period(2026, "6M"), 3)] == [
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
    ]
    assert last_quarters(Period(2026, "Y"), 1) == [Period(2026, "Q4")]
    with pytest.raises(ValueError, match="at least one"):
        last_quarters(Period(2026, "Y"), 0)


@given(st.dates(min_value=date(1991, 1, 1), max_value=date(2099, 12, 31)))
def test_every_date_is_in_exactly_one_quarter(day: date) -> None:
    quarter = quarter_of(day)
    assert quarter.contains(day)
    candidates = [
        Period(year, kind)
        for year in (day.year - 1, day.year, day.year + 1)
        for kind in ("Q1", "Q2", "Q3", "Q4")
    ]
    assert [q for q in candidates if q.contains(day)] == [quarter]


@given(st.integers(min_value=1990, max_value=2099), st.sampled_from(["Q1", "Q2", "Q3", "Q4"]))
def test_quarters_tile_the_calendar(year: int, kind: str) -> None:
    quarter = Period(year, kind)
    assert next_quarter(quarter).start == quarter.end + timedelta(days=1)
    assert previous_quarter(next_quarter(quarter)) == quarter


def test_short_labels_on_chart_axes() -> None:
    assert Period(2024, "Q2").short_label("vi") == "Quý II/2024"
    assert Period(2024, "Q4").short_label("vi") == "Quý IV/2024"
    assert Period(2024, "6M").short_label("vi") == "6 tháng/2024"
    assert Period(2024, "Y").short_label("vi") == "Năm 2024"
    assert Period(2024, "Q2").short_label("en") == "Q2/2024"


def test_period_choices_are_started_periods_newest_first() -> None:
    # 20/03/2026: Q2 2026 has started (15/03), 6M/9M/Y 2026 too (15/12/2025); Q3 has not.
    choices = [p.code for p in period_choices(date(2026, 3, 20), years=2)]
    assert choices[:4] == ["2026-Y", "2026-9M", "2026-6M", "2026-Q2"]
    assert "2026-Q3" not in choices and "2026-Q4" not in choices
    assert choices[4] == "2026-Q1"
    assert choices[5:] == ["2025-Y", "2025-Q4", "2025-9M", "2025-Q3", "2025-6M", "2025-Q2",
                           "2025-Q1"]  # fmt: skip
    # 14/03 is still Q1: Q2 is not offered yet; 15/12 opens the next report year.
    assert "2026-Q2" not in [p.code for p in period_choices(date(2026, 3, 14))]
    assert period_choices(date(2025, 12, 15), years=1)[0].code == "2026-Y"
    assert default_report_period(date(2026, 3, 20)).code == "2026-Q1"
    assert default_report_period(date(2026, 3, 14)).code == "2025-Q4"
    assert default_report_period(date(2025, 12, 15)).code == "2025-Q4"
