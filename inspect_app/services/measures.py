"""Recommendations and measures (kiến nghị, biện pháp xử lý) and where each one stands.

What is done (``done_vnd``, ``done_m2``, ``done_count``) is the sum of the executions and the
status follows from it (``domain.measures``); people never type them. A lead or head may write
a measure off with a reason, and mark a measure with nothing to count (a policy
recommendation) as done.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, cast

import msgspec

from inspect_app import clock
from inspect_app.db import is_postgres
from inspect_app.domain.approvals import correction_needs_approval, fine_needs_approval
from inspect_app.domain.clock import is_overdue as clock_is_overdue
from inspect_app.domain.formatting import format_vnd
from inspect_app.domain.measures import (
    MEASURE_TYPES,
    measure_status,
    measure_unit,
    remaining,
    target_of,
)
from inspect_app.domain.messages import bound
from inspect_app.domain.records import (
    EXCESS_REASON_REQUIRED,
    Recommendation,
    completion_date,
    excess_over_finding,
    recommendation_problems,
)
from inspect_app.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspect_app.principal import Principal
from inspect_app.schemas.approvals import PendingOnly
from inspect_app.schemas.bounds import MeasureType
from inspect_app.schemas.cases import Measure as MeasureOut
from inspect_app.schemas.cases import MeasureCreate, MeasureList, MeasureUpdate, given
from inspect_app.services import audit
from inspect_app.services.approval_requests import Approved, ask, request_reason
from inspect_app.services.case_access import NOT_ON_TEAM, allowed, ensure_case_write
from inspect_app.services.case_context import CaseContext, StoredCase
from inspect_app.services.casework import (
    Errors,
    choice,
    decode_cursor,
    ensure_id,
    keyset_page,
    keyset_rows,
    land,
    m2_text,
    not_in_future,
    optional_date,
    page_limit,
    record_id,
    stale_version,
    stored_day,
    stored_id,
    stored_instant,
    text,
    versioned_update,
    whole_number,
)
from inspect_app.services.inspections import (
    CASE_FINISHED,
    FINISHED_STATUSES,
    INSPECTION_FIELDS,
    case_context,
    lifecycle_dates,
    refresh_search_text,
    visible_case,
)
from inspect_app.services.unit_of_work import unit_of_work
from models.tables import Agency, Execution, Finding, Inspection, Measure

ZERO_M2 = Decimal("0.00")
COUNT_FIELDS = ("collectives", "individuals", "cases", "persons")
MEASURE_FIELDS = (
    Measure.id,
    Measure.inspection,
    Measure.finding,
    Measure.type,
    Measure.description,
    Measure.amount_vnd,
    Measure.land_m2,
    Measure.collectives,
    Measure.individuals,
    Measure.cases,
    Measure.persons,
    Measure.decision_no,
    Measure.decision_date,
    Measure.responsible,
    Measure.responsible_agency,
    Measure.due_on,
    Measure.status,
    Measure.done_vnd,
    Measure.done_m2,
    Measure.done_count,
    Measure.written_off_reason,
    Measure.excess_reason,
    Measure.completed_on,
    Measure.version,
    Measure.created_at,
    Measure.updated_at,
)


@dataclass(frozen=True, slots=True)
class StoredMeasure:
    """A measure's stored columns, its references named as the API names them; land in m²
    as ``Decimal``, dates as ``date``, whichever engine and statement read them."""

    id: int
    inspection_id: int
    finding_id: int | None
    type: str
    description: str
    amount_vnd: int
    land_m2: Decimal
    collectives: int
    individuals: int
    cases: int
    persons: int
    decision_no: str | None
    decision_date: date | None
    responsible: str
    responsible_agency_id: int | None
    due_on: date | None
    status: str
    done_vnd: int
    done_m2: Decimal
    done_count: int
    written_off_reason: str
    excess_reason: str
    completed_on: date | None
    version: int
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> StoredMeasure:
        """The record of a row read with ``MEASURE_FIELDS`` (or decoded from a JSON list
        with the same names)."""
        return cls(
            id=int(row["id"]),
            inspection_id=int(row["inspection"]),
            finding_id=stored_id(row["finding"]),
            type=str(row["type"]),
            description=str(row["description"] or ""),
            amount_vnd=int(row["amount_vnd"]),
            land_m2=Decimal(str(row["land_m2"])),
            collectives=int(row["collectives"]),
            individuals=int(row["individuals"]),
            cases=int(row["cases"]),
            persons=int(row["persons"]),
            decision_no=row["decision_no"],
            decision_date=stored_day(row["decision_date"]),
            responsible=str(row["responsible"] or ""),
            responsible_agency_id=stored_id(row["responsible_agency"]),
            due_on=stored_day(row["due_on"]),
            status=str(row["status"]),
            done_vnd=int(row["done_vnd"]),
            done_m2=Decimal(str(row["done_m2"])),
            done_count=int(row["done_count"]),
            written_off_reason=str(row["written_off_reason"] or ""),
            excess_reason=str(row["excess_reason"] or ""),
            completed_on=stored_day(row["completed_on"]),
            version=int(row["version"]),
            created_at=stored_instant(row["created_at"]),
            updated_at=stored_instant(row["updated_at"]),
        )

    def changed(self, values: Mapping[str, Any]) -> StoredMeasure:
        """The measure with ``values`` (read by :func:`_read`, or a status change) in place
        of its own; keys that are not a stored field are left out."""
        return replace(self, **{k: v for k, v in values.items() if k in _STORED_NAMES})


_STORED_NAMES = frozenset(field.name for field in fields(StoredMeasure))


class Figures(Protocol):
    """What the rules of progress read of a measure: a :class:`StoredMeasure`, or the API's
    ``Measure`` (land in m² as text)."""

    @property
    def type(self) -> str: ...
    @property
    def amount_vnd(self) -> int: ...
    @property
    def land_m2(self) -> Decimal | str: ...
    @property
    def collectives(self) -> int: ...
    @property
    def individuals(self) -> int: ...
    @property
    def cases(self) -> int: ...
    @property
    def persons(self) -> int: ...
    @property
    def done_vnd(self) -> int: ...
    @property
    def done_m2(self) -> Decimal | str: ...
    @property
    def done_count(self) -> int: ...


def target(measure: Figures) -> int | Decimal:
    """What carrying the measure out in full means, in its unit."""
    return target_of(
        measure.type,
        amount_vnd=measure.amount_vnd,
        land_m2=Decimal(str(measure.land_m2)),
        collectives=measure.collectives,
        individuals=measure.individuals,
        cases=measure.cases,
        persons=measure.persons,
    )


def done(measure: Figures) -> int | Decimal:
    """What has been carried out so far, in the measure's unit."""
    unit = measure_unit(measure.type)
    if unit == "vnd":
        return int(measure.done_vnd)
    if unit == "m2":
        return Decimal(str(measure.done_m2))
    if unit == "count":
        return int(measure.done_count)
    return 0


