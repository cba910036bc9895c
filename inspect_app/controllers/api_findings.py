"""JSON API of findings."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, FromQuery
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from inspect_app.principal import Principal
from inspect_app.schemas.bounds import QueryLimit
from inspect_app.schemas.cases import (
    Finding,
    FindingCreate,
    FindingList,
    FindingUpdate,
)
from inspect_app.services import findings


class FindingApiController(Controller):
    """Findings of a case and ``/api/findings/{id}``."""

    path = "/api"
    tags = ["findings"]

    @get("/inspections/{inspection_id:int}/findings", opt={"permission": "read"})
    async def list_findings(
        self,
        principal: Principal,
        inspection_id: FromPath[int],
        cursor: FromQuery[str | None] = None,
        limit: QueryLimit = None,
    ) -> FindingList:
        """The findings of a case, in the order recorded."""
        return await findings.list_findings(principal, inspection_id, cursor=cursor, limit=limit)

    @post(
        "/inspections/{inspection_id:int}/findings",
        opt={"permission": "finding.edit"},
        status_code=HTTP_201_CREATED,
    )
    async def create_finding(
        self, principal: Principal, inspection_id: FromPath[int], data: FindingCreate, ip: str
    ) -> Finding:
        """Record a finding about one of the case's subjects."""
        return await findings.create_finding(principal, inspection_id, data, ip)

    @get("/findings/{finding_id:int}", opt={"permission": "read"})
    async def get_finding(self, principal: Principal, finding_id: FromPath[int]) -> Finding:
        """One finding."""
        return await findings.get_finding(principal, finding_id)

    @patch("/findings/{finding_id:int}", opt={"permission": "finding.edit"})
    async def update_finding(
        self, principal: Principal, finding_id: FromPath[int], data: FindingUpdate, ip: str
    ) -> Finding:
        """Correct a finding; send the version read (409 when stale)."""
        return await findings.update_finding(principal, finding_id, data, ip)

    @delete(
        "/findings/{finding_id:int}",
        opt={"permission": "finding.edit"},
        status_code=HTTP_204_NO_CONTENT,
    )
    async def delete_finding(
        self,
        principal: Principal,
        finding_id: FromPath[int],
        ip: str,
        version: FromQuery[int | None] = None,
        reason: FromQuery[str | None] = None,
    ) -> None:
        """Withdraw a finding that no measure refers to; the row and ``reason`` are kept
        (required once the case is concluded)."""
        await findings.delete_finding(principal, finding_id, version, ip, reason)
