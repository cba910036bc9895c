"""Generating a report: freeze the figures, write the narrative, render the files.

``generate_report`` is the whole job (the arq job ``jobs.reports.generate_report_job`` and the
in-process scheduler call it). It is safe to run more than once: a run claims the report and
holds it with a lease it renews, a finished report is never touched again (a signed-off one
only has its signed files written, once, when the sign-off could not write them), and a
report whose run died (its lease ran out) is taken up by the next run. Progress is stored on
the Report row in steps so that the page can show it.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import logging
import os
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec

from inspect_app.db import stopped, write_transaction
from inspect_app.domain import report_layout as rl
from inspect_app.domain.documents import report_summary
from inspect_app.domain.periods import Period, last_quarters, parse_period
from inspect_app.services import (
    agency_documents,
    agency_mergers,
    pdf_worker,
    report_document,
    report_exports,
    report_render,
    report_xlsx,
)
from inspect_app.services.casework import stored_id, stored_json
from inspect_app.services.report_document import DocumentFrame
from inspect_app.services.report_exports import ReportMeta
from inspect_app.services.report_figures import (
    FigureRow,
    PreviousFigures,
    ReportFigures,
    Successor,
    TrendPoint,
    counters_of,
    figure_tables,
    stored_figures,
)
from inspect_app.services.totals import (
    Counters,
    add_counters,
    counters_by_period,
    empty_counters,
    roll_up,
)
from inspect_app.settings import get_settings
from models.tables import Agency, AppUser, Report

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int], Awaitable[None] | None]
TREND_QUARTERS = 8


def report_folder(report_id: int) -> Path:
    """Where the files of one report live: ``settings.report_dir/<id>/``."""
    return get_settings().report_dir / str(report_id)


async def _subtree(agency_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    agency = (
        await Agency.select(Agency.id, Agency.code, Agency.name, Agency.path)
        .where(Agency.id == agency_id)
        .first()
    )
    if agency is None:
        raise LookupError(f"agency {agency_id} does not exist")
    rows = await Agency.select(
        Agency.id,
        Agency.code,
        Agency.name,
        Agency.path,
        Agency.parent,
        Agency.succeeded_by,
        Agency.succeeded_on,
    ).where(Agency.path.like(agency["path"] + "%"))
    return agency, rows


def _iso(day: Any) -> str:
    # SQLite may hand a date column back as text.
    return day.isoformat() if hasattr(day, "isoformat") else str(day)


async def compute_figures(agency_id: int, period: Period, source: str = "live") -> ReportFigures:
    """The frozen figures of a report: each child's subtree, the agency's own, the total,
    the same period of last year, and the eight-quarter trend.

    With ``source="submitted"`` a unit's row (this period's and last year's) is the figures
    of the signed report it submitted (services.submissions), the total their sum with the
    agency's own records; a unit that has not submitted keeps its figures from the records,
    and its row says so. The trend is read from the records either way.
    """
    agency, subtree_rows = await _subtree(agency_id)
    pairs = [(int(row["id"]), str(row["path"])) for row in subtree_rows]
    ids = [agency_id for agency_id, _ in pairs]
    # Every period the report shows (this one, last year's, the trend's quarters) in one
    # pass over the records. The agency's own counters are among the per-agency counters of
    # the subtree, so they cost nothing more.
    previous_period = period.previous_year()
    quarters = last_quarters(period, TREND_QUARTERS)
    by_period = await counters_by_period([period, previous_period, *quarters], ids)
    own_current = by_period[period.code]
    current = roll_up(own_current, pairs)
    own_previous = by_period[previous_period.code]
    previous = roll_up(own_previous, pairs)

    children = sorted(
        (row for row in subtree_rows if row["parent"] == agency_id), key=lambda r: r["name"]
    )
    own = own_current.get(agency_id, empty_counters())
    rows = [
        FigureRow(
            agency_id=agency_id,
            agency_code=agency["code"],
            name=agency["name"],
            own=True,
            inspections=own["inspections"],
            checks=own["checks"],
            implementation=own["implementation"],
            previous=figure_tables(own_previous.get(agency_id, empty_counters())),
        )
    ]
    rows += [
        FigureRow(
            agency_id=int(child["id"]),
            agency_code=child["code"],
            name=child["name"],
            own=False,
            inspections=current[int(child["id"])]["inspections"],
            checks=current[int(child["id"])]["checks"],
            implementation=current[int(child["id"])]["implementation"],
            previous=figure_tables(previous[int(child["id"])]),
            # An agency merged into this one is a row of its own, named so (agency_mergers).
            merged_on=(
                _iso(child["succeeded_on"])
                if child["succeeded_by"] == agency_id and child["succeeded_on"] is not None
                else None
            ),
        )
        for child in children
    ]
    total, total_previous = current[agency_id], previous[agency_id]
    succeeded_by = None
    successor = await agency_mergers.successor_of(agency_id)
    if successor is not None and successor.on <= period.end:
        succeeded_by = Successor(agency_id=successor.id, name=successor.name, on=_iso(successor.on))
    said = None
    if source == "submitted":
        total, total_previous, said = await _from_submissions(agency_id, period, rows)
    return ReportFigures(
        layout=rl.layout_for(period.end).id,
        agency_id=agency_id,
        agency_code=agency["code"],
        agency_name=agency["name"],
        period=period.code,
        period_from=period.start.isoformat(),
        period_to=period.end.isoformat(),
        as_of=datetime.now(UTC).isoformat(),
        inspections=total["inspections"],
        checks=total["checks"],
        implementation=total["implementation"],
        previous=PreviousFigures(
            period=previous_period.code,
            period_from=previous_period.start.isoformat(),
            period_to=previous_period.end.isoformat(),
            inspections=total_previous["inspections"],
            checks=total_previous["checks"],
            implementation=total_previous["implementation"],
        ),
        rows=rows,
        trend=quarter_trend(quarters, by_period),
        succeeded_by=succeeded_by,
        source=None if said is None else "submitted",
        submitted_units=None if said is None else said[0],
        units=None if said is None else said[1],
    )


async def _from_submissions(
    agency_id: int, period: Period, rows: list[FigureRow]
) -> tuple[Counters, Counters, tuple[int, int]]:
    """Put the units' submitted figures in their rows (in place); the total and last
    year's total they add up to with the agency's own rows, and how many units submitted
    of how many."""
    from inspect_app.services.submissions import submitted_totals

    submitted = await submitted_totals(agency_id, period)
    total, total_previous = empty_counters(), empty_counters()
    units = 0
    for row in rows:
        # The agency's own records and those of agencies merged into it are its own.
        unit = not row.own and not row.merged_on
        frozen = submitted.get(row.agency_id) if unit else None
        if frozen is not None:
            units += 1
            row.inspections = frozen.inspections
            row.checks = frozen.checks
            row.implementation = frozen.implementation
            row.previous = figure_tables(counters_of(frozen.previous))
        if unit:
            row.source = "submitted" if frozen is not None else "live"
        total = add_counters(total, counters_of(row))
        total_previous = add_counters(total_previous, counters_of(row.previous))
    unit_count = sum(1 for row in rows if not row.own and not row.merged_on)
    return total, total_previous, (units, unit_count)


def quarter_trend(
    quarters: list[Period], by_period: dict[str, dict[int, Counters]]
) -> list[TrendPoint]:
    """Recovery recommended and money recovered in each of ``quarters``, over every agency
    of ``by_period`` (own counters per period code and agency)."""
    points = []
    for quarter in quarters:
        summed = empty_counters()
        for counters in by_period[quarter.code].values():
            summed = add_counters(summed, counters)
        points.append(
            TrendPoint(
                period=quarter.code,
                short=quarter.short_label("vi"),
                recommended_vnd=int(summed["inspections"]["recover_vnd"]),
                recovered_vnd=int(summed["implementation"]["recovered_vnd"]),
            )
        )
    return points


def _mil(amount: Any) -> str:
    return rl.format_number(Decimal(int(amount)) / Decimal(1_000_000), "million_vnd", "vi")


def _m2(value: Any) -> str:
    return rl.format_number(Decimal(str(value)), "m2", "vi")


def build_narrative(
    figures: ReportFigures, tip_counts: dict[str, dict[str, int]] | None = None
) -> str:
    """The narrative outline of the report, pre-filled in Vietnamese with the key figures
    (and, when given, the tips received in the period by channel and outcome)."""
    period = parse_period(figures.period)
    i, c, m = figures.inspections, figures.checks, figures.implementation
    rate = rl.column_value(
        rl.Column("rate", "", "", "percent", ratio=("recovered_total_vnd", "to_recover_vnd")), m
    )
    rate_text = "" if rate is None else f" (đạt {rl.format_number(rate, 'percent', 'vi')}%)"
    summary = report_summary(period.label("vi"))
    return "\n\n".join(
        [
            "Thực hiện Thông tư số 01/2024/TT-TTCP của Thanh tra Chính phủ, "
            f"{figures.agency_name} báo cáo {summary[:1].lower()}{summary[1:]} "
            f"(từ ngày {period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y}) như sau:",
            "I. KẾT QUẢ CÔNG TÁC THANH TRA",
            f"1. Thanh tra. Trong kỳ đã triển khai {i['total']} cuộc thanh tra "
            f"({i['carried_over']} cuộc kỳ trước chuyển sang, {i['started']} cuộc triển khai "
            f"trong kỳ), trong đó {i['scheduled']} cuộc theo kế hoạch, {i['ad_hoc']} cuộc đột "
            f"xuất; đã kết thúc thanh tra trực tiếp {i['onsite_ended']} cuộc, ban hành "
            f"{i['concluded']} kết luận thanh tra; {i['in_progress']} cuộc đang thực hiện. "
            f"Qua thanh tra {i['units_inspected']} đơn vị, phát hiện {i['units_violating']} "
            f"đơn vị có vi phạm về kinh tế {_mil(i['violation_vnd'])} triệu đồng và "
            f"{_m2(i['violation_m2'])} m² đất; kiến nghị thu hồi về ngân sách nhà nước "
            f"{_mil(i['recover_vnd'])} triệu đồng và {_m2(i['recover_m2'])} m² đất, xử lý khác "
            f"về kinh tế {_mil(i['other_financial_vnd'])} triệu đồng; kiến nghị xử lý hành "
            f"chính {i['discipline_collectives']} tập thể, {i['discipline_individuals']} cá "
            f"nhân; chuyển cơ quan điều tra {i['referral_cases']} vụ, "
            f"{i['referral_persons']} đối tượng.",
            f"2. Kiểm tra chuyên ngành. Trong kỳ đã thực hiện {c['total']} cuộc kiểm tra "
            f"({c['scheduled']} cuộc theo kế hoạch, {c['ad_hoc']} cuộc đột xuất) đối với "
            f"{c['organisations_checked']} tổ chức, {c['individuals_checked']} cá nhân; phát "
            f"hiện {c['organisations_violating']} tổ chức, {c['individuals_violating']} cá "
            f"nhân vi phạm; ban hành {c['sanctions']} quyết định xử phạt vi phạm hành chính "
            f"với số tiền {_mil(c['fines_vnd'])} triệu đồng, tịch thu tang vật, phương tiện "
            f"trị giá {_mil(c['confiscated_vnd'])} triệu đồng; kiến nghị thu hồi "
            f"{_mil(c['recover_vnd'])} triệu đồng, đã thu hồi {_mil(c['recovered_vnd'])} "
            "triệu đồng.",
            f"3. Kết quả thực hiện kết luận thanh tra. Trong kỳ có {m['to_implement']} kết "
            f"luận phải thực hiện, đã hoàn thành {m['completed']}, chưa hoàn thành "
            f"{m['not_completed']}. Phải thu hồi {_mil(m['to_recover_vnd'])} triệu đồng, đã "
            f"thu hồi trong kỳ {_mil(m['recovered_vnd'])} triệu đồng, lũy kế "
            f"{_mil(m['recovered_total_vnd'])} triệu đồng{rate_text}; phải thu hồi "
            f"{_m2(m['to_recover_m2'])} m² đất, đã thu hồi {_m2(m['recovered_m2'])} m²; phải "
            f"xử lý hành chính {m['discipline_collectives']} tập thể, "
            f"{m['discipline_individuals']} cá nhân, đã xử lý {m['discipline_done']}; đã "
            f"chuyển cơ quan điều tra {m['referrals_made']}/{m['referrals_required']} "
            "trường hợp.",
            *([tips_paragraph(tip_counts)] if tip_counts is not None else []),
            "II. ĐÁNH GIÁ, NHẬN XÉT",
            "(Ưu điểm, tồn tại, hạn chế và nguyên nhân.)",
            "III. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI",
            "(Nhiệm vụ trọng tâm và kiến nghị, đề xuất.)",
        ]
    )


TIP_CHANNEL_WORDS = {
    "web": "qua cổng thông tin",
    "hotline": "qua đường dây nóng",
    "feedback_box": "qua hòm thư góp ý",
    "letter": "qua đơn thư",
    "in_person": "trực tiếp",
    "forwarded": "do cơ quan khác chuyển đến",
}


def tips_paragraph(counts: dict[str, dict[str, int]]) -> str:
    """The narrative's paragraph on tips: received by channel, decided by outcome."""
    total = sum(sum(by.values()) for by in counts.values())
    if total == 0:
        return "4. Tiếp nhận phản ánh, kiến nghị. Trong kỳ không tiếp nhận phản ánh, kiến nghị nào."
    channels = ", ".join(
        f"{sum(counts[c].values())} {TIP_CHANNEL_WORDS[c]}"
        for c in TIP_CHANNEL_WORDS
        if c in counts
    )

    def outcome(status: str) -> int:
        return sum(by.get(status, 0) for by in counts.values())

    return (
        f"4. Tiếp nhận phản ánh, kiến nghị. Trong kỳ tiếp nhận {total} phản ánh, kiến nghị, "
        f"khiếu nại, tố cáo ({channels}); đã chuyển thành cuộc thanh tra {outcome('accepted')}, "
        f"gộp vào cuộc thanh tra đang tiến hành {outcome('attached')}, chuyển cơ quan có thẩm "
        f"quyền {outcome('forwarded')}, không thụ lý {outcome('rejected')}, đang xử lý "
        f"{outcome('received')}."
    )


