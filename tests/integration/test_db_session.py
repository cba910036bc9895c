"""The settings every PostgreSQL connection of the app runs with."""

from __future__ import annotations

from inspect_app.db import POSTGRES_SESSION_SETTINGS
from models.tables import Inspection


async def test_app_connections_run_without_jit(db: str) -> None:
    # JIT compiled the report aggregates for 1-1.5 s each and saved nothing
    # (docs/performance.md); every pooled connection must have it off.
    assert POSTGRES_SESSION_SETTINGS["jit"] == "off"
    rows = await Inspection.raw("SELECT current_setting('jit') AS jit")
    assert rows == [{"jit": "off"}]
