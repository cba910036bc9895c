"""The daily follow-up digest over simulated days, run by a real arq worker in burst mode.

The world (tests/integration/jobs_support.py) has two deadlines due on 20/03/2026: the
conclusion of TT-01/2026 (Phòng Nghiệp vụ 1, the inspector is on its team) and the
recommendation of TT-02/2026 (120 triệu for Sở Tài chính). The head and the division's lead
see both; the inspector sees the conclusion of the case they work on; Sở Tài chính's lead
sees neither (the cases are the division's). Each item is listed once per rung: on 21/03
(became overdue), on 19/04 (30 days), 19/05 (60), 18/06 (90), then every 30 days.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from models.tables import AppUser, DeadlineLadder, DigestEntry, Measure, Notification
from tests.integration.jobs_support import DUE, build_jobs_world, run_jobs, sign_in
from tests.integration.mail_support import Inbox, subject_of

pytestmark = [pytest.mark.usefixtures("db")]


async def _run(redis_url: str, day: date, job_id: str | None = None) -> None:
    job = ("send_daily_digests", (day.isoformat(),), job_id or f"digest:{day.isoformat()}")
    await run_jobs(redis_url, job)


async def _digests() -> dict[tuple[int, date], dict[str, Any]]:
    rows = await Notification.select().where(Notification.kind == "digest")
    return {(int(row["user"]), row["due_on"]): row for row in rows}


async def test_each_item_is_listed_once_per_rung_over_the_days(redis_url: str) -> None:
    w = await build_jobs_world()
    day = DUE  # due today: not late yet
    await _run(redis_url, day)
    assert await _digests() == {}

    first = DUE + timedelta(days=1)
    await _run(redis_url, first)
    digests = await _digests()
    assert set(digests) == {(w.head, first), (w.lead, first), (w.member, first)}
    head = digests[(w.head, first)]
    assert head["title"] == (
        "Bản tin theo dõi ngày 21/03/2026: 2 mục mới quá hạn, 0 mục quá hạn lâu."
    )
    assert head["body"].splitlines()[:3] == [
        "Mới quá hạn:",
        "- TT-01/2026 · Kết luận thanh tra (20/03/2026)",
        "- TT-02/2026 · Kiến nghị: Thu hồi 120.000.000 đ về ngân sách (20/03/2026)",
    ]
    assert "Đơn vị còn nhiều tiền phải thu hồi nhất:" in head["body"]
    assert "- Sở Tài chính: 120.000.000 ₫" in head["body"]
    assert head["link"] == "/follow-ups?state=overdue"
    member = digests[(w.member, first)]  # an English-speaking inspector: their own case only
    assert member["title"] == "Follow-up digest of 21/03/2026: 1 newly overdue, 0 overdue for long."
    assert "TT-02/2026" not in member["body"] and "Units" not in member["body"]
    assert member["link"] == "/inspections?overdue=yes"

    # A rerun the same day, and every day until the 30th, list nothing new.
    await _run(redis_url, first, job_id="digest:again")
    for late in (2, 15, 29):
        await _run(redis_url, DUE + timedelta(days=late))
    assert len(await _digests()) == 3
    assert await DigestEntry.count() == 5

    thirtieth = DUE + timedelta(days=30)
    await _run(redis_url, thirtieth)
    head = (await _digests())[(w.head, thirtieth)]
    assert head["title"].endswith("0 mục mới quá hạn, 2 mục quá hạn lâu.")
    assert head["body"].startswith("Quá hạn từ 30 ngày trở lên:")

    # The worker was down from day 31 to day 91: the digest of day 92 lists the 90-day rung
    # once, without the 60-day rung it overtook.
    await _run(redis_url, DUE + timedelta(days=92))
    rungs = sorted(r["rung"] for r in await DigestEntry.select().where(DigestEntry.user == w.head))
    assert rungs == [1, 1, 30, 30, 90, 90]
    for late in (93, 119):
        await _run(redis_url, DUE + timedelta(days=late))
    assert len(await _digests()) == 9
    await _run(redis_url, DUE + timedelta(days=120))  # monthly after the last rung
    assert len(await _digests()) == 12

    # A recommendation carried out is no longer listed; the conclusion still is.
    await Measure.update({Measure.status: "done"}).where(Measure.id == w.measure)
    day150 = DUE + timedelta(days=150)
    await _run(redis_url, day150)
    body = (await _digests())[(w.head, day150)]["body"]
    assert "TT-01/2026" in body and "TT-02/2026" not in body


async def test_an_admin_sets_the_rungs_and_can_stop_the_digest(redis_url: str) -> None:
    w = await build_jobs_world()
    await DeadlineLadder.update(
        {DeadlineLadder.remind_days: [10], DeadlineLadder.escalate_after_days: 5}
    ).where(DeadlineLadder.deadline_type == "digest")
    for late in (1, 9, 10, 14, 15):
        await _run(redis_url, DUE + timedelta(days=late))
    rungs = sorted(
        {r["rung"] for r in await DigestEntry.select().where(DigestEntry.user == w.head)}
    )
    assert rungs == [1, 10, 15]

    await DeadlineLadder.update({DeadlineLadder.active: False}).where(
        DeadlineLadder.deadline_type == "digest"
    )
    before = await Notification.count()
    await _run(redis_url, DUE + timedelta(days=20))
    assert await Notification.count() == before


@pytest.mark.parametrize(("rungs", "ok"), [("30, 60, 90", True), ("1, 30", False), ("", False)])
async def test_the_digest_ladder_form_refuses_day_one_and_an_empty_list(
    client: Any, rungs: str, ok: bool
) -> None:
    from tests.integration.jobs_support import make_user

    w = await build_jobs_world()
    admin = await make_user("quan_tri", "admin", w.province)
    csrf = await sign_in(client, admin)
    page = (await client.get("/admin/ladders")).text
    assert 'data-testid="ladder-digest"' in page
    version = (
        await DeadlineLadder.select(DeadlineLadder.version)
        .where(DeadlineLadder.deadline_type == "digest")
        .first()
    )["version"]
    response = await client.post(
        "/admin/ladders/digest",
        data={
            "_csrf_token": csrf,
            "version": str(version),
            "remind_days": rungs,
            "overdue_after_days": "1",
            "escalate_after_days": "30",
            "active": "true",
        },
        follow_redirects=False,
    )
    assert (response.status_code in (302, 303)) is ok, response.text
    if not ok:
        assert 'id="e-remind_days"' in response.text


async def test_the_digest_is_mailed_unless_muted(
    client: Any, redis_url: str, smtp_inbox: Inbox
) -> None:
    w = await build_jobs_world(emails=True)  # the head and the lead have an address
    csrf = await sign_in(client, w.lead)
    response = await client.post(
        "/account/digest", data={"_csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code in (302, 303)
    lead = await AppUser.select(AppUser.digest_email).where(AppUser.id == w.lead).first()
    assert lead["digest_email"] is False
    await _run(redis_url, DUE + timedelta(days=1))

    # Both have the digest in the app; only the head gets the e-mail.
    assert {user for user, _ in await _digests()} == {w.head, w.lead, w.member}
    digest_mails = [
        (rcpts, m) for rcpts, m in smtp_inbox.messages if subject_of(m).startswith("Bản tin")
    ]
    assert [rcpts for rcpts, _ in digest_mails] == [["chanh@example.test"]]
    assert "Mới quá hạn:" in digest_mails[0][1].get_payload(decode=True).decode()
