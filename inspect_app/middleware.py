"""ASGI middleware: who is calling, in which language, and the security headers."""

from __future__ import annotations

from typing import Any

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from inspect_app import data_version
from inspect_app.i18n import pick_language
from inspect_app.services.identity import load_principal, principal_from_token
from inspect_app.settings import get_settings

SESSION_USER_KEY = "user_id"


def bearer_token(scope: Scope) -> str | None:
    """The token of an ``Authorization: Bearer`` header, if any."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    for header, value in scope.get("headers", []):
        if header == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                if key == name:
                    return val
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    for header, value in scope.get("headers", []):
        if header == name:
            return str(value.decode("latin-1"))
    return None


class TokenAwareCSRFMiddleware(CSRFMiddleware):
    """CSRF protection for browser sessions only.

    Checked on every unsafe request made with a signed-in session, and on public forms (the
    sign-in form, against login CSRF). Skipped for a request that carries a bearer token: it
    is authenticated by that token alone (the session cookie is ignored) and a browser cannot
    attach such a header cross-site. Skipped too for an anonymous request to a non-public
    route: it can change nothing, and the global guard answers 401 (or the sign-in page).
    Runs after IdentityMiddleware, which has set ``scope["auth"]``.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and not _needs_csrf(scope):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _needs_csrf(scope: Scope) -> bool:
    if bearer_token(scope) is not None:
        return False
    if scope.get("auth") == "session":
        return True
    handler = scope.get("route_handler")
    return bool(handler is not None and handler.opt.get("public"))


PUBLIC_PREFIX = "/public"


def is_public_path(path: str) -> bool:
    """The citizens' side (/public/...): no staff identity, session or cookie there."""
    return path == PUBLIC_PREFIX or path.startswith(PUBLIC_PREFIX + "/")


def _query_value(scope: Scope, name: str) -> str | None:
    from urllib.parse import parse_qs

    raw = scope.get("query_string", b"").decode("latin-1")
    values = parse_qs(raw).get(name)
    return values[0] if values else None


class IdentityMiddleware(ASGIMiddleware):
    """Set ``scope["user"]`` (a Principal or None) and the request language.

    Never refuses a request itself: the global guard decides, so public pages stay public.
    The user is loaded on every request, so deactivating someone takes effect at once.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        token = data_version.begin_request()
        try:
            await self._identify(scope, receive, send, next_app)
        finally:
            data_version.end_request(token)

    async def _identify(
        self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp
    ) -> None:
        if is_public_path(scope.get("path", "")):
            # The citizens' pages know nobody: no token, session or staff cookie is read.
            scope["user"] = None
            scope["auth"] = None
            state_of: dict[str, Any] = scope.setdefault("state", {})
            state_of["lang"] = pick_language(
                _query_value(scope, "lang"), default=get_settings().default_language
            )
            await next_app(scope, receive, send)
            return
        principal = None
        auth_kind = None
        token = bearer_token(scope)
        if token is not None:
            principal = await principal_from_token(token)
            auth_kind = "token" if principal else None
        else:
            session = scope.get("session")
            user_id = session.get(SESSION_USER_KEY) if isinstance(session, dict) else None
            if isinstance(user_id, int):
                principal = await load_principal(user_id)
                if principal is not None:
                    auth_kind = "session"
                elif isinstance(session, dict):
                    session.clear()
        scope["user"] = principal
        scope["auth"] = auth_kind
        state: dict[str, Any] = scope.setdefault("state", {})
        state["lang"] = pick_language(
            principal.language if principal else None,
            _cookie(scope, "lang"),
            _header(scope, b"accept-language") if get_settings().default_language == "en" else None,
            default=get_settings().default_language,
        )
        await next_app(scope, receive, send)


SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        b"frame-ancestors 'none'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: the security headers on every HTTP response.

    A hook rather than a middleware because Litestar runs middleware only for matched
    routes; hooks also see the 404 of an unknown path and errors raised before a handler.
    A header the response set itself (a page with a CSP of its own) is left as it is. The
    raw header list is read once: this runs on every answer.
    """
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers") or ())
    present = {bytes(name).lower() for name, _ in headers}
    extra = [(name, value) for name, value in SECURITY_HEADERS if name not in present]
    if get_settings().production and b"strict-transport-security" not in present:
        extra.append((b"strict-transport-security", b"max-age=31536000"))
    if extra:
        message["headers"] = headers + extra
