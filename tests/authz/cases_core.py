"""Matrix cases of the core routes: health, sign-in, account, tokens, dashboard, administration.

Case-workflow routes (subjects, plans, inspections, findings, measures, executions,
attachments, follow-ups) are in cases_cases.py.
"""

from __future__ import annotations

from typing import Any

from tests.authz.spec import RouteCase, form_post
from tests.authz.world import WORLD_PASSWORD, World

NEW_PASSWORD = "Matrix-new-pass-2"


def _login(world: World, side: str) -> dict[str, Any]:
    return {"username": world.usernames["inspector"], "password": WORLD_PASSWORD}


def _new_token(world: World, side: str) -> dict[str, Any]:
    return {"name": "báo cáo tự động"}


def _password_form(world: World, side: str) -> dict[str, Any]:
    return {
        "current_password": WORLD_PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }


def _new_agency(world: World, side: str) -> dict[str, Any]:
    return {
        "code": f"NEW-{side}",
        "name": "Phòng mới",
        "kind": "division",
        "parent_id": world.agency(side),
    }


def _agency_patch(world: World, side: str) -> dict[str, Any]:
    return {"version": 1, "name": "Phòng đã đổi tên"}


def _agency_form(world: World, side: str) -> dict[str, Any]:
    return {
        "version": "1",
        "code": f"ED-{side}",
        "name": "Phòng đã đổi tên",
        "kind": "division",
        "parent_id": str(world.agencies["A"]),
        "active": "on",
    }


def _new_user(world: World, side: str) -> dict[str, Any]:
    return {
        "username": f"new.{side}",
        "full_name": "Cán bộ mới",
        "role": "inspector",
        "agency_id": world.agency(side),
        "password": "Mat-khau-moi-1",
    }


def _new_user_form(world: World, side: str) -> dict[str, Any]:
    return {key: str(value) for key, value in _new_user(world, side).items()}


def _user_patch(world: World, side: str) -> dict[str, Any]:
    return {"version": 1, "full_name": "Cán bộ đã đổi tên", "role": "lead"}


def _user_form(world: World, side: str) -> dict[str, Any]:
    return {
        "version": "1",
        "full_name": "Cán bộ đã đổi tên",
        "email": "a1@example.vn",
        "role": "lead",
        "agency_id": str(world.agency(side)),
        "language": "vi",
    }


def _version_form(world: World, side: str) -> dict[str, Any]:
    return {"version": "1"}


def _merge_into_parent(world: World, side: str) -> dict[str, Any]:
    # Into A1 itself: refused (422) inside, so that the world stays as it is.
    return {"successor_id": world.agencies["A1"], "succeeded_on": "2025-07-01", "version": 1}


def _merge_form(world: World, side: str) -> dict[str, Any]:
    return {"successor_id": str(world.agencies["A1"]), "succeeded_on": "01/07/2025"}


