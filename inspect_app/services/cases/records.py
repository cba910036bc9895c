"""The case record: its fields, the reader's scope, and how a stored row is shown."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
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
from inspect_app.services.casework import (
    ensure_id,
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


def lifecycle_dates(row: Mapping[str, Any]) -> list[date]:
    """The dates of a case that decide which reporting periods it counts in."""
    return [row[key] for key in LIFECYCLE_DATES if row.get(key)]


EVENT_FIELDS = (
    InspectionEvent.id,
    InspectionEvent.type,
    InspectionEvent.date,
    InspectionEvent.document_no,
    InspectionEvent.payload,
    InspectionEvent.user,
    InspectionEvent.created_at,
)


def event_out(row: dict[str, Any]) -> dict[str, Any]:
    """A stored timeline row (EVENT_FIELDS) as the API and pages show it."""
    row = dict(row)
    row["user_id"] = row.pop("user")
    return row


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
