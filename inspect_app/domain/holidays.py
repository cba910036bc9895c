"""Vietnamese public holidays and the working days they leave.

The shipped calendar is ``data/holidays_vn.json``; its "source" and "rule" notes say what
every entry is. Its shape::

    {"fixed": ["01-01", "04-30", "05-01", "09-02"],
     "years": {"2026": {"tet": ["2026-02-16", ...],          # weekdays off for Tết
                        "hung_kings": "2026-04-26",           # 10/3 lunar, even on a Sunday
                        "extra": ["2026-04-27", ...],         # adjacent, made-up, swapped days
                        "make_up_workdays": ["2026-08-22"]}}} # Saturdays worked instead

Lunar holidays and the Government's yearly swaps cannot be computed reliably, so each year is
listed explicitly; a year without an entry gets the fixed holidays only.

An override file (``load_calendar(path)``) has the same shape and is laid over the shipped
one, so that a Government decision published after a release, or a local day off, needs no
new release: its "fixed" days are added to the shipped ones, and within each year it names,
every key it gives ("tet", "hung_kings", "extra", "make_up_workdays") replaces the shipped
value of that key while the keys it leaves out are kept. For example
``{"years": {"2027": {"tet": [...]}}}`` replaces the rule-based Tết of 2027 and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).parent / "data" / "holidays_vn.json"
_YEAR_KEYS = ("tet", "hung_kings", "extra", "make_up_workdays")


class HolidayCalendar:
    """Public holidays, and the working days: weekdays that are not holidays, made-up Saturdays."""

    def __init__(
        self,
        holidays: Iterable[date] = (),
        *,
        fixed: Iterable[tuple[int, int]] = (),
        make_up_workdays: Iterable[date] = (),
    ) -> None:
        self._holidays = frozenset(holidays)
        self._fixed = frozenset(fixed)  # (month, day) pairs, every year
        self._make_up_workdays = frozenset(make_up_workdays)

    @classmethod
    def from_json(cls, path: str | Path) -> HolidayCalendar:
        """The calendar described by a holiday file (shape in the module docstring)."""
        return cls.from_document(_read(Path(path)), origin=str(path))

    @classmethod
    def from_document(cls, doc: Mapping[str, Any], origin: str = "holidays") -> HolidayCalendar:
        """The calendar described by an already parsed holiday document."""
        fixed = [_month_day(text, origin) for text in doc.get("fixed", [])]
        holidays: list[date] = []
        make_up_workdays: list[date] = []
        for year, entry in doc.get("years", {}).items():
            hung_kings = [entry["hung_kings"]] if entry.get("hung_kings") else []
            days_off = [*entry.get("tet", []), *hung_kings, *entry.get("extra", [])]
            holidays += [_date_in_year(text, year, origin) for text in days_off]
            make_up_workdays += [
                _date_in_year(text, year, origin) for text in entry.get("make_up_workdays", [])
            ]
        return cls(holidays, fixed=fixed, make_up_workdays=make_up_workdays)

    def is_holiday(self, d: date) -> bool:
        """True when ``d`` is a public holiday (whatever day of the week it falls on)."""
        return d in self._holidays or (d.month, d.day) in self._fixed

    def is_working_day(self, d: date) -> bool:
        """True when offices work on ``d``: a weekday but not a holiday, or a made-up Saturday."""
        if d in self._make_up_workdays:
            return True
        return d.weekday() < 5 and not self.is_holiday(d)

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (before it when ``n`` is negative)."""
        step = timedelta(days=1 if n >= 0 else -1)
        day, left = start, abs(n)
        while left:
            day += step
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """How many working days fall after ``a`` up to and including ``b``."""
        if b < a:
            raise ValueError(f"The end {b:%d/%m/%Y} is before the start {a:%d/%m/%Y}.")
        days = (a + timedelta(days=i) for i in range(1, (b - a).days + 1))
        return sum(1 for d in days if self.is_working_day(d))

    def holidays_in(self, year: int) -> list[date]:
        """Every holiday of ``year``, in date order, weekend ones included."""
        listed = {d for d in self._holidays if d.year == year}
        fixed = {date(year, month, day) for month, day in self._fixed}
        return sorted(listed | fixed)


@lru_cache(maxsize=1)
def default_calendar() -> HolidayCalendar:
    """The shipped calendar, read once."""
    return HolidayCalendar.from_json(DATA_FILE)


def load_calendar(path: str | None = None) -> HolidayCalendar:
    """The shipped calendar, with the override file at ``path`` laid over it when given."""
    if path is None:
        return default_calendar()
    merged = merge_documents(_read(DATA_FILE), _read(Path(path)))
    return HolidayCalendar.from_document(merged, origin=path)


def merge_documents(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` laid over it: fixed days added, year keys replaced."""
    fixed = list(dict.fromkeys([*base.get("fixed", []), *override.get("fixed", [])]))
    years = {year: dict(entry) for year, entry in base.get("years", {}).items()}
    for year, entry in override.get("years", {}).items():
        unknown = set(entry) - {*_YEAR_KEYS, "source"}
        if unknown:
            raise ValueError(f"Unknown keys for {year} in the holiday override: {sorted(unknown)}")
        years.setdefault(year, {}).update(entry)
    return {"fixed": fixed, "years": years}


def _read(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"Cannot read the holiday file {path}: {exc}") from exc
    if not isinstance(doc, dict):
        raise ValueError(f"The holiday file {path} must hold a JSON object.")
    return doc


def _month_day(text: str, origin: str) -> tuple[int, int]:
    try:
        month, day = (int(part) for part in text.split("-"))
        date(2000, month, day)  # a leap year, so that 02-29 is accepted
    except ValueError as exc:
        raise ValueError(f"{origin}: fixed holiday {text!r} is not MM-DD.") from exc
    return month, day


def _date_in_year(text: str, year: str, origin: str) -> date:
    try:
        d = date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{origin}: {text!r} under {year} is not a YYYY-MM-DD date.") from exc
    # A date filed under the wrong year is almost always a typo in the year.
    if str(d.year) != year:
        raise ValueError(f"{origin}: {text} is listed under {year}.")
    return d
