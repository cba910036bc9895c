"""The embedded default under a burst: SQLite, no Redis, the in-process scheduler running.

Right after start, while the scheduler's first run (deadline watch, totals) writes, twenty
people sign in at once (some with a wrong password) and every one of them then writes
(an API token). Every write path takes SQLite's write lock at BEGIN with a busy timeout
(``inspect_app.db.write_transaction``), so none of them may meet "database is locked".
"""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from inspect_app.seed.demo import DEMO_PASSWORD

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SIGN_INS = 20
WRONG_PASSWORDS = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _embedded_env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    return env | {
        "DATABASE_URL": f"sqlite:///{folder / 'app.sqlite3'}",
        "VAR_DIR": str(folder),
        "APP_ENV": "development",
        "SECRET_KEY": "embedded-burst-test-secret-key-0123456789",
    }


def _load_demo(env: dict[str, str]) -> list[str]:
    cli = str(Path(sys.executable).with_name("inspect-app"))
    subprocess.run([cli, "migrate"], env=env, check=True, capture_output=True, timeout=120)
    load = "import asyncio; from inspect_app.seed.demo import load_demo; asyncio.run(load_demo())"
    subprocess.run([sys.executable, "-c", load], env=env, check=True, timeout=300)
    path = env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT username FROM app_user WHERE active ORDER BY id")
        return [str(row[0]) for row in rows]


async def _sign_in_and_write(base_url: str, username: str, password: str) -> tuple[int, int]:
    """The sign-in's status, then the status of a write made with that session (0 if none)."""
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        login = await http.post(
            "/api/auth/login", json={"username": username, "password": password}
        )
        if login.status_code != 200:
            return login.status_code, 0
        await http.get("/api/me")  # sets the CSRF cookie
        created = await http.post(
            "/api/tokens",
            json={"name": f"burst {username}"},
            headers={"x-csrftoken": http.cookies.get("csrftoken", "")},
        )
        return login.status_code, created.status_code


@pytest.mark.slow
def test_twenty_sign_ins_and_writes_at_once_on_sqlite_with_the_scheduler_running(
    tmp_path: Path,
) -> None:
    env = _embedded_env(tmp_path)
    usernames = _load_demo(env)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "server.log"
    command = [sys.executable, "-m", "uvicorn", "--factory", "inspect_app.asgi:create_app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base_url}/health", timeout=2).status_code < 600:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, log_path.read_text()[-3000:]
                time.sleep(0.05)

            async def burst() -> list[tuple[int, int]]:
                calls = []
                for index in range(SIGN_INS):
                    wrong = index < WRONG_PASSWORDS
                    username = usernames[index % len(usernames)]
                    password = "not the password" if wrong else DEMO_PASSWORD
                    calls.append(_sign_in_and_write(base_url, username, password))
                return await asyncio.gather(*calls)

            results = asyncio.run(burst())
        finally:
            server.terminate()
            server.wait(timeout=30)
    server_log = log_path.read_text(errors="replace")
    assert "database is locked" not in server_log, server_log[-3000:]
    assert results[:WRONG_PASSWORDS] == [(401, 0)] * WRONG_PASSWORDS
    assert results[WRONG_PASSWORDS:] == [(200, 201)] * (SIGN_INS - WRONG_PASSWORDS), results
    path = env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        attempts = connection.execute("SELECT COUNT(*) FROM login_attempt").fetchone()[0]
        tokens = connection.execute("SELECT COUNT(*) FROM api_token").fetchone()[0]
        watched = connection.execute(
            "SELECT COUNT(*) FROM job_state WHERE name LIKE 'scheduler:last:%'"
        ).fetchone()[0]
    assert attempts == SIGN_INS
    assert tokens >= SIGN_INS - WRONG_PASSWORDS
    assert watched >= 1  # the scheduler ran while the burst went on