# A run holds its report for this long after each renewal (every RENEW_EVERY_S). Shorter
# than the worker's hold on the queued job (jobs/worker.py, LEASE_S), so that when a worker
# dies its report is free again by the time the job is handed to another worker.
REPORT_LEASE = timedelta(seconds=20)
RENEW_EVERY_S = 5.0


class ReportBusy(Exception):
    """Another run, still alive, holds the report; try again after ``retry_after`` seconds."""

    def __init__(self, report_id: int, retry_after: float) -> None:
        super().__init__(f"report {report_id} is being generated by another run")
        self.retry_after = retry_after


def _mine(report_id: int, token: str) -> Any:
    return (
        (Report.id == report_id)
        & (Report.claimed_by == token)
        & (Report.status == "running")
        & Report.signed_off_at.is_null()
    )


async def _claim(report_id: int, token: str, now: datetime) -> dict[str, Any] | None:
    """Take the report for this run: queued, or running under a lease that ran out."""
    claimable = (Report.status == "queued") | (
        (Report.status == "running") & (Report.lease_until.is_null() | (Report.lease_until < now))
    )
    rows = (
        await Report.update(
            {
                Report.status: "running",
                Report.progress: 5,
                Report.error: "",
                Report.started_at: now,
                Report.claimed_by: token,
                Report.lease_until: now + REPORT_LEASE,
            }
        )
        .where((Report.id == report_id) & Report.signed_off_at.is_null() & claimable)
        .returning(
            Report.id,
            Report.revision,
            Report.agency,
            Report.period,
            Report.layout,
            Report.requested_by,
            Report.source,
        )
    )
    return rows[0] if rows else None


