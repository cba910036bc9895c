"""An agency's document settings: edited by an admin (API and page), read by the reports."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from inspect_app.services.agency_documents import frame_settings
from models.tables import Agency
from tests.authz.world import WORLD_PASSWORD, World, build_world
from tests.conftest import app_client

SETTINGS = {
    "doc_symbol": "SA",
    "parent_body": "Ủy ban nhân dân tỉnh P",
    "place_name": "Hạ Long",
    "head_title": "Giám đốc",
    "signer_name": "Nguyễn Văn Hòa",
    "signer_title": "Phó Giám đốc",
    "signing_form": "kt",
    "recipients": ["Thanh tra tỉnh P", "UBND tỉnh P"],
    "distribution": ["Như trên", "Lưu: VT, TTr"],
}


@pytest.fixture
async def world(db: str, redis_url: str) -> World:
    """Agencies P > A > A1 and P > B; the admin is in A."""
    return await build_world()


@pytest.fixture
async def client(world: World) -> AsyncIterator[httpx.AsyncClient]:
    from inspect_app.asgi import create_app

    async with app_client(create_app(), follow_redirects=False) as http:
        yield http


def _admin(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.bearer['admin']}"}


async def test_admin_sets_the_document_settings_through_the_api(
    client: httpx.AsyncClient, world: World
) -> None:
    agency_id = world.agencies["A"]
    before = (await client.get(f"/api/agencies/{agency_id}", headers=_admin(world))).json()
    assert before["signing_form"] == "direct" and before["recipients"] == []

    saved = await client.patch(
        f"/api/agencies/{agency_id}",
        json={"version": before["version"], **SETTINGS, "recipients": [" Thanh tra tỉnh P ", ""]},
        headers=_admin(world),
    )
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["version"] == before["version"] + 1
    assert {key: body[key] for key in SETTINGS} == {**SETTINGS, "recipients": ["Thanh tra tỉnh P"]}
    stored = await Agency.select(Agency.recipients, Agency.distribution).where(
        Agency.id == agency_id
    )
    assert stored == [{"recipients": "Thanh tra tỉnh P", "distribution": "Như trên\nLưu: VT, TTr"}]

    history = await client.get(
        "/api/audit",
        params={"entity_type": "agency", "entity_id": agency_id},
        headers=_admin(world),
    )
    fields = {change["field"] for change in history.json()["items"][0]["changes"]}
    assert {"doc_symbol", "signing_form", "recipients"} <= fields


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"doc_symbol": "BC/TTr"}, "doc_symbol"),
        ({"signing_form": "kt", "signer_title": ""}, "signer_title"),
        ({"signing_form": "ký thay"}, "signing_form"),
        ({"recipients": [f"Nơi nhận {i}" for i in range(21)]}, "recipients"),
        ({"place_name": "x" * 101}, "place_name"),
    ],
)
async def test_bad_settings_name_the_field_and_change_nothing(
    client: httpx.AsyncClient, world: World, change: dict[str, object], field: str
) -> None:
    agency_id = world.agencies["A"]
    response = await client.patch(
        f"/api/agencies/{agency_id}",
        json={"version": 1, **change},
        headers={**_admin(world), "accept-language": "vi"},
    )
    assert response.status_code in (400, 422), response.text
    assert field in {error["field"] for error in response.json()["errors"]}
    row = await Agency.select(Agency.version, Agency.doc_symbol, Agency.signing_form).where(
        Agency.id == agency_id
    )
    assert row == [{"version": 1, "doc_symbol": "", "signing_form": "direct"}]


async def test_frame_settings_fill_the_defaults_from_the_tree(world: World) -> None:
    province, department, unit = (world.agencies[k] for k in ("P", "A", "A1"))
    await Agency.update({Agency.place_name: "Hạ Long", Agency.doc_symbol: "TTr"}).where(
        Agency.id == province
    )
    frame = await frame_settings(unit)
    assert frame.parent_body == "Sở A"  # the parent agency, when none is set
    assert frame.place == "Hạ Long"  # from the nearest ancestor that has one
    assert frame.symbol == "A1"  # the agency code until a symbol is set
    assert frame.head_title == "CHI CỤC TRƯỞNG"  # by kind (sub-department)
    assert frame.signing_form == "direct" and frame.recipients == []

    top = await frame_settings(province)
    assert (top.parent_body, top.symbol, top.head_title) == ("", "TTr", "CHÁNH THANH TRA")

    await Agency.update({Agency.place_name: "Cẩm Phả", Agency.parent_body: "UBND tỉnh P"}).where(
        Agency.id == department
    )
    frame = await frame_settings(department)
    assert (frame.place, frame.parent_body) == ("Cẩm Phả", "UBND tỉnh P")
    assert (await frame_settings(unit)).place == "Cẩm Phả"


async def _sign_in_admin(client: httpx.AsyncClient, world: World) -> str:
    await client.get("/login")
    token = client.cookies.get("csrftoken") or ""
    response = await client.post(
        "/login",
        data={
            "username": world.usernames["admin"],
            "password": WORLD_PASSWORD,
            "_csrf_token": token,
        },
    )
    assert response.status_code in (200, 302, 303), response.text[:300]
    return client.cookies.get("csrftoken") or token


async def test_admin_page_saves_settings_and_keeps_input_beside_an_error(
    client: httpx.AsyncClient, world: World
) -> None:
    agency_id = world.agencies["A"]
    csrf = await _sign_in_admin(client, world)
    page = await client.get(f"/admin/agencies/{agency_id}")
    assert page.status_code == 200
    assert 'data-testid="document-settings"' in page.text
    form = {
        "_csrf_token": csrf,
        "version": "1",
        "code": "A",
        "name": "Sở A",
        "kind": "department",
        "parent_id": str(world.agencies["P"]),
        "active": "on",
        **{k: v for k, v in SETTINGS.items() if isinstance(v, str)},
        "signer_title": "",
        "recipients": "Thanh tra tỉnh P\r\nUBND tỉnh P",
        "distribution": "Như trên\r\nLưu: VT",
    }
    refused = await client.post(f"/admin/agencies/{agency_id}", data=form)
    assert refused.status_code == 422
    error = re.search(r'<p class="error" id="e-signer_title">(.*?)</p>', refused.text, re.S)
    assert error is not None and "KT." in error.group(1)
    assert 'value="Nguyễn Văn Hòa"' in refused.text  # the input is kept
    assert "Thanh tra tỉnh P\nUBND tỉnh P" in refused.text.replace("\r\n", "\n")
    assert (await Agency.select(Agency.version).where(Agency.id == agency_id))[0]["version"] == 1

    saved = await client.post(
        f"/admin/agencies/{agency_id}", data={**form, "signer_title": "Phó Giám đốc"}
    )
    assert saved.status_code in (302, 303), saved.text[:500]
    frame = await frame_settings(agency_id)
    assert frame.signer_title == "Phó Giám đốc" and frame.signing_form == "kt"
    assert frame.recipients == ["Thanh tra tỉnh P", "UBND tỉnh P"]
    assert frame.distribution == ["Như trên", "Lưu: VT"]


async def test_a_new_agency_form_names_every_problem_at_once(
    client: httpx.AsyncClient, world: World
) -> None:
    csrf = await _sign_in_admin(client, world)
    count = await Agency.count()
    form = {
        "_csrf_token": csrf,
        "code": "",
        "name": "Phòng Nghiệp vụ 3",
        "kind": "department",
        "parent_id": "A1",  # not a number the form can read
        "fine_approval_vnd": "năm trăm triệu",
        "signing_form": "kt",
        "signer_title": "",
    }
    refused = await client.post("/admin/agencies", data=form)
    assert refused.status_code == 422
    # Unreadable fields (the parent, the threshold) with the service's own (the code, the
    # signer's title a KT. signature needs), in one answer; the input kept.
    for field in ("code", "parent_id", "fine_approval_vnd", "signer_title"):
        assert f'id="e-{field}"' in refused.text, field
    assert 'value="Phòng Nghiệp vụ 3"' in refused.text
    assert 'value="năm trăm triệu"' in refused.text
    assert await Agency.count() == count

    created = await client.post(
        "/admin/agencies",
        data={
            **form,
            "code": "PNV3",
            "parent_id": str(world.agencies["A"]),
            "fine_approval_vnd": "500.000.000",
            "signing_form": "direct",
        },
    )
    assert created.status_code in (302, 303), created.text[:500]
    row = await Agency.select().where(Agency.code == "PNV3").first()
    assert row is not None
    assert created.headers["location"] == f"/admin/agencies/{row['id']}"
    assert (row["fine_approval_vnd"], row["parent"], row["active"]) == (
        500_000_000,
        world.agencies["A"],
        True,
    )


async def test_an_agency_edit_form_read_at_an_old_version_changes_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    agency_id = world.agencies["A1"]
    csrf = await _sign_in_admin(client, world)
    form = {
        "_csrf_token": csrf,
        "version": "1",
        "code": "A1",
        "name": "Phòng A1 mới",
        "kind": "department",
        "parent_id": str(world.agencies["A"]),
        "active": "on",
    }
    saved = await client.post(f"/admin/agencies/{agency_id}", data=form)
    assert saved.status_code in (302, 303), saved.text[:500]
    stale = await client.post(f"/admin/agencies/{agency_id}", data={**form, "name": "Cũ"})
    assert stale.status_code == 409
    row = await Agency.select(Agency.name, Agency.version).where(Agency.id == agency_id).first()
    assert row == {"name": "Phòng A1 mới", "version": 2}
    # Unticking "active" deactivates it (the box is sent only when ticked).
    form = {**form, "version": "2"}
    del form["active"]
    assert (await client.post(f"/admin/agencies/{agency_id}", data=form)).status_code in (302, 303)
    row = await Agency.select(Agency.active).where(Agency.id == agency_id).first()
    assert row == {"active": False}
