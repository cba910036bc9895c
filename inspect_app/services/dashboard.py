"""Figures for the dashboard of the signed-in user's scope."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from inspect_app.domain.periods import Period, current_quarter
from inspect_app.principal import Principal
from inspect_app.services import follow_up_figures, totals
from inspect_app.services.follow_up_figures import Figures


@dataclass(frozen=True, slots=True)
class PeriodTotals:
    """The report counters of a scope for a period, and where and when they were read."""

    counters: totals.Counters
    as_of: datetime
    source: str  # "stored" (the totals table) or "live" (computed from the records)


@dataclass(frozen=True, slots=True)
class OverdueUnit:
    """A responsible unit and how many of its deadlines are overdue ("" when unnamed)."""

    unit_name: str
    overdue: int


@dataclass(frozen=True, slots=True)
class FollowUp:
    """The recommendations still open in the scope, those overdue, and the money left."""

    open_measures: int
    overdue_measures: int
    outstanding_vnd: int


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the dashboard shows."""

    period: Period
    totals: PeriodTotals
    status_counts: dict[str, int]
    follow_up: FollowUp
    overdue_inspections: int
    overdue_units: list[OverdueUnit]
    figures_as_of: datetime | None
    figures_source: str

    def context(self) -> dict[str, Any]:
        """The fields by name, as the page's template reads them."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


async def period_totals(principal: Principal, period: Period) -> PeriodTotals:
    """The report counters of the user's subtree for ``period``, with their "as of" time.

    Read from AgencyTotals (kept current by the totals job); computed live when the row is
    missing, e.g. before the job's first run.
    """
    counters, as_of, source = await totals.current_totals(principal.agency_id, period)
    return PeriodTotals(counters, as_of, source)


def top_overdue_units(figures: Figures, count: int = 10) -> list[OverdueUnit]:
    """The responsible units with the most overdue deadlines, most first."""
    units = sorted(figures["overdue_units"].items(), key=lambda item: (-item[1], item[0]))
    return [OverdueUnit(name, n) for name, n in units[:count]]


async def dashboard(principal: Principal, today: date) -> Dashboard:
    """Everything the dashboard shows: the follow-up figures (kept per agency, see
    services.follow_up_figures) and the current period's report totals."""
    period = current_quarter(today)
    figures, as_of, source = await follow_up_figures.figures_for(principal, today)
    return Dashboard(
        period=period,
        totals=await period_totals(principal, period),
        status_counts=figures["status"],
        follow_up=FollowUp(
            open_measures=figures["open_measures"],
            overdue_measures=figures["overdue_measures"],
            outstanding_vnd=figures["left_vnd"],
        ),
        overdue_inspections=figures["overdue_cases"],
        overdue_units=top_overdue_units(figures),
        figures_as_of=as_of,
        figures_source=source,
    )
