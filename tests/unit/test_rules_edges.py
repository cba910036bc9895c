"""Rules of the legal clock, periods, measures, reminders and lifecycle at their edges, with
the exact messages people read."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from inspect_app.domain.clock import (
    ClockInput,
    DeadlineRules,
    Suspension,
    compute_deadlines,
    validate_suspension,
)
from inspect_app.domain.lifecycle import (
    IllegalTransition,
    TransitionContext,
    next_status,
    status_label,
)
from inspect_app.domain.measures import measure_status, target_of
from inspect_app.domain.periods import (
    InvalidPeriod,
    Period,
    parse_period,
    period_choices,
)
from inspect_app.domain.reminders import (
    InvalidLadder,
    Ladder,
    due_days_to_watch,
    validate_ladder,
)
from inspect_app.i18n import translate

# --------------------------------------------------------------------------- legal clock


def test_a_suspension_must_resume_after_the_day_it_starts() -> None:
    with pytest.raises(
        ValueError,
        match=r"^The resume date 02/03/2026 must be after the suspension start 02/03/2026\.$",
    ):
        Suspension(date(2026, 3, 2), date(2026, 3, 2))
    assert Suspension(date(2026, 3, 2), date(2026, 3, 3)).covers(date(2026, 3, 2))


def test_a_suspension_after_on_site_work_moves_the_report_and_conclusion_too() -> None:
    ended = date(2026, 3, 11)
    plain = ClockInput(date(2026, 3, 2), 10, False, onsite_ended_on=ended)
    suspended = ClockInput(
        date(2026, 3, 2),
        10,
        False,
        onsite_ended_on=ended,
        suspensions=(Suspension(date(2026, 3, 13), date(2026, 3, 16)),),
    )
    # 15 days after 11/03 is 26/03; three suspended days (13-15/03) make it 29/03.
    assert compute_deadlines(plain).report_due == date(2026, 3, 26)
    assert compute_deadlines(suspended).report_due == date(2026, 3, 29)
    assert compute_deadlines(suspended).conclusion_due == date(2026, 4, 18)


def test_the_longest_suspension_is_named_with_the_rules_in_force() -> None:
    rules = DeadlineRules(suspension_max_days=10)
    with pytest.raises(ValueError) as refused:
        validate_suspension(date(2026, 3, 2), date(2026, 3, 13), rules)
    assert str(refused.value) == (
        "A suspension may last at most 10 days; 02/03/2026 to 13/03/2026 is 11 days "
        "(resume by 12/03/2026 at the latest)."
    )
    validate_suspension(date(2026, 3, 2), date(2026, 3, 12), rules)


# --------------------------------------------------------------------------- periods


def test_period_messages_name_the_kinds_and_years() -> None:
    with pytest.raises(InvalidPeriod) as kind:
        Period(2026, "Q5")
    assert str(kind.value) == "Unknown period kind 'Q5': use one of Q1, Q2, Q3, Q4, 6M, 9M, Y."
    with pytest.raises(InvalidPeriod) as year:
        Period(1989, "Q1")
    assert str(year.value) == "Report year 1989 is outside 1990–2100."
    assert Period(1990, "Q1").year == 1990 and Period(2100, "Y").year == 2100
    with pytest.raises(InvalidPeriod) as code:
        parse_period("2026-H1")
    assert str(code.value) == (
        "Unknown period '2026-H1': write YEAR-KIND with KIND one of Q1, Q2, Q3, Q4, 6M, 9M, Y, "
        "e.g. 2026-Q1."
    )


def test_a_period_contains_its_first_and_last_day() -> None:
    q2 = parse_period("2026-Q2")
    assert q2.contains(date(2026, 3, 15)) and q2.contains(date(2026, 6, 14))
    assert not q2.contains(date(2026, 3, 14)) and not q2.contains(date(2026, 6, 15))


def test_short_labels_are_vietnamese_by_default() -> None:
    assert parse_period("2026-9M").short_label() == "9 tháng/2026"
    assert parse_period("2026-9M").short_label("en") == "9M/2026"
    with pytest.raises(ValueError, match=r"^Unsupported language 'fr': use 'vi' or 'en'\.$"):
        parse_period("2026-Y").short_label("fr")


def test_period_choices_cover_five_report_years_within_the_supported_ones() -> None:
    years = {p.year for p in period_choices(date(2026, 7, 1))}
    assert years == {2022, 2023, 2024, 2025, 2026}
    assert {p.year for p in period_choices(date(1990, 12, 20), years=3)} == {1990, 1991}
    assert 2100 in {p.year for p in period_choices(date(2100, 6, 1), years=1)}
    with pytest.raises(ValueError, match=r"^Offer at least one year, not 0\.$"):
        period_choices(date(2026, 7, 1), years=0)


# --------------------------------------------------------------------------- measures


def test_a_measure_counts_nothing_it_was_not_given() -> None:
    assert target_of("recover_money") == 0
    assert target_of("discipline", individuals=2) == 2
    assert target_of("discipline", collectives=1) == 1
    assert target_of("criminal_referral") == 0
    assert target_of("criminal_referral", persons=3) == 3


def test_one_unit_done_makes_a_measure_partial() -> None:
    assert measure_status(5, 1, False) == "partial"
    assert measure_status(5, 0, False) == "open"
    # Nothing to count: open until completed is said.
    assert measure_status(0, 0, False) == "open"
    assert measure_status(0, 0, False, completed=True) == "done"


# --------------------------------------------------------------------------- reminders


def test_ladder_bounds_are_inclusive() -> None:
    validate_ladder([0, 365], 365, 365)
    validate_ladder([5, 1], 1, 1)
    for days, overdue, escalate, field in [
        ([366], 1, 7, "remind_days"),
        ([-1], 1, 7, "remind_days"),
        ([5], 366, 366, "overdue_after_days"),
        ([5], 7, 6, "escalate_after_days"),
        ([5], 7, 366, "escalate_after_days"),
    ]:
        with pytest.raises(InvalidLadder) as refused:
            validate_ladder(days, overdue, escalate)
        assert str(refused.value) == field


def test_without_catch_up_only_todays_rungs_are_watched() -> None:
    ladder = Ladder("measure", remind_days=(1,), overdue_after_days=1, escalate_after_days=3)
    today = date(2026, 3, 20)
    # Today: the reminder of a deadline due tomorrow, the overdue notice of one due
    # yesterday, the escalation of one due three days ago. Nothing fired yesterday is looked
    # at again.
    assert set(due_days_to_watch(ladder, today, 0)) == {
        today + timedelta(days=1),
        today - timedelta(days=1),
        today - timedelta(days=3),
    }
    assert set(due_days_to_watch(ladder, today, -2)) == set(due_days_to_watch(ladder, today, 0))
    assert len(due_days_to_watch(ladder, today, 1)) == 6


# --------------------------------------------------------------------------- lifecycle


@pytest.mark.parametrize(
    ("status", "event", "ctx", "code", "reason", "reason_vi"),
    [
        ("archived", "close", TransitionContext(), "unknown_status",
         "Unknown status 'archived'.", "Trạng thái không hợp lệ: 'archived'."),
        ("onsite", "reopen", TransitionContext(), "unknown_event",
         "Unknown event 'reopen'.", "Thao tác không hợp lệ: 'reopen'."),
        ("concluded", "publish", TransitionContext(published=True), "already_published",
         "The conclusion has already been published.", "Kết luận đã được công khai."),
        ("concluded", "direct", TransitionContext(directed=True), "already_directed",
         "The directive to implement the conclusion has already been issued.",
         "Đã có văn bản chỉ đạo thực hiện kết luận."),
    ],
)  # fmt: skip
def test_refusals_say_why_in_both_languages(
    status: str, event: str, ctx: TransitionContext, code: str, reason: str, reason_vi: str
) -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_status(status, event, ctx)
    exc = refused.value
    assert (exc.code, exc.reason, translate(exc.message, "vi", **exc.values)) == (
        code,
        reason,
        reason_vi,
    )


def test_status_labels_are_vietnamese_by_default() -> None:
    assert status_label("closed") == "Đã đóng"
    assert status_label("closed", "en") == "Closed"
