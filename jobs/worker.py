"""The arq worker: ``inspect-app worker`` (or ``arq jobs.worker.WorkerSettings``).

Schedule (local time, TIME_ZONE):

- ``watch_deadlines`` every DEADLINE_WATCH_MINUTES minutes (15 by default);
- ``refresh_dirty_totals`` every minute: the catch-up scan of totals markers;
- ``requeue_pending_reports`` every 5 minutes: reports queued while Redis was down;
- ``requeue_pending_imports`` every 5 minutes: import runs waiting for their job;
- ``rebuild_totals`` every night at TOTALS_REBUILD_HOUR:30 (1:30 by default).

Queued on demand: ``refresh_totals`` (after a change; one job id, every marked period),
``generate_report_job`` (one job id per report) and ``import_job`` (a run's dry run or
commit). Every job is idempotent, so arq's
"at least once" (a retry after a crash, a cron tick seen by two workers) is harmless.

The worker is arq's with three changes (:class:`ResilientWorker`):

- it outlives Redis: when Redis stops answering it waits and reconnects, with a growing
  delay (1 s doubling to 30 s), instead of exiting;
- it leases its running jobs: arq marks a started job "in progress" for the job timeout
  (15 minutes) plus 10 s, so a job whose worker died waited that long before another worker
  took it. Here the mark lasts LEASE_S (30 s) and the live worker renews it every 10 s:
  a dead worker's job is taken up again within 30 s;
- it writes the heartbeat that /health reports from its polling loop, every 10 s, so that
  the heartbeat proves both that the process lives and that it reaches Redis; while Redis
  is away it records that instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from typing import Any
from zoneinfo import ZoneInfo

from arq import cron
from arq.connections import RedisSettings
from arq.constants import in_progress_key_prefix
from arq.worker import Worker, func, get_kwargs
from redis.exceptions import RedisError

from inspect_app.settings import get_settings
from jobs import job_log
from jobs.deadlines import deliver_emails, send_daily_digests, watch_deadlines
from jobs.reports import (
    generate_report_job,
    import_job,
    requeue_pending_imports,
    requeue_pending_reports,
)
from jobs.schedule import (
    NIGHTLY_MINUTE,
    digest_hour,
    job_timeout_s,
    rebuild_hour,
    watch_every_minutes,
)
from jobs.totals import rebuild_totals, refresh_dirty_totals

log = logging.getLogger(__name__)

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
# How long a started job stays marked "in progress" unless its worker renews the mark.
LEASE_S = 30
LEASE_RENEW_S = LEASE_S / 3
# Waits between attempts to reach Redis again: 1 s, doubling, at most 30 s.
RECONNECT_FIRST_S = 1.0
RECONNECT_MAX_S = 30.0
REDIS_FAILURES = (RedisError, OSError, TimeoutError)


def watch_minutes() -> set[int]:
    """Minutes of the hour at which the deadline watch runs (DEADLINE_WATCH_MINUTES apart)."""
    every = watch_every_minutes()
    return set(range(0, 60, every))


def _pool_is_open() -> bool:
    from inspect_app.db import engine

    return getattr(engine(), "pool", None) is not None


async def startup(ctx: dict[str, Any]) -> None:
    """Open the database pool (unless the host process has one); run once per process."""
    from inspect_app.db import start_pool

    if ctx.get("started"):
        return  # arq runs this again after each reconnection to Redis
    ctx["started"] = True
    job_log.configure()
    if not _pool_is_open():
        await start_pool()
        ctx["owns_pool"] = True


async def shutdown(ctx: dict[str, Any]) -> None:
    """Stop the warm PDF child; close the database pool (if this worker opened it)."""
    from inspect_app.db import close_pool
    from inspect_app.services import pdf_worker

    await pdf_worker.close()
    if ctx.pop("owns_pool", False):
        await close_pool()


class ResilientWorker(Worker):
    """arq's Worker that reconnects to Redis, leases its jobs and beats (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.in_progress_timeout_s = LEASE_S
        self.reconnect_delay_s = RECONNECT_FIRST_S
        self._leases_renewed_at = 0.0
        self._beat_at = 0.0
        self._beat_detail = f"arq worker pid {os.getpid()} on {socket.gethostname()}"

    async def main(self) -> None:
        """arq's main loop, entered again after every Redis failure (after a growing wait)."""
        while True:
            try:
                await super().main()
                return
            except REDIS_FAILURES as exc:
                await self._wait_for_redis(exc)

    async def _poll_iteration(self) -> None:
        await super()._poll_iteration()
        # Redis answered: the next outage starts from the shortest wait again.
        self.reconnect_delay_s = RECONNECT_FIRST_S
        await self._renew_leases()
        await self._heartbeat()

    async def _renew_leases(self) -> None:
        if time.monotonic() - self._leases_renewed_at < LEASE_RENEW_S:
            return
        self._leases_renewed_at = time.monotonic()
        running = [job_id for job_id, task in self.tasks.items() if not task.done()]
        if not running:
            return
        async with self.pool.pipeline(transaction=False) as pipe:
            for job_id in running:
                pipe.pexpire(in_progress_key_prefix + job_id, LEASE_S * 1000)
            await pipe.execute()

    async def _heartbeat(self) -> None:
        from inspect_app.services.health import HEARTBEAT_INTERVAL_S, beat

        if time.monotonic() - self._beat_at < HEARTBEAT_INTERVAL_S:
            return
        self._beat_at = time.monotonic()
        try:
            await beat(self._beat_detail)
        except Exception as exc:  # the database may be away for a moment; keep working
            log.warning("heartbeat failed: %r", exc)

    async def _wait_for_redis(self, exc: BaseException) -> None:
        from inspect_app.services.health import record_redis_lost

        delay = self.reconnect_delay_s
        log.warning("Redis unavailable (%r): reconnecting in %.0f s", exc, delay)
        try:
            await record_redis_lost(self._beat_detail)
        except Exception as db_exc:  # the heartbeat simply grows old then
            log.warning("could not record the Redis outage: %r", db_exc)
        self._beat_at = 0.0
        self._recount_jobs()
        await asyncio.sleep(delay)
        self.reconnect_delay_s = min(delay * 2, RECONNECT_MAX_S)

    def _recount_jobs(self) -> None:
        # arq counts a job as started before it talks to Redis; a failure in between
        # leaves a slot taken for good. Count again from the jobs that really run.
        running = sum(not task.done() for task in self.tasks.values())
        self.sem = asyncio.BoundedSemaphore(self.max_jobs + 1)
        for _ in range(running):
            self.sem._value -= 1  # acquire without awaiting: there is room by construction
        self.job_counter = running

    def _release_sem_dec_counter_on_complete(self) -> None:
        # After a recount, a job that had already finished may still release its slot.
        self.job_counter = max(0, self.job_counter - 1)
        with contextlib.suppress(ValueError):
            self.sem.release()