def is_overdue(measure: StoredMeasure, today: date) -> bool:
    """True when the measure is still to be carried out and its due day has passed (the
    legal clock's rule, domain.clock.is_overdue: a measure done or written off is no longer
    to be carried out)."""
    still_due = measure.status in ("open", "partial")
    return clock_is_overdue(measure.due_on, None if still_due else today, today)


def _out(measure: StoredMeasure, today: date) -> MeasureOut:
    unit = measure_unit(measure.type)
    # One unit per measure: target and done are both int or both Decimal.
    left = remaining(target(measure), done(measure))  # type: ignore[type-var]
    return MeasureOut(
        id=measure.id,
        inspection_id=measure.inspection_id,
        finding_id=measure.finding_id,
        type=measure.type,
        description=measure.description,
        amount_vnd=measure.amount_vnd,
        land_m2=m2_text(measure.land_m2),
        collectives=measure.collectives,
        individuals=measure.individuals,
        cases=measure.cases,
        persons=measure.persons,
        decision_no=measure.decision_no,
        decision_date=measure.decision_date,
        responsible=measure.responsible,
        responsible_agency_id=measure.responsible_agency_id,
        due_on=measure.due_on,
        status=measure.status,
        done_vnd=measure.done_vnd,
        done_m2=m2_text(measure.done_m2),
        done_count=measure.done_count,
        written_off_reason=measure.written_off_reason,
        completed_on=measure.completed_on,
        unit=unit,
        remaining=m2_text(left) if unit == "m2" else str(left),
        overdue=is_overdue(measure, today),
        version=measure.version,
        created_at=measure.created_at,
        updated_at=measure.updated_at,
        excess_reason=measure.excess_reason,
    )


