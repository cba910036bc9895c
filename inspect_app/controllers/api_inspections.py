"""JSON API of inspections and specialised checks, and their lifecycle events."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, patch, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_201_CREATED,
    HTTP_202_ACCEPTED,
    HTTP_204_NO_CONTENT,
)

from inspect_app import clock
from inspect_app.data_version import KeptByVersion
from inspect_app.principal import Principal
from inspect_app.schemas.bounds import (
    QueryCaseStatus,
    QueryId,
    QueryLimit,
    QueryOrigin,
    QueryPeriod,
    QueryYear,
)
from inspect_app.schemas.cases import (
    Inspection,
    InspectionCreate,
    InspectionEventCreate,
    InspectionList,
    InspectionUpdate,
    given,
)
from inspect_app.services import inspections
from inspect_app.settings import get_settings

# The most read answer of the API (other systems poll it): kept as the pages are, under the
# data version (inspect_app/data_version.py), PAGE_CACHE_SECONDS at most.
_kept_cases: KeptByVersion[Inspection] = KeptByVersion(5_000)


def forget_kept() -> None:
    """Forget the kept answers (tests: ids start again in an emptied database)."""
    _kept_cases.clear()


class InspectionApiController(Controller):
    """``/api/inspections``: list with filters, register, read, edit, delete drafts, events."""

    path = "/api/inspections"
    tags = ["inspections"]

    @get("/", opt={"permission": "read"})
    async def list_inspections(
        self,
        principal: Principal,
        agency_id: QueryId = None,
        include_sub: FromQuery[bool] = True,
        year: QueryYear = None,
        period: QueryPeriod = None,
        origin: QueryOrigin = None,
        kind: FromQuery[str | None] = None,
        status: QueryCaseStatus = None,
        overdue: FromQuery[bool | None] = None,
        subject_id: QueryId = None,
        q: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: QueryLimit = None,
    ) -> InspectionList:
        """Cases in scope, newest first, with the count of each status for the filters."""
        page = await inspections.list_inspections(
            principal,
            agency_id=agency_id,
            include_sub=include_sub,
            year=year,
            period=period,
            origin=origin,
            kind=kind,
            status=status,
            overdue=overdue,
            subject_id=subject_id,
            q=q,
            cursor=cursor,
            limit=limit,
        )
        return page

    @post("/", opt={"permission": "inspection.create"}, status_code=HTTP_201_CREATED)
    async def create_inspection(
        self, principal: Principal, data: InspectionCreate, ip: str
    ) -> Inspection:
        """Register a case in draft; ``warnings`` lists rules it runs against."""
        return await inspections.create_inspection(principal, given(data), ip)

    @get("/{inspection_id:int}", opt={"permission": "read"})
    async def get_inspection(
        self, principal: Principal, inspection_id: FromPath[int]
    ) -> Inspection:
        """One case with deadlines, overdue flag and warnings."""

        async def read() -> Inspection:
            return await inspections.get_inspection(principal, inspection_id)

        # The answer depends on the case, what the reader may see, their language (the
        # warnings) and the day (deadlines, overdue): kept on those until the next write.
        key = (inspection_id, principal.scope_pattern, principal.language, clock.today())
        return await _kept_cases.through(key, get_settings().page_cache_seconds, read)

    @patch("/{inspection_id:int}", opt={"permission": "inspection.edit"})
    async def update_inspection(
        self, principal: Principal, inspection_id: FromPath[int], data: InspectionUpdate, ip: str
    ) -> Inspection:
        """Edit a case's details; send the version read (409 when stale)."""
        values = given(data)
        version = values.pop("version")
        return await inspections.update_inspection(principal, inspection_id, version, values, ip)

    @delete(
        "/{inspection_id:int}",
        opt={"permission": "inspection.delete"},
        status_code=HTTP_204_NO_CONTENT,
    )
    async def delete_inspection(
        self,
        principal: Principal,
        inspection_id: FromPath[int],
        ip: str,
        version: FromQuery[int | None] = None,
    ) -> None:
        """Delete a draft case (409 once announced: cancel it instead)."""
        await inspections.delete_inspection(principal, inspection_id, version, ip)

    @post(
        "/{inspection_id:int}/events",
        opt={"permission": "inspection.event"},
        status_code=HTTP_200_OK,
        responses={
            HTTP_202_ACCEPTED: ResponseSpec(
                Inspection,
                description="close: the case as it stands, with the request waiting for a "
                "second person's approval (pending_approval)",
            )
        },
    )
    async def record_event(
        self,
        principal: Principal,
        inspection_id: FromPath[int],
        data: InspectionEventCreate,
        ip: str,
    ) -> Response[Inspection]:
        """Record a lifecycle event; 409 ``illegal_transition`` with the reason when refused.

        ``close`` waits for a second person: 202 with ``pending_approval``."""
        values = given(data)
        updated = await inspections.record_event(principal, inspection_id, values, ip)
        status = HTTP_202_ACCEPTED if updated.pending_approval else HTTP_200_OK
        return Response(updated, status_code=status)
