"""Schemas of notifications and the follow-up board."""

from __future__ import annotations

from datetime import date, datetime

import msgspec


class NotificationOut(msgspec.Struct):
    """An in-app notice: a reminder, an overdue notice or an escalation."""

    id: int
    kind: str
    entity_type: str
    entity_id: int | None
    deadline_type: str
    rung: str
    due_on: date | None
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None
    read: bool


class NotificationPage(msgspec.Struct):
    """A page of the caller's notifications, newest first (services.notifications)."""

    items: list[NotificationOut]
    next_cursor: str | None


class NotificationList(msgspec.Struct):
    """A page of notifications, newest first."""

    items: list[NotificationOut]
    next_cursor: str | None
    unread: int


class ReadAll(msgspec.Struct):
    """How many notifications were marked as read."""

    marked: int


class FollowUp(msgspec.Struct):
    """One open deadline of an inspection or a measure."""

    entity_type: str
    entity_id: int
    inspection_id: int
    inspection_code: str
    inspection_title: str
    deadline_type: str
    due_on: date
    days_left: int
    state: str
    agency_id: int
    agency_name: str
    responsible: str
    description: str
    link: str
    # The agency the case belonged to before it merged into ``agency_name`` ("" if none).
    former_agency_name: str = ""


class FollowUpList(msgspec.Struct):
    """A page of open deadlines, soonest first."""

    items: list[FollowUp]
    next_cursor: str | None
