"""Liveness of the database, Redis and the background worker."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from inspect_app.settings import Settings
from models.tables import JobState

HEARTBEAT_NAME = "worker"
# The worker beats every 30 s; three missed beats mean it is gone.
HEARTBEAT_STALE_AFTER = timedelta(seconds=90)


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


async def check_worker(settings: Settings) -> str:
    """'ok' when a worker (or the in-process scheduler) has beaten recently."""
    try:
        row = (
            await JobState.select(JobState.last_finished_at)
            .where(JobState.name == HEARTBEAT_NAME)
            .first()
        )
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    if row is None or row["last_finished_at"] is None:
        return "no heartbeat yet"
    age = datetime.now(UTC) - row["last_finished_at"]
    if age > HEARTBEAT_STALE_AFTER:
        return f"stale: last heartbeat {int(age.total_seconds())} s ago"
    return "ok"


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
