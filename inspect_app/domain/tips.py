"""Tips (phản ánh, kiến nghị, khiếu nại, tố cáo): kinds, channels, outcomes, deadlines, codes.

Pure rules, no database. A tip arrives through a channel (the public form, the hotline, the
feedback box, a letter, in person, or forwarded by another body) and is one of three kinds.
The receiving agency then decides once what becomes of it:

- ``accepted``: a new ad-hoc inspection is opened from it (origin and link kept both ways);
- ``attached``: it joins an inspection already under way;
- ``forwarded``: it goes to the competent body, with the number of the covering letter;
- ``rejected``: not taken up, with the reason.

Handling deadlines run on the legal clock of the cases (``domain.clock.count_forward``,
with the holiday calendar), from the day after the tip was received. The defaults follow
the laws that govern each kind (docs/tips.md): a denunciation is checked and accepted or
refused within 7 working days (Luật Tố cáo 2018, art. 29), a complaint within 10 days
(Luật Khiếu nại 2011, art. 27), a report or recommendation (phản ánh, kiến nghị) within 10
days (Luật Tiếp công dân 2013, art. 28). ``TIP_DUE_DAYS`` overrides them; a ``w`` after the
number counts working days (``denunciation=7w,complaint=10,feedback=10``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from inspect_app.domain.clock import count_forward
from inspect_app.domain.holidays import HolidayCalendar
from inspect_app.domain.messages import N_
from inspect_app.domain.text import ascii_digits

TipKind = Literal["feedback", "complaint", "denunciation"]
TipChannel = Literal["web", "hotline", "feedback_box", "letter", "in_person", "forwarded"]
TipStatus = Literal["received", "accepted", "attached", "forwarded", "rejected"]

KINDS: tuple[TipKind, ...] = ("feedback", "complaint", "denunciation")
CHANNELS: tuple[TipChannel, ...] = (
    "web",
    "hotline",
    "feedback_box",
    "letter",
    "in_person",
    "forwarded",
)
STAFF_CHANNELS: tuple[TipChannel, ...] = CHANNELS[1:]
STATUSES: tuple[TipStatus, ...] = ("received", "accepted", "attached", "forwarded", "rejected")
OUTCOMES: tuple[TipStatus, ...] = STATUSES[1:]

KIND_LABELS: dict[str, str] = {
    "feedback": N_("Report or recommendation (phản ánh, kiến nghị)"),
    "complaint": N_("Complaint (khiếu nại)"),
    "denunciation": N_("Denunciation (tố cáo)"),
}
CHANNEL_LABELS: dict[str, str] = {
    "web": N_("Public form"),
    "hotline": N_("Hotline"),
    "feedback_box": N_("Feedback box"),
    "letter": N_("Letter"),
    "in_person": N_("In person"),
    "forwarded": N_("Forwarded by another body"),
}
STATUS_LABELS: dict[str, str] = {
    "received": N_("Received"),
    "accepted": N_("Turned into an inspection"),
    "attached": N_("Joined to an inspection under way"),
    "forwarded": N_("Forwarded to the competent body"),
    "rejected": N_("Not taken up"),
}


@dataclass(frozen=True)
class TimeLimit:
    """A handling time limit: so many days, counted as working days or calendar days."""

    days: int
    working_days: bool = False


DEFAULT_DUE_DAYS: dict[str, TimeLimit] = {
    "feedback": TimeLimit(10),
    "complaint": TimeLimit(10),
    "denunciation": TimeLimit(7, working_days=True),
}

# Tracking codes: 10 characters from 31 that cannot be mistaken for one another (no 0/O,
# 1/I/L): 31**10 ≈ 8 × 10^14 codes, so guessing one is out of reach.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10

# Abuse limits of the public form.
PUBLIC_LIMIT = 10  # tips from one address
PUBLIC_WINDOW = timedelta(hours=1)  # within this long
MAX_FILES = 5


class IllegalDecision(ValueError):
    """A decision on a tip that has already been decided."""


def new_code() -> str:
    """An unguessable tracking code ("7KQ2M9XHTA")."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str | None:
    """A code as typed (spaces, lower case) in canonical form; None when it cannot be one."""
    code = "".join(raw.split()).upper()
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def parse_due_days(raw: str | None) -> dict[str, TimeLimit]:
    """``TIP_DUE_DAYS`` ("denunciation=7w,complaint=10") over the defaults; ValueError names
    what is wrong."""
    limits = dict(DEFAULT_DUE_DAYS)
    for part in (raw or "").split(","):
        if not part.strip():
            continue
        kind, _, value = part.partition("=")
        kind, value = kind.strip(), value.strip().lower()
        working = value.endswith("w")
        number = value[:-1] if working else value
        if kind not in DEFAULT_DUE_DAYS or not ascii_digits(number) or not 1 <= int(number) <= 365:
            raise ValueError(
                f"TIP_DUE_DAYS: {part.strip()!r} is not <kind>=<1..365 days>[w for working days]."
            )
        limits[kind] = TimeLimit(int(number), working)
    return limits


def handling_due(
    kind: str, received_on: date, limits: dict[str, TimeLimit], calendar: HolidayCalendar
) -> date:
    """The last day on which a tip may be decided: its kind's days counted from the day
    after it was received, on the legal clock (working days skip weekends and holidays)."""
    limit = limits[kind]
    due = count_forward(
        received_on,
        limit.days,
        working_days=limit.working_days,
        calendar=calendar,
        include_start=False,
    )
    assert due is not None  # no suspension: always a day
    return due


def origin_source(kind: str, channel: str) -> str:
    """The origin source of a case opened from a tip (Inspection.origin_source): the kind
    for a complaint or a denunciation, else the hotline or feedback box it came through."""
    if kind in ("complaint", "denunciation"):
        return kind
    if channel in ("hotline", "feedback_box"):
        return channel
    return "other"


def decide(status: str, outcome: str) -> str:
    """The status after a decision; only a received tip can be decided, once."""
    if outcome not in OUTCOMES:
        raise IllegalDecision(f"Unknown outcome {outcome!r}.")
    if status != "received":
        raise IllegalDecision("This tip has already been decided.")
    return outcome


def identity_visible(kind: str, role: str, is_handler: bool) -> bool:
    """Whether a staff member may see who filed a tip.

    A denouncer's identity is protected by law (Luật Tố cáo 2018, art. 47): only the officer
    handling the tip and the head see it. Other tips' contacts are seen by the staff who may
    triage them (leads and heads) and by the handler.
    """
    if kind == "denunciation":
        return is_handler or role == "head"
    return is_handler or role in ("lead", "head")


def over_limit(recent: list[datetime], now: datetime) -> bool:
    """True when an address already sent PUBLIC_LIMIT tips within PUBLIC_WINDOW of ``now``."""
    return sum(1 for at in recent if now - at < PUBLIC_WINDOW) >= PUBLIC_LIMIT


@dataclass(frozen=True)
class PublicView:
    """What the public status page shows: the status and its dates, nothing else."""

    code: str
    status: str
    received_on: date
    decided_on: date | None
