"""Findings and violations (phát hiện, vi phạm) of a case."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from inspect_app.domain.approvals import REASON_REQUIRED
from inspect_app.errors import Conflict, InvalidInput, NotFound
from inspect_app.principal import Principal
from inspect_app.schemas.cases import Finding as FindingOut
from inspect_app.schemas.cases import (
    FindingCreate,
    FindingList,
    FindingUpdate,
    WithdrawnFinding,
    given,
)
from inspect_app.services import audit
from inspect_app.services.case_access import ensure_case_write
from inspect_app.services.casework import (
    Errors,
    decode_cursor,
    ensure_id,
    keyset_page,
    keyset_rows,
    land,
    m2_text,
    page_limit,
    record_id,
    stale_version,
    text,
    versioned_update,
    whole_number,
)
from inspect_app.services.inspections import (
    CASE_FINISHED,
    FINISHED_STATUSES,
    case_context,
    lifecycle_dates,
    visible_case,
)
from inspect_app.services.unit_of_work import unit_of_work
from models.tables import Finding, InspectionSubject, Measure

ZERO_M2 = Decimal("0.00")
FINDING_FIELDS = (
    Finding.id,
    Finding.inspection,
    Finding.subject,
    Finding.category,
    Finding.description,
    Finding.legal_basis,
    Finding.amount_vnd,
    Finding.land_m2,
    Finding.version,
    Finding.created_at,
    Finding.updated_at,
)


def _out(row: Mapping[str, Any]) -> FindingOut:
    return FindingOut(
        id=row["id"],
        inspection_id=row["inspection"],
        subject_id=row["subject"],
        category=row["category"],
        description=row["description"],
        legal_basis=row["legal_basis"],
        amount_vnd=row["amount_vnd"],
        land_m2=m2_text(row["land_m2"]),
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _in_scope(principal: Principal) -> Any:
    return (
        Finding.inspection._.agency._.path.like(principal.scope_pattern)
        & Finding.inspection._.deleted_at.is_null()
        & Finding.deleted_at.is_null()
    )


async def list_findings(
    principal: Principal, inspection_id: int, *, cursor: str | None = None, limit: int | None = None
) -> FindingList:
    """The findings of a case in scope, in the order they were recorded."""
    size = page_limit(limit)
    after = decode_cursor(cursor)
    case = await case_context(principal, inspection_id)
    found = await keyset_rows(
        Finding,
        FINDING_FIELDS,
        (Finding.inspection == case.id) & Finding.deleted_at.is_null(),
        after,
        size,
        _out,
    )
    items, next_cursor = keyset_page(found, size)
    return FindingList(items=items, next_cursor=next_cursor)


def finding_out(row: Mapping[str, Any]) -> FindingOut:
    """A stored finding row (FINDING_FIELDS) as the API and pages show it."""
    return _out(row)


def split_findings(
    rows: Sequence[Mapping[str, Any]],
) -> tuple[list[FindingOut], list[WithdrawnFinding]]:
    """Every finding of a case (FINDING_FIELDS with ``withdrawn_reason`` and ``deleted_at``,
    in id order) as those standing and those withdrawn, newest first."""
    standing = [_out(row) for row in rows if row["deleted_at"] is None]
    withdrawn = sorted(
        (
            WithdrawnFinding(
                id=row["id"],
                description=row["description"],
                amount_vnd=row["amount_vnd"],
                withdrawn_reason=row["withdrawn_reason"],
                deleted_at=row["deleted_at"],
            )
            for row in rows
            if row["deleted_at"] is not None
        ),
        key=lambda finding: (finding.deleted_at, finding.id),
        reverse=True,
    )
    return standing, withdrawn


async def get_finding(principal: Principal, finding_id: int) -> FindingOut:
    """One finding of a case in scope; NotFound otherwise."""
    ensure_id(finding_id)
    row = (
        await Finding.select(*FINDING_FIELDS)
        .where((Finding.id == finding_id) & _in_scope(principal))
        .first()
    )
    if row is None:
        raise NotFound()
    return _out(row)


def _read(data: dict[str, Any], *, creating: bool) -> tuple[dict[str, Any], Errors]:
    """The values of a finding, each read and checked (a subject id, a category, the texts
    without control characters, a whole amount of đồng, an area with at most two decimals),
    and the problems of the fields at fault. ``data`` is what the API sent or the text of the
    page's form; when ``creating`` is false, only the fields given are read."""
    errors = Errors()
    values: dict[str, Any] = {}
    if creating or "subject_id" in data:
        values["subject_id"] = record_id(data, "subject_id", errors)
        if values["subject_id"] is None and "subject_id" not in errors:
            errors["subject_id"] = "Choose one of the subjects of this case."
    if creating or "category" in data:
        values["category"] = text(data, "category", errors, max_length=64) or "other"
    if creating or "description" in data:
        values["description"] = text(data, "description", errors, max_length=20_000, required=True)
    if "legal_basis" in data:
        values["legal_basis"] = text(data, "legal_basis", errors, max_length=10_000) or ""
    if creating or "amount_vnd" in data:
        values["amount_vnd"] = whole_number(data, "amount_vnd", errors, money=True) or 0
    if creating or "land_m2" in data:
        area = land(data, "land_m2", errors)
        values["land_m2"] = area if area is not None else ZERO_M2
    return values, errors


