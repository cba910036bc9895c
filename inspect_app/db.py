"""Database engine construction and transaction helpers shared by web, worker and CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from inspect_app.settings import Settings, get_settings

# SQLite allows one writer; waiting beats failing with "database is locked".
SQLITE_BUSY_TIMEOUT_S = 30
# Every PostgreSQL connection of the app. JIT compilation pays off only for long analytical
# queries; here the report aggregates are estimated as costly enough to trigger it and spent
# 1-1.5 s per statement compiling (measured on the national data set, docs/performance.md)
# to save nothing, and the short page queries gain nothing from it either.
POSTGRES_SESSION_SETTINGS = {"jit": "off"}


def build_engine(settings: Settings | None = None) -> Engine:
    """Create the Piccolo engine for DATABASE_URL (PostgreSQL or SQLite)."""
    settings = settings or get_settings()
    if settings.is_sqlite:
        path = Path(settings.sqlite_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_S)
    return PostgresEngine(
        config={"dsn": settings.database_url, "server_settings": POSTGRES_SESSION_SETTINGS},
        extensions=(),
    )


def engine() -> Engine:
    """The engine the tables are bound to (Piccolo's engine_finder)."""
    from piccolo.engine import engine_finder

    found = engine_finder()
    if found is None:  # pragma: no cover - piccolo_conf always defines DB
        raise RuntimeError("piccolo_conf.DB is not configured")
    return found


def is_postgres() -> bool:
    """True when the configured engine is PostgreSQL."""
    return engine().engine_type in ("postgres", "cockroach")


def write_transaction() -> Any:
    """A transaction for read-modify-write work.

    On SQLite it takes the write lock at BEGIN (IMMEDIATE) so two requests cannot both read
    and then fail to upgrade their lock; on PostgreSQL it is an ordinary transaction and the
    services lock rows explicitly where they must.
    """
    eng = engine()
    if isinstance(eng, SQLiteEngine):
        return eng.transaction(transaction_type=TransactionType.immediate)
    return eng.transaction()


async def start_pool() -> None:
    """Open the PostgreSQL connection pool (no-op on SQLite)."""
    eng = engine()
    if isinstance(eng, PostgresEngine):
        await eng.start_connection_pool(min_size=1, max_size=10)


async def close_pool() -> None:
    """Close the PostgreSQL connection pool (no-op on SQLite)."""
    eng = engine()
    if isinstance(eng, PostgresEngine):
        await eng.close_connection_pool()
