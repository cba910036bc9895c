"""The app's answers are gzipped by inspect_app.compression, not by Litestar's GzipFile."""

from __future__ import annotations

import gzip

import httpx


async def test_a_page_is_gzipped_by_zlib_when_the_browser_asks(client: httpx.AsyncClient) -> None:
    async with client.stream("GET", "/login", headers={"Accept-Encoding": "gzip"}) as response:
        body = b"".join([chunk async for chunk in response.aiter_raw()])
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "Đăng nhập" in gzip.decompress(body).decode()
    # zlib writes no modification time into the gzip header; Litestar's GzipFile writes
    # the current time there.
    assert body[4:8] == b"\x00\x00\x00\x00"
