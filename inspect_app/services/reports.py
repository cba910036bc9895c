"""Periodic reports: request, archive, narrative edits and the head's sign-off.

A report is requested for an agency in scope and a reporting period; the row is created
"queued" and the background job (:func:`inspect_app.services.report_runner.generate_report`,
queued through :func:`jobs.enqueue.enqueue_report`) computes and freezes its figures into
``Report.totals`` and renders the files. A head's sign-off freezes the report for good: its
figures, narrative and files never change afterwards, whatever happens to the records.
Generating again makes a new Report row with the next ``revision``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspect_app.db import write_transaction
from inspect_app.domain.periods import InvalidPeriod, Period, parse_period
from inspect_app.domain.text import has_control_characters, printable
from inspect_app.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from inspect_app.principal import Principal
from inspect_app.services import agencies, audit, report_runner
from inspect_app.services.totals import TABLES
from models.tables import Agency, Report

FILE_FORMATS = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
NARRATIVE_MAX_CHARS = 50_000
_REVISION_ATTEMPTS = 3

_SELECT = """
SELECT r.id, r.agency AS agency_id, a.name AS agency_name, r.period, r.layout, r.revision,
       r.status, r.progress, r.error, r.totals, r.narrative, r.html_path, r.xlsx_path,
       r.pdf_path, r.requested_by AS requested_by_id, ru.full_name AS requested_by_name,
       r.signed_off_by AS signed_off_by_id, su.full_name AS signed_off_by_name,
       r.signed_off_at, r.version, r.created_at, r.started_at, r.finished_at
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


def _out(row: dict[str, Any]) -> dict[str, Any]:
    report = dict(row)
    report["totals"] = report_runner.stored_json(report["totals"])
    paths = {fmt: report.pop(f"{fmt}_path") for fmt in FILE_FORMATS}
    ready = report["status"] == "done"
    report["files"] = {
        fmt: (f"/api/reports/{report['id']}/file.{fmt}" if ready and path else None)
        for fmt, path in paths.items()
    }
    report["period_label"] = parse_period(str(report["period"]))
    report["signed"] = report["signed_off_at"] is not None
    return report


async def get_report(principal: Principal, report_id: int) -> dict[str, Any]:
    """One report of an agency in the caller's subtree; NotFound otherwise."""
    rows = await Report.raw(
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
) -> tuple[list[dict[str, Any]], int | None]:
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
    rows = await Report.raw(_SELECT + where + " ORDER BY r.id DESC LIMIT {}", *args, limit + 1)
    items = [_out(row) for row in rows[:limit]]
    next_cursor = int(items[-1]["id"]) if len(rows) > limit else None
    return items, next_cursor


async def request_report(
    principal: Principal, agency_id: int | None, period_code: str | None, ip: str = ""
) -> dict[str, Any]:
    """Create a queued report (next revision for this agency and period) and enqueue it."""
    if not principal.can("report.request"):
        raise Forbidden()
    errors: dict[str, str] = {}
    if agency_id is None:
        errors["agency_id"] = "Choose an agency."
    try:
        period = parse_report_period(period_code)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    assert agency_id is not None
    await agencies.get_visible(principal, agency_id)
    report_id = await _insert_next_revision(principal, agency_id, period, ip)
    from jobs.enqueue import enqueue_report

    await enqueue_report(report_id)
    return await get_report(principal, report_id)


