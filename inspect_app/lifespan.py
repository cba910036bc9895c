"""Start-up and shutdown of shared resources: the database pool and background work."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar

from inspect_app.db import close_pool, start_pool

log = logging.getLogger(__name__)


@asynccontextmanager
async def database_pool(app: Litestar) -> AsyncIterator[None]:
    """Open the PostgreSQL pool for the life of the app (and stop the PDF child with it)."""
    from inspect_app.services import pdf_worker

    await start_pool()
    try:
        yield
    finally:
        try:
            await pdf_worker.close()
        finally:
            await close_pool()


@asynccontextmanager
async def background_jobs(app: Litestar) -> AsyncIterator[None]:
    """Without REDIS_URL, run the background jobs on the in-process schedule (jobs.inprocess).

    With it, watch the data version's moves for the life of the app (data_version.Watch).
    """
    from inspect_app import data_version
    from inspect_app.job_queue import close_pools
    from inspect_app.settings import get_settings
    from jobs.inprocess import running_scheduler

    if get_settings().redis_url:
        data_version.start_watch()
        try:
            yield
        finally:
            try:
                await data_version.stop_watch()
            finally:
                await close_pools()
        return
    async with running_scheduler():
        yield
