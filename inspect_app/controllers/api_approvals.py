"""JSON API of four-eyes approvals: the requests in scope, and deciding one."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.status_codes import HTTP_200_OK

from inspect_app.domain.approvals import ApprovalStatus
from inspect_app.principal import Principal
from inspect_app.schemas.approvals import Approval, ApprovalDecision, ApprovalList
from inspect_app.schemas.bounds import QueryId, QueryLimit
from inspect_app.schemas.cases import to
from inspect_app.services import approvals


class ApprovalApiController(Controller):
    """``/api/approvals``: changes that wait for a second person."""

    path = "/api/approvals"
    tags = ["approvals"]

    @get("/", opt={"permission": "approval.read"})
    async def list_approvals(
        self,
        principal: Principal,
        status: FromQuery[ApprovalStatus | None] = "pending",
        inspection_id: QueryId = None,
        cursor: FromQuery[str | None] = None,
        limit: QueryLimit = None,
    ) -> ApprovalList:
        """Requests in scope (pending by default), the one waiting longest first."""
        page = await approvals.list_approvals(
            principal, status=status, inspection_id=inspection_id, cursor=cursor, limit=limit
        )
        return to(ApprovalList, page)

    @get("/{approval_id:int}", opt={"permission": "approval.read"})
    async def get_approval(self, principal: Principal, approval_id: FromPath[int]) -> Approval:
        """One request and its decision."""
        return to(Approval, await approvals.get_approval(principal, approval_id))

    @post(
        "/{approval_id:int}/decision",
        opt={"permission": "approval.read"},
        status_code=HTTP_200_OK,
    )
    async def decide(
        self, principal: Principal, approval_id: FromPath[int], data: ApprovalDecision, ip: str
    ) -> Approval:
        """Approve or reject (a head, or the lead of another case; never the requester), or
        withdraw (the requester). Approving makes the change; 409 when the record changed
        since the request or the request was already decided."""
        return to(Approval, await approvals.decide(principal, approval_id, data, ip))
