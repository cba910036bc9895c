"""What a case's form or API body must hold, checked before anything is written."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import msgspec

from inspect_app import clock
from inspect_app.domain.approvals import REASON_REQUIRED
from inspect_app.errors import Conflict, NotFound
from inspect_app.principal import Principal
from inspect_app.schemas.cases import Inspection as InspectionOut
from inspect_app.services.agencies import get_visible as get_visible_agency
from inspect_app.services.case_context import StoredCase
from inspect_app.services.cases.records import (
    CASE_FINISHED,
    CASE_WORKER_ROLES,
    FINISHED_STATUSES,
    MAX_DURATION_DAYS,
    ORIGIN_SOURCES,
    ORIGINS,
    RULES,
)
from inspect_app.services.casework import (
    Errors,
    choice,
    flag,
    id_list,
    not_in_future,
    optional_date,
    record_id,
    text,
    whole_number,
)
from models.tables import (
    AppUser,
    CaseKind,
    Plan,
    Subject,
)

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
    principal: Principal, data: Mapping[str, Any], current: InspectionOut | None
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

    stored = msgspec.structs.asdict(current) if current is not None else {}
    merged = {**stored, **values}
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
    agency_id = merged.get("agency_id") or stored.get("agency_id")
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


def _changes_team(before: InspectionOut, data: Mapping[str, Any]) -> bool:
    """True when an edit would change the case's lead or its members (ids as the API sends
    them, or as text from a form)."""

    def ids(value: Any) -> list[str]:
        items = value if isinstance(value, list | tuple) else [value]
        return sorted(str(item).strip() for item in items if item not in (None, ""))

    if "lead_user_id" in data and ids(data["lead_user_id"]) != ids(before.lead_user_id):
        return True
    return "member_user_ids" in data and ids(data["member_user_ids"]) != ids(before.member_user_ids)


def _check_open(case: InspectionOut) -> None:
    if case.status in FINISHED_STATUSES:
        raise Conflict(CASE_FINISHED, code="case_finished")


def _event_fields(event: str, data: Mapping[str, Any], row: StoredCase) -> dict[str, Any]:
    """The extra fields an event needs, checked."""
    errors = Errors()
    fields: dict[str, Any] = {}
    if event in ("announce", "extend", "suspend"):
        fields["decision_no"] = text(data, "decision_no", errors, max_length=64)
        # Announcing a decision already on the case needs no number again.
        needs_number = event != "announce" or not row.decision_no
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
