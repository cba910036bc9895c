"""Periodic reports: request, archive, narrative edits and the head's sign-off.

A report is requested for an agency in scope and a reporting period; the row is created
"queued" and the background job (:func:`inspect_app.services.report_runner.generate_report`,
queued through :func:`inspect_app.job_queue.enqueue_report`) computes and freezes its figures into
``Report.totals`` and renders the files. A head's sign-off freezes the report for good: its
figures, narrative and files never change afterwards, whatever happens to the records.
Generating again makes a new Report row with the next ``revision``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from inspect_app import clock
from inspect_app.db import write_transaction
from inspect_app.domain import documents
from inspect_app.domain.periods import InvalidPeriod, Period, parse_period
from inspect_app.domain.text import has_control_characters, printable
from inspect_app.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspect_app.principal import Principal
from inspect_app.services import (
    agencies,
    agency_documents,
    audit,
    document_register,
    report_document,
    report_runner,
)
from inspect_app.services.casework import stored_id, stored_instant, stored_json
from inspect_app.services.report_figures import ReportFigures, stored_figures
from inspect_app.services.totals import TABLES
from models.tables import Agency
from models.tables import Report as ReportTable

log = logging.getLogger(__name__)

# Media type of each file of a revision (keys of report_runner.FILES).
FILE_FORMATS = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "json": "application/json",
    **{f"{table}.csv": "text/csv; charset=utf-8" for table in TABLES},
}
NARRATIVE_MAX_CHARS = 50_000
_REVISION_ATTEMPTS = 3

_SELECT = """
SELECT r.id, r.agency AS agency_id, a.name AS agency_name, r.period, r.layout, r.revision,
       r.status, r.progress, r.error, r.totals, r.narrative, r.html_path, r.xlsx_path,
       r.pdf_path, r.requested_by AS requested_by_id, ru.full_name AS requested_by_name,
       r.signed_off_by AS signed_off_by_id, su.full_name AS signed_off_by_name,
       r.signed_off_at, r.document, r.file_sha256, r.version, r.created_at, r.started_at,
       r.finished_at, r.source
FROM report r
JOIN agency a ON a.id = r.agency
LEFT JOIN app_user ru ON ru.id = r.requested_by
LEFT JOIN app_user su ON su.id = r.signed_off_by
"""


def parse_report_period(code: str | None) -> Period:
    """The period named by ``code``; InvalidInput on the ``period`` field otherwise."""
    try:
        return parse_period(code or "")
    except InvalidPeriod:
        raise InvalidInput({"period": "Unknown reporting period: write it like 2026-Q1."}) from None


def file_url(report_id: int, key: str) -> str:
    """Where a file of a report is downloaded: ``file.pdf``, ``tables/checks.csv``."""
    if key.endswith(".csv"):
        return f"/api/reports/{report_id}/tables/{key}"
    return f"/api/reports/{report_id}/file.{key}"


@dataclass(frozen=True, slots=True)
class Report:
    """A report as the pages and the API read it: its row, who requested and signed it,
    its frozen figures and document frame, and the files a reader may download now."""

    id: int
    agency_id: int
    agency_name: str
    period: str
    layout: str
    revision: int
    status: str
    progress: int
    error: str
    # The frozen figures (report_runner.compute_figures); None until generated.
    totals: ReportFigures | None
    narrative: str
    requested_by_id: int | None
    requested_by_name: str | None
    signed_off_by_id: int | None
    signed_off_by_name: str | None
    signed_off_at: datetime | None
    # The document frame stored at sign-off (report_document.build_frame); None before.
    document: report_document.DocumentFrame | None
    version: int
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    source: str | None
    signed: bool
    # Signed, but its files are not yet written with the signer's name.
    files_pending: bool
    # Download link of each file by key ("html", "pdf", "checks.csv", …); None until ready.
    files: dict[str, str | None]
    # SHA-256 (hex) of each file by key, once the files are ready.
    sha256: dict[str, str]
    period_label: Period


def _out(row: Mapping[str, Any]) -> Report:
    report_id = int(row["id"])
    status = str(row["status"])
    totals = stored_figures(stored_json(row["totals"]))
    document = stored_json(row["document"])
    hashes = stored_json(row["file_sha256"]) or {}
    signed_off_at = stored_instant(row["signed_off_at"])
    signed = signed_off_at is not None
    # A signed report's files are ready once they were written with the signer's name; one
    # signed before reports had a document frame keeps the files it was signed with.
    legacy = signed and not document
    ready = status == "done" and (bool(hashes) or not signed or legacy)
    # Reports made before every file had a hash still offer the three they have.
    keys = list(hashes) if hashes else ["html", "xlsx", "pdf"]
    return Report(
        id=report_id,
        agency_id=int(row["agency_id"]),
        agency_name=str(row["agency_name"]),
        period=str(row["period"]),
        layout=row["layout"],
        revision=int(row["revision"]),
        status=status,
        progress=int(row["progress"]),
        error=row["error"],
        totals=totals,
        narrative=row["narrative"],
        requested_by_id=stored_id(row["requested_by_id"]),
        requested_by_name=row["requested_by_name"],
        signed_off_by_id=stored_id(row["signed_off_by_id"]),
        signed_off_by_name=row["signed_off_by_name"],
        signed_off_at=signed_off_at,
        document=report_document.stored_frame(document),
        version=int(row["version"]),
        created_at=stored_instant(row["created_at"]),
        started_at=stored_instant(row["started_at"]),
        finished_at=stored_instant(row["finished_at"]),
        source=row["source"],
        signed=signed,
        files_pending=status == "done" and not ready,
        files={key: file_url(report_id, key) if ready else None for key in keys},
        sha256=dict(hashes) if ready else {},
        period_label=parse_period(str(row["period"])),
    )


async def get_report(principal: Principal, report_id: int) -> Report:
    """One report of an agency in the caller's subtree; NotFound otherwise."""
    rows = await ReportTable.raw(
        _SELECT + " WHERE r.id = {} AND a.path LIKE {}", report_id, principal.scope_pattern
    )
    if not rows:
        raise NotFound()
    return _out(rows[0])


