from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from inspect_app.domain.holidays import (
    DATA_FILE,
    HolidayCalendar,
    default_calendar,
    load_calendar,
)

# Lunar New Year's Day in Viet Nam (UTC+7). 2030 is 02/02, a day before China's 03/02.
LUNAR_NEW_YEAR = [
    date(2020, 1, 25),
    date(2021, 2, 12),
    date(2022, 2, 1),
    date(2023, 1, 22),
    date(2024, 2, 10),
    date(2025, 1, 29),
    date(2026, 2, 17),
    date(2027, 2, 6),
    date(2028, 1, 26),
    date(2029, 2, 13),
    date(2030, 2, 2),
    date(2031, 1, 23),
    date(2032, 2, 11),
    date(2033, 1, 31),
    date(2034, 2, 19),
    date(2035, 2, 8),
]
HUNG_KINGS = [
    date(2020, 4, 2),
    date(2021, 4, 21),
    date(2022, 4, 10),
    date(2023, 4, 29),
    date(2024, 4, 18),
    date(2025, 4, 7),
    date(2026, 4, 26),
    date(2027, 4, 16),
    date(2028, 4, 4),
    date(2029, 4, 23),
    date(2030, 4, 12),
    date(2031, 4, 1),
    date(2032, 4, 19),
    date(2033, 4, 9),
    date(2034, 4, 28),
    date(2035, 4, 17),
]


def test_tet_2026_break() -> None:
    cal = default_calendar()
    assert [d.day for d in cal.holidays_in(2026) if d.month == 2] == [16, 17, 18, 19, 20]
    assert cal.is_working_day(date(2026, 2, 13))  # Friday before the break
    assert not cal.is_working_day(date(2026, 2, 14))  # Saturday: not a holiday, not worked
    assert not cal.is_holiday(date(2026, 2, 14))
    assert not cal.is_working_day(date(2026, 2, 17))
    assert cal.is_working_day(date(2026, 2, 23))


def test_official_tet_2025_weekdays() -> None:
    cal = default_calendar()
    days_off = [date(2025, 1, d) for d in range(27, 32)]
    assert all(cal.is_holiday(d) for d in days_off)
    assert cal.is_working_day(date(2025, 1, 24))
    assert cal.is_working_day(date(2025, 2, 3))


def test_whole_2026_calendar() -> None:
    assert default_calendar().holidays_in(2026) == [
        date(2026, 1, 1),
        date(2026, 1, 2),  # swapped with Saturday 10/01
        date(2026, 2, 16),
        date(2026, 2, 17),
        date(2026, 2, 18),
        date(2026, 2, 19),
        date(2026, 2, 20),
        date(2026, 4, 26),  # Hùng Kings, a Sunday
        date(2026, 4, 27),  # made up for it
        date(2026, 4, 30),
        date(2026, 5, 1),
        date(2026, 8, 31),  # swapped with Saturday 22/08
        date(2026, 9, 1),
        date(2026, 9, 2),
    ]


def test_made_up_saturdays_are_working_days() -> None:
    cal = default_calendar()
    assert cal.is_working_day(date(2026, 1, 10))
    assert cal.is_working_day(date(2026, 8, 22))
    assert not cal.is_working_day(date(2026, 1, 17))  # an ordinary Saturday


def test_fixed_holidays_apply_to_every_year() -> None:
    cal = default_calendar()
    for year in (2020, 2030, 2050):
        for month, day in ((1, 1), (4, 30), (5, 1), (9, 2)):
            assert cal.is_holiday(date(year, month, day))
    assert cal.holidays_in(2050) == [
        date(2050, 1, 1),
        date(2050, 4, 30),
        date(2050, 5, 1),
        date(2050, 9, 2),
    ]


def test_every_lunar_new_year_and_hung_kings_day_is_off() -> None:
    cal = default_calendar()
    for day in LUNAR_NEW_YEAR:
        assert cal.is_holiday(day) or day.weekday() >= 5, day
        assert not cal.is_working_day(day), day
    for day in HUNG_KINGS:
        assert cal.is_holiday(day), day


