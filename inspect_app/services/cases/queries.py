"""Reading cases in the reader's scope: one case (resolved once, CaseContext), the lists
with their period rules, the timeline, and a plan's cases."""

from __future__ import annotations

from datetime import date
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.query.functions.aggregate import Count

from inspect_app import clock
from inspect_app.data_version import KeptByVersion
from inspect_app.domain import lifecycle
from inspect_app.domain.periods import InvalidPeriod, Period, parse_period
from inspect_app.errors import NotFound
from inspect_app.prepared import Param, PreparedSelect
from inspect_app.principal import Principal
from inspect_app.schemas.cases import Inspection as InspectionOut
from inspect_app.schemas.cases import InspectionList
from inspect_app.services.agencies import get_visible as get_visible_agency
from inspect_app.services.case_context import CaseContext, StoredCase
from inspect_app.services.cases.overlap import (
    CASE_REF,
    OverlapCase,
    _links,
    case_from_lists,
    case_lists,
    overlap_warnings,
)
from inspect_app.services.cases.records import (
    EVENT_FIELDS,
    INSPECTION_FIELDS,
    ORIGINS,
    TimelineEvent,
    _in_scope,
    _load,
    _out,
    event_out,
    scope_where,
)
from inspect_app.services.casework import (
    MAX_ID,
    Errors,
    clean_query,
    decode_cursor,
    ensure_id,
    page_limit,
    page_of,
)
from inspect_app.services.json_lists import list_columns, take_lists
from inspect_app.services.subjects import like_terms
from inspect_app.settings import get_settings
from models.tables import (
    Inspection,
    InspectionEvent,
    InspectionSubject,
    Measure,
)


async def case_context(principal: Principal, inspection_id: int) -> CaseContext:
    """Resolve a case in the reader's scope once, for every loader of the request;
    NotFound otherwise (existence is not revealed)."""
    ensure_id(inspection_id)
    row = (
        await Inspection.select(
            *INSPECTION_FIELDS, Inspection.agency._.name.as_alias("agency_name")
        )
        .where((Inspection.id == inspection_id) & _in_scope(principal))
        .first()
    )
    if row is None:
        raise NotFound()
    return CaseContext(
        principal=principal, row=StoredCase.of(row), agency_name=str(row["agency_name"])
    )


async def get_inspection(principal: Principal, inspection_id: int) -> InspectionOut:
    """One case in scope with its subjects, team, deadlines, overdue flag and warnings, in
    one statement (its links and the Directive 20 look-up as JSON columns)."""
    ensure_id(inspection_id)
    row = await _CASE.first(id=inspection_id, scope=principal.scope_pattern)
    if row is None:
        raise NotFound()
    got = take_lists(_CASE_LISTS, row)
    return case_from_lists(principal, StoredCase.of(row), got)


_CASE_LISTS = case_lists(CASE_REF)
# The most read statement of the API, built once (inspect_app.prepared).
_CASE = PreparedSelect(
    Inspection,
    lambda: (
        Inspection.select(*INSPECTION_FIELDS, *list_columns(_CASE_LISTS))
        .where((Inspection.id == Param("id")) & scope_where(Param("scope")))
        .limit(1)
    ),
)


# The case of an outer statement on ``inspection``, as list subqueries refer to it.


def overdue_sql(today: date) -> str:
    """SQL condition on ``"inspection"``: a legal deadline passed with its step not done."""
    t = f"'{today.isoformat()}'"
    i = '"inspection".'

    def late(due: str, *done: str) -> str:
        # Spelled out with IS NOT NULL so that NOT (...) never meets a NULL.
        pending = " AND ".join(f"{i}{d} IS NULL" for d in done)
        return f"({i}{due} IS NOT NULL AND {i}{due} < {t} AND {pending})"

    return (
        f"({i}status NOT IN ('closed', 'cancelled') AND ("
        + " OR ".join(
            [
                late("onsite_due", "onsite_ended_on"),
                late("report_due", "report_on", "concluded_on"),
                late("conclusion_due", "concluded_on"),
                late("publication_due", "published_on"),
                late("directive_due", "directive_on"),
            ]
        )
        + "))"
    )


