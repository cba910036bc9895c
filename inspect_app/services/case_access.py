"""The case's own roles: who on a case's team may change it (domain.permissions.case_permits).

Scope (the agency subtree) decides who sees a case; the account's role what kind of change
they may make; for an inspector, their place in the case's team decides whether they may
make it on this case at all.
"""

from __future__ import annotations

from typing import Any

from inspect_app.domain.permissions import PERMISSIONS, case_permits, case_role
from inspect_app.errors import Forbidden
from inspect_app.principal import Principal
from models.tables import InspectionMember

NOT_ON_TEAM = "Only the team of this case may change it; you can read it."


async def team_role(principal: Principal, case: dict[str, Any]) -> str | None:
    """``lead``, ``member`` or None: the principal's place in the case's team."""
    lead = case.get("lead_user", case.get("lead_user_id"))
    if lead is not None and lead == principal.id:
        return "lead"
    if "member_user_ids" in case:  # a case as the pages show it already names its team
        return case_role(principal.id, lead, frozenset(case["member_user_ids"]))
    members = await InspectionMember.select(InspectionMember.user).where(
        (InspectionMember.inspection == case["id"]) & (InspectionMember.user == principal.id)
    )
    return case_role(principal.id, lead, frozenset(row["user"] for row in members))


async def ensure_case_write(principal: Principal, case: dict[str, Any], permission: str) -> None:
    """Forbidden unless the principal may take ``permission`` on this case."""
    if principal.role != "inspector":
        if not principal.can(permission):
            raise Forbidden()
        return
    if not case_permits(principal.role, permission, await team_role(principal, case)):
        raise Forbidden(NOT_ON_TEAM)


async def allowed(principal: Principal, case: dict[str, Any]) -> frozenset[str]:
    """Every permission the principal may take on this case (what its pages offer)."""
    on_case = await team_role(principal, case) if principal.role == "inspector" else None
    return frozenset(
        permission
        for permission in PERMISSIONS
        if case_permits(principal.role, permission, on_case)
    )
