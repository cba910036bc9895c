"""The reminder ladder: which rung applies on which day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from inspect_app.domain.reminders import (
    InvalidLadder,
    Ladder,
    follow_up_state,
    ladder_rungs,
    rungs_due,
)

DUE = date(2026, 3, 20)
DEFAULT = Ladder("conclusion")


def names_on(day: date, ladder: Ladder = DEFAULT) -> list[str]:
    return [rung.name for rung in rungs_due(ladder, DUE, day)]


def test_default_ladder_fires_5_and_1_days_before_then_overdue_and_escalation() -> None:
    assert [(r.fires_on, r.name, r.kind) for r in ladder_rungs(DEFAULT, DUE)] == [
        (date(2026, 3, 15), "remind_5", "reminder"),
        (date(2026, 3, 19), "remind_1", "reminder"),
        (date(2026, 3, 21), "overdue", "overdue"),
        (date(2026, 3, 27), "escalate", "escalation"),
    ]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 14), []),
        (date(2026, 3, 15), ["remind_5"]),
        (date(2026, 3, 18), ["remind_5"]),
        (date(2026, 3, 19), ["remind_1"]),
        (date(2026, 3, 20), ["remind_1"]),
        (date(2026, 3, 21), ["overdue"]),
        (date(2026, 3, 26), ["overdue"]),
        (date(2026, 3, 27), ["overdue", "escalate"]),
        (date(2026, 6, 1), ["overdue", "escalate"]),
    ],
)
def test_rungs_due_on_each_day_of_the_default_ladder(day: date, expected: list[str]) -> None:
    assert names_on(day) == expected


def test_a_missed_reminder_is_not_sent_late_once_overtaken() -> None:
    # Nothing ran between the 14th and the 19th: only the 1-day reminder goes out.
    assert names_on(date(2026, 3, 19)) == ["remind_1"]
    # Nothing ran until after the due day: no reminder at all, the overdue rung speaks.
    assert names_on(date(2026, 3, 22)) == ["overdue"]


def test_custom_ladder_with_a_reminder_on_the_due_day() -> None:
    ladder = Ladder("measure", remind_days=(10, 0), overdue_after_days=3, escalate_after_days=14)
    assert names_on(date(2026, 3, 10), ladder) == ["remind_10"]
    assert names_on(date(2026, 3, 20), ladder) == ["remind_0"]
    assert names_on(date(2026, 3, 22), ladder) == []
    assert names_on(date(2026, 3, 23), ladder) == ["overdue"]
    assert names_on(date(2026, 4, 3), ladder) == ["overdue", "escalate"]


def test_ladder_without_reminders_and_an_inactive_ladder() -> None:
    silent = Ladder("directive", remind_days=())
    assert names_on(date(2026, 3, 19), silent) == []
    assert names_on(date(2026, 3, 21), silent) == ["overdue"]
    off = Ladder("directive", active=False)
    assert names_on(date(2026, 3, 30), off) == []


def test_each_day_from_5_before_to_7_after_adds_exactly_the_expected_new_rungs() -> None:
    sent: set[str] = set()
    new_by_day = {}
    for offset in range(-5, 8):
        day = DUE + timedelta(days=offset)
        new = [name for name in names_on(day) if name not in sent]
        sent.update(new)
        if new:
            new_by_day[offset] = new
    assert new_by_day == {-5: ["remind_5"], -1: ["remind_1"], 1: ["overdue"], 7: ["escalate"]}


@pytest.mark.parametrize(
    ("remind", "overdue", "escalate", "field"),
    [
        ((5, -1), 1, 7, "remind_days"),
        ((5, 5), 1, 7, "remind_days"),
        ((400,), 1, 7, "remind_days"),
        ((5, 1), 0, 7, "overdue_after_days"),
        ((5, 1), 8, 7, "escalate_after_days"),
    ],
)
def test_inconsistent_ladders_are_refused_naming_the_setting(
    remind: tuple[int, ...], overdue: int, escalate: int, field: str
) -> None:
    with pytest.raises(InvalidLadder) as caught:
        Ladder(
            "onsite", remind_days=remind, overdue_after_days=overdue, escalate_after_days=escalate
        )
    assert str(caught.value) == field


def test_follow_up_state_uses_the_soon_window() -> None:
    assert follow_up_state(DUE, date(2026, 3, 21), 5) == "overdue"
    assert follow_up_state(DUE, date(2026, 3, 20), 5) == "due_soon"
    assert follow_up_state(DUE, date(2026, 3, 15), 5) == "due_soon"
    assert follow_up_state(DUE, date(2026, 3, 14), 5) == "open"


def test_watch_window_catches_up_a_weekend_but_not_old_deadlines() -> None:
    from inspect_app.domain.reminders import due_days_to_watch

    ladder = Ladder("measure")
    today = date(2026, 3, 27)
    owed = due_days_to_watch(ladder, today, 3)
    # Due 20/03: escalation fires today, the overdue notice of 21/03 comes with it.
    assert [rung.name for rung in owed[date(2026, 3, 20)]] == ["overdue", "escalate"]
    # Due 23/03: overdue since 24/03, within the three days.
    assert [rung.name for rung in owed[date(2026, 3, 23)]] == ["overdue"]
    # Due 01/04: the 5-day reminder fired today.
    assert [rung.name for rung in owed[date(2026, 4, 1)]] == ["remind_5"]
    # Due 21/03: overdue on 22/03, escalation not before 28/03: nothing fired in the window.
    assert date(2026, 3, 21) not in owed
    # A deadline of ten years ago is never looked at again.
    assert date(2016, 3, 20) not in owed
    assert due_days_to_watch(Ladder("measure", active=False), today, 3) == {}
