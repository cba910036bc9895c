"""In-app notifications: creating them once per rung, reading them, e-mailing them.

A notification is unique per (user, entity, deadline type, rung, due day) in the database,
and the deadline watch (:mod:`jobs.deadlines`) inserts them with ``ON CONFLICT DO NOTHING``:
a watch that runs twice, a job that is retried after a crash, or two workers scanning at the
same moment insert each notice once. Notices of events (a report submitted or returned, a
reminder letter received, a change asked for or decided: :func:`send`) have no due day, so
the index never finds two of them equal: the write that makes the event sends them, once per
event.
E-mail follows the same rule: a row is claimed (``emailed_at`` set where it was empty) before
its message is sent, so no two runs send it; a failed send releases the claim for the next
run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from inspect_app import data_version
from inspect_app.errors import NotFound
from inspect_app.i18n import N_, N_plural, translate
from inspect_app.principal import Principal
from inspect_app.schemas.jobs import NotificationOut, NotificationPage
from inspect_app.services.casework import decode_cursor, encode_cursor, page_limit
from inspect_app.services.mailer import Mail, send_mails, smtp_configured
from inspect_app.settings import get_settings
from models.tables import Notification

log = logging.getLogger(__name__)

# Notices older than this are not e-mailed any more (e.g. after SMTP was down for a week).
EMAIL_CATCH_UP = timedelta(days=2)
WATCH_KINDS = ("reminder", "overdue", "escalation")
# The kinds that are e-mailed: the deadline watch's, reminder letters received, changes
# waiting for one's approval (and the answer to one's request) and the daily digest (unless
# the user muted digests by e-mail).
EMAILED_KINDS = (*WATCH_KINDS, "letter", "approval", "digest")

TITLES = {
    "reminder": N_("{deadline} of {code} is due on {due}."),
    "overdue": N_("{deadline} of {code} is overdue since {due}."),
    "escalation": N_plural(
        "{deadline} of {code} is still not done {days} day after {due}.",
        "{deadline} of {code} is still not done {days} days after {due}.",
        count="days",
    ),
}

NOTIFICATION_FIELDS = (
    Notification.id,
    Notification.kind,
    Notification.entity_type,
    Notification.entity_id,
    Notification.deadline_type,
    Notification.rung,
    Notification.due_on,
    Notification.title,
    Notification.body,
    Notification.link,
    Notification.created_at,
    Notification.read_at,
)


def notice_title(
    kind: str, deadline_label: str, code: str, due: date, today: date, lang: str
) -> str:
    """The title of a deadline notice in ``lang``."""
    return translate(
        TITLES[kind],
        lang,
        deadline=translate(deadline_label, lang),
        code=code,
        due=due.strftime("%d/%m/%Y"),
        days=(today - due).days,
    )


# --------------------------------------------------------------------------- sending


@dataclass(frozen=True, slots=True)
class Notice:
    """What one event tells each of its recipients; only the title is per language."""

    kind: str
    entity_type: str
    entity_id: int
    rung: str
    link: str
    deadline_type: str = ""
    body: str = ""
    created_at: datetime | None = None


async def send(
    recipients: Iterable[tuple[int, str]], notice: Notice, title: Callable[[str], str]
) -> None:
    """Insert ``notice`` once per (user id, language) of ``recipients``, in one statement.

    ``title(language)`` writes the title in that user's language, cut to the column's 500
    characters. The notice has no due day, so the unique index on the rung never finds it
    equal to an earlier one: each event tells its recipients again (a report submitted a
    second time after a return notifies the heads twice).
    """
    extra: dict[str, Any] = {} if notice.created_at is None else {"created_at": notice.created_at}
    rows = [
        Notification(
            user=user_id,
            kind=notice.kind,
            entity_type=notice.entity_type,
            entity_id=notice.entity_id,
            deadline_type=notice.deadline_type,
            rung=notice.rung,
            title=title(language or "vi")[:500],
            body=notice.body,
            link=notice.link,
            **extra,
        )
        for user_id, language in recipients
    ]
    if rows:
        await Notification.insert(*rows)


# --------------------------------------------------------------------------- e-mail


async def deliver_pending_emails(now: datetime | None = None) -> int:
    """E-mail the recent notices (deadlines, letters) not e-mailed yet; how many were sent."""
    settings = get_settings()
    if not smtp_configured(settings):
        return 0
    now = now or datetime.now(UTC)
    pending = await Notification.raw(
        "SELECT n.id AS id, n.title AS title, n.body AS body, n.link AS link, u.email AS email"
        ' FROM notification n JOIN app_user u ON u.id = n."user"'
        " WHERE n.emailed_at IS NULL AND n.created_at >= {} AND n.kind IN ("
        + ", ".join("{}" for _ in EMAILED_KINDS)
        + ")"
        " AND u.active = {} AND u.email IS NOT NULL AND u.email <> ''"
        " AND (n.kind <> 'digest' OR u.digest_email = {})"
        " ORDER BY n.id LIMIT 500",
        now - EMAIL_CATCH_UP,
        *EMAILED_KINDS,
        True,
        True,
    )
    if not pending:
        return 0
    # Claim first: whoever sets emailed_at sends the message, nobody else.
    claimed = {
        row["id"]
        for row in await Notification.update({Notification.emailed_at: now})
        .where(
            Notification.id.is_in([row["id"] for row in pending])
            & Notification.emailed_at.is_null()
        )
        .returning(Notification.id)
    }
    batch = [row for row in pending if row["id"] in claimed]
    mails = [
        Mail(
            to=row["email"],
            subject=row["title"],
            body=f"{row['title']}\n\n{row['body']}\n\n{settings.base_url.rstrip('/')}{row['link']}\n",
        )
        for row in batch
    ]
    results = await send_mails(mails, settings)
    failed = [row["id"] for row, ok in zip(batch, results, strict=True) if not ok]
    if failed:
        await Notification.update({Notification.emailed_at: None}).where(
            Notification.id.is_in(failed)
        )
    return len(batch) - len(failed)


# --------------------------------------------------------------------------- reading


def _out(row: dict[str, Any]) -> NotificationOut:
    return NotificationOut(**row, read=row["read_at"] is not None)


async def list_notifications(
    principal: Principal,
    *,
    cursor: str | None = None,
    limit: int | None = None,
    unread_only: bool = False,
) -> NotificationPage:
    """The caller's notifications, newest first (keyset on id)."""
    size = page_limit(limit)
    after = decode_cursor(cursor)
    query = Notification.select(*NOTIFICATION_FIELDS).where(Notification.user == principal.id)
    if unread_only:
        query = query.where(Notification.read_at.is_null())
    if after is not None:
        query = query.where(Notification.id < after)
    rows = await query.order_by(Notification.id, ascending=False).limit(size + 1)
    items = [_out(row) for row in rows[:size]]
    next_cursor = encode_cursor(items[-1].id) if len(rows) > size and items else None
    return NotificationPage(items=items, next_cursor=next_cursor)


