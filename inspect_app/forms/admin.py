"""Administration forms: agencies, users, reminder ladders, and the numeric cursor of
their lists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from inspect_app.domain.documents import SETTING_LIST_FIELDS, SETTING_TEXT_FIELDS, split_lines
from inspect_app.domain.permissions import ROLES
from inspect_app.domain.submissions import DUE_KINDS
from inspect_app.domain.text import ascii_digits
from inspect_app.errors import InvalidInput
from inspect_app.forms.common import int_or_none, read_version
from inspect_app.schemas.admin import (
    Agency,
    AgencyCreate,
    AgencyUpdate,
    User,
    UserCreate,
    UserUpdate,
)
from inspect_app.services.casework import Errors, whole_number
from inspect_app.services.follow_ups import DIGEST_LADDER, REPORT_LADDER
from inspect_app.services.ladder_settings import (
    MSG_DUE_DAYS,
    MSG_LADDER_DAYS,
    MSG_REMIND_DAYS,
    LadderChange,
    LadderSetting,
)

STALE_FORM = "This record was changed by someone else."
# Record ids and versions are 32-bit columns: a larger number names nothing.
MAX_RECORD_NUMBER = 2**31 - 1
# What a ticked check box sends (anything else, or nothing, is unticked).
ON_VALUES = ("true", "on", "1", "yes")


def list_cursor(cursor: str | None) -> int | None:
    """The id an admin list cursor points after; InvalidInput when it is not a number."""
    if cursor is None or cursor == "":
        return None
    if not ascii_digits(cursor) or len(cursor) > 10 or int(cursor) > MAX_RECORD_NUMBER:
        raise InvalidInput({"cursor": "This cursor is not valid."})
    return int(cursor)


def whole_number_field(
    data: Mapping[str, str], name: str, errors: dict[str, str], message: str
) -> int | None:
    """A required whole number of a form; ``message`` beside the field when it is not one."""
    raw = (data.get(name) or "").strip()
    if ascii_digits(raw) and len(raw) <= 10 and int(raw) <= MAX_RECORD_NUMBER:
        return int(raw)
    errors[name] = message
    return None


def _agency_fields(data: Mapping[str, str], unread: dict[str, str]) -> dict[str, Any]:
    """The fields of the agency forms, with the parent's number and the fine threshold read
    ("500.000.000"; blank is 0) and the lists one item a line; a blank parent is left out."""
    fields: dict[str, Any] = {
        "code": data.get("code", ""),
        "name": data.get("name", ""),
        "kind": data.get("kind", "department"),
    }
    if (data.get("parent_id") or "").strip():
        parent_id = whole_number_field(data, "parent_id", unread, "Choose the parent agency.")
        fields["parent_id"] = parent_id or 0  # unread: named in ``unread``
    # The document settings and the fine threshold, when the form has them.
    for key in SETTING_TEXT_FIELDS:
        if key in data:
            fields[key] = data[key]
    for key in SETTING_LIST_FIELDS:
        if key in data:
            fields[key] = split_lines(data[key])
    if "fine_approval_vnd" in data:
        problems = Errors()
        threshold = whole_number(dict(data), "fine_approval_vnd", problems, money=True)
        unread.update(problems)
        fields["fine_approval_vnd"] = threshold or 0
    return fields


def agency_entry(data: Mapping[str, str]) -> tuple[AgencyCreate, dict[str, str]]:
    """The new-agency form read into what services.agencies.create takes, with the fields
    that could not be read (pass them as ``unread``)."""
    unread: dict[str, str] = {}
    fields = _agency_fields(data, unread)
    if "parent_id" not in fields:
        unread["parent_id"] = "Choose the parent agency."
        fields["parent_id"] = 0
    return AgencyCreate(**fields), unread


def agency_change(data: Mapping[str, str], *, is_root: bool) -> tuple[AgencyUpdate, dict[str, str]]:
    """The edit form read into what services.agencies.update takes (the root keeps no
    parent; the box "active" is sent only when ticked)."""
    unread: dict[str, str] = {}
    fields = _agency_fields(data, unread)
    if is_root:
        fields.pop("parent_id", None)
        unread.pop("parent_id", None)
    version = edit_version(data, unread) or 0
    return AgencyUpdate(version=version, active=data.get("active") == "on", **fields), unread


def agency_values(agency: Agency) -> dict[str, Any]:
    """A stored agency as its edit form shows it."""
    return {
        **msgspec.structs.asdict(agency),
        "version": str(agency.version),
        "parent_id": "" if agency.parent_id is None else str(agency.parent_id),
    }


def _user_fields(data: Mapping[str, str], unread: dict[str, str]) -> dict[str, Any]:
    """The fields the new-user and the edit forms share, with the agency's number read."""
    agency_id = whole_number_field(data, "agency_id", unread, "Choose the agency.")
    return {
        "full_name": data.get("full_name", ""),
        "email": data.get("email", ""),
        "role": data.get("role", ""),
        "language": data.get("language", "vi") or "vi",
        "agency_id": agency_id or 0,  # unread: named in ``unread``
    }


