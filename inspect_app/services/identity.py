"""Resolving sessions and bearer tokens into a Principal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from inspect_app.principal import Principal
from inspect_app.security import token_digest
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


def principal_of(row: dict[str, Any], token_id: int | None = None) -> Principal:
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


async def load_principal(user_id: int, *, token_id: int | None = None) -> Principal | None:
    """The active user with this id as a Principal, or None (deactivated users get None)."""
    row = await AppUser.select(*PRINCIPAL_COLUMNS).where(AppUser.id == user_id).first()
    if row is None or not row["active"]:
        return None
    return principal_of(row, token_id)


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
    rows = await ApiToken.raw(_TOKEN_OWNER_SQL, token_digest(token), True)
    if not rows:
        return None
    row = rows[0]
    principal = principal_of(row, row["token_id"])
    now = datetime.now(UTC)
    last_used = row["last_used_at"]
    if isinstance(last_used, str):
        # SQLite hands back timestamps of a raw query as text.
        last_used = datetime.fromisoformat(last_used)
    if last_used is not None and last_used.tzinfo is None:
        last_used = last_used.replace(tzinfo=UTC)
    if last_used is None or now - last_used > TOKEN_TOUCH_INTERVAL:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["token_id"])
    return principal


async def agency_path(agency_id: int) -> str | None:
    """The materialised path of an agency, or None when it does not exist."""
    row = await Agency.select(Agency.path).where(Agency.id == agency_id).first()
    return None if row is None else str(row["path"])
