"""Administration forms: agencies, users, and the numeric cursor of their lists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inspect_app.domain.documents import SETTING_LIST_FIELDS, SETTING_TEXT_FIELDS
from inspect_app.domain.permissions import ROLES
from inspect_app.errors import InvalidInput

STALE_FORM = "This record was changed by someone else."


def list_cursor(cursor: str | None) -> int | None:
    """The id an admin list cursor points after; InvalidInput when it is not a number."""
    if cursor is None or cursor == "":
        return None
    if not cursor.isdigit():
        raise InvalidInput({"cursor": "This cursor is not valid."})
    return int(cursor)


def whole_number_field(
    data: Mapping[str, str], name: str, errors: dict[str, str], message: str
) -> int | None:
    """A required whole number of a form; ``message`` beside the field when it is not one."""
    raw = (data.get(name) or "").strip()
    if raw.isdigit():
        return int(raw)
    errors[name] = message
    return None


def agency_form(data: Mapping[str, str], errors: dict[str, str]) -> dict[str, Any]:
    """The agency form as the agency service takes it (a blank parent is left out)."""
    values: dict[str, Any] = {
        "code": data.get("code", ""),
        "name": data.get("name", ""),
        "kind": data.get("kind", "department"),
        "active": data.get("active") == "on",
    }
    if (data.get("parent_id") or "").strip():
        values["parent_id"] = whole_number_field(
            data, "parent_id", errors, "Choose the parent agency."
        )
    # The document settings and the fine threshold, when the form has them (lists one item
    # a line; the threshold as typed, "500.000.000", read by the service).
    for key in (*SETTING_TEXT_FIELDS, *SETTING_LIST_FIELDS, "fine_approval_vnd"):
        if key in data:
            values[key] = data[key]
    return values


def user_form(data: Mapping[str, str], errors: dict[str, str]) -> dict[str, Any]:
    """The user form as the user service takes it (a blank password is left out)."""
    values: dict[str, Any] = {
        "full_name": data.get("full_name", ""),
        "email": data.get("email", ""),
        "role": data.get("role", ""),
        "language": data.get("language", "vi"),
        "agency_id": whole_number_field(data, "agency_id", errors, "Choose the agency."),
    }
    if data.get("password"):
        values["password"] = data["password"]
    return values


def new_user_form(data: Mapping[str, str], errors: dict[str, str]) -> dict[str, Any]:
    """The new-user form: the user form with the username and a password, required."""
    return {
        **user_form(data, errors),
        "username": data.get("username", ""),
        "password": data.get("password", ""),
    }


def edit_version(data: Mapping[str, str], errors: dict[str, str]) -> int | None:
    """The version an edit form read; a form without one was stale or tampered with."""
    return whole_number_field(data, "version", errors, STALE_FORM)


def active_version(data: Mapping[str, str]) -> int:
    """The version sent by an (de)activate button; -1 (never stored) when missing."""
    raw = data.get("version") or ""
    return int(raw) if raw.isdigit() else -1


def user_filters(
    q: str | None, role: str | None, agency_id: int | None, active: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The user list's service arguments and the filters shown back in the form."""
    arguments = {
        "q": q,
        "role": role if role in ROLES else None,
        "agency_id": agency_id,
        "active": {"1": True, "0": False}.get(active or ""),
    }
    shown = {"q": q or "", "role": role or "", "agency_id": agency_id or "", "active": active}
    return arguments, shown
