"""Keeping the totals table current after a change to a case.

The case services call :func:`record_change` after every change to an inspection, finding,
measure or execution, with the agency of the case and the dates that decide which reporting
periods the change touches. It first writes a marker per touched period into the database
(a ``JobState`` row named ``totals:dirty:<period>``), in the caller's transaction when there
is one, and only then asks for a refresh job. The marker is what guarantees the refresh: if
Redis is down, or the job is lost, or the worker dies in the middle, the marker is still
there and the periodic scan (every minute) or the nightly rebuild picks it up. A refresh
removes a marker only if nobody re-marked the period while it was computing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Container, Iterable
from datetime import UTC, date, datetime

from inspect_app.clock import today as local_today
from inspect_app.db import is_postgres
from inspect_app.domain.periods import (
    PERIOD_KINDS,
    InvalidPeriod,
    Period,
    parse_period,
    report_year_of,
)
from models.tables import AgencyTotals, JobState

log = logging.getLogger(__name__)

DIRTY_PREFIX = "totals:dirty:"
# The marker of the follow-up figures kept per agency (services.follow_up_figures.MARKER);
# a change of one agency's records writes it with AGENCY_MARK and the agency's id.
FOLLOW_UP_MARKER = "followup:dirty"
# The follow-up figures' rows in the totals table (services/follow_up_figures.py): not a
# report period, so never marked or refreshed as one.
FOLLOW_UP_PERIOD = "followup"
# Between the period and the agency in the marker of one agency's change.
AGENCY_MARK = "@"


def maintained_periods(today: date) -> list[Period]:
    """The periods kept in the totals table at all times: every period of this report year
    and the previous one."""
    year = report_year_of(today)
    return [Period(y, kind) for y in (year - 1, year) for kind in PERIOD_KINDS]


def periods_containing(day: date) -> list[Period]:
    """The quarter and the cumulative periods (6M, 9M, year) that contain ``day``."""
    year = report_year_of(day)
    return [p for p in (Period(year, kind) for kind in PERIOD_KINDS) if p.contains(day)]


def _periods_of_days(days: list[date], today: date) -> set[str]:
    """The periods containing each of ``days`` (sorted) and the maintained ones that end on
    or after the first of them."""
    first = days[0]
    codes: set[str] = set()
    for day in days:
        codes.update(p.code for p in periods_containing(day))
    codes.update(p.code for p in maintained_periods(today) if p.end >= first)
    return codes


def _later_codes(first: date) -> tuple[str, list[str]]:
    """How to tell from its code alone a period that ends on or after ``first``.

    Every period of a later report year does (codes sort by their four-digit year, so those
    are the codes from the returned bound on), every period of an earlier one does not, and
    of the same report year those listed do (the year itself always among them).
    """
    year = report_year_of(first)
    same_year = [Period(year, kind).code for kind in PERIOD_KINDS]
    return f"{year + 1:04d}", [c for c in same_year if parse_period(c).end >= first]


def affected_periods(dates: Iterable[date], stored: Iterable[str], today: date) -> list[str]:
    """Period codes whose totals a change on ``dates`` can alter.

    The periods containing each date, and every maintained or already stored period that ends
    on or after the earliest date: a case opened before a period and still open at its start
    counts in it as carried over, so a change can move later periods too.
    """
    days = sorted(set(dates))
    if not days:
        return []
    codes = _periods_of_days(days, today)
    for code in stored:
        try:
            period = parse_period(code)
        except InvalidPeriod:
            continue
        if period.end >= days[0]:
            codes.add(period.code)
    return sorted(codes)


def marker_name(period: str, agency_id: int | None = None) -> str:
    """The JobState name of the marker that says ``period`` needs a refresh: for the
    records of one agency (``totals:dirty:2026-Q2@17``), or for every agency."""
    if agency_id is None:
        return f"{DIRTY_PREFIX}{period}"
    return f"{DIRTY_PREFIX}{period}{AGENCY_MARK}{agency_id}"


def parse_marker(name: str) -> tuple[str, int | None]:
    """(period, agency or None for every agency) of a marker's JobState name."""
    return name.removeprefix(DIRTY_PREFIX).partition(AGENCY_MARK)[0], marked_agency(name)


def marked_agency(name: str) -> int | None:
    """The agency a marker (of the totals or of the follow-up figures) names; None when
    it names none: a change for every agency."""
    agency = name.partition(AGENCY_MARK)[2]
    return int(agency) if agency.isdigit() else None


# A refresh after changes of more agencies than this computes every agency again: one pass
# over all the records costs about as much as one over this many agencies' records.
MAX_NAMED_AGENCIES = 64


def named_agencies(names: Iterable[str], known: Container[int]) -> list[int] | None:
    """The agencies that markers name, when a refresh may redo those alone: every marker
    names one, each still exists (in ``known``), and there are at most MAX_NAMED_AGENCIES;
    else None (every agency)."""
    named = [marked_agency(name) for name in names]
    ids = sorted({agency for agency in named if agency is not None})
    if None in named or len(ids) > MAX_NAMED_AGENCIES or any(a not in known for a in ids):
        return None
    return ids


