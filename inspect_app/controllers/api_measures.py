"""JSON API of measures (recommendations) and their executions."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery
from litestar.status_codes import HTTP_201_CREATED

from inspect_app.principal import Principal
from inspect_app.schemas.bounds import QueryLimit
from inspect_app.schemas.cases import (
    Execution,
    ExecutionCreate,
    ExecutionList,
    Measure,
    MeasureCreate,
    MeasureList,
    MeasureUpdate,
    given,
    to,
)
from inspect_app.services import executions, measures


class MeasureApiController(Controller):
    """Measures of a case, ``/api/measures/{id}`` and its executions."""

    path = "/api"
    tags = ["measures"]

    @get("/inspections/{inspection_id:int}/measures", opt={"permission": "read"})
    async def list_measures(
        self,
        principal: Principal,
        inspection_id: FromPath[int],
        cursor: FromQuery[str | None] = None,
        limit: QueryLimit = None,
    ) -> MeasureList:
        """The measures of a case with their progress, in the order recorded."""
        page = await measures.list_measures(principal, inspection_id, cursor=cursor, limit=limit)
        return to(MeasureList, page)

    @post(
        "/inspections/{inspection_id:int}/measures",
        opt={"permission": "measure.edit"},
        status_code=HTTP_201_CREATED,
    )
    async def create_measure(
        self, principal: Principal, inspection_id: FromPath[int], data: MeasureCreate, ip: str
    ) -> Measure:
        """Record a recommendation of the case."""
        created = await measures.create_measure(principal, inspection_id, given(data), ip)
        return to(Measure, created)

    @get("/measures/{measure_id:int}", opt={"permission": "read"})
    async def get_measure(self, principal: Principal, measure_id: FromPath[int]) -> Measure:
        """One measure with its progress."""
        return to(Measure, await measures.get_measure(principal, measure_id))

    @patch("/measures/{measure_id:int}", opt={"permission": "measure.edit"})
    async def update_measure(
        self, principal: Principal, measure_id: FromPath[int], data: MeasureUpdate, ip: str
    ) -> Measure:
        """Edit, write off (leads and heads) or complete a measure; 409 when stale."""
        values = given(data)
        version = values.pop("version")
        return to(
            Measure, await measures.update_measure(principal, measure_id, version, values, ip)
        )

    @get("/measures/{measure_id:int}/executions", opt={"permission": "read"})
    async def list_executions(
        self,
        principal: Principal,
        measure_id: FromPath[int],
        cursor: FromQuery[str | None] = None,
        limit: QueryLimit = None,
    ) -> ExecutionList:
        """The executions of a measure, in the order recorded."""
        page = await executions.list_executions(principal, measure_id, cursor=cursor, limit=limit)
        return to(ExecutionList, page)

    @post(
        "/measures/{measure_id:int}/executions",
        opt={"permission": "execution.create"},
        status_code=HTTP_201_CREATED,
    )
    async def create_execution(
        self, principal: Principal, measure_id: FromPath[int], data: ExecutionCreate, ip: str
    ) -> Execution:
        """Record an execution; 422 when it would exceed what remains (nothing stored)."""
        created = await executions.create_execution(principal, measure_id, given(data), ip)
        return to(Execution, created)
