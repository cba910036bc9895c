"""JSON API of annual inspection plans."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery
from litestar.status_codes import HTTP_201_CREATED

from inspect_app.principal import Principal
from inspect_app.schemas.bounds import QueryId, QueryLimit, QueryYear
from inspect_app.schemas.cases import Plan, PlanCreate, PlanList, PlanUpdate
from inspect_app.services import plans


class PlanApiController(Controller):
    """``/api/plans``: one plan per agency and year, in scope."""

    path = "/api/plans"
    tags = ["plans"]

    @get("/", opt={"permission": "read"})
    async def list_plans(
        self,
        principal: Principal,
        agency_id: QueryId = None,
        include_sub: FromQuery[bool] = True,
        year: QueryYear = None,
        cursor: FromQuery[str | None] = None,
        limit: QueryLimit = None,
    ) -> PlanList:
        """Plans of agencies in scope, newest first."""
        return await plans.list_plans(
            principal,
            agency_id=agency_id,
            include_sub=include_sub,
            year=year,
            cursor=cursor,
            limit=limit,
        )

    @post("/", opt={"permission": "plan.manage"}, status_code=HTTP_201_CREATED)
    async def create_plan(self, principal: Principal, data: PlanCreate, ip: str) -> Plan:
        """Create an agency's plan for a year (422 naming ``year`` when one exists)."""
        return await plans.create_plan(principal, data, ip)

    @get("/{plan_id:int}", opt={"permission": "read"})
    async def get_plan(self, principal: Principal, plan_id: FromPath[int]) -> Plan:
        """One plan."""
        return await plans.get_plan(principal, plan_id)

    @patch("/{plan_id:int}", opt={"permission": "plan.manage"})
    async def update_plan(
        self, principal: Principal, plan_id: FromPath[int], data: PlanUpdate, ip: str
    ) -> Plan:
        """Change a plan; send the version read (409 when stale)."""
        return await plans.update_plan(principal, plan_id, data, ip)
