"""Report generation as a background job."""

from __future__ import annotations

import logging
from typing import Any

from jobs.schedule import report_abandoned_after_s
from models.tables import Report

log = logging.getLogger(__name__)


async def generate_report_job(ctx: dict[str, Any] | None, report_id: int) -> None:
    """Job: generate report ``report_id`` (html, xlsx, pdf) through the report runner."""
    from inspect_app.services.report_runner import generate_report

    await generate_report(report_id)


async def pending_report_ids() -> list[int]:
    """Reports waiting for a run: queued ones, and running ones abandoned by a dead worker."""
    rows = await Report.raw(
        "SELECT id FROM report WHERE status = 'queued'"
        " OR (status = 'running' AND started_at < {}) ORDER BY id",
        _abandoned_before(),
    )
    return [int(row["id"]) for row in rows]


def _abandoned_before() -> Any:
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) - timedelta(seconds=report_abandoned_after_s())


async def requeue_pending_reports(ctx: dict[str, Any] | None) -> int:
    """Job: queue every report waiting for a run (catch-up after Redis or a worker was down)."""
    from jobs.enqueue import enqueue_report

    ids = await pending_report_ids()
    for report_id in ids:
        await enqueue_report(report_id)
    return len(ids)