async def unread_count(principal: Principal) -> int:
    """How many unread notifications the caller has."""
    return int(
        await Notification.count().where(
            (Notification.user == principal.id) & Notification.read_at.is_null()
        )
    )


async def mark_read(principal: Principal, notification_id: int) -> NotificationOut:
    """Mark one of the caller's notifications as read (idempotent); NotFound for others'."""
    now = datetime.now(UTC)
    marked = (
        await Notification.update({Notification.read_at: now})
        .where(
            (Notification.id == notification_id)
            & (Notification.user == principal.id)
            & Notification.read_at.is_null()
        )
        .returning(Notification.id)
    )
    if marked:
        await data_version.bump()  # the menu's unread count (services.menu)
    row = (
        await Notification.select(*NOTIFICATION_FIELDS)
        .where((Notification.id == notification_id) & (Notification.user == principal.id))
        .first()
    )
    if row is None:
        raise NotFound()
    return _out(row)


async def mark_all_read(principal: Principal) -> int:
    """Mark every unread notification of the caller as read; how many were marked."""
    rows = (
        await Notification.update({Notification.read_at: datetime.now(UTC)})
        .where((Notification.user == principal.id) & Notification.read_at.is_null())
        .returning(Notification.id)
    )
    if rows:
        await data_version.bump()  # the menu's unread count (services.menu)
    return len(rows)
