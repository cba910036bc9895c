"""The first agency and the first administrator of a new installation (``inspect-app init``).

Every user belongs to an agency and every agency but the root has a parent, so an empty
database needs both made together, by the command line, before anyone can sign in. Only on
an empty database: once agencies exist, administrators add the rest in the app.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from inspect_app.db import is_postgres, write_transaction
from inspect_app.errors import InvalidInput
from inspect_app.security import hash_password
from inspect_app.services import audit
from inspect_app.services.agencies import _validate as agency_problems
from inspect_app.services.users import _validate as user_problems
from models.tables import Agency, AppUser

# Serialises concurrent runs of init on PostgreSQL (SQLite's write lock does it there).
_INIT_LOCK_KEY = 7_361_002


class AlreadyInitialised(Exception):
    """The database already has agencies: init creates nothing."""


def check_first_admin(data: Mapping[str, str]) -> dict[str, str]:
    """What is wrong with the values of init, by field (agency_code, username, …)."""
    errors = {
        f"agency_{field}": message
        for field, message in agency_problems(
            {"code": data["agency_code"], "name": data["agency_name"], "kind": data["agency_kind"]},
            creating=False,
        ).items()
    }
    errors.update(
        user_problems(
            {
                "username": data["username"],
                "full_name": data["full_name"],
                "role": "admin",
                "agency_id": 0,
                "password": data["password"],
            },
            creating=True,
        )
    )
    return errors


async def create_root_and_admin(
    *,
    agency_code: str,
    agency_name: str,
    agency_kind: str,
    username: str,
    full_name: str,
    password: str,
) -> tuple[int, int]:
    """Create the root agency and its first administrator; (agency id, user id).

    Raises InvalidInput naming the fields at fault, AlreadyInitialised when any agency
    exists. Both rows and their audit entries are written in one transaction.
    """
    data = {
        "agency_code": agency_code.strip(),
        "agency_name": agency_name.strip(),
        "agency_kind": agency_kind.strip(),
        "username": username.strip().lower(),
        "full_name": full_name.strip(),
        "password": password,
    }
    errors = check_first_admin(data)
    if errors:
        raise InvalidInput(errors)
    async with write_transaction():
        if is_postgres():
            await Agency.raw("SELECT pg_advisory_xact_lock({})", _INIT_LOCK_KEY)
        if await Agency.count() > 0:
            raise AlreadyInitialised()
        rows = await Agency.insert(
            Agency(
                code=data["agency_code"],
                name=data["agency_name"],
                kind=data["agency_kind"],
                parent=None,
                depth=0,
                active=True,
            )
        ).returning(Agency.id)
        agency_id = int(rows[0]["id"])
        await Agency.update({Agency.path: f"/{agency_id}/"}).where(Agency.id == agency_id)
        users = await AppUser.insert(
            AppUser(
                username=data["username"],
                full_name=data["full_name"],
                role="admin",
                agency=agency_id,
                password_hash=hash_password(password),
                password_changed_at=datetime.now(UTC),
            )
        ).returning(AppUser.id)
        user_id = int(users[0]["id"])
        await audit.record(
            "create",
            username="cli",
            entity_type="agency",
            entity_id=agency_id,
            agency_id=agency_id,
            after={"code": data["agency_code"], "name": data["agency_name"], "root": True},
        )
        await audit.record(
            "create",
            username="cli",
            entity_type="user",
            entity_id=user_id,
            agency_id=agency_id,
            after={"username": data["username"], "role": "admin"},
        )
    return agency_id, user_id
