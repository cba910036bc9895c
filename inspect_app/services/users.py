"""Users: administration within the admin's subtree, and deactivation that takes effect at once."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from inspect_app.db import write_transaction
from inspect_app.domain.permissions import ROLES
from inspect_app.domain.text import has_control_characters
from inspect_app.errors import Conflict, InvalidInput, NotFound
from inspect_app.i18n import LANGUAGES
from inspect_app.principal import Principal
from inspect_app.schemas.admin import User, UserCreate, UserUpdate
from inspect_app.security import hash_password, password_problem
from inspect_app.services import audit
from inspect_app.services.agencies import get_visible as get_visible_agency
from inspect_app.services.casework import Errors
from inspect_app.sessions import delete_sessions_of_user
from models.tables import Agency, ApiToken, AppUser

# A sign-in lock is a state of the sign-in attempts, not of the user record.
UNAUDITED = ("sign_in_locked_until",)
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
USER_FIELDS = (
    AppUser.id,
    AppUser.username,
    AppUser.full_name,
    AppUser.email,
    AppUser.role,
    AppUser.agency,
    AppUser.active,
    AppUser.language,
    AppUser.last_login_at,
    AppUser.version,
)


def _out(row: Mapping[str, Any]) -> User:
    return User(
        id=int(row["id"]),
        username=str(row["username"]),
        full_name=str(row["full_name"]),
        role=str(row["role"]),
        agency_id=int(row["agency"]),
        active=bool(row["active"]),
        version=int(row["version"]),
        email=row["email"],
        language=str(row["language"] or "vi"),
        last_login_at=row["last_login_at"],
    )


@dataclass(frozen=True)
class UserPage:
    """A page of users, with the name of each one's agency (by id)."""

    items: list[User]
    agency_names: Mapping[int, str]


def _in_scope(principal: Principal) -> Any:
    return AppUser.agency.path.like(principal.scope_pattern)


async def get_visible(principal: Principal, user_id: int) -> User:
    """One user of the caller's subtree; NotFound otherwise."""
    row = (
        await AppUser.select(*USER_FIELDS)
        .where((AppUser.id == user_id) & _in_scope(principal))
        .first()
    )
    if row is None:
        raise NotFound()
    return _out(row)


