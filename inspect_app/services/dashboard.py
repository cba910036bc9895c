"""Figures for the dashboard of the signed-in user's scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from inspect_app.domain.periods import Period, current_quarter
from inspect_app.principal import Principal
from inspect_app.services import totals
from inspect_app.services.inspections import overdue_sql
from models.tables import Inspection, Measure


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
    """Open measures, overdue measures and money still to recover in scope."""
    rows = await Measure.raw(
        """
        SELECT
          COUNT(*) AS open_measures,
          COALESCE(SUM(CASE WHEN m.due_on < {} THEN 1 ELSE 0 END), 0) AS overdue_measures,
          COALESCE(SUM(CASE WHEN m.type = 'recover_money' THEN m.amount_vnd - m.done_vnd
                       ELSE 0 END), 0) AS outstanding_vnd
        FROM measure m
        JOIN inspection i ON i.id = m.inspection
        JOIN agency a ON a.id = i.agency
        WHERE a.path LIKE {} AND m.status IN ('open', 'partial')
          AND m.deleted_at IS NULL AND i.deleted_at IS NULL
        """,
        today,
        principal.scope_pattern,
    )
    row = rows[0] if rows else {}
    return {
        "open_measures": int(row.get("open_measures") or 0),
        "overdue_measures": int(row.get("overdue_measures") or 0),
        "outstanding_vnd": int(row.get("outstanding_vnd") or 0),
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
