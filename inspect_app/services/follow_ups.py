"""Open deadlines of inspections and measures: the follow-up board and the deadline watch.

One query lists every deadline still to be met: the end of on-site work, the conclusion,
its publication and the directive of each live inspection, and the due day of every open
or partly done measure. The board shows those in the caller's scope; the deadline watch
reads all of them to send reminders.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from inspect_app.db import is_postgres
from inspect_app.domain.measures import (
    MEASURE_STATUS_LABELS,
    MEASURE_TYPES,
    measure_unit,
    remaining,
    target_of,
)
from inspect_app.domain.reminders import Ladder, follow_up_state
from inspect_app.domain.text import printable
from inspect_app.errors import InvalidInput
from inspect_app.i18n import N_
from inspect_app.principal import Principal
from inspect_app.services import agencies, audit, reference_cache
from inspect_app.services.casework import stored_day
from inspect_app.services.export_text import PrintableText
from models.tables import Agency, DeadlineLadder, Inspection

STATES = ("due_soon", "overdue", "open")
DEADLINE_TYPES = ("onsite", "conclusion", "publication", "directive", "measure")
# Deadline types with a reminder ladder: the board's, and the handling of tips (whose
# queue is /tips, not the board).
LADDER_TYPES = (*DEADLINE_TYPES, "tip", "report")
# The daily digest's ladder (rungs of lateness and a repeat) is kept and edited with them.
DIGEST_LADDER = "digest"
# Units' reports due to the agency above (services.submissions): the ladder also keeps the
# days after a period's end by which they are due.
REPORT_LADDER = "report"
EDITABLE_LADDERS = (*LADDER_TYPES, DIGEST_LADDER)
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# An export holds at most this many rows; a larger board must be filtered first.
EXPORT_MAX_ROWS = 50_000

# The group of recommendations whose responsible party is free text that names no agency
# (unit_name '' in the query): the text is shown as the row's addressee.
UNIDENTIFIED_UNIT = N_("Responsible unit not identified")

DEADLINE_LABELS = {
    "onsite": N_("End of on-site inspection"),
    "conclusion": N_("Conclusion"),
    "publication": N_("Publication of the conclusion"),
    "directive": N_("Directive to implement"),
    "measure": N_("Recommendation"),
    "tip": N_("Handling a tip"),
    "report": N_("Submitting a unit's report to the agency above"),
    DIGEST_LADDER: N_("Daily digest of overdue items"),
}

# Inspection deadlines: (type, due column, done column, statuses in which it is still open).
_INSPECTION_STEPS = (
    ("onsite", "onsite_due", "onsite_ended_on", "('onsite')"),
    ("conclusion", "conclusion_due", "concluded_on", "('onsite_ended', 'reported')"),
    ("publication", "publication_due", "published_on", "('concluded')"),
    ("directive", "directive_due", "directive_on", "('concluded')"),
)
# Sort rank of a deadline type when two deadlines fall on the same day (part of the cursor).
_RANK = {name: index for index, name in enumerate(DEADLINE_TYPES)}


# What a recommendation's row carries beyond its deadline: its type and status, and what is
# to be done, done and left in its own unit. Land is in hundredths of m² (integers, so that
# sums never touch a float); ``left_vnd`` / ``left_cm2`` are zero for the other units, so a
# group's money and land left are plain sums.
_MONEY_TYPES = "('recover_money', 'other_financial', 'admin_fine', 'confiscation')"
_MEASURE_FIGURES = f"""m.type AS measure_type, m.status AS measure_status,
          m.amount_vnd AS amount_vnd, m.done_vnd AS done_vnd,
          CAST(ROUND(m.land_m2 * 100) AS BIGINT) AS land_cm2,
          CAST(ROUND(m.done_m2 * 100) AS BIGINT) AS done_cm2,
          m.collectives AS collectives, m.individuals AS individuals,
          m.cases AS cases, m.persons AS persons, m.done_count AS done_count,
          CASE WHEN m.type IN {_MONEY_TYPES} AND m.amount_vnd > m.done_vnd
            THEN m.amount_vnd - m.done_vnd ELSE 0 END AS left_vnd,
          CASE WHEN m.type = 'recover_land' AND m.land_m2 > m.done_m2
            THEN CAST(ROUND((m.land_m2 - m.done_m2) * 100) AS BIGINT) ELSE 0 END AS left_cm2"""
_NO_MEASURE = """CAST(NULL AS VARCHAR(24)) AS measure_type,
          CAST(NULL AS VARCHAR(16)) AS measure_status,
          CAST(NULL AS BIGINT) AS amount_vnd, CAST(NULL AS BIGINT) AS done_vnd,
          CAST(NULL AS BIGINT) AS land_cm2, CAST(NULL AS BIGINT) AS done_cm2,
          CAST(NULL AS INTEGER) AS collectives, CAST(NULL AS INTEGER) AS individuals,
          CAST(NULL AS INTEGER) AS cases, CAST(NULL AS INTEGER) AS persons,
          CAST(NULL AS INTEGER) AS done_count,
          CAST(0 AS BIGINT) AS left_vnd, CAST(0 AS BIGINT) AS left_cm2"""


def _inspection_branch(deadline_type: str, due: str, done: str, statuses: str) -> str:
    return f"""
        SELECT 'inspection' AS entity_type, i.id AS entity_id, i.id AS inspection_id,
          '{deadline_type}' AS deadline_type, {_RANK[deadline_type]} AS type_rank,
          i.{due} AS due_on, i.code AS inspection_code, i.title AS inspection_title,
          i.agency AS agency_id, a.name AS agency_name, a.path AS agency_path,
          i.lead_user AS lead_user_id, CAST(NULL AS INTEGER) AS responsible_agency_id,
          a.id AS unit_id, a.name AS unit_name, '' AS addressee, '' AS description,
          COALESCE(mf.name, '') AS former_agency_name,
          {_NO_MEASURE}
        FROM inspection i JOIN agency a ON a.id = i.agency
        LEFT JOIN agency mf ON mf.id = i.moved_from
        WHERE i.deleted_at IS NULL AND i.status IN {statuses}
          AND i.{due} IS NOT NULL AND i.{done} IS NULL"""


_MEASURE_BRANCH = f"""
        SELECT 'measure' AS entity_type, m.id AS entity_id, i.id AS inspection_id,
          'measure' AS deadline_type, {_RANK["measure"]} AS type_rank,
          m.due_on AS due_on, i.code AS inspection_code, i.title AS inspection_title,
          i.agency AS agency_id, a.name AS agency_name, a.path AS agency_path,
          i.lead_user AS lead_user_id, m.responsible_agency AS responsible_agency_id,
          CASE WHEN ra.id IS NOT NULL THEN ra.id
               WHEN m.responsible <> '' THEN NULL ELSE a.id END AS unit_id,
          CASE WHEN ra.id IS NOT NULL THEN ra.name
               WHEN m.responsible <> '' THEN '' ELSE a.name END AS unit_name,
          m.responsible AS addressee,
          m.description AS description,
          COALESCE(mf.name, '') AS former_agency_name,
          {_MEASURE_FIGURES}
        FROM measure m
        JOIN inspection i ON i.id = m.inspection
        JOIN agency a ON a.id = i.agency
        LEFT JOIN agency ra ON ra.id = m.responsible_agency
        LEFT JOIN agency mf ON mf.id = i.moved_from
        WHERE m.deleted_at IS NULL AND i.deleted_at IS NULL AND i.status <> 'cancelled'
          AND m.status IN ('open', 'partial') AND m.due_on IS NOT NULL"""

OPEN_DEADLINES_SQL = (
    " UNION ALL ".join(_inspection_branch(*step) for step in _INSPECTION_STEPS)
    + " UNION ALL "
    + _MEASURE_BRANCH
)


def deadline_branch_sql(deadline_type: str) -> str:
    """The open deadlines of one type (same columns as OPEN_DEADLINES_SQL)."""
    if deadline_type == "measure":
        return _MEASURE_BRANCH
    for step in _INSPECTION_STEPS:
        if step[0] == deadline_type:
            return _inspection_branch(*step)
    raise KeyError(deadline_type)


# The reference_version row of the ladders (migration 2026-12-07T08:30:00).
LADDERS_CACHE = "ladders"


async def ladders() -> dict[str, Ladder]:
    """The reminder ladder of every deadline type (defaults where no row exists); kept per
    process while no ladder changes (services/reference_cache.py)."""
    return await reference_cache.cached(LADDERS_CACHE, "all", _read_ladders)


async def _read_ladders() -> dict[str, Ladder]:
    rows = await DeadlineLadder.select().output(load_json=True)
    found: dict[str, Ladder] = {}
    for row in rows:
        remind = row["remind_days"]
        if isinstance(remind, str):
            remind = json.loads(remind)
        found[row["deadline_type"]] = Ladder(
            deadline_type=row["deadline_type"],
            remind_days=tuple(int(d) for d in remind or ()),
            overdue_after_days=int(row["overdue_after_days"]),
            escalate_after_days=int(row["escalate_after_days"]),
            active=bool(row["active"]),
        )
    for deadline_type in LADDER_TYPES:
        found.setdefault(deadline_type, Ladder(deadline_type))
    return found


# --------------------------------------------------------------------------- the board


@dataclass(frozen=True)
class BoardFilter:
    """What the board shows: whose subtree, which state, which responsible unit, and the
    narrower filters of a head looking for something (a type of recommendation, deadlines
    late by more than some days, money left above an amount, one case, one plan year)."""

    agency_id: int | None = None
    include_sub: bool = True
    state: str = "open"
    responsible: str | None = None
    measure_type: str | None = None
    overdue_days: int | None = None
    min_left_vnd: int | None = None
    inspection_id: int | None = None
    plan_year: int | None = None
    deadline_type: str | None = None


MAX_OVERDUE_DAYS = 3650
MAX_LEFT_VND = 10**15


def check_filter(
    agency_id: int | None,
    include_sub: bool | None,
    state: str | None,
    responsible: str | None,
    *,
    measure_type: str | None = None,
    overdue_days: int | None = None,
    min_left_vnd: int | None = None,
    inspection_id: int | None = None,
    plan_year: int | None = None,
    deadline_type: str | None = None,
) -> BoardFilter:
    """The board filter from request input; InvalidInput naming every field at fault."""
    errors: dict[str, str] = {}
    state = state or "open"
    if state not in STATES:
        errors["state"] = "Choose due_soon, overdue or open."
    responsible = (responsible or "").strip() or None
    if responsible is not None and len(responsible) > 255:
        errors["responsible"] = "Enter at most 255 characters."
    if agency_id is not None and not 1 <= agency_id <= 2**31 - 1:
        errors["agency_id"] = "Choose an agency from the list."
    if measure_type is not None and measure_type not in MEASURE_TYPES:
        errors["measure_type"] = "Choose a value from the list."
    if overdue_days is not None and not 0 <= overdue_days <= MAX_OVERDUE_DAYS:
        errors["overdue_days"] = "Enter a number of days from 0 to 3650."
    if min_left_vnd is not None and not 0 <= min_left_vnd <= MAX_LEFT_VND:
        errors["min_left_vnd"] = "Enter an amount of đồng from 0 to 10^15."
    if inspection_id is not None and not 1 <= inspection_id <= 2**31 - 1:
        errors["inspection_id"] = "Choose a case from the list."
    if plan_year is not None and not 1990 <= plan_year <= 2100:
        errors["plan_year"] = "Enter a year from 1990 to 2100."
    if deadline_type is not None and deadline_type not in DEADLINE_TYPES:
        errors["deadline_type"] = "Choose a value from the list."
    if errors:
        raise InvalidInput(errors)
    return BoardFilter(
        agency_id,
        True if include_sub is None else include_sub,
        state,
        responsible,
        measure_type,
        overdue_days,
        min_left_vnd,
        inspection_id,
        plan_year,
        deadline_type,
    )


def encode_cursor(row: Deadline) -> str:
    """An opaque cursor after ``row`` in the board order (due day, type, id)."""
    key = [row.due_on.isoformat(), row.type_rank, row.entity_id]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[date, int, int] | None:
    """The board position a cursor points after; InvalidInput on anything not made by us."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode())
        due, rank, entity_id = json.loads(raw)
        position = (date.fromisoformat(due), int(rank), int(entity_id))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput({"cursor": "This cursor is not valid."}) from None
    return position


