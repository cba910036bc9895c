"""A case resolved once for everything a request reads of it.

A page about a case shows its findings, measures, timeline, files, approvals and history.
Each of those loaders used to load the case again to check that the reader may see it (the
case page sent the same scope check five times). :func:`inspect_app.services.inspections.
case_context` now resolves the case once, with the reader's scope in the statement, and the
loaders that take a :class:`CaseContext` trust it: they only read their own rows.

A context is only ever made by that function, so holding one is the proof of the check. It
belongs to one request: it is not cached, and a write still locks and re-reads what it
changes.

:class:`StoredCase` is the case's stored row (``inspections.INSPECTION_FIELDS``) as a record:
what the child services (findings, measures, executions, publications) and the case's own
rules read of it, before its links, deadlines shown and warnings make it the API's
``Inspection``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from inspect_app.principal import Principal
from inspect_app.services.casework import stored_day, stored_id, stored_instant


@dataclass(frozen=True, slots=True)
class StoredCase:
    """A case's stored columns (its references as ids); dates as ``date``, timestamps in
    UTC, whichever engine and statement read them."""

    id: int
    code: str
    agency_id: int
    plan_id: int | None
    origin: str
    origin_source: str | None
    origin_ref: str
    kind: str
    title: str
    scope: str
    period_from: date | None
    period_to: date | None
    lead_user_id: int | None
    decision_no: str | None
    decision_date: date | None
    duration_days: int
    working_days: bool
    announced_on: date | None
    onsite_ended_on: date | None
    report_on: date | None
    conclusion_no: str | None
    concluded_on: date | None
    published_on: date | None
    directive_on: date | None
    closed_on: date | None
    cancelled_on: date | None
    cancel_reason: str
    status: str
    onsite_due: date | None
    report_due: date | None
    conclusion_due: date | None
    publication_due: date | None
    directive_due: date | None
    overlap_override_reason: str
    overlap_override_by: int | None
    version: int
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> StoredCase:
        """The record of a row read with ``INSPECTION_FIELDS`` (keyed as Piccolo keys the
        columns: ``agency``, ``plan``, ``lead_user``)."""
        return cls(
            id=int(row["id"]),
            code=str(row["code"]),
            agency_id=int(row["agency"]),
            plan_id=stored_id(row["plan"]),
            origin=str(row["origin"]),
            origin_source=row["origin_source"],
            origin_ref=str(row["origin_ref"] or ""),
            kind=str(row["kind"]),
            title=str(row["title"]),
            scope=str(row["scope"] or ""),
            period_from=stored_day(row["period_from"]),
            period_to=stored_day(row["period_to"]),
            lead_user_id=stored_id(row["lead_user"]),
            decision_no=row["decision_no"],
            decision_date=stored_day(row["decision_date"]),
            duration_days=int(row["duration_days"]),
            working_days=bool(row["working_days"]),
            announced_on=stored_day(row["announced_on"]),
            onsite_ended_on=stored_day(row["onsite_ended_on"]),
            report_on=stored_day(row["report_on"]),
            conclusion_no=row["conclusion_no"],
            concluded_on=stored_day(row["concluded_on"]),
            published_on=stored_day(row["published_on"]),
            directive_on=stored_day(row["directive_on"]),
            closed_on=stored_day(row["closed_on"]),
            cancelled_on=stored_day(row["cancelled_on"]),
            cancel_reason=str(row["cancel_reason"] or ""),
            status=str(row["status"]),
            onsite_due=stored_day(row["onsite_due"]),
            report_due=stored_day(row["report_due"]),
            conclusion_due=stored_day(row["conclusion_due"]),
            publication_due=stored_day(row["publication_due"]),
            directive_due=stored_day(row["directive_due"]),
            overlap_override_reason=str(row["overlap_override_reason"] or ""),
            overlap_override_by=stored_id(row["overlap_override_by"]),
            version=int(row["version"]),
            created_at=stored_instant(row["created_at"]),
            updated_at=stored_instant(row["updated_at"]),
        )

    def with_deadlines(
        self,
        onsite_due: date | None,
        report_due: date | None,
        conclusion_due: date | None,
        publication_due: date | None,
        directive_due: date | None,
    ) -> StoredCase:
        """The same case with the deadlines just stored."""
        return replace(
            self,
            onsite_due=onsite_due,
            report_due=report_due,
            conclusion_due=conclusion_due,
            publication_due=publication_due,
            directive_due=directive_due,
        )


@dataclass(frozen=True, slots=True)
class CaseContext:
    """A case in the reader's scope: its stored row, its agency's name, and the reader."""

    principal: Principal
    row: StoredCase
    agency_name: str

    @property
    def id(self) -> int:
        """The case's id."""
        return self.row.id

    @property
    def agency_id(self) -> int:
        """The id of the agency that owns the case."""
        return self.row.agency_id

    @property
    def status(self) -> str:
        """The case's lifecycle status."""
        return self.row.status
