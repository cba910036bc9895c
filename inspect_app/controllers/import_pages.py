"""Import pages: upload a workbook, follow its dry run, download the annotated copy,
commit, follow the writing, roll back."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Response, Template

from inspect_app.controllers.page_support import agency_choices, read_form
from inspect_app.domain.messages import N_
from inspect_app.domain.text import ascii_digits
from inspect_app.errors import Conflict, InvalidInput
from inspect_app.exceptions import request_language
from inspect_app.forms.common import read_version
from inspect_app.i18n import translate
from inspect_app.importing.plan import KIND_LABELS
from inspect_app.importing.template import import_template
from inspect_app.pages import flash, render
from inspect_app.principal import Principal
from inspect_app.services import imports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MULTIPART_OVERHEAD = 64 * 1024


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


async def _index(
    request: Request[Any, Any, Any],
    principal: Principal,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    return await render(
        request,
        "imports/index.html",
        status_code=status_code,
        runs=await imports.list_runs(principal),
        agency_options=await agency_choices(principal),
        errors=errors or {},
        form=form or {"agency_id": str(principal.agency_id)},
    )


class ImportPageController(Controller):
    """``/imports``: the runs in scope, the upload form, one run with its progress."""

    path = "/imports"
    include_in_schema = False

    @get("/", opt={"permission": "import.run"})
    async def index(self, request: Request[Any, Any, Any], principal: Principal) -> Template:
        """The upload form and the latest imports."""
        return await _index(request, principal)

    @get("/template.xlsx", opt={"permission": "import.run"})
    async def template(self) -> Response[bytes]:
        """The template workbook with its drop-down lists."""
        return Response(
            content=import_template("vi"),
            media_type=XLSX,
            headers=_attachment("mau-nhap-lieu.xlsx"),
        )

    @post(
        "/",
        opt={"permission": "import.run"},
        status_code=200,
        request_max_body_size=imports.MAX_WORKBOOK_BYTES + MULTIPART_OVERHEAD,
    )
    async def upload(
        self, request: Request[Any, Any, Any], principal: Principal, ip: str
    ) -> Template | Redirect:
        """Keep the workbook and start its dry run; a mistake comes back beside its field."""
        data = await read_form(request)
        upload = data.get("file")
        content = await upload.read() if isinstance(upload, UploadFile) else b""
        filename = (upload.filename or "") if isinstance(upload, UploadFile) else ""
        raw_agency = str(data.get("agency_id") or "")
        agency_id = int(raw_agency) if ascii_digits(raw_agency) and len(raw_agency) < 10 else None
        try:
            run = await imports.start_import(principal, agency_id, filename, content, ip)
        except InvalidInput as exc:
            return await _index(
                request, principal, exc.errors, {"agency_id": raw_agency}, status_code=422
            )
        return Redirect(path=f"/imports/{run.id}")

    @get("/{run_id:int}", opt={"permission": "import.run"})
    async def detail(
        self, request: Request[Any, Any, Any], principal: Principal, run_id: int
    ) -> Template:
        """One import: progress while its job runs, then its problems or its result."""
        run = await imports.get_run(principal, run_id)
        return await render(request, "imports/detail.html", **_detail_context(run))

    @get("/{run_id:int}/progress", opt={"permission": "import.run"})
    async def progress(self, principal: Principal, run_id: int) -> Template:
        """The fragment the page polls until the job is done."""
        run = await imports.get_run(principal, run_id)
        return Template(template_name="imports/_progress.html", context=_detail_context(run))

    @get("/{run_id:int}/report.xlsx", opt={"permission": "import.run"})
    async def report(self, principal: Principal, run_id: int) -> Response[bytes]:
        """The workbook with each problem at its cell."""
        name, content = await imports.annotated_copy(principal, run_id)
        return Response(content=content, media_type=XLSX, headers=_attachment(name))

    @post("/{run_id:int}/commit", opt={"permission": "import.run"}, status_code=200)
    async def commit(
        self, request: Request[Any, Any, Any], principal: Principal, run_id: int, ip: str
    ) -> Template | Redirect:
        """Write the records of a checked import (its bad rows left out when asked)."""
        data = await read_form(request)
        skip = data.get("skip_bad_rows") in ("1", "on", "true")
        try:
            await imports.request_commit(principal, run_id, skip, read_version(data) or None, ip)
        except InvalidInput as exc:
            run = await imports.get_run(principal, run_id)
            context = _detail_context(run)
            context["errors"] = exc.errors
            return await render(request, "imports/detail.html", status_code=422, **context)
        except Conflict as exc:
            flash(request, translate(exc.message, request_language(request)), "error")
        return Redirect(path=f"/imports/{run_id}")

    @post("/{run_id:int}/rollback", opt={"permission": "import.run"}, status_code=200)
    async def rollback(
        self, request: Request[Any, Any, Any], principal: Principal, run_id: int, ip: str
    ) -> Redirect:
        """Undo a committed import as a whole."""
        lang = request_language(request)
        try:
            await imports.rollback(principal, run_id, ip)
        except Conflict as exc:
            flash(request, translate(exc.message, lang), "error")
        else:
            flash(request, translate("The import was rolled back.", lang))
        return Redirect(path=f"/imports/{run_id}")


def _detail_context(run: imports.ImportRunRecord) -> dict[str, Any]:
    problems = imports.stored_problems(run)
    return {
        "run": run,
        "problems": problems,
        "problems_cut": run.problem_count - len(problems),
        "blocking": bool(run.blocking) or any(p.row is None for p in problems),
        "errors": {},
        "kinds": KIND_LABELS,
        "outcomes": OUTCOME_LABELS,
    }


OUTCOME_LABELS = {
    "created": N_("created"),
    "updated": N_("updated"),
    "unchanged": N_("unchanged"),
    "linked": N_("already in the application"),
    "kept": N_("kept: changed in the application since"),
    "skipped": N_("left out"),
    "deleted": N_("deleted"),
    "restored": N_("restored"),
}
