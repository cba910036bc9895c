"""Notifications: the page with the list and mark-as-read, and the JSON API."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from inspect_app.controllers.page_support import local_path
from inspect_app.exceptions import request_language
from inspect_app.i18n import translate_plural
from inspect_app.pages import flash, render
from inspect_app.principal import Principal
from inspect_app.schemas.bounds import QueryLimit
from inspect_app.schemas.jobs import NotificationList, NotificationOut, ReadAll
from inspect_app.services import notifications


class NotificationApiController(Controller):
    """The caller's notifications as JSON."""

    path = "/api/notifications"
    tags = ["notifications"]

    @get("/", opt={"permission": "self"})
    async def list_notifications(
        self,
        principal: Principal,
        cursor: str | None = None,
        limit: QueryLimit = None,
        unread: bool = False,
    ) -> NotificationList:
        """The caller's notifications, newest first; ``unread=true`` for unread ones only."""
        page = await notifications.list_notifications(
            principal, cursor=cursor, limit=limit, unread_only=unread
        )
        return NotificationList(
            items=page.items,
            next_cursor=page.next_cursor,
            unread=await notifications.unread_count(principal),
        )

    @post("/{notification_id:int}/read", opt={"permission": "self"}, status_code=200)
    async def mark_read(self, principal: Principal, notification_id: int) -> NotificationOut:
        """Mark one notification as read (again is harmless)."""
        return await notifications.mark_read(principal, notification_id)

    @post("/read-all", opt={"permission": "self"}, status_code=200)
    async def mark_all_read(self, principal: Principal) -> ReadAll:
        """Mark every notification of the caller as read."""
        return ReadAll(marked=await notifications.mark_all_read(principal))


class NotificationPageController(Controller):
    """The notifications page."""

    include_in_schema = False

    @get("/notifications", opt={"permission": "self"})
    async def index(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        cursor: str | None = None,
        unread: bool = False,
    ) -> Template:
        """The caller's notifications, newest first, unread ones highlighted."""
        page = await notifications.list_notifications(principal, cursor=cursor, unread_only=unread)
        return await render(request, "notifications/index.html", page=page, only_unread=unread)

    @post("/notifications/{notification_id:int}/read", opt={"permission": "self"})
    async def mark_read(
        self, request: Request[Any, Any, Any], principal: Principal, notification_id: int
    ) -> Redirect:
        """Mark one as read and open the record it is about."""
        row = await notifications.mark_read(principal, notification_id)
        return Redirect(path=local_path(row.link, "/notifications"))

    @post("/notifications/read-all", opt={"permission": "self"})
    async def mark_all_read(
        self, request: Request[Any, Any, Any], principal: Principal
    ) -> Redirect:
        """Mark every notification as read."""
        marked = await notifications.mark_all_read(principal)
        lang = request_language(request)
        flash(
            request,
            translate_plural(
                "{count} notification marked as read.",
                "{count} notifications marked as read.",
                marked,
                lang,
            ),
        )
        return Redirect(path="/notifications")