def measure_page(items: list[MeasureOut], size: int) -> MeasureList:
    """A page of ``size`` measures from up to ``size + 1`` in id order, with the cursor after."""
    shown, next_cursor = keyset_page(items, size)
    return MeasureList(items=shown, next_cursor=next_cursor)


def _in_scope(principal: Principal) -> Any:
    return (
        Measure.inspection._.agency._.path.like(principal.scope_pattern)
        & Measure.inspection._.deleted_at.is_null()
        & Measure.deleted_at.is_null()
    )


async def list_measures(
    principal: Principal, inspection_id: int, *, cursor: str | None = None, limit: int | None = None
) -> MeasureList:
    """The measures of a case in scope, in the order they were recorded."""
    case = await case_context(principal, inspection_id)
    return await measures_of(case, cursor=cursor, limit=limit)


async def measures_of(
    case: CaseContext, *, cursor: str | None = None, limit: int | None = None
) -> MeasureList:
    """The measures of a resolved case, in the order they were recorded."""
    size = page_limit(limit)
    after = decode_cursor(cursor)
    today = clock.today()
    shown = await keyset_rows(
        Measure,
        MEASURE_FIELDS,
        (Measure.inspection == case.id) & Measure.deleted_at.is_null(),
        after,
        size,
        lambda row: _out(StoredMeasure.of(row), today),
    )
    return measure_page(shown, size)


@dataclass(frozen=True, slots=True)
class ScopedMeasure:
    """A measure in the reader's scope, with its case's agency and status."""

    measure: StoredMeasure
    agency_id: int
    case_status: str


async def measure_row(principal: Principal, measure_id: int) -> ScopedMeasure:
    """A measure in scope, with its case's agency and status; NotFound otherwise."""
    ensure_id(measure_id)
    row = (
        await Measure.select(
            *MEASURE_FIELDS,
            Measure.inspection._.agency._.id.as_alias("agency_id"),
            Measure.inspection._.status.as_alias("case_status"),
        )
        .where((Measure.id == measure_id) & _in_scope(principal))
        .first()
    )
    if row is None:
        raise NotFound()
    return ScopedMeasure(
        measure=StoredMeasure.of(row),
        agency_id=int(row["agency_id"]),
        case_status=str(row["case_status"]),
    )


# The measure's case, read in the same statement as the measure (see measure_in_case).
_CASE_PREFIX = "case__"
CASE_COLUMNS = (
    *(
        getattr(Measure.inspection._, column._meta.name).as_alias(_CASE_PREFIX + column._meta.name)
        for column in INSPECTION_FIELDS
    ),
    Measure.inspection._.agency._.name.as_alias(_CASE_PREFIX + "agency_name"),
)


async def measure_in_case(
    principal: Principal, measure_id: int, *, lock: bool = False
) -> tuple[StoredMeasure, CaseContext]:
    """A measure in scope and its case resolved in the same statement, for
    the writes and pages about one measure; NotFound otherwise.

    ``lock`` (inside a unit of work) also locks the measure's row until the commit, in the
    same statement (PostgreSQL; SQLite's IMMEDIATE transaction already holds the lock)."""
    ensure_id(measure_id)
    query = Measure.select(*MEASURE_FIELDS, *CASE_COLUMNS).where(
        (Measure.id == measure_id) & _in_scope(principal)
    )
    if lock and is_postgres():
        query = query.lock_rows(of=(Measure,))
    row = await query.first()
    if row is None:
        raise NotFound()
    return split_case(principal, row)


