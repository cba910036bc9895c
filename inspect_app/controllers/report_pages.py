"""Report pages: the archive with the request form, and one report with its progress."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from inspect_app.clock import today
from inspect_app.domain.documents import SIGNING_FORM_LABELS
from inspect_app.domain.periods import current_quarter, default_report_period, parse_period
from inspect_app.errors import Conflict, InvalidInput
from inspect_app.exceptions import request_language
from inspect_app.forms.figures import figure_period_options
from inspect_app.forms.reports import (
    optional_int,
    period_options,
    report_request,
    request_errors,
    signer_form,
)
from inspect_app.i18n import translate
from inspect_app.pages import flash, render
from inspect_app.principal import Principal
from inspect_app.services import (
    agencies,
    agency_documents,
    report_render,
    reports,
    submissions,
)

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


async def _index_context(principal: Principal, agency_id: int | None, lang: str) -> dict[str, Any]:
    items, next_cursor = await reports.list_reports(principal, agency_id=agency_id)
    return {
        "reports": items,
        "next_cursor": next_cursor,
        "agency_options": [
            (row["id"], "— " * row["indent"] + row["name"])
            for row in await agencies.tree_options(principal)
        ],
        "period_groups": period_options(today(), lang),
        "filter_agency_id": agency_id,
    }


async def _signer_defaults(report: reports.Report, principal: Principal) -> dict[str, str]:
    """What the sign-off form proposes: the agency's default signer, else the head signing."""
    settings = await agency_documents.frame_settings(report.agency_id)
    return {
        "signer_name": settings.signer_name or principal.full_name,
        "signer_title": settings.signer_title,
        "signing_form": settings.signing_form,
    }


async def _detail_context(
    request: Request[Any, Any, Any], principal: Principal, report: reports.Report
) -> dict[str, Any]:
    lang = request_language(request)
    show_sign_off = not report.signed and principal.can("report.sign_off")
    context: dict[str, Any] = {
        "signer": await _signer_defaults(report, principal) if show_sign_off else {},
        "signing_forms": list(SIGNING_FORM_LABELS.items()),
        "report": report,
        "errors": {},
        "text": report_render.document_text(lang),
        "tables": [],
        "paragraphs": [p for p in report.narrative.split("\n\n") if p.strip()],
        "recovery_chart": "",
        "trend_chart": "",
        "submission": (
            await submissions.for_report(
                principal, int(report.agency_id), parse_period(str(report.period))
            )
            if report.signed
            else None
        ),
    }
    if report.status == "done" and report.totals is not None and reports.has_figures(report):
        shown = report_render.document_context(report.totals, report.narrative, lang)
        context.update(shown.variables())
    return context


