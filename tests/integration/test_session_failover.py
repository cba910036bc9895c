"""The session store when Redis goes away and comes back: the database takes over at once,
Redis is tried again only after the retry delay, and nothing written meanwhile is lost."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from inspect_app.sessions import (
    REDIS_NAMESPACE,
    DatabaseSessionStore,
    FailoverSessionStore,
    UserIndexedRedisStore,
)
from tests.services import ThrowawayRedis

RETRY_AFTER_S = 1.0


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[ThrowawayRedis]:
    server = ThrowawayRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _store(server: ThrowawayRedis) -> tuple[FailoverSessionStore, Redis]:
    client = Redis.from_url(server.url, socket_connect_timeout=0.5, socket_timeout=1.0)
    primary = UserIndexedRedisStore(redis=client, namespace=REDIS_NAMESPACE)
    return FailoverSessionStore(primary, DatabaseSessionStore(), RETRY_AFTER_S), client


async def test_redis_is_tried_again_only_after_the_retry_delay(
    db: str, redis_server: ThrowawayRedis
) -> None:
    store, client = _store(redis_server)
    try:
        await store.set("before", b"{}", 600)
        assert await store.primary.get("before") == b"{}"

        redis_server.stop()
        await store.set("during", b'{"n": 1}', 600)  # Redis fails: the database has it
        assert await store.fallback.get("during") == b'{"n": 1}'

        redis_server.start()
        # Within the retry delay Redis is left alone, although it answers again.
        await store.set("just-after", b'{"n": 2}', 600)
        assert await store.primary.get("just-after") is None
        assert await store.fallback.get("just-after") == b'{"n": 2}'

        await asyncio.sleep(RETRY_AFTER_S + 0.2)
        await store.set("later", b'{"n": 3}', 600)
        assert await store.primary.get("later") == b'{"n": 3}'
        # What was written during the outage is still read (from the database).
        assert await store.get("during") == b'{"n": 1}'
        assert await store.get("just-after") == b'{"n": 2}'
    finally:
        await client.aclose()


async def test_delete_all_clears_the_database_while_redis_is_down(
    db: str, redis_server: ThrowawayRedis
) -> None:
    store, client = _store(redis_server)
    try:
        redis_server.stop()
        await store.set("k", b"{}", 600)
        await store.delete_all()
        assert await store.get("k") is None
    finally:
        await client.aclose()


async def test_the_same_session_is_stored_in_redis_again_only_after_renew_after(
    db: str, redis_server: ThrowawayRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, client = _store(redis_server)
    now = [5000.0]
    monkeypatch.setattr("inspect_app.sessions.time.monotonic", lambda: now[0])
    name = f"{REDIS_NAMESPACE}:k"
    try:
        await store.set("k", b'{"user_id": 7}', 600)
        await client.expire(name, 100)  # as if stored a while ago
        now[0] += store.renew_after - 0.001
        await store.set("k", b'{"user_id": 7}', 600)  # same content, a moment ago: left
        assert 0 < await client.ttl(name) <= 100
        await store.set("k", b'{"user_id": 7, "flashes": []}', 600)  # changed: stored
        assert await client.ttl(name) > 500
        await client.expire(name, 100)
        now[0] += store.renew_after
        await store.set("k", b'{"user_id": 7, "flashes": []}', 600)  # renew_after later
        assert await client.ttl(name) > 500
        # A deleted session is never brought back by the memory of its last write.
        await store.delete("k")
        assert await store.get("k") is None
    finally:
        await client.aclose()


async def test_a_session_changed_by_another_process_is_stored_again(
    db: str, redis_server: ThrowawayRedis
) -> None:
    # Process A stores the session; process B adds a flash; A reads it, shows the flash
    # and stores the session without it: that must reach Redis, although A stored the
    # same content a moment ago.
    a, client = _store(redis_server)
    b, other = _store(redis_server)
    try:
        await a.set("k", b'{"user_id": 7}', 600)
        await b.set("k", b'{"user_id": 7, "flashes": ["Saved"]}', 600)
        assert await a.get("k") == b'{"user_id": 7, "flashes": ["Saved"]}'
        await a.set("k", b'{"user_id": 7}', 600)
        assert await a.get("k") == b'{"user_id": 7}'
        assert await b.get("k") == b'{"user_id": 7}'
    finally:
        await client.aclose()
        await other.aclose()


async def test_a_flash_message_costs_no_database_write_while_redis_holds_it(
    db: str, redis_server: ThrowawayRedis
) -> None:
    store, client = _store(redis_server)
    try:
        await store.set("k", b'{"user_id":7,"csrf":"\xc3\xa9"}', 600)
        await store.fallback.set("k", b'{"user_id":7,"marker":1}', 600)  # to see a rewrite
        with_flash = b'{"user_id":7,"csrf":"\xc3\xa9","flashes":[{"message":"Saved"}]}'
        await store.set("k", with_flash, 600)
        assert await store.get("k") == with_flash  # Redis shows the message
        # Shown, the session is back to what the database already has: still not rewritten.
        await store.set("k", b'{"user_id":7,"csrf":"\xc3\xa9"}', 600)
        assert await store.fallback.get("k") == b'{"user_id":7,"marker":1}'

        # A real change is written without the message it carries.
        await store.set("k", b'{"user_id":8,"flashes":[{"message":"Hi"}]}', 600)
        assert await store.fallback.get("k") == b'{"user_id":8}'

        # Redis down: the database is the only copy and keeps the message.
        redis_server.stop()
        await store.set("k", b'{"user_id":8,"flashes":[{"message":"Again"}]}', 600)
        assert await store.fallback.get("k") == b'{"user_id":8,"flashes":[{"message":"Again"}]}'
    finally:
        await client.aclose()
