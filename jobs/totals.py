"""The totals table (AgencyTotals): refresh after changes, nightly rebuild, and the check.

The counters themselves come from :mod:`inspect_app.services.totals` (SQL GROUP BY over the
records); this module keeps the table in step with them. The unit of work is one period:
a refresh computes every agency's own counters for the period in one pass, rolls them up
the agency tree, and writes both scopes ("self" and "subtree") of every agency, all in one
transaction that also removes the period's dirty marker (:mod:`inspect_app.services.changes`)
if nobody re-marked it meanwhile. So:

- a worker killed half-way leaves the previous rows and the marker: the job (or the next
  scan) runs again and writes the right figures;
- two refreshes of one period never interleave (an advisory lock on PostgreSQL, the single
  writer on SQLite), so an older computation cannot overwrite a newer one;
- a change committed while a refresh computes leaves its marker in place for the next run.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from inspect_app.clock import today as local_today
from inspect_app.db import is_postgres, write_transaction
from inspect_app.domain.periods import InvalidPeriod, Period, parse_period
from inspect_app.services import totals as counters
from inspect_app.services.changes import (
    DIRTY_PREFIX,
    maintained_periods,
    marker_name,
    stored_periods,
)
from models.tables import Agency, AgencyTotals, JobState

log = logging.getLogger(__name__)

# Arbitrary constant naming the advisory locks that serialise refreshes of one period.
TOTALS_LOCK_KEY = 727_002
UPSERT_BATCH = 200
# A refresh goes round again when the period was re-marked while it computed, up to this.
MAX_ROUNDS = 3


async def _all_agencies() -> list[tuple[int, str]]:
    rows = await Agency.select(Agency.id, Agency.path)
    return [(int(row["id"]), str(row["path"])) for row in rows]


async def _upsert(rows: list[AgencyTotals]) -> None:
    for start in range(0, len(rows), UPSERT_BATCH):
        await AgencyTotals.insert(*rows[start : start + UPSERT_BATCH]).on_conflict(
            target=(AgencyTotals.agency, AgencyTotals.period, AgencyTotals.scope),
            action="DO UPDATE",
            values=[AgencyTotals.data, AgencyTotals.computed_at],
        )


async def _marker_token(period: str) -> str | None:
    row = await JobState.select(JobState.detail).where(JobState.name == marker_name(period)).first()
    return None if row is None else str(row["detail"])


async def refresh_period(period: Period) -> bool:
    """Recompute and store the totals of ``period`` for every agency and both scopes.

    True when the period's marker was cleared (or there was none); False when it was
    re-marked during the computation and needs another round.
    """
    async with write_transaction():
        if is_postgres():
            await AgencyTotals.raw(
                "SELECT pg_advisory_xact_lock({}, hashtext({}))", TOTALS_LOCK_KEY, period.code
            )
        token = await _marker_token(period.code)
        agencies = await _all_agencies()
        own = await counters.self_counters(period)
        subtree = counters.roll_up(own, agencies)
        now = datetime.now(UTC)
        rows = []
        for agency_id, _ in agencies:
            for scope, figures in (
                ("self", own.get(agency_id) or counters.empty_counters()),
                ("subtree", subtree.get(agency_id) or counters.empty_counters()),
            ):
                rows.append(
                    AgencyTotals(
                        agency=agency_id,
                        period=period.code,
                        scope=scope,
                        data=json.dumps(figures, sort_keys=True),
                        computed_at=now,
                    )
                )
        await _upsert(rows)
        if token is None:
            return True
        cleared = (
            await JobState.delete()
            .where((JobState.name == marker_name(period.code)) & (JobState.detail == token))
            .returning(JobState.id)
        )
        return bool(cleared)


async def dirty_periods() -> list[str]:
    """Periods with a refresh marker, oldest mark first."""
    rows = (
        await JobState.select(JobState.name)
        .where(JobState.name.like(DIRTY_PREFIX + "%"))
        .order_by(JobState.last_started_at)
    )
    return [str(row["name"])[len(DIRTY_PREFIX) :] for row in rows]


async def _drop_marker(period: str) -> None:
    await JobState.delete().where(JobState.name == marker_name(period))


async def refresh_marked(period_code: str) -> int:
    """Refresh one marked period until its marker is gone; how many rounds it took."""
    try:
        period = parse_period(period_code)
    except InvalidPeriod:
        log.warning("dropping the totals marker of an unknown period %r", period_code)
        await _drop_marker(period_code)
        return 0
    for round_no in range(1, MAX_ROUNDS + 1):
        if await refresh_period(period) or await _marker_token(period_code) is None:
            return round_no
    # Still re-marked: the periodic scan comes back to it.
    return MAX_ROUNDS


async def refresh_totals(ctx: dict[str, Any] | None, period: str) -> int:
    """Job: refresh the totals of ``period`` after a change (queued with job id per period)."""
    if await _marker_token(period) is None:
        return 0  # another run already did it
    return await refresh_marked(period)


async def refresh_dirty_totals(ctx: dict[str, Any] | None) -> int:
    """Job: refresh every period with a marker (the catch-up scan); how many periods."""
    periods = await dirty_periods()
    for period in periods:
        await refresh_marked(period)
    return len(periods)


async def periods_to_keep() -> list[Period]:
    """Maintained, stored and marked periods, oldest first."""
    codes = {p.code for p in maintained_periods(local_today())}
    codes.update(await stored_periods())
    codes.update(await dirty_periods())
    found = []
    for code in codes:
        try:
            found.append(parse_period(code))
        except InvalidPeriod:
            await _drop_marker(code)
    return sorted(found, key=lambda p: (p.end, p.start))


async def rebuild_totals(ctx: dict[str, Any] | None) -> int:
    """Job: rebuild the whole totals table (nightly); how many periods were written."""
    periods = await periods_to_keep()
    for period in periods:
        await refresh_period(period)
    log.info("totals rebuilt for %d periods", len(periods))
    return len(periods)


# --------------------------------------------------------------------------- check


async def _stored_rows(period: Period) -> dict[tuple[int, str], Any]:
    rows = await AgencyTotals.select(
        AgencyTotals.agency, AgencyTotals.scope, AgencyTotals.data
    ).where(AgencyTotals.period == period.code)
    stored = {}
    for row in rows:
        data = row["data"]
        stored[(int(row["agency"]), str(row["scope"]))] = (
            json.loads(data) if isinstance(data, str) else data
        )
    return stored


async def check_totals(period_code: str | None = None) -> list[str]:
    """Differences between the table and a live recomputation (empty when they agree).

    The live side is computed now from the records: every agency's own counters in one
    pass, summed up the tree for the subtree scope, and compared with each stored row.
    """
    periods = [parse_period(period_code)] if period_code else await periods_to_keep()
    agencies = await Agency.select(Agency.id, Agency.code, Agency.path).order_by(Agency.id)
    tree = [(int(a["id"]), str(a["path"])) for a in agencies]
    problems: list[str] = []
    for period in periods:
        stored = await _stored_rows(period)
        own = await counters.self_counters(period)
        subtree = counters.roll_up(own, tree)
        for agency in agencies:
            for scope, live in (
                ("self", own.get(agency["id"]) or counters.empty_counters()),
                ("subtree", subtree.get(agency["id"]) or counters.empty_counters()),
            ):
                where = f"{period.code} {agency['code']} (id {agency['id']}) {scope}"
                row = stored.get((agency["id"], scope))
                if row is None:
                    # No row is read as "compute live", so only a non-zero one is missing.
                    if counters.diff_totals(counters.empty_counters(), live):
                        problems.append(f"{where}: no row in the totals table")
                    continue
                normalised = counters.add_counters(counters.empty_counters(), row)
                problems += [f"{where}: {line}" for line in counters.diff_totals(normalised, live)]
    return problems


async def check_totals_cli(period: str | None) -> int:
    """``inspect-app totals check``: print the differences; 0 when none, 1 otherwise."""
    from inspect_app.db import close_pool, start_pool

    await start_pool()
    try:
        if period:
            try:
                parse_period(period)
            except InvalidPeriod as exc:
                print(str(exc), file=sys.stderr)
                return 2
        problems = await check_totals(period)
    finally:
        await close_pool()
    for line in problems:
        print(line)
    if problems:
        print(f"{len(problems)} differences between the totals table and the records.")
        return 1
    print("The totals table matches the records.")
    return 0


async def rebuild_totals_cli() -> int:
    """``inspect-app totals rebuild``: rebuild the table now; 0 on success."""
    from inspect_app.db import close_pool, start_pool

    await start_pool()
    try:
        count = await rebuild_totals(None)
    finally:
        await close_pool()
    print(f"Totals rebuilt for {count} periods.")
    return 0
