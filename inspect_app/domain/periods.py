"""Reporting periods of Circular 01/2024/TT-TTCP (the same as Circular 02/2021).

A period is not a calendar quarter: it runs from the 15th of the last month of the previous
period to the 14th of the last month of this one, both days included. The 6-month, 9-month and
annual reports are cumulative from 15 December of the previous year, so report year 2026
starts on 15/12/2025 and ends on 14/12/2026.

    kind  from                        to
    Q1    15/12 of the previous year  14/03
    Q2    15/03                       14/06
    Q3    15/06                       14/09
    Q4    15/09                       14/12
    6M    15/12 of the previous year  14/06
    9M    15/12 of the previous year  14/09
    Y     15/12 of the previous year  14/12

An event belongs to the period that contains its date: a conclusion signed on 14/03 counts in
Q1, one signed on 15/03 in Q2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from inspect_app.domain.messages import N_
from inspect_app.i18n import LANGUAGES, translate

PERIOD_KINDS = ("Q1", "Q2", "Q3", "Q4", "6M", "9M", "Y")
QUARTER_KINDS = ("Q1", "Q2", "Q3", "Q4")
CUMULATIVE_KINDS = ("6M", "9M", "Y")
MIN_YEAR = 1990
MAX_YEAR = 2100

# The month whose 14th closes the period.
_LAST_MONTH = {"Q1": 3, "Q2": 6, "Q3": 9, "Q4": 12, "6M": 6, "9M": 9, "Y": 12}
_QUARTERS_COVERED = {"6M": 2, "9M": 3, "Y": 4}
# Names of the periods, as message ids ("Q1 {year}" is "Quý I năm {year}" in Vietnamese).
_LABELS = {
    "Q1": N_("Q1 {year}"),
    "Q2": N_("Q2 {year}"),
    "Q3": N_("Q3 {year}"),
    "Q4": N_("Q4 {year}"),
    "6M": N_("First 6 months of {year}"),
    "9M": N_("First 9 months of {year}"),
    "Y": N_("Year {year}"),
}
# Their short names on a chart axis ("Q2/{year}" is "Quý II/{year}" in Vietnamese).
_SHORT_LABELS = {
    "Q1": N_("Q1/{year}"),
    "Q2": N_("Q2/{year}"),
    "Q3": N_("Q3/{year}"),
    "Q4": N_("Q4/{year}"),
    "6M": N_("6M/{year}"),
    "9M": N_("9M/{year}"),
    "Y": N_("Y/{year}"),
}
_CODE = re.compile(r"(\d{4})-(Q[1-4]|6M|9M|Y)")


class InvalidPeriod(ValueError):
    """A period code or value that does not name a reporting period."""


@dataclass(frozen=True)
class Period:
    """One reporting period: a quarter or a cumulative 6-month, 9-month or annual period."""

    year: int
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in PERIOD_KINDS:
            raise InvalidPeriod(
                f"Unknown period kind {self.kind!r}: use one of {', '.join(PERIOD_KINDS)}."
            )
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise InvalidPeriod(f"Report year {self.year} is outside {MIN_YEAR}–{MAX_YEAR}.")

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        """The period code used in URLs and the API, e.g. ``2026-Q1``."""
        return f"{self.year}-{self.kind}"

    @property
    def is_cumulative(self) -> bool:
        """True for the 6-month, 9-month and annual periods, which start on 15/12."""
        return self.kind in CUMULATIVE_KINDS

    @property
    def start(self) -> date:
        """First day of the period, included."""
        if self.kind == "Q1" or self.is_cumulative:
            return date(self.year - 1, 12, 15)
        return date(self.year, _LAST_MONTH[self.kind] - 3, 15)

    @property
    def end(self) -> date:
        """Last day of the period, included."""
        return date(self.year, _LAST_MONTH[self.kind], 14)

    def contains(self, d: date) -> bool:
        """True when ``d`` falls within the period (both bounds included)."""
        return self.start <= d <= self.end

    def previous_year(self) -> Period:
        """The same period one year earlier, shown beside this one in reports."""
        return Period(self.year - 1, self.kind)

    def quarters(self) -> tuple[Period, ...]:
        """The quarters the period covers, in order (a quarter covers itself)."""
        if not self.is_cumulative:
            return (self,)
        covered = QUARTER_KINDS[: _QUARTERS_COVERED[self.kind]]
        return tuple(Period(self.year, kind) for kind in covered)

    def label(self, lang: str = "vi") -> str:
        """The period's name as printed on reports, e.g. "Quý I năm 2026" or "Q1 2026"."""
        if lang not in LANGUAGES:
            raise ValueError(f"Unsupported language {lang!r}: use 'vi' or 'en'.")
        return translate(_LABELS[self.kind], lang, year=self.year)

    def short_label(self, lang: str = "vi") -> str:
        """The period on a chart axis: "Quý II/2024", "6 tháng/2024", "Năm 2024" (vi) or
        "Q2/2024", "6M/2024", "Y/2024" (en)."""
        if lang not in LANGUAGES:
            raise ValueError(f"Unsupported language {lang!r}: use 'vi' or 'en'.")
        return translate(_SHORT_LABELS[self.kind], lang, year=self.year)

    @property
    def date_range_label(self) -> str:
        """The bounds as printed under the report title, e.g. "15/12/2025 – 14/03/2026"."""
        return f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"


