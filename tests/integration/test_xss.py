"""A ``<script>`` in a name is shown as text on every page that shows names."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from models.tables import Agency, AppUser, Inspection, Subject
from tests.authz.world import World, build_world
from tests.conftest import app_client

PAYLOAD = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
async def world(db: str, redis_url: str) -> World:
    """The matrix world, with the payload in an agency, a user, a subject and a case."""
    world = await build_world()
    a1 = world.agencies["A1"]
    await Agency.update({Agency.name: f"Phòng {PAYLOAD}"}).where(Agency.id == a1)
    await AppUser.update({AppUser.full_name: f"Cán bộ {PAYLOAD}"}).where(
        AppUser.id.is_in([world.users["admin"], world.ids["user"]["inside"]])
    )
    await Subject.update({Subject.name: f"Công ty {PAYLOAD}"}).where(
        Subject.id == world.ids["subject"]["inside"]
    )
    await Inspection.update({Inspection.title: f"Thanh tra {PAYLOAD}"}).where(
        Inspection.id == world.ids["inspection"]["inside"]
    )
    return world


@pytest.fixture
async def app_and_client(world: World) -> AsyncIterator[tuple[object, httpx.AsyncClient]]:
    """The app and an admin's browser session."""
    from inspect_app.asgi import create_app

    app = create_app()
    async with app_client(app, follow_redirects=False) as client:
        response = await client.post(
            "/api/auth/login",
            json={"username": "matrix_admin", "password": "matrix-password-1"},
        )
        assert response.status_code == 200
        yield app, client


def _page_paths(app: object, world: World) -> list[str]:
    """Every page (GET, not /api, not static) that the app registers, with ids filled in."""
    ids = {
        "agency_id": world.agencies["A1"],
        "user_id": world.ids["user"]["inside"],
        "subject_id": world.ids["subject"]["inside"],
        "inspection_id": world.ids["inspection"]["inside"],
        "plan_id": world.ids["plan"]["inside"],
    }
    paths = []
    for route in app.routes:  # type: ignore[attr-defined]
        path = route.path
        if path.startswith(("/api", "/static", "/schema", "/lang", "/health")):
            continue
        if "GET" not in getattr(route, "methods", set()):
            continue
        names = re.findall(r"\{(\w+):\w+\}", path)
        if any(name not in ids for name in names):
            continue
        paths.append(re.sub(r"\{(\w+):\w+\}", lambda m: str(ids[m.group(1)]), path))
    return paths


async def test_payload_in_names_is_escaped_on_every_page(
    app_and_client: tuple[object, httpx.AsyncClient], world: World
) -> None:
    app, client = app_and_client
    pages = _page_paths(app, world)
    # The pages that exist now and show the names above must be among those checked.
    assert {"/", "/account", "/admin/users", "/admin/agencies", "/audit"} <= set(pages)
    shown_on: list[str] = []
    for path in pages:
        response = await client.get(path)
        assert response.status_code < 500, path
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue  # downloads (CSV, XLSX) are not rendered by a browser
        assert PAYLOAD not in response.text, path
        if ESCAPED in response.text:
            shown_on.append(path)
    expected = {
        "/",  # the admin's own name in the top bar
        "/account",
        "/admin/users",
        "/admin/agencies",
        f"/admin/agencies/{world.agencies['A1']}",
        f"/admin/users/{world.ids['user']['inside']}",
    }
    # Case pages, where the app has them, show the subject, the case and the agency.
    for template, kind in (
        ("/inspections/{}", "inspection"),
        ("/subjects/{}", "subject"),
    ):
        path = template.format(world.ids[kind]["inside"])
        if path in pages:
            expected.add(path)
    assert expected <= set(shown_on)


async def test_payload_round_trips_through_the_admin_forms(
    app_and_client: tuple[object, httpx.AsyncClient], world: World
) -> None:
    _, client = app_and_client
    created = await client.post(
        "/api/agencies",
        json={"code": "XSS", "name": PAYLOAD, "parent_id": world.agencies["A"]},
        headers={"x-csrftoken": await _csrf(client)},
    )
    assert created.status_code == 201
    assert created.json()["name"] == PAYLOAD  # JSON keeps the text as entered
    page = await client.get(f"/admin/agencies/{created.json()['id']}")
    assert PAYLOAD not in page.text
    assert f'value="{ESCAPED}"' in page.text


async def _csrf(client: httpx.AsyncClient) -> str:
    await client.get("/account")
    return client.cookies.get("csrftoken") or ""
