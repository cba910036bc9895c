"""GET /health: the state of the database, Redis and the worker."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get

from inspect_app.services import health
from inspect_app.settings import get_settings


class HealthController(Controller):
    """Health for load balancers and monitoring."""

    @get("/health", opt={"public": True}, summary="Service health")
    async def health(self, request: Request[Any, Any, Any]) -> Response[dict[str, str]]:
        """200 when the database answers (Redis and the worker are reported, not required)."""
        settings = request.app.state.get("settings") or get_settings()
        redis = await health.check_redis(settings)
        body = {
            "db": await health.check_database(),
            "redis": redis,
            "worker": await health.check_worker(settings, redis),
        }
        return Response(body, status_code=200 if body["db"] == "ok" else 503)