async def _keep_lease(report_id: int, token: str, done: asyncio.Event) -> None:
    """Renew the run's lease until ``done`` is set; stop when the report is no longer ours."""
    while not await stopped(done, RENEW_EVERY_S):
        try:
            renewed = (
                await Report.update({Report.lease_until: datetime.now(UTC) + REPORT_LEASE})
                .where(_mine(report_id, token))
                .returning(Report.id)
            )
        except Exception as exc:  # the database may be away for a moment; keep trying
            log.warning("report %s: could not renew the lease: %r", report_id, exc)
            continue
        if not renewed:
            return


async def _set_progress(
    report_id: int, token: str, progress: int, callback: ProgressCallback | None
) -> None:
    await Report.update({Report.progress: progress}).where(_mine(report_id, token))
    if callback is not None:
        result = callback(progress)
        if result is not None:
            await result


# Every file of a revision: key (as on the API and the report page) → file name.
FILES: dict[str, str] = {
    "html": "report.html",
    "xlsx": "report.xlsx",
    "pdf": "report.pdf",
    "json": "report.json",
    **{f"{table}.csv": f"{table}.csv" for table in report_exports.CSV_TABLES},
}


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, in hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def draft_frame(agency_id: int, period: Period, requested_by: int | None) -> DocumentFrame:
    """The frame of an unsigned report: the agency's settings now, no number, date or name
    (the preparer: who requested the report)."""
    settings = await agency_documents.frame_settings(agency_id)
    return report_document.build_frame(settings, period, preparer=await _full_name(requested_by))


