"""The case record: its fields, the reader's scope, and how a stored row is shown."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from inspect_app.domain.clock import (
    ClockInput,
    DeadlineRules,
    Deadlines,
    Suspension,
    overdue_steps,
)
from inspect_app.domain.holidays import HolidayCalendar, load_calendar
from inspect_app.errors import NotFound
from inspect_app.principal import Principal
from inspect_app.schemas.cases import CaseWarning
from inspect_app.schemas.cases import Deadlines as DeadlinesOut
from inspect_app.schemas.cases import Inspection as InspectionOut
from inspect_app.services.case_context import StoredCase
from inspect_app.services.casework import (
    ensure_id,
    stored_day,
    stored_id,
    stored_instant,
)
from inspect_app.settings import get_settings
from models.tables import (
    Inspection,
    InspectionEvent,
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
    return scope_where(principal.scope_pattern)


def scope_where(pattern: str) -> Any:
    """The cases not deleted of agencies whose path is LIKE ``pattern`` (a principal's
    ``scope_pattern``, or a prepared statement's parameter)."""
    return Inspection.agency.path.like(pattern) & Inspection.deleted_at.is_null()


def in_scope(principal: Principal) -> Any:
    """The condition on ``Inspection`` that keeps the cases the reader may see."""
    return _in_scope(principal)


def _clock_input(
    row: StoredCase, extensions: Iterable[int] = (), suspensions: Iterable[Suspension] = ()
) -> ClockInput:
    return ClockInput(
        announced_on=row.announced_on,
        duration_days=row.duration_days,
        working_days=row.working_days,
        extension_days=tuple(extensions),
        suspensions=tuple(suspensions),
        onsite_ended_on=row.onsite_ended_on,
        concluded_on=row.concluded_on,
        published_on=row.published_on,
        directive_on=row.directive_on,
        reported_on=row.report_on,
    )


def _overdue_steps(row: StoredCase, today: date) -> list[str]:
    if row.status in FINISHED_STATUSES:
        return []
    deadlines = Deadlines(
        onsite_due=row.onsite_due,
        report_due=row.report_due,
        conclusion_due=row.conclusion_due,
        publication_due=row.publication_due,
        directive_due=row.directive_due,
    )
    return overdue_steps(_clock_input(row), deadlines, today)


def _out(
    row: StoredCase,
    subject_ids: list[int],
    member_ids: list[int],
    warnings: list[CaseWarning],
    today: date,
) -> InspectionOut:
    steps = _overdue_steps(row, today)
    return InspectionOut(
        id=row.id,
        code=row.code,
        agency_id=row.agency_id,
        plan_id=row.plan_id,
        origin=row.origin,
        origin_source=row.origin_source,
        origin_ref=row.origin_ref,
        kind=row.kind,
        title=row.title,
        scope=row.scope,
        period_from=row.period_from,
        period_to=row.period_to,
        subject_ids=subject_ids,
        lead_user_id=row.lead_user_id,
        member_user_ids=member_ids,
        decision_no=row.decision_no,
        decision_date=row.decision_date,
        duration_days=row.duration_days,
        working_days=row.working_days,
        announced_on=row.announced_on,
        onsite_ended_on=row.onsite_ended_on,
        report_on=row.report_on,
        conclusion_no=row.conclusion_no,
        concluded_on=row.concluded_on,
        published_on=row.published_on,
        directive_on=row.directive_on,
        closed_on=row.closed_on,
        cancelled_on=row.cancelled_on,
        cancel_reason=row.cancel_reason,
        status=row.status,
        deadlines=DeadlinesOut(
            onsite_due=row.onsite_due,
            report_due=row.report_due,
            conclusion_due=row.conclusion_due,
            publication_due=row.publication_due,
            directive_due=row.directive_due,
        ),
        overdue=bool(steps),
        overdue_steps=steps,
        warnings=warnings,
        overlap_override_reason=row.overlap_override_reason,
        overlap_override_by=row.overlap_override_by,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def lifecycle_dates(case: StoredCase | InspectionOut) -> list[date]:
    """The dates of a case that decide which reporting periods it counts in."""
    return [day for day in (getattr(case, key) for key in LIFECYCLE_DATES) if day]


EVENT_FIELDS = (
    InspectionEvent.id,
    InspectionEvent.type,
    InspectionEvent.date,
    InspectionEvent.document_no,
    InspectionEvent.payload,
    InspectionEvent.user,
    InspectionEvent.created_at,
)


# What an event's ``payload`` holds: the event's own fields as they were given (the days of
# an extension; decision, conclusion and document numbers, a reason, a note as text).
EventPayload = dict[str, str | int]


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One step of a case's timeline, as the case page shows it."""

    id: int
    type: str
    date: date
    document_no: str
    payload: EventPayload
    user_id: int | None
    created_at: datetime | None


def event_out(row: Mapping[str, Any]) -> TimelineEvent:
    """A stored timeline row (EVENT_FIELDS) as the pages show it; its payload decoded (a
    JSON column comes back as text)."""
    payload = row["payload"]
    if isinstance(payload, str | bytes):
        payload = json.loads(payload or "{}")
    day = stored_day(row["date"])
    assert day is not None  # the column is NOT NULL
    return TimelineEvent(
        id=int(row["id"]),
        type=str(row["type"]),
        date=day,
        document_no=str(row["document_no"] or ""),
        payload=dict(payload or {}),
        user_id=stored_id(row["user"]),
        created_at=stored_instant(row["created_at"]),
    )


async def _load(principal: Principal, inspection_id: int) -> StoredCase:
    ensure_id(inspection_id)
    row = (
        await Inspection.select(*INSPECTION_FIELDS)
        .where((Inspection.id == inspection_id) & _in_scope(principal))
        .first()
    )
    if row is None:
        raise NotFound()
    return StoredCase.of(row)
