"""Notifications in the pages and the API: counter, list, mark one or all as read."""

from __future__ import annotations

from datetime import date
from typing import Any

from inspect_app.i18n import translate
from inspect_app.services import notifications
from jobs.deadlines import watch_deadlines
from models.tables import Notification
from tests.integration.jobs_support import bearer, build_jobs_world, sign_in


async def test_api_lists_own_notifications_and_marks_them_read(db: str, client: Any) -> None:
    w = await build_jobs_world()
    await watch_deadlines(None, "2026-03-15")  # 5-day reminders
    await watch_deadlines(None, "2026-03-21")  # overdue notices
    headers = await bearer(w.lead)

    listed = (await client.get("/api/notifications", headers=headers)).json()
    assert listed["unread"] == 4
    assert [item["rung"] for item in listed["items"]] == [
        "overdue", "overdue", "remind_5", "remind_5",
    ]  # fmt: skip
    first = listed["items"][0]
    assert first["read"] is False and first["link"].startswith("/inspections/")

    read = await client.post(f"/api/notifications/{first['id']}/read", headers=headers)
    assert read.status_code == 200
    assert read.json()["read"] is True
    again = await client.post(f"/api/notifications/{first['id']}/read", headers=headers)
    assert again.json()["read_at"] == read.json()["read_at"]

    unread = (await client.get("/api/notifications?unread=true", headers=headers)).json()
    assert unread["unread"] == 3 and len(unread["items"]) == 3

    marked = await client.post("/api/notifications/read-all", headers=headers)
    assert marked.json() == {"marked": 3}
    assert (await client.get("/api/notifications", headers=headers)).json()["unread"] == 0


async def test_someone_elses_notification_is_not_found(db: str, client: Any) -> None:
    w = await build_jobs_world()
    await watch_deadlines(None, "2026-03-15")
    others = await Notification.select(Notification.id).where(Notification.user == w.member)
    response = await client.post(
        f"/api/notifications/{others[0]['id']}/read", headers=await bearer(w.lead)
    )
    assert response.status_code == 404
    assert await Notification.count().where(Notification.read_at.is_not_null()) == 0


async def test_pagination_walks_every_notification_once(db: str, client: Any) -> None:
    w = await build_jobs_world()
    for day in ("2026-03-15", "2026-03-19", "2026-03-21"):
        await watch_deadlines(None, day)
    headers = await bearer(w.lead)
    seen: list[int] = []
    cursor = ""
    while True:
        page = (
            await client.get(f"/api/notifications?limit=4&cursor={cursor}", headers=headers)
        ).json()
        seen += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        cursor = page["next_cursor"]
    assert len(seen) == 6 and len(set(seen)) == 6
    assert seen == sorted(seen, reverse=True)
    bad = await client.get("/api/notifications?cursor=nonsense", headers=headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "cursor"


async def test_page_shows_counter_and_list_and_marks_all_read(db: str, client: Any) -> None:
    w = await build_jobs_world()
    await watch_deadlines(None, date(2026, 3, 21).isoformat())
    csrf = await sign_in(client, w.lead)

    page = await client.get("/notifications")
    assert page.status_code == 200
    assert 'data-testid="unread-count">2<' in page.text
    assert "Kết luận thanh tra của TT-01/2026 đã quá hạn từ 20/03/2026." in page.text

    notice = (
        await Notification.select(Notification.id)
        .where((Notification.user == w.lead) & (Notification.entity_type == "measure"))
        .first()
    )
    opened = await client.post(
        f"/notifications/{notice['id']}/read",
        data={"_csrf_token": csrf},
        follow_redirects=False,
    )
    assert opened.status_code in (302, 303)
    assert opened.headers["location"] == f"/inspections/{w.concluded}"
    assert 'data-testid="unread-count">1<' in (await client.get("/notifications")).text

    done = await client.post(
        "/notifications/read-all", data={"_csrf_token": csrf}, follow_redirects=False
    )
    assert done.status_code in (302, 303)
    after = await client.get("/notifications")
    assert 'data-testid="unread-count"' not in after.text
    assert "Đã đánh dấu đã đọc 1 thông báo." in after.text


async def test_marking_all_read_counts_in_the_reader_s_language(db: str, client: Any) -> None:
    w = await build_jobs_world()
    await watch_deadlines(None, date(2026, 3, 21).isoformat())

    async def read_all(csrf: str) -> str:
        await client.post(
            "/notifications/read-all", data={"_csrf_token": csrf}, follow_redirects=False
        )
        return (await client.get("/notifications")).text

    assert "Đã đánh dấu đã đọc 2 thông báo." in await read_all(await sign_in(client, w.lead))
    # The inspector reads English: one notice (the singular), then none (the plural).
    csrf = await sign_in(client, w.member)
    assert "1 notification marked as read." in await read_all(csrf)
    assert "0 notifications marked as read." in await read_all(csrf)


async def test_a_notice_reaches_each_reader_in_their_language_once_per_event(db: str) -> None:
    w = await build_jobs_world()
    notice = notifications.Notice(
        kind="approval", entity_type="approval", entity_id=7, rung="approval", link="/approvals"
    )

    def title(language: str) -> str:
        return translate("Approved", language) + " " + "x" * 600

    await notifications.send([(w.lead, "vi"), (w.member, "en")], notice, title)
    rows = await Notification.select(Notification.user, Notification.title).order_by(
        Notification.user
    )
    titles = {row["user"]: row["title"] for row in rows}
    assert set(titles) == {w.lead, w.member}
    assert titles[w.lead].startswith("Đã phê duyệt ") and len(titles[w.lead]) == 500
    assert titles[w.member].startswith("Approved ") and len(titles[w.member]) == 500

    await notifications.send([], notice, title)  # nobody to tell: nothing written
    assert await Notification.count() == 2
    # The same event again (e.g. a report submitted a second time) tells them again.
    await notifications.send([(w.lead, "vi")], notice, title)
    assert await Notification.count().where(Notification.user == w.lead) == 2
