"""The authorization matrix: every registered route, every role, in and out of scope.

1. Every (method, path) that the app registers has a RouteCase in a ``tests/authz/cases_*.py``
   module, and every case names a registered route: a new route without an entry fails here.
2. For each case: anonymous callers get 401 (API) or a redirect to /login (pages) unless the
   route is public; a role without the permission gets 403 (who has which permission is the
   hand-written table of tests/authz/permissions.py, not the app's own); a role with it gets
   an expected status on a record inside its subtree and 404 on one outside. No response to
   anyone shows a record of the other subtree (their names carry ``OUTSIDE_MARK``).

API routes are called with a bearer token per role (no CSRF); pages with a session cookie
and a CSRF token. The world is rebuilt before each case, and again after any request that
may have changed it.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import re
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.middleware.csrf import generate_csrf_token
from litestar.serialization import encode_json

import tests.authz
from inspect_app.settings import get_settings
from tests.authz.permissions import EXPECTED as EXPECTED_PERMISSIONS
from tests.authz.permissions import allowed
from tests.authz.spec import PARAM_VALUES, ROLES, TARGET_KINDS, RouteCase
from tests.authz.world import OUTSIDE_MARK, World, build_world
from tests.conftest import app_client

# Litestar answers OPTIONS itself; static files and the OpenAPI schema are public by design
# (checked separately below).
IGNORED_METHODS = {"OPTIONS"}
PUBLIC_PREFIXES = ("/static", "/schema")
PARAM = re.compile(r"\{(\w+):(\w+)\}")


def load_cases() -> list[RouteCase]:
    """Every RouteCase of every cases_*.py module of tests/authz."""
    cases: list[RouteCase] = []
    for module in pkgutil.iter_modules(tests.authz.__path__):
        if module.name.startswith("cases_"):
            cases.extend(importlib.import_module(f"tests.authz.{module.name}").CASES)
    return cases


CASES = load_cases()


def registered_routes(app: Any) -> tuple[set[tuple[str, str]], list[tuple[str, str, Any]]]:
    """(method, path) of every route handler, and the static/schema ones apart."""
    routes: set[tuple[str, str]] = set()
    public: list[tuple[str, str, Any]] = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods:
                if method in IGNORED_METHODS:
                    continue
                if route.path.startswith(PUBLIC_PREFIXES):
                    public.append((method, route.path, handler))
                else:
                    routes.add((method, route.path))
    return routes, public


def test_every_registered_route_has_exactly_one_case(app: Any) -> None:
    routes, _ = registered_routes(app)
    keys = [case.key for case in CASES]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    missing = sorted(routes - set(keys))
    unknown = sorted(set(keys) - routes)
    assert missing == [], f"routes without a RouteCase in tests/authz/cases_*.py: {missing}"
    assert unknown == [], f"RouteCases for routes the app does not register: {unknown}"
    assert duplicates == [], f"routes with more than one RouteCase: {duplicates}"


def test_cases_name_known_permissions_and_targets() -> None:
    bad = [
        case.key
        for case in CASES
        if (case.permission is not None and case.permission not in EXPECTED_PERMISSIONS)
        or (case.target is not None and case.target not in TARGET_KINDS)
    ]
    assert bad == []


def test_static_files_and_the_schema_are_public(app: Any) -> None:
    _, public = registered_routes(app)
    assert {path for _, path, _ in public} >= {"/static/{file_path:path}", "/schema/openapi.json"}
    assert [path for _, path, handler in public if not handler.opt.get("public")] == []


# --------------------------------------------------------------------------- the matrix


class Caller:
    """Sends one case's request as a role, anonymously, or as a session user."""

    def __init__(self, client: Any, app: Any) -> None:
        self.client = client
        self.app = app
        self.world: World | None = None
        self.sessions: dict[str, str] = {}
        # True once a request may have changed the world; the next case rebuilds it.
        self.dirty = True
        self.csrf = generate_csrf_token(secret=get_settings().secret_key)

    async def rebuild(self) -> World:
        """A fresh world, and a fresh browser session for every role."""
        self.world = await build_world()
        store = self.app.stores.get("sessions")
        self.sessions = {}
        for role in ROLES:
            key = secrets.token_hex(32)
            await store.set(key, encode_json({"user_id": self.world.users[role]}), 3600)
            self.sessions[role] = key
        self.dirty = False
        return self.world

    def url(self, case: RouteCase, side: str, role: str | None) -> str:
        assert self.world is not None

        def value(match: re.Match[str]) -> str:
            name, kind = match.group(1), match.group(2)
            if kind == "int":
                assert case.target, f"{case.key}: an id parameter needs a target"
                return str(self.world.id_of(case.target, side, role))  # type: ignore[union-attr]
            assert name in PARAM_VALUES, f"{case.key}: add {name!r} to spec.PARAM_VALUES"
            return PARAM_VALUES[name]

        return PARAM.sub(value, case.path)

    async def send(self, case: RouteCase, side: str, role: str | None) -> Any:
        """The response to the case's request on ``side`` as ``role`` (None: anonymous)."""
        assert self.world is not None
        self.client.cookies.clear()
        headers: dict[str, str] = {}
        body = case.body(self.world, side) if case.body else None
        kwargs: dict[str, Any] = {}
        if case.is_api:
            if role is not None:
                headers["Authorization"] = f"Bearer {self.world.bearer[role]}"
            if body is not None:
                kwargs["content"] = json.dumps(body)
                headers["Content-Type"] = "application/json"
        else:
            cookies = [f"csrftoken={self.csrf}"]
            if role is not None:
                cookies.append(f"inspect_session={self.sessions[role]}")
            headers["Cookie"] = "; ".join(cookies)
            if case.is_unsafe:
                form = {key: str(value) for key, value in (body or {}).items()}
                form["_csrf_token"] = self.csrf
                kwargs["data"] = form
        return await self.client.request(
            case.method,
            self.url(case, side, role),
            headers=headers,
            follow_redirects=False,
            **kwargs,
        )


