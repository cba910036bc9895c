"""The deadline watch: reminders, overdue notices and escalations for every open deadline.

Runs every 15 minutes (worker cron, or the in-process scheduler). Each run looks at every
open deadline whose first rung may have fired, works out with the pure ladder rules
(:mod:`inspect_app.domain.reminders`) which rungs apply today, and inserts one notice per
recipient and rung. Notices are unique in the database, so the run is idempotent: running
it twice, retrying it after a crash, or two workers running it at once create each notice
exactly once. Deadlines whose escalation has already gone out are skipped in SQL, which
keeps a run short however many old overdue deadlines there are.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from inspect_app.clock import today as local_today
from inspect_app.domain.reminders import ESCALATION, Ladder, Rung, rungs_due
from inspect_app.services import follow_ups, notifications
from models.tables import AppUser, InspectionMember, Notification

log = logging.getLogger(__name__)


async def _escalated_keys(deadlines: list[dict[str, Any]]) -> set[tuple[str, int, str, date]]:
    """Deadlines (entity, type, due day) whose escalation notice already exists."""
    keys: set[tuple[str, int, str, date]] = set()
    by_type: dict[str, set[int]] = defaultdict(set)
    for row in deadlines:
        by_type[row["entity_type"]].add(row["entity_id"])
    for entity_type, ids in by_type.items():
        ordered = sorted(ids)
        for start in range(0, len(ordered), 1000):
            rows = await Notification.select(
                Notification.entity_id, Notification.deadline_type, Notification.due_on
            ).where(
                (Notification.entity_type == entity_type)
                & Notification.entity_id.is_in(ordered[start : start + 1000])
                & (Notification.rung == "escalate")
            )
            keys.update(
                (entity_type, r["entity_id"], r["deadline_type"], r["due_on"]) for r in rows
            )
    return keys


async def _existing_rungs(
    deadlines: list[dict[str, Any]],
) -> set[tuple[str, int, str, str, date]]:
    """(entity, type, rung, due day) of every notice already sent for these deadlines."""
    found: set[tuple[str, int, str, str, date]] = set()
    by_type: dict[str, set[int]] = defaultdict(set)
    for row in deadlines:
        by_type[row["entity_type"]].add(row["entity_id"])
    for entity_type, ids in by_type.items():
        ordered = sorted(ids)
        for start in range(0, len(ordered), 1000):
            rows = (
                await Notification.select(
                    Notification.entity_id,
                    Notification.deadline_type,
                    Notification.rung,
                    Notification.due_on,
                )
                .where(
                    (Notification.entity_type == entity_type)
                    & Notification.entity_id.is_in(ordered[start : start + 1000])
                )
                .distinct()
            )
            found.update(
                (entity_type, r["entity_id"], r["deadline_type"], r["rung"], r["due_on"])
                for r in rows
            )
    return found


async def _team_members(inspection_ids: set[int]) -> dict[int, set[int]]:
    members: dict[int, set[int]] = defaultdict(set)
    if not inspection_ids:
        return members
    rows = await InspectionMember.select(InspectionMember.inspection, InspectionMember.user).where(
        InspectionMember.inspection.is_in(sorted(inspection_ids))
    )
    for row in rows:
        members[row["inspection"]].add(row["user"])
    return members


async def _users_by_role(role: str) -> dict[int, set[int]]:
    """Active users of ``role`` per agency."""
    rows = await AppUser.select(AppUser.id, AppUser.agency).where(
        (AppUser.role == role) & (AppUser.active == True)  # noqa: E712
    )
    found: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        found[row["agency"]].add(row["id"])
    return found


def _nearest_heads(agency_path: str, heads: dict[int, set[int]]) -> set[int]:
    """Heads of the agency, or of its nearest ancestor that has one."""
    for agency_id in reversed([int(part) for part in agency_path.strip("/").split("/") if part]):
        if heads.get(agency_id):
            return heads[agency_id]
    return set()


def _recipients(
    row: dict[str, Any],
    rung: Rung,
    members: dict[int, set[int]],
    leads: dict[int, set[int]],
    heads: dict[int, set[int]],
) -> set[int]:
    if rung.kind == ESCALATION:
        return set(_nearest_heads(row["agency_path"], heads))
    users: set[int] = set()
    if row["lead_user_id"]:
        users.add(row["lead_user_id"])
    if row["entity_type"] == "inspection":
        users |= members.get(row["inspection_id"], set())
    elif row["responsible_agency_id"]:
        users |= leads.get(row["responsible_agency_id"], set())
    return users


async def watch_deadlines(ctx: dict[str, Any] | None, day: str | None = None) -> dict[str, int]:
    """Send every reminder, overdue notice and escalation due by ``day`` (default today)."""
    today = date.fromisoformat(day) if day else local_today()
    ladders: dict[str, Ladder] = await follow_ups.ladders()
    lookahead = max((ladder.soon_window_days for ladder in ladders.values()), default=0)
    candidates = await follow_ups.open_deadlines_due_by(today + timedelta(days=lookahead))
    escalated = await _escalated_keys(candidates)
    candidates = [
        row
        for row in candidates
        if (row["entity_type"], row["entity_id"], row["deadline_type"], row["due_on"])
        not in escalated
    ]
    wanted = [
        (row, rung)
        for row in candidates
        for rung in rungs_due(ladders[row["deadline_type"]], row["due_on"], today)
    ]
    existing = await _existing_rungs([row for row, _ in wanted])
    wanted = [
        (row, rung)
        for row, rung in wanted
        if (row["entity_type"], row["entity_id"], row["deadline_type"], rung.name, row["due_on"])
        not in existing
    ]
    summary = {"deadlines": len(candidates), "rungs": len(wanted), "created": 0, "emailed": 0}
    if wanted:
        members = await _team_members(
            {row["inspection_id"] for row, _ in wanted if row["entity_type"] == "inspection"}
        )
        leads = await _users_by_role("lead")
        heads = await _users_by_role("head")
        per_rung = [
            (row, rung, _recipients(row, rung, members, leads, heads)) for row, rung in wanted
        ]
        profiles = await notifications.user_profiles(
            {user for _, _, users in per_rung for user in users}
        )
        for row, rung, users in per_rung:
            # One statement per rung: all its recipients are notified, or none (and retried).
            notices = [
                _notice(row, rung, profiles[user], today) for user in users if user in profiles
            ]
            summary["created"] += len(await notifications.insert_notices(notices))
    summary["emailed"] = await notifications.deliver_pending_emails()
    log.info("deadline watch for %s: %s", today, summary)
    return summary


def _notice(row: dict[str, Any], rung: Rung, user: dict[str, Any], today: date) -> dict[str, Any]:
    label = follow_ups.DEADLINE_LABELS[row["deadline_type"]]
    body = row["inspection_title"]
    if row["entity_type"] == "measure" and row["description"]:
        body = f"{row['inspection_title']}\n{row['description']}"
    return {
        "user": user["id"],
        "kind": rung.kind,
        "entity_type": row["entity_type"],
        "entity_id": row["entity_id"],
        "deadline_type": row["deadline_type"],
        "rung": rung.name,
        "due_on": row["due_on"],
        "title": notifications.notice_title(
            rung.kind, label, row["inspection_code"], row["due_on"], today, user["language"]
        )[:500],
        "body": body,
        "link": f"/inspections/{row['inspection_id']}",
    }
