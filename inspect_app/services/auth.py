"""Signing in and out, login throttling, passwords and API tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from inspect_app.db import write_transaction
from inspect_app.domain.text import has_control_characters
from inspect_app.domain.throttling import (
    ACCOUNT_WINDOW,
    ADDRESS_MAX_FAILURES,
    ADDRESS_WINDOW,
    AccountLockRule,
    address_locked_until,
    minutes_to_wait,
    seconds_until,
)
from inspect_app.errors import InvalidInput, NotFound, Throttled
from inspect_app.i18n import N_plural
from inspect_app.principal import Principal
from inspect_app.schemas.admin import User
from inspect_app.schemas.auth import Token, TokenCreated
from inspect_app.security import hash_password, new_api_token, password_problem, verify_password
from inspect_app.services import audit
from inspect_app.services.identity import PRINCIPAL_COLUMNS, principal_of
from inspect_app.settings import Settings, get_settings
from models.tables import ApiToken, AppUser, LoginAttempt

# Longer input cannot be a username; cutting it keeps the attempt log's column valid.
MAX_USERNAME_LENGTH = 64

ADDRESS_LOCKED = N_plural(
    "Too many failed attempts. Try again in {count} minute.",
    "Too many failed attempts. Try again in {count} minutes.",
)
ACCOUNT_LOCKED = N_plural(
    "This account is locked after too many failed sign-ins. Try again in {count} minute, "
    "or ask an administrator to unlock it.",
    "This account is locked after too many failed sign-ins. Try again in {count} minutes, "
    "or ask an administrator to unlock it.",
)

# Failures of a username since its last success (from any address) and within a window:
# what the account lock counts. A list of usernames is bound where ``{usernames}`` stands.
_ACCOUNT_FAILURES = """
SELECT f.username, COUNT(*) AS failures, MAX(f.at) AS last_failure
FROM login_attempt f
WHERE f.username IN ({usernames}) AND f.success = false AND f.at > {{}}
  AND NOT EXISTS (
    SELECT 1 FROM login_attempt s
    WHERE s.username = f.username AND s.success = true AND s.at >= f.at
  )
GROUP BY f.username
"""


class LoginFailed(Exception):
    """Wrong username or password (deliberately not saying which)."""


def account_rule(settings: Settings | None = None) -> AccountLockRule:
    """The account lock of the settings (LOGIN_ACCOUNT_MAX_FAILURES, LOGIN_LOCK_*_S)."""
    settings = settings or get_settings()
    return AccountLockRule(
        max_failures=settings.login_account_max_failures,
        base_delay=timedelta(seconds=settings.login_lock_base_s),
        max_delay=timedelta(seconds=settings.login_lock_max_s),
    )


def _as_utc(value: Any) -> datetime | None:
    # Aggregates come back as text on SQLite (stored in UTC without an offset).
    if value is None:
        return None
    stamp: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


async def account_locks(usernames: list[str], now: datetime | None = None) -> dict[str, datetime]:
    """The usernames among ``usernames`` whose account is locked now, with the lock's end."""
    if not usernames:
        return {}
    now = now or datetime.now(UTC)
    rule = account_rule()
    sql = _ACCOUNT_FAILURES.format(usernames=", ".join("{}" for _ in usernames))
    rows = await LoginAttempt.raw(sql, *usernames, now - ACCOUNT_WINDOW)
    locks = {}
    for row in rows:
        until = rule.locked_until(int(row["failures"]), _as_utc(row["last_failure"]))
        if until is not None and until > now:
            locks[str(row["username"])] = until
    return locks


async def with_sign_in_locks(users: list[User]) -> list[User]:
    """``users`` with ``sign_in_locked_until`` set: when the account's sign-in lock ends, or
    None; one query for the whole list."""
    locks = await account_locks([user.username for user in users])
    return [
        msgspec.structs.replace(user, sign_in_locked_until=locks.get(user.username))
        for user in users
    ]


async def with_sign_in_lock(user: User) -> User:
    """One user row with ``sign_in_locked_until`` (see :func:`with_sign_in_locks`)."""
    return (await with_sign_in_locks([user]))[0]


