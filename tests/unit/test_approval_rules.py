"""Four-eyes, the case's own roles and reversals at their edges (domain.approvals,
domain.permissions.case_permits, domain.records)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from inspect_app.domain import approvals
from inspect_app.domain.permissions import case_permits, case_role
from inspect_app.domain.records import completion_date, reversal_date_problem

D = date


# ----------------------------------------------------------------- who approves


@pytest.mark.parametrize(
    ("approver", "role", "lead", "expected"),
    [
        (1, "head", None, approvals.OWN_REQUEST),  # the requester, whatever their role
        (2, "head", 2, None),  # a head approves even on a case they lead
        (3, "lead", None, None),  # a lead of no case here: the lead of another case
        (3, "lead", 3, approvals.LEAD_OF_CASE),
        (4, "inspector", None, approvals.NOT_APPROVER),
        (4, "inspector", 4, approvals.NOT_APPROVER),  # the inspector leading it is no approver
        (5, "viewer", None, approvals.NOT_APPROVER),
        (6, "admin", None, approvals.NOT_APPROVER),
    ],
)
def test_who_may_approve(approver: int, role: str, lead: int | None, expected: str | None) -> None:
    problem = approvals.approver_problem(
        approver_id=approver, approver_role=role, requester_id=1, case_lead_id=lead
    )
    assert problem == expected


def test_only_the_requester_withdraws() -> None:
    kwargs = {"role": "head", "requester_id": 7, "case_lead_id": None}
    assert approvals.decision_problem("withdraw", user_id=7, **kwargs) is None
    assert approvals.decision_problem("withdraw", user_id=8, **kwargs) == approvals.ONLY_REQUESTER
    assert approvals.decision_problem("reject", user_id=7, **kwargs) == approvals.OWN_REQUEST
    assert approvals.decision_problem("reject", user_id=8, **kwargs) is None


# ----------------------------------------------------------------- what waits


@pytest.mark.parametrize(
    ("kind", "amount", "threshold", "expected"),
    [
        ("admin_fine", 500_000_000, 500_000_000, False),  # at the threshold
        ("admin_fine", 500_000_001, 500_000_000, True),  # one đồng above
        ("admin_fine", 10**15, 0, False),  # no threshold set
        ("recover_money", 900_000_000, 500_000_000, False),  # not a fine
        ("admin_fine", 1, 0, False),
    ],
)
def test_a_fine_waits_only_strictly_above_the_threshold(
    kind: str, amount: int, threshold: int, expected: bool
) -> None:
    assert approvals.fine_needs_approval(kind, amount, threshold) is expected


def _correction(**changes: object) -> bool:
    values: dict[str, object] = {
        "type_before": "recover_money",
        "type_after": "recover_money",
        "target_before": 1_000_000_000,
        "target_after": 1_000_000_000,
        "amount_before": 1_000_000_000,
        "amount_after": 1_000_000_000,
        "threshold_vnd": 0,
    }
    values.update(changes)
    return approvals.correction_needs_approval(**values)  # type: ignore[arg-type]


def test_a_correction_waits_when_it_reduces_what_is_owed() -> None:
    assert _correction(target_after=999_999_999) is True  # one đồng less
    assert _correction() is False  # only the deadline or the words changed
    assert _correction(target_after=1_000_000_001) is False  # more is owed
    land = {"type_before": "recover_land", "type_after": "recover_land"}
    assert _correction(**land, target_before=Decimal("10.00"), target_after=Decimal("9.99"))
    people = {"type_before": "discipline", "type_after": "discipline"}
    assert _correction(**people, target_before=3, target_after=2) is True


def test_a_change_of_unit_waits_unless_nothing_was_owed() -> None:
    assert _correction(type_after="recover_land", target_after=Decimal("5.00")) is True
    assert _correction(type_after="policy", target_after=0) is True
    assert _correction(type_before="policy", target_before=0, target_after=5) is False
    # Same unit, other type: money to recover becomes another financial measure.
    assert _correction(type_after="other_financial") is False


def test_raising_a_fine_above_the_threshold_waits() -> None:
    fine = {"type_before": "admin_fine", "type_after": "admin_fine", "threshold_vnd": 500}
    raised = {"amount_before": 400, "amount_after": 501, "target_before": 400}
    assert _correction(**fine, **raised, target_after=501) is True
    at = {"amount_before": 400, "amount_after": 500, "target_before": 400, "target_after": 500}
    assert _correction(**fine, **at) is False
    # Recording a fine's type on a money measure already above the threshold also waits.
    assert (
        _correction(
            type_after="admin_fine", amount_after=1_000, target_after=1_000, threshold_vnd=500
        )
        is True
    )


# ----------------------------------------------------------------- the case's own roles


def test_the_place_in_the_team() -> None:
    assert case_role(1, 1, frozenset({2})) == "lead"
    assert case_role(2, 1, frozenset({2})) == "member"
    assert case_role(3, 1, frozenset({2})) is None
    assert case_role(3, None, frozenset()) is None


@pytest.mark.parametrize(
    ("role", "on_case", "permission", "expected"),
    [
        ("inspector", None, "read", True),
        ("inspector", None, "finding.edit", False),
        ("inspector", None, "execution.create", False),
        ("inspector", "member", "finding.edit", True),
        ("inspector", "member", "execution.create", True),
        ("inspector", "member", "measure.write_off", False),
        ("inspector", "member", "execution.reverse", False),
        ("inspector", "lead", "measure.write_off", True),
        ("inspector", "lead", "execution.reverse", True),
        ("inspector", "lead", "inspection.delete", True),
        ("lead", None, "execution.reverse", True),  # leads act by their role
        ("viewer", "member", "finding.edit", False),  # a viewer on a team changes nothing
        ("head", None, "measure.write_off", True),
    ],
)
def test_what_the_team_may_do(
    role: str, on_case: str | None, permission: str, expected: bool
) -> None:
    assert case_permits(role, permission, on_case) is expected


# ----------------------------------------------------------------- reversals


def test_a_reversal_is_dated_from_the_entry_to_today() -> None:
    entry, today = D(2026, 4, 10), D(2026, 8, 3)
    assert reversal_date_problem(D(2026, 4, 9), entry, today) is not None  # the day before
    assert reversal_date_problem(entry, entry, today) is None  # the same day
    assert reversal_date_problem(today, entry, today) is None
    assert reversal_date_problem(D(2026, 8, 4), entry, today) is not None  # tomorrow
    assert "10/04/2026" in str(reversal_date_problem(D(2026, 4, 9), entry, today).values)  # type: ignore[union-attr]


def test_completion_after_a_reversal_is_the_day_the_target_was_reached_again() -> None:
    target = 100
    paid = [(D(2026, 2, 10), 40), (D(2026, 7, 20), 60)]
    assert completion_date(paid, target) == D(2026, 7, 20)
    reversed_ = [*paid, (D(2026, 8, 3), -40)]
    assert completion_date(reversed_, target) is None
    assert completion_date([*reversed_, (D(2026, 8, 10), 40)], target) == D(2026, 8, 10)
    # Reversing what was above... the target reached the day the last entry took it there.
    assert completion_date(
        [(D(2026, 1, 5), 100), (D(2026, 1, 5), -100), (D(2026, 1, 9), 100)], target
    ) == D(2026, 1, 9)


def test_edges_the_mutation_run_asked_for() -> None:
    fine = {"type_before": "admin_fine", "type_after": "admin_fine", "threshold_vnd": 500}
    # A fine already above the threshold, its words corrected: nothing more is owed.
    same = {"amount_before": 600, "amount_after": 600, "target_before": 600, "target_after": 600}
    assert _correction(**fine, **same) is False
    # One person to discipline moved to a policy recommendation: what was owed goes.
    assert _correction(
        type_before="discipline", type_after="policy", target_before=1, target_after=0
    )
    # A threshold of one đồng is a threshold.
    assert approvals.fine_needs_approval("admin_fine", 2, 1) is True
    # The case's lead may not approve, even a head's-role check aside.
    lead_refused = approvals.decision_problem(
        "approve", user_id=3, role="lead", requester_id=1, case_lead_id=3
    )
    assert lead_refused == approvals.LEAD_OF_CASE


def test_entries_of_one_day_count_in_the_order_they_were_recorded() -> None:
    # Paid and reversed the same day: not completed (sorted by amount it would be).
    assert completion_date([(D(2026, 5, 4), 100), (D(2026, 5, 4), -100)], 100) is None
    assert completion_date([(D(2026, 5, 4), -0), (D(2026, 5, 4), 100)], 100) == D(2026, 5, 4)


def test_a_recommendation_turned_into_a_fine_above_the_threshold_waits() -> None:
    # A policy recommendation (nothing to count) made a fine of 9 tỷ: owed nothing before,
    # so only the threshold can stop it.
    turned = {"type_before": "policy", "type_after": "admin_fine", "threshold_vnd": 500}
    assert _correction(
        **turned, target_before=0, target_after=501, amount_before=0, amount_after=501
    )
    assert not _correction(
        **turned, target_before=0, target_after=500, amount_before=0, amount_after=500
    )
