"""A test client that runs the app on the test's own event loop.

Litestar's ``AsyncTestClient`` runs the app (lifespan and every request) in a blocking
portal: another thread with its own event loop. The PostgreSQL pool opened there would then
be shared with the test's loop whenever a test also queries the database directly, which
asyncpg does not allow (errors, even crashes). Here httpx drives the ASGI app on the current
loop, and the pool is opened and closed on that loop too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from inspect_app.db import close_pool, engine, start_pool

BASE_URL = "http://testserver.local"


@asynccontextmanager
async def same_loop_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client on ``app``, everything on the current event loop."""
    # Nested clients share the pool of the outer one.
    own_pool = getattr(engine(), "pool", None) is None
    if own_pool:
        await start_pool()
    store = app.stores.get("sessions")
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            yield client
    finally:
        if own_pool:
            await close_pool()
        # The session store's Redis connections belong to this loop: close them here.
        shutdown = getattr(store, "_shutdown", None)
        if shutdown is not None:
            await shutdown()


def csrf_headers(client: httpx.AsyncClient) -> dict[str, str]:
    """The CSRF header a browser's script would send, from the client's csrftoken cookie."""
    return {"x-csrftoken": client.cookies.get("csrftoken") or ""}


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    """Sign in through the API (the session cookie lands in the client's jar)."""
    return await client.post("/api/auth/login", json={"username": username, "password": password})


async def csrf_token(client: httpx.AsyncClient) -> str:
    """A CSRF token for page forms: the login page sets the cookie on first visit."""
    if not client.cookies.get("csrftoken"):
        await client.get("/login")
    return client.cookies.get("csrftoken") or ""