async def _address_locked_until(username: str, ip: str, now: datetime) -> datetime | None:
    since = now - ADDRESS_WINDOW
    last_success = (
        await LoginAttempt.select(LoginAttempt.at)
        .where(
            (LoginAttempt.username == username)
            & (LoginAttempt.ip == ip)
            & (LoginAttempt.success == True)  # noqa: E712 - Piccolo needs the comparison
            & (LoginAttempt.at > since)
        )
        .order_by(LoginAttempt.at, ascending=False)
        .first()
    )
    if last_success is not None:
        since = last_success["at"]
    failures = (
        await LoginAttempt.select(LoginAttempt.at)
        .where(
            (LoginAttempt.username == username)
            & (LoginAttempt.ip == ip)
            & (LoginAttempt.success == False)  # noqa: E712
            & (LoginAttempt.at > since)
        )
        .order_by(LoginAttempt.at, ascending=False)
        .limit(ADDRESS_MAX_FAILURES)
    )
    return address_locked_until([row["at"] for row in failures])


async def _throttle_check(username: str, ip: str, now: datetime) -> None:
    account_until = (await account_locks([username], now)).get(username)
    if account_until is not None:
        wait = seconds_until(account_until, now)
        raise Throttled(wait, ACCOUNT_LOCKED, count=minutes_to_wait(wait))
    address_until = await _address_locked_until(username, ip, now)
    if address_until is not None and address_until > now:
        wait = seconds_until(address_until, now)
        raise Throttled(wait, ADDRESS_LOCKED, count=minutes_to_wait(wait))


async def authenticate(username: str, password: str, ip: str) -> Principal:
    """Check the credentials; throttle repeated failures; audit every outcome.

    Throttled (before the password is even checked) while the account is locked after
    repeated failures from any address, or while this username is locked from this address
    (:mod:`inspect_app.domain.throttling`); a successful sign-in starts both counts anew.
    """
    # NUL cannot be stored (nor be part of a username); the attempt is logged without it.
    username = username.replace("\x00", "").strip().lower()[:MAX_USERNAME_LENGTH]
    ip = ip[:64]
    now = datetime.now(UTC)
    # One query: the user's principal columns and the password hash.
    row = (
        await AppUser.select(*PRINCIPAL_COLUMNS, AppUser.password_hash)
        .where(AppUser.username == username)
        .first()
    )

    async def refused(action: str) -> None:
        await audit.record(
            action,
            username=username,
            ip=ip,
            entity_type="user",
            entity_id=row["id"] if row else None,
            agency_id=row["agency_id"] if row else None,
        )

    try:
        await _throttle_check(username, ip, now)
    except Throttled:
        await refused("login_locked")
        raise
    ok = verify_password(row["password_hash"] if row else None, password)
    principal = principal_of(row) if (row and ok and row["active"]) else None
    # One write transaction for the attempt, the user's last sign-in and the audit row (the
    # password was checked before it, so the write lock is held only for the writes). None
    # of it is shown by a kept page or principal: a stream of failed sign-ins must not make
    # every page again.
    async with write_transaction(changes_data=False):
        await LoginAttempt.insert(
            LoginAttempt(username=username, ip=ip, success=principal is not None, at=now)
        )
        if principal is None:
            await refused("login_failed")
        else:
            await AppUser.update({AppUser.last_login_at: now}).where(AppUser.id == principal.id)
            await audit.record(
                "login",
                actor=principal,
                ip=ip,
                entity_type="user",
                entity_id=principal.id,
                agency_id=principal.agency_id,
            )
    if principal is None:
        raise LoginFailed()
    return principal


async def unlock_sign_in(principal: Principal, user_id: int, ip: str = "") -> User:
    """An admin lifts the sign-in locks of a user of their subtree (every address).

    The failed attempts counted against the username are forgotten (the audit log keeps
    them); returns the user as :func:`inspect_app.services.users.get_visible` does.
    """
    from inspect_app.services.users import get_visible

    user = await get_visible(principal, user_id)
    async with write_transaction():
        cleared = (
            await LoginAttempt.delete()
            .where(
                (LoginAttempt.username == user.username) & (LoginAttempt.success == False)  # noqa: E712
            )
            .returning(LoginAttempt.id)
        )
        await audit.record(
            "login_unlock",
            actor=principal,
            ip=ip,
            entity_type="user",
            entity_id=user_id,
            agency_id=user.agency_id,
            after={"failures_cleared": len(cleared)},
        )
    return msgspec.structs.replace(user, sign_in_locked_until=None)


