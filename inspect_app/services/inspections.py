"""Cases: the one place the rest of the application imports them from.

The rules live by concern in :mod:`inspect_app.services.cases` (whose docstring states them):
``records`` (fields, scope, shaping), ``overlap`` (Directive 20 and the case's links),
``queries`` (reading), ``validation``, ``writes`` (register, edit, delete, deadlines) and
``events`` (the lifecycle).
"""

from __future__ import annotations

from inspect_app.services.cases.events import record_event
from inspect_app.services.cases.overlap import (
    CASE_REF,
    case_from_lists,
    case_lists,
    overlap_from,
    overlap_warnings,
    preview_overlap,
)
from inspect_app.services.cases.queries import (
    case_context,
    concluded_clauses,
    events_of,
    get_inspection,
    list_events,
    list_inspections,
    list_plan_inspections,
    open_measures,
    overdue_sql,
    period_clauses,
    plan_progress,
    report_table_clause,
    visible_case,
)
from inspect_app.services.cases.records import (
    CASE_FINISHED,
    CASE_WORKER_ROLES,
    DEADLINE_COLUMNS,
    EVENT_DATE_COLUMN,
    EVENT_FIELDS,
    FINISHED_STATUSES,
    INSPECTION_FIELDS,
    LIFECYCLE_DATES,
    MAX_DURATION_DAYS,
    ORIGIN_SOURCES,
    ORIGINS,
    OVERLAP_MESSAGE,
    OVERLAP_WARNING,
    RULES,
    event_out,
    holiday_calendar,
    in_scope,
    lifecycle_dates,
)
from inspect_app.services.cases.writes import (
    create_inspection,
    delete_inspection,
    rebuild_search_texts,
    recompute_deadlines,
    refresh_search_text,
    update_inspection,
)

__all__ = [
    "CASE_FINISHED",
    "CASE_REF",
    "CASE_WORKER_ROLES",
    "DEADLINE_COLUMNS",
    "EVENT_DATE_COLUMN",
    "EVENT_FIELDS",
    "FINISHED_STATUSES",
    "INSPECTION_FIELDS",
    "LIFECYCLE_DATES",
    "MAX_DURATION_DAYS",
    "ORIGINS",
    "ORIGIN_SOURCES",
    "OVERLAP_MESSAGE",
    "OVERLAP_WARNING",
    "RULES",
    "case_context",
    "case_from_lists",
    "case_lists",
    "concluded_clauses",
    "create_inspection",
    "delete_inspection",
    "event_out",
    "events_of",
    "get_inspection",
    "holiday_calendar",
    "in_scope",
    "lifecycle_dates",
    "list_events",
    "list_inspections",
    "list_plan_inspections",
    "open_measures",
    "overdue_sql",
    "overlap_from",
    "overlap_warnings",
    "period_clauses",
    "plan_progress",
    "preview_overlap",
    "rebuild_search_texts",
    "recompute_deadlines",
    "record_event",
    "refresh_search_text",
    "report_table_clause",
    "update_inspection",
    "visible_case",
]