def user_entry(data: Mapping[str, str]) -> tuple[UserCreate, dict[str, str]]:
    """The new-user form read into what services.users.create takes, with the fields that
    could not be read (pass them as ``unread``)."""
    unread: dict[str, str] = {}
    fields = _user_fields(data, unread)
    return (
        UserCreate(username=data.get("username", ""), password=data.get("password", ""), **fields),
        unread,
    )


def user_change(data: Mapping[str, str]) -> tuple[UserUpdate, dict[str, str]]:
    """The edit form read into what services.users.update takes (a blank password keeps
    the old one; a form without its version was stale or tampered with)."""
    unread: dict[str, str] = {}
    fields = _user_fields(data, unread)
    version = edit_version(data, unread) or 0
    if data.get("password"):
        fields["password"] = data["password"]
    return UserUpdate(version=version, **fields), unread


def user_values(user: User) -> dict[str, str]:
    """A stored user as the edit form shows it."""
    return {
        "version": str(user.version),
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email or "",
        "role": user.role,
        "agency_id": str(user.agency_id),
        "language": user.language,
    }


def user_form_values(data: Mapping[str, str]) -> dict[str, str]:
    """A sent user form as it comes back with its problems (never the password)."""
    return {key: value for key, value in data.items() if key != "password"}


def edit_version(data: Mapping[str, str], errors: dict[str, str]) -> int | None:
    """The version an edit form read; a form without one was stale or tampered with."""
    return whole_number_field(data, "version", errors, STALE_FORM)


def active_version(data: Mapping[str, str]) -> int:
    """The version sent by an (de)activate button; -1 (never stored) when missing."""
    raw = data.get("version") or ""
    return int(raw) if ascii_digits(raw) and len(raw) <= 10 else -1


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


# --------------------------------------------------------------------------- reminder ladders


def ladder_change(
    data: Mapping[str, str], deadline_type: str
) -> tuple[LadderChange, dict[str, str]]:
    """A ladder's form ("5, 1" or "5; 1", whole days) read into what
    services.ladder_settings.update_ladder takes, with the fields that could not be read
    (pass them as ``unread``: the service names them with its own problems)."""
    unread: dict[str, str] = {}
    parts = [part.strip() for part in data.get("remind_days", "").replace(";", ",").split(",")]
    days = [int_or_none(part) for part in parts if part]
    if None in days:
        unread["remind_days"] = MSG_REMIND_DAYS
    numbers = {}
    for key in ("overdue_after_days", "escalate_after_days"):
        numbers[key] = int_or_none(data.get(key))
        if numbers[key] is None:
            unread[key] = MSG_LADDER_DAYS
    due_days = None
    if deadline_type == REPORT_LADDER:
        due_days = {kind: int_or_none(data.get(f"due_{kind}")) for kind in DUE_KINDS}
        unread.update({f"due_{kind}": MSG_DUE_DAYS for kind, n in due_days.items() if n is None})
    change = LadderChange(
        version=read_version(data),
        remind_days=tuple(day for day in days if day is not None),
        overdue_after_days=numbers["overdue_after_days"] or 0,
        escalate_after_days=numbers["escalate_after_days"] or 0,
        active=data.get("active", "").strip().lower() in ON_VALUES,
        due_days=None
        if due_days is None
        else {kind: n for kind, n in due_days.items() if n is not None},
    )
    return change, unread


def ladder_values(ladder: LadderSetting) -> dict[str, str]:
    """A stored ladder as its form shows it: reminders counting down to the due day, the
    digest's rungs counting up after it."""
    days = sorted(ladder.remind_days, reverse=ladder.deadline_type != DIGEST_LADDER)
    values = {
        "version": str(ladder.version),
        "active": "true" if ladder.active else "",
        "remind_days": ", ".join(str(day) for day in days),
        "overdue_after_days": str(ladder.overdue_after_days),
        "escalate_after_days": str(ladder.escalate_after_days),
    }
    for kind, days_after in (ladder.due_days or {}).items():
        values[f"due_{kind}"] = str(days_after)
    return values
