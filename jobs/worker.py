"""The arq worker: ``inspect-app worker`` (or ``arq jobs.worker.WorkerSettings``).

Schedule (local time, TIME_ZONE):

- ``watch_deadlines`` every DEADLINE_WATCH_MINUTES minutes (15 by default);
- ``refresh_dirty_totals`` every minute: the catch-up scan of totals markers;
- ``requeue_pending_reports`` every 5 minutes: reports queued while Redis was down;
- ``rebuild_totals`` every night at TOTALS_REBUILD_HOUR:30 (1:30 by default).

Queued on demand: ``refresh_totals`` (after a change; one job id, every marked period) and
``generate_report_job`` (one job id per report). Every job is idempotent, so arq's
"at least once" (a retry after a crash, a cron tick seen by two workers) is harmless. The
worker writes a heartbeat every 30 s into the database, which /health reports.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from typing import Any
from zoneinfo import ZoneInfo

from arq import cron
from arq.connections import RedisSettings
from arq.worker import create_worker, func

from inspect_app.settings import get_settings
from jobs.deadlines import watch_deadlines
from jobs.reports import generate_report_job, requeue_pending_reports
from jobs.schedule import NIGHTLY_MINUTE, job_timeout_s, rebuild_hour, watch_every_minutes
from jobs.totals import rebuild_totals, refresh_dirty_totals

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_S = 30
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def watch_minutes() -> set[int]:
    """Minutes of the hour at which the deadline watch runs (DEADLINE_WATCH_MINUTES apart)."""
    every = watch_every_minutes()
    return set(range(0, 60, every))


async def _heartbeat_forever() -> None:
    from inspect_app.services.health import beat

    detail = f"arq worker pid {os.getpid()} on {socket.gethostname()}"
    while True:
        try:
            await beat(detail)
        except Exception as exc:  # the database may be away for a moment; keep beating
            log.warning("heartbeat failed: %r", exc)
        await asyncio.sleep(HEARTBEAT_INTERVAL_S)


def _pool_is_open() -> bool:
    from inspect_app.db import engine

    return getattr(engine(), "pool", None) is not None


async def startup(ctx: dict[str, Any]) -> None:
    """Open the database pool (unless the host process has one) and start the heartbeat."""
    from inspect_app.db import start_pool

    if not _pool_is_open():
        await start_pool()
        ctx["owns_pool"] = True
    ctx["heartbeat"] = asyncio.create_task(_heartbeat_forever())


async def shutdown(ctx: dict[str, Any]) -> None:
    """Stop the heartbeat and close the database pool."""
    from inspect_app.db import close_pool

    task = ctx.pop("heartbeat", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    if ctx.pop("owns_pool", False):
        await close_pool()


def redis_settings(url: str | None = None) -> RedisSettings:
    """arq connection settings from REDIS_URL."""
    return RedisSettings.from_dsn(url or os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL)


class WorkerSettings:
    """arq settings of the background worker."""

    functions = [
        func(watch_deadlines, max_tries=5),
        # keep_result=0: the job id is free again as soon as the refresh finished.
        func(refresh_dirty_totals, name="refresh_totals", keep_result=0, max_tries=10),
        func(generate_report_job, keep_result=0, max_tries=3),
        # Also queueable by hand (and by tests) besides their cron schedule.
        func(refresh_dirty_totals, keep_result=0),
        func(rebuild_totals, keep_result=0),
        func(requeue_pending_reports, keep_result=0),
    ]
    cron_jobs = [
        cron(watch_deadlines, minute=watch_minutes(), second=0, max_tries=5),
        cron(refresh_dirty_totals, second=30, max_tries=3),
        cron(requeue_pending_reports, minute=set(range(2, 60, 5)), second=10),
        cron(
            rebuild_totals,
            hour={rebuild_hour()},
            minute={NIGHTLY_MINUTE},
            second=0,
            max_tries=3,
        ),
    ]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = redis_settings()
    timezone = ZoneInfo(os.environ.get("TIME_ZONE", "Asia/Ho_Chi_Minh"))
    job_timeout = job_timeout_s()
    keep_result = 60
    max_tries = 5
    health_check_interval = HEARTBEAT_INTERVAL_S


def run_worker(burst: bool = False) -> int:
    """Run the worker until stopped (or, with ``burst``, until the queue is empty)."""
    settings = get_settings()
    if not settings.redis_url:
        print(
            "REDIS_URL is not set: without Redis the jobs run inside the web app "
            "(see docs/jobs.md), no worker is needed."
        )
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    asyncio.set_event_loop(asyncio.new_event_loop())
    worker = create_worker(
        WorkerSettings,  # type: ignore[arg-type]  # arq reads the class's attributes
        burst=burst,
        redis_settings=redis_settings(settings.redis_url),
    )
    worker.run()
    return 1 if burst and worker.jobs_failed else 0