async def _board_condition(
    principal: Principal, board: BoardFilter, today: date, known: dict[str, Ladder]
) -> tuple[str, list[Any]]:
    """The WHERE condition (on the deadline columns, alias ``d``) of a board filter."""
    path = await agencies.subtree_path(principal, board.agency_id)
    where = ["d.agency_path LIKE {}" if board.include_sub else "d.agency_path = {}"]
    args: list[Any] = [path + "%" if board.include_sub else path]
    if board.state == "overdue":
        where.append("d.due_on < {}")
        args.append(today)
    elif board.state == "due_soon":
        # Each type has its own window: the first reminder of its ladder.
        windows = []
        args.append(today)
        for deadline_type in DEADLINE_TYPES:
            windows.append("(d.deadline_type = {} AND d.due_on <= {})")
            args += [deadline_type, today + timedelta(days=known[deadline_type].soon_window_days)]
        where.append("d.due_on >= {} AND (" + " OR ".join(windows) + ")")
    if board.responsible:
        where.append("(LOWER(d.unit_name) LIKE {} OR LOWER(d.addressee) LIKE {})")
        args += ["%" + board.responsible.lower() + "%"] * 2
    if board.measure_type is not None:
        where.append("d.measure_type = {}")
        args.append(board.measure_type)
    if board.overdue_days is not None:
        # Late by more than N days: due before today - N.
        where.append("d.due_on < {}")
        args.append(today - timedelta(days=board.overdue_days))
    if board.min_left_vnd is not None:
        where.append("d.left_vnd > {}")
        args.append(board.min_left_vnd)
    if board.inspection_id is not None:
        where.append("d.inspection_id = {}")
        args.append(board.inspection_id)
    if board.deadline_type is not None:
        where.append("d.deadline_type = {}")
        args.append(board.deadline_type)
    if board.plan_year is not None:
        where.append(
            "d.inspection_id IN (SELECT pi.id FROM inspection pi"
            " JOIN plan pp ON pp.id = pi.plan WHERE pp.year = {})"
        )
        args.append(board.plan_year)
    return " AND ".join(where), args


