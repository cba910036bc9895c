"""Follow-up figures kept per agency, so that a national dashboard reads one row.

The dashboard shows, for the reader's subtree: the cases per status, the cases past a legal
deadline, the recommendations followed up (with a due day, as the board lists them), those
overdue, the money and land left, and the overdue deadlines per responsible unit. Computed
on each request they scan every open record of the subtree: fine for a province, seconds for
the country. So they are also kept in the totals table (``agency_totals``, period
``followup``), as the report counters are:

- :func:`own_figures` computes every agency's own figures in one pass (four GROUP BY
  statements over the whole country), :func:`roll_up` sums them up the agency tree, and
  :func:`refresh` writes both scopes of every agency in one transaction, stamped with the
  day they were computed for (an overdue count is true for one day only);
- every change that marks the report totals dirty marks these too, naming the agency whose
  records changed (:func:`inspect_app.services.changes.mark_change`), and the totals
  refresh job refreshes them when marked (those agencies and the ones above them, see
  :func:`refresh`), or when the stored day is not today (a minute after midnight at the
  latest, by the catch-up scan);
- :func:`figures_for` reads the stored row of the reader's agency when it is of today and no
  change in the reader's subtree is waiting, else computes live in the reader's scope, but
  for a subtree too large to compute live on each request, which reads the stored row and
  says that changes are waiting: a reader never sees figures of another day, and a change
  shows on the dashboard at the latest with the refresh that it queued (as "as of" says);
- :func:`check` compares the table with a live computation (``inspect-app totals check``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from inspect_app.db import is_postgres, write_transaction
from inspect_app.principal import Principal
from inspect_app.services.changes import (
    FOLLOW_UP_MARKER,
    FOLLOW_UP_PERIOD,
    marked_agency,
    named_agencies,
)
from inspect_app.services.follow_ups import (
    GROUP_SUMS_SQL,
    OPEN_DEADLINES_SQL,
    deadline_branch_sql,
)
from inspect_app.services.inspections import overdue_sql
from inspect_app.services.totals import ancestors, roll_up_tree, upsert_rows
from models.tables import Agency, AgencyTotals, JobState

PERIOD = FOLLOW_UP_PERIOD  # the agency_totals.period of these rows
# The JobState row that says they need a refresh (written with the totals' markers).
MARKER = FOLLOW_UP_MARKER
Figures = dict[str, Any]


def empty() -> Figures:
    """Figures of an agency with nothing to follow up."""
    return {
        "status": {},
        "overdue_cases": 0,
        "open_measures": 0,
        "overdue_measures": 0,
        "left_vnd": 0,
        "left_cm2": 0,
        "overdue_units": {},
        "units": {},
    }


# What the board's group of one responsible unit says, kept per unit name (the board groups
# by name): deadlines, overdue, money and land left (all, and of the overdue ones), the
# soonest due day and the oldest overdue one.
UNIT_SUMS = ("n", "od", "lv", "lc", "olv", "olc")
UNIT_FIRSTS = ("first", "first_od")


def _merge_unit(a: dict[str, Any] | None, b: dict[str, Any]) -> dict[str, Any]:
    if a is None:
        return dict(b)
    merged: dict[str, Any] = {key: int(a[key]) + int(b[key]) for key in UNIT_SUMS}
    for key in UNIT_FIRSTS:
        days = [day for day in (a.get(key), b.get(key)) if day]
        merged[key] = min(days) if days else None
    return merged


def add(a: Figures, b: Figures) -> Figures:
    """The sum of two agencies' figures."""
    total = empty()
    for key in ("overdue_cases", "open_measures", "overdue_measures", "left_vnd", "left_cm2"):
        total[key] = int(a.get(key, 0)) + int(b.get(key, 0))
    for key in ("status", "overdue_units"):
        merged: dict[str, int] = dict(a.get(key, {}))
        for name, count in b.get(key, {}).items():
            merged[name] = merged.get(name, 0) + int(count)
        total[key] = merged
    units: dict[str, dict[str, Any]] = dict(a.get("units", {}))
    for name, unit in b.get("units", {}).items():
        units[name] = _merge_unit(units.get(name), unit)
    total["units"] = units
    return total


# The statements below read every agency's own records (by the case's agency, as the
# board's scope does); ``{scope}`` narrows them to one subtree for the live path.
# ``{only}`` narrows them further to a list of agencies (a refresh of the agencies a change
# touched), or is empty.
_STATUS = """SELECT i.agency AS agency, i.status AS status, COUNT(*) AS n
FROM inspection i JOIN agency a ON a.id = i.agency
WHERE i.deleted_at IS NULL AND a.path LIKE {{}}{only} GROUP BY i.agency, i.status"""