async def change_password(principal: Principal, current: str, new: str, ip: str = "") -> None:
    """Change one's own password after checking the current one."""
    row = await AppUser.select(AppUser.password_hash).where(AppUser.id == principal.id).first()
    errors: dict[str, str] = {}
    if row is None or not verify_password(row["password_hash"], current):
        errors["current_password"] = "The current password is not correct."
    problem = password_problem(new)
    if problem:
        errors["new_password"] = problem
    elif new == current:
        errors["new_password"] = "Choose a password different from the current one."
    if errors:
        raise InvalidInput(errors)
    async with write_transaction():
        await AppUser.update(
            {
                AppUser.password_hash: hash_password(new),
                AppUser.password_changed_at: datetime.now(UTC),
                AppUser.version: AppUser.version + 1,
            }
        ).where(AppUser.id == principal.id)
        await audit.record(
            "password_change",
            actor=principal,
            ip=ip,
            entity_type="user",
            entity_id=principal.id,
            agency_id=principal.agency_id,
        )


async def create_token(principal: Principal, name: str, ip: str = "") -> TokenCreated:
    """Create a bearer token for the caller; the token text is returned only here."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput({"name": "Give the token a name of 1 to 100 characters."})
    if has_control_characters(name, single_line=True):
        raise InvalidInput({"name": "Remove the control characters from the text."})
    token, digest, prefix = new_api_token()
    async with write_transaction():
        rows = await ApiToken.insert(
            ApiToken(user=principal.id, name=name, token_hash=digest, prefix=prefix)
        ).returning(ApiToken.id)
        token_id = rows[0]["id"]
        await audit.record(
            "token_create",
            actor=principal,
            ip=ip,
            entity_type="token",
            entity_id=token_id,
            agency_id=principal.agency_id,
            after={"name": name, "prefix": prefix},
        )
    return TokenCreated(id=int(token_id), name=name, token=token)


async def list_tokens(principal: Principal) -> list[Token]:
    """The caller's tokens (never their text)."""
    rows = (
        await ApiToken.select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.prefix,
            ApiToken.created_at,
            ApiToken.last_used_at,
            ApiToken.revoked_at,
        )
        .where(ApiToken.user == principal.id)
        .order_by(ApiToken.id)
    )
    return [
        Token(
            id=int(row["id"]),
            name=str(row["name"]),
            prefix=str(row["prefix"]),
            created_at=row["created_at"],
            last_used_at=row["last_used_at"],
            revoked_at=row["revoked_at"],
        )
        for row in rows
    ]


async def revoke_token(principal: Principal, token_id: int, ip: str = "") -> None:
    """Revoke one of the caller's tokens; an admin may revoke those of users in scope.

    Someone else's token, or one outside the admin's subtree, answers NotFound.
    """
    row = (
        await ApiToken.select(
            ApiToken.id,
            ApiToken.user,
            ApiToken.name,
            ApiToken.revoked_at,
            ApiToken.user.agency.id.as_alias("agency_id"),  # type: ignore[union-attr]
            ApiToken.user.agency.path.as_alias("agency_path"),  # type: ignore[union-attr]
        )
        .where(ApiToken.id == token_id)
        .first()
    )
    if row is None:
        raise NotFound()
    own = row["user"] == principal.id
    if not own and not (principal.role == "admin" and principal.sees_path(row["agency_path"])):
        raise NotFound()
    if row["revoked_at"] is not None:
        return
    async with write_transaction():
        await ApiToken.update({ApiToken.revoked_at: datetime.now(UTC)}).where(
            (ApiToken.id == token_id) & ApiToken.revoked_at.is_null()
        )
        await audit.record(
            "token_revoke",
            actor=principal,
            ip=ip,
            entity_type="token",
            entity_id=token_id,
            agency_id=row["agency_id"],
            before={"name": row["name"], "revoked": False},
            after={"name": row["name"], "revoked": True},
        )