def period_clauses(period: Period) -> list[WhereRaw]:
    """Cases that started in the period, or were carried over into it (see the module doc):
    the rule of the reports' "total" (services.totals), so that the list counts as the
    report does."""
    start = 'COALESCE("inspection".announced_on, "inspection".decision_date)'
    return [
        WhereRaw(f"{start} <= {{}}", period.end),
        WhereRaw(
            f"({start} >= {{}} OR ("
            '("inspection".concluded_on IS NULL OR "inspection".concluded_on >= {}) AND '
            '("inspection".closed_on IS NULL OR "inspection".closed_on >= {}) AND '
            '("inspection".cancelled_on IS NULL OR "inspection".cancelled_on >= {})))',
            period.start,
            period.start,
            period.start,
            period.start,
        ),
    ]


def concluded_clauses(period: Period) -> list[WhereRaw]:
    """Cases concluded within the period (the reports' "concluded" and its results)."""
    return [
        WhereRaw('"inspection".concluded_on >= {}', period.start),
        WhereRaw('"inspection".concluded_on <= {}', period.end),
    ]


def report_table_clause(table: int) -> WhereRaw:
    """Cases of the kinds a report table counts (1 inspections, 2 specialised checks)."""
    return WhereRaw(
        '"inspection".kind IN (SELECT ck.code FROM case_kind ck WHERE ck.report_table = {})',
        table,
    )


async def list_inspections(
    principal: Principal,
    *,
    agency_id: int | None = None,
    include_sub: bool = True,
    year: int | None = None,
    period: str | None = None,
    origin: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    overdue: bool | None = None,
    subject_id: int | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    report_table: int | None = None,
    concluded_in: str | None = None,
) -> InspectionList:
    """Cases in scope, newest first (keyset on id), with the count of each status.

    ``period`` keeps the cases a report of that period counts in its total (started in it or
    carried over), ``concluded_in`` those concluded within a period, ``report_table`` the
    kinds of one report table (1 inspections, 2 specialised checks).
    """
    size = page_limit(limit)
    after = decode_cursor(cursor)
    errors = Errors()
    clauses: list[Any] = [_in_scope(principal)]
    ensure_id(agency_id)
    if agency_id is not None:
        agency = await get_visible_agency(principal, agency_id)
        clauses.append(
            Inspection.agency.path.like(agency.path + "%")
            if include_sub
            else (Inspection.agency == agency_id)
        )
    try:
        if period:
            clauses += period_clauses(parse_period(period))
        if year is not None:
            clauses += period_clauses(Period(year, "Y"))
    except InvalidPeriod:
        errors["period" if period else "year"] = "Enter a period such as 2026-Q1 or 2026-6M."
    if concluded_in:
        try:
            clauses += concluded_clauses(parse_period(concluded_in))
        except InvalidPeriod:
            errors["concluded_in"] = "Enter a period such as 2026-Q1 or 2026-6M."
    if report_table is not None and report_table not in (1, 2):
        errors["table"] = "Choose a value from the list."
    elif report_table is not None:
        clauses.append(report_table_clause(report_table))
    if origin is not None and origin not in ORIGINS:
        errors["origin"] = "Choose a value from the list."
    elif origin:
        clauses.append(Inspection.origin == origin)
    if kind:
        clauses.append(Inspection.kind == clean_query(kind))
    if status is not None and status not in lifecycle.STATUSES:
        errors["status"] = "Choose a value from the list."
    errors.raise_if_any()
    if overdue is not None:
        sql = overdue_sql(clock.today())
        clauses.append(WhereRaw(sql if overdue else f"NOT {sql}"))
    if subject_id is not None and not 1 <= subject_id <= MAX_ID:
        subject_id = 0  # matches nothing
    if subject_id is not None:
        clauses.append(
            Inspection.id.is_in(
                InspectionSubject.select(InspectionSubject.inspection).where(
                    InspectionSubject.subject == subject_id
                )
            )
        )
    clauses += like_terms('"inspection".search_text', q or "")
    query = Inspection.select(*INSPECTION_FIELDS)
    counts_query = Inspection.select(Inspection.status, Count(alias="n")).group_by(
        Inspection.status
    )
    for clause in clauses:
        query = query.where(clause)
        counts_query = counts_query.where(clause)
    if status:
        query = query.where(Inspection.status == status)
    if after is not None:
        query = query.where(Inspection.id < after)
    rows = await query.order_by(Inspection.id, ascending=False).limit(size + 1)
    page = page_of([StoredCase.of(row) for row in rows], size)
    links = await _links([case.id for case in page.items])
    warnings = await overlap_warnings(
        principal,
        [OverlapCase.of(case) for case in page.items],
        links.subjects,
        links.tax_codes,
    )
    today = clock.today()
    items = [
        _out(case, links.subjects[case.id], links.members[case.id], warnings[case.id], today)
        for case in page.items
    ]
    # The same for every page of one filter: kept while the data version holds.
    counts_key = (
        principal.scope_pattern,
        agency_id,
        include_sub,
        year,
        period,
        origin,
        kind,
        clock.today() if overdue is not None else None,
        overdue,
        subject_id,
        q,
        report_table,
        concluded_in,
    )
    counts = await _kept_counts.through(
        counts_key, get_settings().page_cache_seconds, lambda: _status_counts(counts_query)
    )
    return InspectionList(items=items, next_cursor=page.next_cursor, counts=dict(counts))


