"""With Redis configured but down, people still sign in, read and save."""

from __future__ import annotations

import dataclasses
import socket

import pytest

from inspect_app.asgi import create_app
from inspect_app.security import hash_password
from inspect_app.settings import get_settings
from models.tables import Agency, AppUser, WebSession
from tests.conftest import app_client


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
