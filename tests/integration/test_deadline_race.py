"""Two deadline watches racing on the same day, interleaved on purpose (PostgreSQL).

Run A writes its notices in a transaction that it keeps open; run B starts meanwhile, cannot
see A's notices yet, tries to write the same ones and waits on the unique index until A
commits. B must then skip every notice A wrote (``ON CONFLICT DO NOTHING``) rather than fail
on the unique key. Left to chance (tests/integration/test_deadline_watch.py runs three
watches at once in one worker) the runs overlap like this only some of the time; here they
always do, so removing the ``ON CONFLICT`` fails this test every time.

PostgreSQL only: SQLite has a single writer, so B waits for A before it reads anything and
never races it.
"""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta

import asyncpg

from inspect_app.db import engine
from jobs.deadlines import watch_deadlines
from models.tables import Notification
from tests.integration.jobs_support import DUE, build_jobs_world

WAIT_S = 30.0


async def _until_a_statement_waits_for_a_lock() -> None:
    """Return once a session of the test database is blocked on a lock (B on A's rows)."""
    conn = await asyncpg.connect(os.environ["DATABASE_URL"])
    try:
        deadline = asyncio.get_running_loop().time() + WAIT_S
        while asyncio.get_running_loop().time() < deadline:
            waiting = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if waiting:
                return
            await asyncio.sleep(0.05)
    finally:
        await conn.close()
    raise AssertionError(f"the second watch never waited for the first one in {WAIT_S:.0f} s")


async def test_a_watch_overtaken_mid_statement_skips_the_notices_the_other_wrote(
    db: str,
) -> None:
    await build_jobs_world()
    day = (DUE + timedelta(days=7)).isoformat()
    first_wrote = asyncio.Event()
    release = asyncio.Event()

    async def first_watch() -> dict[str, int]:
        async with engine().transaction():
            summary = await watch_deadlines(None, day)
            first_wrote.set()
            await release.wait()
        return summary

    first = asyncio.create_task(first_watch())
    second: asyncio.Task[dict[str, int]] | None = None
    try:
        await asyncio.wait_for(first_wrote.wait(), WAIT_S)
        second = asyncio.create_task(watch_deadlines(None, day))
        await _until_a_statement_waits_for_a_lock()
        release.set()
        first_summary = await first
        second_summary = await asyncio.wait_for(second, WAIT_S)
    finally:
        release.set()
        for task in (first, second):
            if task is not None and not task.done():
                task.cancel()
        await asyncio.gather(first, *([second] if second else []), return_exceptions=True)

    # Overdue notices for the 4 team recipients and escalations for the 2 deadlines, once.
    assert first_summary["created"] == 6
    assert second_summary["created"] == 0
    assert await Notification.count() == 6
