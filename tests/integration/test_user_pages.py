"""The user administration pages: the forms read into the API's structs, every problem
beside its field in one answer, the input kept (never the password), a stale form refused."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from models.tables import AppUser, AuditEvent
from tests.authz.client import csrf_token, sign_in
from tests.authz.world import WORLD_PASSWORD, World, build_world
from tests.conftest import app_client

GOOD_PASSWORD = "Mat-khau-2026"


@pytest.fixture
async def world(db: str, redis_url: str) -> World:
    """Agencies P > A > A1 and P > B, one user of each role in A."""
    return await build_world()


@pytest.fixture
async def admin(world: World) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A client signed in as the administrator of A, and a CSRF token for its forms."""
    from inspect_app.asgi import create_app

    async with app_client(create_app(), follow_redirects=False) as http:
        assert (await sign_in(http, world.usernames["admin"], WORLD_PASSWORD)).status_code == 200
        yield http, await csrf_token(http)


def _new_user(world: World, csrf: str, **changes: str) -> dict[str, str]:
    form = {
        "_csrf_token": csrf,
        "username": "tran.thi.b",
        "full_name": "Trần Thị B",
        "email": "ttb@thanhtra.vn",
        "role": "inspector",
        "agency_id": str(world.agencies["A1"]),
        "language": "vi",
        "password": GOOD_PASSWORD,
    }
    return {**form, **changes}


async def test_a_new_user_form_names_every_problem_and_keeps_the_input(
    admin: tuple[httpx.AsyncClient, str], world: World
) -> None:
    client, csrf = admin
    before = await AppUser.count()
    refused = await client.post(
        "/admin/users",
        data=_new_user(world, csrf, agency_id="A1", email="không phải thư", password="ngan"),
    )
    assert refused.status_code == 422
    page = refused.text
    # The agency the form could not read, and the service's own rules, in one answer.
    for field in ("agency_id", "email", "password"):
        assert f'id="e-{field}"' in page, field
    assert 'id="e-username"' not in page
    assert 'value="tran.thi.b"' in page and 'value="Trần Thị B"' in page
    assert "ngan" not in page  # a password is never sent back
    assert await AppUser.count() == before

    created = await client.post("/admin/users", data=_new_user(world, csrf))
    assert created.status_code in (302, 303)
    row = await AppUser.select().where(AppUser.username == "tran.thi.b").first()
    assert row is not None and row["agency"] == world.agencies["A1"]
    assert created.headers["location"] == f"/admin/users/{row['id']}"
    listed = (await client.get("/admin/users?q=tran.thi")).text
    assert "Trần Thị B" in listed and "A1" in listed  # the agency's name beside the user


async def test_an_edit_keeps_the_password_when_blank_and_refuses_a_stale_form(
    admin: tuple[httpx.AsyncClient, str], world: World
) -> None:
    client, csrf = admin
    user_id = world.users["inspector"]
    stored = await AppUser.select().where(AppUser.id == user_id).first()
    assert stored is not None
    form = {
        "_csrf_token": csrf,
        "full_name": "Tên mới",
        "email": "",
        "role": "inspector",
        "agency_id": str(stored["agency"]),
        "language": "en",
        "password": "",
        "version": str(stored["version"]),
    }
    saved = await client.post(f"/admin/users/{user_id}", data=form)
    assert saved.status_code in (302, 303), saved.text
    after = await AppUser.select().where(AppUser.id == user_id).first()
    assert after is not None
    assert (after["full_name"], after["language"], after["email"]) == ("Tên mới", "en", None)
    assert after["password_hash"] == stored["password_hash"]
    assert after["version"] == stored["version"] + 1
    audited = (
        await AuditEvent.select(AuditEvent.after)
        .where((AuditEvent.entity_type == "user") & (AuditEvent.entity_id == user_id))
        .output(load_json=True)
        .first()
    )
    assert audited is not None and audited["after"]["full_name"] == "Tên mới"
    assert "sign_in_locked_until" not in audited["after"]

    # The same form again: read at the old version, refused, nothing changed.
    stale = await client.post(f"/admin/users/{user_id}", data={**form, "full_name": "Cũ"})
    assert stale.status_code == 409
    # A form without its version is refused beside it, with its other problems.
    no_version = {**form, "version": "", "role": "boss"}
    refused = await client.post(f"/admin/users/{user_id}", data=no_version)
    assert refused.status_code == 422
    assert "Hồ sơ này vừa được người khác thay đổi." in refused.text  # said on top
    assert 'id="e-role"' in refused.text
    unchanged = await AppUser.select().where(AppUser.id == user_id).first()
    assert unchanged is not None and unchanged["version"] == stored["version"] + 1
    assert unchanged["full_name"] == "Tên mới"