def split_case(principal: Principal, row: Mapping[str, Any]) -> tuple[StoredMeasure, CaseContext]:
    """A row read with MEASURE_FIELDS and CASE_COLUMNS as the measure and its resolved
    case."""
    case_row = {
        key.removeprefix(_CASE_PREFIX): value
        for key, value in row.items()
        if key.startswith(_CASE_PREFIX)
    }
    agency_name = str(case_row["agency_name"])
    return StoredMeasure.of(row), CaseContext(
        principal=principal, row=StoredCase.of(case_row), agency_name=agency_name
    )


def in_scope(principal: Principal) -> Any:
    """The condition on ``Measure`` that keeps the measures the reader may see."""
    return _in_scope(principal)


async def get_measure(principal: Principal, measure_id: int) -> MeasureOut:
    """One measure of a case in scope, with its progress; NotFound otherwise."""
    return shown((await measure_row(principal, measure_id)).measure)


def shown(measure: StoredMeasure) -> MeasureOut:
    """A measure as the API and pages show it, with its progress as of today."""
    return _out(measure, clock.today())


def measure_out(row: Mapping[str, Any]) -> MeasureOut:
    """A stored measure row (``MEASURE_FIELDS``, or the case page's JSON list of them) as
    the API and pages show it."""
    return shown(StoredMeasure.of(row))


def _read(data: dict[str, Any], *, creating: bool) -> tuple[dict[str, Any], Errors]:
    """The measure's fields given in ``data``, each read (the page's form text, the API's
    values or a request stored as JSON): the values, and the problems of the fields that
    could not be read or are out of bounds."""
    errors = Errors()
    values: dict[str, Any] = {}
    if creating or "type" in data:
        values["type"] = choice(data, "type", MEASURE_TYPES, errors)
        if values["type"] is None and "type" not in errors:
            errors["type"] = "Choose a value from the list."
    if "finding_id" in data:
        values["finding_id"] = record_id(data, "finding_id", errors)
    if "description" in data:
        values["description"] = text(data, "description", errors, max_length=20_000) or ""
    if creating or "amount_vnd" in data:
        values["amount_vnd"] = whole_number(data, "amount_vnd", errors, money=True) or 0
    if creating or "land_m2" in data:
        area = land(data, "land_m2", errors)
        values["land_m2"] = area if area is not None else ZERO_M2
    for key in COUNT_FIELDS:
        if creating or key in data:
            values[key] = whole_number(data, key, errors, maximum=1_000_000) or 0
    if "decision_no" in data:
        values["decision_no"] = text(data, "decision_no", errors, max_length=64) or None
    for key in ("decision_date", "due_on"):
        if key in data:
            values[key] = optional_date(data, key, errors)
    not_in_future(values.get("decision_date"), "decision_date", errors)
    if "responsible" in data:
        values["responsible"] = text(data, "responsible", errors, max_length=255) or ""
    if "responsible_agency_id" in data:
        values["responsible_agency_id"] = record_id(data, "responsible_agency_id", errors)
    if "excess_reason" in data:
        values["excess_reason"] = (
            text(data, "excess_reason", errors, max_length=2000) or ""
        ).strip()
    return values, errors


# Read by the service where it uses them (a write-off, a correction's reason).
_PASSED_AS_TEXT = ("status", "written_off_reason", "reason")


def _request_fields(
    data: Mapping[str, Any], values: dict[str, Any], errors: Errors
) -> dict[str, Any]:
    fields = errors.readable(values)
    fields.update({key: str(data[key] or "") for key in _PASSED_AS_TEXT if key in data})
    return fields


def create_request(data: Mapping[str, Any]) -> tuple[MeasureCreate, Errors]:
    """A new measure as the page's form (or a request stored as JSON) gives it, read into
    what :func:`create_measure` takes, with the problems of the fields that could not be
    read (pass them as ``unread``: the service names them with its own in one answer)."""
    values, errors = _read(dict(data), creating=True)
    fields = _request_fields(data, values, errors)
    fields.pop("status", None)
    fields.pop("written_off_reason", None)
    kind = fields.pop("type", None) or str(data.get("type") or "")
    return MeasureCreate(type=cast(MeasureType, kind), **fields), errors