async def board_condition(
    principal: Principal, board: BoardFilter, today: date
) -> tuple[str, list[Any]]:
    """The WHERE condition (alias ``d``) of a board filter, with the current ladders."""
    return await _board_condition(principal, board, today, await ladders())


@dataclass(frozen=True)
class Progress:
    """What a recommendation's row shows of its figures, in its own unit: money in đồng,
    land in m² (Decimal), people or cases as a count; a policy recommendation has nothing
    to count (unit ``none``). Discipline also shows its collectives and individuals."""

    unit: str
    target: int | Decimal
    done: int | Decimal
    left: int | Decimal
    collectives: int = 0
    individuals: int = 0
    discipline: bool = False


@dataclass(frozen=True)
class Deadline:
    """One open deadline of the board: an inspection's step or a recommendation's due day,
    with the case it belongs to, the unit responsible for it and, for a recommendation,
    its progress. ``reminded_count`` / ``last_reminded_on`` are the reminder letters that
    named it, and ``reminded_recently`` says that the last is too recent to remind again
    without confirming (set by services.reminder_letters)."""

    entity_type: str
    entity_id: int
    inspection_id: int
    deadline_type: str
    type_rank: int
    due_on: date
    inspection_code: str
    inspection_title: str
    agency_id: int
    agency_name: str
    unit_id: int | None
    unit_name: str
    addressee: str
    description: str
    former_agency_name: str
    measure_type: str | None
    measure_status: str | None
    left_vnd: int
    left_cm2: int
    days_left: int
    state: str
    progress: Progress | None
    reminded_count: int = 0
    last_reminded_on: date | None = None
    reminded_recently: bool = False

    @property
    def days_late(self) -> int:
        return max(-self.days_left, 0)

    @property
    def case_link(self) -> str:
        return f"/inspections/{self.inspection_id}"

    @property
    def link(self) -> str:
        """A recommendation's row leads to the recommendation itself, the others to the case."""
        if self.entity_type == "measure":
            return f"/measures/{self.entity_id}"
        return self.case_link


