"""Asking for a second person's approval (four-eyes, see ``domain.approvals``).

The services whose changes need approval call :func:`ask` instead of making the change:
the request keeps what would have been written (``payload``, applied on approval by the same
service call), the reason, and the version of the record read when asking. When the change
is approved, ``services.approvals`` calls that service again with an :class:`Approved`
grant, and the change is made in the approver's unit of work with both names on its audit
row. This module knows nothing of what the changes are, so that every service may import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, cast

from inspect_app.domain.approvals import (
    ALREADY_PENDING,
    KIND_LABELS,
    REASON_REQUIRED,
    ApprovalKind,
)
from inspect_app.domain.messages import N_
from inspect_app.errors import Conflict
from inspect_app.i18n import translate
from inspect_app.principal import Principal
from inspect_app.schemas.approvals import PendingApproval
from inspect_app.services import audit, notifications
from inspect_app.services.casework import Errors, is_unique_violation, text
from inspect_app.services.unit_of_work import unit_of_work
from models.tables import Approval, AppUser, Inspection

# The record each kind of request is written on (its history shows the request).
TARGET_ENTITY = {
    "case_close": "inspection",
    "measure_create": "inspection",
    "measure_update": "measure",
    "measure_write_off": "measure",
    "execution_reversal": "execution",
}


@dataclass(frozen=True)
class Approved:
    """A change approved by a second person: applied with both names on its audit row."""

    approval_id: int
    requested_by: int
    requested_by_name: str
    approved_by_name: str
    reason: str

    def audit_note(self) -> dict[str, object]:
        """What the change's audit row says of the approval."""
        return {
            "approval_id": self.approval_id,
            "requested_by": self.requested_by_name,
            "approved_by": self.approved_by_name,
            "reason": self.reason,
        }


def request_reason(data: Mapping[str, Any], key: str = "reason") -> str:
    """The reason given with a change that needs approval; 422 naming ``key`` when absent."""
    errors = Errors()
    reason = text(data, key, errors, max_length=2000) or ""
    if not reason.strip() and key not in errors:
        errors[key] = REASON_REQUIRED
    errors.raise_if_any()
    return reason.strip()


def _json_value(value: object) -> object:
    """A value as JSON keeps it: dates ISO, Decimals as text; files and objects dropped."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return None


def stored_payload(data: Mapping[str, object]) -> dict[str, object]:
    """The submitted values worth keeping to apply later: no version, CSRF token or files."""
    return {
        key: _json_value(value)
        for key, value in data.items()
        if key != "version"
        and not key.startswith("_")
        and (value is None or _json_value(value) is not None)
    }


async def ask(
    principal: Principal,
    *,
    kind: ApprovalKind,
    agency_id: int,
    inspection_id: int,
    target_id: int,
    target_version: int | None,
    payload: Mapping[str, object],
    summary: Mapping[str, object],
    reason: str,
    ip: str = "",
) -> PendingApproval:
    """Store a pending request (one per kind and target); 409 when one is already waiting."""
    pending = Approval.exists().where(
        (Approval.kind == kind) & (Approval.target_id == target_id) & (Approval.status == "pending")
    )
    if await pending:
        raise Conflict(ALREADY_PENDING, code="approval_pending")
    try:
        async with unit_of_work():
            rows = await Approval.insert(
                Approval(
                    agency=agency_id,
                    inspection=inspection_id,
                    kind=kind,
                    target_id=target_id,
                    target_version=target_version,
                    payload=stored_payload(payload),
                    summary=stored_payload(summary),
                    reason=reason,
                    requested_by=principal.id,
                )
            ).returning(Approval.id)
            approval_id = rows[0]["id"]
            await _notify_approvers(approval_id, kind, inspection_id, principal.id)
            await audit.record(
                "approval.request",
                actor=principal,
                entity_type=TARGET_ENTITY[kind],
                entity_id=target_id,
                agency_id=agency_id,
                after={"approval_id": approval_id, "kind": kind, "reason": reason, **summary},
                ip=ip,
            )
    except Exception as exc:
        if is_unique_violation(exc):
            raise Conflict(ALREADY_PENDING, code="approval_pending") from None
        raise
    return PendingApproval(
        id=approval_id,
        kind=kind,
        status="pending",
        target_id=target_id,
        inspection_id=inspection_id,
        reason=reason,
        requested_by=principal.id,
        requested_by_name=principal.full_name,
        version=1,
    )


async def user_name(user_id: int) -> str:
    """A user's full name (for the audit row of an approved change)."""
    row = await AppUser.select(AppUser.full_name).where(AppUser.id == user_id).first()
    return str(row["full_name"]) if row else ""


NOTICE_KIND = "approval"
ASKED_TITLE = N_("Waiting for your approval: {what}, case {code}")
DECIDED_TITLES = {
    "approved": N_("Your request was approved: {what}, case {code}"),
    "rejected": N_("Your request was rejected: {what}, case {code}"),
}


async def _notify_approvers(
    approval_id: int, kind: ApprovalKind, inspection_id: int, requester_id: int
) -> None:
    """A notice (in the app, and by e-mail with the others) to everyone who may approve: the
    heads and leads of the case's agency and the agencies above it, but its own lead."""
    case = await Inspection.select(
        Inspection.code, Inspection.lead_user, Inspection.agency._.path.as_alias("path")
    ).where(Inspection.id == inspection_id)
    if not case:
        return
    ancestors = [int(part) for part in str(case[0]["path"]).strip("/").split("/") if part]
    users = await AppUser.select(AppUser.id, AppUser.language).where(
        AppUser.agency.is_in(ancestors)
        & AppUser.role.is_in(["head", "lead"])
        & (AppUser.active == True)  # noqa: E712
        & (AppUser.id != requester_id)
        & (AppUser.id != (case[0]["lead_user"] or 0))
    )
    await _insert_notices(
        [int(user["id"]) for user in users],
        {int(user["id"]): str(user["language"] or "vi") for user in users},
        approval_id,
        ASKED_TITLE,
        kind,
        str(case[0]["code"]),
        "/approvals",
    )


async def notify_requester(request: DecidedRequest, status: str) -> None:
    """Tell the requester that their request was approved or rejected."""
    title = DECIDED_TITLES.get(status)
    if title is None:
        return
    user = await AppUser.select(AppUser.language).where(AppUser.id == request.requested_by).first()
    language = str(user["language"] or "vi") if user else "vi"
    await _insert_notices(
        [request.requested_by],
        {request.requested_by: language},
        request.id,
        title,
        cast(ApprovalKind, request.kind),
        request.case_code,
        f"/inspections/{request.inspection_id}",
        rung=status,
    )


class DecidedRequest(Protocol):
    """What telling the requester reads of a decided request (services.approvals)."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def requested_by(self) -> int: ...
    @property
    def case_code(self) -> str: ...
    @property
    def inspection_id(self) -> int: ...


async def _insert_notices(
    user_ids: list[int],
    languages: dict[int, str],
    approval_id: int,
    title: str,
    kind: ApprovalKind,
    code: str,
    link: str,
    rung: str = NOTICE_KIND,
) -> None:
    await notifications.send(
        ((user_id, languages[user_id]) for user_id in user_ids),
        notifications.Notice(
            kind=NOTICE_KIND, entity_type="approval", entity_id=approval_id, rung=rung, link=link
        ),
        lambda language: translate(
            title, language, what=translate(KIND_LABELS[kind], language), code=code
        ),
    )
