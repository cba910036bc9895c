"""The in-process schedule: the same jobs as the worker, inside the web app, without Redis.

When REDIS_URL is not set (the embedded default), the app's lifespan starts one
:class:`InProcessScheduler` per web process. Only one process at a time runs jobs: they
compete for a lease row in JobState (``scheduler:lease``) that the holder renews every tick
and that another process may take once it has expired. The schedule is kept in the
database too (``scheduler:last:<job>`` rows), so a restart or a change of lease holder
neither repeats nor skips a run. The holder writes the heartbeat that /health reports.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from inspect_app.job_queue import set_local_waker
from inspect_app.settings import get_settings
from jobs.schedule import NIGHTLY_MINUTE, digest_hour, rebuild_hour, watch_every_minutes
from models.tables import JobState

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler:lease"
LAST_RUN_PREFIX = "scheduler:last:"
TICK_S = 30.0
LEASE_TTL = timedelta(minutes=5)

_current: InProcessScheduler | None = None


async def acquire_lease(owner: str, now: datetime | None = None) -> bool:
    """Take or renew the scheduler lease for ``owner``; False while another holds it."""
    now = now or datetime.now(UTC)
    await JobState.insert(
        JobState(
            name=LEASE_NAME,
            last_started_at=now,
            last_finished_at=now + LEASE_TTL,
            last_status="lease",
            detail=owner,
        )
    ).on_conflict(action="DO NOTHING")
    taken = (
        await JobState.update({JobState.detail: owner, JobState.last_finished_at: now + LEASE_TTL})
        .where(
            (JobState.name == LEASE_NAME)
            & ((JobState.detail == owner) | (JobState.last_finished_at < now))
        )
        .returning(JobState.id)
    )
    return bool(taken)


async def release_lease(owner: str) -> None:
    """Give the lease up at shutdown so another process takes over at once."""
    await JobState.update({JobState.last_finished_at: datetime.now(UTC) - LEASE_TTL}).where(
        (JobState.name == LEASE_NAME) & (JobState.detail == owner)
    )


async def last_run(job: str) -> datetime | None:
    """When ``job`` last started on the in-process schedule."""
    row = (
        await JobState.select(JobState.last_started_at)
        .where(JobState.name == LAST_RUN_PREFIX + job)
        .first()
    )
    value = None if row is None else row["last_started_at"]
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


async def _record_run(job: str, started: datetime, status: str, detail: str) -> None:
    name = LAST_RUN_PREFIX + job
    values: dict[Any, Any] = {
        JobState.last_started_at: started,
        JobState.last_finished_at: datetime.now(UTC),
        JobState.last_status: status,
        JobState.detail: detail[:2000],
    }
    updated = await JobState.update(values).where(JobState.name == name).returning(JobState.id)
    if not updated:
        await JobState.insert(
            JobState(
                name=name,
                last_started_at=started,
                last_finished_at=datetime.now(UTC),
                last_status=status,
                detail=detail[:2000],
            )
        ).on_conflict(action="DO NOTHING")


def watch_interval() -> timedelta:
    """How often the deadline watch runs (DEADLINE_WATCH_MINUTES, 15 by default)."""
    return timedelta(minutes=watch_every_minutes())


def daily_due(last: datetime | None, now: datetime, tz: ZoneInfo, hour: int, minute: int) -> bool:
    """True when a daily job has not run since its last slot (``hour``:``minute`` local)."""
    local = now.astimezone(tz)
    slot = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if local < slot:
        slot -= timedelta(days=1)
    return last is None or last.astimezone(tz) < slot


def nightly_due(last: datetime | None, now: datetime, tz: ZoneInfo) -> bool:
    """True when the nightly rebuild has not run since its last slot (TOTALS_REBUILD_HOUR:30)."""
    return daily_due(last, now, tz, rebuild_hour(), NIGHTLY_MINUTE)


def digest_due(last: datetime | None, now: datetime, tz: ZoneInfo) -> bool:
    """True when the daily digest has not run since its last slot (DIGEST_HOUR:00)."""
    return daily_due(last, now, tz, digest_hour(), 0)


class InProcessScheduler:
    """Runs the background jobs on a timer inside one web process (lease permitting)."""

    def __init__(self, tick_s: float = TICK_S) -> None:
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.tick_s = tick_s
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Run a tick now (new totals markers or a queued report)."""
        self._wake.set()

    async def start(self) -> None:
        """Start ticking in the background (a bad schedule variable stops start-up here)."""
        watch_interval()
        rebuild_hour()
        self._task = asyncio.create_task(self._loop(), name="in-process scheduler")

    async def stop(self) -> None:
        """Stop ticking and hand the lease over."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(Exception):
            await release_lease(self.owner)

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # a failed tick must not stop the schedule
                log.exception("in-process scheduler tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.tick_s)
            self._wake.clear()

    async def _run(self, job: str, body: Callable[[], Awaitable[Any]], started: datetime) -> None:
        # Renew before each job so a long one does not let the lease lapse mid-way.
        if not await acquire_lease(self.owner):
            return
        try:
            result = await body()
        except Exception as exc:
            log.exception("in-process job %s failed", job)
            await _record_run(job, started, "failed", repr(exc))
            return
        await _record_run(job, started, "ok", str(result))

    async def tick(self, now: datetime | None = None) -> bool:
        """One pass: beat, then run whatever is due if this process holds the lease."""
        from inspect_app.services.health import beat
        from inspect_app.services.imports import pending_run_ids
        from jobs.deadlines import send_daily_digests, watch_deadlines
        from jobs.reports import generate_report_job, import_job, pending_report_ids
        from jobs.totals import rebuild_totals, refresh_dirty_totals

        now = now or datetime.now(UTC)
        if not await acquire_lease(self.owner, now):
            return False
        await beat(f"in-process scheduler {self.owner}")
        last_watch = await last_run("watch_deadlines")
        if last_watch is None or now - last_watch >= watch_interval():
            await self._run("watch_deadlines", lambda: watch_deadlines(None), now)
        await self._run("refresh_dirty_totals", lambda: refresh_dirty_totals(None), now)
        tz = ZoneInfo(get_settings().time_zone)
        if nightly_due(await last_run("rebuild_totals"), now, tz):
            await self._run("rebuild_totals", lambda: rebuild_totals(None), now)
        if digest_due(await last_run("send_daily_digests"), now, tz):
            await self._run("send_daily_digests", lambda: send_daily_digests(None), now)
        for report_id in await pending_report_ids():
            await self._run("generate_report", partial(generate_report_job, None, report_id), now)
        for run_id in await pending_run_ids():
            await self._run("import", partial(import_job, None, run_id), now)
        return True


def current() -> InProcessScheduler | None:
    """The scheduler of this process, if the app started one."""
    return _current


@contextlib.asynccontextmanager
async def running_scheduler(tick_s: float = TICK_S) -> Any:
    """Run an in-process scheduler for the duration of the block (the app's lifespan)."""
    global _current
    scheduler = InProcessScheduler(tick_s)
    _current = scheduler
    await scheduler.start()
    # What the services enqueue wakes this scheduler (inspect_app.job_queue).
    set_local_waker(scheduler.wake)
    try:
        yield scheduler
    finally:
        set_local_waker(None)
        await scheduler.stop()
        _current = None
