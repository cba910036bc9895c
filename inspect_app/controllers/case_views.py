"""What the case and measure pages show, gathered from the services for the templates.

View models only: the rules (allowed events, the legal clock, what remains of a measure) are
the services' and ``domain``'s; these functions put their answers side by side for a page.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import msgspec
from litestar import Request

from inspect_app import clock
from inspect_app.controllers.page_support import measure_status_labels
from inspect_app.domain import lifecycle
from inspect_app.domain.clock import days_left, is_overdue
from inspect_app.domain.labels import FINDING_CATEGORY_LABELS, ORIGIN_LABELS, ORIGIN_SOURCE_LABELS
from inspect_app.domain.measures import recovery_rate
from inspect_app.errors import NotFound
from inspect_app.forms.common import date_text
from inspect_app.forms.inspections import DEADLINES, EVENT_FIELDS
from inspect_app.importing.plan import KIND_LABELS
from inspect_app.principal import Principal
from inspect_app.schemas.cases import Inspection as InspectionOut
from inspect_app.schemas.cases import Measure as MeasureOut
from inspect_app.schemas.cases import MeasureList, Plan
from inspect_app.services import (
    case_access,
    case_page,
    inspections,
    measure_page,
    measures,
    plans,
    publications,
)


def deadline_rows(case: InspectionOut, today: date) -> list[dict[str, Any]]:
    """The case's legal deadlines with the date each was met, days left and overdue flag."""
    finished = case.status in inspections.FINISHED_STATUSES
    rows = []
    for key, label, done_keys in DEADLINES:
        due: date | None = getattr(case.deadlines, key)
        done_on = next((getattr(case, k) for k in done_keys if getattr(case, k)), None)
        if due is None and done_on is None:
            continue
        rows.append(
            {
                "key": key,
                "label": label,
                "due": due,
                "done_on": done_on,
                "days_left": None if done_on or finished else days_left(due, today),
                "overdue": not finished and is_overdue(due, done_on, today),
            }
        )
    return rows


def measure_view(measure: MeasureOut) -> dict[str, Any]:
    """A measure with its target, what is done and what remains, in its own unit."""
    row = msgspec.structs.asdict(measure)
    target = measures.target(measure)
    done = measures.done(measure)
    left = Decimal(row["remaining"]) if row["unit"] == "m2" else int(row["remaining"])
    # The bar's width, from the same rate the reports print (domain.measures.recovery_rate),
    # full only once the measure is done: 99.96 % rounds to 100.0 but 400.000 ₫ remain.
    rate = recovery_rate(target, done)
    finished = row["status"] == "done"
    percent = (100 if finished else 0) if rate is None else min(int(rate), 100 if finished else 99)
    return {**row, "target": target, "done": done, "left": left, "percent": percent}


async def _plan_or_none(principal: Principal, plan_id: int | None) -> Plan | None:
    if not plan_id:
        return None
    try:
        return await plans.get_plan(principal, plan_id)
    except NotFound:
        return None  # a plan outside the reader's scope is simply not shown


async def _allowed_events(
    principal: Principal,
    case: InspectionOut,
    may: frozenset[str],
    measures_page: MeasureList,
) -> list[str]:
    if "inspection.event" not in may:
        return []
    if measures_page.next_cursor is None:  # every measure is on the page: count them there
        measures_open = sum(
            1 for row in measures_page.items if row.status not in ("done", "written_off")
        )
    else:
        measures_open = await inspections.open_measures(case.id)
    ctx = lifecycle.TransitionContext(
        published=case.published_on is not None,
        directed=case.directive_on is not None,
        measures_open=measures_open,
    )
    acting_as = lifecycle.role_on_case(principal.role, principal.id, case.lead_user_id)
    return lifecycle.allowed_events(case.status, ctx, acting_as)


