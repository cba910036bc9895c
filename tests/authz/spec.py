"""What the authorization matrix expects of one route.

Every ``cases_*.py`` module of this package exports ``CASES: list[RouteCase]``; the matrix
test (tests/integration/test_authz_matrix.py) fails when a registered route has no case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.authz.world import World

ROLES = ("inspector", "lead", "head", "viewer", "admin")
# Statuses that mean "allowed and handled" for a record the caller can see: success, a
# redirect after a form post, a version conflict or an illegal transition, bad input.
DEFAULT_OK = (200, 201, 202, 204, 302, 303, 409, 422)

# Kinds of record a path parameter can name; World has one of each inside and outside scope.
TARGET_KINDS = (
    "agency",
    "user",
    "token",
    "subject",
    "plan",
    "inspection",
    "finding",
    "measure",
    "execution",
    "attachment",
    "report",
    "submission",
    "notification",
    "import_run",
    "tip",
    "reminder_letter",
    "approval",
)

# Values of path parameters that do not name a record (``{code:str}`` of /lang/{code:str});
# every ``:int`` parameter takes the id of the case's target.
PARAM_VALUES: dict[str, str] = {
    "code": "en",
    "deadline_type": "measure",
    "name": "inspections.csv",
}


@dataclass(frozen=True)
class RouteCase:
    """One route: the permission it needs and how to call it on a record in or out of scope.

    ``path`` is the template exactly as Litestar registers it
    (``"/api/inspections/{inspection_id:int}"``); ``target`` is the kind of record whose id
    fills every path parameter (None for collection routes); ``body`` builds a valid-looking
    body from the world and ``"inside"``/``"outside"``; ``form`` posts it urlencoded (page
    forms, with the CSRF field added); ``scoped`` is False when the route has no record to
    scope (``/api/me``).
    """

    method: str
    path: str
    permission: str | None
    target: str | None = None
    body: Callable[[World, str], dict[str, Any]] | None = None
    form: bool = False
    scoped: bool = True
    expect_ok: tuple[int, ...] = DEFAULT_OK
    # What the service checks on the case's team when it is not ``permission`` (asking to
    # reverse an execution goes through the route of case workers, and is a lead's step).
    case_permission: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """(METHOD, path template): how the matrix matches a case to a registered route."""
        return (self.method.upper(), self.path)

    @property
    def is_api(self) -> bool:
        """JSON routes answer 401; pages redirect anonymous callers to /login."""
        return self.path.startswith("/api/") or self.path == "/health"

    @property
    def is_unsafe(self) -> bool:
        """Methods that may change the world (the matrix rebuilds it before each)."""
        return self.method.upper() not in ("GET", "HEAD", "OPTIONS")


def form_post(
    path: str,
    permission: str | None,
    target: str | None = None,
    body: Callable[[World, str], dict[str, Any]] | None = None,
    **options: Any,
) -> RouteCase:
    """A page form posted urlencoded, as a browser sends it (the CSRF field added)."""
    return RouteCase("POST", path, permission, target, body=body, form=True, **options)


def typed(**fields: str) -> Callable[[World, str], dict[str, Any]]:
    """A form body of fixed fields, the same inside and outside the caller's scope."""

    def body(world: World, side: str) -> dict[str, Any]:
        return dict(fields)

    return body
