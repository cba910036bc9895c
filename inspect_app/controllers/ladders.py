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
from inspect_app.i18n import translate
from inspect_app.pages import flash, render
from inspect_app.principal import Principal
from inspect_app.services import follow_ups

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class LadderPageController(Controller):
    """Reminder days, overdue and escalation days per deadline type."""

    include_in_schema = False

    async def _page(
        self,
        request: Request[Any, Any, Any],
        errors: dict[str, dict[str, str]] | None = None,
        kept: dict[str, dict[str, Any]] | None = None,
        status_code: int = 200,
    ) -> Template:
        ladders = await follow_ups.ladder_rows()
        for ladder in ladders:
            days = ladder["remind_days"]
            # Reminders count down to the due day; the digest's rungs count up after it.
            shown = sorted(days) if ladder["deadline_type"] == follow_ups.DIGEST_LADDER else days
            ladder["remind_text"] = ", ".join(str(day) for day in shown)
            if kept and ladder["deadline_type"] in kept:
                ladder.update(kept[ladder["deadline_type"]])
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
        try:
            await follow_ups.update_ladder(principal, deadline_type, dict(data), ip)
        except InvalidInput as exc:
            kept = {
                deadline_type: {
                    "remind_text": data.get("remind_days", ""),
                    "overdue_after_days": data.get("overdue_after_days", ""),
                    "escalate_after_days": data.get("escalate_after_days", ""),
                    **{key: value for key, value in data.items() if key.startswith("due_")},
                }
            }
            return await self._page(request, {deadline_type: exc.errors}, kept, status_code=422)
        except Conflict as exc:
            flash(request, translate(exc.message, lang), "error")
            return Redirect(path="/admin/ladders")
        flash(request, translate("The reminder ladder was saved.", lang))
        return Redirect(path="/admin/ladders")
