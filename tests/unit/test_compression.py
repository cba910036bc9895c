"""gzip written by zlib: the same answers as Litestar's compression, read back whole."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator

import pytest
from litestar import Litestar, MediaType, get
from litestar.config.compression import CompressionConfig
from litestar.response import Stream
from litestar.testing import TestClient

from inspect_app.compression import GzipMiddleware, gzip_body

TEXT = ("Kết luận thanh tra số 12/KL-TTr, thu hồi 1.250.000.000 đồng. " * 200).encode()
CHUNKS = [b"<html>", TEXT[:5000], TEXT[5000:], b"</html>"]


@get("/big", media_type=MediaType.TEXT)
async def big() -> bytes:
    return TEXT


@get("/small", media_type=MediaType.TEXT)
async def small() -> bytes:
    return TEXT[:499]


@get("/edge", media_type=MediaType.TEXT)
async def edge() -> bytes:
    return TEXT[:500]


@get("/stream", media_type=MediaType.HTML)
async def streamed() -> Stream:
    async def parts() -> AsyncIterator[bytes]:
        for chunk in CHUNKS:
            yield chunk

    return Stream(parts())


def client(middleware: type | None = GzipMiddleware) -> TestClient[Litestar]:
    config = CompressionConfig(backend="gzip", gzip_compress_level=1, minimum_size=500)
    if middleware is not None:
        config.middleware_class = middleware
    app = Litestar([big, small, edge, streamed], compression_config=config)
    return TestClient(app)


def raw_get(test_client: TestClient[Litestar], path: str, encoding: str = "gzip") -> tuple:
    """Status, headers and the body as sent (the test client would decompress it)."""
    with test_client.stream("GET", path, headers={"Accept-Encoding": encoding}) as response:
        return response.status_code, response.headers, b"".join(response.iter_raw())


def test_a_whole_body_is_one_gzip_stream_with_its_length() -> None:
    with client() as test_client:
        status, headers, body = raw_get(test_client, "/big")
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in headers["vary"]
    assert int(headers["content-length"]) == len(body) < len(TEXT) // 10
    assert gzip.decompress(body) == TEXT


def test_the_minimum_size_is_kept_to_the_byte() -> None:
    with client() as test_client:
        _, below, body_below = raw_get(test_client, "/small")
        _, at, body_at = raw_get(test_client, "/edge")
    assert "content-encoding" not in below
    assert body_below == TEXT[:499]
    assert at["content-encoding"] == "gzip"
    assert gzip.decompress(body_at) == TEXT[:500]


def test_a_streamed_body_is_compressed_chunk_by_chunk_and_ends_the_stream() -> None:
    with client() as test_client:
        status, headers, body = raw_get(test_client, "/stream")
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert "content-length" not in headers
    assert gzip.decompress(body) == b"".join(CHUNKS)


def test_nothing_is_compressed_for_a_client_that_does_not_ask() -> None:
    with client() as test_client:
        _, headers, body = raw_get(test_client, "/big", encoding="identity")
    assert "content-encoding" not in headers
    assert body == TEXT


@pytest.mark.parametrize("path", ["/big", "/small", "/stream"])
def test_the_answers_read_the_same_as_with_litestars_own_middleware(path: str) -> None:
    with client() as ours, client(None) as theirs:
        _, our_headers, our_body = raw_get(ours, path)
        _, their_headers, their_body = raw_get(theirs, path)
    assert our_headers.get("content-encoding") == their_headers.get("content-encoding")
    assert our_headers.get("vary") == their_headers.get("vary")
    decode = gzip.decompress if our_headers.get("content-encoding") else bytes
    assert decode(our_body) == decode(their_body)


def test_gzip_body_is_read_back_by_the_standard_library() -> None:
    assert gzip.decompress(gzip_body(b"", 1)) == b""
    assert gzip.decompress(gzip_body(TEXT, 9)) == TEXT


@pytest.mark.parametrize("size", [1, 499, 4095, 4096, 4097, len(TEXT)])
def test_small_and_large_bodies_round_trip_around_the_small_window(size: int) -> None:
    body = TEXT[:size]
    packed = gzip_body(body, 1)
    assert gzip.decompress(packed) == body
    if size >= 499:
        assert len(packed) < size  # compressed, not just wrapped
