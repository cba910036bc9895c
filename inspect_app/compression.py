"""gzip of the answers, written by zlib in one call per body.

Litestar's compression middleware wraps every gzip answer in a ``GzipFile`` over a
``BytesIO``, made before it knows whether the body will be compressed at all, and flushes
it after each write. For the API's small answers that wrapper cost more than compressing:
about a fifth of the time of a kept case detail (docs/performance.md, "gzip without the
file wrapper"). This middleware keeps Litestar's decisions (the ``Accept-Encoding``
check, ``exclude``, ``minimum_size``, the headers it sets) and writes the same gzip
stream with ``zlib`` directly: one call for a whole body, a compressor with a sync flush
per chunk for a streamed one. Other encodings go to Litestar's own code.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import CompressionEncoding
from litestar.middleware.compression import CompressionMiddleware
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState

if TYPE_CHECKING:
    from typing import Literal

    from litestar.types import HTTPResponseStartEvent, Message, Scope, Send

# zlib's window bits for a gzip header and trailer around the deflate stream.
GZIP_WBITS = 16 + zlib.MAX_WBITS
# A body this small is compressed with a 4 KB window and a smaller hash table. zlib sets up
# (and clears) its whole state for every stream: with the defaults (32 KB window, memory
# level 8, about 256 KB) that took 3 times longer than compressing a 1.3 KB answer at level
# 1 (44 µs against 11 µs, docs/performance.md). A window as large as the body loses no
# match, so the output is as small (the same 742 bytes for that answer).
SMALL_BODY = 4096
SMALL_WBITS = 16 + 12
SMALL_MEMLEVEL = 4


def gzip_body(body: bytes, level: int) -> bytes:
    """One whole body as a gzip stream."""
    if len(body) <= SMALL_BODY:
        small = zlib.compressobj(level, zlib.DEFLATED, SMALL_WBITS, SMALL_MEMLEVEL)
        return small.compress(body) + small.flush()
    return zlib.compress(body, level, wbits=GZIP_WBITS)


class GzipMiddleware(CompressionMiddleware):
    """Litestar's compression with gzip done by zlib (``CompressionConfig.middleware_class``)."""

    def create_compression_send_wrapper(
        self,
        send: Send,
        compression_encoding: Literal[CompressionEncoding.BROTLI, CompressionEncoding.GZIP] | str,
        scope: Scope,
    ) -> Send:
        if compression_encoding != CompressionEncoding.GZIP:
            return super().create_compression_send_wrapper(send, compression_encoding, scope)
        level = self.config.gzip_compress_level
        minimum = self.config.minimum_size
        state = ScopeState.from_scope(scope)
        start: HTTPResponseStartEvent | None = None
        # Set when a streamed answer is being compressed; None for a whole body.
        stream: zlib._Compress | None = None
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal start, stream, started
            if message["type"] == "http.response.start":
                start = message
                return
            if start is None:
                await send(message)
                return
            if value_or_default(state.is_cached, False):
                # Litestar's response cache hands back a body compressed already.
                await send(start)
                await send(message)
                return
            if message["type"] != "http.response.body":
                return  # http.disconnect: nothing more is sent
            body = message["body"]
            more_body = message.get("more_body", False)
            if not started:
                started = True
                if more_body:
                    stream = zlib.compressobj(level, zlib.DEFLATED, GZIP_WBITS)
                    headers = MutableScopeHeaders(start)
                    headers["Content-Encoding"] = compression_encoding
                    headers.extend_header_value("vary", "Accept-Encoding")
                    del headers["Content-Length"]
                    state.response_compressed = True
                    message["body"] = stream.compress(body) + stream.flush(zlib.Z_SYNC_FLUSH)
                elif len(body) >= minimum:
                    body = gzip_body(body, level)
                    headers = MutableScopeHeaders(start)
                    headers["Content-Encoding"] = compression_encoding
                    headers["Content-Length"] = str(len(body))
                    headers.extend_header_value("vary", "Accept-Encoding")
                    message["body"] = body
                    state.response_compressed = True
                await send(start)
                await send(message)
                return
            if stream is not None:
                mode = zlib.Z_SYNC_FLUSH if more_body else zlib.Z_FINISH
                head = stream.compress(body)  # before the flush, which may end the stream
                message["body"] = head + stream.flush(mode)
            await send(message)

        return send_wrapper
