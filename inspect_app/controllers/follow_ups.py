"""The follow-up board: open deadlines in scope (JSON, page, CSV and XLSX exports)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.params import QueryParameter
from litestar.response import Template

from inspect_app.clock import today
from inspect_app.exceptions import InvalidInput, request_language
from inspect_app.i18n import translate
from inspect_app.pages import render
from inspect_app.principal import Principal
from inspect_app.schemas.jobs import FollowUp, FollowUpList
from inspect_app.services import agencies, follow_ups

# "state" is a reserved parameter name in Litestar handlers.
StateParam = Annotated[str | None, QueryParameter(name="state")]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _item(row: dict[str, Any]) -> FollowUp:
    return FollowUp(
        entity_type=row["entity_type"],
        entity_id=row["entity_id"],
        inspection_id=row["inspection_id"],
        inspection_code=row["inspection_code"],
        inspection_title=row["inspection_title"],
        deadline_type=row["deadline_type"],
        due_on=row["due_on"],
        days_left=row["days_left"],
        state=row["state"],
        agency_id=row["agency_id"],
        agency_name=row["agency_name"],
        responsible=row["unit_name"],
        description=row["description"] or "",
        link=row["link"],
    )


class FollowUpApiController(Controller):
    """GET /api/follow-ups."""

    path = "/api/follow-ups"
    tags = ["follow-up"]

    @get("/", opt={"permission": "followup.board"})
    async def list_follow_ups(
        self,
        principal: Principal,
        agency_id: int | None = None,
        include_sub: bool = True,
        deadline_state: StateParam = None,
        responsible: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> FollowUpList:
        """Deadlines of inspections and measures in scope, soonest first."""
        board = follow_ups.check_filter(agency_id, include_sub, deadline_state, responsible)
        page = await follow_ups.board_page(principal, board, today(), cursor, limit)
        return FollowUpList(
            items=[_item(row) for row in page["items"]], next_cursor=page["next_cursor"]
        )


def _page_filter(
    agency_id: str | None, include_sub: str | None, state: str | None, responsible: str | None
) -> tuple[follow_ups.BoardFilter, dict[str, str]]:
    """The board filter from the page's query string; bad values come back as errors."""
    errors: dict[str, str] = {}
    agency: int | None = None
    if agency_id:
        if agency_id.isdigit():
            agency = int(agency_id)
        else:
            errors["agency_id"] = "Choose an agency from the list."
    sub = include_sub not in ("false", "0", "off")
    try:
        board = follow_ups.check_filter(agency, sub, state, responsible)
    except InvalidInput as exc:
        errors.update(exc.errors)
        board = follow_ups.BoardFilter(agency, sub, "open", None)
    return board, errors


async def _agency_choices(
    request: Request[Any, Any, Any], principal: Principal
) -> list[tuple[str, str]]:
    choices = [("", translate("My whole scope", request_language(request)))]
    for agency in await agencies.tree_options(principal):
        choices.append((str(agency["id"]), "· " * agency["indent"] + agency["name"]))
    return choices


class FollowUpPageController(Controller):
    """The board page and its exports."""

    include_in_schema = False

    @get("/follow-ups", opt={"permission": "followup.board"})
    async def board(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        agency_id: str | None = None,
        include_sub: str | None = None,
        deadline_state: StateParam = None,
        responsible: str | None = None,
    ) -> Template:
        """Everything due soon or overdue in the subtree, grouped by responsible unit."""
        board, errors = _page_filter(agency_id, include_sub, deadline_state, responsible)
        rows = [] if errors else await follow_ups.board_all(principal, board, today())
        return await render(
            request,
            "follow_ups/index.html",
            status_code=422 if errors else 200,
            groups=follow_ups.group_by_unit(rows),
            total=len(rows),
            overdue=sum(row["state"] == "overdue" for row in rows),
            board=board,
            errors=errors,
            values={
                "agency_id": agency_id or "",
                "state": deadline_state or "open",
                "responsible": responsible or "",
                "include_sub": board.include_sub,
            },
            agency_choices=await _agency_choices(request, principal),
            labels=follow_ups.DEADLINE_LABELS,
            query=request.url.query or "",
        )

    async def _export(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        ip: str,
        fmt: str,
        params: tuple[str | None, str | None, str | None, str | None],
    ) -> Response[bytes]:
        board, errors = _page_filter(*params)
        if errors:
            raise InvalidInput(errors)
        rows = await follow_ups.board_all(principal, board, today())
        lang = request_language(request)

        def label(text: str) -> str:
            return translate(text, lang)

        await follow_ups.record_export(principal, board, fmt, len(rows), ip)
        stamp = today().strftime("%Y%m%d")
        if fmt == "csv":
            content, media = follow_ups.export_csv(rows, label), "text/csv; charset=utf-8"
        else:
            content, media = follow_ups.export_xlsx(rows, label), XLSX_TYPE
        return Response(
            content,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="theo-doi-{stamp}.{fmt}"'},
        )

    @get("/follow-ups/export.csv", opt={"permission": "followup.board"})
    async def export_csv(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        ip: str,
        agency_id: str | None = None,
        include_sub: str | None = None,
        deadline_state: StateParam = None,
        responsible: str | None = None,
    ) -> Response[bytes]:
        """The board as CSV (audited)."""
        params = (agency_id, include_sub, deadline_state, responsible)
        return await self._export(request, principal, ip, "csv", params)

    @get("/follow-ups/export.xlsx", opt={"permission": "followup.board"})
    async def export_xlsx(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        ip: str,
        agency_id: str | None = None,
        include_sub: str | None = None,
        deadline_state: StateParam = None,
        responsible: str | None = None,
    ) -> Response[bytes]:
        """The board as an Excel workbook (audited)."""
        params = (agency_id, include_sub, deadline_state, responsible)
        return await self._export(request, principal, ip, "xlsx", params)
