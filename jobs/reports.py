"""Report generation as a background job."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from arq import Retry

from jobs.job_log import logged_job
from models.tables import Report

log = logging.getLogger(__name__)


@logged_job
async def generate_report_job(ctx: dict[str, Any] | None, report_id: int) -> str:
    """Job: generate report ``report_id`` (html, xlsx, pdf) through the report runner.

    While another run still holds the report (a worker that was thought dead and is not),
    the arq job is retried once that run's lease would have run out; the in-process
    scheduler simply finds the report again on a later tick.
    """
    from inspect_app.services.report_runner import ReportBusy, generate_report

    try:
        return await generate_report(report_id)
    except ReportBusy as busy:
        if ctx is None:
            return "busy"
        raise Retry(defer=busy.retry_after + 1) from busy


async def pending_report_ids() -> list[int]:
    """Reports waiting for a run: queued ones, and running ones whose run's lease ran out
    (its worker died)."""
    rows = await Report.raw(
        "SELECT id FROM report WHERE signed_off_at IS NULL AND (status = 'queued'"
        " OR (status = 'running' AND (lease_until IS NULL OR lease_until < {}))) ORDER BY id",
        datetime.now(UTC),
    )
    return [int(row["id"]) for row in rows]


@logged_job
async def requeue_pending_reports(ctx: dict[str, Any] | None) -> int:
    """Job: queue every report waiting for a run (catch-up after Redis or a worker was down)."""
    from inspect_app.job_queue import enqueue_report

    ids = await pending_report_ids()
    for report_id in ids:
        await enqueue_report(report_id)
    return len(ids)


@logged_job
async def import_job(ctx: dict[str, Any] | None, run_id: int) -> str:
    """Job: the dry run or the commit of import run ``run_id``, whichever it waits for."""
    from inspect_app.services.imports import work_run

    return await work_run(run_id)


@logged_job
async def requeue_pending_imports(ctx: dict[str, Any] | None) -> int:
    """Job: queue every import run waiting for its job (Redis or a worker was down)."""
    from inspect_app.job_queue import enqueue_import
    from inspect_app.services.imports import pending_run_ids

    ids = await pending_run_ids()
    for run_id in ids:
        await enqueue_import(run_id)
    return len(ids)
