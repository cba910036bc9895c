"""Answers are gzip-compressed for clients that accept it, at the fast level (1)."""

from __future__ import annotations

import gzip
from typing import Any

import pytest

pytestmark = [pytest.mark.usefixtures("db")]


async def _raw(client: Any, path: str, accept: str) -> tuple[Any, bytes]:
    async with client.stream("GET", path, headers={"accept-encoding": accept}) as response:
        body = b"".join([chunk async for chunk in response.aiter_raw()])
    return response, body


async def test_a_page_is_compressed_fast_when_the_client_accepts_gzip(client: Any) -> None:
    plain, page = await _raw(client, "/login", "identity")
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert b"<form" in page and len(page) > 500

    packed, body = await _raw(client, "/login", "gzip")
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers.get("vary", "").lower()
    assert gzip.decompress(body) == page
    # Byte 8 of a gzip header (XFL) is 4 when the fastest level wrote it (RFC 1952).
    assert body[8] == 4
    assert len(body) < len(page) * 0.6
