"""A request id for every answer, and one log line per request.

Every HTTP answer carries ``X-Request-ID``: the one a trusted proxy (TRUSTED_PROXIES, the
load balancer) sent when it is plain (letters, digits, ``-`` and ``_``, 8 to 64), otherwise
one made here; a client's own is never taken, so nobody can choose an id in the logs. Error
pages and JSON errors show it, so a user can quote it to whoever reads the logs. When the
answer starts, one line of JSON goes to the ``inspect_app.requests`` logger:
the id, method, route (the path template, never the ids in it), status, milliseconds since
the request came in, the user's id, and how many statements the request sent to the
database by then (:func:`inspect_app.db.counting_statements`; a streamed file's later reads
are not in it).

A ``before_send`` hook rather than a middleware: Litestar runs middleware only for matched
routes, and the hook also sees the 404 of an unknown path. The clock starts in the first
middleware (:func:`mark_start`), or at the hook for a path no route matched.
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from typing import Any

from litestar.enums import ScopeType
from litestar.types import Message, Scope

from inspect_app import logs
from inspect_app.db import StatementTally

log = logging.getLogger("inspect_app.requests")

HEADER = "x-request-id"
_GIVEN = re.compile(r"[A-Za-z0-9_-]{8,64}")
_ID_KEY = "request_id"
_START_KEY = "request_started"
_TALLY_KEY = "request_statements"


def configure() -> None:
    """Write these lines to stderr, one JSON object a line (inspect_app/logs.py), unless
    the deployment configured the app's loggers itself."""
    logs.configure()


def _given_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == HEADER.encode():
            text = value.decode("latin-1")
            return text if _GIVEN.fullmatch(text) else None
    return None


# Request ids name a request in the logs and need not be unguessable: they come from
# random's generator, seeded once per process (and again in a forked child), rather than
# from the system's; a getrandom() call per request cost about 3 % of a kept API answer
# (docs/performance.md).


def request_id(scope: Scope) -> str:
    """The id of this request, made on first use."""
    state = scope.setdefault("state", {})
    if _ID_KEY not in state:
        state[_ID_KEY] = f"{random.getrandbits(64):016x}"
    return str(state[_ID_KEY])


def mark_start(
    scope: Scope, tally: StatementTally | None = None, *, trust_given_id: bool = False
) -> None:
    """Start the request's clock and fix its id (called by the first middleware, which
    counts the request's statements in ``tally``); ``trust_given_id`` when the peer is a
    trusted proxy, whose X-Request-ID is kept."""
    state = scope.setdefault("state", {})
    state.setdefault(_START_KEY, time.perf_counter())
    if tally is not None:
        state.setdefault(_TALLY_KEY, tally)
    given = _given_id(scope) if trust_given_id else None
    if given is not None and _ID_KEY not in state:
        state[_ID_KEY] = given
    request_id(scope)


def _user_id(scope: Scope) -> int | None:
    user = scope.get("user")
    return getattr(user, "id", None)


async def add_request_id(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: the id in the answer's headers, and the request's log line."""
    if message["type"] != "http.response.start" or scope.get("type") != ScopeType.HTTP:
        return
    rid = request_id(scope)
    name = HEADER.encode()
    message["headers"] = [
        *(h for h in message.get("headers") or () if bytes(h[0]).lower() != name),
        (name, rid.encode()),
    ]
    state: dict[str, Any] = scope.get("state", {})
    started = state.get(_START_KEY)
    elapsed = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    tally: StatementTally | None = state.get(_TALLY_KEY)
    log.info(
        json.dumps(
            {
                "request_id": rid,
                "method": scope.get("method", ""),
                "route": scope.get("path_template") or "(no route)",
                "status": message.get("status"),
                "ms": round(elapsed, 1),
                "user_id": _user_id(scope),
                "statements": tally.count if tally is not None else 0,
            },
            separators=(",", ":"),
        )
    )
