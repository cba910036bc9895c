"""Case histories shared by the demo and the bulk generator.

A history is drawn forward from the decision date as it would have happened, then cut at
"today": whatever lies after today has not happened yet, which gives every status its natural
share (old cases concluded or closed, recent ones on site). Deadlines come from the domain's
legal clock and measure statuses from the domain's measure rules, so generated data obeys the
same rules as data entered through the app.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from math import log
from typing import Any
from zoneinfo import ZoneInfo

from inspect_app.domain.clock import (
    ClockInput,
    Deadlines,
    Suspension,
    compute_deadlines,
    count_forward,
)
from inspect_app.domain.holidays import default_calendar
from inspect_app.domain.lifecycle import case_code
from inspect_app.domain.measures import MeasureStatus, measure_status, measure_unit, target_of
from inspect_app.domain.text import fold_vietnamese, searchable_number
from inspect_app.seed import names

# Shares of the histories; the bulk generator uses them as they are, the demo forces some.
P_EXTENSION = 0.12
P_SUSPENSION = 0.02
P_CANCEL = 0.015
P_REPORT = 0.92  # a few cases go straight from the end of on-site work to the conclusion
P_LATE_ONSITE = 0.08
P_PUBLISHED = 0.95
P_DIRECTIVE = 0.85

_DAYS = [timedelta(days=n) for n in range(1000)]
NO_LAND = Decimal("0.00")
_LOG_FINE_MEDIAN = log(15e6)  # administrative fines: median 15 million đồng


def _plus(d: date, days: int) -> date:
    return d + (_DAYS[days] if 0 <= days < 1000 else timedelta(days=days))


@dataclass(slots=True)
class CaseHistory:
    """The dates of one inspection up to today, its status and its clock decisions."""

    status: str
    decision_date: date | None
    duration_days: int
    working_days: bool
    announced_on: date | None = None
    onsite_ended_on: date | None = None
    report_on: date | None = None
    concluded_on: date | None = None
    published_on: date | None = None
    directive_on: date | None = None
    closed_on: date | None = None
    cancelled_on: date | None = None
    # (days, decided on) and (start, resume date or None while suspended).
    extensions: list[tuple[int, date]] = field(default_factory=list)
    suspensions: list[tuple[date, date | None]] = field(default_factory=list)

    def clock_input(self) -> ClockInput:
        """What the legal clock needs, exactly as the app would pass it from the stored rows."""
        return ClockInput(
            announced_on=self.announced_on,
            duration_days=self.duration_days,
            working_days=self.working_days,
            extension_days=tuple(days for days, _ in self.extensions),
            suspensions=tuple(Suspension(start, end) for start, end in self.suspensions),
            onsite_ended_on=self.onsite_ended_on,
            concluded_on=self.concluded_on,
            published_on=self.published_on,
            directive_on=self.directive_on,
        )

    def deadlines(self) -> Deadlines:
        """The stored deadlines: the domain clock applied to the stored dates."""
        return compute_deadlines(self.clock_input())

    def last_event_on(self) -> date | None:
        """The date of the latest thing that happened (for updated_at)."""
        dates = [
            self.decision_date,
            self.announced_on,
            self.onsite_ended_on,
            self.report_on,
            self.concluded_on,
            self.published_on,
            self.directive_on,
            self.closed_on,
            self.cancelled_on,
        ]
        dates += [d for _, d in self.extensions]
        dates += [d for s in self.suspensions for d in s if d is not None]
        known = [d for d in dates if d is not None]
        return max(known) if known else None


def simulate_case(
    rng: random.Random,
    decided_on: date,
    today: date,
    *,
    duration_days: int,
    working_days: bool,
    p_extension: float = P_EXTENSION,
    p_suspension: float = P_SUSPENSION,
    p_cancel: float = P_CANCEL,
    suspend_on: date | None = None,
    cancel: bool = False,
) -> CaseHistory:
    """The history of a case decided on ``decided_on``, as far as it has got by ``today``.

    ``suspend_on`` forces a suspension starting that day and ``cancel`` a cancellation, so that
    the demo can show those rarer states; ``closed`` is decided later by :func:`close_case`,
    once the measures are known.
    """
    history = CaseHistory("draft", decided_on, duration_days, working_days)
    announced = _plus(decided_on, rng.randint(2, 10))
    cancel_on = _plus(decided_on, rng.randint(1, 60)) if cancel or rng.random() < p_cancel else None

    def happened(d: date | None) -> bool:
        return d is not None and d <= today and (cancel_on is None or d < cancel_on)

    if not happened(announced):
        if cancel_on is not None and cancel_on <= today:
            history.status, history.cancelled_on = "cancelled", cancel_on
        return history

    # Only a rough on-site due date is needed to place the suspension and the extension: the
    # real one, counted by the legal clock, comes after both are known.
    rough_due = _plus(announced, duration_days * 7 // 5 if working_days else duration_days - 1)
    span = max(4, (rough_due - announced).days - 3)
    suspension: tuple[date, date] | None = None
    if suspend_on is not None or rng.random() < p_suspension:
        start = suspend_on or _plus(announced, rng.randint(3, span))
        suspension = (start, _plus(start, rng.randint(7, 30)))
    extension: tuple[int, date] | None = None
    if rng.random() < p_extension:
        decided = max(_plus(rough_due, -rng.randint(0, 7)), _plus(announced, 1))
        extension = (rng.choice((10, 15, 20, 30)), decided)

    due = count_forward(
        announced,
        duration_days + (extension[0] if extension else 0),
        working_days=working_days,
        calendar=default_calendar(),
        suspensions=(Suspension(*suspension),) if suspension else (),
        include_start=True,
    )
    assert due is not None  # the suspension has a resume date here
    ended = _plus(due, rng.randint(1, 10) if rng.random() < P_LATE_ONSITE else -rng.randint(0, 6))
    ended = max(ended, _plus(announced, 5), _plus(suspension[1], 1) if suspension else announced)
    report = _plus(ended, rng.randint(3, 15)) if rng.random() < P_REPORT else None
    concluded = max(_plus(ended, rng.randint(15, 45)), _plus(report or ended, rng.randint(2, 10)))
    published = _plus(concluded, rng.randint(1, 12)) if rng.random() < P_PUBLISHED else None
    directive = _plus(concluded, rng.randint(2, 20)) if rng.random() < P_DIRECTIVE else None
    if cancel_on is not None and cancel_on >= concluded:
        cancel_on = None  # a concluded case is never cancelled

    history.status, history.announced_on = "onsite", announced
    if extension is not None and happened(extension[1]):
        history.extensions.append(extension)
    if suspension is not None and happened(suspension[0]):
        resumed = suspension[1] if happened(suspension[1]) else None
        history.suspensions.append((suspension[0], resumed))
        if resumed is None:
            history.status = "suspended"
    if happened(ended):
        history.status, history.onsite_ended_on = "onsite_ended", ended
    if happened(report):
        history.status, history.report_on = "reported", report
    if happened(concluded):
        history.status, history.concluded_on = "concluded", concluded
        history.published_on = published if happened(published) else None
        history.directive_on = directive if happened(directive) else None
    if cancel_on is not None and cancel_on <= today:
        history.status, history.cancelled_on = "cancelled", cancel_on
    return history


def close_case(
    rng: random.Random, history: CaseHistory, resolved_on: date | None, today: date
) -> None:
    """Close a concluded case once every measure is resolved (``resolved_on``) and it is past."""
    if history.status != "concluded" or resolved_on is None:
        return
    assert history.concluded_on is not None
    after = max(
        d
        for d in (
            _plus(history.concluded_on, 10),
            history.published_on,
            history.directive_on,
            resolved_on,
        )
        if d is not None
    )
    closed = _plus(after, rng.randint(2, 25))
    if closed <= today:
        history.status, history.closed_on = "closed", closed


@dataclass(slots=True)
class CaseDocuments:
    """Document numbers of one case, as shown on its timeline."""

    decision: str
    conclusion: str = ""
    report: str = ""
    extension: str = ""
    suspension: str = ""
    publication: str = ""
    directive: str = ""


def case_events(
    history: CaseHistory,
    docs: CaseDocuments,
    *,
    suspension_reason: str = "",
    cancel_reason: str = "",
    extension_note: str = "",
) -> list[tuple[str, date, str, str]]:
    """The timeline of what happened: (event type, date, document number, JSON payload)."""
    events: list[tuple[str, date, str, str]] = []
    if history.announced_on is not None:
        events.append(("announce", history.announced_on, docs.decision, "{}"))
    for days, decided in history.extensions:
        events.append(
            ("extend", decided, docs.extension, _json({"days": days, "note": extension_note}))
        )
    for start, end in history.suspensions:
        events.append(("suspend", start, docs.suspension, _json({"reason": suspension_reason})))
        if end is not None:
            events.append(("resume", end, "", "{}"))
    if history.onsite_ended_on is not None:
        events.append(("end_onsite", history.onsite_ended_on, "", "{}"))
    if history.report_on is not None:
        events.append(("report", history.report_on, docs.report, "{}"))
    if history.concluded_on is not None:
        events.append(("conclude", history.concluded_on, docs.conclusion, "{}"))
    if history.published_on is not None:
        events.append(("publish", history.published_on, docs.publication, "{}"))
    if history.directive_on is not None:
        events.append(("direct", history.directive_on, docs.directive, "{}"))
    if history.closed_on is not None:
        events.append(("close", history.closed_on, "", "{}"))
    if history.cancelled_on is not None:
        events.append(("cancel", history.cancelled_on, "", _json({"reason": cancel_reason})))
    # Stable order: by date, then in the order the lifecycle allows them.
    events.sort(key=lambda event: (event[1], _EVENT_ORDER[event[0]]))
    return events


_EVENT_ORDER = {
    name: i
    for i, name in enumerate(
        (
            "announce",
            "extend",
            "suspend",
            "resume",
            "end_onsite",
            "report",
            "conclude",
            "publish",
            "direct",
            "close",
            "cancel",
        )
    )
}


def _json(payload: dict[str, object]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True)


# --------------------------------------------------------------------------- measures

# How often a measure is carried out in full, by type (the rest are written off or stay
# unfinished: recovering land and money is where follow-up drags on in practice).
P_MEASURE_DONE: dict[str, float] = {
    "recover_money": 0.7,
    "other_financial": 0.85,
    "recover_land": 0.5,
    "admin_fine": 0.85,
    "confiscation": 0.9,
    "discipline": 0.8,
    "criminal_referral": 0.9,
    "policy": 0.7,
}
# Most measures are carried out in one go; instalments are the exception.
DONE_IN_PARTS = (1, 1, 1, 1, 1, 1, 1, 1, 1, 2)
P_STUCK_PARTIAL = 0.3
P_WRITTEN_OFF = 0.03
WRITE_OFF_REASONS = [
    "Doanh nghiệp đã giải thể, không còn đối tượng để thu hồi",
    "Cá nhân vi phạm đã chết, không còn tài sản để thi hành",
    "Theo kết luận rà soát của cơ quan có thẩm quyền",
]

Quantity = int | Decimal


@dataclass(slots=True)
class MeasureOutcome:
    """How far a measure has got by today, with the executions that got it there."""

    status: MeasureStatus
    done: Quantity
    completed_on: date | None
    resolved_on: date | None  # done or written off, for closing the case
    written_off_reason: str
    executions: list[tuple[date, Quantity]]


def split_quantity(rng: random.Random, total: Quantity, parts: int, unit: str) -> list[Quantity]:
    """``total`` cut into ``parts`` positive pieces (money in thousands, land in cents)."""
    if unit == "m2":
        assert isinstance(total, Decimal)
        cents = int(total * 100)
        return [Decimal(c).scaleb(-2) for c in _split_int(rng, cents, parts, 1)]
    assert isinstance(total, int)
    return list(_split_int(rng, total, parts, 1000 if unit == "vnd" else 1))


def _split_int(rng: random.Random, total: int, parts: int, grain: int) -> list[int]:
    units = total // grain
    parts = max(1, min(parts, units))
    if parts == 1 or units < 2:
        return [total]
    cuts = sorted(rng.sample(range(1, units), parts - 1))
    pieces = [(b - a) * grain for a, b in zip([0, *cuts], [*cuts, units], strict=True)]
    pieces[-1] += total - units * grain  # the remainder below one grain
    return pieces


def _spread_dates(rng: random.Random, first: date, last: date, n: int) -> list[date]:
    span = max(0, (last - first).days)
    return sorted(_plus(first, rng.randint(0, span)) for _ in range(n))


def simulate_measure(
    rng: random.Random,
    measure_type: str,
    target: Quantity,
    concluded_on: date,
    due_on: date,
    today: date,
) -> MeasureOutcome:
    """Carry a measure out (or not) between its conclusion and today."""
    unit = measure_unit(measure_type)
    zero: Quantity = NO_LAND if unit == "m2" else 0
    start = _plus(concluded_on, 3)
    r = rng.random()
    p_done = P_MEASURE_DONE[measure_type]
    executions: list[tuple[date, Quantity]] = []
    written_off, completed = False, False
    resolved_on: date | None = None
    if r < p_done + P_WRITTEN_OFF:
        # Resolved some time around the due date; late more often than early.
        resolve = max(_plus(due_on, int(rng.triangular(-60, 240, 10))), _plus(start, 1))
        if r < P_WRITTEN_OFF:
            resolve = _plus(resolve, rng.randint(60, 400))
            if target and rng.random() < 0.3:
                share = _partial(rng, target, unit)
                executions = [(_spread_dates(rng, start, resolve, 1)[0], share)]
            written_off = resolve <= today
        elif target:
            pieces = split_quantity(rng, target, rng.choice(DONE_IN_PARTS), unit)
            dates = [*_spread_dates(rng, start, resolve, len(pieces) - 1), resolve]
            executions = list(zip(dates, pieces, strict=True))
        completed = resolve <= today and r >= P_WRITTEN_OFF
        if resolve <= today:
            resolved_on = resolve
    elif target and rng.random() < P_STUCK_PARTIAL:
        # Stuck part-way: some executions, never the whole amount.
        pieces = split_quantity(rng, _partial(rng, target, unit), rng.choice((1, 1, 2)), unit)
        last = min(_plus(due_on, rng.randint(0, 500)), today)
        executions = list(zip(_spread_dates(rng, start, last, len(pieces)), pieces, strict=True))
    executions = [(d, q) for d, q in executions if d <= today]
    done: Quantity = sum((q for _, q in executions), zero)
    status = measure_status(target, done, written_off, completed=completed)
    return MeasureOutcome(
        status=status,
        done=done,
        completed_on=resolved_on if status == "done" else None,
        resolved_on=resolved_on if status in ("done", "written_off") else None,
        written_off_reason=rng.choice(WRITE_OFF_REASONS) if written_off else "",
        executions=executions,
    )


def _partial(rng: random.Random, target: Quantity, unit: str) -> Quantity:
    """A share of the target strictly between nothing and all of it (when it can be)."""
    if unit == "m2":
        assert isinstance(target, Decimal)
        cents = int(target * 100)
        return Decimal(max(1, min(cents - 1, int(cents * rng.uniform(0.05, 0.8))))).scaleb(-2)
    assert isinstance(target, int)
    grain = 1000 if unit == "vnd" and target >= 2000 else 1
    units = target // grain
    if units < 2:
        return target
    return max(1, min(units - 1, int(units * rng.uniform(0.05, 0.8)))) * grain


# --------------------------------------------------------------------------- case records

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@lru_cache(maxsize=65536)
def at(d: date, hour: int) -> datetime:
    """``d`` at ``hour`` o'clock in Hà Nội: deterministic timestamps for created_at and the like."""
    return datetime(d.year, d.month, d.day, hour, tzinfo=TZ)


