"""Server-side session storage: the database, with Redis as a cache in front when configured.

Both work with several web processes, and both can end every session of one user at once
(deactivation): the database store keeps the user id in a column, the Redis store keeps a
set of session keys per user. The session id changes at sign-in (no session fixation).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.base import Store
from litestar.stores.redis import RedisStore
from litestar.types import Empty, Message, ScopeSession
from redis.asyncio import Redis
from redis.exceptions import RedisError

from inspect_app.settings import Settings, get_settings
from models.tables import WebSession


def _user_id_of(value: bytes) -> int | None:
    try:
        data = json.loads(value)
    except (ValueError, UnicodeDecodeError):
        return None
    user_id = data.get("user_id") if isinstance(data, dict) else None
    return user_id if isinstance(user_id, int) else None


def _durable_part(value: bytes) -> bytes:
    """The session without its flash messages (pages.flash), as the database keeps it."""
    if b'"flashes"' not in value:
        return value
    try:
        data = json.loads(value)
    except (ValueError, UnicodeDecodeError):
        return value
    if not isinstance(data, dict) or "flashes" not in data:
        return value
    del data["flashes"]
    # The same encoder as Litestar's session backend: a session that never had a message
    # gives the same bytes, so the database copy is not rewritten once it is shown.
    return msgspec.json.encode(data)


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


log = logging.getLogger(__name__)
REDIS_FAILURES = (RedisError, OSError, TimeoutError)

SESSION_COOKIE = "inspect_session"
REDIS_NAMESPACE = "inspect-session"
# Scope key set at sign-in: the response stores the session under a fresh id.
ROTATE_SESSION_KEY = "inspect.rotate_session"


def _user_index_key(user_id: int) -> str:
    return f"{REDIS_NAMESPACE}-user:{user_id}"


class UserIndexedRedisStore(RedisStore):
    """A Redis session store that also remembers which session keys belong to which user."""

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode() if isinstance(value, str) else value
        await super().set(key, data, expires_in)
        user_id = _user_id_of(data)
        if user_id is not None:
            index = _user_index_key(user_id)
            await self._redis.sadd(index, key)  # type: ignore[misc]
            if expires_in is not None:
                await self._redis.expire(index, expires_in)


async def delete_sessions_of_user(user_id: int) -> None:
    """End every session of a user at once, in the database and in Redis.

    Redis being down does not stop a deactivation: the user is refused on every request
    anyway (IdentityMiddleware loads the user), and the Redis keys expire with the session.
    """
    await WebSession.delete().where(WebSession.user_id == user_id)
    redis_url = get_settings().redis_url
    if not redis_url:
        return
    client = Redis.from_url(redis_url, socket_connect_timeout=0.5, socket_timeout=1.0)
    try:
        index = _user_index_key(user_id)
        keys = await client.smembers(index)
        names = [f"{REDIS_NAMESPACE}:{key.decode()}" for key in keys]
        await client.delete(index, *names)
    except REDIS_FAILURES as exc:
        log.warning("could not delete the Redis sessions of user %s: %s", user_id, exc)
    finally:
        await client.aclose()


class RotatingSessionBackend(ServerSideSessionBackend):
    """Server-side sessions: nothing stored for an empty session, a new id at sign-in."""

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        # Litestar would store an empty session (and send a cookie) on every request,
        # bearer-token API calls included: one stored row per call. An empty session is
        # only worth deleting, when the browser still holds a cookie for it.
        if scope_session is Empty or not scope_session:
            if connection.cookies.get(self.config.key):
                await super().store_in_message(Empty, message, connection)
            return
        await super().store_in_message(scope_session, message, connection)

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        scope = connection.scope
        rotated = scope.get(ROTATE_SESSION_KEY)
        if rotated is True:
            # Computed once per request: store_in_message may ask more than once.
            rotated = self.generate_session_id()
            scope[ROTATE_SESSION_KEY] = rotated  # type: ignore[literal-required]
        if isinstance(rotated, str):
            return rotated
        return super().get_session_id(connection)


class SessionConfig(ServerSideSessionConfig):
    """ServerSideSessionConfig with session id rotation at sign-in."""

    _backend_class = RotatingSessionBackend


def rotate_session_id(scope: Any) -> None:
    """Ask for a new session id in this response (call at sign-in, before setting data)."""
    scope[ROTATE_SESSION_KEY] = True


class FailoverSessionStore(Store):
    """Redis as a cache in front of the database copy of every session.

    The database is the source of truth: every session is written there whichever store
    answers, so a session created while Redis was up stays valid while Redis is down and
    after it comes back empty. Reads ask Redis first and the database when Redis misses or
    does not answer; after a Redis failure Redis is left alone for ``retry_after`` seconds so
    that requests do not each wait for a connection timeout.

    Every response of a signed-in user stores the session again (to renew its expiry). The
    database copy is rewritten only when the session's content changed or its copy is older
    than ``refresh_after`` seconds (remembered per process): a session's database copy may
    therefore expire up to that long before its Redis copy, and the database is spared a
    write per request. The Redis copy likewise, past ``renew_after`` seconds (30): a
    session expires at most that much before its full idle time, and a page view costs one
    Redis read, not a read and three writes. A session deleted while Redis was unreachable
    is deleted from Redis too as soon as this process reaches Redis again.
    """

    def __init__(
        self,
        primary: Store,
        fallback: Store,
        retry_after: float = 10.0,
        refresh_after: float = 300.0,
        remembered: int = 10_000,
        renew_after: float = 30.0,
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        self.retry_after = retry_after
        self.refresh_after = refresh_after
        self.renew_after = renew_after
        self._remembered = remembered
        self._down_until = 0.0
        # key -> (digest of the content, monotonic time) of the last database write.
        self._written: OrderedDict[str, tuple[bytes, float]] = OrderedDict()
        # key -> (digest, monotonic time) of the last Redis write of this process.
        self._renewed: OrderedDict[str, tuple[bytes, float]] = OrderedDict()
        self._pending_deletes: set[str] = set()

    def _primary_usable(self) -> bool:
        return time.monotonic() >= self._down_until

    def _primary_failed(self, exc: BaseException) -> None:
        if self._primary_usable():
            log.warning("session store: Redis unavailable (%s); using the database", exc)
        self._down_until = time.monotonic() + self.retry_after
        # It may come back empty: every session is stored there again on its next response.
        self._renewed.clear()

    async def _replay_deletes(self) -> None:
        # Deletions made while Redis was away: a session ended then must not come back.
        for key in list(self._pending_deletes):
            await self.primary.delete(key)
            self._pending_deletes.discard(key)

    def _database_copy_is_fresh(self, key: str, digest: bytes) -> bool:
        written = self._written.get(key)
        return (
            written is not None
            and written[0] == digest
            and time.monotonic() - written[1] < self.refresh_after
        )

    def _remember(self, key: str, digest: bytes) -> None:
        self._written[key] = (digest, time.monotonic())
        self._written.move_to_end(key)
        while len(self._written) > self._remembered:
            self._written.popitem(last=False)

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode() if isinstance(value, str) else value
        digest = hashlib.blake2b(data, digest_size=16).digest()
        if self._primary_usable() and not self._redis_copy_is_fresh(key, digest):
            try:
                await self._replay_deletes()
                await self.primary.set(key, data, expires_in)
            except REDIS_FAILURES as exc:
                self._primary_failed(exc)
            else:
                self._renewed[key] = (digest, time.monotonic())
                self._renewed.move_to_end(key)
                while len(self._renewed) > self._remembered:
                    self._renewed.popitem(last=False)
        if self._renewed.get(key, (b"", 0.0))[0] == digest:
            # Redis holds this content: the database copy leaves out the flash messages, so
            # that a message shown once costs no database write (one lost if Redis fails
            # before the next page is harmless; the change itself is stored).
            data = _durable_part(data)
            digest = hashlib.blake2b(data, digest_size=16).digest()
        if not self._database_copy_is_fresh(key, digest):
            await self.fallback.set(key, data, expires_in)
            self._remember(key, digest)

    def _redis_copy_is_fresh(self, key: str, digest: bytes) -> bool:
        # The same content as Redis held when this process last read it, stored by this
        # process a moment ago: storing it again would only move its expiry by those few
        # seconds (three round trips per request). Content another process wrote meanwhile
        # differs from what is about to be stored, and is overwritten as before.
        renewed = self._renewed.get(key)
        return (
            renewed is not None
            and renewed[0] == digest
            and time.monotonic() - renewed[1] < self.renew_after
        )

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        if self._primary_usable():
            try:
                await self._replay_deletes()
                found = await self.primary.get(key, renew_for)
            except REDIS_FAILURES as exc:
                self._primary_failed(exc)
            else:
                if found is None:
                    self._renewed.pop(key, None)  # Redis lost it: the next response stores it
                else:
                    renewed = self._renewed.get(key)
                    if renewed is not None:
                        # What Redis holds now (another process may have written it).
                        digest = hashlib.blake2b(found, digest_size=16).digest()
                        self._renewed[key] = (digest, renewed[1])
                    return found
        return await self.fallback.get(key, renew_for)

    async def delete(self, key: str) -> None:
        self._written.pop(key, None)
        self._renewed.pop(key, None)
        self._pending_deletes.add(key)
        if self._primary_usable():
            try:
                await self._replay_deletes()
            except REDIS_FAILURES as exc:
                self._primary_failed(exc)
        await self.fallback.delete(key)

    async def delete_all(self) -> None:
        self._written.clear()
        self._renewed.clear()
        self._pending_deletes.clear()
        if self._primary_usable():
            try:
                await self.primary.delete_all()
            except REDIS_FAILURES as exc:
                self._primary_failed(exc)
        await self.fallback.delete_all()

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def _shutdown(self) -> None:
        # Litestar closes a RedisStore's connections at app shutdown through this hook.
        shutdown = getattr(self.primary, "_shutdown", None)
        if shutdown is not None:
            await shutdown()

    async def __aexit__(self, *exc_info: object) -> None:
        await self._shutdown()

    async def expires_in(self, key: str) -> int | None:
        if self._primary_usable():
            try:
                found = await self.primary.expires_in(key)
            except REDIS_FAILURES as exc:
                self._primary_failed(exc)
            else:
                if found is not None:
                    return found
        return await self.fallback.expires_in(key)


def session_store(settings: Settings) -> Store:
    """The store for server-side sessions: Redis in front of the database, or the database."""
    if settings.redis_url:
        client = Redis.from_url(settings.redis_url, socket_connect_timeout=0.5, socket_timeout=1.0)
        redis_store = UserIndexedRedisStore(
            redis=client, namespace=REDIS_NAMESPACE, handle_client_shutdown=True
        )
        return FailoverSessionStore(redis_store, DatabaseSessionStore())
    return DatabaseSessionStore()


def session_config(settings: Settings) -> ServerSideSessionConfig:
    """Session cookie settings: HttpOnly, SameSite=Lax, Secure in production."""
    return SessionConfig(
        key=SESSION_COOKIE,
        max_age=settings.session_max_age,
        httponly=True,
        secure=settings.production,
        samesite="lax",
        # No renew_on_access: every response with a session already stores it again with a
        # full max_age (store_in_message), so renewing on read was a second write per request.
        renew_on_access=False,
        store="sessions",
        # The citizens' side neither reads nor sets the staff session cookie.
        exclude="^/public",
    )