async def _draft_frame_of(row: Mapping[str, Any]) -> DocumentFrame:
    """The draft frame of a Report row."""
    return await draft_frame(
        int(row["agency"]), parse_period(str(row["period"])), stored_id(row.get("requested_by"))
    )


async def _full_name(user_id: int | None) -> str:
    if user_id is None:
        return ""
    row = await AppUser.select(AppUser.full_name).where(AppUser.id == user_id).first()
    return str(row["full_name"]) if row else ""


def _part(folder: Path, key: str, tag: str) -> Path:
    """The temporary name a file is written under before it is put in place."""
    return folder / f".{FILES[key]}.{tag}.part"


def _drop_parts(folder: Path) -> None:
    """Remove the temporary files a run that died left behind."""
    for stale in folder.glob(".*.part") if folder.is_dir() else ():
        stale.unlink(missing_ok=True)


async def write_parts(
    folder: Path,
    figures: ReportFigures,
    narrative: str,
    frame: DocumentFrame,
    meta: ReportMeta,
    tag: str,
    progress: Callable[[int], Awaitable[None]] | None = None,
) -> tuple[dict[str, Path], dict[str, str]]:
    """Write every file of a revision into ``folder`` under temporary names (``tag`` tells
    one run's from another's); returns the temporary path and the SHA-256 of each (by key).

    The same figures, narrative, frame and meta give the same bytes, file by file. Nothing
    is in place until :func:`put_in_place`: a reader never sees half a file, nor the files
    of two runs mixed.
    """
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    parts = {key: _part(folder, key, tag) for key in FILES}
    fits = await asyncio.to_thread(report_render.print_fits, figures)
    html = await asyncio.to_thread(report_render.render_html, figures, narrative, frame, "vi", fits)
    await asyncio.to_thread(parts["html"].write_text, html, encoding="utf-8")
    if progress is not None:
        await progress(70)
    await asyncio.to_thread(
        report_xlsx.write_xlsx,
        figures,
        narrative,
        frame,
        parts["xlsx"],
        [fit.landscape for fit in fits],
    )
    if progress is not None:
        await progress(80)
    await report_render.write_pdf(parts["html"], parts["pdf"])
    copy = report_exports.report_json(figures, frame, meta)
    await asyncio.to_thread(parts["json"].write_text, report_exports.dumps(copy), encoding="utf-8")
    for table in report_exports.CSV_TABLES:
        text = report_exports.table_csv(figures, table)
        await asyncio.to_thread(
            parts[f"{table}.csv"].write_text, text, encoding="utf-8", newline=""
        )
    hashes = {key: await asyncio.to_thread(file_sha256, part) for key, part in parts.items()}
    return parts, hashes


