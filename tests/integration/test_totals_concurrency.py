"""The totals refresh under concurrency on PostgreSQL: the pool and cancelled statements.

On SQLite a refresh reads in turn inside its one write transaction and there is no pool;
these tests are about what PostgreSQL adds: reads on connections of their own, side by
side, while the refresh's transaction holds its advisory locks.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from inspect_app.db import close_pool, start_pool
from inspect_app.domain.periods import Period
from inspect_app.services import totals as counters
from inspect_app.services.catalogues import ensure_catalogues
from inspect_app.services.changes import mark_periods_dirty
from jobs.totals import dirty_periods, refresh_periods
from models.tables import AgencyTotals, Inspection
from tests.integration.jobs_support import make_agency


class InjectedFault(Exception):
    """The failure a test injects into one table's statement."""


async def _agencies() -> None:
    await ensure_catalogues()
    province = await make_agency("TTT", "Thanh tra tỉnh", None)
    await make_agency("SXD", "Sở Xây dựng", province)


async def test_a_burst_of_refreshes_in_one_process_does_not_hold_the_whole_pool(
    db: str,
) -> None:
    # A refresh holds a pooled connection for its transaction and reads on up to six more
    # (one per table and group of agencies). Twelve refreshes of one period waiting on its
    # advisory lock, each inside its own transaction, would hold all ten connections of the
    # pool: the one holding the lock could never read, and none would end. In one process
    # they take turns instead.
    await _agencies()
    await mark_periods_dirty(["2026-Q2"])
    await start_pool()
    try:
        done = await asyncio.wait_for(
            asyncio.gather(*(refresh_periods([Period(2026, "Q2")]) for _ in range(12))),
            timeout=30,
        )
    finally:
        await close_pool()
    assert done == [[]] * 12
    assert await dirty_periods() == []
    assert await AgencyTotals.count().where(AgencyTotals.period == "2026-Q2") == 4


async def _sleeping_statements() -> int:
    rows = await Inspection.raw(
        "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database()"
        " AND state = 'active' AND query LIKE 'SELECT pg_sleep(%'"
    )
    return int(rows[0]["n"])


async def test_a_table_that_fails_cancels_the_statements_of_the_others(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The tables' statements (one per table and group of agencies) run side by side on
    # connections of their own. When one fails, the others are cancelled on the server too:
    # nothing keeps running (and holding a connection) for a result nobody will read.
    await _agencies()
    first, *others = counters.TABLES

    async def one_fails(table: str, *_: object) -> object:
        if table == first:
            await asyncio.sleep(0.3)  # the others' statements are running by now
            raise InjectedFault(table)
        return await Inspection.raw("SELECT pg_sleep(30)")

    monkeypatch.setattr(counters, "_table_counters", one_fails)
    await start_pool()  # as in the worker and the web app
    try:
        started = time.monotonic()
        with pytest.raises(ExceptionGroup) as raised:
            await counters.counters_by_period([Period(2026, "Q1")])
        assert raised.group_contains(InjectedFault)
        assert time.monotonic() - started < 10
        # The server ends a cancelled statement as soon as it reads the cancel request.
        for _ in range(40):
            if await _sleeping_statements() == 0:
                break
            await asyncio.sleep(0.05)
        assert await _sleeping_statements() == 0
    finally:
        await close_pool()
    assert len(others) == 2
