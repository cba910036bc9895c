"""Dependencies injected into handlers."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import NotAuthorizedException

from inspect_app.principal import Principal


def client_ip(request: Request[Any, Any, Any]) -> str:
    """The caller's address: the peer, or what a trusted proxy forwarded (TRUSTED_PROXIES,
    resolved by :class:`inspect_app.proxies.TrustedProxyMiddleware`); never a header that
    anyone could send."""
    return (request.client.host if request.client else "")[:64]


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    """The signed-in user (the global guard has already refused anonymous callers)."""
    principal = request.scope.get("user")
    if not isinstance(principal, Principal):
        raise NotAuthorizedException()
    return principal


def provide_ip(request: Request[Any, Any, Any]) -> str:
    """The caller's address, for audit rows and throttling."""
    return client_ip(request)
