"""Shared pieces of the server-rendered pages: the common context and flash messages."""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Request
from litestar.response import Template
from litestar.utils.scope.state import ScopeState
from markupsafe import Markup

from inspect_app import clock
from inspect_app.exceptions import request_language
from inspect_app.i18n import N_
from inspect_app.principal import Principal
from inspect_app.services.menu import menu_counts

# (permission, href, label): the main menu, filtered by what the role may do.
NAV_ITEMS: list[tuple[str, str, str]] = [
    ("read", "/", N_("Dashboard")),
    ("read", "/inspections", N_("Inspections")),
    ("followup.board", "/follow-ups", N_("Follow-up")),
    ("approval.read", "/approvals", N_("Approvals")),
    ("tip.intake", "/tips", N_("Tips")),
    ("read", "/subjects", N_("Subjects")),
    ("read", "/plans", N_("Plans")),
    ("read", "/reports", N_("Reports")),
    ("import.run", "/imports", N_("Import")),
    ("user.manage", "/admin", N_("Administration")),
]


def flash(request: Request[Any, Any, Any], message: str, category: str = "success") -> None:
    """Queue a message for the next rendered page of this session."""
    messages = list(request.session.get("flashes", [])) if request.scope.get("session") else []
    messages.append({"message": message, "category": category})
    request.set_session({**request.session, "flashes": messages})


def _pop_flashes(request: Request[Any, Any, Any]) -> list[dict[str, str]]:
    session = request.scope.get("session")
    if not isinstance(session, dict) or not session.get("flashes"):
        return []
    messages = list(session["flashes"])
    request.set_session({key: value for key, value in session.items() if key != "flashes"})
    return messages


def _nav(principal: Principal, path: str) -> list[dict[str, Any]]:
    items = []
    for permission, href, label in NAV_ITEMS:
        if principal.can(permission):
            active = path == href if href == "/" else path.startswith(href)
            items.append({"href": href, "label": label, "active": active})
    return items


async def render(
    request: Request[Any, Any, Any], template_name: str, status_code: int = 200, **context: Any
) -> Template:
    """Render a page with the menu, unread counter and flash messages filled in."""
    principal = request.scope.get("user")
    if isinstance(principal, Principal):
        nav = _nav(principal, request.url.path)
        counts = await menu_counts(principal)
        if principal.can("approval.decide"):
            # How many requests wait for this person: shown beside "Phê duyệt".
            for item in nav:
                if item["href"] == "/approvals":
                    item["badge"] = counts.waiting_approvals
        context.setdefault("nav", nav)
        context.setdefault("unread", counts.unread)
    context.setdefault("flashes", _pop_flashes(request))
    return Template(template_name=template_name, context=context, status_code=status_code)


def render_part(request: Request[Any, Any, Any], template_name: str, **context: Any) -> Markup:
    """A template rendered to text in the request's language, for a page to place (and
    perhaps keep, see inspect_app/page_cache.py). No menu or flash: those are the page's."""
    engine = request.app.template_engine
    if engine is None:  # every app of create_app() has one
        raise RuntimeError("no template engine is configured")
    template = engine.engine.get_template(template_name)
    return Markup(template.render(request=request, **context))


def shared_part_key(
    request: Request[Any, Any, Any], principal: Principal, name: str, permission: str
) -> tuple[Any, ...]:
    """The key of a page part that is the same for every reader of one scope with (or
    without) ``permission``, in one language, on one day, for one query string: what a part
    kept by inspect_app/page_cache.py may depend on, and all it may depend on."""
    return (
        name,
        principal.agency_path,
        principal.can(permission),
        request_language(request),
        clock.today(),
        tuple(sorted(request.query_params.multi_items())),
    )


def reader_part_key(
    request: Request[Any, Any, Any], principal: Principal, name: str, *ids: int
) -> tuple[Any, ...]:
    """The key of a page part made for one reader (what they may do on it, their team
    role, the history they may see), in one language, on one day: a part kept by
    inspect_app/page_cache.py under it is only ever shown to that reader again. Not the
    query string: such a part reads none, and a key with it would let a client push
    other parts out with made-up queries."""
    return (
        name,
        *ids,
        principal.id,
        principal.role,
        principal.agency_path,
        request_language(request),
        clock.today(),
    )


# Where a kept part's forms take the viewer's CSRF token. Random per process, so no text a
# user enters can contain it.
CSRF_SLOT = f"csrf-slot-{secrets.token_hex(16)}"


def render_reader_part(
    request: Request[Any, Any, Any], template_name: str, **context: Any
) -> Markup:
    """:func:`render_part` with :data:`CSRF_SLOT` where the forms take the CSRF token
    (``csrf_token()``), so that the part can be kept; :func:`with_csrf` fills it in."""
    state = ScopeState.from_scope(request.scope)
    token = state.csrf_token
    state.csrf_token = CSRF_SLOT
    try:
        return render_part(request, template_name, **context)
    finally:
        # Rendering does not await: no other request sees the slot in the meantime.
        state.csrf_token = token


def with_csrf(request: Request[Any, Any, Any], part: Markup) -> Markup:
    """A part of :func:`render_reader_part` with this request's CSRF token in its forms."""
    token = ScopeState.from_scope(request.scope).csrf_token
    return Markup(str(part).replace(CSRF_SLOT, token if isinstance(token, str) else ""))
