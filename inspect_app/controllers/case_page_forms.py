"""Shared pieces of the case pages: reading forms, option lists, labels and stale edits.

Forms are read as a multi-dict so that check boxes (subjects, team members) keep every value;
everything else takes the last value sent, which lets a hidden "false" precede a check box.
A stale edit (someone saved the record after the form was opened) is answered with a page
showing what they changed and the user's own values, ready to be applied again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile

from inspect_app.domain.formatting import format_date, parse_date_input
from inspect_app.domain.measures import MEASURE_STATUS_LABELS
from inspect_app.exceptions import request_language
from inspect_app.principal import Principal
from inspect_app.services import agencies, audit

MULTI_KEYS = ("subject_ids", "member_user_ids")
SKIPPED_KEYS = ("_csrf_token", "_action")

# Where an ad-hoc case comes from (services.inspections.ORIGIN_SOURCES), as message ids.
ORIGIN_SOURCE_LABELS = {
    "hotline": "Hotline",
    "feedback_box": "Feedback box",
    "complaint": "Complaint",
    "denunciation": "Denunciation",
    "directive": "Directive of a superior",
    "signs": "Signs of violation",
    "other": "Other",
}
ORIGIN_LABELS = {"scheduled": "Scheduled", "ad_hoc": "Ad-hoc"}
SUBJECT_KIND_LABELS = {
    "enterprise": "Enterprise",
    "organization": "Organisation",
    "individual": "Individual",
    "state_body": "State body",
}
FINDING_CATEGORY_LABELS = {
    "land": "Land",
    "finance": "Finance and budget",
    "construction": "Construction investment",
    "anti_corruption": "Anti-corruption",
    "food_safety": "Food safety",
    "health": "Health",
    "environment": "Environment",
    "trade": "Trade",
    "labour": "Labour",
    "other": "Other",
}
PLAN_STATUS_LABELS = {"draft": "Draft", "approved": "Approved", "amended": "Amended"}


async def read_form(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The posted form: lists for the multi-valued keys, the last value for the others."""
    form = await request.form()
    data: dict[str, Any] = {}
    for key in form:
        if key in SKIPPED_KEYS:
            continue
        values = form.getall(key)
        if key in MULTI_KEYS:
            data[key] = [v.strip() for v in values if isinstance(v, str) and v.strip()]
        else:
            last = values[-1]
            data[key] = last if isinstance(last, str | UploadFile) else str(last)
    for key in MULTI_KEYS:
        if f"_{key}_sent" in data:
            data.setdefault(key, [])
            data.pop(f"_{key}_sent")
    return data


async def posted_action(request: Request[Any, Any, Any]) -> str:
    """The value of the ``_action`` button that submitted the form ("" for the main one)."""
    form = await request.form()
    value = form.get("_action")
    return value if isinstance(value, str) else ""


def date_text(value: date | None) -> str:
    """A date as typed in forms: dd/mm/yyyy ("" for none)."""
    return format_date(value)


def same_date_text(value: str) -> str:
    """A typed date written the canonical way (1/2/2026 -> 01/02/2026); other text unchanged."""
    try:
        return format_date(parse_date_input(value))
    except ValueError:
        return value.strip()


def int_or_none(raw: str | None) -> int | None:
    """A positive whole number from a query string, or None when absent or not a number."""
    if raw is None or not raw.strip().isdigit():
        return None
    return int(raw.strip())


def measure_status_labels(request: Request[Any, Any, Any]) -> dict[str, str]:
    """Measure statuses in the request's language."""
    lang = request_language(request)
    return {key: labels[lang] for key, labels in MEASURE_STATUS_LABELS.items()}


async def agency_choices(principal: Principal) -> list[tuple[str, str]]:
    """Agencies in scope in tree order, indented, for a select box."""
    return [
        (str(row["id"]), "— " * row["indent"] + row["name"])
        for row in await agencies.tree_options(principal)
    ]


async def stale_context(
    principal: Principal,
    *,
    entity_type: str,
    entity_id: int,
    read_version: int,
    current_version: int,
    submitted: dict[str, Any],
    differences: list[dict[str, str]],
    action: str,
    reload_url: str,
    title: str,
) -> dict[str, Any]:
    """What the stale-edit page shows: others' changes since ``read_version`` and a re-apply."""
    rows = await audit.visible_history(principal, entity_type, entity_id, limit=50)
    since = [
        row
        for row in rows
        if isinstance(row["after"], dict)
        and isinstance(row["after"].get("version"), int)
        and row["after"]["version"] > read_version
    ]
    hidden: list[tuple[str, str]] = []
    for key, value in submitted.items():
        if key == "version" or isinstance(value, UploadFile):
            continue
        if isinstance(value, list):
            hidden.append((f"_{key}_sent", "1"))
            hidden += [(key, str(item)) for item in value]
        else:
            hidden.append((key, str(value)))
    hidden.append(("version", str(current_version)))
    return {
        "title": title,
        "others": list(reversed(since)),
        "differences": differences,
        "hidden": hidden,
        "action": action,
        "reload_url": reload_url,
    }
