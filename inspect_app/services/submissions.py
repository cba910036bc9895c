"""Units' reports submitted to the agency above them, and the parent's tracker.

A head signs the unit's report off, then submits it to the parent agency
(:func:`submit`); the parent's tracker (:func:`tracker`) shows, for a period, which of its
units have submitted, which are late against the due day (domain.submissions), and lets
its head return one with a reason (:func:`return_submission`), after which the unit submits
again. The parent's consolidated report can be made from the submitted figures
(:func:`submitted_totals`, used by ``report_runner.compute_figures``) or from the records.
The deadline watch reminds units that have not submitted on the "report" ladder
(:func:`owed_notices`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

import msgspec

from inspect_app import clock
from inspect_app.db import write_transaction
from inspect_app.domain import submissions as rules
from inspect_app.domain.messages import N_
from inspect_app.domain.periods import Period, parse_period
from inspect_app.domain.reminders import Rung
from inspect_app.domain.text import has_control_characters
from inspect_app.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspect_app.i18n import translate
from inspect_app.principal import Principal
from inspect_app.services import agencies, audit, notifications, reports
from inspect_app.services.casework import is_unique_violation, stored_json
from inspect_app.services.report_figures import ReportFigures, stored_figures
from models.tables import Agency, AppUser, DeadlineLadder, Notification, ReportSubmission

LADDER = "report"
NOTICES_PER_STATEMENT = 500
REASON_MAX = 2000
SUBMITTED_TITLE = N_("{unit} submitted its report for {period}")
RETURNED_TITLE = N_("{parent} returned the report for {period}: {reason}")
DUE_TITLES = {
    "reminder": N_("The report for {period} is due to {parent} on {due}"),
    "overdue": N_("The report for {period} is overdue: {parent} expected it on {due}"),
    "escalation": N_("{unit} has not submitted its report for {period} (due on {due})"),
}


class Submission(msgspec.Struct):
    """A unit's report of a period submitted to the agency above it (the API's shape)."""

    id: int
    agency_id: int
    agency_name: str
    parent_id: int
    parent_name: str
    period: str
    report_id: int
    revision: int
    status: Literal["submitted", "returned"]
    due_on: date
    submitted_on: date
    return_reason: str
    version: int


@dataclass(frozen=True, slots=True)
class SubmitPanel:
    """What the report page says about submitting a report: the agency above, the due
    day, the unit's submission of the period (this report or another revision), how it
    stands, and whether the reader may submit this report now."""

    parent_name: str
    due_on: date
    submission: Submission | None
    standing: rules.Standing
    can_submit: bool


async def due_days() -> dict[str, int]:
    """The days after a period's end by which units' reports are due, per kind of report
    (the "report" ladder's setting, the legal defaults where none is set)."""
    row = (
        await DeadlineLadder.select(DeadlineLadder.due_days)
        .where(DeadlineLadder.deadline_type == LADDER)
        .first()
    )
    stored = row["due_days"] if row else None
    if isinstance(stored, str):
        stored = json.loads(stored)
    if not isinstance(stored, dict):
        return dict(rules.DEFAULT_DUE_DAYS)
    try:
        return rules.validate_due_days(stored)
    except rules.InvalidDueDays:
        return dict(rules.DEFAULT_DUE_DAYS)


async def _parent_of(agency_id: int) -> dict[str, Any] | None:
    row = await Agency.select(Agency.parent).where(Agency.id == agency_id).first()
    if row is None or row["parent"] is None:
        return None
    return (
        await Agency.select(Agency.id, Agency.name, Agency.path)
        .where(Agency.id == row["parent"])
        .first()
    )


async def _heads(agency_ids: Iterable[int]) -> list[dict[str, Any]]:
    ids = sorted(set(agency_ids))
    if not ids:
        return []
    return await AppUser.select(AppUser.id, AppUser.agency, AppUser.language).where(
        AppUser.agency.is_in(ids) & (AppUser.role == "head") & (AppUser.active == True)  # noqa: E712
    )


async def submit(principal: Principal, report_id: int, ip: str = "") -> Submission:
    """Submit a signed report of the principal's scope to its agency's parent.

    Conflict when the agency has no parent, the report is not signed off, or the unit's
    report of that period was submitted already (the parent returns it first).
    """
    report = await reports.get_report(principal, report_id)
    # The unit's own heads submit its report: the agency above must not turn a report it
    # is waiting for into one received on time.
    if not principal.can("report.sign_off") or principal.agency_id != report.agency_id:
        raise Forbidden()
    if not report.signed:
        raise Conflict("Only a signed-off report can be submitted.", code="not_signed")
    parent = await _parent_of(int(report.agency_id))
    if parent is None:
        raise Conflict("This agency has no agency above it to submit to.", code="no_parent")
    period = parse_period(str(report.period))
    due = rules.due_on(period, await due_days())
    today = clock.today()
    now = datetime.now(UTC)
    async with write_transaction():
        existing = (
            await ReportSubmission.select()
            .where(
                (ReportSubmission.agency == report.agency_id)
                & (ReportSubmission.period == period.code)
            )
            .first()
        )
        values = {
            ReportSubmission.parent: parent["id"],
            ReportSubmission.report: report_id,
            ReportSubmission.status: "submitted",
            ReportSubmission.return_reason: "",
            ReportSubmission.due_on: due,
            ReportSubmission.submitted_on: today,
            ReportSubmission.submitted_at: now,
            ReportSubmission.submitted_by: principal.id,
        }
        if existing is None:
            created = await _insert_once(
                ReportSubmission(
                    agency=report.agency_id,
                    parent=parent["id"],
                    period=period.code,
                    report=report_id,
                    due_on=due,
                    submitted_on=today,
                    submitted_at=now,
                    submitted_by=principal.id,
                )
            )
            submission_id, version = created, 1
        elif existing["status"] == "submitted":
            raise Conflict(
                "The report for this period was already submitted; the agency above can "
                "return it if it must be submitted again.",
                code="already_submitted",
            )
        else:
            submission_id, version = int(existing["id"]), int(existing["version"]) + 1
            updated = (
                await ReportSubmission.update(
                    {**values, ReportSubmission.version: version}  # type: ignore[dict-item]
                )
                .where(
                    (ReportSubmission.id == submission_id)
                    & (ReportSubmission.version == existing["version"])
                )
                .returning(ReportSubmission.id)
            )
            if not updated:
                raise Conflict(
                    "Someone changed this submission meanwhile; reload it and try again.",
                    code="stale_version",
                )
        await audit.record(
            "report.submit",
            actor=principal,
            entity_type="report_submission",
            entity_id=submission_id,
            agency_id=report.agency_id,
            after={
                "report_id": report_id,
                "period": period.code,
                "parent_id": parent["id"],
                "submitted_on": today.isoformat(),
                "due_on": due.isoformat(),
            },
            ip=ip,
        )
        await _notify_heads(
            int(parent["id"]),
            kind="submission",
            submission_id=submission_id,
            rung=f"submitted-{version}",
            title=SUBMITTED_TITLE,
            link=f"/reports/tracker?period={period.code}",
            period=period,
            unit=report.agency_name,
        )
    return await get_submission(principal, submission_id)


async def _insert_once(row: ReportSubmission) -> int:
    """Insert the unit's first submission of the period; Conflict when another one was
    inserted meanwhile (the UNIQUE index on agency and period decides the race)."""
    try:
        created = await ReportSubmission.insert(row).returning(ReportSubmission.id)
    except Exception as exc:
        if is_unique_violation(exc):
            raise Conflict(
                "The report for this period was already submitted; the agency above can "
                "return it if it must be submitted again.",
                code="already_submitted",
            ) from None
        raise
    return int(created[0]["id"])


async def _notify_heads(
    agency_id: int,
    *,
    kind: str,
    submission_id: int,
    rung: str,
    title: str,
    link: str,
    period: Period,
    **values: str,
) -> None:
    """A notice to each head of ``agency_id`` about a submission, in their language."""
    await notifications.send(
        ((int(user["id"]), str(user["language"] or "vi")) for user in await _heads([agency_id])),
        notifications.Notice(
            kind=kind,
            entity_type="report_submission",
            entity_id=submission_id,
            rung=rung,
            link=link,
        ),
        lambda language: translate(title, language, period=period.label(language), **values),
    )


_SELECT = """
SELECT s.id, s.agency AS agency_id, a.name AS agency_name, s.parent AS parent_id,
       p.name AS parent_name, s.period, s.report AS report_id, r.revision, s.status,
       s.due_on, s.submitted_on, s.submitted_at, su.full_name AS submitted_by_name,
       s.return_reason, s.returned_at, ru.full_name AS returned_by_name, s.version
FROM report_submission s
JOIN agency a ON a.id = s.agency
JOIN agency p ON p.id = s.parent
JOIN report r ON r.id = s.report
LEFT JOIN app_user su ON su.id = s.submitted_by
LEFT JOIN app_user ru ON ru.id = s.returned_by
"""


def _day(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _out(row: dict[str, Any]) -> Submission:
    return Submission(
        id=int(row["id"]),
        agency_id=int(row["agency_id"]),
        agency_name=str(row["agency_name"]),
        parent_id=int(row["parent_id"]),
        parent_name=str(row["parent_name"]),
        period=str(row["period"]),
        report_id=int(row["report_id"]),
        revision=int(row["revision"]),
        status=row["status"],
        due_on=_day(row["due_on"]),
        submitted_on=_day(row["submitted_on"]),
        return_reason=str(row["return_reason"] or ""),
        version=int(row["version"]),
    )


async def get_submission(principal: Principal, submission_id: int) -> Submission:
    """One submission whose unit or parent is in the caller's scope; NotFound otherwise."""
    rows = await ReportSubmission.raw(
        _SELECT + " WHERE s.id = {} AND (a.path LIKE {} OR p.path LIKE {})",
        submission_id,
        principal.scope_pattern,
        principal.scope_pattern,
    )
    if not rows:
        raise NotFound()
    return _out(rows[0])


async def return_submission(
    principal: Principal,
    submission_id: int,
    reason: str | None,
    version: int | None = None,
    ip: str = "",
) -> Submission:
    """The parent's head returns a unit's submitted report with a reason; the unit is told
    and submits again. Only someone whose scope holds the parent may return it."""
    submission = await get_submission(principal, submission_id)
    parent = await Agency.select(Agency.path).where(Agency.id == submission.parent_id).first()
    in_scope = parent is not None and str(parent["path"]).startswith(principal.agency_path)
    if not principal.can("report.sign_off") or not in_scope:
        raise Forbidden()
    text = " ".join((reason or "").split()) if reason is not None else ""
    errors: dict[str, str] = {}
    if not text:
        errors["reason"] = "Say why the report is returned."
    elif len(text) > REASON_MAX:
        errors["reason"] = "The reason is too long (at most 2000 characters)."
    elif has_control_characters(text, single_line=True):
        errors["reason"] = "Remove the control characters from the text."
    if errors:
        raise InvalidInput(errors)
    if submission.status != "submitted":
        raise Conflict("This report was already returned.", code="already_returned")
    if version is not None and version != submission.version:
        raise Conflict(
            "Someone changed this submission meanwhile; reload it and try again.",
            code="stale_version",
        )
    async with write_transaction():
        updated = (
            await ReportSubmission.update(
                {
                    ReportSubmission.status: "returned",
                    ReportSubmission.return_reason: text,
                    ReportSubmission.returned_at: datetime.now(UTC),
                    ReportSubmission.returned_by: principal.id,
                    ReportSubmission.version: ReportSubmission.version + 1,
                }
            )
            .where(
                (ReportSubmission.id == submission_id)
                & (ReportSubmission.version == submission.version)
                & (ReportSubmission.status == "submitted")
            )
            .returning(ReportSubmission.id)
        )
        if not updated:
            raise Conflict(
                "Someone changed this submission meanwhile; reload it and try again.",
                code="stale_version",
            )
        await audit.record(
            "report.return",
            actor=principal,
            entity_type="report_submission",
            entity_id=submission_id,
            agency_id=submission.agency_id,
            before={"status": "submitted"},
            after={"status": "returned", "reason": text},
            ip=ip,
        )
        await _notify_heads(
            submission.agency_id,
            kind="returned",
            submission_id=submission_id,
            rung=f"returned-{submission.version + 1}",
            title=RETURNED_TITLE,
            link=f"/reports/{submission.report_id}",
            period=parse_period(submission.period),
            parent=submission.parent_name,
            reason=text,
        )
    return await get_submission(principal, submission_id)


async def for_report(principal: Principal, agency_id: int, period: Period) -> SubmitPanel | None:
    """The submission panel of the agency's signed-off report of the period; None when the
    agency has nobody above it."""
    parent = await _parent_of(agency_id)
    if parent is None:
        return None
    rows = await ReportSubmission.raw(
        _SELECT + " WHERE s.agency = {} AND s.period = {}", agency_id, period.code
    )
    submission = _out(rows[0]) if rows else None
    due = rules.due_on(period, await due_days())
    submitted_on = (
        submission.submitted_on
        if submission is not None and submission.status == "submitted"
        else None
    )
    return SubmitPanel(
        parent_name=str(parent["name"]),
        due_on=due,
        submission=submission,
        standing=rules.standing(due, submitted_on, clock.today()),
        can_submit=principal.can("report.sign_off")
        and principal.agency_id == agency_id
        and submitted_on is None,
    )


@dataclass
class TrackerRow:
    """One unit of the parent, and how its report of the period stands."""

    agency_id: int
    agency_name: str
    standing: rules.Standing
    submission: Submission | None = None

    @property
    def returned(self) -> bool:
        """The parent returned the unit's report, and it was not submitted again."""
        return self.submission is not None and self.submission.status == "returned"


@dataclass
class Tracker:
    """Who of the parent's units has submitted the period's report, and who is late."""

    agency_id: int
    agency_name: str
    period: Period
    due_on: date
    rows: list[TrackerRow] = field(default_factory=list)

    @property
    def submitted(self) -> int:
        """How many units have submitted (on time or late)."""
        return sum(1 for row in self.rows if row.standing.submitted)

    @property
    def late(self) -> int:
        """How many units submitted late or are overdue."""
        return sum(1 for row in self.rows if row.standing.is_late)


async def tracker(principal: Principal, agency_id: int | None, period: Period) -> Tracker:
    """The period's submissions of the units directly below the agency (the reader's own
    by default), in the order of their names."""
    if agency_id is None:
        agency_id = principal.agency_id
    agency = await agencies.get_visible(principal, agency_id)
    units = (
        await Agency.select(Agency.id, Agency.name)
        .where((Agency.parent == agency_id) & (Agency.active == True))  # noqa: E712
        .order_by(Agency.name)
    )
    found = {
        int(row["agency_id"]): _out(row)
        for row in await ReportSubmission.raw(
            _SELECT + " WHERE s.parent = {} AND s.period = {}", agency_id, period.code
        )
    }
    due = rules.due_on(period, await due_days())
    today = clock.today()
    board = Tracker(agency.id, agency.name, period, due)
    for unit in units:
        submission = found.get(int(unit["id"]))
        live = submission is not None and submission.status == "submitted"
        submitted_on = submission.submitted_on if live and submission else None
        # A report submitted is judged against the due day it was submitted for.
        unit_due = submission.due_on if live and submission else due
        board.rows.append(
            TrackerRow(
                int(unit["id"]),
                str(unit["name"]),
                rules.standing(unit_due, submitted_on, today),
                submission,
            )
        )
    return board


async def submitted_totals(parent_id: int, period: Period) -> dict[int, ReportFigures]:
    """The frozen figures of each unit's submitted report of the period, by unit."""
    rows = await ReportSubmission.raw(
        "SELECT s.agency, r.totals FROM report_submission s JOIN report r ON r.id = s.report"
        " WHERE s.parent = {} AND s.period = {} AND s.status = 'submitted'",
        parent_id,
        period.code,
    )
    found: dict[int, ReportFigures] = {}
    for row in rows:
        totals = stored_json(row["totals"])
        if not isinstance(totals, dict):
            continue
        figures = stored_figures(totals)
        if figures is None:
            # A unit's signed figures are what the report adds up: never replaced silently by
            # the records (the report fails, naming the unit, as it did before the figures
            # were typed).
            raise ValueError(
                f"the report submitted by agency {row['agency']} holds figures that cannot be read"
            )
        found[int(row["agency"])] = figures
    return found


async def owed_notices(owed: dict[date, list[Rung]], today: date) -> int:
    """The "report" ladder's notices owed on the due days ``owed``: to each unit that has
    not submitted the period's report, a reminder or an overdue notice to its heads; the
    escalation to the heads of the agency above it. How many were new."""
    days = await due_days()
    all_units = await Agency.select(Agency.id, Agency.name, Agency.parent).where(
        Agency.parent.is_not_null() & (Agency.active == True)  # noqa: E712
    )
    if not all_units:
        return 0
    names = {
        int(row["id"]): str(row["name"]) for row in await Agency.select(Agency.id, Agency.name)
    }
    heads = await _heads(names)
    by_agency: dict[int, list[dict[str, Any]]] = {}
    for user in heads:
        by_agency.setdefault(int(user["agency"]), []).append(user)
    # What was sent already (a run every few minutes over a window of days): skipped here,
    # so that a run writes only the new notices.
    sent = {
        (int(row["user"]), int(row["entity_id"]), row["deadline_type"], row["rung"], row["due_on"])
        for row in await Notification.select(
            Notification.user,
            Notification.entity_id,
            Notification.deadline_type,
            Notification.rung,
            Notification.due_on,
        ).where((Notification.entity_type == "report_due") & Notification.due_on.is_in(list(owed)))
    }
    notices: list[Notification] = []
    now = datetime.now(UTC)
    for due, rungs in owed.items():
        for period in rules.periods_due_on(due, days):
            done = {
                int(row["agency"])
                for row in await ReportSubmission.select(ReportSubmission.agency).where(
                    (ReportSubmission.period == period.code)
                    & (ReportSubmission.status == "submitted")
                )
            }
            for unit in all_units:
                unit_id, parent_id = int(unit["id"]), int(unit["parent"])
                if unit_id in done:
                    continue
                for rung in rungs:
                    for user in by_agency.get(parent_id if rung.escalates else unit_id, []):
                        key = (int(user["id"]), unit_id, f"{LADDER}:{period.code}", rung.name, due)
                        if key in sent:
                            continue
                        lang = str(user["language"] or "vi")
                        notices.append(
                            Notification(
                                user=int(user["id"]),
                                kind=rung.kind,
                                entity_type="report_due",
                                entity_id=unit_id,
                                deadline_type=f"{LADDER}:{period.code}",
                                rung=rung.name,
                                due_on=due,
                                title=translate(
                                    DUE_TITLES[rung.kind],
                                    lang,
                                    unit=unit["name"],
                                    parent=names.get(parent_id, ""),
                                    period=period.label(lang),
                                    due=due.strftime("%d/%m/%Y"),
                                )[:500],
                                link=(
                                    f"/reports/tracker?period={period.code}"
                                    if rung.escalates
                                    else "/reports"
                                ),
                                created_at=now,
                            )
                        )
    created = 0
    # In statements of NOTICES_PER_STATEMENT rows (13 parameters each), far below the
    # engines' limit on parameters: a national due day owes thousands.
    for start in range(0, len(notices), NOTICES_PER_STATEMENT):
        rows = (
            await Notification.insert(*notices[start : start + NOTICES_PER_STATEMENT])
            .on_conflict(action="DO NOTHING")
            .returning(Notification.id)
        )
        created += len(rows)
    return created