def measure_progress(row: Mapping[str, Any]) -> Progress:
    """The progress of a recommendation from its row of the deadline query (land in
    hundredths of m², see ``_MEASURE_FIGURES``)."""
    measure_type = str(row["measure_type"])
    unit = measure_unit(measure_type)
    collectives, individuals = int(row["collectives"] or 0), int(row["individuals"] or 0)
    target: int | Decimal
    done: int | Decimal
    if unit == "vnd":
        target, done = int(row["amount_vnd"] or 0), int(row["done_vnd"] or 0)
    elif unit == "m2":
        target = Decimal(int(row["land_cm2"] or 0)) / 100
        done = Decimal(int(row["done_cm2"] or 0)) / 100
    elif unit == "count":
        target = target_of(
            measure_type,
            collectives=collectives,
            individuals=individuals,
            cases=int(row["cases"] or 0),
            persons=int(row["persons"] or 0),
        )
        done = int(row["done_count"] or 0)
    else:
        target, done = 0, 0
    return Progress(
        unit=unit,
        target=target,
        done=done,
        left=remaining(target, done),  # type: ignore[type-var]  # same unit for both
        collectives=collectives,
        individuals=individuals,
        discipline=measure_type == "discipline",
    )


def deadline_of(row: Mapping[str, Any], today: date, soon_window_days: int) -> Deadline:
    """A row of the deadline query (OPEN_DEADLINES_SQL's columns) as the board shows it."""
    due = stored_day(row["due_on"])
    assert due is not None  # every branch keeps only deadlines with a due day
    unit_id = row["unit_id"]
    return Deadline(
        entity_type=str(row["entity_type"]),
        entity_id=int(row["entity_id"]),
        inspection_id=int(row["inspection_id"]),
        deadline_type=str(row["deadline_type"]),
        type_rank=int(row["type_rank"]),
        due_on=due,
        inspection_code=str(row["inspection_code"]),
        inspection_title=str(row["inspection_title"]),
        agency_id=int(row["agency_id"]),
        agency_name=str(row["agency_name"]),
        unit_id=None if unit_id is None else int(unit_id),
        unit_name=str(row["unit_name"] or ""),
        addressee=str(row["addressee"] or ""),
        description=str(row["description"] or ""),
        former_agency_name=str(row["former_agency_name"] or ""),
        measure_type=row["measure_type"],
        measure_status=row["measure_status"],
        left_vnd=int(row["left_vnd"] or 0),
        left_cm2=int(row["left_cm2"] or 0),
        days_left=(due - today).days,
        state=follow_up_state(due, today, soon_window_days),
        progress=measure_progress(row) if row["entity_type"] == "measure" else None,
    )


def _board_row(row: Mapping[str, Any], today: date, known: dict[str, Ladder]) -> Deadline:
    return deadline_of(row, today, known[str(row["deadline_type"])].soon_window_days)


