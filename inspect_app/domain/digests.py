"""The daily follow-up digest: which rung of lateness an overdue item has reached.

Every morning each head and lead receives what went wrong in their scope, and each
inspector what went wrong on their own cases: the items that became overdue, and the items
that have now been overdue for 30, 60 or 90 days (the rungs an admin sets), and after the
last rung once every 30 days (the repeat an admin sets). An item appears once per rung: a
digest lists an item on the day it reaches a rung it has not been listed at yet. A digest
that was missed (the worker was down) is caught up by the next one, which lists the highest
rung reached and skips the ones overtaken, as the reminder ladder does.

Rung 1 is "became overdue": the first day after the due day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

NEWLY_OVERDUE = 1
DEFAULT_RUNGS = (30, 60, 90)
DEFAULT_REPEAT_DAYS = 30
# The units with the most money left that a head's digest names.
TOP_UNITS = 5
# At most this many items are written out per section; the rest are counted.
SECTION_MAX_ITEMS = 30


@dataclass(frozen=True)
class DigestLadder:
    """The rungs of lateness (days after the due day) and the repeat after the last one."""

    rungs: tuple[int, ...] = DEFAULT_RUNGS
    repeat_days: int = DEFAULT_REPEAT_DAYS
    active: bool = True


def rung_reached(days_overdue: int, ladder: DigestLadder) -> int | None:
    """The highest rung an item ``days_overdue`` days late has reached (None before the due
    day has passed).

    With rungs 30, 60, 90 and a repeat of 30: 1 for 1–29 days, 30 for 30–59, 60 for 60–89,
    90 for 90–119, then 120, 150, … A repeat of 0 stops at the last rung.
    """
    if days_overdue < 1:
        return None
    reached = [rung for rung in sorted(set(ladder.rungs)) if 1 < rung <= days_overdue]
    if not reached:
        return NEWLY_OVERDUE
    last = max(ladder.rungs)
    if days_overdue >= last and ladder.repeat_days > 0:
        return last + (days_overdue - last) // ladder.repeat_days * ladder.repeat_days
    return reached[-1]


def rung_to_list(
    due_on: date, today: date, last_run: date | None, ladder: DigestLadder
) -> int | None:
    """The rung to list an item due on ``due_on`` at today's digest, or None.

    Only a rung reached since the last complete run (``last_run``) is new: an item at the
    same rung as then was listed then (the entries' uniqueness guards the rest). Without a
    last run every item is listed at its rung; a second run the same day lists nothing.
    """
    rung = rung_reached((today - due_on).days, ladder)
    if rung is None or last_run is None:
        return rung
    if last_run >= today:
        return None
    return None if rung_reached((last_run - due_on).days, ladder) == rung else rung


def sections(rungs: Sequence[int]) -> list[int]:
    """The digest's sections in the order it prints them: newly overdue first, then the
    longest late (the rungs actually present)."""
    present = set(rungs)
    older = sorted((rung for rung in present if rung != NEWLY_OVERDUE), reverse=True)
    return ([NEWLY_OVERDUE] if NEWLY_OVERDUE in present else []) + older
