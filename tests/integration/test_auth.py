"""Signing in and out, sessions, CSRF, login throttling, API tokens and deactivation."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from inspect_app.security import token_digest
from inspect_app.services import identity
from inspect_app.sessions import REDIS_NAMESPACE
from models.tables import ApiToken, AppUser, AuditEvent, LoginAttempt
from tests.authz.client import csrf_headers, csrf_token, sign_in
from tests.authz.world import WORLD_PASSWORD, World, build_world
from tests.conftest import app_client


@pytest.fixture
async def world(db: str, redis_url: str) -> World:
    """Agencies P > A > A1 and P > B, one user of each role in A (password WORLD_PASSWORD)."""
    return await build_world()


@pytest.fixture
async def client(app: Any, world: World) -> AsyncIterator[httpx.AsyncClient]:
    """A client on a fresh app (the ``app`` fixture) that does not follow redirects."""
    async with app_client(app, follow_redirects=False) as http:
        yield http


async def _audit_actions(username: str) -> list[str]:
    rows = await AuditEvent.select(AuditEvent.action).where(AuditEvent.username == username)
    return [row["action"] for row in rows]


# --------------------------------------------------------------------------- sign-in


async def test_api_login_sets_a_hardened_session_cookie_and_me_answers(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await sign_in(client, "matrix_lead", WORLD_PASSWORD)
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "matrix_lead"
    assert response.json()["user"]["role"] == "lead"
    cookie = next(
        value
        for name, value in response.headers.multi_items()
        if name == "set-cookie" and value.startswith("inspect_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    # Secure only in production: tests run over plain http.
    assert "Secure" not in cookie
    me = await client.get("/api/me")
    assert me.status_code == 200
    assert me.json()["agency_id"] == world.agencies["A"]
    assert "login" in await _audit_actions("matrix_lead")


async def test_sign_in_gives_a_new_session_id(client: httpx.AsyncClient) -> None:
    planted = "a" * 64
    response = await client.post(
        "/api/auth/login",
        json={"username": "matrix_viewer", "password": WORLD_PASSWORD},
        headers={"Cookie": f"inspect_session={planted}"},
    )
    assert response.status_code == 200
    issued = response.cookies.get("inspect_session")
    assert issued is not None
    assert issued != planted
    assert len(issued) == 64


async def test_wrong_password_answers_401_without_saying_which_part_was_wrong(
    client: httpx.AsyncClient,
) -> None:
    wrong_password = await sign_in(client, "matrix_lead", "not-the-password-1")
    unknown_user = await sign_in(client, "nobody_here", "not-the-password-1")
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json()["detail"] == unknown_user.json()["detail"]
    assert (await client.get("/api/me")).status_code == 401


async def test_logout_ends_the_session(client: httpx.AsyncClient) -> None:
    await sign_in(client, "matrix_head", WORLD_PASSWORD)
    await csrf_token(client)
    response = await client.post("/api/auth/logout", headers=csrf_headers(client))
    assert response.status_code == 204
    assert (await client.get("/api/me")).status_code == 401


async def test_login_page_in_vietnamese_by_default_and_in_english_on_request(
    client: httpx.AsyncClient,
) -> None:
    vietnamese = await client.get("/login")
    assert vietnamese.status_code == 200
    assert "Đăng nhập" in vietnamese.text
    assert 'lang="vi"' in vietnamese.text
    switched = await client.get("/lang/en", headers={"referer": "http://testserver.local/login"})
    assert switched.status_code == 302
    assert switched.headers["location"] == "/login"
    english = await client.get("/login")
    assert "Sign in" in english.text
    assert 'lang="en"' in english.text


async def test_login_page_keeps_the_username_and_redirects_to_next(
    client: httpx.AsyncClient,
) -> None:
    token = await csrf_token(client)
    failed = await client.post(
        "/login",
        data={"username": "matrix_lead", "password": "wrong-pass-1", "_csrf_token": token},
    )
    assert failed.status_code == 401
    assert 'value="matrix_lead"' in failed.text
    assert "Sai tên đăng nhập hoặc mật khẩu." in failed.text
    ok = await client.post(
        "/login",
        data={
            "username": "matrix_lead",
            "password": WORLD_PASSWORD,
            "next": "/account",
            "_csrf_token": token,
        },
    )
    assert ok.status_code == 302
    assert ok.headers["location"] == "/account"
    offsite = await client.post(
        "/login",
        data={
            "username": "matrix_lead",
            "password": WORLD_PASSWORD,
            "next": "//evil.example/",
            "_csrf_token": token,
        },
    )
    assert offsite.headers["location"] == "/"


async def test_anonymous_pages_redirect_to_the_login_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/account")
    assert response.status_code == 302
    assert response.headers["location"] == "/login?next=/account"


# --------------------------------------------------------------------------- CSRF


async def test_unsafe_session_requests_need_the_csrf_token(client: httpx.AsyncClient) -> None:
    await sign_in(client, "matrix_inspector", WORLD_PASSWORD)
    without = await client.post("/api/tokens", json={"name": "script"})
    assert without.status_code == 403
    forged = await client.post(
        "/api/tokens", json={"name": "script"}, headers={"x-csrftoken": "forged-token"}
    )
    assert forged.status_code == 403
    assert await ApiToken.count().where(ApiToken.name == "script") == 0
    await client.get("/account")  # a page visit sets the csrftoken cookie
    with_token = await client.post(
        "/api/tokens", json={"name": "script"}, headers=csrf_headers(client)
    )
    assert with_token.status_code == 201


async def test_page_forms_need_the_csrf_field(client: httpx.AsyncClient) -> None:
    await sign_in(client, "matrix_inspector", WORLD_PASSWORD)
    token = await csrf_token(client)
    refused = await client.post("/account/tokens", data={"name": "form token"})
    assert refused.status_code == 403
    accepted = await client.post(
        "/account/tokens", data={"name": "form token", "_csrf_token": token}
    )
    assert accepted.status_code == 200
    assert await ApiToken.count().where(ApiToken.name == "form token") == 1


async def test_bearer_requests_need_no_csrf_token(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/api/tokens",
        json={"name": "from a script"},
        headers={"Authorization": f"Bearer {world.bearer['viewer']}"},
    )
    assert response.status_code == 201


# --------------------------------------------------------------------------- throttling


async def _fail_five_times(client: httpx.AsyncClient, username: str) -> None:
    for _ in range(5):
        assert (await sign_in(client, username, "wrong-password-9")).status_code == 401


async def test_five_failures_lock_the_username_from_that_address_with_retry_after(
    client: httpx.AsyncClient, app: Any
) -> None:
    await _fail_five_times(client, "matrix_head")
    locked = await sign_in(client, "matrix_head", WORLD_PASSWORD)
    assert locked.status_code == 429
    retry_after = int(locked.headers["retry-after"])
    assert 0 < retry_after <= 15 * 60
    assert (await client.get("/api/me")).status_code == 401
    # Another address is not locked out by someone else's failures.
    async with app_client(app, lifespan=False, client_address=("198.51.100.7", 4000)) as elsewhere:
        other = await sign_in(elsewhere, "matrix_head", WORLD_PASSWORD)
    assert other.status_code == 200
    actions = await _audit_actions("matrix_head")
    assert actions.count("login_failed") == 5
    assert actions.count("login_locked") == 1


async def test_the_lock_lifts_once_the_failures_leave_the_fifteen_minute_window(
    client: httpx.AsyncClient,
) -> None:
    await _fail_five_times(client, "matrix_lead")
    assert (await sign_in(client, "matrix_lead", WORLD_PASSWORD)).status_code == 429
    sixteen_minutes_ago = datetime.now(UTC) - timedelta(minutes=16)
    await LoginAttempt.update({LoginAttempt.at: sixteen_minutes_ago}).where(
        LoginAttempt.username == "matrix_lead"
    )
    assert (await sign_in(client, "matrix_lead", WORLD_PASSWORD)).status_code == 200


async def test_a_successful_sign_in_starts_the_failure_count_anew(
    client: httpx.AsyncClient,
) -> None:
    for _ in range(4):
        await sign_in(client, "matrix_viewer", "wrong-password-9")
    assert (await sign_in(client, "matrix_viewer", WORLD_PASSWORD)).status_code == 200
    for _ in range(4):
        await sign_in(client, "matrix_viewer", "wrong-password-9")
    assert (await sign_in(client, "matrix_viewer", WORLD_PASSWORD)).status_code == 200


async def test_the_login_page_shows_the_lock_with_retry_after(client: httpx.AsyncClient) -> None:
    token = await csrf_token(client)
    for _ in range(5):
        await client.post(
            "/login",
            data={"username": "matrix_admin", "password": "x-wrong-1", "_csrf_token": token},
        )
    page = await client.post(
        "/login",
        data={"username": "matrix_admin", "password": WORLD_PASSWORD, "_csrf_token": token},
    )
    assert page.status_code == 429
    assert int(page.headers["retry-after"]) > 0
    assert "Vui lòng thử lại sau 15 phút." in page.text


# --------------------------------------------------------------------------- tokens


async def test_token_is_shown_once_stored_hashed_and_its_use_recorded(
    client: httpx.AsyncClient, world: World
) -> None:
    owner = {"Authorization": f"Bearer {world.bearer['lead']}"}
    created = await client.post("/api/tokens", json={"name": "nightly export"}, headers=owner)
    assert created.status_code == 201
    token = created.json()["token"]
    assert token.startswith("itk_")
    stored = await ApiToken.select().where(ApiToken.id == created.json()["id"]).first()
    assert stored is not None
    assert token not in stored.values()
    assert re.fullmatch(r"[0-9a-f]{64}", stored["token_hash"])
    assert stored["last_used_at"] is None
    listed = (await client.get("/api/tokens", headers=owner)).json()["items"]
    assert [item["name"] for item in listed].count("nightly export") == 1
    assert token not in str(listed)
    me = await client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == "matrix_lead"
    used = await ApiToken.select(ApiToken.last_used_at).where(ApiToken.id == stored["id"]).first()
    assert used is not None and used["last_used_at"] is not None


async def test_token_use_is_recorded_at_most_once_a_minute(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Writing on every call would turn each API read into a write.
    bearer = {"Authorization": f"Bearer {world.bearer['lead']}"}
    assert (await client.get("/api/me", headers=bearer)).status_code == 200
    token = (
        await ApiToken.select(ApiToken.id, ApiToken.last_used_at)
        .where(ApiToken.token_hash == token_digest(world.bearer["lead"]))
        .first()
    )
    assert token is not None and token["last_used_at"] is not None
    first_use = token["last_used_at"]

    assert (await client.get("/api/me", headers=bearer)).status_code == 200
    again = await ApiToken.select(ApiToken.last_used_at).where(ApiToken.id == token["id"]).first()
    assert again is not None and again["last_used_at"] == first_use

    # A minute later the call is not recorded yet; a moment after, it is.
    monkeypatch.setattr(identity, "_now", lambda: first_use + timedelta(minutes=1))
    assert (await client.get("/api/me", headers=bearer)).status_code == 200
    again = await ApiToken.select(ApiToken.last_used_at).where(ApiToken.id == token["id"]).first()
    assert again is not None and again["last_used_at"] == first_use
    later_use = first_use + timedelta(minutes=1, seconds=1)
    monkeypatch.setattr(identity, "_now", lambda: later_use)
    assert (await client.get("/api/me", headers=bearer)).status_code == 200
    later = await ApiToken.select(ApiToken.last_used_at).where(ApiToken.id == token["id"]).first()
    assert later is not None and later["last_used_at"] == later_use


async def test_a_revoked_token_is_refused_at_once(client: httpx.AsyncClient, world: World) -> None:
    owner = {"Authorization": f"Bearer {world.bearer['inspector']}"}
    created = (await client.post("/api/tokens", json={"name": "temp"}, headers=owner)).json()
    script = {"Authorization": f"Bearer {created['token']}"}
    assert (await client.get("/api/me", headers=script)).status_code == 200
    revoked = await client.delete(f"/api/tokens/{created['id']}", headers=owner)
    assert revoked.status_code == 204
    assert (await client.get("/api/me", headers=script)).status_code == 401
    assert "token_revoke" in await _audit_actions("matrix_inspector")


async def test_someone_elses_token_cannot_be_revoked(
    client: httpx.AsyncClient, world: World
) -> None:
    viewer = {"Authorization": f"Bearer {world.bearer['viewer']}"}
    response = await client.delete(f"/api/tokens/{world.own['token']['lead']}", headers=viewer)
    assert response.status_code == 404
    row = (
        await ApiToken.select(ApiToken.revoked_at)
        .where(ApiToken.id == world.own["token"]["lead"])
        .first()
    )
    assert row is not None and row["revoked_at"] is None


# --------------------------------------------------------------------------- deactivation


async def _session_keys_in_redis(redis_url: str) -> list[bytes]:
    connection = Redis.from_url(redis_url)
    try:
        return [key async for key in connection.scan_iter(f"{REDIS_NAMESPACE}:*")]
    finally:
        await connection.aclose()


async def test_deactivating_a_user_ends_their_sessions_and_tokens_at_once(
    app: Any, client: httpx.AsyncClient, world: World, redis_url: str
) -> None:
    # The inspector signs in with a browser of their own, and also has a script token.
    async with app_client(app, follow_redirects=False, lifespan=False) as browser:
        await sign_in(browser, "matrix_inspector", WORLD_PASSWORD)
        assert (await browser.get("/api/me")).status_code == 200
        assert len(await _session_keys_in_redis(redis_url)) == 1
        script = {"Authorization": f"Bearer {world.bearer['inspector']}"}
        assert (await client.get("/api/me", headers=script)).status_code == 200

        admin = {"Authorization": f"Bearer {world.bearer['admin']}"}
        user_id = world.users["inspector"]
        response = await client.patch(
            f"/api/users/{user_id}", json={"version": 1, "active": False}, headers=admin
        )
        assert response.status_code == 200
        assert response.json()["active"] is False

        assert (await browser.get("/api/me")).status_code == 401
        assert (await client.get("/api/me", headers=script)).status_code == 401
        assert await _session_keys_in_redis(redis_url) == []
        revoked = await ApiToken.count().where(
            (ApiToken.user == user_id) & ApiToken.revoked_at.is_not_null()
        )
        assert revoked == 2

        # Reactivation does not bring the old session or token back.
        await client.patch(
            f"/api/users/{user_id}", json={"version": 2, "active": True}, headers=admin
        )
        assert (await browser.get("/api/me")).status_code == 401
        assert (await client.get("/api/me", headers=script)).status_code == 401
        assert (await sign_in(browser, "matrix_inspector", WORLD_PASSWORD)).status_code == 200


async def test_a_deactivated_user_cannot_sign_in(client: httpx.AsyncClient, world: World) -> None:
    await AppUser.update({AppUser.active: False}).where(AppUser.id == world.users["viewer"])
    assert (await sign_in(client, "matrix_viewer", WORLD_PASSWORD)).status_code == 401


async def test_database_session_store_also_ends_sessions_of_a_user(
    db: str, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspect_app import settings as settings_module
    from inspect_app.asgi import create_app

    settings = settings_module.get_settings()
    without_redis: Any = type(settings)(**{**settings.__dict__, "redis_url": None})
    monkeypatch.setattr(settings_module, "get_settings", lambda: without_redis)
    monkeypatch.setattr("inspect_app.sessions.get_settings", lambda: without_redis)
    async with app_client(create_app(without_redis), follow_redirects=False) as browser:
        await sign_in(browser, "matrix_lead", WORLD_PASSWORD)
        assert (await browser.get("/api/me")).status_code == 200
        from models.tables import WebSession

        assert await WebSession.count().where(WebSession.user_id == world.users["lead"]) == 1
        from inspect_app.sessions import delete_sessions_of_user

        await delete_sessions_of_user(world.users["lead"])
        assert await WebSession.count().where(WebSession.user_id == world.users["lead"]) == 0
        assert (await browser.get("/api/me")).status_code == 401


async def test_a_session_request_renews_the_session_once_not_on_read_and_write(
    db: str, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspect_app import settings as settings_module
    from inspect_app.asgi import create_app
    from inspect_app.sessions import DatabaseSessionStore
    from models.tables import WebSession

    settings = settings_module.get_settings()
    without_redis: Any = type(settings)(**{**settings.__dict__, "redis_url": None})
    monkeypatch.setattr(settings_module, "get_settings", lambda: without_redis)
    monkeypatch.setattr("inspect_app.sessions.get_settings", lambda: without_redis)
    renewals: list[Any] = []
    original_get = DatabaseSessionStore.get

    async def recording_get(self: Any, key: str, renew_for: Any = None) -> bytes | None:
        renewals.append(renew_for)
        return await original_get(self, key, renew_for)

    monkeypatch.setattr(DatabaseSessionStore, "get", recording_get)
    async with app_client(create_app(without_redis), follow_redirects=False) as browser:
        await sign_in(browser, "matrix_lead", WORLD_PASSWORD)
        soon = datetime.now(UTC) + timedelta(seconds=60)
        await WebSession.update({WebSession.expires_at: soon}).where(
            WebSession.user_id == world.users["lead"]
        )
        renewals.clear()
        assert (await browser.get("/api/me")).status_code == 200
        row = (
            await WebSession.select(WebSession.expires_at)
            .where(WebSession.user_id == world.users["lead"])
            .first()
        )
        expires_at = row["expires_at"]
        if expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=UTC)
        # Still renewed to a full max_age, by the write of the response alone.
        assert expires_at > datetime.now(UTC) + timedelta(
            seconds=without_redis.session_max_age - 60
        )
        assert renewals and all(renew is None for renew in renewals)


# --------------------------------------------------------------------------- password


async def test_password_change_checks_the_current_one_and_takes_effect(
    client: httpx.AsyncClient,
) -> None:
    await sign_in(client, "matrix_head", WORLD_PASSWORD)
    token = await csrf_token(client)
    wrong = await client.post(
        "/account/password",
        data={
            "current_password": "not-it-123",
            "new_password": "Doi-mat-khau-2026",
            "confirm_password": "Doi-mat-khau-2026",
            "_csrf_token": token,
        },
    )
    assert wrong.status_code == 422
    assert "Mật khẩu hiện tại không đúng." in wrong.text
    done = await client.post(
        "/account/password",
        data={
            "current_password": WORLD_PASSWORD,
            "new_password": "Doi-mat-khau-2026",
            "confirm_password": "Doi-mat-khau-2026",
            "_csrf_token": token,
        },
    )
    assert done.status_code == 302
    row = await AppUser.select(AppUser.password_hash).where(AppUser.username == "matrix_head")
    assert row[0]["password_hash"].startswith("$argon2id$")
    fresh = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    async with fresh:
        assert (await sign_in(fresh, "matrix_head", WORLD_PASSWORD)).status_code == 401
        assert (await sign_in(fresh, "matrix_head", "Doi-mat-khau-2026")).status_code == 200
    assert "password_change" in await _audit_actions("matrix_head")


async def test_a_role_or_language_changed_applies_to_the_next_request(
    client: httpx.AsyncClient, world: World
) -> None:
    # The principal is kept per process between requests (services/identity.py): the change
    # must still be seen on the very next request, through a session and through a token.
    script = {"Authorization": f"Bearer {world.bearer['inspector']}"}
    await sign_in(client, "matrix_inspector", WORLD_PASSWORD)
    assert (await client.get("/api/me")).json()["role"] == "inspector"
    assert (await client.get("/api/me", headers=script)).json()["role"] == "inspector"
    admin = {"Authorization": f"Bearer {world.bearer['admin']}"}
    response = await client.patch(
        f"/api/users/{world.users['inspector']}",
        json={"version": 1, "role": "viewer"},
        headers=admin,
    )
    assert response.status_code == 200
    assert (await client.get("/api/me")).json()["role"] == "viewer"
    assert (await client.get("/api/me", headers=script)).json()["role"] == "viewer"
    # The language picked from the menu is the user's at once.
    assert 'lang="vi"' in (await client.get("/notifications")).text
    await client.get("/lang/en", headers={"referer": "http://testserver.local/notifications"})
    client.cookies.delete("lang")  # the profile, not the cookie, decides
    assert 'lang="en"' in (await client.get("/notifications")).text