def test_shipped_file_lists_working_day_holidays_only() -> None:
    doc = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    assert doc["fixed"] == ["01-01", "04-30", "05-01", "09-02"]
    assert sorted(doc["years"]) == [str(y) for y in range(2020, 2036)]
    for year, entry in doc["years"].items():
        assert entry["source"], year
        tet = [date.fromisoformat(d) for d in entry["tet"]]
        assert len(tet) == 5, year
        assert all(d.weekday() < 5 for d in tet), year
        assert all(date.fromisoformat(d).weekday() < 5 for d in entry["extra"]), year
        assert all(date.fromisoformat(d).weekday() == 5 for d in entry["make_up_workdays"]), year


def test_working_day_arithmetic_across_tet() -> None:
    cal = default_calendar()
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert cal.add_working_days(date(2026, 2, 23), -1) == date(2026, 2, 13)
    assert cal.add_working_days(date(2026, 2, 14), 0) == date(2026, 2, 14)
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1
    assert cal.working_days_between(date(2026, 2, 9), date(2026, 2, 27)) == 9
    assert cal.working_days_between(date(2026, 3, 2), date(2026, 3, 2)) == 0
    with pytest.raises(ValueError, match="before the start"):
        cal.working_days_between(date(2026, 3, 2), date(2026, 3, 1))


def test_calendar_built_from_a_set_of_dates() -> None:
    cal = HolidayCalendar({date(2026, 3, 2)}, fixed=[(12, 24)])
    assert cal.is_holiday(date(2026, 3, 2))
    assert not cal.is_working_day(date(2026, 3, 2))
    assert cal.is_working_day(date(2026, 3, 3))
    assert cal.is_holiday(date(2031, 12, 24))
    assert not cal.is_holiday(date(2026, 1, 1))
    assert HolidayCalendar().is_working_day(date(2026, 1, 1))
    assert HolidayCalendar().add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)


def test_load_calendar_without_a_path_is_the_shipped_one() -> None:
    assert load_calendar(None) is default_calendar()


def test_override_file_adds_fixed_days_and_replaces_the_keys_it_gives(tmp_path: Path) -> None:
    override = tmp_path / "holidays.json"
    official_tet_2027 = ["2027-02-04", "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10"]
    override.write_text(
        json.dumps({"fixed": ["11-24"], "years": {"2027": {"tet": official_tet_2027}}}),
        encoding="utf-8",
    )
    cal = load_calendar(str(override))
    assert cal.is_holiday(date(2026, 11, 24))
    assert cal.is_holiday(date(2027, 2, 4))
    assert not cal.is_holiday(date(2027, 2, 11))  # the rule's guess, replaced
    assert cal.is_holiday(date(2027, 4, 16))  # Hùng Kings 2027 kept from the shipped file
    assert cal.is_holiday(date(2026, 2, 16))  # other years untouched
    assert not default_calendar().is_holiday(date(2026, 11, 24))


def test_override_with_an_unknown_key_is_refused(tmp_path: Path) -> None:
    override = tmp_path / "holidays.json"
    override.write_text(json.dumps({"years": {"2027": {"tết": []}}}), encoding="utf-8")
    with pytest.raises(ValueError, match="Unknown keys for 2027"):
        load_calendar(str(override))


def test_bad_holiday_files_say_what_is_wrong(tmp_path: Path) -> None:
    wrong_year = tmp_path / "wrong_year.json"
    wrong_year.write_text(
        json.dumps({"years": {"2026": {"extra": ["2027-01-02"]}}}), encoding="utf-8"
    )
    with pytest.raises(ValueError, match="2027-01-02 is listed under 2026"):
        HolidayCalendar.from_json(wrong_year)
    bad_fixed = tmp_path / "bad_fixed.json"
    bad_fixed.write_text(json.dumps({"fixed": ["31-12"]}), encoding="utf-8")
    with pytest.raises(ValueError, match="not MM-DD"):
        HolidayCalendar.from_json(bad_fixed)
    with pytest.raises(ValueError, match="Cannot read the holiday file"):
        HolidayCalendar.from_json(tmp_path / "missing.json")