# The counts per status of the lists' filters (list_inspections).
_kept_counts: KeptByVersion[dict[str, int]] = KeptByVersion(5_000)


async def _status_counts(counts_query: Any) -> dict[str, int]:
    counts = {name: 0 for name in lifecycle.STATUSES}
    for row in await counts_query:
        counts[row["status"]] = row["n"]
    return counts


def forget_kept() -> None:
    """Forget the kept counts (tests: ids start again in an emptied database)."""
    _kept_counts.clear()


async def open_measures(inspection_id: int) -> int:
    """How many measures of the case are neither done nor written off."""
    return int(
        await Measure.count().where(
            (Measure.inspection == inspection_id)
            & Measure.deleted_at.is_null()
            & Measure.status.not_in(["done", "written_off"])
        )
    )


async def list_events(principal: Principal, inspection_id: int) -> list[TimelineEvent]:
    """The timeline of a case, in the order the events happened."""
    return await events_of(await case_context(principal, inspection_id))


async def events_of(case: CaseContext) -> list[TimelineEvent]:
    """The timeline of a resolved case, in the order the events happened."""
    rows = (
        await InspectionEvent.select(*EVENT_FIELDS)
        .where(InspectionEvent.inspection == case.id)
        .order_by(InspectionEvent.date)
        .order_by(InspectionEvent.id)
    )
    return [event_out(row) for row in rows]


async def visible_case(principal: Principal, inspection_id: int) -> StoredCase:
    """The stored row of a case in scope (no links or warnings): for the child records."""
    return await _load(principal, inspection_id)


async def list_plan_inspections(principal: Principal, plan_id: int) -> list[InspectionOut]:
    """The cases carried out under one plan in scope, in the order they were registered."""
    ensure_id(plan_id)
    cases = [
        StoredCase.of(row)
        for row in await Inspection.select(*INSPECTION_FIELDS)
        .where((Inspection.plan == plan_id) & _in_scope(principal))
        .order_by(Inspection.id)
    ]
    links = await _links([case.id for case in cases])
    today = clock.today()
    return [
        _out(case, links.subjects[case.id], links.members[case.id], [], today) for case in cases
    ]


async def plan_progress(principal: Principal, plan_id: int) -> dict[str, int]:
    """How many cases of a plan exist, were announced, concluded and cancelled (in SQL)."""
    ensure_id(plan_id)
    rows = await Inspection.raw(
        "SELECT COUNT(*) AS planned,"
        " COUNT(i.announced_on) AS started,"
        " COUNT(i.concluded_on) AS finished,"
        " COUNT(i.cancelled_on) AS cancelled"
        ' FROM "inspection" i JOIN "agency" a ON a.id = i.agency'
        " WHERE i.plan = {} AND i.deleted_at IS NULL AND a.path LIKE {}",
        plan_id,
        principal.scope_pattern,
    )
    row = rows[0] if rows else {}
    return {key: int(row.get(key) or 0) for key in ("planned", "started", "finished", "cancelled")}
