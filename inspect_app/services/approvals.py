"""The approvals list: changes waiting for a second person, and deciding them.

Approving calls the service that would have made the change, with an ``Approved`` grant,
inside one unit of work with the request's own update: the change, its audit row (both names
on it), the request's decision and the totals marker commit together or not at all. A
record changed since the request (its version moved on) is refused with 409: the approver
rejects it and the requester asks again from what is there now.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from inspect_app.domain.approvals import DECISIONS, NOT_PENDING, STATUSES, decision_problem
from inspect_app.domain.text import ascii_digits
from inspect_app.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspect_app.principal import Principal
from inspect_app.schemas.approvals import ApprovalDecision, ExecutionReversal
from inspect_app.schemas.cases import Execution as ExecutionOut
from inspect_app.schemas.cases import Measure as MeasureOut
from inspect_app.services import audit, executions, inspections, measures
from inspect_app.services.approval_requests import (
    TARGET_ENTITY,
    Approved,
    notify_requester,
    user_name,
)
from inspect_app.services.casework import (
    Errors,
    decode_cursor,
    ensure_id,
    keyset_page,
    lock_row,
    page_limit,
    stale_version,
    stored_id,
    stored_instant,
    text,
)
from inspect_app.services.unit_of_work import unit_of_work
from models.tables import Approval

CHANGED_SINCE = (
    "The record changed after this request was made; reject it and ask again from what is "
    "there now."
)
APPROVAL_FIELDS = (
    Approval.id,
    Approval.agency,
    Approval.inspection,
    Approval.kind,
    Approval.target_id,
    Approval.target_version,
    Approval.payload,
    Approval.summary,
    Approval.reason,
    Approval.status,
    Approval.requested_by,
    Approval.requested_at,
    Approval.decided_by,
    Approval.decided_at,
    Approval.decision_note,
    Approval.result_id,
    Approval.version,
    Approval.inspection._.code.as_alias("case_code"),
    Approval.inspection._.title.as_alias("case_title"),
    Approval.inspection._.lead_user.as_alias("case_lead_id"),
    Approval.requested_by._.full_name.as_alias("requested_by_name"),
    Approval.decided_by._.full_name.as_alias("decided_by_name"),
    Approval.agency._.name.as_alias("agency_name"),
)


def _in_scope(principal: Principal) -> Any:
    return Approval.agency._.path.like(principal.scope_pattern)


def _json(value: Any) -> Any:
    """A JSON column's value (SQLite hands back its text)."""
    if isinstance(value, str):
        return json.loads(value) if value else {}
    return value or {}


def _may_decide(principal: Principal, requester_id: int, case_lead_id: int | None) -> bool:
    """True when this person may approve or reject a request (domain.approvals)."""
    return (
        principal.can("approval.decide")
        and decision_problem(
            "approve",
            user_id=principal.id,
            role=principal.role,
            requester_id=requester_id,
            case_lead_id=case_lead_id,
        )
        is None
    )


@dataclass(frozen=True)
class ApprovalRecord:
    """A request for a change that waits for a second person, as this reader sees it: what
    it asks (``payload``, the service's request; ``summary``, the change in words), who
    asked, its decision, and what the reader may do with it. The API's Approval struct is
    read from its attributes."""

    id: int
    kind: str
    status: str
    agency_id: int
    agency_name: str
    inspection_id: int
    case_code: str
    case_title: str
    case_lead_id: int | None
    entity_type: str
    target_id: int
    target_version: int | None
    payload: dict[str, Any]
    summary: dict[str, Any]
    reason: str
    requested_by: int
    requested_by_name: str
    requested_at: datetime | None
    decided_by: int | None
    decided_by_name: str | None
    decided_at: datetime | None
    decision_note: str
    result_id: int | None
    version: int
    can_decide: bool
    can_withdraw: bool


@dataclass(frozen=True)
class ApprovalPage:
    """A page of requests and the cursor to the next (None on the last)."""

    items: list[ApprovalRecord]
    next_cursor: str | None


