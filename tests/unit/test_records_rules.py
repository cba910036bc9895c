"""Rules across records (domain/records.py), at their edges."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspect_app.domain import records
from inspect_app.domain.records import (
    Recommendation,
    completion_date,
    during_inspection,
    execution_date_problem,
    recommendation_problems,
)
from inspect_app.i18n import translate

CONCLUDED = date(2026, 3, 20)


def _money(**fields: object) -> Recommendation:
    values: dict[str, object] = {
        "type": "recover_money",
        "description": "Thu hồi về ngân sách",
        "amount_vnd": 1_000_000,
        "due_on": CONCLUDED,
    }
    values.update(fields)
    return Recommendation(**values)  # type: ignore[arg-type]


def test_a_complete_recommendation_has_no_problem() -> None:
    assert recommendation_problems(_money(), CONCLUDED) == {}


@pytest.mark.parametrize(("amount", "ok"), [(0, False), (1, True), (-1, False)])
def test_money_types_need_an_amount_above_zero(amount: int, ok: bool) -> None:
    for kind in ("recover_money", "other_financial", "admin_fine", "confiscation"):
        problems = recommendation_problems(_money(type=kind, amount_vnd=amount), CONCLUDED)
        assert ("amount_vnd" not in problems) is ok, kind


@pytest.mark.parametrize(("area", "ok"), [("0.00", False), ("0.01", True)])
def test_land_needs_an_area_above_zero(area: str, ok: bool) -> None:
    item = _money(type="recover_land", amount_vnd=0, land_m2=Decimal(area))
    assert ("land_m2" not in recommendation_problems(item, CONCLUDED)) is ok


@pytest.mark.parametrize(
    ("collectives", "individuals", "ok"), [(0, 0, False), (1, 0, True), (0, 1, True)]
)
def test_discipline_needs_someone_to_discipline(
    collectives: int, individuals: int, ok: bool
) -> None:
    item = _money(type="discipline", amount_vnd=0, collectives=collectives, individuals=individuals)
    assert ("individuals" not in recommendation_problems(item, CONCLUDED)) is ok


@pytest.mark.parametrize(("cases", "persons", "ok"), [(0, 0, False), (1, 0, True), (0, 2, True)])
def test_a_referral_needs_cases_or_persons(cases: int, persons: int, ok: bool) -> None:
    item = _money(type="criminal_referral", amount_vnd=0, cases=cases, persons=persons)
    assert ("cases" not in recommendation_problems(item, CONCLUDED)) is ok


def test_a_policy_recommendation_needs_no_quantity() -> None:
    assert recommendation_problems(_money(type="policy", amount_vnd=0), CONCLUDED) == {}


@pytest.mark.parametrize("description", ["", "   ", "\n"])
def test_every_recommendation_needs_a_description(description: str) -> None:
    problems = recommendation_problems(_money(description=description), CONCLUDED)
    assert problems == {"description": records.DESCRIPTION_REQUIRED}


@pytest.mark.parametrize(
    ("due", "ok"),
    [
        (CONCLUDED - timedelta(days=1), False),
        (CONCLUDED, True),
        (CONCLUDED + timedelta(days=1), True),
    ],
)
def test_the_deadline_is_on_or_after_the_conclusion(due: date, ok: bool) -> None:
    problems = recommendation_problems(_money(due_on=due), CONCLUDED)
    assert ("due_on" not in problems) is ok
    if not ok:
        message = translate(problems["due_on"], "vi")
        assert message == "Phải từ 20/03/2026, ngày kết luận, trở đi."


def test_a_fine_s_deadline_counts_from_its_decision_when_that_is_later() -> None:
    decided = CONCLUDED + timedelta(days=5)
    fine = _money(type="admin_fine", decision_date=decided, due_on=decided - timedelta(days=1))
    problems = recommendation_problems(fine, CONCLUDED)
    assert translate(problems["due_on"], "vi") == (
        "Phải từ 25/03/2026, ngày ra quyết định xử phạt, trở đi."
    )
    assert (
        recommendation_problems(
            _money(type="admin_fine", decision_date=decided, due_on=decided), CONCLUDED
        )
        == {}
    )


def test_the_deadline_is_required_once_the_case_is_concluded_only() -> None:
    assert recommendation_problems(_money(due_on=None), CONCLUDED) == {
        "due_on": records.DUE_REQUIRED
    }
    assert recommendation_problems(_money(due_on=None), None) == {}


ANNOUNCED = date(2026, 1, 12)
TODAY = date(2026, 12, 5)


@pytest.mark.parametrize(
    ("on", "problem"),
    [
        (
            ANNOUNCED - timedelta(days=1),
            "Phải từ 12/01/2026, ngày công bố quyết định thanh tra, trở đi.",
        ),
        (ANNOUNCED, None),
        (TODAY, None),
        (TODAY + timedelta(days=1), "The date cannot be in the future."),
        (date(1990, 1, 1), "Phải từ 12/01/2026, ngày công bố quyết định thanh tra, trở đi."),
    ],
)
def test_an_execution_is_dated_from_the_announcement_to_today(
    on: date, problem: str | None
) -> None:
    found = execution_date_problem(on, ANNOUNCED, TODAY)
    if problem is None:
        assert found is None
    elif problem.startswith("The date"):
        assert found == records.IN_FUTURE
    else:
        assert found is not None and translate(found, "vi") == problem


def test_no_execution_before_the_case_is_announced() -> None:
    assert execution_date_problem(TODAY, None, TODAY) == records.NOT_ANNOUNCED


@pytest.mark.parametrize(
    ("on", "during"),
    [
        (CONCLUDED - timedelta(days=1), True),
        (CONCLUDED, False),
        (CONCLUDED + timedelta(days=1), False),
    ],
)
def test_money_recovered_before_the_conclusion_is_recovered_during_the_inspection(
    on: date, during: bool
) -> None:
    assert during_inspection(on, CONCLUDED) is during
    assert during_inspection(on, None) is True


def test_completion_is_the_date_the_ledger_in_date_order_reached_the_target() -> None:
    # Entered in this order: 60 triệu dated 20/07, then 40 triệu dated 10/02.
    ledger = [(date(2026, 7, 20), 60_000_000), (date(2026, 2, 10), 40_000_000)]
    assert completion_date(ledger, 100_000_000) == date(2026, 7, 20)
    assert completion_date(ledger, 100_000_001) is None
    assert completion_date(ledger, 40_000_000) == date(2026, 2, 10)
    assert completion_date(ledger, 0) is None
    assert completion_date([], 1) is None


@given(
    st.lists(
        st.tuples(st.dates(date(2025, 1, 1), date(2026, 12, 31)), st.integers(1, 10**9)),
        min_size=1,
        max_size=12,
    ),
    st.integers(1, 5 * 10**9),
)
def test_completion_does_not_depend_on_the_order_of_entry(
    ledger: list[tuple[date, int]], target: int
) -> None:
    forwards = completion_date(ledger, target)
    backwards = completion_date(list(reversed(ledger)), target)
    assert forwards == backwards
    reached = sum(amount for on, amount in ledger if forwards and on <= forwards)
    if forwards is None:
        assert sum(amount for _, amount in ledger) < target
    else:
        assert reached >= target
        assert sum(amount for on, amount in ledger if on < forwards) < target


def test_money_to_recover_above_its_finding_needs_a_reason_from_one_dong_above() -> None:
    from inspect_app.domain.records import excess_over_finding

    finding = 1_250_000_000
    assert not excess_over_finding("recover_money", finding, finding)  # equal: no reason
    assert excess_over_finding("recover_money", finding + 1, finding)  # one đồng above
    assert not excess_over_finding("recover_money", finding - 1, finding)
    assert not excess_over_finding("admin_fine", 9_000_000_000, finding)  # not a recovery
    assert excess_over_finding("recover_money", 1, 0)  # a finding of no money


def test_only_a_fine_counts_from_its_decision_the_conclusion_named_on_its_day() -> None:
    later = CONCLUDED + timedelta(days=5)
    # A recovery with a decision of its own still counts from the conclusion.
    recovery = _money(decision_date=later, due_on=CONCLUDED + timedelta(days=1))
    assert recommendation_problems(recovery, CONCLUDED) == {}
    # A fine decided on the conclusion's day: the message names the conclusion.
    same_day = _money(
        type="admin_fine", decision_date=CONCLUDED, due_on=CONCLUDED - timedelta(days=1)
    )
    assert translate(recommendation_problems(same_day, CONCLUDED)["due_on"], "vi") == (
        "Phải từ 20/03/2026, ngày kết luận, trở đi."
    )


def test_a_dip_below_the_target_within_a_day_is_read_in_the_order_recorded() -> None:
    day0, day1 = date(2026, 4, 1), date(2026, 5, 4)
    # Done on 01/04; on 04/05 +50 then −50 recorded: it never went below, still 01/04.
    assert records.completion_date([(day0, 100), (day1, 50), (day1, -50)], 100) == day0