def create_request(data: Mapping[str, Any]) -> tuple[FindingCreate, Errors]:
    """A new finding as the page's form gives it, read into what :func:`create_finding`
    takes, with the problems of the fields that could not be read (pass them as ``unread``:
    the service names them after its own checks of the case, in one answer)."""
    values, errors = _read(dict(data), creating=True)
    fields = errors.readable(values)
    # Placeholders for a subject or description that could not be read (named in errors).
    fields.setdefault("subject_id", 0)
    fields.setdefault("description", "")
    return FindingCreate(**fields), errors


def update_request(version: int, data: Mapping[str, Any]) -> tuple[FindingUpdate, Errors]:
    """Changes to a finding as its edit form gives them; see :func:`create_request`."""
    values, errors = _read(dict(data), creating=False)
    return FindingUpdate(version=version, **errors.readable(values)), errors


async def _validate(
    inspection_id: int,
    data: FindingCreate | FindingUpdate,
    *,
    creating: bool,
    unread: Mapping[str, str] | None,
) -> dict[str, Any]:
    values, errors = _read(given(data), creating=creating)
    errors.add_unread(values, unread)
    errors.raise_if_any()
    if values.get("subject_id") is not None and not await InspectionSubject.exists().where(
        (InspectionSubject.inspection == inspection_id)
        & (InspectionSubject.subject == values["subject_id"])
    ):
        raise InvalidInput({"subject_id": "Choose one of the subjects of this case."})
    return values


async def create_finding(
    principal: Principal,
    inspection_id: int,
    data: FindingCreate,
    ip: str = "",
    *,
    unread: Mapping[str, str] | None = None,
) -> FindingOut:
    """Record a finding about one of the case's subjects. ``unread``: the fields a form could
    not read (:func:`create_request`), said after the checks of the case."""
    case = await visible_case(principal, inspection_id)
    await ensure_case_write(principal, case, "finding.edit")
    if case.status in FINISHED_STATUSES:
        raise Conflict(CASE_FINISHED, code="case_finished")
    values = await _validate(inspection_id, data, creating=True, unread=unread)
    async with unit_of_work() as work:
        rows = await Finding.insert(
            Finding(
                inspection=inspection_id,
                subject=values["subject_id"],
                category=values["category"],
                description=values["description"],
                legal_basis=values.get("legal_basis", ""),
                amount_vnd=values["amount_vnd"],
                land_m2=values["land_m2"],
            )
        ).returning(Finding.id)
        created = await get_finding(principal, rows[0]["id"])
        await audit.record(
            "create",
            actor=principal,
            entity_type="finding",
            entity_id=created.id,
            agency_id=case.agency_id,
            after=audit.snapshot(created),
            ip=ip,
        )
        await work.totals_changed(case.agency_id, lifecycle_dates(case))
    return created


