"""The reminder ladders as an administrator sets them (/admin/ladders).

A ladder says, per deadline type, how many days before the due day reminders go out, after
how many days an overdue notice and an escalation to the head follow, and whether notices
are sent at all. The daily digest's ladder keeps its rungs of lateness (days after the due
day) and its repeat in the same columns; the ladder of units' reports also keeps the days
after a period's end by which each kind of report is due. The board and the deadline watch
read the ladders through ``services.follow_ups.ladders``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from inspect_app.db import write_transaction
from inspect_app.domain import submissions as submission_rules
from inspect_app.domain.reminders import MAX_LADDER_DAYS, ladder_faults
from inspect_app.errors import Conflict, NotFound
from inspect_app.i18n import N_
from inspect_app.principal import Principal
from inspect_app.services import audit
from inspect_app.services.casework import Errors
from inspect_app.services.follow_ups import DIGEST_LADDER, EDITABLE_LADDERS, REPORT_LADDER
from models.tables import DeadlineLadder

MSG_REMIND_DAYS = N_("Enter different whole numbers of days from 0 to 365, e.g. 5, 1.")
MSG_DIGEST_RUNGS = N_("Enter days after the due day from 2 to 365, e.g. 30, 60, 90.")
MSG_LADDER_DAYS = N_("Enter a whole number of days from 1 to 365.")
MSG_DUE_DAYS = N_("Enter a whole number of days from 0 to 60.")
MSG_ESCALATE_FIRST = N_("Escalation cannot come before the overdue notice.")


@dataclass(frozen=True)
class LadderChange:
    """A ladder as its form sets it, with the version it was read at. ``remind_days`` are
    days before the due day (the digest's: days after it); ``due_days`` only counts for
    the ladder of units' reports (days after a period's end, per kind of report)."""

    version: int
    remind_days: tuple[int, ...]
    overdue_after_days: int
    escalate_after_days: int
    active: bool
    due_days: Mapping[str, int] | None = None


@dataclass(frozen=True)
class LadderSetting:
    """A stored ladder; ``due_days`` is the report ladder's (its defaults filled in), None
    for the others."""

    deadline_type: str
    remind_days: tuple[int, ...]
    overdue_after_days: int
    escalate_after_days: int
    active: bool
    version: int
    due_days: Mapping[str, int] | None = None


def ladder_errors(change: LadderChange, deadline_type: str) -> Errors:
    """What is wrong with a ladder: a field per problem (message ids)."""
    errors = Errors()
    days = change.remind_days
    faults = ladder_faults(days, change.overdue_after_days, change.escalate_after_days)
    if "remind_days" in faults:
        errors["remind_days"] = MSG_REMIND_DAYS
    elif deadline_type == DIGEST_LADDER and (not days or min(days) < 2):
        # Day 1 after the due day is always "became overdue": the digest's rungs start later.
        errors["remind_days"] = MSG_DIGEST_RUNGS
    if "overdue_after_days" in faults:
        errors["overdue_after_days"] = MSG_LADDER_DAYS
    if "escalate_after_days" in faults:
        in_bounds = 1 <= change.escalate_after_days <= MAX_LADDER_DAYS
        errors["escalate_after_days"] = MSG_ESCALATE_FIRST if in_bounds else MSG_LADDER_DAYS
    if deadline_type == REPORT_LADDER:
        due = change.due_days or {}
        for kind in submission_rules.DUE_KINDS:
            if not 0 <= due.get(kind, -1) <= submission_rules.MAX_DUE_DAYS:
                errors[f"due_{kind}"] = MSG_DUE_DAYS
    return errors


def _setting(row: Mapping[str, Any]) -> LadderSetting:
    remind = row["remind_days"]
    if isinstance(remind, str):
        remind = json.loads(remind)
    due_days = None
    if row["deadline_type"] == REPORT_LADDER:
        stored = row["due_days"]
        if isinstance(stored, str):
            stored = json.loads(stored)
        due_days = {**submission_rules.DEFAULT_DUE_DAYS, **(stored or {})}
    return LadderSetting(
        deadline_type=str(row["deadline_type"]),
        remind_days=tuple(int(day) for day in remind or ()),
        overdue_after_days=int(row["overdue_after_days"]),
        escalate_after_days=int(row["escalate_after_days"]),
        active=bool(row["active"]),
        version=int(row["version"]),
        due_days=due_days,
    )


async def ladder_settings() -> list[LadderSetting]:
    """Every editable ladder with its version, in the order of the deadline types."""
    await ensure_ladders()
    rows = await DeadlineLadder.select().output(load_json=True)
    order = {name: index for index, name in enumerate(EDITABLE_LADDERS)}
    settings = [_setting(row) for row in rows if row["deadline_type"] in order]
    return sorted(settings, key=lambda setting: order[setting.deadline_type])


async def ensure_ladders() -> None:
    """Insert the default ladder of any deadline type that has none."""
    from inspect_app.services.catalogues import ensure_catalogues

    if await DeadlineLadder.count() < len(EDITABLE_LADDERS):
        await ensure_catalogues()


async def update_ladder(
    principal: Principal,
    deadline_type: str,
    change: LadderChange,
    ip: str,
    *,
    unread: Mapping[str, str] | None = None,
) -> LadderSetting:
    """Change a ladder (admin); InvalidInput naming every field at fault (with those the
    form could not read, ``unread``), Conflict on a stale version."""
    if deadline_type not in EDITABLE_LADDERS:
        raise NotFound()
    errors = ladder_errors(change, deadline_type)
    errors.update(unread or {})
    errors.raise_if_any()
    async with write_transaction():
        before = (
            await DeadlineLadder.select()
            .where(DeadlineLadder.deadline_type == deadline_type)
            .output(load_json=True)
            .first()
        )
        if before is None:
            raise NotFound()
        if before["version"] != change.version:
            raise Conflict(
                "This record was changed by someone else. Reload and try again.",
                code="stale_version",
            )
        after: dict[str, Any] = {
            "remind_days": sorted(change.remind_days, reverse=True),
            "overdue_after_days": change.overdue_after_days,
            "escalate_after_days": change.escalate_after_days,
            "active": change.active,
        }
        if deadline_type == REPORT_LADDER:
            after["due_days"] = {
                kind: (change.due_days or {})[kind] for kind in submission_rules.DUE_KINDS
            }
        changes: dict[Any, Any] = {
            getattr(DeadlineLadder, key): value for key, value in after.items()
        }
        changes[DeadlineLadder.version] = DeadlineLadder.version + 1
        updated = (
            await DeadlineLadder.update(changes)
            .where((DeadlineLadder.id == before["id"]) & (DeadlineLadder.version == change.version))
            .returning(DeadlineLadder.id)
        )
        if not updated:
            raise Conflict(
                "This record was changed by someone else. Reload and try again.",
                code="stale_version",
            )
        await audit.record(
            "update",
            actor=principal,
            entity_type="deadline_ladder",
            entity_id=before["id"],
            before={key: before[key] for key in after},
            after=after,
            ip=ip,
        )
    return _setting({**after, "deadline_type": deadline_type, "version": change.version + 1})