async def list_reports(
    principal: Principal,
    *,
    agency_id: int | None = None,
    cursor: int | None = None,
    limit: int = 50,
) -> tuple[list[Report], int | None]:
    """The report archive in scope, newest first (keyset on id); with the next cursor."""
    limit = max(1, min(limit, 200))
    path = await agencies.subtree_path(principal, agency_id)
    where = " WHERE a.path LIKE {}"
    args: list[Any] = [principal.scope_pattern]
    if agency_id is not None:
        where += " AND r.agency = {}"
        args.append(agency_id)
    else:
        where += " AND a.path LIKE {}"
        args.append(path + "%")
    if cursor is not None:
        where += " AND r.id < {}"
        args.append(cursor)
    rows = await ReportTable.raw(_SELECT + where + " ORDER BY r.id DESC LIMIT {}", *args, limit + 1)
    items = [_out(row) for row in rows[:limit]]
    next_cursor = items[-1].id if len(rows) > limit else None
    return items, next_cursor


SOURCES = ("live", "submitted")


async def request_report(
    principal: Principal,
    agency_id: int | None,
    period_code: str | None,
    ip: str = "",
    source: str | None = None,
) -> Report:
    """Create a queued report (next revision for this agency and period) and enqueue it.

    ``source``: the units' rows from the records (``live``, the default) or from the reports
    they submitted (``submitted``, services.submissions).
    """
    if not principal.can("report.request"):
        raise Forbidden()
    errors: dict[str, str] = {}
    if agency_id is None:
        errors["agency_id"] = "Choose an agency."
    if (source or "live") not in SOURCES:
        errors["source"] = "Choose a value from the list."
    try:
        period = parse_report_period(period_code)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    assert agency_id is not None
    await agencies.get_visible(principal, agency_id)
    report_id = await _insert_next_revision(principal, agency_id, period, ip, source or "live")
    from inspect_app.job_queue import enqueue_report

    await enqueue_report(report_id)
    return await get_report(principal, report_id)


