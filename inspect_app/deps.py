"""Dependencies injected into handlers."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import NotAuthorizedException

from inspect_app.principal import Principal


def client_ip(request: Request[Any, Any, Any]) -> str:
    """The caller's address (the proxy in front is trusted to set X-Forwarded-For)."""
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        return forwarded.split(",")[0].strip()[:64]
    return request.client.host if request.client else ""


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    """The signed-in user (the global guard has already refused anonymous callers)."""
    principal = request.scope.get("user")
    if not isinstance(principal, Principal):
        raise NotAuthorizedException()
    return principal


def provide_ip(request: Request[Any, Any, Any]) -> str:
    """The caller's address, for audit rows and throttling."""
    return client_ip(request)
