"""Shared test bootstrap and fixtures.

``python -m tests.run`` sets DATABASE_URL, REDIS_URL, APP_ENV, SECRET_KEY and VAR_DIR. When
pytest is run directly without DATABASE_URL, the same bootstrap runs here, at import, before
anything imports ``piccolo_conf`` or ``inspect_app`` (the settings and the engine are read
once per process).

Fixtures:

- ``db``: a migrated, empty database (every table of ``models.tables.ALL_TABLES`` emptied
  and its ids restarted) for tests that touch the database;
- ``app`` / ``client``: ``inspect_app.asgi.create_app()`` and an httpx client on it, run on the
  test's event loop with the app's lifespan (``app_client`` says why not ``AsyncTestClient``);
- ``redis_url``: the test Redis database, flushed;
- ``live_server``: the app served by uvicorn on a free port (base URL);
- ``browser`` / ``page``: headless Chromium; ``page`` opens on ``live_server`` and saves a
  screenshot to tests/artifacts/<test name>.png after the test.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests import services

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking"]
TEST_BASE_URL = "http://testserver.local"


def _bootstrap_environment() -> None:
    """Make plain ``pytest`` behave like ``python -m tests.run`` (PostgreSQL pass)."""
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        targets = services.claim_test_targets()
        if not os.environ.get("DATABASE_URL"):
            server_url = services.ensure_postgres()
            os.environ["DATABASE_URL"] = services.create_database(server_url, targets.database)
        if not os.environ.get("REDIS_URL"):
            os.environ["REDIS_URL"] = services.redis_db_url(
                services.ensure_redis(), targets.redis_db
            )
    if not os.environ.get("VAR_DIR"):
        var_dir = tempfile.mkdtemp(prefix="inspect-test-var-")
        atexit.register(shutil.rmtree, var_dir, True)
        os.environ["VAR_DIR"] = var_dir
    defaults = services.app_environment(
        os.environ["DATABASE_URL"], os.environ["REDIS_URL"], os.environ["VAR_DIR"]
    )
    os.environ["APP_ENV"] = "test"
    os.environ.setdefault("SECRET_KEY", defaults["SECRET_KEY"])


_bootstrap_environment()

DATABASE_URL = os.environ["DATABASE_URL"]
IS_SQLITE = DATABASE_URL.startswith("sqlite")


def _test_database_name() -> str:
    """The database the suite may wipe; refuses anything not named like a test database."""
    if IS_SQLITE:
        name = Path(DATABASE_URL[len("sqlite:///") :]).name
    else:
        name = urlsplit(DATABASE_URL).path.lstrip("/")
    if "test" not in name.lower():
        pytest.exit(
            f"DATABASE_URL points at {name!r}; the test suite empties its database, so it "
            "only runs on one whose name contains 'test' (python -m tests.run sets one up).",
            returncode=4,
        )
    return name


def pytest_configure(config: pytest.Config) -> None:
    for marker in (
        "storage: storage-layer tests that also run on SQLite (the embedded default)",
        "browser: drives the real pages in headless Chromium",
        "slow: long-running tests (fault injection, property-based API runs)",
    ):
        config.addinivalue_line("markers", marker)


# pytest-timeout: every test gets ``timeout`` from pyproject.toml (60 s, setup and teardown
# included); tests marked slow or browser get this instead, unless they name their own.
SLOW_TEST_TIMEOUT_S = 300


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        # Anything driving Chromium is a browser test, marked or not, so `-m browser` finds it.
        if {"page", "browser"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
        slow = item.get_closest_marker("slow") or item.get_closest_marker("browser")
        if slow and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(SLOW_TEST_TIMEOUT_S))


# --------------------------------------------------------------------------- database


def _reset_database() -> None:
    """Start every session on an empty database (PostgreSQL: drop and recreate it)."""
    name = _test_database_name()
    if IS_SQLITE:
        Path(DATABASE_URL[len("sqlite:///") :]).unlink(missing_ok=True)
        return
    server_url = services.database_url(DATABASE_URL, "postgres")
    services.drop_database(server_url, name)
    services.create_database(server_url, name)


@pytest.fixture(scope="session")
async def migrated_database() -> AsyncIterator[str]:
    """Apply the migrations of app "models" once per session, on an empty database.

    Every test under tests/integration and tests/browser gets it (their conftest.py asks for
    it); the pure unit tests never touch a database, so a run of tests/unit alone (the
    mutation runs of ``make mutate``) neither drops nor migrates one.
    """
    _reset_database()
    from piccolo.apps.migrations.commands.forwards import run_forwards

    result = await run_forwards("models")
    if not result.success:
        pytest.exit(f"migrations failed: {result.message}", returncode=3)
    yield DATABASE_URL


async def _empty_tables() -> None:
    from models.tables import ALL_TABLES

    names = [table._meta.tablename for table in ALL_TABLES]
    if IS_SQLITE:
        import aiosqlite

        async with aiosqlite.connect(DATABASE_URL[len("sqlite:///") :], timeout=30) as conn:
            await conn.execute("PRAGMA foreign_keys = OFF")
            for name in names:
                await conn.execute(f'DELETE FROM "{name}"')
            cursor = await conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'"
            )
            if await cursor.fetchone():
                await conn.execute("DELETE FROM sqlite_sequence")
            await conn.commit()
        return
    import asyncpg

    # A connection of its own, not Piccolo's pool: whatever the app under test did with the
    # pool (or a transaction a fixture left open), emptying the tables does not depend on it.
    quoted = ", ".join(f'"{name}"' for name in names)
    conn = await asyncpg.connect(DATABASE_URL)
    try:
        await conn.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        # Truncating the agencies fires their reference-version trigger, which writes its
        # row again: empty means empty (tests that want the versions install them).
        await conn.execute("DELETE FROM reference_version")
    finally:
        await conn.close()


@pytest.fixture
async def db(migrated_database: str) -> AsyncIterator[str]:
    """An empty, migrated database: every table of ALL_TABLES emptied before the test."""
    from inspect_app import page_cache
    from inspect_app.controllers import api_inspections
    from inspect_app.services import identity, menu
    from inspect_app.services.cases import queries as case_queries

    await _empty_tables()
    # Ids start again in the emptied tables: nothing kept from an earlier test may match.
    identity.forget_kept()
    menu.forget_kept()
    case_queries.forget_kept()
    api_inspections.forget_kept()
    page_cache.clear()
    yield migrated_database


# --------------------------------------------------------------------------- web app


@pytest.fixture
def app(migrated_database: str) -> Any:
    """A fresh Litestar application from ``inspect_app.asgi.create_app()``."""
    from inspect_app.asgi import create_app

    return create_app()


@asynccontextmanager
async def _lifespan(app: Any) -> AsyncIterator[None]:
    """Run ``app.lifespan()`` in a task of its own for as long as the block runs.

    pytest-asyncio sets a fixture up and tears it down in different tasks; anyio cancel
    scopes inside the lifespan must be entered and exited by the same task.
    """
    started = asyncio.Event()
    stopping = asyncio.Event()

    async def run() -> None:
        async with app.lifespan():
            started.set()
            await stopping.wait()

    task = asyncio.create_task(run(), name="app lifespan")
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        task.result()  # the start-up error, raised here
        raise RuntimeError("the app's lifespan ended during start-up")
    try:
        yield
    finally:
        stopping.set()
        await task


@asynccontextmanager
async def app_client(
    app: Any,
    follow_redirects: bool = True,
    lifespan: bool = True,
    client_address: tuple[str, int] = ("127.0.0.1", 123),
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on ``app``, run on the caller's event loop, lifespan included.

    Use this (or the ``client`` fixture), not ``litestar.testing.AsyncTestClient``: in
    Litestar 2 that client runs the app in a portal thread with an event loop of its own
    (litestar-org/litestar#1920, fixed in 3.x), so the app and the test share Piccolo's
    asyncpg pool across threads and loops: "attached to a different loop" errors, or a
    segmentation fault. Same defaults as AsyncTestClient: base URL http://testserver.local,
    redirects followed (``follow_redirects=False`` to see them), app errors raised. For a
    module-scoped client: ``from tests.conftest import app_client``. A second client on an
    app whose lifespan already runs (a second browser beside ``client``) passes
    ``lifespan=False``: the database pool is the process's, opened once.
    ``client_address`` is the peer the app sees (the TCP peer of a real server).
    """
    async with (
        _lifespan(app) if lifespan else nullcontext(),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=client_address),
            base_url=TEST_BASE_URL,
            headers={"user-agent": "testclient"},
            follow_redirects=follow_redirects,
        ) as http_client,
    ):
        yield http_client


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on a fresh ``app``, on the test's event loop (see ``app_client``)."""
    async with app_client(app) as http_client:
        yield http_client


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    """The URL of the test Redis database, flushed before the test."""
    from redis.asyncio import Redis

    url = os.environ["REDIS_URL"]
    connection = Redis.from_url(url)
    try:
        await connection.flushdb()
    finally:
        await connection.aclose()
    yield url


