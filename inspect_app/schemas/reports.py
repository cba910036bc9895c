"""Schemas of reports and totals (API.md: "Totals and reports")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec

Narrative = Annotated[str, msgspec.Meta(max_length=50_000)]


class ReportRequest(msgspec.Struct):
    """POST /api/reports: the agency and period (e.g. "2026-Q1", "2026-6M", "2026-Y")."""

    agency_id: int
    period: Annotated[str, msgspec.Meta(max_length=10)]


class ReportQueued(msgspec.Struct):
    """The answer to a report request: the new report, queued."""

    id: int
    status: str
    revision: int


class ReportFiles(msgspec.Struct):
    """Download links of a finished report (null until generated)."""

    html: str | None
    xlsx: str | None
    pdf: str | None


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
    totals: dict[str, Any] | None
    files: ReportFiles
    narrative: str
    signed_off_at: datetime | None
    signed_off_by: int | None
    requested_by: int | None
    created_at: datetime | None
    finished_at: datetime | None
    version: int


class ReportList(msgspec.Struct):
    """A page of the report archive, newest first."""

    items: list[Report]
    next_cursor: str | None


class NarrativeUpdate(msgspec.Struct):
    """PATCH /api/reports/{id}: a new narrative (before sign-off) and the version read."""

    narrative: Narrative
    version: int


class SignOff(msgspec.Struct):
    """POST /api/reports/{id}/sign-off: optionally the version read (stale: 409)."""

    version: int | None = None


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


def to_report(row: dict[str, Any]) -> Report:
    """The API shape of a report row from the service."""
    return Report(
        id=row["id"],
        agency_id=row["agency_id"],
        agency_name=row["agency_name"],
        period=row["period"],
        layout=row["layout"],
        revision=row["revision"],
        status=row["status"],
        progress=row["progress"],
        error=row["error"],
        totals=row["totals"],
        files=ReportFiles(**row["files"]),
        narrative=row["narrative"],
        signed_off_at=row["signed_off_at"],
        signed_off_by=row["signed_off_by_id"],
        requested_by=row["requested_by_id"],
        created_at=row["created_at"],
        finished_at=row["finished_at"],
        version=row["version"],
    )
