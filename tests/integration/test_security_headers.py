"""Security headers on every kind of response, and an API documentation page that obeys them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import app_client


@pytest.fixture
async def client(db: str, redis_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client on a fresh app, on the test's event loop."""
    from inspect_app.asgi import create_app

    async with app_client(create_app(), follow_redirects=False) as http:
        yield http


@pytest.mark.parametrize(
    "path", ["/login", "/api/me", "/static/css/app.css", "/no-such-page", "/schema/swagger"]
)
async def test_every_response_carries_the_security_headers(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    csp = response.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    for name in ("content-security-policy", "x-frame-options", "x-request-id"):
        assert len(response.headers.get_list(name)) == 1, name


async def test_pages_have_no_inline_script(client: httpx.AsyncClient) -> None:
    for path in ("/login", "/schema/swagger", "/schema"):
        response = await client.get(path)
        assert response.status_code == 200, path
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", response.text, re.S)
        assert scripts, path
        for attributes, body in scripts:
            assert 'src="/static/' in attributes, (path, attributes)
            assert body.strip() == "", path
        assert "cdn" not in response.text.lower()
        assert "style=" not in response.text


async def test_swagger_ui_is_served_by_the_app_itself(client: httpx.AsyncClient) -> None:
    page = (await client.get("/schema/swagger")).text
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert "/static/swagger-ui/swagger-ui-bundle.js" in assets
    assert "/static/js/swagger-init.js" in assets
    for asset in assets:
        response = await client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 100, asset
    schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200
    assert "/api/agencies/{agency_id}" in schema.json()["paths"]
    assert 'data-schema-url="/schema/openapi.json"' in page


async def test_a_header_the_answer_set_itself_is_kept_and_the_others_added_once() -> None:
    from inspect_app.middleware import SECURITY_HEADERS, add_security_headers

    own = b"default-src 'none'; style-src 'unsafe-inline'"
    message: dict[str, object] = {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"Content-Security-Policy", own), (b"content-type", b"text/html")],
    }
    await add_security_headers(message, {"type": "http"})  # type: ignore[arg-type]
    headers = message["headers"]
    assert isinstance(headers, list)
    names = [bytes(name).lower() for name, _ in headers]
    assert names.count(b"content-security-policy") == 1
    assert (b"Content-Security-Policy", own) in headers
    for name, value in SECURITY_HEADERS[1:]:
        assert names.count(name) == 1 and (name, value) in headers
    body = {"type": "http.response.body", "body": b""}
    await add_security_headers(body, {"type": "http"})  # type: ignore[arg-type]
    assert "headers" not in body
