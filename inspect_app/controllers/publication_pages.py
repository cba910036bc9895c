"""The public version of a conclusion, prepared and taken down from the case page."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect

from inspect_app.controllers.page_support import read_form
from inspect_app.errors import Conflict, InvalidInput
from inspect_app.exceptions import request_language
from inspect_app.i18n import translate
from inspect_app.pages import flash
from inspect_app.principal import Principal
from inspect_app.services import publications
from inspect_app.settings import get_settings

MULTIPART_OVERHEAD = 64 * 1024


def _problems(request: Request[Any, Any, Any], errors: dict[str, str]) -> str:
    lang = request_language(request)
    return " ".join(translate(message, lang) for message in errors.values())


class PublicationPageController(Controller):
    """``/inspections/{id}/publication``: prepare, correct, take down."""

    path = "/inspections/{inspection_id:int}/publication"
    include_in_schema = False

    @post(
        "/",
        opt={"permission": "inspection.edit"},
        status_code=200,
        request_max_body_size=get_settings().max_upload_mb * 1024 * 1024 + MULTIPART_OVERHEAD,
    )
    async def save(
        self, request: Request[Any, Any, Any], principal: Principal, inspection_id: int, ip: str
    ) -> Redirect:
        """Save the public version (summary, text, PDF) of a concluded case."""
        data = await read_form(request)
        upload = data.get("file")
        file = None
        if isinstance(upload, UploadFile) and upload.filename:
            file = (upload.filename, await upload.read())
        lang = request_language(request)
        try:
            await publications.save_publication(
                principal, inspection_id, publications.publication_request(data), file, ip
            )
        except InvalidInput as exc:
            flash(request, _problems(request, exc.errors), "error")
        except Conflict as exc:
            flash(request, translate(exc.message, lang), "error")
        else:
            flash(request, translate("The public version was saved.", lang))
        return Redirect(path=f"/inspections/{inspection_id}#publication")

    @post("/unpublish", opt={"permission": "publication.unpublish"}, status_code=200)
    async def unpublish(
        self, request: Request[Any, Any, Any], principal: Principal, inspection_id: int, ip: str
    ) -> Redirect:
        """Take the conclusion off the portal, with a reason (after the legal minimum)."""
        data = await read_form(request)
        lang = request_language(request)
        try:
            await publications.unpublish(
                principal, inspection_id, str(data.get("reason") or ""), ip
            )
        except InvalidInput as exc:
            flash(request, _problems(request, exc.errors), "error")
        except Conflict as exc:
            flash(request, translate(exc.message, lang), "error")
        else:
            flash(request, translate("The conclusion was taken off the portal.", lang))
        return Redirect(path=f"/inspections/{inspection_id}#publication")
