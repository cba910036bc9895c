"""Executions: each act of carrying a measure out (money recovered, land, people disciplined).

An execution never takes a measure past its target. Two recorded at the same moment are
serialised on the measure's row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE
transaction holds the write lock), so the second one re-checks what remains after the first;
the database CHECK ``done <= amount`` is the last line of defence and answers the same 422.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from inspect_app import clock
from inspect_app.domain.measures import ExecutionExceedsRemaining, check_execution, measure_unit
from inspect_app.domain.records import (
    completion_date,
    during_inspection,
    execution_date_problem,
)
from inspect_app.exceptions import Conflict, InvalidInput, NotFound
from inspect_app.principal import Principal
from inspect_app.services import audit
from inspect_app.services.casework import (
    Errors,
    decode_cursor,
    ensure_id,
    is_check_violation,
    keyset_rows,
    land,
    lock_row,
    m2_text,
    page_limit,
    page_of,
    required_date,
    text,
    whole_number,
)
from inspect_app.services.inspections import FINISHED_STATUSES, lifecycle_dates, visible_case
from inspect_app.services.measures import (
    MEASURE_FIELDS,
    done,
    measure_row,
    status_of,
    target,
)
from inspect_app.services.unit_of_work import unit_of_work
from models.tables import Execution, Inspection, Measure

UNIT_FIELD = {"vnd": "amount_vnd", "m2": "land_m2", "count": "count"}
EXCEEDS = "The amount exceeds what remains to be carried out."
EXECUTION_FIELDS = (
    Execution.id,
    Execution.measure,
    Execution.executed_on,
    Execution.amount_vnd,
    Execution.land_m2,
    Execution.quantity,
    Execution.document_no,
    Execution.note,
    Execution.created_by,
    Execution.created_at,
    Execution.measure._.inspection._.concluded_on.as_alias("concluded_on"),
)


def _out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "measure_id": row["measure"],
        "date": row["executed_on"],
        "amount_vnd": row["amount_vnd"],
        "land_m2": m2_text(row["land_m2"]),
        "count": row["quantity"],
        "document_no": row["document_no"],
        "note": row["note"],
        "created_by": row["created_by"],
        "created_at": row["created_at"],
        # Carried out before the conclusion: recovered during the inspection (docs/reports.md).
        "during_inspection": during_inspection(row["executed_on"], row["concluded_on"]),
    }


async def list_executions(
    principal: Principal, measure_id: int, *, cursor: str | None = None, limit: int | None = None
) -> dict[str, Any]:
    """The executions of a measure in scope, in the order they were recorded."""
    size = page_limit(limit)
    after = decode_cursor(cursor)
    await measure_row(principal, measure_id)
    rows = await keyset_rows(
        Execution, EXECUTION_FIELDS, Execution.measure == measure_id, after, size
    )
    return page_of([_out(row) for row in rows], size)


async def get_execution(principal: Principal, execution_id: int) -> dict[str, Any]:
    """One execution of a measure in scope; NotFound otherwise."""
    ensure_id(execution_id)
    row = (
        await Execution.select(*EXECUTION_FIELDS)
        .where(
            (Execution.id == execution_id)
            & Execution.measure._.inspection._.agency._.path.like(principal.scope_pattern)
            & Execution.measure._.deleted_at.is_null()
            & Execution.measure._.inspection._.deleted_at.is_null()
        )
        .first()
    )
    if row is None:
        raise NotFound()
    return _out(row)


async def _ledger(measure_id: int, unit: str) -> list[tuple[date, int | Decimal]]:
    """(date, amount) of every execution of a measure, in the measure's unit."""
    column = {"vnd": "amount_vnd", "m2": "land_m2"}.get(unit, "quantity")
    rows = (
        await Execution.select(Execution.executed_on, getattr(Execution, column))
        .where(Execution.measure == measure_id)
        .order_by(Execution.id)
    )
    return [(row["executed_on"], row[column]) for row in rows]


