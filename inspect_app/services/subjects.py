"""Subjects (đối tượng thanh tra): shared reference data, and their history in scope.

Subjects are not owned by an agency: any signed-in user may look one up (the same enterprise
is inspected by several bodies, and the once-a-year rule needs one record per tax code).
What was done to a subject, its history, is case data and is shown only within the caller's
scope.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import msgspec
from piccolo.columns.combination import WhereRaw

from inspect_app.db import write_transaction
from inspect_app.domain.messages import bound
from inspect_app.domain.text import fold_vietnamese, search_terms
from inspect_app.errors import NotFound
from inspect_app.principal import Principal
from inspect_app.schemas.cases import (
    HistoryCase,
    SubjectCreate,
    SubjectHistory,
    SubjectList,
    SubjectUpdate,
    given,
)
from inspect_app.schemas.cases import Subject as SubjectOut
from inspect_app.services import audit
from inspect_app.services.casework import (
    Errors,
    choice,
    clean_query,
    decode_cursor,
    ensure_id,
    keyset_page,
    m2_text,
    page_limit,
    stale_version,
    text,
    versioned_update,
)
from models.tables import Finding, Inspection, InspectionSubject, Measure, Subject

SUBJECT_KINDS = ("organization", "enterprise", "individual", "state_body")
# A Vietnamese tax code: 10 digits, or 13 as "10 digits-3 digits" for a branch.
TAX_CODE_RE = re.compile(r"^\d{10}(-\d{3})?$")
SUBJECT_FIELDS = (
    Subject.id,
    Subject.kind,
    Subject.name,
    Subject.tax_code,
    Subject.address,
    Subject.sector,
    Subject.created_by_agency,
    Subject.version,
    Subject.created_at,
    Subject.updated_at,
)


def _out(row: Mapping[str, Any]) -> SubjectOut:
    return SubjectOut(
        id=row["id"],
        kind=row["kind"],
        name=row["name"],
        tax_code=row["tax_code"],
        address=row["address"],
        sector=row["sector"],
        created_by_agency_id=row["created_by_agency"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def subject_out(row: Mapping[str, Any]) -> SubjectOut:
    """A stored subject row (SUBJECT_FIELDS) as the API and pages show it."""
    return _out(row)


def search_text_of(name: str, tax_code: str | None, address: str) -> str:
    return fold_vietnamese(" ".join(part for part in (name, tax_code or "", address) if part))


def like_terms(column_sql: str, q: str) -> list[WhereRaw]:
    """One ``LIKE '%term%'`` per folded word of ``q``, wildcards in the words escaped."""
    clauses = []
    for term in search_terms(clean_query(q) or ""):
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append(WhereRaw(f"{column_sql} LIKE {{}} ESCAPE '\\'", f"%{escaped}%"))
    return clauses


async def list_subjects(
    principal: Principal,
    *,
    q: str | None = None,
    tax_code: str | None = None,
    kind: str | None = None,
    in_scope_only: bool = False,
    cursor: str | None = None,
    limit: int | None = None,
) -> SubjectList:
    """Subjects, newest first; ``q`` matches name, tax code and address without accents.

    ``in_scope_only`` keeps the subjects registered by an agency in scope or named by a case
    in scope: what a user's own work involves, when they browse without searching.
    """
    size = page_limit(limit)
    after = decode_cursor(cursor)
    query = Subject.select(*SUBJECT_FIELDS)
    if in_scope_only:
        query = query.where(
            Subject.created_by_agency.path.like(principal.scope_pattern)
            | Subject.id.is_in(
                InspectionSubject.select(InspectionSubject.subject).where(
                    InspectionSubject.inspection._.agency._.path.like(principal.scope_pattern)
                    & InspectionSubject.inspection._.deleted_at.is_null()
                )
            )
        )
    if after is not None:
        query = query.where(Subject.id < after)
    if tax_code:
        query = query.where(Subject.tax_code == (clean_query(tax_code) or "").strip())
    if kind:
        query = query.where(Subject.kind == clean_query(kind))
    for clause in like_terms("search_text", q or ""):
        query = query.where(clause)
    rows = await query.order_by(Subject.id, ascending=False).limit(size + 1)
    items, next_cursor = keyset_page([_out(row) for row in rows], size)
    return SubjectList(items=items, next_cursor=next_cursor)


async def get_subject(principal: Principal, subject_id: int) -> SubjectOut:
    """One subject (visible to every signed-in user); NotFound when unknown."""
    ensure_id(subject_id)
    row = await Subject.select(*SUBJECT_FIELDS).where(Subject.id == subject_id).first()
    if row is None:
        raise NotFound()
    return _out(row)


async def subjects_by_ids(ids: list[int]) -> dict[int, SubjectOut]:
    """Subjects by id (shared reference data), in one query: for pages naming several."""
    if not ids:
        return {}
    rows = await Subject.select(*SUBJECT_FIELDS).where(Subject.id.is_in(list(set(ids))))
    return {row["id"]: _out(row) for row in rows}


def _validate(
    request: SubjectCreate | SubjectUpdate, *, current: SubjectOut | None
) -> dict[str, Any]:
    creating = current is None
    data = given(request)
    errors = Errors()
    values: dict[str, Any] = {}
    if creating or "kind" in data:
        kind = choice(data, "kind", SUBJECT_KINDS, errors)
        if kind is None and "kind" not in errors:
            errors["kind"] = (
                "This field is required." if creating else "Choose a value from the list."
            )
        values["kind"] = kind
    if creating or "name" in data:
        values["name"] = text(data, "name", errors, max_length=500, required=True)
    if "tax_code" in data:
        tax_code = text(data, "tax_code", errors, max_length=20) or None
        if tax_code is not None and not TAX_CODE_RE.match(tax_code):
            errors["tax_code"] = "Enter a tax code of 10 digits, or 10 digits, a dash and 3 digits."
        values["tax_code"] = tax_code
    if "address" in data:
        values["address"] = text(data, "address", errors, max_length=1000) or ""
    if "sector" in data:
        values["sector"] = text(data, "sector", errors, max_length=255) or ""
    kind = values.get("kind") or (current.kind if current else None)
    tax = values.get("tax_code", current.tax_code if current else None)
    if kind == "enterprise" and not tax and "tax_code" not in errors and "kind" not in errors:
        errors["tax_code"] = "An enterprise needs its tax code."
    errors.raise_if_any()
    return values


async def _check_tax_code_free(tax_code: str | None, subject_id: int | None) -> None:
    if not tax_code:
        return
    query = Subject.select(Subject.id, Subject.name).where(Subject.tax_code == tax_code)
    if subject_id is not None:
        query = query.where(Subject.id != subject_id)
    holder = await query.first()
    if holder is not None:
        # The error names the subject and links to it (the form shows the link).
        message = bound(
            "This tax code is already registered for {name}.",
            name=holder["name"],
            link=f"/subjects/{holder['id']}",
        )
        Errors(tax_code=message).raise_if_any()


async def create_subject(principal: Principal, data: SubjectCreate, ip: str = "") -> SubjectOut:
    """Register a subject; its tax code must not be registered yet."""
    values = _validate(data, current=None)
    async with write_transaction():
        await _check_tax_code_free(values.get("tax_code"), None)
        rows = await Subject.insert(
            Subject(
                kind=values["kind"],
                name=values["name"],
                tax_code=values.get("tax_code"),
                address=values.get("address", ""),
                sector=values.get("sector", ""),
                search_text=search_text_of(
                    values["name"], values.get("tax_code"), values.get("address", "")
                ),
                created_by_agency=principal.agency_id,
            )
        ).returning(Subject.id)
        created = await get_subject(principal, rows[0]["id"])
        await audit.record(
            "create",
            actor=principal,
            entity_type="subject",
            entity_id=created.id,
            agency_id=principal.agency_id,
            after=audit.snapshot(created),
            ip=ip,
        )
    return created


async def update_subject(
    principal: Principal, subject_id: int, data: SubjectUpdate, ip: str = ""
) -> SubjectOut:
    """Correct a subject's details; a stale version (``data.version``) gets 409 and changes
    nothing."""
    version = data.version
    async with write_transaction():
        before = await get_subject(principal, subject_id)
        if before.version != version:
            raise stale_version()
        values = _validate(data, current=before)
        if "tax_code" in values:
            await _check_tax_code_free(values["tax_code"], subject_id)
        merged = {**audit.snapshot(before), **values}
        changes: dict[Any, Any] = {getattr(Subject, key): value for key, value in values.items()}
        changes[Subject.search_text] = search_text_of(
            merged["name"], merged["tax_code"], merged["address"]
        )
        await versioned_update(Subject, subject_id, version, changes)
        after = await get_subject(principal, subject_id)
        await audit.record(
            "update",
            actor=principal,
            entity_type="subject",
            entity_id=subject_id,
            agency_id=principal.agency_id,
            before=audit.snapshot(before),
            after=audit.snapshot(after),
            ip=ip,
        )
    return after


async def subject_history(principal: Principal, subject_id: int) -> SubjectHistory:
    """Every inspection and check of the subject in the caller's scope, newest first.

    Each entry carries the findings about this subject and the measures (sanctions and other
    recommendations) that follow from them.
    """
    subject = await get_subject(principal, subject_id)
    inspections = (
        await Inspection.select(
            Inspection.id,
            Inspection.code,
            Inspection.agency.id.as_alias("agency_id"),
            Inspection.agency.name.as_alias("agency_name"),
            Inspection.kind,
            Inspection.origin,
            Inspection.title,
            Inspection.status,
            Inspection.decision_no,
            Inspection.decision_date,
            Inspection.announced_on,
            Inspection.concluded_on,
            Inspection.conclusion_no,
            Inspection.closed_on,
        )
        .where(
            Inspection.agency.path.like(principal.scope_pattern)
            & Inspection.deleted_at.is_null()
            & Inspection.id.is_in(
                InspectionSubject.select(InspectionSubject.inspection).where(
                    InspectionSubject.subject == subject_id
                )
            )
        )
        .order_by(Inspection.id, ascending=False)
    )
    ids = [row["id"] for row in inspections]
    findings = []
    measures = []
    if ids:
        findings = (
            await Finding.select(
                Finding.id,
                Finding.inspection,
                Finding.category,
                Finding.description,
                Finding.amount_vnd,
                Finding.land_m2,
            )
            .where(
                Finding.inspection.is_in(ids)
                & (Finding.subject == subject_id)
                & Finding.deleted_at.is_null()
            )
            .order_by(Finding.id)
        )
        finding_ids = [row["id"] for row in findings]
        if finding_ids:
            measures = (
                await Measure.select(
                    Measure.id,
                    Measure.inspection,
                    Measure.finding,
                    Measure.type,
                    Measure.status,
                    Measure.amount_vnd,
                    Measure.land_m2,
                    Measure.done_vnd,
                    Measure.done_m2,
                    Measure.done_count,
                    Measure.decision_no,
                    Measure.decision_date,
                    Measure.due_on,
                )
                .where(Measure.finding.is_in(finding_ids) & Measure.deleted_at.is_null())
                .order_by(Measure.id)
            )
    by_case: dict[int, dict[str, Any]] = {}
    for row in inspections:
        by_case[row["id"]] = {
            **row,
            "findings": [],
            "measures": [],
            "violation_vnd": 0,
            "violation_m2": "0.00",
            "sanction_vnd": 0,
        }
    land: dict[int, Decimal] = {}
    for row in findings:
        case_id = row.pop("inspection")
        entry = by_case[case_id]
        row["land_m2"] = m2_text(row["land_m2"])
        entry["findings"].append(row)
        entry["violation_vnd"] += row["amount_vnd"]
        land[case_id] = land.get(case_id, Decimal("0")) + Decimal(row["land_m2"])
    for case_id, total in land.items():
        by_case[case_id]["violation_m2"] = m2_text(total)
    for row in measures:
        entry = by_case[row.pop("inspection")]
        row["finding_id"] = row.pop("finding")
        row["land_m2"] = m2_text(row["land_m2"])
        row["done_m2"] = m2_text(row["done_m2"])
        entry["measures"].append(row)
        if row["type"] in ("admin_fine", "confiscation") and row["status"] != "written_off":
            entry["sanction_vnd"] += row["amount_vnd"]
    return SubjectHistory(
        subject=subject, items=msgspec.convert(list(by_case.values()), list[HistoryCase])
    )
