"""Browser-like steps on a test client: CSRF tokens and signing in.

The client itself is ``tests.conftest.app_client`` (the app on the test's own event loop).
"""

from __future__ import annotations

import httpx


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
