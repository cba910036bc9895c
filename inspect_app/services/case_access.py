"""The case's own roles: who on a case's team may change it (domain.permissions.case_permits).

Scope (the agency subtree) decides who sees a case; the account's role what kind of change
they may make; for an inspector, their place in the case's team decides whether they may
make it on this case at all.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from inspect_app.domain.permissions import PERMISSIONS, case_permits, case_role
from inspect_app.errors import Forbidden
from inspect_app.principal import Principal
from inspect_app.schemas.cases import Inspection as InspectionOut
from models.tables import InspectionMember

NOT_ON_TEAM = "Only the team of this case may change it; you can read it."


class OnCase(Protocol):
    """What the team rule reads of a case: its id and its lead (a ``StoredCase``, an
    ``Inspection`` as the API shows it, or the case of an attached file's record)."""

    @property
    def id(self) -> int: ...

    @property
    def lead_user_id(self) -> int | None: ...


async def team_role(
    principal: Principal, case: OnCase, members: Collection[int] | None = None
) -> str | None:
    """``lead``, ``member`` or None: the principal's place in the case's team.

    The team's ``members`` when the caller has read them (a case as the pages show it
    already names them); read here otherwise."""
    lead = case.lead_user_id
    if lead is not None and lead == principal.id:
        return "lead"
    if members is None and isinstance(case, InspectionOut):
        members = case.member_user_ids
    if members is not None:
        return case_role(principal.id, lead, frozenset(members))
    rows = await InspectionMember.select(InspectionMember.user).where(
        (InspectionMember.inspection == case.id) & (InspectionMember.user == principal.id)
    )
    return case_role(principal.id, lead, frozenset(row["user"] for row in rows))


async def ensure_case_write(principal: Principal, case: OnCase, permission: str) -> None:
    """Forbidden unless the principal may take ``permission`` on this case."""
    if principal.role != "inspector":
        if not principal.can(permission):
            raise Forbidden()
        return
    if not case_permits(principal.role, permission, await team_role(principal, case)):
        raise Forbidden(NOT_ON_TEAM)


async def allowed(
    principal: Principal, case: OnCase, members: Collection[int] | None = None
) -> frozenset[str]:
    """Every permission the principal may take on this case (what its pages offer);
    ``members`` as for :func:`team_role`."""
    on_case = await team_role(principal, case, members) if principal.role == "inspector" else None
    return frozenset(
        permission
        for permission in PERMISSIONS
        if case_permits(principal.role, permission, on_case)
    )