class Sequences:
    """Ids handed out in the generator, so that rows can reference each other before insertion."""

    def __init__(self, start: dict[str, int] | None = None) -> None:
        self._last = dict(start or {})

    def next(self, table: str) -> int:
        """The next id of ``table``."""
        value = self._last.get(table, 0) + 1
        self._last[table] = value
        return value

    def last(self, table: str) -> int:
        """The last id handed out for ``table`` (0 when none)."""
        return self._last.get(table, 0)


class Numbering:
    """Document numbers restart at 1 every year for each issuer and kind of document."""

    def __init__(self) -> None:
        self._last: dict[tuple[str, int, str], int] = {}

    def next(self, issuer: str, year: int, kind: str) -> int:
        """The next number of a ``kind`` document of ``issuer`` in ``year``."""
        key = (issuer, year, kind)
        value = self._last.get(key, 0) + 1
        self._last[key] = value
        return value


@dataclass(slots=True)
class SubjectRef:
    """What a case needs to know about one of its subjects."""

    id: int
    name: str
    kind: str


@dataclass(slots=True)
class CaseSpec:
    """What the caller decides about a case; :func:`build_case` draws the rest."""

    agency_id: int
    agency_code: str
    issuer: str  # abbreviation on the agency's documents: "TTr", "SXD"
    kind: str  # a CaseKind code
    origin: str  # scheduled | ad_hoc
    plan_id: int | None
    decided_on: date
    duration_days: int
    working_days: bool
    theme: tuple[str, tuple[str, ...]]
    subjects: list[SubjectRef]
    lead_user_id: int | None
    member_ids: list[int]
    origin_source: str | None = None
    responsible_agency: dict[str, int] = field(default_factory=dict)  # measure type -> agency
    suspend_on: date | None = None
    cancel: bool = False
    without_decision: bool = False  # a draft whose decision is still being prepared
    overlap_override_reason: str = ""
    overlap_override_by: int | None = None
    findings_mean: float = 3.0
    # Document numbers restart per issuer; the scope tells issuers of different provinces apart.
    numbering_scope: str = ""