async def case_page_context(
    request: Request[Any, Any, Any],
    principal: Principal,
    inspection_id: int,
    *,
    event_type: str | None = None,
    event_errors: dict[str, str] | None = None,
    event_values: dict[str, Any] | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    """Everything the case page shows: the case, its clock, timeline, records and actions,
    read in one statement (services.case_page) besides the overlap warnings and the menu."""
    page = await case_page.read_case_page(principal, inspection_id)
    case = page.case
    events = page.events
    finding_rows = page.findings
    measure_rows = [measure_view(row) for row in page.measures.items]
    recover = [
        m for m in measure_rows if m["type"] == "recover_money" and m["status"] != "written_off"
    ]
    open_case = case.status not in inspections.FINISHED_STATUSES
    may = await case_access.allowed(principal, case)
    return {
        "case": case,
        "agency": {
            "id": page.context.agency_id,
            "name": page.context.agency_name,
            "former": page.former_agency,
        },
        "plan": await _plan_or_none(principal, case.plan_id),
        "events": events,
        "findings": finding_rows,
        "finding_files": page.finding_files,
        "measures": measure_rows,
        "subject_map": page.subjects,
        # Only the people the page names: the lead, the members and the timeline's authors.
        "team": page.team,
        "deadlines": deadline_rows(case, clock.today()),
        "allowed_events": await _allowed_events(principal, case, may, page.measures),
        "event_fields": EVENT_FIELDS,
        "event_type": event_type,
        "event_errors": event_errors or {},
        "event_values": event_values or {},
        "today_text": date_text(clock.today()),
        "message": message,
        "files": page.files,
        "history": page.history,
        "import_sources": page.import_sources,
        "from_tip": page.tip,
        "publication": page.publication,
        "publication_min_days": publications.min_days(),
        "import_kind_labels": KIND_LABELS,
        "recover_target": sum(m["target"] for m in recover),
        "recover_done": sum(m["done"] for m in recover),
        "recover_left": sum(m["left"] for m in recover),
        "measure_status_labels": measure_status_labels(request),
        "category_labels": FINDING_CATEGORY_LABELS,
        "origin_labels": ORIGIN_LABELS,
        "source_labels": ORIGIN_SOURCE_LABELS,
        "can_edit": open_case and "inspection.edit" in may,
        "can_delete": case.status == "draft" and "inspection.delete" in may,
        "can_add_finding": open_case and "finding.edit" in may,
        "can_add_measure": open_case and "measure.edit" in may,
        "can_upload": "attachment.upload" in may,
        # Changes of this case waiting for a second person, and findings withdrawn.
        "approvals": page.approvals,
        "withdrawn_findings": page.withdrawn_findings,
    }


async def measure_page_context(
    request: Request[Any, Any, Any], principal: Principal, measure_id: int
) -> dict[str, Any]:
    """Everything the measure page shows: target, done, remaining, executions, documents."""
    page = await measure_page.read_measure_page(principal, measure_id)
    measure = measure_view(page.measure)
    case = page.case.row
    done_list = page.executions
    open_case = case.status not in inspections.FINISHED_STATUSES
    may = await case_access.allowed(principal, case, page.member_ids)
    # The requests waiting about this measure or one of its executions.
    waiting = [
        row
        for row in page.approvals
        if (row.entity_type == "measure" and row.target_id == measure_id)
        or (row.kind == "execution_reversal" and row.summary.get("measure_id") == measure_id)
    ]
    return {
        "case": case,
        "measure": measure,
        "finding": page.finding,
        "executions": done_list,
        "execution_files": page.execution_files,
        "files": page.files,
        "status_labels": measure_status_labels(request),
        "today_text": date_text(clock.today()),
        "can_execute": open_case
        and "execution.create" in may
        and measure["unit"] != "none"
        and measure["status"] not in ("done", "written_off"),
        "can_edit": open_case and "measure.edit" in may,
        # Not offered again while a write-off of this measure waits for approval.
        "can_write_off": open_case
        and "measure.write_off" in may
        and not any(row.kind == "measure_write_off" for row in waiting),
        "can_reverse": open_case
        and "execution.reverse" in may
        and measure["status"] != "written_off",
        "can_upload": "attachment.upload" in may,
        "approvals": waiting,
        "corrected": page.corrected,
        # The recommendation's own edits (target, deadline, write-off…), in words.
        "history": page.history,
    }