async def _board_rows(
    principal: Principal,
    board: BoardFilter,
    today: date,
    after: tuple[date, int, int] | None,
    limit: int,
) -> list[Deadline]:
    known = await ladders()
    condition, args = await _board_condition(principal, board, today, known)
    if after is not None:
        due, rank, entity_id = after
        condition += (
            " AND (d.due_on > {} OR (d.due_on = {} AND (d.type_rank > {}"
            " OR (d.type_rank = {} AND d.entity_id > {}))))"
        )
        args += [due, due, rank, rank, entity_id]
    # Each deadline type is read in due order (an index on its due column) and cut to the
    # page before the union: sorting every open deadline of the country first cost seconds.
    branches = [
        f"SELECT * FROM (SELECT * FROM ({deadline_branch_sql(deadline_type)}) d"
        f" WHERE {condition} ORDER BY d.due_on, d.entity_id LIMIT {{}}) b"
        for deadline_type in DEADLINE_TYPES
    ]
    sql = (
        "SELECT * FROM (" + " UNION ALL ".join(branches) + ") d"
        " ORDER BY d.due_on, d.type_rank, d.entity_id LIMIT {}"
    )
    branch_args = [*args, limit]
    rows = await Inspection.raw(sql, *(branch_args * len(DEADLINE_TYPES)), limit)
    return [_board_row(row, today, known) for row in rows]


@dataclass(frozen=True)
class DeadlinePage:
    """A page of the board in due order, and the cursor to the next (None on the last)."""

    items: list[Deadline]
    next_cursor: str | None


async def board_page(
    principal: Principal,
    board: BoardFilter,
    today: date,
    cursor: str | None = None,
    limit: int | None = None,
) -> DeadlinePage:
    """One page of open deadlines in scope, soonest first, with the cursor to the next."""
    if limit is None:
        limit = DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput({"limit": "Choose a page size from 1 to 200."})
    rows = await _board_rows(principal, board, today, decode_cursor(cursor), limit + 1)
    items = rows[:limit]
    next_cursor = encode_cursor(items[-1]) if len(rows) > limit and items else None
    return DeadlinePage(items, next_cursor)


async def board_all(principal: Principal, board: BoardFilter, today: date) -> list[Deadline]:
    """Every open deadline of the filter (up to EXPORT_MAX_ROWS), for the exports."""
    return await _board_rows(principal, board, today, None, EXPORT_MAX_ROWS)


# What a group of the board (one responsible unit) sums over its deadlines ``d``: how many,
# how many overdue, money and land left (of all, and of the overdue ones), the soonest due
# day and the oldest overdue one. Four placeholders, each today. The board sums a filter's
# groups with it, and services.follow_up_figures keeps the same sums per agency.
GROUP_SUMS_SQL = """COUNT(*) AS n, SUM(CASE WHEN d.due_on < {} THEN 1 ELSE 0 END) AS od,
  SUM(d.left_vnd) AS lv, SUM(d.left_cm2) AS lc,
  SUM(CASE WHEN d.due_on < {} THEN d.left_vnd ELSE 0 END) AS olv,
  SUM(CASE WHEN d.due_on < {} THEN d.left_cm2 ELSE 0 END) AS olc,
  MIN(d.due_on) AS first, MIN(CASE WHEN d.due_on < {} THEN d.due_on END) AS first_od"""

# A board page shows this many responsible units (groups); the rest are pages away.
GROUPS_PER_PAGE = 20


def _plain(board: BoardFilter) -> bool:
    """True when the board's groups can be read from the figures kept per agency: every
    open or every overdue deadline of a subtree (or of one agency), nothing narrower."""
    return board.state in ("open", "overdue") and not any(
        (
            board.responsible,
            board.measure_type,
            board.overdue_days is not None,
            board.min_left_vnd is not None,
            board.inspection_id,
            board.plan_year,
            board.deadline_type,
        )
    )


@dataclass(frozen=True)
class UnitGroup:
    """The deadlines of one responsible unit (``unit_name`` '' for free text naming no
    agency): how many and how many overdue, money and land left, the soonest due day and
    the oldest overdue one, over all of them; ``rows`` holds only those a page shows."""

    unit_name: str
    count: int
    overdue: int
    left_vnd: int
    left_m2: Decimal
    first_due: date | None
    oldest_overdue: date | None
    rows: tuple[Deadline, ...] = ()

    @property
    def unit_id(self) -> int | None:
        """The agency responsible, when the unit is one (its rows all name the same)."""
        return self.rows[0].unit_id if self.rows else None

    @property
    def measures(self) -> bool:
        """True when the group shows a recommendation (something to remind by letter)."""
        return any(row.progress for row in self.rows)


def _group(
    name: str, count: int, overdue: int, left_vnd: int, left_cm2: int, first: Any, oldest: Any
) -> UnitGroup:
    return UnitGroup(
        unit_name=name,
        count=count,
        overdue=overdue,
        left_vnd=left_vnd,
        left_m2=Decimal(left_cm2) / 100,
        first_due=stored_day(first),
        oldest_overdue=stored_day(oldest),
    )


def _soonest_first(groups: list[UnitGroup]) -> list[UnitGroup]:
    return sorted(groups, key=lambda g: (g.first_due or date.max, g.unit_name))


