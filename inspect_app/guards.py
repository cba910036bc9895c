"""The global guard: every route is public or names the permission it needs."""

from __future__ import annotations

import logging
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from inspect_app.principal import Principal

log = logging.getLogger(__name__)


async def authorize(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Refuse anonymous callers (401) and roles without the route's permission (403).

    A route opts out with ``opt={"public": True}``; every other route must declare
    ``opt={"permission": "..."}`` from ``domain.permissions.PERMISSIONS``. A route that
    declares neither is refused for everyone, so a forgotten declaration fails closed.
    A coroutine: Litestar runs a plain function guard in a worker thread on every request.
    """
    if handler.opt.get("public"):
        return
    principal = connection.scope.get("user")
    if not isinstance(principal, Principal):
        raise NotAuthorizedException()
    permission = handler.opt.get("permission")
    if not permission:
        log.error("route %s declares no permission", handler)
        raise PermissionDeniedException()
    if not principal.can(permission):
        raise PermissionDeniedException()
