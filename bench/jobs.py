"""Timed runs of the background work, in this process, on the benchmark database.

Imported only after DATABASE_URL points at the benchmark database (bench.run sets it).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg

from inspect_app.db import POSTGRES_SESSION_SETTINGS
from inspect_app.domain.periods import Period, parse_period
from inspect_app.services import (
    pdf_worker,
    report_exports,
    report_render,
    report_runner,
    report_xlsx,
    totals,
)
from jobs.deadlines import watch_deadlines
from jobs.totals import rebuild_totals
from models.tables import Inspection, Notification

LOWER_BOUND_SQL = (Path(__file__).parent / "totals_lower_bound.sql").read_text()
# Columns of the lower bound -> (table, counter); land comes in hundredths of m².
_PREFIX = {"i": "inspections", "c": "checks", "m": "implementation"}


async def timed(work: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    """Seconds taken by ``work()`` and its result."""
    start = time.perf_counter()
    result = await work()
    return time.perf_counter() - start, result


async def best_of(runs: int, work: Callable[[], Awaitable[Any]]) -> tuple[list[float], Any]:
    """Every run's seconds (the first one is the cold one) and the last result."""
    seconds, result = [], None
    for _ in range(runs):
        took, result = await timed(work)
        seconds.append(round(took, 4))
    return seconds, result


async def lower_bound(conn: asyncpg.Connection, path: str, period: Period) -> dict[str, Any]:
    """The hand-written one-statement aggregate of the subtree (bench/totals_lower_bound.sql)."""
    row = await conn.fetchrow(LOWER_BOUND_SQL, path + "%", period.start, period.end)
    return dict(row)


def lower_bound_as_counters(row: dict[str, Any]) -> totals.Counters:
    """The lower bound's row in the shape of services.totals counters."""
    counters = totals.empty_counters()
    for column, value in row.items():
        prefix, key = column.split("_", 1)
        table = _PREFIX[prefix]
        if key.endswith("_cm2"):
            counters[table][key[: -len("_cm2")] + "_m2"] = totals.land_text(int(value or 0))
        else:
            counters[table][key] = int(value or 0)
    counters["implementation"]["not_completed"] = int(
        counters["implementation"]["to_implement"]
    ) - int(counters["implementation"]["completed"])
    return counters