async def unit_groups(
    principal: Principal, board: BoardFilter, today: date, known: dict[str, Ladder]
) -> list[UnitGroup]:
    """Every group of the filter with its figures (no rows), soonest first.

    The plain board of a subtree reads them from the figures kept per agency (one row, see
    services.follow_up_figures) when they are of today; any other filter sums them in SQL.
    """
    condition, args = await _board_condition(principal, board, today, known)
    groups: list[UnitGroup] = []
    if _plain(board):
        # Imported here: the kept figures are computed from this module's queries.
        from inspect_app.services import follow_up_figures

        agency_id = board.agency_id or principal.agency_id
        kept = await follow_up_figures.kept_units(agency_id, board.include_sub, today)
        if kept is not None:
            overdue_only = board.state == "overdue"
            for name, unit in kept.items():
                if overdue_only and unit.od:
                    groups.append(
                        _group(
                            name, unit.od, unit.od, unit.olv, unit.olc, unit.first_od, unit.first_od
                        )
                    )
                elif not overdue_only and unit.n:
                    groups.append(
                        _group(name, unit.n, unit.od, unit.lv, unit.lc, unit.first, unit.first_od)
                    )
            return _soonest_first(groups)
    rows = await Inspection.raw(
        f"SELECT d.unit_name AS unit_name, {GROUP_SUMS_SQL}"
        f" FROM ({OPEN_DEADLINES_SQL}) d WHERE {condition} GROUP BY d.unit_name",
        *[today] * 4,
        *args,
    )
    for row in rows:
        groups.append(
            _group(
                str(row["unit_name"] or ""),
                int(row["n"]),
                int(row["od"] or 0),
                int(row["lv"] or 0),
                int(row["lc"] or 0),
                row["first"],
                row["first_od"],
            )
        )
    return _soonest_first(groups)


async def _page_deadlines(
    names: list[str], condition: str, args: list[Any], limit: int | None, narrow: bool
) -> tuple[str, list[Any]]:
    """The deadlines of the filter carried by units of these names (SQL and arguments).

    Without ``narrow`` (one page holds every group) the filter is applied as it is. With
    it, the deadlines are read on indexed columns only for the agencies of those names (the
    case's agency, the recommendation's responsible agency); and on PostgreSQL, when only
    the first ``limit`` rows of each group are shown, each agency's recommendations are read
    in due order through ``measure_open_responsible_due_idx`` and cut at ``limit`` (a
    LATERAL join), so that a national page reads a few hundred rows, not every open
    recommendation of its units. The caller ranks the rows per unit.
    """
    name_marks = ", ".join("{}" for _ in names)
    exact = f"d.unit_name IN ({name_marks})"
    if not narrow:
        return (
            f"SELECT * FROM ({OPEN_DEADLINES_SQL}) d WHERE {condition} AND {exact}",
            [*args, *names],
        )
    ids = [
        int(row["id"])
        for row in await Agency.select(Agency.id).where(Agency.name.is_in(names or [""]))
    ] or [0]
    marks = ", ".join("{}" for _ in ids)
    cases = " UNION ALL ".join(
        f"{_inspection_branch(*step)} AND i.agency IN ({marks})" for step in _INSPECTION_STEPS
    )
    parts = [f"SELECT * FROM ({cases}) d WHERE {condition} AND {exact}"]
    part_args: list[Any] = [*ids * len(_INSPECTION_STEPS), *args, *names]
    # The recommendations in disjoint parts, each on its own index: addressed to one of the
    # agencies; of the agencies' cases and addressed to nobody; (for the unidentified group)
    # addressed in free text only.
    measures = [
        ("m.responsible_agency = u.id", True),
        ("m.responsible_agency IS NULL AND m.responsible = '' AND i.agency = u.id", True),
    ]
    if "" in names:
        measures.append(("m.responsible_agency IS NULL AND m.responsible <> ''", False))
    lateral = limit is not None and is_postgres()
    for where, per_agency in measures:
        if lateral and per_agency:
            parts.append(
                "SELECT x.* FROM unnest(CAST({} AS INTEGER[])) AS u(id) CROSS JOIN LATERAL ("
                f"SELECT * FROM ({_MEASURE_BRANCH} AND {where}) d WHERE {condition}"
                f" ORDER BY d.due_on, d.entity_id LIMIT {{}}) x WHERE x.unit_name IN ({name_marks})"
            )
            part_args += [ids, *args, limit, *names]
        elif per_agency:
            narrowed = where.replace("= u.id", f"IN ({marks})")
            parts.append(
                f"SELECT * FROM ({_MEASURE_BRANCH} AND {narrowed}) d WHERE {condition} AND {exact}"
            )
            part_args += [*ids * narrowed.count("IN ("), *args, *names]
        else:
            parts.append(
                f"SELECT * FROM ({_MEASURE_BRANCH} AND {where}) d WHERE {condition} AND {exact}"
            )
            part_args += [*args, *names]
    return " UNION ALL ".join(parts), part_args