async def update_finding(
    principal: Principal,
    finding_id: int,
    data: FindingUpdate,
    ip: str = "",
    *,
    unread: Mapping[str, str] | None = None,
) -> FindingOut:
    """Correct a finding; a stale version (``data.version``) gets 409 and changes nothing.
    ``unread``: the fields a form could not read (:func:`update_request`)."""
    version = data.version
    before = await get_finding(principal, finding_id)
    if before.version != version:
        raise stale_version()
    case = await visible_case(principal, before.inspection_id)
    await ensure_case_write(principal, case, "finding.edit")
    if case.status in FINISHED_STATUSES:
        raise Conflict(CASE_FINISHED, code="case_finished")
    values = await _validate(before.inspection_id, data, creating=False, unread=unread)
    columns = {
        "subject_id": Finding.subject,
        "category": Finding.category,
        "description": Finding.description,
        "legal_basis": Finding.legal_basis,
        "amount_vnd": Finding.amount_vnd,
        "land_m2": Finding.land_m2,
    }
    changes: dict[Any, Any] = {columns[key]: value for key, value in values.items()}
    async with unit_of_work() as work:
        await versioned_update(Finding, finding_id, version, changes, Finding.deleted_at.is_null())
        after = await get_finding(principal, finding_id)
        await audit.record(
            "update",
            actor=principal,
            entity_type="finding",
            entity_id=finding_id,
            agency_id=case.agency_id,
            before=audit.snapshot(before),
            after=audit.snapshot(after),
            ip=ip,
        )
        await work.totals_changed(case.agency_id, lifecycle_dates(case))
    return after


async def delete_finding(
    principal: Principal,
    finding_id: int,
    version: int | None = None,
    ip: str = "",
    reason: str | None = None,
) -> None:
    """Withdraw a finding that no live measure refers to; nothing is erased.

    The row stays (``deleted_at``) with the reason; the case page lists it as withdrawn.
    Once the case is concluded a reason is required (422 naming ``reason``).
    """
    before = await get_finding(principal, finding_id)
    if version is not None and before.version != version:
        raise stale_version()
    case = await visible_case(principal, before.inspection_id)
    await ensure_case_write(principal, case, "finding.edit")
    if case.status in FINISHED_STATUSES:
        raise Conflict(CASE_FINISHED, code="case_finished")
    errors = Errors()
    why = text({"reason": reason}, "reason", errors, max_length=2000) or ""
    if case.concluded_on is not None and not why.strip() and "reason" not in errors:
        errors["reason"] = REASON_REQUIRED
    errors.raise_if_any()
    if await Measure.exists().where((Measure.finding == finding_id) & Measure.deleted_at.is_null()):
        raise Conflict(
            "Measures refer to this finding; change or remove them first.",
            code="finding_in_use",
        )
    async with unit_of_work() as work:
        deleted = (
            await Finding.update(
                {
                    Finding.deleted_at: datetime.now(UTC),
                    Finding.withdrawn_reason: why.strip(),
                    Finding.version: before.version + 1,
                }
            )
            .where((Finding.id == finding_id) & (Finding.version == before.version))
            .returning(Finding.id)
        )
        if not deleted:
            raise stale_version()
        await audit.record(
            "withdraw" if why.strip() else "delete",
            actor=principal,
            entity_type="finding",
            entity_id=finding_id,
            agency_id=case.agency_id,
            before=audit.snapshot(before),
            after={"reason": why.strip()} if why.strip() else None,
            ip=ip,
        )
        await work.totals_changed(case.agency_id, lifecycle_dates(case))