async def province_totals(agency_id: int, path: str, period_code: str) -> dict[str, Any]:
    """live_totals of a province's subtree against the lower bound: times, ratio, equality."""
    period = parse_period(period_code)
    live_s, live = await best_of(5, lambda: totals.live_totals(agency_id, period))
    # The same session settings as the application's connections (JIT off), so that the
    # ratio compares the two queries, not two configurations.
    conn = await asyncpg.connect(
        os.environ["DATABASE_URL"], server_settings=POSTGRES_SESSION_SETTINGS
    )
    try:
        bound_s, bound_row = await best_of(5, lambda: lower_bound(conn, path, period))
    finally:
        await conn.close()
    differences = totals.diff_totals(live, lower_bound_as_counters(bound_row))
    live_med = sorted(live_s[1:])[len(live_s[1:]) // 2]
    bound_med = sorted(bound_s[1:])[len(bound_s[1:]) // 2]
    return {
        "agency_id": agency_id,
        "period": period_code,
        "live_seconds": live_s,
        "lower_bound_seconds": bound_s,
        "live_median_s": live_med,
        "lower_bound_median_s": bound_med,
        "ratio": round(live_med / bound_med, 2),
        "same_figures": not differences,
        "differences": differences,
    }


async def deadline_watch(day: str | None = None) -> dict[str, Any]:
    """Two runs of the deadline watch over every open deadline, from the notices table as a
    fresh national load leaves it: empty and never analysed.

    The data set has no notices, but the HTTP phase's worker writes them (its schedule runs
    the watch every quarter of an hour), and a later first run would then have nothing to
    do. ``TRUNCATE``, before and after: a ``DELETE`` followed by an ``ANALYZE`` (or a
    ``VACUUM``) would leave statistics saying that the table is empty for good, which no
    deployment has once its watch has run, and which the planner answers by reading the
    whole table once per notice owed (1.3–1.6 s instead of 0.5 s measured).
    """
    await Notification.raw("TRUNCATE notification")
    try:
        first_s, first = await timed(lambda: watch_deadlines(None, day))
        second_s, second = await timed(lambda: watch_deadlines(None, day))
    finally:
        await Notification.raw("TRUNCATE notification")
    return {
        "first_run_s": round(first_s, 3),
        "first_run": first,
        "second_run_s": round(second_s, 3),
        "second_run": second,
    }


async def vacuumed(table: str) -> None:
    """``VACUUM (ANALYZE)`` of a table that earlier runs of the bench rewrote.

    A production server's autovacuum does it between two nightly runs. A server with
    autovacuum off (``postgres_info`` reports it; this host's is) would otherwise measure
    each run against the dead rows of every run before it: the rebuild rewrites its 32,280
    rows each time and measured 17.2 s right after a VACUUM, 20.3 s in the next run without
    one, 15.3 s after another VACUUM.
    """
    await Notification.raw(f'VACUUM (ANALYZE) "{table}"')


async def totals_rebuild() -> dict[str, Any]:
    """The nightly rebuild of the whole totals table."""
    await vacuumed("agency_totals")
    seconds, periods = await timed(lambda: rebuild_totals(None))
    rows = await Inspection.raw("SELECT COUNT(*) AS n FROM agency_totals")
    return {"seconds": round(seconds, 2), "periods": periods, "rows": int(rows[0]["n"])}


async def provincial_report(agency_id: int, period_code: str) -> dict[str, Any]:
    """The consolidated report of a province: figures, then HTML, XLSX, PDF and the JSON
    copy, each timed (the draft document frame, as the job draws it before sign-off)."""
    period = parse_period(period_code)
    # As the report job does: WeasyPrint's child starts while the figures are computed.
    await pdf_worker.warm()
    figures_s, figures = await best_of(3, lambda: report_runner.compute_figures(agency_id, period))
    narrative = report_runner.build_narrative(figures)
    frame = await report_runner.draft_frame(agency_id, period, None)
    with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
        html_path = Path(folder) / "report.html"
        xlsx_path = Path(folder) / "report.xlsx"
        pdf_path = Path(folder) / "report.pdf"
        json_path = Path(folder) / "report.json"
        start = time.perf_counter()
        fits = report_render.print_fits(figures)
        html = report_render.render_html(figures, narrative, frame, "vi", fits)
        html_path.write_text(html, encoding="utf-8")
        html_s = time.perf_counter() - start
        start = time.perf_counter()
        await asyncio.to_thread(
            report_xlsx.write_xlsx,
            figures,
            narrative,
            frame,
            xlsx_path,
            [fit.landscape for fit in fits],
        )
        xlsx_s = time.perf_counter() - start
        start = time.perf_counter()
        await report_render.write_pdf(html_path, pdf_path)
        pdf_s = time.perf_counter() - start
        start = time.perf_counter()
        copy = report_exports.report_json(
            figures, frame, report_exports.ReportMeta(report_id=0, revision=1)
        )
        json_path.write_text(report_exports.dumps(copy), encoding="utf-8")
        json_s = time.perf_counter() - start
        sizes = {
            p.suffix[1:]: p.stat().st_size for p in (html_path, xlsx_path, pdf_path, json_path)
        }
    return {
        "agency_id": agency_id,
        "period": period_code,
        "totals_seconds": figures_s,
        "totals_s": sorted(figures_s[1:])[len(figures_s[1:]) // 2],
        "html_s": round(html_s, 3),
        "xlsx_s": round(xlsx_s, 3),
        "pdf_s": round(pdf_s, 3),
        "json_s": round(json_s, 3),
        "file_bytes": sizes,
        "rows": len(figures.rows),
    }