async def _insert_next_revision(
    principal: Principal, agency_id: int, period: Period, ip: str, source: str = "live"
) -> int:
    from inspect_app.domain.report_layout import layout_for

    last_error: Exception | None = None
    for _ in range(_REVISION_ATTEMPTS):
        try:
            async with write_transaction():
                rows = await ReportTable.raw(
                    "SELECT COALESCE(MAX(revision), 0) AS n FROM report "
                    "WHERE agency = {} AND period = {}",
                    agency_id,
                    period.code,
                )
                revision = int(rows[0]["n"]) + 1
                created = await ReportTable.insert(
                    ReportTable(
                        agency=agency_id,
                        period=period.code,
                        layout=layout_for(period.end).id,
                        revision=revision,
                        status="queued",
                        progress=0,
                        requested_by=principal.id,
                        source=source,
                    )
                ).returning(ReportTable.id)
                report_id = int(created[0]["id"])
                await audit.record(
                    "report.request",
                    actor=principal,
                    entity_type="report",
                    entity_id=report_id,
                    agency_id=agency_id,
                    after={"period": period.code, "revision": revision, "source": source},
                    ip=ip,
                )
                return report_id
        except Exception as exc:  # two requests raced for one revision number: take the next
            if "report_revision_key" not in str(exc) and "UNIQUE" not in str(exc).upper():
                raise
            last_error = exc
    raise Conflict(
        "Another report was requested at the same moment; please try again.", code="busy"
    ) from last_error


def has_figures(report: Report) -> bool:
    """True when the report holds the complete frozen figures the files are drawn from."""
    return report.totals is not None


def _check_version(report: Report, version: int | None) -> None:
    if version is not None and version != report.version:
        raise Conflict(
            "Someone changed this report meanwhile; reload it and try again.",
            code="stale_version",
        )


