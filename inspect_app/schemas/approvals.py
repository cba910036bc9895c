"""API types of four-eyes approvals (domain.approvals) and of execution reversals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

import msgspec

# The vocabularies are the domain's (domain.approvals), not written again here.
from inspect_app.domain.approvals import ApprovalKind, ApprovalStatus
from inspect_app.schemas.bounds import Reason, Version


class PendingApproval(msgspec.Struct):
    """A change asked for and waiting for a second person (202 answers carry it)."""

    id: int
    kind: ApprovalKind
    status: ApprovalStatus
    target_id: int
    inspection_id: int
    reason: str
    requested_by: int
    requested_by_name: str
    version: int


class PendingOnly(msgspec.Struct):
    """The answer when nothing was written yet: the request waiting for approval."""

    pending_approval: PendingApproval


class Approval(msgspec.Struct):
    """A request for a change that closes a case or reduces what is owed, and its decision."""

    id: int
    kind: ApprovalKind
    status: ApprovalStatus
    agency_id: int
    agency_name: str
    inspection_id: int
    case_code: str
    case_title: str
    entity_type: str
    target_id: int
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
    can_decide: bool
    can_withdraw: bool
    version: int


class ApprovalList(msgspec.Struct):
    """A page of requests."""

    items: list[Approval]
    next_cursor: str | None


class ApprovalDecision(msgspec.Struct):
    """Approve or reject (a second person), or withdraw (the requester)."""

    decision: Literal["approve", "reject", "withdraw"]
    version: Version
    note: Reason = ""


class ExecutionReversal(msgspec.Struct):
    """Cancel an execution by a negative entry citing it: dated (today when left out) from
    the entry's own date to today, with the reason."""

    reason: Reason
    date: date | None = None
