"""Figures for the dashboard of the signed-in user's scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from inspect_app.domain.periods import Period, current_quarter
from inspect_app.principal import Principal
from inspect_app.services import follow_ups, totals
from inspect_app.services.follow_ups import BoardFilter
from inspect_app.services.inspections import overdue_sql
from models.tables import Inspection

# The recommendations of the whole scope, as the board lists them.
MEASURES = BoardFilter(deadline_type="measure")


async def status_counts(principal: Principal) -> dict[str, int]:
    """Number of cases per status in scope."""
    rows = await Inspection.raw(
        """
        SELECT i.status AS status, COUNT(*) AS n
        FROM inspection i JOIN agency a ON a.id = i.agency
        WHERE a.path LIKE {} AND i.deleted_at IS NULL
        GROUP BY i.status
        """,
        principal.scope_pattern,
    )
    return {row["status"]: int(row["n"]) for row in rows}


async def follow_up_summary(principal: Principal, today: date) -> dict[str, Any]:
    """Recommendations being followed up, those overdue, and the money left, in scope.

    Read with the board's own query (``deadline_type=measure``), so that each card counts
    exactly what the board it opens lists.
    """
    figures = await follow_ups.board_totals(principal, MEASURES, today)
    return {
        "open_measures": figures["count"],
        "overdue_measures": figures["overdue"],
        "outstanding_vnd": figures["left_vnd"],
    }


async def overdue_inspections(principal: Principal, today: date) -> int:
    """Cases in scope past a legal deadline: the same rule as the list's ``overdue`` filter."""
    rows = await Inspection.raw(
        f"""
        SELECT COUNT(*) AS n FROM inspection JOIN agency a ON a.id = inspection.agency
        WHERE a.path LIKE {{}} AND inspection.deleted_at IS NULL AND {overdue_sql(today)}
        """,
        principal.scope_pattern,
    )
    return int(rows[0]["n"]) if rows else 0


async def period_totals(principal: Principal, period: Period) -> dict[str, Any]:
    """The report counters of the user's subtree for ``period``, with their "as of" time.

    Read from AgencyTotals (kept current by the totals job); computed live when the row is
    missing, e.g. before the job's first run.
    """
    counters, as_of, source = await totals.current_totals(principal.agency_id, period)
    return {"counters": counters, "as_of": as_of, "source": source}


async def dashboard(principal: Principal, today: date) -> dict[str, Any]:
    """Everything the dashboard shows."""
    period = current_quarter(today)
    return {
        "period": period,
        "totals": await period_totals(principal, period),
        "status_counts": await status_counts(principal),
        "follow_up": await follow_up_summary(principal, today),
        "overdue_inspections": await overdue_inspections(principal, today),
    }
