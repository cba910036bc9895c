"""The reminder ladder of a deadline: which rung applies on which day.

A ladder has reminder rungs some days before the due day (5 and 1 by default), an overdue
rung some days after it (1) and an escalation rung to the head of the unit later still (7).
Each rung is sent once per deadline and due day; the deadline watch asks
:func:`rungs_due` every time it runs, so a run that was missed (the worker was down on the
day of a rung) is caught up on the next run, and a run repeated on the same day finds
nothing new because the notifications it would create already exist.

A reminder that has been overtaken by a later rung is not sent late: after a missed
5-day reminder, the 1-day reminder is the one that goes out; once the due day has passed,
no reminder goes out at all, the overdue rung speaks instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

# The kinds of notification a rung produces; also Notification.kind.
REMINDER = "reminder"
OVERDUE = "overdue"
ESCALATION = "escalation"

OVERDUE_RUNG = "overdue"
ESCALATION_RUNG = "escalate"

MAX_LADDER_DAYS = 365


class InvalidLadder(ValueError):
    """The ladder settings are inconsistent (the message names the setting)."""


@dataclass(frozen=True)
class Ladder:
    """The reminder settings of one deadline type."""

    deadline_type: str
    remind_days: tuple[int, ...] = (5, 1)
    overdue_after_days: int = 1
    escalate_after_days: int = 7
    active: bool = True

    def __post_init__(self) -> None:
        validate_ladder(self.remind_days, self.overdue_after_days, self.escalate_after_days)

    @property
    def soon_window_days(self) -> int:
        """How many days ahead a deadline counts as "due soon" (the first reminder)."""
        return max(self.remind_days, default=0)


@dataclass(frozen=True, order=True)
class Rung:
    """One step of a ladder for one due day: its name, the kind of notice and its day."""

    fires_on: date
    name: str
    kind: str

    @property
    def escalates(self) -> bool:
        """True when this rung goes to the head of the unit rather than the case team."""
        return self.kind == ESCALATION


def ladder_faults(
    remind_days: Iterable[int], overdue_after_days: int, escalate_after_days: int
) -> list[str]:
    """The fields of a ladder at fault, in form order: reminder days out of bounds or
    repeated, an overdue notice outside 1–365 days, an escalation outside 1–365 days or
    before the overdue notice."""
    days = list(remind_days)
    faults = []
    if any(d < 0 or d > MAX_LADDER_DAYS for d in days) or len(set(days)) != len(days):
        faults.append("remind_days")
    overdue_ok = 1 <= overdue_after_days <= MAX_LADDER_DAYS
    if not overdue_ok:
        faults.append("overdue_after_days")
    # Before the overdue notice only counts against an overdue notice that is itself right.
    if not 1 <= escalate_after_days <= MAX_LADDER_DAYS or (
        overdue_ok and escalate_after_days < overdue_after_days
    ):
        faults.append("escalate_after_days")
    return faults


def validate_ladder(
    remind_days: Iterable[int], overdue_after_days: int, escalate_after_days: int
) -> None:
    """Raise InvalidLadder unless the days are within bounds and escalation follows overdue."""
    faults = ladder_faults(remind_days, overdue_after_days, escalate_after_days)
    if faults:
        raise InvalidLadder(faults[0])


def reminder_rung_name(days_before: int) -> str:
    """The rung name of a reminder ``days_before`` the due day ("remind_5")."""
    return f"remind_{days_before}"


def ladder_rungs(ladder: Ladder, due: date) -> list[Rung]:
    """Every rung of the ladder for a deadline on ``due``, in the order they fire."""
    rungs = [
        Rung(due - timedelta(days=d), reminder_rung_name(d), REMINDER) for d in ladder.remind_days
    ]
    rungs.append(Rung(due + timedelta(days=ladder.overdue_after_days), OVERDUE_RUNG, OVERDUE))
    rungs.append(
        Rung(due + timedelta(days=ladder.escalate_after_days), ESCALATION_RUNG, ESCALATION)
    )
    return sorted(rungs)


def rungs_due(ladder: Ladder, due: date, today: date) -> list[Rung]:
    """The rungs that should have been sent by ``today`` for a deadline still open.

    At most one reminder (the latest that has fired, and only up to the due day), plus the
    overdue and escalation rungs once their day has come. Sending them again is harmless
    to the caller: notifications are unique per rung and due day.
    """
    if not ladder.active:
        return []
    fired = [rung for rung in ladder_rungs(ladder, due) if rung.fires_on <= today]
    reminders = [rung for rung in fired if rung.kind == REMINDER]
    result: list[Rung] = []
    if reminders and today <= due:
        result.append(reminders[-1])
    result += [rung for rung in fired if rung.kind != REMINDER]
    return result


def follow_up_state(due: date, today: date, soon_window_days: int) -> str:
    """'overdue' after the due day, 'due_soon' within the window, 'open' otherwise."""
    if today > due:
        return "overdue"
    if (due - today).days <= soon_window_days:
        return "due_soon"
    return "open"


def due_days_to_watch(ladder: Ladder, today: date, catch_up_days: int) -> dict[date, list[Rung]]:
    """The due days with a rung fired in the last ``catch_up_days`` days, and their rungs due.

    A deadline is looked at when one of its rungs fired within the catch-up window; it then
    gets every rung :func:`rungs_due` gives (a worker down for a weekend still sends the
    overdue notice together with the escalation). Deadlines whose latest rung is older were
    handled when it fired, or predate the window and are not sent as a flood on first start.
    """
    offsets = [-days for days in ladder.remind_days]
    offsets += [ladder.overdue_after_days, ladder.escalate_after_days]
    found: dict[date, list[Rung]] = {}
    for back in range(max(catch_up_days, 0) + 1):
        fired_on = today - timedelta(days=back)
        for offset in offsets:
            due = fired_on - timedelta(days=offset)
            if due not in found:
                rungs = rungs_due(ladder, due, today)
                if rungs:
                    found[due] = rungs
    return dict(sorted(found.items()))