def put_in_place(folder: Path, parts: dict[str, Path]) -> None:
    """Rename the temporary files of :func:`write_parts` to their own names."""
    for key, part in parts.items():
        os.replace(part, folder / FILES[key])


async def write_files(
    folder: Path,
    figures: ReportFigures,
    narrative: str,
    frame: DocumentFrame,
    meta: ReportMeta,
    progress: Callable[[int], Awaitable[None]] | None = None,
) -> dict[str, str]:
    """Write every file of a revision into ``folder``; returns the SHA-256 of each (by key).

    Each file is written under a temporary name, and all are put in place once every one is
    written. The same figures, narrative, frame and meta give the same bytes, file by file.
    """
    parts: dict[str, Path] = {}
    try:
        parts, hashes = await write_parts(
            folder, figures, narrative, frame, meta, uuid.uuid4().hex[:8], progress
        )
        await asyncio.to_thread(put_in_place, folder, parts)
    finally:
        for part in parts.values():
            part.unlink(missing_ok=True)
    return hashes


async def render_files(report_id: int, figures: ReportFigures, narrative: str) -> dict[str, str]:
    """Render an unsigned report's files again (after a narrative edit); returns the hashes."""
    row = await Report.select().where(Report.id == report_id).first()
    if row is None or row["signed_off_at"] is not None:
        raise LookupError(f"report {report_id} is not an unsigned report")
    frame = await _draft_frame_of(row)
    figures = await _with_agency_codes(figures)
    hashes = await write_files(report_folder(report_id), figures, narrative, frame, _meta(row))
    await Report.update({Report.file_sha256: hashes}).where(
        (Report.id == report_id) & Report.signed_off_at.is_null()
    )
    return hashes


