"""Agencies, users and the audit log: the JSON API and the administration pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, TypeVar

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED

from inspect_app.controllers.page_support import message_text
from inspect_app.domain.documents import SIGNING_FORM_LABELS
from inspect_app.domain.labels import AGENCY_KIND_LABELS
from inspect_app.domain.permissions import ROLE_LABELS, ROLES
from inspect_app.errors import Conflict, Forbidden, InvalidInput
from inspect_app.forms.admin import (
    active_version,
    agency_change,
    agency_entry,
    agency_values,
    list_cursor,
    user_change,
    user_entry,
    user_filters,
    user_form_values,
    user_values,
)
from inspect_app.forms.common import date_or_none, int_or_none
from inspect_app.pages import flash, render
from inspect_app.principal import Principal
from inspect_app.schemas.admin import (
    Agency,
    AgencyCreate,
    AgencyList,
    AgencyMerge,
    AgencyUpdate,
    AuditEntry,
    AuditList,
    User,
    UserCreate,
    UserList,
    UserUpdate,
)
from inspect_app.schemas.bounds import QueryId
from inspect_app.services import agencies, agency_mergers, audit, auth, users

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Limit = Annotated[int, Parameter(ge=1, le=200)]
AUDIT_ENTITY_TYPES = (
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
)


def _next_of(items: Sequence[User | Agency | AuditEntry], limit: int) -> str | None:
    return str(items[-1].id) if len(items) == limit else None


class AdminApiController(Controller):
    """GET|POST /api/agencies, /api/users and their records; GET /api/audit."""

    path = "/api"
    tags = ["people"]

    @get("/agencies", opt={"permission": "read"})
    async def list_agencies(
        self,
        principal: Principal,
        cursor: str | None = None,
        limit: Limit = 50,
        q: str | None = None,
        parent_id: QueryId = None,
    ) -> AgencyList:
        """Agencies in the caller's subtree, by id."""
        items = await agencies.list_visible(
            principal, cursor=list_cursor(cursor) or 0, limit=limit, q=q, parent_id=parent_id
        )
        return AgencyList(items=items, next_cursor=_next_of(items, limit))

    @post("/agencies", opt={"permission": "agency.manage"}, status_code=HTTP_201_CREATED)
    async def create_agency(self, principal: Principal, data: AgencyCreate, ip: str) -> Agency:
        """Create an agency under a parent in the caller's subtree."""
        return await agencies.create(principal, data, ip)

    @get("/agencies/{agency_id:int}", opt={"permission": "read"})
    async def get_agency(self, principal: Principal, agency_id: int) -> Agency:
        """One agency of the caller's subtree."""
        return await agencies.get_visible(principal, agency_id)

    @patch("/agencies/{agency_id:int}", opt={"permission": "agency.manage"})
    async def update_agency(
        self, principal: Principal, agency_id: int, data: AgencyUpdate, ip: str
    ) -> Agency:
        """Rename, re-code, move or (de)activate an agency; a stale version answers 409."""
        return await agencies.update(principal, agency_id, data, ip)

    @post("/agencies/{agency_id:int}/merge", opt={"permission": "agency.manage"}, status_code=200)
    async def merge_agency(
        self, principal: Principal, agency_id: int, data: AgencyMerge, ip: str
    ) -> Agency:
        """Mark the agency succeeded by another from a date: its units and open cases move
        to the successor, whose reports consolidate it (docs/reports.md)."""
        return await agency_mergers.merge(
            principal, agency_id, data.successor_id, data.succeeded_on, data.version, ip
        )

    @get("/users", opt={"permission": "user.manage"})
    async def list_users(
        self,
        principal: Principal,
        cursor: str | None = None,
        limit: Limit = 50,
        q: str | None = None,
        agency_id: QueryId = None,
        role: str | None = None,
        active: bool | None = None,
    ) -> UserList:
        """Users of the caller's subtree, by id."""
        page = await users.list_visible(
            principal,
            cursor=list_cursor(cursor) or 0,
            limit=limit,
            q=q,
            agency_id=agency_id,
            role=role,
            active=active,
        )
        items = await auth.with_sign_in_locks(page.items)
        return UserList(items=items, next_cursor=_next_of(items, limit))

    @post("/users", opt={"permission": "user.manage"}, status_code=HTTP_201_CREATED)
    async def create_user(self, principal: Principal, data: UserCreate, ip: str) -> User:
        """Create a user in an agency of the caller's subtree."""
        return await users.create(principal, data, ip)

    @get("/users/{user_id:int}", opt={"permission": "user.manage"})
    async def get_user(self, principal: Principal, user_id: int) -> User:
        """One user of the caller's subtree."""
        return await auth.with_sign_in_lock(await users.get_visible(principal, user_id))

    @patch("/users/{user_id:int}", opt={"permission": "user.manage"})
    async def update_user(
        self, principal: Principal, user_id: int, data: UserUpdate, ip: str
    ) -> User:
        """Change a user; ``active: false`` ends their sessions and tokens at once."""
        return await auth.with_sign_in_lock(await users.update(principal, user_id, data, ip))

    @post("/users/{user_id:int}/unlock", opt={"permission": "user.manage"}, status_code=200)
    async def unlock_user(self, principal: Principal, user_id: int, ip: str) -> User:
        """Lift the sign-in lock that repeated failed sign-ins put on a user's account."""
        return await auth.unlock_sign_in(principal, user_id, ip)

    @get("/audit", opt={"permission": "audit.read"})
    async def audit_log(
        self,
        principal: Principal,
        entity_type: str | None = None,
        entity_id: QueryId = None,
        cursor: str | None = None,
        limit: Limit = 50,
    ) -> AuditList:
        """Who changed what, when, before and after (one record when filtered); in scope only."""
        rows = await audit.visible_history(
            principal, entity_type, entity_id, cursor=list_cursor(cursor), limit=limit
        )
        return AuditList(items=rows, next_cursor=_next_of(rows, limit))


