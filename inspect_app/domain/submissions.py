"""Submitting a unit's report to the agency above it: when it is due, and how it stands.

A unit (a department, a district inspectorate) sends its signed periodic report up to its
parent, which consolidates it. The reporting regime of state administrative agencies
(Decree 09/2019/NĐ-CP, Article 12) closes the figures on the 14th of a period's last month
and has the periodic report sent by the 20th of that month at the latest: the default due
day is six days after the period's last day, for every kind of report. The receiving side
may ask for its units' reports earlier, so the days are a setting per kind of report
(quarter, 6 months, 9 months, year), kept with the "report" reminder ladder.

A submission is on time when it reaches the parent on or before the due day, late after
it. A report the parent returned counts as not submitted until it is submitted again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from inspect_app.domain.periods import PERIOD_KINDS, QUARTER_KINDS, Period, report_year_of

# Kinds of report with their own due day: every quarter shares one.
DUE_KINDS = ("Q", "6M", "9M", "Y")
DEFAULT_DUE_DAYS: Mapping[str, int] = {kind: 6 for kind in DUE_KINDS}
MAX_DUE_DAYS = 60

State = Literal["on_time", "late", "waiting", "overdue"]
ON_TIME: State = "on_time"
LATE: State = "late"
WAITING: State = "waiting"
OVERDUE: State = "overdue"
STATES: tuple[State, ...] = (ON_TIME, LATE, WAITING, OVERDUE)


class InvalidDueDays(ValueError):
    """A due-day setting out of range; ``args[0]`` names the kind."""


def due_kind(period: Period) -> str:
    """The kind of report whose due day applies: ``Q`` for any quarter, else the period's."""
    return "Q" if period.kind in QUARTER_KINDS else period.kind


def validate_due_days(days: Mapping[str, int]) -> dict[str, int]:
    """Every kind's days after the period's end, 0 to :data:`MAX_DUE_DAYS`; defaults fill
    the kinds not given."""
    checked = dict(DEFAULT_DUE_DAYS)
    for kind, value in days.items():
        if kind not in DUE_KINDS:
            raise InvalidDueDays(kind)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DUE_DAYS:
            raise InvalidDueDays(kind)
        checked[kind] = value
    return checked


def due_on(period: Period, due_days: Mapping[str, int] | None = None) -> date:
    """The last day on which the period's report reaches the parent in time."""
    days = (due_days or DEFAULT_DUE_DAYS).get(due_kind(period), DEFAULT_DUE_DAYS["Q"])
    return period.end + timedelta(days=days)


@dataclass(frozen=True)
class Standing:
    """How one unit's report of a period stands on a day."""

    state: State
    submitted: bool

    @property
    def is_late(self) -> bool:
        """Submitted after the due day, or still missing after it."""
        return self.state in (LATE, OVERDUE)


def standing(due: date, submitted_on: date | None, today: date) -> Standing:
    """The state of a report due on ``due``: submitted on ``submitted_on`` (None while it
    is not, or after the parent returned it), seen on ``today``."""
    if submitted_on is not None:
        return Standing(ON_TIME if submitted_on <= due else LATE, True)
    return Standing(OVERDUE if today > due else WAITING, False)


def periods_due_on(day: date, days: Mapping[str, int]) -> list[Period]:
    """The periods whose units' reports are due on ``day``."""
    found = []
    for year in {report_year_of(day - timedelta(days=n)) for n in range(MAX_DUE_DAYS + 1)}:
        for kind in PERIOD_KINDS:
            period = Period(year, kind)
            if due_on(period, days) == day:
                found.append(period)
    return sorted(found, key=lambda p: p.code)
