"""The daily follow-up digest: what went wrong since yesterday, for each head, lead and
inspector (rules in :mod:`inspect_app.domain.digests`).

Heads and leads receive the overdue items of their subtree and the units with the most
money left; inspectors the overdue items of the cases they lead or work on. An item is
listed when it reaches a rung of lateness it has not been listed at for that user: the
entries (``digest_entry``, unique per user, item and rung) are written with ``ON CONFLICT DO
NOTHING`` and only the rows actually written make the digest, all in one transaction per
user with the digest's notification (unique per user and day). A rerun, a retry or a second
worker therefore lists nothing twice, and a user with nothing new receives nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from inspect_app.db import write_transaction
from inspect_app.domain.digests import NEWLY_OVERDUE as NEW
from inspect_app.domain.digests import (
    SECTION_MAX_ITEMS,
    TOP_UNITS,
    DigestLadder,
    rung_to_list,
    sections,
)
from inspect_app.domain.formatting import format_date, format_vnd
from inspect_app.i18n import N_, translate
from inspect_app.services.follow_ups import (
    DEADLINE_LABELS,
    DIGEST_LADDER,
    OPEN_DEADLINES_SQL,
    UNIDENTIFIED_UNIT,
)
from models.tables import AppUser, DeadlineLadder, DigestEntry, JobState, Notification

KIND = "digest"
# The JobState row holding the day of the last complete run.
LAST_RUN = "digest:last_day"
ROLES = ("head", "lead", "inspector")
# Heads and leads read their subtree; an inspector their own cases.
SCOPE_ROLES = ("head", "lead")
INSERT_CHUNK = 1000

TITLE = N_("Follow-up digest of {day}: {new} newly overdue, {older} overdue for long.")
NEW_HEADING = N_("Became overdue:")
RUNG_HEADING = N_("Overdue for {days} days or more:")
MORE = N_("… and {count} more.")
UNITS_HEADING = N_("Units with the most money left to recover:")


async def digest_ladder() -> DigestLadder:
    """The digest's rungs and repeat as an admin set them (defaults when none is stored)."""
    row = (
        await DeadlineLadder.select()
        .where(DeadlineLadder.deadline_type == DIGEST_LADDER)
        .output(load_json=True)
        .first()
    )
    if row is None:
        return DigestLadder()
    days = row["remind_days"]
    if isinstance(days, str):
        days = json.loads(days)
    return DigestLadder(
        rungs=tuple(sorted(int(d) for d in days)) or DigestLadder().rungs,
        repeat_days=int(row["escalate_after_days"]),
        active=bool(row["active"]),
    )


@dataclass(frozen=True)
class Recipient:
    """Who a digest goes to: heads and leads read their subtree, the others their cases."""

    id: int
    role: str
    language: str
    agency_path: str


@dataclass(frozen=True)
class OverdueItem:
    """One overdue deadline a digest lists."""

    entity_type: str
    entity_id: int
    deadline_type: str
    due_on: date
    inspection_code: str
    description: str

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.entity_type, self.entity_id, self.deadline_type)


@dataclass(frozen=True)
class UnitLeft:
    """A responsible unit and the money it still owes (the digest's closing lines)."""

    unit_name: str
    left_vnd: int


def _scope(user: Recipient) -> tuple[str, list[Any]]:
    if user.role in SCOPE_ROLES:
        return "d.agency_path LIKE {}", [user.agency_path + "%"]
    return (
        "(d.lead_user_id = {} OR d.inspection_id IN"
        ' (SELECT im.inspection FROM inspection_member im WHERE im."user" = {}))',
        [user.id, user.id],
    )


async def _overdue_items(user: Recipient, today: date) -> list[OverdueItem]:
    condition, args = _scope(user)
    rows = await DigestEntry.raw(
        "SELECT d.entity_type AS entity_type, d.entity_id AS entity_id,"
        " d.deadline_type AS deadline_type, d.due_on AS due_on,"
        " d.inspection_code AS inspection_code, d.description AS description"
        f" FROM ({OPEN_DEADLINES_SQL}) d WHERE {condition} AND d.due_on < {{}}"
        " ORDER BY d.due_on, d.type_rank, d.entity_id",
        *args,
        today,
    )
    return [
        OverdueItem(
            entity_type=str(row["entity_type"]),
            entity_id=int(row["entity_id"]),
            deadline_type=str(row["deadline_type"]),
            # SQLite hands back the dates of a UNION as text.
            due_on=date.fromisoformat(str(row["due_on"])[:10]),
            inspection_code=str(row["inspection_code"]),
            description=str(row["description"] or ""),
        )
        for row in rows
    ]


async def _top_units(user: Recipient) -> list[UnitLeft]:
    condition, args = _scope(user)
    rows = await DigestEntry.raw(
        "SELECT d.unit_name AS unit_name, SUM(d.left_vnd) AS left_vnd"
        f" FROM ({OPEN_DEADLINES_SQL}) d WHERE {condition}"
        " GROUP BY d.unit_name HAVING SUM(d.left_vnd) > 0"
        " ORDER BY SUM(d.left_vnd) DESC, d.unit_name LIMIT {}",
        *args,
        TOP_UNITS,
    )
    return [UnitLeft(str(row["unit_name"] or ""), int(row["left_vnd"])) for row in rows]