# --------------------------------------------------------------------------- live server


def _wait_for_http(base_url: str, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the live server exited with code {process.returncode}")
        try:
            httpx.get(base_url + "/", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the live server did not answer on {base_url} in {timeout_s:.0f}s")


@pytest.fixture(scope="session")
def live_server(migrated_database: str) -> Iterator[str]:
    """The app served by uvicorn on a free 127.0.0.1 port, with the tests' environment."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    log_path = Path(os.environ["VAR_DIR"]) / "live_server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "uvicorn", "--factory", "inspect_app.asgi:create_app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    env = os.environ | {"BASE_URL": base_url}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
        try:
            _wait_for_http(base_url, process, timeout_s=60)
        except RuntimeError as exc:
            process.kill()
            process.wait()
            raise RuntimeError(f"{exc}\n{log_path.read_text(errors='replace')[-4000:]}") from exc
        yield base_url
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --------------------------------------------------------------------------- browser


def _chromium_installed() -> bool:
    return Path(CHROMIUM).exists()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    """Headless Debian Chromium through Playwright's async API (session event loop)."""
    if not _chromium_installed():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture
async def page(
    browser: Any, live_server: str, request: pytest.FixtureRequest
) -> AsyncIterator[Any]:
    """A page in a fresh browser context on ``live_server``; screenshot saved afterwards."""
    from playwright.async_api import Error as PlaywrightError

    context = await browser.new_context(base_url=live_server, locale="vi-VN")
    browser_page = await context.new_page()
    try:
        yield browser_page
    finally:
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        try:
            await browser_page.screenshot(path=str(ARTIFACTS_DIR / f"{name}.png"), full_page=True)
        except PlaywrightError as exc:  # a crashed page must not hide the test's own result
            print(f"screenshot of {request.node.nodeid} failed: {exc}")
        finally:
            await context.close()