def _signer_errors(signer: Mapping[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if signer["signing_form"] not in documents.SIGNING_FORMS:
        errors["signing_form"] = "Choose how the document is signed from the list."
    elif signer["signing_form"] != "direct" and not signer["signer_title"]:
        errors["signer_title"] = "Signing KT. or TL. needs the signer's own title."
    if len(signer["signer_title"]) > documents.TITLE_MAX:
        errors["signer_title"] = "The title is too long (at most 100 characters)."
    if len(signer["signer_name"]) > documents.NAME_MAX:
        errors["signer_name"] = "The name is too long (at most 255 characters)."
    for field in ("signer_name", "signer_title"):
        if field not in errors and has_control_characters(signer[field], single_line=True):
            errors[field] = "Remove the control characters from the text."
    return errors


async def sign_off(
    principal: Principal,
    report_id: int,
    version: int | None = None,
    ip: str = "",
    signer: Mapping[str, Any] | None = None,
) -> Report:
    """A head signs the report off: it takes the next number of the agency's register, its
    frame is frozen with the signer and the date, its files are written once more with them
    and never change afterwards.

    ``signer`` (signer_name, signer_title, signing_form) overrides the agency's default
    signer; without a name, the head signing is named.
    """
    report = await get_report(principal, report_id)
    if not principal.can("report.sign_off"):
        raise Forbidden()
    if report.signed:
        raise Conflict("This report is already signed off.", code="signed_off")
    if report.status != "done" or not has_figures(report):
        raise Conflict("Only a finished report can be signed off.", code="not_ready")
    _check_version(report, version)
    settings = await agency_documents.frame_settings(report.agency_id)
    chosen = report_document.signer_of(settings, signer)
    chosen["signer_name"] = chosen["signer_name"] or principal.full_name
    errors = _signer_errors(chosen)
    if errors:
        raise InvalidInput(errors)
    from datetime import UTC, datetime

    issued_on = clock.today()
    period = parse_period(str(report.period))
    async with write_transaction():
        updated = (
            await ReportTable.update(
                {
                    ReportTable.signed_off_by: principal.id,
                    ReportTable.signed_off_at: datetime.now(UTC),
                    ReportTable.version: ReportTable.version + 1,
                }
            )
            .where(
                (ReportTable.id == report_id)
                & (ReportTable.version == report.version)
                & ReportTable.signed_off_at.is_null()
                & (ReportTable.status == "done")
            )
            .returning(ReportTable.id)
        )
        if not updated:
            raise Conflict(
                "Someone changed this report meanwhile; reload it and try again.",
                code="stale_version",
            )
        number = await document_register.take_number(
            report.agency_id,
            issued_on,
            kind=documents.REPORT_KIND_CODE,
            symbol=f"{documents.REPORT_KIND_CODE}-{settings.symbol}",
            report_id=report_id,
            issued_by=principal.id,
        )
        frame = report_document.build_frame(
            settings,
            period,
            preparer=report.requested_by_name or "",
            number=number,
            issued_on=issued_on,
            signer=chosen,
        )
        await ReportTable.update(
            {
                ReportTable.document: report_document.to_stored(frame),
                ReportTable.file_sha256: {},
            }
        ).where(ReportTable.id == report_id)
        await audit.record(
            "report.sign_off",
            actor=principal,
            entity_type="report",
            entity_id=report_id,
            agency_id=report.agency_id,
            after={
                "period": report.period,
                "revision": report.revision,
                "document_number": frame.number_line,
                "signer_name": frame.signer_name,
                "signer_title": frame.signer_title,
                "signing_form": frame.signing_form,
            },
            ip=ip,
        )
    try:
        await report_runner.finalise_signed(report_id)
    except Exception:  # the job writes them later; until then the page says they are pending
        log.exception("signed files of report %s could not be written now", report_id)
        from inspect_app.job_queue import enqueue_report

        await enqueue_report(report_id)
    return await get_report(principal, report_id)


async def update_narrative(
    principal: Principal, report_id: int, narrative: str, version: int | None, ip: str = ""
) -> Report:
    """Edit the narrative before sign-off; the HTML, XLSX and PDF are rendered again."""
    report = await get_report(principal, report_id)
    if not principal.can("report.request"):
        raise Forbidden()
    narrative = (narrative or "").replace("\r\n", "\n").strip()
    if not narrative:
        raise InvalidInput({"narrative": "Write the narrative of the report."})
    if len(narrative) > NARRATIVE_MAX_CHARS:
        raise InvalidInput({"narrative": "The narrative is too long."})
    if has_control_characters(narrative, single_line=False):
        raise InvalidInput({"narrative": "Remove the control characters from the text."})
    if report.signed:
        raise Conflict("This report is signed off and can no longer change.", code="signed_off")
    if report.status != "done" or not has_figures(report):
        raise Conflict("Wait until the report is generated.", code="not_ready")
    _check_version(report, version)
    async with write_transaction():
        updated = (
            await ReportTable.update(
                {ReportTable.narrative: narrative, ReportTable.version: ReportTable.version + 1}
            )
            .where(
                (ReportTable.id == report_id)
                & (ReportTable.version == report.version)
                & ReportTable.signed_off_at.is_null()
            )
            .returning(ReportTable.id)
        )
        if not updated:
            raise Conflict(
                "Someone changed this report meanwhile; reload it and try again.",
                code="stale_version",
            )
        await audit.record(
            "report.narrative",
            actor=principal,
            entity_type="report",
            entity_id=report_id,
            agency_id=report.agency_id,
            before={"narrative": report.narrative},
            after={"narrative": narrative},
            ip=ip,
        )
    assert report.totals is not None  # has_figures
    await report_runner.render_files(report_id, report.totals, narrative)
    return await get_report(principal, report_id)


async def report_file(principal: Principal, report_id: int, key: str) -> tuple[Path, str, str]:
    """A stored file of a finished report (key as in ``files``): (path, media type, name)."""
    report = await get_report(principal, report_id)
    if key not in FILE_FORMATS or report.files.get(key) is None:
        raise NotFound()
    path = report_runner.report_folder(report_id) / report_runner.FILES[key]
    if not path.is_file():
        raise NotFound()
    agency = await Agency.select(Agency.code).where(Agency.id == report.agency_id).first()
    # A code stored before input was checked may hold control characters: not in a header.
    code = "".join(printable(agency["code"]).split()) if agency else str(report.agency_id)
    base = f"bao-cao-{code}-{report.period}-lan-{report.revision}"
    name = f"{base}-{key}" if key.endswith(".csv") else f"{base}.{key}"
    return path, FILE_FORMATS[key], name
