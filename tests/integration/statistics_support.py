"""How often each table was analysed: the check that a bulk write (the seed, an import)
ends with fresh planner statistics (``db.refresh_statistics``)."""

from __future__ import annotations

from collections.abc import Iterable

from inspect_app.db import is_postgres
from models.tables import Inspection


async def statistics_runs(tables: Iterable[str]) -> dict[str, int]:
    """Per table: on PostgreSQL how often it was vacuumed or analysed (``VACUUM (ANALYZE)``
    counts one of each); on SQLite 1 when ANALYZE left statistics for it, else 0."""
    if is_postgres():
        await Inspection.raw("SELECT pg_stat_clear_snapshot()")
        rows = await Inspection.raw(
            "SELECT relname, vacuum_count + analyze_count AS runs FROM pg_stat_user_tables"
        )
        runs = {str(row["relname"]): int(row["runs"]) for row in rows}
    elif await Inspection.raw("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'"):
        rows = await Inspection.raw("SELECT DISTINCT tbl FROM sqlite_stat1")
        runs = {str(row["tbl"]): 1 for row in rows}
    else:  # no ANALYZE ever
        runs = {}
    return {table: runs.get(table, 0) for table in tables}


async def forget_sqlite_statistics() -> None:
    """SQLite keeps what an earlier test's ANALYZE left (a test database is emptied, not
    made again): start from none."""
    if not is_postgres() and await Inspection.raw(
        "SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'"
    ):
        await Inspection.raw("DELETE FROM sqlite_stat1")
