"""The sign-in locks: per address after five failures, per account with a growing delay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from inspect_app.domain.throttling import (
    ADDRESS_WINDOW,
    AccountLockRule,
    address_locked_until,
    minutes_to_wait,
    seconds_until,
)

T0 = datetime(2026, 3, 14, 8, 0, tzinfo=UTC)
RULE = AccountLockRule(
    max_failures=10, base_delay=timedelta(seconds=60), max_delay=timedelta(minutes=30)
)


def test_below_the_threshold_the_account_is_not_locked() -> None:
    assert RULE.delay(9) is None
    assert RULE.locked_until(9, T0) is None
    assert RULE.locked_until(0, None) is None


def test_the_nth_failure_locks_for_the_base_delay_after_the_last_failure() -> None:
    assert RULE.delay(10) == timedelta(seconds=60)
    assert RULE.locked_until(10, T0) == T0 + timedelta(seconds=60)


def test_every_further_failure_doubles_the_delay_up_to_the_maximum() -> None:
    assert [RULE.delay(n) for n in (11, 12, 13)] == [
        timedelta(seconds=120),
        timedelta(seconds=240),
        timedelta(seconds=480),
    ]
    assert RULE.delay(15) == timedelta(minutes=30)
    assert RULE.delay(10_000) == timedelta(minutes=30)


def test_five_failures_from_one_address_lock_it_until_the_fifth_newest_leaves_the_window() -> None:
    failures = [T0 - timedelta(minutes=m) for m in (0, 1, 2, 3, 4)]
    assert address_locked_until(failures[:4]) is None
    assert address_locked_until(failures) == T0 - timedelta(minutes=4) + ADDRESS_WINDOW


def test_waits_are_whole_seconds_and_minutes_rounded_up() -> None:
    assert seconds_until(T0 + timedelta(seconds=59.2), T0) == 60
    assert seconds_until(T0 - timedelta(seconds=5), T0) == 1
    assert minutes_to_wait(60) == 1
    assert minutes_to_wait(61) == 2
    assert minutes_to_wait(1) == 1