async def board_groups(
    principal: Principal,
    board: BoardFilter,
    today: date,
    preview: int,
    expanded: str | None = None,
    page: int = 1,
) -> BoardGroups:
    """The board by responsible unit, a page of groups at a time, soonest group first.

    ``every`` has every group of the filter with its figures (``count``, ``overdue``, money
    and land left, the oldest overdue day: all of its deadlines); ``groups`` the page's
    groups (GROUPS_PER_PAGE), each with ``rows``: its first ``preview`` deadlines, or all of
    them for the group named ``expanded``. Only the page's rows are read.
    """
    known = await ladders()
    every = await unit_groups(principal, board, today, known)
    pages = max(1, -(-len(every) // GROUPS_PER_PAGE))
    page = min(max(page, 1), pages)
    shown = every[(page - 1) * GROUPS_PER_PAGE : page * GROUPS_PER_PAGE]
    rows_of: dict[str, list[Deadline]] = {group.unit_name: [] for group in shown}
    if shown:
        condition, args = await _board_condition(principal, board, today, known)
        names = [group.unit_name for group in shown]
        # One page holds every group: no narrowing needed (the scope already is). A group
        # shown whole needs all its rows: no cut per agency then.
        deadlines, page_args = await _page_deadlines(
            names, condition, args, preview if expanded is None else None, narrow=pages > 1
        )
        rows = await Inspection.raw(
            f"""
            WITH d AS ({deadlines}),
            ranked AS (
              SELECT d.*, ROW_NUMBER() OVER (
                PARTITION BY d.unit_name ORDER BY d.due_on, d.type_rank, d.entity_id
              ) AS group_rank
              FROM d
            )
            SELECT * FROM ranked WHERE group_rank <= {{}} OR unit_name = {{}}
            ORDER BY due_on, type_rank, entity_id
            """,
            *page_args,
            preview,
            expanded,  # None matches no unit (unit_name = NULL is never true)
        )
        for row in rows:
            rows_of[str(row["unit_name"] or "")].append(_board_row(row, today, known))
    groups = [replace(g, rows=tuple(rows_of[g.unit_name])) for g in shown if rows_of[g.unit_name]]
    return BoardGroups(groups, every, page, pages, board_summary(every))


@dataclass(frozen=True)
class BoardSummary:
    """The whole filter's figures, summed over its groups."""

    count: int
    overdue: int
    left_vnd: int
    left_m2: Decimal
    oldest_overdue: date | None


def board_summary(groups: list[UnitGroup]) -> BoardSummary:
    """The whole filter's figures, from its groups (each group counts all its deadlines)."""
    oldest = [group.oldest_overdue for group in groups if group.oldest_overdue]
    return BoardSummary(
        count=sum(group.count for group in groups),
        overdue=sum(group.overdue for group in groups),
        left_vnd=sum(group.left_vnd for group in groups),
        left_m2=sum((group.left_m2 for group in groups), Decimal("0.00")),
        oldest_overdue=min(oldest) if oldest else None,
    )


@dataclass(frozen=True)
class BoardGroups:
    """A page of the board by responsible unit (see board_groups)."""

    groups: list[UnitGroup]
    every: list[UnitGroup]
    page: int
    pages: int
    summary: BoardSummary

    @classmethod
    def empty(cls) -> BoardGroups:
        """No group at all (the board of a filter with errors)."""
        return cls([], [], 1, 1, board_summary([]))


# --------------------------------------------------------------------------- exports

EXPORT_COLUMNS = (
    ("unit_name", N_("Responsible unit")),
    ("inspection_code", N_("Case")),
    ("inspection_title", N_("Title")),
    ("deadline_type", N_("Deadline")),
    ("description", N_("Recommendation")),
    ("measure_status", N_("Status")),
    ("due_on", N_("Due on")),
    ("days_left", N_("Days left")),
    ("state", N_("State")),
    ("target_vnd", N_("Money to recover (đồng)")),
    ("done_vnd", N_("Money recovered (đồng)")),
    ("left_vnd", N_("Money left (đồng)")),
    ("target_m2", N_("Land to recover (m²)")),
    ("left_m2", N_("Land left (m²)")),
    ("agency_name", N_("Agency")),
)


def _figure(row: Deadline, key: str) -> int | Decimal | None:
    """A money or land figure of a recommendation's row (empty for the other units)."""
    progress = row.progress
    if progress is None:
        return None
    part, _, figure = key.partition("_")
    if progress.unit != ("vnd" if figure == "vnd" else "m2"):
        return None
    value: int | Decimal = getattr(progress, part)
    return value


def _export_values(row: Deadline, translate_label: Any, dates: bool = False) -> list[Any]:
    """One row of an export: numbers as numbers; dates as dates when ``dates`` (XLSX), as
    dd/mm/yyyy text otherwise (CSV)."""
    values: list[Any] = []
    for key, _ in EXPORT_COLUMNS:
        if key in ("target_vnd", "done_vnd", "left_vnd", "target_m2", "left_m2"):
            values.append(_figure(row, key))
            continue
        value: Any = getattr(row, key)
        if key == "unit_name" and not value:
            value = translate_label(UNIDENTIFIED_UNIT)
        elif key == "deadline_type":
            value = translate_label(DEADLINE_LABELS[value])
        elif key == "state":
            value = translate_label(STATE_LABELS[value])
        elif key == "measure_status":
            value = translate_label(MEASURE_STATUS_LABELS[value]) if value else ""
        elif key == "due_on" and not dates:
            value = value.strftime("%d/%m/%Y")
        values.append(value)
    return values


STATE_LABELS = {"due_soon": N_("Due soon"), "overdue": N_("Overdue"), "open": N_("Open")}


def export_csv(rows: list[Deadline], translate_label: Any) -> bytes:
    """The board as CSV (UTF-8 with BOM so that Excel shows Vietnamese correctly); stored
    text is made printable (:class:`PrintableText`)."""
    clean = PrintableText("follow-up board CSV")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([translate_label(label) for _, label in EXPORT_COLUMNS])
    for row in rows:
        writer.writerow(clean(_export_values(row, translate_label)))
    clean.log()
    return ("\ufeff" + out.getvalue()).encode("utf-8")


SUMMARY_COLUMNS = (
    N_("Responsible unit"),
    N_("Deadlines"),
    N_("Overdue"),
    N_("Money left (đồng)"),
    N_("Land left (m²)"),
    N_("Overdue since"),
)
SUMMARY_SHEET = N_("Summary")
TOTAL_LINE = N_("Total")
_SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_names(units: list[str], reserved: str) -> dict[str, str]:
    """A distinct Excel sheet name (at most 31 characters, none of []:*?/\\) per unit."""
    taken = {reserved.lower()}
    names: dict[str, str] = {}
    for unit in units:
        base = " ".join(printable(unit).translate(_SHEET_NAME_FORBIDDEN).split())[:31] or "-"
        name, n = base, 2
        while name.lower() in taken:
            suffix = f" ({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        taken.add(name.lower())
        names[unit] = name
    return names


def export_xlsx(rows: list[Deadline], translate_label: Any, today: date) -> bytes:
    """The board as an Excel workbook: a summary sheet (one line per unit, then the total)
    and one sheet per responsible unit with its rows; numbers as numbers and dates as dates
    (dd/mm/yyyy). Write-only mode keeps memory flat; stored text is made printable, which
    openpyxl requires (:class:`PrintableText`)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    clean = PrintableText("follow-up board XLSX")
    book = Workbook(write_only=True)

    def cells(sheet: Any, values: list[Any]) -> list[Any]:
        out = []
        for value in values:
            if isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD/MM/YYYY"
                out.append(cell)
            else:
                out.append(value)
        return out

    by_unit: dict[str, list[Deadline]] = {}
    for row in rows:
        by_unit.setdefault(row.unit_name or translate_label(UNIDENTIFIED_UNIT), []).append(row)
    summary_title = translate_label(SUMMARY_SHEET)
    names = sheet_names(list(by_unit), summary_title)
    summary = book.create_sheet(summary_title)
    summary.append([translate_label(label) for label in SUMMARY_COLUMNS])
    totals: list[Any] = [translate_label(TOTAL_LINE), 0, 0, 0, Decimal("0.00"), None]
    for unit, unit_rows in by_unit.items():
        overdue = [row.due_on for row in unit_rows if row.due_on < today]
        line = [
            unit,
            len(unit_rows),
            len(overdue),
            sum(_figure(row, "left_vnd") or 0 for row in unit_rows),
            sum((_figure(row, "left_m2") or Decimal("0.00") for row in unit_rows), Decimal("0")),
            min(overdue) if overdue else None,
        ]
        summary.append(cells(summary, clean(line)))
        for index in (1, 2, 3, 4):
            totals[index] += line[index]
        if line[5] is not None and (totals[5] is None or line[5] < totals[5]):
            totals[5] = line[5]
    summary.append(cells(summary, totals))
    header = [translate_label(label) for _, label in EXPORT_COLUMNS]
    for unit, unit_rows in by_unit.items():
        sheet = book.create_sheet(names[unit])
        sheet.append(header)
        for row in unit_rows:
            sheet.append(cells(sheet, clean(_export_values(row, translate_label, dates=True))))
    clean.log()
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def record_export(
    principal: Principal, board: BoardFilter, fmt: str, rows: int, ip: str
) -> None:
    """Audit an export of the board: who took which rows out, in which format."""
    await audit.record(
        "export",
        actor=principal,
        entity_type="follow_up",
        agency_id=board.agency_id or principal.agency_id,
        after={
            "format": fmt,
            "rows": rows,
            "agency_id": board.agency_id,
            "include_sub": board.include_sub,
            "state": board.state,
            "responsible": board.responsible,
            "measure_type": board.measure_type,
            "overdue_days": board.overdue_days,
            "min_left_vnd": board.min_left_vnd,
            "inspection_id": board.inspection_id,
            "plan_year": board.plan_year,
        },
        ip=ip,
    )
