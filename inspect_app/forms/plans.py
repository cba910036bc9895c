"""Annual plan forms: the list's filters and the plan form's values."""

from __future__ import annotations

from typing import Any

from inspect_app.forms.common import CHOOSE_AGENCY, CHOOSE_YEAR, date_text, whole_numbers
from inspect_app.i18n import N_
from inspect_app.schemas.cases import Plan

PLAN_FIELDS = (
    ("year", N_("Year")),
    ("title", N_("Plan title")),
    ("decision_no", N_("Decision number")),
    ("decision_date", N_("Decision date")),
    ("status", N_("Status")),
    ("note", N_("Note")),
)


def plan_filters(
    agency_id: str | None, year: str | None
) -> tuple[dict[str, str], dict[str, int | None], dict[str, str]]:
    """The plan list's filters as typed, their numbers, and errors for numbers mistyped."""
    values = {"agency_id": agency_id or "", "year": (year or "").strip()}
    numbers, errors = whole_numbers(values, (("agency_id", CHOOSE_AGENCY), ("year", CHOOSE_YEAR)))
    return values, numbers, errors


def plan_values(plan: Plan) -> dict[str, Any]:
    """A stored plan as its form shows it."""
    return {
        "agency_id": str(plan.agency_id),
        "year": str(plan.year),
        "title": plan.title,
        "decision_no": plan.decision_no or "",
        "decision_date": date_text(plan.decision_date),
        "status": plan.status,
        "note": plan.note,
        "version": str(plan.version),
    }


def new_plan_values(agency_id: int, this_year: int) -> dict[str, Any]:
    """The form of a new plan: the user's agency, next year, a draft."""
    return {"agency_id": str(agency_id), "year": str(this_year + 1), "status": "draft"}
