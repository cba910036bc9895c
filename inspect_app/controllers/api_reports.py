"""JSON API of reports and totals: request, progress, files, narrative, sign-off, counters."""

from __future__ import annotations

from litestar import Controller, Response, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.response import File
from litestar.status_codes import HTTP_202_ACCEPTED

from inspect_app.clock import today
from inspect_app.domain.periods import current_quarter
from inspect_app.domain.report_layout import UnknownLayout
from inspect_app.principal import Principal
from inspect_app.schemas.bounds import PageSize, QueryId, QueryPeriod
from inspect_app.schemas.reports import (
    NarrativeUpdate,
    ReportList,
    ReportQueued,
    ReportRequest,
    SignOff,
    Submission,
    SubmissionReturn,
    SubmissionTracker,
    Totals,
    to_report,
    to_tracker,
)
from inspect_app.schemas.reports import Report as ReportOut
from inspect_app.services import agencies, report_exports, reports, submissions, totals

# The printable HTML carries its own styles; it is shown on its own, never framed.
_HTML_FILE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
)


async def _file(principal: Principal, report_id: int, fmt: str) -> File:
    path, media_type, name = await reports.report_file(principal, report_id, fmt)
    headers = {"content-security-policy": _HTML_FILE_CSP} if fmt == "html" else {}
    report = await reports.get_report(principal, report_id)
    if report.sha256.get(fmt):
        # The digest shown on the report page, for checking a downloaded copy.
        headers["x-content-sha256"] = report.sha256[fmt]
    return File(
        path=path,
        filename=name,
        media_type=media_type,
        content_disposition_type="inline" if fmt == "html" else "attachment",
        headers=headers,
    )


def current_period() -> str:
    """The running quarter's code: the tracker's period when none is asked for."""
    return current_quarter(today()).code


class ReportApiController(Controller):
    """``/api/reports``."""

    path = "/api/reports"
    tags = ["reports"]

    @post("/", opt={"permission": "report.request"}, status_code=HTTP_202_ACCEPTED)
    async def request_report(
        self, principal: Principal, data: ReportRequest, ip: str
    ) -> ReportQueued:
        """Queue a report for an agency and period; poll GET /api/reports/{id}."""
        report = await reports.request_report(
            principal, data.agency_id, data.period, ip, data.source
        )
        return ReportQueued(id=report.id, status=report.status, revision=report.revision)

    @get("/", opt={"permission": "read"})
    async def archive(
        self,
        principal: Principal,
        agency_id: QueryId = None,
        cursor: QueryId = None,
        limit: PageSize = 50,
    ) -> ReportList:
        """The report archive in scope (of one agency with ``agency_id``), newest first."""
        items, next_cursor = await reports.list_reports(
            principal, agency_id=agency_id, cursor=cursor, limit=limit
        )
        return ReportList(
            items=[to_report(item) for item in items],
            next_cursor=None if next_cursor is None else str(next_cursor),
        )

    @get("/{report_id:int}", opt={"permission": "read"})
    async def detail(self, principal: Principal, report_id: int) -> ReportOut:
        """A report: status, progress, frozen figures, files, sign-off."""
        return to_report(await reports.get_report(principal, report_id))

    @patch("/{report_id:int}", opt={"permission": "report.request"})
    async def edit_narrative(
        self, principal: Principal, report_id: int, data: NarrativeUpdate, ip: str
    ) -> ReportOut:
        """Replace the narrative before sign-off (files are rendered again)."""
        report = await reports.update_narrative(
            principal, report_id, data.narrative, data.version, ip
        )
        return to_report(report)

    @post("/{report_id:int}/sign-off", opt={"permission": "report.sign_off"}, status_code=200)
    async def sign_off(
        self, principal: Principal, report_id: int, ip: str, data: SignOff | None = None
    ) -> ReportOut:
        """A head signs the report off: the next number of the agency's register, the signer
        (the agency's default, or as sent) and the date are printed on its files, which are
        frozen from then on with their SHA-256."""
        data = data or SignOff()
        signer = {
            "signer_name": data.signer_name,
            "signer_title": data.signer_title,
            "signing_form": data.signing_form,
        }
        return to_report(await reports.sign_off(principal, report_id, data.version, ip, signer))

    @post("/{report_id:int}/submit", opt={"permission": "report.sign_off"}, status_code=200)
    async def submit(self, principal: Principal, report_id: int, ip: str) -> Submission:
        """Submit a signed-off report to the agency above the report's agency (409 when it
        is not signed, the agency has none, or the period's report was submitted already)."""
        return await submissions.submit(principal, report_id, ip)

    @get("/submissions", opt={"permission": "read"})
    async def tracker(
        self, principal: Principal, period: QueryPeriod = None, agency_id: QueryId = None
    ) -> SubmissionTracker:
        """Which units directly below the agency (the reader's own by default) have
        submitted the period's report (the running quarter by default), and who is late."""
        board = await submissions.tracker(
            principal, agency_id, reports.parse_report_period(period or current_period())
        )
        return to_tracker(board)

    @post(
        "/submissions/{submission_id:int}/return",
        opt={"permission": "report.sign_off"},
        status_code=200,
    )
    async def return_submission(
        self, principal: Principal, submission_id: int, data: SubmissionReturn, ip: str
    ) -> Submission:
        """The parent's head returns a unit's submitted report with a reason; the unit's
        heads are told, and it submits again."""
        return await submissions.return_submission(
            principal, submission_id, data.reason, data.version, ip
        )

    @get("/{report_id:int}/file.html", opt={"permission": "read"}, media_type="text/html")
    async def html_file(self, principal: Principal, report_id: int) -> File:
        """The printable HTML."""
        return await _file(principal, report_id, "html")

    @get(
        "/{report_id:int}/file.xlsx",
        opt={"permission": "read"},
        media_type=reports.FILE_FORMATS["xlsx"],
    )
    async def xlsx_file(self, principal: Principal, report_id: int) -> File:
        """The spreadsheet (one sheet per table)."""
        return await _file(principal, report_id, "xlsx")

    @get("/{report_id:int}/file.pdf", opt={"permission": "read"}, media_type="application/pdf")
    async def pdf_file(self, principal: Principal, report_id: int) -> File:
        """The PDF (A4, the tables on landscape pages where they need the width)."""
        return await _file(principal, report_id, "pdf")

    @get("/{report_id:int}/file.json", opt={"permission": "read"}, media_type="application/json")
    async def json_file(self, principal: Principal, report_id: int) -> File:
        """The machine-readable copy; its schema is ``/schema/reports/<layout>.json``."""
        return await _file(principal, report_id, "json")

    @get("/{report_id:int}/tables/{name:str}", opt={"permission": "read"}, media_type="text/csv")
    async def csv_file(self, principal: Principal, report_id: int, name: str) -> File:
        """One table as CSV: ``inspections.csv``, ``checks.csv`` or ``implementation.csv``."""
        return await _file(principal, report_id, name)