def _quantity(unit: str, data: dict[str, Any]) -> tuple[str, int | Decimal]:
    """The field and amount of the execution, in the measure's unit."""
    errors = Errors()
    field = UNIT_FIELD.get(unit)
    if field is None:
        raise InvalidInput({"status": "This measure has nothing to count; mark it done instead."})
    for other in UNIT_FIELD.values():
        value = data.get(other)
        if other != field and value not in (None, 0, "", "0", "0.00"):
            errors[other] = "This measure is not counted in this unit."
    amount: int | Decimal | None
    if unit == "m2":
        amount = land(data, field, errors)
    else:
        amount = whole_number(data, field, errors, money=unit == "vnd", maximum=1_000_000)
    if amount is None and field not in errors:
        errors[field] = "This field is required."
    elif amount is not None and amount <= 0:
        errors[field] = "Enter an amount greater than zero."
    errors.raise_if_any()
    assert amount is not None
    return field, amount


async def create_execution(
    principal: Principal, measure_id: int, data: dict[str, Any], ip: str = ""
) -> dict[str, Any]:
    """Record an execution; 422 when it would exceed what remains (nothing is stored)."""
    row = await measure_row(principal, measure_id)
    agency_id = row["agency_id"]
    if row["case_status"] == "cancelled":
        raise Conflict("A closed or cancelled case cannot be changed.", code="case_finished")
    errors = Errors()
    on = required_date(data, "date", errors)
    if on is not None:
        case_dates = await Inspection.select(Inspection.announced_on).where(
            Inspection.id == row["inspection"]
        )
        announced_on = case_dates[0]["announced_on"] if case_dates else None
        problem = execution_date_problem(on, announced_on, clock.today())
        if problem is not None:
            errors["date"] = problem
    document_no = text(data, "document_no", errors, max_length=64) or ""
    note = text(data, "note", errors, max_length=2000) or ""
    errors.raise_if_any()
    unit = measure_unit(row["type"])
    field, amount = _quantity(unit, data)
    case = await visible_case(principal, row["inspection"])
    try:
        async with unit_of_work() as work:
            await lock_row(Measure, measure_id)
            current = await Measure.select(*MEASURE_FIELDS).where(Measure.id == measure_id).first()
            assert current is not None
            if current["status"] == "written_off" or row["case_status"] in FINISHED_STATUSES:
                raise Conflict(
                    "This measure was written off; nothing more can be recorded.",
                    code="written_off",
                )
            try:
                # One unit per measure: target, done and amount are all int or all Decimal.
                new_done = check_execution(target(current), done(current), amount)  # type: ignore[type-var]
            except ExecutionExceedsRemaining as exc:
                error = InvalidInput(
                    {field: EXCEEDS}, "Only {remaining} remains to be carried out."
                )
                error.values = {"remaining": exc.remaining}
                raise error from None
            rows = await Execution.insert(
                Execution(
                    measure=measure_id,
                    executed_on=on,
                    amount_vnd=amount if unit == "vnd" else 0,
                    land_m2=amount if unit == "m2" else Decimal("0.00"),
                    quantity=amount if unit == "count" else 0,
                    document_no=document_no,
                    note=note,
                    created_by=principal.id,
                )
            ).returning(Execution.id)
            done_column = {"vnd": Measure.done_vnd, "m2": Measure.done_m2}.get(
                unit, Measure.done_count
            )
            progressed = {
                **current,
                {"vnd": "done_vnd", "m2": "done_m2"}.get(unit, "done_count"): new_done,
            }
            status = status_of(progressed)
            completed_on = (
                completion_date(await _ledger(measure_id, unit), target(current))
                if status == "done"
                else None
            )
            await Measure.update(
                {
                    done_column: new_done,
                    Measure.status: status,
                    Measure.completed_on: completed_on,
                    Measure.version: current["version"] + 1,
                    Measure.updated_at: datetime.now(UTC),
                }
            ).where(Measure.id == measure_id)
            created = await get_execution(principal, rows[0]["id"])
            await audit.record(
                "create",
                actor=principal,
                entity_type="execution",
                entity_id=created["id"],
                agency_id=agency_id,
                after={**created, "measure_status": status, "measure_done": new_done},
                ip=ip,
            )
            await work.totals_changed(agency_id, [on, *lifecycle_dates(case)])
    except Exception as exc:
        if is_check_violation(exc):
            raise InvalidInput({field: EXCEEDS}) from None
        raise
    return created
