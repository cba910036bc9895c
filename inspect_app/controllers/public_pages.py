"""The citizens' side (/public): tips in without signing in, published conclusions out.

These routes are public and know nobody: the identity middleware reads no token, session
or cookie under /public, the session and CSRF middleware skip it, and no response sets a
cookie. The language is chosen by ``?lang=en`` (Vietnamese by default). Every page is
served from this application only: no font, script or image from another host.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, MediaType, Request, get, post
from litestar.datastructures import CacheControlHeader, UploadFile
from litestar.response import File, Redirect, Response, Template

from inspect_app.domain import tips as rules
from inspect_app.errors import InvalidInput
from inspect_app.forms.common import parse_form
from inspect_app.services import publications, reference_cache, tips
from inspect_app.services.publications import PortalAgency, PortalItem
from inspect_app.settings import get_settings

PUBLIC = {"public": True}
MULTIPART_OVERHEAD = 64 * 1024
TEXT_FIELDS = (
    "agency_id",
    "kind",
    "subject_name",
    "subject_tax_code",
    "content",
    "place",
    "happened",
    "anonymous",
    "contact_name",
    "contact_phone",
    "contact_email",
    "contact_address",
)


def _lang_query(request: Request[Any, Any, Any]) -> str:
    lang = request.state.lang
    return "" if lang == get_settings().default_language else f"?{urlencode({'lang': lang})}"


async def read_tip_form(request: Request[Any, Any, Any]) -> tuple[dict[str, Any], list[Any]]:
    """The posted fields and the files (``files``, possibly several)."""
    form = await request.form()
    items = list(form.multi_items())
    data = parse_form((key, value) for key, value in items if key != "files")
    files = []
    for key, value in items:
        if key == "files" and isinstance(value, UploadFile) and value.filename:
            files.append((value.filename, await value.read()))
    return data, files


async def tip_form_context(
    request: Request[Any, Any, Any], values: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    """What the tip form needs: agencies, kinds, the values typed, the problems."""
    return {
        "agencies": await tips.receiving_agencies(),
        "kinds": rules.KIND_LABELS,
        "channels": {key: rules.CHANNEL_LABELS[key] for key in rules.STAFF_CHANNELS},
        "values": values,
        "errors": errors,
        "lang_query": _lang_query(request),
        "max_files": rules.MAX_FILES,
        "max_upload_mb": get_settings().max_upload_mb,
    }


class PublicPageController(Controller):
    """``/public``: the tip form, the receipt with its code, the status page."""

    path = "/public"
    include_in_schema = False
    opt = PUBLIC

    @get("/", opt=PUBLIC)
    async def index(self, request: Request[Any, Any, Any]) -> Template:
        """What a citizen can do here."""
        return Template(
            template_name="public/index.html", context={"lang_query": _lang_query(request)}
        )

    @get("/tips/new", opt=PUBLIC)
    async def new_tip(self, request: Request[Any, Any, Any]) -> Template:
        """The form: what happened, where, about whom; a contact or anonymous."""
        context = await tip_form_context(request, {"anonymous": "1"}, {})
        return Template(template_name="public/tip_form.html", context=context)

    @post(
        "/tips",
        opt=PUBLIC,
        status_code=200,
        request_max_body_size=rules.MAX_FILES * get_settings().max_upload_mb * 1024 * 1024
        + MULTIPART_OVERHEAD,
    )
    async def submit(self, request: Request[Any, Any, Any], ip: str) -> Template | Redirect:
        """Keep the tip and show its code; a problem comes back beside its field."""
        data, files = await read_tip_form(request)
        try:
            entry, unread = tips.entry_request(data, staff=False)
            created = await tips.submit_public(entry, files, ip, unread=unread)
        except InvalidInput as exc:
            values = {key: data.get(key, "") for key in TEXT_FIELDS}
            context = await tip_form_context(request, values, exc.errors)
            return Template(template_name="public/tip_form.html", context=context, status_code=422)
        return Template(
            template_name="public/tip_received.html",
            context={"code": created.code, "lang_query": _lang_query(request)},
            status_code=201,
        )

    @get("/tips/lookup", opt=PUBLIC)
    async def lookup(self, request: Request[Any, Any, Any], code: str = "") -> Redirect:
        """The code typed in the look-up box, to its page."""
        normalised = rules.normalise_code(code[:64]) or "-"
        return Redirect(path=f"/public/tips/{normalised}{_lang_query(request)}")

    @get("/tips/{code:str}", opt=PUBLIC)
    async def status(self, request: Request[Any, Any, Any], code: str) -> Template:
        """The status of a tip and its dates, nothing more; the same page for an unknown
        code (no way to tell a wrong code from a known one but the status)."""
        view = await tips.public_view(code[:64])
        return Template(
            template_name="public/tip_status.html",
            context={
                "view": view,
                "labels": rules.STATUS_LABELS,
                "lang_query": _lang_query(request),
            },
            status_code=200 if view else 404,
        )


CACHE = CacheControlHeader(max_age=60, public=True)


def _atom_text(value: object) -> str:
    return escape(str(value or ""), quote=True)


class PublicConclusionController(Controller):
    """``/public/conclusions``: published conclusions, searchable, and an Atom feed per agency."""

    path = "/public"
    include_in_schema = False
    opt = PUBLIC

    @get("/conclusions", opt=PUBLIC, cache_control=CACHE)
    async def conclusions(
        self,
        request: Request[Any, Any, Any],
        q: str | None = None,
        agency: str | None = None,
        year: str | None = None,
        tax_code: str | None = None,
        page: str | None = None,
    ) -> Response[str]:
        """The list, newest first, with the search box and filters.

        The page is rendered once per filter and language and kept while no publication
        changes (the ``publications`` reference version): the agency filter alone lists a
        thousand agencies nationally, which is most of a render's cost.
        """
        filters = publications.clean_filters(q, agency, year, tax_code, page)
        lang = request.state.lang

        async def render() -> str:
            found = await publications.public_list(filters)
            query = filters.query()
            if lang != get_settings().default_language:
                query["lang"] = lang
            engine = request.app.template_engine
            assert engine is not None  # configured by create_app()
            template = engine.get_template("public/conclusions.html")
            return str(
                template.render(
                    request=request,
                    found=found,
                    filters=filters,
                    agencies=await publications.public_agencies(),
                    query=urlencode(query),
                    lang_query=_lang_query(request),
                )
            )

        key = ("page", filters, lang)
        html = await reference_cache.cached(publications.CACHE_NAME, key, render)
        return Response(content=html, media_type=MediaType.HTML)

    @get("/conclusions/{publication_id:int}", opt=PUBLIC, cache_control=CACHE)
    async def conclusion(self, request: Request[Any, Any, Any], publication_id: int) -> Template:
        """One published conclusion: numbers, agency, subjects, summary and public text."""
        item = await publications.public_detail(publication_id)
        return Template(
            template_name="public/conclusion.html",
            context={"item": item, "lang_query": _lang_query(request)},
        )

    @get("/conclusions/{publication_id:int}/file", opt=PUBLIC, cache_control=CACHE)
    async def conclusion_file(self, publication_id: int) -> File:
        """The PDF of the public version (never the signed internal file)."""
        row, path = await publications.public_file(publication_id)
        return File(
            path=path,
            filename=row.file_name or "ket-luan.pdf",
            media_type="application/pdf",
            content_disposition_type="inline",
        )

    @get("/feeds/{code:str}", opt=PUBLIC, cache_control=CACHE)
    async def feed(self, request: Request[Any, Any, Any], code: str) -> Response[str]:
        """The agency's latest published conclusions as an Atom feed."""
        base = str(request.base_url).rstrip("/")

        async def render() -> str:
            agency, items = await publications.feed_items(code)
            return _feed(agency, items, base)

        key = ("feed", code[:32], base)
        body = await reference_cache.cached(publications.CACHE_NAME, key, render)
        return Response(content=body, media_type="application/atom+xml; charset=utf-8")


