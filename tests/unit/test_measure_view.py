"""The progress bar of a recommendation: the reports' rate, full only once it is done."""

from __future__ import annotations

import pytest

from inspect_app.controllers.case_views import measure_view
from inspect_app.schemas.cases import Measure
from tests.factories import measure_as_shown


def _row(target: int, done: int, status: str) -> Measure:
    return measure_as_shown(
        amount_vnd=target, done_vnd=done, remaining=str(target - done), status=status
    )


@pytest.mark.parametrize(
    ("target", "done", "status", "percent"),
    [
        (1_000_000_000, 0, "open", 0),
        (1_000_000_000, 500_000_000, "partial", 50),
        (1_000_000_000, 994_900_000, "partial", 99),  # 99.49 % -> 99.5 -> 99
        (1_000_000_000, 999_600_000, "partial", 99),  # 99.96 % rounds to 100.0: not full yet
        (1_000_000_000, 1_000_000_000, "done", 100),
        (0, 0, "done", 100),  # a measure with no amount, done
        (0, 0, "open", 0),
    ],
)
def test_the_bar_is_full_only_when_done(target: int, done: int, status: str, percent: int) -> None:
    shown = measure_view(_row(target, done, status))
    assert shown["percent"] == percent
    assert shown["left"] == target - done