async def _with_agency_codes(figures: ReportFigures) -> ReportFigures:
    """Figures frozen before they carried agency codes, with the codes (one query)."""
    if figures.agency_code and all(row.agency_code for row in figures.rows):
        return figures
    ids = [figures.agency_id, *(row.agency_id for row in figures.rows)]
    rows = await Agency.select(Agency.id, Agency.code).where(Agency.id.is_in(ids))
    codes = {int(row["id"]): str(row["code"]) for row in rows}
    return msgspec.structs.replace(
        figures,
        agency_code=codes.get(figures.agency_id, ""),
        rows=[
            msgspec.structs.replace(row, agency_code=codes.get(row.agency_id, ""))
            for row in figures.rows
        ],
    )


def _meta(row: Mapping[str, Any]) -> ReportMeta:
    return ReportMeta(report_id=int(row["id"]), revision=int(row["revision"]))


async def finalise_signed(report_id: int) -> dict[str, str] | None:
    """Render a signed report's files once, from its frozen figures and frame, and store
    their hashes; a report whose signed files exist already is left alone (returns None)."""
    row = await Report.select().where(Report.id == report_id).first()
    if row is None or row["signed_off_at"] is None or stored_json(row["file_sha256"]):
        return None
    figures, stored = stored_figures(stored_json(row["totals"])), stored_json(row["document"])
    if not isinstance(stored, dict):
        return None  # signed before reports had a frame: its files stay as they were signed
    frame = msgspec.convert(stored, DocumentFrame)
    if figures is None:
        raise LookupError(f"report {report_id} has no frozen figures")
    hashes = await write_files(
        report_folder(report_id), figures, str(row["narrative"]), frame, _meta(row)
    )
    await Report.update({Report.file_sha256: hashes}).where(Report.id == report_id)
    return hashes


async def generate_report(report_id: int, progress_cb: ProgressCallback | None = None) -> str:
    """Compute, freeze and render report ``report_id``, once; returns what happened.

    "done" or "failed" (recorded on the report), or "skipped" when there is nothing to do
    (unknown, already finished, or taken over by another run meanwhile). A signed-off report
    is left alone, but for its final files when the sign-off could not write them ("done"
    once they are written). A run claims the report first and renews a lease while it works;
    the files are written under temporary names and put in place only in the transaction
    that records the report done, and only while the claim is still this run's: two runs (a
    worker thought dead, and the one that took over) can never both finish it, nor mix their
    files. Raises ReportBusy while another live run holds the report.
    """
    token = uuid.uuid4().hex
    now = datetime.now(UTC)
    row = await _claim(report_id, token, now)
    if row is None:
        current = (
            await Report.select(Report.status, Report.lease_until, Report.signed_off_at)
            .where(Report.id == report_id)
            .first()
        )
        if current is None:
            return "skipped"
        if current["signed_off_at"] is not None:
            try:
                written = await finalise_signed(report_id)
            except Exception:  # kept for the next run; the report page says they are pending
                log.exception("signed files of report %s could not be written", report_id)
                return "failed"
            return "skipped" if written is None else "done"
        if current["status"] == "running" and current["lease_until"]:
            raise ReportBusy(report_id, max(1.0, (current["lease_until"] - now).total_seconds()))
        return "skipped"
    # A context of its own: the renewals never share a connection with the run's queries.
    done = asyncio.Event()
    lease = asyncio.create_task(_keep_lease(report_id, token, done), context=contextvars.Context())
    try:
        return await _generate_claimed(report_id, token, row, progress_cb)
    finally:
        done.set()  # not cancelled: see db.stopped
        await lease


