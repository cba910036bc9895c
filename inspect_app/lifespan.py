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
    """Open the PostgreSQL pool for the life of the app."""
    await start_pool()
    try:
        yield
    finally:
        await close_pool()