@pytest.fixture(scope="module")
async def caller(migrated_database: str, redis_url_module: str) -> AsyncIterator[Caller]:
    """One app and client for the whole matrix."""
    from inspect_app.asgi import create_app

    app = create_app()
    async with app_client(app, follow_redirects=False) as client:
        yield Caller(client, app)


@pytest.fixture(scope="module")
async def redis_url_module() -> str:
    """The test Redis database, flushed once for the matrix."""
    from redis.asyncio import Redis

    url = os.environ["REDIS_URL"]
    connection = Redis.from_url(url)
    try:
        await connection.flushdb()
    finally:
        await connection.aclose()
    return url


def _describe(case: RouteCase, who: str, side: str, response: Any) -> str:
    return f"{case.method} {case.path} as {who} ({side}): {response.status_code}"


@pytest.mark.parametrize("case", CASES, ids=[f"{c.method} {c.path}" for c in CASES])
async def test_route_answers_each_role_as_the_permission_table_and_scope_say(
    caller: Caller, case: RouteCase
) -> None:
    failures: list[str] = []

    async def call(who: str | None, side: str) -> Any:
        if caller.dirty:
            await caller.rebuild()
        response = await caller.send(case, side, who)
        if case.is_unsafe and response.status_code < 400:
            caller.dirty = True
        if OUTSIDE_MARK in response.text:
            failures.append(f"LEAK: {_describe(case, who or 'anonymous', side, response)}")
        return response

    def check(ok: bool, who: str | None, side: str, response: Any, expected: str) -> None:
        if not ok:
            detail = response.text[:300].replace("\n", " ")
            failures.append(
                f"{_describe(case, who or 'anonymous', side, response)}, expected {expected}"
                f" — {detail}"
            )

    # Anonymous.
    response = await call(None, "inside")
    if case.permission is None:
        check(response.status_code in case.expect_ok, None, "inside", response, "expect_ok")
    elif case.is_api:
        check(response.status_code == 401, None, "inside", response, "401")
    else:
        location = response.headers.get("location", "")
        check(
            response.status_code in (302, 303) and location.startswith("/login"),
            None,
            "inside",
            response,
            "a redirect to /login",
        )

    for role in ROLES:
        if case.permission is not None and not allowed(role, case.permission):
            response = await call(role, "inside")
            check(response.status_code == 403, role, "inside", response, "403")
            continue
        if case.target is not None and case.scoped:
            response = await call(role, "outside")
            check(response.status_code == 404, role, "outside", response, "404")
        response = await call(role, "inside")
        check(
            response.status_code in case.expect_ok,
            role,
            "inside",
            response,
            f"one of {case.expect_ok}",
        )

    assert failures == [], "\n".join(failures)


# --------------------------------------------------------------------------- the case's roles

# Changes of a case and of its records, on the API: what the team of the case decides.
CASE_TARGETS = ("inspection", "finding", "measure", "execution")
TEAM_CASES = [
    case
    for case in CASES
    if case.is_api and case.is_unsafe and case.target in CASE_TARGETS and case.permission
]
# An inspector's place in the inside case's team -> what they may do there, written out by
# hand (docs/security.md): a member does what an inspector does, the lead what a lead does
# (the world's inspector leads the case), an inspector outside the team only reads.
TEAM_EXPECTED = {
    "member": lambda permission: allowed("inspector", permission),
    "reader": lambda permission: False,
    "inspector": lambda permission: allowed("lead", permission),
}


def test_the_team_cases_cover_every_kind_of_change_of_a_case() -> None:
    methods = {(case.method, case.target) for case in TEAM_CASES}
    for expected in (
        ("PATCH", "inspection"),
        ("POST", "inspection"),
        ("DELETE", "finding"),
        ("PATCH", "measure"),
        ("POST", "execution"),
    ):
        assert expected in methods


@pytest.mark.parametrize("case", TEAM_CASES, ids=[f"{c.method} {c.path}" for c in TEAM_CASES])
async def test_case_routes_answer_an_inspector_by_their_place_in_the_team(
    caller: Caller, case: RouteCase
) -> None:
    failures: list[str] = []
    permission = case.case_permission or case.permission
    assert permission is not None
    for who, may in TEAM_EXPECTED.items():
        if caller.dirty or caller.world is None:
            await caller.rebuild()
        response = await caller.send(case, "inside", who)
        if response.status_code < 400:
            caller.dirty = True
        route_allows = allowed("inspector", case.permission or "")
        expected_ok = route_allows and may(permission)
        ok = response.status_code in case.expect_ok if expected_ok else response.status_code == 403
        if not ok:
            detail = response.text[:200].replace("\n", " ")
            expected = f"one of {case.expect_ok}" if expected_ok else "403"
            failures.append(
                f"{case.method} {case.path} as {who}: {response.status_code}, "
                f"expected {expected} — {detail}"
            )
    assert failures == [], "\n".join(failures)
