"""Deadline notices are e-mailed once through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from models.tables import Notification
from tests import services
from tests.integration.jobs_support import build_jobs_world, run_jobs
from tests.integration.mail_support import Inbox, subject_of, use_env


async def test_overdue_notice_arrives_by_mail_once(
    db: str, redis_url: str, smtp_inbox: Inbox
) -> None:
    w = await build_jobs_world(emails=True)
    await run_jobs(redis_url, ("watch_deadlines", ("2026-03-21",), "mail-1"))

    # Of the four recipients only the lead has an e-mail address.
    assert len(smtp_inbox.messages) == 2
    recipients = sorted(rcpt for rcpts, _ in smtp_inbox.messages for rcpt in rcpts)
    assert recipients == ["doan@example.test", "doan@example.test"]
    subjects = sorted(subject_of(message) for _, message in smtp_inbox.messages)
    assert subjects == [
        "Kiến nghị của TT-02/2026 đã quá hạn từ 20/03/2026.",
        "Kết luận thanh tra của TT-01/2026 đã quá hạn từ 20/03/2026.",
    ]
    _, first = smtp_inbox.messages[0]
    assert first["From"] == "thanhtra@tinh.test"
    body = first.get_payload(decode=True).decode()
    assert f"/inspections/{w.awaiting_conclusion}" in body or f"/inspections/{w.concluded}" in body
    emailed = await Notification.count().where(Notification.emailed_at.is_not_null())
    assert emailed == 2

    # The same day again, and the escalation a week later: only the head's two new mails.
    await run_jobs(redis_url, ("watch_deadlines", ("2026-03-21",), "mail-2"))
    assert len(smtp_inbox.messages) == 2
    await run_jobs(redis_url, ("watch_deadlines", ("2026-03-27",), "mail-3"))
    assert len(smtp_inbox.messages) == 4
    assert sorted(r for rcpts, _ in smtp_inbox.messages[2:] for r in rcpts) == [
        "chanh@example.test",
        "chanh@example.test",
    ]


async def test_mail_server_down_then_back_sends_the_backlog_once(
    db: str, redis_url: str, smtp_inbox: Inbox
) -> None:
    await build_jobs_world(emails=True)
    previous = use_env({"SMTP_PORT": str(services.free_port())})  # nobody listens there
    try:
        await run_jobs(redis_url, ("watch_deadlines", ("2026-03-21",), "down-1"))
    finally:
        use_env(previous)
    assert smtp_inbox.messages == []
    assert await Notification.count() == 4
    assert await Notification.count().where(Notification.emailed_at.is_not_null()) == 0

    # The server is reachable again: the next run delivers what was held back, once.
    await run_jobs(redis_url, ("watch_deadlines", ("2026-03-21",), "down-2"))
    assert len(smtp_inbox.messages) == 2
    await run_jobs(redis_url, ("watch_deadlines", ("2026-03-21",), "down-3"))
    assert len(smtp_inbox.messages) == 2
