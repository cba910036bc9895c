"""The totals table (AgencyTotals): refresh after changes, nightly rebuild, and the check.

The counters themselves come from :mod:`inspect_app.services.totals` (SQL GROUP BY over the
records); this module keeps the table in step with them. A refresh takes a set of periods
(the marked ones after changes, all of them at night), computes every agency's own counters
for all of them in one pass over the records, rolls them up the agency tree, and writes
both scopes ("self" and "subtree") of every agency, all in one transaction that also
removes each period's dirty marker (:mod:`inspect_app.services.changes`) if nobody
re-marked it meanwhile. So:

- a worker killed half-way leaves the previous rows and the marker: the job (or the next
  scan) runs again and writes the right figures;
- two refreshes of a period never interleave (an advisory lock per period on PostgreSQL,
  the single writer on SQLite), so an older computation cannot overwrite a newer one;
- a change committed while a refresh computes leaves its marker in place for the next run.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import weakref
import zlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from inspect_app.clock import today as local_today
from inspect_app.db import is_postgres, on_own_connection, write_transaction
from inspect_app.domain.periods import InvalidPeriod, Period, parse_period
from inspect_app.services import follow_up_figures
from inspect_app.services import totals as counters
from inspect_app.services.changes import (
    DIRTY_PREFIX,
    maintained_periods,
    named_agencies,
    parse_marker,
    stored_periods,
)
from jobs.job_log import logged_job
from models.tables import Agency, AgencyTotals, JobState

T = TypeVar("T")
log = logging.getLogger(__name__)

# Arbitrary constant naming the advisory locks that serialise refreshes of one period.
TOTALS_LOCK_KEY = 727_002
# A refresh goes round again when the period was re-marked while it computed, up to this.
MAX_ROUNDS = 3


async def _all_agencies() -> list[tuple[int, str]]:
    rows = await Agency.select(Agency.id, Agency.path)
    return [(int(row["id"]), str(row["path"])) for row in rows]


async def _markers(periods: Sequence[str]) -> dict[str, dict[str, str]]:
    """Per period of ``periods``, its markers: name -> token (JobState.detail)."""
    found: dict[str, dict[str, str]] = {code: {} for code in periods}
    rows = await JobState.select(JobState.name, JobState.detail).where(
        JobState.name.like(DIRTY_PREFIX + "%")
    )
    for row in rows:
        period, _ = parse_marker(str(row["name"]))
        if period in found:
            found[period][str(row["name"])] = str(row["detail"])
    return found


async def _stored_counts(periods: Sequence[str]) -> dict[str, int]:
    """Rows of the totals table per period of ``periods``."""
    rows = await AgencyTotals.raw(
        "SELECT period, COUNT(*) AS n FROM agency_totals"
        f" WHERE period IN ({', '.join('{}' for _ in periods)}) GROUP BY period",
        *periods,
    )
    return {str(row["period"]): int(row["n"]) for row in rows}


async def _stored_figures(
    periods: Sequence[str], scope: str, agency_ids: Sequence[int]
) -> dict[str, dict[int, counters.Counters]]:
    """The stored figures of ``scope`` for ``agency_ids`` per period of ``periods``."""
    found: dict[str, dict[int, counters.Counters]] = {code: {} for code in periods}
    rows = await AgencyTotals.select(
        AgencyTotals.agency, AgencyTotals.period, AgencyTotals.data
    ).where(
        AgencyTotals.period.is_in(list(periods))
        & (AgencyTotals.scope == scope)
        & AgencyTotals.agency.is_in(list(agency_ids))
    )
    for row in rows:
        data = json.loads(row["data"]) if isinstance(row["data"], str) else row["data"]
        # Every counter there (a row written before a release added one is not).
        if isinstance(data, dict) and all(
            key in data.get(table, {})
            for table, keys in counters.COUNTER_KEYS.items()
            for key in keys
        ):
            found[str(row["period"])][int(row["agency"])] = data
    return found


async def _in_turn(work: Callable[[], Awaitable[T]]) -> T:
    return await work()


# Per event loop (a worker's, or a test's): asyncio locks belong to the loop they wait on.
_REFRESHES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _one_per_process() -> asyncio.Lock:
    """One refresh transaction at a time in this process. A refresh holds a pool connection
    and its advisory locks while its reads take up to six more (one per table and group of
    agencies, ``counters.AGENCY_GROUPS``); refreshes waiting on the advisory locks inside
    their own transactions could otherwise hold every connection of the pool (10) and leave
    none for the one that holds the locks."""
    loop = asyncio.get_running_loop()
    lock = _REFRESHES.get(loop)
    if lock is None:
        lock = _REFRESHES[loop] = asyncio.Lock()
    return lock


def _lock_key(period_code: str) -> int:
    """The second key of a period's advisory lock (a stable 31-bit hash of its code)."""
    return zlib.crc32(period_code.encode()) & 0x7FFFFFFF


