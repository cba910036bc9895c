"""A first installation: an empty PostgreSQL database, ``inspect-app migrate``, ``inspect-app
init``, then the administrator signs in through the API of a real server.

Everything runs as real processes on a database of its own, created empty for the test.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests import services
from tests.conftest import IS_SQLITE

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "KhoiTao@2026"

pytestmark = pytest.mark.skipif(IS_SQLITE, reason="a PostgreSQL installation from nothing")


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A brand-new, empty PostgreSQL database and the environment of a fresh install."""
    server_url = services.database_url(os.environ["DATABASE_URL"], "postgres")
    name = f"inspect_test_init_{uuid.uuid4().hex[:8]}"
    url = services.create_database(server_url, name)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "PICCOLO_CONF")  # the embedded default: no Redis
    }
    env |= {
        "DATABASE_URL": url,
        "VAR_DIR": str(tmp_path / "var"),
        "APP_ENV": "test",
        "BASE_URL": "https://thanhtra.example.gov.vn",
    }
    try:
        yield env
    finally:
        services.drop_database(server_url, name)


def _cli(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "inspect_app.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = services.free_port()
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "inspect_app.cli", "serve", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
        )
    return server, f"http://127.0.0.1:{port}"


async def _wait_for_http(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise AssertionError(await asyncio.to_thread(log.read_text, errors="replace"))
            try:
                await client.get(base_url + "/health", timeout=2)
                return
            except httpx.TransportError:
                await asyncio.sleep(0.3)
    output = await asyncio.to_thread(log.read_text, errors="replace")
    raise AssertionError("the server did not answer:\n" + output)


async def test_migrate_init_then_the_first_admin_signs_in_through_the_api(
    empty_database: dict[str, str], tmp_path: Path
) -> None:
    env = empty_database
    migrated = await asyncio.to_thread(_cli, env, "migrate")
    assert migrated.returncode == 0, migrated.stderr

    created = await asyncio.to_thread(
        _cli,
        env,
        "init",
        "--agency-code",
        "TTT",
        "--agency-name",
        "Thanh tra tỉnh Ninh Bình",
        "--agency-kind",
        "province_inspectorate",
        "--username",
        "QuanTri",
        "--full-name",
        "Nguyễn Văn Quản",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stderr
    assert "quantri" in created.stdout
    assert "https://thanhtra.example.gov.vn/login" in created.stdout

    # Never twice: the database has an agency now.
    again = await asyncio.to_thread(
        _cli,
        env,
        "init",
        "--agency-code",
        "KHAC",
        "--agency-name",
        "Khác",
        "--username",
        "khac",
        "--full-name",
        "Người khác",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert again.returncode == 1
    assert "already has agencies" in again.stderr

    log = tmp_path / "serve.log"
    server, base_url = _serve(env, log)
    try:
        await _wait_for_http(base_url, server, log)
        async with httpx.AsyncClient(base_url=base_url) as client:
            login = await client.post(
                "/api/auth/login", json={"username": "quantri", "password": PASSWORD}
            )
            assert login.status_code == 200, login.text
            me = (await client.get("/api/me")).json()
            assert (me["username"], me["full_name"], me["role"]) == (
                "quantri",
                "Nguyễn Văn Quản",
                "admin",
            )
            agencies = (await client.get("/api/agencies")).json()["items"]
            assert [(a["code"], a["name"], a["parent_id"]) for a in agencies] == [
                ("TTT", "Thanh tra tỉnh Ninh Bình", None)
            ]
            assert agencies[0]["id"] == me["agency_id"]
            # The administrator can build the tree under it at once.
            child = await client.post(
                "/api/agencies",
                json={"code": "NV1", "name": "Phòng Nghiệp vụ 1", "parent_id": me["agency_id"]},
                headers={"x-csrftoken": client.cookies.get("csrftoken") or ""},
            )
            assert child.status_code == 201, child.text
            # Only the administrator exists: no other user was created.
            users = (await client.get("/api/users")).json()["items"]
            assert [u["username"] for u in users] == ["quantri"]
    finally:
        server.terminate()
        server.wait(timeout=20)


async def test_init_asks_for_what_is_missing_and_refuses_bad_values(
    empty_database: dict[str, str],
) -> None:
    env = empty_database
    bad = await asyncio.to_thread(
        _cli,
        env,
        "init",
        "--agency-code",
        "TTT",
        "--agency-name",
        "Thanh tra\x0btỉnh",
        "--username",
        "a",
        "--full-name",
        "Quản trị",
        "--password-stdin",
        stdin="short\n",
    )
    assert bad.returncode == 2
    assert "agency_name" in bad.stderr
    assert "username" in bad.stderr
    assert "password" in bad.stderr

    # Interactive: each missing value is asked for (kind: the default), then the password.
    answers = "TTT\nThanh tra tỉnh\n\nquantri\nNguyễn Văn Quản\n" + PASSWORD + "\n"
    asked = await asyncio.to_thread(_cli, env, "init", "--password-stdin", stdin=answers)
    assert asked.returncode == 0, asked.stderr
    for prompt in ("Code of the top agency", "Kind of agency", "Administrator's username"):
        assert prompt in asked.stdout
    assert "Created the agency TTT (Thanh tra tỉnh" in asked.stdout
