"""The OpenAPI schema and its documentation page, served without any external resource.

Swagger UI's files come from the ``swagger-ui-bundle`` package and are served by the app
under /static/swagger-ui/; the page starts it from /static/js/swagger-init.js, so it works
offline and under the Content-Security-Policy (no inline script, nothing from a CDN).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from litestar import Request, Router
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

SWAGGER_STATIC_PATH = "/static/swagger-ui"


class LocalSwaggerRenderPlugin(OpenAPIRenderPlugin):
    """Swagger UI from the app's own static files, started by an external script."""

    def __init__(self, path: str = "/swagger") -> None:
        super().__init__(path=path)

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        """The Swagger UI page; the schema URL travels in a data attribute."""
        title = html.escape(str(openapi_schema.get("info", {}).get("title", "API")))
        schema_url = html.escape(self.get_openapi_json_route(request))
        page = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
  <link rel="stylesheet" href="{SWAGGER_STATIC_PATH}/swagger-ui.css">
  <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
  <script src="{SWAGGER_STATIC_PATH}/swagger-ui-bundle.js" defer></script>
  <script src="/static/js/swagger-init.js" defer></script>
</head>
<body>
  <div id="swagger-ui" data-schema-url="{schema_url}"></div>
</body>
</html>
"""
        return page.encode()


def swagger_static_router() -> Router:
    """Public static route for Swagger UI's own files."""
    return create_static_files_router(
        path=SWAGGER_STATIC_PATH,
        directories=[Path(swagger_ui_path)],
        opt={"public": True},
        include_in_schema=False,
        name="swagger-ui",
    )


def openapi_config() -> OpenAPIConfig:
    """The OpenAPI configuration: schema and docs under /schema, readable by anyone."""
    return OpenAPIConfig(
        title="Inspection case management API",
        version="1.0.0",
        path="/schema",
        render_plugins=[LocalSwaggerRenderPlugin()],
        # The contract is public documentation; the data behind it is not.
        openapi_router=Router(
            path="/schema", route_handlers=[], include_in_schema=False, opt={"public": True}
        ),
    )
