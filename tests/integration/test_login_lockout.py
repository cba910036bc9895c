"""Sign-in throttling against an attacker who rotates addresses.

Forwarded headers are believed only from TRUSTED_PROXIES: from anyone else a new
``X-Forwarded-For`` per try changes nothing. When a trusted proxy really forwards many
addresses, the account itself locks after LOGIN_ACCOUNT_MAX_FAILURES failures, for a delay
that grows, and the right password is refused until it has passed or an admin unlocks it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest

from inspect_app.asgi import create_app
from inspect_app.settings import get_settings
from models.tables import AuditEvent, LoginAttempt
from tests.authz.client import csrf_token, sign_in
from tests.authz.world import WORLD_PASSWORD, World, build_world
from tests.conftest import app_client

PROXY = "10.9.8.7"
ACCOUNT_LIMIT = 10
WRONG = "wrong-password-9"


@pytest.fixture
def lock_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The proxy at PROXY is trusted; the account lock starts after ACCOUNT_LIMIT failures."""
    monkeypatch.setenv("TRUSTED_PROXIES", f"{PROXY}/32")
    monkeypatch.setenv("LOGIN_ACCOUNT_MAX_FAILURES", str(ACCOUNT_LIMIT))
    monkeypatch.setenv("LOGIN_LOCK_BASE_S", "60")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
async def world(db: str, redis_url: str, lock_settings: None) -> World:
    return await build_world()


@pytest.fixture
async def direct(world: World) -> AsyncIterator[httpx.AsyncClient]:
    """A caller connecting straight to the app from 203.0.113.50 (not a trusted proxy)."""
    async with app_client(
        create_app(), follow_redirects=False, client_address=("203.0.113.50", 5000)
    ) as client:
        yield client


@pytest.fixture
async def proxied(world: World) -> AsyncIterator[httpx.AsyncClient]:
    """Callers reaching the app through the trusted reverse proxy at PROXY."""
    async with app_client(
        create_app(), follow_redirects=False, client_address=(PROXY, 5000)
    ) as client:
        yield client


def _rotating(n: int) -> dict[str, str]:
    return {"x-forwarded-for": f"198.51.{n // 250}.{n % 250 + 1}"}


async def _attempt(client: httpx.AsyncClient, password: str, n: int) -> httpx.Response:
    return await client.post(
        "/api/auth/login",
        json={"username": "matrix_lead", "password": password},
        headers=_rotating(n),
    )


async def _audit_ips(action: str) -> list[str]:
    rows = await AuditEvent.select(AuditEvent.ip).where(
        (AuditEvent.username == "matrix_lead") & (AuditEvent.action == action)
    )
    return [row["ip"] for row in rows]


async def _age_attempts(seconds: int) -> None:
    """Move every recorded attempt ``seconds`` into the past (time passing, without waiting)."""
    rows = await LoginAttempt.select(LoginAttempt.id, LoginAttempt.at).where(
        LoginAttempt.username == "matrix_lead"
    )
    for row in rows:
        await LoginAttempt.update({LoginAttempt.at: row["at"] - timedelta(seconds=seconds)}).where(
            LoginAttempt.id == row["id"]
        )


async def test_rotating_x_forwarded_for_from_an_untrusted_peer_changes_nothing(
    direct: httpx.AsyncClient,
) -> None:
    statuses = [(await _attempt(direct, WRONG, n)).status_code for n in range(30)]
    assert statuses == [401] * 5 + [429] * 25
    refused = await _attempt(direct, WORLD_PASSWORD, 99)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    # The audit log names the real peer, never an address the caller made up.
    assert set(await _audit_ips("login_failed")) == {"203.0.113.50"}


async def test_through_a_trusted_proxy_the_account_locks_after_n_failures_whatever_the_address(
    proxied: httpx.AsyncClient,
) -> None:
    responses = [await _attempt(proxied, WRONG, n) for n in range(30)]
    statuses = [response.status_code for response in responses]
    assert statuses == [401] * ACCOUNT_LIMIT + [429] * (30 - ACCOUNT_LIMIT)
    # The forwarded addresses were believed: one failure per address.
    assert len(set(await _audit_ips("login_failed"))) == ACCOUNT_LIMIT
    assert "10.9.8.7" not in await _audit_ips("login_failed")

    locked = responses[-1]
    assert 0 < int(locked.headers["retry-after"]) <= 60
    assert locked.json()["detail"] == (
        "Tài khoản đã bị tạm khóa do đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 1 phút "
        "hoặc đề nghị quản trị viên mở khóa."
    )
    # The owner, from yet another address, with the right password: refused for now.
    assert (await _attempt(proxied, WORLD_PASSWORD, 500)).status_code == 429
    # Refused attempts did not lengthen the lock: only ACCOUNT_LIMIT failures are counted.
    assert await LoginAttempt.count().where(LoginAttempt.success == False) == ACCOUNT_LIMIT  # noqa: E712

    # Once the delay has passed, the right password works again.
    await _age_attempts(61)
    assert (await _attempt(proxied, WORLD_PASSWORD, 501)).status_code == 200