async def _insert_next_revision(
    principal: Principal, agency_id: int, period: Period, ip: str
) -> int:
    from inspect_app.domain.report_layout import layout_for

    last_error: Exception | None = None
    for _ in range(_REVISION_ATTEMPTS):
        try:
            async with write_transaction():
                rows = await Report.raw(
                    "SELECT COALESCE(MAX(revision), 0) AS n FROM report "
                    "WHERE agency = {} AND period = {}",
                    agency_id,
                    period.code,
                )
                revision = int(rows[0]["n"]) + 1
                created = await Report.insert(
                    Report(
                        agency=agency_id,
                        period=period.code,
                        layout=layout_for(period.end).id,
                        revision=revision,
                        status="queued",
                        progress=0,
                        requested_by=principal.id,
                    )
                ).returning(Report.id)
                report_id = int(created[0]["id"])
                await audit.record(
                    "report.request",
                    actor=principal,
                    entity_type="report",
                    entity_id=report_id,
                    agency_id=agency_id,
                    after={"period": period.code, "revision": revision},
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


def has_figures(report: dict[str, Any]) -> bool:
    """True when the report holds the complete frozen figures the files are drawn from."""
    totals = report.get("totals")
    return isinstance(totals, dict) and all(
        key in totals for key in ("layout", "period", "rows", "previous", *TABLES)
    )


def _check_version(report: dict[str, Any], version: int | None) -> None:
    if version is not None and version != report["version"]:
        raise Conflict(
            "Someone changed this report meanwhile; reload it and try again.",
            code="stale_version",
        )


async def sign_off(
    principal: Principal, report_id: int, version: int | None = None, ip: str = ""
) -> dict[str, Any]:
    """A head signs the report off: from now on its figures and files never change."""
    report = await get_report(principal, report_id)
    if not principal.can("report.sign_off"):
        raise Forbidden()
    if report["signed"]:
        raise Conflict("This report is already signed off.", code="signed_off")
    if report["status"] != "done":
        raise Conflict("Only a finished report can be signed off.", code="not_ready")
    _check_version(report, version)
    from datetime import UTC, datetime

    async with write_transaction():
        updated = (
            await Report.update(
                {
                    Report.signed_off_by: principal.id,
                    Report.signed_off_at: datetime.now(UTC),
                    Report.version: Report.version + 1,
                }
            )
            .where(
                (Report.id == report_id)
                & (Report.version == report["version"])
                & Report.signed_off_at.is_null()
                & (Report.status == "done")
            )
            .returning(Report.id)
        )
        if not updated:
            raise Conflict(
                "Someone changed this report meanwhile; reload it and try again.",
                code="stale_version",
            )
        await audit.record(
            "report.sign_off",
            actor=principal,
            entity_type="report",
            entity_id=report_id,
            agency_id=report["agency_id"],
            after={"period": report["period"], "revision": report["revision"]},
            ip=ip,
        )
    return await get_report(principal, report_id)


async def update_narrative(
    principal: Principal, report_id: int, narrative: str, version: int | None, ip: str = ""
) -> dict[str, Any]:
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
    if report["signed"]:
        raise Conflict("This report is signed off and can no longer change.", code="signed_off")
    if report["status"] != "done" or not has_figures(report):
        raise Conflict("Wait until the report is generated.", code="not_ready")
    _check_version(report, version)
    async with write_transaction():
        updated = (
            await Report.update({Report.narrative: narrative, Report.version: Report.version + 1})
            .where(
                (Report.id == report_id)
                & (Report.version == report["version"])
                & Report.signed_off_at.is_null()
            )
            .returning(Report.id)
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
            agency_id=report["agency_id"],
            before={"narrative": report["narrative"]},
            after={"narrative": narrative},
            ip=ip,
        )
    await report_runner.render_files(report_id, report["totals"], narrative)
    return await get_report(principal, report_id)


async def report_file(principal: Principal, report_id: int, fmt: str) -> tuple[Path, str, str]:
    """The stored file of a finished report: (path, media type, download name)."""
    report = await get_report(principal, report_id)
    if fmt not in FILE_FORMATS or report["status"] != "done":
        raise NotFound()
    path = report_runner.report_folder(report_id) / f"report.{fmt}"
    if not path.is_file():
        raise NotFound()
    agency = await Agency.select(Agency.code).where(Agency.id == report["agency_id"]).first()
    # A code stored before input was checked may hold control characters: not in a header.
    code = "".join(printable(agency["code"]).split()) if agency else str(report["agency_id"])
    name = f"bao-cao-{code}-{report['period']}-lan-{report['revision']}.{fmt}"
    return path, FILE_FORMATS[fmt], name