class ReportPageController(Controller):
    """``/reports``: archive, request form, progress, figures, narrative, sign-off."""

    path = "/reports"
    include_in_schema = False

    @get("/", opt={"permission": "read"})
    async def index(
        self, request: Request[Any, Any, Any], principal: Principal, agency_id: str | None = None
    ) -> Template:
        """The report archive in scope and, for leads and heads, the request form."""
        lang = request_language(request)
        context = await _index_context(principal, optional_int(agency_id), lang)
        form = {
            "agency_id": principal.agency_id,
            "period": default_report_period(today()).code,
            "source": "live",
        }
        return await render(request, "reports/index.html", form=form, errors={}, **context)

    @post("/", opt={"permission": "report.request"}, status_code=200)
    async def request_report(
        self, request: Request[Any, Any, Any], principal: Principal, data: FormData, ip: str
    ) -> Redirect | Template:
        """Queue a report; a mistake comes back beside its field with the input kept."""
        agency_id, period, source, form = report_request(data)
        try:
            report = await reports.request_report(principal, agency_id, period, ip, source)
        except InvalidInput as exc:
            context = await _index_context(principal, None, request_language(request))
            errors = request_errors(exc.errors)
            return await render(
                request, "reports/index.html", status_code=422, form=form, errors=errors, **context
            )
        return Redirect(path=f"/reports/{report.id}")

    @get("/{report_id:int}", opt={"permission": "read"})
    async def detail(
        self, request: Request[Any, Any, Any], principal: Principal, report_id: int
    ) -> Template:
        """One report: progress while it runs, then figures, charts, narrative and files."""
        report = await reports.get_report(principal, report_id)
        context = await _detail_context(request, principal, report)
        return await render(request, "reports/detail.html", **context)

    @get("/{report_id:int}/progress", opt={"permission": "read"})
    async def progress(
        self, request: Request[Any, Any, Any], principal: Principal, report_id: int
    ) -> Template:
        """The fragment the page polls until the report is done or failed."""
        report = await reports.get_report(principal, report_id)
        return Template(
            template_name="reports/_progress.html",
            context=await _detail_context(request, principal, report),
        )

    @post("/{report_id:int}/narrative", opt={"permission": "report.request"}, status_code=200)
    async def edit_narrative(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        report_id: int,
        data: FormData,
        ip: str,
    ) -> Redirect | Template:
        """Save the narrative (before sign-off) and render the files again."""
        lang = request_language(request)
        try:
            await reports.update_narrative(
                principal,
                report_id,
                data.get("narrative", ""),
                optional_int(data.get("version")),
                ip,
            )
        except (InvalidInput, Conflict) as exc:
            report = await reports.get_report(principal, report_id)
            context = await _detail_context(request, principal, report)
            if isinstance(exc, InvalidInput):
                context["errors"] = exc.errors
            else:
                context["errors"] = {"narrative": exc.message}
            context["narrative_input"] = data.get("narrative", "")
            return await render(request, "reports/detail.html", status_code=422, **context)
        flash(request, translate("The narrative was saved.", lang))
        return Redirect(path=f"/reports/{report_id}")

    @post("/{report_id:int}/sign-off", opt={"permission": "report.sign_off"}, status_code=200)
    async def sign_off(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        report_id: int,
        data: FormData,
        ip: str,
    ) -> Redirect | Template:
        """Sign the report off (heads) with the signer shown; its figures and files are
        frozen from now on. A mistake in the signer comes back beside its field."""
        lang = request_language(request)
        signer = signer_form(data)
        try:
            await reports.sign_off(
                principal, report_id, optional_int(data.get("version")), ip, signer
            )
        except Conflict as exc:
            flash(request, translate(exc.message, lang), "error")
        except InvalidInput as exc:
            report = await reports.get_report(principal, report_id)
            context = await _detail_context(request, principal, report)
            context["sign_off_errors"] = exc.errors
            context["signer"] = {**context["signer"], **signer}
            return await render(request, "reports/detail.html", status_code=422, **context)
        else:
            flash(request, translate("The report was signed off.", lang))
        return Redirect(path=f"/reports/{report_id}")

    @post("/{report_id:int}/submit", opt={"permission": "report.sign_off"}, status_code=200)
    async def submit(
        self, request: Request[Any, Any, Any], principal: Principal, report_id: int, ip: str
    ) -> Redirect:
        """Submit the signed report to the agency above; the page says how it went."""
        lang = request_language(request)
        try:
            done = await submissions.submit(principal, report_id, ip)
        except Conflict as exc:
            flash(request, translate(exc.message, lang), "error")
        else:
            flash(
                request,
                translate("The report was submitted to {parent}.", lang, parent=done.parent_name),
            )
        return Redirect(path=f"/reports/{report_id}")

    async def _tracker_page(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        agency_id: int | None,
        period: str | None,
        errors: dict[int, dict[str, str]] | None = None,
        kept: dict[int, str] | None = None,
    ) -> Template:
        lang = request_language(request)
        code = period or current_quarter(today()).code
        try:
            chosen = reports.parse_report_period(code)
        except InvalidInput as exc:
            chosen, errors = current_quarter(today()), {0: exc.errors}
        board = await submissions.tracker(principal, agency_id, chosen)
        return await render(
            request,
            "reports/tracker.html",
            status_code=422 if errors else 200,
            board=board,
            period_groups=figure_period_options(today(), lang, chosen.code),
            agency_options=[
                (row["id"], "— " * row["indent"] + row["name"])
                for row in await agencies.tree_options(principal)
            ],
            errors=errors or {},
            kept=kept or {},
        )

    @get("/tracker", opt={"permission": "read"})
    async def tracker(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        period: str | None = None,
        agency_id: str | None = None,
    ) -> Template:
        """Which units below the agency have submitted the period's report, who is late."""
        return await self._tracker_page(request, principal, optional_int(agency_id), period)

    @post(
        "/submissions/{submission_id:int}/return",
        opt={"permission": "report.sign_off"},
        status_code=200,
    )
    async def return_submission(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        submission_id: int,
        data: FormData,
        ip: str,
    ) -> Redirect | Template:
        """Return a unit's report with a reason; a missing reason comes back beside it."""
        lang = request_language(request)
        try:
            done = await submissions.return_submission(
                principal,
                submission_id,
                data.get("reason", ""),
                optional_int(data.get("version")),
                ip,
            )
        except InvalidInput as exc:
            found = await submissions.get_submission(principal, submission_id)
            return await self._tracker_page(
                request,
                principal,
                found.parent_id,
                found.period,
                {submission_id: exc.errors},
                {submission_id: data.get("reason", "")},
            )
        except Conflict as exc:
            flash(request, translate(exc.message, lang), "error")
            found = await submissions.get_submission(principal, submission_id)
        else:
            flash(
                request,
                translate("The report was returned to {unit}.", lang, unit=done.agency_name),
            )
            found = done
        return Redirect(path=f"/reports/tracker?period={found.period}&agency_id={found.parent_id}")