_OVERDUE = """SELECT inspection.agency AS agency, COUNT(*) AS n FROM inspection
JOIN agency a ON a.id = inspection.agency
WHERE inspection.deleted_at IS NULL AND a.path LIKE {{}}{only} AND {overdue}
GROUP BY inspection.agency"""

_MEASURES = """SELECT d.agency_id AS agency, COUNT(*) AS n,
  COALESCE(SUM(CASE WHEN d.due_on < {{}} THEN 1 ELSE 0 END), 0) AS overdue,
  COALESCE(SUM(d.left_vnd), 0) AS left_vnd, COALESCE(SUM(d.left_cm2), 0) AS left_cm2
FROM ({measures}) d WHERE d.agency_path LIKE {{}}{only} GROUP BY d.agency_id"""


def _units_sql(only: str) -> str:
    return (
        f"SELECT d.agency_id AS agency, d.unit_name AS unit_name, {GROUP_SUMS_SQL}"
        f" FROM ({OPEN_DEADLINES_SQL}) d WHERE d.agency_path LIKE {{}}{only}"
        " GROUP BY d.agency_id, d.unit_name"
    )


def _only(column: str, agency_ids: list[int] | None) -> str:
    """The condition that keeps ``agency_ids`` (literal integers), or none."""
    if agency_ids is None:
        return ""
    return f" AND {column} IN ({', '.join(str(int(a)) for a in agency_ids) or 'NULL'})"


def _day(value: Any) -> str | None:
    if value is None:
        return None
    return value[:10] if isinstance(value, str) else value.isoformat()


async def own_figures(
    today: date, pattern: str = "/%", agency_ids: list[int] | None = None
) -> dict[int, Figures]:
    """Every agency's own figures for ``today`` (agencies under ``pattern``, and only
    ``agency_ids`` when given), in one pass."""
    own: dict[int, Figures] = {}

    def of(agency: Any) -> Figures:
        return own.setdefault(int(agency), empty())

    cases = _only("i.agency", agency_ids)
    for row in await AgencyTotals.raw(_STATUS.format(only=cases), pattern):
        of(row["agency"])["status"][str(row["status"])] = int(row["n"])
    overdue = _OVERDUE.format(
        only=_only("inspection.agency", agency_ids), overdue=overdue_sql(today)
    )
    for row in await AgencyTotals.raw(overdue, pattern):
        of(row["agency"])["overdue_cases"] = int(row["n"])
    records = _only("d.agency_id", agency_ids)
    measures = _MEASURES.format(measures=deadline_branch_sql("measure"), only=records)
    for row in await AgencyTotals.raw(measures, today, pattern):
        figures = of(row["agency"])
        figures["open_measures"] = int(row["n"])
        figures["overdue_measures"] = int(row["overdue"])
        figures["left_vnd"] = int(row["left_vnd"])
        figures["left_cm2"] = int(row["left_cm2"])
    for row in await AgencyTotals.raw(_units_sql(records), *[today] * 4, pattern):
        figures = of(row["agency"])
        name = str(row["unit_name"] or "")
        if int(row["od"]):
            figures["overdue_units"][name] = int(row["od"])
        figures["units"][name] = {
            **{key: int(row[key] or 0) for key in UNIT_SUMS},
            "first": _day(row["first"]),
            "first_od": _day(row["first_od"]),
        }
    return own


async def _kept_row(
    agency_id: int, scope: str, today: date
) -> tuple[dict[str, Any], datetime | None] | None:
    """The kept figures of one agency and scope when they are of ``today``, with their time."""
    row = (
        await AgencyTotals.select(AgencyTotals.data, AgencyTotals.computed_at)
        .where(
            (AgencyTotals.agency == agency_id)
            & (AgencyTotals.period == PERIOD)
            & (AgencyTotals.scope == scope)
        )
        .first()
    )
    if row is None:
        return None
    data = json.loads(row["data"]) if isinstance(row["data"], str) else row["data"]
    if not isinstance(data, dict) or data.get("day") != today.isoformat():
        return None
    computed_at = row["computed_at"]
    if computed_at is not None and computed_at.tzinfo is None:
        computed_at = computed_at.replace(tzinfo=UTC)
    return data, computed_at


@dataclass(frozen=True)
class UnitSums:
    """What the board sums per responsible unit (see follow_ups.GROUP_SUMS_SQL): deadlines
    and overdue ones, money (đồng) and land (hundredths of m²) left of all and of the
    overdue ones, the soonest due day and the oldest overdue one."""

    n: int
    od: int
    lv: int
    lc: int
    olv: int
    olc: int
    first: date | None
    first_od: date | None