def agencies_to_recompute(
    markers: dict[str, str], agencies: dict[int, str], stored_rows: int
) -> list[int] | None:
    """Which agencies' own records a period's refresh has to read again: those its markers
    name (:func:`named_agencies`), or None for every agency; every agency too when the table
    does not hold both rows of every agency for the period (a new period, a new agency):
    the difference can only be added to figures that are all there."""
    if stored_rows != 2 * len(agencies):
        return None
    return named_agencies(markers, agencies.keys())


def _rows(
    code: str, scope: str, figures: dict[int, counters.Counters]
) -> list[tuple[int, str, str, str]]:
    return [
        (agency_id, code, scope, json.dumps(values, sort_keys=True))
        for agency_id, values in figures.items()
    ]


async def _every_agency(
    periods: Sequence[Period],
    agencies: list[tuple[int, str]],
    read: Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]],
) -> list[tuple[int, str, str, str]]:
    """Both rows of every agency for ``periods``, from one pass over all the records."""
    by_period = await read(partial(counters.counters_by_period, periods))
    rows = []
    for code, own in by_period.items():
        subtree = counters.roll_up(own, agencies)
        empty = counters.empty_counters()
        rows += _rows(code, "self", {a: own.get(a) or empty for a, _ in agencies})
        rows += _rows(code, "subtree", {a: subtree.get(a) or empty for a, _ in agencies})
    return rows


async def _by_difference(
    periods: dict[str, list[int]],
    agencies: list[tuple[int, str]],
    read: Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]],
) -> tuple[list[tuple[int, str, str, str]], list[str]]:
    """The rows that change when the own records of the agencies named per period are
    counted again: theirs, and those of the agencies above them (the stored figures plus
    the difference, see :func:`counters.changed_rows`). Also the periods that could not be
    done so (a stored row unreadable): they need every agency."""
    paths = dict(agencies)
    recount = sorted({a for ids in periods.values() for a in ids})
    above = sorted({a for agency_id in recount for a in counters.ancestors(paths[agency_id])})
    codes = sorted(periods)
    by_period = await read(
        partial(counters.counters_by_period, [parse_period(code) for code in codes], recount)
    )
    old_own = await read(partial(_stored_figures, codes, "self", recount))
    old_subtree = await read(partial(_stored_figures, codes, "subtree", above))
    rows = []
    unreadable = []
    empty = counters.empty_counters()
    for code in codes:
        if len(old_own[code]) != len(recount) or len(old_subtree[code]) != len(above):
            unreadable.append(code)
            continue
        new_own = {a: by_period[code].get(a) or empty for a in recount}
        own, subtree = counters.changed_rows(old_own[code], new_own, old_subtree[code], agencies)
        rows += _rows(code, "self", own) + _rows(code, "subtree", subtree)
    return rows, unreadable


