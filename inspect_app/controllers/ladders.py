"""Administration of the reminder ladders (/admin/ladders)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, post
from litestar import get as get_route
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from inspect_app.errors import Conflict, InvalidInput
from inspect_app.exceptions import request_language
from inspect_app.forms.admin import ladder_change, ladder_values
from inspect_app.i18n import translate
from inspect_app.pages import flash, render
from inspect_app.principal import Principal
from inspect_app.services import follow_ups, ladder_settings

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class LadderPageController(Controller):
    """Reminder days, overdue and escalation days per deadline type."""

    include_in_schema = False

    async def _page(
        self,
        request: Request[Any, Any, Any],
        errors: dict[str, dict[str, str]] | None = None,
        kept: dict[str, dict[str, str]] | None = None,
        status_code: int = 200,
    ) -> Template:
        kept = kept or {}
        ladders = [
            (ladder, kept.get(ladder.deadline_type) or ladder_values(ladder))
            for ladder in await ladder_settings.ladder_settings()
        ]
        return await render(
            request,
            "ladders/index.html",
            status_code=status_code,
            ladders=ladders,
            errors=errors or {},
            labels=follow_ups.DEADLINE_LABELS,
        )

    @get_route("/admin/ladders", opt={"permission": "ladder.manage"})
    async def index(self, request: Request[Any, Any, Any]) -> Template:
        """Every ladder in one form per deadline type."""
        return await self._page(request)

    @post(
        "/admin/ladders/{deadline_type:str}", opt={"permission": "ladder.manage"}, status_code=200
    )
    async def update(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        deadline_type: str,
        data: FormData,
        ip: str,
    ) -> Redirect | Template:
        """Save one ladder; mistakes come back beside their fields with the input kept."""
        lang = request_language(request)
        change, unread = ladder_change(data, deadline_type)
        try:
            await ladder_settings.update_ladder(principal, deadline_type, change, ip, unread=unread)
        except InvalidInput as exc:
            return await self._page(
                request, {deadline_type: exc.errors}, {deadline_type: dict(data)}, status_code=422
            )
        except Conflict as exc:
            flash(request, translate(exc.message, lang), "error")
            return Redirect(path="/admin/ladders")
        flash(request, translate("The reminder ladder was saved.", lang))
        return Redirect(path="/admin/ladders")