def approval_out(row: Mapping[str, Any], principal: Principal) -> ApprovalRecord:
    """A request row (APPROVAL_FIELDS) as this reader sees it, with what they may do."""
    pending = row["status"] == "pending"
    requested_by = int(row["requested_by"])
    case_lead = stored_id(row["case_lead_id"])
    return ApprovalRecord(
        id=int(row["id"]),
        kind=str(row["kind"]),
        status=str(row["status"]),
        agency_id=int(row["agency"]),
        agency_name=str(row["agency_name"] or ""),
        inspection_id=int(row["inspection"]),
        case_code=str(row["case_code"] or ""),
        case_title=str(row["case_title"] or ""),
        case_lead_id=case_lead,
        entity_type=TARGET_ENTITY[row["kind"]],
        target_id=int(row["target_id"]),
        target_version=stored_id(row["target_version"]),
        payload=_json(row["payload"]),
        summary=_json(row["summary"]),
        reason=str(row["reason"] or ""),
        requested_by=requested_by,
        requested_by_name=str(row["requested_by_name"] or ""),
        requested_at=stored_instant(row["requested_at"]),
        decided_by=stored_id(row["decided_by"]),
        decided_by_name=row["decided_by_name"],
        decided_at=stored_instant(row["decided_at"]),
        decision_note=str(row["decision_note"] or ""),
        result_id=stored_id(row["result_id"]),
        version=int(row["version"]),
        can_decide=pending and _may_decide(principal, requested_by, case_lead),
        can_withdraw=pending and requested_by == principal.id,
    )


