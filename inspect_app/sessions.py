"""Server-side session storage: Redis when configured, the database otherwise.

Both work with several web processes. The database store also lets an admin end every
session of a deactivated user, by user id.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from litestar.middleware.session.server_side import ServerSideSessionConfig
from litestar.stores.base import Store
from litestar.stores.redis import RedisStore

from inspect_app.settings import Settings
from models.tables import WebSession


def _user_id_of(value: bytes) -> int | None:
    try:
        data = json.loads(value)
    except (ValueError, UnicodeDecodeError):
        return None
    user_id = data.get("user_id") if isinstance(data, dict) else None
    return user_id if isinstance(user_id, int) else None


class DatabaseSessionStore(Store):
    """A Litestar store over the ``web_session`` table."""

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode() if isinstance(value, str) else value
        expires_at = None
        if expires_in is not None:
            seconds = (
                expires_in.total_seconds() if isinstance(expires_in, timedelta) else expires_in
            )
            expires_at = datetime.now(UTC) + timedelta(seconds=seconds)
        user_id = _user_id_of(data)
        updated = (
            await WebSession.update(
                {
                    WebSession.data: data.decode(),
                    WebSession.expires_at: expires_at,
                    WebSession.user_id: user_id,
                }
            )
            .where(WebSession.key == key)
            .returning(WebSession.id)
        )
        if not updated:
            await WebSession.insert(
                WebSession(key=key, data=data.decode(), expires_at=expires_at, user_id=user_id)
            )

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        row = (
            await WebSession.select(WebSession.data, WebSession.expires_at)
            .where(WebSession.key == key)
            .first()
        )
        if row is None:
            return None
        if row["expires_at"] is not None and row["expires_at"] <= datetime.now(UTC):
            await self.delete(key)
            return None
        if renew_for is not None:
            seconds = renew_for.total_seconds() if isinstance(renew_for, timedelta) else renew_for
            await WebSession.update(
                {WebSession.expires_at: datetime.now(UTC) + timedelta(seconds=seconds)}
            ).where(WebSession.key == key)
        return str(row["data"]).encode()

    async def delete(self, key: str) -> None:
        await WebSession.delete().where(WebSession.key == key)

    async def delete_all(self) -> None:
        await WebSession.delete(force=True)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await WebSession.select(WebSession.expires_at).where(WebSession.key == key).first()
        if row is None or row["expires_at"] is None:
            return None
        return int((row["expires_at"] - datetime.now(UTC)).total_seconds())


async def delete_sessions_of_user(user_id: int) -> None:
    """End every database-stored session of a user (Redis sessions end via the user check)."""
    await WebSession.delete().where(WebSession.user_id == user_id)


def session_store(settings: Settings) -> Store:
    """The store for server-side sessions."""
    if settings.redis_url:
        return RedisStore.with_client(url=settings.redis_url, namespace="inspect-session")
    return DatabaseSessionStore()


def session_config(settings: Settings) -> ServerSideSessionConfig:
    """Session cookie settings: HttpOnly, SameSite=Lax, Secure in production."""
    return ServerSideSessionConfig(
        key="inspect_session",
        max_age=settings.session_max_age,
        httponly=True,
        secure=settings.production,
        samesite="lax",
        renew_on_access=True,
        store="sessions",
    )