def _unit_sums(kept: Mapping[str, Any]) -> UnitSums:
    def day(key: str) -> date | None:
        value = kept.get(key)
        return date.fromisoformat(value) if isinstance(value, str) else None

    return UnitSums(
        **{key: int(kept.get(key) or 0) for key in UNIT_SUMS},
        first=day("first"),
        first_od=day("first_od"),
    )


async def kept_units(agency_id: int, include_sub: bool, today: date) -> dict[str, UnitSums] | None:
    """The board's per-unit sums kept for ``agency_id`` (its subtree, or itself alone), when
    they are of ``today`` and no change in that subtree is waiting; else None (the board
    computes them)."""
    if await is_marked():
        row = await Agency.select(Agency.path).where(Agency.id == agency_id).first()
        if row is None:
            return None
        if await pending_in(str(row["path"]) + ("%" if include_sub else "")) is not None:
            return None
    kept = await _kept_row(agency_id, "subtree" if include_sub else "self", today)
    units = kept[0].get("units") if kept is not None else None
    if not isinstance(units, dict):
        return None
    return {str(name): _unit_sums(sums) for name, sums in units.items()}


def roll_up(own: dict[int, Figures], tree: list[tuple[int, str]]) -> dict[int, Figures]:
    """Each agency's subtree: its own figures and those of every agency below it."""
    return roll_up_tree(own, tree, add, empty)


async def _markers() -> dict[str, str]:
    """The follow-up markers, name -> token: ``followup:dirty@<agency>`` for a change of
    that agency's records, ``followup:dirty`` for a change of the agency tree."""
    rows = await JobState.select(JobState.name, JobState.detail).where(
        JobState.name.like(MARKER + "%")
    )
    return {str(row["name"]): str(row["detail"]) for row in rows}


async def is_marked() -> bool:
    """True when a change is waiting for the figures to be refreshed."""
    return bool(await _markers())


async def pending_in(pattern: str) -> str | None:
    """What waits to be refreshed in the subtree of ``pattern``: "tree" (a change of the
    agency tree: names and places may differ), "records" (changes of records of agencies
    in it), or None."""
    named = [marked_agency(name) for name in await _markers()]
    if None in named:
        return "tree"
    ids = [agency for agency in named if agency is not None]
    if ids and await Agency.exists().where(Agency.id.is_in(ids) & Agency.path.like(pattern)):
        return "records"
    return None


# The advisory lock (PostgreSQL) that lets one refresh of these figures run at a time.
LOCK_KEY = 727_004


def _row(agency_id: int, scope: str, figures: Figures, today: date) -> tuple[int, str, str, str]:
    return (agency_id, PERIOD, scope, json.dumps({**figures, "day": today.isoformat()}))


async def _kept_own(today: date) -> dict[int, Figures] | None:
    """Every agency's kept own figures when all of them are of ``today``, else None."""
    rows = await AgencyTotals.select(AgencyTotals.agency, AgencyTotals.data).where(
        (AgencyTotals.period == PERIOD) & (AgencyTotals.scope == "self")
    )
    kept: dict[int, Figures] = {}
    for row in rows:
        data = json.loads(row["data"]) if isinstance(row["data"], str) else row["data"]
        if not isinstance(data, dict) or data.get("day") != today.isoformat():
            return None
        kept[int(row["agency"])] = add(empty(), data)
    return kept


async def _changed_rows(
    today: date, tree: list[tuple[int, str]], agency_ids: list[int]
) -> list[tuple[int, str, str, str]] | None:
    """The rows that change when the figures of ``agency_ids`` are computed again: their
    own rows and the subtree rows of every agency above them, summed from the kept own rows
    of the others (a unit's soonest day is not a sum, so no difference is added). None when
    the kept rows are not all there and of ``today``."""
    kept = await _kept_own(today)
    if kept is None or kept.keys() != {agency_id for agency_id, _ in tree}:
        return None
    fresh = await own_figures(today, agency_ids=agency_ids)
    paths = dict(tree)
    above = {a for agency_id in agency_ids for a in ancestors(paths[agency_id])}
    own = {**kept, **{agency_id: fresh.get(agency_id, empty()) for agency_id in agency_ids}}
    subtree = roll_up(own, tree)
    return [_row(a, "self", own[a], today) for a in agency_ids] + [
        _row(a, "subtree", subtree[a], today) for a in sorted(above)
    ]


