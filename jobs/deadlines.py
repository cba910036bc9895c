"""The deadline watch: reminders, overdue notices and escalations for every open deadline.

Runs every 15 minutes (worker cron, or the in-process scheduler). The ladder rules
(:mod:`inspect_app.domain.reminders`) depend only on the due day, so the watch first works
out in Python, per deadline type, which due days have a rung that fired within the catch-up
window (``DEADLINE_CATCH_UP_DAYS``, 3 by default) and which rungs each of them owes. One
``SELECT`` per deadline type then joins the open deadlines of those days (an index range on
the due column) with their rungs and recipients, leaves out the notices already sent, and
gives every notice with its title in the recipient's language. The same statement writes
them (``INSERT … SELECT … ON CONFLICT DO NOTHING``): no notice travels to Python and back.

Notices are unique in the database, so the run is idempotent: running it twice, retrying it
after a crash, or two workers running it at once create each notice exactly once. A worker
that was down for a weekend catches up on its next run; deadlines whose last rung fired
before the window (years-old overdue measures on first start) are not sent as a flood.
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from inspect_app import data_version
from inspect_app.clock import today as local_today
from inspect_app.db import engine, is_postgres, on_own_connection
from inspect_app.domain.reminders import ESCALATION, Ladder, Rung, due_days_to_watch
from inspect_app.domain.text import ascii_digits
from inspect_app.services import follow_ups, notifications, submissions
from jobs.job_log import logged_job
from models.tables import AppUser, Notification

log = logging.getLogger(__name__)

DEFAULT_CATCH_UP_DAYS = 3
MAX_CATCH_UP_DAYS = 60
# Stands for the case code in a title template; replaced in SQL by each deadline's code.
_CODE_MARK = "\x1ecode\x1e"
# Due days per statement: keeps the bound parameters well under SQLite's limit.
_DAYS_PER_STATEMENT = 40
_NOTICE_COLUMNS = (
    '"user", kind, entity_type, entity_id, deadline_type, rung, due_on, title, body, link,'
    " created_at"
)


def catch_up_days() -> int:
    """How many days back a missed rung is still sent (DEADLINE_CATCH_UP_DAYS, default 3)."""
    raw = os.environ.get("DEADLINE_CATCH_UP_DAYS", "").strip()
    if ascii_digits(raw):
        return min(int(raw), MAX_CATCH_UP_DAYS)
    return DEFAULT_CATCH_UP_DAYS


def _title_template(rung: Rung, deadline_type: str, due: date, today: date, lang: str) -> str:
    label = follow_ups.DEADLINE_LABELS[deadline_type]
    return notifications.notice_title(rung.kind, label, _CODE_MARK, due, today, lang)


# What a notice needs of its deadline; carried by every recipient's row (see below).
_CARRIED_COLUMNS = (
    "entity_type",
    "entity_id",
    "deadline_type",
    "due_on",
    "inspection_code",
    "inspection_title",
    "description",
    "inspection_id",
)


def _carried(alias: str) -> str:
    """The carried columns of the deadline row named ``alias``."""
    return ", ".join(f"{alias}.{column}" for column in _CARRIED_COLUMNS)


def _notices_sql(deadline_type: str, days: list[date], rung_rows: int, postgres: bool) -> str:
    """Insert the notices owed and not yet sent for the deadlines due on ``days``.

    The planner cannot know how many deadlines fall due on a few days (it estimates one
    conclusion where 763 are due nationally), so nothing here joins two derived lists on a
    key: a nested loop over two of them would compare every row with every row (1.7 million
    comparisons for the 816 ends of on-site work due, 0.25 s). Every recipient's row
    carries what the notice needs of its deadline, each recipient is found from its deadline
    through an index (members by case, leads and heads by agency, users by id), and the
    rungs (a handful of rows) are joined last.
    """
    # PostgreSQL cannot infer the type of a bare parameter in VALUES or a DISTINCT list.
    day_param = "CAST({} AS DATE)" if postgres else "{}"
    now_param = "CAST({} AS TIMESTAMPTZ)" if postgres else "{}"
    values = ", ".join(f"({day_param}, {{}}, {{}}, {{}}, {{}})" for _ in range(rung_rows))
    due_in = ", ".join("{}" for _ in days)
    if deadline_type == "measure":
        # The leads of the responsible agency.
        team = (
            f"SELECT {_carried('d')}, u.id AS user_id, 0 AS escalates FROM deadline d"
            " JOIN app_user u ON u.agency = d.responsible_agency_id AND u.role = 'lead'"
        )
    else:
        team = (
            f'SELECT {_carried("d")}, m."user" AS user_id, 0 AS escalates FROM deadline d'
            " JOIN inspection_member m ON m.inspection = d.inspection_id"
        )
    body = (
        "CASE WHEN w.description <> '' THEN w.inspection_title || {} || w.description"
        " ELSE w.inspection_title END"
        if deadline_type == "measure"
        else "w.inspection_title"
    )
    return f"""
        WITH rung(due_on, rung, kind, lang, title) AS (VALUES {values}),
        -- Only what the notices need of the board's deadline rows (not their figures):
        -- the rows are kept for the steps below, and narrow ones stay in memory.
        deadline AS (
          SELECT {_carried("b")}, b.lead_user_id, b.responsible_agency_id,
            b.agency_path
          FROM ({follow_ups.deadline_branch_sql(deadline_type)}) b
          WHERE b.due_on IN ({due_in})
        ),
        -- MATERIALIZED: read once (the agencies that have a head), not once per deadline.
        head_agency AS MATERIALIZED (
          SELECT a.id, a.path FROM agency a WHERE a.id IN (
            SELECT h.agency FROM app_user h WHERE h.role = 'head' AND h.active = {{}})
        ),
        -- The deadlines due on an escalation's day, each with the agency whose heads it
        -- escalates to: its own, or its nearest ancestor's. MATERIALIZED, so that the heads
        -- are then looked up by that agency through the index.
        escalated AS MATERIALIZED (
          SELECT {_carried("d")}, (
              SELECT h.id FROM head_agency h WHERE d.agency_path LIKE h.path || '%'
              ORDER BY LENGTH(h.path) DESC LIMIT 1) AS head_agency_id
          FROM deadline d
          WHERE d.due_on IN (SELECT due_on FROM rung WHERE kind = '{ESCALATION}')
        ),
        recipient AS (
          SELECT x.*, u.language FROM (
            SELECT {_carried("d")}, d.lead_user_id AS user_id, 0 AS escalates FROM deadline d
            WHERE d.lead_user_id IS NOT NULL
            -- UNION: the case's lead is most often also a member, or a lead of the
            -- responsible agency; each is looked up and written once.
            UNION {team}
            UNION ALL
            SELECT {_carried("e")}, u.id AS user_id, 1 AS escalates
            FROM escalated e JOIN app_user u ON u.agency = e.head_agency_id AND u.role = 'head'
          ) x JOIN app_user u ON u.id = x.user_id AND u.active = {{}}
        ),
        -- One row per notice owed. MATERIALIZED, so that the check for notices already
        -- sent is made against one list: its plan is then one look-up of the unique key
        -- per notice. Joined with the rungs instead, the planner could probe the index by
        -- the rung alone (it did when the notices table looked empty: 3.9 million rows
        -- read for 1,646 notices).
        owed AS MATERIALIZED (
          SELECT DISTINCT w.user_id, r.kind, w.entity_type, w.entity_id, w.deadline_type,
            r.rung, w.due_on, r.title, w.inspection_code, w.inspection_title, w.description,
            w.inspection_id
          FROM recipient w
          JOIN rung r ON r.due_on = w.due_on AND r.lang = w.language
            AND w.escalates = CASE WHEN r.kind = '{ESCALATION}' THEN 1 ELSE 0 END
        )
        INSERT INTO notification ({_NOTICE_COLUMNS})
        SELECT w.user_id, w.kind, w.entity_type, w.entity_id, w.deadline_type, w.rung,
          w.due_on, SUBSTR(REPLACE(w.title, {{}}, w.inspection_code), 1, 500),
          {body}, '/inspections/' || CAST(w.inspection_id AS TEXT), {now_param}
        FROM owed w
        WHERE NOT EXISTS (
          SELECT 1 FROM notification n WHERE n."user" = w.user_id
            AND n.entity_type = w.entity_type AND n.entity_id = w.entity_id
            AND n.deadline_type = w.deadline_type AND n.rung = w.rung AND n.due_on = w.due_on)
        ORDER BY w.entity_id, w.rung, w.user_id
        -- Another run (a retry, a second worker) may have written some of them meanwhile.
        ON CONFLICT DO NOTHING
        RETURNING id
    """


async def _notify(
    deadline_type: str,
    owed: dict[date, list[Rung]],
    languages: list[str],
    today: date,
    postgres: bool,
) -> int:
    """Write the notices owed for one deadline type; how many were new."""
    now = datetime.now(UTC)
    created = 0
    days = list(owed)
    for start in range(0, len(days), _DAYS_PER_STATEMENT):
        chunk = days[start : start + _DAYS_PER_STATEMENT]
        args: list[Any] = []
        rung_rows = 0
        for due in chunk:
            for rung in owed[due]:
                for lang in languages:
                    args += [
                        due,
                        rung.name,
                        rung.kind,
                        lang,
                        _title_template(rung, deadline_type, due, today, lang),
                    ]
                    rung_rows += 1
        args += chunk
        args += [True, True, _CODE_MARK]
        if deadline_type == "measure":
            args.append("\n")
        args.append(now)
        created += await insert_owed(_notices_sql(deadline_type, chunk, rung_rows, postgres), args)
    return created


async def insert_owed(sql: str, args: list[Any]) -> int:
    """Run one statement of :func:`_notices_sql`; how many notices it wrote.

    Each statement writes all its notices or none, and a run stopped between two statements
    is finished by the next one (notices are unique).
    """
    return len(await Notification.raw(sql, *args))


@logged_job
async def watch_deadlines(ctx: dict[str, Any] | None, day: str | None = None) -> dict[str, int]:
    """Send every reminder, overdue notice and escalation due by ``day`` (default today)."""
    today = date.fromisoformat(day) if day else local_today()
    ladders: dict[str, Ladder] = await follow_ups.ladders()
    window = catch_up_days()
    languages = sorted(
        {row["language"] for row in await AppUser.select(AppUser.language).distinct()}
    )
    postgres = is_postgres()
    summary = {"due_days": 0, "created": 0, "emailed": 0}
    try:
        owed_by_type = {
            deadline_type: due_days_to_watch(ladders[deadline_type], today, window)
            for deadline_type in follow_ups.DEADLINE_TYPES
        }
        summary["due_days"] += sum(len(owed) for owed in owed_by_type.values())
        work = [
            partial(_notify, deadline_type, owed, languages, today, postgres)
            for deadline_type, owed in owed_by_type.items()
            if owed and languages
        ]
        if postgres and engine().current_transaction.get() is None and len(work) > 1:
            # The deadline types' statements write different notices and each commits on
            # its own: on PostgreSQL they run side by side, each on a connection of its own
            # (the recommendations' statement alone is about 60 % of the watch). A task
            # group: one failing cancels the others; the next watch finishes the rest.
            async with asyncio.TaskGroup() as group:
                running = [group.create_task(on_own_connection(one)) for one in work]
            summary["created"] += sum(task.result() for task in running)
        else:
            for one in work:
                summary["created"] += await one()
        tip_owed = due_days_to_watch(ladders["tip"], today, window)
        summary["due_days"] += len(tip_owed)
        if tip_owed:
            summary["created"] += await notify_tips(tip_owed, today)
        report_owed = due_days_to_watch(ladders["report"], today, window)
        summary["due_days"] += len(report_owed)
        if report_owed:
            summary["created"] += await submissions.owed_notices(report_owed, today)
    finally:
        # Each statement has committed (a watch stopped halfway included): the menus'
        # unread counts are read again.
        await data_version.bump()
    summary["emailed"] = await notifications.deliver_pending_emails()
    log.info("deadline watch for %s: %s", today, summary)
    return summary


@logged_job
async def send_daily_digests(ctx: dict[str, Any] | None, day: str | None = None) -> dict[str, int]:
    """Each head's, lead's and inspector's digest for ``day`` (default today), then e-mail."""
    from inspect_app.services import digests

    today = date.fromisoformat(day) if day else local_today()
    summary = await digests.send_digests(today)
    summary["emailed"] = await notifications.deliver_pending_emails()
    log.info("daily digest for %s: %s", today, summary)
    return summary


