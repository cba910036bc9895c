"""The OpenAPI schema and its documentation page, served without any external resource.

Swagger UI's files come from the ``swagger-ui-bundle`` package and are served by the app
under /static/swagger-ui/; the page starts it from /static/js/swagger-init.js, so it works
offline and under the Content-Security-Policy (no inline script, nothing from a CDN).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Router
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.openapi.spec import (
    Components,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    Schema,
)
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

from inspect_app.schemas.bounds import MAX_ID

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


# The error statuses each API operation can answer (docs/api.md, "Errors"), declared in the
# schema so that clients, and contract fuzzers, can rely on it: any request can be
# malformed (400), unauthenticated (401), out of role or scope (403), name an unknown
# record or filter (404), or carry a field that breaks a rule (422); a body can be too
# large (413); writes can meet a stale version or an illegal transition (409); sign-in
# can be throttled (429).
_ERROR_DESCRIPTIONS = {
    "400": "Malformed request: the field and the reason are in `errors`",
    "401": "Not signed in",
    "403": "Outside the caller's role or scope",
    "404": "Unknown, or not visible to the caller",
    "409": "Stale version or transition not allowed from the current state (`code`)",
    "413": "Request body too large",
    "422": "A field breaks a rule: `errors` names each field and why",
    "429": "Too many attempts: retry after the `Retry-After` header's seconds",
}
_READ_STATUSES = ("400", "401", "403", "404", "422")
_WRITE_STATUSES = (*_READ_STATUSES, "409", "413")
_ERROR_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    required=["status_code", "detail"],
    properties={
        "status_code": Schema(type=OpenAPIType.INTEGER),
        "detail": Schema(type=OpenAPIType.STRING),
        "code": Schema(type=OpenAPIType.STRING),
        "errors": Schema(
            type=OpenAPIType.ARRAY,
            items=Schema(
                type=OpenAPIType.OBJECT,
                required=["field", "message"],
                properties={
                    "field": Schema(type=OpenAPIType.STRING),
                    "message": Schema(type=OpenAPIType.STRING),
                },
            ),
        ),
    },
)


def declare_error_statuses(app: Litestar) -> None:
    """Add the error statuses every /api operation can answer to the served schema."""
    schema = app.openapi_schema
    if schema.components is None:
        schema.components = Components()
    if schema.components.schemas is None:
        schema.components.schemas = {}
    schema.components.schemas["ErrorResponse"] = _ERROR_SCHEMA
    error_ref = Reference(ref="#/components/schemas/ErrorResponse")
    for path, item in (schema.paths or {}).items():
        if not path.startswith("/api/"):
            continue
        for method in ("get", "post", "put", "patch", "delete"):
            operation: Operation | None = getattr(item, method)
            if operation is None:
                continue
            statuses = _READ_STATUSES if method == "get" else _WRITE_STATUSES
            if path == "/api/auth/login":
                statuses = (*statuses, "429")
            responses = operation.responses if operation.responses is not None else {}
            for status in statuses:
                # Replaces Litestar's generic 400, whose body shape is not ours.
                responses[status] = OpenAPIResponse(
                    description=_ERROR_DESCRIPTIONS[status],
                    content={"application/json": OpenAPIMediaType(schema=error_ref)},
                )
            operation.responses = responses
            _bound_path_ids(operation)


def _bound_path_ids(operation: Operation) -> None:
    # RequestBoundsMiddleware answers 404 for a path id outside the id columns; say so.
    for parameter in operation.parameters or []:
        if isinstance(parameter, Parameter) and parameter.param_in == "path":
            schema = parameter.schema
            if isinstance(schema, Schema) and schema.type == OpenAPIType.INTEGER:
                schema.minimum = 1
                schema.maximum = MAX_ID
