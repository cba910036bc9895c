"""With Redis configured but down, people still sign in, read and save; sessions made
before the outage stay valid through it and after Redis comes back."""

from __future__ import annotations

import asyncio
import dataclasses
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from inspect_app.asgi import create_app
from inspect_app.security import hash_password
from inspect_app.settings import get_settings
from models.tables import Agency, AppUser, WebSession
from tests.authz.client import csrf_headers
from tests.conftest import app_client
from tests.services import ThrowawayRedis


def _closed_port() -> int:
    # Bind and release a port: nothing listens there afterwards.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def admin_user(db: str) -> str:
    await Agency.insert(Agency(code="TTT", name="Thanh tra tỉnh", path="/1/", depth=0))
    await AppUser.insert(
        AppUser(
            username="quantri",
            full_name="Quản trị",
            role="admin",
            agency=1,
            password_hash=hash_password("MatKhau@2026"),
        )
    )
    return "quantri"


async def test_sessions_fall_back_to_the_database_when_redis_is_down(admin_user: str) -> None:
    settings = dataclasses.replace(
        get_settings(), redis_url=f"redis://127.0.0.1:{_closed_port()}/0"
    )
    app = create_app(settings)
    async with app_client(app, follow_redirects=False) as client:
        health = await client.get("/health")
        assert health.status_code == 200
        assert health.json()["db"] == "ok"
        assert health.json()["redis"].startswith("error")

        login = await client.post(
            "/api/auth/login", json={"username": admin_user, "password": "MatKhau@2026"}
        )
        assert login.status_code == 200
        me = await client.get("/api/me")
        assert me.status_code == 200
        assert me.json()["username"] == admin_user

    # The session that kept the user signed in lives in the database.
    assert await WebSession.count() == 1


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[ThrowawayRedis]:
    """A redis-server of this test's own (the shared one is never stopped)."""
    server = ThrowawayRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_a_session_created_before_a_redis_outage_survives_it_and_redis_coming_back_empty(
    admin_user: str, own_redis: ThrowawayRedis
) -> None:
    settings = dataclasses.replace(get_settings(), redis_url=own_redis.url)
    app = create_app(settings)
    app.stores.get("sessions").retry_after = 0.5  # type: ignore[attr-defined]
    async with app_client(app, follow_redirects=False) as client:
        login = await client.post(
            "/api/auth/login", json={"username": admin_user, "password": "MatKhau@2026"}
        )
        assert login.status_code == 200
        assert (await client.get("/api/me")).status_code == 200
        # Signed in while Redis answered: the session is in Redis and in the database.
        assert await WebSession.count() == 1

        own_redis.stop()
        for _ in range(3):
            me = await client.get("/api/me")
            assert me.status_code == 200, me.text
            assert me.json()["username"] == admin_user

        own_redis.start()  # empty: it kept nothing on disk
        await asyncio.sleep(0.6)  # past the retry delay: Redis is asked again
        me = await client.get("/api/me")
        assert me.status_code == 200, me.text
        # ...and holds the session again (the response stored it there).
        redis = Redis.from_url(own_redis.url)
        try:
            assert await redis.dbsize() >= 1
        finally:
            await redis.aclose()

        # Signing out ends it everywhere.
        assert (
            await client.post("/api/auth/logout", headers=csrf_headers(client))
        ).status_code == 204
        assert (await client.get("/api/me")).status_code == 401
    assert await WebSession.count() == 0


async def test_a_sign_out_during_the_outage_is_not_undone_when_redis_returns(
    admin_user: str, tmp_path: Path
) -> None:
    server = ThrowawayRedis(tmp_path)
    server.start()
    try:
        settings = dataclasses.replace(get_settings(), redis_url=server.url)
        app = create_app(settings)
        store = app.stores.get("sessions")
        store.retry_after = 0.5  # type: ignore[attr-defined]
        async with app_client(app, follow_redirects=False) as client:
            await client.post(
                "/api/auth/login", json={"username": admin_user, "password": "MatKhau@2026"}
            )
            cookie = client.cookies.get("inspect_session")
            assert cookie
            assert (await client.get("/api/me")).status_code == 200  # and the CSRF cookie
            # Redis "pauses" (the server keeps its data) while the user signs out.
            server.process.send_signal(signal.SIGSTOP)  # type: ignore[union-attr]
            try:
                logout = await client.post("/api/auth/logout", headers=csrf_headers(client))
                assert logout.status_code == 204
            finally:
                server.process.send_signal(signal.SIGCONT)  # type: ignore[union-attr]
            await asyncio.sleep(0.6)
            client.cookies.set("inspect_session", cookie)
            assert (await client.get("/api/me")).status_code == 401
    finally:
        server.stop()
