"""Case forms: the list's filters, the case form's values, the overlap gate, event fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inspect_app.domain.text import ascii_digits
from inspect_app.forms.common import (
    CHOOSE_AGENCY,
    CHOOSE_YEAR,
    OFF_VALUES,
    date_text,
    same_date_text,
    whole_numbers,
)
from inspect_app.i18n import N_, translate
from inspect_app.schemas.cases import CaseWarning
from inspect_app.schemas.cases import Inspection as InspectionOut

# (deadline key, message id, the date that settles it)
DEADLINES = (
    ("onsite_due", N_("End of on-site inspection"), ("onsite_ended_on",)),
    ("report_due", N_("Result report"), ("report_on", "concluded_on")),
    ("conclusion_due", N_("Inspection conclusion"), ("concluded_on",)),
    ("publication_due", N_("Publication of the conclusion"), ("published_on",)),
    ("directive_due", N_("Directive to implement the conclusion"), ("directive_on",)),
)
# The fields each lifecycle event asks for besides its date: (name, message id, input kind).
EVENT_FIELDS: dict[str, list[tuple[str, str, str]]] = {
    "announce": [("decision_no", N_("Decision number"), "text"), ("note", N_("Note"), "text")],
    "extend": [
        ("decision_no", N_("Extension decision number"), "text"),
        ("days", N_("Days added"), "number"),
        ("note", N_("Note"), "text"),
    ],
    "suspend": [
        ("decision_no", N_("Suspension decision number"), "text"),
        ("reason", N_("Reason"), "textarea"),
    ],
    "resume": [("document_no", N_("Document number"), "text"), ("note", N_("Note"), "text")],
    "end_onsite": [("document_no", N_("Document number"), "text"), ("note", N_("Note"), "text")],
    "report": [("document_no", N_("Report number"), "text"), ("note", N_("Note"), "text")],
    "conclude": [("conclusion_no", N_("Conclusion number"), "text"), ("note", N_("Note"), "text")],
    "publish": [("document_no", N_("Document number"), "text"), ("note", N_("Note"), "text")],
    "direct": [("document_no", N_("Directive number"), "text"), ("note", N_("Note"), "text")],
    "close": [
        ("document_no", N_("Document number"), "text"),
        ("reason", N_("Reason for closing (read by the one who approves)"), "text"),
    ],
    "cancel": [
        ("document_no", N_("Document number"), "text"),
        ("reason", N_("Reason"), "textarea"),
    ],
}
CASE_FIELDS = (
    ("agency_id", N_("Agency")),
    ("kind", N_("Kind of case")),
    ("origin", N_("Origin")),
    ("origin_source", N_("Source")),
    ("origin_ref", N_("Reference of the report or request")),
    ("plan_id", N_("Annual inspection plan")),
    ("title", N_("Title")),
    ("scope", N_("Scope")),
    ("period_from", N_("Period inspected from")),
    ("period_to", N_("Period inspected to")),
    ("decision_no", N_("Inspection decision number")),
    ("decision_date", N_("Decision date")),
    ("duration_days", N_("Duration (days)")),
    ("working_days", N_("Counted in working days")),
    ("lead_user_id", N_("Team lead")),
    ("member_user_ids", N_("Team members")),
    ("subject_ids", N_("Subjects")),
)
DATE_FIELDS = ("period_from", "period_to", "decision_date")
# Keys of the case form that steer the page, not the case.
PAGE_ONLY_KEYS = ("overlap_confirmed", "subject_q")
FILTER_NUMBERS = (
    ("agency_id", CHOOSE_AGENCY),
    ("year", CHOOSE_YEAR),
    ("subject_id", "Choose from the list."),
    ("table", "Choose a value from the list."),
)


def case_filters(
    query: Mapping[str, str | None],
) -> tuple[dict[str, str], dict[str, int | None], dict[str, str]]:
    """The case list's filters as typed, their numbers, and errors for numbers mistyped."""
    # "true"/"false" as well, as links and scripts write them.
    overdue = {"true": "yes", "false": "no"}.get(
        query.get("overdue") or "", query.get("overdue") or ""
    )
    values = {
        "agency_id": query.get("agency_id") or "",
        "include_sub": "false" if query.get("include_sub") in OFF_VALUES else "",
        "year": (query.get("year") or "").strip(),
        "period": (query.get("period") or "").strip(),
        "origin": query.get("origin") or "",
        "kind": query.get("kind") or "",
        "status": query.get("status") or "",
        "overdue": overdue if overdue in ("yes", "no") else "",
        "subject_id": query.get("subject_id") or "",
        "q": (query.get("q") or "").strip(),
        # The report's rules, as the dashboard's and the report's figures link to them.
        "table": (query.get("table") or "").strip(),
        "concluded_in": (query.get("concluded_in") or "").strip(),
    }
    numbers, errors = whole_numbers(values, FILTER_NUMBERS)
    return values, numbers, errors