async def list_approvals(
    principal: Principal,
    *,
    status: str | None = "pending",
    inspection_id: int | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> ApprovalPage:
    """Requests in scope, oldest first (the one waiting longest on top)."""
    size = page_limit(limit)
    after = decode_cursor(cursor)
    where = _in_scope(principal)
    if status is not None:
        if status not in STATUSES:
            raise InvalidInput({"status": "Choose a value from the list."})
        where = where & (Approval.status == status)
    if inspection_id is not None:
        ensure_id(inspection_id)
        where = where & (Approval.inspection == inspection_id)
    if after is not None:
        where = where & (Approval.id > after)
    rows = (
        await Approval.select(*APPROVAL_FIELDS).where(where).order_by(Approval.id).limit(size + 1)
    )
    items, next_cursor = keyset_page([approval_out(row, principal) for row in rows], size)
    return ApprovalPage(items, next_cursor)


def decidable_count(principal: Principal, pending: Iterable[tuple[int, int | None]]) -> int:
    """How many of these pending requests in scope, each (requester, case lead), this person
    may decide: the menu's badge (read with the unread count by services.menu)."""
    return sum(1 for requester, lead in pending if _may_decide(principal, requester, lead))


async def get_approval(principal: Principal, approval_id: int) -> ApprovalRecord:
    """One request in scope; NotFound otherwise."""
    ensure_id(approval_id)
    row = (
        await Approval.select(*APPROVAL_FIELDS)
        .where(_in_scope(principal) & (Approval.id == approval_id))
        .first()
    )
    if row is None:
        raise NotFound()
    return approval_out(row, principal)


async def _apply(principal: Principal, request: ApprovalRecord, grant: Approved, ip: str) -> int:
    """Make the approved change through the service that owns it; the id of its record."""
    kind, target, payload = request.kind, request.target_id, request.payload
    version = request.target_version
    try:
        if kind == "case_close":
            data = {**payload, "version": version}
            await inspections.record_event(principal, target, data, ip, approved=grant)
            return int(target)
        if kind in ("measure_update", "measure_write_off"):
            change, unread = measures.update_request(version or 0, payload)
            await measures.update_measure(
                principal, target, change, ip, approved=grant, unread=unread
            )
            return int(target)
        if kind == "measure_create":
            entry, unread = measures.create_request(payload)
            created = await measures.create_measure(
                principal, target, entry, ip, approved=grant, unread=unread
            )
            assert isinstance(created, MeasureOut)  # approved: recorded, not asked again
            return created.id
        day = payload.get("date")  # stored as JSON: ISO text
        asked = ExecutionReversal(
            reason=str(payload.get("reason") or ""),
            date=date.fromisoformat(day) if isinstance(day, str) else day,
        )
        reversal = await executions.reverse_execution(
            principal, target, asked, ip, approved=grant, version=version
        )
        assert isinstance(reversal, ExecutionOut)  # approved: booked, not asked again
        return reversal.id
    except Conflict as exc:
        if exc.code == "stale_version":
            raise Conflict(CHANGED_SINCE, code="changed_since_request") from None
        raise


_DECISION_NAMES: dict[str, Literal["approve", "reject", "withdraw"]] = {
    "approve": "approve",
    "reject": "reject",
    "withdraw": "withdraw",
}


def decision_request(data: Mapping[str, Any]) -> tuple[ApprovalDecision, Errors]:
    """A decision as the page's buttons send it, read into the API's ApprovalDecision, with
    what could not be read (pass it as ``unread``)."""
    errors = Errors()
    decision = str(data.get("decision") or "")
    if decision not in DECISIONS:
        errors["decision"] = "Choose a value from the list."
    raw = str(data.get("version") or "").strip()
    version = int(raw) if ascii_digits(raw) and len(raw) <= 10 else 0
    if not version:
        errors["version"] = "This field is required."
    note = str(data.get("note") or "")
    chosen = _DECISION_NAMES.get(decision, "approve")  # not read: named in ``errors``
    return ApprovalDecision(decision=chosen, version=version, note=note), errors


async def decide(
    principal: Principal,
    approval_id: int,
    asked: ApprovalDecision,
    ip: str = "",
    *,
    unread: Mapping[str, str] | None = None,
) -> ApprovalRecord:
    """Approve, reject or withdraw a pending request (with an optional note).

    403 when this person may not take the decision (their own request, the lead of the
    case, a role that does not approve); 409 for a stale version or a decided request.
    """
    errors = Errors()
    decision, version = asked.decision, asked.version
    if decision not in DECISIONS:
        errors["decision"] = "Choose a value from the list."
    note = text({"note": asked.note}, "note", errors, max_length=2000) or ""
    errors.update(unread or {})
    errors.raise_if_any()
    request = await get_approval(principal, approval_id)
    if decision != "withdraw" and not principal.can("approval.decide"):
        raise Forbidden()
    problem = decision_problem(
        decision,
        user_id=principal.id,
        role=principal.role,
        requester_id=request.requested_by,
        case_lead_id=request.case_lead_id,
    )
    if problem is not None:
        raise Forbidden(problem)
    if request.status != "pending":
        raise Conflict(NOT_PENDING, code="not_pending")
    if request.version != version:
        raise stale_version()
    status = {"approve": "approved", "reject": "rejected", "withdraw": "withdrawn"}[decision]
    async with unit_of_work():
        await lock_row(Approval, approval_id)
        current = await Approval.select(Approval.status, Approval.version).where(
            Approval.id == approval_id
        )
        if current[0]["status"] != "pending" or current[0]["version"] != version:
            raise stale_version()
        result_id = None
        if decision == "approve":
            grant = Approved(
                approval_id=approval_id,
                requested_by=request.requested_by,
                requested_by_name=await user_name(request.requested_by),
                approved_by_name=principal.full_name,
                reason=request.reason,
            )
            result_id = await _apply(principal, request, grant, ip)
        await Approval.update(
            {
                Approval.status: status,
                Approval.decided_by: principal.id,
                Approval.decided_at: datetime.now(UTC),
                Approval.decision_note: note.strip(),
                Approval.result_id: result_id,
                Approval.version: version + 1,
            }
        ).where(Approval.id == approval_id)
        await notify_requester(request, status)
        await audit.record(
            f"approval.{decision}",
            actor=principal,
            entity_type=request.entity_type,
            entity_id=request.target_id,
            agency_id=request.agency_id,
            after={
                "approval_id": approval_id,
                "kind": request.kind,
                "requested_by": request.requested_by_name,
                **({"note": note.strip()} if note.strip() else {}),
            },
            ip=ip,
        )
    return await get_approval(principal, approval_id)
