"""Who may do what: the role permission table (see docs/security.md).

Scope is the other half of authorization: every user sees their own agency and the agencies
below it, enforced by the services in every query. This table says which actions a role may
take on the records it can see.
"""

from __future__ import annotations

from inspect_app.domain.messages import N_

ROLES = ("inspector", "lead", "head", "viewer", "admin")

ROLE_LABELS = {
    "inspector": N_("Inspector"),
    "lead": N_("Lead"),
    "head": N_("Head"),
    "viewer": N_("Viewer"),
    "admin": N_("Administrator"),
}

_CASE_WORKERS = frozenset({"inspector", "lead", "head"})
_LEADERS = frozenset({"lead", "head"})
_EVERYONE = frozenset(ROLES)
_READERS = frozenset({"inspector", "lead", "head", "viewer", "admin"})

PERMISSIONS: dict[str, frozenset[str]] = {
    # Reading anything in scope.
    "read": _READERS,
    # Reference data.
    "agency.manage": frozenset({"admin"}),
    "user.manage": frozenset({"admin"}),
    "subject.create": _CASE_WORKERS,
    "subject.edit": _CASE_WORKERS,
    "plan.manage": _LEADERS,
    # Cases.
    "inspection.create": _CASE_WORKERS,
    "inspection.edit": _CASE_WORKERS,
    "inspection.delete": _LEADERS,
    "inspection.event": _CASE_WORKERS,  # which events: domain.lifecycle.EVENT_ROLES
    "inspection.override_overlap": frozenset({"head"}),
    "finding.edit": _CASE_WORKERS,
    "measure.edit": _CASE_WORKERS,
    "measure.write_off": _LEADERS,
    "execution.create": _CASE_WORKERS,
    # Asking for a change that a second person approves (domain.approvals); approving it.
    "execution.reverse": _LEADERS,
    "approval.decide": _LEADERS,
    "approval.read": _CASE_WORKERS,
    "attachment.upload": _CASE_WORKERS,
    # Follow-up, reports, administration.
    # Reading the board: every role that reads cases (inspectors see their scope's deadlines
    # as they see its cases); reminding by letter is the leaders'.
    "followup.board": _READERS,
    "followup.remind": _LEADERS,
    "report.request": frozenset({"lead", "head"}),
    "report.sign_off": frozenset({"head"}),
    "import.run": _LEADERS,
    "tip.intake": _CASE_WORKERS,
    "tip.triage": _LEADERS,
    "publication.unpublish": frozenset({"head"}),
    "ladder.manage": frozenset({"admin"}),
    "audit.read": frozenset({"lead", "head", "admin"}),
    "totals.read": _READERS,
    # Every signed-in user: own profile, password, tokens, notifications.
    "self": _EVERYONE,
}


def has_permission(role: str, permission: str) -> bool:
    """True when ``role`` may perform ``permission``; unknown permissions are refused."""
    return role in PERMISSIONS.get(permission, frozenset())


def case_role(user_id: int, lead_user_id: int | None, member_ids: frozenset[int]) -> str | None:
    """``lead``, ``member`` or None for a user and the team of one case."""
    if lead_user_id is not None and user_id == lead_user_id:
        return "lead"
    if user_id in member_ids:
        return "member"
    return None


def case_permits(role: str, permission: str, role_on_case: str | None) -> bool:
    """True when a user may take ``permission`` on one case.

    Leads, heads and the other roles act by their account's role. An inspector acts by their
    place in the case's team: its lead takes every step reserved to leads, a member what an
    inspector may do (record findings, executions, documents, the announcement and the
    report), and an inspector outside the team reads the case only.
    """
    if role != "inspector":
        return has_permission(role, permission)
    if role_on_case == "lead":
        return has_permission("lead", permission)
    if role_on_case == "member":
        return has_permission("inspector", permission)
    return permission == "read"
