from __future__ import annotations

from decimal import Decimal

import pytest

from inspect_app.domain.measures import (
    MEASURE_TYPE_LABELS,
    MEASURE_TYPES,
    ExecutionExceedsRemaining,
    check_execution,
    measure_status,
    measure_unit,
    recovery_rate,
    remaining,
    target_of,
)
from inspect_app.i18n import translate


@pytest.mark.parametrize(
    ("measure_type", "unit"),
    [
        ("recover_money", "vnd"),
        ("other_financial", "vnd"),
        ("admin_fine", "vnd"),
        ("confiscation", "vnd"),
        ("recover_land", "m2"),
        ("discipline", "count"),
        ("criminal_referral", "count"),
        ("policy", "none"),
    ],
)
def test_measure_unit(measure_type: str, unit: str) -> None:
    assert measure_unit(measure_type) == unit


def test_unknown_measure_type() -> None:
    with pytest.raises(ValueError, match="Unknown measure type 'bonus'"):
        measure_unit("bonus")


def test_labels() -> None:
    assert set(MEASURE_TYPE_LABELS) == set(MEASURE_TYPES)
    assert [translate(MEASURE_TYPE_LABELS[t], "vi") for t in MEASURE_TYPES] == [
        "Thu hồi về ngân sách nhà nước",
        "Xử lý khác về kinh tế",
        "Thu hồi đất",
        "Xử phạt vi phạm hành chính",
        "Tịch thu",
        "Xử lý kỷ luật / kiểm điểm trách nhiệm",
        "Chuyển cơ quan điều tra",
        "Kiến nghị hoàn thiện cơ chế chính sách",
    ]
    assert all(translate(label, "en") for label in MEASURE_TYPE_LABELS.values())


def test_target_of_each_type() -> None:
    assert target_of("recover_money", amount_vnd=248_500_000) == 248_500_000
    assert target_of("admin_fine", amount_vnd=15_000_000, individuals=2) == 15_000_000
    assert target_of("recover_land", land_m2=Decimal("1250.50")) == Decimal("1250.50")
    assert target_of("discipline", collectives=2, individuals=3) == 5
    assert target_of("criminal_referral", cases=1, persons=3) == 3
    assert target_of("criminal_referral", cases=2) == 2  # no one named yet
    assert target_of("policy", amount_vnd=1_000) == 0


@pytest.mark.parametrize(
    ("target", "done", "written_off", "completed", "status"),
    [
        (100, 0, False, False, "open"),
        (100, 40, False, False, "partial"),
        (100, 100, False, False, "done"),
        (100, 40, True, False, "written_off"),
        (100, 100, True, False, "written_off"),
        (100, 40, False, True, "partial"),  # the flag is for measures with nothing to count
        (Decimal("1250.50"), Decimal("1250.49"), False, False, "partial"),
        (Decimal("1250.50"), Decimal("1250.50"), False, False, "done"),
        (0, 0, False, False, "open"),
        (0, 0, False, True, "done"),
        (0, 0, True, False, "written_off"),
    ],
)
def test_measure_status(
    target: int | Decimal, done: int | Decimal, written_off: bool, completed: bool, status: str
) -> None:
    assert measure_status(target, done, written_off, completed) == status


def test_remaining() -> None:
    assert remaining(100, 40) == 60
    assert remaining(100, 100) == 0
    assert remaining(100, 120) == 0
    assert remaining(Decimal("1250.50"), Decimal("250.25")) == Decimal("1000.25")


def test_execution_adds_to_what_is_done() -> None:
    assert check_execution(248_500_000, 100_000_000, 148_500_000) == 248_500_000
    assert check_execution(Decimal("1250.50"), Decimal("0.00"), Decimal("250.25")) == Decimal(
        "250.25"
    )
    assert check_execution(5, 2, 1) == 3


def test_execution_exceeding_what_remains_is_refused() -> None:
    with pytest.raises(ExecutionExceedsRemaining) as caught:
        check_execution(248_500_000, 100_000_000, 148_500_001)
    assert caught.value.remaining == 148_500_000
    assert isinstance(caught.value, ValueError)
    assert "148500000" in str(caught.value)
    with pytest.raises(ExecutionExceedsRemaining) as caught:
        check_execution(Decimal("10.00"), Decimal("9.50"), Decimal("0.51"))
    assert caught.value.remaining == Decimal("0.50")
    with pytest.raises(ExecutionExceedsRemaining):
        check_execution(0, 0, 1)  # a policy recommendation has nothing to execute


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (0, "more than zero"),
        (-5, "more than zero"),
        (Decimal("-1.00"), "more than zero"),
        (Decimal("0.001"), "two decimal places"),
        (Decimal("NaN"), "two decimal places"),
        (True, "not True"),
        (1.5, "not 1.5"),
    ],
)
def test_invalid_executions(amount: object, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        check_execution(Decimal("100.00"), Decimal("0.00"), amount)  # type: ignore[type-var]
    assert not isinstance(caught.value, ExecutionExceedsRemaining)


def test_recovery_rate() -> None:
    assert recovery_rate(248_500_000, 100_000_000) == Decimal("40.2")
    assert recovery_rate(3, 2) == Decimal("66.7")
    assert recovery_rate(400, 49) == Decimal("12.3")  # 12.25 rounds half-up
    assert recovery_rate(100, 100) == Decimal("100.0")
    assert recovery_rate(Decimal("1250.50"), Decimal("625.25")) == Decimal("50.0")
    assert recovery_rate(0, 0) is None