async def _record_entries(
    user_id: int, listed: list[tuple[OverdueItem, int]], today: date
) -> set[tuple[str, int, str, int]]:
    """Write the entries; the (item, rung) pairs that were not listed before."""
    written: set[tuple[str, int, str, int]] = set()
    for start in range(0, len(listed), INSERT_CHUNK):
        chunk = listed[start : start + INSERT_CHUNK]
        rows = (
            await DigestEntry.insert(
                *(
                    DigestEntry(
                        user=user_id,
                        entity_type=row.entity_type,
                        entity_id=row.entity_id,
                        deadline_type=row.deadline_type,
                        rung=rung,
                        day=today,
                    )
                    for row, rung in chunk
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(
                DigestEntry.entity_type,
                DigestEntry.entity_id,
                DigestEntry.deadline_type,
                DigestEntry.rung,
            )
        )
        written |= {
            (str(r["entity_type"]), int(r["entity_id"]), str(r["deadline_type"]), int(r["rung"]))
            for r in rows
        }
    return written


def digest_text(
    items: Sequence[tuple[OverdueItem, int]],
    units: Sequence[UnitLeft],
    today: date,
    lang: str,
) -> tuple[str, str]:
    """The digest's title and body in ``lang``: sections by rung, then the units."""
    lines: list[str] = []
    by_rung: dict[int, list[OverdueItem]] = {}
    for row, rung in items:
        by_rung.setdefault(rung, []).append(row)
    for rung in sections(list(by_rung)):
        rows = by_rung[rung]
        heading = NEW_HEADING if rung == NEW else RUNG_HEADING
        lines.append(translate(heading, lang, days=rung))
        for row in rows[:SECTION_MAX_ITEMS]:
            label = translate(DEADLINE_LABELS[row.deadline_type], lang)
            what = f": {row.description}" if row.description else ""
            due = format_date(row.due_on, lang)
            lines.append(f"- {row.inspection_code} · {label}{what} ({due})"[:400])
        if len(rows) > SECTION_MAX_ITEMS:
            lines.append(translate(MORE, lang, count=len(rows) - SECTION_MAX_ITEMS))
        lines.append("")
    if units:
        lines.append(translate(UNITS_HEADING, lang))
        for unit in units:
            name = unit.unit_name or translate(UNIDENTIFIED_UNIT, lang)
            lines.append(f"- {name}: {format_vnd(unit.left_vnd, lang)}")
    new = sum(1 for _, rung in items if rung == NEW)
    title = translate(TITLE, lang, day=format_date(today, lang), new=new, older=len(items) - new)
    return title, "\n".join(lines).strip()


async def send_digest(
    user: Recipient,
    today: date,
    ladder: DigestLadder,
    now: datetime,
    last_run: date | None = None,
) -> int:
    """The digest of one user for ``today``; how many items it listed (0: none sent).

    ``last_run`` is the day of the last complete run: only items whose rung changed since
    then are looked at.
    """
    rows = await _overdue_items(user, today)
    listed: list[tuple[OverdueItem, int]] = []
    for row in rows:
        rung = rung_to_list(row.due_on, today, last_run, ladder)
        if rung is not None:
            listed.append((row, rung))
    if not listed:
        return 0
    async with write_transaction():
        written = await _record_entries(user.id, listed, today)
        items = [(row, rung) for row, rung in listed if (*row.key, rung) in written]
        if not items:
            return 0
        units = await _top_units(user) if user.role in SCOPE_ROLES else []
        lang = user.language
        title, body = digest_text(items, units, today, lang)
        link = (
            "/follow-ups?state=overdue" if user.role in SCOPE_ROLES else "/inspections?overdue=yes"
        )
        await Notification.insert(
            Notification(
                user=user.id,
                kind=KIND,
                entity_type=KIND,
                entity_id=user.id,
                deadline_type="",
                rung=KIND,
                due_on=today,
                title=title[:500],
                body=body,
                link=link,
                created_at=now,
            )
        ).on_conflict(action="DO NOTHING")
    return len(items)


async def send_digests(today: date) -> dict[str, int]:
    """Every user's digest for ``today``; how many users received one and how many items."""
    ladder = await digest_ladder()
    summary = {"users": 0, "items": 0}
    if not ladder.active:
        return summary
    users = await AppUser.select(
        AppUser.id,
        AppUser.role,
        AppUser.language,
        AppUser.agency.path.as_alias("agency_path"),
    ).where((AppUser.active == True) & AppUser.role.is_in(list(ROLES)))  # noqa: E712
    now = datetime.now(UTC)
    last_run = await _last_run()
    if last_run is not None and last_run >= today:
        return summary  # this day's run went through every user already
    for row in users:
        user = Recipient(
            int(row["id"]), str(row["role"]), str(row["language"] or "vi"), str(row["agency_path"])
        )
        count = await send_digest(user, today, ladder, now, last_run)
        if count:
            summary["users"] += 1
            summary["items"] += count
    # Only a run that went through every user moves the day on: a run stopped half-way is
    # redone from the same last day (the entries' uniqueness keeps what it had written).
    if last_run is None or last_run < today:
        await JobState.raw(
            "INSERT INTO job_state (name, last_started_at, last_finished_at, last_status, detail)"
            " VALUES ({}, {}, {}, 'ok', {}) ON CONFLICT (name) DO UPDATE"
            " SET last_finished_at = excluded.last_finished_at, detail = excluded.detail",
            LAST_RUN,
            now,
            datetime.now(UTC),
            today.isoformat(),
        )
    return summary


async def _last_run() -> date | None:
    row = await JobState.select(JobState.detail).where(JobState.name == LAST_RUN).first()
    try:
        return date.fromisoformat(str(row["detail"])) if row else None
    except ValueError:
        return None
