"""The bare reference: one Litestar handler reading one inspection row with raw asyncpg.

No authentication, scope, middleware, templates or ORM: what serving an inspection as JSON
costs on this machine with the same framework and driver. The benchmark reports each API
figure of the application as a ratio to this one.

Run: ``DATABASE_URL=... uvicorn --factory bench.bare_app:create_app``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from litestar import Litestar, get
from litestar.exceptions import NotFoundException

from inspect_app.db import POSTGRES_SESSION_SETTINGS

# The columns the application's inspection answer is built from.
COLUMNS = (
    "id, code, agency, plan, origin, origin_source, origin_ref, kind, title, scope, "
    "period_from, period_to, lead_user, decision_no, decision_date, duration_days, "
    "working_days, announced_on, onsite_ended_on, report_on, conclusion_no, concluded_on, "
    "published_on, directive_on, closed_on, cancelled_on, cancel_reason, status, onsite_due, "
    "report_due, conclusion_due, publication_due, directive_due, overlap_override_reason, "
    "overlap_override_by, version, created_at, updated_at"
)
QUERY = f"SELECT {COLUMNS} FROM inspection WHERE id = $1 AND deleted_at IS NULL"

_pool: dict[str, Any] = {}


@asynccontextmanager
async def pool(app: Litestar) -> AsyncIterator[None]:
    """An asyncpg pool the size of the application's (10)."""
    _pool["pool"] = await asyncpg.create_pool(
        os.environ["DATABASE_URL"],
        min_size=1,
        max_size=10,
        server_settings=POSTGRES_SESSION_SETTINGS,
    )
    try:
        yield
    finally:
        await _pool.pop("pool").close()


@get("/api/inspections/{inspection_id:int}")
async def inspection(inspection_id: int) -> dict[str, Any]:
    """One inspection row as JSON."""
    row = await _pool["pool"].fetchrow(QUERY, inspection_id)
    if row is None:
        raise NotFoundException()
    return dict(row)


def create_app() -> Litestar:
    """The bare application."""
    return Litestar(route_handlers=[inspection], lifespan=[pool])