# --------------------------------------------------------------------------- pages

STALE_MESSAGE = "This record was changed by someone else. Reload and try again."


Written = TypeVar("Written")


class Outcome(msgspec.Struct):
    """How a refused admin form comes back: errors beside fields, status, a message on top."""

    errors: dict[str, str]
    status_code: int = 422
    message: str = ""


async def _write(
    request: Request[Any, Any, Any],
    errors: dict[str, str],
    write: Callable[[], Awaitable[Written]],
    saved: str,
    then: Callable[[Written], str],
    show: Callable[[Outcome], Awaitable[Template]],
) -> Redirect | Template:
    """Run ``write()`` when the form read cleanly: go to ``then(row)``, or ``show`` why not."""
    if errors:
        return await show(Outcome(errors))
    try:
        row = await write()
    except InvalidInput as exc:
        return await show(Outcome(exc.errors))
    except Conflict:
        return await show(Outcome({}, 409, message_text(request, STALE_MESSAGE)))
    flash(request, message_text(request, saved))
    return Redirect(path=then(row))


async def _admin_form(
    request: Request[Any, Any, Any],
    principal: Principal,
    entity_type: str,
    record: Agency | User | None,
    values: dict[str, Any],
    outcome: Outcome | None,
    **context: Any,
) -> Template:
    """The ``admin/<entity_type>_form.html`` page: the record, its values, errors and history."""
    history = []
    if record is not None:
        history = await audit.visible_history(principal, entity_type, record.id)
    outcome = outcome or Outcome({}, 200)
    return await render(
        request,
        f"admin/{entity_type}_form.html",
        status_code=outcome.status_code,
        values=values,
        errors=outcome.errors,
        message=outcome.message,
        history=history,
        **{entity_type: record},
        **context,
    )


