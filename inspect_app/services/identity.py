"""Resolving sessions and bearer tokens into a Principal."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from inspect_app import data_version
from inspect_app.data_version import KeptByVersion, Version
from inspect_app.principal import Principal
from inspect_app.security import token_digest
from inspect_app.settings import get_settings
from models.tables import Agency, ApiToken, AppUser

# Writing last_used_at on every request would turn each read into a write.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


# The columns a Principal is made of (with ``active``, which decides whether it may be one).
PRINCIPAL_COLUMNS = (
    AppUser.id,
    AppUser.username,
    AppUser.full_name,
    AppUser.role,
    AppUser.agency.id.as_alias("agency_id"),
    AppUser.agency.path.as_alias("agency_path"),
    AppUser.language,
    AppUser.active,
)


def principal_of(row: Mapping[str, Any], token_id: int | None = None) -> Principal:
    """The Principal of a user row with the PRINCIPAL_COLUMNS (or the token query's)."""
    return Principal(
        id=row["id"],
        username=row["username"],
        full_name=row["full_name"],
        role=row["role"],
        agency_id=row["agency_id"],
        agency_path=row["agency_path"],
        language=row["language"],
        via_token=token_id is not None,
        token_id=token_id,
    )


# Who is asking, kept per process while the data version holds. Every change that decides
# who someone is or may do (deactivation, role, agency, an agency moved, a token revoked, a
# password changed, the language) is a committed write, which moves the version
# (inspect_app/data_version.py): the next request reads the user again, so a revoked token
# or a deactivated user is refused on its next request; on another web process, on the
# first request after the version's message reached it (under a millisecond; at most
# data_version.VERIFY_S if the message was lost). A change made around the
# app (a database console) is seen within PRINCIPAL_CACHE_SECONDS (10 s); 0 keeps nothing.
# Values: (Principal or None,) of a user, [Principal, last use] of a token.
_kept: KeptByVersion[Any] = KeptByVersion(10_000)


def _kept_get(key: tuple[str, Any], version: Version | None) -> tuple[bool, Any]:
    return _kept.get(key, version, get_settings().principal_cache_seconds)


def _kept_put(key: tuple[str, Any], version: Version | None, value: Any) -> None:
    if get_settings().principal_cache_seconds > 0:
        _kept.put(key, version, value)


def forget_kept() -> None:
    """Forget every kept principal (tests: ids start again in an emptied database)."""
    _kept.clear()


async def load_principal(user_id: int, *, token_id: int | None = None) -> Principal | None:
    """The active user with this id as a Principal, or None (deactivated users get None)."""
    version = await data_version.current() if token_id is None else None
    found, kept = _kept_get(("user", user_id), version)
    if found:
        return kept[0]  # type: ignore[no-any-return]
    row = await AppUser.select(*PRINCIPAL_COLUMNS).where(AppUser.id == user_id).first()
    principal = None if row is None or not row["active"] else principal_of(row, token_id)
    _kept_put(("user", user_id), version, (principal,))
    return principal


# One statement for the token, its owner and the owner's agency: this runs on every API call.
_TOKEN_OWNER_SQL = (
    "SELECT t.id AS token_id, t.last_used_at AS last_used_at, u.id AS id,"
    " u.username AS username, u.full_name AS full_name, u.role AS role,"
    " a.id AS agency_id, a.path AS agency_path, u.language AS language"
    ' FROM api_token t JOIN app_user u ON u.id = t."user" JOIN agency a ON a.id = u.agency'
    " WHERE t.token_hash = {} AND t.revoked_at IS NULL AND u.active = {}"
)


async def principal_from_token(token: str) -> Principal | None:
    """The owner of a valid, unrevoked bearer token, or None (deactivated owners get None)."""
    digest = token_digest(token)
    version = await data_version.current()
    found, kept = _kept_get(("token", digest), version)
    if not found:
        rows = await ApiToken.raw(_TOKEN_OWNER_SQL, digest, True)
        if not rows:
            return None  # not kept: any string may come as a token
        row = rows[0]
        kept = [principal_of(row, row["token_id"]), _aware(row["last_used_at"])]
        _kept_put(("token", digest), version, kept)
    principal, last_used = kept
    now = _now()
    if last_used is None or now - last_used > TOKEN_TOUCH_INTERVAL:
        # Not a write transaction: the last use is no reason to make pages again.
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == principal.token_id)
        kept[1] = now
    return principal  # type: ignore[no-any-return]


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: Any) -> datetime | None:
    if isinstance(value, str):
        # SQLite hands back timestamps of a raw query as text.
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value  # type: ignore[no-any-return]


async def agency_path(agency_id: int) -> str | None:
    """The materialised path of an agency, or None when it does not exist."""
    row = await Agency.select(Agency.path).where(Agency.id == agency_id).first()
    return None if row is None else str(row["path"])