class ReportSchemaController(Controller):
    """``/schema/reports``: the published JSON Schema of the reports' JSON copy."""

    path = "/schema/reports"
    include_in_schema = False

    @get("/{name:str}", opt={"public": True}, media_type="application/schema+json")
    async def report_schema(self, name: str) -> Response[bytes]:
        """The JSON Schema of a layout's JSON copy: ``/schema/reports/TT01-2024.json``."""
        layout_id = name.removesuffix(".json")
        try:
            schema = report_exports.report_schema(layout_id)
        except UnknownLayout:
            raise NotFoundException(f"No report layout {layout_id!r}.") from None
        return Response(
            content=report_exports.dumps(schema).encode("utf-8"),
            media_type="application/schema+json",
            headers={"cache-control": "public, max-age=3600"},
        )


class TotalsApiController(Controller):
    """``/api/totals``."""

    path = "/api/totals"
    tags = ["reports"]

    @get("/", opt={"permission": "totals.read"})
    async def totals(
        self,
        principal: Principal,
        period: QueryPeriod = None,
        agency_id: QueryId = None,
        include_sub: bool = True,
    ) -> Totals:
        """The counters of the three report tables (AgencyTotals when present, else live).

        Without ``period``, the reporting quarter running today.
        """
        parsed = current_quarter(today()) if period is None else reports.parse_report_period(period)
        agency = await agencies.get_visible(principal, agency_id or principal.agency_id)
        counters, as_of, source = await totals.current_totals(agency.id, parsed, include_sub)
        return Totals(
            agency_id=agency.id,
            period=parsed.code,
            period_from=parsed.start,
            period_to=parsed.end,
            as_of=as_of,
            include_sub=include_sub,
            source=source,
            inspections=counters["inspections"],
            checks=counters["checks"],
            implementation=counters["implementation"],
        )
