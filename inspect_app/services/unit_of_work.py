"""One unit of work per write: the transaction, the totals marker inside it, jobs after it.

Every write of a case record runs as::

    async with unit_of_work() as work:
        ...  # lock, check, write, audit.record(...)
        await work.totals_changed(agency_id, dates)

The change, its audit row and the totals marker commit together or not at all (on SQLite
in one IMMEDIATE transaction, see :func:`inspect_app.db.write_transaction`). Only after the
commit is the refresh job queued: a job must never see data that is not committed, and a
job lost at that moment is harmless, because the marker is already stored.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import date

from inspect_app.db import write_transaction
from inspect_app.services.changes import mark_change, request_refresh


class UnitOfWork:
    """What a write does beside its own rows: totals markers now, jobs after the commit."""

    def __init__(self) -> None:
        self.refresh_totals = False
        self.after_commit: list[Callable[[], Awaitable[object]]] = []

    async def totals_changed(self, agency_id: int | None, dates: Iterable[date | None]) -> None:
        """Mark the periods the change touches (in this transaction) for the records of
        ``agency_id`` (None: of any agency); refresh after it."""
        await mark_change(agency_id, dates)
        self.refresh_totals = True


_current: ContextVar[UnitOfWork | None] = ContextVar("unit_of_work", default=None)


@asynccontextmanager
async def unit_of_work() -> AsyncIterator[UnitOfWork]:
    """A write transaction whose follow-up jobs are queued once it has committed.

    A unit of work opened inside another one (a service that writes, called by a service
    that writes more, as a tip accepted opens a case) joins it: one transaction, and the
    jobs of both queued once, after the outer one commits.
    """
    outer = _current.get()
    if outer is not None:
        yield outer
        return
    work = UnitOfWork()
    token = _current.set(work)
    try:
        async with write_transaction():
            yield work
    finally:
        _current.reset(token)
    if work.refresh_totals:
        await request_refresh()
    for job in work.after_commit:
        await job()