def parse_period(code: str) -> Period:
    """The period named by a code such as ``2026-Q1``, ``2026-6M``, ``2026-9M`` or ``2026-Y``."""
    match = _CODE.fullmatch(code.strip().upper())
    if match is None:
        raise InvalidPeriod(
            f"Unknown period {code!r}: write YEAR-KIND with KIND one of "
            f"{', '.join(PERIOD_KINDS)}, e.g. 2026-Q1."
        )
    return Period(int(match.group(1)), match.group(2))


def period_bounds(code: str) -> tuple[date, date]:
    """First and last day (both included) of the period named by ``code``."""
    period = parse_period(code)
    return period.start, period.end


def report_year_of(d: date) -> int:
    """The report year a date belongs to: from 15/12 on, dates count in the next year."""
    return d.year + 1 if (d.month, d.day) >= (12, 15) else d.year


def quarter_of(d: date) -> Period:
    """The reporting quarter that contains ``d``."""
    for kind in QUARTER_KINDS:
        if (d.month, d.day) <= (_LAST_MONTH[kind], 14):
            return Period(d.year, kind)
    return Period(d.year + 1, "Q1")  # 15/12 onwards opens the next report year


def current_quarter(today: date) -> Period:
    """The reporting quarter running on ``today``."""
    return quarter_of(today)


def previous_quarter(quarter: Period) -> Period:
    """The quarter before ``quarter`` (Q1 goes back to Q4 of the previous year)."""
    index = _quarter_index(quarter)
    if index == 0:
        return Period(quarter.year - 1, "Q4")
    return Period(quarter.year, QUARTER_KINDS[index - 1])


def next_quarter(quarter: Period) -> Period:
    """The quarter after ``quarter`` (Q4 goes on to Q1 of the next year)."""
    index = _quarter_index(quarter)
    if index == 3:
        return Period(quarter.year + 1, "Q1")
    return Period(quarter.year, QUARTER_KINDS[index + 1])


def last_quarters(period: Period, n: int) -> list[Period]:
    """The ``n`` quarters ending with the one that holds ``period.end``, oldest first."""
    if n < 1:
        raise ValueError(f"Ask for at least one quarter, not {n}.")
    quarters = [quarter_of(period.end)]
    while len(quarters) < n:
        quarters.append(previous_quarter(quarters[-1]))
    return quarters[::-1]


# The order of a year's periods on a list, by their last day (a cumulative period after the
# quarter it closes with).
_CHRONOLOGICAL = ("Q1", "Q2", "6M", "Q3", "9M", "Q4", "Y")


def period_choices(today: date, years: int = 5) -> list[Period]:
    """The periods a report can be made for, newest first: every period that has started by
    ``today`` in the current report year and the ``years - 1`` before it."""
    if years < 1:
        raise ValueError(f"Offer at least one year, not {years}.")
    newest = report_year_of(today)
    choices = [
        Period(year, kind)
        for year in range(newest - years + 1, newest + 1)
        if MIN_YEAR <= year <= MAX_YEAR
        for kind in _CHRONOLOGICAL
    ]
    return [period for period in reversed(choices) if period.start <= today]


def default_report_period(today: date) -> Period:
    """The period a report form proposes: the last quarter that has ended by ``today``.

    Reports are made after their period closes (the Q1 report in the days after 14/03).
    """
    return previous_quarter(current_quarter(today))


def _quarter_index(quarter: Period) -> int:
    if quarter.kind not in QUARTER_KINDS:
        raise InvalidPeriod(f"{quarter.code} is not a quarter.")
    return QUARTER_KINDS.index(quarter.kind)
