"""The follow-up board: open deadlines in scope (JSON, page, CSV and XLSX exports)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.params import QueryParameter
from litestar.response import Template

from inspect_app import page_cache
from inspect_app.clock import today
from inspect_app.controllers.page_support import (
    agency_choices,
    message_text,
    translated_choices,
    translated_labels,
)
from inspect_app.domain.measures import MEASURE_STATUS_LABELS, MEASURE_TYPE_LABELS
from inspect_app.errors import InvalidInput
from inspect_app.exceptions import request_language
from inspect_app.forms.common import int_or_none
from inspect_app.forms.follow_ups import (
    EXTRA_FILTERS,
    GROUP_PREVIEW,
    board_filter_from_query,
    preview_groups,
)
from inspect_app.i18n import translate
from inspect_app.pages import render, render_part, shared_part_key
from inspect_app.principal import Principal
from inspect_app.schemas.bounds import (
    DeadlineTypeFilter,
    MeasureTypeFilter,
    MinLeftVnd,
    OverdueDays,
    QueryId,
    QueryYear,
)
from inspect_app.schemas.jobs import FollowUp, FollowUpList
from inspect_app.services import follow_ups, reminder_letters
from inspect_app.services.follow_ups import BoardFilter, BoardGroups, Deadline

# "state" is a reserved parameter name in Litestar handlers.
StateParam = Annotated[str | None, QueryParameter(name="state")]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_TYPE}
# The query parameter that shows every deadline of one group (by responsible unit).
SHOW_ALL = "show_all"


def _item(row: Deadline) -> FollowUp:
    return FollowUp(
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        inspection_id=row.inspection_id,
        inspection_code=row.inspection_code,
        inspection_title=row.inspection_title,
        deadline_type=row.deadline_type,
        due_on=row.due_on,
        days_left=row.days_left,
        state=row.state,
        agency_id=row.agency_id,
        agency_name=row.agency_name,
        responsible=row.unit_name or row.addressee,
        description=row.description,
        link=row.link,
        former_agency_name=row.former_agency_name,
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
        measure_type: MeasureTypeFilter = None,
        overdue_days: OverdueDays = None,
        min_left_vnd: MinLeftVnd = None,
        inspection_id: QueryId = None,
        plan_year: QueryYear = None,
        deadline_type: DeadlineTypeFilter = None,
    ) -> FollowUpList:
        """Deadlines of inspections and measures in scope, soonest first; the narrower
        filters keep recommendations of a type, deadlines late by more than
        ``overdue_days``, money left above ``min_left_vnd``, one case, one plan year, one
        kind of deadline (``deadline_type``)."""
        board = follow_ups.check_filter(
            agency_id,
            include_sub,
            deadline_state,
            responsible,
            measure_type=measure_type,
            overdue_days=overdue_days,
            min_left_vnd=min_left_vnd,
            inspection_id=inspection_id,
            plan_year=plan_year,
            deadline_type=deadline_type,
        )
        page = await follow_ups.board_page(principal, board, today(), cursor, limit)
        return FollowUpList(items=[_item(row) for row in page.items], next_cursor=page.next_cursor)


async def _board_part(
    request: Request[Any, Any, Any],
    principal: Principal,
    board: BoardFilter,
    errors: dict[str, str],
    show_all: str | None,
    group_page: str | None,
) -> str:
    """The board below the menu, rendered (see FollowUpPageController.board)."""
    params = request.query_params
    page = int_or_none(group_page) or 1
    result = BoardGroups.empty()
    if not errors:
        result = await follow_ups.board_groups(
            principal, board, today(), GROUP_PREVIEW, expanded=show_all, page=min(page, 100_000)
        )
    groups = await reminder_letters.with_reminder_stats(result.groups)
    filters = [(k, v) for k, v in params.multi_items() if k not in (SHOW_ALL, "group_page")]
    scope = message_text(request, "My whole scope")
    return render_part(
        request,
        "follow_ups/_board.html",
        groups=preview_groups(groups, show_all),
        summary=result.summary,
        group_page=result.page,
        group_pages=result.pages,
        unit_count=len(result.every),
        groups_per_page=follow_ups.GROUPS_PER_PAGE,
        status_labels=MEASURE_STATUS_LABELS,
        board=board,
        errors=errors,
        values={
            "agency_id": params.get("agency_id") or "",
            "state": params.get("state") or "open",
            "responsible": params.get("responsible") or "",
            "include_sub": board.include_sub,
            **{key: params.get(key) or "" for key in EXTRA_FILTERS},
        },
        type_choices=[
            ("", message_text(request, "All types")),
            *translated_choices(request, MEASURE_TYPE_LABELS),
        ],
        deadline_choices=[
            ("", message_text(request, "All deadlines")),
            *translated_choices(
                request, {key: follow_ups.DEADLINE_LABELS[key] for key in follow_ups.DEADLINE_TYPES}
            ),
        ],
        agency_choices=[("", scope), *await agency_choices(principal, indent="· ")],
        labels=follow_ups.DEADLINE_LABELS,
        deadline_names=translated_labels(request, follow_ups.DEADLINE_LABELS),
        status_names=translated_labels(request, MEASURE_STATUS_LABELS),
        query=urlencode(filters),
        can_remind=principal.can("followup.remind"),
    )


class FollowUpPageController(Controller):
    """The board page and its exports."""

    include_in_schema = False

    @get("/follow-ups", opt={"permission": "followup.board"})
    async def board(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        show_all: str | None = None,
        group_page: str | None = None,
    ) -> Template:
        """Everything due soon or overdue in the subtree, grouped by responsible unit.

        Each group shows its soonest deadlines and links to the rest (``show_all`` names the
        group shown whole); the exports always hold every deadline. The filters are read
        from the query string (forms.follow_ups.board_filter_from_query). The board below
        the menu is the same for every reader of the same scope, role and language on the
        same day: it is rendered once and reused until the next write (page_cache).
        """
        board, errors = board_filter_from_query(request.query_params)
        if errors:
            html = await _board_part(request, principal, board, errors, show_all, group_page)
            return await render(request, "follow_ups/index.html", 422, board_html=html)
        key = shared_part_key(request, principal, "follow-ups", "followup.remind")
        html = await page_cache.kept(
            key, lambda: _board_part(request, principal, board, {}, show_all, group_page)
        )
        return await render(request, "follow_ups/index.html", board_html=html)

    @get(
        ["/follow-ups/export.csv", "/follow-ups/export.xlsx"], opt={"permission": "followup.board"}
    )
    async def export(
        self, request: Request[Any, Any, Any], principal: Principal, ip: str
    ) -> Response[bytes]:
        """The whole board as CSV or an Excel workbook, by the path's extension (audited)."""
        fmt = request.url.path.rsplit(".", 1)[-1]
        board, errors = board_filter_from_query(request.query_params)
        if errors:
            raise InvalidInput(errors)
        rows = await follow_ups.board_all(principal, board, today())
        lang = request_language(request)

        def label(text: str) -> str:
            return translate(text, lang)

        await follow_ups.record_export(principal, board, fmt, len(rows), ip)
        content = (
            follow_ups.export_csv(rows, label)
            if fmt == "csv"
            else follow_ups.export_xlsx(rows, label, today())
        )
        stamp = today().strftime("%Y%m%d")
        return Response(
            content,
            media_type=EXPORT_TYPES[fmt],
            headers={"Content-Disposition": f'attachment; filename="theo-doi-{stamp}.{fmt}"'},
        )
