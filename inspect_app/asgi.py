"""The application factory."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, Router
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

from inspect_app.controllers.auth import AuthApiController, AuthPageController
from inspect_app.controllers.dashboard import DashboardController
from inspect_app.controllers.health import HealthController
from inspect_app.deps import provide_ip, provide_principal
from inspect_app.exceptions import EXCEPTION_HANDLERS
from inspect_app.guards import authorize
from inspect_app.lifespan import database_pool
from inspect_app.middleware import (
    IdentityMiddleware,
    SecurityHeadersMiddleware,
    TokenAwareCSRFMiddleware,
)
from inspect_app.sessions import session_config, session_store
from inspect_app.settings import Settings, get_settings
from inspect_app.templating import template_config

STATIC_DIR = Path(__file__).parent / "static"

ROUTE_HANDLERS: list[type | Router] = [
    HealthController,
    AuthApiController,
    AuthPageController,
    DashboardController,
]


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the Litestar application: routes, middleware, templates, OpenAPI."""
    settings = settings or get_settings()
    sessions = session_config(settings)
    csrf = CSRFConfig(
        secret=settings.secret_key,
        cookie_secure=settings.production,
        cookie_samesite="lax",
        exclude=["/api/auth/login"],
    )
    static = create_static_files_router(
        path="/static",
        directories=[STATIC_DIR],
        opt={"public": True},
        include_in_schema=False,
        cache_control=None,
    )
    return Litestar(
        route_handlers=[*ROUTE_HANDLERS, static],
        dependencies={
            "principal": Provide(provide_principal, sync_to_thread=False),
            "ip": Provide(provide_ip, sync_to_thread=False),
        },
        guards=[authorize],
        middleware=[
            SecurityHeadersMiddleware(),
            sessions.middleware,
            DefineMiddleware(TokenAwareCSRFMiddleware, config=csrf),
            IdentityMiddleware(),
        ],
        stores={"sessions": session_store(settings)},
        template_config=template_config(),
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[database_pool],
        compression_config=CompressionConfig(backend="gzip", gzip_compress_level=5),
        openapi_config=OpenAPIConfig(
            title="Inspection case management API",
            version="1.0.0",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
        ),
        debug=settings.debug,
    )