@dataclass(slots=True)
class CaseRows:
    """The rows of one case, keyed by column name, children included."""

    inspection: dict[str, Any]
    subjects: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    extensions: list[dict[str, Any]] = field(default_factory=list)
    suspensions: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    measures: list[dict[str, Any]] = field(default_factory=list)
    executions: list[dict[str, Any]] = field(default_factory=list)


# Measures a finding of each category leads to: (type, probability). The first listed is the
# fallback, so that every finding has at least one measure.
MEASURE_RULES: dict[str, list[tuple[str, float]]] = {
    "land": [
        ("recover_land", 0.7),
        ("recover_money", 0.5),
        ("discipline", 0.4),
        ("criminal_referral", 0.03),
        ("policy", 0.05),
    ],
    "finance": [
        ("recover_money", 0.85),
        ("other_financial", 0.3),
        ("discipline", 0.4),
        ("criminal_referral", 0.03),
    ],
    "construction": [
        ("other_financial", 0.6),
        ("recover_money", 0.6),
        ("discipline", 0.3),
        ("criminal_referral", 0.03),
    ],
    "anti_corruption": [("discipline", 0.9), ("policy", 0.2)],
    "food_safety": [("admin_fine", 0.9), ("confiscation", 0.3)],
    "health": [("admin_fine", 0.8), ("recover_money", 0.3)],
    "environment": [("admin_fine", 0.8), ("recover_land", 0.2), ("confiscation", 0.15)],
    "trade": [("admin_fine", 0.85), ("confiscation", 0.4)],
    "labour": [("admin_fine", 0.8), ("recover_money", 0.3)],
}
MEASURE_DUE_DAYS = (30, 45, 60, 90, 180)
EXECUTION_DOCUMENTS = {
    "vnd": "Giấy nộp tiền vào NSNN số {n:07d}",
    "m2": "{n}/QĐ-UBND",
    "count": "{n}/QĐ-KL",
}


