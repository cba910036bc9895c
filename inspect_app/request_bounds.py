"""Refuse, before any handler runs, requests that no record or column could answer.

* A path id outside the 32-bit id columns (``/api/agencies/2991617884``, ``/cases/0``)
  names no record: 404, as for any unknown id, and the database is never asked.
* A JSON string or a query parameter holding NUL (``\u0000``, ``%00``) is refused with
  400: PostgreSQL's text cannot store it, and no field of this API has a use for it.
* A JSON body nested deeper than ``MAX_JSON_DEPTH`` is refused with 400 while it is read:
  no input of this API nests more than a few levels, and the decoder would otherwise
  recurse until Python's stack limit. The body's size is bounded by the app's
  ``request_max_body_size`` (413), which Litestar checks as the body streams in.
"""

from __future__ import annotations

import re
from itertools import accumulate
from urllib.parse import parse_qsl

from litestar.enums import ScopeType
from litestar.exceptions import ClientException, NotFoundException, ValidationException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

from inspect_app.domain.messages import N_
from inspect_app.schemas.bounds import MAX_ID

MAX_JSON_DEPTH = 32
# Any request body but an upload (whose routes set their own limit): the largest JSON or form
# this app takes is a report narrative of 50,000 characters.
MAX_BODY_BYTES = 1024 * 1024
JSON_TOO_DEEP = N_("The request body is nested too deeply.")
JSON_NUL = N_("Text cannot contain the NUL character (\\u0000).")

# A ``\u0000`` escape that is not itself an escaped backslash followed by "u0000".
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS_ONLY = bytes(range(256)).translate(None, b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_depth(body: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest (brackets in strings ignored)."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return body.count(b"[") + body.count(b"{")  # an upper bound is enough here
    brackets = _JSON_STRING.sub(b'""', body).translate(None, _BRACKETS_ONLY)
    return max(accumulate(_STEP[char] for char in brackets), default=0)


def path_ids_out_of_range(scope: Scope) -> bool:
    """True when an integer path parameter cannot be the id of any stored record."""
    for value in scope.get("path_params", {}).values():
        if isinstance(value, int) and not isinstance(value, bool) and not 1 <= value <= MAX_ID:
            return True
    return False


def query_parameter_with_nul(scope: Scope) -> str | None:
    """The name of a query parameter whose name or value holds NUL (``%00``), if any."""
    raw = scope.get("query_string", b"")
    if b"%00" not in raw and b"\x00" not in raw:
        return None
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return name.replace("\x00", "") or "query"
    return "query"


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return b"json" in value.lower()
    return False


class RequestBoundsMiddleware(ASGIMiddleware):
    """404 for ids past the id columns; 400 for JSON bodies nested past ``MAX_JSON_DEPTH``."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if path_ids_out_of_range(scope):
            raise NotFoundException()
        parameter = query_parameter_with_nul(scope)
        if parameter is not None:
            raise ValidationException(
                detail=JSON_NUL, extra=[{"key": parameter, "message": JSON_NUL, "source": "query"}]
            )
        if scope["type"] != ScopeType.HTTP or not _is_json(scope):
            await next_app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def receive_checked() -> ReceiveMessage:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    body = b"".join(chunks)
                    chunks.clear()
                    if json_depth(body) > MAX_JSON_DEPTH:
                        raise ClientException(JSON_TOO_DEEP)
                    if _NUL_ESCAPE.search(body):
                        # PostgreSQL text cannot hold it; no field of this API needs it.
                        raise ClientException(JSON_NUL)
            return message

        await next_app(scope, receive_checked, send)