async def refresh_periods(periods: Sequence[Period], *, marked_only: bool = False) -> list[str]:
    """Recompute and store the totals of ``periods`` for every agency and both scopes.

    With ``marked_only`` (after changes), a period whose markers all name an agency is
    refreshed by difference: those agencies' own records are counted again and what moved
    is added to the rows above them (:func:`agencies_to_recompute` says when); the others,
    and every period without ``marked_only`` (the nightly rebuild), from one pass over all
    the records (:func:`counters.counters_by_period`). Returns the codes of the periods
    re-marked during the computation: they need another round. The others' markers are
    cleared (or there were none). With ``marked_only``, a period whose markers are gone by
    the time the locks are held (another refresh did it meanwhile) is left out.
    """
    wanted = {p.code: p for p in periods}
    if not wanted:
        return []
    async with _one_per_process(), write_transaction():
        read: Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]] = _in_turn
        if is_postgres():
            # In key order, so that two refreshes wait for each other instead of deadlocking
            # (two codes with the same key share one lock, which a transaction may retake).
            for key in sorted({_lock_key(code) for code in wanted}):
                await AgencyTotals.raw("SELECT pg_advisory_xact_lock({}, {})", TOTALS_LOCK_KEY, key)
            # Until it writes, this transaction holds its advisory locks only: what it reads
            # runs on other connections (the tables side by side), so a statement
            # queued for a table lock never waits for it while it waits for them.
            read = on_own_connection
        markers = await read(partial(_markers, sorted(wanted)))
        if marked_only:
            markers = {code: names for code, names in markers.items() if names}
            if not markers:
                return []
            wanted = {code: wanted[code] for code in markers}
        agencies = await read(_all_agencies)
        by_difference: dict[str, list[int]] = {}
        if marked_only:
            counts = await read(partial(_stored_counts, sorted(wanted)))
            tree = dict(agencies)
            for code in wanted:
                ids = agencies_to_recompute(markers[code], tree, counts.get(code, 0))
                if ids is not None:
                    by_difference[code] = ids
        rows: list[tuple[int, str, str, str]] = []
        unreadable: list[str] = []
        if by_difference:
            rows, unreadable = await _by_difference(by_difference, agencies, read)
        every = [p for code, p in wanted.items() if code not in by_difference or code in unreadable]
        if every:
            rows += await _every_agency(every, agencies, read)
        await counters.upsert_rows(rows, datetime.now(UTC))
        remarked = set()
        for code, names in markers.items():
            for name, token in names.items():
                cleared = (
                    await JobState.delete()
                    .where((JobState.name == name) & (JobState.detail == token))
                    .returning(JobState.id)
                )
                if not cleared:
                    remarked.add(code)
        return sorted(remarked)


async def dirty_periods() -> list[str]:
    """Periods with a refresh marker, oldest mark first."""
    rows = (
        await JobState.select(JobState.name)
        .where(JobState.name.like(DIRTY_PREFIX + "%"))
        .order_by(JobState.last_started_at, JobState.id)
    )
    return list(dict.fromkeys(parse_marker(str(row["name"]))[0] for row in rows))


async def _drop_marker(period: str) -> None:
    """Remove every marker of ``period`` (its own, and those naming an agency)."""
    rows = await JobState.select(JobState.name).where(JobState.name.like(DIRTY_PREFIX + "%"))
    names = [str(row["name"]) for row in rows if parse_marker(str(row["name"]))[0] == period]
    if names:
        await JobState.delete().where(JobState.name.is_in(names))


def _batches(periods: list[Period]) -> list[list[Period]]:
    """Periods computed together: all at once on PostgreSQL; one at a time on SQLite, whose
    single write lock would otherwise keep the web app waiting for the whole pass."""
    if is_postgres():
        return [periods] if periods else []
    return [[period] for period in periods]


async def _known_periods(period_codes: Sequence[str]) -> list[Period]:
    """The periods of ``period_codes``; a marker naming no period is dropped."""
    found = []
    for code in period_codes:
        try:
            found.append(parse_period(code))
        except InvalidPeriod:
            log.warning("dropping the totals marker of an unknown period %r", code)
            await _drop_marker(code)
    return found


async def refresh_marked(period_codes: Sequence[str]) -> int:
    """Refresh marked periods until no marker is left; how many rounds it took.

    Each further round takes every period marked by then (a change committed during a
    round may mark periods the round did not have), up to MAX_ROUNDS; after that the
    periodic scan comes back to what is still marked.
    """
    pending = await _known_periods(period_codes)
    if not pending:
        return 0
    for round_no in range(1, MAX_ROUNDS + 1):
        for batch in _batches(pending):
            await refresh_periods(batch, marked_only=True)
        pending = await _known_periods(await dirty_periods())
        if not pending:
            return round_no
    return MAX_ROUNDS


@logged_job
async def refresh_dirty_totals(ctx: dict[str, Any] | None, *_: Any) -> int:
    """Job: refresh every period with a marker, in one pass; how many periods.

    Queued after each change (as ``refresh_totals``, one job id for all, so a burst of
    changes makes one job) and run every minute as the catch-up scan. Extra arguments are
    ignored: earlier releases queued ``refresh_totals`` with a period.
    """
    periods = await dirty_periods()
    if periods:
        await refresh_marked(periods)
    # The dashboard's follow-up figures: after a change, and on a new day (overdue moves).
    if await follow_up_figures.needs_refresh(local_today()):
        await follow_up_figures.refresh(local_today())
    return len(periods)


