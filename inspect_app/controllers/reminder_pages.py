"""Reminder letters (công văn đôn đốc): drafted from the board, issued, read and downloaded."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from inspect_app.clock import today
from inspect_app.controllers.page_support import read_form, translated_choices
from inspect_app.domain.documents import SIGNING_FORM_LABELS
from inspect_app.domain.measures import MEASURE_STATUS_LABELS
from inspect_app.errors import InvalidInput
from inspect_app.exceptions import request_language
from inspect_app.forms.common import id_list, int_or_none
from inspect_app.forms.follow_ups import board_filter_from_query
from inspect_app.forms.letters import default_values, letter_form
from inspect_app.i18n import translate_plural
from inspect_app.pages import flash, render
from inspect_app.principal import Principal
from inspect_app.services import letter_documents, reminder_letters
from inspect_app.services.agency_documents import frame_settings
from inspect_app.settings import get_settings

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def _form_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    measure_ids: list[int],
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    """The draft: the letters the chosen rows make, and the form that issues them."""
    errors = dict(errors or {})
    drafts: list[reminder_letters.LetterDraft] = []
    try:
        drafts = await reminder_letters.drafts(principal, measure_ids, today())
    except InvalidInput as exc:
        errors.update(exc.errors)
        status_code = 422
    if values is None:
        values = default_values(await frame_settings(principal.agency_id), today())
    return await render(
        request,
        "reminders/new.html",
        status_code=status_code,
        drafts=drafts,
        values=values,
        errors=errors,
        recent=[item for draft in drafts for item in draft.recent],
        repeat_days=get_settings().reminder_repeat_days,
        signing_choices=translated_choices(request, SIGNING_FORM_LABELS),
        status_labels=MEASURE_STATUS_LABELS,
    )


class ReminderPageController(Controller):
    """``/follow-ups/reminders`` (drafting and issuing) and ``/reminders`` (the letters)."""

    include_in_schema = False

    @get("/follow-ups/reminders/new", opt={"permission": "followup.remind"})
    async def new(
        self, request: Request[Any, Any, Any], principal: Principal, unit_id: str | None = None
    ) -> Template:
        """The letter drafted for the rows chosen on the board (``measure_id``), or for every
        recommendation of one unit (``unit_id``) under the board's filter."""
        ids = id_list(request.query_params.getall("measure_id", []))
        unit = int_or_none(unit_id)
        if unit is not None and unit <= 2**31 - 1:
            board, errors = board_filter_from_query(request.query_params)
            if not errors:
                ids = await reminder_letters.unit_measure_ids(principal, board, unit, today())
        return await _form_page(request, principal, ids)

    @post("/follow-ups/reminders", opt={"permission": "followup.remind"}, status_code=200)
    async def issue(
        self, request: Request[Any, Any, Any], principal: Principal, ip: str
    ) -> Template | Redirect:
        """Issue the letters; the form comes back with every problem beside its field."""
        form, errors, values = letter_form(await read_form(request))
        ids = list(values["measure_ids"])
        if form is None:
            return await _form_page(request, principal, ids, values, errors, 422)
        try:
            issued = await reminder_letters.issue(principal, form, today(), ip)
        except InvalidInput as exc:
            return await _form_page(request, principal, ids, values, exc.errors, 422)
        lang = request_language(request)
        flash(
            request,
            translate_plural(
                "{count} reminder letter was issued.",
                "{count} reminder letters were issued.",
                len(issued),
                lang,
            ),
        )
        if len(issued) == 1:
            return Redirect(path=f"/reminders/{issued[0]}")
        return Redirect(path="/reminders")

    @get("/reminders", opt={"permission": "read"})
    async def letters(
        self, request: Request[Any, Any, Any], principal: Principal, before: str | None = None
    ) -> Template:
        """Letters issued in the caller's scope or sent to a unit in it, newest first."""
        cursor = int_or_none(before)
        if cursor is not None and cursor > 2**31 - 1:
            cursor = None
        rows = await reminder_letters.list_letters(principal, cursor, limit=51)
        return await render(
            request,
            "reminders/index.html",
            letters=rows[:50],
            next_before=rows[49].id if len(rows) > 50 else None,
        )

    @get("/reminders/{letter_id:int}", opt={"permission": "read"})
    async def letter(
        self, request: Request[Any, Any, Any], principal: Principal, letter_id: int
    ) -> Template:
        """One letter: its frame, its items, its files."""
        letter = await reminder_letters.get_letter(principal, letter_id)
        return await render(request, "reminders/detail.html", letter=letter)

    @get(
        ["/reminders/{letter_id:int}/letter.pdf", "/reminders/{letter_id:int}/letter.docx"],
        opt={"permission": "read"},
    )
    async def letter_file(
        self, request: Request[Any, Any, Any], principal: Principal, letter_id: int
    ) -> Response[bytes]:
        """The letter as PDF, or as DOCX for the clerk to adjust before signing."""
        letter = await reminder_letters.get_letter(principal, letter_id)
        if request.url.path.endswith(".pdf"):
            content, media_type, extension = (
                await letter_documents.render_pdf(letter),
                "application/pdf",
                "pdf",
            )
        else:
            content, media_type, extension = (
                letter_documents.render_docx(letter),
                DOCX_TYPE,
                "docx",
            )
        name = letter_documents.file_name(letter, extension)
        return Response(
            content,
            media_type=media_type,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
