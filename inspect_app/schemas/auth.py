"""Schemas of sign-in, the current user and API tokens."""

from __future__ import annotations

from datetime import datetime

import msgspec

from inspect_app.schemas.bounds import ShortText


class LoginRequest(msgspec.Struct):
    """Credentials for POST /api/auth/login."""

    username: str = msgspec.field()
    password: str = msgspec.field()


class Me(msgspec.Struct):
    """The signed-in user."""

    id: int
    username: str
    full_name: str
    role: str
    agency_id: int
    language: str


class LoginResponse(msgspec.Struct):
    """Answer of a successful sign-in."""

    user: Me


class TokenCreate(msgspec.Struct):
    """A new API token's name."""

    name: ShortText


class TokenCreated(msgspec.Struct):
    """A new token; ``token`` is shown this once only."""

    id: int
    name: str
    token: str


class Token(msgspec.Struct):
    """A token as listed (never its text)."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenList(msgspec.Struct):
    """The caller's tokens."""

    items: list[Token]
    next_cursor: str | None = None