def redis_settings(url: str | None = None) -> RedisSettings:
    """arq connection settings from REDIS_URL."""
    return RedisSettings.from_dsn(url or os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL)


class WorkerSettings:
    """arq settings of the background worker."""

    functions = [
        func(watch_deadlines, max_tries=5),
        # keep_result=0: the job id is free again as soon as the refresh finished.
        func(refresh_dirty_totals, name="refresh_totals", keep_result=0, max_tries=10),
        # A retry while a live run still holds the report counts as a try: room for some.
        func(generate_report_job, keep_result=0, max_tries=8),
        # Also queueable by hand (and by tests) besides their cron schedule.
        func(refresh_dirty_totals, keep_result=0),
        func(rebuild_totals, keep_result=0),
        func(requeue_pending_reports, keep_result=0),
        func(import_job, keep_result=0, max_tries=3),
        func(requeue_pending_imports, keep_result=0),
        func(deliver_emails, keep_result=0, max_tries=3),
        func(send_daily_digests, keep_result=0, max_tries=3),
    ]
    cron_jobs = [
        cron(watch_deadlines, minute=watch_minutes(), second=0, max_tries=5),
        cron(refresh_dirty_totals, second=30, max_tries=3),
        cron(requeue_pending_reports, minute=set(range(2, 60, 5)), second=10),
        cron(requeue_pending_imports, minute=set(range(3, 60, 5)), second=10),
        cron(send_daily_digests, hour={digest_hour()}, minute={0}, second=20, max_tries=3),
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
    health_check_interval = 30


def build_worker(settings_class: Any = None, **overrides: Any) -> ResilientWorker:
    """A ResilientWorker from a settings class (WorkerSettings) with ``overrides``."""
    settings = get_kwargs(settings_class or WorkerSettings)  # type: ignore[arg-type]
    return ResilientWorker(**{**settings, **overrides})


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
    worker = build_worker(burst=burst, redis_settings=redis_settings(settings.redis_url))
    worker.run()
    return 1 if burst and worker.jobs_failed else 0
