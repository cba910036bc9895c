"""The reminder letter's rules: the repeat interval, the letter's dates, its wording."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from inspect_app.domain.documents import number_line
from inspect_app.domain.letters import (
    body_paragraphs,
    date_errors,
    default_dates,
    left_text,
    reminded_recently,
)

TODAY = date(2026, 3, 21)


@pytest.mark.parametrize(
    ("last", "repeat_days", "recent"),
    [
        (None, 7, False),
        (date(2026, 3, 21), 7, True),  # the same day
        (date(2026, 3, 15), 7, True),  # 6 days ago
        (date(2026, 3, 14), 7, False),  # 7 days ago: the interval has passed
        (date(2026, 3, 21), 0, False),  # 0 never asks
        (date(2026, 3, 20), 1, False),
        (date(2026, 3, 21), 1, True),
    ],
)
def test_a_reminder_is_recent_until_the_interval_has_passed(
    last: date | None, repeat_days: int, recent: bool
) -> None:
    assert reminded_recently(last, TODAY, repeat_days) is recent


@pytest.mark.parametrize(
    ("issued_on", "report_by", "fields"),
    [
        (TODAY, date(2026, 4, 5), set()),
        (date(2026, 3, 22), date(2026, 4, 5), {"issued_on"}),  # tomorrow
        (date(2026, 2, 19), date(2026, 4, 5), set()),  # 30 days back
        (date(2026, 2, 18), date(2026, 4, 5), {"issued_on"}),  # 31 days back
        (TODAY, TODAY, {"report_by"}),  # the same day
        (TODAY, date(2026, 3, 22), set()),  # the next day
        (TODAY, date(2027, 3, 21), set()),  # 365 days later
        (TODAY, date(2027, 3, 22), {"report_by"}),  # 366 days later
        (date(9999, 12, 31), date(9999, 12, 31), {"issued_on", "report_by"}),
        (date(1, 1, 1), date(9999, 12, 31), {"issued_on", "report_by"}),
    ],
)
def test_the_letter_is_dated_today_or_shortly_before_and_reports_back_within_a_year(
    issued_on: date, report_by: date, fields: set[str]
) -> None:
    assert set(date_errors(issued_on, report_by, TODAY)) == fields


def test_the_default_asks_for_a_report_within_fifteen_days() -> None:
    dates = default_dates(TODAY)
    assert (dates.issued_on, dates.report_by) == (TODAY, date(2026, 4, 5))


def test_a_letter_number_has_no_kind_code() -> None:
    assert number_line(1, "TTr", kind_code="") == "Số: 01/TTr"
    assert number_line(12, "TTr", kind_code="") == "Số: 12/TTr"
    assert number_line(12, "TTr") == "Số: 12/BC-TTr"  # a report keeps its kind


@pytest.mark.parametrize(
    ("unit", "left", "collectives", "individuals", "text"),
    [
        ("vnd", 500_000_000, 0, 0, "500.000.000 ₫"),
        ("m2", Decimal("1000.5"), 0, 0, "1.000,50 m²"),
        ("count", 3, 1, 2, "1 tập thể, 2 cá nhân"),
        ("count", 2, 0, 0, "2"),
        ("none", 0, 0, 0, ""),
    ],
)
def test_what_is_left_is_written_in_its_own_unit(
    unit: str, left: int | Decimal, collectives: int, individuals: int, text: str
) -> None:
    assert left_text(unit, left, collectives, individuals) == text


def test_the_body_names_both_sides_the_count_and_the_day_to_report_back() -> None:
    before, after = body_paragraphs("Thanh tra tỉnh", "Sở Tài chính", 2, date(2026, 4, 5), " x ")
    assert "Thanh tra tỉnh đề nghị Sở Tài chính" in before[0] and "2 kiến nghị" in before[0]
    assert after[0] == "x"
    assert "trước ngày 05/04/2026" in after[1]
    assert body_paragraphs("A", "B", 1, date(2026, 4, 5))[1][0].startswith("Đề nghị B")
