"""Inspections and specialised checks: creation, edits, lifecycle events and lists in scope.

Rules kept here, for JSON handlers and pages alike:

- A case belongs to an agency; the caller sees the cases of their agency's subtree only.
- Its code is generated: ``TT-<year>-<id>`` for inspections, ``KT-<year>-<id>`` for
  specialised checks (report table 2), the year being the year it was registered.
- Reporting periods (Circular 01/2024): a case *starts* on its announcement date, or on its
  decision date while not announced. It belongs to a period when it started in the period,
  or when it is carried over: started before the period and still open at its start (not
  closed or cancelled before the first day). A case with neither date belongs to no period.
  ``year=2026`` is the report year 2026 (15/12/2025 to 14/12/2026), the same as ``2026-Y``.
- Directive 20/CT-TTg: an enterprise (a subject with a tax code) should be inspected or
  checked at most once a calendar year, by anyone. Saving still succeeds; the answer carries
  a ``subject_already_inspected`` warning, and a head may record an override reason.
- Lifecycle events follow ``domain.lifecycle``; each is recorded, moves the date columns and
  recomputes the legal deadlines (``domain.clock``) in the same transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.columns.combination import WhereRaw
from piccolo.query.functions.aggregate import Count

from inspect_app import clock
from inspect_app.domain import lifecycle
from inspect_app.domain.approvals import REASON_REQUIRED
from inspect_app.domain.clock import (
    ClockInput,
    DeadlineRules,
    Deadlines,
    Suspension,
    compute_deadlines,
    overdue_steps,
    resume_problem,
)
from inspect_app.domain.holidays import HolidayCalendar, load_calendar
from inspect_app.domain.periods import InvalidPeriod, Period, parse_period
from inspect_app.domain.text import fold_vietnamese, searchable_number
from inspect_app.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspect_app.i18n import translate
from inspect_app.principal import Principal
from inspect_app.services import audit, publications
from inspect_app.services.agencies import get_visible as get_visible_agency
from inspect_app.services.approval_requests import Approved, ask
from inspect_app.services.case_access import NOT_ON_TEAM, ensure_case_write, team_role
from inspect_app.services.case_context import CaseContext
from inspect_app.services.casework import (
    MAX_ID,
    Errors,
    choice,
    clean_query,
    decode_cursor,
    ensure_id,
    flag,
    id_list,
    not_in_future,
    optional_date,
    page_limit,
    page_of,
    record_id,
    required_date,
    stale_version,
    text,
    whole_number,
)
from inspect_app.services.json_lists import Field, JsonList, list_columns, take_lists
from inspect_app.services.subjects import like_terms
from inspect_app.services.unit_of_work import unit_of_work
from inspect_app.settings import get_settings
from models.tables import (
    AppUser,
    CaseKind,
    Finding,
    Inspection,
    InspectionEvent,
    InspectionExtension,
    InspectionMember,
    InspectionSubject,
    InspectionSuspension,
    Measure,
    Plan,
    ReminderItem,
    Subject,
)

ORIGINS = ("scheduled", "ad_hoc")
ORIGIN_SOURCES = (
    "hotline",
    "feedback_box",
    "complaint",
    "denunciation",
    "directive",
    "signs",
    "other",
)
CASE_WORKER_ROLES = ("inspector", "lead", "head")
FINISHED_STATUSES = ("closed", "cancelled")
MAX_DURATION_DAYS = 365
RULES = DeadlineRules()
OVERLAP_WARNING = "subject_already_inspected"
OVERLAP_MESSAGE = "This enterprise was already inspected or checked this year: {codes}."
CASE_FINISHED = "A closed or cancelled case cannot be changed."

INSPECTION_FIELDS = (
    Inspection.id,
    Inspection.code,
    Inspection.agency,
    Inspection.plan,
    Inspection.origin,
    Inspection.origin_source,
    Inspection.origin_ref,
    Inspection.kind,
    Inspection.title,
    Inspection.scope,
    Inspection.period_from,
    Inspection.period_to,
    Inspection.lead_user,
    Inspection.decision_no,
    Inspection.decision_date,
    Inspection.duration_days,
    Inspection.working_days,
    Inspection.announced_on,
    Inspection.onsite_ended_on,
    Inspection.report_on,
    Inspection.conclusion_no,
    Inspection.concluded_on,
    Inspection.published_on,
    Inspection.directive_on,
    Inspection.closed_on,
    Inspection.cancelled_on,
    Inspection.cancel_reason,
    Inspection.status,
    Inspection.onsite_due,
    Inspection.report_due,
    Inspection.conclusion_due,
    Inspection.publication_due,
    Inspection.directive_due,
    Inspection.overlap_override_reason,
    Inspection.overlap_override_by,
    Inspection.version,
    Inspection.created_at,
    Inspection.updated_at,
)
DEADLINE_COLUMNS = (
    "onsite_due",
    "report_due",
    "conclusion_due",
    "publication_due",
    "directive_due",
)
LIFECYCLE_DATES = (
    "decision_date",
    "announced_on",
    "onsite_ended_on",
    "report_on",
    "concluded_on",
    "published_on",
    "directive_on",
    "closed_on",
    "cancelled_on",
)
# Event -> the date column it fills.
EVENT_DATE_COLUMN = {
    "announce": "announced_on",
    "end_onsite": "onsite_ended_on",
    "report": "report_on",
    "conclude": "concluded_on",
    "publish": "published_on",
    "direct": "directive_on",
    "close": "closed_on",
    "cancel": "cancelled_on",
}


@lru_cache(maxsize=4)
def _calendar(path: str | None) -> HolidayCalendar:
    return load_calendar(path)


def holiday_calendar() -> HolidayCalendar:
    """The holiday calendar of the settings (shipped file plus the optional override)."""
    return _calendar(get_settings().holidays_file)


# --------------------------------------------------------------------------- reading


def _in_scope(principal: Principal) -> Any:
    return Inspection.agency.path.like(principal.scope_pattern) & Inspection.deleted_at.is_null()


def in_scope(principal: Principal) -> Any:
    """The condition on ``Inspection`` that keeps the cases the reader may see."""
    return _in_scope(principal)


def _clock_input(
    row: dict[str, Any], extensions: Iterable[int] = (), suspensions: Iterable[Suspension] = ()
) -> ClockInput:
    return ClockInput(
        announced_on=row["announced_on"],
        duration_days=row["duration_days"],
        working_days=row["working_days"],
        extension_days=tuple(extensions),
        suspensions=tuple(suspensions),
        onsite_ended_on=row["onsite_ended_on"],
        concluded_on=row["concluded_on"],
        published_on=row["published_on"],
        directive_on=row["directive_on"],
        reported_on=row["report_on"],
    )


def _overdue_steps(row: dict[str, Any], today: date) -> list[str]:
    if row["status"] in FINISHED_STATUSES:
        return []
    deadlines = Deadlines(
        onsite_due=row["onsite_due"],
        report_due=row["report_due"],
        conclusion_due=row["conclusion_due"],
        publication_due=row["publication_due"],
        directive_due=row["directive_due"],
    )
    return overdue_steps(_clock_input(row), deadlines, today)


def _out(
    row: dict[str, Any],
    subject_ids: list[int],
    member_ids: list[int],
    warnings: list[dict[str, Any]],
    today: date,
) -> dict[str, Any]:
    out = dict(row)
    out["agency_id"] = out.pop("agency")
    out["plan_id"] = out.pop("plan")
    out["lead_user_id"] = out.pop("lead_user")
    out["overlap_override_by"] = out.pop("overlap_override_by")
    out["subject_ids"] = subject_ids
    out["member_user_ids"] = member_ids
    out["deadlines"] = {
        "onsite_due": out.pop("onsite_due"),
        "report_due": out.pop("report_due"),
        "conclusion_due": out.pop("conclusion_due"),
        "publication_due": out.pop("publication_due"),
        "directive_due": out.pop("directive_due"),
    }
    steps = _overdue_steps(row, today)
    out["overdue"] = bool(steps)
    out["overdue_steps"] = steps
    out["warnings"] = warnings
    return out


def _reference_date(row: dict[str, Any]) -> date:
    """The date that places a case in a year: announcement, else decision, else registration."""
    if row.get("announced_on"):
        return row["announced_on"]  # type: ignore[no-any-return]
    if row.get("decision_date"):
        return row["decision_date"]  # type: ignore[no-any-return]
    created = row.get("created_at")
    if isinstance(created, datetime):
        aware = created if created.tzinfo else created.replace(tzinfo=UTC)
        return aware.astimezone(ZoneInfo(get_settings().time_zone)).date()
    return clock.today()


@dataclass(frozen=True, slots=True)
class CaseLinks:
    """The subjects and team members of some cases, and the tax codes of those subjects."""

    subjects: dict[int, list[int]]
    members: dict[int, list[int]]
    tax_codes: dict[int, str]


async def _links(ids: list[int]) -> CaseLinks:
    subjects: dict[int, list[int]] = {i: [] for i in ids}
    members: dict[int, list[int]] = {i: [] for i in ids}
    tax_codes: dict[int, str] = {}
    if not ids:
        return CaseLinks(subjects, members, tax_codes)
    # Both links and the subjects' tax codes (for the overlap warnings) in one statement;
    # ids are ints (the caller's own rows), never user text.
    listed = ", ".join(str(int(i)) for i in ids)
    rows = await InspectionSubject.raw(
        "SELECT 's' AS link, l.inspection, l.subject AS ref, l.id, s.tax_code"
        " FROM inspection_subject l JOIN subject s ON s.id = l.subject"
        f" WHERE l.inspection IN ({listed})"
        " UNION ALL SELECT 'm', inspection, \"user\", id, NULL FROM inspection_member"
        f" WHERE inspection IN ({listed})"
        " ORDER BY link, id"
    )
    for row in rows:
        (subjects if row["link"] == "s" else members)[row["inspection"]].append(row["ref"])
        if row["tax_code"]:
            tax_codes[row["ref"]] = row["tax_code"]
    return CaseLinks(subjects, members, tax_codes)


async def overlap_warnings(
    principal: Principal,
    rows: list[dict[str, Any]],
    subjects: dict[int, list[int]],
    tax_codes: dict[int, str] | None = None,
) -> dict[int, list[dict[str, Any]]]:
    """Directive 20 warnings of each case: its enterprises inspected elsewhere the same year.

    Looks across every agency (the rule is about the enterprise, not who inspects it); one
    query for a whole page of cases when the subjects' ``tax_codes`` are known (read with
    the links), two otherwise (a case not saved yet).
    """
    result: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in rows}
    all_subjects = {s for ids in subjects.values() for s in ids}
    if not all_subjects:
        return result
    if tax_codes is None:
        tax_codes = {
            row["id"]: row["tax_code"]
            for row in await Subject.select(Subject.id, Subject.tax_code).where(
                Subject.id.is_in(list(all_subjects)) & Subject.tax_code.is_not_null()
            )
            if row["tax_code"]
        }
    if not tax_codes:
        return result
    others = await InspectionSubject.select(
        InspectionSubject.inspection.id.as_alias("inspection_id"),
        InspectionSubject.inspection.code.as_alias("code"),
        InspectionSubject.inspection.announced_on.as_alias("announced_on"),
        InspectionSubject.inspection.decision_date.as_alias("decision_date"),
        InspectionSubject.inspection.created_at.as_alias("created_at"),
        InspectionSubject.subject.tax_code.as_alias("tax_code"),
    ).where(
        InspectionSubject.subject.tax_code.is_in(sorted(set(tax_codes.values())))
        & InspectionSubject.inspection.deleted_at.is_null()
        & (InspectionSubject.inspection.status != "cancelled")
    )
    return overlap_from(principal, rows, subjects, tax_codes, others)


def overlap_from(
    principal: Principal,
    rows: list[dict[str, Any]],
    subjects: dict[int, list[int]],
    tax_codes: dict[int, str],
    others: list[dict[str, Any]],
) -> dict[int, list[dict[str, Any]]]:
    """The warnings of :func:`overlap_warnings` from what it reads: the cases' subjects and
    their tax codes, and every live case link of an enterprise with one of those codes."""
    result: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in rows}
    lang = principal.language
    for row in rows:
        year = _reference_date(row).year
        overridden = bool(row.get("overlap_override_reason"))
        for subject_id in subjects.get(row["id"], []):
            tax_code = tax_codes.get(subject_id)
            if tax_code is None:
                continue
            codes = sorted(
                {
                    other["code"]
                    for other in others
                    if other["tax_code"] == tax_code
                    and other["inspection_id"] != row["id"]
                    and _reference_date(other).year == year
                }
            )
            if codes:
                result[row["id"]].append(
                    {
                        "code": OVERLAP_WARNING,
                        "subject_id": subject_id,
                        "tax_code": tax_code,
                        "year": year,
                        "inspection_codes": codes,
                        "overridden": overridden,
                        "message": translate(OVERLAP_MESSAGE, lang, codes=", ".join(codes)),
                    }
                )
    return result


async def _load(principal: Principal, inspection_id: int) -> dict[str, Any]:
    ensure_id(inspection_id)
    row = (
        await Inspection.select(*INSPECTION_FIELDS)
        .where((Inspection.id == inspection_id) & _in_scope(principal))
        .first()
    )
    if row is None:
        raise NotFound()
    return row


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
    agency_name = str(row.pop("agency_name"))
    return CaseContext(principal=principal, row=row, agency_name=agency_name)


async def get_inspection(principal: Principal, inspection_id: int) -> dict[str, Any]:
    """One case in scope with its subjects, team, deadlines, overdue flag and warnings, in
    one statement (its links and the Directive 20 look-up as JSON columns)."""
    ensure_id(inspection_id)
    lists = case_lists(CASE_REF)
    row = (
        await Inspection.select(*INSPECTION_FIELDS, *list_columns(lists))
        .where((Inspection.id == inspection_id) & _in_scope(principal))
        .first()
    )
    if row is None:
        raise NotFound()
    return case_from_lists(principal, row, take_lists(lists, row))


# The case of an outer statement on ``inspection``, as list subqueries refer to it.
CASE_REF = '"inspection"."id"'


def case_lists(case_ref: str) -> dict[str, JsonList]:
    """What a case is shown with, as lists of one statement (services.json_lists): its
    subjects with their tax codes, its team, and every live case link of an enterprise with
    one of those tax codes (the Directive 20 look-up of :func:`overlap_warnings`)."""
    own_codes = (
        "SELECT cs.tax_code FROM inspection_subject cl JOIN subject cs ON cs.id = cl.subject"
        f" WHERE cl.inspection = {case_ref} AND cs.tax_code IS NOT NULL AND cs.tax_code <> ''"
    )
    return {
        "subject_links": JsonList(
            fields=(
                Field("subject", "l.subject", "int"),
                Field("tax_code", "s.tax_code", "str"),
            ),
            source="FROM inspection_subject l JOIN subject s ON s.id = l.subject"
            f" WHERE l.inspection = {case_ref}",
            order_by="l.id",
        ),
        "member_links": JsonList(
            fields=(Field("user", 'm."user"', "int"),),
            source=f"FROM inspection_member m WHERE m.inspection = {case_ref}",
            order_by="m.id",
        ),
        "overlap_others": JsonList(
            fields=(
                Field("inspection_id", "oi.id", "int"),
                Field("code", "oi.code", "str"),
                Field("announced_on", "oi.announced_on", "date"),
                Field("decision_date", "oi.decision_date", "date"),
                Field("created_at", "oi.created_at", "datetime"),
                Field("tax_code", "osub.tax_code", "str"),
            ),
            source="FROM inspection_subject os JOIN inspection oi ON oi.id = os.inspection"
            " JOIN subject osub ON osub.id = os.subject"
            " WHERE oi.deleted_at IS NULL AND oi.status <> 'cancelled'"
            f" AND osub.tax_code IN ({own_codes})",
            order_by="os.id",
        ),
    }


def case_from_lists(
    principal: Principal, row: dict[str, Any], got: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    """A case read with :func:`case_lists` as the API and pages show it."""
    subject_ids = [link["subject"] for link in got["subject_links"]]
    tax_codes = {
        link["subject"]: link["tax_code"] for link in got["subject_links"] if link["tax_code"]
    }
    subjects = {row["id"]: subject_ids}
    warnings = (
        overlap_from(principal, [row], subjects, tax_codes, got["overlap_others"])
        if tax_codes
        else {row["id"]: []}
    )
    member_ids = [link["user"] for link in got["member_links"]]
    return _out(row, subject_ids, member_ids, warnings[row["id"]], clock.today())


async def _shown(principal: Principal, row: dict[str, Any], links: CaseLinks) -> dict[str, Any]:
    """A stored case row with its links (read before) and its overlap warnings."""
    warnings = await overlap_warnings(principal, [row], links.subjects, links.tax_codes)
    case_id = row["id"]
    return _out(
        row, links.subjects[case_id], links.members[case_id], warnings[case_id], clock.today()
    )


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
) -> dict[str, Any]:
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
            Inspection.agency.path.like(agency["path"] + "%")
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
    page = page_of(rows, size)
    ids = [row["id"] for row in page["items"]]
    links = await _links(ids)
    warnings = await overlap_warnings(principal, page["items"], links.subjects, links.tax_codes)
    today = clock.today()
    page["items"] = [
        _out(row, links.subjects[row["id"]], links.members[row["id"]], warnings[row["id"]], today)
        for row in page["items"]
    ]
    counts = {name: 0 for name in lifecycle.STATUSES}
    for row in await counts_query:
        counts[row["status"]] = row["n"]
    page["counts"] = counts
    return page


# --------------------------------------------------------------------------- validation


async def _case_kind_problem(kind: str, on: date) -> str | None:
    row = await CaseKind.select().where((CaseKind.code == kind) & (CaseKind.active == True)).first()  # noqa: E712
    if row is None:
        return "Choose a value from the list."
    if row["valid_to"] is not None and on > row["valid_to"]:
        return "This kind of case is no longer used for cases after its end date."
    if row["valid_from"] is not None and on < row["valid_from"]:
        return "This kind of case is not yet in use on that date."
    return None


async def _report_table(kind: str) -> int:
    row = await CaseKind.select(CaseKind.report_table).where(CaseKind.code == kind).first()
    return int(row["report_table"]) if row else 1


async def _validate(
    principal: Principal, data: dict[str, Any], current: dict[str, Any] | None
) -> dict[str, Any]:
    """Checked values of the given fields (all required ones when creating)."""
    creating = current is None
    errors = Errors()
    values: dict[str, Any] = {}

    def given(key: str) -> bool:
        return creating or key in data

    if creating:
        values["agency_id"] = record_id(data, "agency_id", errors) or principal.agency_id
    if given("title"):
        values["title"] = text(data, "title", errors, max_length=1000, required=True)
    if given("origin"):
        values["origin"] = choice(data, "origin", ORIGINS, errors) or (
            "scheduled" if creating and "origin" not in errors else None
        )
        if values["origin"] is None and "origin" not in errors:
            errors["origin"] = "Choose a value from the list."
    if given("origin_source"):
        values["origin_source"] = choice(data, "origin_source", ORIGIN_SOURCES, errors)
    if given("origin_ref"):
        values["origin_ref"] = text(data, "origin_ref", errors, max_length=255) or ""
    if given("kind"):
        values["kind"] = text(data, "kind", errors, max_length=40) or (
            "inspection" if creating else None
        )
        if values["kind"] is None and "kind" not in errors:
            errors["kind"] = "Choose a value from the list."
    if given("scope"):
        values["scope"] = text(data, "scope", errors, max_length=10_000) or ""
    for key in ("period_from", "period_to", "decision_date"):
        if given(key):
            values[key] = optional_date(data, key, errors)
    not_in_future(values.get("decision_date"), "decision_date", errors)
    if given("decision_no"):
        values["decision_no"] = text(data, "decision_no", errors, max_length=64) or None
    if given("duration_days"):
        duration = whole_number(data, "duration_days", errors, minimum=1, maximum=MAX_DURATION_DAYS)
        if "duration_days" in errors:
            errors["duration_days"] = "Enter a number of days from 1 to 365."
        values["duration_days"] = duration or (RULES.default_duration_days if creating else None)
        if values["duration_days"] is None and "duration_days" not in errors:
            errors["duration_days"] = "Enter a number of days from 1 to 365."
    if given("working_days"):
        working = flag(data, "working_days", errors)
        values["working_days"] = bool(working) if working is not None or creating else None
        if values["working_days"] is None and "working_days" not in errors:
            errors["working_days"] = "Choose yes or no."
    if given("plan_id"):
        values["plan_id"] = record_id(data, "plan_id", errors)
    if given("lead_user_id"):
        values["lead_user_id"] = record_id(data, "lead_user_id", errors)
    if given("member_user_ids"):
        values["member_user_ids"] = id_list(data, "member_user_ids", errors) or []
    if given("subject_ids"):
        values["subject_ids"] = id_list(data, "subject_ids", errors)
        if not values["subject_ids"] and "subject_ids" not in errors:
            errors["subject_ids"] = "Choose at least one subject."
    override = data.get("override_reason")
    if override is not None:
        values["override_reason"] = text(data, "override_reason", errors, max_length=2000) or ""
    errors.raise_if_any()

    merged = {**(current or {}), **values}
    # Cross-field rules on the record as it will be after the change.
    if merged.get("origin") == "ad_hoc":
        if not merged.get("origin_source"):
            errors["origin_source"] = "Say what the ad-hoc case comes from."
        if not merged.get("origin_ref"):
            errors["origin_ref"] = "Give the reference of the report, complaint or directive."
    if (
        merged.get("period_from")
        and merged.get("period_to")
        and merged["period_from"] > merged["period_to"]
    ):
        errors["period_to"] = "The end of the period cannot be before its start."
    if "kind" in values or "decision_date" in values:
        on = merged.get("announced_on") or merged.get("decision_date") or clock.today()
        problem = await _case_kind_problem(merged["kind"], on)
        if problem:
            errors["kind"] = problem
    agency_id = merged.get("agency_id") or (current or {}).get("agency_id")
    if creating:
        try:
            await get_visible_agency(principal, values["agency_id"])
        except NotFound:
            errors["agency_id"] = "Choose an agency from the list."
    if values.get("plan_id") is not None:
        plan = await Plan.select(Plan.agency).where(Plan.id == values["plan_id"]).first()
        if plan is None or plan["agency"] != agency_id:
            errors["plan_id"] = "Choose a plan of the same agency."
    users = [u for u in [values.get("lead_user_id"), *values.get("member_user_ids", [])] if u]
    if users:
        found = {
            row["id"]
            for row in await AppUser.select(AppUser.id).where(
                AppUser.id.is_in(users)
                & AppUser.agency.path.like(principal.scope_pattern)
                & (AppUser.active == True)  # noqa: E712
                & AppUser.role.is_in(list(CASE_WORKER_ROLES))
            )
        }
        if values.get("lead_user_id") and values["lead_user_id"] not in found:
            errors["lead_user_id"] = "Choose a team lead from the list."
        if any(u not in found for u in values.get("member_user_ids", [])):
            errors["member_user_ids"] = "Choose team members from the list."
    if values.get("subject_ids"):
        found = {
            row["id"]
            for row in await Subject.select(Subject.id).where(
                Subject.id.is_in(values["subject_ids"])
            )
        }
        if any(s not in found for s in values["subject_ids"]):
            errors["subject_ids"] = "Choose subjects from the list."
    if values.get("override_reason") and not principal.can("inspection.override_overlap"):
        errors["override_reason"] = "Only the head of the agency may override this rule."
    errors.raise_if_any()
    return values


async def _search_text(inspection_id: int) -> str:
    """What the search box matches a case by, folded: its code, title and origin reference,
    every number it carries (the decision, the conclusion, each step's decision or
    document, its recommendations' decisions such as fine decisions) and its subjects.

    Numbers are kept as written ("43/qd-ttr") and also with their punctuation as spaces
    ("43 qd ttr"), so "43/QĐ-TTr", "43/QD-TTr" and "43 QD TTr" all find the case.
    """
    row = (
        await Inspection.select(
            Inspection.code,
            Inspection.title,
            Inspection.decision_no,
            Inspection.conclusion_no,
            Inspection.origin_ref,
        )
        .where(Inspection.id == inspection_id)
        .first()
    )
    if row is None:
        return ""
    numbers = [row["decision_no"] or "", row["conclusion_no"] or ""]
    numbers += [
        str(event["document_no"])
        for event in await InspectionEvent.select(InspectionEvent.document_no).where(
            InspectionEvent.inspection == inspection_id
        )
    ]
    numbers += [
        str(measure["decision_no"] or "")
        for measure in await Measure.select(Measure.decision_no).where(
            Measure.inspection == inspection_id
        )
    ]
    # The reminder letters (công văn đôn đốc) sent about its recommendations: "05/TTr".
    numbers += [
        _letter_number(item["frame"])
        for item in await ReminderItem.select(ReminderItem.letter._.frame.as_alias("frame")).where(
            ReminderItem.measure._.inspection == inspection_id
        )
    ]
    subjects = await InspectionSubject.select(
        InspectionSubject.subject.name.as_alias("name"),
        InspectionSubject.subject.tax_code.as_alias("tax_code"),
    ).where(InspectionSubject.inspection == inspection_id)
    parts = [row["code"], row["title"], row["origin_ref"]]
    parts += list(dict.fromkeys(searchable_number(n) for n in numbers if n))
    for subject in subjects:
        parts += [subject["name"], subject["tax_code"] or ""]
    return fold_vietnamese(" ".join(p for p in parts if p))


def _letter_number(frame: Any) -> str:
    """ "05/TTr" from a reminder letter's stored frame ("Số: 05/TTr")."""
    if isinstance(frame, str):
        frame = json.loads(frame or "null")
    line = str(frame.get("number_line") or "") if isinstance(frame, dict) else ""
    return line.removeprefix("Số:").strip()


async def rebuild_search_texts() -> int:
    """Rebuild every case's search text (after a bulk load such as the demo); the count."""
    ids = [row["id"] for row in await Inspection.select(Inspection.id)]
    for inspection_id in ids:
        await refresh_search_text(inspection_id)
    return len(ids)


async def refresh_search_text(inspection_id: int) -> None:
    """Rebuild a case's search text after a change of what it is found by."""
    await Inspection.update({Inspection.search_text: await _search_text(inspection_id)}).where(
        Inspection.id == inspection_id
    )


async def _set_links(inspection_id: int, subject_ids: list[int] | None, members: Any) -> None:
    if subject_ids is not None:
        await InspectionSubject.delete().where(
            (InspectionSubject.inspection == inspection_id)
            & InspectionSubject.subject.not_in(subject_ids)
        )
        existing = {
            row["subject"]
            for row in await InspectionSubject.select(InspectionSubject.subject).where(
                InspectionSubject.inspection == inspection_id
            )
        }
        new = [s for s in subject_ids if s not in existing]
        if new:
            await InspectionSubject.insert(
                *[InspectionSubject(inspection=inspection_id, subject=s) for s in new]
            )
    if members is not None:
        await InspectionMember.delete().where(InspectionMember.inspection == inspection_id)
        if members:
            await InspectionMember.insert(
                *[InspectionMember(inspection=inspection_id, user=u) for u in members]
            )


async def _apply_override(
    principal: Principal, inspection_id: int, reason: str | None
) -> list[dict[str, Any]]:
    """The case's overlap warnings, after recording a head's override reason if one is due."""
    row = await Inspection.select(*INSPECTION_FIELDS).where(Inspection.id == inspection_id).first()
    assert row is not None
    links = await _links([inspection_id])
    warnings = (await overlap_warnings(principal, [row], links.subjects, links.tax_codes))[
        inspection_id
    ]
    if reason and warnings:
        await Inspection.update(
            {
                Inspection.overlap_override_reason: reason,
                Inspection.overlap_override_by: principal.id,
            }
        ).where(Inspection.id == inspection_id)
    return warnings


def lifecycle_dates(row: dict[str, Any]) -> list[date]:
    """The dates of a case that decide which reporting periods it counts in."""
    return [row[key] for key in LIFECYCLE_DATES if row.get(key)]


async def create_inspection(
    principal: Principal, data: dict[str, Any], ip: str = ""
) -> dict[str, Any]:
    """Register a case in draft with a generated code; warnings do not block saving."""
    values = await _validate(principal, data, None)
    agency_id = values["agency_id"]
    async with unit_of_work() as work:
        rows = await Inspection.insert(
            Inspection(
                code=f"new-{uuid.uuid4().hex[:24]}",
                agency=agency_id,
                plan=values.get("plan_id"),
                origin=values["origin"],
                origin_source=values.get("origin_source"),
                origin_ref=values.get("origin_ref", ""),
                kind=values["kind"],
                title=values["title"],
                scope=values.get("scope", ""),
                period_from=values.get("period_from"),
                period_to=values.get("period_to"),
                lead_user=values.get("lead_user_id"),
                decision_no=values.get("decision_no"),
                decision_date=values.get("decision_date"),
                duration_days=values["duration_days"],
                working_days=values["working_days"],
                status="draft",
                created_by=principal.id,
            )
        ).returning(Inspection.id)
        inspection_id = rows[0]["id"]
        table = await _report_table(values["kind"])
        code = lifecycle.case_code(table, clock.today().year, inspection_id)
        await Inspection.update({Inspection.code: code}).where(Inspection.id == inspection_id)
        members = values.get("member_user_ids")
        if principal.role == "inspector" and not members and not values.get("lead_user_id"):
            # An inspector who registers a case without naming its team is on it, so they
            # can go on with it; a team named in the form is kept as it is.
            members = [principal.id]
        await _set_links(inspection_id, values["subject_ids"], members)
        await Inspection.update({Inspection.search_text: await _search_text(inspection_id)}).where(
            Inspection.id == inspection_id
        )
        await _apply_override(principal, inspection_id, values.get("override_reason"))
        created = await get_inspection(principal, inspection_id)
        await audit.record(
            "create",
            actor=principal,
            entity_type="inspection",
            entity_id=inspection_id,
            agency_id=agency_id,
            after=created,
            ip=ip,
        )
        await work.totals_changed(agency_id, lifecycle_dates(created))
    return created


NOT_ON_TEAM_LEAD = "Only the lead of this case, a lead or a head may change its team."


def _changes_team(before: dict[str, Any], data: dict[str, Any]) -> bool:
    """True when an edit would change the case's lead or its members (ids as the API sends
    them, or as text from a form)."""

    def ids(value: Any) -> list[str]:
        items = value if isinstance(value, list | tuple) else [value]
        return sorted(str(item).strip() for item in items if item not in (None, ""))

    if "lead_user_id" in data and ids(data["lead_user_id"]) != ids(before["lead_user_id"]):
        return True
    return "member_user_ids" in data and ids(data["member_user_ids"]) != ids(
        before["member_user_ids"]
    )


def _check_open(row: dict[str, Any]) -> None:
    if row["status"] in FINISHED_STATUSES:
        raise Conflict(CASE_FINISHED, code="case_finished")


async def _bump_version(
    inspection_id: int, version: int, changes: dict[Any, Any]
) -> dict[str, Any]:
    """Write ``changes`` and the next version, only if ``version`` is still current; the
    stored row as it now is."""
    changes = {**changes, Inspection.version: version + 1, Inspection.updated_at: datetime.now(UTC)}
    updated = (
        await Inspection.update(changes)
        .where((Inspection.id == inspection_id) & (Inspection.version == version))
        .returning(*INSPECTION_FIELDS)
    )
    if not updated:
        raise stale_version()
    return dict(updated[0])


async def update_inspection(
    principal: Principal, inspection_id: int, version: int, data: dict[str, Any], ip: str = ""
) -> dict[str, Any]:
    """Edit a case's details (not its lifecycle dates); a stale version gets 409."""
    before = await get_inspection(principal, inspection_id)
    await ensure_case_write(principal, before, "inspection.edit")
    if before["version"] != version:
        raise stale_version()
    # Naming the team is the lead's step: a member may not make themselves its lead.
    if (
        principal.role == "inspector"
        and _changes_team(before, data)
        and await team_role(principal, before) != "lead"
    ):
        raise Forbidden(NOT_ON_TEAM_LEAD)
    _check_open(before)
    values = await _validate(principal, data, before)
    if values.get("subject_ids") is not None:
        removed = [s for s in before["subject_ids"] if s not in values["subject_ids"]]
        if removed and await Finding.exists().where(
            (Finding.inspection == inspection_id)
            & Finding.subject.is_in(removed)
            & Finding.deleted_at.is_null()
        ):
            raise InvalidInput({"subject_ids": "A subject with findings cannot be removed."})
    columns = {
        "plan_id": Inspection.plan,
        "origin": Inspection.origin,
        "origin_source": Inspection.origin_source,
        "origin_ref": Inspection.origin_ref,
        "kind": Inspection.kind,
        "title": Inspection.title,
        "scope": Inspection.scope,
        "period_from": Inspection.period_from,
        "period_to": Inspection.period_to,
        "lead_user_id": Inspection.lead_user,
        "decision_no": Inspection.decision_no,
        "decision_date": Inspection.decision_date,
        "duration_days": Inspection.duration_days,
        "working_days": Inspection.working_days,
    }
    changes = {columns[key]: value for key, value in values.items() if key in columns}
    if values.get("origin") == "scheduled":
        changes[Inspection.origin_source] = None
    async with unit_of_work() as work:
        await _bump_version(inspection_id, version, changes)
        await _set_links(inspection_id, values.get("subject_ids"), values.get("member_user_ids"))
        await Inspection.update({Inspection.search_text: await _search_text(inspection_id)}).where(
            Inspection.id == inspection_id
        )
        await recompute_deadlines(inspection_id)
        await _apply_override(principal, inspection_id, values.get("override_reason"))
        after = await get_inspection(principal, inspection_id)
        await audit.record(
            "update",
            actor=principal,
            entity_type="inspection",
            entity_id=inspection_id,
            agency_id=after["agency_id"],
            before=before,
            after=after,
            ip=ip,
        )
        await work.totals_changed(
            after["agency_id"], lifecycle_dates(before) + lifecycle_dates(after)
        )
    return after


async def delete_inspection(
    principal: Principal, inspection_id: int, version: int | None = None, ip: str = ""
) -> None:
    """Remove a draft case (soft delete); once announced a case can only be cancelled."""
    before = await get_inspection(principal, inspection_id)
    if version is not None and before["version"] != version:
        raise stale_version()
    if before["status"] != "draft":
        raise Conflict(
            "Only a draft case can be deleted; cancel it instead.", code="illegal_transition"
        )
    async with unit_of_work() as work:
        deleted = (
            await Inspection.update(
                {
                    Inspection.deleted_at: datetime.now(UTC),
                    Inspection.version: before["version"] + 1,
                }
            )
            .where(
                (Inspection.id == inspection_id)
                & (Inspection.version == before["version"])
                & (Inspection.status == "draft")
            )
            .returning(Inspection.id)
        )
        if not deleted:
            raise stale_version()
        await audit.record(
            "delete",
            actor=principal,
            entity_type="inspection",
            entity_id=inspection_id,
            agency_id=before["agency_id"],
            before=before,
            ip=ip,
        )
        await work.totals_changed(before["agency_id"], lifecycle_dates(before))


# --------------------------------------------------------------------------- lifecycle


async def recompute_deadlines(inspection_id: int, row: dict[str, Any] | None = None) -> Deadlines:
    """Recompute and store the legal deadlines of a case from its dates and decisions.

    ``row``, the case's stored row when the caller has just written it, saves reading it
    again; its deadline fields are set to what is stored."""
    if row is None:
        row = (
            await Inspection.select(*INSPECTION_FIELDS)
            .where(Inspection.id == inspection_id)
            .first()
        )
    assert row is not None
    extensions = [
        r["days"]
        for r in await InspectionExtension.select(InspectionExtension.days).where(
            InspectionExtension.inspection == inspection_id
        )
    ]
    suspensions = [
        Suspension(start=r["start_on"], end=r["end_on"])
        for r in await InspectionSuspension.select(
            InspectionSuspension.start_on, InspectionSuspension.end_on
        )
        .where(InspectionSuspension.inspection == inspection_id)
        .order_by(InspectionSuspension.start_on)
    ]
    deadlines = compute_deadlines(
        _clock_input(row, extensions, suspensions), RULES, holiday_calendar()
    )
    await Inspection.update(
        {
            Inspection.onsite_due: deadlines.onsite_due,
            Inspection.report_due: deadlines.report_due,
            Inspection.conclusion_due: deadlines.conclusion_due,
            Inspection.publication_due: deadlines.publication_due,
            Inspection.directive_due: deadlines.directive_due,
        }
    ).where(Inspection.id == inspection_id)
    for name in DEADLINE_COLUMNS:
        row[name] = getattr(deadlines, name)
    return deadlines


async def open_measures(inspection_id: int) -> int:
    """How many measures of the case are neither done nor written off."""
    return int(
        await Measure.count().where(
            (Measure.inspection == inspection_id)
            & Measure.deleted_at.is_null()
            & Measure.status.not_in(["done", "written_off"])
        )
    )


def _event_fields(event: str, data: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """The extra fields an event needs, checked."""
    errors = Errors()
    fields: dict[str, Any] = {}
    if event in ("announce", "extend", "suspend"):
        fields["decision_no"] = text(data, "decision_no", errors, max_length=64)
        # Announcing a decision already on the case needs no number again.
        needs_number = event != "announce" or not row["decision_no"]
        if not fields["decision_no"] and "decision_no" not in errors and needs_number:
            errors["decision_no"] = "Enter the decision number."
    if event == "extend":
        fields["days"] = whole_number(data, "days", errors, minimum=1, maximum=MAX_DURATION_DAYS)
        if fields["days"] is None:
            errors["days"] = "Enter a number of days from 1 to 365."
    if event in ("suspend", "cancel"):
        fields["reason"] = text(data, "reason", errors, max_length=2000, required=True)
    if event == "conclude":
        fields["conclusion_no"] = text(data, "conclusion_no", errors, max_length=64, required=True)
    fields["document_no"] = text(data, "document_no", errors, max_length=64) or ""
    fields["note"] = text(data, "note", errors, max_length=2000) or ""
    if event == "close":
        # Closing waits for a second person, who reads why (a "note" is taken as the reason).
        reason = text(data, "reason", errors, max_length=2000) or fields["note"]
        fields["reason"] = reason.strip()
        if not fields["reason"] and "reason" not in errors:
            errors["reason"] = REASON_REQUIRED
    errors.raise_if_any()
    return fields


async def record_event(
    principal: Principal,
    inspection_id: int,
    data: dict[str, Any],
    ip: str = "",
    approved: Approved | None = None,
) -> dict[str, Any]:
    """Move a case through its lifecycle (announce, extend, ..., close, cancel).

    ``data`` holds ``type``, ``date``, ``version`` and the event's own fields. Refusals: 422
    for missing or wrong fields, 403 when the role may not record the event, 409 for a stale
    version or a transition the current status does not allow (``illegal_transition``).
    Closing waits for a second person's approval (domain.approvals): the answer is then the
    case as it stands with ``pending_approval``; ``approved`` closes it on approval.
    """
    row = (await case_context(principal, inspection_id)).row
    links = await _links([inspection_id])
    errors = Errors()
    event = data.get("type")
    if event not in lifecycle.EVENTS:
        errors["type"] = "Choose a value from the list."
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        errors["version"] = "This field is required."
    errors.raise_if_any()
    assert isinstance(event, str) and isinstance(version, int)
    acting_as = lifecycle.role_on_case(principal.role, principal.id, row["lead_user"])
    team = {**row, "member_user_ids": links.members[inspection_id]}
    if principal.role == "inspector" and await team_role(principal, team) is None:
        raise Forbidden(NOT_ON_TEAM)
    if not lifecycle.can_perform(acting_as, event):
        raise Forbidden()
    if row["version"] != version:
        raise stale_version()
    ctx = lifecycle.TransitionContext(
        published=row["published_on"] is not None,
        directed=row["directive_on"] is not None,
        measures_open=await open_measures(inspection_id) if event == "close" else 0,
    )
    try:
        new_status = lifecycle.next_status(row["status"], event, ctx)
    except lifecycle.IllegalTransition as exc:
        raise Conflict(exc.message, code="illegal_transition", **exc.values) from None
    on = required_date(data, "date", errors)
    not_in_future(on, "date", errors)
    errors.raise_if_any()
    assert on is not None
    fields = _event_fields(event, data, row)
    last = (
        await InspectionEvent.select(InspectionEvent.date)
        .where(InspectionEvent.inspection == inspection_id)
        .order_by(InspectionEvent.date, ascending=False)
        .first()
    )
    earliest = max(
        [d for d in (last["date"] if last else None, row["decision_date"]) if d is not None],
        default=None,
    )
    if earliest is not None and on < earliest:
        raise InvalidInput({"date": "The date cannot be before the previous step of the case."})
    open_suspension = None
    if event == "resume":
        open_suspension = (
            await InspectionSuspension.select()
            .where(
                (InspectionSuspension.inspection == inspection_id)
                & InspectionSuspension.end_on.is_null()
            )
            .order_by(InspectionSuspension.id, ascending=False)
            .first()
        )
        if open_suspension is not None:
            problem = resume_problem(open_suspension["start_on"], on, RULES)
            if problem is not None:
                raise InvalidInput({"date": problem})

    changes: dict[Any, Any] = {Inspection.status: new_status}
    column = EVENT_DATE_COLUMN.get(event)
    if column:
        changes[getattr(Inspection, column)] = on
    if event == "announce" and fields.get("decision_no"):
        changes[Inspection.decision_no] = fields["decision_no"]
    if event == "conclude":
        changes[Inspection.conclusion_no] = fields["conclusion_no"]
    if event == "cancel":
        changes[Inspection.cancel_reason] = fields["reason"]
    document_no = (
        fields.get("decision_no") or fields.get("conclusion_no") or fields.get("document_no") or ""
    )
    payload = {k: v for k, v in fields.items() if v not in (None, "")}
    if event == "publish" and not await publications.ready_for_publishing(inspection_id):
        raise Conflict(publications.MSG_NO_PUBLIC_VERSION, code="no_public_version")
    before = await _shown(principal, row, links)
    if event == "close" and approved is None:
        pending = await ask(
            principal,
            kind="case_close",
            agency_id=row["agency"],
            inspection_id=inspection_id,
            target_id=inspection_id,
            target_version=version,
            payload={"type": "close", "date": on, **payload},
            summary={"date": on, "code": row["code"]},
            reason=fields["reason"],
            ip=ip,
        )
        return {**before, "pending_approval": pending}
    async with unit_of_work() as work:
        stored = await _bump_version(inspection_id, version, changes)
        await InspectionEvent.insert(
            InspectionEvent(
                inspection=inspection_id,
                type=event,
                date=on,
                document_no=document_no,
                payload=payload,
                user=principal.id,
            )
        )
        if event == "publish":
            await publications.mark_published(inspection_id, on, principal.id)
        elif event == "extend":
            await InspectionExtension.insert(
                InspectionExtension(
                    inspection=inspection_id,
                    days=fields["days"],
                    decision_no=fields["decision_no"],
                    decided_on=on,
                    note=fields["note"],
                )
            )
        elif event == "suspend":
            await InspectionSuspension.insert(
                InspectionSuspension(
                    inspection=inspection_id,
                    start_on=on,
                    decision_no=fields["decision_no"],
                    reason=fields["reason"],
                )
            )
        elif event == "resume" and open_suspension is not None:
            await InspectionSuspension.update({InspectionSuspension.end_on: on}).where(
                InspectionSuspension.id == open_suspension["id"]
            )
        await recompute_deadlines(inspection_id, stored)
        if document_no:
            await refresh_search_text(inspection_id)
        # The subjects and team did not change; the dates, status and deadlines did.
        after = await _shown(principal, stored, links)
        await audit.record(
            f"event.{event}",
            actor=principal,
            entity_type="inspection",
            entity_id=inspection_id,
            agency_id=after["agency_id"],
            before=before,
            after={
                **after,
                "event": {"type": event, "date": on, **payload},
                **({"approval": approved.audit_note()} if approved else {}),
            },
            ip=ip,
        )
        await work.totals_changed(after["agency_id"], [on, *lifecycle_dates(after)])
    return after


async def list_events(principal: Principal, inspection_id: int) -> list[dict[str, Any]]:
    """The timeline of a case, in the order the events happened."""
    return await events_of(await case_context(principal, inspection_id))


EVENT_FIELDS = (
    InspectionEvent.id,
    InspectionEvent.type,
    InspectionEvent.date,
    InspectionEvent.document_no,
    InspectionEvent.payload,
    InspectionEvent.user,
    InspectionEvent.created_at,
)


async def events_of(case: CaseContext) -> list[dict[str, Any]]:
    """The timeline of a resolved case, in the order the events happened."""
    rows = (
        await InspectionEvent.select(*EVENT_FIELDS)
        .where(InspectionEvent.inspection == case.id)
        .order_by(InspectionEvent.date)
        .order_by(InspectionEvent.id)
    )
    return [event_out(row) for row in rows]


def event_out(row: dict[str, Any]) -> dict[str, Any]:
    """A stored timeline row (EVENT_FIELDS) as the API and pages show it."""
    row = dict(row)
    row["user_id"] = row.pop("user")
    return row


async def visible_case(principal: Principal, inspection_id: int) -> dict[str, Any]:
    """The stored row of a case in scope (no links or warnings): for the child records."""
    return await _load(principal, inspection_id)


async def preview_overlap(
    principal: Principal,
    subject_ids: list[int],
    decision_date: date | None = None,
    inspection_id: int | None = None,
) -> list[dict[str, Any]]:
    """The Directive 20 warnings a case with these subjects would get, before it is saved.

    ``inspection_id`` names the case being edited (its own record is not an overlap).
    """
    row: dict[str, Any] = {
        "id": inspection_id or 0,
        "announced_on": None,
        "decision_date": decision_date,
        "created_at": None,
        "overlap_override_reason": "",
    }
    if inspection_id is not None:
        stored = await _load(principal, inspection_id)
        row["announced_on"] = stored["announced_on"]
        row["created_at"] = stored["created_at"]
    ids = [s for s in subject_ids if 1 <= s <= MAX_ID]
    return (await overlap_warnings(principal, [row], {row["id"]: ids}))[row["id"]]


async def list_plan_inspections(principal: Principal, plan_id: int) -> list[dict[str, Any]]:
    """The cases carried out under one plan in scope, in the order they were registered."""
    ensure_id(plan_id)
    rows = (
        await Inspection.select(*INSPECTION_FIELDS)
        .where((Inspection.plan == plan_id) & _in_scope(principal))
        .order_by(Inspection.id)
    )
    ids = [row["id"] for row in rows]
    links = await _links(ids)
    today = clock.today()
    return [
        _out(row, links.subjects[row["id"]], links.members[row["id"]], [], today) for row in rows
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