def _feed(agency: PortalAgency, items: list[PortalItem], base: str) -> str:
    """An agency's published conclusions as an Atom document."""
    updated = max(
        (item.updated_at for item in items if item.updated_at is not None),
        default=datetime(2000, 1, 1, tzinfo=UTC),
    )
    entries = "".join(
        "<entry>"
        f"<title>{_atom_text(item.conclusion_no)} — {_atom_text(item.title)}</title>"
        f'<link href="{base}/public/conclusions/{item.id}"/>'
        f"<id>{base}/public/conclusions/{item.id}</id>"
        f"<updated>{_atom_text((item.updated_at or updated).isoformat())}</updated>"
        f"<published>{item.published_on.isoformat()}T00:00:00+07:00</published>"
        f"<summary>{_atom_text(item.summary)}</summary>"
        "</entry>"
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{_atom_text(agency.name)} — kết luận thanh tra</title>"
        f"<id>{base}/public/feeds/{_atom_text(agency.code)}</id>"
        f'<link rel="self" href="{base}/public/feeds/{_atom_text(agency.code)}"/>'
        f'<link href="{base}/public/conclusions?agency={_atom_text(agency.code)}"/>'
        f"<updated>{updated.isoformat()}</updated>"
        f"{entries}</feed>"
    )
