"""The data version, watched: a bump in any process reaches the others by a message, and
a request reads the version from memory; Redis is asked again when the watch cannot vouch
for it (not subscribed, or not confirmed within VERIFY_S). Real Redis, no app needed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from redis.asyncio import Redis

from inspect_app import data_version, job_queue
from inspect_app.settings import get_settings

pytestmark = pytest.mark.usefixtures("redis_url")


async def _until(condition: Callable[[], bool], what: str, timeout_s: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)


async def _version() -> data_version.Version | None:
    """The version as a new request reads it."""
    token = data_version.begin_request()
    try:
        return await data_version.current()
    finally:
        data_version.end_request(token)


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    connection = Redis.from_url(redis_url)
    try:
        yield connection
    finally:
        await connection.aclose()


@pytest.fixture
async def watch(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    """A watch on this test's event loop, subscribed and confirmed by one round trip."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setattr(job_queue, "BACKOFF_S", 0.05)
    get_settings.cache_clear()
    started = data_version.start_watch()
    assert started is not None
    try:
        await _until(lambda: started.subscribed, "the subscription")
        assert await _version() is not None  # the confirming round trip
        yield started
    finally:
        await data_version.stop_watch()
        await job_queue.close_pools()
        get_settings.cache_clear()


def _no_round_trips(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    asked: list[int] = []
    real = data_version._fetch

    async def counted() -> data_version.Version | None:
        asked.append(1)
        return await real()

    monkeypatch.setattr(data_version, "_fetch", counted)
    return asked


async def test_a_bump_elsewhere_is_heard_without_asking_redis(
    watch: Any, redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = await _version()
    assert before is not None
    asked = _no_round_trips(monkeypatch)
    await data_version.move(redis)  # another process's committed write
    await _until(lambda: watch.value == before[1] + 1, "the message")
    after = await _version()
    assert after == (before[0], before[1] + 1, before[2])
    await data_version.move(redis, 3)
    await _until(lambda: watch.value == before[1] + 4, "the second message")
    assert (await _version()) == (before[0], before[1] + 4, before[2])
    assert asked == []


async def test_this_processs_own_write_is_seen_at_once(watch: Any) -> None:
    before = await _version()
    assert before is not None
    await data_version.bump()
    after = await _version()  # no wait for the message: the local counter moved
    assert after is not None and after != before and after[2] == before[2] + 1


async def test_a_move_that_sent_no_message_is_seen_once_verify_s_has_passed(
    watch: Any, redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = await _version()
    assert before is not None
    now = [watch.confirmed_at]
    watch.clock = lambda: now[0]
    await redis.incr(data_version.KEY)  # a move whose message was lost
    asked = _no_round_trips(monkeypatch)
    now[0] += data_version.VERIFY_S  # exactly VERIFY_S: still vouched for
    assert await _version() == before
    assert asked == []
    now[0] += 0.001  # a moment past: Redis is asked
    after = await _version()
    assert asked == [1]
    assert after == (before[0], before[1] + 1, before[2])
    assert watch.confirmed_at == now[0]


async def test_messages_going_back_or_unreadable_change_nothing(watch: Any, redis: Redis) -> None:
    before = await _version()
    assert before is not None
    epoch, value = before[0], before[1]
    await redis.publish(data_version.channel(redis), f"{epoch} not-a-number")
    await redis.publish(data_version.channel(redis), f"{epoch} {value + 2}")
    await redis.publish(data_version.channel(redis), f"{epoch} {value - 1}")  # goes back
    await asyncio.sleep(0.05)
    assert watch.value == value + 2
    assert await _version() == (epoch, value + 2, before[2])


async def test_a_message_of_another_epoch_makes_the_next_request_ask_redis(
    watch: Any, redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = await _version()
    assert before is not None
    asked = _no_round_trips(monkeypatch)
    await redis.publish(data_version.channel(redis), f"someotherepoch {before[1] + 50}")
    await _until(lambda: watch.confirmed_at == float("-inf"), "the message")
    assert watch.epoch == before[0]  # not taken from the message
    assert await _version() == before  # Redis, asked, still says the old epoch
    assert asked == [1]


async def test_a_counter_lost_without_its_epoch_starts_a_new_epoch(
    watch: Any, redis: Redis
) -> None:
    """An evicted or deleted counter must not count again from 1 under the old epoch:
    numbers kept under (epoch, 1), (epoch, 2)... would be reused."""
    for _ in range(3):
        await data_version.move(redis)
    before = await _version()
    assert before is not None
    await redis.delete(data_version.KEY)  # the epoch key survives
    await data_version.move(redis)
    await _until(lambda: watch.confirmed_at == float("-inf"), "the new epoch's message")
    after = await _version()
    assert after is not None and after[0] != before[0]
    assert after[1] == 1


async def test_another_databases_moves_are_not_heard(watch: Any, redis_url: str) -> None:
    before = await _version()
    assert before is not None
    other = Redis.from_url(redis_url.rsplit("/", 1)[0] + "/5")
    try:
        assert data_version.channel(other) != data_version.channel(
            await job_queue.redis_pool(redis_url)
        )
        await data_version.move(other)
    finally:
        await other.delete(data_version.KEY, data_version.EPOCH_KEY)
        await other.aclose()
    await asyncio.sleep(0.05)
    assert await _version() == before


async def test_without_its_subscription_a_request_asks_redis_until_it_is_back(
    watch: Any, redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _no_round_trips(monkeypatch)
    await redis.client_kill_filter(_type="pubsub")
    await _until(lambda: not watch.subscribed, "the dropped subscription")
    await redis.incr(data_version.KEY)  # moved while nobody listened
    moved = await _version()
    assert asked == [1]
    await _until(lambda: watch.subscribed, "the new subscription")
    assert await _version() == moved  # the first request after it confirms by asking
    assert asked == [1, 1]
    assert await _version() == moved  # then memory again
    assert asked == [1, 1]


async def test_a_round_trip_sent_before_the_subscription_confirms_nothing(watch: Any) -> None:
    """A move between a read and the SUBSCRIBE would be neither in the answer nor heard."""
    before = await _version()
    assert before is not None
    stale_ticket = (watch.generation - 1, watch.clock())
    watch.confirmed_at = float("-inf")
    watch.checked(before[0], before[1], stale_ticket)
    assert watch.confirmed_at == float("-inf")
    watch.checked(before[0], before[1], None)  # sent while not subscribed
    assert watch.confirmed_at == float("-inf")
    sent = watch.ticket()
    assert sent is not None
    watch.checked(before[0], before[1], sent)
    assert watch.confirmed_at == sent[1]  # from when it was sent, not when it came back


async def test_two_apps_of_one_loop_share_the_watch_until_the_last_stops(watch: Any) -> None:
    again = data_version.start_watch()
    assert again is watch
    await data_version.stop_watch()  # the second app stops: the first still watches
    assert not watch.task.done()
    assert data_version._watch_of_this_loop() is watch


async def test_requests_arriving_while_it_is_confirmed_share_one_round_trip(
    watch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under load, the confirmation running out must not send every waiting request to
    Redis at once (100 clients made 100 round trips a second and timed out)."""
    before = await _version()
    assert before is not None
    asked = _no_round_trips(monkeypatch)
    watch.confirmed_at = float("-inf")
    versions = await asyncio.gather(*(_version() for _ in range(20)))
    assert asked == [1]
    assert set(versions) == {before}
    assert await _version() == before  # confirmed: memory again
    assert asked == [1]


async def test_a_request_joining_a_round_trip_sees_this_processs_write_made_meanwhile(
    watch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not subscribed (so the round trip's answer is all there is): a write of this process
    committed while the shared round trip is on its way must show in what a later caller
    gets, or it would reuse what was kept before that write."""
    before = await _version()
    assert before is not None
    watch.subscribed = False
    release = asyncio.Event()
    real = data_version._fetch

    async def slow() -> data_version.Version | None:
        answer = await real()
        await release.wait()
        return answer

    monkeypatch.setattr(data_version, "_fetch", slow)
    first = asyncio.ensure_future(_version())
    await asyncio.sleep(0.05)  # its round trip has read Redis and waits
    await data_version.bump()  # a write of this process commits meanwhile
    second = asyncio.ensure_future(_version())  # joins the same round trip
    await asyncio.sleep(0.01)
    release.set()
    _, joined = await asyncio.gather(first, second)
    assert joined is not None and joined[2] == before[2] + 1