async def list_visible(
    principal: Principal,
    *,
    cursor: int = 0,
    limit: int = 50,
    agency_id: int | None = None,
    role: str | None = None,
    active: bool | None = None,
    q: str | None = None,
) -> UserPage:
    """Users in scope, ordered by id (keyset after ``cursor``), with their agencies' names."""
    query = AppUser.select(*USER_FIELDS, AppUser.agency.name.as_alias("agency_name")).where(
        _in_scope(principal) & (AppUser.id > cursor)
    )
    if agency_id is not None:
        query = query.where(AppUser.agency == agency_id)
    if role:
        query = query.where(AppUser.role == role)
    if active is not None:
        query = query.where(AppUser.active == active)
    if q:
        pattern = f"%{_escape_like(q.strip())}%"
        query = query.where(AppUser.username.ilike(pattern) | AppUser.full_name.ilike(pattern))
    rows = await query.order_by(AppUser.id).limit(limit)
    return UserPage(
        [_out(row) for row in rows], {int(row["agency"]): str(row["agency_name"]) for row in rows}
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class TeamOption:
    """A case worker one may put on a case team."""

    id: int
    full_name: str
    username: str
    role: str
    agency_name: str


async def team_options(
    principal: Principal, user_ids: Collection[int] | None = None
) -> list[TeamOption]:
    """Active case workers in scope, for choosing a lead and team members; only those among
    ``user_ids`` when given (e.g. the people named on one case page)."""
    if user_ids is not None and not user_ids:
        return []
    query = AppUser.select(
        AppUser.id,
        AppUser.full_name,
        AppUser.username,
        AppUser.role,
        AppUser.agency.name.as_alias("agency_name"),
    ).where(
        _in_scope(principal)
        & (AppUser.active == True)  # noqa: E712
        & AppUser.role.is_in(["inspector", "lead", "head"])
    )
    if user_ids is not None:
        query = query.where(AppUser.id.is_in(sorted(user_ids)))
    return [
        TeamOption(
            id=int(row["id"]),
            full_name=str(row["full_name"]),
            username=str(row["username"]),
            role=str(row["role"]),
            agency_name=str(row["agency_name"]),
        )
        for row in await query.order_by(AppUser.full_name)
    ]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validate(data: dict[str, Any], *, creating: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    if creating or "username" in data:
        username = str(data.get("username") or "").strip().lower()
        if not USERNAME_RE.match(username):
            errors["username"] = (
                "Use 2 to 64 lower-case letters, digits, dots, dashes or underscores."
            )
    if creating or "full_name" in data:
        full_name = str(data.get("full_name") or "").strip()
        if not full_name or len(full_name) > 255:
            errors["full_name"] = "Enter the full name."
        elif has_control_characters(full_name, single_line=True):
            errors["full_name"] = "Remove the control characters from the text."
    if (creating or "role" in data) and data.get("role") not in ROLES:
        errors["role"] = "Choose a role from the list."
    if (creating or "agency_id" in data) and not _is_int(data.get("agency_id")):
        errors["agency_id"] = "Choose the agency."
    if creating or data.get("password"):
        problem = password_problem(str(data.get("password") or ""))
        if problem:
            errors["password"] = problem
    if "active" in data and not isinstance(data["active"], bool):
        errors["active"] = "Choose yes or no."
    if "language" in data and data["language"] not in LANGUAGES:
        errors["language"] = "Choose a language from the list."
    email = data.get("email")
    if email and (
        "@" not in str(email)
        or len(str(email)) > 255
        or " " in str(email).strip()
        or has_control_characters(str(email).strip(), single_line=True)
    ):
        errors["email"] = "Enter a valid e-mail address."
    return errors


async def _check_agency(principal: Principal, agency_id: int) -> None:
    # An agency outside the admin's subtree is a bad choice in the form, not a missing page.
    try:
        await get_visible_agency(principal, agency_id)
    except NotFound as exc:
        raise InvalidInput({"agency_id": "Choose an agency from the list."}) from exc


async def create(
    principal: Principal,
    request: UserCreate,
    ip: str = "",
    *,
    unread: Mapping[str, str] | None = None,
) -> User:
    """Create a user in an agency of the admin's subtree; InvalidInput names every field at
    fault, with those the form could not read (``unread``)."""
    _, errors = Errors.of_request(
        request, partial(_validate, creating=isinstance(request, UserCreate)), unread
    )
    errors.raise_if_any()
    username = request.username.strip().lower()
    async with write_transaction():
        await _check_agency(principal, request.agency_id)
        if await AppUser.exists().where(AppUser.username == username):
            raise InvalidInput({"username": "This username is already taken."})
        rows = await AppUser.insert(
            AppUser(
                username=username,
                full_name=request.full_name.strip(),
                email=(request.email or "").strip() or None,
                role=request.role,
                agency=request.agency_id,
                password_hash=hash_password(request.password),
                active=request.active,
                language=request.language or "vi",
                password_changed_at=datetime.now(UTC),
            )
        ).returning(AppUser.id)
        created = await get_visible(principal, rows[0]["id"])
        await audit.record(
            "create",
            actor=principal,
            entity_type="user",
            entity_id=created.id,
            agency_id=created.agency_id,
            after=audit.snapshot(created, leave_out=UNAUDITED),
            ip=ip,
        )
    return created


async def update(
    principal: Principal,
    user_id: int,
    request: UserUpdate,
    ip: str = "",
    *,
    unread: Mapping[str, str] | None = None,
) -> User:
    """Change a user; deactivating ends their sessions and tokens at once.

    Admins cannot deactivate themselves or change their own role or agency, so that the
    last administrator of a subtree cannot lock everyone out by mistake. A user not in the
    admin's subtree is NotFound before anything else; every problem with the fields comes
    next (with ``unread``, those the form could not read), then a stale ``version``.
    """
    data, errors = Errors.of_request(
        request, partial(_validate, creating=isinstance(request, UserCreate)), unread
    )
    if user_id == principal.id:
        if data.get("active") is False:
            errors["active"] = "You cannot deactivate your own account."
        if "role" in data and data["role"] != principal.role:
            errors["role"] = "You cannot change your own role."
        if "agency_id" in data and data["agency_id"] != principal.agency_id:
            errors["agency_id"] = "You cannot move your own account to another agency."
    version = request.version
    async with write_transaction():
        before = await get_visible(principal, user_id)
        errors.raise_if_any()
        if before.version != version:
            raise Conflict(
                "This record was changed by someone else. Reload and try again.",
                code="stale_version",
            )
        now = datetime.now(UTC)
        values: dict[Any, Any] = {AppUser.version: version + 1, AppUser.updated_at: now}
        for key, column in (
            ("full_name", AppUser.full_name),
            ("role", AppUser.role),
            ("active", AppUser.active),
            ("language", AppUser.language),
        ):
            if key in data:
                value = data[key]
                values[column] = value.strip() if isinstance(value, str) else value
        if "email" in data:
            values[AppUser.email] = str(data["email"] or "").strip() or None
        if "agency_id" in data:
            await _check_agency(principal, int(data["agency_id"]))
            values[AppUser.agency] = int(data["agency_id"])
        if data.get("password"):
            values[AppUser.password_hash] = hash_password(str(data["password"]))
            values[AppUser.password_changed_at] = now
        updated = (
            await AppUser.update(values)
            .where((AppUser.id == user_id) & (AppUser.version == version))
            .returning(AppUser.id)
        )
        if not updated:
            raise Conflict(
                "This record was changed by someone else. Reload and try again.",
                code="stale_version",
            )
        if data.get("active") is False and before.active:
            # Refused from the very next request: tokens revoked, sessions deleted; the
            # identity middleware also re-reads ``active`` on every request.
            await ApiToken.update({ApiToken.revoked_at: now}).where(
                (ApiToken.user == user_id) & ApiToken.revoked_at.is_null()
            )
        if data.get("active") is False or data.get("password"):
            await delete_sessions_of_user(user_id)
        after = await get_visible(principal, user_id)
        action = "update"
        if before.active and not after.active:
            action = "deactivate"
        elif after.active and not before.active:
            action = "activate"
        await audit.record(
            action,
            actor=principal,
            entity_type="user",
            entity_id=user_id,
            agency_id=after.agency_id,
            before=audit.snapshot(before, leave_out=UNAUDITED),
            after=audit.snapshot(after, leave_out=UNAUDITED),
            ip=ip,
        )
    return after


async def create_user_cli(
    *, username: str, full_name: str, role: str, agency_code: str, password: str
) -> int:
    """Create a user from the command line (no actor; audited as 'cli')."""
    agency = await Agency.select(Agency.id).where(Agency.code == agency_code).first()
    if agency is None:
        raise SystemExit(f"No agency with code {agency_code!r}.")
    data = {
        "username": username,
        "full_name": full_name,
        "role": role,
        "agency_id": agency["id"],
        "password": password,
    }
    errors = _validate(data, creating=True)
    if await AppUser.exists().where(AppUser.username == username.strip().lower()):
        errors["username"] = "This username is already taken."
    if errors:
        raise SystemExit("; ".join(f"{field}: {message}" for field, message in errors.items()))
    rows = await AppUser.insert(
        AppUser(
            username=username.strip().lower(),
            full_name=full_name,
            role=role,
            agency=agency["id"],
            password_hash=hash_password(password),
            password_changed_at=datetime.now(UTC),
        )
    ).returning(AppUser.id)
    await audit.record(
        "create",
        username="cli",
        entity_type="user",
        entity_id=rows[0]["id"],
        agency_id=agency["id"],
        after={"username": username, "role": role},
    )
    return int(rows[0]["id"])


async def digest_email_on(principal: Principal) -> bool:
    """Whether the caller receives the daily digest by e-mail too."""
    row = await AppUser.select(AppUser.digest_email).where(AppUser.id == principal.id).first()
    return bool(row and row["digest_email"])


async def set_digest_email(principal: Principal, on: bool, ip: str) -> None:
    """Mute or restore one's daily digest by e-mail (the in-app digest always comes)."""
    async with write_transaction():
        before = await digest_email_on(principal)
        if before == on:
            return
        await AppUser.update({AppUser.digest_email: on}).where(AppUser.id == principal.id)
        await audit.record(
            "update",
            actor=principal,
            entity_type="user",
            entity_id=principal.id,
            agency_id=principal.agency_id,
            before={"digest_email": before},
            after={"digest_email": on},
            ip=ip,
        )
