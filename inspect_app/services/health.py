"""Liveness of the database, Redis and the background worker."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from inspect_app.settings import Settings
from models.tables import JobState

HEARTBEAT_NAME = "worker"
# The arq worker beats every 10 s from its polling loop (so only while it reaches Redis);
# the in-process scheduler at every tick (30 s). A heartbeat older than this: gone.
HEARTBEAT_INTERVAL_S = 10
HEARTBEAT_STALE_AFTER = timedelta(seconds=45)
REDIS_LOST = "redis_lost"


async def check_database() -> str:
    """'ok' or why the database does not answer."""
    try:
        await asyncio.wait_for(JobState.raw("SELECT 1"), timeout=3)
    except Exception as exc:  # any driver error means "down" here
        return f"error: {type(exc).__name__}"
    return "ok"


async def check_redis(settings: Settings) -> str:
    """'ok', 'not configured', or why Redis does not answer."""
    if not settings.redis_url:
        return "not configured"
    from redis.asyncio import Redis

    client = Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
    try:
        await client.ping()
    except Exception as exc:  # connection refused, timeout, auth...
        return f"error: {type(exc).__name__}"
    finally:
        await client.aclose()
    return "ok"


async def check_worker(settings: Settings, redis_state: str | None = None) -> str:
    """'ok' when the worker (or the in-process scheduler) has beaten recently and can work.

    With Redis configured the worker takes its jobs from Redis: it is down while Redis is
    (``redis_state``, from :func:`check_redis`, when not 'ok'), while it reports having lost
    Redis, and when its heartbeat is older than HEARTBEAT_STALE_AFTER (a dead process).
    """
    if settings.redis_url and redis_state is not None and redis_state != "ok":
        return "down: Redis does not answer"
    try:
        row = (
            await JobState.select(JobState.last_finished_at, JobState.last_status)
            .where(JobState.name == HEARTBEAT_NAME)
            .first()
        )
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    if row is None or row["last_finished_at"] is None:
        return "down: no heartbeat yet"
    if row["last_status"] == REDIS_LOST:
        return "down: the worker cannot reach Redis"
    age = datetime.now(UTC) - row["last_finished_at"]
    if age > HEARTBEAT_STALE_AFTER:
        return f"down: last heartbeat {int(age.total_seconds())} s ago"
    return "ok"


async def record_redis_lost(detail: str = "") -> None:
    """The worker lost Redis: /health says the worker is down until its next heartbeat."""
    await JobState.update({JobState.last_status: REDIS_LOST, JobState.detail: detail}).where(
        JobState.name == HEARTBEAT_NAME
    )


async def beat(detail: str = "") -> None:
    """Record a heartbeat of the worker (or of the in-process scheduler)."""
    now = datetime.now(UTC)
    updated = (
        await JobState.update(
            {JobState.last_finished_at: now, JobState.last_status: "ok", JobState.detail: detail}
        )
        .where(JobState.name == HEARTBEAT_NAME)
        .returning(JobState.id)
    )
    if not updated:
        await JobState.insert(
            JobState(
                name=HEARTBEAT_NAME,
                last_started_at=now,
                last_finished_at=now,
                last_status="ok",
                detail=detail,
            )
        )