async def mark_periods_dirty(periods: Iterable[str], agency_id: int | None = None) -> None:
    """Write (or renew) the database markers of ``periods``; each gets a fresh token."""
    names = sorted({marker_name(period) for period in periods})
    if not names:
        return
    # What changes the report totals changes the dashboard's kept figures as well.
    names.append(FOLLOW_UP_MARKER)
    now = datetime.now(UTC)
    rows = ", ".join("({}, {}, NULL, 'dirty', {})" for _ in names)
    args: list[object] = []
    for name in names:
        args += [name, now, f"{uuid.uuid4().hex} agency={agency_id}"]
    # One upsert: the new token tells a running refresh that it must not clear the marker.
    await JobState.raw(
        "INSERT INTO job_state (name, last_started_at, last_finished_at, last_status, detail)"
        f" VALUES {rows}"
        " ON CONFLICT (name) DO UPDATE SET last_started_at = excluded.last_started_at,"
        " last_status = 'dirty', detail = excluded.detail",
        *args,
    )


async def mark_every_period(agency_id: int | None = None) -> None:
    """A change of the agency tree (a move, a merger): every kept and stored period is
    computed again for every agency (a refresh by difference adds to the rows above an
    agency, which a move changes). ``agency_id`` is recorded in the markers' detail."""
    kept = [period.code for period in maintained_periods(local_today())]
    await mark_periods_dirty([*kept, *await stored_periods()], agency_id)


async def mark_follow_up_figures() -> None:
    """Mark the follow-up figures kept per agency as stale (in the caller's transaction):
    an agency created, renamed or moved changes the board's groups and the dashboards'
    sums without touching any period of the report totals."""
    await JobState.raw(
        "INSERT INTO job_state (name, last_started_at, last_finished_at, last_status, detail)"
        " VALUES ({}, {}, NULL, 'dirty', {})"
        " ON CONFLICT (name) DO UPDATE SET last_started_at = excluded.last_started_at,"
        " last_status = 'dirty', detail = excluded.detail",
        FOLLOW_UP_MARKER,
        datetime.now(UTC),
        f"{uuid.uuid4().hex} agency",
    )


# The distinct periods of the totals table as ``p(period)`` (a trailing NULL included), one
# index probe per period.
_STORED_PERIODS = (
    "p(period) AS ("
    " SELECT MIN(period) FROM agency_totals"
    " UNION ALL"
    " SELECT (SELECT MIN(t.period) FROM agency_totals t WHERE t.period > p.period)"
    " FROM p WHERE p.period IS NOT NULL"
    ")"
)


async def stored_periods() -> list[str]:
    """Every period that has rows in the totals table.

    Runs on every change, so it walks the index on ``period`` from one period to the next
    (one index probe per period, about 0.35 ms for the national data set) instead of
    reading every row as ``SELECT DISTINCT`` does (3-4 ms, more when the table is bloated).
    """
    rows = await AgencyTotals.raw(
        f"WITH RECURSIVE {_STORED_PERIODS}"
        " SELECT period FROM p WHERE period IS NOT NULL AND period <> {}",
        FOLLOW_UP_PERIOD,
    )
    return [str(row["period"]) for row in rows]


async def mark_change(agency_id: int | None, dates: Iterable[date | None]) -> None:
    """Mark the totals of the periods a change touches as stale, in the caller's transaction:
    for the records of ``agency_id`` (the refresh then recomputes that agency alone and
    adds the difference to the agencies above it), or of every agency when it is None.

    Called inside the write's own transaction (see :mod:`inspect_app.services.unit_of_work`),
    so the marker commits with the change or not at all: a crash after the commit still
    leaves the marker for the periodic scan, never a change the totals do not know about.

    One statement on every write: the stored periods are read (as :func:`stored_periods`
    does) and the markers upserted together; it marks what :func:`affected_periods` names.
    """
    days = sorted({d for d in dates if d is not None})
    if not days:
        # A change with no date still changes the period running today (e.g. a deletion).
        days = [local_today()]
    known = sorted(_periods_of_days(days, local_today()))
    later, same_year = _later_codes(days[0])
    at = "CAST({} AS TIMESTAMPTZ)" if is_postgres() else "{}"
    token = f"{uuid.uuid4().hex} agency={agency_id}"
    suffix = "" if agency_id is None else f"{AGENCY_MARK}{agency_id}"
    await JobState.raw(
        f"WITH RECURSIVE {_STORED_PERIODS},"
        f" known(period) AS (VALUES {', '.join('({})' for _ in known)}),"
        " touched(period) AS ("
        " SELECT period FROM known UNION"
        " SELECT period FROM p WHERE (period >= {} AND period <> {})"
        f" OR period IN ({', '.join('{}' for _ in same_year)})"
        "), names(name) AS ("
        " SELECT {} || period || {} FROM touched UNION ALL SELECT {}"
        ") INSERT INTO job_state (name, last_started_at, last_status, detail)"
        f" SELECT name, {at}, 'dirty', {{}} FROM names WHERE true"
        " ON CONFLICT (name) DO UPDATE SET last_started_at = excluded.last_started_at,"
        " last_status = 'dirty', detail = excluded.detail",
        *known,
        later,
        FOLLOW_UP_PERIOD,
        *same_year,
        DIRTY_PREFIX,
        suffix,
        FOLLOW_UP_MARKER + suffix,
        datetime.now(UTC),
        token,
    )


async def request_refresh() -> None:
    """Queue one totals refresh (after the commit): it refreshes every marked period."""
    from inspect_app.job_queue import enqueue_totals_refresh

    await enqueue_totals_refresh()


async def record_change(agency_id: int | None, dates: Iterable[date | None]) -> None:
    """Mark and queue in one call, for a change made outside a unit of work."""
    await mark_change(agency_id, dates)
    await request_refresh()
