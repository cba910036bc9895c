"""The legal clock: when each step of an inspection is due.

The steps are the end of on-site work, the result report, the conclusion, its publication and
the directive to implement it.

Counting rules
--------------
- The inspection duration runs from the day the decision is announced, that day included, to
  the last day of on-site work, included: 45 calendar days announced on 01/03/2026 end on
  14/04/2026. When the decision counts working days, the announcement day counts if it is a
  working day, and weekends and public holidays are skipped. Extensions add their days to the
  duration, in the same unit.
- Every other deadline ("within N days after X") starts on the day after X, as the Civil Code
  (art. 147) counts periods, in calendar days: a conclusion signed on 10/05 is to be published
  by 20/05 when the rule is 10 days. The Civil Code (art. 148) also moves a deadline that ends
  on a weekend or holiday to the next working day; that is applied only when
  ``DeadlineRules.roll_to_working_day`` is set, so by default the dates are the plain counts.
- Days of a suspension are not counted. A suspension covers ``start`` up to ``end`` excluded:
  the clock stops on ``start`` and runs again on ``end``, the resume date. Every deadline whose
  counting window overlaps a suspension moves by the suspended days, and while on-site work has
  not ended the later deadlines are counted from the moved on-site due date, so they move too.
  While a suspension is open (no resume date yet) those deadlines are unknown: None.
- The report and the conclusion are counted from the actual end of on-site work once it is
  recorded, else from the on-site due date; publication and the directive from the conclusion.

Every number is a field of ``DeadlineRules`` so that an administrator can follow the law.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from inspect_app.domain.holidays import HolidayCalendar, default_calendar
from inspect_app.domain.messages import N_

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class DeadlineRules:
    """The legal time limits, in days; defaults are those of a provincial inspectorate."""

    report_days: int = 15  # result report, after on-site work ends
    # Draft (about 20 days) plus appraisal and signing (15 days), after on-site work ends.
    conclusion_days: int = 35
    publication_days: int = 10  # after the conclusion is signed
    # The law counts from receipt of the conclusion, which is not recorded: signing stands in.
    directive_days: int = 15
    suspension_max_days: int = 30  # one suspension, calendar days
    default_duration_days: int = 45  # offered when a decision is drafted
    roll_to_working_day: bool = False  # Civil Code art. 148, see the module docstring


@dataclass(frozen=True)
class Suspension:
    """A suspension decision: the clock stops on ``start`` and runs again on ``end``."""

    start: date
    end: date | None  # the resume date, not suspended itself; None while still suspended

    def __post_init__(self) -> None:
        if self.end is not None and self.end <= self.start:
            raise ValueError(
                f"The resume date {self.end:%d/%m/%Y} must be after the suspension start "
                f"{self.start:%d/%m/%Y}."
            )

    def covers(self, d: date) -> bool:
        """True when the clock is stopped on ``d``."""
        return self.start <= d and (self.end is None or d < self.end)


@dataclass(frozen=True)
class ClockInput:
    """What the clock needs to know about one inspection."""

    announced_on: date | None
    duration_days: int
    working_days: bool
    extension_days: tuple[int, ...] = ()
    suspensions: tuple[Suspension, ...] = ()
    onsite_ended_on: date | None = None
    concluded_on: date | None = None
    published_on: date | None = None
    directive_on: date | None = None
    reported_on: date | None = None


@dataclass(frozen=True)
class Deadlines:
    """The due dates of one inspection; None when not yet known."""

    onsite_due: date | None
    report_due: date | None
    conclusion_due: date | None
    publication_due: date | None
    directive_due: date | None


def count_forward(
    start: date,
    days: int,
    *,
    working_days: bool,
    calendar: HolidayCalendar,
    suspensions: Sequence[Suspension] = (),
    include_start: bool,
) -> date | None:
    """The day on which ``days`` counted days are reached, or None while a suspension is open."""
    if days < 1:
        raise ValueError(f"A time limit must be at least one day, not {days}.")
    day = start if include_start else start + _ONE_DAY
    if not working_days and not suspensions:
        # Calendar days and nothing stopped them: the last one counted is plain arithmetic.
        return day + timedelta(days=days - 1)
    counted = 0
    while True:
        stopped = next((s for s in suspensions if s.covers(day)), None)
        if stopped is not None:
            if stopped.end is None:
                return None
            day = stopped.end
            continue
        if not working_days or calendar.is_working_day(day):
            counted += 1
            if counted == days:
                return day
        day += _ONE_DAY


def compute_deadlines(
    inp: ClockInput,
    rules: DeadlineRules = DeadlineRules(),
    calendar: HolidayCalendar | None = None,
) -> Deadlines:
    """Every due date of an inspection, from what has happened so far."""
    if inp.announced_on is None:
        return Deadlines(None, None, None, None, None)
    calendar = calendar or default_calendar()

    def after(event_on: date | None, days: int) -> date | None:
        if event_on is None:
            return None
        due = count_forward(
            event_on,
            days,
            working_days=False,
            calendar=calendar,
            suspensions=inp.suspensions,
            include_start=False,
        )
        if due is not None and rules.roll_to_working_day and not calendar.is_working_day(due):
            due = calendar.add_working_days(due, 1)
        return due

    onsite_due = count_forward(
        inp.announced_on,
        inp.duration_days + sum(inp.extension_days),
        working_days=inp.working_days,
        calendar=calendar,
        suspensions=inp.suspensions,
        include_start=True,
    )
    onsite_end = inp.onsite_ended_on or onsite_due
    return Deadlines(
        onsite_due=onsite_due,
        report_due=after(onsite_end, rules.report_days),
        conclusion_due=after(onsite_end, rules.conclusion_days),
        publication_due=after(inp.concluded_on, rules.publication_days),
        directive_due=after(inp.concluded_on, rules.directive_days),
    )


def overdue_steps(inp: ClockInput, deadlines: Deadlines, today: date) -> list[str]:
    """Names of the steps past their due day and not yet done, in the order of the case."""
    # A conclusion issued without a separate result report settles the report too.
    reported_on = inp.reported_on or inp.concluded_on
    steps = [
        ("onsite", deadlines.onsite_due, inp.onsite_ended_on),
        ("report", deadlines.report_due, reported_on),
        ("conclusion", deadlines.conclusion_due, inp.concluded_on),
        ("publication", deadlines.publication_due, inp.published_on),
        ("directive", deadlines.directive_due, inp.directive_on),
    ]
    return [step for step, due, done_on in steps if is_overdue(due, done_on, today)]


def days_left(due: date | None, today: date) -> int | None:
    """Days from ``today`` to ``due``: 0 on the due day, negative once it has passed."""
    return None if due is None else (due - today).days


def is_overdue(due: date | None, done_on: date | None, today: date) -> bool:
    """True when the step is not done and its due day has passed."""
    return due is not None and done_on is None and today > due


def suspended_days(suspensions: Sequence[Suspension], until: date) -> int:
    """How many days up to and including ``until`` the clock was stopped (overlaps once)."""
    if not suspensions:
        return 0
    first = min(s.start for s in suspensions)
    days = (first + timedelta(days=i) for i in range((until - first).days + 1))
    return sum(1 for d in days if any(s.covers(d) for s in suspensions))


def latest_resume_date(start: date, rules: DeadlineRules = DeadlineRules()) -> date:
    """The last allowed resume date of a suspension starting on ``start``."""
    return start + timedelta(days=rules.suspension_max_days)


RESUME_NOT_AFTER_START = N_("The resume date must be after the suspension start.")
SUSPENSION_TOO_LONG = N_("A suspension may last at most 30 days.")


def resume_problem(start: date, end: date, rules: DeadlineRules = DeadlineRules()) -> str | None:
    """Why a suspension started on ``start`` cannot end on ``end`` (a message id), or None:
    the work resumes after the day it stopped, at most ``suspension_max_days`` later."""
    if end <= start:
        return RESUME_NOT_AFTER_START
    if (end - start).days > rules.suspension_max_days:
        return SUSPENSION_TOO_LONG
    return None


def validate_suspension(
    start: date, end: date | None, rules: DeadlineRules = DeadlineRules()
) -> None:
    """Raise ValueError when a suspension ends before it starts or lasts longer than allowed."""
    if end is None:
        return
    problem = resume_problem(start, end, rules)
    if problem == RESUME_NOT_AFTER_START:
        raise ValueError(
            f"The resume date {end:%d/%m/%Y} must be after the suspension start {start:%d/%m/%Y}."
        )
    length = (end - start).days
    if problem == SUSPENSION_TOO_LONG:
        raise ValueError(
            f"A suspension may last at most {rules.suspension_max_days} days; "
            f"{start:%d/%m/%Y} to {end:%d/%m/%Y} is {length} days "
            f"(resume by {latest_resume_date(start, rules):%d/%m/%Y} at the latest)."
        )