class AdminPageController(Controller):
    """Administration pages: the agency tree, users, and a record's history."""

    include_in_schema = False

    @get("/admin", opt={"permission": "user.manage"})
    async def index(self, request: Request[Any, Any, Any], principal: Principal) -> Template:
        """Entry page of the administration."""
        tree = await agencies.tree(principal)
        user_count = sum(agency.users for agency in tree)
        return await render(
            request, "admin/index.html", agency_count=len(tree), user_count=user_count
        )

    # ---- agencies

    async def _agency_form(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        agency: Agency | None,
        values: dict[str, Any],
        outcome: Outcome | None = None,
    ) -> Template:
        return await _admin_form(
            request,
            principal,
            "agency",
            agency,
            values,
            outcome,
            parents=await agencies.tree_options(principal),
            kinds=list(AGENCY_KIND_LABELS.items()),
            signing_forms=list(SIGNING_FORM_LABELS.items()),
        )

    @get("/admin/agencies", opt={"permission": "agency.manage"})
    async def agency_tree(self, request: Request[Any, Any, Any], principal: Principal) -> Template:
        """The agency tree of the admin's subtree."""
        return await render(
            request,
            "admin/agencies.html",
            tree=await agencies.tree(principal),
            kind_labels=AGENCY_KIND_LABELS,
        )

    @get("/admin/agencies/new", opt={"permission": "agency.manage"})
    async def new_agency(
        self, request: Request[Any, Any, Any], principal: Principal, parent_id: int | None = None
    ) -> Template:
        """Form for a new agency."""
        values = {"parent_id": parent_id or principal.agency_id, "kind": "department"}
        return await self._agency_form(request, principal, None, values)

    @post("/admin/agencies", opt={"permission": "agency.manage"}, status_code=200)
    async def create_agency(
        self, request: Request[Any, Any, Any], principal: Principal, data: FormData, ip: str
    ) -> Redirect | Template:
        """Create an agency; mistakes come back beside their fields."""
        entry, unread = agency_entry(data)
        return await _write(
            request,
            {},
            lambda: agencies.create(principal, entry, ip, unread=unread),
            "The agency was created.",
            lambda created: f"/admin/agencies/{created.id}",
            lambda outcome: self._agency_form(request, principal, None, dict(data), outcome),
        )

    @get("/admin/agencies/{agency_id:int}", opt={"permission": "agency.manage"})
    async def edit_agency(
        self, request: Request[Any, Any, Any], principal: Principal, agency_id: int
    ) -> Template:
        """An agency's edit form and history."""
        agency = await agencies.get_visible(principal, agency_id)
        return await self._agency_form(request, principal, agency, agency_values(agency))

    @post("/admin/agencies/{agency_id:int}", opt={"permission": "agency.manage"}, status_code=200)
    async def update_agency(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        agency_id: int,
        data: FormData,
        ip: str,
    ) -> Redirect | Template:
        """Save an agency; a stale form comes back with a message."""
        agency = await agencies.get_visible(principal, agency_id)
        change, unread = agency_change(data, is_root=agency.parent_id is None)
        return await _write(
            request,
            {},
            lambda: agencies.update(principal, agency_id, change, ip, unread=unread),
            "The agency was saved.",
            lambda _: f"/admin/agencies/{agency_id}",
            lambda outcome: self._agency_form(request, principal, agency, dict(data), outcome),
        )

    @post(
        "/admin/agencies/{agency_id:int}/merge",
        opt={"permission": "agency.manage"},
        status_code=200,
    )
    async def merge_agency(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        agency_id: int,
        data: FormData,
        ip: str,
    ) -> Redirect | Template:
        """Merge the agency into another from a date; mistakes come back beside the fields."""
        agency = await agencies.get_visible(principal, agency_id)
        typed = {
            "successor_id": data.get("successor_id", ""),
            "succeeded_on": data.get("succeeded_on", ""),
        }
        try:
            await agency_mergers.merge(
                principal,
                agency_id,
                int_or_none(typed["successor_id"]),
                date_or_none(typed["succeeded_on"]),
                int_or_none(data.get("version")),
                ip,
            )
        except (InvalidInput, Conflict, Forbidden) as exc:
            errors = exc.errors if isinstance(exc, InvalidInput) else {}
            template = await self._agency_form(
                request,
                principal,
                agency,
                agency_values(agency),
                Outcome(
                    {},
                    403 if isinstance(exc, Forbidden) else 422,
                    "" if isinstance(exc, InvalidInput) else message_text(request, exc.message),
                ),
            )
            template.context.update(merge_errors=errors, merge_values=typed)
            return template
        flash(request, message_text(request, "The agency was merged."))
        return Redirect(path=f"/admin/agencies/{agency_id}")

    # ---- users

    async def _user_form(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        user: User | None,
        values: dict[str, Any],
        outcome: Outcome | None = None,
    ) -> Template:
        return await _admin_form(
            request,
            principal,
            "user",
            user,
            values,
            outcome,
            agency_options=await agencies.tree_options(principal),
            role_options=ROLES,
        )

    @get("/admin/users", opt={"permission": "user.manage"})
    async def user_list(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        q: str | None = None,
        role: str | None = None,
        agency_id: QueryId = None,
        active: str | None = None,
        cursor: str | None = None,
    ) -> Template:
        """Users of the admin's subtree, filtered by name, role, agency and state."""
        arguments, filters = user_filters(q, role, agency_id, active)
        limit = 50
        page = await users.list_visible(
            principal, cursor=list_cursor(cursor) or 0, limit=limit, **arguments
        )
        items = await auth.with_sign_in_locks(page.items)
        return await render(
            request,
            "admin/users.html",
            users=items,
            agency_names=page.agency_names,
            filters=filters,
            next_cursor=_next_of(items, limit),
            agency_options=await agencies.tree_options(principal),
            role_options=ROLES,
            role_labels=ROLE_LABELS,
        )

    @get("/admin/users/new", opt={"permission": "user.manage"})
    async def new_user(self, request: Request[Any, Any, Any], principal: Principal) -> Template:
        """Form for a new user."""
        values = {"agency_id": principal.agency_id, "role": "inspector", "language": "vi"}
        return await self._user_form(request, principal, None, values)

    @post("/admin/users", opt={"permission": "user.manage"}, status_code=200)
    async def create_user(
        self, request: Request[Any, Any, Any], principal: Principal, data: FormData, ip: str
    ) -> Redirect | Template:
        """Create a user; mistakes come back beside their fields (password never echoed)."""
        entry, unread = user_entry(data)
        return await _write(
            request,
            {},
            lambda: users.create(principal, entry, ip, unread=unread),
            "The user was created.",
            lambda created: f"/admin/users/{created.id}",
            lambda outcome: self._user_form(
                request, principal, None, user_form_values(data), outcome
            ),
        )

    @get("/admin/users/{user_id:int}", opt={"permission": "user.manage"})
    async def edit_user(
        self, request: Request[Any, Any, Any], principal: Principal, user_id: int
    ) -> Template:
        """A user's edit form, state (sign-in lock included) and history."""
        user = await auth.with_sign_in_lock(await users.get_visible(principal, user_id))
        return await self._user_form(request, principal, user, user_values(user))

    @post("/admin/users/{user_id:int}", opt={"permission": "user.manage"}, status_code=200)
    async def update_user(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        user_id: int,
        data: FormData,
        ip: str,
    ) -> Redirect | Template:
        """Save a user; a new password is optional here."""
        user = await users.get_visible(principal, user_id)
        change, unread = user_change(data)
        return await _write(
            request,
            {},
            lambda: users.update(principal, user_id, change, ip, unread=unread),
            "The user was saved.",
            lambda _: f"/admin/users/{user_id}",
            lambda outcome: self._user_form(
                request, principal, user, user_form_values(data), outcome
            ),
        )

    async def _set_active(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        user_id: int,
        data: dict[str, str],
        ip: str,
        active: bool,
    ) -> Redirect:
        await users.get_visible(principal, user_id)
        try:
            await users.update(
                principal, user_id, UserUpdate(version=active_version(data), active=active), ip
            )
        except Conflict:
            flash(request, message_text(request, STALE_MESSAGE), "error")
        except InvalidInput as exc:
            flash(request, message_text(request, next(iter(exc.errors.values()))), "error")
        else:
            flash(
                request,
                message_text(
                    request, "The user was reactivated." if active else "The user was deactivated."
                ),
            )
        return Redirect(path=f"/admin/users/{user_id}")

    @post("/admin/users/{user_id:int}/deactivate", opt={"permission": "user.manage"})
    async def deactivate_user(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        user_id: int,
        data: FormData,
        ip: str,
    ) -> Redirect:
        """Deactivate a user: their sessions and tokens stop working at once."""
        return await self._set_active(request, principal, user_id, data, ip, False)

    @post("/admin/users/{user_id:int}/activate", opt={"permission": "user.manage"})
    async def activate_user(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        user_id: int,
        data: FormData,
        ip: str,
    ) -> Redirect:
        """Reactivate a user (old sessions and tokens stay ended)."""
        return await self._set_active(request, principal, user_id, data, ip, True)

    @post("/admin/users/{user_id:int}/unlock", opt={"permission": "user.manage"})
    async def unlock_user(
        self, request: Request[Any, Any, Any], principal: Principal, user_id: int, ip: str
    ) -> Redirect:
        """Lift the sign-in lock of a user locked out by failed sign-ins."""
        await auth.unlock_sign_in(principal, user_id, ip)
        flash(request, message_text(request, "The user can sign in again."))
        return Redirect(path=f"/admin/users/{user_id}")

    # ---- history

    @get("/audit", opt={"permission": "audit.read"})
    async def audit_page(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        entity_type: str | None = None,
        entity_id: QueryId = None,
    ) -> Template:
        """A record's history (or the latest changes in scope): who, when, before and after."""
        history = await audit.visible_history(
            principal, entity_type or None, entity_id, limit=200 if entity_type else 50
        )
        return await render(
            request,
            "admin/audit.html",
            history=history,
            entity_type=entity_type or "",
            entity_id=entity_id if entity_id is not None else "",
            entity_types=AUDIT_ENTITY_TYPES,
        )