async def periods_to_keep() -> list[Period]:
    """Maintained, stored and marked periods, oldest first."""
    codes = {p.code for p in maintained_periods(local_today())}
    codes.update(await stored_periods())
    codes.update(await dirty_periods())
    found = []
    for code in codes:
        try:
            found.append(parse_period(code))
        except InvalidPeriod:
            await _drop_marker(code)
    return sorted(found, key=lambda p: (p.end, p.start))


@logged_job
async def rebuild_totals(ctx: dict[str, Any] | None) -> int:
    """Job: rebuild the whole totals table (nightly) in one pass; how many periods."""
    periods = await periods_to_keep()

    async def every_period() -> None:
        for batch in _batches(periods):
            await refresh_periods(batch)

    if is_postgres():
        # Independent rows, each part its own transaction: the follow-up figures are
        # computed while the periods' roll-up runs in Python.
        async with asyncio.TaskGroup() as group:  # one failing cancels the other
            group.create_task(every_period())
            group.create_task(follow_up_figures.refresh(local_today()))
    else:
        await every_period()
        await follow_up_figures.refresh(local_today())
    log.info("totals rebuilt for %d periods", len(periods))
    return len(periods)


# --------------------------------------------------------------------------- check


async def _stored_rows(period: Period) -> dict[tuple[int, str], Any]:
    rows = await AgencyTotals.select(
        AgencyTotals.agency, AgencyTotals.scope, AgencyTotals.data
    ).where(AgencyTotals.period == period.code)
    stored = {}
    for row in rows:
        data = row["data"]
        stored[(int(row["agency"]), str(row["scope"]))] = (
            json.loads(data) if isinstance(data, str) else data
        )
    return stored


async def check_totals(period_code: str | None = None) -> list[str]:
    """Differences between the table and a live recomputation (empty when they agree).

    The live side is computed now from the records: every agency's own counters for every
    period in one pass, summed up the tree for the subtree scope, and compared with each
    stored row.
    """
    periods = [parse_period(period_code)] if period_code else await periods_to_keep()
    agencies = await Agency.select(Agency.id, Agency.code, Agency.path).order_by(Agency.id)
    tree = [(int(a["id"]), str(a["path"])) for a in agencies]
    problems: list[str] = []
    live_by_period = await counters.counters_by_period(periods)
    for period in periods:
        stored = await _stored_rows(period)
        own = live_by_period[period.code]
        subtree = counters.roll_up(own, tree)
        for agency in agencies:
            for scope, live in (
                ("self", own.get(agency["id"]) or counters.empty_counters()),
                ("subtree", subtree.get(agency["id"]) or counters.empty_counters()),
            ):
                where = f"{period.code} {agency['code']} (id {agency['id']}) {scope}"
                row = stored.get((agency["id"], scope))
                if row is None:
                    # No row is read as "compute live", so only a non-zero one is missing.
                    if counters.diff_totals(counters.empty_counters(), live):
                        problems.append(f"{where}: no row in the totals table")
                    continue
                normalised = counters.add_counters(counters.empty_counters(), row)
                problems += [f"{where}: {line}" for line in counters.diff_totals(normalised, live)]
    return problems


async def check_totals_cli(period: str | None) -> int:
    """``inspect-app totals check``: print the differences; 0 when none, 1 otherwise."""
    from inspect_app.db import close_pool, start_pool

    await start_pool()
    try:
        if period:
            try:
                parse_period(period)
            except InvalidPeriod as exc:
                print(str(exc), file=sys.stderr)
                return 2
        problems = await check_totals(period)
        if not period:
            problems += await follow_up_figures.check(local_today())
    finally:
        await close_pool()
    for line in problems:
        print(line)
    if problems:
        print(f"{len(problems)} differences between the totals table and the records.")
        return 1
    print("The totals table matches the records.")
    return 0


async def rebuild_totals_cli() -> int:
    """``inspect-app totals rebuild``: rebuild the table now; 0 on success."""
    from inspect_app.db import close_pool, start_pool

    await start_pool()
    try:
        count = await rebuild_totals(None)
    finally:
        await close_pool()
    print(f"Totals rebuilt for {count} periods.")
    return 0
