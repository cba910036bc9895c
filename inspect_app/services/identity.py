"""Resolving sessions and bearer tokens into a Principal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from inspect_app.principal import Principal
from inspect_app.security import token_digest
from models.tables import Agency, ApiToken, AppUser

# Writing last_used_at on every request would turn each read into a write.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


async def load_principal(user_id: int, *, token_id: int | None = None) -> Principal | None:
    """The active user with this id as a Principal, or None (deactivated users get None)."""
    row = (
        await AppUser.select(
            AppUser.id,
            AppUser.username,
            AppUser.full_name,
            AppUser.role,
            AppUser.agency.id.as_alias("agency_id"),
            AppUser.agency.path.as_alias("agency_path"),
            AppUser.language,
            AppUser.active,
        )
        .where(AppUser.id == user_id)
        .first()
    )
    if row is None or not row["active"]:
        return None
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


async def principal_from_token(token: str) -> Principal | None:
    """The owner of a valid, unrevoked bearer token, or None."""
    row = (
        await ApiToken.select(ApiToken.id, ApiToken.user, ApiToken.last_used_at)
        .where((ApiToken.token_hash == token_digest(token)) & ApiToken.revoked_at.is_null())
        .first()
    )
    if row is None:
        return None
    principal = await load_principal(row["user"], token_id=row["id"])
    if principal is None:
        return None
    now = datetime.now(UTC)
    last_used = row["last_used_at"]
    if last_used is None or now - last_used > TOKEN_TOUCH_INTERVAL:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
    return principal


async def agency_path(agency_id: int) -> str | None:
    """The materialised path of an agency, or None when it does not exist."""
    row = await Agency.select(Agency.path).where(Agency.id == agency_id).first()
    return None if row is None else str(row["path"])
