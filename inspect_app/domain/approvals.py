"""Four-eyes: which changes wait for a second person, and who that person may be.

Changes that close a case or reduce the money and work still owed are not made by one
person alone. The one who asks gives a reason; a second person approves or rejects it; both
names stay on the record. What needs approval:

- closing a case (``case_close``);
- writing a recommendation off (``measure_write_off``);
- reducing what a recommendation asks for, or changing its type to one counted in another
  unit (``measure_update``), and raising an administrative fine above the agency's threshold;
- recording an administrative fine above that threshold (``measure_create``);
- reversing an execution (``execution_reversal``).

Who approves: a head, or a lead who does not lead the case, and never the person who asked.
Pure functions over plain values; ``services.approvals`` applies them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from inspect_app.domain.measures import measure_unit
from inspect_app.domain.messages import N_, pN_

ApprovalKind = Literal[
    "case_close", "measure_create", "measure_update", "measure_write_off", "execution_reversal"
]
ApprovalStatus = Literal["pending", "approved", "rejected", "withdrawn"]
KINDS: tuple[ApprovalKind, ...] = (
    "case_close",
    "measure_create",
    "measure_update",
    "measure_write_off",
    "execution_reversal",
)
STATUSES: tuple[ApprovalStatus, ...] = ("pending", "approved", "rejected", "withdrawn")
DECISIONS = ("approve", "reject", "withdraw")

KIND_LABELS = {
    "case_close": N_("Close the case"),
    "measure_create": N_("Record a fine above the threshold"),
    "measure_update": N_("Correct a recommendation"),
    "measure_write_off": N_("Write a recommendation off"),
    "execution_reversal": N_("Reverse an execution"),
}
STATUS_LABELS = {
    "pending": pN_("approval", "Waiting for approval"),
    "approved": pN_("approval", "Approved"),
    "rejected": pN_("approval", "Rejected"),
    "withdrawn": pN_("approval", "Withdrawn"),
}

OWN_REQUEST = N_("You asked for this change: another person must approve it.")
LEAD_OF_CASE = N_(
    "The lead of this case cannot approve its changes: ask a head or the lead of another case."
)
NOT_APPROVER = N_("Only a head, or the lead of another case, may approve a change.")
ONLY_REQUESTER = N_("Only the person who asked may withdraw the request.")
REASON_REQUIRED = N_("Give the reason for this change.")
ALREADY_PENDING = N_("This change is already waiting for approval.")
NOT_PENDING = N_("This request was already decided.")


def approver_problem(
    *, approver_id: int, approver_role: str, requester_id: int, case_lead_id: int | None
) -> str | None:
    """Why this person may not approve a request, or None when they may."""
    if approver_id == requester_id:
        return OWN_REQUEST
    if approver_role == "head":
        return None
    if approver_role == "lead":
        return LEAD_OF_CASE if approver_id == case_lead_id else None
    return NOT_APPROVER


def decision_problem(
    decision: str,
    *,
    user_id: int,
    role: str,
    requester_id: int,
    case_lead_id: int | None,
) -> str | None:
    """Why this person may not take this decision on a pending request, or None."""
    if decision == "withdraw":
        return None if user_id == requester_id else ONLY_REQUESTER
    return approver_problem(
        approver_id=user_id,
        approver_role=role,
        requester_id=requester_id,
        case_lead_id=case_lead_id,
    )


def fine_needs_approval(measure_type: str, amount_vnd: int, threshold_vnd: int) -> bool:
    """An administrative fine strictly above the agency's threshold (0: no threshold)."""
    return measure_type == "admin_fine" and threshold_vnd > 0 and amount_vnd > threshold_vnd


def correction_needs_approval(
    *,
    type_before: str,
    type_after: str,
    target_before: int | Decimal,
    target_after: int | Decimal,
    amount_before: int,
    amount_after: int,
    threshold_vnd: int,
) -> bool:
    """A correction that reduces what is owed, moves it to another unit, or raises a fine
    above the threshold."""
    if measure_unit(type_before) != measure_unit(type_after):
        return target_before > 0 or fine_needs_approval(type_after, amount_after, threshold_vnd)
    if target_after < target_before:
        return True
    raised = amount_after > amount_before or type_after != type_before
    return raised and fine_needs_approval(type_after, amount_after, threshold_vnd)
