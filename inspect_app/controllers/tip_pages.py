"""Tip pages for staff: the queue, intake of calls and letters, triage, the sender's identity."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.response import File, Redirect, Template

from inspect_app.controllers.page_support import agency_choices, read_form
from inspect_app.controllers.public_pages import MULTIPART_OVERHEAD, TEXT_FIELDS, read_tip_form
from inspect_app.domain import tips as rules
from inspect_app.errors import Conflict, InvalidInput
from inspect_app.exceptions import request_language
from inspect_app.forms.common import int_or_none, read_version
from inspect_app.i18n import translate
from inspect_app.pages import flash, render
from inspect_app.principal import Principal
from inspect_app.services import tips
from inspect_app.settings import get_settings


async def _form(
    request: Request[Any, Any, Any],
    principal: Principal,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    return await render(
        request,
        "tips/new.html",
        status_code=status_code,
        staff=True,
        values=values,
        errors=errors,
        agencies=[(int(key), label) for key, label in await agency_choices(principal)],
        kinds=rules.KIND_LABELS,
        channels={key: rules.CHANNEL_LABELS[key] for key in rules.STAFF_CHANNELS},
        max_files=rules.MAX_FILES,
        max_upload_mb=get_settings().max_upload_mb,
    )


async def _detail(
    request: Request[Any, Any, Any],
    principal: Principal,
    tip_id: int,
    identity: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
    open_outcome: str | None = None,
) -> Template:
    tip = await tips.get_tip(principal, tip_id)
    return await render(
        request,
        "tips/detail.html",
        status_code=status_code,
        tip=tip,
        identity=identity,
        errors=errors or {},
        values=values or {},
        labels=_labels(),
        open_outcome=open_outcome,
    )


def _labels() -> dict[str, dict[str, str]]:
    return {
        "kind": rules.KIND_LABELS,
        "channel": rules.CHANNEL_LABELS,
        "status": rules.STATUS_LABELS,
    }


class TipPageController(Controller):
    """``/tips``: what the public and the phones brought in, and what became of it."""

    path = "/tips"
    include_in_schema = False

    @get("/", opt={"permission": "tip.intake"})
    async def index(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        status: str | None = None,
        channel: str | None = None,
        year: str | None = None,
    ) -> Template:
        """The queue: tips to decide first, by their handling deadline (by status, channel
        and year received, as the dashboard's table counts them)."""
        chosen = status if status in rules.STATUSES else None
        chosen_channel = channel if channel in rules.CHANNEL_LABELS else None
        chosen_year = int_or_none(year)
        if chosen_year is not None and not 1990 <= chosen_year <= 2100:
            chosen_year = None
        queue, count = await tips.list_tips(
            principal, chosen, channel=chosen_channel, year=chosen_year
        )
        keep = urlencode(
            {k: v for k, v in (("channel", chosen_channel), ("year", chosen_year)) if v}
        )
        return await render(
            request,
            "tips/index.html",
            tips=queue,
            count=count,
            status=chosen,
            channel=chosen_channel,
            year=chosen_year,
            keep=keep,
            labels=_labels(),
        )

    @get("/new", opt={"permission": "tip.intake"})
    async def new(self, request: Request[Any, Any, Any], principal: Principal) -> Template:
        """Log a call, a letter or a visit."""
        return await _form(request, principal, {"agency_id": principal.agency_id}, {})

    @post(
        "/",
        opt={"permission": "tip.intake"},
        status_code=200,
        request_max_body_size=rules.MAX_FILES * get_settings().max_upload_mb * 1024 * 1024
        + MULTIPART_OVERHEAD,
    )
    async def create(
        self, request: Request[Any, Any, Any], principal: Principal, ip: str
    ) -> Template | Redirect:
        """Save the tip; a problem comes back beside its field with the input kept."""
        data, files = await read_tip_form(request)
        try:
            entry, unread = tips.entry_request(data, staff=True)
            created = await tips.intake(principal, entry, files, ip, unread=unread)
        except InvalidInput as exc:
            values = {key: data.get(key, "") for key in (*TEXT_FIELDS, "channel")}
            return await _form(request, principal, values, exc.errors, status_code=422)
        flash(request, translate("The tip was saved.", request_language(request)))
        return Redirect(path=f"/tips/{created.id}")

    @get("/{tip_id:int}", opt={"permission": "tip.intake"})
    async def detail(
        self, request: Request[Any, Any, Any], principal: Principal, tip_id: int
    ) -> Template:
        """One tip, without its sender's identity."""
        return await _detail(request, principal, tip_id)

    @post("/{tip_id:int}/identity", opt={"permission": "tip.intake"}, status_code=200)
    async def identity(
        self, request: Request[Any, Any, Any], principal: Principal, tip_id: int, ip: str
    ) -> Template:
        """Show who sent the tip, to those allowed; the view is recorded in the audit log."""
        shown = await tips.reveal_identity(principal, tip_id, ip)
        return await _detail(request, principal, tip_id, identity=shown)

    @post("/{tip_id:int}/take", opt={"permission": "tip.triage"}, status_code=200)
    async def take(
        self, request: Request[Any, Any, Any], principal: Principal, tip_id: int, ip: str
    ) -> Redirect:
        """Become the officer handling the tip."""
        data = await read_form(request)
        try:
            await tips.take(principal, tip_id, read_version(data) or None, ip)
        except Conflict as exc:
            flash(request, translate(exc.message, request_language(request)), "error")
        return Redirect(path=f"/tips/{tip_id}")

    @post("/{tip_id:int}/decide", opt={"permission": "tip.triage"}, status_code=200)
    async def decide(
        self, request: Request[Any, Any, Any], principal: Principal, tip_id: int, ip: str
    ) -> Template | Redirect:
        """Accept, attach, forward or reject; the form comes back with its problems."""
        data = await read_form(request)
        outcome = str(data.get("outcome") or "")
        lang = request_language(request)
        if outcome not in rules.OUTCOMES:
            return await _detail(
                request,
                principal,
                tip_id,
                errors={"outcome": "Choose a value from the list."},
                status_code=422,
            )
        try:
            decision, unread = tips.decision_request(data)
            tip = await tips.decide(
                principal, tip_id, outcome, decision, read_version(data) or None, ip, unread=unread
            )
        except InvalidInput as exc:
            return await _detail(
                request,
                principal,
                tip_id,
                errors={f"{outcome}.{key}": value for key, value in exc.errors.items()},
                values={f"{outcome}.{key}": value for key, value in data.items()},
                status_code=422,
                open_outcome=outcome,
            )
        except Conflict as exc:
            flash(request, translate(exc.message, lang), "error")
            return Redirect(path=f"/tips/{tip_id}")
        flash(request, translate(rules.STATUS_LABELS[outcome], lang))
        if outcome == "accepted" and tip.inspection:
            return Redirect(path=f"/inspections/{tip.inspection}")
        return Redirect(path=f"/tips/{tip_id}")

    @get("/{tip_id:int}/files/{file_id:int}", opt={"permission": "tip.intake"})
    async def file(self, principal: Principal, tip_id: int, file_id: int) -> File:
        """A photo or document sent with the tip."""
        row, path = await tips.tip_file(principal, tip_id, file_id)
        return File(
            path=path,
            filename=row.filename,
            media_type=row.content_type,
            content_disposition_type="attachment",
        )
