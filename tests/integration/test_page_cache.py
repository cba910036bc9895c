"""The follow-up board is rendered once and reused, and never outlives a write.

The suite runs with the reuse off (PAGE_CACHE_SECONDS=0 under APP_ENV=test: its factories
write rows straight to the tables); these tests turn it on as production has it and check
what a reader relies on: a payment recorded through the app shows on the next view, on
every process (the version lives in Redis), a reader never sees another scope's or
language's board, and when the version cannot be read nothing is reused.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from inspect_app import data_version, page_cache
from inspect_app.db import write_transaction
from inspect_app.services import identity
from inspect_app.settings import get_settings
from models.tables import AppUser, Inspection, Measure
from tests.integration.jobs_support import build_jobs_world, make_user, sign_in

pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]

LEFT = re.compile(r'data-testid="follow-up-left">.*?<strong class="nowrap">([^<]*)</strong>', re.S)


@pytest.fixture(autouse=True)
def reuse_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PAGE_CACHE_SECONDS", "60")
    get_settings.cache_clear()
    page_cache.clear()
    yield
    get_settings.cache_clear()
    page_cache.clear()


def _today(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    import inspect_app.controllers.follow_ups as controller

    monkeypatch.setattr(controller, "today", lambda: day)


async def _left(client: Any) -> list[str]:
    page = await client.get("/follow-ups")
    assert page.status_code == 200
    return LEFT.findall(page.text)


async def test_a_payment_recorded_through_the_app_shows_on_the_next_view(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await build_jobs_world()
    _today(monkeypatch, date(2026, 3, 21))
    csrf = await sign_in(client, w.lead)
    assert await _left(client) == ["120.000.000 ₫"]
    before = page_cache.stats()
    assert await _left(client) == ["120.000.000 ₫"]
    after = page_cache.stats()
    assert (after["hits"], after["misses"]) == (before["hits"] + 1, before["misses"])

    response = await client.post(
        f"/measures/{w.measure}/executions",
        data={"amount_vnd": "20.000.000", "date": "20/03/2026", "_csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    assert await _left(client) == ["100.000.000 ₫"]


async def test_a_write_in_another_process_is_seen_through_the_shared_version(
    client: Any, monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    get_settings.cache_clear()
    w = await build_jobs_world()
    _today(monkeypatch, date(2026, 3, 21))
    await sign_in(client, w.lead)
    assert await _left(client) == ["120.000.000 ₫"]
    # Another process commits a payment (here: straight to the table) and bumps the
    # version in Redis, as its write_transaction does; this process's own counter is not
    # moved. This process hears of it through its watch, or, if the message is not there
    # yet, by asking Redis.
    await Measure.update({Measure.done_vnd: 30_000_000}).where(Measure.id == w.measure)
    assert await _left(client) == ["120.000.000 ₫"]  # kept: no version moved
    redis = Redis.from_url(redis_url)
    try:
        await data_version.move(redis)
    finally:
        await redis.aclose()
    await asyncio.sleep(0.05)  # the message's way through Redis
    assert await _left(client) == ["90.000.000 ₫"]


async def test_nothing_is_reused_while_the_version_cannot_be_read(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await build_jobs_world()
    _today(monkeypatch, date(2026, 3, 21))
    await sign_in(client, w.lead)
    assert await _left(client) == ["120.000.000 ₫"]

    async def unknown() -> None:
        return None

    monkeypatch.setattr(data_version, "current", unknown)
    await Measure.update({Measure.done_vnd: 30_000_000}).where(Measure.id == w.measure)
    assert await _left(client) == ["90.000.000 ₫"]
    await Measure.update({Measure.done_vnd: 40_000_000}).where(Measure.id == w.measure)
    assert await _left(client) == ["80.000.000 ₫"]


async def test_readers_of_other_scopes_roles_and_languages_get_their_own_board(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await build_jobs_world()
    _today(monkeypatch, date(2026, 3, 21))
    # The head of the province and the lead of the finance department, to which the
    # recommendation is addressed, both see it; an inspector of the finance department
    # (another agency than the case's) may not remind.
    await sign_in(client, w.head)
    head_page = (await client.get("/follow-ups")).text
    assert 'data-testid="remind-check"' in head_page
    other = await make_user("tc_ttv", "inspector", w.finance)
    await sign_in(client, other)
    theirs = (await client.get("/follow-ups")).text
    assert 'data-testid="remind-check"' not in theirs
    assert "Thanh tra tỉnh" not in theirs.split('id="f-agency_id"')[1].split("</select>")[0]
    # The same head in English (a committed write, as the language menu makes it).
    async with write_transaction():
        await AppUser.update({AppUser.language: "en"}).where(AppUser.id == w.head)
    await sign_in(client, w.head)
    english = (await client.get("/follow-ups")).text
    assert "Money left" in english and "Money left" not in head_page
    assert page_cache.stats()["parts"] == 3


def test_a_kept_part_lives_at_most_its_age_and_the_oldest_goes_first() -> None:
    now = [1000.0]
    kept: data_version.KeptByVersion[tuple[str, ...]] = data_version.KeptByVersion(
        10, page_cache._size
    )
    kept.clock = lambda: now[0]
    v1, v2 = ("e", 0, 1), ("e", 0, 2)
    kept.put("a", v1, ("123", "45"))
    now[0] += 60
    assert kept.get("a", v1, 60) == (True, ("123", "45"))  # 60 s old: still good
    now[0] += 0.001
    assert kept.get("a", v1, 60) == (False, None)  # a moment past its age
    assert kept.get("a", v2, 3600) == (False, None)  # another version
    kept.put("b", v1, ("6789",))
    kept.put("c", v1, ("xy", "z"))  # 12 bytes: "a" goes
    assert "a" not in kept.entries and kept.weight == 7
    kept.put("d", v1, ("đđđ", "đđđ"))  # 6 letters, 12 bytes: larger than the whole, not kept
    assert "d" not in kept.entries
    kept.put("e", None, ("x",))  # no version known: nothing kept
    assert "e" not in kept.entries


async def test_the_version_moves_once_after_the_outermost_commit_and_not_on_rollback() -> None:
    start = await data_version.current()
    assert start is not None
    async with write_transaction():
        async with write_transaction():
            await Measure.count()
        assert await data_version.current() == start  # not yet committed
    after = await data_version.current()
    assert after is not None and after[2] == start[2] + 1
    # A write that changes nothing a page shows (a sign-in attempt) leaves it.
    async with write_transaction(changes_data=False):
        await Measure.count()
    assert await data_version.current() == after
    with pytest.raises(RuntimeError):
        async with write_transaction():
            raise RuntimeError("the write fails")
    assert await data_version.current() == after


async def test_readers_of_a_part_being_rendered_wait_for_that_render() -> None:
    calls = 0
    release = asyncio.Event()

    async def render() -> str:
        nonlocal calls
        calls += 1
        await release.wait()
        return f"<p>board {calls}</p>"

    readers = [asyncio.ensure_future(page_cache.kept("board", render)) for _ in range(10)]
    await asyncio.sleep(0.05)
    # The first reader goes away: the others still get the render it started.
    readers[0].cancel()
    release.set()
    results = await asyncio.gather(*readers[1:])
    assert calls == 1
    assert set(results) == {"<p>board 1</p>"}
    assert await page_cache.kept("board", render) == "<p>board 1</p>"  # kept
    assert calls == 1


async def test_a_failed_render_fails_its_readers_and_is_not_kept() -> None:
    calls = 0

    async def failing() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        raise ValueError("the database went away")

    outcomes = await asyncio.gather(
        *(page_cache.kept("broken", failing) for _ in range(3)), return_exceptions=True
    )
    assert calls == 1
    assert all(isinstance(outcome, ValueError) for outcome in outcomes)

    async def working() -> str:
        return "<p>back</p>"

    assert await page_cache.kept("broken", working) == "<p>back</p>"


async def test_a_redis_that_lost_the_counter_starts_a_new_epoch(
    monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    get_settings.cache_clear()
    token = data_version.begin_request()
    try:
        before = await data_version.current()
        assert before is not None
        redis = Redis.from_url(redis_url)
        try:
            await redis.flushdb()  # a restart without persistence
        finally:
            await redis.aclose()
        data_version.end_request(token)
        token = data_version.begin_request()
        after = await data_version.current()
        assert after is not None and after[0] != before[0]
    finally:
        data_version.end_request(token)


async def test_a_bump_that_could_not_reach_redis_is_sent_when_it_answers(
    monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    get_settings.cache_clear()
    redis = Redis.from_url(redis_url)
    try:
        await redis.set(data_version.KEY, 10)
        real_pool = data_version.job_queue.redis_pool

        async def down(url: str) -> Any:
            raise ConnectionError("Redis is restarting")

        # (The back-off this sets is undone with the test.)
        monkeypatch.setattr(data_version, "_down_until", data_version._down_until)
        monkeypatch.setattr(data_version.job_queue, "redis_pool", down)
        await data_version.bump()  # committed, but Redis does not hear of it
        assert int(await redis.get(data_version.KEY)) == 10
        monkeypatch.setattr(data_version.job_queue, "redis_pool", real_pool)
        data_version._down_until = 0.0  # the back-off is over
        token = data_version.begin_request()
        try:
            version = await data_version.current()
        finally:
            data_version.end_request(token)
        assert version is not None and version[1] == 11
    finally:
        await redis.aclose()


def test_several_web_processes_without_redis_keep_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("WEB_WORKERS", "2")
    get_settings.cache_clear()
    assert asyncio.run(data_version._fetch()) is None
    monkeypatch.setenv("WEB_WORKERS", "1")
    get_settings.cache_clear()
    assert asyncio.run(data_version._fetch()) is not None


async def test_a_change_made_around_the_app_reaches_a_kept_principal_within_its_age(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await build_jobs_world()
    now = [1000.0]
    monkeypatch.setattr(identity._kept, "clock", lambda: now[0])
    await sign_in(client, w.lead)
    assert (await client.get("/api/me")).status_code == 200  # kept from here on
    # Deactivated from a database console: no write of the app, the version holds.
    await AppUser.update({AppUser.active: False}).where(AppUser.id == w.lead)
    now[0] += get_settings().principal_cache_seconds - 0.01
    assert (await client.get("/api/me")).status_code == 200
    now[0] += 0.02
    assert (await client.get("/api/me")).status_code == 401


async def test_the_case_list_and_its_counts_follow_a_write_at_once(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await build_jobs_world()
    await sign_in(client, w.head)
    status = re.compile(r'data-status="reported"[^>]*>[^<]*<strong>(\d+)</strong>')
    page = (await client.get("/inspections")).text
    assert status.findall(page) == ["1"] and "TT-01/2026" in page
    assert (await client.get("/inspections")).text == page  # kept
    hits = page_cache.stats()["hits"]
    assert hits >= 1
    # A committed write (as the lifecycle step makes it): the case leaves "reported".
    async with write_transaction():
        await Inspection.update({Inspection.status: "concluded"}).where(
            Inspection.id == w.awaiting_conclusion
        )
    page = (await client.get("/inspections")).text
    assert status.findall(page) == ["0"]
    # Another reader's scope gets its own list: the finance department has no case.
    other = await make_user("tc_ttv2", "inspector", w.finance)
    await sign_in(client, other)
    theirs = (await client.get("/inspections")).text
    assert "TT-01/2026" not in theirs
    # A filter the service refuses comes back with its error, and is not kept.
    refused = await client.get("/inspections?agency_id=999999")
    assert refused.status_code == 422 and 'id="e-agency_id"' in refused.text
    again = await client.get("/inspections?agency_id=999999")
    assert again.status_code == 422


async def test_a_case_page_is_kept_for_its_reader_with_the_csrf_token_of_each_view(
    app: Any, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspect_app.pages import CSRF_SLOT
    from tests.conftest import app_client

    w = await build_jobs_world()
    csrf = await sign_in(client, w.lead)
    url = f"/inspections/{w.concluded}"
    first = await client.get(url)
    assert first.status_code == 200 and 'data-testid="edit-case"' in first.text
    assert f'name="_csrf_token" value="{csrf}"' in first.text and CSRF_SLOT not in first.text
    hits = page_cache.stats()["hits"]
    assert (await client.get(url)).text == first.text
    assert page_cache.stats()["hits"] == hits + 1

    # The same reader in a second browser: the kept part, with that browser's own token.
    async with app_client(app, lifespan=False) as second_browser:
        other_csrf = await sign_in(second_browser, w.lead)
        theirs = (await second_browser.get(url)).text
    assert other_csrf != csrf and page_cache.stats()["hits"] == hits + 2
    assert f'value="{other_csrf}"' in theirs and csrf not in theirs

    # Another reader gets a part of their own: an inspector outside the team may not edit.
    await sign_in(client, w.member)
    member_page = (await client.get(url)).text
    assert "TT-02/2026" in member_page and 'data-testid="edit-case"' not in member_page

    # A refused step comes back with its message (sent with the token of the kept page);
    # that page is not kept: the next view has no message.
    csrf = await sign_in(client, w.lead)
    page = (await client.get(url)).text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert token is not None and token.group(1) == csrf
    refused = await client.post(
        f"{url}/events", data={"type": "publish", "date": "31/02/2026", "_csrf_token": csrf}
    )
    correct = "Vui lòng sửa các trường bị lỗi."
    assert refused.status_code == 422 and correct in refused.text
    assert correct not in (await client.get(url)).text

    # A committed write is on the next view.
    async with write_transaction():
        await Inspection.update({Inspection.title: "Thanh tra đã sửa tên"}).where(
            Inspection.id == w.concluded
        )
    assert "Thanh tra đã sửa tên" in (await client.get(url)).text
    # The next day is a page of its own (its deadlines count from another today).
    from inspect_app import clock

    misses = page_cache.stats()["misses"]
    await client.get(url)
    # A made-up query string is the same page (it cannot push other parts out).
    await client.get(f"{url}?x=1&y=%00")
    assert page_cache.stats()["misses"] == misses
    tomorrow = clock.today() + timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: tomorrow)
    await client.get(url)
    assert page_cache.stats()["misses"] == misses + 1


async def test_the_menu_counts_are_kept_until_a_notice_is_added_or_read(client: Any) -> None:
    from datetime import timedelta

    from jobs.deadlines import watch_deadlines
    from models.tables import Notification
    from tests.integration.jobs_support import DUE

    unread = re.compile(r'data-testid="unread-count">(\d+)<')
    w = await build_jobs_world()
    csrf = await sign_in(client, w.lead)
    assert unread.findall((await client.get("/inspections")).text) == []
    # A notice written around the app (the version does not move): the kept count holds.
    await Notification(user=w.lead, title="Ghi thẳng vào bảng").save()
    assert unread.findall((await client.get("/inspections")).text) == []

    # The deadline watch adds notices and moves the version: the next page counts them all.
    summary = await watch_deadlines(None, (DUE + timedelta(days=7)).isoformat())
    assert summary["created"] > 0
    mine = await Notification.count().where(
        (Notification.user == w.lead) & Notification.read_at.is_null()
    )
    assert mine > 1
    assert unread.findall((await client.get("/inspections")).text) == [str(mine)]

    # One read through the app, then all of them: the badge follows on the next page.
    first = await Notification.select(Notification.id).where(Notification.user == w.lead).first()
    assert first is not None
    read = await client.post(
        f"/notifications/{first['id']}/read", data={"_csrf_token": csrf}, follow_redirects=False
    )
    assert read.status_code in (302, 303), read.text[:300]
    assert unread.findall((await client.get("/inspections")).text) == [str(mine - 1)]
    read_all = await client.post(
        "/notifications/read-all", data={"_csrf_token": csrf}, follow_redirects=False
    )
    assert read_all.status_code in (302, 303), read_all.text[:300]
    assert unread.findall((await client.get("/inspections")).text) == []


async def test_the_api_lists_counts_are_kept_per_filter_and_day_until_a_write(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspect_app import clock
    from tests.integration.jobs_support import DUE, bearer

    w = await build_jobs_world()
    headers = await bearer(w.head)

    async def counts(query: str = "") -> dict[str, int]:
        answer = await client.get(f"/api/inspections{query}", headers=headers)
        assert answer.status_code == 200, answer.text
        return {k: v for k, v in answer.json()["counts"].items() if v}

    # The case awaiting its conclusion is due on 20/03: overdue from the 21st, not before.
    monkeypatch.setattr(clock, "today", lambda: DUE)
    assert await counts("?overdue=true") == {}
    monkeypatch.setattr(clock, "today", lambda: DUE + timedelta(days=1))
    assert await counts("?overdue=true") == {"reported": 1}
    assert await counts() == {"reported": 1, "concluded": 1}
    # A change made around the app does not move the version: the kept counts hold...
    await Inspection.update({Inspection.status: "concluded"}).where(
        Inspection.id == w.awaiting_conclusion
    )
    assert await counts() == {"reported": 1, "concluded": 1}
    # ...and a committed write is counted on the next request.
    async with write_transaction():
        await Inspection.update({Inspection.title: "Đã kết luận"}).where(
            Inspection.id == w.awaiting_conclusion
        )
    assert await counts() == {"concluded": 2}
    # Marked concluded with no conclusion date, it is still late on its conclusion.
    assert await counts("?overdue=true") == {"concluded": 1}


async def test_the_api_case_answer_is_kept_per_scope_and_day_until_a_write(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspect_app import clock
    from tests.integration.jobs_support import DUE, bearer

    w = await build_jobs_world()
    head, outsider = await bearer(w.head), await bearer(w.finance_lead)
    url = f"/api/inspections/{w.awaiting_conclusion}"

    async def case(headers: dict[str, str]) -> dict[str, Any]:
        answer = await client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    monkeypatch.setattr(clock, "today", lambda: DUE)
    first = await case(head)
    assert first["overdue"] is False
    # Due on the 20th: late from the 21st, which is a new answer.
    monkeypatch.setattr(clock, "today", lambda: DUE + timedelta(days=1))
    assert (await case(head))["overdue"] is True
    # A change made around the app does not move the version: the kept answer holds...
    await Inspection.update({Inspection.title: "Đổi ngoài ứng dụng"}).where(
        Inspection.id == w.awaiting_conclusion
    )
    assert (await case(head))["title"] == first["title"]
    # ...for that scope only: a reader outside it is still refused.
    assert (await client.get(url, headers=outsider)).status_code == 404
    # A committed write is on the next answer.
    async with write_transaction():
        await Inspection.update({Inspection.title: "Đã sửa trong ứng dụng"}).where(
            Inspection.id == w.awaiting_conclusion
        )
    assert (await case(head))["title"] == "Đã sửa trong ứng dụng"
