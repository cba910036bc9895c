"""Figures for the dashboard of the signed-in user's scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from inspect_app.domain.periods import Period, current_quarter
from inspect_app.principal import Principal
from inspect_app.services import follow_up_figures, totals


async def period_totals(principal: Principal, period: Period) -> dict[str, Any]:
    """The report counters of the user's subtree for ``period``, with their "as of" time.

    Read from AgencyTotals (kept current by the totals job); computed live when the row is
    missing, e.g. before the job's first run.
    """
    counters, as_of, source = await totals.current_totals(principal.agency_id, period)
    return {"counters": counters, "as_of": as_of, "source": source}


def top_overdue_units(figures: dict[str, Any], count: int = 10) -> list[dict[str, Any]]:
    """The responsible units with the most overdue deadlines, most first."""
    units = sorted(figures["overdue_units"].items(), key=lambda item: (-item[1], item[0]))
    return [{"unit_name": name, "overdue": n} for name, n in units[:count]]


async def dashboard(principal: Principal, today: date) -> dict[str, Any]:
    """Everything the dashboard shows: the follow-up figures (kept per agency, see
    services.follow_up_figures) and the current period's report totals."""
    period = current_quarter(today)
    figures, as_of, source = await follow_up_figures.figures_for(principal, today)
    return {
        "period": period,
        "totals": await period_totals(principal, period),
        "status_counts": figures["status"],
        "follow_up": {
            "open_measures": figures["open_measures"],
            "overdue_measures": figures["overdue_measures"],
            "outstanding_vnd": figures["left_vnd"],
        },
        "overdue_inspections": figures["overdue_cases"],
        "overdue_units": top_overdue_units(figures),
        "figures_as_of": as_of,
        "figures_source": source,
    }