async def test_each_failure_after_the_lock_doubles_the_delay(
    proxied: httpx.AsyncClient,
) -> None:
    for n in range(ACCOUNT_LIMIT):
        assert (await _attempt(proxied, WRONG, n)).status_code == 401
    await _age_attempts(61)
    assert (await _attempt(proxied, WRONG, 600)).status_code == 401
    locked = await _attempt(proxied, WORLD_PASSWORD, 601)
    assert locked.status_code == 429
    assert 60 < int(locked.headers["retry-after"]) <= 120
    await _age_attempts(61)
    assert (await _attempt(proxied, WORLD_PASSWORD, 602)).status_code == 429
    await _age_attempts(60)
    assert (await _attempt(proxied, WORLD_PASSWORD, 603)).status_code == 200


async def test_the_sign_in_page_tells_the_owner_in_vietnamese(
    proxied: httpx.AsyncClient,
) -> None:
    token = await csrf_token(proxied)
    for n in range(ACCOUNT_LIMIT + 1):
        page = await proxied.post(
            "/login",
            data={"username": "matrix_lead", "password": WRONG, "_csrf_token": token},
            headers=_rotating(n),
        )
    assert page.status_code == 429
    assert int(page.headers["retry-after"]) > 0
    assert "Tài khoản đã bị tạm khóa do đăng nhập sai quá nhiều lần" in page.text
    assert "đề nghị quản trị viên mở khóa" in page.text


async def test_an_admin_sees_the_lock_and_lifts_it_through_the_api(
    proxied: httpx.AsyncClient, world: World
) -> None:
    for n in range(ACCOUNT_LIMIT):
        await _attempt(proxied, WRONG, n)
    lead_id = world.users["lead"]
    admin = {"Authorization": f"Bearer {world.bearer['admin']}"}
    before = await proxied.get(f"/api/users/{lead_id}", headers=admin)
    assert before.json()["sign_in_locked_until"] is not None
    listed = await proxied.get("/api/users", headers=admin, params={"q": "matrix_lead"})
    assert [u["sign_in_locked_until"] is not None for u in listed.json()["items"]] == [True]

    unlocked = await proxied.post(f"/api/users/{lead_id}/unlock", headers=admin)
    assert unlocked.status_code == 200
    assert unlocked.json()["sign_in_locked_until"] is None
    assert (await _attempt(proxied, WORLD_PASSWORD, 700)).status_code == 200
    assert len(await _audit_ips("login_failed")) == ACCOUNT_LIMIT  # history kept
    unlock_rows = await AuditEvent.select(AuditEvent.username).where(
        (AuditEvent.action == "login_unlock") & (AuditEvent.entity_id == lead_id)
    )
    assert [row["username"] for row in unlock_rows] == ["matrix_admin"]


async def test_an_admin_of_another_subtree_cannot_unlock(
    proxied: httpx.AsyncClient, world: World
) -> None:
    outside_user = world.id_of("user", "outside")
    admin = {"Authorization": f"Bearer {world.bearer['admin']}"}
    response = await proxied.post(f"/api/users/{outside_user}/unlock", headers=admin)
    assert response.status_code == 404


async def test_an_admin_lifts_the_lock_from_the_user_page(
    proxied: httpx.AsyncClient, world: World
) -> None:
    for n in range(ACCOUNT_LIMIT):
        await _attempt(proxied, WRONG, n)
    assert (await sign_in(proxied, "matrix_admin", WORLD_PASSWORD)).status_code == 200
    lead_id = world.users["lead"]
    page = await proxied.get(f"/admin/users/{lead_id}")
    assert 'data-testid="sign-in-lock"' in page.text
    assert "Mở khóa đăng nhập" in page.text
    users_page = await proxied.get("/admin/users")
    assert "Tạm khóa đăng nhập" in users_page.text
    token = await csrf_token(proxied)
    done = await proxied.post(f"/admin/users/{lead_id}/unlock", data={"_csrf_token": token})
    assert done.status_code in (302, 303)
    page = await proxied.get(f"/admin/users/{lead_id}")
    assert 'data-testid="sign-in-lock"' not in page.text
    assert "Người dùng đã có thể đăng nhập lại." in page.text
    assert (await _attempt(proxied, WORLD_PASSWORD, 800)).status_code == 200
