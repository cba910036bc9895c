"""A property test of the ledger: random payments typed in any order of their dates,
reversals and corrections of the target, through the services and four-eyes approvals.

Hypothesis draws the plans (derandomized, so a failure is reproduced by the same run); each
plan runs against the real database and then, whatever was accepted or refused:

- what is done is the sum of the ledger (reversals negative), never above the target and
  never below zero;
- the completion date is the day the ledger, read in date order, reached the target for good;
- the quarters' "recovered in the period" add up to the 6M, 9M and year figures;
- the stored totals, refreshed from the markers the writes left, equal a live recomputation
  (``inspect-app totals check`` is clean).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspect_app.domain.periods import parse_period
from inspect_app.domain.records import completion_date
from inspect_app.errors import Conflict, InvalidInput
from inspect_app.schemas.approvals import ApprovalDecision, ExecutionReversal
from inspect_app.schemas.cases import ExecutionCreate, MeasureUpdate
from inspect_app.services import approvals, executions, measures, totals
from jobs.totals import check_totals, refresh_dirty_totals
from models.tables import Approval, Execution, Measure
from tests.factories import concluded_case, make_measure, make_subject, make_user

pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]

UNIT = 10_000_000  # amounts are drawn in tens of millions of đồng
FIRST_DAY = date(2026, 1, 12)  # the case's announcement (tests/factories.concluded_case)
LAST_DAY = date(2026, 11, 30)  # before today, inside 2026

day = st.integers(0, (LAST_DAY - FIRST_DAY).days).map(lambda n: FIRST_DAY + timedelta(days=n))
operation = st.one_of(
    st.tuples(st.just("pay"), day, st.integers(1, 6)),
    st.tuples(st.just("reverse"), st.integers(0, 7), st.integers(0, 60)),
    st.tuples(st.just("correct"), st.integers(1, 12), st.just(0)),
)
plan = st.tuples(st.integers(1, 10), st.lists(operation, min_size=3, max_size=10))


def _draw_plans(count: int) -> list[tuple[int, list[tuple[str, Any, int]]]]:
    """``count`` plans drawn by Hypothesis (no database here: it only generates)."""
    drawn: list[tuple[int, list[tuple[str, Any, int]]]] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(plan)
    def collect(example: tuple[int, list[tuple[str, Any, int]]]) -> None:
        drawn.append(example)

    collect()
    return drawn[:count]


async def _approve_pending(answer: Any, head: Any) -> None:
    pending = answer.pending_approval
    if pending:
        await approvals.decide(
            head.principal,
            pending.id,
            ApprovalDecision(decision="approve", version=pending.version),
        )


async def _run(plan_: tuple[int, list[tuple[str, Any, int]]], world: dict[str, Any]) -> int:
    target_units, steps = plan_
    lead, head = world["lead"], world["head"]
    measure = await make_measure(lead, world["case"], amount_vnd=target_units * UNIT)
    paid: list[int] = []
    for kind, first, second in steps:
        try:
            if kind == "pay":
                entry = await executions.create_execution(
                    lead.principal,
                    measure["id"],
                    ExecutionCreate(date=first, amount_vnd=second * UNIT),
                )
                paid.append(entry.id)
            elif kind == "reverse" and paid:
                original = await executions.get_execution(lead.principal, paid[first % len(paid)])
                on = min(original.date + timedelta(days=second), LAST_DAY)
                answer = await executions.reverse_execution(
                    lead.principal, original.id, ExecutionReversal(date=on, reason="Nộp nhầm")
                )
                await _approve_pending(answer, head)
            elif kind == "correct":
                current = await measures.get_measure(lead.principal, measure["id"])
                answer = await measures.update_measure(
                    lead.principal,
                    measure["id"],
                    MeasureUpdate(
                        version=current.version,
                        amount_vnd=first * UNIT,
                        reason="Đính chính số liệu",
                    ),
                )
                await _approve_pending(answer, head)
        except (InvalidInput, Conflict):
            pass  # refused as the rules say: nothing was written
    return int(measure["id"])


async def _check_measure(measure_id: int) -> None:
    row = await Measure.select().where(Measure.id == measure_id).first()
    assert row is not None
    entries = (
        await Execution.select(Execution.executed_on, Execution.amount_vnd)
        .where(Execution.measure == measure_id)
        .order_by(Execution.id)
    )
    ledger = [(e["executed_on"], e["amount_vnd"]) for e in entries]
    done = sum(amount for _, amount in ledger)
    assert row["done_vnd"] == done
    assert 0 <= done <= row["amount_vnd"]
    # Read in date order, the running sum never goes below zero either.
    running = 0
    for _, amount in sorted(ledger, key=lambda entry: entry[0]):
        running += amount
        assert running >= 0, ledger
    expected_status = "done" if done >= row["amount_vnd"] else ("partial" if done else "open")
    assert row["status"] == expected_status, (row, ledger)
    expected_completion = (
        completion_date(ledger, row["amount_vnd"]) if expected_status == "done" else None
    )
    assert row["completed_on"] == expected_completion, (row, ledger)


async def _recovered(agency_id: int, code: str) -> int:
    counters = await totals.live_totals(agency_id, parse_period(code))
    return int(counters["implementation"]["recovered_vnd"])


@pytest.fixture
async def world(people: dict[str, Any]) -> dict[str, Any]:
    return {
        **people,
        "case": await concluded_case(people["lead"], [await make_subject()]),
        "head": await make_user(people["tree"]["P"], "head"),
    }


async def test_the_ledger_holds_whatever_the_order_of_payments_reversals_and_corrections(
    world: dict[str, Any],
) -> None:
    agency_id = world["tree"]["A"]["id"]
    for plan_ in _draw_plans(40):
        measure_id = await _run(plan_, world)
        await _check_measure(measure_id)
    # The plans did reach the rules under test: reversals booked, targets corrected.
    reversals = await Execution.count().where(Execution.reverses.is_not_null())
    corrected = await Approval.count().where(
        (Approval.kind == "measure_update") & (Approval.status == "approved")
    )
    assert reversals >= 3 and corrected >= 3, (reversals, corrected)
    quarters = [await _recovered(agency_id, f"2026-Q{n}") for n in range(1, 5)]
    assert sum(quarters[:2]) == await _recovered(agency_id, "2026-6M")
    assert sum(quarters[:3]) == await _recovered(agency_id, "2026-9M")
    assert sum(quarters) == await _recovered(agency_id, "2026-Y")
    # Every write left the markers of the periods it touched: refreshed from them alone, the
    # stored totals equal a live recomputation.
    await refresh_dirty_totals(None)
    assert await check_totals() == []
