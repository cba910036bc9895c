"""Recommendations (measures) of a conclusion and how far they have been carried out.

Each type of measure is followed in one quantity: money in whole đồng (int), land in m²
(Decimal, two places), people or cases as a count, or nothing for a policy recommendation,
which is done when someone says so. Executions add to what is done and may never exceed the
target: an excess is refused rather than stored, because totals in the reports would
otherwise show more recovered than recommended.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, TypeVar

from inspect_app.domain.messages import N_, pN_

MeasureUnit = Literal["vnd", "m2", "count", "none"]
MeasureStatus = Literal["open", "partial", "done", "written_off"]
Quantity = TypeVar("Quantity", int, Decimal)

MEASURE_TYPES = (
    "recover_money",
    "other_financial",
    "recover_land",
    "admin_fine",
    "confiscation",
    "discipline",
    "criminal_referral",
    "policy",
)
# Names of the types and statuses, as message ids; statuses in the context "measure status",
# since "Open" and "Done" read differently elsewhere (a button, a report's state).
MEASURE_TYPE_LABELS: dict[str, str] = {
    "recover_money": N_("Recover to the state budget"),
    "other_financial": N_("Other financial handling"),
    "recover_land": N_("Recover land"),
    "admin_fine": N_("Administrative fine"),
    "confiscation": N_("Confiscation"),
    "discipline": N_("Disciplinary handling"),
    "criminal_referral": N_("Referral to the investigation agency"),
    "policy": N_("Policy recommendation"),
}
MEASURE_STATUSES: tuple[MeasureStatus, ...] = ("open", "partial", "done", "written_off")
MEASURE_STATUS_LABELS: dict[str, str] = {
    "open": pN_("measure status", "Open"),
    "partial": pN_("measure status", "Partly done"),
    "done": pN_("measure status", "Done"),
    "written_off": pN_("measure status", "Written off"),
}

_UNITS: dict[str, MeasureUnit] = {
    "recover_money": "vnd",
    "other_financial": "vnd",
    "admin_fine": "vnd",
    "confiscation": "vnd",
    "recover_land": "m2",
    "discipline": "count",
    "criminal_referral": "count",
    "policy": "none",
}
_CENT = Decimal("0.01")


class ExecutionExceedsRemaining(ValueError):
    """An execution larger than what remains of the measure; ``remaining`` says how much does."""

    def __init__(self, remaining: int | Decimal) -> None:
        super().__init__(f"The amount exceeds what remains to be carried out ({remaining}).")
        self.remaining = remaining


def measure_unit(measure_type: str) -> MeasureUnit:
    """The quantity a measure type is followed in: vnd, m2, count or none."""
    try:
        return _UNITS[measure_type]
    except KeyError:
        raise ValueError(f"Unknown measure type {measure_type!r}.") from None


def target_of(
    measure_type: str,
    amount_vnd: int = 0,
    land_m2: Decimal = Decimal("0.00"),
    collectives: int = 0,
    individuals: int = 0,
    cases: int = 0,
    persons: int = 0,
) -> int | Decimal:
    """What carrying out the measure in full means, in the measure's unit."""
    unit = measure_unit(measure_type)
    if unit == "vnd":
        return amount_vnd
    if unit == "m2":
        return land_m2
    if measure_type == "discipline":
        return collectives + individuals
    if measure_type == "criminal_referral":
        # Followed per person referred; a case referred before anyone is named counts once.
        return persons or cases
    return 0


def measure_status(
    target: int | Decimal, done: int | Decimal, written_off: bool, completed: bool = False
) -> MeasureStatus:
    """Where the measure stands; with nothing to count (target 0), ``completed`` decides."""
    if written_off:
        return "written_off"
    if target == 0:
        return "done" if completed else "open"
    if done >= target:
        return "done"
    return "partial" if done > 0 else "open"


def remaining(target: Quantity, done: Quantity) -> Quantity:
    """What is left to carry out, never below zero."""
    return target - min(done, target)


def check_execution(target: Quantity, done: Quantity, amount: Quantity) -> Quantity:
    """The new total done after ``amount``; raises ValueError if it is not a valid execution."""
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal):
        raise ValueError(f"An execution is a number of đồng, m² or people, not {amount!r}.")
    if isinstance(amount, Decimal) and (not amount.is_finite() or amount != amount.quantize(_CENT)):
        raise ValueError(f"Land is recorded to two decimal places (0.01 m²), not {amount}.")
    if amount <= 0:
        raise ValueError(f"An execution must be more than zero, not {amount}.")
    left = remaining(target, done)
    if amount > left:
        raise ExecutionExceedsRemaining(left)
    return done + amount


def recovery_rate(target: int | Decimal, done: int | Decimal) -> Decimal | None:
    """Done as a percentage of the target, one decimal place (half-up); None when target is 0."""
    if target == 0:
        return None
    return (Decimal(done) * 100 / Decimal(target)).quantize(Decimal("0.1"), ROUND_HALF_UP)