@logged_job
async def deliver_emails(ctx: dict[str, Any] | None) -> int:
    """E-mail the notices not e-mailed yet (each once, whoever runs it); how many were sent."""
    return await notifications.deliver_pending_emails()


async def notify_tips(owed: dict[date, list[Rung]], today: date) -> int:
    """The notices owed for tips still undecided on their due days; how many were new.

    Reminders and the overdue notice go to the officer handling the tip, or, while nobody
    took it, to the leads of the receiving agency; the escalation goes to its heads. Tips are
    few (a queue, not a register): they are read and the notices written from Python, each
    unique in the database as the cases' are.
    """
    from models.tables import Tip

    tips = await Tip.select(Tip.id, Tip.code, Tip.agency, Tip.handler, Tip.due_on).where(
        (Tip.status == "received") & Tip.due_on.is_in(list(owed))
    )
    if not tips:
        return 0
    agencies = sorted({int(tip["agency"]) for tip in tips})
    staff = await AppUser.select(AppUser.id, AppUser.agency, AppUser.role, AppUser.language).where(
        AppUser.agency.is_in(agencies)
        & AppUser.role.is_in(["lead", "head"])
        & (AppUser.active == True)  # noqa: E712
    )
    languages = {
        int(row["id"]): row["language"]
        for row in await AppUser.select(AppUser.id, AppUser.language).where(
            AppUser.id.is_in([int(t["handler"]) for t in tips if t["handler"]] or [0])
        )
    }
    now = datetime.now(UTC)
    label = follow_ups.DEADLINE_LABELS["tip"]
    notices = []
    for tip in tips:
        due = tip["due_on"]
        for rung in owed[due]:
            if rung.escalates:
                users = [
                    (int(u["id"]), u["language"])
                    for u in staff
                    if u["agency"] == tip["agency"] and u["role"] == "head"
                ]
            elif tip["handler"]:
                users = [(int(tip["handler"]), languages.get(int(tip["handler"]), "vi"))]
            else:
                users = [
                    (int(u["id"]), u["language"])
                    for u in staff
                    if u["agency"] == tip["agency"] and u["role"] == "lead"
                ]
            for user_id, lang in users:
                notices.append(
                    Notification(
                        user=user_id,
                        kind=rung.kind,
                        entity_type="tip",
                        entity_id=int(tip["id"]),
                        deadline_type="tip",
                        rung=rung.name,
                        due_on=due,
                        title=notifications.notice_title(
                            rung.kind, label, tip["code"], due, today, lang
                        )[:500],
                        body="",
                        link=f"/tips/{tip['id']}",
                        created_at=now,
                    )
                )
    if not notices:
        return 0
    created = (
        await Notification.insert(*notices)
        .on_conflict(action="DO NOTHING")
        .returning(Notification.id)
    )
    return len(created)