async def refresh(today: date) -> int:
    """Store the figures for ``today``; how many rows were written.

    After changes of a few agencies' records (every marker names one, and every kept row
    is of ``today``), those agencies' figures are computed again and the agencies above
    them summed anew; else every agency's. A marker is removed only if nobody re-marked
    meanwhile (its token is unchanged), so a change committed during the computation is
    refreshed by the next run.
    """
    async with write_transaction():
        if is_postgres():
            # One refresh at a time (the minute scan, a queued job, the nightly rebuild, on
            # any host): one that read the kept rows before another wrote would otherwise
            # sum a change away. SQLite has one writer, and this transaction is it.
            await JobState.raw("SELECT pg_advisory_xact_lock({})", LOCK_KEY)
        markers = await _markers()
        agencies = await Agency.select(Agency.id, Agency.path)
        tree = [(int(a["id"]), str(a["path"])) for a in agencies]
        rows = None
        ids = named_agencies(markers, dict(tree).keys()) if markers else None
        if ids is not None:
            rows = await _changed_rows(today, tree, ids)
        if rows is None:
            own = await own_figures(today)
            subtree = roll_up(own, tree)
            rows = [
                _row(agency_id, scope, figures, today)
                for agency_id, _ in tree
                for scope, figures in (
                    ("self", own.get(agency_id, empty())),
                    ("subtree", subtree[agency_id]),
                )
            ]
        await upsert_rows(rows, datetime.now(UTC))
        for name, token in markers.items():
            await JobState.delete().where((JobState.name == name) & (JobState.detail == token))
    return len(rows)


async def needs_refresh(today: date) -> bool:
    """True when a change is waiting, or the stored figures are not of ``today``."""
    if await is_marked():
        return True
    row = await AgencyTotals.select(AgencyTotals.data).where(AgencyTotals.period == PERIOD).first()
    if row is None:
        return bool(await Agency.count() > 0)
    data = json.loads(row["data"]) if isinstance(row["data"], str) else row["data"]
    return not isinstance(data, dict) or data.get("day") != today.isoformat()


async def stored(agency_id: int, today: date) -> tuple[Figures, datetime | None] | None:
    """The subtree figures kept for ``agency_id`` when they are of ``today``."""
    kept = await _kept_row(agency_id, "subtree", today)
    if kept is None:
        return None
    return add(empty(), kept[0]), kept[1]


async def live(principal: Principal, today: date) -> Figures:
    """The reader's subtree figures computed now from the records."""
    total = empty()
    for figures in (await own_figures(today, principal.scope_pattern)).values():
        total = add(total, figures)
    return total


# A reader whose subtree holds more agencies than this is shown the kept figures, with their
# time, while changes of records in it wait for the refresh; a smaller one gets them live.
# Live, the country's take seconds; a province's, milliseconds (docs/performance.md).
LIVE_WHILE_PENDING_AGENCIES = 100


async def figures_for(principal: Principal, today: date) -> tuple[Figures, datetime, str]:
    """The reader's figures and their time, and where they come from: "stored" (kept, of
    today, nothing waiting), "pending" (kept, while changes of records in the reader's
    subtree wait for the refresh that is queued; a large subtree only), or "live"."""
    # What waits first: a refresh that ends between the two reads then shows as stored
    # figures that already hold the change, never as current figures that do not.
    pending = await pending_in(principal.scope_pattern)
    kept = await stored(principal.agency_id, today)
    if kept is not None:
        if pending is None:
            return kept[0], kept[1] or datetime.now(UTC), "stored"
        if pending == "records":
            size = await Agency.count().where(Agency.path.like(principal.scope_pattern))
            if size > LIVE_WHILE_PENDING_AGENCIES:
                return kept[0], kept[1] or datetime.now(UTC), "pending"
    return await live(principal, today), datetime.now(UTC), "live"


async def check(today: date) -> list[str]:
    """Differences between the kept figures of ``today`` and the records (empty when they
    agree)."""
    agencies = await Agency.select(Agency.id, Agency.code, Agency.path).order_by(Agency.id)
    tree = [(int(a["id"]), str(a["path"])) for a in agencies]
    own = await own_figures(today)
    subtree = roll_up(own, tree)
    rows = await AgencyTotals.select(
        AgencyTotals.agency, AgencyTotals.scope, AgencyTotals.data
    ).where(AgencyTotals.period == PERIOD)
    kept = {
        (int(r["agency"]), str(r["scope"])): (
            json.loads(r["data"]) if isinstance(r["data"], str) else r["data"]
        )
        for r in rows
    }
    problems = []
    for agency in agencies:
        for scope, figures in (
            ("self", own.get(agency["id"], empty())),
            ("subtree", subtree[agency["id"]]),
        ):
            where = f"{PERIOD} {agency['code']} (id {agency['id']}) {scope}"
            row = kept.get((agency["id"], scope))
            # A missing row, or one of another day, is never read (the dashboard computes
            # live then): only a row of today can be wrong.
            if row is None or row.get("day") != today.isoformat():
                continue
            if add(empty(), row) != figures:
                problems.append(f"{where}: {add(empty(), row)} != {figures}")
    return problems