def update_request(version: int, data: Mapping[str, Any]) -> tuple[MeasureUpdate, Errors]:
    """Changes to a measure as the page's forms (or a request stored as JSON) give them,
    read into what :func:`update_measure` takes; see :func:`create_request`."""
    values, errors = _read(dict(data), creating=False)
    return MeasureUpdate(version=version, **_request_fields(data, values, errors)), errors


async def _validate(
    inspection_id: int,
    data: dict[str, Any],
    current: StoredMeasure | None,
    unread: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    values, errors = _read(data, creating=current is None)
    errors.add_unread(values, unread)
    await _check_recommendation(inspection_id, data, current, values, errors)
    if "finding_id" not in errors and "amount_vnd" not in errors:
        await _check_excess(inspection_id, data, current, values, errors)
    errors.raise_if_any()
    if values.get("finding_id") is not None and not await Finding.exists().where(
        (Finding.id == values["finding_id"])
        & (Finding.inspection == inspection_id)
        & Finding.deleted_at.is_null()
    ):
        raise InvalidInput({"finding_id": "Choose a finding of this case."})
    responsible = values.get("responsible_agency_id")
    if responsible is not None and not await Agency.exists().where(Agency.id == responsible):
        raise InvalidInput({"responsible_agency_id": "Choose from the list."})
    if current is not None:
        merged = current.changed(values)
        if "type" in values and values["type"] != current.type and done(current):
            raise InvalidInput(
                {"type": "The type cannot change once part of the measure is carried out."}
            )
        if target(merged) < done(current) and target(merged) != 0:
            field = {"vnd": "amount_vnd", "m2": "land_m2"}.get(
                measure_unit(merged.type), "individuals"
            )
            raise InvalidInput({field: "The target cannot be less than what is already done."})
    return values


async def _check_excess(
    inspection_id: int,
    data: dict[str, Any],
    current: StoredMeasure | None,
    values: dict[str, Any],
    errors: Errors,
) -> None:
    """Money to recover above the finding it is linked to needs ``excess_reason``.

    Counted with the other live recommendations to recover money linked to the same finding;
    checked when a new recommendation is recorded or its type, amount or finding changes.
    """
    if current is not None and not any(k in data for k in ("type", "amount_vnd", "finding_id")):
        return
    if "type" in errors:
        return  # the type asked for is not known: nothing to compare
    finding_id = _value(values, current, "finding_id")
    if finding_id is None or _value(values, current, "type") != "recover_money":
        return
    finding = (
        await Finding.select(Finding.amount_vnd)
        .where(
            (Finding.id == finding_id)
            & (Finding.inspection == inspection_id)
            & Finding.deleted_at.is_null()
        )
        .first()
    )
    if finding is None:
        return  # not a finding of this case: said on ``finding_id`` below
    others = await Measure.select(Measure.amount_vnd).where(
        (Measure.finding == finding_id)
        & (Measure.type == "recover_money")
        & Measure.deleted_at.is_null()
        & (Measure.status != "written_off")
        & (Measure.id != (current.id if current else 0))
    )
    amount = int(_value(values, current, "amount_vnd") or 0)
    asked = amount + sum(int(row["amount_vnd"]) for row in others)
    found = int(finding["amount_vnd"])
    if excess_over_finding("recover_money", asked, found) and not _value(
        values, current, "excess_reason"
    ):
        errors["excess_reason"] = bound(
            EXCESS_REASON_REQUIRED, asked=format_vnd(asked), found=format_vnd(found)
        )


# The fields each rule of ``domain.records.recommendation_problems`` may name; on an edit
# a rule is checked when one of its fields is sent (or the type changes).
_RULE_FIELDS = {
    "amount_vnd": ("amount_vnd", "type"),
    "land_m2": ("land_m2", "type"),
    "individuals": ("collectives", "individuals", "type"),
    "cases": ("cases", "persons", "type"),
    "description": ("description",),
    "due_on": ("due_on", "decision_date", "type"),
}


async def _check_recommendation(
    inspection_id: int,
    data: dict[str, Any],
    current: StoredMeasure | None,
    values: dict[str, Any],
    errors: Errors,
) -> None:
    """Add what the recommendation lacks for its type (domain.records) to ``errors``.

    A new recommendation is checked whole; an edit only on the rules its fields touch, so
    that writing off or correcting one field of an older record does not ask for the rest.
    """
    if values.get("type") is None and (current is None or "type" in errors):
        return
    given_values = {k: v for k, v in values.items() if v is not None}

    def merged(key: str) -> Any:
        return _value(given_values, current, key)

    concluded = await Inspection.select(Inspection.concluded_on).where(
        Inspection.id == inspection_id
    )
    item = Recommendation(
        type=merged("type"),
        description=merged("description") or "",
        amount_vnd=merged("amount_vnd") or 0,
        land_m2=merged("land_m2") or ZERO_M2,
        collectives=merged("collectives") or 0,
        individuals=merged("individuals") or 0,
        cases=merged("cases") or 0,
        persons=merged("persons") or 0,
        due_on=merged("due_on"),
        decision_date=merged("decision_date"),
    )
    problems = recommendation_problems(item, concluded[0]["concluded_on"] if concluded else None)
    for field, message in problems.items():
        touched = current is None or any(key in data for key in _RULE_FIELDS[field])
        if touched and field not in errors:
            errors[field] = message


def status_of(measure: StoredMeasure) -> str:
    """The status a measure's figures lead to (written off and completed are kept)."""
    return measure_status(
        target(measure),
        done(measure),
        written_off=measure.status == "written_off",
        completed=measure.completed_on is not None,
    )


def _value(values: Mapping[str, Any], current: StoredMeasure | None, key: str) -> Any:
    """A field as it would be after the change: read in ``values``, else stored (None for a
    new measure)."""
    if key in values:
        return values[key]
    return None if current is None else getattr(current, key)


async def fine_threshold(agency_id: int) -> int:
    """The amount above which a fine of this agency waits for approval (0: none does)."""
    row = await Agency.select(Agency.fine_approval_vnd).where(Agency.id == agency_id).first()
    return int(row["fine_approval_vnd"]) if row else 0


async def create_measure(
    principal: Principal,
    inspection_id: int,
    request: MeasureCreate,
    ip: str = "",
    approved: Approved | None = None,
    *,
    unread: Mapping[str, str] | None = None,
) -> MeasureOut | PendingOnly:
    """Record a recommendation of the case; its status starts from its figures.

    A fine above the agency's threshold is not recorded but asked for approval: the answer
    is then the request (PendingOnly, domain.approvals). ``unread``: the fields a form could
    not read (:func:`create_request`), named with the other problems.
    """
    data = given(request)
    case = await visible_case(principal, inspection_id)
    await ensure_case_write(principal, case, "measure.edit")
    if case.status in FINISHED_STATUSES:
        raise Conflict(CASE_FINISHED, code="case_finished")
    values = await _validate(inspection_id, data, None, unread)
    threshold = await fine_threshold(case.agency_id)
    if approved is None and fine_needs_approval(values["type"], values["amount_vnd"], threshold):
        reason = request_reason(data)
        pending = await ask(
            principal,
            kind="measure_create",
            agency_id=case.agency_id,
            inspection_id=inspection_id,
            target_id=inspection_id,
            target_version=None,
            payload=data,
            summary={
                "type": values["type"],
                "amount_vnd": values["amount_vnd"],
                "description": values.get("description", ""),
            },
            reason=reason,
            ip=ip,
        )
        return PendingOnly(pending_approval=pending)
    async with unit_of_work() as work:
        rows = await Measure.insert(
            Measure(
                inspection=inspection_id,
                finding=values.get("finding_id"),
                type=values["type"],
                description=values.get("description", ""),
                amount_vnd=values["amount_vnd"],
                land_m2=values["land_m2"],
                collectives=values["collectives"],
                individuals=values["individuals"],
                cases=values["cases"],
                persons=values["persons"],
                decision_no=values.get("decision_no"),
                decision_date=values.get("decision_date"),
                responsible=values.get("responsible", ""),
                responsible_agency=values.get("responsible_agency_id"),
                due_on=values.get("due_on"),
                excess_reason=values.get("excess_reason", ""),
                status="open",
            )
        ).returning(Measure.id)
        if values.get("decision_no"):
            await refresh_search_text(inspection_id)
        created = await get_measure(principal, rows[0]["id"])
        await audit.record(
            "create",
            actor=principal,
            entity_type="measure",
            entity_id=created.id,
            agency_id=case.agency_id,
            after={
                **audit.snapshot(created, leave_out=("pending_approval",)),
                **({"approval": approved.audit_note()} if approved else {}),
            },
            ip=ip,
        )
        await work.totals_changed(case.agency_id, lifecycle_dates(case))
    return created


def _status_change(may: frozenset[str], row: StoredMeasure, data: dict[str, Any]) -> dict[str, Any]:
    """Changes asked through ``status``: write off, mark a no-quantity measure done, reopen.

    ``may``: what the principal may do on the measure's case (case_access.allowed), so that
    the lead of the case writes off whatever their account's role."""
    wanted = data.get("status")
    if wanted is None or wanted == row.status:
        return {}
    if wanted == "written_off":
        if "measure.write_off" not in may:
            raise Forbidden("Only a lead or head may write a measure off.")
        reason = text(data, "written_off_reason", Errors(), max_length=2000)
        if not reason:
            raise InvalidInput({"written_off_reason": "Give the reason for writing it off."})
        return {"status": "written_off", "written_off_reason": reason}
    if wanted == "done":
        if target(row) != 0:
            raise InvalidInput(
                {"status": "This measure is done when its executions reach the target."}
            )
        return {"completed_on": clock.today(), "status": "done"}
    if wanted == "open":
        if row.status == "written_off" and "measure.write_off" not in may:
            raise Forbidden("Only a lead or head may write a measure off.")
        return {"status": "open", "completed_on": None, "written_off_reason": ""}
    raise InvalidInput({"status": "Choose a value from the list."})


# What a correction may change after the conclusion, each with a reason (kept on the record).
CORRECTED_FIELDS = ("type", "amount_vnd", "land_m2", *COUNT_FIELDS, "due_on")


def _corrections(row: StoredMeasure, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Field -> [old, new] of the corrected fields that really change."""
    changed: dict[str, list[Any]] = {}
    for key in CORRECTED_FIELDS:
        if key not in values:
            continue
        old, new = getattr(row, key), values[key]
        if key == "land_m2":
            old, new = Decimal(str(old)), Decimal(str(new))
        if old != new:
            changed[key] = [old, new]
    return changed


async def update_measure(
    principal: Principal,
    measure_id: int,
    request: MeasureUpdate,
    ip: str = "",
    approved: Approved | None = None,
    *,
    unread: Mapping[str, str] | None = None,
) -> MeasureOut:
    """Edit a measure, write it off or mark it done; a stale version gets 409.

    Once the case is concluded, a change of the type, the target or the due date is a
    correction and needs a ``reason``. Writing off, and a correction that reduces what is
    owed (domain.approvals), are not made but asked for approval: the answer is the measure
    as it stands with ``pending_approval``. ``approved`` makes the change on approval.
    ``unread``: the fields a form could not read (:func:`update_request`).
    """
    version = request.version
    data = given(request)
    del data["version"]
    scoped = await measure_row(principal, measure_id)
    row = scoped.measure
    agency_id = scoped.agency_id
    if row.version != version:
        raise stale_version()
    if scoped.case_status in FINISHED_STATUSES:
        raise Conflict(CASE_FINISHED, code="case_finished")
    case = await visible_case(principal, row.inspection_id)
    may = await allowed(principal, case)
    if "measure.edit" not in may:
        raise Forbidden(NOT_ON_TEAM)
    before = shown(row)
    values = await _validate(row.inspection_id, data, row, unread)
    status_values = _status_change(may, row, data)
    corrections = _corrections(row, values)
    writing_off = status_values.get("status") == "written_off"
    reason = ""
    if writing_off:
        reason = status_values["written_off_reason"]
    elif corrections and case.concluded_on is not None:
        reason = approved.reason if approved else request_reason(data)
    merged = row.changed({**values, **status_values})
    needs_approval = writing_off or (
        bool(corrections)
        and correction_needs_approval(
            type_before=row.type,
            type_after=merged.type,
            target_before=target(row),
            target_after=target(merged),
            amount_before=row.amount_vnd,
            amount_after=merged.amount_vnd,
            threshold_vnd=await fine_threshold(agency_id),
        )
    )
    if needs_approval and approved is None:
        if not reason:
            reason = request_reason(data)
        pending = await ask(
            principal,
            kind="measure_write_off" if writing_off else "measure_update",
            agency_id=agency_id,
            inspection_id=row.inspection_id,
            target_id=measure_id,
            target_version=version,
            payload=data,
            summary={"changes": corrections, "status": status_values.get("status")},
            reason=reason,
            ip=ip,
        )
        return msgspec.structs.replace(before, pending_approval=pending)
    merged = replace(merged, status=status_of(merged))
    columns = {
        "finding_id": Measure.finding,
        "type": Measure.type,
        "description": Measure.description,
        "amount_vnd": Measure.amount_vnd,
        "land_m2": Measure.land_m2,
        "collectives": Measure.collectives,
        "individuals": Measure.individuals,
        "cases": Measure.cases,
        "persons": Measure.persons,
        "decision_no": Measure.decision_no,
        "decision_date": Measure.decision_date,
        "responsible": Measure.responsible,
        "responsible_agency_id": Measure.responsible_agency,
        "due_on": Measure.due_on,
        "excess_reason": Measure.excess_reason,
    }
    changes: dict[Any, Any] = {columns[key]: value for key, value in values.items()}
    changes[Measure.status] = merged.status
    if "written_off_reason" in status_values:
        changes[Measure.written_off_reason] = status_values["written_off_reason"]
    if "completed_on" in status_values:
        changes[Measure.completed_on] = status_values["completed_on"]
    if corrections and "completed_on" not in status_values:
        # A lower target can be reached by what is already done; a higher one reopens it.
        changes[Measure.completed_on] = await _recomputed_completion(measure_id, merged)
    async with unit_of_work() as work:
        await versioned_update(Measure, measure_id, version, changes)
        if "decision_no" in values:
            await refresh_search_text(row.inspection_id)
        after = await get_measure(principal, measure_id)
        # The reason once: on its own, or with the names of an approved request.
        note: dict[str, Any] = {}
        if approved is not None:
            note["approval"] = approved.audit_note()
        elif reason:
            note["reason"] = reason
        action = "write_off" if writing_off else ("correct" if reason else "update")
        await audit.record(
            action,
            actor=principal,
            entity_type="measure",
            entity_id=measure_id,
            agency_id=agency_id,
            before=audit.snapshot(before, leave_out=("pending_approval",)),
            after={**audit.snapshot(after, leave_out=("pending_approval",)), **note},
            ip=ip,
        )
        await work.totals_changed(agency_id, lifecycle_dates(case))
    return after


async def _recomputed_completion(measure_id: int, merged: StoredMeasure) -> date | None:
    """The completion date of a corrected measure, from its whole ledger in date order."""
    if merged.status != "done":
        return None
    if target(merged) == 0:
        return merged.completed_on
    return completion_date(await ledger(measure_id, merged.type), target(merged))


async def ledger(measure_id: int, measure_type: str) -> list[tuple[date, int | Decimal]]:
    """(date, amount) of every entry of a measure's ledger in its unit, reversals negative,
    in the order they were recorded."""
    column = {"vnd": "amount_vnd", "m2": "land_m2"}.get(measure_unit(measure_type), "quantity")
    rows = (
        await Execution.select(Execution.executed_on, getattr(Execution, column))
        .where(Execution.measure == measure_id)
        .order_by(Execution.id)
    )
    return [(row["executed_on"], row[column]) for row in rows]


async def execution_dates(measure_id: int) -> list[date]:
    """The dates of a measure's executions (they decide the periods of its progress)."""
    rows = await Execution.select(Execution.executed_on).where(Execution.measure == measure_id)
    return [row["executed_on"] for row in rows]