async def _generate_claimed(
    report_id: int, token: str, row: dict[str, Any], progress_cb: ProgressCallback | None
) -> str:
    if progress_cb is not None:
        result = progress_cb(5)
        if result is not None:
            await result

    async def progress(value: int) -> None:
        await _set_progress(report_id, token, value, progress_cb)

    # WeasyPrint's child starts while the figures are computed.
    await pdf_worker.warm()
    folder = report_folder(report_id)
    # Files half-written by a run that died (this run holds the claim now).
    await asyncio.to_thread(_drop_parts, folder)
    parts: dict[str, Path] = {}
    try:
        period = parse_period(str(row["period"]))
        figures = await compute_figures(int(row["agency"]), period, str(row["source"] or "live"))
        figures.layout = row["layout"] or figures.layout
        await _set_progress(report_id, token, 50, progress_cb)
        from inspect_app.services.tips import agency_counts

        tip_counts = await agency_counts(int(row["agency"]), period.start, period.end)
        narrative = build_narrative(figures, tip_counts)
        await Report.update(
            {Report.totals: figures.to_stored(), Report.narrative: narrative, Report.progress: 60}
        ).where(_mine(report_id, token))
        frame = await _draft_frame_of(row)
        parts, hashes = await write_parts(
            folder, figures, narrative, frame, _meta(row), token[:8], progress
        )
        finished = await _finish(report_id, token, parts, hashes)
    except Exception as exc:  # recorded on the report for the page; the job itself succeeds
        recorded = (
            await Report.update(
                {
                    Report.status: "failed",
                    Report.error: str(exc)[:2000] or exc.__class__.__name__,
                    Report.finished_at: datetime.now(UTC),
                    Report.lease_until: None,
                }
            )
            .where(_mine(report_id, token))
            .returning(Report.id)
        )
        if not recorded:  # another run took the report over; its outcome stands
            log.warning("report %s: this run lost its claim and stopped (%r)", report_id, exc)
            return "skipped"
        log.exception("report %s failed", report_id)
        return "failed"
    finally:
        for part in parts.values():
            part.unlink(missing_ok=True)
    if not finished:
        log.warning("report %s: another run took it over; this run's files are dropped", report_id)
        return "skipped"
    if progress_cb is not None:
        result = progress_cb(100)
        if result is not None:
            await result
    return "done"


async def _finish(
    report_id: int, token: str, parts: dict[str, Path], hashes: dict[str, str]
) -> bool:
    """Record the report done and put its files in place, if the claim is still ours."""
    folder = report_folder(report_id)
    async with write_transaction():
        # The update locks the row: a run taking over waits for this commit, then finds
        # the report done.
        updated = (
            await Report.update(
                {
                    Report.status: "done",
                    Report.progress: 100,
                    Report.html_path: str(folder / FILES["html"]),
                    Report.xlsx_path: str(folder / FILES["xlsx"]),
                    Report.pdf_path: str(folder / FILES["pdf"]),
                    Report.file_sha256: hashes,
                    Report.finished_at: datetime.now(UTC),
                    Report.lease_until: None,
                    Report.version: Report.version + 1,
                }
            )
            .where(_mine(report_id, token))
            .returning(Report.id)
        )
        if not updated:
            return False
        put_in_place(folder, parts)
    return True
