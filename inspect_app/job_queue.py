"""Putting background jobs on the arq queue from the web app, without depending on Redis.

The database is the source of truth: whoever enqueues has already written what the job
needs (a totals marker, a queued report row), so a failed enqueue loses nothing, the
periodic scans find the work. Every helper here therefore answers True or False and never
raises: when Redis is down the request that asked goes on, after a short timeout, and for
the next few seconds no request waits on Redis again.

Without REDIS_URL the jobs run in the web process (:mod:`jobs.inprocess`) and the helpers
wake that scheduler instead, through the waker it registers here when it starts
(:func:`set_local_waker`): the services that enqueue do not import the jobs, which call them.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from arq.connections import ArqRedis, RedisSettings, create_pool

from inspect_app.settings import get_settings

log = logging.getLogger(__name__)

# A request never waits longer than this on Redis.
ENQUEUE_TIMEOUT_S = 1.5
# After a failure, skip Redis for this long so that a Redis outage does not slow every write.
BACKOFF_S = 10.0
# A refresh waits this long before running: the change that asked for it is committed by
# then, and the changes of the same few seconds collapse into one job.
TOTALS_REFRESH_DELAY_S = 2.0

_pools: dict[str, ArqRedis] = {}
_opening: dict[str, asyncio.Lock] = {}
_down_until: dict[str, float] = {}
# Wakes the in-process scheduler of this process, when one runs (no REDIS_URL).
_local_waker: Callable[[], None] | None = None


def set_local_waker(waker: Callable[[], None] | None) -> None:
    """Register (or, with None, remove) the in-process scheduler that runs the jobs here."""
    global _local_waker
    _local_waker = waker


def _wake_local() -> bool:
    """Wake this process's scheduler; False when none runs here (the scans catch up)."""
    if _local_waker is None:
        return False
    _local_waker()
    return True


def redis_settings(url: str) -> RedisSettings:
    """arq connection settings for ``url`` with short timeouts and no connect retries."""
    settings = RedisSettings.from_dsn(url)
    settings.conn_timeout = 1
    settings.conn_retries = 0
    return settings


async def redis_pool(url: str) -> ArqRedis:
    """This process's connection pool to the Redis at ``url`` (arq's), opened on first use
    (once, however many requests ask at the same moment)."""
    pool = _pools.get(url)
    if pool is not None:
        return pool
    lock = _opening.setdefault(url, asyncio.Lock())
    async with lock:
        pool = _pools.get(url)
        if pool is None:
            pool = await asyncio.wait_for(create_pool(redis_settings(url)), ENQUEUE_TIMEOUT_S)
            _pools[url] = pool
    return pool


async def enqueue(function: str, *args: Any, job_id: str | None = None, **options: Any) -> bool:
    """Queue ``function(*args)`` on arq; False (logged) when Redis is absent or down."""
    url = get_settings().redis_url
    if not url:
        return False
    if _down_until.get(url, 0.0) > time.monotonic():
        return False
    try:
        pool = await redis_pool(url)
        await asyncio.wait_for(
            pool.enqueue_job(function, *args, _job_id=job_id, **options), ENQUEUE_TIMEOUT_S
        )
    except (OSError, TimeoutError) as exc:
        _down_until[url] = time.monotonic() + BACKOFF_S
        log.warning(
            "Redis unavailable, %s not queued (the periodic scan catches up): %r", function, exc
        )
        return False
    except Exception as exc:  # redis-py raises its own ConnectionError/TimeoutError types
        _down_until[url] = time.monotonic() + BACKOFF_S
        log.warning("Could not queue %s (the periodic scan catches up): %r", function, exc)
        return False
    # None from enqueue_job means the same job id is already queued: the work is covered.
    return True


async def enqueue_totals_refresh() -> bool:
    """Ask for a refresh of the marked totals (one queued job at a time for all periods)."""
    url = get_settings().redis_url
    if not url:
        return _wake_local()
    return await enqueue(
        "refresh_totals", job_id="refresh_totals", _defer_by=TOTALS_REFRESH_DELAY_S
    )


async def enqueue_report(report_id: int) -> bool:
    """Ask for report ``report_id`` to be generated (runs once even if asked twice)."""
    url = get_settings().redis_url
    if not url:
        return _wake_local()
    return await enqueue("generate_report_job", report_id, job_id=f"report:{report_id}")


async def enqueue_email_delivery() -> bool:
    """Ask for the pending notices to be e-mailed now (one queued job at a time).

    Without Redis, or when it is down, the next deadline watch sends them.
    """
    return await enqueue("deliver_emails", job_id="deliver_emails")


async def close_pools() -> None:
    """Close the Redis connections opened by this process (app shutdown, tests)."""
    _opening.clear()  # their locks belong to the event loop that is ending
    for url, pool in list(_pools.items()):
        del _pools[url]
        try:
            await pool.aclose()
        except Exception as exc:  # closing a pool to a dead server must not fail shutdown
            log.debug("closing the Redis pool for %s: %r", url, exc)
    _down_until.clear()


async def enqueue_import(run_id: int) -> bool:
    """Ask for import run ``run_id`` to be checked or committed (once even if asked twice)."""
    url = get_settings().redis_url
    if not url:
        return _wake_local()
    return await enqueue("import_job", run_id, job_id=f"import:{run_id}:{uuid.uuid4().hex[:8]}")
