"""Formats, report numbers and the holiday calendar at their edges."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from inspect_app.domain import formatting, report_layout
from inspect_app.domain.formatting import (
    format_datetime,
    format_m2,
    format_million_vnd,
    parse_date_input,
    parse_m2_input,
    parse_vnd_input,
)
from inspect_app.domain.holidays import HolidayCalendar, load_calendar, merge_documents
from inspect_app.domain.report_layout import (
    TT01_2024,
    Column,
    UnknownLayout,
    change_percent,
    column_value,
    format_number,
    get_layout,
    header_rows,
    layout_for,
)

# --------------------------------------------------------------------------- formatting


def test_years_from_1900_to_2100_are_accepted() -> None:
    assert parse_date_input("01/01/1900") == date(1900, 1, 1)
    assert parse_date_input("2100-12-31") == date(2100, 12, 31)
    for text in ("31/12/1899", "01/01/2101"):
        with pytest.raises(ValueError) as refused:
            parse_date_input(text)
        assert str(refused.value) == f"{text!r}: the year must be between 1900 and 2100."


def test_empty_amounts_and_areas_say_what_to_type() -> None:
    with pytest.raises(ValueError) as amount:
        parse_vnd_input("  ₫ ")
    assert str(amount.value) == "Enter an amount in đồng, e.g. 248.500.000."
    with pytest.raises(ValueError) as area:
        parse_m2_input(" m² ")
    assert str(area.value) == "Enter an area in m², e.g. 1.250,50."
    with pytest.raises(ValueError) as huge:
        parse_m2_input("1" * 30)
    assert str(huge.value) == f"{'1' * 30!r} is too large an area."


def test_a_grouped_area_with_a_decimal_point_reads_from_the_last_dot() -> None:
    assert parse_m2_input("1.250.5") == Decimal("1250.50")
    assert parse_m2_input("1.250,5") == Decimal("1250.50")


def test_areas_and_millions_round_half_up() -> None:
    assert format_m2(Decimal("0.125")) == "0,13 m²"
    assert format_m2(Decimal("2.345"), "en") == "2.35 m²"
    assert format_million_vnd(1_250_500, 0) == "1"
    with pytest.raises(ValueError, match=r"^digits must be zero or more, not -1\.$"):
        format_million_vnd(1, -1)


def test_a_naive_time_is_taken_as_utc_whatever_the_machines_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert format_datetime(datetime(2026, 3, 14, 17, 30)) == "15/03/2026 00:30"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_narrow_no_break_spaces_become_plain_spaces() -> None:
    assert formatting._plain_spaces("1\u202f250\u00a0₫") == "1 250 ₫"


# --------------------------------------------------------------------------- report layout


def test_headers_and_legal_basis_in_each_language() -> None:
    table = TT01_2024.tables[0]
    group = next(node for node in table.headers if isinstance(node, report_layout.Group))
    english = [cell.text for row in header_rows(table, "en", ("No.", "Unit")) for cell in row]
    vietnamese = [cell.text for row in header_rows(table, "vi", ("STT", "Đơn vị")) for cell in row]
    assert english[:2] == ["No.", "Unit"] and vietnamese[:2] == ["STT", "Đơn vị"]
    assert group.en in english and group.vi not in english
    assert group.vi in vietnamese and group.en not in vietnamese
    assert TT01_2024.legal_basis("en") == TT01_2024.legal_basis_en
    assert TT01_2024.legal_basis("vi") == TT01_2024.legal_basis_vi
    assert TT01_2024.legal_basis_en != TT01_2024.legal_basis_vi


def test_percentages_and_changes_round_half_up() -> None:
    ratio = Column("rate", "Tỷ lệ", "Rate", unit="percent", ratio=("done", "due"))
    assert column_value(ratio, {"done": 1, "due": 16}) == Decimal("6.3")  # 6.25
    assert change_percent(17, 16) == Decimal("6.3")  # +6.25 %
    assert change_percent(None, 16) is None
    assert change_percent(16, None) is None
    assert change_percent(16, 0) is None


def test_numbers_are_written_the_vietnamese_way_by_default() -> None:
    assert format_number(Decimal("1250.5"), "million_vnd") == "1.250,500"
    assert format_number(Decimal("1250.5"), "million_vnd", "en") == "1,250.500"


def test_an_unknown_layout_names_itself() -> None:
    with pytest.raises(UnknownLayout) as unknown:
        get_layout("TT00-1999")
    assert unknown.value.args == ("TT00-1999",)


def test_the_latest_layout_in_force_on_the_last_day_of_the_period_applies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    later = replace(TT01_2024, id="TT99-2027", valid_from=date(2027, 1, 1))
    monkeypatch.setitem(report_layout.LAYOUTS, later.id, later)
    assert layout_for(date(2027, 1, 1)) is later
    assert layout_for(date(2026, 12, 31)) is TT01_2024


# --------------------------------------------------------------------------- holidays


def test_holiday_errors_name_their_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as default_origin:
        HolidayCalendar.from_document({"fixed": ["13-45"]})
    assert str(default_origin.value) == "holidays: fixed holiday '13-45' is not MM-DD."
    path = tmp_path / "ngay_nghi.json"
    path.write_text(json.dumps({"years": {"2027": {"extra": ["2027-13-01"]}}}), encoding="utf-8")
    with pytest.raises(ValueError) as from_file:
        HolidayCalendar.from_json(path)
    assert str(from_file.value) == f"{path}: '2027-13-01' under 2027 is not a YYYY-MM-DD date."
    with pytest.raises(ValueError) as from_override:
        load_calendar(str(path))
    assert str(from_override.value).startswith(f"{path}: ")
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ValueError) as not_an_object:
        HolidayCalendar.from_json(path)
    assert str(not_an_object.value) == f"The holiday file {path} must hold a JSON object."
    path.write_text(json.dumps({"years": {"2027": {"make_up_workdays": ["2027-x"]}}}))
    with pytest.raises(ValueError, match=r"^.*ngay_nghi\.json: '2027-x' under 2027 is not a"):
        HolidayCalendar.from_json(path)


def test_a_calendar_takes_every_key_it_is_given_and_defaults_the_rest() -> None:
    calendar = HolidayCalendar.from_document(
        {
            "fixed": ["02-29"],  # a leap day is a valid fixed holiday
            "years": {
                "2026": {"tet": ["2026-02-16"], "make_up_workdays": ["2026-08-22"]},
                "2027": {"extra": ["2027-05-03"], "make_up_workdays": ["2027-02-20"]},
                "2028": {"hung_kings": "2028-04-04"},
            },
        }
    )
    assert calendar.is_holiday(date(2028, 2, 29))
    assert calendar.is_holiday(date(2026, 2, 16)) and calendar.is_holiday(date(2027, 5, 3))
    assert calendar.is_holiday(date(2028, 4, 4))
    # Made-up Saturdays of every year are working days.
    assert calendar.is_working_day(date(2026, 8, 22)) and calendar.is_working_day(date(2027, 2, 20))
    empty = HolidayCalendar.from_document({})
    assert empty.holidays_in(2026) == []


def test_working_days_are_counted_backwards_one_day_at_a_time() -> None:
    calendar = HolidayCalendar()
    monday = date(2026, 3, 16)
    assert calendar.add_working_days(monday, -1) == date(2026, 3, 13)
    assert calendar.add_working_days(date(2026, 3, 12), -1) == date(2026, 3, 11)
    assert calendar.add_working_days(monday, 0) == monday


def test_merging_documents_without_some_keys() -> None:
    assert merge_documents({}, {}) == {"fixed": [], "years": {}}
    assert merge_documents({"fixed": ["01-01"]}, {}) == {"fixed": ["01-01"], "years": {}}
    assert merge_documents({}, {"years": {"2027": {"source": "QĐ 1/2027", "extra": []}}}) == {
        "fixed": [],
        "years": {"2027": {"source": "QĐ 1/2027", "extra": []}},
    }