def list_arguments(values: Mapping[str, str], numbers: Mapping[str, int | None]) -> dict[str, Any]:
    """The keyword arguments of ``services.inspections.list_inspections`` for these filters."""
    return {
        "agency_id": numbers["agency_id"],
        "include_sub": values["include_sub"] != "false",
        "year": numbers["year"],
        "period": values["period"] or None,
        "origin": values["origin"] or None,
        "kind": values["kind"] or None,
        "status": values["status"] or None,
        "overdue": {"yes": True, "no": False}.get(values["overdue"]),
        "subject_id": numbers["subject_id"],
        "q": values["q"] or None,
        "report_table": numbers["table"],
        "concluded_in": values["concluded_in"] or None,
    }


def case_values(case: InspectionOut) -> dict[str, Any]:
    """A stored case as its edit form shows it."""
    return {
        "agency_id": str(case.agency_id),
        "kind": case.kind,
        "origin": case.origin,
        "origin_source": case.origin_source or "",
        "origin_ref": case.origin_ref or "",
        "plan_id": str(case.plan_id or ""),
        "title": case.title,
        "scope": case.scope or "",
        "period_from": date_text(case.period_from),
        "period_to": date_text(case.period_to),
        "decision_no": case.decision_no or "",
        "decision_date": date_text(case.decision_date),
        "duration_days": str(case.duration_days),
        "working_days": "true" if case.working_days else "false",
        "lead_user_id": str(case.lead_user_id or ""),
        "member_user_ids": [str(u) for u in case.member_user_ids],
        "subject_ids": [str(s) for s in case.subject_ids],
        "version": str(case.version),
    }


def new_case_values(
    *,
    agency_id: int,
    user_id: int,
    may_lead: bool,
    default_duration_days: int,
    subject_id: str | None,
    plan_id: str | None,
) -> dict[str, Any]:
    """The form of a new case: the user's agency, from a plan or for a subject when given."""
    return {
        "agency_id": str(agency_id),
        "kind": "inspection",
        "origin": "scheduled" if plan_id else "",
        "origin_source": "",
        "origin_ref": "",
        "plan_id": plan_id if plan_id and ascii_digits(plan_id) else "",
        "duration_days": str(default_duration_days),
        "working_days": "false",
        "lead_user_id": str(user_id) if may_lead else "",
        "member_user_ids": [],
        "subject_ids": [subject_id] if subject_id and ascii_digits(subject_id) else [],
    }


def overlap_gate(
    data: Mapping[str, Any], warnings: list[CaseWarning], *, may_override: bool
) -> dict[str, str] | None:
    """Errors that keep a form with overlap warnings from being saved; None to go ahead.

    Anyone may save despite the warning (it stays on the case); a head who goes ahead gives
    the reason, which is recorded as the override. An empty dict means "show the warning".
    """
    if not warnings or data.get("overlap_confirmed") != "1":
        return {} if warnings else None
    if may_override and not str(data.get("override_reason") or "").strip():
        return {"override_reason": "Give the reason for going ahead despite the warning."}
    return None


def service_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """The case form without the keys that only steer the page (an empty override left out)."""
    clean = {k: v for k, v in data.items() if k not in PAGE_ONLY_KEYS}
    if not str(clean.get("override_reason") or "").strip():
        clean.pop("override_reason", None)
    return clean


def _shown(key: str, value: Any, lookups: Mapping[str, Mapping[str, str]], lang: str) -> str:
    if isinstance(value, list):
        names = lookups.get(key, {})
        return ", ".join(names.get(str(v), f"#{v}") for v in value) or "—"
    if key in lookups:
        return lookups[key].get(str(value), str(value or "—"))
    if key == "working_days":
        return translate("Yes" if value in ("true", "on", "1") else "No", lang)
    return str(value) if value not in (None, "") else "—"


def case_differences(
    stored: Mapping[str, Any],
    submitted: Mapping[str, Any],
    lookups: Mapping[str, Mapping[str, str]],
    lang: str,
) -> list[dict[str, str]]:
    """What a stale case form would change: label, stored and typed value, names for ids.

    ``lookups`` name the coded values (key -> code -> name); a case stays with its agency,
    so the agency is never compared.
    """
    differences = []
    for key, label in CASE_FIELDS:
        if key not in submitted or key == "agency_id":
            continue
        mine = submitted[key]
        if key in DATE_FIELDS:
            mine = same_date_text(str(mine))
        theirs = stored.get(key)
        if isinstance(theirs, list):
            differs = sorted(theirs) != sorted(str(v) for v in mine or [])
        else:
            differs = str(theirs or "").strip() != str(mine or "").strip()
        if differs:
            differences.append(
                {
                    "label": label,
                    "current": _shown(key, theirs, lookups, lang),
                    "mine": _shown(key, mine, lookups, lang),
                }
            )
    return differences