CASES: list[RouteCase] = [
    # Public.
    RouteCase("GET", "/health", None, scoped=False, expect_ok=(200,)),
    RouteCase("POST", "/api/auth/login", None, body=_login, scoped=False, expect_ok=(200,)),
    RouteCase("GET", "/login", None, scoped=False, expect_ok=(200,)),
    form_post("/login", None, body=_login, scoped=False, expect_ok=(302,)),
    RouteCase("GET", "/lang/{code:str}", None, scoped=False, expect_ok=(302,)),
    # Every signed-in user: themselves.
    RouteCase("POST", "/api/auth/logout", "self", scoped=False, expect_ok=(204,)),
    RouteCase("GET", "/api/me", "self", scoped=False, expect_ok=(200,)),
    RouteCase("GET", "/api/tokens", "self", scoped=False, expect_ok=(200,)),
    RouteCase("POST", "/api/tokens", "self", body=_new_token, scoped=False, expect_ok=(201,)),
    RouteCase("DELETE", "/api/tokens/{token_id:int}", "self", target="token", expect_ok=(204,)),
    RouteCase("GET", "/account", "self", scoped=False, expect_ok=(200,)),
    form_post(
        "/account/password",
        "self",
        body=_password_form,
        scoped=False,
        expect_ok=(302,),
    ),
    form_post("/account/digest", "self", scoped=False, expect_ok=(302,)),
    form_post(
        "/account/tokens",
        "self",
        body=_new_token,
        scoped=False,
        expect_ok=(200,),
    ),
    form_post(
        "/account/tokens/{token_id:int}/revoke",
        "self",
        target="token",
        expect_ok=(302,),
    ),
    form_post("/logout", "self", scoped=False, expect_ok=(302,)),
    # Reading.
    RouteCase("GET", "/", "read", expect_ok=(200,)),
    RouteCase("GET", "/figures", "read", scoped=False, expect_ok=(200,)),
    RouteCase("GET", "/api/agencies", "read", expect_ok=(200,)),
    RouteCase("GET", "/api/agencies/{agency_id:int}", "read", target="agency", expect_ok=(200,)),
    # Agencies.
    RouteCase("POST", "/api/agencies", "agency.manage", body=_new_agency, expect_ok=(201,)),
    RouteCase(
        "PATCH",
        "/api/agencies/{agency_id:int}",
        "agency.manage",
        target="agency",
        body=_agency_patch,
        expect_ok=(200,),
    ),
    RouteCase("GET", "/admin/agencies", "agency.manage", expect_ok=(200,)),
    RouteCase("GET", "/admin/agencies/new", "agency.manage", expect_ok=(200,)),
    form_post(
        "/admin/agencies",
        "agency.manage",
        body=_new_agency,
        expect_ok=(302,),
    ),
    RouteCase(
        "GET",
        "/admin/agencies/{agency_id:int}",
        "agency.manage",
        target="agency",
        expect_ok=(200,),
    ),
    form_post(
        "/admin/agencies/{agency_id:int}",
        "agency.manage",
        target="agency",
        body=_agency_form,
        expect_ok=(302,),
    ),
    # Merging A1 into itself is refused (422): the world stays as it is.
    RouteCase(
        "POST",
        "/api/agencies/{agency_id:int}/merge",
        "agency.manage",
        target="agency",
        body=_merge_into_parent,
        expect_ok=(422,),
    ),
    form_post(
        "/admin/agencies/{agency_id:int}/merge",
        "agency.manage",
        target="agency",
        body=_merge_form,
        expect_ok=(422,),
    ),
    # Users.
    RouteCase("GET", "/admin", "user.manage", expect_ok=(200,)),
    RouteCase("GET", "/api/users", "user.manage", expect_ok=(200,)),
    RouteCase("POST", "/api/users", "user.manage", body=_new_user, expect_ok=(201,)),
    RouteCase("GET", "/api/users/{user_id:int}", "user.manage", target="user", expect_ok=(200,)),
    RouteCase(
        "PATCH",
        "/api/users/{user_id:int}",
        "user.manage",
        target="user",
        body=_user_patch,
        expect_ok=(200,),
    ),
    RouteCase(
        "POST",
        "/api/users/{user_id:int}/unlock",
        "user.manage",
        target="user",
        expect_ok=(200,),
    ),
    RouteCase("GET", "/admin/users", "user.manage", expect_ok=(200,)),
    RouteCase("GET", "/admin/users/new", "user.manage", expect_ok=(200,)),
    RouteCase(
        "POST", "/admin/users", "user.manage", body=_new_user_form, form=True, expect_ok=(302,)
    ),
    RouteCase("GET", "/admin/users/{user_id:int}", "user.manage", target="user", expect_ok=(200,)),
    form_post(
        "/admin/users/{user_id:int}",
        "user.manage",
        target="user",
        body=_user_form,
        expect_ok=(302,),
    ),
    form_post(
        "/admin/users/{user_id:int}/deactivate",
        "user.manage",
        target="user",
        body=_version_form,
        expect_ok=(302,),
    ),
    form_post(
        "/admin/users/{user_id:int}/activate",
        "user.manage",
        target="user",
        body=_version_form,
        expect_ok=(302,),
    ),
    form_post(
        "/admin/users/{user_id:int}/unlock",
        "user.manage",
        target="user",
        body=_version_form,
        expect_ok=(302,),
    ),
    # History.
    RouteCase("GET", "/api/audit", "audit.read", expect_ok=(200,)),
    RouteCase("GET", "/audit", "audit.read", expect_ok=(200,)),
]
