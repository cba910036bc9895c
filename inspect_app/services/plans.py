"""Annual inspection plans (kế hoạch thanh tra năm): one per agency and year, in scope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inspect_app.db import write_transaction
from inspect_app.domain.periods import MAX_YEAR, MIN_YEAR
from inspect_app.errors import InvalidInput, NotFound
from inspect_app.principal import Principal
from inspect_app.schemas.cases import Plan as PlanOut
from inspect_app.schemas.cases import PlanCreate, PlanList, PlanUpdate, given
from inspect_app.services import audit
from inspect_app.services.agencies import get_visible as get_visible_agency
from inspect_app.services.casework import (
    Errors,
    choice,
    decode_cursor,
    ensure_id,
    is_unique_violation,
    keyset_page,
    not_in_future,
    optional_date,
    page_limit,
    record_id,
    stale_version,
    text,
    versioned_update,
    whole_number,
)
from models.tables import Plan

PLAN_STATUSES = ("draft", "approved", "amended")
DUPLICATE_PLAN = "This agency already has a plan for that year."
PLAN_FIELDS = (
    Plan.id,
    Plan.agency,
    Plan.year,
    Plan.title,
    Plan.decision_no,
    Plan.decision_date,
    Plan.status,
    Plan.note,
    Plan.version,
    Plan.created_at,
    Plan.updated_at,
)


def _out(row: Mapping[str, Any]) -> PlanOut:
    return PlanOut(
        id=row["id"],
        agency_id=row["agency"],
        year=row["year"],
        title=row["title"],
        decision_no=row["decision_no"],
        decision_date=row["decision_date"],
        status=row["status"],
        note=row["note"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def list_plans(
    principal: Principal,
    *,
    agency_id: int | None = None,
    include_sub: bool = True,
    year: int | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> PlanList:
    """Plans of agencies in scope, newest first; ``agency_id`` narrows to one subtree."""
    size = page_limit(limit)
    after = decode_cursor(cursor)
    query = Plan.select(*PLAN_FIELDS).where(Plan.agency.path.like(principal.scope_pattern))
    ensure_id(agency_id)
    if agency_id is not None:
        agency = await get_visible_agency(principal, agency_id)
        if include_sub:
            query = query.where(Plan.agency.path.like(agency.path + "%"))
        else:
            query = query.where(Plan.agency == agency_id)
    if year is not None:
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise InvalidInput({"year": "Enter a year between 1990 and 2100."})
        query = query.where(Plan.year == year)
    if after is not None:
        query = query.where(Plan.id < after)
    rows = await query.order_by(Plan.id, ascending=False).limit(size + 1)
    items, next_cursor = keyset_page([_out(row) for row in rows], size)
    return PlanList(items=items, next_cursor=next_cursor)


async def get_plan(principal: Principal, plan_id: int) -> PlanOut:
    """One plan of an agency in scope; NotFound otherwise."""
    ensure_id(plan_id)
    row = (
        await Plan.select(*PLAN_FIELDS)
        .where((Plan.id == plan_id) & Plan.agency.path.like(principal.scope_pattern))
        .first()
    )
    if row is None:
        raise NotFound()
    return _out(row)


def _read(data: dict[str, Any], *, creating: bool) -> tuple[dict[str, Any], Errors]:
    """The plan's fields given in ``data`` (the page's form text or the API's values), each
    read and checked: the values, and the problems of the fields at fault."""
    errors = Errors()
    values: dict[str, Any] = {}
    if creating:
        values["agency_id"] = record_id(data, "agency_id", errors)
    if creating or "year" in data:
        year = whole_number(data, "year", errors, minimum=MIN_YEAR, maximum=MAX_YEAR)
        if year is None and "year" not in errors:
            errors["year"] = "This field is required."
        if "year" in errors:
            errors["year"] = "Enter a year between 1990 and 2100."
        values["year"] = year
    if "title" in data:
        values["title"] = text(data, "title", errors, max_length=500) or ""
    if "decision_no" in data:
        values["decision_no"] = text(data, "decision_no", errors, max_length=64) or None
    if "decision_date" in data:
        values["decision_date"] = optional_date(data, "decision_date", errors)
        not_in_future(values["decision_date"], "decision_date", errors)
    if "status" in data:
        status = choice(data, "status", PLAN_STATUSES, errors)
        if status is None and "status" not in errors:
            errors["status"] = "Choose a value from the list."
        values["status"] = status
    if "note" in data:
        values["note"] = text(data, "note", errors, max_length=10_000) or ""
    return values, errors


def create_request(data: Mapping[str, Any]) -> tuple[PlanCreate, Errors]:
    """A new plan as the page's form gives it ("2027", dd/mm/yyyy), read into what
    :func:`create_plan` takes, with the problems of the fields that could not be read (pass
    them as ``unread``: the service names them with its own in one answer)."""
    values, errors = _read(dict(data), creating=True)
    fields = errors.readable(values)
    year = fields.pop("year", None) or 0  # a year not read: named in errors
    return PlanCreate(year=year, **fields), errors


def update_request(version: int, data: Mapping[str, Any]) -> tuple[PlanUpdate, Errors]:
    """Changes to a plan as its edit form gives them; see :func:`create_request`."""
    values, errors = _read(dict(data), creating=False)
    fields = errors.readable(values)
    fields.pop("agency_id", None)  # a plan stays with its agency
    return PlanUpdate(version=version, **fields), errors


def _validate(
    request: PlanCreate | PlanUpdate, *, creating: bool, unread: Mapping[str, str] | None
) -> dict[str, Any]:
    values, errors = _read(given(request), creating=creating)
    errors.add_unread(values, unread)
    errors.raise_if_any()
    return values


def _check_approval(values: dict[str, Any]) -> None:
    # An approved plan is a decision: it has a number and a date.
    if values.get("status") in ("approved", "amended"):
        errors = Errors()
        if not values.get("decision_no"):
            errors["decision_no"] = "An approved plan needs its decision number."
        if not values.get("decision_date"):
            errors["decision_date"] = "An approved plan needs its decision date."
        errors.raise_if_any()


async def create_plan(
    principal: Principal,
    data: PlanCreate,
    ip: str = "",
    *,
    unread: Mapping[str, str] | None = None,
) -> PlanOut:
    """Create the annual plan of an agency in scope (the caller's own by default).
    ``unread``: the fields a form could not read (:func:`create_request`)."""
    values = _validate(data, creating=True, unread=unread)
    agency_id = values.pop("agency_id") or principal.agency_id
    _check_approval(values)
    try:
        async with write_transaction():
            await get_visible_agency(principal, agency_id)
            if await Plan.exists().where(
                (Plan.agency == agency_id) & (Plan.year == values["year"])
            ):
                raise InvalidInput({"year": DUPLICATE_PLAN})
            rows = await Plan.insert(
                Plan(
                    agency=agency_id,
                    year=values["year"],
                    title=values.get("title", ""),
                    decision_no=values.get("decision_no"),
                    decision_date=values.get("decision_date"),
                    status=values.get("status") or "draft",
                    note=values.get("note", ""),
                )
            ).returning(Plan.id)
            created = await get_plan(principal, rows[0]["id"])
            await audit.record(
                "create",
                actor=principal,
                entity_type="plan",
                entity_id=created.id,
                agency_id=agency_id,
                after=audit.snapshot(created),
                ip=ip,
            )
    except Exception as exc:
        # Two requests for the same agency and year: the UNIQUE constraint decides.
        if is_unique_violation(exc):
            raise InvalidInput({"year": DUPLICATE_PLAN}) from None
        raise
    return created


async def update_plan(
    principal: Principal,
    plan_id: int,
    data: PlanUpdate,
    ip: str = "",
    *,
    unread: Mapping[str, str] | None = None,
) -> PlanOut:
    """Change a plan (year, decision, status); a stale version (``data.version``) gets 409.
    ``unread``: the fields a form could not read (:func:`update_request`)."""
    version = data.version
    try:
        async with write_transaction():
            before = await get_plan(principal, plan_id)
            if before.version != version:
                raise stale_version()  # before the fields: a stale form shows what changed
            values = _validate(data, creating=False, unread=unread)
            _check_approval({**audit.snapshot(before), **values})
            if "year" in values and await Plan.exists().where(
                (Plan.agency == before.agency_id)
                & (Plan.year == values["year"])
                & (Plan.id != plan_id)
            ):
                raise InvalidInput({"year": DUPLICATE_PLAN})
            changes: dict[Any, Any] = {getattr(Plan, key): value for key, value in values.items()}
            await versioned_update(Plan, plan_id, version, changes)
            after = await get_plan(principal, plan_id)
            await audit.record(
                "update",
                actor=principal,
                entity_type="plan",
                entity_id=plan_id,
                agency_id=before.agency_id,
                before=audit.snapshot(before),
                after=audit.snapshot(after),
                ip=ip,
            )
    except Exception as exc:
        if is_unique_violation(exc):
            raise InvalidInput({"year": DUPLICATE_PLAN}) from None
        raise
    return after
