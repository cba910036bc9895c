"""Schemas of reports and totals (API.md: "Totals and reports")."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec

from inspect_app.schemas.bounds import Period, Reason, RecordId, Version

# The service's own struct is the API's schema of a submission.
from inspect_app.services.report_figures import ReportFigures
from inspect_app.services.submissions import Submission

if TYPE_CHECKING:
    from inspect_app.services import reports
    from inspect_app.services.report_document import DocumentFrame
    from inspect_app.services.submissions import Tracker

__all__ = ["Submission"]

Narrative = Annotated[str, msgspec.Meta(max_length=50_000)]


class ReportRequest(msgspec.Struct):
    """POST /api/reports: the agency and period (e.g. "2026-Q1", "2026-6M", "2026-Y")."""

    agency_id: RecordId
    period: Period
    # The units' rows from the records, or from the signed reports they submitted.
    source: Literal["live", "submitted"] = "live"


class ReportQueued(msgspec.Struct):
    """The answer to a report request: the new report, queued."""

    id: int
    status: str
    revision: int


class ReportFiles(msgspec.Struct):
    """Download links of a finished report (null until generated; a signed report's until
    they are written with the signer's name)."""

    html: str | None
    xlsx: str | None
    pdf: str | None
    # The machine-readable copy (schema: /schema/reports/<layout>.json) and one CSV per
    # table (inspections, checks, implementation).
    json: str | None = None
    csv: dict[str, str] = msgspec.field(default_factory=dict)


class ReportSigner(msgspec.Struct):
    """Who signed, as the document prints it."""

    name: str
    title: str
    signing_form: str  # direct | kt (KT., a deputy for the head) | tl (TL., by order)
    title_lines: list[str]


class ReportDocument(msgspec.Struct):
    """The document frame of a signed report: its number in the agency's register, date
    and signer (Decree 30/2020/NĐ-CP)."""

    number: int | None
    reference: str  # "12/BC-TTr"
    issued_on: date | None
    signer: ReportSigner | None


class Report(msgspec.Struct):
    """A report: its progress, frozen figures, files and sign-off."""

    id: int
    agency_id: int
    agency_name: str
    period: str
    layout: str
    revision: int
    status: str
    progress: int
    error: str
    # The frozen figures, as stored (services.report_figures).
    totals: ReportFigures | None
    files: ReportFiles
    narrative: str
    signed_off_at: datetime | None
    signed_off_by: int | None
    document: ReportDocument | None
    # SHA-256 (hex) of each file, by the keys of ``files`` ("html", "pdf",
    # "inspections.csv", …); a signed report's never change.
    sha256: dict[str, str]
    requested_by: int | None
    created_at: datetime | None
    finished_at: datetime | None
    version: int
    # Where the units' rows come from: "live" (the records) or "submitted".
    source: str = "live"


class ReportList(msgspec.Struct):
    """A page of the report archive, newest first."""

    items: list[Report]
    next_cursor: str | None


class NarrativeUpdate(msgspec.Struct):
    """PATCH /api/reports/{id}: a new narrative (before sign-off) and the version read."""

    narrative: Narrative
    version: Version


class SignOff(msgspec.Struct):
    """POST /api/reports/{id}/sign-off: optionally the version read (stale: 409) and the
    signer, when not the agency's default signer (a name left out: the head signing)."""

    version: int | None = None
    signer_name: Annotated[str, msgspec.Meta(max_length=255)] | None = None
    signer_title: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    signing_form: Literal["direct", "kt", "tl"] | None = None


class Totals(msgspec.Struct):
    """The counters of the three report tables for one agency and period."""

    agency_id: int
    period: str
    period_from: date
    period_to: date
    as_of: datetime
    include_sub: bool
    source: str  # "stored" (AgencyTotals) or "live"
    inspections: dict[str, Any]
    checks: dict[str, Any]
    implementation: dict[str, Any]


class SubmissionReturn(msgspec.Struct):
    """POST /api/reports/submissions/{id}/return: why, and optionally the version read."""

    reason: Reason
    version: int | None = None


class TrackerUnit(msgspec.Struct):
    """One unit on the parent's tracker."""

    agency_id: int
    agency_name: str
    state: Literal["on_time", "late", "waiting", "overdue"]
    submitted: bool
    returned: bool
    submission: Submission | None


class SubmissionTracker(msgspec.Struct):
    """Which of an agency's units have submitted the period's report, and who is late."""

    agency_id: int
    agency_name: str
    period: str
    due_on: date
    submitted: int
    units: int
    late: int
    items: list[TrackerUnit]


def to_tracker(board: Tracker) -> SubmissionTracker:
    """The API shape of the service's tracker (services.submissions.Tracker)."""
    return SubmissionTracker(
        agency_id=board.agency_id,
        agency_name=board.agency_name,
        period=board.period.code,
        due_on=board.due_on,
        submitted=board.submitted,
        units=len(board.rows),
        late=board.late,
        items=[
            TrackerUnit(
                agency_id=row.agency_id,
                agency_name=row.agency_name,
                state=row.standing.state,
                submitted=row.standing.submitted,
                returned=row.returned,
                submission=row.submission,
            )
            for row in board.rows
        ],
    )


def to_report(report: reports.Report) -> Report:
    """The API shape of a report from the service."""
    return Report(
        id=report.id,
        agency_id=report.agency_id,
        agency_name=report.agency_name,
        period=report.period,
        layout=report.layout,
        revision=report.revision,
        status=report.status,
        progress=report.progress,
        error=report.error,
        totals=report.totals,
        files=_files(report.files),
        narrative=report.narrative,
        signed_off_at=report.signed_off_at,
        signed_off_by=report.signed_off_by_id,
        document=_document(report.document) if report.signed else None,
        sha256=report.sha256,
        requested_by=report.requested_by_id,
        created_at=report.created_at,
        finished_at=report.finished_at,
        version=report.version,
        source=str(report.source or "live"),
    )


def _files(files: dict[str, str | None]) -> ReportFiles:
    return ReportFiles(
        html=files.get("html"),
        xlsx=files.get("xlsx"),
        pdf=files.get("pdf"),
        json=files.get("json"),
        csv={
            key.removesuffix(".csv"): url
            for key, url in files.items()
            if key.endswith(".csv") and url is not None
        },
    )


def _document(frame: DocumentFrame | None) -> ReportDocument | None:
    if frame is None:
        return None
    signer = (
        ReportSigner(
            name=frame.signer_name,
            title=frame.signer_title,
            signing_form=frame.signing_form,
            title_lines=list(frame.signer_lines),
        )
        if frame.signed
        else None
    )
    return ReportDocument(
        number=frame.number,
        reference=frame.number_line.removeprefix("Số: ").strip(),
        issued_on=frame.issued_on,
        signer=signer,
    )
