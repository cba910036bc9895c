"""When a unit's report is due to the agency above, and how it stands on a day."""

from __future__ import annotations

from datetime import date

import pytest

from inspect_app.domain import submissions as rules
from inspect_app.domain.periods import parse_period


@pytest.mark.parametrize(
    ("code", "due"),
    [
        ("2026-Q1", date(2026, 3, 20)),
        ("2026-Q2", date(2026, 6, 20)),
        ("2026-6M", date(2026, 6, 20)),
        ("2026-9M", date(2026, 9, 20)),
        ("2026-Q4", date(2026, 12, 20)),
        ("2026-Y", date(2026, 12, 20)),
    ],
)
def test_the_legal_default_is_the_20th_of_the_period_s_last_month(code: str, due: date) -> None:
    assert rules.due_on(parse_period(code)) == due


def test_each_kind_of_report_has_its_own_days() -> None:
    days = rules.validate_due_days({"Q": 2, "Y": 0})
    assert days == {"Q": 2, "6M": 6, "9M": 6, "Y": 0}
    assert rules.due_on(parse_period("2026-Q3"), days) == date(2026, 9, 16)
    # The 6-month report ends with Q2 but keeps its own setting.
    assert rules.due_on(parse_period("2026-6M"), days) == date(2026, 6, 20)
    assert rules.due_on(parse_period("2026-Y"), days) == date(2026, 12, 14)


@pytest.mark.parametrize(
    "bad", [{"Q": -1}, {"Q": 61}, {"M": 3}, {"6M": True}, {"9M": "5"}, {"Y": 2.0}]
)
def test_due_days_out_of_range_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(rules.InvalidDueDays):
        rules.validate_due_days(bad)  # type: ignore[arg-type]
    assert rules.validate_due_days({"Q": 60})["Q"] == 60


def test_a_report_is_on_time_on_the_due_day_and_late_the_day_after() -> None:
    due = date(2026, 3, 20)
    assert rules.standing(due, date(2026, 3, 20), date(2026, 4, 1)).state == rules.ON_TIME
    late = rules.standing(due, date(2026, 3, 21), date(2026, 4, 1))
    assert late.state == rules.LATE and late.submitted and late.is_late
    # Not submitted: waiting up to the due day, overdue from the day after.
    waiting = rules.standing(due, None, date(2026, 3, 20))
    assert waiting.state == rules.WAITING and not waiting.submitted and not waiting.is_late
    assert rules.standing(due, None, date(2026, 3, 21)).state == rules.OVERDUE


def test_the_watch_finds_the_periods_due_on_a_day() -> None:
    days = dict(rules.DEFAULT_DUE_DAYS)
    assert rules.periods_due_on(date(2026, 3, 20), days) == [parse_period("2026-Q1")]
    assert rules.periods_due_on(date(2026, 3, 19), days) == []
    assert [p.code for p in rules.periods_due_on(date(2026, 12, 20), days)] == [
        "2026-Q4",
        "2026-Y",
    ]
    # The year's report due on its last day, into the next report year's first days.
    assert rules.periods_due_on(date(2026, 12, 14), {**days, "Y": 0}) == [parse_period("2026-Y")]
    assert rules.periods_due_on(date(2027, 1, 3), {**days, "Q": 20}) == [parse_period("2026-Q4")]


def test_the_report_ladder_form_reads_the_due_days_and_refuses_other_digits() -> None:
    from inspect_app.forms.admin import ladder_change
    from inspect_app.services.ladder_settings import ladder_errors

    form = {"remind_days": "5, 1", "overdue_after_days": "1", "escalate_after_days": "7"}
    change, unread = ladder_change(
        {**form, "due_Q": "6", "due_6M": "0", "due_9M": "60", "due_Y": "10"}, "report"
    )
    assert unread == {} and ladder_errors(change, "report") == {}
    assert change.due_days == {"Q": 6, "6M": 0, "9M": 60, "Y": 10}
    change, unread = ladder_change(
        {**form, "due_Q": "²", "due_6M": "61", "due_9M": "-1", "due_Y": ""}, "report"
    )
    # Not whole numbers: unread; 61 is one, past the bound: the rule's.
    assert set(unread) == {"due_Q", "due_9M", "due_Y"}
    assert set(ladder_errors(change, "report")) == {"due_Q", "due_6M", "due_9M", "due_Y"}
    _, unread = ladder_change({**form, "overdue_after_days": "١"}, "measure")
    assert set(unread) == {"overdue_after_days"}


def test_the_ladder_rules_name_every_field_at_their_bounds() -> None:
    from inspect_app.services.ladder_settings import LadderChange, ladder_errors

    def errors(deadline_type: str = "measure", **fields: object) -> dict[str, str]:
        values: dict[str, object] = {
            "version": 1,
            "remind_days": (5, 1),
            "overdue_after_days": 1,
            "escalate_after_days": 7,
            "active": True,
        }
        return dict(ladder_errors(LadderChange(**{**values, **fields}), deadline_type))  # type: ignore[arg-type]

    assert errors() == {}
    assert errors(remind_days=(365, 0), overdue_after_days=365, escalate_after_days=365) == {}
    assert set(errors(remind_days=(366,))) == {"remind_days"}
    assert set(errors(remind_days=(5, 5))) == {"remind_days"}
    assert set(errors(overdue_after_days=0)) == {"overdue_after_days"}
    assert errors(escalate_after_days=366) == {
        "escalate_after_days": "Enter a whole number of days from 1 to 365."
    }
    # The escalation on the overdue notice's day is allowed; a day before it is not.
    assert errors(overdue_after_days=7, escalate_after_days=7) == {}
    assert errors(overdue_after_days=7, escalate_after_days=6) == {
        "escalate_after_days": "Escalation cannot come before the overdue notice."
    }
    # The digest's rungs start on the second day after the due day.
    assert errors("digest", remind_days=(30, 2)) == {}
    assert set(errors("digest", remind_days=(30, 1))) == {"remind_days"}
    assert set(errors("digest", remind_days=())) == {"remind_days"}
    # An overdue notice out of bounds is its own problem, not the escalation's.
    assert errors(overdue_after_days=400, escalate_after_days=7) == {
        "overdue_after_days": "Enter a whole number of days from 1 to 365."
    }
    # Every problem at once.
    assert set(errors(remind_days=(1, 1), overdue_after_days=0, escalate_after_days=0)) == {
        "remind_days",
        "overdue_after_days",
        "escalate_after_days",
    }
