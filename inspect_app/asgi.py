"""The application factory."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, Router
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.logging.config import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.static_files import create_static_files_router

from inspect_app import request_log
from inspect_app.compression import GzipMiddleware
from inspect_app.controllers.admin import AdminApiController, AdminPageController
from inspect_app.controllers.api_approvals import ApprovalApiController
from inspect_app.controllers.api_attachments import AttachmentApiController
from inspect_app.controllers.api_findings import FindingApiController
from inspect_app.controllers.api_inspections import InspectionApiController
from inspect_app.controllers.api_measures import MeasureApiController
from inspect_app.controllers.api_plans import PlanApiController
from inspect_app.controllers.api_publications import PublicationApiController
from inspect_app.controllers.api_reports import (
    ReportApiController,
    ReportSchemaController,
    TotalsApiController,
)
from inspect_app.controllers.api_subjects import SubjectApiController
from inspect_app.controllers.approval_pages import ApprovalPageController
from inspect_app.controllers.auth import AuthApiController, AuthPageController
from inspect_app.controllers.case_record_pages import CaseRecordPageController
from inspect_app.controllers.dashboard import DashboardController
from inspect_app.controllers.follow_ups import FollowUpApiController, FollowUpPageController
from inspect_app.controllers.health import HealthController
from inspect_app.controllers.import_pages import ImportPageController
from inspect_app.controllers.inspection_pages import InspectionPageController
from inspect_app.controllers.ladders import LadderPageController
from inspect_app.controllers.notifications import (
    NotificationApiController,
    NotificationPageController,
)
from inspect_app.controllers.plan_pages import PlanPageController
from inspect_app.controllers.public_pages import (
    PublicConclusionController,
    PublicPageController,
)
from inspect_app.controllers.publication_pages import PublicationPageController
from inspect_app.controllers.reminder_pages import ReminderPageController
from inspect_app.controllers.report_pages import ReportPageController
from inspect_app.controllers.subject_pages import SubjectPageController
from inspect_app.controllers.tip_pages import TipPageController
from inspect_app.deps import provide_ip, provide_principal
from inspect_app.exceptions import EXCEPTION_HANDLERS
from inspect_app.guards import authorize
from inspect_app.lifespan import background_jobs, database_pool
from inspect_app.middleware import (
    IdentityMiddleware,
    TokenAwareCSRFMiddleware,
    add_security_headers,
)
from inspect_app.openapi import declare_error_statuses, openapi_config, swagger_static_router
from inspect_app.proxies import TrustedProxyMiddleware
from inspect_app.request_bounds import MAX_BODY_BYTES, RequestBoundsMiddleware
from inspect_app.request_log import add_request_id
from inspect_app.sessions import session_config, session_store
from inspect_app.settings import Settings, get_settings
from inspect_app.templating import template_config
from jobs import job_log

STATIC_DIR = Path(__file__).parent / "static"

ROUTE_HANDLERS: list[type | Router] = [
    HealthController,
    AuthApiController,
    AuthPageController,
    DashboardController,
    AdminApiController,
    AdminPageController,
    SubjectApiController,
    PlanApiController,
    InspectionApiController,
    FindingApiController,
    PublicationApiController,
    MeasureApiController,
    ApprovalApiController,
    ApprovalPageController,
    AttachmentApiController,
    NotificationApiController,
    NotificationPageController,
    FollowUpApiController,
    FollowUpPageController,
    LadderPageController,
    ReportApiController,
    ReportSchemaController,
    TotalsApiController,
    ReportPageController,
    ImportPageController,
    TipPageController,
    ReminderPageController,
    PublicPageController,
    PublicConclusionController,
    PublicationPageController,
    InspectionPageController,
    CaseRecordPageController,
    SubjectPageController,
    PlanPageController,
]


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the Litestar application: routes, middleware, templates, OpenAPI."""
    settings = settings or get_settings()
    sessions = session_config(settings)
    csrf = CSRFConfig(
        secret=settings.secret_key,
        cookie_secure=settings.production,
        cookie_samesite="lax",
        # The citizens' forms carry no session to protect, and must set no cookie; nor do
        # the static files they load.
        exclude=["/api/auth/login", "^/public", "^/static"],
    )
    static = create_static_files_router(
        path="/static",
        directories=[STATIC_DIR],
        opt={"public": True},
        include_in_schema=False,
        cache_control=None,
    )
    request_log.configure()
    job_log.configure()  # the in-process schedule runs the jobs in this process
    return Litestar(
        route_handlers=[*ROUTE_HANDLERS, static, swagger_static_router()],
        dependencies={
            "principal": Provide(provide_principal, sync_to_thread=False),
            "ip": Provide(provide_ip, sync_to_thread=False),
        },
        guards=[authorize],
        before_send=[add_security_headers, add_request_id],
        middleware=[
            # First: everything after it sees the real caller (forwarded by a trusted proxy).
            TrustedProxyMiddleware(settings.trusted_proxies),
            sessions.middleware,
            # Identity before CSRF: the CSRF rule depends on how the caller is authenticated.
            IdentityMiddleware(),
            # After identity, so that its 404 and 400 answer in the caller's language.
            RequestBoundsMiddleware(),
            DefineMiddleware(TokenAwareCSRFMiddleware, config=csrf),
        ],
        stores={"sessions": session_store(settings)},
        template_config=template_config(),
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[database_pool, background_jobs],
        on_startup=[declare_error_statuses],
        request_max_body_size=MAX_BODY_BYTES,
        # Level 1, as nginx's gzip default: the province's follow-up board (245 KB of HTML)
        # takes 1.6 ms to compress instead of 3.1 ms at level 5, for 22 KB instead of 16 KB
        # on the wire (docs/performance.md).
        compression_config=CompressionConfig(
            backend="gzip", gzip_compress_level=1, middleware_class=GzipMiddleware
        ),
        openapi_config=openapi_config(),
        # The root logger belongs to the host (uvicorn, gunicorn, pytest): configured here it
        # printed every request line twice, once from our handler and once from the root's.
        logging_config=LoggingConfig(configure_root_logger=False),
        # Handlers that need the settings read them from here, so that an app built with
        # other settings (tests, tools) is consistent with itself.
        state=State({"settings": settings}),
        debug=settings.debug,
    )
