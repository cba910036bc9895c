"""The daily digest's rungs of lateness: each reached once, overtaken ones skipped."""

from __future__ import annotations

from datetime import date

import pytest

from inspect_app.domain.digests import DigestLadder, rung_reached, rung_to_list, sections

DEFAULT = DigestLadder()


@pytest.mark.parametrize(
    ("days", "rung"),
    [
        (-3, None),
        (0, None),  # the due day itself is not late
        (1, 1),
        (29, 1),
        (30, 30),
        (59, 30),
        (60, 60),
        (89, 60),
        (90, 90),
        (119, 90),
        (120, 120),  # then every 30 days
        (149, 120),
        (150, 150),
        (365, 360),
    ],
)
def test_the_highest_rung_reached(days: int, rung: int | None) -> None:
    assert rung_reached(days, DEFAULT) == rung


def test_no_repeat_stops_at_the_last_rung() -> None:
    ladder = DigestLadder(rungs=(10, 20), repeat_days=0)
    assert [rung_reached(d, ladder) for d in (9, 10, 19, 20, 500)] == [1, 10, 10, 20, 20]


def test_the_rungs_are_read_in_order_whatever_order_they_are_given() -> None:
    ladder = DigestLadder(rungs=(90, 30, 60), repeat_days=7)
    assert [rung_reached(d, ladder) for d in (30, 60, 96, 97, 104)] == [30, 60, 90, 97, 104]


def test_sections_put_the_newly_overdue_first_then_the_longest_late() -> None:
    assert sections([30, 1, 120, 60, 1]) == [1, 120, 60, 30]
    assert sections([60]) == [60]
    assert sections([]) == []


DUE = date(2026, 3, 20)


@pytest.mark.parametrize(
    ("today", "last_run", "listed"),
    [
        (date(2026, 3, 21), None, 1),  # never run: every item at its rung
        (date(2026, 4, 30), None, 30),
        (date(2026, 3, 21), date(2026, 3, 20), 1),  # became overdue since the last run
        (date(2026, 3, 22), date(2026, 3, 21), None),  # still rung 1: listed yesterday
        (date(2026, 4, 18), date(2026, 4, 17), None),  # day 29
        (date(2026, 4, 19), date(2026, 4, 18), 30),  # day 30 reached today
        (date(2026, 6, 20), date(2026, 4, 19), 90),  # after a gap: the highest rung only
        (date(2026, 4, 19), date(2026, 4, 19), None),  # a second run the same day
        (date(2026, 4, 19), date(2026, 5, 1), None),  # a later day already run
        (date(2026, 3, 20), None, None),  # not late yet
    ],
)
def test_only_a_rung_reached_since_the_last_run_is_listed(
    today: date, last_run: date | None, listed: int | None
) -> None:
    assert rung_to_list(DUE, today, last_run, DEFAULT) == listed