async def test_deactivating_by_the_button_ends_the_account_at_once(
    admin: tuple[httpx.AsyncClient, str], world: World
) -> None:
    client, csrf = admin
    user_id = world.users["lead"]
    stored = await AppUser.select().where(AppUser.id == user_id).first()
    assert stored is not None
    stale = await client.post(
        f"/admin/users/{user_id}/deactivate",
        data={"_csrf_token": csrf, "version": str(stored["version"] - 1)},
    )
    assert stale.status_code in (302, 303)
    row = await AppUser.select(AppUser.active).where(AppUser.id == user_id).first()
    assert row is not None and row["active"] is True  # a stale button changes nothing
    done = await client.post(
        f"/admin/users/{user_id}/deactivate",
        data={"_csrf_token": csrf, "version": str(stored["version"])},
    )
    assert done.status_code in (302, 303)
    row = await AppUser.select(AppUser.active).where(AppUser.id == user_id).first()
    assert row is not None and row["active"] is False
    action = (
        await AuditEvent.select(AuditEvent.action)
        .where((AuditEvent.entity_type == "user") & (AuditEvent.entity_id == user_id))
        .first()
    )
    assert action is not None and action["action"] == "deactivate"
    lead = await client.get("/api/me", headers={"Authorization": f"Bearer {world.bearer['lead']}"})
    assert lead.status_code == 401


@pytest.mark.parametrize("hostile", ["²", "٣", "99999999999", "2147483648", "1\x00"])
async def test_hostile_numbers_in_the_admin_forms_are_named_never_a_500(
    admin: tuple[httpx.AsyncClient, str], world: World, hostile: str
) -> None:
    client, csrf = admin
    user = await client.post("/admin/users", data=_new_user(world, csrf, agency_id=hostile))
    assert user.status_code == 422 and 'id="e-agency_id"' in user.text
    agency = await client.post(
        "/admin/agencies",
        data={"_csrf_token": csrf, "code": "X1", "name": "X", "parent_id": hostile},
    )
    assert agency.status_code == 422 and 'id="e-parent_id"' in agency.text
    edit = await client.post(
        f"/admin/users/{world.users['inspector']}",
        data={"_csrf_token": csrf, "full_name": "Tên", "role": "inspector", "version": hostile},
    )
    assert edit.status_code in (409, 422)
    listed = await client.get("/admin/users", params={"cursor": hostile})
    assert listed.status_code in (200, 400, 422)


@pytest.mark.parametrize("cursor", ["²", "99999999999", "2147483648"])
async def test_a_hostile_cursor_of_the_admin_lists_is_refused_by_name(
    admin: tuple[httpx.AsyncClient, str], world: World, cursor: str
) -> None:
    client, _ = admin
    token = {"Authorization": f"Bearer {world.bearer['admin']}"}
    for path in ("/api/users", "/api/agencies", "/api/audit"):
        answer = await client.get(f"{path}?cursor={cursor}", headers=token)
        assert answer.status_code in (400, 422), (path, answer.status_code)
    # The largest id a record can have is a cursor like any other.
    assert (await client.get("/api/users?cursor=2147483647", headers=token)).status_code == 200
