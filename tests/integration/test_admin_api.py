"""Agencies, users and the audit log through the JSON API (API.md "Auth and people")."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from models.tables import Agency, AppUser
from tests.authz.world import OUTSIDE_MARK, World, build_world
from tests.conftest import app_client


@pytest.fixture
async def world(db: str, redis_url: str) -> World:
    """Agencies P > A > A1 and P > B, one user of each role in A."""
    return await build_world()


@pytest.fixture
async def client(world: World) -> AsyncIterator[httpx.AsyncClient]:
    """A client on a fresh app, on the test's event loop."""
    from inspect_app.asgi import create_app

    async with app_client(create_app(), follow_redirects=False) as http:
        yield http


def _as(world: World, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.bearer[role]}"}


async def test_admin_creates_reads_and_renames_an_agency_with_its_version(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = _as(world, "admin")
    created = await client.post(
        "/api/agencies",
        json={
            "code": "A2",
            "name": "Phòng nghiệp vụ 2",
            "kind": "division",
            "parent_id": world.agencies["A"],
        },
        headers=admin,
    )
    assert created.status_code == 201
    body = created.json()
    assert {
        key: body[key] for key in ("code", "name", "kind", "parent_id", "active", "version")
    } == {
        "code": "A2",
        "name": "Phòng nghiệp vụ 2",
        "kind": "division",
        "parent_id": world.agencies["A"],
        "active": True,
        "version": 1,
    }
    assert body["path"] == f"/{world.agencies['P']}/{world.agencies['A']}/{body['id']}/"
    renamed = await client.patch(
        f"/api/agencies/{body['id']}", json={"version": 1, "name": "Phòng 2"}, headers=admin
    )
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Phòng 2"
    assert renamed.json()["version"] == 2
    stale = await client.patch(
        f"/api/agencies/{body['id']}", json={"version": 1, "name": "Lỗi thời"}, headers=admin
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    row = await Agency.select(Agency.name).where(Agency.id == body["id"]).first()
    assert row == {"name": "Phòng 2"}


async def test_bad_agency_input_names_the_field_and_changes_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = _as(world, "admin")
    before = await Agency.count()
    duplicate = await client.post(
        "/api/agencies",
        json={"code": "A1", "name": "Trùng mã", "parent_id": world.agencies["A"]},
        headers=admin,
    )
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"] == [
        {"field": "code", "message": "Mã này đã được cơ quan khác sử dụng."}
    ]
    outside_parent = await client.post(
        "/api/agencies",
        json={"code": "X1", "name": "Ngoài phạm vi", "parent_id": world.agencies["B"]},
        headers=admin,
    )
    assert outside_parent.status_code == 422
    assert outside_parent.json()["errors"][0]["field"] == "parent_id"
    wrong_type = await client.post(
        "/api/agencies", json={"code": "X2", "name": "x", "parent_id": "abc"}, headers=admin
    )
    assert wrong_type.status_code == 400
    assert wrong_type.json()["errors"][0]["field"] == "parent_id"
    under_itself = await client.patch(
        f"/api/agencies/{world.agencies['A1']}",
        json={"version": 1, "parent_id": world.agencies["A1"]},
        headers=admin,
    )
    assert under_itself.status_code == 422
    assert under_itself.json()["errors"] == [
        {"field": "parent_id", "message": "Không thể chuyển một cơ quan vào dưới chính nó."}
    ]
    own_agency = await client.patch(
        f"/api/agencies/{world.agencies['A']}",
        json={"version": 1, "parent_id": world.agencies["A1"]},
        headers=admin,
    )
    assert own_agency.status_code == 403
    assert await Agency.count() == before


async def test_moving_an_agency_moves_its_subtree(client: httpx.AsyncClient, world: World) -> None:
    admin = _as(world, "admin")
    created = await client.post(
        "/api/agencies",
        json={"code": "A2", "name": "Phòng 2", "parent_id": world.agencies["A"]},
        headers=admin,
    )
    moved = await client.patch(
        f"/api/agencies/{world.agencies['A1']}",
        json={"version": 1, "parent_id": created.json()["id"]},
        headers=admin,
    )
    assert moved.status_code == 200
    a, a1, a2 = world.agencies["A"], world.agencies["A1"], created.json()["id"]
    assert moved.json()["path"] == f"/{world.agencies['P']}/{a}/{a2}/{a1}/"
    assert moved.json()["depth"] == 3


async def test_agencies_outside_the_subtree_are_not_found_and_not_listed(
    client: httpx.AsyncClient, world: World
) -> None:
    viewer = _as(world, "viewer")
    assert (
        await client.get(f"/api/agencies/{world.agencies['B']}", headers=viewer)
    ).status_code == 404
    assert (
        await client.get(f"/api/agencies/{world.agencies['P']}", headers=viewer)
    ).status_code == 404
    listed = (await client.get("/api/agencies", headers=viewer)).json()
    assert [item["code"] for item in listed["items"]] == ["A", "A1"]
    assert listed["next_cursor"] is None


async def test_agency_list_pages_with_a_cursor(client: httpx.AsyncClient, world: World) -> None:
    viewer = _as(world, "viewer")
    first = (await client.get("/api/agencies?limit=1", headers=viewer)).json()
    assert [item["code"] for item in first["items"]] == ["A"]
    assert first["next_cursor"] == str(world.agencies["A"])
    second = (
        await client.get(f"/api/agencies?limit=1&cursor={first['next_cursor']}", headers=viewer)
    ).json()
    assert [item["code"] for item in second["items"]] == ["A1"]
    bad = await client.get("/api/agencies?cursor=abc", headers=viewer)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "cursor"


async def test_admin_creates_a_user_with_an_argon2_password(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = _as(world, "admin")
    created = await client.post(
        "/api/users",
        json={
            "username": "Nguyen.Van.A",
            "full_name": "Nguyễn Văn A",
            "role": "inspector",
            "agency_id": world.agencies["A1"],
            "password": "Mat-khau-2026",
            "email": "nva@thanhtra.vn",
        },
        headers=admin,
    )
    assert created.status_code == 201
    body = created.json()
    assert {key: body[key] for key in ("username", "full_name", "role", "agency_id", "active")} == {
        "username": "nguyen.van.a",
        "full_name": "Nguyễn Văn A",
        "role": "inspector",
        "agency_id": world.agencies["A1"],
        "active": True,
    }
    assert "password" not in str(body)
    row = await AppUser.select(AppUser.password_hash).where(AppUser.id == body["id"]).first()
    assert row is not None and row["password_hash"].startswith("$argon2id$")
    login = await client.post(
        "/api/auth/login", json={"username": "nguyen.van.a", "password": "Mat-khau-2026"}
    )
    assert login.status_code == 200


async def test_user_input_errors_name_their_fields(client: httpx.AsyncClient, world: World) -> None:
    admin = _as(world, "admin")
    response = await client.post(
        "/api/users",
        json={
            "username": "matrix_lead",
            "full_name": "",
            "role": "boss",
            "agency_id": world.agencies["A1"],
            "password": "short",
        },
        headers=admin,
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"full_name", "role", "password"}
    taken = await client.post(
        "/api/users",
        json={
            "username": "matrix_lead",
            "full_name": "Trùng",
            "role": "lead",
            "agency_id": world.agencies["A1"],
            "password": "Mat-khau-2026",
        },
        headers=admin,
    )
    assert taken.json()["errors"] == [
        {"field": "username", "message": "Tên đăng nhập này đã được sử dụng."}
    ]
    outside = await client.post(
        "/api/users",
        json={
            "username": "ngoai",
            "full_name": "Ngoài",
            "role": "lead",
            "agency_id": world.agencies["B"],
            "password": "Mat-khau-2026",
        },
        headers=admin,
    )
    assert outside.status_code == 422
    assert outside.json()["errors"][0]["field"] == "agency_id"


async def test_admin_cannot_lock_themselves_out(client: httpx.AsyncClient, world: World) -> None:
    admin = _as(world, "admin")
    me = world.users["admin"]
    response = await client.patch(
        f"/api/users/{me}", json={"version": 1, "active": False, "role": "viewer"}, headers=admin
    )
    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} == {"active", "role"}
    row = await AppUser.select(AppUser.active, AppUser.role).where(AppUser.id == me).first()
    assert row == {"active": True, "role": "admin"}


async def test_users_outside_the_subtree_are_not_found_and_not_listed(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = _as(world, "admin")
    outside = world.ids["user"]["outside"]
    assert (await client.get(f"/api/users/{outside}", headers=admin)).status_code == 404
    patched = await client.patch(
        f"/api/users/{outside}", json={"version": 1, "full_name": "x"}, headers=admin
    )
    assert patched.status_code == 404
    listed = (await client.get("/api/users?limit=200", headers=admin)).json()["items"]
    assert sorted(item["username"] for item in listed) == [
        "matrix_a1",
        "matrix_admin",
        "matrix_head",
        "matrix_inspector",
        "matrix_lead",
        "matrix_member",  # an inspector on the inside case's team
        "matrix_reader",  # an inspector outside it
        "matrix_viewer",
    ]
    filtered = (await client.get("/api/users?role=lead", headers=admin)).json()["items"]
    assert [item["username"] for item in filtered] == ["matrix_lead"]


async def test_audit_api_shows_before_and_after_within_scope_only(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = _as(world, "admin")
    user_id = world.ids["user"]["inside"]
    await client.patch(f"/api/users/{user_id}", json={"version": 1, "role": "lead"}, headers=admin)
    history = await client.get(
        f"/api/audit?entity_type=user&entity_id={user_id}", headers=_as(world, "head")
    )
    assert history.status_code == 200
    (entry,) = history.json()["items"]
    assert entry["action"] == "update"
    assert entry["username"] == "matrix_admin"
    assert entry["before"]["role"] == "inspector"
    assert entry["after"]["role"] == "lead"
    assert entry["changes"] == [{"field": "role", "before": "inspector", "after": "lead"}]
    everything = await client.get("/api/audit?limit=200", headers=admin)
    assert OUTSIDE_MARK not in everything.text
    assert (await client.get("/api/audit", headers=_as(world, "inspector"))).status_code == 403