def _money_amount(rng: random.Random, median: float, sigma: float) -> int:
    """Log-normal money in whole thousands of đồng, as amounts appear in conclusions."""
    value = min(rng.lognormvariate(log(median), sigma), 5e11)
    return max(1000, int(value) // 1000 * 1000)


def _land_amount(rng: random.Random) -> Decimal:
    cents = int(min(rng.lognormvariate(log(600), 1.2), 5e6) * 100)
    return Decimal(max(cents, 100)).scaleb(-2)


def _years_covered(decided_on: date) -> tuple[date, date, str]:
    first, last = decided_on.year - 2, decided_on.year - 1
    return date(first, 1, 1), date(last, 12, 31), f"{first}-{last}"


def preview_history(rng: random.Random, spec: CaseSpec, today: date) -> CaseHistory:
    """The history :func:`build_case` starts from, given an ``rng`` in the same state."""
    return simulate_case(
        rng,
        spec.decided_on,
        today,
        duration_days=spec.duration_days,
        working_days=spec.working_days,
        suspend_on=spec.suspend_on,
        cancel=spec.cancel,
    )


def build_case(
    rng: random.Random,
    spec: CaseSpec,
    today: date,
    ids: Sequences,
    numbers: Numbering,
) -> CaseRows:
    """Every record of one case: the inspection, its team, timeline, findings and measures."""
    check = spec.kind in ("check", "specialised_inspection")
    history = preview_history(rng, spec, today)
    year = spec.decided_on.year
    inspection_id = ids.next("inspection")
    code = case_code(2 if check else 1, year, inspection_id)
    issuer = spec.issuer

    def number(kind: str, in_year: int, issued_by: str = issuer, suffix: str = "") -> str:
        n = numbers.next(spec.numbering_scope + issued_by, in_year, kind)
        return names.document_number(n, kind, suffix or issued_by)

    decision_no: str | None = number("QĐ", year)
    docs = CaseDocuments(decision=decision_no or "")
    if history.extensions:
        docs.extension = number("QĐ", year)
    if history.suspensions:
        docs.suspension = number("QĐ", year)
    if history.report_on is not None:
        docs.report = number("BC", year, suffix="ĐTT")  # the team's report, numbered by the issuer
    if history.concluded_on is not None:
        cyear = history.concluded_on.year
        docs.conclusion = number("KL", cyear)
        docs.publication = number("TB", cyear)
        docs.directive = number("UBND", cyear, issued_by="UBND", suffix="NC")
    if spec.without_decision and history.status == "draft":
        decision_no = None

    first = spec.subjects[0]
    period_from, period_to, years = _years_covered(spec.decided_on)
    if check:
        period_from, period_to = date(year - 1, 1, 1), spec.decided_on
    title = spec.theme[0].format(subject=first.name, years=years)
    origin_ref = ""
    if spec.origin == "ad_hoc" and spec.origin_source:
        received = spec.decided_on - timedelta(days=rng.randint(5, 40))
        origin_ref = names.origin_ref(rng, spec.origin_source, received)
    suspension_reason = rng.choice(names.SUSPENSION_REASONS) if history.suspensions else ""
    cancel_reason = rng.choice(names.CANCEL_REASONS) if history.cancelled_on else ""
    extension_note = rng.choice(names.EXTENSION_NOTES) if history.extensions else ""

    rows = CaseRows(inspection={})
    rows.subjects = [
        {"id": ids.next("inspection_subject"), "inspection": inspection_id, "subject": s.id}
        for s in spec.subjects
    ]
    team = ([spec.lead_user_id] if spec.lead_user_id else []) + [
        u for u in spec.member_ids if u != spec.lead_user_id
    ]
    rows.members = [
        {
            "id": ids.next("inspection_member"),
            "inspection": inspection_id,
            "user": user,
            "role": "lead" if user == spec.lead_user_id else "member",
        }
        for user in dict.fromkeys(team)
    ]
    for days, decided in history.extensions:
        rows.extensions.append(
            {
                "id": ids.next("inspection_extension"),
                "inspection": inspection_id,
                "days": days,
                "decision_no": docs.extension,
                "decided_on": decided,
                "note": extension_note,
            }
        )
    for start, end in history.suspensions:
        rows.suspensions.append(
            {
                "id": ids.next("inspection_suspension"),
                "inspection": inspection_id,
                "start_on": start,
                "end_on": end,
                "decision_no": docs.suspension,
                "reason": suspension_reason,
            }
        )

    # Findings are written during on-site work; measures come with the conclusion.
    resolved: list[date | None] = []
    if history.onsite_ended_on is not None and history.cancelled_on is None:
        _add_findings(rng, spec, history, rows, inspection_id, check, today, ids, numbers, resolved)
    if history.concluded_on is not None:
        everything_resolved = all(d is not None for d in resolved)
        last = max((d for d in resolved if d is not None), default=history.concluded_on)
        close_case(rng, history, last if everything_resolved else None, today)

    for event_type, on, document_no, payload in case_events(
        history,
        docs,
        suspension_reason=suspension_reason,
        cancel_reason=cancel_reason,
        extension_note=extension_note,
    ):
        rows.events.append(
            {
                "id": ids.next("inspection_event"),
                "inspection": inspection_id,
                "type": event_type,
                "date": on,
                "document_no": document_no,
                "payload": payload,
                "user": spec.lead_user_id,
                "created_at": at(on, 16),
            }
        )

    deadlines = history.deadlines()
    decision_date = None if decision_no is None else spec.decided_on
    rows.inspection = {
        "id": inspection_id,
        "code": code,
        "agency": spec.agency_id,
        "plan": spec.plan_id,
        "origin": spec.origin,
        "origin_source": spec.origin_source if spec.origin == "ad_hoc" else None,
        "origin_ref": origin_ref,
        "kind": spec.kind,
        "title": title,
        "scope": rng.choice(names.SCOPES),
        "period_from": period_from,
        "period_to": period_to,
        "lead_user": spec.lead_user_id,
        "decision_no": decision_no,
        "decision_date": decision_date,
        "duration_days": spec.duration_days,
        "working_days": spec.working_days,
        "announced_on": history.announced_on,
        "onsite_ended_on": history.onsite_ended_on,
        "report_on": history.report_on,
        "conclusion_no": docs.conclusion or None,
        "concluded_on": history.concluded_on,
        "published_on": history.published_on,
        "directive_on": history.directive_on,
        "closed_on": history.closed_on,
        "cancelled_on": history.cancelled_on,
        "cancel_reason": cancel_reason,
        "status": history.status,
        "onsite_due": deadlines.onsite_due,
        "report_due": deadlines.report_due,
        "conclusion_due": deadlines.conclusion_due,
        "publication_due": deadlines.publication_due,
        "directive_due": deadlines.directive_due,
        "overlap_override_reason": spec.overlap_override_reason,
        "overlap_override_by": spec.overlap_override_by,
        "search_text": " ".join(
            [
                _search_text(code, spec.theme[0], years, spec.subjects),
                *(
                    fold_vietnamese(searchable_number(number))
                    for number in (decision_no, docs.conclusion)
                    if number
                ),
            ]
        ),
        "created_by": spec.lead_user_id,
        "created_at": at(spec.decided_on - timedelta(days=1), 8),
        "updated_at": at(history.last_event_on() or spec.decided_on, 17),
    }
    return rows


# Folding is the costliest step per case and the same names and title openings recur.
_fold = lru_cache(maxsize=262_144)(fold_vietnamese)


def _search_text(code: str, template: str, years: str, subjects: list[SubjectRef]) -> str:
    """fold_vietnamese(code + title + subject names), folded piece by piece from a cache.

    Folding works character by character and collapses spaces, so folding the pieces and
    joining them with single spaces gives the same text as folding the whole.
    """
    head, marker, tail = template.partition("{subject}")
    if not marker or tail or not head.endswith(" "):
        title = template.format(subject=subjects[0].name, years=years)
        return fold_vietnamese(" ".join([code, title, *(s.name for s in subjects)]))
    # Codes are unique, so they are folded without filling the cache.
    pieces = [fold_vietnamese(code), _fold(head.format(years=years)), _fold(subjects[0].name)]
    pieces += [_fold(s.name) for s in subjects]
    return " ".join(piece for piece in pieces if piece)


def _add_findings(
    rng: random.Random,
    spec: CaseSpec,
    history: CaseHistory,
    rows: CaseRows,
    inspection_id: int,
    check: bool,
    today: date,
    ids: Sequences,
    numbers: Numbering,
    resolved: list[date | None],
) -> None:
    assert history.onsite_ended_on is not None
    # About one case in eight finds nothing wrong.
    count = 0 if rng.random() < 0.12 else 1 + int(rng.expovariate(1 / spec.findings_mean))
    written = history.onsite_ended_on
    concluded = history.concluded_on
    for _ in range(count):
        category = rng.choice(spec.theme[1])
        description, legal_basis, has_money, has_land = rng.choice(
            names.FINDING_CATEGORIES[category]
        )
        subject = rng.choice(spec.subjects)
        amount = (
            _money_amount(rng, 15e6 if check else 120e6, 1.0 if check else 1.4) if has_money else 0
        )
        land = _land_amount(rng) if has_land else NO_LAND
        finding_id = ids.next("finding")
        rows.findings.append(
            {
                "id": finding_id,
                "inspection": inspection_id,
                "subject": subject.id,
                "category": category,
                "description": description,
                "legal_basis": legal_basis,
                "amount_vnd": amount,
                "land_m2": land,
                "created_at": at(written, 10),
                "updated_at": at(concluded or written, 10),
            }
        )
        if concluded is None:
            continue
        for measure_type in _measure_types(rng, category, amount, land):
            _add_measure(
                rng,
                spec,
                rows,
                inspection_id,
                finding_id,
                measure_type,
                amount,
                land,
                subject,
                concluded,
                today,
                ids,
                numbers,
                resolved,
            )


def _measure_types(rng: random.Random, category: str, amount: int, land: Decimal) -> list[str]:
    rules = MEASURE_RULES[category]
    possible = [t for t, _ in rules if _measure_fits(t, amount, land)]
    chosen = [t for t, p in rules if t in possible and rng.random() < p]
    return chosen or possible[:1] or ["policy"]


def _measure_fits(measure_type: str, amount: int, land: Decimal) -> bool:
    if measure_type in ("recover_money", "other_financial", "confiscation"):
        return amount >= 2000
    if measure_type == "recover_land":
        return land > 0
    return True


def _add_measure(
    rng: random.Random,
    spec: CaseSpec,
    rows: CaseRows,
    inspection_id: int,
    finding_id: int | None,
    measure_type: str,
    amount: int,
    land: Decimal,
    subject: SubjectRef,
    concluded: date,
    today: date,
    ids: Sequences,
    numbers: Numbering,
    resolved: list[date | None],
) -> None:
    amount_vnd, land_m2 = 0, NO_LAND
    collectives = individuals = cases = persons = 0
    decision_no: str | None = None
    decision_date: date | None = None
    if measure_type == "recover_money":
        amount_vnd = max(1000, int(amount * rng.uniform(0.4, 1.0)) // 1000 * 1000)
    elif measure_type == "other_financial":
        amount_vnd = max(1000, int(amount * rng.uniform(0.1, 0.6)) // 1000 * 1000)
    elif measure_type == "confiscation":
        amount_vnd = max(1000, int(amount * rng.uniform(0.2, 1.0)) // 1000 * 1000)
    elif measure_type == "admin_fine":
        # Fines are round figures: multiples of 500,000 đồng.
        amount_vnd = max(1, round(rng.lognormvariate(_LOG_FINE_MEDIAN, 0.9) / 5e5)) * 500_000
        fine_no = numbers.next(spec.numbering_scope + spec.issuer, concluded.year, "XPHC")
        decision_no = names.document_number(fine_no, "QĐ", "XPHC")
        decision_date = concluded
    elif measure_type == "recover_land":
        land_m2 = Decimal(max(1, int(land * 100 * Decimal(rng.uniform(0.5, 1.0))))).scaleb(-2)
    elif measure_type == "discipline":
        collectives = rng.choice((0, 0, 1, 1, 2))
        individuals = rng.randint(0 if collectives else 1, 5)
    elif measure_type == "criminal_referral":
        cases, persons = 1, rng.randint(0, 3)
    target = target_of(measure_type, amount_vnd, land_m2, collectives, individuals, cases, persons)
    due_on = _plus(concluded, rng.choice(MEASURE_DUE_DAYS))
    outcome = simulate_measure(rng, measure_type, target, concluded, due_on, today)
    resolved.append(outcome.resolved_on)
    unit = measure_unit(measure_type)
    measure_id = ids.next("measure")
    rows.measures.append(
        {
            "id": measure_id,
            "inspection": inspection_id,
            "finding": finding_id,
            "type": measure_type,
            "description": rng.choice(names.MEASURE_DESCRIPTIONS[measure_type]),
            "amount_vnd": amount_vnd,
            "land_m2": land_m2,
            "collectives": collectives,
            "individuals": individuals,
            "cases": cases,
            "persons": persons,
            "decision_no": decision_no,
            "decision_date": decision_date,
            "responsible": _responsible(subject),
            "responsible_agency": spec.responsible_agency.get(measure_type, spec.agency_id),
            "due_on": due_on,
            "status": outcome.status,
            "done_vnd": outcome.done if unit == "vnd" else 0,
            "done_m2": outcome.done if unit == "m2" else NO_LAND,
            "done_count": outcome.done if unit == "count" else 0,
            "written_off_reason": outcome.written_off_reason,
            "completed_on": outcome.completed_on,
            "created_at": at(concluded, 10),
            "updated_at": at(outcome.executions[-1][0] if outcome.executions else concluded, 15),
        }
    )
    document = EXECUTION_DOCUMENTS.get(unit, "")
    for executed_on, quantity in outcome.executions:
        rows.executions.append(
            {
                "id": ids.next("execution"),
                "measure": measure_id,
                "executed_on": executed_on,
                "amount_vnd": quantity if unit == "vnd" else 0,
                "land_m2": quantity if unit == "m2" else NO_LAND,
                "quantity": quantity if unit == "count" else 0,
                "document_no": document.format(n=rng.randint(1, 99999)),
                "note": "",
                "created_by": spec.lead_user_id,
                "created_at": at(executed_on, 15),
            }
        )


def _responsible(subject: SubjectRef) -> str:
    if subject.kind == "state_body":
        head = "Chủ tịch" if subject.name.startswith("Ủy ban") else "Thủ trưởng"
        return f"{head} {subject.name}"
    if subject.kind == "individual":
        return subject.name
    return f"Người đại diện theo pháp luật của {subject.name}"
