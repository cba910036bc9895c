"""Rules across records: what a recommendation needs, when an execution may be dated, and
when a recommendation was carried out in full.

Pure functions over plain values, used by the services for the pages and the API alike (one
call, one answer). A rule answers with problems keyed by the field at fault, each a message
id bound to the values it names (a date, dd/mm/yyyy), or with nothing when the record holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from inspect_app.domain.formatting import format_date
from inspect_app.domain.measures import measure_unit
from inspect_app.domain.messages import N_, bound, lazy

# Money is whole đồng from 1 to 10^15 (a thousand trillion: above any recovery on record,
# far below what BIGINT sums of a province can hold).
MAX_VND = 10**15

AMOUNT_REQUIRED = N_("Enter the amount this recommendation recovers, more than zero.")
LAND_REQUIRED = N_("Enter the area this recommendation recovers, more than zero.")
PEOPLE_REQUIRED = N_("Enter how many collectives or individuals are to be disciplined.")
REFERRAL_REQUIRED = N_("Enter how many cases or persons are referred.")
DESCRIPTION_REQUIRED = N_("Describe what is recommended.")
DUE_REQUIRED = N_("Enter the deadline set by the conclusion.")
DUE_BEFORE_BASE = N_("Must be on or after {date}, the date of {what}.")
CONCLUSION = N_("the conclusion")
FINE_DECISION = N_("the fine decision")
NOT_ANNOUNCED = N_("The case has not been announced: nothing can be carried out yet.")
BEFORE_ANNOUNCEMENT = N_("Must be on or after {date}, the announcement of the case.")
IN_FUTURE = N_("The date cannot be in the future.")
EXCESS_REASON_REQUIRED = N_(
    "This asks to recover {asked}, more than the {found} of the finding it is linked to: "
    "give the reason."
)
REVERSAL_BEFORE_ENTRY = N_("Must be on or after {date}, the date of the entry it cancels.")


# Field -> message id (bound to the values it names, see ``domain.messages.bound``).
Problems = dict[str, str]


@dataclass(frozen=True)
class Recommendation:
    """The parts of a recommendation its rules look at."""

    type: str
    description: str = ""
    amount_vnd: int = 0
    land_m2: Decimal = Decimal("0.00")
    collectives: int = 0
    individuals: int = 0
    cases: int = 0
    persons: int = 0
    due_on: date | None = None
    decision_date: date | None = None  # the fine decision, for an administrative fine


def recommendation_problems(item: Recommendation, concluded_on: date | None) -> Problems:
    """What a recommendation lacks for its type, and a deadline before its base date.

    Money, fine and confiscation types need an amount above zero, land an area, discipline
    a number of collectives or individuals, a referral a number of cases or persons; every
    type a description. Once the case is concluded the deadline is required, and it may not
    fall before the conclusion (for a fine, before the fine decision when that is later).
    """
    problems: Problems = {}
    unit = measure_unit(item.type)
    if unit == "vnd" and item.amount_vnd <= 0:
        problems["amount_vnd"] = AMOUNT_REQUIRED
    elif unit == "m2" and item.land_m2 <= 0:
        problems["land_m2"] = LAND_REQUIRED
    elif item.type == "discipline" and item.collectives + item.individuals <= 0:
        problems["individuals"] = PEOPLE_REQUIRED
    elif item.type == "criminal_referral" and item.cases + item.persons <= 0:
        problems["cases"] = REFERRAL_REQUIRED
    if not item.description.strip():
        problems["description"] = DESCRIPTION_REQUIRED
    base, what = concluded_on, CONCLUSION
    fine_decided = item.decision_date if item.type == "admin_fine" else None
    if fine_decided is not None and (base is None or fine_decided > base):
        base, what = fine_decided, FINE_DECISION
    if item.due_on is None:
        if concluded_on is not None:
            problems["due_on"] = DUE_REQUIRED
    elif base is not None and item.due_on < base:
        problems["due_on"] = bound(DUE_BEFORE_BASE, date=format_date(base), what=lazy(what))
    return problems


def execution_date_problem(on: date, announced_on: date | None, today: date) -> str | None:
    """An execution is dated from the case's announcement to today, both included."""
    if on > today:
        return IN_FUTURE
    if announced_on is None:
        return NOT_ANNOUNCED
    if on < announced_on:
        return bound(BEFORE_ANNOUNCEMENT, date=format_date(announced_on))
    return None


def during_inspection(on: date, concluded_on: date | None) -> bool:
    """True for money recovered during the inspection (thu hồi trong quá trình thanh tra):
    carried out before the conclusion was signed, or while there is none yet."""
    return concluded_on is None or on < concluded_on


def completion_date(
    ledger: Iterable[tuple[date, int | Decimal]], target: int | Decimal
) -> date | None:
    """The date on which the ledger, read in date order, reached ``target`` for good.

    Entries of the same date keep the order they were recorded in. A reversal (a negative
    entry) that takes the sum back below the target undoes the completion; the date is then
    the one on which the sum reached the target again. ``None`` while the sum is below the
    target, and for a target of zero (nothing to count).
    """
    if target <= 0:
        return None
    total: int | Decimal = 0
    reached: date | None = None
    for on, amount in sorted(ledger, key=lambda entry: entry[0]):
        total += amount
        if total < target:
            reached = None
        elif reached is None:
            reached = on
    return reached


def reversal_date_problem(on: date, original_on: date, today: date) -> str | None:
    """A reversal is dated from the day of the entry it cancels to today, both included.

    It is booked on its own date (the periods already reported keep their figures) and
    never before the entry it cancels, so that the ledger read in date order never goes
    below zero.
    """
    if on > today:
        return IN_FUTURE
    if on < original_on:
        return bound(REVERSAL_BEFORE_ENTRY, date=format_date(original_on))
    return None


def excess_over_finding(
    measure_type: str, linked_recoveries_vnd: int, finding_amount_vnd: int
) -> bool:
    """True when the money to recover linked to a finding (this recommendation and the other
    live ones) is above what the finding found: such a recommendation states why."""
    return measure_type == "recover_money" and linked_recoveries_vnd > finding_amount_vnd
