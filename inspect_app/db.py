"""Database engine construction and transaction helpers shared by web, worker and CLI."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString

from inspect_app import data_version
from inspect_app.settings import Settings, get_settings

T = TypeVar("T")
log = logging.getLogger(__name__)

# SQLite allows one writer; waiting beats failing with "database is locked".
SQLITE_BUSY_TIMEOUT_S = 30
# Every PostgreSQL connection of the app. JIT compilation pays off only for long analytical
# queries; here the report aggregates are estimated as costly enough to trigger it and spent
# 1-1.5 s per statement compiling (measured on the national data set, docs/performance.md)
# to save nothing, and the short page queries gain nothing from it either.
POSTGRES_SESSION_SETTINGS = {"jit": "off"}


class StatementTally:
    """How many statements the code inside :func:`counting_statements` sent to the database."""

    __slots__ = ("count", "parent", "texts")

    def __init__(self, parent: StatementTally | None, *, keep_texts: bool) -> None:
        self.count = 0
        self.parent = parent
        # The statements themselves, when a test or a profiling run asks for them.
        self.texts: list[str] | None = [] if keep_texts else None


_tally: ContextVar[StatementTally | None] = ContextVar("statement_tally", default=None)


@contextmanager
def counting_statements(*, keep_texts: bool = False) -> Iterator[StatementTally]:
    """Count the statements sent by the code inside (a request, a job, a test).

    Every query and DDL statement that goes through the engine counts; BEGIN and COMMIT do
    not (they are the transaction's, not the page's), nor do the bulk loaders' raw COPY
    connections. Tallies nest: a test counting around a request sees the request's
    statements too, and the request log writes its own on each request's line.
    """
    outer = _tally.get()
    keep = keep_texts or (outer is not None and outer.texts is not None)
    tally = StatementTally(outer, keep_texts=keep)
    token = _tally.set(tally)
    try:
        yield tally
    finally:
        _tally.reset(token)


def _count_one(statement: object) -> None:
    tally = _tally.get()
    while tally is not None:
        tally.count += 1
        if tally.texts is not None:
            tally.texts.append(str(statement))
        tally = tally.parent


class CountingPostgresEngine(PostgresEngine):
    """PostgreSQL, with each statement counted for the request log."""

    async def run_querystring(self, querystring: QueryString, in_pool: bool = True) -> Any:
        _count_one(querystring)
        return await super().run_querystring(querystring, in_pool=in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = True) -> Any:
        _count_one(ddl)
        return await super().run_ddl(ddl, in_pool=in_pool)


class CountingSQLiteEngine(SQLiteEngine):
    """SQLite, with each statement counted for the request log."""

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False) -> Any:
        _count_one(querystring)
        return await super().run_querystring(querystring, in_pool=in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = False) -> Any:
        _count_one(ddl)
        return await super().run_ddl(ddl, in_pool=in_pool)


def build_engine(settings: Settings | None = None) -> Engine[Any]:
    """Create the Piccolo engine for DATABASE_URL (PostgreSQL or SQLite)."""
    settings = settings or get_settings()
    if settings.is_sqlite:
        path = Path(settings.sqlite_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return CountingSQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_S)
    return CountingPostgresEngine(
        config={"dsn": settings.database_url, "server_settings": POSTGRES_SESSION_SETTINGS},
        extensions=(),
    )


def engine() -> Engine[Any]:
    """The engine the tables are bound to (Piccolo's engine_finder)."""
    from piccolo.engine import engine_finder

    found = engine_finder()
    if found is None:  # pragma: no cover - piccolo_conf always defines DB
        raise RuntimeError("piccolo_conf.DB is not configured")
    return found


def is_postgres() -> bool:
    """True when the configured engine is PostgreSQL."""
    return engine().engine_type in ("postgres", "cockroach")


@asynccontextmanager
async def write_transaction(*, changes_data: bool = True) -> AsyncIterator[None]:
    """A transaction for read-modify-write work.

    On SQLite it takes the write lock at BEGIN (IMMEDIATE) so two requests cannot both read
    and then fail to upgrade their lock; on PostgreSQL it is an ordinary transaction and the
    services lock rows explicitly where they must. Opened inside another transaction it
    joins it. Once the outermost one has committed, the data version moves on
    (:mod:`inspect_app.data_version`), so that pages kept for many readers are made again;
    ``changes_data=False`` for writes that no page or principal shows (a sign-in attempt,
    an audit row of its own), which must not make everyone's pages again.
    """
    eng = engine()
    outermost = eng.current_transaction.get() is None
    if isinstance(eng, SQLiteEngine):
        transaction: Any = eng.transaction(transaction_type=TransactionType.immediate)
    else:
        transaction = eng.transaction()
    async with transaction:
        yield
    if outermost and changes_data:
        await data_version.bump()


async def on_own_connection(work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` outside the caller's transaction, on a connection of its own.

    ``work`` runs in a task whose copy of the context has no current transaction, so its
    statements go to the pool (PostgreSQL) and read what is committed. A transaction that
    waits for such work must hold no table lock meanwhile: a statement queued for an
    exclusive lock (a migration, a TRUNCATE) would wait for the transaction, and the work for
    that statement.
    """

    async def alone() -> T:
        engine().current_transaction.set(None)
        return await work()

    return await asyncio.create_task(alone())


async def stopped(done: asyncio.Event, seconds: float) -> bool:
    """Wait ``seconds``, or less if ``done`` is set; whether it is (time to stop).

    A task that writes now and then beside a longer piece of work (a lease renewal, the
    progress of an import) is stopped this way, not cancelled: a statement cancelled
    half-way on a connection of its own (no pool running) leaves that connection open.
    """
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), seconds)
    return done.is_set()


async def refresh_statistics(tables: Iterable[str], *, vacuum: bool = True) -> None:
    """After a bulk write has committed (an import, its undoing): fresh planner statistics
    for ``tables``, so that the next queries are not planned for the tables as they were.

    Call it after the commit (``UnitOfWork.after_commit``), never inside a transaction.
    On PostgreSQL ``VACUUM (ANALYZE, SKIP_LOCKED)`` on a connection of its own (VACUUM runs
    in no transaction), which also marks the written pages all-visible for index-only
    scans, as the national seed does after its load (docs/performance.md); with ``vacuum``
    false ``ANALYZE (SKIP_LOCKED)`` alone (after deletions, whose cleaning is autovacuum's:
    a VACUUM reads every index of the table). A table locked by someone else (a VACUUM
    already running, an index being built) is skipped rather than waited for. On SQLite
    ``ANALYZE``. A command that fails is logged and the others go on; the write it follows
    stays committed either way.
    """
    if is_postgres():
        command = "VACUUM (ANALYZE, SKIP_LOCKED)" if vacuum else "ANALYZE (SKIP_LOCKED)"
    else:
        command = "ANALYZE"

    async def each() -> None:
        for table in tables:
            try:
                await engine().run_ddl(f'{command} "{table}"', in_pool=True)
            except Exception:
                log.warning("%s of %s failed", command, table, exc_info=True)

    await on_own_connection(each)


async def start_pool() -> None:
    """Open the PostgreSQL connection pool (no-op on SQLite)."""
    eng = engine()
    if isinstance(eng, PostgresEngine):
        await eng.start_connection_pool(min_size=1, max_size=10)


async def close_pool() -> None:
    """Close the PostgreSQL connection pool (no-op on SQLite, or when none is open).

    The engine lets go of the pool first: a close that fails or is cancelled half-way
    (terminating the pool then) never leaves a dead pool behind for the next start.
    """
    eng = engine()
    if isinstance(eng, PostgresEngine) and eng.pool is not None:
        pool, eng.pool = eng.pool, None
        try:
            await pool.close()
        except BaseException:
            pool.terminate()
            raise
