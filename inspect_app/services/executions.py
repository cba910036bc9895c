"""Executions: each act of carrying a measure out (money recovered, land, people disciplined).

An execution never takes a measure past its target. Two recorded at the same moment are
serialised on the measure's row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE
transaction holds the write lock), so the second one re-checks what remains after the first;
the database CHECK ``done <= amount`` is the last line of defence and answers the same 422.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from inspect_app import clock
from inspect_app.domain.measures import ExecutionExceedsRemaining, check_execution, measure_unit
from inspect_app.domain.records import (
    completion_date,
    during_inspection,
    execution_date_problem,
    reversal_date_problem,
)
from inspect_app.errors import Conflict, InvalidInput, NotFound
from inspect_app.principal import Principal
from inspect_app.schemas.approvals import ExecutionReversal, PendingOnly
from inspect_app.schemas.cases import Execution as ExecutionOut
from inspect_app.schemas.cases import ExecutionCreate, ExecutionList, given
from inspect_app.services import audit
from inspect_app.services.approval_requests import Approved, ask, request_reason
from inspect_app.services.case_access import ensure_case_write
from inspect_app.services.casework import (
    Errors,
    decode_cursor,
    ensure_id,
    is_check_violation,
    is_unique_violation,
    keyset_rows,
    land,
    lock_row,
    m2_text,
    page_limit,
    page_of,
    required_date,
    stale_version,
    text,
    whole_number,
)
from inspect_app.services.inspections import FINISHED_STATUSES, lifecycle_dates, visible_case
from inspect_app.services.measures import (
    MEASURE_FIELDS,
    StoredMeasure,
    done,
    ledger,
    measure_in_case,
    measure_row,
    status_of,
    target,
)
from inspect_app.services.unit_of_work import unit_of_work
from models.tables import Execution, Measure

UNIT_FIELD = {"vnd": "amount_vnd", "m2": "land_m2", "count": "count"}
EXCEEDS = "The amount exceeds what remains to be carried out."
# The execution's own columns; EXECUTION_FIELDS adds its case's conclusion day.
STORED_FIELDS = (
    Execution.id,
    Execution.measure,
    Execution.executed_on,
    Execution.amount_vnd,
    Execution.land_m2,
    Execution.quantity,
    Execution.document_no,
    Execution.note,
    Execution.reverses,
    Execution.reason,
    Execution.created_by,
    Execution.created_at,
)
EXECUTION_FIELDS = (
    *STORED_FIELDS,
    Execution.measure._.inspection._.concluded_on.as_alias("concluded_on"),
)


def _out(row: Mapping[str, Any]) -> ExecutionOut:
    return ExecutionOut(
        id=row["id"],
        measure_id=row["measure"],
        date=row["executed_on"],
        amount_vnd=row["amount_vnd"],
        land_m2=m2_text(row["land_m2"]),
        count=row["quantity"],
        document_no=row["document_no"],
        note=row["note"],
        # A reversal names the entry it cancels; an entry cancelled names its reversal.
        reverses=row["reverses"],
        reason=row["reason"],
        reversed_by=row.get("reversed_by"),
        created_by=row["created_by"],
        created_at=row["created_at"],
        # Carried out before the conclusion: recovered during the inspection (docs/reports.md).
        during_inspection=during_inspection(row["executed_on"], row["concluded_on"]),
    )


async def list_executions(
    principal: Principal, measure_id: int, *, cursor: str | None = None, limit: int | None = None
) -> ExecutionList:
    """The executions of a measure in scope, in the order they were recorded."""
    size = page_limit(limit)
    after = decode_cursor(cursor)
    await measure_row(principal, measure_id)
    rows = await keyset_rows(
        Execution, EXECUTION_FIELDS, Execution.measure == measure_id, after, size, dict
    )
    await _mark_reversed(rows)
    page = page_of([_out(row) for row in rows], size)
    return ExecutionList(items=page.items, next_cursor=page.next_cursor)


def execution_out(row: Mapping[str, Any]) -> ExecutionOut:
    """A stored execution row (EXECUTION_FIELDS, with ``reversed_by`` when known) as the API
    and pages show it."""
    return _out(row)


async def _mark_reversed(rows: list[dict[str, Any]]) -> None:
    """Set ``reversed_by`` on the entries a later reversal cancels."""
    ids = [row["id"] for row in rows if row["reverses"] is None]
    if not ids:
        return
    reversals = await Execution.select(Execution.id, Execution.reverses).where(
        Execution.reverses.is_in(ids)
    )
    by_original = {row["reverses"]: row["id"] for row in reversals}
    for row in rows:
        row["reversed_by"] = by_original.get(row["id"])


async def get_execution(principal: Principal, execution_id: int) -> ExecutionOut:
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
    await _mark_reversed([row])
    return _out(row)


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


async def _book_progress(current: StoredMeasure, unit: str, new_done: int | Decimal) -> str:
    """Store what a measure has done after a new ledger entry (a payment or a reversal): the
    sum, the status it leads to, and the day the ledger read in date order reached the
    target for good (domain.records.completion_date); its status."""
    done_key = {"vnd": "done_vnd", "m2": "done_m2"}.get(unit, "done_count")
    status = status_of(current.changed({done_key: new_done, "completed_on": None}))
    completed_on = (
        completion_date(await ledger(current.id, current.type), target(current))
        if status == "done"
        else None
    )
    await Measure.update(
        {
            getattr(Measure, done_key): new_done,
            Measure.status: status,
            Measure.completed_on: completed_on,
            Measure.version: current.version + 1,
            Measure.updated_at: datetime.now(UTC),
        }
    ).where(Measure.id == current.id)
    return status


async def create_execution(
    principal: Principal, measure_id: int, entry: ExecutionCreate, ip: str = ""
) -> ExecutionOut:
    """Record an execution; 422 when it would exceed what remains (nothing is stored)."""
    data = given(entry)
    field = UNIT_FIELD["vnd"]
    try:
        async with unit_of_work() as work:
            # The measure, its case and the lock on the measure in one statement: what is
            # checked below is what the entry is added to.
            current, case = await measure_in_case(principal, measure_id, lock=True)
            if case.status == "cancelled":
                raise Conflict(
                    "A closed or cancelled case cannot be changed.", code="case_finished"
                )
            errors = Errors()
            on = required_date(data, "date", errors)
            if on is not None:
                problem = execution_date_problem(on, case.row.announced_on, clock.today())
                if problem is not None:
                    errors["date"] = problem
            document_no = text(data, "document_no", errors, max_length=64) or ""
            note = text(data, "note", errors, max_length=2000) or ""
            errors.raise_if_any()
            unit = measure_unit(current.type)
            field, amount = _quantity(unit, data)
            await ensure_case_write(principal, case.row, "execution.create")
            if current.status == "written_off" or case.status in FINISHED_STATUSES:
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
            ).returning(*STORED_FIELDS)
            status = await _book_progress(current, unit, new_done)
            # A new entry is nobody's reversal yet: what was stored is the whole answer.
            created = _out({**rows[0], "concluded_on": case.row.concluded_on})
            await audit.record(
                "create",
                actor=principal,
                entity_type="execution",
                entity_id=created.id,
                agency_id=case.agency_id,
                after={
                    **audit.snapshot(created),
                    "measure_status": status,
                    "measure_done": new_done,
                },
                ip=ip,
            )
            await work.totals_changed(case.agency_id, [on, *lifecycle_dates(case.row)])
    except Exception as exc:
        if is_check_violation(exc):
            raise InvalidInput({field: EXCEEDS}) from None
        raise
    return created


ALREADY_REVERSED = "This entry was already reversed."
REVERSAL_OF_REVERSAL = "A reversal cannot be reversed; record the execution again instead."


async def reverse_execution(
    principal: Principal,
    execution_id: int,
    request: ExecutionReversal,
    ip: str = "",
    approved: Approved | None = None,
    version: int | None = None,
) -> PendingOnly | ExecutionOut:
    """Cancel an execution by a negative entry that cites it; nothing is deleted.

    ``request``: its ``date`` (from the entry's date to today; today when absent) and
    ``reason``. The reversal waits for a second person's approval (domain.approvals): the
    answer is then the pending request; ``approved`` books it, on its own date, so that the
    periods already reported keep their figures and the period of the reversal shows it.
    ``version`` is the measure's version read when asking: a measure changed since is 409.
    """
    original = await get_execution(principal, execution_id)
    scoped = await measure_row(principal, original.measure_id)
    row = scoped.measure
    case = await visible_case(principal, row.inspection_id)
    await ensure_case_write(principal, case, "execution.reverse")
    if original.reverses is not None:
        raise Conflict(REVERSAL_OF_REVERSAL, code="reversal_of_reversal")
    if original.reversed_by is not None:
        raise Conflict(ALREADY_REVERSED, code="already_reversed")
    if row.status == "written_off" or scoped.case_status in FINISHED_STATUSES:
        raise Conflict(
            "This measure was written off; nothing more can be recorded.", code="written_off"
        )
    errors = Errors()
    on = clock.today() if request.date is None else request.date
    problem = reversal_date_problem(on, original.date, clock.today())
    if problem is not None:
        errors["date"] = problem
    reason = approved.reason if approved else ""
    if approved is None:
        try:
            reason = request_reason({"reason": request.reason})
        except InvalidInput as exc:
            errors.update(exc.errors)
    errors.raise_if_any()
    if approved is None:
        pending = await ask(
            principal,
            kind="execution_reversal",
            agency_id=scoped.agency_id,
            inspection_id=row.inspection_id,
            target_id=execution_id,
            target_version=row.version,
            payload={"date": on, "reason": reason},
            summary={
                "measure_id": row.id,
                "executed_on": original.date,
                "amount_vnd": original.amount_vnd,
                "land_m2": original.land_m2,
                "count": original.count,
                "date": on,
            },
            reason=reason,
            ip=ip,
        )
        return PendingOnly(pending_approval=pending)
    unit = measure_unit(row.type)
    amount: int | Decimal = (
        original.amount_vnd
        if unit == "vnd"
        else Decimal(original.land_m2)
        if unit == "m2"
        else original.count
    )
    try:
        async with unit_of_work() as work:
            await lock_row(Measure, row.id)
            stored = await Measure.select(*MEASURE_FIELDS).where(Measure.id == row.id).first()
            assert stored is not None
            current = StoredMeasure.of(stored)
            if version is not None and current.version != version:
                # The measure moved on since the request (another entry, a correction).
                raise stale_version()
            new_done = done(current) - amount
            if new_done < 0:
                raise Conflict(ALREADY_REVERSED, code="already_reversed")
            rows = await Execution.insert(
                Execution(
                    measure=row.id,
                    executed_on=on,
                    amount_vnd=-original.amount_vnd,
                    land_m2=-Decimal(original.land_m2),
                    quantity=-original.count,
                    document_no=original.document_no,
                    note="",
                    reverses=execution_id,
                    reason=reason,
                    created_by=principal.id,
                )
            ).returning(Execution.id)
            status = await _book_progress(current, unit, new_done)
            reversal = await get_execution(principal, rows[0]["id"])
            await audit.record(
                "reverse",
                actor=principal,
                entity_type="execution",
                entity_id=execution_id,
                agency_id=scoped.agency_id,
                before=audit.snapshot(original),
                after={
                    **audit.snapshot(reversal),
                    "measure_status": status,
                    "measure_done": new_done,
                    "approval": approved.audit_note(),
                },
                ip=ip,
            )
            await work.totals_changed(scoped.agency_id, [on, original.date, *lifecycle_dates(case)])
    except Exception as exc:
        if is_unique_violation(exc):
            raise Conflict(ALREADY_REVERSED, code="already_reversed") from None
        raise
    return reversal
