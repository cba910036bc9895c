"""Signing in and out, login throttling, passwords and API tokens."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from inspect_app.db import write_transaction
from inspect_app.exceptions import InvalidInput, NotFound, Throttled
from inspect_app.principal import Principal
from inspect_app.security import hash_password, new_api_token, password_problem, verify_password
from inspect_app.services import audit
from inspect_app.services.identity import PRINCIPAL_COLUMNS, principal_of
from models.tables import ApiToken, AppUser, LoginAttempt

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
# Longer input cannot be a username; cutting it keeps the attempt log's column valid.
MAX_USERNAME_LENGTH = 64


class LoginFailed(Exception):
    """Wrong username or password (deliberately not saying which)."""


async def _throttle_check(username: str, ip: str, now: datetime) -> None:
    since = now - FAILURE_WINDOW
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
        .limit(MAX_FAILURES)
    )
    if len(failures) >= MAX_FAILURES:
        unlock_at = failures[-1]["at"] + FAILURE_WINDOW
        raise Throttled(retry_after=max(1, math.ceil((unlock_at - now).total_seconds())))


async def authenticate(username: str, password: str, ip: str) -> Principal:
    """Check the credentials; throttle repeated failures; audit every outcome.

    After ``MAX_FAILURES`` failures for one username from one address within
    ``FAILURE_WINDOW``, every attempt (even with the right password) raises Throttled until
    the oldest of those failures leaves the window; a successful sign-in starts the count anew.
    """
    username = username.strip().lower()[:MAX_USERNAME_LENGTH]
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
    await LoginAttempt.insert(
        LoginAttempt(username=username, ip=ip, success=principal is not None, at=now)
    )
    if principal is None:
        await refused("login_failed")
        raise LoginFailed()
    await AppUser.update({AppUser.last_login_at: now}).where(AppUser.id == principal.id)
    await audit.record(
        "login",
        actor=principal,
        ip=ip,
        entity_type="user",
        entity_id=principal.id,
        agency_id=principal.agency_id,
    )
    return principal


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


async def create_token(principal: Principal, name: str, ip: str = "") -> dict[str, Any]:
    """Create a bearer token for the caller; the token text is returned only here."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput({"name": "Give the token a name of 1 to 100 characters."})
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
    return {"id": token_id, "name": name, "token": token, "prefix": prefix}


async def list_tokens(principal: Principal) -> list[dict[str, Any]]:
    """The caller's tokens (never their text)."""
    return (
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
