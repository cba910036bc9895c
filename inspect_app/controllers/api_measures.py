"""JSON API of measures (recommendations) and their executions."""

from __future__ import annotations

from litestar import Controller, Response, get, patch, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED

from inspect_app.principal import Principal
from inspect_app.schemas.approvals import ExecutionReversal, PendingOnly
from inspect_app.schemas.bounds import QueryLimit
from inspect_app.schemas.cases import (
    Execution,
    ExecutionCreate,
    ExecutionList,
    Measure,
    MeasureCreate,
    MeasureList,
    MeasureUpdate,
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
        return await measures.list_measures(principal, inspection_id, cursor=cursor, limit=limit)

    @post(
        "/inspections/{inspection_id:int}/measures",
        opt={"permission": "measure.edit"},
        status_code=HTTP_201_CREATED,
        responses={
            HTTP_202_ACCEPTED: ResponseSpec(
                PendingOnly,
                description="a fine above the agency's threshold: nothing recorded yet, the "
                "request waits for a second person's approval",
            )
        },
    )
    async def create_measure(
        self, principal: Principal, inspection_id: FromPath[int], data: MeasureCreate, ip: str
    ) -> Response[Measure | PendingOnly]:
        """Record a recommendation of the case (a fine above the threshold waits: 202)."""
        created = await measures.create_measure(principal, inspection_id, data, ip)
        if isinstance(created, PendingOnly):
            return Response(created, status_code=HTTP_202_ACCEPTED)
        return Response(created, status_code=HTTP_201_CREATED)

    @get("/measures/{measure_id:int}", opt={"permission": "read"})
    async def get_measure(self, principal: Principal, measure_id: FromPath[int]) -> Measure:
        """One measure with its progress."""
        return await measures.get_measure(principal, measure_id)

    @patch(
        "/measures/{measure_id:int}",
        opt={"permission": "measure.edit"},
        responses={
            HTTP_202_ACCEPTED: ResponseSpec(
                Measure,
                description="writing off or reducing what is owed: the measure as it stands, "
                "with the request waiting for a second person's approval (pending_approval)",
            )
        },
    )
    async def update_measure(
        self, principal: Principal, measure_id: FromPath[int], data: MeasureUpdate, ip: str
    ) -> Response[Measure]:
        """Edit, write off (leads and heads) or complete a measure; 409 when stale.

        Writing off and reducing what is owed wait for a second person: 202 with
        ``pending_approval``. After the conclusion a correction of the type, target or due
        date needs a ``reason``."""
        updated = await measures.update_measure(principal, measure_id, data, ip)
        status = HTTP_202_ACCEPTED if updated.pending_approval else HTTP_200_OK
        return Response(updated, status_code=status)

    @get("/measures/{measure_id:int}/executions", opt={"permission": "read"})
    async def list_executions(
        self,
        principal: Principal,
        measure_id: FromPath[int],
        cursor: FromQuery[str | None] = None,
        limit: QueryLimit = None,
    ) -> ExecutionList:
        """The executions of a measure, in the order recorded."""
        return await executions.list_executions(principal, measure_id, cursor=cursor, limit=limit)

    @post(
        "/measures/{measure_id:int}/executions",
        opt={"permission": "execution.create"},
        status_code=HTTP_201_CREATED,
    )
    async def create_execution(
        self, principal: Principal, measure_id: FromPath[int], data: ExecutionCreate, ip: str
    ) -> Execution:
        """Record an execution; 422 when it would exceed what remains (nothing stored)."""
        return await executions.create_execution(principal, measure_id, data, ip)

    @post(
        "/executions/{execution_id:int}/reversal",
        # Leads and heads, and the lead of the case whatever their role (services decide).
        opt={"permission": "execution.create"},
        status_code=HTTP_202_ACCEPTED,
    )
    async def reverse_execution(
        self,
        principal: Principal,
        execution_id: FromPath[int],
        data: ExecutionReversal,
        ip: str,
    ) -> PendingOnly:
        """Ask to cancel an execution by a negative entry citing it (a second person
        approves; nothing is deleted). 409 when it was already reversed or is a reversal."""
        asked = await executions.reverse_execution(principal, execution_id, data, ip)
        assert isinstance(asked, PendingOnly)  # booked only once a second person approves
        return asked
